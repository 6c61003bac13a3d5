"""Train the lexical check-worthiness model and fit its blend with the encoder's head; write the data file.

    .venv/bin/python training/train_checkworthy_lexical.py             # rewrites the shipped file
    .venv/bin/python training/train_checkworthy_lexical.py --dry-run   # numbers only
    .venv/bin/python training/train_checkworthy_lexical.py --select    # + the model-selection grid

Runs in the runtime venv (scikit-learn from the ``eval`` extra; no torch), in about a minute.

What it does, deterministically:

1. Rebuilds the split of ``train_heads.py``'s check-worthiness data: the ClaimBuster sentences outside
   ``eval/claims.py``'s dev split, and the 10 % held-out slice of the pooled ClaimBuster + CLEF sentences
   (same seed 13, same order of random draws as ``train_heads.load_all``; no tokenizer needed, because
   ``sentence_items`` keeps every sentence). Its 589 ClaimBuster sentences are the ones
   ``calibrate_checkworthy.py`` chose the encoder's logit offset on; the encoder never trained on them.
2. Fits the lexical model on the other 5,558 ClaimBuster non-dev sentences: TF-IDF of word 1-2-grams, of
   character 1-5-grams inside words (``char_wb``) and of 1-3-grams of the sentence's part-of-speech/entity
   tag sequence (``sayso._lexical.tag_sequence``; each sentence parsed by sayso's spaCy pipeline), each
   ``min_df=2``, sublinear tf, l2-normalised, side by side, then a class-balanced logistic regression
   (C=2). The configuration was chosen by 5-fold cross-validated average precision on those same 5,558
   sentences (``--select`` prints the grid); CLEF debates were left out because adding them lowered the
   held-out ClaimBuster AP and did not raise the held-out CLEF AP.
3. Exports it into ``sayso._lexical.LexicalModel`` (terms, document frequencies, coefficients) and checks
   that the runtime's pure-numpy scores equal scikit-learn's (to 1e-6) on the held-out sentences.
4. Scores the held-out slice with sayso's runtime (the full pipeline, sentences joined 40 to a text as
   ``eval/claims.py`` does, ``sayso_claims`` with ``lexical=False`` and threshold 0): the encoder's
   probability per sentence piece.
5. Fits the blend ``z = a * logit(p_encoder) + b * lexical_logit + c`` as an unregularised logistic
   regression (Newton's method) on those pieces, and reports the slice's numbers: encoder alone, lexical
   alone, the blend (in sample and 10-fold cross-validated) and the AP of the CLEF sentences of the same
   held-out slice. No extra decision offset: searching one on 589 sentences moved cross-validated F1 by
   noise only, and the blend's probability is calibrated by construction.
6. Writes ``src/sayso/resources/models/checkworthy_lexical.json.gz`` (``--out``), a gzip with no timestamp,
   so the same data give the same bytes; prints its size and sha256.

Dev data are never read for fitting or choosing anything (``eval/claims.py`` reports the dev numbers).
Research-use data: the file holds n-gram terms seen in at least two training sentences, document
frequencies and weights, no sentence.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(REPO / "training"))

from checkworthy_split import DATA, held_out_slice, load_eval_module  # noqa: E402

from sayso._lexical import DEFAULT_PATH, LexicalModel, NgramBlock  # noqa: E402

SEED = 13  # train_heads.py's --seed
CLEF_NEG_KEEP = 0.5  # train_heads.py's --clef-neg-keep
LR_C = 2.0
SPEC = "word12+charwb15+tags13"
CHUNK = 40  # sentences per text, as eval/claims.py


# ------------------------------------------------------------------------------------------ data


def split(data: Path = DATA) -> dict[str, list[Any]]:
    """``train_heads``' check-worthiness sentences: the lexical training set and the held-out slice
    (:func:`checkworthy_split.held_out_slice`, the one ``calibrate_checkworthy.py`` fits the offset on)."""
    cb_train, clef_kept, held_positions = held_out_slice(SEED, CLEF_NEG_KEEP, data=data)
    held = set(held_positions)
    held_cb = [s for i, s in enumerate(cb_train) if i in held]
    held_clef = [s for i, s in enumerate(clef_kept, len(cb_train)) if i in held]
    return {
        "train": [s for i, s in enumerate(cb_train) if i not in held],
        "held_cb": held_cb,
        "held_clef": sorted(held_clef, key=lambda s: (s.doc, int(s.id))),
    }


def sentence_rows(texts: Sequence[str]) -> list[tuple[str, str]]:
    """``(text, tag sequence)`` of each sentence, parsed on its own by sayso's spaCy pipeline (no sayso
    components: tags and entities come from the base model, as at run time)."""
    import spacy

    from sayso._lexical import tag_sequence
    from sayso.settings import MODEL

    nlp = spacy.load(MODEL.value(), exclude=["lemmatizer"])
    return [(t, tag_sequence(doc)) for t, doc in zip(texts, nlp.pipe(texts, batch_size=64), strict=True)]


# ------------------------------------------------------------------------------------------ lexical model


def _column(rows: Sequence[Any], source: str) -> list[str]:
    """One input of each row: rows are ``(text, tags)`` pairs (:func:`sentence_rows`) or plain texts."""
    if source == "text":
        return [row if isinstance(row, str) else row[0] for row in rows]
    if any(isinstance(row, str) for row in rows):
        raise ValueError("a tags block needs (text, tags) rows")
    return [row[1] for row in rows]


def make_pipeline(spec: str = SPEC, c: float = LR_C) -> Any:
    """TF-IDF block(s) named by ``spec`` (``+``-joined) and a class-balanced logistic regression.

    ``word12``: word 1-2-grams of the text; ``charwb15``: character 1-5-grams inside words; ``char25``:
    character 2-5-grams; ``tags13``: 1-3-grams of the sentence's ``sayso._lexical.tag_sequence``
    (case kept, one tag per token). The pipeline's input rows are ``(text, tags)`` pairs, or plain texts
    when no block reads tags.
    """
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline as sk_pipeline
    from sklearn.pipeline import make_union
    from sklearn.preprocessing import FunctionTransformer

    def block(name: str) -> Any:
        kind, low, high = name[:-2], int(name[-2]), int(name[-1])
        if kind == "tags":
            vectorizer = TfidfVectorizer(
                analyzer="word",
                ngram_range=(low, high),
                min_df=2,
                sublinear_tf=True,
                lowercase=False,
                token_pattern=r"\S+",
            )
        else:
            analyzer = {"word": "word", "charwb": "char_wb", "char": "char"}[kind]
            vectorizer = TfidfVectorizer(
                analyzer=analyzer, ngram_range=(low, high), min_df=2, sublinear_tf=True
            )
        source = "tags" if kind == "tags" else "text"
        return sk_pipeline(FunctionTransformer(_column, kw_args={"source": source}), vectorizer)

    features = make_union(*[block(name) for name in spec.split("+")])
    return sk_pipeline(features, LogisticRegression(C=c, class_weight="balanced", max_iter=5000))


def export(
    pipeline: Any,
    n_documents: int,
    weights: dict[str, float] | None = None,
    meta: dict[str, Any] | None = None,
) -> LexicalModel:
    """A :func:`make_pipeline` fit on ``n_documents`` texts, as a :class:`sayso._lexical.LexicalModel`.

    The document frequencies are recovered from ``idf_ = ln((n + 1) / (df + 1)) + 1`` and checked.
    """
    features, lr = pipeline.steps[0][1], pipeline.steps[-1][1]
    parts = [t for _, t in features.transformer_list] if hasattr(features, "transformer_list") else [features]
    vectorizers: list[tuple[str, Any]] = []
    for part in parts:
        if hasattr(part, "steps"):  # (column selector, vectorizer), as make_pipeline builds them
            vectorizers.append((part.steps[0][1].kw_args["source"], part.steps[-1][1]))
        else:
            vectorizers.append(("text", part))
    coef = np.asarray(lr.coef_[0], dtype=np.float64)
    blocks, start = [], 0
    for source, v in vectorizers:
        if v.norm != "l2" or not v.use_idf or not v.smooth_idf or v.stop_words or v.strip_accents:
            raise ValueError(
                "only l2-normalised, smoothed-idf vectorizers without stop words or accent stripping"
            )
        if v.preprocessor is not None or v.tokenizer is not None or callable(v.analyzer) or v.binary:
            raise ValueError("custom preprocessors, tokenizers, analyzers and binary tf are not supported")
        n_terms = len(v.vocabulary_)
        terms = sorted(v.vocabulary_, key=v.vocabulary_.__getitem__)
        df = np.rint((n_documents + 1) / np.exp(v.idf_ - 1.0) - 1.0).astype(np.int64)
        block = NgramBlock(
            analyzer=v.analyzer,
            ngram_range=tuple(v.ngram_range),
            lowercase=bool(v.lowercase),
            token_pattern=v.token_pattern if v.analyzer == "word" else None,
            sublinear_tf=bool(v.sublinear_tf),
            vocabulary={t: i for i, t in enumerate(terms)},
            n_documents=n_documents,
            df=df,
            coef=coef[start : start + n_terms],
            source=source,
        )
        if not np.allclose(block.idf, v.idf_, rtol=0, atol=1e-12):
            raise ValueError("document frequencies do not reproduce the vectorizer's idf")
        blocks.append(block)
        start += n_terms
    if start != len(coef):
        raise ValueError("coefficients and vocabularies differ in size")
    return LexicalModel(
        blocks=tuple(blocks),
        intercept=float(lr.intercept_[0]),
        weights=weights or {"encoder": 1.0, "lexical": 0.0, "bias": 0.0},
        meta=meta,
    )


def select(train: Sequence[Any], inputs: Sequence[tuple[str, str]]) -> list[dict[str, Any]]:
    """5-fold cross-validated AP (and F1 at 0) of candidate lexical models on the training sentences."""
    from sklearn.metrics import average_precision_score
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    labels = np.array([s.label for s in train])
    folds = StratifiedKFold(5, shuffle=True, random_state=0)
    rows = []
    specs = ("word12", "charwb25", "charwb15", "word12+charwb25", "word12+charwb15", "tags13")
    for spec in (*specs, "word12+charwb15+tags13", "word12+charwb15+tags14"):
        for c in (1.0, 2.0, 4.0):
            scores = cross_val_predict(
                make_pipeline(spec, c), list(inputs), labels, cv=folds, method="decision_function"
            )
            row = {"model": spec, "C": c, "cv_ap": round(float(average_precision_score(labels, scores)), 4)}
            row["cv_f1"] = round(f1(labels, scores), 4)
            print(json.dumps(row), flush=True)
            rows.append(row)
    return rows


# ------------------------------------------------------------------------------------------ encoder scores


Piece = tuple[str, str, float]  # a claim unit's text, its tag sequence, the encoder's probability


def encoder_pieces(groups: Sequence[Sequence[str]]) -> list[list[list[Piece]]]:
    """Per group, per sentence: ``(text, tags, encoder probability)`` of each sayso claim unit in it.

    Sentences are joined :data:`CHUNK` to a text exactly as ``eval/claims.py`` does and analysed by the
    full pipeline with the claims threshold at 0 and the lexical blend off, so these are the numbers
    ``sayso_claims`` blends at run time (the tags too: ``tag_sequence`` of the unit's tokens in the doc).
    """
    from sayso import Analyzer
    from sayso._lexical import tag_sequence

    claims_eval = load_eval_module("claims")
    nlp = Analyzer().nlp
    component = nlp.get_pipe("sayso_claims")
    component.threshold, component.lexical = 0.0, False
    texts, jobs = [], []
    for g, group in enumerate(groups):
        for first in range(0, len(group), CHUNK):
            text, offsets = claims_eval.sentences_to_text(group[first : first + CHUNK])
            texts.append(text)
            jobs.append((g, first, offsets))
    out: list[list[list[Piece]]] = [[[] for _ in group] for group in groups]
    for doc, (g, first, offsets) in zip(nlp.pipe(texts), jobs, strict=True):
        for claim in doc._.sayso_claims:
            cs, ce = claim.span
            span = doc.char_span(cs, ce, alignment_mode="expand")
            tags = tag_sequence(span) if span is not None else ""
            for i, (s, e) in enumerate(offsets):
                if min(ce, e) > max(cs, s):
                    out[g][first + i].append((doc.text[cs:ce], tags, float(claim.checkworthiness)))
    return out


# ------------------------------------------------------------------------------------------ blend


def fit_logistic(x: np.ndarray, y: np.ndarray, iterations: int = 100) -> np.ndarray:
    """Unregularised logistic regression by Newton's method: weights of the columns of ``x``, then bias."""
    a = np.c_[x, np.ones(len(x))]
    w = np.zeros(a.shape[1])
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-(a @ w)))
        hessian = (a * (p * (1 - p))[:, None]).T @ a + 1e-9 * np.eye(a.shape[1])
        step = np.linalg.solve(hessian, a.T @ (y - p))
        w += step
        if np.abs(step).max() < 1e-12:
            break
    return w


def f1(labels: np.ndarray, logits: np.ndarray) -> float:
    """Positive-class F1, predicting positive when the logit is >= 0 (probability >= 0.5)."""
    pred = logits >= 0
    tp = int((pred & (labels == 1)).sum())
    return 2 * tp / (int(pred.sum()) + int((labels == 1).sum())) if tp else 0.0


def sentence_max(index: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    """Per sentence, the largest value of its pieces (-inf for a sentence without any, i.e. score 0)."""
    out = np.full(n, -np.inf)
    np.maximum.at(out, index, values)
    return out


def _pieces(pieces: list[list[Piece]], model: Any) -> dict[str, Any]:
    index = np.array([i for i, ps in enumerate(pieces) for _ in ps], dtype=np.int64)
    texts = [t for ps in pieces for t, _, _ in ps]
    tags = [g for ps in pieces for _, g, _ in ps]
    encoder = model.encoder_logits([p for ps in pieces for _, _, p in ps])
    lexical = model.decision_function(texts, tags)
    return {"index": index, "encoder": encoder, "lexical": lexical, "texts": texts}


def metrics(labels: np.ndarray, logits: np.ndarray) -> dict[str, float]:
    from sklearn.metrics import average_precision_score

    finite = np.where(np.isfinite(logits), logits, -1e9)
    return {
        "f1": round(f1(labels, finite), 4),
        "ap": round(float(average_precision_score(labels, finite)), 4),
    }


def cross_validated(labels: np.ndarray, p: dict[str, np.ndarray], folds: int = 10) -> np.ndarray:
    """Per-sentence blend logits, each from weights fit on the other folds (stratified, seeded)."""
    from sklearn.model_selection import StratifiedKFold

    x = np.c_[p["encoder"], p["lexical"]]
    y = labels[p["index"]].astype(np.float64)
    out = np.full(len(labels), -np.inf)
    for train, test in StratifiedKFold(folds, shuffle=True, random_state=0).split(labels, labels):
        in_train = np.isin(p["index"], train)
        w = fit_logistic(x[in_train], y[in_train])
        z = sentence_max(p["index"][~in_train], x[~in_train] @ w[:2] + w[2], len(labels))
        out[test] = z[test]
    return out


# ------------------------------------------------------------------------------------------ main


def run(out: Path | None, do_select: bool = False) -> dict[str, Any]:
    t0 = time.perf_counter()
    data = split()
    train, held_cb, held_clef = data["train"], data["held_cb"], data["held_clef"]
    report: dict[str, Any] = {
        "lexical_training_sentences": len(train),
        "lexical_training_positive": sum(s.label for s in train),
        "held_out_claimbuster": len(held_cb),
        "held_out_claimbuster_positive": sum(s.label for s in held_cb),
        "held_out_clef": len(held_clef),
        "held_out_clef_positive": sum(s.label for s in held_clef),
    }
    rows = sentence_rows([s.text for s in train + held_cb + held_clef])
    inputs, check = rows[: len(train)], rows[len(train) :]
    if do_select:
        report["selection"] = select(train, inputs)
    pipeline = make_pipeline().fit(inputs, [s.label for s in train])
    model = export(pipeline, len(train))
    # the runtime reproduces scikit-learn
    check_texts, check_tags = [t for t, _ in check], [g for _, g in check]
    diff = np.abs(model.decision_function(check_texts, check_tags) - pipeline.decision_function(check)).max()
    if diff > 1e-6:
        raise SystemExit(f"runtime and scikit-learn scores differ by {diff}")
    report["runtime_vs_sklearn_max_abs_diff"] = float(f"{diff:.3g}")

    clef_groups: list[list[Any]] = []
    for s in held_clef:
        if not clef_groups or clef_groups[-1][-1].doc != s.doc:
            clef_groups.append([])
        clef_groups[-1].append(s)
    scored = encoder_pieces([[s.text for s in held_cb]] + [[s.text for s in g] for g in clef_groups])
    cb = _pieces(scored[0], model)
    clef = _pieces([ps for group in scored[1:] for ps in group], model)
    cb_labels = np.array([s.label for s in held_cb])
    clef_labels = np.array([s.label for g in clef_groups for s in g])

    y = cb_labels[cb["index"]].astype(np.float64)
    w = fit_logistic(np.c_[cb["encoder"], cb["lexical"]], y)
    weights = {
        "encoder": float(f"{w[0]:.10g}"),
        "lexical": float(f"{w[1]:.10g}"),
        "bias": float(f"{w[2]:.10g}"),
    }

    def blended(p: dict[str, np.ndarray], n: int) -> np.ndarray:
        z = weights["encoder"] * p["encoder"] + weights["lexical"] * p["lexical"] + weights["bias"]
        return sentence_max(p["index"], z, n)

    n_cb, n_clef = len(held_cb), len(clef_labels)
    report["held_out"] = {
        "encoder": metrics(cb_labels, sentence_max(cb["index"], cb["encoder"], n_cb)),
        "lexical": metrics(cb_labels, sentence_max(cb["index"], cb["lexical"], n_cb)),
        "blend_in_sample": metrics(cb_labels, blended(cb, n_cb)),
        "blend_10fold": metrics(cb_labels, cross_validated(cb_labels, cb)),
        "clef_encoder_ap": metrics(clef_labels, sentence_max(clef["index"], clef["encoder"], n_clef))["ap"],
        "clef_blend_ap": metrics(clef_labels, blended(clef, n_clef))["ap"],
    }
    report["weights"] = weights
    report["terms"] = {
        f"{b.source}:{b.analyzer}{list(b.ngram_range)}": len(b.vocabulary) for b in model.blocks
    }
    meta = {
        "built_by": "training/train_checkworthy_lexical.py",
        "lexical_model": "TF-IDF word 1-2-grams + char_wb 1-5-grams + 1-3-grams of the part-of-speech/entity "
        f"tag sequence (min_df 2, sublinear tf, l2 per block), "
        f"class-balanced logistic regression C={LR_C:g}, on {len(train)} ClaimBuster non-dev sentences "
        "outside train_heads.py's held-out slice",
        "blend": f"logistic regression on [logit(p_encoder), lexical logit] over the {len(held_cb)} held-out "
        "ClaimBuster sentences of train_heads.py (seed 13)",
        "held_out": report["held_out"],
    }
    final = LexicalModel(model.blocks, model.intercept, weights, model.clip, meta)
    payload = final.dump_bytes()
    # the file round-trips to the same scores
    reread = LexicalModel.from_dict(json.loads(gzip.decompress(payload)))
    diff = np.abs(reread.decision_function(check_texts, check_tags) - pipeline.decision_function(check)).max()
    if diff > 1e-6:
        raise SystemExit(f"the written file's scores differ from scikit-learn's by {diff}")
    report["file_bytes"] = len(payload)
    report["sha256"] = hashlib.sha256(payload).hexdigest()
    if out is not None:
        out.write_bytes(payload)
        report["written"] = str(out)
    report["seconds"] = round(time.perf_counter() - t0, 1)
    return report


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=DEFAULT_PATH, help="the data file to write")
    ap.add_argument("--dry-run", action="store_true", help="print the numbers, write nothing")
    ap.add_argument("--select", action="store_true", help="also print the model-selection grid (5-fold CV)")
    args = ap.parse_args(argv)
    report = run(None if args.dry_run else args.out, args.select)
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
