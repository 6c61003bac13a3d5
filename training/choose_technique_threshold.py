"""Choose ``sayso_rhetoric``'s ``min_score`` on the PTC articles the encoder never trained on (not on dev).

    .venv/bin/python training/choose_technique_threshold.py            # grid + choice (a few minutes)
    .venv/bin/python training/choose_technique_threshold.py --ids-only # just the held-out article ids

``train_heads.load_all`` holds out 10% of the PTC non-dev training articles (``eval/techniques.py``'s
``train_article_ids``) for checkpoint selection: with ``rng = numpy.random.default_rng(seed)`` its first
draw is ``rng.permutation(len(train_ids))`` and the first ``round(0.1 * n)`` positions are held out
(``checkworthy_split.held_out_slice`` replays the same first draw). The PolNeAR split before it uses its
own generator, so nothing else draws first. With seed 13 that is 24 of 238 articles (the model card's
``[214, 24]``). The encoder never trained on them; their token F1 only picked the checkpoint, so they are
close to unseen, and dev stays untouched.

The script runs sayso's full pipeline on those articles once with ``min_score`` forced to 0, keeps every
technique span with its score, and then scores, for each ``min_score`` (and each minimum span length in
characters, reported for information only: ``sayso_rhetoric`` has no such setting), SI P/R/F1 with
``eval/techniques.py``'s SemEval scorer and the end-to-end TC micro-F1 (``tc_from_spans``). The choice is
the ``min_score`` with the best held-out SI F1, adopted only if it beats ``min_score = 0`` by at least
``--min-gain`` SI F1 and does not lower end-to-end TC. Torch-free: runs in the runtime ``.venv``. Prints
only ids and numbers (no dataset text).
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from checkworthy_split import DATA, load_eval_module

#: ``train_heads.py``'s defaults: ``--seed`` and the held-out fraction of the PTC technique articles.
SEED = 13
HELD_OUT_FRACTION = 0.1
MIN_SCORES = (0.0, 0.1, 0.2, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.7, 0.8)
MIN_CHARS = (0, 4, 8, 16)

Row = tuple[int, int, str, float]  # (start, end, PTC technique, score)


def held_out_article_ids(seed: int = SEED, data: Path = DATA) -> list[str]:
    """The PTC training articles ``train_heads.py`` (``--seed``, not ``--smoke``) held out, in id order."""
    tq = load_eval_module("techniques")
    train_ids = tq.train_article_ids(data)
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(train_ids))  # load_all's first draw from its generator
    n_val = max(1, round(HELD_OUT_FRACTION * len(train_ids)))
    held = set(order[:n_val].tolist())
    return [a for i, a in enumerate(train_ids) if i in held]


def predict(articles: Sequence[Any]) -> dict[str, list[Row]]:
    """Every technique span sayso's full pipeline finds (``min_score`` forced to 0), PTC technique names."""
    from sayso import Analyzer
    from sayso.components.rhetoric import PTC_TO_SAYSO

    analyzer = Analyzer(profile="full")
    analyzer.nlp.get_pipe("sayso_rhetoric").min_score = 0.0  # type: ignore[attr-defined]
    to_ptc = {v: k for k, v in PTC_TO_SAYSO.items()}
    spans: dict[str, list[Row]] = {a.id: [] for a in articles}
    for analysis, article_id in analyzer.analyze_many(((a.text, a.id) for a in articles), as_tuples=True):
        spans[article_id] = [
            (t.start, t.end, to_ptc.get(t.technique, t.technique), t.score) for t in analysis.techniques
        ]
    return spans


def score(
    tq: Any, articles: Sequence[Any], spans: dict[str, list[Row]], min_score: float, min_chars: int
) -> dict[str, float]:
    """SI P/R/F1 and end-to-end TC micro-F1 of the spans scored >= ``min_score`` and >= ``min_chars`` long."""
    kept = {k: [r for r in v if r[3] >= min_score and r[1] - r[0] >= min_chars] for k, v in spans.items()}
    si = tq.si_scores(
        {k: [(s, e) for s, e, _, _ in v] for k, v in kept.items()}, {a.id: a.si for a in articles}
    )
    fragments = [(a.id, s, e, k) for a, s, e, k in tq._gold_fragments(articles)]
    e2e = tq.tc_scores(tq.tc_from_spans(fragments, kept), tq.gold_tc_rows(articles))
    return {
        "spans": sum(len(v) for v in kept.values()),
        "si_p": float(si["p"]),
        "si_r": float(si["r"]),
        "si_f1": float(si["f1"]),
        "e2e": float(e2e["micro_f1"]),
    }


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument(
        "--seed", type=int, default=SEED, help="train_heads.py's --seed (13 for the shipped model)"
    )
    ap.add_argument(
        "--min-gain", type=float, default=0.01, help="SI F1 gain over min_score 0 needed to adopt"
    )
    ap.add_argument("--ids-only", action="store_true", help="print the held-out article ids and stop")
    args = ap.parse_args(argv)

    ids = held_out_article_ids(args.seed)
    if held_out_article_ids(args.seed) != ids:
        raise SystemExit("held-out split is not reproducible")
    digest = hashlib.sha256(",".join(ids).encode()).hexdigest()[:12]
    print(f"held-out PTC articles (seed {args.seed}): {len(ids)}, sha256[:12] {digest}")
    print(" ".join(ids))
    if args.ids_only:
        return 0
    tq = load_eval_module("techniques")
    if set(ids) & set(tq.dev_article_ids(DATA)):
        raise SystemExit("held-out articles overlap the dev split")
    articles = tq.load_articles(ids, DATA)
    gold = sum(len(tq.merge_overlapping(a.si)) for a in articles)
    spans = predict(articles)
    print(f"{gold} gold SI spans (merged), {sum(len(v) for v in spans.values())} predicted technique spans")

    print(f"{'min_score':>9}{'min_chars':>10}{'spans':>7}{'SI P':>7}{'SI R':>7}{'SI F1':>7}{'e2e TC':>8}")
    grid: dict[tuple[float, int], dict[str, float]] = {}
    for min_chars in MIN_CHARS:
        for min_score in MIN_SCORES:
            m = grid[(min_score, min_chars)] = score(tq, articles, spans, min_score, min_chars)
            print(
                f"{min_score:>9.2f}{min_chars:>10}{m['spans']:>7.0f}{m['si_p']:>7.3f}{m['si_r']:>7.3f}"
                f"{m['si_f1']:>7.3f}{m['e2e']:>8.3f}"
            )
    base = grid[(0.0, 0)]
    best = max(MIN_SCORES, key=lambda t: (grid[(t, 0)]["si_f1"], -t))
    b = grid[(best, 0)]
    gain = b["si_f1"] - base["si_f1"]
    adopt = best > 0 and gain >= args.min_gain and b["e2e"] >= base["e2e"]
    print(
        f"best min_score {best:.2f}: SI F1 {b['si_f1']:.3f} vs {base['si_f1']:.3f} at 0 (gain {gain:+.3f}), "
        f"end-to-end TC {b['e2e']:.3f} vs {base['e2e']:.3f}"
    )
    print(
        f"choice: min_score = {best if adopt else 0.0:.2f} ({'adopt' if adopt else 'keep 0: no clear gain'})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
