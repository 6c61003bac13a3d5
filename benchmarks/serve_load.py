"""Load test of ``sayso serve`` on loopback: article page latency over a 10,000-article SQLite store.

The store is filled through the store's own write API (``Store.write`` with ``ArticleRecord``s, so the
FTS index, child tables, speakers and outlets are all real) from *synthetic* analyses of made-up texts:
analysing 10,000 real articles would take far longer than the test, and the page's cost depends on the
text length and the number of spans, which the synthetic articles match (about 2,500 characters, 8
attributions, 8 figures and 8 times each). The output says so.

The server runs in its own process (uvicorn, one worker) on 127.0.0.1; one client requests random
article pages (``GET /articles/{id}``, HTML) one after another, bounded by a request count and a time
limit, and prints p50 / p95 / max latency and the error count as JSON.

    python benchmarks/serve_load.py                      # 10,000 articles, 2,000 requests or 60 s
    python benchmarks/serve_load.py --db /tmp/load.db    # reuse the store on the next run
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from sayso.schema import Analysis, Attribution, Dateline, Quantity, SourceLink, Span, TimeExpression
from sayso.store import ArticleRecord, Store

PLACES = ["Halden", "Lindby", "Tromvik", "Norberg", "Askvik", "Elmstad", "Brekke", "Solvang"]
NOUNS = ["people", "homes", "passengers", "families", "workers", "boats", "schools", "trees"]
SPEAKERS = ["police", "the mayor", "the fire service", "officials", "the ministry", "a spokesperson"]
DAYS = [("Monday", 0), ("Tuesday", 1), ("Wednesday", 2), ("Thursday", 3), ("Friday", 4)]
OUTLETS = [f"outlet{i}.example" for i in range(40)]


def synthetic_analysis(i: int, rng: random.Random) -> Analysis:
    """A made-up article with real offsets: 8 paragraphs, each one attributed figure and one time."""
    place = rng.choice(PLACES)
    published = dt.date(2025, 1, 1) + dt.timedelta(days=rng.randrange(300))
    parts: list[str] = []
    attributions: list[Attribution] = []
    quantities: list[Quantity] = []
    times: list[TimeExpression] = []
    length = 0

    def add(piece: str) -> Span:
        nonlocal length
        span = Span(start=length, end=length + len(piece), text=piece)
        parts.append(piece)
        length += len(piece)
        return span

    place_span = add(place.upper())
    add(" (Nordwire) - ")
    agency = Span(start=place_span.end + 2, end=place_span.end + 10, text="Nordwire")
    for k in range(8):
        noun, speaker = rng.choice(NOUNS), rng.choice(SPEAKERS)
        day, offset = rng.choice(DAYS)
        value = rng.randrange(2, 5000)
        figure = add(f"At least {value:,} {noun}")
        add(" were affected in ")
        where = add(place)
        add(" on ")
        when = add(day)
        content = Span(start=figure.start, end=when.end, text="".join(parts)[figure.start : when.end])
        add(", ")
        source = add(speaker)
        add(" ")
        cue = add("said")
        add(
            f". Article {i}, paragraph {k}: a synthetic sentence for the load test, long enough to read like "
            "news, with nothing in it that the analyser would need to find.\n\n"
        )
        attributions.append(
            Attribution(
                id=f"a{k + 1}", kind="indirect", source=source, cue=cue, content=[content], confidence=0.75
            )
        )
        counted_start = figure.end - len(noun)
        quantities.append(
            Quantity(
                start=figure.start,
                end=figure.end,
                text=figure.text,
                id=f"q{k + 1}",
                value=float(value),
                low=float(value),
                qualifier="at least",
                counted=Span(start=counted_start, end=figure.end, text=noun),
                place=where,
                time=when,
                attribution=f"a{k + 1}",
            )
        )
        date = published - dt.timedelta(days=(published.weekday() - offset) % 7)
        times.append(
            TimeExpression(start=when.start, end=when.end, text=day, type="DATE", value=date.isoformat())
        )
    text = "".join(parts)
    return Analysis(
        text=text,
        title=f"Synthetic report {i} from {place}",
        url=f"https://{OUTLETS[i % len(OUTLETS)]}/story/{i}",
        published=published,
        model="synthetic (benchmarks/serve_load.py)",
        dateline=Dateline(place=place_span, agency=agency),
        source_chain=[SourceLink(name="Nordwire", role="agency", span=agency)],
        attributions=attributions,
        quantities=quantities,
        times=times,
    )


def build(db: str, articles: int, seed: int) -> float:
    """Fill ``db`` with ``articles`` synthetic articles (skipped when it already holds that many)."""
    started = time.perf_counter()
    with Store(db) as store:
        have = store.counts()["articles"]
        if have >= articles:
            return 0.0
        rng = random.Random(seed + have)
        batch: list[ArticleRecord] = []
        for i in range(have, articles):
            analysis = synthetic_analysis(i, rng)
            batch.append(
                ArticleRecord(
                    locator=f"synthetic/{i}",
                    analysis=analysis,
                    content_hash=hashlib.sha256(analysis.text.encode()).hexdigest(),
                    cluster_key=f"synthetic/{i}",
                    site=OUTLETS[i % len(OUTLETS)],
                    input_format="synthetic",
                )
            )
            if len(batch) == 500:
                store.write(batch)
                batch = []
        if batch:
            store.write(batch)
    return time.perf_counter() - started


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="SQLite file to build or reuse (default: a temporary file)")
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=2_000, help="stop after this many requests")
    parser.add_argument("--seconds", type=float, default=60.0, help="... or after this many seconds")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    tmp = tempfile.TemporaryDirectory()
    db = args.db or str(Path(tmp.name) / "load.db")
    build_s = build(db, args.articles, args.seed)
    with Store(db) as store:
        stored = store.counts()["articles"]

    port = _free_port()
    env = {**os.environ, "SAYSO_SERVE_DB": db, "SAYSO_API_TOKEN": ""}
    command = [sys.executable, "-m", "uvicorn", "--factory", "sayso.api._cli:app_from_environment"]
    command += ["--host", "127.0.0.1", "--port", str(port), "--log-level", "warning", "--no-access-log"]
    server = subprocess.Popen(command, env=env)
    base = f"http://127.0.0.1:{port}"
    latencies: list[float] = []
    errors = 0
    try:
        with httpx.Client(base_url=base, timeout=10.0, headers={"accept": "text/html"}) as client:
            deadline = time.monotonic() + 30
            while True:
                try:
                    if client.get("/api/v1/health").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit("the server did not start")
                time.sleep(0.1)
            rng = random.Random(args.seed)
            for _ in range(20):  # warm-up: templates compiled, connections pooled
                client.get(f"/articles/{rng.randrange(1, stored + 1)}")
            started = time.monotonic()
            while len(latencies) < args.requests and time.monotonic() - started < args.seconds:
                article_id = rng.randrange(1, stored + 1)
                t0 = time.perf_counter()
                try:
                    response = client.get(f"/articles/{article_id}")
                    ok = response.status_code == 200 and "seg l-" in response.text
                except httpx.HTTPError:
                    ok = False
                latencies.append((time.perf_counter() - t0) * 1000)
                errors += not ok
            elapsed = time.monotonic() - started
            extra = {}
            for label, path in (("list", "/articles"), ("search", "/articles?q=Halden+ministry")):
                times_ = []
                for _ in range(20):
                    t0 = time.perf_counter()
                    client.get(path)
                    times_.append((time.perf_counter() - t0) * 1000)
                extra[f"{label}_p50_ms"] = round(statistics.median(times_), 1)
    finally:
        server.terminate()
        server.wait(timeout=10)
        tmp.cleanup()
    result = {
        "what": "GET /articles/{id} (HTML page with highlighting), one client, sequential, loopback",
        "store": "SQLite",
        "articles": stored,
        "synthetic": True,
        "note": "articles are synthetic made-up texts written through Store.write; analysing 10,000 real "
        "articles would take too long for a load test",
        "build_s": round(build_s, 1),
        "requests": len(latencies),
        "seconds": round(elapsed, 1),
        "errors": errors,
        "p50_ms": round(statistics.median(latencies), 1),
        "p95_ms": round(_percentile(latencies, 0.95), 1),
        "max_ms": round(max(latencies), 1),
        **extra,
    }
    print(json.dumps(result, indent=2))
    if errors or result["p95_ms"] >= 100:
        sys.exit(1)


if __name__ == "__main__":
    main()
