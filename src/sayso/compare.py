"""Cross-source comparison of stored articles: the same figure, claim or event in several outlets.

sayso never decides which figure is right. It lines up who reported what, when, and on whose say-so:

* :func:`compare_figures` groups quantities that count the same thing (normalised counted noun:
  lower-cased, last word singular, so "homes" meets "home") at the same place (the quantity's place, else
  the article's dateline place) and time (the quantity's resolved date, else the publication date; dates
  within ``window`` days join). Each group lists every source's value, qualifier, speaker and date, the
  spread, and for each distinct value the earliest article and the later ones that repeated it.
* :func:`compare_claims` clusters similar claim texts (RapidFuzz token-set similarity) across articles.
* :func:`compare_events` groups events of the same type with the same actor and target.
* :func:`speakers` says who is quoted, how often, and by which outlets.

Syndicated copies are not independent confirmation: every group reports ``articles`` and ``independent``
(distinct story clusters, see :mod:`sayso.ingest._dedupe`), and marks each source that is a copy.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import ColumnElement, Select, and_, distinct, func, select

from sayso.store import Store, normalise_name, normalise_noun
from sayso.store import _tables as t

StoreLike = Store | str | None


def _open(db: StoreLike) -> tuple[Store, bool]:
    if isinstance(db, Store):
        return db, False
    return Store(db), True


@dataclass(frozen=True)
class ArticleRef:
    """Which article a source row comes from, and whether it is a copy of another stored article."""

    article: str
    outlet: str | None
    title: str | None
    url: str | None
    published: dt.date | None
    cluster: int
    copy: bool
    ingested: int = 0

    def sort_key(self) -> tuple[dt.date, int]:
        """Earliest first: by publication date, then by ingest order (undated articles last)."""
        return (self.published or dt.date.max, self.ingested)


@dataclass(frozen=True)
class FigureSource:
    """One article's figure: ``text`` as written, with its value (or range), qualifier and speaker."""

    ref: ArticleRef
    text: str
    value: float | None
    low: float | None
    high: float | None
    qualifier: str | None
    speaker: str | None
    time: str | None

    @property
    def value_label(self) -> str:
        if self.value is not None:
            return _number(self.value)
        if self.low is not None or self.high is not None:
            low = _number(self.low) if self.low is not None else ""
            high = _number(self.high) if self.high is not None else ""
            return f"{low}–{high}"
        return "?"


@dataclass(frozen=True)
class FigureValue:
    """One distinct value within a group: who reported it first, and who repeated it later."""

    value: str
    earliest: FigureSource
    repeated_by: tuple[FigureSource, ...]


@dataclass(frozen=True)
class FigureGroup:
    """Figures counting the same thing at the same place and time, across articles."""

    counted: str
    place: str | None
    time: str | None
    sources: tuple[FigureSource, ...]
    articles: int
    independent: int
    low: float | None
    high: float | None
    values: tuple[FigureValue, ...]

    @property
    def spread(self) -> float | None:
        return None if self.low is None or self.high is None else self.high - self.low


@dataclass(frozen=True)
class ClaimSource:
    ref: ArticleRef
    text: str
    speaker: str | None
    score: float | None


@dataclass(frozen=True)
class ClaimGroup:
    """Similar claim texts across articles; ``text`` is the earliest one."""

    text: str
    kind: Literal["claims", "quotes"]
    sources: tuple[ClaimSource, ...]
    articles: int
    independent: int
    earliest: ClaimSource


@dataclass(frozen=True)
class EventSource:
    ref: ArticleRef
    trigger: str
    actor: str | None
    target: str | None
    place: str | None
    time: str | None
    speaker: str | None


@dataclass(frozen=True)
class EventGroup:
    type: str
    actor: str | None
    target: str | None
    sources: tuple[EventSource, ...]
    articles: int
    independent: int
    earliest: EventSource


@dataclass(frozen=True)
class SpeakerRow:
    """Who is quoted: attributions, articles, and the outlets quoting them (most often first)."""

    name: str
    quotes: int
    articles: int
    outlets: tuple[tuple[str, int], ...]


def _number(value: float) -> str:
    return f"{value:,.0f}" if value == int(value) else f"{value:,.2f}".rstrip("0")


def _article_columns() -> list[Any]:
    a = t.articles
    return [
        a.c.locator,
        t.outlets.c.name,
        a.c.title,
        a.c.url,
        a.c.published,
        a.c.cluster_id,
        and_(a.c.copy_of.is_(None), a.c.near_duplicate_of.is_(None)),
        a.c.id,
    ]


def _ref(row: Sequence[Any]) -> ArticleRef:
    return ArticleRef(
        article=row[0],
        outlet=row[1],
        title=row[2],
        url=row[3],
        published=row[4],
        cluster=row[5],
        copy=not bool(row[6]),
        ingested=row[7],
    )


def _join_article(query: Select[Any], table: Any) -> Select[Any]:
    return (
        query.join(t.articles, t.articles.c.id == table.c.article_id)
        .outerjoin(t.outlets, t.outlets.c.id == t.articles.c.outlet_id)
        .outerjoin(t.speakers, t.speakers.c.id == table.c.speaker_id)
    )


_FULL_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _time_key(time_value: str | None, published: dt.date | None) -> dt.date | str | None:
    """A comparable time: the quantity's own date, else its own TIMEX value, else the publication date."""
    if time_value and _FULL_DATE.match(time_value):
        return dt.date.fromisoformat(time_value)
    if time_value and time_value[:1].isdigit() and "X" not in time_value:
        return time_value
    return published


def _windows(keys: Iterable[dt.date | str | None], window: int) -> dict[dt.date | str | None, str | None]:
    """Label each time key with its time window: dates within ``window`` days of the previous one join."""
    labels: dict[dt.date | str | None, str | None] = {}
    dates = sorted({k for k in keys if isinstance(k, dt.date)})
    start: dt.date | None = None
    previous: dt.date | None = None
    members: list[dt.date] = []
    for day in [*dates, None]:
        if day is None or previous is None or (day - previous).days > window:
            if members and start is not None and previous is not None:
                label = (
                    start.isoformat() if start == previous else f"{start.isoformat()}/{previous.isoformat()}"
                )
                labels.update(dict.fromkeys(members, label))
            members, start = [], day
        if day is not None:
            members.append(day)
            previous = day
    for key in keys:
        if not isinstance(key, dt.date):
            labels[key] = key
    return labels


def compare_figures(
    db: StoreLike = None,
    *,
    counted: str | None = None,
    place: str | None = None,
    window: int = 0,
    min_articles: int = 2,
) -> list[FigureGroup]:
    """Figures that count the same thing at the same place and time in at least ``min_articles`` articles.

    ``counted`` and ``place`` filter on the normalised keys (give them as written: "homes", "the Lisbon
    area"); ``window`` lets dates up to that many days apart fall in one group.
    """
    store, owned = _open(db)
    q = t.quantities
    conditions: list[ColumnElement[bool]] = [q.c.counted_norm.is_not(None)]
    if counted:
        conditions.append(q.c.counted_norm == normalise_noun(counted))
    if place:
        conditions.append(q.c.place_norm == normalise_name(place))
    query = _join_article(
        select(
            q.c.counted_norm,
            q.c.place_norm,
            q.c.time_value,
            q.c.text,
            q.c.value,
            q.c.low,
            q.c.high,
            q.c.qualifier,
            t.speakers.c.name,
            *_article_columns(),
        ).where(*conditions),
        q,
    )
    if not counted:
        # Only keys found in several articles can make a group; let the database find them first.
        keys = (
            select(q.c.counted_norm, q.c.place_norm)
            .where(*conditions)
            .group_by(q.c.counted_norm, q.c.place_norm)
            .having(func.count(distinct(q.c.article_id)) >= min_articles)
            .subquery()
        )
        query = query.join(
            keys,
            and_(
                keys.c.counted_norm == q.c.counted_norm,
                func.coalesce(keys.c.place_norm, "") == func.coalesce(q.c.place_norm, ""),
            ),
        )
    try:
        with store.engine.connect() as conn:
            rows = conn.execute(query).all()
    finally:
        if owned:
            store.close()

    by_key: dict[tuple[str, str | None], list[tuple[dt.date | str | None, FigureSource]]] = defaultdict(list)
    for row in rows:
        ref = _ref(row[9:])
        source = FigureSource(
            ref=ref,
            text=row[3],
            value=row[4],
            low=row[5],
            high=row[6],
            qualifier=row[7],
            speaker=row[8],
            time=row[2],
        )
        by_key[(row[0], row[1])].append((_time_key(row[2], ref.published), source))

    groups: list[FigureGroup] = []
    for (counted_norm, place_norm), entries in by_key.items():
        labels = _windows([k for k, _ in entries], window)
        by_window: dict[str | None, list[FigureSource]] = defaultdict(list)
        for key, source in entries:
            by_window[labels[key]].append(source)
        for label, sources in by_window.items():
            group = _figure_group(counted_norm, place_norm, label, sources)
            if group.articles >= min_articles:
                groups.append(group)
    groups.sort(key=lambda g: (-g.independent, -g.articles, g.counted, g.place or "", g.time or ""))
    return groups


def _figure_group(
    counted: str, place: str | None, time: str | None, sources: list[FigureSource]
) -> FigureGroup:
    sources.sort(key=lambda s: (s.ref.sort_key(), s.text))
    lows = [v for s in sources for v in (s.value, s.low) if v is not None]
    highs = [v for s in sources for v in (s.value, s.high) if v is not None]
    by_value: dict[str, list[FigureSource]] = {}
    for source in sources:
        by_value.setdefault(source.value_label, []).append(source)
    values = []
    for label, same in by_value.items():
        later = []
        seen = {same[0].ref.article}
        for source in same[1:]:
            if source.ref.article not in seen:
                seen.add(source.ref.article)
                later.append(source)
        values.append(FigureValue(label, same[0], tuple(later)))
    return FigureGroup(
        counted=counted,
        place=place,
        time=time,
        sources=tuple(sources),
        articles=len({s.ref.article for s in sources}),
        independent=len({s.ref.cluster for s in sources}),
        low=min(lows) if lows else None,
        high=max(highs) if highs else None,
        values=tuple(values),
    )


_CLAIM_NOISE = re.compile(r"[\"“”‘’'«»]")


def compare_claims(
    db: StoreLike = None,
    *,
    of: Literal["auto", "claims", "quotes"] = "auto",
    threshold: float = 85.0,
    min_words: int = 5,
    min_articles: int = 2,
) -> list[ClaimGroup]:
    """Similar claim texts across articles (RapidFuzz ``token_set_ratio`` >= ``threshold``).

    ``of="claims"`` clusters the analyses' claims; ``"quotes"`` the content of attributions (what
    sources are reported to say); ``"auto"`` uses claims when the store has any, else quotes. Texts under
    ``min_words`` words are left out (a short text is a subset of too many others).
    """
    from rapidfuzz import fuzz, process

    store, owned = _open(db)
    try:
        with store.engine.connect() as conn:
            if of == "auto":
                has_claims = conn.scalar(select(func.count()).select_from(t.claims)) or 0
                of = "claims" if has_claims else "quotes"
            table = t.claims if of == "claims" else t.attributions
            text_col = t.claims.c.text if of == "claims" else t.attributions.c.content_text
            score_col = t.claims.c.checkworthiness if of == "claims" else t.attributions.c.confidence
            query = _join_article(
                select(text_col, t.speakers.c.name, score_col, *_article_columns()).where(
                    text_col.is_not(None)
                ),
                table,
            )
            rows = conn.execute(query).all()
    finally:
        if owned:
            store.close()

    items: list[ClaimSource] = []
    cleaned: list[str] = []
    for row in rows:
        text = _CLAIM_NOISE.sub("", row[0]).strip(" ,.")
        if len(text.split()) < min_words:
            continue
        items.append(ClaimSource(ref=_ref(row[3:]), text=row[0], speaker=row[1], score=row[2]))
        cleaned.append(text.lower())
    if not items:
        return []
    parent = list(range(len(items)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    lengths = [len(c.split()) for c in cleaned]
    scores = process.cdist(cleaned, cleaned, scorer=fuzz.token_set_ratio, score_cutoff=threshold, workers=1)
    for i, j in zip(*scores.nonzero(), strict=True):
        i, j = int(i), int(j)
        different_articles = items[i].ref.article != items[j].ref.article
        if i < j and different_articles and min(lengths[i], lengths[j]) / max(lengths[i], lengths[j]) >= 0.5:
            parent[find(i)] = find(j)
    clusters: dict[int, list[ClaimSource]] = defaultdict(list)
    for index, item in enumerate(items):
        clusters[find(index)].append(item)
    groups = []
    for members in clusters.values():
        articles = len({m.ref.article for m in members})
        if articles < min_articles:
            continue
        members.sort(key=lambda m: m.ref.sort_key())
        groups.append(
            ClaimGroup(
                text=members[0].text,
                kind=of,
                sources=tuple(members),
                articles=articles,
                independent=len({m.ref.cluster for m in members}),
                earliest=members[0],
            )
        )
    groups.sort(key=lambda g: (-g.independent, -g.articles, g.text))
    return groups


def compare_events(
    db: StoreLike = None,
    *,
    type: str | None = None,
    include_other: bool = False,
    min_articles: int = 2,
) -> list[EventGroup]:
    """Events of the same type with the same (normalised) actor and target in several articles.

    Events typed ``other`` (no event type matched) are left out unless ``include_other``; events with
    neither actor nor target are always left out, as nothing says they are the same event.
    """
    e = t.events
    store, owned = _open(db)
    conditions: list[ColumnElement[bool]] = [(e.c.actor_norm.is_not(None)) | (e.c.target_norm.is_not(None))]
    if type:
        conditions.append(e.c.type == type)
    elif not include_other:
        conditions.append(e.c.type != "other")
    query = _join_article(
        select(
            e.c.type,
            e.c.actor_norm,
            e.c.target_norm,
            e.c.trigger_text,
            e.c.actor_text,
            e.c.target_text,
            e.c.place_text,
            e.c.time_text,
            t.speakers.c.name,
            *_article_columns(),
        ).where(*conditions),
        e,
    )
    try:
        with store.engine.connect() as conn:
            rows = conn.execute(query).all()
    finally:
        if owned:
            store.close()
    by_key: dict[tuple[str, str | None, str | None], list[EventSource]] = defaultdict(list)
    for row in rows:
        by_key[(row[0], row[1], row[2])].append(
            EventSource(
                ref=_ref(row[9:]),
                trigger=row[3],
                actor=row[4],
                target=row[5],
                place=row[6],
                time=row[7],
                speaker=row[8],
            )
        )
    groups = []
    for (kind, actor, target), members in by_key.items():
        articles = len({m.ref.article for m in members})
        if articles < min_articles:
            continue
        members.sort(key=lambda m: m.ref.sort_key())
        groups.append(
            EventGroup(
                type=kind,
                actor=actor,
                target=target,
                sources=tuple(members),
                articles=articles,
                independent=len({m.ref.cluster for m in members}),
                earliest=members[0],
            )
        )
    groups.sort(key=lambda g: (-g.independent, -g.articles, g.type, g.actor or "", g.target or ""))
    return groups


def speakers(db: StoreLike = None, *, limit: int | None = None) -> list[SpeakerRow]:
    """Who is quoted (attribution sources, resolved where possible), how often, and by which outlets."""
    a = t.attributions
    store, owned = _open(db)
    query = (
        select(
            t.speakers.c.id,
            t.speakers.c.name,
            func.coalesce(t.outlets.c.name, ""),
            func.count(a.c.id),
            func.count(distinct(a.c.article_id)),
        )
        .join(a, a.c.speaker_id == t.speakers.c.id)
        .join(t.articles, t.articles.c.id == a.c.article_id)
        .outerjoin(t.outlets, t.outlets.c.id == t.articles.c.outlet_id)
        .group_by(t.speakers.c.id, t.speakers.c.name, t.outlets.c.name)
    )
    try:
        with store.engine.connect() as conn:
            rows = conn.execute(query).all()
    finally:
        if owned:
            store.close()
    totals: dict[int, list[Any]] = {}
    for speaker_id, name, outlet, quotes, articles in rows:
        entry = totals.setdefault(speaker_id, [name, 0, 0, []])
        entry[1] += quotes
        entry[2] += articles
        entry[3].append((outlet or "(unknown outlet)", int(quotes)))
    result = [
        SpeakerRow(name=name, quotes=quotes, articles=articles, outlets=tuple(sorted(o, key=lambda x: -x[1])))
        for name, quotes, articles, o in totals.values()
    ]
    result.sort(key=lambda r: (-r.quotes, -r.articles, r.name))
    return result[:limit] if limit else result
