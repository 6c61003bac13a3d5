"""Latency of ``compare_figures`` over a store of 100,000 quantities (synthetic rows), p50 and p95.

Synthetic rows are enough here: the query only reads the quantities, articles, outlets and speakers
tables and their indexes. Each query asks for one counted noun (as ``sayso compare --counted X`` does)
at a random place or at any place; the unfiltered query over the whole store is timed separately.

    python benchmarks/compare.py --quantities 100000 --queries 200
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import insert

from sayso.compare import compare_figures
from sayso.store import Store
from sayso.store import _tables as t

NOUNS = [f"thing{i}" for i in range(500)]
PLACES = [f"town{i}" for i in range(100)]


def fill(store: Store, quantities: int, per_article: int, seed: int) -> None:
    rng = random.Random(seed)
    articles = quantities // per_article
    now = dt.datetime(2025, 1, 1)
    with store.engine.begin() as conn:
        conn.execute(insert(t.outlets), [{"name": f"outlet{i}.example"} for i in range(50)])
        conn.execute(
            insert(t.speakers), [{"key": f"speaker {i}", "name": f"Speaker {i}"} for i in range(1000)]
        )
        conn.execute(insert(t.story_clusters), [{"key": f"a{i}"} for i in range(articles)])
        conn.execute(
            insert(t.articles),
            [
                {
                    "locator": f"a{i}",
                    "content_hash": f"{i:064x}",
                    "cluster_id": i + 1,
                    "outlet_id": rng.randrange(50) + 1,
                    "published": dt.date(2025, 1, 1) + dt.timedelta(days=rng.randrange(60)),
                    "analysis": "{}",
                    "ingested_at": now,
                }
                for i in range(articles)
            ],
        )
        rows = []
        for i in range(quantities):
            value = float(rng.randrange(1, 500))
            rows.append(
                {
                    "article_id": i // per_article + 1,
                    "local_id": f"q{i % per_article}",
                    "start": 0,
                    "end": 1,
                    "text": f"{value:.0f} things",
                    "value": value,
                    "qualifier": rng.choice([None, "about", "at least"]),
                    "counted_text": "things",
                    "counted_norm": rng.choice(NOUNS),
                    "place_norm": rng.choice(PLACES),
                    "speaker_id": rng.randrange(1000) + 1,
                }
            )
        conn.execute(insert(t.quantities), rows)


def main(argv: list[str] | None = None) -> dict[str, object]:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", default=None, help="database URL (default: a new SQLite file)")
    parser.add_argument("--quantities", type=int, default=100_000)
    parser.add_argument("--per-article", type=int, default=10)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(args.db or str(Path(tmp) / "compare.db"))
        start = time.perf_counter()
        fill(store, args.quantities, args.per_article, seed=7)
        fill_s = time.perf_counter() - start
        rng = random.Random(11)
        timings = []
        groups = 0
        for i in range(args.queries):
            noun = rng.choice(NOUNS)
            place = rng.choice(PLACES) if i % 2 else None
            start = time.perf_counter()
            groups += len(compare_figures(store, counted=noun, place=place, window=3))
            timings.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        everything = compare_figures(store, window=3)
        full_ms = (time.perf_counter() - start) * 1000
        store.close()
    timings.sort()
    result = {
        "quantities": args.quantities,
        "queries": args.queries,
        "fill_s": round(fill_s, 1),
        "p50_ms": round(statistics.median(timings), 1),
        "p95_ms": round(timings[int(0.95 * (len(timings) - 1))], 1),
        "max_ms": round(timings[-1], 1),
        "groups_per_query": round(groups / args.queries, 1),
        "unfiltered_ms": round(full_ms, 1),
        "unfiltered_groups": len(everything),
    }
    print(json.dumps(result, indent=2))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return result


if __name__ == "__main__":
    main()
