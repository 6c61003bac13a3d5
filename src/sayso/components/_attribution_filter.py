"""A learned filter that drops attributions whose cue is probably not a cue.

Why: the tagger marks stance and evaluation verbs ("hopes", "wants", "is worried") as cues where PolNeAR
sees no attribution, and rules cannot tell those apart without a long list of exceptions. A logistic
regression over cheap features of each finished record (its cue's word and syntax, where it came from,
how sure the tagger was, whether it has a source and what kind, how much of its content the tagger
marked) scores how likely the cue is a gold cue; records below the fitted threshold are dropped.

The weights are fitted by ``training/train_attribution_filter.py`` on PolNeAR train (cross-validated by
article) and shipped as ``resources/models/attribution_filter.json``. Scoring is a sparse dot product in
pure Python (about 40 microseconds a record, features included, against about 300 for the component
itself); without the file nothing is filtered. Nested records and their parents are never dropped.
"""

from __future__ import annotations

import bisect
import itertools
import json
import math
import re
from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from spacy.tokens import Doc, Token

from sayso.components._attribution_model import _Sentences
from sayso.components._common import AttributionRecord, CharSpan, text_of

MODEL_PATH = Path(__file__).resolve().parent.parent / "resources" / "models" / "attribution_filter.json"
FORMAT = "sayso-attribution-filter/1"

_PRONOUNS = frozenset(
    {"he", "she", "it", "they", "we", "i", "you", "him", "her", "them", "us", "me", "who", "this", "that"}
)
_QUOTE_RE = re.compile('["“”«»„]')
_NEXT_WORDS = frozenset({"that", "to", ":", ",", "about", "on", "for", "of", "in", "with", "by", "the"})


def _overlap(a: CharSpan, b: tuple[int, int, float]) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


class TaggedSpans:
    """The tagger's spans of one doc by label, found by bisection (every record asks several times)."""

    def __init__(self, tagged: Sequence[Sequence[Any]]):
        by_label: dict[str, list[tuple[int, int, float]]] = {}
        for span in tagged:
            by_label.setdefault(str(span[0]), []).append((int(span[1]), int(span[2]), float(span[3])))
        self.spans: dict[str, list[tuple[int, int, float]]] = {}
        self.starts: dict[str, list[int]] = {}
        self.reach: dict[str, list[int]] = {}  # running maximum of the ends: spans before it end too early
        for label, spans in by_label.items():
            spans.sort()
            self.spans[label] = spans
            self.starts[label] = [s[0] for s in spans]
            self.reach[label] = list(itertools.accumulate((s[1] for s in spans), max))

    def overlapping(self, label: str, span: CharSpan) -> list[tuple[int, int, float]]:
        """The ``label`` spans sharing at least one character with ``span``."""
        spans = self.spans.get(label)
        if not spans:
            return []
        lo = bisect.bisect_right(self.reach[label], span[0])
        hi = bisect.bisect_left(self.starts[label], span[1])
        return [s for s in spans[lo:hi] if _overlap(span, s)]


def _head(doc: Doc, span: CharSpan | None) -> Token | None:
    if span is None:
        return None
    chars = doc.char_span(span[0], span[1], alignment_mode="expand")
    return chars.root if chars is not None and len(chars) else None


def record_features(
    doc: Doc, record: AttributionRecord, tagged: TaggedSpans, sentences: _Sentences, same_sentence: int = 1
) -> dict[str, float]:
    """Named features of one record (absent names are 0): ``name=value`` indicators and a few numbers.

    ``tagged`` holds the tagger's spans of the doc; ``same_sentence`` the number of cued records in the
    cue's sentence (several reports in one sentence are often one report and its framing).
    """
    feats: dict[str, float] = {f"method={record.method}": 1.0, f"kind={record.kind}": 1.0}
    feats["confidence"] = float(record.confidence)
    cue = record.cue
    if cue is None:
        return feats
    text = text_of(doc)
    cue_chars = doc.char_span(cue[0], cue[1], alignment_mode="expand")
    head = cue_chars.root if cue_chars is not None and len(cue_chars) else None
    cue_scores = [s[2] for s in tagged.overlapping("CUE", cue)]
    feats["tag_cue"] = max(cue_scores) if cue_scores else 0.0
    if not cue_scores:
        feats["tag_cue_none"] = 1.0
    # how sure the tagger was is not linear in its score, nor the same for its own cues and the rules'
    band = "none" if not cue_scores else str(min(int(feats["tag_cue"] * 10), 9))
    feats[f"tag_band={band}|{record.method}"] = 1.0
    if head is not None:
        lemma = head.lemma_.lower()
        feats[f"lemma={lemma}"] = 1.0
        feats[f"lemma_method={lemma}|{record.method}"] = 1.0
        feats[f"pos={head.pos_}"] = 1.0
        feats[f"tag={head.tag_}"] = 1.0
        feats[f"dep={head.dep_}"] = 1.0
        if any(c.dep_ == "neg" for c in head.children):
            feats["negated"] = 1.0
        k = sentences.of(head.idx)
        (first, end), (start_char, end_char) = sentences.tokens[k], sentences.bounds[k]
        feats["sent_pos"] = (head.i - first) / max(1, end - first)
        for label in ("SOURCE", "CONTENT"):  # did the tagger see an attribution in this sentence at all
            if tagged.overlapping(label, (start_char, end_char)):
                feats[f"sentence_tagged_{label.lower()}"] = 1.0
        if _QUOTE_RE.search(text, start_char, end_char):
            feats["sentence_quote"] = 1.0
        if first == 0:
            feats["first_sentence"] = 1.0
        after = doc[cue_chars.end] if cue_chars is not None and cue_chars.end < len(doc) else None
        if after is not None:
            word = after.lower_
            feats[f"next={word if word in _NEXT_WORDS else 'other'}"] = 1.0
    feats["cue_words"] = min(len(text[cue[0] : cue[1]].split()), 4)
    feats["same_sentence"] = min(same_sentence, 4)
    # the source
    if record.source is None:
        feats["source=none"] = 1.0
    else:
        src = _head(doc, record.source)
        if src is not None:
            if src.lower_ in _PRONOUNS:
                feats["source=pronoun"] = 1.0
            feats[f"source_pos={src.pos_}"] = 1.0
            feats[f"source_ent={src.ent_type_ or 'none'}"] = 1.0
        if tagged.overlapping("SOURCE", record.source):
            feats["source_tagged"] = 1.0
        if record.source[0] > cue[0]:
            feats["source_after_cue"] = 1.0
        if record.source_resolved is not None and record.source_resolved != record.source:
            feats["source_resolved"] = 1.0
    # the content
    total = sum(b - a for a, b in record.content)
    covered = sum(_overlap(p, s) for p in record.content for s in tagged.overlapping("CONTENT", p))
    feats["content_tagged"] = min(1.0, covered / total) if total else 0.0
    words = sum(len(text[a:b].split()) for a, b in record.content)
    feats["content_words_log"] = math.log1p(words)
    feats["content_pieces"] = min(len(record.content), 4)
    if any(_QUOTE_RE.search(text, a, b) for a, b in record.content):
        feats["content_quoted"] = 1.0
    if record.content and record.content[0][1] <= cue[0]:
        feats["content_before_cue"] = 1.0
    # how the content hangs from the cue: a clause with a subject of its own is said; "wants to",
    # "is worried about" (no subject, an object or a prepositional phrase) is rather a stance
    root = _head(doc, record.content[0]) if record.content else None
    if root is not None and head is not None:
        feats[f"content_rel={root.dep_ if root.head.i == head.i else 'other'}"] = 1.0
        if any(c.dep_ in ("nsubj", "nsubjpass", "expl") for c in root.children):
            feats["content_subject"] = 1.0
    return feats


def doc_features(
    doc: Doc, records: Sequence[AttributionRecord], tagged: Sequence[Sequence[Any]] | None
) -> list[dict[str, float] | None]:
    """Features of every record of a doc (None for a record without a cue: those are never dropped)."""
    spans = TaggedSpans(tagged or [])
    sentences = _Sentences(doc)
    sentence_of: dict[int, int] = {}
    for record in records:
        if record.cue is not None:
            head = _head(doc, record.cue)
            sentence_of[id(record)] = sentences.of(head.idx) if head is not None else -1
    counts: dict[int, int] = {}
    for start in sentence_of.values():
        counts[start] = counts.get(start, 0) + 1
    return [
        record_features(doc, r, spans, sentences, counts.get(sentence_of[id(r)], 1))
        if r.cue is not None
        else None
        for r in records
    ]


class AttributionFilter:
    """A sparse logistic regression over :func:`record_features` and the threshold it keeps records at."""

    def __init__(self, weights: Mapping[str, float], bias: float, threshold: float):
        self.weights = dict(weights)
        self.bias = float(bias)
        self.threshold = float(threshold)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> AttributionFilter:
        if data.get("format") != FORMAT:
            raise ValueError(f"not a {FORMAT} file: {data.get('format')!r}")
        return cls(data["weights"], data["bias"], data["threshold"])

    def probability(self, features: Mapping[str, float]) -> float:
        """The fitted probability that the record's cue is a gold cue."""
        z = self.bias + sum(self.weights.get(name, 0.0) * value for name, value in features.items())
        return 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))

    def keep(
        self, doc: Doc, records: Sequence[AttributionRecord], tagged: Sequence[Sequence[Any]] | None
    ) -> list[AttributionRecord]:
        """The records to keep: those scoring at least the threshold, and every record that is not an
        outermost attribution without nested ones (no cue, a ``parent``, or another's parent).

        PolNeAR annotates only outermost attributions, so the filter never learnt what a right nested
        cue looks like, nor whether a report of a report is one; on train, sparing them costs nothing
        (cross-validated F1 within 0.001), and parents and ids then stay as they are.
        """
        features = doc_features(doc, records, tagged)
        parents = {r.parent for r in records if r.parent is not None}
        return [
            r
            for r, f in zip(records, features, strict=True)
            if f is None or r.parent is not None or r.id in parents or self.probability(f) >= self.threshold
        ]


@lru_cache(maxsize=4)
def load_filter(path: Path | str = MODEL_PATH) -> AttributionFilter | None:
    """The shipped filter, read once; None when the file is absent (no filtering)."""
    path = Path(path)
    if not path.is_file():
        return None
    return AttributionFilter.from_json(json.loads(path.read_text(encoding="utf-8")))
