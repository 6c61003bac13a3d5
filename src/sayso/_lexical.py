"""A lexical check-worthiness model (TF-IDF n-grams + logistic regression), blended with the encoder's head.

Why: the encoder's ``checkworthy`` head sees a sentence through 6 small transformer layers and mean
pooling; a linear model over word and character n-grams picks up other cues (numbers, units, "percent",
"million", verb tense) and its errors differ from the head's. On held-out ClaimBuster training sentences the
two together rank check-worthy sentences better than either (see ``resources/models/MODEL_CARD.md``), so
``sayso_claims`` reports the blend as a claim's ``checkworthiness``.

The model ships as ``resources/models/checkworthy_lexical.json.gz`` (built by
``training/train_checkworthy_lexical.py`` with scikit-learn). This module scores it with the standard library
and numpy only, reproducing scikit-learn's ``TfidfVectorizer`` (lowercasing, the ``word`` analyzer's token
pattern and n-grams, the ``char_wb`` analyzer, sublinear tf, smoothed idf, l2 norm per n-gram block, blocks
side by side as in a ``FeatureUnion``) and ``LogisticRegression.decision_function`` exactly. The blend is a
logistic regression on two logits: ``z = encoder * logit(p_encoder) + lexical * lexical_logit + bias``,
whose three weights are stored in the same file.

Without the file (a trimmed install) :func:`get_lexical_model` returns ``None`` and ``sayso_claims`` keeps
the encoder's probability.
"""

from __future__ import annotations

import gzip
import json
import logging
import math
import re
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from spacy.tokens import Token

__all__ = ["FORMAT", "LEXICAL_FILE", "LexicalModel", "NgramBlock", "get_lexical_model", "tag_sequence"]

#: The data file, next to ``encoder.onnx``.
LEXICAL_FILE = "checkworthy_lexical.json.gz"
#: The ``format`` field the file must carry.
FORMAT = "sayso-checkworthy-lexical/1"
DEFAULT_PATH = Path(__file__).resolve().parent / "resources" / "models" / LEXICAL_FILE

FloatArray = npt.NDArray[np.float64]
#: Significant digits of the stored coefficients (scores then match scikit-learn's to about 1e-9).
COEF_DIGITS = 10
log = logging.getLogger("sayso")

#: Words whose ``char_wb`` columns a block keeps (a few MB at most; past it, words are recomputed).
WORD_CACHE_SIZE = 100_000

#: What a block reads: the sentence's text, or its :func:`tag_sequence`.
SOURCES = ("text", "tags")

# scikit-learn's whitespace normalisation before character n-grams (``VectorizerMixin._white_spaces``)
_WHITE_SPACES = re.compile(r"\s\s+")


def tag_sequence(tokens: Iterable[Token]) -> str:
    """A sentence as the ``tags`` block reads it: each token's fine part-of-speech tag, ``ENT_<label>``
    inside a named entity, whitespace tokens left out (``"NNS VBD ENT_PERCENT ENT_PERCENT IN ENT_DATE ."``).

    Why: check-worthy sentences share a shape more than words: cardinal numbers, percentages, money, dates,
    comparatives and past-tense reporting, whatever the topic (ClaimBuster's own classifier found
    part-of-speech and entity-type features among its strongest). Word and character n-grams only see that
    shape through the words that happen to fill it. Training (``training/train_checkworthy_lexical.py``)
    and run time build this string with this one function, from the same spaCy pipeline.
    """
    return " ".join(f"ENT_{t.ent_type_}" if t.ent_type_ else t.tag_ for t in tokens if not t.is_space)


def _word_ngrams(tokens: list[str], min_n: int, max_n: int) -> list[str]:
    """``VectorizerMixin._word_ngrams`` without stop words: n-grams of tokens joined by one space."""
    if max_n == 1:
        return tokens
    n_tokens = len(tokens)
    out = list(tokens) if min_n == 1 else []
    for n in range(max(min_n, 2), min(max_n + 1, n_tokens + 1)):
        out.extend(" ".join(tokens[i : i + n]) for i in range(n_tokens - n + 1))
    return out


def _char_wb_ngrams(text: str, min_n: int, max_n: int) -> list[str]:
    """``VectorizerMixin._char_wb_ngrams``: n-grams inside space-padded words; a short word counts once."""
    out: list[str] = []
    for word in _WHITE_SPACES.sub(" ", text).split():
        w = f" {word} "
        w_len = len(w)
        for n in range(min_n, max_n + 1):
            if w_len <= n:  # the whole padded word, once, and no longer n-grams
                out.append(w)
                break
            out.extend([w[i : i + n] for i in range(w_len - n + 1)])
    return out


def _char_ngrams(text: str, min_n: int, max_n: int) -> list[str]:
    """``VectorizerMixin._char_ngrams``: every n-gram of the whitespace-normalised text."""
    text = _WHITE_SPACES.sub(" ", text)
    text_len = len(text)
    out: list[str] = []
    for n in range(min_n, min(max_n + 1, text_len + 1)):
        out.extend(text[i : i + n] for i in range(text_len - n + 1))
    return out


@dataclass(frozen=True)
class NgramBlock:
    """One ``TfidfVectorizer`` and its slice of the logistic regression's coefficients."""

    analyzer: str  # "word", "char_wb" or "char"
    ngram_range: tuple[int, int]
    lowercase: bool
    token_pattern: str | None
    sublinear_tf: bool
    vocabulary: Mapping[str, int]
    #: Training documents and each term's document frequency: the smoothed idf is
    #: ``ln((1 + n_documents) / (1 + df)) + 1``, computed as ``TfidfTransformer.fit`` does.
    n_documents: int
    df: npt.NDArray[np.int64]
    coef: FloatArray
    #: ``"text"`` (the sentence) or ``"tags"`` (its :func:`tag_sequence`).
    source: str = "text"
    idf: FloatArray = field(init=False, repr=False, compare=False)
    #: ``char_wb`` n-grams never cross a word, so a sentence's counts are the sum of its words' counts:
    #: each word's known columns are computed once and reused (news repeats its words; this makes the
    #: character block about 3x faster). Bounded by :data:`WORD_CACHE_SIZE`.
    _word_cache: dict[str, tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        if self.analyzer not in ("word", "char_wb", "char"):
            raise ValueError(f"unsupported analyzer {self.analyzer!r}")
        if self.source not in SOURCES:
            raise ValueError(f"unsupported block source {self.source!r}")
        if len(self.df) != len(self.vocabulary) or len(self.coef) != len(self.vocabulary):
            raise ValueError("vocabulary, df and coef differ in length")
        n = np.float64(self.n_documents + 1)
        object.__setattr__(self, "idf", np.log(n / (self.df.astype(np.float64) + 1.0)) + 1.0)

    def ngrams(self, text: str) -> list[str]:
        """The n-grams ``TfidfVectorizer.build_analyzer()`` yields for ``text`` (with repeats)."""
        if self.lowercase:
            text = text.lower()
        min_n, max_n = self.ngram_range
        if self.analyzer == "char_wb":
            return _char_wb_ngrams(text, min_n, max_n)
        if self.analyzer == "char":
            return _char_ngrams(text, min_n, max_n)
        return _word_ngrams(_tokenizer(self.token_pattern or r"(?u)\b\w\w+\b")(text), min_n, max_n)

    def _word_columns(self, word: str) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """Columns and counts of the known ``char_wb`` n-grams of one (already lowercased) word."""
        cached = self._word_cache.get(word)
        if cached is None:
            vocabulary = self.vocabulary
            grams = Counter(_char_wb_ngrams(word, *self.ngram_range))
            known = [(j, k) for g, k in grams.items() if (j := vocabulary.get(g)) is not None]
            cached = (
                np.array([j for j, _ in known], dtype=np.int64),
                np.array([k for _, k in known], dtype=np.int64),
            )
            if len(self._word_cache) < WORD_CACHE_SIZE:
                self._word_cache[word] = cached
        return cached

    def _known_counts(self, text: str) -> tuple[npt.NDArray[np.int64], FloatArray]:
        """Columns of the vocabulary's n-grams in ``text`` (each once) and their counts."""
        if self.analyzer == "char_wb":
            if self.lowercase:
                text = text.lower()
            parts = [self._word_columns(word) for word in _WHITE_SPACES.sub(" ", text).split()]
            if not parts:
                return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
            cols = np.concatenate([c for c, _ in parts])
            counts = np.concatenate([k for _, k in parts])
            unique, inverse = np.unique(cols, return_inverse=True)
            summed = np.bincount(inverse, weights=counts, minlength=len(unique)).astype(np.float64)
            return unique.astype(np.int64), summed
        vocabulary = self.vocabulary
        known = [
            (j, k) for g, k in Counter(self.ngrams(text)).items() if (j := vocabulary.get(g)) is not None
        ]
        return (
            np.fromiter((j for j, _ in known), dtype=np.int64, count=len(known)),
            np.fromiter((k for _, k in known), dtype=np.float64, count=len(known)),
        )

    def features(self, text: str) -> tuple[npt.NDArray[np.int64], FloatArray]:
        """The non-zero columns of the l2-normalised TF-IDF row of ``text`` and their values."""
        cols, tf = self._known_counts(text)
        if not len(cols):
            return cols, tf
        if self.sublinear_tf:
            tf = np.log(tf) + 1.0
        values = tf * self.idf[cols]
        norm = math.sqrt(float(np.dot(values, values)))
        return cols, (values / norm if norm > 0 else values)

    def score(self, text: str) -> float:
        """This block's share of the decision function: TF-IDF row . coefficients."""
        cols, values = self.features(text)
        return float(np.dot(values, self.coef[cols])) if len(cols) else 0.0


_TOKENIZERS: dict[str, Callable[[str], list[str]]] = {}


def _tokenizer(pattern: str) -> Callable[[str], list[str]]:
    """``VectorizerMixin.build_tokenizer``: ``findall`` of the pattern (its one group, if it has one)."""
    tokenize = _TOKENIZERS.get(pattern)
    if tokenize is None:
        compiled = re.compile(pattern)
        if compiled.groups > 1:
            raise ValueError("the token pattern has more than one capturing group")
        tokenize = compiled.findall
        _TOKENIZERS[pattern] = tokenize
    return tokenize


@dataclass(frozen=True)
class LexicalModel:
    """TF-IDF blocks + logistic regression, and the blend with the encoder (``weights``)."""

    blocks: tuple[NgramBlock, ...]
    intercept: float
    #: ``{"encoder": a, "lexical": b, "bias": c}``: z = a * logit(p_encoder) + b * lexical_logit + c
    weights: Mapping[str, float]
    #: Encoder probabilities are clipped to ``[clip, 1 - clip]`` before their logit (they arrive rounded).
    clip: float = 5e-5
    meta: Mapping[str, Any] | None = None

    @property
    def needs_tags(self) -> bool:
        """Whether a block reads the sentences' :func:`tag_sequence` (then every scoring call needs them)."""
        return any(block.source == "tags" for block in self.blocks)

    def decision_function(self, texts: Sequence[str], tags: Sequence[str] | None = None) -> FloatArray:
        """The lexical logit of each text (``LogisticRegression.decision_function`` of the pipeline).

        ``tags``: each text's :func:`tag_sequence`, required when :attr:`needs_tags`.
        """
        if tags is None:
            if self.needs_tags:
                raise ValueError("this model reads part-of-speech tags: pass each text's tag_sequence")
            tags = [""] * len(texts)
        elif len(tags) != len(texts):
            raise ValueError("one tag sequence per text")
        return np.array(
            [
                self.intercept
                + sum(block.score(tag if block.source == "tags" else text) for block in self.blocks)
                for text, tag in zip(texts, tags, strict=True)
            ],
            dtype=np.float64,
        )

    def encoder_logits(self, probabilities: Sequence[float]) -> FloatArray:
        """``logit`` of the encoder's (clipped) probabilities."""
        p = np.clip(np.asarray(probabilities, dtype=np.float64), self.clip, 1.0 - self.clip)
        logits: FloatArray = np.log(p / (1.0 - p))
        return logits

    def blend_logits(
        self,
        encoder_probabilities: Sequence[float],
        texts: Sequence[str],
        tags: Sequence[str] | None = None,
    ) -> FloatArray:
        """The blend's logit per sentence, from the encoder's probability and the sentence's text and tags."""
        if len(encoder_probabilities) != len(texts):
            raise ValueError("one encoder probability per text")
        w = self.weights
        z: FloatArray = (
            w["encoder"] * self.encoder_logits(encoder_probabilities)
            + w["lexical"] * self.decision_function(texts, tags)
            + w["bias"]
        )
        return z

    def blend(
        self,
        encoder_probabilities: Sequence[float],
        texts: Sequence[str],
        tags: Sequence[str] | None = None,
    ) -> FloatArray:
        """The check-worthiness probability per sentence (what ``sayso_claims`` reports)."""
        z = self.blend_logits(encoder_probabilities, texts, tags)
        probs: FloatArray = 1.0 / (1.0 + np.exp(-z))
        return probs

    # ---------------------------------------------------------------------------------------- file

    def to_dict(self) -> dict[str, Any]:
        """The JSON form of the model (what :meth:`from_dict` reads)."""
        return {
            "format": FORMAT,
            "blocks": [
                {
                    "analyzer": b.analyzer,
                    "source": b.source,
                    "ngram_range": list(b.ngram_range),
                    "lowercase": b.lowercase,
                    "token_pattern": b.token_pattern,
                    "sublinear_tf": b.sublinear_tf,
                    "terms": sorted(b.vocabulary, key=b.vocabulary.__getitem__),
                    "n_documents": b.n_documents,
                    "df": [int(v) for v in b.df],
                    "coef": [float(f"{v:.{COEF_DIGITS}g}") for v in b.coef],
                }
                for b in self.blocks
            ],
            "intercept": self.intercept,
            "weights": dict(self.weights),
            "clip": self.clip,
            "meta": dict(self.meta or {}),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> LexicalModel:
        if data.get("format") != FORMAT:
            raise ValueError(f"not a {FORMAT} model (format {data.get('format')!r})")
        blocks = []
        for b in data["blocks"]:
            terms = list(b["terms"])
            low, high = b["ngram_range"]
            blocks.append(
                NgramBlock(
                    analyzer=str(b["analyzer"]),
                    ngram_range=(int(low), int(high)),
                    lowercase=bool(b["lowercase"]),
                    token_pattern=b.get("token_pattern"),
                    sublinear_tf=bool(b["sublinear_tf"]),
                    vocabulary={t: i for i, t in enumerate(terms)},
                    n_documents=int(b["n_documents"]),
                    df=np.asarray(b["df"], dtype=np.int64),
                    coef=np.asarray(b["coef"], dtype=np.float64),
                    source=str(b.get("source", "text")),
                )
            )
        weights = {k: float(data["weights"][k]) for k in ("encoder", "lexical", "bias")}
        return cls(
            blocks=tuple(blocks),
            intercept=float(data["intercept"]),
            weights=weights,
            clip=float(data.get("clip", 5e-5)),
            meta=data.get("meta"),
        )

    @classmethod
    def load(cls, path: Path | str) -> LexicalModel:
        """Read a gzipped JSON model file."""
        with gzip.open(path, "rt", encoding="utf-8") as f:
            return cls.from_dict(json.load(f))

    def dump_bytes(self) -> bytes:
        """The gzipped JSON file, byte for byte reproducible (no timestamp or name in the gzip header)."""
        raw = json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        return gzip.compress(raw.encode("utf-8"), compresslevel=9, mtime=0)


_MODELS: dict[Path, LexicalModel | None] = {}
_MODELS_LOCK = threading.Lock()


def get_lexical_model(path: Path | str | None = None) -> LexicalModel | None:
    """The process-wide lexical model (loaded once), or ``None`` when its file is missing or unreadable."""
    key = Path(path or DEFAULT_PATH).resolve()
    with _MODELS_LOCK:
        if key not in _MODELS:
            model: LexicalModel | None = None
            if key.is_file():
                try:
                    model = LexicalModel.load(key)
                except (OSError, ValueError, KeyError, TypeError) as exc:
                    log.warning("lexical check-worthiness model %s unreadable (%s); encoder only", key, exc)
            _MODELS[key] = model
        return _MODELS[key]
