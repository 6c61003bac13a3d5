"""sayso on Apache Spark: analyse a corpus that does not fit one machine, write Parquet tables.

    spark-submit --master yarn "$(python -c 'import sayso.spark as s; print(s.__file__)')" \\
        s3a://bucket/crawl/ --out s3a://bucket/sayso/       # or:  sayso spark crawl/ --out out/

The job has three steps, each the same code that ``sayso ingest`` runs on one machine:

1. **List** the inputs on the driver through Hadoop's FileSystem API (so ``hdfs://``, ``s3a://``, ``gs://``
   and local paths all work): folders are walked in sorted order, hidden entries skipped, and only the
   extensions ``sayso ingest`` reads are taken unless ``--format`` forces one (as in
   :func:`sayso.ingest.read_inputs`).
2. **Read** every file with Spark's ``binaryFile`` source and parse its bytes in the executor with the
   readers of :mod:`sayso.ingest` (WARC/WARC.gz, JSONL, text, HTML, feeds): the bytes are written to a
   local temporary file named like the original, so the readers run unchanged, byte checks and format
   sniffing included. Locators follow the ingest scheme (``path#record-id``, ``path:line``, ``path``),
   with ``file:`` URIs shown as local paths, so reruns and ``sayso ingest`` key on the same ids.
3. **Analyse** after a repartition (one big WARC must not pin its documents to one core), with one
   :class:`~sayso.Analyzer` per executor Python process, built lazily and cached in this module (the
   model loads once per process; Spark reuses Python workers), then flatten each analysis with
   :func:`sayso.export.analysis_rows`.

Output: one Parquet table per folder under ``--out``: the seven tables of ``sayso export`` with exactly
its columns (:data:`sayso.export.TABLES`), plus ``analyses`` (the whole sayso/1 JSON per article, what
``sayso ingest OUT`` rebuilds the store from) and ``errors`` (documents that could not be read or
analysed, with the reason; a bad document never fails the job). Every table is partitioned by ``part``,
a hash of the input file: a rerun replaces the rows of exactly the input files it read and leaves the
others alone (idempotent, and incremental runs over new crawl files only append).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import itertools
import json
import logging
import os
import posixpath
import sys
import tempfile
import time
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from sayso.export import TABLES, ColumnType, analysis_rows

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession
    from pyspark.sql.types import StructType

    from sayso._analyzer import Analyzer
    from sayso.ingest import IngestItem, SkippedInput
    from sayso.schema import Analysis

log = logging.getLogger("sayso.spark")

#: The partition column of every output table: a short hash of the input file's locator path.
PARTITION_COLUMN = "part"

#: ``analyses``: what ``sayso ingest`` needs to rebuild a store from Spark output. ``site`` is the
#: reader's site (the store derives the outlet from it as ingest does), ``ordinal`` the position of the
#: document in its input file (ingest replays documents in input order, so dedup decides the same).
ANALYSES_COLUMNS: tuple[tuple[str, ColumnType], ...] = (
    ("article", "str"),
    ("source_file", "str"),
    ("ordinal", "int"),
    ("site", "str"),
    ("input_format", "str"),
    ("analysis", "str"),
)

#: ``errors``: one row per input that yielded no analysis. ``stage`` is ``read`` (the reader refused it:
#: missing, binary, truncated WARC, no article text...) or ``analyse`` (the analyzer refused or failed).
ERRORS_COLUMNS: tuple[tuple[str, ColumnType], ...] = (
    ("article", "str"),
    ("source_file", "str"),
    ("ordinal", "int"),
    ("stage", "str"),
    ("reason", "str"),
)

#: Every table the job writes, columns in order (``part`` is added as the partition column).
OUTPUT_TABLES: dict[str, tuple[tuple[str, ColumnType], ...]] = {
    **TABLES,
    "analyses": ANALYSES_COLUMNS,
    "errors": ERRORS_COLUMNS,
}

_SPARK_TYPES = {
    "str": "StringType",
    "int": "LongType",
    "float": "DoubleType",
    "bool": "BooleanType",
    "date": "DateType",
}


@dataclass(frozen=True)
class JobOptions:
    """What the executors need to know; small and picklable (shipped with every task)."""

    input_format: str | None = None
    model: str | None = None
    profile: str = "fast"
    batch_size: int = 32


@dataclass
class JobResult:
    """Rows written per table, how long the job took (without session start-up), and where it wrote."""

    out: str
    rows: dict[str, int] = field(default_factory=dict)
    files: int = 0
    seconds: float = 0.0

    @property
    def documents(self) -> int:
        """Articles analysed (the rows of ``articles``)."""
        return self.rows.get("articles", 0)


# ----------------------------------------------------------------------------- locators and partitions


def locator_path(uri: str) -> str:
    """The path part of a locator: a local path for ``file:`` URIs (as ``sayso ingest`` writes them,
    so that a corpus ingested either way has the same ids), the URI itself for anything remote."""
    if uri.startswith("file:"):
        return posixpath.normpath(unquote(urlsplit(uri).path))
    return uri


def part_of(source_file: str) -> str:
    """The partition value of an input file: stable across runs, short, safe in a directory name."""
    return hashlib.sha1(source_file.encode("utf-8")).hexdigest()[:16]


def order_key(source_file: str, ordinal: int) -> tuple[tuple[str, ...], int]:
    """Sort key that replays documents in ``read_inputs`` order: folders walked by sorted entry names
    (component by component, so ``a/b`` comes before ``a-c`` as in the walk), then position in the file."""
    scheme, _, rest = source_file.rpartition("://")
    return ((scheme, *PurePosixPath(rest).parts), ordinal)


# ----------------------------------------------------------------------------- executor: reading


def read_file(uri: str, content: bytes, input_format: str | None) -> Iterator[tuple[str, int, Any]]:
    """``(source_file, ordinal, IngestItem | SkippedInput)`` for one input file, parsed by the ingest readers.

    The readers take a path (they check sizes and stream from disk), so the bytes go into a private
    temporary file with the original name (the extension picks the reader, as in ``sayso ingest``) and
    the temporary prefix is swapped back for the original path in every locator.
    """
    from sayso.ingest import IngestItem, SkippedInput
    from sayso.ingest._readers import _read_file

    source = locator_path(uri)
    name = posixpath.basename(source) or "input"
    with tempfile.TemporaryDirectory(prefix="sayso-spark-") as folder:
        local = os.path.join(folder, name)
        with open(local, "wb") as handle:
            handle.write(content)
        for ordinal, entry in enumerate(_read_file(local, input_format)):
            locator = source + entry.locator[len(local) :] if entry.locator.startswith(local) else source
            if isinstance(entry, IngestItem):
                fixed: IngestItem | SkippedInput = IngestItem(
                    locator, entry.article, entry.site, entry.input_format
                )
            else:
                reason = entry.reason.replace(local, source)
                fixed = SkippedInput(locator, reason)
            yield source, ordinal, fixed


def read_rows(input_format: str | None, rows: Iterable[Any]) -> Iterator[tuple[str, int, Any]]:
    """mapPartitions over ``binaryFile`` rows (``path``, ``content``)."""
    for row in rows:
        yield from read_file(row["path"], bytes(row["content"]), input_format)


# ----------------------------------------------------------------------------- executor: analysing

_ANALYZERS: dict[tuple[str | None, str], Analyzer] = {}


def executor_analyzer(model: str | None, profile: str) -> Analyzer:
    """The Analyzer of this Python process, built on first use: Spark reuses its Python workers
    (``spark.python.worker.reuse``), so the model loads once per executor process, not once per task."""
    key = (model, profile)
    analyzer = _ANALYZERS.get(key)
    if analyzer is None:
        from sayso._analyzer import Analyzer

        analyzer = Analyzer(model=model, profile=profile)
        _ANALYZERS[key] = analyzer
    return analyzer


class _SkipLog(logging.Handler):
    """Collects the analyzer's "skipped document #N" warnings, so the errors table can say why."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.reasons: dict[int, str] = {}

    def emit(self, record: logging.LogRecord) -> None:
        if str(record.msg).startswith("skipped document #") and record.args:
            args = record.args if isinstance(record.args, tuple) else (record.args,)
            try:
                index = int(args[0])  # type: ignore[call-overload]
            except (TypeError, ValueError):
                return
            self.reasons[index] = record.getMessage()


def _cell(value: Any, kind: ColumnType) -> Any:
    """A value as Spark's declared type accepts it (Spark refuses an int in a DoubleType column)."""
    if value is None:
        return None
    if kind == "float":
        return float(value)
    if kind == "int":
        return int(value)
    if kind == "bool":
        return bool(value)
    return value


Tagged = tuple[str, str, str]
"""An output row on its way to Parquet: ``(table, part, JSON object of the row's columns)``.

Rows leave Python once, as JSON text in one DataFrame that Spark caches; each table is then cut out and
typed by ``from_json`` inside the JVM. Writing nine tables costs nine quick JVM jobs instead of nine
passes of every row through Python."""


def _json_default(value: Any) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"cannot write a {type(value).__name__} to a table")


def _row(table: str, values: dict[str, Any], part: str) -> Tagged:
    cells = {name: _cell(values.get(name), kind) for name, kind in OUTPUT_TABLES[table]}
    return table, part, json.dumps(cells, ensure_ascii=False, default=_json_default)


def _error_row(source: str, ordinal: int, locator: str, stage: str, reason: str) -> Tagged:
    values = {"article": locator, "source_file": source, "ordinal": ordinal, "stage": stage, "reason": reason}
    return _row("errors", values, part_of(source))


def analysis_table_rows(source: str, ordinal: int, item: IngestItem, analysis: Analysis) -> list[Tagged]:
    """Every output row of one analysed document: ``analyses``, ``articles`` and the child tables.

    ``articles`` has the columns of ``sayso export``; what only a store can know (story cluster, copy and
    near-duplicate links, which need the whole corpus) is left empty and filled in by ``sayso ingest``.
    """
    from sayso.ingest._dedupe import content_hash
    from sayso.store import site_of

    part = part_of(source)
    locator = item.locator
    agencies = sorted({link.name for link in analysis.source_chain if link.role == "agency"})
    out = [
        _row(
            "analyses",
            {
                "article": locator,
                "source_file": source,
                "ordinal": ordinal,
                "site": item.site,
                "input_format": item.input_format,
                "analysis": analysis.to_json(),
            },
            part,
        ),
        _row(
            "articles",
            {
                "article": locator,
                "outlet": site_of(item),
                "title": analysis.title,
                "url": analysis.url,
                "published": analysis.published,
                "language": analysis.language,
                "model": analysis.model,
                "input_format": item.input_format,
                "content_hash": content_hash(analysis.text),
                "agencies": ";".join(agencies) or None,
            },
            part,
        ),
    ]
    for table, rows in analysis_rows(analysis, locator).items():
        out.extend(_row(table, row, part) for row in rows)
    return out


@dataclass
class _Sent:
    index: int
    source: str
    ordinal: int
    item: Any


def analyze_rows(options: JobOptions, entries: Iterable[tuple[str, int, Any]]) -> Iterator[Tagged]:
    """mapPartitions: documents in, ``(table, part, row)`` triples out; every failure becomes an error row.

    Documents go through ``Analyzer.analyze_many`` (spaCy batches). A document the analyzer skips (its
    components log and drop it) is noticed by its missing result and reported with the logged reason; an
    exception that escapes the pipeline retries the documents of that batch one at a time, so one bad
    document costs its own row, never the task.
    """
    from sayso._analyzer import to_article
    from sayso.errors import SaysoError
    from sayso.ingest import IngestItem

    pending: deque[Tagged] = deque()

    def documents() -> Iterator[tuple[str, int, Any]]:
        for source, ordinal, item in entries:
            if not isinstance(item, IngestItem):
                pending.append(_error_row(source, ordinal, item.locator, "read", item.reason))
                continue
            try:
                to_article(item.article)
            except (SaysoError, TypeError) as exc:
                pending.append(_error_row(source, ordinal, item.locator, "analyse", str(exc)))
                continue
            yield source, ordinal, item

    def feed(docs: Iterable[tuple[str, int, Any]], sent: deque[_Sent]) -> Iterator[tuple[Any, _Sent]]:
        for index, (source, ordinal, item) in enumerate(docs):
            entry = _Sent(index, source, ordinal, item)
            sent.append(entry)
            yield item.article, entry

    stream = documents()
    while True:  # one round per pipeline exception (normally one round in all)
        first = next(stream, None)
        while pending:
            yield pending.popleft()
        if first is None:
            return
        analyzer = executor_analyzer(options.model, options.profile)
        sent: deque[_Sent] = deque()
        skips = _SkipLog()
        logging.getLogger("sayso").addHandler(skips)
        try:
            results = analyzer.analyze_many(
                feed(itertools.chain([first], stream), sent), batch_size=options.batch_size, as_tuples=True
            )
            for analysis, done in results:
                while sent and sent[0] is not done:
                    yield _failed(sent.popleft(), skips)
                if sent:
                    sent.popleft()
                yield from _rows_or_error(done, analysis)
                while pending:
                    yield pending.popleft()
            while sent:
                yield _failed(sent.popleft(), skips)
        except Exception as exc:  # a component that cannot take spaCy's error handler raised
            log.warning("batch failed (%s: %s); retrying its documents one by one", type(exc).__name__, exc)
            while sent:
                yield from _one_by_one(analyzer, sent.popleft())
        finally:
            logging.getLogger("sayso").removeHandler(skips)


def _failed(entry: _Sent, skips: _SkipLog) -> Tagged:
    reason = skips.reasons.get(entry.index, "the analysis failed (a component raised; see the executor log)")
    return _error_row(entry.source, entry.ordinal, entry.item.locator, "analyse", reason)


def _rows_or_error(entry: _Sent, analysis: Analysis) -> list[Tagged]:
    try:
        return analysis_table_rows(entry.source, entry.ordinal, entry.item, analysis)
    except Exception as exc:
        reason = f"could not flatten the analysis: {type(exc).__name__}: {exc}"
        return [_error_row(entry.source, entry.ordinal, entry.item.locator, "analyse", reason)]


def _one_by_one(analyzer: Analyzer, entry: _Sent) -> list[Tagged]:
    try:
        results = list(analyzer.analyze_many([entry.item.article], batch_size=1))
    except Exception as exc:
        reason = f"the analysis failed: {type(exc).__name__}: {exc}"
        return [_error_row(entry.source, entry.ordinal, entry.item.locator, "analyse", reason)]
    if not results:
        reason = "the analysis failed (a component raised; see the executor log)"
        return [_error_row(entry.source, entry.ordinal, entry.item.locator, "analyse", reason)]
    return _rows_or_error(entry, results[0])


# ----------------------------------------------------------------------------- driver


def spark_schema(table: str) -> StructType:
    """The Spark schema of an output table's columns (:data:`OUTPUT_TABLES`; ``part`` is the folder)."""
    from pyspark.sql import types as T

    return T.StructType(
        [T.StructField(name, getattr(T, _SPARK_TYPES[kind])(), True) for name, kind in OUTPUT_TABLES[table]]
    )


def arrow_schema(table: str) -> Any:
    """The pyarrow schema of an output table, ``part`` included. Pass it when reading a table back: a
    table with no rows in any input file (say, ``claims`` under profile ``fast``) holds no Parquet file to
    take the schema from."""
    import pyarrow as pa

    from sayso.export import arrow_fields

    return pa.schema([*arrow_fields(OUTPUT_TABLES[table]), (PARTITION_COLUMN, pa.string())])


def read_table(out: str | os.PathLike[str], table: str) -> Any:
    """One output table as a ``pyarrow.dataset.Dataset`` (local folders; for remote ones use Spark or a
    pyarrow file system), typed by :func:`arrow_schema` so empty tables read as empty, not as errors."""
    import pyarrow.dataset as ds

    return ds.dataset(
        os.path.join(os.fspath(out), table), format="parquet", partitioning="hive", schema=arrow_schema(table)
    )


def list_inputs(
    spark: SparkSession, paths: Sequence[str], input_format: str | None
) -> tuple[list[str], list[Any]]:
    """Input file URIs in ``read_inputs`` order, and ``errors`` rows for paths that match nothing.

    Uses Hadoop's FileSystem (through the JVM) so every file system Spark is configured for works;
    a glob is expanded like a folder. Files named twice are read once.
    """
    from sayso.errors import ErrorCode, InputError
    from sayso.ingest._items import error_reason
    from sayso.ingest._readers import format_by_extension

    jvm = spark.sparkContext._jvm
    conf = spark.sparkContext._jsc.hadoopConfiguration()
    assert jvm is not None
    files: list[str] = []
    seen: set[str] = set()
    errors: list[Any] = []

    def walk(fs: Any, status: Any, every_file: bool) -> Iterator[str]:
        children = sorted(fs.listStatus(status.getPath()), key=lambda s: s.getPath().getName())
        for child in children:
            name = child.getPath().getName()
            if name.startswith((".", "_")):  # hidden, and Spark/Hadoop bookkeeping (_SUCCESS, _temporary)
                continue
            if child.isDirectory():
                yield from walk(fs, child, every_file)
            elif every_file or format_by_extension(name):
                yield child.getPath().toString()

    for given in paths:
        path = jvm.org.apache.hadoop.fs.Path(given)
        fs = path.getFileSystem(conf)
        statuses = fs.globStatus(path)
        if not statuses:
            source = locator_path(given)
            reason = error_reason(InputError(ErrorCode.E007, path=given))
            errors.append(_error_row(source, 0, source, "read", reason))
            continue
        for status in sorted(statuses, key=lambda s: s.getPath().toString()):
            found = (
                walk(fs, status, every_file=input_format is not None)
                if status.isDirectory()
                else iter([status.getPath().toString()])
            )
            for uri in found:
                if uri not in seen:
                    seen.add(uri)
                    files.append(uri)
    return files, errors


def session(master: str | None = None, conf: dict[str, str] | None = None) -> SparkSession:
    """A SparkSession set up for sayso: dynamic partition overwrite (idempotent reruns), reused Python
    workers (the model loads once per process). Local masters get loopback networking and this
    interpreter for the workers, the two things that otherwise break a laptop run."""
    from pyspark.sql import SparkSession

    if master is None or master.startswith("local"):
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = SparkSession.builder.appName("sayso")
    if master:
        builder = builder.master(master)
    settings = {
        "spark.sql.sources.partitionOverwriteMode": "dynamic",
        "spark.python.worker.reuse": "true",
        "spark.ui.showConsoleProgress": "false",
        **(conf or {}),
    }
    for key, value in settings.items():
        builder = builder.config(key, value)
    return builder.getOrCreate()


def _clear_partitions(spark: SparkSession, table_dir: str, parts: set[str]) -> None:
    """Delete this run's partitions from a table before writing it.

    Dynamic overwrite replaces only the partitions a write touches; an input file that now yields no row
    in some table (say, no techniques after a model change) would keep its old rows there. Deleting the
    run's partitions first makes every table hold exactly the last run's rows for each input file.
    """
    jvm = spark.sparkContext._jvm
    assert jvm is not None
    conf = spark.sparkContext._jsc.hadoopConfiguration()
    root = jvm.org.apache.hadoop.fs.Path(table_dir)
    fs = root.getFileSystem(conf)
    if not fs.exists(root):
        return
    for status in fs.listStatus(root):
        name = status.getPath().getName()
        if (
            status.isDirectory()
            and name.startswith(f"{PARTITION_COLUMN}=")
            and name.split("=", 1)[1] in parts
        ):
            fs.delete(status.getPath(), True)


def run(
    spark: SparkSession,
    paths: Sequence[str],
    out: str,
    *,
    options: JobOptions | None = None,
    partitions: int | None = None,
) -> JobResult:
    """Read, analyse and write; returns rows per table. ``partitions``: analysis tasks (default: twice
    the cluster's default parallelism, so a slow partition does not leave cores idle for long)."""
    from pyspark import StorageLevel
    from pyspark.sql import functions as F
    from pyspark.sql import types as T

    options = options or JobOptions()
    started = time.perf_counter()
    files, listing_errors = list_inputs(spark, paths, options.input_format)
    sc = spark.sparkContext
    n_parts = partitions or max(2, 2 * sc.defaultParallelism)
    if files:
        raw = spark.read.format("binaryFile").load(files).select("path", "content")
        docs = raw.rdd.mapPartitions(partial(read_rows, options.input_format)).repartition(n_parts)
        tagged = docs.mapPartitions(partial(analyze_rows, options))
    else:
        tagged = sc.emptyRDD()
    if listing_errors:
        tagged = tagged.union(sc.parallelize(listing_errors, 1))
    columns = [("table", T.StringType()), (PARTITION_COLUMN, T.StringType()), ("row", T.StringType())]
    schema = T.StructType([T.StructField(name, kind, False) for name, kind in columns])
    rows: DataFrame = spark.createDataFrame(tagged, schema).persist(StorageLevel.MEMORY_AND_DISK)
    parts = {part_of(locator_path(uri)) for uri in files} | {row[1] for row in listing_errors}
    result = JobResult(out=out, files=len(files))
    try:
        counts = {row["table"]: row["count"] for row in rows.groupBy("table").count().collect()}
        result.rows = {table: int(counts.get(table, 0)) for table in OUTPUT_TABLES}
        for table in OUTPUT_TABLES:
            frame = rows.where(F.col("table") == table).select(
                F.from_json("row", spark_schema(table)).alias("r"), PARTITION_COLUMN
            )
            target = f"{out.rstrip('/')}/{table}"
            _clear_partitions(spark, target, parts)
            frame.select("r.*", PARTITION_COLUMN).write.mode("overwrite").partitionBy(
                PARTITION_COLUMN
            ).parquet(target)
    finally:
        rows.unpersist()
    result.seconds = time.perf_counter() - started
    return result


def main(argv: Sequence[str] | None = None) -> JobResult:
    """spark-submit entry point: ``spark-submit .../sayso/spark.py INPUT... --out DIR [--profile full]``."""
    from sayso.pipeline import PROFILES

    parser = argparse.ArgumentParser(prog="sayso.spark", description=__doc__.split("\n\n")[0])
    parser.add_argument("inputs", nargs="+", help="files, folders or globs on any Spark file system")
    parser.add_argument("--out", required=True, help="output folder (Parquet tables, one folder each)")
    parser.add_argument("--format", dest="input_format", choices=("text", "html", "jsonl", "warc", "feed"))
    parser.add_argument("--profile", default="fast", choices=sorted(PROFILES))
    parser.add_argument("--model", default=None, help="spaCy pipeline (default: setting SAYSO_MODEL)")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--partitions", type=int, default=None, help="analysis tasks")
    parser.add_argument("--master", default=None, help="Spark master (default: from spark-submit)")
    args = parser.parse_args(argv)
    options = JobOptions(args.input_format, args.model, args.profile, args.batch_size)
    spark = session(args.master)
    try:
        result = run(spark, args.inputs, args.out, options=options, partitions=args.partitions)
    finally:
        spark.stop()
    summary = ", ".join(f"{name} {count}" for name, count in result.rows.items())
    print(f"sayso spark: {result.files} file(s) in {result.seconds:.1f} s -> {args.out}: {summary}")
    return result


__all__ = [
    "ANALYSES_COLUMNS",
    "ERRORS_COLUMNS",
    "OUTPUT_TABLES",
    "PARTITION_COLUMN",
    "JobOptions",
    "JobResult",
    "analyze_rows",
    "arrow_schema",
    "executor_analyzer",
    "list_inputs",
    "locator_path",
    "main",
    "order_key",
    "part_of",
    "read_file",
    "read_table",
    "run",
    "session",
    "spark_schema",
]

if __name__ == "__main__":  # spark-submit runs this file as __main__: use the importable module's
    # functions instead, so tasks pickle references to sayso.spark (whose analyzer cache then persists)
    from sayso.spark import main as _main

    _main()
