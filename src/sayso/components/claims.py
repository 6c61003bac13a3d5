"""The ``sayso_claims`` component: claim units with their check-worthiness, tied to who reports them.

A claim unit is a sentence (cut at newlines, as the encoder's chunking does), because check-worthiness data
(ClaimBuster, CLEF-2019 CheckThat!) is labelled per sentence. Its ``checkworthiness`` comes from the shared
encoder's ``checkworthy`` head (mean-pooled over the sentence's wordpieces; ``sayso_encoder`` computed it),
so no second model runs. Each claim is linked to the attribution whose content covers most of it, and to
the figures and events inside it, so a fact-checker sees *who* makes the checkable statement and *what*
in it can be checked. sayso ranks what is worth checking; it never says whether a claim is true.
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

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


class ClaimsComponent:
    """Sentences whose check-worthiness reaches ``threshold`` become :class:`ClaimRecord` objects."""

    def __init__(self, threshold: float):
        self.threshold = float(threshold)

    def __call__(self, doc: Doc) -> Doc:
        heads = doc._.sayso_heads or {}
        rows = heads.get("checkworthy", [])
        text = text_of(doc)
        attributions: list[AttributionRecord] = doc._.sayso_attributions or []
        quantities = doc._.sayso_quantities or []
        events = doc._.sayso_events or []
        claims: list[ClaimRecord] = []
        for row in rows:
            start, end, prob = int(row[0]), int(row[1]), float(row[2])
            if prob < self.threshold or not text[start:end].strip():
                continue
            span = (start, end)
            claims.append(
                ClaimRecord(
                    id=f"c{len(claims) + 1}",
                    span=span,
                    checkworthiness=round(prob, 4),
                    attribution=reporting_attribution(span, attributions),
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
    default_config={"threshold": 0.5},
)
def make_claims(nlp: Language, name: str, threshold: float) -> ClaimsComponent:
    """``threshold``: the lowest check-worthiness that makes a sentence a claim (0 lists every sentence)."""
    return ClaimsComponent(threshold)
