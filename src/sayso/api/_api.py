"""The JSON API under ``/api/v1``: analyse, articles (list, search, get), figures, comparisons, speakers.

Read endpoints are open; the one write (``POST /api/v1/analyse?store=true``) needs the bearer token when
SAYSO_API_TOKEN is set. Lists are paginated with ``page`` and ``per_page`` (at most 100).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Annotated, Any, Literal, TypeVar

from fastapi import APIRouter, Depends, HTTPException, Query, Request

from sayso import compare as cmp
from sayso.api import _queries as qs
from sayso.api._app import ServerState, StoreRefused, state_of
from sayso.api._models import (
    AnalyseRequest,
    AnalyseResponse,
    ArticleOut,
    ArticleSummaryOut,
    ClaimGroupPage,
    ErrorOut,
    EventGroupPage,
    FigureGroupPage,
    FigureOut,
    OutletCount,
    PageOut,
    QuoteOut,
    SpeakerDetailOut,
    SpeakerOut,
)

router = APIRouter(prefix="/api/v1", tags=["api"])
State = Annotated[ServerState, Depends(state_of)]
PageNo = Annotated[int, Query(ge=1, le=100_000, description="1-based page number.")]
PerPage = Annotated[int, Query(ge=1, le=100, description="Items per page (at most 100).")]
T = TypeVar("T")


def _page(page: qs.Page[Any], model: type[Any]) -> dict[str, Any]:
    return {
        "items": [model.model_validate(item) for item in page.items],
        "total": page.total,
        "page": page.page,
        "per_page": page.per_page,
        "pages": page.pages,
    }


def _slice(items: list[T], page: int, per_page: int) -> dict[str, Any]:
    start = (page - 1) * per_page
    return {
        "items": items[start : start + per_page],
        "total": len(items),
        "page": page,
        "per_page": per_page,
        "pages": max(1, -(-len(items) // per_page)),
    }


@router.post(
    "/analyse",
    response_model=AnalyseResponse,
    responses={401: {"model": ErrorOut}, 413: {"model": ErrorOut}, 422: {"model": ErrorOut}},
    summary="Analyse a text or an HTML page (optionally store it)",
)
def analyse(
    body: AnalyseRequest,
    request: Request,
    state: State,
    store: Annotated[bool, Query(description="Also store the article (needs the token when set).")] = False,
) -> AnalyseResponse:
    """Returns the sayso/1 analysis. ``html`` is reduced to the page's main text first (as ``sayso ingest``
    does). With ``store=true`` the article goes through the store's ingest: stored once per locator (its
    URL, else a hash of its text), deduplicated against the store."""
    if store and not state.bearer_ok(request):
        raise HTTPException(401, "a valid bearer token is required", headers={"WWW-Authenticate": "Bearer"})
    text, title, published = body.text, body.title, body.published
    if body.html is not None:
        text, title, published = html_input(body.html, body.url, title, published)
    assert text is not None
    try:
        analysis, article_id = state.analyse(
            text, title=title, url=body.url, published=published, outlet=body.outlet, store=store
        )
    except StoreRefused as exc:
        raise HTTPException(422, f"not stored: {exc}") from exc
    return AnalyseResponse(analysis=analysis, article_id=article_id)


def html_input(
    html: str, url: str | None, title: str | None, published: str | None
) -> tuple[str, str | None, str | None]:
    """The main text of a page, with its title and date unless the caller gave them (422 if none)."""
    from sayso.ingest._html import html_to_text
    from sayso.ingest._items import Skip

    try:
        page = html_to_text(html, url)
    except Skip as exc:
        raise HTTPException(422, exc.reason) from exc
    return (
        page.text,
        title or page.title,
        published or (page.published.isoformat() if page.published else None),
    )


@router.get("/articles", response_model=PageOut[ArticleSummaryOut], summary="List or search articles")
def articles(
    state: State,
    q: Annotated[str | None, Query(max_length=500, description="Full-text search in title and text.")] = None,
    outlet: Annotated[str | None, Query(max_length=500)] = None,
    published_from: Annotated[dt.date | None, Query(alias="from")] = None,
    published_to: Annotated[dt.date | None, Query(alias="to")] = None,
    page: PageNo = 1,
    per_page: PerPage = 20,
) -> dict[str, Any]:
    """Newest first; with ``q``, best match first (SQLite FTS5 or PostgreSQL full-text search)."""
    result = qs.list_articles(
        state.store.engine,
        fulltext=state.fulltext,
        q=q,
        outlet=outlet,
        published_from=published_from,
        published_to=published_to,
        page=page,
        per_page=per_page,
    )
    return _page(result, ArticleSummaryOut)


@router.get(
    "/articles/{article_id}",
    response_model=ArticleOut,
    responses={404: {"model": ErrorOut}},
    summary="One article with its analysis",
)
def article(article_id: int, state: State) -> ArticleOut:
    found = qs.get_article(state.store.engine, article_id)
    if found is None:
        raise HTTPException(404, f"no article {article_id}")
    data = {f.name: getattr(found, f.name) for f in dataclasses.fields(found)}
    data["agencies"] = list(found.agencies)
    return ArticleOut.model_validate(data)


@router.get("/figures", response_model=PageOut[FigureOut], summary="Figures, filtered")
def figures(
    state: State,
    counted: Annotated[str | None, Query(max_length=200, description="Counted noun, e.g. 'homes'.")] = None,
    place: Annotated[str | None, Query(max_length=200, description="Place, e.g. 'Lisbon'.")] = None,
    time: Annotated[
        str | None,
        Query(
            max_length=10, pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$", description="YYYY, YYYY-MM or YYYY-MM-DD."
        ),
    ] = None,
    outlet: Annotated[str | None, Query(max_length=500)] = None,
    page: PageNo = 1,
    per_page: PerPage = 50,
) -> dict[str, Any]:
    """Every stored figure (quantity) with what it counts, where, when, and who said it."""
    result = qs.list_figures(
        state.store.engine,
        counted=counted,
        place=place,
        time=time,
        outlet=outlet,
        page=page,
        per_page=per_page,
    )
    return _page(result, FigureOut)


@router.get("/compare/figures", response_model=FigureGroupPage, summary="The same figure across sources")
def compare_figures(
    state: State,
    counted: Annotated[str | None, Query(max_length=200)] = None,
    place: Annotated[str | None, Query(max_length=200)] = None,
    window: Annotated[int, Query(ge=0, le=366, description="Dates this many days apart join.")] = 0,
    min_articles: Annotated[int, Query(ge=1, le=1000)] = 2,
    page: PageNo = 1,
    per_page: PerPage = 20,
) -> dict[str, Any]:
    """Groups of figures counting the same thing at the same place and time (see ``sayso compare``)."""
    groups = cmp.compare_figures(
        state.store, counted=counted, place=place, window=window, min_articles=min_articles
    )
    return _slice(groups, page, per_page)


@router.get(
    "/compare/claims", response_model=ClaimGroupPage, summary="Similar claims or quotes across sources"
)
def compare_claims(
    state: State,
    of: Literal["auto", "claims", "quotes"] = "auto",
    min_articles: Annotated[int, Query(ge=1, le=1000)] = 2,
    page: PageNo = 1,
    per_page: PerPage = 20,
) -> dict[str, Any]:
    return _slice(cmp.compare_claims(state.store, of=of, min_articles=min_articles), page, per_page)


@router.get("/compare/events", response_model=EventGroupPage, summary="The same event across sources")
def compare_events(
    state: State,
    type: Annotated[str | None, Query(max_length=100)] = None,
    min_articles: Annotated[int, Query(ge=1, le=1000)] = 2,
    page: PageNo = 1,
    per_page: PerPage = 20,
) -> dict[str, Any]:
    return _slice(cmp.compare_events(state.store, type=type, min_articles=min_articles), page, per_page)


@router.get("/speakers", response_model=PageOut[SpeakerOut], summary="Who is quoted, most first")
def speakers(
    state: State,
    q: Annotated[str | None, Query(max_length=200, description="Part of the name.")] = None,
    page: PageNo = 1,
    per_page: PerPage = 50,
) -> dict[str, Any]:
    return _page(qs.list_speakers(state.store.engine, q=q, page=page, per_page=per_page), SpeakerOut)


@router.get(
    "/speakers/{speaker_id}",
    response_model=SpeakerDetailOut,
    responses={404: {"model": ErrorOut}},
    summary="One speaker: outlets and latest quotes",
)
def speaker(speaker_id: int, state: State) -> SpeakerDetailOut:
    found = qs.get_speaker(state.store.engine, speaker_id)
    if found is None:
        raise HTTPException(404, f"no speaker {speaker_id}")
    return SpeakerDetailOut(
        id=found.id,
        name=found.name,
        quotes=found.quotes,
        articles=found.articles,
        outlets=[OutletCount(outlet=o, quotes=n) for o, n in found.outlets],
        recent=[QuoteOut.model_validate(q) for q in found.recent],
    )


@router.get("/health", summary="Liveness, store dialect and full-text index")
def health(state: State) -> dict[str, str | None]:
    return {"status": "ok", "store": state.store.engine.dialect.name, "fulltext": state.fulltext}
