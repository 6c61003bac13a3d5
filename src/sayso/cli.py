"""The ``sayso`` command.

Exit codes (also in ``sayso --help`` and README.md):

====  ==========================================================================
0     success
1     unexpected internal error (rerun with --verbose for the traceback)
2     usage error (unknown option, bad argument)
3     input error: file missing or unreadable, empty, binary, undecodable, too long
4     configuration error: the chosen spaCy pipeline or profile does not exist
====  ==========================================================================
"""

from __future__ import annotations

import json
import logging
import sys
from enum import StrEnum
from importlib import resources
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from sayso import __version__
from sayso.errors import ConfigError, ErrorCode, InputError, SaysoError
from sayso.ingest import Article, decode_bytes, parse_published
from sayso.settings import ALL_SETTINGS, MODEL, PROFILE

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
        table.add_row(setting.env, setting.value(), setting.help)
    console.print(table)


@app.command()
def version() -> None:
    """Print sayso's version."""
    sys.stdout.write(f"sayso {__version__}\n")


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
