"""Ingest the Parquet output of ``sayso spark`` into a store, through the same path as ``sayso ingest``.

The Spark job analyses; the store still decides. Each analysed document is replayed as the
:class:`~sayso.ingest.IngestItem` it was read as (locator, text, title, URL, date, site, format) together
with its precomputed :class:`~sayso.schema.Analysis`, in the order ``read_inputs`` would have read the
inputs, and goes through :func:`sayso.store.ingest` with an analyzer that hands back those analyses. So
idempotence, batching, exact and near-duplicate detection and story clusters behave exactly as when
the documents are ingested directly, and ``compare``, the API and the UI see the same store.

Only the ``analyses`` and ``errors`` tables are read; the flat tables are views of the same analyses.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from sayso.ingest import Article, IngestItem, SkippedInput
from sayso.schema import Analysis
from sayso.store._ingest import IngestSummary, ingest
from sayso.store._store import Store

if TYPE_CHECKING:
    from sayso._analyzer import Analyzer

#: The tables of a Spark output folder that ``sayso ingest`` reads.
ANALYSES_TABLE, ERRORS_TABLE = "analyses", "errors"


def is_spark_output(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` is a folder written by ``sayso spark`` (it holds an ``analyses`` table)."""
    return (Path(path) / ANALYSES_TABLE).is_dir()


def _dataset(folder: Path, table: str) -> Any:
    from sayso.spark import read_table

    if not (folder / table).is_dir():
        return None
    return read_table(folder, table)


def _order_key(source_file: str, ordinal: int) -> tuple[tuple[str, ...], int]:
    from sayso.spark import order_key

    return order_key(source_file, ordinal)


def _parts(folder: Path) -> list[tuple[str, str]]:
    """``(part, source_file)`` of every input file in either table, in ``read_inputs`` order."""
    found: dict[str, str] = {}
    for table in (ANALYSES_TABLE, ERRORS_TABLE):
        dataset = _dataset(folder, table)
        if dataset is None:
            continue
        for row in dataset.to_table(columns=["part", "source_file"]).to_pylist():
            found.setdefault(row["part"], row["source_file"])
    return sorted(found.items(), key=lambda kv: _order_key(kv[1], 0))


def _rows(dataset: Any, part: str, columns: list[str]) -> list[dict[str, Any]]:
    import pyarrow.dataset as ds

    if dataset is None:
        return []
    return cast(
        list[dict[str, Any]], dataset.to_table(columns=columns, filter=ds.field("part") == part).to_pylist()
    )


def read_spark_output(
    folder: str | os.PathLike[str],
) -> Iterator[tuple[IngestItem | SkippedInput, Analysis | None]]:
    """Every input of a ``sayso spark`` output, in input order: ``(item, analysis)`` for analysed
    documents, ``(SkippedInput, None)`` for those in ``errors``. Reads one input file's rows at a time."""
    root = Path(folder)
    analyses = _dataset(root, ANALYSES_TABLE)
    errors = _dataset(root, ERRORS_TABLE)
    for part, _source in _parts(root):
        entries: list[tuple[tuple[tuple[str, ...], int], IngestItem | SkippedInput, Analysis | None]] = []
        for row in _rows(
            analyses, part, ["article", "source_file", "ordinal", "site", "input_format", "analysis"]
        ):
            analysis = Analysis.model_validate_json(row["analysis"])
            article = _AnalysedArticle(
                text=analysis.text,
                title=analysis.title,
                url=analysis.url,
                published=analysis.published,
                language=analysis.language,
                analysis=analysis,
            )
            item = IngestItem(row["article"], article, row["site"], row["input_format"] or "text")
            entries.append((_order_key(row["source_file"], row["ordinal"]), item, analysis))
        for row in _rows(errors, part, ["article", "source_file", "ordinal", "reason"]):
            key = _order_key(row["source_file"], row["ordinal"] or 0)
            entries.append((key, SkippedInput(row["article"], row["reason"]), None))
        entries.sort(key=lambda entry: entry[0])
        for _key, entry, result in entries:
            yield entry, result


@dataclass
class _AnalysedArticle(Article):
    """An article that carries the analysis the Spark job computed for it."""

    analysis: Analysis | None = None


class _Replay:
    """Stands in for the :class:`~sayso.Analyzer` in :func:`sayso.store.ingest`: hands back the analysis
    each article carries instead of computing one.

    It pulls its input in chunks of ``batch_size``, as ``nlp.pipe`` does, before handing back that chunk's
    results: ingest stores copies and skips as it pulls, so the pull pattern decides the order rows are
    stored in, and with it "who had it first" among same-day articles in ``compare``.
    """

    def analyze_many(
        self, items: Iterable[Any], *, batch_size: int = 32, **_options: Any
    ) -> Iterator[tuple[Analysis, Any]]:
        stream = iter(items)
        while chunk := list(itertools.islice(stream, max(1, batch_size))):
            for article, context in chunk:
                if isinstance(article, _AnalysedArticle) and article.analysis is not None:
                    yield article.analysis, context


def ingest_spark_output(
    folder: str | os.PathLike[str],
    store: Store,
    *,
    batch_size: int = 32,
    advance: Callable[[int], None] | None = None,
) -> IngestSummary:
    """Store the results of ``sayso spark`` as if their inputs were ingested here (see the module doc)."""
    items = (item for item, _analysis in read_spark_output(folder))
    return ingest(items, store, cast("Analyzer", _Replay()), batch_size=batch_size, advance=advance)
