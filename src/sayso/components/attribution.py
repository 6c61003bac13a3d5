"""The ``sayso_attribution`` component: who says what, with which cue, on whose say-so.

It combines two views of the same text. Rules (``_attribution_rules``) know the frames of reporting
verbs and nouns, quotation conventions and "according to"; they give attributions their structure.
When ``sayso_encoder`` ran before it (profile ``full``), the trained tagger's spans are merged in
(``_attribution_model``): it adds the cues rules do not list and the contents that continue over sentences.
Sources are resolved without a coreference model (``_resolve``), and attributions whose cue lies in
another's content get that one as ``parent``, so every chain of who-reports-whom can be followed.
"""

from __future__ import annotations

from collections.abc import Callable

from spacy.language import Language
from spacy.tokens import Doc

from sayso.components._attribution_model import combine
from sayso.components._attribution_rules import Candidate, extract_rules, trim_span
from sayso.components._common import AttributionRecord
from sayso.components._resolve import resolve_sources


def _contains(outer: tuple[int, int], char: int) -> bool:
    return outer[0] <= char < outer[1]


def assign_parents(records: list[AttributionRecord]) -> None:
    """Give each attribution the innermost other attribution whose content holds its cue."""
    for record in records:
        if record.cue is None:
            continue
        best: AttributionRecord | None = None
        best_size = 0
        for other in records:
            if other is record:
                continue
            for piece in other.content:
                if _contains(piece, record.cue[0]):
                    size = piece[1] - piece[0]
                    if best is None or size < best_size:
                        best, best_size = other, size
        if best is not None and best.parent != record.id:
            record.parent = best.id


def release_embedded(doc: Doc, candidates: list[Candidate]) -> None:
    """Cut a content piece where the tagger found a whole attribution of its own inside it.

    A rule content can run too long (a parse that hangs a second clause under the first cue: "X insisted
    ..., while Y claimed ..."). When the tagger, which never marks nested attributions, puts a cue *and*
    its source inside that content, the content ends where that attribution begins.
    """
    for inner in candidates:
        if inner.origin != "model" or inner.cue is None or inner.source is None:
            continue
        begin = min(inner.source[0], inner.cue[0])
        for outer in candidates:
            if outer is inner or outer.origin == "model":
                continue
            for k, (start, end) in enumerate(outer.content):
                if (
                    start < begin
                    and inner.cue[1] <= end
                    and inner.source[1] <= end
                    and outer.kind != "direct"
                ):
                    outer.content[k] = trim_span(doc, start, begin) or (start, end)


def build_records(doc: Doc, candidates: list[Candidate]) -> list[AttributionRecord]:
    """Order candidates, give them ids, resolve their sources and link nesting."""
    release_embedded(doc, candidates)
    ordered = sorted(candidates, key=lambda c: (c.cue or c.content[0])[0])
    heads = [doc[c.source_token] if c.source_token is not None else None for c in ordered]
    resolved = resolve_sources(doc, [(c.source, h) for c, h in zip(ordered, heads, strict=True)])
    records = [
        AttributionRecord(
            id=f"a{i}",
            kind=c.kind,
            source=c.source,
            cue=c.cue,
            content=sorted(set(c.content)),
            source_resolved=r,
            confidence=c.confidence,
            method=c.origin,
        )
        for i, (c, r) in enumerate(zip(ordered, resolved, strict=True), 1)
    ]
    assign_parents(records)
    return records


@Language.factory(
    "sayso_attribution",
    assigns=["doc._.sayso_attributions"],
    requires=["token.dep", "doc.ents"],  # reads doc._.sayso_heads when sayso_encoder ran
    default_config={},
)
def make_attribution(nlp: Language, name: str) -> Callable[[Doc], Doc]:
    """Build the component (rules; stateless, so one instance serves every doc)."""

    def sayso_attribution(doc: Doc) -> Doc:
        candidates, quotes = extract_rules(doc)
        heads = doc._.sayso_heads
        if heads and heads.get("attribution"):
            candidates = combine(doc, candidates, quotes, heads["attribution"])
        doc._.sayso_attributions = build_records(doc, candidates)
        return doc

    return sayso_attribution
