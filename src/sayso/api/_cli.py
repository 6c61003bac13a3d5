"""The ``sayso serve`` command, kept beside the app so that cli.py only registers it.

Register with ``app.command()(serve)`` (or ``serve_command(app)``). FastAPI and uvicorn are imported when
the command runs, so ``sayso --help`` stays fast.
"""

from __future__ import annotations

from typing import Annotated

import typer

from sayso.settings import API_TOKEN, DB, PROFILE

_LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def serve(
    db: Annotated[
        str | None,
        typer.Option("--db", help=DB.help, show_default=f"{DB.env} or {DB.default}"),
    ] = None,
    host: Annotated[
        str,
        typer.Option(help="Address to listen on. Anything but loopback exposes the server to the network."),
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    profile: Annotated[
        str | None,
        typer.Option(help=PROFILE.help, envvar=PROFILE.env, show_default=PROFILE.default),
    ] = None,
    max_body: Annotated[
        int, typer.Option("--max-body", min=1024, help="Largest request body in bytes; larger ones get 413.")
    ] = 8 * 1024 * 1024,  # sayso.api.DEFAULT_MAX_BODY (not imported: it would load FastAPI)
    workers: Annotated[int, typer.Option(min=1, help="Server processes (each loads its own analyser).")] = 1,
    log_level: Annotated[str, typer.Option(help="uvicorn log level.")] = "info",
) -> None:
    """Serve the web UI and REST API over a store: analyse pasted text with highlighted spans, search
    articles, compare figures across sources, list speakers. OpenAPI at /openapi.json, a listing at /api.
    Write endpoints need a bearer token when SAYSO_API_TOKEN is set."""
    import os

    import uvicorn

    from sayso.errors import StoreError
    from sayso.store import Store

    if profile:
        os.environ[PROFILE.env] = profile  # read by the lazily built analyser (in every worker)
    # uvicorn builds the app in each worker from an import string, so the options travel by environment.
    os.environ["SAYSO_SERVE_DB"] = db or ""
    os.environ["SAYSO_SERVE_MAX_BODY"] = str(max_body)
    try:
        Store(db).close()  # open and migrate once, up front, so a bad --db fails here with exit 4
    except StoreError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(4) from None
    if host not in _LOOPBACK and not API_TOKEN.value():
        typer.echo(
            f"warning: listening on {host} without {API_TOKEN.env}: "
            "anyone who can reach it can store articles",
            err=True,
        )
    shown = f"[{host}]" if ":" in host else host
    typer.echo(f"sayso serve: http://{shown}:{port}/  (Ctrl+C stops)", err=True)
    uvicorn.run(
        "sayso.api._cli:app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=log_level,
        timeout_graceful_shutdown=5,
        proxy_headers=False,
        server_header=False,
    )


def app_from_environment() -> object:
    """uvicorn factory: the app for the store named in SAYSO_SERVE_DB (set by :func:`serve`)."""
    import os

    from sayso.api import create_app

    return create_app(
        os.environ.get("SAYSO_SERVE_DB") or None,
        max_body_bytes=int(os.environ.get("SAYSO_SERVE_MAX_BODY", str(8 * 1024 * 1024))),
    )


def serve_command(app: typer.Typer) -> None:
    """Register ``serve`` on the ``sayso`` Typer app."""
    app.command()(serve)
