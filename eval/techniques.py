"""Persuasion techniques on PTC (SemEval-2020 Task 11): span identification (SI) and labelling (TC).

Run ``python eval/techniques.py`` (``--data-dir DIR``, ``--systems sayso,baseline_tfidf_lr,...``,
``--limit N``, ``--json OUT``). ``evaluate()`` returns the same numbers as a dict with a flat ``metrics``
dict per system (``si_f1``, ``si_p``, ``si_r``, ``tc_micro_f1``, ``tc_macro_f1``, ...).

Data and the dev split
----------------------
* **Gold**: the labelled PTC v2 training part in ``<data>/ptc_semeval2020_task11/train`` (297 of the
  371 official training articles; the other 74, listed in ``heldout_article_ids.txt``, are this project's
  held-out test and their labels are not in the data folder). Offsets are code points into the article
  file read as UTF-8 with ``newline=""`` (the files have no ``\\r``; reading them untranslated keeps it so).
  SI gold is ``labels-si`` (one row per propaganda fragment); TC gold is ``labels-tc`` (one row per
  (technique, fragment); the same fragment can carry several techniques).
* **Dev split** (:func:`dev_article_ids`): sort the ids of the labelled training articles as integers,
  drop any id listed in ``heldout_article_ids.txt``, and take every 5th id (1-based positions 5, 10,
  15, ...): 59 dev articles, 238 training articles. Fixed, needs no random seed, and keeps the outlets
  mixed (ids are roughly in crawl order). The baselines are trained on the non-dev articles only; nothing
  is tuned on dev. Dev numbers are **not** comparable with the official SemEval test set.

Metrics (the official SemEval-2020 Task 11 scorers, re-implemented)
-------------------------------------------------------------------
* **SI** (``task-SI_scorer.py``, ``compute_score_pr``): per article, overlapping gold spans are merged
  (the scorer always merges gold), and so are overlapping predicted spans (the scorer's ``-m`` option;
  without it an overlapping submission is rejected). Two spans overlap when they share at least one
  character; spans that only touch are *not* merged. Then, with S the predicted and T the gold spans
  of all articles, and ``C(s, t, h) = |s ∩ t| / h`` (characters)::

      P = Σ_{s∈S, t∈T, same article} C(s, t, |s|) / |S|
      R = Σ_{s∈S, t∈T, same article} C(s, t, |t|) / |T|
      F1 = 2PR / (P + R);  F1 = 1 when |S| = |T| = 0;  P (R) = 0 when |S| (|T|) = 0

  Note the sum over *all* overlapping pairs (not a max): a prediction covering two gold fragments
  collects credit from both. Empty spans (``start >= end``) are dropped (the scorer refuses them).
* **TC** (``task-TC_scorer.py``): the system gets the gold fragments and returns one technique per gold
  row; rows with the same span are aligned so that the number of correct labels is maximal (the scorer's
  ``align_annotations``), and the score is sklearn's micro-averaged F1 over rows, which equals accuracy
  when every row gets a label. Here: per (article, start, end), correct = size of the multiset
  intersection of gold and predicted labels; ``P = correct / predicted rows``, ``R = correct / gold
  rows``; a gold row without a prediction is a miss (so a system that answers nothing scores 0 instead
  of being rejected). ``tc_macro_f1`` (mean per-technique F1 over the 14 techniques) is reported too.

Systems
-------
* ``sayso``: ``Analyzer.analyze_many`` on the article text, reading ``analysis.techniques``
  (``[span + {technique, score}]``; sayso's short names are mapped back to PTC's by
  ``sayso.components.rhetoric.PTC_TO_SAYSO``). SI uses every technique span. TC uses sayso's "classify
  this given span" entry point, ``sayso.components.rhetoric.classify_spans``: the article is parsed, and
  for each gold fragment with k gold rows the answer is the k most probable techniques of the span head
  pooled over the fragment in its context. The end-to-end variant (for each gold fragment, the techniques
  of sayso's own spans that overlap it, best first by character Jaccard overlap, then score) is reported
  as ``info.tc_end_to_end_micro_f1``.
* ``baseline_loaded_language``: TC only; every gold row is labelled ``loaded_language`` (the majority
  class; about 0.32 micro-F1 on the official test set).
* ``baseline_tfidf_lr``: SI: a sentence classifier (TF-IDF of word 1-2-grams, logistic regression,
  balanced class weights, threshold 0.5) over the article's lines (PTC has one sentence per line; the
  title is line 1); a line is positive in training when it overlaps an SI gold span, and each line
  predicted positive becomes one predicted span (the line without surrounding whitespace). TC: TF-IDF of
  word 1-2-grams plus character 2-5-grams of the gold fragment text, logistic regression; a fragment
  with k gold rows gets the k most probable techniques.

Techniques are compared by their snake_case names (:func:`snake_case`: lower case, runs of other
characters than letters and digits become ``_``), e.g. ``Name_Calling,Labeling`` ->
``name_calling_labeling``; :data:`TECHNIQUES` lists the 14.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DATASET = "ptc_semeval2020_task11"
#: The 14 SemEval-2020 Task 11 techniques, snake_case (as sayso writes them) -> PTC label.
TECHNIQUES: dict[str, str] = {}  # filled below from PTC_LABELS
PTC_LABELS = (
    "Appeal_to_Authority",
    "Appeal_to_fear-prejudice",
    "Bandwagon,Reductio_ad_hitlerum",
    "Black-and-White_Fallacy",
    "Causal_Oversimplification",
    "Doubt",
    "Exaggeration,Minimisation",
    "Flag-Waving",
    "Loaded_Language",
    "Name_Calling,Labeling",
    "Repetition",
    "Slogans",
    "Thought-terminating_Cliches",
    "Whataboutism,Straw_Men,Red_Herring",
)
SYSTEMS = ("sayso", "baseline_loaded_language", "baseline_tfidf_lr")
DEV_EVERY = 5

Span = tuple[int, int]


def snake_case(label: str) -> str:
    """PTC label -> sayso's snake_case technique name (``Flag-Waving`` -> ``flag_waving``)."""
    return re.sub(r"[^0-9a-z]+", "_", label.lower()).strip("_")


TECHNIQUES.update({snake_case(label): label for label in PTC_LABELS})


# ------------------------------------------------------------------------------------------ data


@dataclass
class PtcArticle:
    """One labelled article: its text, SI gold spans and TC gold rows ``(technique, start, end)``."""

    id: str
    text: str
    si: list[Span] = field(default_factory=list)
    tc: list[tuple[str, int, int]] = field(default_factory=list)


def _root(data_dir: Path | str | None) -> Path:
    if data_dir is None:
        from sayso.settings import data_dir as default_data_dir

        data_dir = default_data_dir()
    root = Path(data_dir)
    return root / DATASET if (root / DATASET).is_dir() else root


def heldout_article_ids(data_dir: Path | str | None = None) -> set[str]:
    """Ids of the project's held-out test articles (their labels are not in the data folder)."""
    path = _root(data_dir) / "heldout_article_ids.txt"
    if not path.is_file():
        return set()
    return {line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()}


def labelled_article_ids(data_dir: Path | str | None = None) -> list[str]:
    """Ids of the labelled training articles minus the held-out ones, sorted as integers."""
    folder = _root(data_dir) / "train" / "articles"
    ids = [
        m.group(1) for p in folder.glob("article*.txt") if (m := re.fullmatch(r"article(\d+)\.txt", p.name))
    ]
    heldout = heldout_article_ids(data_dir)
    return sorted((i for i in ids if i not in heldout), key=int)


def dev_article_ids(data_dir: Path | str | None = None) -> list[str]:
    """The fixed dev split: every 5th labelled training article id (positions 5, 10, ...) in integer order.

    Held-out ids are excluded before counting, so the split only depends on the labelled part.
    """
    return labelled_article_ids(data_dir)[DEV_EVERY - 1 :: DEV_EVERY]


def train_article_ids(data_dir: Path | str | None = None) -> list[str]:
    """The labelled training articles that are not in the dev split (what baselines may train on)."""
    dev = set(dev_article_ids(data_dir))
    return [i for i in labelled_article_ids(data_dir) if i not in dev]


def load_articles(ids: Iterable[str], data_dir: Path | str | None = None) -> list[PtcArticle]:
    """Read the articles and their SI/TC labels (a missing label file means no spans)."""
    train = _root(data_dir) / "train"
    articles = []
    for article_id in ids:
        with open(train / "articles" / f"article{article_id}.txt", encoding="utf-8", newline="") as f:
            article = PtcArticle(article_id, f.read())
        si_file = train / "labels-si" / f"article{article_id}.task1-SI.labels"
        if si_file.is_file():
            for line in si_file.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    _, start, end = line.split("\t")
                    article.si.append((int(start), int(end)))
        tc_file = train / "labels-tc" / f"article{article_id}.task2-TC.labels"
        if tc_file.is_file():
            for line in tc_file.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    _, label, start, end = line.split("\t")
                    article.tc.append((snake_case(label), int(start), int(end)))
        articles.append(article)
    return articles


# ------------------------------------------------------------------------------------------ metrics


def merge_overlapping(spans: Iterable[Span]) -> list[Span]:
    """Merge spans sharing at least one character (touching spans stay apart); drop empty spans; sort."""
    merged: list[list[int]] = []
    for start, end in sorted(s for s in spans if s[0] < s[1]):
        if merged and start < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(s, e) for s, e in merged]


def prf(p_num: float, p_den: int, r_num: float, r_den: int) -> tuple[float, float, float]:
    """The official ``compute_prec_rec_f1``: 0 for an empty denominator, F1 = 1 when both are empty."""
    p = p_num / p_den if p_den > 0 else 0.0
    r = r_num / r_den if r_den > 0 else 0.0
    f1 = 0.0
    if p_den == 0 and r_den == 0:
        f1 = 1.0
    if p > 0 and r > 0:
        f1 = 2 * p * r / (p + r)
    return p, r, f1


@dataclass
class SiCounts:
    """Running sums of the SI formula over articles (see the module docstring)."""

    p_num: float = 0.0
    n_pred: int = 0
    r_num: float = 0.0
    n_gold: int = 0

    def add(self, predicted: Iterable[Span], gold: Iterable[Span]) -> None:
        """Add one article: both span lists are merged first, as the official scorer does."""
        pred, ref = merge_overlapping(predicted), merge_overlapping(gold)
        self.n_pred += len(pred)
        self.n_gold += len(ref)
        for ps, pe in pred:
            for gs, ge in ref:
                inter = min(pe, ge) - max(ps, gs)
                if inter > 0:
                    self.p_num += inter / (pe - ps)
                    self.r_num += inter / (ge - gs)

    def scores(self) -> dict[str, float | int]:
        p, r, f1 = prf(self.p_num, self.n_pred, self.r_num, self.n_gold)
        return {"p": p, "r": r, "f1": f1, "predicted_spans": self.n_pred, "gold_spans": self.n_gold}


def si_scores(
    predicted: Mapping[str, Iterable[Span]], gold: Mapping[str, Iterable[Span]]
) -> dict[str, float | int]:
    """SI P/R/F1 over articles; ``predicted`` and ``gold`` map article id -> spans."""
    counts = SiCounts()
    for article_id in sorted(set(gold) | set(predicted)):
        counts.add(predicted.get(article_id, ()), gold.get(article_id, ()))
    return counts.scores()


def span_density(
    spans: Mapping[str, Iterable[Span]], lengths: Mapping[str, int], prefix: str
) -> dict[str, float]:
    """Merged spans per 1,000 characters of text and their mean length, as ``<prefix>_per_1k_chars`` and
    ``<prefix>_mean_chars``: how densely and how long a split (or a system) marks propaganda, which is what
    SI precision and recall depend on besides the system."""
    merged = [span for key, value in spans.items() for span in merge_overlapping(value) if key in lengths]
    chars = sum(lengths.values())
    return {
        f"{prefix}_per_1k_chars": 1000 * len(merged) / chars if chars else 0.0,
        f"{prefix}_mean_chars": sum(e - s for s, e in merged) / len(merged) if merged else 0.0,
    }


def si_f1_interval(
    predicted: Mapping[str, Iterable[Span]],
    gold: Mapping[str, Iterable[Span]],
    resamples: int = 2000,
    level: float = 0.95,
    seed: int = 0,
) -> tuple[float, float]:
    """Percentile bootstrap interval of SI F1, resampling whole articles with replacement.

    Why articles: annotation density differs a lot between PTC articles (a few articles hold many of the
    spans), so the article, not the span, is the unit a new sample of news would vary by. Seeded, so the
    printed interval is reproducible."""
    per_article = []
    for article_id in sorted(set(gold) | set(predicted)):
        counts = SiCounts()
        counts.add(predicted.get(article_id, ()), gold.get(article_id, ()))
        per_article.append(counts)
    if not per_article:
        return 0.0, 0.0
    rng = random.Random(seed)
    values = []
    for _ in range(resamples):
        total = SiCounts()
        for c in (rng.choice(per_article) for _ in per_article):
            total.p_num += c.p_num
            total.n_pred += c.n_pred
            total.r_num += c.r_num
            total.n_gold += c.n_gold
        values.append(float(total.scores()["f1"]))
    values.sort()
    tail = (1 - level) / 2
    return values[int(tail * (resamples - 1))], values[int((1 - tail) * (resamples - 1))]


TcRow = tuple[str, int, int, str]  # (article id, start, end, technique)


def tc_scores(predicted: Iterable[TcRow], gold: Iterable[TcRow]) -> dict[str, Any]:
    """TC micro P/R/F1 (rows of one span aligned for the most matches) and per-technique/macro F1."""
    gold_by: dict[tuple[str, int, int], Counter[str]] = defaultdict(Counter)
    pred_by: dict[tuple[str, int, int], Counter[str]] = defaultdict(Counter)
    for a, s, e, label in gold:
        gold_by[(a, s, e)][label] += 1
    for a, s, e, label in predicted:
        pred_by[(a, s, e)][label] += 1
    tp: Counter[str] = Counter()
    n_gold: Counter[str] = Counter()
    n_pred: Counter[str] = Counter()
    for key, labels in gold_by.items():
        n_gold.update(labels)
        tp.update(labels & pred_by.get(key, Counter()))
    for labels in pred_by.values():
        n_pred.update(labels)
    correct, g, pr = sum(tp.values()), sum(n_gold.values()), sum(n_pred.values())
    p, r, f1 = prf(correct, pr, correct, g)
    if g == 0 and pr == 0:
        f1 = 0.0  # nothing to classify: report 0, not a perfect score
    per_technique = {}
    for name in sorted(set(TECHNIQUES) | set(n_gold) | set(n_pred)):
        tp_t = tp[name]
        pt = tp_t / n_pred[name] if n_pred[name] else 0.0
        rt = tp_t / n_gold[name] if n_gold[name] else 0.0
        per_technique[name] = {
            "f1": 2 * pt * rt / (pt + rt) if pt + rt else 0.0,
            "gold": n_gold[name],
            "predicted": n_pred[name],
        }
    in_gold = [v["f1"] for k, v in per_technique.items() if n_gold[k]]
    return {
        "p": p,
        "r": r,
        "micro_f1": f1,
        "macro_f1": sum(in_gold) / len(in_gold) if in_gold else 0.0,
        "correct": correct,
        "gold_rows": g,
        "predicted_rows": pr,
        "per_technique": per_technique,
    }


def gold_tc_rows(articles: Sequence[PtcArticle]) -> list[TcRow]:
    return [(a.id, s, e, label) for a in articles for label, s, e in a.tc]


def _gold_fragments(articles: Sequence[PtcArticle]) -> list[tuple[PtcArticle, int, int, int]]:
    """Distinct gold TC fragments ``(article, start, end, rows)`` in file order (rows: how many labels)."""
    out = []
    for a in articles:
        rows = Counter((s, e) for _, s, e in a.tc)
        for (s, e), k in rows.items():
            out.append((a, s, e, k))
    return out


# ------------------------------------------------------------------------------------------ systems


@dataclass
class SystemOutput:
    """What a system answered: SI spans per article (None: no SI answer) and TC rows (None: no TC)."""

    si: dict[str, list[Span]] | None
    tc: list[TcRow] | None
    seconds: float
    info: dict[str, Any] = field(default_factory=dict)


def tc_from_spans(
    fragments: Sequence[tuple[str, int, int, int]], spans: Mapping[str, Sequence[tuple[int, int, str, float]]]
) -> list[TcRow]:
    """TC answers of an end-to-end system: per gold fragment, the techniques of overlapping system spans.

    ``fragments`` are ``(article, start, end, k)``; ``spans`` maps article -> ``(start, end, technique,
    score)``. The k distinct techniques best by (character Jaccard with the fragment, score) are returned.
    """
    rows: list[TcRow] = []
    for article_id, s, e, k in fragments:
        ranked: list[tuple[float, float, str]] = []
        for ps, pe, technique, score in spans.get(article_id, ()):
            inter = min(e, pe) - max(s, ps)
            if inter > 0:
                ranked.append((inter / (max(e, pe) - min(s, ps)), score, technique))
        seen: list[str] = []
        for _, _, technique in sorted(ranked, reverse=True):
            if technique not in seen:
                seen.append(technique)
        rows.extend((article_id, s, e, t) for t in seen[:k])
    return rows


def run_sayso(articles: Sequence[PtcArticle], analyzer: Any = None) -> SystemOutput:
    """SI from ``analysis.techniques``; TC by sayso's span classifier on the gold fragments.

    An article sayso skips answers nothing. ``info["tc_end_to_end"]`` also scores TC the end-to-end way
    (the techniques of sayso's own spans overlapping each gold fragment, :func:`tc_from_spans`).
    """
    from sayso import Analyzer
    from sayso.components.rhetoric import PTC_TO_SAYSO, classify_spans

    to_ptc = {v: k for k, v in PTC_TO_SAYSO.items()}
    t0 = time.perf_counter()
    if analyzer is None:
        analyzer = Analyzer()
    spans: dict[str, list[tuple[int, int, str, float]]] = {a.id: [] for a in articles}
    analysed = 0
    for analysis, article_id in analyzer.analyze_many(((a.text, a.id) for a in articles), as_tuples=True):
        analysed += 1
        spans[article_id] = [
            (t.start, t.end, to_ptc.get(t.technique, t.technique), t.score) for t in analysis.techniques
        ]
    t_si = time.perf_counter() - t0
    # TC on the gold fragments: parse only (no sayso components), then the span head in context.
    fragments = _gold_fragments(articles)
    by_article: dict[str, list[tuple[int, int, int]]] = {}
    for a, s, e, k in fragments:
        by_article.setdefault(a.id, []).append((s, e, k))
    sayso_pipes = [n for n in analyzer.nlp.pipe_names if n.startswith("sayso_")]
    tc: list[TcRow] = []
    with analyzer.nlp.select_pipes(disable=sayso_pipes):
        docs = analyzer.nlp.pipe(a.text for a in articles)
        for a, doc in zip(articles, docs, strict=True):
            rows = by_article.get(a.id, [])
            for (s, e, k), dist in zip(rows, classify_spans(doc, [(s, e) for s, e, _ in rows]), strict=True):
                if dist:
                    best = sorted(dist, key=lambda name: -dist[name])[:k]
                    tc.extend((a.id, s, e, to_ptc.get(name, name)) for name in best)
    end_to_end = tc_scores(
        tc_from_spans([(a.id, s, e, k) for a, s, e, k in fragments], spans), gold_tc_rows(articles)
    )
    return SystemOutput(
        si={k: [(s, e) for s, e, _, _ in v] for k, v in spans.items()},
        tc=tc,
        seconds=time.perf_counter() - t0,
        info={
            "model": getattr(analyzer, "model_id", "?"),
            "skipped_articles": len(articles) - analysed,
            "technique_spans": sum(len(v) for v in spans.values()),
            "seconds_analysis": round(t_si, 1),
            "tc_end_to_end_micro_f1": round(float(end_to_end["micro_f1"]), 4),
        },
    )


def run_loaded_language(articles: Sequence[PtcArticle]) -> SystemOutput:
    """Every gold TC row answered ``loaded_language`` (the majority class)."""
    rows = [(a, s, e, "loaded_language") for a, s, e, _ in gold_tc_rows(articles)]
    return SystemOutput(si=None, tc=rows, seconds=0.0)


def sentence_spans(text: str) -> list[Span]:
    """The article's lines (PTC has one sentence per line) as spans without surrounding whitespace."""
    return [_strip(text, m.start(), m.end()) for m in re.finditer(r"[^\n]+", text) if m.group().strip()]


def _strip(text: str, start: int, end: int) -> Span:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def run_tfidf_lr(train: Sequence[PtcArticle], dev: Sequence[PtcArticle]) -> SystemOutput:
    """TF-IDF + logistic regression baselines (SI per sentence, TC per gold fragment), fit on ``train``."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import FeatureUnion, make_pipeline

    t0 = time.perf_counter()
    # SI: sentence classifier.
    texts: list[str] = []
    labels: list[int] = []
    for a in train:
        gold = merge_overlapping(a.si)
        for s, e in sentence_spans(a.text):
            texts.append(a.text[s:e])
            labels.append(int(any(min(e, ge) > max(s, gs) for gs, ge in gold)))
    si_model = make_pipeline(
        TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True),
        LogisticRegression(C=1.0, class_weight="balanced", max_iter=2000),
    )
    si_model.fit(texts, labels)
    si: dict[str, list[Span]] = {}
    for a in dev:
        spans = sentence_spans(a.text)
        if not spans:
            si[a.id] = []
            continue
        prob = si_model.predict_proba([a.text[s:e] for s, e in spans])[:, 1]
        si[a.id] = [span for span, p in zip(spans, prob, strict=True) if p >= 0.5]
    # TC: fragment classifier.
    tc_texts = [a.text[s:e] for a in train for _, s, e in a.tc]
    tc_labels = [label for a in train for label, _, _ in a.tc]
    tc_model = make_pipeline(
        FeatureUnion(
            [
                ("word", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)),
                (
                    "char",
                    TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=2, sublinear_tf=True),
                ),
            ]
        ),
        LogisticRegression(C=10.0, max_iter=3000),
    )
    tc_model.fit(tc_texts, tc_labels)
    fragments = _gold_fragments(dev)
    rows: list[TcRow] = []
    if fragments:
        probs = tc_model.predict_proba([a.text[s:e] for a, s, e, _ in fragments])
        classes = list(tc_model.classes_)
        for (a, s, e, k), p in zip(fragments, probs, strict=True):
            best = sorted(range(len(classes)), key=lambda i: -p[i])[:k]
            rows.extend((a.id, s, e, classes[i]) for i in best)
    return SystemOutput(
        si=si,
        tc=rows,
        seconds=time.perf_counter() - t0,
        info={"train_articles": len(train), "train_sentences": len(texts), "train_fragments": len(tc_texts)},
    )


# ------------------------------------------------------------------------------------------ evaluate


def flat_metrics(si: Mapping[str, Any] | None, tc: Mapping[str, Any] | None) -> dict[str, float]:
    """``si_f1``, ``si_p``, ``si_r`` (SI systems); ``tc_micro_f1``, ``tc_p``, ``tc_r``, ``tc_macro_f1``"""
    metrics: dict[str, float] = {}
    if si is not None:
        metrics.update({"si_f1": float(si["f1"]), "si_p": float(si["p"]), "si_r": float(si["r"])})
    if tc is not None:
        metrics.update(
            {
                "tc_micro_f1": float(tc["micro_f1"]),
                "tc_p": float(tc["p"]),
                "tc_r": float(tc["r"]),
                "tc_macro_f1": float(tc["macro_f1"]),
            }
        )
    return metrics


def evaluate(
    data_dir: Path | str | None = None,
    systems: Sequence[str] = SYSTEMS,
    limit: int | None = None,
    analyzer: Any = None,
) -> dict[str, Any]:
    """Score each system on the PTC dev split (the first ``limit`` dev articles when given).

    Baselines always train on all non-dev training articles. Returns dataset facts and, per system,
    ``si`` and ``tc`` details (``None`` for a task the system does not do), ``seconds`` and ``metrics``.
    """
    unknown = [s for s in systems if s not in SYSTEMS]
    if unknown:
        raise ValueError(f"unknown system(s) {', '.join(unknown)}; choose from {', '.join(SYSTEMS)}")
    dev_ids = dev_article_ids(data_dir)
    if limit is not None:
        dev_ids = dev_ids[:limit]
    dev = load_articles(dev_ids, data_dir)
    gold_si = {a.id: a.si for a in dev}
    gold_tc = gold_tc_rows(dev)
    result: dict[str, Any] = {
        "dataset": "PTC v2 (SemEval-2020 Task 11) training part, dev split (every 5th article id)",
        "dev_articles": len(dev),
        "gold_si_spans": sum(len(merge_overlapping(a.si)) for a in dev),
        **span_density({a.id: a.si for a in dev}, {a.id: len(a.text) for a in dev}, "gold_si"),
        "gold_tc_rows": len(gold_tc),
        "systems": {},
    }
    for system in systems:
        if system == "sayso":
            out = run_sayso(dev, analyzer)
        elif system == "baseline_loaded_language":
            out = run_loaded_language(dev)
        else:
            out = run_tfidf_lr(load_articles(train_article_ids(data_dir), data_dir), dev)
        si = si_scores(out.si, gold_si) if out.si is not None else None
        tc = tc_scores(out.tc, gold_tc) if out.tc is not None else None
        interval = si_f1_interval(out.si, gold_si) if out.si is not None else None
        result["systems"][system] = {
            "si": si,
            "si_f1_interval_95": interval,
            "tc": tc,
            "seconds": round(out.seconds, 2),
            **out.info,
            "metrics": flat_metrics(si, tc),
        }
    return result


def format_table(result: Mapping[str, Any]) -> str:
    """One line per system: SI P/R/F1, TC micro-F1/macro-F1, seconds (``-`` for a task not done)."""
    lines = [
        f"{result['dataset']}: {result['dev_articles']} articles, {result['gold_si_spans']} SI spans "
        f"({result['gold_si_per_1k_chars']:.2f} per 1,000 characters, "
        f"mean {result['gold_si_mean_chars']:.0f} characters), "
        f"{result['gold_tc_rows']} TC rows",
        f"{'system':<26}{'SI P':>7}{'SI R':>7}{'SI F1':>7}{'TC F1':>7}{'TC mF1':>8}{'sec':>8}",
    ]
    for name, s in result["systems"].items():
        m = s["metrics"]

        def cell(key: str, width: int = 7, m: Mapping[str, float] = m) -> str:
            return f"{m[key]:>{width}.3f}" if key in m else f"{'-':>{width}}"

        lines.append(
            f"{name:<26}{cell('si_p')}{cell('si_r')}{cell('si_f1')}{cell('tc_micro_f1')}"
            f"{cell('tc_macro_f1', 8)}{s['seconds']:>8.1f}"
        )
    intervals = []
    for name, s in result["systems"].items():
        if s.get("si_f1_interval_95") is not None:
            lo, hi = s["si_f1_interval_95"]
            intervals.append(f"{name} {lo:.3f}-{hi:.3f}")
    if intervals:
        lines.append("SI F1, 95% bootstrap interval over articles: " + "; ".join(intervals))
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--data-dir", default=None, help="shared data folder (default: sayso.settings.data_dir())"
    )
    parser.add_argument(
        "--systems", default=",".join(SYSTEMS), help=f"comma-separated, from {', '.join(SYSTEMS)}"
    )
    parser.add_argument("--limit", type=int, default=None, help="score only the first N dev articles")
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
