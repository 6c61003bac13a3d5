"""Calibrate the check-worthiness head's decision threshold on held-out training data; no retraining.

    .venv-train/bin/python training/calibrate_checkworthy.py --model training/.cache/heads/encoder.onnx

``train_heads.py`` runs it at the end of a full run; this script re-runs it on any graph.

Why: the head is trained on ClaimBuster *and* CLEF-2019 debates, whose positive rate is far lower
(about 3% against 28%), so its probabilities come out low for ClaimBuster-style sentences and the fixed
0.5 threshold of the ClaimBuster metric trades recall for precision (dev: P 0.88, R 0.66). Ranking (AP,
CLEF MAP) is unaffected by a constant shift, so the fix is a logit offset, chosen here to maximise
positive-class F1 on the ClaimBuster sentences of the trainer's own 10% held-out slice (never dev), and
written into the graph metadata (``sayso_sentence_heads.checkworthy.offset``), which the runtime adds to
the pooled logit before the sigmoid.

The held-out slice is rebuilt exactly as ``train_heads.load_all`` builds it (same seed, same order of
random draws), without parsing PolNeAR or PTC.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import heads_data as hd
import train_heads as th
from checkworthy_split import held_out_slice


def held_out_claimbuster(
    seed: int, clef_neg_keep: float, tok: object, use_clef: bool = True
) -> list[tuple[np.ndarray, int]]:
    """The ClaimBuster items of train_heads' held-out checkworthy slice (same rng sequence)."""
    cb_train, clef_kept, held = held_out_slice(seed, clef_neg_keep, use_clef)
    items = th.sentence_items(tok, cb_train + clef_kept)
    return [items[i] for i in held if i < len(cb_train)]


def best_offset(labels: np.ndarray, logits: np.ndarray) -> tuple[float, float, float]:
    """(offset, F1 at offset, F1 at 0): the logit shift that maximises F1 at the 0.5 threshold."""

    def f1(offset: float) -> float:
        pred = logits + offset >= 0
        tp = int((pred & (labels == 1)).sum())
        fp = int((pred & (labels == 0)).sum())
        fn = int((~pred & (labels == 1)).sum())
        return 2 * tp / (2 * tp + fp + fn) if tp else 0.0

    grid = np.round(np.arange(-3.0, 3.0001, 0.05), 2)
    scores = [f1(float(o)) for o in grid]
    best = int(np.argmax(scores))
    return float(grid[best]), scores[best], f1(0.0)


def calibrate(
    model_path: Path, seed: int = 13, clef_neg_keep: float = 0.5, write: bool = True, use_clef: bool = True
) -> dict[str, object]:
    """Find the offset on the held-out ClaimBuster sentences and (``write``) store it in the graph."""
    import onnx

    tok = hd.load_base_tokenizer()
    items = held_out_claimbuster(seed, clef_neg_keep, tok, use_clef)
    probs = np.array(th.onnx_sentence_scores(model_path, items, threads=2))
    probs = np.clip(probs, 1e-7, 1 - 1e-7)
    logits = np.log(probs / (1 - probs))
    labels = np.array([y for _, y in items])
    offset, f1_best, f1_zero = best_offset(labels, logits)
    result: dict[str, object] = {
        "held_out_claimbuster_sentences": len(items),
        "positives": int(labels.sum()),
        "offset": offset,
        "f1_at_offset": round(f1_best, 4),
        "f1_without": round(f1_zero, 4),
    }
    if write:
        model = onnx.load(str(model_path))
        for prop in model.metadata_props:
            if prop.key == "sayso_sentence_heads":
                heads = json.loads(prop.value)
                heads["checkworthy"]["offset"] = offset
                heads["checkworthy"]["offset_doc"] = (
                    f"logit offset maximising positive-class F1 at 0.5 on {len(items)} held-out "
                    f"ClaimBuster training sentences (F1 {f1_zero:.3f} -> {f1_best:.3f}); "
                    "training/calibrate_checkworthy.py"
                )
                prop.value = json.dumps(heads)
        onnx.save(model, str(model_path))
    return result


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", type=Path, required=True, help="encoder.onnx to calibrate (rewritten)")
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--clef-neg-keep", type=float, default=0.5)
    ap.add_argument("--no-clef", action="store_true", help="the model was trained with --no-clef")
    ap.add_argument("--dry-run", action="store_true", help="print the offset, do not write it")
    args = ap.parse_args(argv)
    result = calibrate(
        args.model, args.seed, args.clef_neg_keep, write=not args.dry_run, use_clef=not args.no_clef
    )
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
