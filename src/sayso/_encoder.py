"""The shared int8 encoder: one onnxruntime pass per text chunk feeds every trained head.

Why this module exists: the architecture asks for *one encoder pass* shared by all trained heads
(attribution tagger now; techniques and check-worthiness later), and for no torch at run time. So the
model ships as a single int8 ONNX graph (``resources/models/encoder.onnx``) whose outputs are the heads'
logits, named ``<head>_logits``; this module needs only onnxruntime, tokenizers and numpy.

Why chunking lives here: the model was trained on exactly the chunks that :func:`chunk_doc` cuts, and
``training/attribution_data.py`` imports it from here. A chunk is a run of consecutive spaCy sentences that
stays within one paragraph (paragraphs are separated by newlines) and fits in ``max_len`` wordpieces; an
over-long sentence is cut into windows. The whole text is tokenized once and each chunk's input is a
slice of that one encoding, so the chunk lengths are exact (nothing is ever truncated) and training and run
time see identical inputs.

Why results are mapped back to spaCy tokens: the components work on the spaCy ``Doc``; giving them per-token
label probabilities lets rules combine with the model, and decoding spans over spaCy tokens makes every
predicted span start and end on a token of the original text, never in whitespace.
"""

from __future__ import annotations

import importlib
import json
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from spacy.tokens import Doc
    from tokenizers import Tokenizer

__all__ = [
    "ATTRIBUTION_LABELS",
    "DEFAULT_MODEL_DIR",
    "MAX_LEN",
    "Chunk",
    "DocEncoding",
    "PooledHead",
    "PredictedSpan",
    "SharedEncoder",
    "TokenHead",
    "chunk_doc",
    "decode_bio",
    "decode_head",
    "decode_presence",
    "get_encoder",
    "load_tokenizer",
    "model_available",
    "sentence_bounds",
]

#: Folder of the shipped model files (``encoder.onnx``, ``tokenizer.json``, ``MODEL_CARD.md``).
DEFAULT_MODEL_DIR = Path(__file__).resolve().parent / "resources" / "models"
ENCODER_FILE = "encoder.onnx"
TOKENIZER_FILE = "tokenizer.json"

#: Longest model input in wordpieces, [CLS] and [SEP] included (what the model was trained with).
MAX_LEN = 128

#: Per-type weights applied to the tagger's type probabilities when decoding spans (1.0 = plain argmax).
#: Chosen on PolNeAR dev by eval/attribution.py; see README's numbers table.
DECODE_WEIGHTS: dict[str, float] = {"O": 1.0, "SOURCE": 1.0, "CUE": 1.0, "CONTENT": 1.0}


@dataclass(frozen=True)
class PresenceDecoding:
    """Decode a head by *presence*: a token is inside a span when ``1 - P(O)`` reaches ``threshold``.

    Why not argmax for techniques: with 14 techniques the model often spreads a phrase's mass over several
    of them, and ``O`` then wins the argmax although the phrase is clearly *some* technique. Spans are split
    where the most likely technique changes (or the model marks a B-), so each keeps one label, and a span
    whose mean presence is under ``min_mean`` is dropped, as is a span of one stop word or punctuation mark
    (splitting at label changes leaves such crumbs, "to" or "were", which name no technique). Chosen on the
    PTC articles the encoder never trained on, never on dev: ``training/choose_technique_decoding.py``.
    """

    threshold: float
    min_mean: float
    drop_lone_function_words: bool = True


#: Heads decoded by presence instead of argmax (:func:`decode_presence`); the others use :func:`decode_bio`.
PRESENCE_DECODING: dict[str, PresenceDecoding] = {"technique": PresenceDecoding(threshold=0.35, min_mean=0.5)}

#: BIO labels of the attribution head, in the order of the ``attribution_logits`` output's last axis.
ATTRIBUTION_LABELS: tuple[str, ...] = (
    "O",
    "B-SOURCE",
    "I-SOURCE",
    "B-CUE",
    "I-CUE",
    "B-CONTENT",
    "I-CONTENT",
)

FloatArray = npt.NDArray[np.float32]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class TokenHead:
    """A token-classification head of the shared graph: its ONNX output and its BIO label set.

    Heads are declared as data so that adding one (e.g. persuasion techniques) is adding an output to the
    exported graph and a row to :data:`TOKEN_HEADS`, not new inference code.
    """

    name: str
    output: str
    labels: tuple[str, ...]


#: The token heads a graph provides when its metadata does not declare them (``sayso_heads``, a JSON object
#: ``{head: {"output": ..., "labels": [...]}}`` written by training). Heads whose output is missing from the
#: loaded graph are skipped, so an older model file keeps working with a newer sayso.
TOKEN_HEADS: tuple[TokenHead, ...] = (TokenHead("attribution", "attribution_logits", ATTRIBUTION_LABELS),)


@dataclass(frozen=True)
class PooledHead:
    """A head read by pooling its raw logits over a stretch of wordpieces: a sentence or a span.

    Why pooling in the runtime: a linear head applied to every wordpiece and averaged over a stretch equals
    the same head applied to the stretch's mean-pooled states, so the graph needs only a few floats per
    wordpiece instead of exporting 384-wide states. ``pooling`` is ``"mean_logit_sigmoid"`` (one logit, a
    probability: check-worthiness of a sentence) or ``"mean_logit_softmax"`` (one logit per label: the
    technique of a span). Declared in the graph metadata ``sayso_sentence_heads`` / ``sayso_span_heads``.
    """

    name: str
    output: str
    labels: tuple[str, ...]
    pooling: str
    #: Added to the pooled logit before the sigmoid: a calibration chosen on held-out training data
    #: (training/calibrate_checkworthy.py), so that probability 0.5 is the best decision point.
    offset: float = 0.0


class PredictedSpan(NamedTuple):
    """One decoded span: label without BIO prefix, character offsets into ``doc.text``, mean probability."""

    label: str
    start: int
    end: int
    score: float


@dataclass(frozen=True)
class Chunk:
    """One model input: a slice of the text's single wordpiece encoding.

    ``offsets`` holds the character offsets, into the full text, of the wordpieces between [CLS] and [SEP].
    """

    input_ids: IntArray
    offsets: IntArray

    @property
    def start(self) -> int:
        """Character offset where the chunk's first wordpiece starts."""
        return int(self.offsets[0, 0])

    @property
    def end(self) -> int:
        """Character offset where the chunk's last wordpiece ends."""
        return int(self.offsets[-1, 1])

    def __len__(self) -> int:
        return int(self.input_ids.shape[0])


@dataclass
class DocEncoding:
    """What the encoder found in one text.

    ``token_probs[head]`` has one row per spaCy token (``len(doc)`` rows) and one column per label of the
    head; tokens the model did not see (whitespace, text the tokenizer drops) get probability 1 for ``O``.
    ``spans[head]`` are the BIO spans decoded from those rows.
    """

    text: str
    token_probs: dict[str, FloatArray] = field(default_factory=dict)
    spans: dict[str, list[PredictedSpan]] = field(default_factory=dict)
    labels: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: Character offsets of every wordpiece the model saw (rows of ``pooled_logits``), sorted.
    wordpiece_offsets: IntArray = field(default_factory=lambda: np.zeros((0, 2), dtype=np.int64))
    #: Raw per-wordpiece logits of the pooled heads, ``{head: (n_wordpieces x n_outputs)}``.
    pooled_logits: dict[str, FloatArray] = field(default_factory=dict)
    pooled_heads: dict[str, PooledHead] = field(default_factory=dict)

    def _mean_logits(self, head: str, start: int, end: int) -> FloatArray | None:
        logits = self.pooled_logits.get(head)
        offs = self.wordpiece_offsets
        if logits is None or offs.shape[0] == 0 or end <= start:
            return None
        lo = int(np.searchsorted(offs[:, 1], start, side="right"))
        hi = int(np.searchsorted(offs[:, 0], end, side="left"))
        if hi <= lo:
            return None
        mean: FloatArray = logits[lo:hi].mean(axis=0)
        return mean

    def pooled_probability(self, head: str, start: int, end: int) -> float | None:
        """A sigmoid head's probability for the text ``[start, end)`` (None: head absent or no wordpiece)."""
        mean = self._mean_logits(head, start, end)
        if mean is None:
            return None
        spec = self.pooled_heads.get(head)
        logit = float(mean[0]) + (spec.offset if spec is not None else 0.0)
        return float(1.0 / (1.0 + np.exp(-logit)))

    def pooled_distribution(self, head: str, start: int, end: int) -> dict[str, float] | None:
        """A softmax head's label probabilities for the span ``[start, end)``."""
        mean = self._mean_logits(head, start, end)
        spec = self.pooled_heads.get(head)
        if mean is None or spec is None or len(spec.labels) != mean.shape[0]:
            return None
        probs = _softmax(mean[None, :].astype(np.float32))[0]
        return {label: float(p) for label, p in zip(spec.labels, probs, strict=True)}

    @property
    def attribution_spans(self) -> list[PredictedSpan]:
        """SOURCE / CUE / CONTENT spans of the attribution head (empty when the head is absent)."""
        return self.spans.get("attribution", [])

    def type_probs(self, head: str = "attribution") -> tuple[tuple[str, ...], FloatArray]:
        """Per-token probability of each span type (B- and I- summed), with the type names.

        Rules usually ask "how likely is this token part of a SOURCE", not whether it begins one.
        """
        labels = self.labels.get(head, ("O",))
        types, _type_of, out = _type_columns(self.token_probs.get(head), labels)
        return types, out


def _span_types(labels: Sequence[str]) -> tuple[str, ...]:
    """``("O", "SOURCE", "CUE", ...)`` from a BIO label list, first-seen order."""
    types: list[str] = []
    for label in labels:
        kind = label[2:] if label[:2] in ("B-", "I-") else label
        if kind not in types:
            types.append(kind)
    return tuple(types)


def _type_columns(
    probs: FloatArray | None, labels: Sequence[str]
) -> tuple[tuple[str, ...], list[int], FloatArray]:
    """Span types, each label's type index, and per-token type probabilities (B- and I- summed; no rows
    when ``probs`` is None)."""
    types = _span_types(labels)
    type_of = [types.index(lab[2:] if lab[:2] in ("B-", "I-") else lab) for lab in labels]
    type_probs = np.zeros((0 if probs is None else probs.shape[0], len(types)), dtype=np.float32)
    if probs is not None:
        for j, t in enumerate(type_of):
            type_probs[:, t] += probs[:, j]
    return types, type_of, type_probs


def _bio_columns(labels: Sequence[str], type_of: Sequence[int], n_types: int) -> tuple[IntArray, IntArray]:
    """Per span type, the label column of its B- and of its I- (a type with only one of them uses that
    column for both; index 0, the ``O`` type, is left at 0)."""
    begin = np.zeros(n_types, dtype=np.int64)
    inside = np.zeros(n_types, dtype=np.int64)
    for j, (label, t) in enumerate(zip(labels, type_of, strict=True)):
        if t:
            if label.startswith("B-"):
                begin[t] = j
            else:
                inside[t] = j
    for t in range(1, n_types):
        if not begin[t]:
            begin[t] = inside[t]
        if not inside[t]:
            inside[t] = begin[t]
    return begin, inside


# --------------------------------------------------------------------------------------------------------
# Chunking (shared with training)
# --------------------------------------------------------------------------------------------------------


#: ``doc.user_data`` key of the cached text (see :func:`doc_text`).
TEXT_KEY = "sayso_text"
_last_text: tuple[object, str] = (None, "")


def doc_text(doc: Doc) -> str:
    """``doc.text``, built once per doc and kept in ``doc.user_data``.

    spaCy rebuilds ``doc.text`` from a new Python object per token on every access (about 0.3 ms for a
    1,000-token article); the components and the encoder read it a dozen times per doc. The cached copy is
    checked against the doc's last token, so a doc built from another doc's ``user_data`` (``Span.as_doc``
    with ``copy_user_data``) never gets a wrong text.
    """
    global _last_text
    last_doc, last_text = _last_text
    if last_doc is doc:  # the doc being worked on, asked again: no check needed
        return last_text
    user_data = getattr(doc, "user_data", None)
    if not isinstance(user_data, dict):  # a Doc-like object (tests, adapters): nowhere to keep it
        return str(doc.text)
    cached = user_data.get(TEXT_KEY)
    n = len(doc)
    if isinstance(cached, str):
        if n == 0:
            if cached == "":
                return cached
        else:
            last = doc[n - 1]
            if last.idx + len(last.text_with_ws) == len(cached):
                _last_text = (doc, cached)
                return cached
    text: str = doc.text
    user_data[TEXT_KEY] = text
    _last_text = (doc, text)
    return text


class TokenTable(NamedTuple):
    """Character offsets and whitespace flags of every token of a doc, read once as arrays.

    Decoding visits every token for every head; iterating a Doc creates a Python object per token each
    time, while ``Doc.to_array`` reads the same fields in C.
    """

    start: IntArray
    end: IntArray
    #: whitespace-only tokens: they never start or end a span
    blank: npt.NDArray[np.bool_]
    #: whitespace tokens holding a newline: they close an open span
    newline: npt.NDArray[np.bool_]


def token_table(doc: Doc, text: str | None = None) -> TokenTable:
    """The :class:`TokenTable` of ``doc`` (``text``: ``doc_text(doc)`` when the caller has it)."""
    n = len(doc)
    if n == 0:
        empty = np.zeros(0, dtype=np.int64)
        return TokenTable(empty, empty.copy(), np.zeros(0, dtype=np.bool_), np.zeros(0, dtype=np.bool_))
    from spacy.attrs import IDX, IS_SPACE, LENGTH

    text = doc_text(doc) if text is None else text
    table = doc.to_array([IDX, LENGTH, IS_SPACE]).astype(np.int64).reshape(n, 3)
    start = table[:, 0].copy()
    end = start + table[:, 1]
    blank = table[:, 2].astype(np.bool_)
    newline = np.zeros(n, dtype=np.bool_)
    for i in np.flatnonzero(blank).tolist():
        newline[i] = "\n" in text[start[i] : end[i]]
    return TokenTable(start, end, blank, newline)


def load_tokenizer(path: Path | str) -> Tokenizer:
    """Load ``tokenizer.json`` with padding and truncation switched off.

    The MiniLM tokenizer file pads and truncates to 128 by default; :func:`chunk_doc` needs the full,
    unpadded encoding of the text (padding to 128 also makes inference about 5x slower).
    """
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(path))
    tok.no_padding()
    tok.no_truncation()
    return tok


def sentence_bounds(doc: Doc) -> list[tuple[int, int]]:
    """Character ranges of the doc's sentences; the whole text when the doc has no sentence boundaries.

    A Doc made without a parser or senter has no ``doc.sents``; chunking then falls back to paragraphs
    and windows instead of failing.
    """
    text = doc_text(doc)
    if not text:
        return []
    try:
        bounds = [(int(s.start_char), int(s.end_char)) for s in doc.sents]
    except ValueError:
        bounds = []
    return bounds or [(0, len(text))]


def _units(text: str, sentences: Sequence[tuple[int, int]]) -> list[tuple[int, int, int]]:
    """Sentence pieces ``(start, end, paragraph)``: sentences cut at newlines, trimmed, empty ones dropped.

    Cutting at newlines keeps a title line or a list item that the parser glued to the next sentence from
    sharing a chunk with it: paragraphs never mix within one chunk.
    """
    found: list[int] = []
    i = text.find("\n")
    while i >= 0:
        found.append(i)
        i = text.find("\n", i + 1)
    newlines = np.array(found, dtype=np.int64)
    units: list[tuple[int, int, int]] = []
    for s_start, s_end in sentences:
        pos = s_start
        for piece in text[s_start:s_end].split("\n"):
            p_start, p_end = pos, pos + len(piece)
            pos = p_end + 1
            stripped = piece.strip()
            if not stripped:
                continue
            lead = len(piece) - len(piece.lstrip())
            start = p_start + lead
            end = start + len(stripped)
            paragraph = int(np.searchsorted(newlines, start, side="left"))
            units.append((start, end, paragraph))
    return units


def _window_cuts(offsets: IntArray, lo: int, hi: int, budget: int) -> list[tuple[int, int]]:
    """Cut wordpieces ``lo:hi`` into windows of at most ``budget``, preferring cuts before whitespace.

    Cutting where a new word starts (whitespace before the wordpiece) keeps words whole; a window falls
    back to a hard cut only when no such place exists in its second half.
    """
    windows: list[tuple[int, int]] = []
    while hi - lo > budget:
        cut = lo + budget
        for k in range(lo + budget, lo + budget // 2, -1):
            if offsets[k, 0] > offsets[k - 1, 1]:
                cut = k
                break
        windows.append((lo, cut))
        lo = cut
    if hi > lo:
        windows.append((lo, hi))
    return windows


def chunk_doc(doc: Doc, tokenizer: Tokenizer, max_len: int = MAX_LEN) -> list[Chunk]:
    """Cut a parsed doc into model inputs; see the module docstring for the rules.

    ``tokenizer`` must come from :func:`load_tokenizer` (no padding, no truncation). Returns ``[]`` for a
    text without wordpieces (empty, whitespace only). Chunks are in text order and never overlap.
    """
    text = doc_text(doc)
    if not text.strip():
        return []
    budget = max(1, max_len - 2)
    enc = tokenizer.encode(text, add_special_tokens=False)
    if not enc.ids:
        return []
    ids = np.asarray(enc.ids, dtype=np.int64)
    offsets = np.asarray(enc.offsets, dtype=np.int64).reshape(-1, 2)
    starts = offsets[:, 0]
    cls_id = tokenizer.token_to_id("[CLS]")
    sep_id = tokenizer.token_to_id("[SEP]")
    cls = np.array([101 if cls_id is None else cls_id], dtype=np.int64)
    sep = np.array([102 if sep_id is None else sep_id], dtype=np.int64)

    spans: list[tuple[int, int]] = []  # wordpiece ranges of the chunks
    cur_lo = cur_hi = -1
    cur_par = -1
    for u_start, u_end, paragraph in _units(text, sentence_bounds(doc)):
        lo = int(np.searchsorted(starts, u_start, side="left"))
        hi = int(np.searchsorted(starts, u_end, side="left"))
        if hi <= lo:
            continue
        if hi - lo > budget:
            if cur_lo >= 0:
                spans.append((cur_lo, cur_hi))
                cur_lo = -1
            spans.extend(_window_cuts(offsets, lo, hi, budget))
            continue
        if cur_lo >= 0 and paragraph == cur_par and hi - cur_lo <= budget:
            cur_hi = hi
            continue
        if cur_lo >= 0:
            spans.append((cur_lo, cur_hi))
        cur_lo, cur_hi, cur_par = lo, hi, paragraph
    if cur_lo >= 0:
        spans.append((cur_lo, cur_hi))
    return [Chunk(np.concatenate([cls, ids[lo:hi], sep]), offsets[lo:hi]) for lo, hi in spans]


# --------------------------------------------------------------------------------------------------------
# Decoding
# --------------------------------------------------------------------------------------------------------


def _token_rows(
    doc: Doc, wp_offsets: IntArray, wp_probs: FloatArray, n_labels: int, table: TokenTable | None = None
) -> tuple[FloatArray, npt.NDArray[np.bool_]]:
    """Per-spaCy-token probabilities: the row of the first wordpiece that overlaps the token.

    The first wordpiece carries the B-/I- decision for the word in training (B- sits on a span's first
    wordpiece), so averaging over a word's pieces would blur B into I. Tokens no wordpiece overlaps get ``O``
    and ``False`` in the returned mask.
    """
    n_tok = len(doc)
    out = np.zeros((n_tok, n_labels), dtype=np.float32)
    out[:, 0] = 1.0
    if n_tok == 0 or wp_offsets.shape[0] == 0:
        return out, np.zeros(n_tok, dtype=np.bool_)
    table = table if table is not None else token_table(doc)
    tok_start, tok_end = table.start, table.end
    k = np.searchsorted(wp_offsets[:, 1], tok_start, side="right")
    valid = k < wp_offsets.shape[0]
    kk = np.minimum(k, wp_offsets.shape[0] - 1)
    valid &= wp_offsets[kk, 0] < tok_end
    out[valid] = wp_probs[kk[valid]]
    return out, valid


def _token_runs(table: TokenTable, kinds: list[int], begins: list[bool]) -> list[tuple[int, int, int]]:
    """``(first token, last token, type)`` runs from per-token decisions (type 0 is outside any span).

    A run opens where none is open, where the type changes, or at a token marked as a beginning; whitespace
    tokens never start or end a run, and a newline closes the open one.
    """
    runs: list[tuple[int, int, int]] = []
    current: list[int] | None = None  # [first, last, type]
    for i, (blank, newline) in enumerate(zip(table.blank.tolist(), table.newline.tolist(), strict=True)):
        if blank:
            if newline and current is not None:
                runs.append((current[0], current[1], current[2]))
                current = None
            continue
        kind = kinds[i]
        if current is not None and (kind == 0 or kind != current[2] or begins[i]):
            runs.append((current[0], current[1], current[2]))
            current = None
        if kind == 0:
            continue
        if current is None:
            current = [i, i, kind]
        else:
            current[1] = i
    if current is not None:
        runs.append((current[0], current[1], current[2]))
    return runs


def decode_bio(
    doc: Doc,
    probs: FloatArray,
    labels: Sequence[str],
    seen: npt.NDArray[np.bool_] | None = None,
    table: TokenTable | None = None,
) -> list[PredictedSpan]:
    """Decode spans over spaCy tokens from per-token label probabilities (argmax, lenient BIO).

    An I- that does not continue a span of its type opens one (the model's B/I mix-ups should not lose
    spans). Whitespace tokens never start or end a span; a newline closes the open span, as does a token
    the model did not see (``seen`` False). The score is the span's mean probability of its type (B- plus I-).
    ``table``: the doc's :func:`token_table`, when the caller already has it.
    """
    n = len(doc)
    if n == 0 or probs.shape[0] != n:
        return []
    table = table if table is not None else token_table(doc)
    types, type_of, type_probs = _type_columns(probs, labels)
    is_begin = [lab.startswith("B-") for lab in labels]
    # Decide the span type first (B- and I- summed, weighted by DECODE_WEIGHTS), then B or I within it:
    # the tagger is unsure between B- and I- far more often than about the type, and it under-calls cues.
    weights = np.array([DECODE_WEIGHTS.get(t, 1.0) for t in types], dtype=np.float32)
    chosen_type = (type_probs * weights).argmax(axis=1)
    begin_col, inside_col = _bio_columns(labels, type_of, len(types))
    best = np.full(n, type_of.index(0), dtype=np.int64)
    for t in range(1, len(types)):
        rows = chosen_type == t
        if not rows.any():
            continue
        b, inner = begin_col[t], inside_col[t]
        best[rows] = np.where(probs[rows, inner] >= probs[rows, b], inner, b)  # I- on a tie
    if seen is None or seen.shape[0] != n:
        seen = np.ones(n, dtype=np.bool_)
    kinds = [
        type_of[label] if visible else 0 for label, visible in zip(best.tolist(), seen.tolist(), strict=True)
    ]
    begins = [is_begin[label] for label in best.tolist()]
    return [
        PredictedSpan(
            types[t],
            int(table.start[first]),
            int(table.end[last]),
            float(type_probs[first : last + 1, t].mean()),
        )
        for first, last, t in _token_runs(table, kinds, begins)
    ]


def decode_presence(
    doc: Doc,
    probs: FloatArray,
    labels: Sequence[str],
    settings: PresenceDecoding,
    seen: npt.NDArray[np.bool_] | None = None,
    table: TokenTable | None = None,
) -> list[PredictedSpan]:
    """Decode spans by presence (see :class:`PresenceDecoding`) over spaCy tokens.

    A token is inside a span when ``1 - P(O)`` reaches ``settings.threshold``; its type is the most likely
    non-``O`` type (B- and I- summed). A span opens where none is open, where the type changes, or where the
    token's B- outweighs its I-; whitespace, newlines and unseen tokens behave as in :func:`decode_bio`. The
    score is the span's mean presence; spans under ``settings.min_mean`` are dropped, and so are spans of a
    single stop word or punctuation token when ``settings.drop_lone_function_words``.
    """
    n = len(doc)
    if n == 0 or probs.shape[0] != n:
        return []
    types, type_of, type_probs = _type_columns(probs, labels)
    if len(types) < 2 or types[0] != "O":  # no O label to read presence from
        return decode_bio(doc, probs, labels, seen, table)
    table = table if table is not None else token_table(doc)
    presence = 1.0 - type_probs[:, 0]
    kind = type_probs[:, 1:].argmax(axis=1) + 1
    begin_col, inside_col = _bio_columns(labels, type_of, len(types))
    rows = np.arange(n)
    begins = probs[rows, begin_col[kind]] > probs[rows, inside_col[kind]]
    inside = presence >= settings.threshold
    if seen is not None and seen.shape[0] == n:
        inside &= seen
    spans: list[PredictedSpan] = []
    for first, last, t in _token_runs(table, np.where(inside, kind, 0).tolist(), begins.tolist()):
        score = float(presence[first : last + 1].mean())
        lone = first == last and (doc[first].is_stop or doc[first].is_punct)
        if score >= settings.min_mean and not (lone and settings.drop_lone_function_words):
            spans.append(PredictedSpan(types[t], int(table.start[first]), int(table.end[last]), score))
    return spans


def decode_head(
    head: str,
    doc: Doc,
    probs: FloatArray,
    labels: Sequence[str],
    seen: npt.NDArray[np.bool_] | None = None,
    table: TokenTable | None = None,
) -> list[PredictedSpan]:
    """The runtime's decoding of one head: presence for heads in :data:`PRESENCE_DECODING`, else argmax."""
    settings = PRESENCE_DECODING.get(head)
    if settings is not None:
        return decode_presence(doc, probs, labels, settings, seen, table)
    return decode_bio(doc, probs, labels, seen, table)


# --------------------------------------------------------------------------------------------------------
# Inference
# --------------------------------------------------------------------------------------------------------


def model_available(model_dir: Path | None = None) -> bool:
    """Whether the model files are present (a source checkout may not have them yet)."""
    folder = model_dir or DEFAULT_MODEL_DIR
    return (folder / ENCODER_FILE).is_file() and (folder / TOKENIZER_FILE).is_file()


def _softmax(logits: FloatArray) -> FloatArray:
    shifted: FloatArray = (logits - logits.max(axis=-1, keepdims=True)).astype(np.float32)
    np.exp(shifted, out=shifted)
    shifted /= shifted.sum(axis=-1, keepdims=True)
    return shifted


class _NodeArg(Protocol):
    @property
    def name(self) -> str: ...


class _ModelMeta(Protocol):
    @property
    def custom_metadata_map(self) -> dict[str, str]: ...


class _Session(Protocol):
    """The part of ``onnxruntime.InferenceSession`` used here (onnxruntime ships no type information)."""

    def get_modelmeta(self) -> _ModelMeta: ...

    def get_inputs(self) -> Sequence[_NodeArg]: ...

    def get_outputs(self) -> Sequence[_NodeArg]: ...

    def run(self, output_names: Sequence[str], input_feed: dict[str, Any]) -> Sequence[Any]: ...


class SharedEncoder:
    """Runs the shipped int8 graph over spaCy docs and returns every token head's output per doc.

    ``threads`` is onnxruntime's intra-op thread count. It defaults to 1 because the analyzer scales by
    running several processes, and several multi-threaded sessions on the same cores slow each other down.

    ``batch_size`` is how many chunks go into one onnxruntime call. It defaults to 1 because the int8
    graph quantises activations dynamically, with one scale per batch tensor: in a batch, a chunk's
    probabilities shift slightly (about 1e-2) with its neighbours and their padding, so the same text could
    come out differently depending on which texts it was analysed with. With 1 thread, batch 1 is also the
    fastest (no padding); with 2 or more threads, ``batch_size=8`` is about 30% faster, at that price.

    The session is created on first use, so constructing an encoder (or importing sayso) stays cheap.
    """

    def __init__(
        self,
        model_dir: Path | None = None,
        *,
        threads: int = 1,
        batch_size: int = 1,
        max_len: int = MAX_LEN,
    ) -> None:
        self.model_dir = model_dir or DEFAULT_MODEL_DIR
        self.threads = max(1, int(threads))
        self.batch_size = max(1, int(batch_size))
        self.max_len = max(3, int(max_len))
        self._session: _Session | None = None
        self._tokenizer: Tokenizer | None = None
        self._heads: tuple[TokenHead, ...] = ()
        self._pooled: tuple[PooledHead, ...] = ()
        self._input_names: tuple[str, ...] = ()
        self._lock = threading.Lock()

    @property
    def available(self) -> bool:
        """Whether the model files exist, without loading them."""
        return model_available(self.model_dir)

    def _load(self) -> tuple[_Session, Tokenizer]:
        with self._lock:
            if self._session is None or self._tokenizer is None:
                onnxruntime = importlib.import_module("onnxruntime")  # untyped; see _Session
                options = onnxruntime.SessionOptions()
                options.intra_op_num_threads = self.threads
                options.inter_op_num_threads = 1
                options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
                session: _Session = onnxruntime.InferenceSession(
                    str(self.model_dir / ENCODER_FILE), options, providers=["CPUExecutionProvider"]
                )
                outputs = {o.name for o in session.get_outputs()}
                self._heads = tuple(h for h in _declared_heads(session) if h.output in outputs)
                self._pooled = tuple(h for h in _declared_pooled_heads(session) if h.output in outputs)
                self._input_names = tuple(i.name for i in session.get_inputs())
                self._tokenizer = load_tokenizer(self.model_dir / TOKENIZER_FILE)
                self._session = session
            return self._session, self._tokenizer

    @property
    def heads(self) -> tuple[TokenHead, ...]:
        """The token heads of the loaded graph (loads the model if needed)."""
        self._load()
        return self._heads

    @property
    def pooled_heads(self) -> tuple[PooledHead, ...]:
        """The sentence and span heads of the loaded graph (loads the model if needed)."""
        self._load()
        return self._pooled

    @property
    def tokenizer(self) -> Tokenizer:
        """The model's tokenizer (padding and truncation off), loading the model if needed."""
        return self._load()[1]

    def chunks(self, doc: Doc) -> list[Chunk]:
        """The model inputs for ``doc`` (exactly what training used)."""
        try:
            return chunk_doc(doc, self.tokenizer, self.max_len)
        except Exception:  # odd input must never stop an analysis; the doc just gets no predictions
            return []

    def run_chunks(self, chunks: Sequence[Chunk]) -> list[dict[str, FloatArray]]:
        """Per chunk, each head's output over its wordpieces (no [CLS]/[SEP] rows).

        Token heads give probabilities (softmax); pooled heads give raw logits, because pooling must
        average logits, not probabilities (see :class:`PooledHead`).

        Chunks are sorted by length and batched (when ``batch_size`` > 1), padding only to the longest
        chunk of each batch: most chunks are far shorter than ``max_len``, and padding costs time in every
        layer.
        """
        session, _ = self._load()
        results: list[dict[str, FloatArray]] = [{} for _ in chunks]
        order = sorted(range(len(chunks)), key=lambda i: len(chunks[i]))
        names = [h.output for h in self._heads]
        raw = {h.output for h in self._pooled}
        names += sorted(raw - set(names))
        for b in range(0, len(order), self.batch_size):
            batch = order[b : b + self.batch_size]
            width = max(len(chunks[i]) for i in batch)
            ids = np.zeros((len(batch), width), dtype=np.int64)
            mask = np.zeros((len(batch), width), dtype=np.int64)
            for row, i in enumerate(batch):
                n = len(chunks[i])
                ids[row, :n] = chunks[i].input_ids
                mask[row, :n] = 1
            feeds: dict[str, Any] = {"input_ids": ids, "attention_mask": mask}
            if "token_type_ids" in self._input_names:
                feeds["token_type_ids"] = np.zeros_like(ids)
            feeds = {k: v for k, v in feeds.items() if k in self._input_names}
            outs = session.run(names, feeds)
            for name, logits in zip(names, outs, strict=True):
                array = np.asarray(logits, dtype=np.float32)
                probs = array if name in raw else _softmax(array)
                for row, i in enumerate(batch):
                    n = len(chunks[i])
                    results[i][name] = probs[row, 1 : n - 1]
        return results

    def encode_docs(self, docs: Iterable[Doc]) -> list[DocEncoding]:
        """Encode many docs in one go: their chunks are batched together, then split back per doc."""
        doc_list = list(docs)
        if not doc_list:
            return []
        per_doc = [self.chunks(doc) for doc in doc_list]
        flat = [c for chunks in per_doc for c in chunks]
        outputs = self.run_chunks(flat) if flat else []
        encodings: list[DocEncoding] = []
        pos = 0
        for doc, chunks in zip(doc_list, per_doc, strict=True):
            outs = outputs[pos : pos + len(chunks)]
            pos += len(chunks)
            encodings.append(self._assemble(doc, chunks, outs))
        return encodings

    def encode_doc(self, doc: Doc) -> DocEncoding:
        """Encode one doc (prefer :meth:`encode_docs` for many: it batches across docs)."""
        return self.encode_docs([doc])[0]

    def attribution_spans(self, doc: Doc) -> list[PredictedSpan]:
        """SOURCE / CUE / CONTENT spans the attribution head predicts in ``doc``."""
        return self.encode_doc(doc).attribution_spans

    def _assemble(
        self, doc: Doc, chunks: Sequence[Chunk], outs: Sequence[dict[str, FloatArray]]
    ) -> DocEncoding:
        text = doc_text(doc)
        encoding = DocEncoding(text=text, labels={h.name: h.labels for h in self._heads})
        table = token_table(doc, text)
        empty = np.zeros((0, 2), dtype=np.int64)
        offsets = np.concatenate([c.offsets for c in chunks]) if chunks else empty
        encoding.wordpiece_offsets = offsets
        for pooled in self._pooled:
            encoding.pooled_heads[pooled.name] = pooled
            width = max(1, len(pooled.labels))
            encoding.pooled_logits[pooled.name] = (
                np.concatenate([o[pooled.output] for o in outs])
                if outs
                else np.zeros((0, width), dtype=np.float32)
            )
        for head in self._heads:
            n_labels = len(head.labels)
            if outs:
                wp_probs = np.concatenate([o[head.output] for o in outs])
            else:
                wp_probs = np.zeros((0, n_labels), dtype=np.float32)
            rows, seen = _token_rows(doc, offsets, wp_probs, n_labels, table)
            encoding.token_probs[head.name] = rows
            try:
                encoding.spans[head.name] = decode_head(head.name, doc, rows, head.labels, seen, table)
            except Exception:  # decoding must never stop an analysis
                encoding.spans[head.name] = []
        return encoding


def _declared_heads(session: _Session) -> tuple[TokenHead, ...]:
    """Token heads from the graph's ``sayso_heads`` metadata, else :data:`TOKEN_HEADS`.

    Letting the graph declare its heads means a retrained model with another label set (or a new head)
    needs no code change here; a malformed declaration falls back to the built-in one.
    """
    try:
        raw = session.get_modelmeta().custom_metadata_map.get("sayso_heads")
        if raw:
            declared = json.loads(raw)
            heads = tuple(
                TokenHead(str(name), str(spec["output"]), tuple(str(x) for x in spec["labels"]))
                for name, spec in declared.items()
            )
            if heads and all(h.labels and h.labels[0] == "O" for h in heads):
                return heads
    except (AttributeError, KeyError, TypeError, ValueError):
        pass
    return TOKEN_HEADS


def _declared_pooled_heads(session: _Session) -> tuple[PooledHead, ...]:
    """Sentence and span heads from the graph metadata (``sayso_sentence_heads``, ``sayso_span_heads``).

    Kept apart from ``sayso_heads`` so that an older runtime, which BIO-decodes every head listed there,
    never misreads them. An absent or malformed declaration gives no pooled heads (the graph still works).
    """
    heads: list[PooledHead] = []
    try:
        meta = session.get_modelmeta().custom_metadata_map
    except AttributeError:
        return ()
    for key in ("sayso_sentence_heads", "sayso_span_heads"):
        try:
            declared = json.loads(meta.get(key) or "{}")
            for name, spec in declared.items():
                pooling = str(spec["pooling"])
                if pooling not in ("mean_logit_sigmoid", "mean_logit_softmax"):
                    continue
                labels = tuple(str(x) for x in spec.get("labels", ()))
                offset = float(spec.get("offset", 0.0))
                heads.append(PooledHead(str(name), str(spec["output"]), labels, pooling, offset))
        except (AttributeError, KeyError, TypeError, ValueError):
            continue
    return tuple(heads)


_ENCODERS: dict[tuple[Path, int], SharedEncoder] = {}
_ENCODERS_LOCK = threading.Lock()


def get_encoder(threads: int = 1, model_dir: Path | None = None) -> SharedEncoder:
    """The process-wide encoder for ``(model_dir, threads)``: the model is loaded once per process.

    Components call this instead of constructing :class:`SharedEncoder`, so several components (and
    several pipelines in one process) share one onnxruntime session.
    """
    key = ((model_dir or DEFAULT_MODEL_DIR).resolve(), max(1, int(threads)))
    with _ENCODERS_LOCK:
        encoder = _ENCODERS.get(key)
        if encoder is None:
            encoder = SharedEncoder(key[0], threads=key[1])
            _ENCODERS[key] = encoder
        return encoder
