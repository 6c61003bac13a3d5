"""The ``sayso_claims`` component: claim units with their check-worthiness, tied to who reports them.

A claim unit is a sentence (cut at newlines, as the encoder's chunking does), because check-worthiness data
(ClaimBuster, CLEF-2019 CheckThat!) is labelled per sentence. Its ``checkworthiness`` blends two scores in
logit space: the shared encoder's ``checkworthy`` head (mean-pooled over the sentence's wordpieces;
``sayso_encoder`` computed it, so no second network runs) and a small TF-IDF + logistic-regression model of
the sentence's words, characters and part-of-speech/entity tags (``sayso._lexical``; pure numpy, well
under a millisecond a sentence), with weights fit on held-out training sentences. Without the lexical model
file, or with ``lexical=False``, it is the encoder's probability alone. Each claim is linked to the
attribution whose content covers most of it, and to the figures and events inside it, so a fact-checker
sees *who* makes the checkable statement and *what* in it can be checked. sayso ranks what is worth
checking; it never says whether a claim is true.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

from sayso._lexical import get_lexical_model, tag_sequence
from sayso.components._common import AttributionRecord, CharSpan, ClaimRecord, text_of


def _overlap(a: CharSpan, b: CharSpan) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def reporting_attribution(span: CharSpan, attributions: list[AttributionRecord]) -> str | None:
    """The id of the attribution whose content covers most of ``span``; on a tie the innermost one.

    Nested reporting ("the agency says the ministry said ...") gives several attributions over the same
    words; the innermost (the one with a parent) names the closest speaker, and its ``parent`` chain
    recovers the rest.
    """
    best: tuple[int, int, str] | None = None
    for record in attributions:
        covered = sum(_overlap(span, part) for part in record.content)
        if record.source is not None:
            covered += _overlap(span, record.source) // 4  # "X said" inside the sentence counts a little
        if covered <= 0:
            continue
        key = (covered, 1 if record.parent else 0, record.id)
        if best is None or key[:2] > best[:2]:
            best = key
    return best[2] if best else None


class _AttributionIndex:
    """The attributions of a doc ordered by where they start, to find those touching a sentence quickly.

    A sentence only needs the few attributions whose source or content overlaps it; scanning all of them
    for every sentence costs (sentences x attributions) in long articles.
    """

    def __init__(self, attributions: list[AttributionRecord]):
        reach: list[tuple[int, int, int]] = []  # (first char, last char, position in attributions)
        for i, record in enumerate(attributions):
            parts = list(record.content) + ([record.source] if record.source is not None else [])
            if parts:
                reach.append((min(p[0] for p in parts), max(p[1] for p in parts), i))
        reach.sort()
        self._starts = [r[0] for r in reach]
        self._reach = reach
        self._records = attributions

    def touching(self, span: CharSpan) -> list[AttributionRecord]:
        """The attributions whose reach overlaps ``span``, in their original order (ties keep the first)."""
        stop = bisect.bisect_left(self._starts, span[1])
        found = sorted(i for _, hi, i in self._reach[:stop] if hi > span[0])
        return [self._records[i] for i in found]


def checkworthiness(rows: Sequence[Sequence[Any]], doc: Doc, lexical: bool = True) -> list[float]:
    """The check-worthiness of each ``[start, end, encoder probability]`` row of the ``checkworthy`` head.

    With ``lexical`` and the lexical model present: the blend of the encoder's probability and the lexical
    model's score of the sentence (its text, and its part-of-speech and entity tags when the model reads
    them: :func:`sayso._lexical.tag_sequence` of the tokens the row covers); otherwise the encoder's
    probability.
    """
    probs = [float(row[2]) for row in rows]
    model = get_lexical_model() if lexical and rows else None
    if model is None:
        return probs
    text = text_of(doc)
    spans = [text[int(row[0]) : int(row[1])] for row in rows]
    tags = None
    if model.needs_tags:
        tags = []
        for row in rows:
            span = doc.char_span(int(row[0]), int(row[1]), alignment_mode="expand")
            tags.append(tag_sequence(span) if span is not None else "")
    return [float(p) for p in model.blend(probs, spans, tags)]


class ClaimsComponent:
    """Sentences whose check-worthiness reaches ``threshold`` become :class:`ClaimRecord` objects.

    ``lexical``: blend the encoder's score with the lexical model (when its file is installed).
    """

    def __init__(self, threshold: float, lexical: bool = True):
        self.threshold = float(threshold)
        self.lexical = bool(lexical)

    def __call__(self, doc: Doc) -> Doc:
        heads = doc._.sayso_heads or {}
        rows = heads.get("checkworthy", [])
        text = text_of(doc)
        attributions: list[AttributionRecord] = doc._.sayso_attributions or []
        index = _AttributionIndex(attributions)
        quantities = doc._.sayso_quantities or []
        events = doc._.sayso_events or []
        claims: list[ClaimRecord] = []
        for row, prob in zip(rows, checkworthiness(rows, doc, self.lexical), strict=True):
            start, end = int(row[0]), int(row[1])
            if prob < self.threshold or not text[start:end].strip():
                continue
            span = (start, end)
            claims.append(
                ClaimRecord(
                    id=f"c{len(claims) + 1}",
                    span=span,
                    checkworthiness=round(prob, 4),
                    attribution=reporting_attribution(span, index.touching(span)),
                    quantities=[q.id for q in quantities if start <= q.span[0] and q.span[1] <= end],
                    events=[e.id for e in events if start <= e.trigger[0] and e.trigger[1] <= end],
                )
            )
        doc._.sayso_claims = claims
        return doc


@Language.factory(
    "sayso_claims",
    assigns=["doc._.sayso_claims"],
    requires=[
        "doc._.sayso_heads",
        "doc._.sayso_attributions",
        "doc._.sayso_quantities",
        "doc._.sayso_events",
    ],
    default_config={"threshold": 0.5, "lexical": True},
)
def make_claims(nlp: Language, name: str, threshold: float, lexical: bool) -> ClaimsComponent:
    """``threshold``: the lowest check-worthiness that makes a sentence a claim (0 lists every sentence);
    ``lexical``: blend in the lexical model (False: the encoder's probability alone)."""
    return ClaimsComponent(threshold, lexical)
