"""Cost of ingesting into the store over the analyzer's own throughput, measured in the same run.

Baseline: ``Analyzer.analyze_many`` over the texts (nothing stored). Measured: ``sayso.store.ingest``
of the same texts into a new SQLite file (skip check, content hash, MinHash LSH, analysis, rows, one
transaction per batch). Runs alternate baseline / ingest ``--repeats`` times; medians are reported.
The texts are read from SAYSO_DATA_DIR (PolNeAR train by default) and never copied anywhere.

    python benchmarks/ingest.py --profile fast --json out.json
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import sayso
from sayso.ingest import Article, IngestItem
from sayso.settings import data_dir
from sayso.store import Store, ingest


def main(argv: list[str] | None = None) -> dict[str, object]:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--texts", type=Path, default=None, help="folder of .txt files (default: PolNeAR train)"
    )
    parser.add_argument("--profile", default="fast")
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)

    folder = args.texts or data_dir() / "polnear" / "train" / "text"
    files = sorted(folder.glob("*.txt"))[: args.limit]
    if not files:
        sys.exit(f"no .txt files in {folder} (set SAYSO_DATA_DIR or --texts)")
    texts = [(f.name, f.read_text(encoding="utf-8")) for f in files]
    analyzer = sayso.Analyzer(profile=args.profile)
    list(analyzer.analyze_many([t for _, t in texts[:8]]))  # warm-up

    baseline: list[float] = []
    measured: list[float] = []
    stored = 0
    for _ in range(args.repeats):
        start = time.perf_counter()
        for _analysis in analyzer.analyze_many((t for _, t in texts), batch_size=args.batch_size):
            pass
        baseline.append(time.perf_counter() - start)
        with tempfile.TemporaryDirectory() as tmp:
            store = Store(str(Path(tmp) / "bench.db"))
            items = [IngestItem(name, Article(text=text), None, "text") for name, text in texts]
            start = time.perf_counter()
            summary = ingest(items, store, analyzer, batch_size=args.batch_size)
            measured.append(time.perf_counter() - start)
            stored = summary.added
            store.close()
    base, ing = statistics.median(baseline), statistics.median(measured)
    result = {
        "texts": len(texts),
        "stored": stored,
        "profile": args.profile,
        "baseline_s": round(base, 2),
        "ingest_s": round(ing, 2),
        "baseline_docs_per_s": round(len(texts) / base, 1),
        "ingest_docs_per_s": round(len(texts) / ing, 1),
        "ratio": round(ing / base, 3),
        "overhead_pct": round((ing / base - 1) * 100, 1),
    }
    print(json.dumps(result, indent=2))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return result


if __name__ == "__main__":
    main()
