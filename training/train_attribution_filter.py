"""Fit the attribution filter (``src/sayso/resources/models/attribution_filter.json``) on PolNeAR train.

Why: the tagger's stance-verb calls ("hopes", "is worried") are the largest source of wrong cues, and
hand rules for them were exhausted. This script runs sayso's ``full`` pipeline over PolNeAR **train**,
labels every predicted attribution by whether its cue matches a gold cue under ``eval/attribution.py``'s
own one-to-one token-overlap matching, and fits a logistic regression over
``_attribution_filter.record_features``. Regularisation, the rare-feature cut-off and the decision
threshold are chosen by 5-fold cross-validation grouped by article, on train only: the model by
out-of-fold log loss, the threshold by the scorer's cue and source F1 of the out-of-fold filtered
predictions (content and relation F1 may not fall, content recall by at most
:data:`CONTENT_RECALL_SLACK`). Dev is never read.

The pipeline's docs (parse, entities, tagger spans) are cached in ``training/.cache/attribution_filter``
(ignored by git): the first run spends about 4.5 minutes in the pipeline, a rerun about 4 in the CV
grid (16 settings x 5 folds). scikit-learn is needed here only:
the runtime scores the shipped JSON in pure Python.

    .venv/bin/python training/train_attribution_filter.py            # fit and write the JSON
    .venv/bin/python training/train_attribution_filter.py --dry-run  # CV numbers only
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import pickle
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "training"))

from checkworthy_split import DATA, load_eval_module  # noqa: E402

from sayso.components._attribution_filter import FORMAT, MODEL_PATH  # noqa: E402

CACHE = REPO / "training" / ".cache" / "attribution_filter"
#: The components after ``sayso_encoder`` that the attribution filter does not need; ``sayso_attribution``
#: itself is run by this script, with and without the filter.
_AFTER = ("sayso_attribution", "sayso_quantities", "sayso_events", "sayso_rhetoric", "sayso_claims")
_CHUNK = 60
#: How much content recall (token overlap) a threshold may cost: dropping a wrong cue drops its content,
#: which is sometimes a gold content all the same; content F1 and relation F1 may not fall at all.
CONTENT_RECALL_SLACK = 0.015


def _file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def cached_docs(articles: list[Any], refresh: bool = False) -> list[Any]:
    """The articles' docs as ``sayso_encoder`` leaves them (parse, entities, tagger spans), from the cache.

    Pickled (extensions and all) in chunks keyed by the texts, the encoder file and the spaCy model, so
    that a rerun of the fit costs seconds and a changed model or text set is never read stale.
    """
    from sayso import Analyzer

    analyzer = Analyzer(profile="full")
    nlp = analyzer.nlp
    model = REPO / "src" / "sayso" / "resources" / "models" / "encoder.onnx"
    base = f"{analyzer.model_id}|{_file_digest(model) if model.exists() else 'no-encoder'}"
    CACHE.mkdir(parents=True, exist_ok=True)
    docs: list[Any] = []
    for first in range(0, len(articles), _CHUNK):
        chunk = articles[first : first + _CHUNK]
        key = hashlib.sha256(base.encode())
        for article in chunk:
            key.update(article.name.encode() + b"\0" + article.text.encode() + b"\0")
        path = CACHE / f"docs-{key.hexdigest()[:20]}.pkl"
        if path.exists() and not refresh:
            with open(path, "rb") as handle:
                docs.extend(pickle.load(handle))
            continue
        started = time.perf_counter()
        with nlp.select_pipes(disable=[p for p in _AFTER if p in nlp.pipe_names]):
            made = list(nlp.pipe(a.text for a in chunk))
        with open(path, "wb") as handle:
            pickle.dump(made, handle, protocol=pickle.HIGHEST_PROTOCOL)
        docs.extend(made)
        print(
            f"pipeline: articles {first}-{first + len(chunk)} in {time.perf_counter() - started:.1f}s",
            flush=True,
        )
    return docs


# ------------------------------------------------------------------------------------------ examples

#: Features that are numbers; every other feature name is an indicator (value 1).
NUMERIC = (
    "confidence",
    "tag_cue",
    "sent_pos",
    "cue_words",
    "same_sentence",
    "content_tagged",
    "content_words_log",
    "content_pieces",
)


@dataclass
class ArticleRun:
    """One article's unfiltered records, their features, and which ones the scorer would count as cues."""

    text: str
    gold: list[Any]
    records: list[Any]
    features: list[dict[str, float] | None]
    labels: list[int | None]  # per record: 1/0 for a scored record with a cue, None otherwise


def to_relation(ev: Any, record: Any) -> Any:
    """The scorer's ``Relation`` of a record, as ``relations_from_sayso`` builds it from sayso/1."""

    def pieces(span: tuple[int, int] | None) -> tuple[tuple[int, int], ...]:
        return ((span[0], span[1]),) if span is not None and span[1] > span[0] else ()

    content = tuple(sorted(p for c in record.content for p in pieces(c)))
    return ev.Relation(source=pieces(record.source), cue=pieces(record.cue), content=content)


def cue_labels(ev: Any, text: str, gold: list[Any], records: list[Any]) -> list[int | None]:
    """1 for a scored record whose cue the scorer matches to a gold cue (overlap, one-to-one), else 0."""
    tokens = ev.Tokens(text)

    def norm(pieces: Any) -> Any:
        normalised = ev.normalize(text, pieces)
        return ev._Span(normalised, tokens.of(normalised)) if normalised else None

    gold_spans = ev._distinct(norm(r.cue) for r in gold)
    spans = [norm(to_relation(ev, r).cue) if r.parent is None else None for r in records]
    pred_spans = ev._distinct(spans)
    matched = {pred_spans[p].pieces for _, p in ev.match_spans(gold_spans, pred_spans, "overlap")}
    return [None if span is None else int(span.pieces in matched) for span in spans]


def build_runs(ev: Any, articles: list[Any], docs: list[Any]) -> list[ArticleRun]:
    """Run ``sayso_attribution`` unfiltered on the cached docs and collect features and labels."""
    from sayso.components._attribution_filter import doc_features
    from sayso.components.attribution import make_attribution

    component = make_attribution(None, "sayso_attribution", filter=False)  # type: ignore[arg-type]
    runs: list[ArticleRun] = []
    for article, doc in zip(articles, docs, strict=True):
        records = component(doc)._.sayso_attributions
        tagged = (doc._.sayso_heads or {}).get("attribution") or []
        features = doc_features(doc, records, tagged)
        labels = cue_labels(ev, article.text, article.relations, records)
        runs.append(ArticleRun(article.text, article.relations, records, features, labels))
    return runs


def score(ev: Any, runs: list[ArticleRun], probabilities: list[list[float]] | None, threshold: float) -> dict:
    """The scorer's numbers over ``runs`` with records below ``threshold`` dropped (None: no filter)."""
    scorer = ev.Scorer()
    for i, run in enumerate(runs):
        if probabilities is None:
            records = run.records
        else:
            parents = {r.parent for r in run.records if r.parent is not None}
            records = [  # as AttributionFilter.keep: no cue, nested ones and parents stay
                r
                for r, f, p in zip(run.records, run.features, probabilities[i], strict=True)
                if f is None or r.parent is not None or r.id in parents or p >= threshold
            ]
        predicted = [to_relation(ev, r) for r in records if r.parent is None]
        scorer.add(run.text, run.gold, predicted)
    summary = scorer.summary()
    out = {role: summary["roles"][role]["overlap"] for role in ev.ROLES}
    out["relation"] = summary["relation"]["overlap"]
    return out


# ------------------------------------------------------------------------------------------ model


class Vectorizer:
    """Feature dicts to a dense matrix: numbers standardised, indicators seen in ``min_count`` rows kept."""

    def __init__(self, rows: list[dict[str, float]], min_count: int, lexical: bool):
        counts: dict[str, int] = {}
        for row in rows:
            for name in row:
                if name not in NUMERIC:
                    counts[name] = counts.get(name, 0) + 1
        self.lexical = lexical
        self.indicators = sorted(n for n, c in counts.items() if c >= min_count and self._use(n))
        self.names = list(NUMERIC) + self.indicators
        self.index = {n: i for i, n in enumerate(self.names)}
        raw = self._raw(rows)
        self.mean = raw.mean(axis=0)
        self.scale = raw.std(axis=0)
        self.scale[self.scale == 0] = 1.0
        self.mean[len(NUMERIC) :] = 0.0  # indicators stay 0/1: their weights then need no unfolding
        self.scale[len(NUMERIC) :] = 1.0

    def _use(self, name: str) -> bool:
        return self.lexical or not name.startswith(("lemma=", "lemma_method="))

    def _raw(self, rows: list[dict[str, float]]) -> np.ndarray:
        matrix = np.zeros((len(rows), len(self.names)))
        for r, row in enumerate(rows):
            for name, value in row.items():
                j = self.index.get(name)
                if j is not None:
                    matrix[r, j] = value
        return matrix

    def transform(self, rows: list[dict[str, float]]) -> np.ndarray:
        return (self._raw(rows) - self.mean) / self.scale

    def unfold(self, coef: np.ndarray, intercept: float) -> tuple[dict[str, float], float]:
        """Weights on the raw feature values (what the runtime multiplies), and the matching bias."""
        raw = coef / self.scale
        bias = intercept - float(np.sum(raw * self.mean))
        return {n: float(w) for n, w in zip(self.names, raw, strict=True)}, bias


@dataclass(frozen=True)
class Config:
    c: float
    min_count: int
    lexical: bool


def fit(rows: list[dict[str, float]], labels: list[int], config: Config) -> tuple[Vectorizer, Any]:
    from sklearn.linear_model import LogisticRegression

    vectorizer = Vectorizer(rows, config.min_count, config.lexical)
    model = LogisticRegression(C=config.c, max_iter=2000)
    model.fit(vectorizer.transform(rows), np.asarray(labels))
    return vectorizer, model


def oof_probabilities(
    runs: list[ArticleRun], config: Config, folds: int, seed: int
) -> tuple[list[list[float]], float]:
    """Out-of-fold probability of every cued record (folds by article) and the scored rows' log loss."""
    rng = np.random.default_rng(seed)
    fold_of = rng.permutation(len(runs)) % folds
    probabilities: list[list[float]] = [[1.0] * len(r.records) for r in runs]
    losses: list[float] = []
    for fold in range(folds):
        rows, labels = [], []
        for i, run in enumerate(runs):
            if fold_of[i] == fold:
                continue
            for feats, label in zip(run.features, run.labels, strict=True):
                if feats is not None and label is not None:
                    rows.append(feats)
                    labels.append(label)
        vectorizer, model = fit(rows, labels, config)
        for i, run in enumerate(runs):
            if fold_of[i] != fold:
                continue
            cued = [k for k, f in enumerate(run.features) if f is not None]
            if not cued:
                continue
            p = model.predict_proba(vectorizer.transform([run.features[k] for k in cued]))[:, 1]  # type: ignore[misc]
            for k, value in zip(cued, p, strict=True):
                probabilities[i][k] = float(value)
                label = run.labels[k]
                if label is not None:
                    q = min(max(float(value), 1e-9), 1 - 1e-9)
                    losses.append(-math.log(q if label else 1 - q))
    return probabilities, float(np.mean(losses))


def export(vectorizer: Vectorizer, model: Any, threshold: float, info: dict[str, Any]) -> str:
    """The JSON the runtime reads: sorted keys, rounded numbers, zero weights left out (byte-stable)."""
    weights, bias = vectorizer.unfold(model.coef_[0], float(model.intercept_[0]))
    data = {
        "format": FORMAT,
        "bias": round(bias, 6),
        "threshold": round(threshold, 4),
        "weights": {n: round(w, 6) for n, w in sorted(weights.items()) if round(w, 6) != 0.0},
        "trained_on": info,
    }
    return json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def _f(prf: dict[str, Any]) -> str:
    return f"P {prf['p']:.3f} R {prf['r']:.3f} F1 {prf['f1']:.3f}"


def held_out_names(names: list[str], seed: int = 13, fraction: float = 0.05) -> set[str]:
    """The train articles the shipped encoder never trained on (``attribution_data.split_validation``)."""
    order = np.random.default_rng(seed).permutation(len(names))
    return {names[i] for i in order[: max(1, round(len(names) * fraction))].tolist()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0] if __doc__ else None)
    parser.add_argument("--limit", type=int, default=None, help="only the first N train articles")
    parser.add_argument("--refresh", action="store_true", help="rerun the pipeline, ignoring the cache")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--dry-run", action="store_true", help="print the CV numbers, write nothing")
    parser.add_argument("--out", type=Path, default=MODEL_PATH)
    args = parser.parse_args(argv)
    ev = load_eval_module("attribution")
    articles, _ = ev.load_polnear(DATA, "train", args.limit)
    started = time.perf_counter()
    docs = cached_docs(articles, args.refresh)
    print(f"pipeline: {len(docs)} train docs in {time.perf_counter() - started:.1f}s", flush=True)
    started = time.perf_counter()
    runs = build_runs(ev, articles, docs)
    rows = sum(1 for r in runs for label in r.labels if label is not None)
    positives = sum(1 for r in runs for label in r.labels if label)
    print(f"records: {rows} scored with a cue, {positives} right ({time.perf_counter() - started:.1f}s)")
    base = score(ev, runs, None, 0.0)
    print("unfiltered: " + "; ".join(f"{k} {_f(v)}" for k, v in base.items()), flush=True)

    # 1. the model: out-of-fold log loss over a small grid
    grid = [Config(c, m, lex) for lex in (False, True) for m in (5, 20) for c in (0.03, 0.1, 0.3, 1.0)]
    results = []
    for config in grid:
        probabilities, loss = oof_probabilities(runs, config, args.folds, args.seed)
        results.append((loss, config, probabilities))
        print(f"  {config}: OOF log loss {loss:.4f}", flush=True)
    loss, best, probabilities = min(results, key=lambda r: r[0])
    print(f"model: {best} (OOF log loss {loss:.4f})")

    # 2. the threshold: the scorer's cue and source F1 of the OOF-filtered predictions
    def objective(s: dict[str, Any]) -> float:
        return (s["cue"]["f1"] + s["source"]["f1"]) / 2

    chosen, chosen_scores = 0.0, base
    for threshold in [round(0.05 * k, 2) for k in range(1, 13)]:
        s = score(ev, runs, probabilities, threshold)
        allowed = (
            s["content"]["r"] >= base["content"]["r"] - CONTENT_RECALL_SLACK
            and s["content"]["f1"] >= base["content"]["f1"]
            and s["relation"]["f1"] >= base["relation"]["f1"]
        )
        print(
            f"  t={threshold:.2f}{'' if allowed else ' (not allowed)'}: "
            + "; ".join(f"{k} {_f(v)}" for k, v in s.items()),
            flush=True,
        )
        if allowed and objective(s) > objective(chosen_scores):
            chosen, chosen_scores = threshold, s
    print(f"threshold: {chosen} (OOF: " + "; ".join(f"{k} {_f(v)}" for k, v in chosen_scores.items()) + ")")
    held = held_out_names([a.name for a in articles])
    held_runs = [r for a, r in zip(articles, runs, strict=True) if a.name in held]
    held_p = [p for a, p in zip(articles, probabilities, strict=True) if a.name in held]
    if held_runs:
        for label, s in (
            ("before", score(ev, held_runs, None, 0.0)),
            ("after", score(ev, held_runs, held_p, chosen)),
        ):
            print(
                f"encoder-held-out slice ({len(held_runs)} articles) {label}: "
                + "; ".join(f"{k} {_f(v)}" for k, v in s.items())
            )
    if args.dry_run or chosen == 0.0:
        print("nothing written" + ("" if args.dry_run else ": no threshold beat the unfiltered records"))
        return 0

    all_rows = [
        f
        for r in runs
        for f, lab in zip(r.features, r.labels, strict=True)
        if f is not None and lab is not None
    ]
    all_labels = [
        lab
        for r in runs
        for f, lab in zip(r.features, r.labels, strict=True)
        if f is not None and lab is not None
    ]
    vectorizer, model = fit(all_rows, all_labels, best)  # type: ignore[arg-type]
    info = {
        "data": f"PolNeAR v1.0 train ({len(runs)} articles, {len(all_rows)} scored records)",
        "c": best.c,
        "min_count": best.min_count,
        "lexical": best.lexical,
        "cv": {k: v["f1"] for k, v in chosen_scores.items()},
        "cv_unfiltered": {k: v["f1"] for k, v in base.items()},
    }
    args.out.write_text(export(vectorizer, model, chosen, info), encoding="utf-8")
    print(f"wrote {args.out} ({len(vectorizer.names)} features)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
