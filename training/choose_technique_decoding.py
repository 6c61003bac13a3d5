"""Choose how technique spans are decoded, on the PTC articles the encoder never trained on (not on dev).

    .venv/bin/python training/choose_technique_decoding.py            # grid + choice (about 15 s)
    .venv/bin/python training/choose_technique_decoding.py --ids-only # just the held-out article ids
    .venv/bin/python training/choose_technique_decoding.py --post-hoc # + filters and merges of the choice

``train_heads.load_all`` holds out 10% of the PTC non-dev training articles (``eval/techniques.py``'s
``train_article_ids``) for checkpoint selection: with ``rng = numpy.random.default_rng(seed)`` its first
draw is ``rng.permutation(len(train_ids))`` and the first ``round(0.1 * n)`` positions are held out
(``checkworthy_split.held_out_slice`` replays the same first draw). The PolNeAR split before it uses its
own generator, so nothing else draws first. With seed 13 that is 24 of 238 articles (the model card's
``[214, 24]``). The encoder never trained on them; their token F1 only picked the checkpoint, so they are
close to unseen, and dev stays untouched.

The script parses those articles with sayso's full pipeline, runs the shared encoder once per article and
decodes the technique head's token probabilities in each way on the grid: argmax over the 29 BIO labels
(``sayso._encoder.decode_bio``) and presence decoding (``decode_presence``) for each threshold and
minimum span mean; every span is then named by the span head, as ``sayso_encoder`` does. Each decoding is
scored with ``eval/techniques.py``'s SemEval SI P/R/F1 and end-to-end TC micro-F1 (``tc_from_spans``), and
``sayso_rhetoric``'s ``min_score`` floors are scored on the chosen decoding for information. The choice is
the decoding with the best held-out SI F1 whose end-to-end TC is not below argmax's; it is what
``sayso._encoder.PRESENCE_DECODING`` should hold. Torch-free: runs in the runtime ``.venv``. Prints only
ids and numbers (no dataset text).
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
#: The grid: presence thresholds on ``1 - P(O)`` and minimum span means (see ``PresenceDecoding``).
THRESHOLDS = (0.3, 0.35, 0.4, 0.45, 0.5, 0.55)
MIN_MEANS = (0.0, 0.5, 0.6)
#: ``sayso_rhetoric`` floors on the span head's label probability, scored on the chosen decoding.
MIN_SCORES = (0.0, 0.2, 0.3, 0.4, 0.5, 0.6)

Row = tuple[int, int, str, float]  # (start, end, PTC technique, label probability)


def held_out_article_ids(seed: int = SEED, data: Path = DATA) -> list[str]:
    """The PTC training articles ``train_heads.py`` (``--seed``, not ``--smoke``) held out, in id order."""
    tq = load_eval_module("techniques")
    train_ids = tq.train_article_ids(data)
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(train_ids))  # load_all's first draw from its generator
    n_val = max(1, round(HELD_OUT_FRACTION * len(train_ids)))
    held = set(order[:n_val].tolist())
    return [a for i, a in enumerate(train_ids) if i in held]


def encode(articles: Sequence[Any]) -> list[tuple[Any, Any]]:
    """``(doc, DocEncoding)`` per article: sayso's parse up to the encoder, then one pass of the encoder
    (kept whole here, token probabilities included, which ``sayso_encoder`` reduces to decoded spans)."""
    from sayso import Analyzer
    from sayso._encoder import get_encoder

    nlp = Analyzer(profile="full").nlp
    after = nlp.pipe_names[nlp.pipe_names.index("sayso_encoder") :]
    with nlp.select_pipes(disable=after):
        docs = list(nlp.pipe(a.text for a in articles))
    return list(zip(docs, get_encoder().encode_docs(docs), strict=True))


def decode(encoded: list[tuple[Any, Any]], articles: Sequence[Any], settings: Any) -> dict[str, list[Row]]:
    """Technique spans of every article, decoded by ``settings`` (None: argmax) and named by the span head."""
    from sayso._encoder import decode_bio, decode_presence, token_table
    from sayso.components.encoder import relabel_spans

    out: dict[str, list[Row]] = {}
    for article, (doc, encoding) in zip(articles, encoded, strict=True):
        probs, labels = encoding.token_probs["technique"], encoding.labels["technique"]
        table = token_table(doc, encoding.text)
        if settings is None:
            spans = decode_bio(doc, probs, labels, None, table)
        else:
            spans = decode_presence(doc, probs, labels, settings, None, table)
        rows = relabel_spans([[s.label, s.start, s.end, s.score] for s in spans], encoding, "technique_class")
        out[article.id] = [(int(r[1]), int(r[2]), str(r[0]).lower(), float(r[4])) for r in rows]  # type: ignore[arg-type,call-overload]
    return out


def score(
    tq: Any, articles: Sequence[Any], spans: dict[str, list[Row]], min_score: float = 0.0
) -> dict[str, float]:
    """SI P/R/F1 and end-to-end TC micro-F1 of the spans whose label probability is >= ``min_score``."""
    kept = {k: [r for r in v if r[3] >= min_score] for k, v in spans.items()}
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


def post_hoc(tq: Any, articles: Sequence[Any], spans: dict[str, list[Row]]) -> None:
    """Score simple filters and merges of the chosen decoding's spans (measured, none adopted; see README).

    A per-article budget (the best-named spans up to N per 1,000 characters: annotators mark a bounded
    number per article), merging spans a few characters apart within a line (gold spans are longer than
    predicted ones), dropping the techniques with the lowest span precision, and a minimum span length."""
    text = {a.id: a.text for a in articles}
    lengths = {k: len(v) for k, v in text.items()}
    for name, found in (
        ("gold", {a.id: a.si for a in articles}),
        ("choice", {k: [(r[0], r[1]) for r in v] for k, v in spans.items()}),
    ):
        d = tq.span_density(found, lengths, "d")
        print(
            f"  {name} spans: {d['d_per_1k_chars']:.2f} per 1,000 characters, "
            f"mean {d['d_mean_chars']:.0f} characters"
        )

    def line(name: str, kept: dict[str, list[Row]]) -> None:
        print(_line(f"  {name}", score(tq, articles, kept)))

    for per_1k in (6, 8, 10, 12, 15):
        line(
            f"budget {per_1k} per 1k chars",
            {
                k: sorted(v, key=lambda r: -r[3])[: max(3, -(-per_1k * len(text[k]) // 1000))]
                for k, v in spans.items()
            },
        )
    for gap in (1, 3, 8, 15):
        merged: dict[str, list[Row]] = {}
        for k, v in spans.items():
            out: list[Row] = []
            for row in sorted(v):
                if out and row[0] - out[-1][1] <= gap and "\n" not in text[k][out[-1][1] : row[0]]:
                    out[-1] = (out[-1][0], max(out[-1][1], row[1]), out[-1][2], out[-1][3])
                else:
                    out.append(row)
            merged[k] = out
        line(f"merge gaps <= {gap} chars", merged)
    for drop in (("repetition",), ("repetition", "appeal_to_authority")):
        line("drop " + "+".join(drop), {k: [r for r in v if r[2] not in drop] for k, v in spans.items()})
    for min_len in (8, 12):
        line(
            f"min length {min_len} chars",
            {k: [r for r in v if r[1] - r[0] >= min_len] for k, v in spans.items()},
        )


def _line(name: str, m: dict[str, float]) -> str:
    return f"{name:<28}{m['spans']:>7.0f}{m['si_p']:>7.3f}{m['si_r']:>7.3f}{m['si_f1']:>7.3f}{m['e2e']:>8.3f}"


def main(argv: Sequence[str] | None = None) -> int:
    from sayso._encoder import PRESENCE_DECODING, PresenceDecoding

    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument(
        "--seed", type=int, default=SEED, help="train_heads.py's --seed (13 for the shipped model)"
    )
    ap.add_argument("--ids-only", action="store_true", help="print the held-out article ids and stop")
    ap.add_argument(
        "--post-hoc", action="store_true", help="also score filters and merges of the chosen spans"
    )
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
    encoded = encode(articles)
    print(f"{gold} gold SI spans (merged)")

    print(f"{'decoding':<28}{'spans':>7}{'SI P':>7}{'SI R':>7}{'SI F1':>7}{'e2e TC':>8}")
    argmax = score(tq, articles, decode(encoded, articles, None))
    print(_line("argmax", argmax))
    grid: dict[PresenceDecoding, dict[str, float]] = {}
    for threshold in THRESHOLDS:
        for min_mean in MIN_MEANS:
            settings = PresenceDecoding(threshold, min_mean)
            grid[settings] = score(tq, articles, decode(encoded, articles, settings))
            print(_line(f"presence {threshold:.2f}, mean >= {min_mean:.2f}", grid[settings]))
    allowed = [s for s, m in grid.items() if m["e2e"] >= argmax["e2e"]]
    best = max(allowed, key=lambda s: (grid[s]["si_f1"], s.threshold), default=None)
    if best is None or grid[best]["si_f1"] <= argmax["si_f1"]:
        print("choice: argmax (no presence decoding beats it without lowering end-to-end TC)")
        return 0
    b = grid[best]
    print(
        f"choice: PresenceDecoding(threshold={best.threshold}, min_mean={best.min_mean}): SI F1 "
        f"{b['si_f1']:.3f} vs {argmax['si_f1']:.3f} (argmax), "
        f"end-to-end TC {b['e2e']:.3f} vs {argmax['e2e']:.3f}"
    )
    shipped = PRESENCE_DECODING.get("technique")
    print(f"shipped: {shipped}" + ("" if shipped == best else "  <- differs from the choice"))
    crumbs = PresenceDecoding(best.threshold, best.min_mean, drop_lone_function_words=False)
    print(_line("  same, lone function words kept", score(tq, articles, decode(encoded, articles, crumbs))))
    spans = decode(encoded, articles, best)
    print(f"{'min_score on the choice':<28}")
    for min_score in MIN_SCORES:
        print(_line(f"  min_score {min_score:.2f}", score(tq, articles, spans, min_score)))
    if args.post_hoc:
        print("post-hoc changes of the choice")
        post_hoc(tq, articles, spans)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
