"""Combining the trained tagger's SOURCE / CUE / CONTENT spans with the rules' attributions.

Why both: the tagger (trained on PolNeAR) knows the long tail of cues ("blasted", "is seizing on",
"went on to discuss") and where contents continue, but it labels tokens, not relations, and it breaks cues
into pieces. The rules know structure (subject = source, frames, quotes) but only the cues they list.
So rules go first; the tagger adds the attributions rules missed, built with the same structural help
(the parse's subject when the tagger saw no source), and it attaches contents that continue an
attribution over later sentences, as PolNeAR annotates them. Where both found a content, the tagger's
boundaries win (it learnt PolNeAR's); where the tagger found a cue of its own for a quote the rules
attached to an earlier speaker, the quote goes to that cue.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from typing import Any

from spacy.tokens import Doc, Token

from sayso.components._attribution_rules import (
    EXTRACTOR,
    Candidate,
    QuoteMap,
    dateline_end,
    source_phrase,
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
    """A doc's sentences read once: the index of the one holding a character offset, by bisection, and
    each one's character (``bounds``) and token (``tokens``) ranges."""

    def __init__(self, doc: Doc):
        sents = list(doc.sents) if doc.has_annotation("SENT_START") else []
        self.bounds = [(s.start_char, s.end_char) for s in sents]
        self.tokens = [(s.start, s.end) for s in sents]
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

    _release_continuations(doc, rules, cues, sentences)
    _tagger_boundaries(rules, contents, cues, sentences)
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
    new_cues = [c for c in cues if not any(r.cue and _overlaps((c[1], c[2]), r.cue) for r in rules)]
    for cue in cues:
        cue_span = (cue[1], cue[2])
        if any(c.cue and _overlaps(cue_span, c.cue) for c in candidates):
            continue
        sentence = sentences.of(cue[1])
        # of the sentence's free contents, those nearer to this cue than to another new one ("Protesters
        # demanded a recount while officials praised the calm vote": two reports, two contents)
        rivals = [c for c in new_cues if sentences.of(c[1]) == sentence]
        verbal = [c for c in rivals if _is_verbal(doc, c)]
        mine = [
            i
            for i, c in enumerate(contents)
            if i not in used_content and sentences.of(c[1]) == sentence and _owner(c, verbal or rivals) is cue
        ]
        if not mine:
            mine = _embedded_contents(doc, cue, candidates, contents, sources, sentences)
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
        # a passive cue without its "by" agent ("The mayor was criticized for the delay") names no source:
        # its subject is what is talked about (PolNeAR's attributions without source)
        sourceless = [
            c
            for c in candidates
            if c.source is None
            and c.cue is not None
            and sentences.of(c.cue[0]) == sentence
            and not _passive(doc[c.cue_token])
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


def _adjacent(doc: Doc, end: int, start: int) -> bool:
    """Whether only a word or two, and no punctuation, stand between ``end`` and ``start``."""
    gap = text_of(doc)[end:start]
    return len(gap.split()) <= 2 and not any(ch in gap for ch in ',.;:\n"“”()—')


def _embedded_contents(
    doc: Doc,
    cue: ModelSpan,
    candidates: list[Candidate],
    contents: list[ModelSpan],
    sources: list[ModelSpan],
    sentences: _Sentences,
) -> list[int]:
    """The tagger's contents after ``cue`` when the tagger saw a whole attribution inside a rule content.

    The tagger never marks nested attributions, so a source, a cue and a content of its own inside a
    (non-quoted) rule content mean that content ran on too long ("Lee also noted, [while he conceded the
    plan was costly,] that ..."): the contents go to the tagger's attribution, and ``release_embedded``
    shortens the other.
    """
    sentence = sentences.of(cue[1])
    for outer in candidates:
        if outer.kind == "direct" or outer.origin == "model":
            continue
        for start, end in outer.content:
            if not start <= cue[1] < end:
                continue
            if not any(start <= s[1] and s[2] <= cue[1] and _adjacent(doc, s[2], cue[1]) for s in sources):
                continue  # the tagger's own source right before its cue: "while he conceded"
            return [
                i
                for i, c in enumerate(contents)
                if c[1] >= cue[2] and sentences.of(c[1]) == sentence and start <= c[1] < end
            ][:1]
    return []


def _is_verbal(doc: Doc, cue: ModelSpan) -> bool:
    span = doc.char_span(cue[1], cue[2], alignment_mode="expand")
    return span is not None and (span.root.pos_ in ("VERB", "AUX") or span.root.tag_.startswith("VB"))


def _owner(content: ModelSpan, cues: list[ModelSpan]) -> ModelSpan:
    """The cue a content belongs to: the nearest one before it, else the nearest one after it."""
    before = [c for c in cues if c[2] <= content[1]]
    if before:
        return max(before, key=lambda c: c[2])
    return min(cues, key=lambda c: c[1])


def _passive(verb: Token) -> bool:
    return any(c.dep_ in ("nsubjpass", "auxpass") for c in verb.children)


def _tagger_boundaries(
    rules: list[Candidate], contents: list[ModelSpan], cues: list[ModelSpan], sentences: _Sentences
) -> None:
    """Where the tagger marks the content a rule found, take the tagger's boundaries.

    Rules read a content from the parse (a complement's subtree), which often stops short of, or runs
    past, what PolNeAR counts as the content (a relative clause, a second conjunct, a trailing
    adverbial); the tagger learnt those boundaries. A rule content piece overlapped by the tagger's
    content spans of its own sentence becomes their extent, unless that would take in the rule's cue or
    another cue (two reports), or the rule's content is a quotation (quote marks are exact).
    """
    for candidate in rules:
        if candidate.kind == "direct":
            continue
        for k, piece in enumerate(candidate.content):
            sentence = sentences.of(piece[0])
            over = [t for t in contents if _overlaps((t[1], t[2]), piece) and sentences.of(t[1]) == sentence]
            if not over:
                continue
            start, end = min(t[1] for t in over), max(t[2] for t in over)
            if candidate.cue is not None and start < candidate.cue[1] and candidate.cue[0] < end:
                continue
            if len(over) > 1 and (
                any(start < q[1] < end for q in cues) or any(r.cue and start < r.cue[0] < end for r in rules)
            ):
                continue
            candidate.content[k] = (start, end)


def _release_continuations(
    doc: Doc, rules: list[Candidate], cues: list[ModelSpan], sentences: _Sentences
) -> None:
    """Give back the continued quotes that have a cue of their own.

    Rules attach a quote without a cue to the speaker before it ("..." she said. "..."), but the cue
    they did not know may be right there ("..." the nurse added, or She continued, "..."): that quote, and
    those continuing it, belong to the new speaker. A cue inside the quote is the quoted speaker's own.
    """
    for cue in cues:
        if any(c.cue and _overlaps((cue[1], cue[2]), c.cue) for c in rules):
            continue
        at = sentences.of(cue[1])
        for candidate in rules:
            for k, piece in enumerate(candidate.continued):
                if piece[0] <= cue[1] < piece[1]:
                    continue
                first, last = sentences.of(piece[0]), sentences.of(max(piece[1] - 1, piece[0]))
                after = at == last + 1 and "\n" not in text_of(doc)[piece[1] : cue[1]]
                if first <= at <= last or after:
                    dropped = set(candidate.continued[k:])
                    candidate.content = [p for p in candidate.content if p not in dropped]
                    candidate.continued = candidate.continued[:k]
                    break


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
    """The source of a tagger-only cue: the tagger's source that is the parse's subject of the cue, else
    the tagger's nearest source in the cue's sentence, else the parse's subject.

    The nearest tagged source may belong to another phrase ("Mr. Diaz, who spoke after Ms. Lee, cited
    ..."); the grammatical subject is the one who does the saying.
    """
    token = doc.char_span(cue[0], cue[1], alignment_mode="expand")
    subject = EXTRACTOR._source_token(token.root) if token is not None else None
    if subject is not None:
        extent = subtree_chars(subject, drop=frozenset({"relcl"}))
        for j, s in enumerate(sources):
            if s[1] <= subject.idx < s[2] or (j not in used and extent[0] <= s[1] and s[2] <= extent[1]):
                used.add(j)
                return (s[1], s[2]), subject.i
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
    if subject is None:
        return None
    trimmed = source_phrase(subject)
    return (trimmed, subject.i) if trimmed else None
