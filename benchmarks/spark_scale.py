"""Throughput of sayso on Spark ``local[N]`` against one process and ``--jobs N``, same corpus, same run.

The corpus: the first ``--limit`` PolNeAR train texts (read from the data folder at run time, never
copied into the repository), wrapped as HTML pages into ``--files`` temporary WARC.gz files, the form a
news crawl arrives in. Each run goes from the WARC files to analyses:

* ``single``: ``read_inputs`` + ``Analyzer.analyze_many`` in this process (the model is loaded before the
  clock starts);
* ``jobs``: the same with ``n_process=N`` (what ``sayso ingest --jobs N`` does; the worker start-up is
  part of it, as it is for the command);
* ``spark``: ``sayso.spark.run`` on ``local[N]``, including writing the Parquet tables. The Spark session
  is started, and a small warm-up job loads the model into each Python worker, before the clock starts
  (a cluster job amortises both over hours); both are reported separately.

    python benchmarks/spark_scale.py                       # 200 texts, profile fast, 2 cores
    python benchmarks/spark_scale.py --profile full --json out.json

Prints JSON: docs/s and words/s of each run and their ratios to ``single``. Whether the background
training job (``train_heads``) was running is recorded: on a 2-core machine it takes cores from all runs.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
import tempfile
import time
from html import escape
from pathlib import Path
from typing import Any

from sayso.settings import data_dir


def write_corpus(texts: list[str], folder: Path, files: int) -> list[Path]:
    """The texts as HTTP 200 HTML responses in ``files`` WARC.gz files (round-robin)."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    paths = [folder / f"crawl-{i:03d}.warc.gz" for i in range(files)]
    handles = [path.open("wb") for path in paths]
    writers = [WARCWriter(handle, gzip=True) for handle in handles]
    try:
        for n, text in enumerate(texts):
            paragraphs = "".join(f"<p>{escape(p)}</p>" for p in text.split("\n") if p.strip())
            body = f'<html lang="en"><head><meta charset="utf-8"><title>Article {n}</title></head>'
            body += f"<body><article>{paragraphs}</article></body></html>"
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], "HTTP/1.1")
            writer = writers[n % files]
            record = writer.create_warc_record(
                f"https://news.example/{n}",
                "response",
                payload=io.BytesIO(body.encode()),
                http_headers=headers,
            )
            writer.write_record(record)
    finally:
        for handle in handles:
            handle.close()
    return paths


def allow_dates_across_processes() -> None:
    """Work around a bug in ``analyze_many(n_process>1)``: spaCy sends each Doc to the workers as msgpack,
    and ``doc._.sayso_published`` (a ``datetime.date``, set from the WARC-Date of every WARC record)
    cannot be packed, so ``--jobs 2`` fails on WARC input. Registering a date codec with srsly (as thinc
    does for numpy) lets this benchmark run all three modes on the same articles, dates included."""
    import datetime as dt

    import srsly  # type: ignore[import-untyped]

    def encode(obj: Any, chain: Any = None) -> Any:
        if isinstance(obj, dt.date) and not isinstance(obj, dt.datetime):
            return {"__sayso_date__": obj.isoformat()}
        return obj if chain is None else chain(obj)

    def decode(obj: Any, chain: Any = None) -> Any:
        if isinstance(obj, dict) and "__sayso_date__" in obj:
            return dt.date.fromisoformat(obj["__sayso_date__"])
        return obj if chain is None else chain(obj)

    srsly.msgpack_encoders.register("sayso_date", func=encode)
    srsly.msgpack_decoders.register("sayso_date", func=decode)


def training_running() -> bool:
    return subprocess.run(["pgrep", "-f", "train_heads"], capture_output=True).returncode == 0


def rate(docs: int, words: int, seconds: float) -> dict[str, float]:
    return {
        "seconds": round(seconds, 2),
        "docs_per_s": round(docs / seconds, 2),
        "words_per_s": round(words / seconds, 1),
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--texts", type=Path, default=None, help="folder of .txt (default: PolNeAR train)")
    parser.add_argument("--limit", type=int, default=200)
    parser.add_argument("--files", type=int, default=4, help="WARC.gz files to spread the corpus over")
    parser.add_argument("--profile", default="fast", choices=("fast", "full"))
    parser.add_argument("--cores", type=int, default=2, help="N for --jobs N and local[N]")
    parser.add_argument("--partitions", type=int, default=None, help="Spark analysis tasks")
    parser.add_argument("--json", type=Path, default=None, help="also write the result here")
    args = parser.parse_args(argv)

    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    folder = args.texts or data_dir() / "polnear" / "train" / "text"
    files = sorted(folder.glob("*.txt"))[: args.limit]
    if not files:
        sys.exit(f"no .txt files in {folder} (set SAYSO_DATA_DIR or --texts)")
    texts = [f.read_text(encoding="utf-8") for f in files]

    from sayso import Analyzer
    from sayso.ingest import IngestItem, read_inputs
    from sayso.spark import JobOptions, run, session

    busy_before = training_running()
    result: dict[str, Any] = {"profile": args.profile, "cores": args.cores, "cpu_count": os.cpu_count()}
    with tempfile.TemporaryDirectory(prefix="sayso-bench-") as tmp:
        corpus = Path(tmp) / "corpus"
        corpus.mkdir()
        write_corpus(texts, corpus, args.files)
        warm_corpus = Path(tmp) / "warm-corpus"
        warm_corpus.mkdir()
        write_corpus(texts[: 4 * args.cores], warm_corpus, 1)
        articles = [item.article for item in read_inputs([str(corpus)]) if isinstance(item, IngestItem)]
        docs, words = len(articles), sum(len(a.text.split()) for a in articles)
        result.update(docs=docs, words=words, warc_files=args.files)

        analyzer = Analyzer(profile=args.profile)
        allow_dates_across_processes()
        runs: dict[str, dict[str, float]] = {}
        for name, n_process in (("single", 1), (f"jobs_{args.cores}", args.cores)):
            start = time.perf_counter()
            items = (i.article for i in read_inputs([str(corpus)]) if isinstance(i, IngestItem))
            done = sum(1 for _ in analyzer.analyze_many(items, n_process=n_process))
            runs[name] = rate(done, words, time.perf_counter() - start)

        start = time.perf_counter()
        spark = session(f"local[{args.cores}]", {"spark.sql.shuffle.partitions": str(args.cores)})
        session_s = time.perf_counter() - start
        try:
            options = JobOptions(profile=args.profile)
            # a few documents per core: loads the model into each Python worker and warms the JVM
            warm = run(
                spark, [str(warm_corpus)], str(Path(tmp) / "warm"), options=options, partitions=args.cores
            )
            timed = run(
                spark, [str(corpus)], str(Path(tmp) / "out"), options=options, partitions=args.partitions
            )
        finally:
            spark.stop()
        runs[f"spark_local_{args.cores}"] = rate(timed.documents, words, timed.seconds)
        result["spark_session_start_s"] = round(session_s, 1)
        result["spark_warmup_job_s"] = round(warm.seconds, 1)
        result["spark_errors"] = timed.rows.get("errors", 0)

    single = runs["single"]["seconds"]
    for values in runs.values():
        values["ratio_vs_single"] = round(single / values["seconds"], 2)
    result["runs"] = runs
    result["training_job_running"] = busy_before or training_running()
    result["loadavg_1m_at_end"] = round(os.getloadavg()[0], 2)
    text = json.dumps(result, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")
    return result


if __name__ == "__main__":
    main()
