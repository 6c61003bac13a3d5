"""The application factory and the per-process state the routes share (store, analyser, token, templates)."""

from __future__ import annotations

import hashlib
import hmac
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from starlette.exceptions import HTTPException

from sayso import __version__
from sayso.api._highlight import LAYERS
from sayso.api._middleware import BodySizeLimit, SecurityHeaders
from sayso.api._queries import FullText, fulltext_kind
from sayso.errors import InputError, SaysoError
from sayso.ingest import Article, IngestItem, parse_published
from sayso.schema import Analysis
from sayso.settings import API_TOKEN, PROFILE
from sayso.store import Store, ingest

HERE = Path(__file__).parent
#: Default request-body limit: room for the longest text an analysis accepts (SAYSO_MAX_CHARS, 1M
#: characters) as UTF-8 JSON or an HTML page around it, yet far from what would strain the server.
DEFAULT_MAX_BODY = 8 * 1024 * 1024


class AnalyzerLike(Protocol):
    """What the server needs of an analyser; tests may pass a lighter fake through ``analyzer_factory``."""

    def analyze(
        self, text: str, *, title: str | None = ..., url: str | None = ..., published: Any = ...
    ) -> Analysis: ...


def _default_analyzer() -> AnalyzerLike:
    from sayso._analyzer import Analyzer

    return Analyzer(profile=PROFILE.value())


@dataclass
class ServerState:
    """Everything the routes share. The analyser is built on first use (loading spaCy takes seconds, and
    a read-only browsing session never needs it) and used under a lock: one pipeline, one request at a
    time, which also keeps the store to a single writer."""

    store: Store
    fulltext: FullText
    token: str | None
    templates: Jinja2Templates
    max_body: int
    analyzer_factory: Callable[[], AnalyzerLike] = _default_analyzer
    _analyzer: AnalyzerLike | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def analyzer(self) -> AnalyzerLike:
        with self._lock:
            if self._analyzer is None:
                self._analyzer = self.analyzer_factory()
            return self._analyzer

    def token_ok(self, given: str | None) -> bool:
        """True when no token is configured, or ``given`` matches it (compared in constant time)."""
        if not self.token:
            return True
        return given is not None and hmac.compare_digest(given.encode(), self.token.encode())

    def bearer_ok(self, request: Request) -> bool:
        header = request.headers.get("authorization", "")
        scheme, _, value = header.partition(" ")
        return self.token_ok(value.strip() if scheme.lower() == "bearer" else None)

    def analyse(
        self,
        text: str,
        *,
        title: str | None = None,
        url: str | None = None,
        published: str | None = None,
        outlet: str | None = None,
        store: bool = False,
    ) -> tuple[Analysis, int | None]:
        """Analyse one text; with ``store`` also keep it, through the store's own ingest (deduplication,
        story clusters, idempotence by locator: posting the same text twice stores it once)."""
        article = Article(
            text=text, title=title or None, url=url or None, published=parse_published(published)
        )
        analyzer = self.analyzer()
        if not store:
            with self._lock:
                return (
                    analyzer.analyze(
                        article.text, title=article.title, url=article.url, published=article.published
                    ),
                    None,
                )
        from sayso.api._queries import article_id_by_locator

        locator = article.url or "api:" + hashlib.sha256(text.encode()).hexdigest()[:24]
        item = IngestItem(locator=locator, article=article, site=outlet or None, input_format="api")
        with self._lock:
            summary = ingest([item], self.store, analyzer, batch_size=1)  # type: ignore[arg-type]
        if summary.errors:
            raise StoreRefused(summary.errors[0][1])
        stored = self.store.load_analysis(locator)
        article_id = article_id_by_locator(self.store.engine, locator)
        if stored is None or article_id is None:  # pragma: no cover - ingest reported no error
            raise StoreRefused("the article was not stored")
        return stored, article_id


class StoreRefused(Exception):
    """Ingest skipped the posted article (its reason is the message)."""


def state_of(request: Request) -> ServerState:
    state: ServerState = request.app.state.sayso
    return state


def _templates() -> Jinja2Templates:
    # Autoescaping on for everything: every value a template prints is article text or user input.
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(LAYERS=LAYERS, version=__version__)
    env.filters["number"] = _number
    return Jinja2Templates(env=env)


def _number(value: float | int | None) -> str:
    if value is None:
        return ""
    return f"{value:,.0f}" if value == int(value) else f"{value:,.2f}".rstrip("0")


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or "text/html" not in request.headers.get("accept", "")


def create_app(
    db_url: str | None = None,
    *,
    analyzer_factory: Callable[[], AnalyzerLike] | None = None,
    token: str | None = None,
    max_body_bytes: int = DEFAULT_MAX_BODY,
    store: Store | None = None,
) -> FastAPI:
    """The sayso web app over the store at ``db_url`` (default ``sayso.db``; migrated on open).

    ``token`` (default: setting SAYSO_API_TOKEN) guards the write endpoints with ``Authorization: Bearer``;
    with no token they are open, which is why ``sayso serve`` binds to 127.0.0.1 unless told otherwise.
    """
    from sayso.api import _api, _pages

    opened = store if store is not None else Store(db_url)
    state = ServerState(
        store=opened,
        fulltext=fulltext_kind(opened.engine),
        token=token or API_TOKEN.value() or None,
        templates=_templates(),
        max_body=max_body_bytes,
        analyzer_factory=analyzer_factory or _default_analyzer,
    )

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        if store is None:
            opened.close()

    app = FastAPI(
        title="sayso",
        version=__version__,
        description=(
            "Who says what, on whose say-so: analyse news text into attributed claims, figures, dates and "
            "events, and browse, search and compare a sayso store. sayso reports what texts say and who "
            "says it; it never judges whether a claim is true. Write endpoints need "
            "`Authorization: Bearer <SAYSO_API_TOKEN>` when that setting is set."
        ),
        docs_url=None,  # Swagger UI and ReDoc load from a CDN; the server works offline. See /api.
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.sayso = state
    app.add_middleware(SecurityHeaders)
    app.add_middleware(BodySizeLimit, limit=max_body_bytes)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.include_router(_api.router)
    app.include_router(_pages.router)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        if _wants_json(request):
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)
        return state.templates.TemplateResponse(
            request,
            "error.html",
            {"status": exc.status_code, "detail": str(exc.detail)},
            status_code=exc.status_code,
            headers=exc.headers,
        )

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        if _wants_json(request):
            return JSONResponse({"detail": jsonable_encoder(exc.errors())}, status_code=422)
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e.get('loc', ())[1:]) or 'input'}: {e.get('msg', '')}"
            for e in exc.errors()
        )
        return state.templates.TemplateResponse(
            request, "error.html", {"status": 422, "detail": problems}, status_code=422
        )

    @app.exception_handler(SaysoError)
    async def sayso_error(request: Request, exc: SaysoError) -> Response:
        status = 422 if isinstance(exc, InputError) else 500
        if _wants_json(request):
            return JSONResponse({"detail": exc.message, "code": exc.code}, status_code=status)
        return state.templates.TemplateResponse(
            request, "error.html", {"status": status, "detail": str(exc)}, status_code=status
        )

    return app
