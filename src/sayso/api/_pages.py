"""Server-rendered pages: analyse, articles (search and filters), one article, compare, speakers.

Pages are Jinja templates with autoescaping; highlighting, the source-chain diagram and the chart are
computed in :mod:`sayso.api._highlight` and only *printed* by the templates. The small script in
``static/sayso.js`` toggles layers and shows details; every page works without it.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from sayso import compare as cmp
from sayso.api import _queries as qs
from sayso.api._app import ServerState, StoreRefused, state_of
from sayso.api._highlight import attribution_tree, chain_diagram, figure_chart, highlight
from sayso.errors import InputError
from sayso.schema import Analysis

router = APIRouter(include_in_schema=False)
State = Annotated[ServerState, Depends(state_of)]
PageNo = Annotated[int, Query(ge=1, le=100_000)]


def _render(state: ServerState, request: Request, name: str, status: int = 200, **context: Any) -> Response:
    return state.templates.TemplateResponse(request, name, context, status_code=status)


def _date(value: str) -> dt.date | None:
    """A date field of a filter form: the browser sends an empty string when it is left blank."""
    if not value.strip():
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise HTTPException(422, f"not a date (YYYY-MM-DD): {value!r}") from None


def analysis_context(analysis: Analysis) -> dict[str, Any]:
    """What the highlight partial needs (shared by the analyse and article pages)."""
    return {
        "analysis": analysis,
        "hl": highlight(analysis),
        "chain": chain_diagram(analysis),
        "tree": attribution_tree(analysis),
    }


@router.get("/", response_class=HTMLResponse)
def home() -> Response:
    return RedirectResponse("/analyse", status_code=303)


@router.get("/analyse", response_class=HTMLResponse)
def analyse_form(request: Request, state: State) -> Response:
    return _render(state, request, "analyse.html", form={}, error=None, needs_token=bool(state.token))


@router.post("/analyse", response_class=HTMLResponse)
def analyse_submit(
    request: Request,
    state: State,
    text: Annotated[str, Form()] = "",
    title: Annotated[str, Form()] = "",
    published: Annotated[str, Form()] = "",
    url: Annotated[str, Form()] = "",
    is_html: Annotated[bool, Form()] = False,
    store: Annotated[bool, Form()] = False,
    token: Annotated[str, Form()] = "",
) -> Response:
    """The analyse form: the result is the same page with the text highlighted under the form."""
    form = {
        "text": text,
        "title": title,
        "published": published,
        "url": url,
        "is_html": is_html,
        "store": store,
    }
    page: dict[str, Any] = {"form": form, "needs_token": bool(state.token), "error": None}
    if store and not state.token_ok(token or None):
        page["error"] = "Storing needs the server's API token (SAYSO_API_TOKEN)."
        return _render(state, request, "analyse.html", status=401, **page)
    try:
        body, page_title, page_published = text, title or None, published or None
        if is_html:
            from sayso.api._api import html_input

            body, page_title, page_published = html_input(text, url or None, page_title, page_published)
        analysis, article_id = state.analyse(
            body, title=page_title, url=url or None, published=page_published, store=store
        )
    except (InputError, StoreRefused) as exc:
        page["error"] = str(exc)
        return _render(state, request, "analyse.html", status=422, **page)
    except HTTPException as exc:
        page["error"] = str(exc.detail)
        return _render(state, request, "analyse.html", status=exc.status_code, **page)
    return _render(
        state, request, "analyse.html", article_id=article_id, **page, **analysis_context(analysis)
    )


@router.get("/articles", response_class=HTMLResponse)
def articles_page(
    request: Request,
    state: State,
    q: Annotated[str, Query(max_length=500)] = "",
    outlet: Annotated[str, Query(max_length=500)] = "",
    date_from: Annotated[str, Query(alias="from", max_length=10)] = "",
    date_to: Annotated[str, Query(alias="to", max_length=10)] = "",
    page: PageNo = 1,
) -> Response:
    published_from, published_to = _date(date_from), _date(date_to)
    result = qs.list_articles(
        state.store.engine,
        fulltext=state.fulltext,
        q=q or None,
        outlet=outlet or None,
        published_from=published_from,
        published_to=published_to,
        page=page,
        per_page=25,
    )
    filters = {
        "q": q,
        "outlet": outlet,
        "from": published_from.isoformat() if published_from else "",
        "to": published_to.isoformat() if published_to else "",
    }
    return _render(
        state,
        request,
        "articles.html",
        result=result,
        filters=filters,
        outlets=qs.outlet_names(state.store.engine),
        fulltext=state.fulltext,
    )


@router.get("/articles/locator", response_class=HTMLResponse)
def article_by_locator(locator: Annotated[str, Query(max_length=2000)], state: State) -> Response:
    """Comparison results name articles by locator; this turns one into its page."""
    article_id = qs.article_id_by_locator(state.store.engine, locator)
    if article_id is None:
        raise HTTPException(404, "no article with that locator")
    return RedirectResponse(f"/articles/{article_id}", status_code=303)


@router.get("/articles/{article_id}", response_class=HTMLResponse)
def article_page(article_id: int, request: Request, state: State) -> Response:
    found = qs.get_article(state.store.engine, article_id)
    if found is None:
        raise HTTPException(404, f"No article {article_id}.")
    return _render(state, request, "article.html", article=found, **analysis_context(found.analysis))


@router.get("/compare", response_class=HTMLResponse)
def compare_page(
    request: Request,
    state: State,
    counted: Annotated[str, Query(max_length=200)] = "",
    place: Annotated[str, Query(max_length=200)] = "",
    window: Annotated[int, Query(ge=0, le=366)] = 1,
    min_articles: Annotated[int, Query(ge=1, le=1000)] = 2,
) -> Response:
    """Without ``counted``: the counted things to choose from. With it: each group with its chart."""
    groups: list[cmp.FigureGroup] = []
    if counted:
        groups = cmp.compare_figures(
            state.store, counted=counted, place=place or None, window=window, min_articles=min_articles
        )[:20]
    return _render(
        state,
        request,
        "compare.html",
        filters={"counted": counted, "place": place, "window": window, "min_articles": min_articles},
        groups=[(group, figure_chart(group), first_seen(group)) for group in groups],
        things=[] if counted else qs.counted_things(state.store.engine),
    )


def first_seen(group: cmp.FigureGroup) -> list[tuple[cmp.FigureSource, str]]:
    """Each source with a note when it is the earliest report of its value ("first with 42; repeated by
    daily.example, gazette.example")."""
    notes = {}
    for value in group.values:
        later = ", ".join(s.ref.outlet or s.ref.article for s in value.repeated_by)
        notes[id(value.earliest)] = f"first with {value.value}" + (f"; repeated by {later}" if later else "")
    return [(source, notes.get(id(source), "")) for source in group.sources]


@router.get("/speakers", response_class=HTMLResponse)
def speakers_page(
    request: Request, state: State, q: Annotated[str, Query(max_length=200)] = "", page: PageNo = 1
) -> Response:
    result = qs.list_speakers(state.store.engine, q=q or None, page=page, per_page=50)
    return _render(state, request, "speakers.html", result=result, filters={"q": q})


@router.get("/speakers/{speaker_id}", response_class=HTMLResponse)
def speaker_page(speaker_id: int, request: Request, state: State) -> Response:
    found = qs.get_speaker(state.store.engine, speaker_id)
    if found is None:
        raise HTTPException(404, f"No speaker {speaker_id}.")
    top = max((n for _, n in found.outlets), default=1)
    return _render(state, request, "speaker.html", speaker=found, top=top)


@router.get("/api", response_class=HTMLResponse)
def api_page(request: Request, state: State) -> Response:
    """A plain listing of the OpenAPI document (Swagger UI would need a CDN; the server runs offline)."""
    schema = request.app.openapi()
    endpoints = [
        (method.upper(), path, op.get("summary", ""), op.get("description", ""))
        for path, methods in schema.get("paths", {}).items()
        for method, op in methods.items()
    ]
    return _render(state, request, "api.html", endpoints=endpoints)
