"""Check-worthy claims: ClaimBuster (F1 of the check-worthy class) and CLEF-2019 CheckThat! Task 1 (MAP).

Run ``python eval/claims.py`` (``--data-dir DIR``, ``--systems sayso,baseline_tfidf_lr``, ``--limit N``,
``--json OUT``). ``evaluate()`` returns the same numbers as a dict with a flat ``metrics`` dict per system
(``claimbuster_f1``, ``claimbuster_p``, ``claimbuster_r``, ``claimbuster_ap``, ``clef_map``, ``clef_rr``,
``clef_r_precision``, ``clef_p_at_10``).

Data and the dev splits
-----------------------
* **ClaimBuster** (``<data>/claimbuster_claimspotter/kfold_25ncs_train.csv``; columns ``sentence_id``,
  ``screening``, ``label`` (1 = check-worthy factual sentence), ``text``). The project's held-out test
  (``sentence_id % 5 == 0``) is not in the data folder. **Dev split** (:func:`claimbuster_dev_ids`):
  stratified 20 %: within each label, sentences are ordered by ``sha256("sayso-claimbuster-dev:<id>")``
  and the first ``round(0.2 * n)`` are dev (1,537 of 7,684: 438 positive, 1,099 negative). Fixed, no
  random state, exactly stratified.
* **CLEF-2019 CheckThat! Task 1** (``<data>/clef2019_checkthat_task1/training/*.tsv``; one debate or
  speech per file, rows ``line \\t speaker \\t text \\t label``). The official test part is held out.
  **Dev split** (:func:`clef_dev_files`): leave debates out: the last 6 files by sorted file name
  (``20180916_trump_miami`` ... ``20190108_oval_office``: 3,212 sentences, 103 check-worthy), the other
  13 train the baseline. Whole debates stay on one side, as in the official train/test split.

Metrics
-------
* ClaimBuster: precision, recall and F1 of the positive (check-worthy) class, a sentence being predicted
  positive when its score is >= 0.5 (0/0 counts as 0). ``claimbuster_ap`` (average precision of the
  ranking by score, threshold-free) is reported too.
* CLEF (the official ``scorer/main.py`` of ``apepa/clef2019-factchecking-task1``): per debate, lines are
  ranked by score, highest first; ties keep line order (the official scorer sorts the submission, which
  is in line order, with a stable sort). Average precision = sum over the ranks k of check-worthy lines
  of (check-worthy lines in the top k) / k, divided by the debate's number of check-worthy lines (0 for
  a debate without any). ``clef_map`` is its mean over debates; ``clef_rr`` the mean reciprocal rank of
  the first check-worthy line, ``clef_r_precision`` the mean precision in the top R (R = check-worthy
  lines in the debate), ``clef_p_at_10`` the mean precision in the top 10. Note that a constant scorer
  (every line 0, i.e. sayso today) gets the AP of the debate's own line order, which is not 0 (the dev
  debates include two short speeches with many check-worthy lines); the result reports it as
  ``clef.map_constant_scorer`` (and ClaimBuster's positive rate, a constant scorer's AP), so a system
  is judged against that floor rather than against 0.

Systems
-------
* ``sayso``: sentences are joined into sayso/1 texts with :func:`sentences_to_text` (one sentence a
  line, in chunks of :data:`CHUNK` sentences; a CLEF chunk never spans two debates), analysed with
  ``Analyzer.analyze_many`` with the ``sayso_claims`` threshold set to 0 (every sentence is a claim with
  its score; the default 0.5 only decides which sentences a user sees), and a sentence's score is the
  largest ``checkworthiness`` of the ``analysis.claims`` that overlap its characters (0 when none). A
  chunk sayso skips scores 0. ``checkworthiness`` is exactly what a user gets: the ``sayso_claims`` blend
  of the encoder's ``checkworthy`` head with the lexical model (``sayso._lexical``; the scorer leaves the
  component's ``lexical`` setting alone), or the encoder alone where the lexical file is missing; the
  result says which (``checkworthiness``).
* ``baseline_tfidf_lr``: TF-IDF of word 1-2-grams (sublinear tf, ``min_df=2``) + logistic regression
  (balanced class weights), fit on the non-dev part of each dataset; the score is the positive-class
  probability. Nothing is tuned on dev.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CLAIMBUSTER = "claimbuster_claimspotter"
CLEF = "clef2019_checkthat_task1"
SYSTEMS = ("sayso", "baseline_tfidf_lr")
DEV_FRACTION = 0.2
CLEF_DEV_DEBATES = 6
#: Sentences per sayso text: long enough to look like an article, short enough to parse in small batches.
CHUNK = 40
THRESHOLD = 0.5

Scorer = Callable[[Sequence[Sequence[str]]], list[list[float]]]
"""A system: groups of sentences (a dataset's documents) -> one score in 0..1 per sentence."""


# ------------------------------------------------------------------------------------------ data


@dataclass
class Sentence:
    """One labelled sentence; ``doc`` is its debate (CLEF) or ``""`` (ClaimBuster)."""

    id: str
    text: str
    label: int
    doc: str = ""


def _root(data_dir: Path | str | None) -> Path:
    if data_dir is None:
        from sayso.settings import data_dir as default_data_dir

        data_dir = default_data_dir()
    return Path(data_dir)


def load_claimbuster(data_dir: Path | str | None = None) -> list[Sentence]:
    """The ClaimBuster training file as sentences (id = ``sentence_id``)."""
    path = _root(data_dir) / CLAIMBUSTER / "kfold_25ncs_train.csv"
    with open(path, encoding="utf-8", newline="") as f:
        return [Sentence(row["sentence_id"], row["text"], int(row["label"])) for row in csv.DictReader(f)]


def _hash(sentence_id: str) -> str:
    return hashlib.sha256(f"sayso-claimbuster-dev:{sentence_id}".encode()).hexdigest()


def claimbuster_dev_ids(sentences: Sequence[Sentence]) -> set[str]:
    """The stratified 20 % dev split: per label, the first ``round(0.2 n)`` ids in seeded-hash order."""
    dev: set[str] = set()
    for label in sorted({s.label for s in sentences}):
        ids = sorted((s.id for s in sentences if s.label == label), key=_hash)
        dev.update(ids[: round(DEV_FRACTION * len(ids))])
    return dev


def clef_files(data_dir: Path | str | None = None) -> list[Path]:
    """The CLEF training debates, sorted by file name."""
    return sorted((_root(data_dir) / CLEF / "training").glob("*.tsv"), key=lambda p: p.name)


def clef_dev_files(data_dir: Path | str | None = None) -> list[str]:
    """Leave-debates-out dev split: the names of the last 6 debate files by sorted name."""
    return [p.name for p in clef_files(data_dir)[-CLEF_DEV_DEBATES:]]


def load_clef(data_dir: Path | str | None = None) -> dict[str, list[Sentence]]:
    """Debate file name -> its sentences in line order (id = line number)."""
    debates: dict[str, list[Sentence]] = {}
    for path in clef_files(data_dir):
        rows = []
        with open(path, encoding="utf-8", newline="") as f:
            for line in f.read().splitlines():
                if line.strip():
                    number, _speaker, text, label = line.split("\t")
                    rows.append(Sentence(number, text, int(label), path.name))
        debates[path.name] = rows
    return debates


# ------------------------------------------------------------------------------------------ metrics


def positive_f1(
    labels: Sequence[int], scores: Sequence[float], threshold: float = THRESHOLD
) -> dict[str, float]:
    """P/R/F1 of the positive class, predicting positive when score >= threshold (0/0 -> 0)."""
    tp = sum(1 for y, s in zip(labels, scores, strict=True) if y == 1 and s >= threshold)
    fp = sum(1 for y, s in zip(labels, scores, strict=True) if y != 1 and s >= threshold)
    fn = sum(1 for y, s in zip(labels, scores, strict=True) if y == 1 and s < threshold)
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return {"p": p, "r": r, "f1": 2 * p * r / (p + r) if p + r else 0.0, "tp": tp, "fp": fp, "fn": fn}


def ranking(scores: Sequence[float]) -> list[int]:
    """Indices by score, highest first; ties keep input order (Python's sort is stable)."""
    return sorted(range(len(scores)), key=lambda i: -scores[i])


def average_precision(labels: Sequence[int], scores: Sequence[float]) -> float:
    """The official CLEF-2019 AP of one ranked list (0 when it has no positive)."""
    positives = sum(1 for y in labels if y == 1)
    if not positives:
        return 0.0
    found, total = 0, 0.0
    for k, i in enumerate(ranking(scores), 1):
        if labels[i] == 1:
            found += 1
            total += found / k
    return total / positives


def reciprocal_rank(labels: Sequence[int], scores: Sequence[float]) -> float:
    """1 / rank of the first positive (0 when none)."""
    for k, i in enumerate(ranking(scores), 1):
        if labels[i] == 1:
            return 1.0 / k
    return 0.0


def precision_at(labels: Sequence[int], scores: Sequence[float], k: int) -> float:
    """Positives in the top k, divided by k (0 for k = 0)."""
    if k <= 0:
        return 0.0
    return sum(1 for i in ranking(scores)[:k] if labels[i] == 1) / k


def clef_scores(debates: Sequence[tuple[Sequence[int], Sequence[float]]]) -> dict[str, float]:
    """Mean AP (MAP), RR, R-precision and P@10 over debates, each ``(labels, scores)`` in line order."""
    if not debates:
        return {"map": 0.0, "rr": 0.0, "r_precision": 0.0, "p_at_10": 0.0}
    n = len(debates)
    return {
        "map": sum(average_precision(y, s) for y, s in debates) / n,
        "rr": sum(reciprocal_rank(y, s) for y, s in debates) / n,
        "r_precision": sum(precision_at(y, s, sum(1 for v in y if v == 1)) for y, s in debates) / n,
        "p_at_10": sum(precision_at(y, s, 10) for y, s in debates) / n,
    }


# ------------------------------------------------------------------------------------------ systems


def sentences_to_text(sentences: Sequence[str]) -> tuple[str, list[tuple[int, int]]]:
    """Join sentences with ``\\n`` into one sayso/1 text; return it and each sentence's (start, end).

    ``text[start:end]`` is exactly the sentence (it is not stripped or changed), so any span sayso
    returns can be mapped back to the sentences it overlaps.
    """
    offsets: list[tuple[int, int]] = []
    position = 0
    for sentence in sentences:
        offsets.append((position, position + len(sentence)))
        position += len(sentence) + 1
    return "\n".join(sentences), offsets


def sentence_scores(
    offsets: Sequence[tuple[int, int]], claims: Sequence[tuple[int, int, float]]
) -> list[float]:
    """Per sentence, the largest check-worthiness of the claims ``(start, end, score)`` overlapping it."""
    scores = [0.0] * len(offsets)
    for cs, ce, value in claims:
        for i, (s, e) in enumerate(offsets):
            if min(ce, e) > max(cs, s):
                scores[i] = max(scores[i], value)
    return scores


def sayso_scorer(analyzer: Any = None, chunk: int = CHUNK) -> Scorer:
    """A :data:`Scorer` reading ``analysis.claims``; groups are cut into texts of ``chunk`` sentences."""

    def score(groups: Sequence[Sequence[str]]) -> list[list[float]]:
        nonlocal analyzer
        if analyzer is None:
            from sayso import Analyzer

            analyzer = Analyzer()
        nlp = getattr(analyzer, "nlp", None)  # a stand-in analyzer (tests) may have no pipeline
        if nlp is not None and "sayso_claims" in nlp.pipe_names:
            # every sentence becomes a claim with its score, so that rankings (CLEF MAP) see all of them
            nlp.get_pipe("sayso_claims").threshold = 0.0
        jobs: list[tuple[int, int, list[tuple[int, int]]]] = []  # (group, first sentence, offsets)
        texts: list[tuple[str, int]] = []
        for g, group in enumerate(groups):
            for first in range(0, len(group), chunk):
                text, offsets = sentences_to_text(group[first : first + chunk])
                texts.append((text, len(jobs)))
                jobs.append((g, first, offsets))
        out = [[0.0] * len(group) for group in groups]
        for analysis, job in analyzer.analyze_many(texts, as_tuples=True):
            g, first, offsets = jobs[job]
            claims = [(c.start, c.end, c.checkworthiness) for c in analysis.claims]
            for i, value in enumerate(sentence_scores(offsets, claims)):
                out[g][first + i] = value
        return out

    return score


def checkworthiness_source(analyzer: Any) -> str:
    """What ``analysis.claims`` scores come from: the encoder + lexical blend, or the encoder alone."""
    nlp = getattr(analyzer, "nlp", None)
    if nlp is None or "sayso_claims" not in nlp.pipe_names:
        return "unknown"
    from sayso._lexical import get_lexical_model

    blended = getattr(nlp.get_pipe("sayso_claims"), "lexical", False) and get_lexical_model() is not None
    return "encoder + lexical blend" if blended else "encoder"


def tfidf_lr_scorer(train_texts: Sequence[str], train_labels: Sequence[int]) -> Scorer:
    """A :data:`Scorer` from TF-IDF (word 1-2-grams) + balanced logistic regression fit on the given data."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    model = make_pipeline(
        TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True),
        LogisticRegression(C=1.0, class_weight="balanced", max_iter=2000),
    )
    model.fit(list(train_texts), list(train_labels))

    def score(groups: Sequence[Sequence[str]]) -> list[list[float]]:
        return [[float(p) for p in model.predict_proba(list(g))[:, 1]] if g else [] for g in groups]

    return score


def _average_precision_sklearn(labels: Sequence[int], scores: Sequence[float]) -> float:
    from sklearn.metrics import average_precision_score

    return float(average_precision_score(labels, scores)) if any(labels) else 0.0


# ------------------------------------------------------------------------------------------ evaluate


def evaluate(
    data_dir: Path | str | None = None,
    systems: Sequence[str] = SYSTEMS,
    limit: int | None = None,
    analyzer: Any = None,
) -> dict[str, Any]:
    """Score each system on both dev splits; ``limit`` keeps the first N dev sentences of each dataset.

    For CLEF the limit applies per debate in order (the first debates, cut at N sentences in all).
    Returns dataset facts and, per system, ``claimbuster`` and ``clef`` details, ``seconds`` and
    ``metrics``.
    """
    unknown = [s for s in systems if s not in SYSTEMS]
    if unknown:
        raise ValueError(f"unknown system(s) {', '.join(unknown)}; choose from {', '.join(SYSTEMS)}")
    cb = load_claimbuster(data_dir)
    cb_dev_ids = claimbuster_dev_ids(cb)
    cb_dev = [s for s in cb if s.id in cb_dev_ids]
    cb_train = [s for s in cb if s.id not in cb_dev_ids]
    debates = load_clef(data_dir)
    dev_names = set(clef_dev_files(data_dir))
    clef_train = [s for name, rows in debates.items() if name not in dev_names for s in rows]
    clef_dev: list[list[Sentence]] = [rows for name, rows in debates.items() if name in dev_names]
    if limit is not None:
        cb_dev = cb_dev[:limit]
        kept, left = [], limit
        for rows in clef_dev:
            if left <= 0:
                break
            kept.append(rows[:left])
            left -= len(kept[-1])
        clef_dev = kept
    result: dict[str, Any] = {
        "claimbuster": {
            "dataset": "ClaimBuster (ClaimSpotter kfold_25ncs) training file, stratified 20% dev split",
            "dev_sentences": len(cb_dev),
            "dev_positive": sum(s.label for s in cb_dev),
            "train_sentences": len(cb_train),
            "positive_rate": sum(s.label for s in cb_dev) / len(cb_dev) if cb_dev else 0.0,
        },
        "clef": {
            "dataset": f"CLEF-2019 CheckThat! Task 1 training part, last {CLEF_DEV_DEBATES} debates as dev",
            "dev_debates": [rows[0].doc for rows in clef_dev if rows],
            "dev_sentences": sum(len(rows) for rows in clef_dev),
            "dev_positive": sum(s.label for rows in clef_dev for s in rows),
            "train_sentences": len(clef_train),
            "map_constant_scorer": clef_scores(
                [([s.label for s in rows], [0.0] * len(rows)) for rows in clef_dev]
            )["map"],
        },
        "systems": {},
    }
    for system in systems:
        t0 = time.perf_counter()
        info: dict[str, Any] = {}
        if system == "sayso":
            if analyzer is None:
                from sayso import Analyzer

                analyzer = Analyzer()
            cb_scorer = clef_scorer = sayso_scorer(analyzer)
        else:
            cb_scorer = tfidf_lr_scorer([s.text for s in cb_train], [s.label for s in cb_train])
            clef_scorer = tfidf_lr_scorer([s.text for s in clef_train], [s.label for s in clef_train])
        # ClaimBuster sentences are independent: score them in chunks as if they were articles.
        cb_scores = [v for g in cb_scorer([[s.text for s in cb_dev]]) for v in g]
        cb_labels = [s.label for s in cb_dev]
        cb_result: dict[str, Any] = positive_f1(cb_labels, cb_scores)
        cb_result["ap"] = _average_precision_sklearn(cb_labels, cb_scores)
        clef_score_lists = clef_scorer([[s.text for s in rows] for rows in clef_dev])
        per_debate = [
            ([s.label for s in rows], sc) for rows, sc in zip(clef_dev, clef_score_lists, strict=True)
        ]
        clef_result: dict[str, Any] = clef_scores(per_debate)
        clef_result["per_debate_ap"] = {
            rows[0].doc: average_precision(y, sc)
            for rows, (y, sc) in zip(clef_dev, per_debate, strict=True)
            if rows
        }
        info["scored_fraction"] = round(
            sum(1 for v in [*cb_scores, *(v for sc in clef_score_lists for v in sc)] if v > 0)
            / max(1, len(cb_scores) + sum(len(sc) for sc in clef_score_lists)),
            4,
        )
        if system == "sayso":
            info["model"] = getattr(analyzer, "model_id", None) or "default Analyzer"
            info["checkworthiness"] = checkworthiness_source(analyzer)
        result["systems"][system] = {
            "claimbuster": cb_result,
            "clef": clef_result,
            "seconds": round(time.perf_counter() - t0, 2),
            **info,
            "metrics": flat_metrics(cb_result, clef_result),
        }
    return result


def flat_metrics(cb: Mapping[str, Any], clef: Mapping[str, Any]) -> dict[str, float]:
    """``claimbuster_{f1,p,r,ap}`` and ``clef_{map,rr,r_precision,p_at_10}``."""
    metrics = {f"claimbuster_{k}": float(cb[k]) for k in ("f1", "p", "r", "ap")}
    metrics.update({f"clef_{k}": float(clef[k]) for k in ("map", "rr", "r_precision", "p_at_10")})
    return metrics


def format_table(result: Mapping[str, Any]) -> str:
    """One line per system: ClaimBuster P/R/F1/AP and CLEF MAP/RR/R-P/P@10, seconds."""
    cb, clef = result["claimbuster"], result["clef"]
    lines = [
        f"ClaimBuster dev: {cb['dev_sentences']} sentences ({cb['dev_positive']} check-worthy); "
        f"CLEF dev: {len(clef['dev_debates'])} debates, {clef['dev_sentences']} sentences "
        f"({clef['dev_positive']} check-worthy)",
        f"{'system':<20}{'CB P':>7}{'CB R':>7}{'CB F1':>7}{'CB AP':>7}{'MAP':>7}{'RR':>7}{'R-P':>7}"
        f"{'P@10':>7}{'sec':>8}",
    ]
    keys = ("claimbuster_p", "claimbuster_r", "claimbuster_f1", "claimbuster_ap")
    keys += ("clef_map", "clef_rr", "clef_r_precision", "clef_p_at_10")
    for name, s in result["systems"].items():
        cells = "".join(f"{s['metrics'][k]:>7.3f}" for k in keys)
        lines.append(f"{name:<20}{cells}{s['seconds']:>8.1f}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--data-dir", default=None, help="shared data folder (default: sayso.settings.data_dir())"
    )
    parser.add_argument(
        "--systems", default=",".join(SYSTEMS), help=f"comma-separated, from {', '.join(SYSTEMS)}"
    )
    parser.add_argument(
        "--limit", type=int, default=None, help="score only the first N dev sentences per dataset"
    )
    parser.add_argument(
        "--json", dest="json_out", default=None, help="also write the full result as JSON here"
    )
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    result = evaluate(args.data_dir, [s for s in args.systems.split(",") if s], args.limit)
    result["total_seconds"] = round(time.perf_counter() - t0, 2)
    print(format_table(result))
    print(f"total {result['total_seconds']}s")
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
