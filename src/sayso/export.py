"""Export stored analyses: JSONL (sayso/1), CSV and Parquet tables, and schema.org ClaimReview JSON-LD.

The table layout is declared once here (:data:`TABLES`): column names and types of ``articles``,
``attributions``, ``quantities``, ``times``, ``events``, ``claims`` and ``techniques``. The store's tables
carry the same columns (plus keys and normalised columns of its own), and :func:`analysis_rows` flattens
one :class:`~sayso.schema.Analysis` into these rows without needing a database, so that a Spark job can
produce exactly the same tables from a partition of analyses.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator, Sequence
from enum import StrEnum
from pathlib import Path
from typing import IO, Any

from sayso.schema import Analysis, Span

ColumnType = str  # one of "str", "int", "float", "bool", "date"


def _span_columns(prefix: str) -> tuple[tuple[str, ColumnType], ...]:
    return ((f"{prefix}_start", "int"), (f"{prefix}_end", "int"), (f"{prefix}_text", "str"))


#: Every exported table: (column, type) in order. ``article`` is the article's locator in every table.
TABLES: dict[str, tuple[tuple[str, ColumnType], ...]] = {
    "articles": (
        ("article", "str"),
        ("outlet", "str"),
        ("title", "str"),
        ("url", "str"),
        ("published", "date"),
        ("language", "str"),
        ("model", "str"),
        ("input_format", "str"),
        ("content_hash", "str"),
        ("cluster", "int"),
        ("copy_of", "str"),
        ("near_duplicate_of", "str"),
        ("similarity", "float"),
        ("agencies", "str"),
    ),
    "attributions": (
        ("article", "str"),
        ("id", "str"),
        ("kind", "str"),
        *_span_columns("source"),
        *_span_columns("resolved"),
        *_span_columns("cue"),
        ("content_text", "str"),
        ("content_spans", "str"),
        ("parent", "str"),
        ("confidence", "float"),
        ("method", "str"),
        ("speaker", "str"),
    ),
    "quantities": (
        ("article", "str"),
        ("id", "str"),
        ("start", "int"),
        ("end", "int"),
        ("text", "str"),
        ("value", "float"),
        ("low", "float"),
        ("high", "float"),
        ("qualifier", "str"),
        ("approximate", "bool"),
        ("unit", "str"),
        *_span_columns("counted"),
        *_span_columns("place"),
        *_span_columns("time"),
        ("time_value", "str"),
        ("attribution", "str"),
        ("speaker", "str"),
    ),
    "times": (
        ("article", "str"),
        ("start", "int"),
        ("end", "int"),
        ("text", "str"),
        ("type", "str"),
        ("value", "str"),
    ),
    "events": (
        ("article", "str"),
        ("id", "str"),
        ("type", "str"),
        *_span_columns("trigger"),
        *_span_columns("actor"),
        *_span_columns("target"),
        *_span_columns("place"),
        *_span_columns("time"),
        ("attribution", "str"),
        ("speaker", "str"),
    ),
    "claims": (
        ("article", "str"),
        ("id", "str"),
        ("start", "int"),
        ("end", "int"),
        ("text", "str"),
        ("checkworthiness", "float"),
        ("attribution", "str"),
        ("speaker", "str"),
    ),
    "techniques": (
        ("article", "str"),
        ("start", "int"),
        ("end", "int"),
        ("text", "str"),
        ("technique", "str"),
        ("score", "float"),
    ),
}

#: The tables :func:`analysis_rows` fills (everything but ``articles``, whose columns need the store).
CHILD_TABLES: tuple[str, ...] = ("attributions", "quantities", "times", "events", "claims", "techniques")

Row = dict[str, Any]


def _span(prefix: str, span: Span | None) -> Row:
    if span is None:
        return {f"{prefix}_start": None, f"{prefix}_end": None, f"{prefix}_text": None}
    return {f"{prefix}_start": span.start, f"{prefix}_end": span.end, f"{prefix}_text": span.text}


def speakers_by_attribution(analysis: Analysis) -> dict[str, str]:
    """Attribution id -> who speaks: the resolved source when there is one ("she" -> a name), else source."""
    out: dict[str, str] = {}
    for attribution in analysis.attributions:
        span = attribution.source_resolved or attribution.source
        if span is not None:
            out[attribution.id] = span.text
    return out


def analysis_rows(analysis: Analysis, article: str) -> dict[str, list[Row]]:
    """Flatten one analysis into rows of the :data:`CHILD_TABLES` (columns as in :data:`TABLES`)."""
    speakers = speakers_by_attribution(analysis)
    time_values = {(t.start, t.end): t.value for t in analysis.times}

    def speaker(attribution: str | None) -> str | None:
        return speakers.get(attribution) if attribution else None

    rows: dict[str, list[Row]] = {name: [] for name in CHILD_TABLES}
    for a in analysis.attributions:
        rows["attributions"].append(
            {
                "article": article,
                "id": a.id,
                "kind": a.kind,
                **_span("source", a.source),
                **_span("resolved", a.source_resolved),
                **_span("cue", a.cue),
                "content_text": " … ".join(c.text for c in a.content) or None,
                "content_spans": ";".join(f"{c.start}-{c.end}" for c in a.content) or None,
                "parent": a.parent,
                "confidence": a.confidence,
                "method": a.method,
                "speaker": speakers.get(a.id),
            }
        )
    for q in analysis.quantities:
        rows["quantities"].append(
            {
                "article": article,
                "id": q.id,
                "start": q.start,
                "end": q.end,
                "text": q.text,
                "value": q.value,
                "low": q.low,
                "high": q.high,
                "qualifier": q.qualifier,
                "approximate": q.approximate,
                "unit": q.unit,
                **_span("counted", q.counted),
                **_span("place", q.place),
                **_span("time", q.time),
                "time_value": time_values.get((q.time.start, q.time.end)) if q.time else None,
                "attribution": q.attribution,
                "speaker": speaker(q.attribution),
            }
        )
    for t in analysis.times:
        rows["times"].append(
            {
                "article": article,
                "start": t.start,
                "end": t.end,
                "text": t.text,
                "type": t.type,
                "value": t.value,
            }
        )
    for e in analysis.events:
        rows["events"].append(
            {
                "article": article,
                "id": e.id,
                "type": e.type,
                **_span("trigger", e.trigger),
                **_span("actor", e.actor),
                **_span("target", e.target),
                **_span("place", e.place),
                **_span("time", e.time),
                "attribution": e.attribution,
                "speaker": speaker(e.attribution),
            }
        )
    for c in analysis.claims:
        rows["claims"].append(
            {
                "article": article,
                "id": c.id,
                "start": c.start,
                "end": c.end,
                "text": c.text,
                "checkworthiness": c.checkworthiness,
                "attribution": c.attribution,
                "speaker": speaker(c.attribution),
            }
        )
    for tq in analysis.techniques:
        rows["techniques"].append(
            {
                "article": article,
                "start": tq.start,
                "end": tq.end,
                "text": tq.text,
                "technique": tq.technique,
                "score": tq.score,
            }
        )
    return rows


# ----------------------------------------------------------------------------- exporting a store


class ExportFormat(StrEnum):
    jsonl = "jsonl"
    csv = "csv"
    parquet = "parquet"
    claimreview = "claimreview"


#: The formats that write one file per table into a folder (the others write one stream).
TABLE_FORMATS = frozenset({ExportFormat.csv, ExportFormat.parquet})


def article_row(stored: Any) -> Row:
    """The ``articles`` row of a stored article (columns as in :data:`TABLES`)."""
    analysis: Analysis = stored.analysis
    return {
        "article": stored.locator,
        "outlet": stored.outlet,
        "title": analysis.title,
        "url": analysis.url,
        "published": analysis.published,
        "language": analysis.language,
        "model": analysis.model,
        "input_format": stored.input_format,
        "content_hash": stored.content_hash,
        "cluster": stored.cluster,
        "copy_of": stored.copy_of,
        "near_duplicate_of": stored.near_duplicate_of,
        "similarity": stored.similarity,
        "agencies": ";".join(stored.agencies) or None,
    }


def table_rows(articles: Iterable[Any]) -> dict[str, list[Row]]:
    """All rows of all :data:`TABLES` for the given stored articles."""
    out: dict[str, list[Row]] = {name: [] for name in TABLES}
    for stored in articles:
        out["articles"].append(article_row(stored))
        for name, rows in analysis_rows(stored.analysis, stored.locator).items():
            out[name].extend(rows)
    return out


_ORG_LABELS = frozenset({"ORG", "NORP", "GPE", "FAC"})


def claimreview_records(
    articles: Iterable[Any], of: str = "auto", *, has_claims: bool | None = None
) -> Iterator[dict[str, Any]]:
    """schema.org ClaimReview JSON-LD, one record per claim, the speaker as the claim's author.

    No ``reviewRating``: sayso reports who said what and never rates it. ``of`` picks what a claim is:
    the analysis's ``claims``, the content of its attributions (``quotes``), or ``auto`` (claims when
    ``has_claims``, else quotes).
    """
    use_claims = of == "claims" or (of == "auto" and bool(has_claims))
    for stored in articles:
        analysis: Analysis = stored.analysis
        by_id = {a.id: a for a in analysis.attributions}
        if use_claims:
            pairs = [(c.text, by_id.get(c.attribution) if c.attribution else None) for c in analysis.claims]
        else:
            pairs = [(" … ".join(c.text for c in a.content), a) for a in analysis.attributions if a.content]
        for text, attribution in pairs:
            record: dict[str, Any] = {
                "@context": "https://schema.org",
                "@type": "ClaimReview",
                "claimReviewed": text,
                "url": analysis.url or stored.locator,
                "itemReviewed": {"@type": "Claim", "appearance": _appearance(stored, analysis)},
            }
            if analysis.published is not None:
                record["datePublished"] = analysis.published.isoformat()
                record["itemReviewed"]["datePublished"] = analysis.published.isoformat()
            speaker = (attribution.source_resolved or attribution.source) if attribution else None
            if speaker is not None:
                kind = "Person"
                for entity in analysis.entities:
                    if entity.start < speaker.end and speaker.start < entity.end:
                        kind = "Organization" if entity.label in _ORG_LABELS else "Person"
                        break
                record["itemReviewed"]["author"] = {"@type": kind, "name": speaker.text}
            yield record


def _appearance(stored: Any, analysis: Analysis) -> dict[str, Any]:
    appearance: dict[str, Any] = {"@type": "CreativeWork", "url": analysis.url or stored.locator}
    if analysis.title:
        appearance["headline"] = analysis.title
    if stored.outlet:
        appearance["publisher"] = {"@type": "Organization", "name": stored.outlet}
    return appearance


def write_csv(folder: Path, rows: dict[str, list[Row]]) -> dict[str, int]:
    """One ``<table>.csv`` per table, header = the :data:`TABLES` columns."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, columns in TABLES.items():
        with (folder / f"{name}.csv").open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=[c for c, _ in columns])
            writer.writeheader()
            writer.writerows(rows[name])
    return {name: len(rows[name]) for name in TABLES}


def arrow_fields(columns: Sequence[tuple[str, str]]) -> list[tuple[str, Any]]:
    """``(name, pyarrow type)`` for ``(name, kind)`` column declarations: the one mapping of sayso's
    column kinds to Arrow types, shared by the export and the Spark job's output tables."""
    import pyarrow as pa

    types = {
        "str": pa.string(),
        "int": pa.int64(),
        "float": pa.float64(),
        "bool": pa.bool_(),
        "date": pa.date32(),
    }
    return [(name, types[kind]) for name, kind in columns]


def arrow_schema(table: str) -> Any:
    """The pyarrow schema of one table (from :data:`TABLES`; Spark reads the same types)."""
    import pyarrow as pa

    return pa.schema(arrow_fields(TABLES[table]))


def write_parquet(folder: Path, rows: dict[str, list[Row]]) -> dict[str, int]:
    """One ``<table>.parquet`` per table, typed by :func:`arrow_schema`."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder.mkdir(parents=True, exist_ok=True)
    for name in TABLES:
        schema = arrow_schema(name)
        pq.write_table(pa.Table.from_pylist(rows[name], schema=schema), folder / f"{name}.parquet")
    return {name: len(rows[name]) for name in TABLES}


def export_store(
    db: Any,
    fmt: ExportFormat | str,
    out: Path | IO[str],
    *,
    claims_from: str = "auto",
) -> dict[str, int]:
    """Export every stored article. ``out``: a folder for csv/parquet, a file or text stream otherwise.

    Returns how many records each table (or the one stream) received.
    """
    from sayso.store import Store

    fmt = ExportFormat(fmt)
    store = db if isinstance(db, Store) else Store(db)
    try:
        if fmt in TABLE_FORMATS:
            if not isinstance(out, Path):
                raise TypeError("csv and parquet export write a folder: pass a Path")
            rows = table_rows(store.articles())
            return write_csv(out, rows) if fmt is ExportFormat.csv else write_parquet(out, rows)
        handle: IO[str]
        if isinstance(out, Path):
            out.parent.mkdir(parents=True, exist_ok=True)
            handle = out.open("w", encoding="utf-8")
        else:
            handle = out
        count = 0
        try:
            if fmt is ExportFormat.jsonl:
                for stored in store.articles():
                    handle.write(stored.analysis.to_json() + "\n")
                    count += 1
                return {"articles": count}
            has_claims = store.counts()["claims"] > 0
            for record in claimreview_records(store.articles(), claims_from, has_claims=has_claims):
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")
                count += 1
            return {"claimreview": count}
        finally:
            if isinstance(out, Path):
                handle.close()
    finally:
        if store is not db:
            store.close()
