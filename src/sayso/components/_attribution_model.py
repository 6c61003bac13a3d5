"""Combining the trained tagger's SOURCE / CUE / CONTENT spans with the rules' attributions.

Why both: the tagger (trained on PolNeAR) knows the long tail of cues ("blasted", "is seizing on",
"went on to discuss") and where contents continue, but it labels tokens, not relations, and it breaks cues
into pieces. The rules know structure (subject = source, frames, quotes) but only the cues they list.
So rules go first; the tagger adds the attributions rules missed, built with the same structural help
(the parse's subject when the tagger saw no source), and it attaches contents that continue an
attribution over later sentences, as PolNeAR annotates them.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from typing import Any

from spacy.tokens import Doc

from sayso.components._attribution_rules import (
    EXTRACTOR,
    Candidate,
    QuoteMap,
    dateline_end,
    subtree_chars,
    trim_span,
)
from sayso.components._common import CharSpan, text_of
from sayso.components._cues import Cue

ModelSpan = tuple[str, int, int, float]

# When the tagger marks a cue the lexicon does not know ("has endorsed", "blasted"), its content is read
# from the parse with every frame a cue can take.
_ANY_FRAME = Cue(
    "model",
    "VERB",
    "model",
    frozenset(
        {"ccomp", "xcomp", "dobj", "quote", "prep:for", "prep:about", "prep:on", "prep:of", "prep:against"}
    ),
)


def _overlaps(a: CharSpan, b: CharSpan) -> bool:
    return a[0] < b[1] and b[0] < a[1]


class _Sentences:
    """Sentence index of a character offset, by bisection over sentence starts."""

    def __init__(self, doc: Doc):
        self.bounds = (
            [(s.start_char, s.end_char) for s in doc.sents] if doc.has_annotation("SENT_START") else []
        )
        self.starts = [b[0] for b in self.bounds]

    def of(self, char: int) -> int:
        return max(bisect.bisect_right(self.starts, char) - 1, 0)


def _merge_cue_pieces(doc: Doc, cues: list[ModelSpan], others: list[ModelSpan]) -> list[ModelSpan]:
    """Join cue pieces the tagger split ("has" ... "said"): close together, nothing labelled between."""
    merged: list[ModelSpan] = []
    for cue in sorted(cues, key=lambda c: c[1]):
        if merged:
            last = merged[-1]
            gap = text_of(doc)[last[2] : cue[1]]
            between = any(last[2] <= o[1] < cue[1] for o in others)
            if not between and len(gap.split()) <= 2 and not any(ch in gap for ch in "\n.,;:"):
                merged[-1] = ("CUE", last[1], cue[2], (last[3] + cue[3]) / 2)
                continue
        merged.append(cue)
    return merged


def combine(
    doc: Doc, rules: list[Candidate], quotes: QuoteMap, model_spans: Sequence[Sequence[Any]]
) -> list[Candidate]:
    """Rule candidates plus what the tagger adds (rule candidates may gain continued content in place)."""
    spans: list[ModelSpan] = [(str(s[0]), int(s[1]), int(s[2]), float(s[3])) for s in model_spans]
    if not spans:
        return rules
    sentences = _Sentences(doc)
    sources = [s for s in spans if s[0] == "SOURCE"]
    # The dateline says where and when the report was filed; it is never what someone says.
    filed_end = dateline_end(doc)
    contents = sorted((s for s in spans if s[0] == "CONTENT" and s[1] >= filed_end), key=lambda s: s[1])
    cues = _merge_cue_pieces(doc, [s for s in spans if s[0] == "CUE"], sources + contents)

    candidates = list(rules)
    used_content: set[int] = set()
    used_source: set[int] = set()
    for i, content in enumerate(contents):
        if any(_overlaps((content[1], content[2]), piece) for c in candidates for piece in c.content):
            used_content.add(i)
    for j, source in enumerate(sources):
        if any(c.source and _overlaps((source[1], source[2]), c.source) for c in candidates):
            used_source.add(j)

    # 1. cues the rules missed become attributions
    for cue in cues:
        cue_span = (cue[1], cue[2])
        if any(c.cue and _overlaps(cue_span, c.cue) for c in candidates):
            continue
        sentence = sentences.of(cue[1])
        mine = [i for i, c in enumerate(contents) if i not in used_content and sentences.of(c[1]) == sentence]
        if not mine:  # a quote in the sentence before a bare "she said."
            mine = [
                i
                for i, c in enumerate(contents)
                if i not in used_content and sentences.of(c[1]) == sentence - 1 and c[2] <= cue[1]
            ][-1:]
        pieces = [(contents[i][1], contents[i][2]) for i in mine]
        if not pieces:
            pieces = _parse_content(doc, cue_span, quotes)
        if not pieces:
            continue
        speaker = _model_source(doc, cue_span, sentence, sources, used_source, sentences)
        used_content.update(mine)
        inside = [q for p in pieces for q in quotes.overlapping(*p)]
        covered = inside and all(
            any(quotes.quotes[q].start <= p[0] + 1 and p[1] <= quotes.quotes[q].end + 1 for q in inside)
            for p in pieces
        )
        kind = "direct" if covered else ("mixed" if inside else "indirect")
        token = doc.char_span(cue[1], cue[2], alignment_mode="expand")
        candidates.append(
            Candidate(
                kind=kind,
                cue=cue_span,
                source=speaker[0] if speaker else None,
                content=pieces,
                cue_token=token.root.i if token is not None else 0,
                source_token=speaker[1] if speaker else None,
                confidence=round(cue[3], 4),
                origin="model",
                extra_quotes=inside,
            )
        )

    # 2. a source the tagger saw goes to a sourceless attribution of its sentence
    for j, source in enumerate(sources):
        if j in used_source:
            continue
        sentence = sentences.of(source[1])
        sourceless = [
            c
            for c in candidates
            if c.source is None and c.cue is not None and sentences.of(c.cue[0]) == sentence
        ]
        if sourceless:
            owner = min(sourceless, key=lambda c: abs((c.cue or (0, 0))[0] - source[1]))
            owner.source = (source[1], source[2])
            span = doc.char_span(source[1], source[2], alignment_mode="expand")
            owner.source_token = span.root.i if span is not None else None
            used_source.add(j)

    # 3. contents without a cue continue the nearest attribution before them (PolNeAR continuation)
    ordered = sorted(candidates, key=lambda c: (c.cue or c.content[0])[0])
    anchors = [(c.cue or c.content[0])[0] for c in ordered]
    for i, content in enumerate(contents):
        if i in used_content:
            continue
        piece = (content[1], content[2])
        k = bisect.bisect_right(anchors, piece[0]) - 1
        if k < 0:
            continue
        owner = ordered[k]
        last_end = max(p[1] for p in owner.content)
        gap = text_of(doc)[last_end : piece[0]]
        if last_end > piece[0] or gap.count("\n") > 2 or sentences.of(piece[0]) - sentences.of(last_end) > 3:
            continue
        owner.content.append(piece)
        if owner.origin == "rules":
            owner.origin = "rules+model"
        used_content.add(i)
    return candidates


def _parse_content(doc: Doc, cue: CharSpan, quotes: QuoteMap) -> list[CharSpan]:
    """Content of a tagger-only cue from the parse: its complement, object or adjacent quote."""
    span = doc.char_span(cue[0], cue[1], alignment_mode="expand")
    if span is None:
        return []
    head = span.root
    if not (head.pos_ in ("VERB", "AUX") or head.tag_.startswith("VB")):
        return []
    pieces, _, _ = EXTRACTOR._verb_content(doc, head, _ANY_FRAME, quotes)
    if pieces:
        return pieces
    # no complement the frames know: what the verb governs after the cue ("may not let [editors decide]")
    after = [t for t in head.subtree if t.idx >= cue[1] and t.dep_ not in ("punct", "cc")]
    if sum(1 for t in after if t.is_alpha) < 2:
        return []
    rest = trim_span(doc, after[0].idx, after[-1].idx + len(after[-1]))
    return [rest] if rest is not None and "\n" not in text_of(doc)[rest[0] : rest[1]] else []


def _model_source(
    doc: Doc,
    cue: CharSpan,
    sentence: int,
    sources: list[ModelSpan],
    used: set[int],
    sentences: _Sentences,
) -> tuple[CharSpan, int | None] | None:
    """The tagger's nearest source in the cue's sentence, else the parse's subject of the cue."""
    near = [
        (min(abs(s[1] - cue[1]), abs(s[2] - cue[0])), j)
        for j, s in enumerate(sources)
        if j not in used and sentences.of(s[1]) == sentence
    ]
    if near:
        _, j = min(near)
        used.add(j)
        span = doc.char_span(sources[j][1], sources[j][2], alignment_mode="expand")
        return (sources[j][1], sources[j][2]), (span.root.i if span is not None else None)
    token = doc.char_span(cue[0], cue[1], alignment_mode="expand")
    if token is None:
        return None
    subject = EXTRACTOR._source_token(token.root)
    if subject is None:
        return None
    trimmed = trim_span(doc, *subtree_chars(subject, drop=frozenset({"relcl"})), keep_quotes=False)
    return (trimmed, subject.i) if trimmed else None
