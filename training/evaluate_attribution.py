"""Dev scores and speed of the shipped attribution tagger, run in the *runtime* venv (no torch).

Why a separate script: speed must be measured as sayso runs (onnxruntime only, torch never imported, since
importing torch slows spaCy), against a baseline measured in the same process run: bare spaCy ``nlp.pipe``
over the same PolNeAR dev texts. The ratio encoder time / spaCy time is the number that matters for the
analyzer's throughput.

    .venv/bin/python training/evaluate_attribution.py              # dev scores
    .venv/bin/python training/evaluate_attribution.py --speed      # + words/s, 1 and 2 threads
    .venv/bin/python training/evaluate_attribution.py --speed --update-card   # write them into MODEL_CARD.md
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import attribution_data as ad

SPEED_BEGIN = "<!-- speed:begin (written by training/evaluate_attribution.py --speed --update-card) -->"
SPEED_END = "<!-- speed:end -->"


def best_of(repeats: int, fn: Any) -> tuple[float, Any]:
    """Fastest wall time of ``repeats`` calls (the least disturbed by other processes), and a result."""
    best = float("inf")
    result = None
    for _ in range(repeats):
        t = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t)
    return best, result


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=ad.default_polnear_dir())
    ap.add_argument("--model-dir", type=Path, default=ad._enc.DEFAULT_MODEL_DIR)
    ap.add_argument("--speed", action="store_true", help="measure words/s against bare spaCy")
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument(
        "--doc-batch", type=int, default=16, help="docs per encode_docs call (as nlp.pipe batches)"
    )
    ap.add_argument("--update-card", action="store_true", help="write the speed table into MODEL_CARD.md")
    args = ap.parse_args(argv)

    import spacy

    enc = ad._enc
    articles = ad.load_part(args.data, "dev")
    texts = [a.text for a in articles]
    words = sum(len(t.split()) for t in texts)
    nlp = spacy.load(ad.SPACY_MODEL)
    list(nlp.pipe(texts[:4]))  # warm up

    t_spacy, docs = best_of(args.repeats if args.speed else 1, lambda: list(nlp.pipe(texts, batch_size=16)))
    encoder = enc.SharedEncoder(args.model_dir)  # runtime defaults, as the scores in the card
    encodings = encoder.encode_docs(docs)
    preds = [[tuple(s) for s in e.attribution_spans] for e in encodings]
    scores = ad.score(docs, [a.spans for a in articles], preds)
    print(
        f"PolNeAR dev, {len(articles)} articles, {words} words, "
        f"int8 model {args.model_dir / enc.ENCODER_FILE}"
    )
    print(ad.format_scores(scores))
    if not args.speed:
        return 0

    def run(e: Any) -> None:
        for i in range(0, len(docs), args.doc_batch):
            e.encode_docs(docs[i : i + args.doc_batch])

    rows = []
    spacy_wps = words / t_spacy
    for threads, batch in ((1, 1), (2, 1), (2, 8)):
        e = enc.SharedEncoder(args.model_dir, threads=threads, batch_size=batch)
        e.encode_docs(docs[:4])  # load + warm up
        t_enc, _ = best_of(args.repeats, lambda e=e: run(e))
        rows.append((threads, batch, t_enc))
    n_chunks = sum(len(encoder.chunks(d)) for d in docs)
    size = (args.model_dir / enc.ENCODER_FILE).stat().st_size
    import onnxruntime

    lines = [
        f"PolNeAR dev: {len(docs)} articles, {words:,} words, {n_chunks:,} chunks; "
        f"`encode_docs` on {args.doc_batch} docs per call, chunks sorted by length; "
        f"best of {args.repeats} runs; onnxruntime {onnxruntime.__version__}; "
        f"model file {size / 1e6:.1f} MB. Baseline in the same run: "
        f"`spacy.load('{ad.SPACY_MODEL}')` + `nlp.pipe` (all components, 1 process).",
        "",
        "| what | seconds | words/s | time / spaCy time |",
        "|---|---:|---:|---:|",
        f"| spaCy `nlp.pipe` (baseline) | {t_spacy:.2f} | {spacy_wps:,.0f} | 1.00 |",
    ]
    for threads, batch, t_enc in rows:
        default = " (default)" if (threads, batch) == (1, 1) else ""
        lines.append(
            f"| encoder{default}: {threads} thread{'s' if threads > 1 else ''}, batch {batch} "
            f"(chunking + int8 inference + decoding) | {t_enc:.2f} | {words / t_enc:,.0f} | "
            f"{t_enc / t_spacy:.2f} |"
        )
    table = "\n".join(lines)
    print()
    print(table)
    if args.update_card:
        card = args.model_dir / "MODEL_CARD.md"
        text = card.read_text(encoding="utf-8")
        if SPEED_BEGIN in text and SPEED_END in text:
            head = text[: text.index(SPEED_BEGIN) + len(SPEED_BEGIN)]
            tail = text[text.index(SPEED_END) :]
            card.write_text(f"{head}\n{table}\n{tail}", encoding="utf-8")
            print(f"updated {card}")
        else:
            print(f"no speed markers in {card}; not updated")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
