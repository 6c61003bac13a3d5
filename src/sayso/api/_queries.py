"""Read queries the web API needs beyond :mod:`sayso.compare`: article lists with full-text search, one
article, flat figure rows with filters, speakers with ids, outlets.

Every query is SQLAlchemy Core with bound parameters; user input never becomes SQL text. Full-text search
uses the index that migration 0002 creates (SQLite FTS5, PostgreSQL GIN over ``to_tsvector``) and falls
back to a ``LIKE`` on titles when a store has no such index, so an old or unusual database still works.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any, Generic, Literal, TypeVar

from sqlalchemy import (
    ColumnElement,
    Engine,
    Float,
    Integer,
    Select,
    and_,
    bindparam,
    distinct,
    func,
    literal_column,
    or_,
    select,
    text,
)

from sayso.schema import Analysis
from sayso.store import _tables as t
from sayso.store import normalise_name, normalise_noun

T = TypeVar("T")
FullText = Literal["fts5", "postgresql"] | None

#: The indexed document on PostgreSQL; must stay the expression of ``ix_articles_fulltext`` (0002).
_PG_DOCUMENT = (
    "to_tsvector('english'::regconfig, coalesce(articles.title, '') || ' ' || "
    "coalesce(articles.analysis::json ->> 'text', ''))"
)


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of results and how many there are in all."""

    items: list[T]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


@dataclass(frozen=True)
class ArticleSummary:
    id: int
    locator: str
    title: str | None
    url: str | None
    outlet: str | None
    published: dt.date | None
    quotes: int
    figures: int


@dataclass(frozen=True)
class ArticleDetail:
    id: int
    locator: str
    title: str | None
    url: str | None
    outlet: str | None
    published: dt.date | None
    cluster: int
    copy_of: int | None
    near_duplicate_of: int | None
    similarity: float | None
    agencies: tuple[str, ...]
    analysis: Analysis


@dataclass(frozen=True)
class FigureRow:
    article_id: int
    title: str | None
    outlet: str | None
    published: dt.date | None
    text: str
    value: float | None
    low: float | None
    high: float | None
    qualifier: str | None
    counted: str | None
    counted_key: str | None
    place: str | None
    place_key: str | None
    time: str | None
    time_value: str | None
    speaker: str | None


@dataclass(frozen=True)
class SpeakerSummary:
    id: int
    name: str
    quotes: int
    articles: int


@dataclass(frozen=True)
class Quote:
    article_id: int
    title: str | None
    outlet: str | None
    published: dt.date | None
    kind: str | None
    cue: str | None
    content: str | None


@dataclass(frozen=True)
class SpeakerDetail:
    id: int
    name: str
    quotes: int
    articles: int
    outlets: tuple[tuple[str, int], ...]
    recent: tuple[Quote, ...]


@dataclass(frozen=True)
class CountedThing:
    key: str
    articles: int
    figures: int


def fulltext_kind(engine: Engine) -> FullText:
    """Which full-text index the store has (migration 0002), if any."""
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            found = conn.scalar(
                text("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'articles_fts'")
            )
            return "fts5" if found else None
        if engine.dialect.name == "postgresql":
            found = conn.scalar(text("SELECT 1 FROM pg_indexes WHERE indexname = 'ix_articles_fulltext'"))
            return "postgresql" if found else None
    return None


_WORD = re.compile(r"\w+", re.UNICODE)


def fts5_query(query: str) -> str | None:
    """A user's search as a safe FTS5 query: every word quoted (all must match), operators dropped.

    FTS5 has its own query language, and an unbalanced quote or a bare ``AND`` is a syntax error; quoting
    each word keeps any input valid (it is still passed as a bound parameter).
    """
    words = _WORD.findall(query)[:32]
    return " ".join(f'"{w}"' for w in words) or None


def _count(engine: Engine, query: Select[Any]) -> int:
    with engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0)


def list_articles(
    engine: Engine,
    *,
    fulltext: FullText,
    q: str | None = None,
    outlet: str | None = None,
    published_from: dt.date | None = None,
    published_to: dt.date | None = None,
    page: int = 1,
    per_page: int = 20,
) -> Page[ArticleSummary]:
    """Articles, newest first (best match first when searching), with quote and figure counts."""
    a = t.articles
    quotes = (
        select(func.count())
        .select_from(t.attributions)
        .where(t.attributions.c.article_id == a.c.id)
        .scalar_subquery()
    )
    figures = (
        select(func.count())
        .select_from(t.quantities)
        .where(t.quantities.c.article_id == a.c.id)
        .scalar_subquery()
    )
    query = select(
        a.c.id, a.c.locator, a.c.title, a.c.url, t.outlets.c.name, a.c.published, quotes, figures
    ).outerjoin(t.outlets, t.outlets.c.id == a.c.outlet_id)
    conditions: list[ColumnElement[bool]] = []
    if outlet:
        conditions.append(t.outlets.c.name == outlet)
    if published_from:
        conditions.append(a.c.published >= published_from)
    if published_to:
        conditions.append(a.c.published <= published_to)
    order: list[Any] = [a.c.published.desc(), a.c.id.desc()]
    words = q.strip() if q else ""
    if words:
        if fulltext == "fts5":
            match = fts5_query(words)
            if match is None:
                return Page([], 0, page, per_page)
            fts = (
                text(
                    "SELECT rowid AS id, bm25(articles_fts) AS rank "
                    "FROM articles_fts WHERE articles_fts MATCH :m"
                )
                .bindparams(bindparam("m", match))
                .columns(id=Integer, rank=Float)
                .subquery("fts")
            )
            query = query.join(fts, fts.c.id == a.c.id)
            order = [fts.c.rank, a.c.id.desc()]
        elif fulltext == "postgresql":
            tsquery = func.websearch_to_tsquery(literal_column("'english'::regconfig"), bindparam("q", words))
            document: ColumnElement[Any] = literal_column(_PG_DOCUMENT)
            conditions.append(document.op("@@")(tsquery))
            order = [func.ts_rank(document, tsquery).desc(), a.c.id.desc()]
        else:
            pattern = words.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            conditions.append(or_(a.c.title.ilike(f"%{pattern}%", escape="\\"), a.c.locator == words))
    if conditions:
        query = query.where(and_(*conditions))
    total = _count(engine, query)
    query = query.order_by(*order).limit(per_page).offset((page - 1) * per_page)
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    items = [
        ArticleSummary(
            id=r[0],
            locator=r[1],
            title=r[2],
            url=r[3],
            outlet=r[4],
            published=r[5],
            quotes=int(r[6] or 0),
            figures=int(r[7] or 0),
        )
        for r in rows
    ]
    return Page(items, total, page, per_page)


def get_article(engine: Engine, article_id: int) -> ArticleDetail | None:
    """One stored article with its rebuilt Analysis (None when there is no such id)."""
    a = t.articles
    query = (
        select(
            a.c.id,
            a.c.locator,
            a.c.title,
            a.c.url,
            t.outlets.c.name,
            a.c.published,
            a.c.cluster_id,
            a.c.copy_of,
            a.c.near_duplicate_of,
            a.c.similarity,
            a.c.analysis,
        )
        .outerjoin(t.outlets, t.outlets.c.id == a.c.outlet_id)
        .where(a.c.id == article_id)
    )
    agencies = (
        select(t.agencies.c.name)
        .join(t.article_agencies, t.article_agencies.c.agency_id == t.agencies.c.id)
        .where(t.article_agencies.c.article_id == article_id)
        .order_by(t.agencies.c.name)
    )
    with engine.connect() as conn:
        row = conn.execute(query).first()
        if row is None:
            return None
        names = tuple(conn.scalars(agencies))
    return ArticleDetail(
        id=row[0],
        locator=row[1],
        title=row[2],
        url=row[3],
        outlet=row[4],
        published=row[5],
        cluster=row[6],
        copy_of=row[7],
        near_duplicate_of=row[8],
        similarity=row[9],
        agencies=names,
        analysis=Analysis.model_validate_json(row[10]),
    )


def article_id_by_locator(engine: Engine, locator: str) -> int | None:
    with engine.connect() as conn:
        value = conn.scalar(select(t.articles.c.id).where(t.articles.c.locator == locator))
    return int(value) if value is not None else None


def list_figures(
    engine: Engine,
    *,
    counted: str | None = None,
    place: str | None = None,
    time: str | None = None,
    outlet: str | None = None,
    page: int = 1,
    per_page: int = 50,
) -> Page[FigureRow]:
    """Figures (quantities) as flat rows, filtered like ``sayso compare``: ``counted`` and ``place`` on
    the normalised keys, ``time`` as a prefix of the figure's resolved date or else the publication date
    ("2025-03" is March 2025), ``outlet`` exactly."""
    q, a = t.quantities, t.articles
    query = (
        select(
            a.c.id,
            a.c.title,
            t.outlets.c.name,
            a.c.published,
            q.c.text,
            q.c.value,
            q.c.low,
            q.c.high,
            q.c.qualifier,
            q.c.counted_text,
            q.c.counted_norm,
            q.c.place_text,
            q.c.place_norm,
            q.c.time_text,
            q.c.time_value,
            t.speakers.c.name,
        )
        .join(a, a.c.id == q.c.article_id)
        .outerjoin(t.outlets, t.outlets.c.id == a.c.outlet_id)
        .outerjoin(t.speakers, t.speakers.c.id == q.c.speaker_id)
    )
    conditions: list[ColumnElement[bool]] = []
    if counted:
        conditions.append(q.c.counted_norm == normalise_noun(counted))
    if place:
        conditions.append(q.c.place_norm == normalise_name(place))
    if outlet:
        conditions.append(t.outlets.c.name == outlet)
    if time:
        conditions.append(
            or_(
                q.c.time_value.startswith(time, autoescape=True),
                and_(q.c.time_value.is_(None), _published_prefix(a.c.published, time)),
            )
        )
    if conditions:
        query = query.where(and_(*conditions))
    total = _count(engine, query)
    query = query.order_by(a.c.published.desc(), a.c.id.desc(), q.c.start).limit(per_page)
    with engine.connect() as conn:
        rows = conn.execute(query.offset((page - 1) * per_page)).all()
    items = [FigureRow(*row) for row in rows]  # type: ignore[call-arg]
    return Page(items, total, page, per_page)


def _published_prefix(column: Any, prefix: str) -> ColumnElement[bool]:
    """``published`` starts with ``prefix`` (YYYY, YYYY-MM or YYYY-MM-DD) as a date range, index-friendly."""
    parts = prefix.split("-")
    try:
        year = int(parts[0])
        month = int(parts[1]) if len(parts) > 1 else None
        day = int(parts[2]) if len(parts) > 2 else None
        if day is not None and month is not None:
            start = dt.date(year, month, day)
            end = start + dt.timedelta(days=1)
        elif month is not None:
            start = dt.date(year, month, 1)
            end = dt.date(year + (month == 12), month % 12 + 1, 1)
        else:
            start, end = dt.date(year, 1, 1), dt.date(year + 1, 1, 1)
    except (ValueError, IndexError):
        return literal_column("1") == literal_column("0")
    return and_(column >= start, column < end)


def counted_things(engine: Engine, *, limit: int = 60) -> list[CountedThing]:
    """The counted things with figures in the most articles: the comparison page's index."""
    q = t.quantities
    articles = func.count(distinct(q.c.article_id))
    query = (
        select(q.c.counted_norm, articles, func.count(q.c.id))
        .where(q.c.counted_norm.is_not(None))
        .group_by(q.c.counted_norm)
        .order_by(articles.desc(), q.c.counted_norm)
        .limit(limit)
    )
    with engine.connect() as conn:
        return [CountedThing(r[0], int(r[1]), int(r[2])) for r in conn.execute(query)]


def list_speakers(
    engine: Engine, *, q: str | None = None, page: int = 1, per_page: int = 50
) -> Page[SpeakerSummary]:
    """Speakers by number of attributions (a name search matches the grouping key or the name)."""
    att = t.attributions
    s = t.speakers
    quotes = func.count(att.c.id)
    query = (
        select(s.c.id, s.c.name, quotes, func.count(distinct(att.c.article_id)))
        .join(att, att.c.speaker_id == s.c.id)
        .group_by(s.c.id, s.c.name)
    )
    if q and q.strip():
        pattern = q.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(
            or_(s.c.key.like(f"%{pattern}%", escape="\\"), s.c.name.ilike(f"%{pattern}%", escape="\\"))
        )
    total = _count(engine, query)
    query = query.order_by(quotes.desc(), s.c.name).limit(per_page).offset((page - 1) * per_page)
    with engine.connect() as conn:
        items = [SpeakerSummary(r[0], r[1], int(r[2]), int(r[3])) for r in conn.execute(query)]
    return Page(items, total, page, per_page)


def get_speaker(engine: Engine, speaker_id: int, *, recent: int = 50) -> SpeakerDetail | None:
    """A speaker's totals, the outlets quoting them, and their latest quotes."""
    att, a, s = t.attributions, t.articles, t.speakers
    with engine.connect() as conn:
        name = conn.scalar(select(s.c.name).where(s.c.id == speaker_id))
        if name is None:
            return None
        by_outlet = conn.execute(
            select(func.coalesce(t.outlets.c.name, "(unknown outlet)"), func.count(att.c.id))
            .select_from(att)
            .join(a, a.c.id == att.c.article_id)
            .outerjoin(t.outlets, t.outlets.c.id == a.c.outlet_id)
            .where(att.c.speaker_id == speaker_id)
            .group_by(t.outlets.c.name)
            .order_by(func.count(att.c.id).desc())
        ).all()
        articles = conn.scalar(
            select(func.count(distinct(att.c.article_id))).where(att.c.speaker_id == speaker_id)
        )
        rows = conn.execute(
            select(
                a.c.id,
                a.c.title,
                t.outlets.c.name,
                a.c.published,
                att.c.kind,
                att.c.cue_text,
                att.c.content_text,
            )
            .select_from(att)
            .join(a, a.c.id == att.c.article_id)
            .outerjoin(t.outlets, t.outlets.c.id == a.c.outlet_id)
            .where(att.c.speaker_id == speaker_id)
            .order_by(a.c.published.desc(), a.c.id.desc(), att.c.id)
            .limit(recent)
        ).all()
    outlets = tuple((str(o), int(n)) for o, n in by_outlet)
    return SpeakerDetail(
        id=speaker_id,
        name=name,
        quotes=sum(n for _, n in outlets),
        articles=int(articles or 0),
        outlets=outlets,
        recent=tuple(Quote(*row) for row in rows),
    )


def outlet_names(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return list(conn.scalars(select(t.outlets.c.name).order_by(t.outlets.c.name)))
