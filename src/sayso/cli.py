"""The ``sayso`` command.

Exit codes (also in ``sayso --help`` and README.md):

====  ==========================================================================
0     success
1     unexpected internal error (rerun with --verbose for the traceback)
2     usage error (unknown option, bad argument)
3     input error: file missing or unreadable, empty, binary, undecodable, too long
4     configuration error: the chosen spaCy pipeline or profile does not exist, or the store
      (``--db``) cannot be opened
====  ==========================================================================
"""

from __future__ import annotations

import json
import logging
import sys
from enum import StrEnum
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from sayso import __version__
from sayso.api._cli import serve_command
from sayso.errors import ConfigError, ErrorCode, InputError, SaysoError, StoreError
from sayso.export import ExportFormat
from sayso.ingest import Article, decode_bytes, parse_published
from sayso.settings import ALL_SETTINGS, DB, MODEL, PROFILE

if TYPE_CHECKING:
    from sayso.store import IngestSummary, Store

EXIT_OK, EXIT_INTERNAL, EXIT_USAGE, EXIT_INPUT, EXIT_CONFIG = 0, 1, 2, 3, 4
EXIT_CODES_HELP = (
    "Exit codes: 0 success; 1 internal error (use --verbose); 2 usage error; "
    "3 input error (missing, unreadable, empty, binary, undecodable or too long input); "
    "4 configuration error (unknown spaCy pipeline or profile)."
)
EXAMPLE_NAME = "flood-report.txt"

app = typer.Typer(
    name="sayso",
    help="Who says what, on whose say-so: turn news articles into attributed claims, figures, dates "
    "and events. sayso reports what texts say and who says it; it never judges whether a claim is true.",
    epilog=EXIT_CODES_HELP,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

log = logging.getLogger("sayso")


class OutputFormat(StrEnum):
    pretty = "pretty"
    json = "json"
    jsonl = "jsonl"


def example_path() -> Path:
    """The example article bundled with the package (written for sayso; free to reuse)."""
    return Path(str(resources.files("sayso") / "examples" / EXAMPLE_NAME))


def _fail(console: Console, exc: BaseException, code: int, verbose: bool) -> typer.Exit:
    if verbose:
        console.print_exception()
    console.print(f"[bold red]error:[/] {exc}", highlight=False, markup=True, soft_wrap=True)
    return typer.Exit(code)


def _read_input(source: str, encoding: str | None) -> Article:
    if source == "-":
        data = sys.stdin.buffer.read()
        label = "<stdin>"
    else:
        path = Path(source)
        if not path.exists():
            raise InputError(ErrorCode.E007, path=source)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise InputError(ErrorCode.E010, path=source, reason=exc.strerror or str(exc)) from exc
        label = str(path)
    text = decode_bytes(data, encoding)
    return Article(text=text, url=None if label == "<stdin>" else label)


@app.command()
def analyze(
    files: Annotated[
        list[str] | None,
        typer.Argument(help="Text files to analyse; '-' reads standard input.", show_default=False),
    ] = None,
    output_format: Annotated[
        OutputFormat, typer.Option("--format", "-f", help="pretty: coloured terminal view; json; jsonl.")
    ] = OutputFormat.pretty,
    example: Annotated[
        bool, typer.Option("--example", help="Analyse the example article bundled with sayso.")
    ] = False,
    title: Annotated[str | None, typer.Option(help="Title of the article (metadata).")] = None,
    url: Annotated[str | None, typer.Option(help="URL of the article (metadata).")] = None,
    published: Annotated[
        str | None,
        typer.Option(
            help="Publication date (ISO 8601). Anchors datelines and relative dates; no year is guessed."
        ),
    ] = None,
    encoding: Annotated[
        str | None, typer.Option(help="Input encoding (default: from a byte-order mark, else UTF-8).")
    ] = None,
    model: Annotated[
        str | None, typer.Option(help=MODEL.help, envvar=MODEL.env, show_default=MODEL.default)
    ] = None,
    profile: Annotated[
        str | None, typer.Option(help=PROFILE.help, envvar=PROFILE.env, show_default=PROFILE.default)
    ] = None,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Show tracebacks and debug logging.")
    ] = False,
) -> None:
    """Analyse articles and print their sources, attributions, figures, dates and entities."""
    err = Console(stderr=True)
    out = Console()
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING, format="%(levelname)s %(message)s"
    )
    sources = list(files or [])
    if example:
        sources.append(str(example_path()))
        if published is None:
            published = "2025-03-12"
    if not sources:
        err.print("[bold red]error:[/] give a FILE, '-' for standard input, or --example")
        raise typer.Exit(EXIT_USAGE)

    try:
        published_date = parse_published(published)
        from sayso._analyzer import Analyzer  # imported here so that --help stays fast

        analyzer = Analyzer(model=model, profile=profile)
    except InputError as exc:
        raise _fail(err, exc, EXIT_INPUT, verbose) from None
    except ConfigError as exc:
        raise _fail(err, exc, EXIT_CONFIG, verbose) from None

    failed = 0
    results = []
    for source in sources:
        try:
            article = _read_input(source, encoding)
            analysis = analyzer.analyze(
                article.text, title=title, url=url or article.url, published=published_date
            )
        except SaysoError as exc:
            failed += 1
            prefix = f"{source}: " if len(sources) > 1 else ""
            err.print(f"[bold red]error:[/] {prefix}{exc}", highlight=False)
            if verbose:
                err.print_exception()
            continue
        except Exception as exc:  # an analysis bug: say so plainly, keep the other files going
            failed += 1
            err.print(
                f"[bold red]internal error[/] on {source}: {type(exc).__name__}: {exc}", highlight=False
            )
            if verbose:
                err.print_exception()
            continue
        if output_format is OutputFormat.pretty:
            from sayso._render import print_analysis

            print_analysis(analysis, out)
        elif output_format is OutputFormat.jsonl:
            sys.stdout.write(analysis.to_json() + "\n")
        else:
            results.append(analysis.to_dict())
    if output_format is OutputFormat.json and results:
        payload: object = results[0] if len(sources) == 1 else results
        sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
    if failed:
        raise typer.Exit(EXIT_INPUT)


DB_HELP = DB.help
DbOption = Annotated[str | None, typer.Option("--db", help=DB_HELP, show_default=f"{DB.env} or {DB.default}")]


def _logging(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING, format="%(levelname)s %(message)s"
    )


def _open_store(db: str | None, err: Console, verbose: bool) -> Store:
    from sayso.store import Store

    try:
        return Store(db)
    except StoreError as exc:
        raise _fail(err, exc, EXIT_CONFIG, verbose) from None


@app.command()
def ingest(
    paths: Annotated[
        list[str],
        typer.Argument(
            help="Files or folders to ingest (text, HTML, JSONL, WARC, RSS/Atom), or output folders of "
            "`sayso spark` (Parquet)."
        ),
    ],
    db: DbOption = None,
    input_format: Annotated[
        str | None,
        typer.Option(
            "--format",
            "-f",
            help="Read every input as this format (default: by extension/content); 'parquet' reads "
            "`sayso spark` output folders (detected without it).",
        ),
    ] = None,
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=1, help="Analyser processes.")] = 1,
    batch_size: Annotated[
        int, typer.Option("--batch-size", min=1, help="Documents per transaction (and per analyser batch).")
    ] = 32,
    model: Annotated[
        str | None, typer.Option(help=MODEL.help, envvar=MODEL.env, show_default=MODEL.default)
    ] = None,
    profile: Annotated[
        str | None, typer.Option(help=PROFILE.help, envvar=PROFILE.env, show_default=PROFILE.default)
    ] = None,
    progress: Annotated[bool, typer.Option(help="Show a progress bar (on a terminal).")] = True,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Show tracebacks and debug logging.")
    ] = False,
) -> None:
    """Analyse inputs into the store: idempotent (stored inputs are skipped), one transaction per batch,
    resumable after a crash; exact and near-duplicate copies join one story cluster."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TaskProgressColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from sayso.ingest import INPUT_FORMATS, read_inputs
    from sayso.store import ingest as run_ingest

    err = Console(stderr=True)
    _logging(verbose)
    if input_format == "parquet" or (input_format is None and _all_spark_output(paths)):
        _ingest_spark_output(paths, db, batch_size, err, verbose)
        return
    if input_format is not None and input_format not in INPUT_FORMATS:
        err.print(
            f"[bold red]error:[/] unknown --format {input_format!r}; choose one of "
            f"{', '.join(INPUT_FORMATS)}, parquet"
        )
        raise typer.Exit(EXIT_USAGE)
    store = _open_store(db, err, verbose)
    try:
        from sayso._analyzer import Analyzer

        analyzer = Analyzer(model=model, profile=profile)
    except ConfigError as exc:
        raise _fail(err, exc, EXIT_CONFIG, verbose) from None
    # Listing the inputs first gives the bar a total (and an ETA); documents are held as text only.
    items = list(read_inputs(paths, input_format))
    columns = (
        TextColumn("ingest"),
        BarColumn(),
        MofNCompleteColumn(),
        TaskProgressColumn(),
        TextColumn("[cyan]{task.fields[rate]}"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=err, disable=not progress, transient=False) as bar:
        task = bar.add_task("ingest", total=len(items), rate="")

        def advance(n: int) -> None:
            bar.advance(task, n)
            speed = bar.tasks[task].speed
            if speed:
                bar.update(task, rate=f"{speed:.1f} docs/s")

        try:
            summary = run_ingest(
                items, store, analyzer, batch_size=batch_size, n_process=jobs, advance=advance
            )
        finally:
            store.close()
    _report_ingest(err, summary, paths)


def _report_ingest(err: Console, summary: IngestSummary, paths: list[str]) -> None:
    err.print(
        f"stored {summary.added} article(s) ({summary.copies} exact copies, {summary.near_duplicates} "
        f"near-duplicates), {summary.already_stored} already stored, {summary.skipped} skipped, "
        f"in {summary.batches} batch(es)",
        highlight=False,
        soft_wrap=True,
    )
    for locator, reason in summary.errors[:20]:
        err.print(f"  skipped {locator}: {reason}", highlight=False, markup=False, soft_wrap=True)
    if len(summary.errors) > 20:
        err.print(f"  ... and {len(summary.errors) - 20} more (table ingest_errors)", highlight=False)
    readable = summary.read - summary.skipped
    if readable == 0:
        err.print(
            f"[bold red]error:[/] {InputError(ErrorCode.E012, paths=', '.join(paths))}", highlight=False
        )
        raise typer.Exit(EXIT_INPUT)


def _all_spark_output(paths: list[str]) -> bool:
    from sayso.store import is_spark_output

    return bool(paths) and all(is_spark_output(path) for path in paths)


def _ingest_spark_output(
    paths: list[str], db: str | None, batch_size: int, err: Console, verbose: bool
) -> None:
    """`sayso ingest OUT/`: the Parquet tables of `sayso spark` into the store, through the same
    dedup and storage path as any other input (no analyzer needed: the analyses are in the tables)."""
    from sayso.store import IngestSummary, ingest_spark_output, is_spark_output

    missing = [path for path in paths if not is_spark_output(path)]
    if missing:
        err.print(
            "[bold red]error:[/] not a `sayso spark` output folder (no analyses/ table): "
            + ", ".join(missing),
            highlight=False,
        )
        raise typer.Exit(EXIT_INPUT)
    store = _open_store(db, err, verbose)
    total = IngestSummary()
    try:
        for path in paths:
            summary = ingest_spark_output(path, store, batch_size=batch_size)
            for name in (
                "read",
                "added",
                "copies",
                "near_duplicates",
                "already_stored",
                "skipped",
                "batches",
            ):
                setattr(total, name, getattr(total, name) + getattr(summary, name))
            total.errors.extend(summary.errors)
    finally:
        store.close()
    _report_ingest(err, total, paths)


@app.command()
def spark(
    inputs: Annotated[
        list[str],
        typer.Argument(
            help="Files, folders or globs on any file system Spark reads (local, hdfs://, s3a://)."
        ),
    ],
    out: Annotated[str, typer.Option("--out", "-o", help="Output folder: one Parquet table per folder.")],
    input_format: Annotated[
        str | None,
        typer.Option(
            "--format", "-f", help="Read every input as this format (default: by extension/content)."
        ),
    ] = None,
    master: Annotated[
        str | None,
        typer.Option(help="Spark master, e.g. local[4], spark://host:7077, yarn (default local[*])."),
    ] = None,
    partitions: Annotated[
        int | None, typer.Option(min=1, help="Analysis tasks (default: twice Spark's default parallelism).")
    ] = None,
    batch_size: Annotated[
        int, typer.Option("--batch-size", min=1, help="Documents per analyser batch.")
    ] = 32,
    conf: Annotated[
        list[str] | None, typer.Option("--conf", help="Extra Spark setting KEY=VALUE (repeatable).")
    ] = None,
    model: Annotated[
        str | None, typer.Option(help=MODEL.help, envvar=MODEL.env, show_default=MODEL.default)
    ] = None,
    profile: Annotated[
        str, typer.Option(help="Analyser profile: fast (rules) or full (adds the trained heads).")
    ] = "fast",
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show tracebacks.")] = False,
) -> None:
    """Analyse a corpus with Apache Spark (needs the `spark` extra and Java): Parquet tables with the
    columns of `sayso export`, plus analyses/ and errors/; rerunning overwrites the input files' rows.
    Load the result into a store with `sayso ingest OUT`."""
    from sayso.ingest import INPUT_FORMATS
    from sayso.pipeline import PROFILES

    err = Console(stderr=True)
    _logging(verbose)
    if input_format is not None and input_format not in INPUT_FORMATS:
        err.print(
            f"[bold red]error:[/] unknown --format {input_format!r}; choose one of {', '.join(INPUT_FORMATS)}"
        )
        raise typer.Exit(EXIT_USAGE)
    if profile not in PROFILES:
        err.print(f"[bold red]error:[/] unknown --profile {profile!r}; choose one of {', '.join(PROFILES)}")
        raise typer.Exit(EXIT_USAGE)
    settings = dict(item.partition("=")[::2] for item in conf or [])
    try:
        from pyspark.sql import SparkSession

        from sayso import spark as job
    except ImportError:
        err.print(
            "[bold red]error:[/] `sayso spark` needs pyspark: pip install 'sayso\\[spark]' (and Java 17+)"
        )
        raise typer.Exit(EXIT_CONFIG) from None
    owned = SparkSession.getActiveSession() is None
    session = job.session(master, settings)
    try:
        options = job.JobOptions(input_format, model, profile, batch_size)
        result = job.run(session, inputs, out, options=options, partitions=partitions)
    finally:
        if owned:
            session.stop()
    summary = ", ".join(f"{name} {count}" for name, count in result.rows.items())
    err.print(
        f"analysed {result.files} file(s) in {result.seconds:.1f} s into {out}: {summary}", highlight=False
    )


class CompareWhat(StrEnum):
    figures = "figures"
    claims = "claims"
    events = "events"


class TableOrJson(StrEnum):
    table = "table"
    json = "json"


def _jsonable(value: object) -> object:
    import dataclasses
    import datetime as dt

    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _who(ref: object) -> str:
    outlet = getattr(ref, "outlet", None) or getattr(ref, "article", "?")
    published = getattr(ref, "published", None)
    copy = " (copy)" if getattr(ref, "copy", False) else ""
    return f"{outlet}{copy}" + (f" {published.isoformat()}" if published else "")


@app.command()
def compare(
    what: Annotated[
        CompareWhat, typer.Argument(help="What to line up across articles.")
    ] = CompareWhat.figures,
    db: DbOption = None,
    counted: Annotated[
        str | None, typer.Option(help="Figures: only this counted noun (e.g. 'homes').")
    ] = None,
    place: Annotated[str | None, typer.Option(help="Figures: only this place (e.g. 'Lisbon').")] = None,
    window: Annotated[
        int, typer.Option(min=0, help="Figures: dates this many days apart count as one time.")
    ] = 0,
    of: Annotated[
        str, typer.Option(help="Claims: 'claims', 'quotes' (attributed content) or 'auto' (claims if any).")
    ] = "auto",
    min_articles: Annotated[
        int, typer.Option(min=1, help="Show groups found in at least this many articles.")
    ] = 2,
    limit: Annotated[int, typer.Option(min=1, help="Show at most this many groups.")] = 50,
    output_format: Annotated[
        TableOrJson, typer.Option("--format", help="table or json.")
    ] = TableOrJson.table,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show tracebacks.")] = False,
) -> None:
    """Line up the same figure, claim or event across stored articles: who reported which value, when, on
    whose say-so, who had it first, and how many sources are independent (syndicated copies are not)."""
    from rich.table import Table

    from sayso import compare as cmp

    err, out = Console(stderr=True), Console()
    _logging(verbose)
    if of not in ("auto", "claims", "quotes"):
        err.print("[bold red]error:[/] --of must be auto, claims or quotes")
        raise typer.Exit(EXIT_USAGE)
    store = _open_store(db, err, verbose)
    try:
        groups: list[object]
        if what is CompareWhat.figures:
            groups = list(
                cmp.compare_figures(
                    store, counted=counted, place=place, window=window, min_articles=min_articles
                )
            )
        elif what is CompareWhat.claims:
            groups = list(cmp.compare_claims(store, of=of, min_articles=min_articles))  # type: ignore[arg-type]
        else:
            groups = list(cmp.compare_events(store, min_articles=min_articles))
    finally:
        store.close()
    groups = groups[:limit]
    if output_format is TableOrJson.json:
        sys.stdout.write(json.dumps(_jsonable(groups), ensure_ascii=False, indent=2) + "\n")
        return
    if not groups:
        out.print(f"no {what.value} found in {min_articles} or more articles")
        return
    for group in groups:
        if isinstance(group, cmp.FigureGroup):
            spread = "" if group.spread is None else f", spread {group.low:,g}–{group.high:,g}"
            title = (
                f"[bold]{group.counted}[/] · {group.place or 'place unknown'} · {group.time or 'undated'} — "
                f"{group.articles} articles, {group.independent} independent{spread}"
            )
            table = Table("value", "as written", "qualifier", "speaker", "source", "first?", title=title)
            firsts = {id(v.earliest): v for v in group.values}
            for s in group.sources:
                value = firsts.get(id(s))
                mark = f"first; repeated by {len(value.repeated_by)}" if value else ""
                table.add_row(s.value_label, s.text, s.qualifier or "", s.speaker or "", _who(s.ref), mark)
        elif isinstance(group, cmp.ClaimGroup):
            title = f"[bold]{group.kind}[/] — {group.articles} articles, {group.independent} independent"
            table = Table("text", "speaker", "source", title=title)
            for c in group.sources:
                table.add_row(c.text, c.speaker or "", _who(c.ref))
        else:
            assert isinstance(group, cmp.EventGroup)
            title = (
                f"[bold]{group.type}[/] · actor {group.actor or '-'} · target {group.target or '-'} — "
                f"{group.articles} articles, {group.independent} independent"
            )
            table = Table("trigger", "actor", "target", "place", "time", "source", title=title)
            for e in group.sources:
                table.add_row(
                    e.trigger, e.actor or "", e.target or "", e.place or "", e.time or "", _who(e.ref)
                )
        out.print(table)


@app.command()
def speakers(
    db: DbOption = None,
    limit: Annotated[int, typer.Option(min=1, help="Show at most this many speakers.")] = 50,
    output_format: Annotated[
        TableOrJson, typer.Option("--format", help="table or json.")
    ] = TableOrJson.table,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show tracebacks.")] = False,
) -> None:
    """Who is quoted in the stored articles, how often, and by which outlets."""
    from rich.table import Table

    from sayso.compare import speakers as list_speakers

    err = Console(stderr=True)
    store = _open_store(db, err, verbose)
    try:
        rows = list_speakers(store, limit=limit)
    finally:
        store.close()
    if output_format is TableOrJson.json:
        sys.stdout.write(json.dumps(_jsonable(rows), ensure_ascii=False, indent=2) + "\n")
        return
    table = Table("speaker", "quotes", "articles", "outlets")
    for row in rows:
        outlets = ", ".join(f"{name} ({count})" for name, count in row.outlets)
        table.add_row(row.name, str(row.quotes), str(row.articles), outlets)
    Console().print(table)


@app.command()
def export(
    export_format: Annotated[
        ExportFormat, typer.Option("--format", "-f", help="jsonl (sayso/1), csv, parquet, claimreview.")
    ],
    db: DbOption = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help="csv/parquet: folder to write one file per table into (required); jsonl/claimreview: "
            "file (default: standard output).",
        ),
    ] = None,
    claims_from: Annotated[
        str, typer.Option(help="claimreview: 'claims', 'quotes' or 'auto' (claims if the store has any).")
    ] = "auto",
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show tracebacks.")] = False,
) -> None:
    """Export the store: JSON Lines of sayso/1 analyses, CSV or Parquet tables, or ClaimReview JSON-LD
    (one record per claim, the speaker as its author, no rating: sayso does not rate claims)."""
    from sayso.export import TABLE_FORMATS, export_store

    err = Console(stderr=True)
    if export_format in TABLE_FORMATS and out is None:
        err.print(f"[bold red]error:[/] --format {export_format.value} writes a folder: give --out FOLDER")
        raise typer.Exit(EXIT_USAGE)
    if claims_from not in ("auto", "claims", "quotes"):
        err.print("[bold red]error:[/] --claims-from must be auto, claims or quotes")
        raise typer.Exit(EXIT_USAGE)
    store = _open_store(db, err, verbose)
    try:
        counts = export_store(
            store, export_format, out if out is not None else sys.stdout, claims_from=claims_from
        )
    finally:
        store.close()
    summary = ", ".join(f"{name} {count}" for name, count in counts.items())
    err.print(f"exported {summary}" + (f" to {out}" if out else ""), highlight=False)


@app.command()
def schema() -> None:
    """Print the JSON Schema of the sayso/1 output."""
    from sayso.schema import json_schema

    sys.stdout.write(json.dumps(json_schema(), indent=2) + "\n")


@app.command()
def settings() -> None:
    """List every setting: environment variable, current value and meaning."""
    console = Console()
    from rich.table import Table

    table = Table("environment variable", "value", "meaning")
    for setting in ALL_SETTINGS:
        value = setting.value()
        if setting.secret and value:
            value = "(set)"
        table.add_row(setting.env, value, setting.help)
    console.print(table)


@app.command()
def version() -> None:
    """Print sayso's version."""
    sys.stdout.write(f"sayso {__version__}\n")


serve_command(app)


def main() -> None:
    """Console-script entry point: run the app and turn stray exceptions into exit status 1."""
    try:
        app()
    except SystemExit:
        raise
    except Exception as exc:
        Console(stderr=True).print(
            f"[bold red]internal error:[/] {type(exc).__name__}: {exc}", highlight=False
        )
        sys.exit(EXIT_INTERNAL)


if __name__ == "__main__":
    main()
