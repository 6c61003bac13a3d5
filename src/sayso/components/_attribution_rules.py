"""Rule-based attribution over the dependency parse: quotes, reporting verbs and nouns, "according to".

This is the structural half of ``sayso_attribution``: it knows the frames (subject = source, that-clause
or quotation = content, verb group = cue) and the news conventions (quotes over several sentences or
paragraphs, "..., she said, adding that ...", "a statement urging ...", parenthetical "X argues,").
The trained tagger (see ``attribution.py``) adds what frames cannot list; rules give it structure.

Conventions follow the PolNeAR guidelines: the cue is one contiguous verb group (auxiliaries, negation,
adverbs and a linking preposition included); quotation marks belong to the content; a final sentence
period does not; the source keeps its determiners and appositions but not incidental relative clauses.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from spacy.tokens import Doc, Span, Token

from sayso.components._common import CharSpan, DatelineRecord, text_of
from sayso.components._cues import DOCUMENT_PARTICIPLES, ISSUING_VERBS, Cue, CueLexicon, load_cues
from sayso.components._quotes import Quote, find_quotes

_SUBJECTS = frozenset({"nsubj", "nsubjpass", "csubj"})
_LEFT_GROUP = frozenset({"aux", "auxpass", "neg", "advmod"})
_EXPLETIVES = frozenset({"it", "there"})
_EDGE_PUNCT = " \t\r\n,;:.-—–"
_SOURCE_DROP_DEPS = frozenset({"relcl"})
_OWNER_DROP_DEPS = frozenset({"relcl", "case"})  # "Mr. Roe's view": the owner without its "'s"
_ISSUE_CUE = Cue("issue", "VERB", "speech", frozenset())
# "MORENO: ...", "Sen. Jane Roe: ..." at the start of a line (a headline or a transcript turn). A
# transcript printed as a multi-paragraph quotation opens each turn with a quote mark: '"MORENO: ...'.
_LABEL = re.compile(
    r"(?m)^[^\S\n]*[\"“]?(?P<name>[A-Z][\w.'’-]*(?:[^\S\n]+[A-Z][\w.'’-]*){0,4})(?P<colon>:)[^\S\n]"
)
# The speaker label of a transcript turn: capitals only ("MORENO:", "SEN. ROE:", "Q:"), then the turn.
_TRANSCRIPT_LABEL = re.compile(r"[A-Z][A-Z.'’-]*(?:[^\S\n][A-Z][A-Z.'’-]*){0,3}:[^\S\n]")
# '"..." — Name' or '...”― Name' at the end of a line: a quote credited with a dash.
_DASH_CREDIT = re.compile(
    r"(?m)(?P<dash>[―—–]|--)[^\S\n]*(?P<name>[A-Z][\w.'’-]*(?:[^\S\n]+[A-Z][\w.'’-]*){0,4}?)\.?[^\S\n]*$"
)


# "in" + these nouns names where a finding comes from ("in the latest poll", "in an average of harbour
# polls", "in his words"): see RuleExtractor._in_source.
_POLL_NOUNS = frozenset({"poll", "polls", "survey", "surveys", "tracking", "ranking", "rankings"})
_POLL_AGGREGATES = frozenset({"average", "aggregate", "tally"})
_COMPLEMENTIZERS = frozenset({"that", "whether", "if"})
_SOURCE_ENTITIES = frozenset({"PERSON", "ORG", "GPE", "NORP"})
_FIGURE_NOUNS = frozenset({"percent", "percentage", "point", "points"})
_FIGURE_ENTITIES = frozenset({"PERCENT", "CARDINAL", "MONEY", "QUANTITY"})
_VIEW_NOUNS = frozenset({"view", "opinion", "estimation", "judgment", "judgement"})
_EYE_NOUNS = frozenset({"eye", "eyes", "word", "words"})

# Labels an editor puts before a colon: what follows is the paper's note, not someone's words.
EDITORIAL_LABELS = frozenset(
    {
        "correction",
        "corrections",
        "clarification",
        "update",
        "updated",
        "editor's note",
        "editors' note",
        "note",
        "related",
        "see also",
        "read more",
        "photo",
        "photos",
        "video",
        "watch",
        "advertisement",
        "disclosure",
        "caption",
    }
)


@dataclass
class Candidate:
    """An attribution found by rules, before ids, nesting and resolution are assigned."""

    kind: str
    cue: CharSpan | None
    source: CharSpan | None
    content: list[CharSpan]
    cue_token: int  # token index of the cue head, for parse-based linking
    source_token: int | None = None
    confidence: float = 0.8
    origin: str = "rules"
    extra_quotes: list[int] = field(default_factory=list)
    # content pieces attached because they continue the speaker (a later quote without a cue of its own),
    # not through the cue's grammar: a cue found later for one of them takes it over
    continued: list[CharSpan] = field(default_factory=list)


def trim_span(doc: Doc, start: int, end: int, keep_quotes: bool = True) -> CharSpan | None:
    """Trim whitespace and edge punctuation (never quote marks when ``keep_quotes``)."""
    text = text_of(doc)
    while start < end and (text[start] in _EDGE_PUNCT or (not keep_quotes and text[start] in "\"'“”‘’«»")):
        start += 1
    while end > start and (
        text[end - 1] in _EDGE_PUNCT or (not keep_quotes and text[end - 1] in "\"'“”‘’«»")
    ):
        end -= 1
    if end <= start:
        return None
    return start, end


def _pieces_without(doc: Doc, tokens: Iterable[Token], excluded: set[int]) -> list[CharSpan]:
    """The runs of ``tokens`` left when ``excluded`` token indices are cut out, of two words or more.

    "Thus, [the statement argues,] the delay cost lives." and "[According to X,] the floods ...": the
    content is the host clause minus the cue's own phrase.
    """
    pieces: list[list[Token]] = []
    current: list[Token] = []
    for token in tokens:
        if token.i in excluded:
            if current:
                pieces.append(current)
            current = []
            continue
        current.append(token)
    if current:
        pieces.append(current)
    spans = []
    for piece in pieces:
        if sum(1 for t in piece if not t.is_punct and not t.is_space) >= 2:
            trimmed = trim_span(doc, *_tokens_span(piece))
            if trimmed:
                spans.append(trimmed)
    return spans


def _clip_to_paragraph(doc: Doc, candidate: Candidate, quotes: QuoteMap) -> None:
    """Keep a parse-read content piece in its cue's paragraph.

    The parser can run a sentence on over a paragraph break (a heading, a "___" separator, the next
    paragraph's first words), and a complement read from it then crosses the break; only quotes run over
    paragraphs (they are grouped apart).
    """
    if candidate.cue is None:
        return
    text = text_of(doc)
    cue = candidate.cue[0]
    clipped: list[CharSpan] = []
    for start, end in candidate.content:
        if "\n" not in text[start:end] or (
            quotes.at(start) is not None and quotes.at(max(end - 1, start)) is not None
        ):
            clipped.append((start, end))
            continue
        lines: list[CharSpan] = []
        at = start
        for part in text[start:end].split("\n"):
            piece = trim_span(doc, at, at + len(part))
            if piece is not None:
                lines.append(piece)
            at += len(part) + 1
        if not lines:
            continue
        own = [p for p in lines if p[0] <= cue <= p[1] + 1]
        before = [p for p in lines if p[1] <= cue]
        clipped.append(own[0] if own else before[-1] if before else lines[0])
    candidate.content = clipped or candidate.content


def _tokens_span(tokens: list[Token]) -> CharSpan:
    return tokens[0].idx, tokens[-1].idx + len(tokens[-1])


def subtree_chars(token: Token, drop: frozenset[str] = frozenset(), stop_at: int | None = None) -> CharSpan:
    """Character extent of ``token``'s subtree, leaving out children whose dep is in ``drop``.

    ``stop_at`` (a token index) cuts the extent before that token, for sources that precede their cue.
    """
    excluded: set[int] = set()
    for child in token.children:
        if child.dep_ in drop:
            excluded.update(t.i for t in child.subtree)
    tokens = [t for t in token.subtree if t.i not in excluded and (stop_at is None or t.i < stop_at)]
    if not tokens:
        tokens = [token]
    # keep a contiguous run around the head token
    indices = sorted(t.i for t in tokens)
    start = end = token.i
    index_set = set(indices)
    while start - 1 in index_set:
        start -= 1
    while end + 1 in index_set:
        end += 1
    doc = token.doc
    return doc[start].idx, doc[end].idx + len(doc[end])


def source_phrase(token: Token, drop: frozenset[str] = _SOURCE_DROP_DEPS) -> CharSpan | None:
    """The phrase ``token`` heads as a source: its subtree without relative clauses (or the ``drop``
    dependents), trimmed of edge punctuation and quote marks ("the ministry, which ..." -> "the ministry")."""
    return trim_span(token.doc, *subtree_chars(token, drop=drop), keep_quotes=False)


def without_transcript_turns(text: str, quotes: list[Quote]) -> list[Quote]:
    """Quotes minus those that open with a transcript speaker label ('"MORENO: Will the bridge reopen?').

    A transcript reprinted as one long multi-paragraph quotation reopens every turn with a quote mark and
    never closes it. Read as a quotation, the whole exchange would become the content of whichever cue
    stands nearest, and every turn a nested report inside it; its speakers are the labels, which the
    line patterns attribute turn by turn. A quote that continued into a dropped turn stops there.
    """
    kept: list[Quote] = []
    for quote in quotes:
        if _TRANSCRIPT_LABEL.match(text, quote.inner_start):
            if kept and kept[-1].continues:
                kept[-1] = replace(kept[-1], continues=False)
            continue
        kept.append(quote)
    return kept


class QuoteMap:
    """Quotes of one doc with fast lookup by character offset."""

    def __init__(self, quotes: list[Quote]):
        self.quotes = quotes
        self.starts = [q.start for q in quotes]

    def at(self, char: int) -> int | None:
        """Index of the quote containing ``char`` (marks included), or None."""
        i = bisect.bisect_right(self.starts, char) - 1
        if i >= 0 and self.quotes[i].start <= char < self.quotes[i].end:
            return i
        return None

    def overlapping(self, start: int, end: int) -> list[int]:
        i = max(bisect.bisect_right(self.starts, start) - 1, 0)
        found = []
        while i < len(self.quotes) and self.quotes[i].start < end:
            if self.quotes[i].end > start:
                found.append(i)
            i += 1
        return found

    def group(self, i: int) -> list[int]:
        """The quote and the paragraphs that continue it (news convention)."""
        members = [i]
        while self.quotes[members[-1]].continues and members[-1] + 1 < len(self.quotes):
            members.append(members[-1] + 1)
        return members


# Verbs that need an object: one of them with a subject and no object after "the claim that" is a relative
# clause with its object gapped ("the claim that he made on Monday"), which the small parser often labels
# like a complement clause.
_TRANSITIVE = frozenset(
    {"make", "repeat", "issue", "publish", "release", "write", "file", "send", "give", "do", "hear", "read"}
    | {"cite", "deny", "reject", "dismiss", "retract", "submit", "receive", "see", "have", "get", "take"}
)
_OBJECTS = frozenset({"dobj", "ccomp", "xcomp", "attr", "acomp", "oprd", "dative", "nsubjpass", "auxpass"})


def _object_gap(clause: Token) -> bool:
    """Whether a that-clause after a noun is a relative clause missing its object (see _TRANSITIVE)."""
    return clause.lemma_.lower() in _TRANSITIVE and not any(c.dep_ in _OBJECTS for c in clause.children)


class RuleExtractor:
    """Finds attribution candidates in one parsed doc."""

    def __init__(self, lexicon: CueLexicon | None = None):
        self.lexicon = lexicon or load_cues()

    # ------------------------------------------------------------------ entry point
    def extract(self, doc: Doc) -> tuple[list[Candidate], QuoteMap]:
        text = text_of(doc)
        quotes = QuoteMap(without_transcript_turns(text, find_quotes(text)))
        if not doc.has_annotation("DEP"):
            return [], quotes
        candidates: list[Candidate] = []
        consumed: set[int] = set()
        for sent in doc.sents:
            for token in sent:
                if token.i in consumed:
                    continue
                lower = token.lower_
                if lower == "according" and token.i + 1 < len(doc) and doc[token.i + 1].lower_ == "to":
                    found = self._according_to(doc, token, quotes)
                elif lower == "in" and token.dep_ == "prep":
                    found = self._in_source(doc, token, quotes)
                elif token.pos_ in ("VERB", "AUX") or token.tag_.startswith("VB"):
                    cue = self.lexicon.verb(token.lemma_)
                    if cue is None and token.lemma_.lower() in ISSUING_VERBS:
                        cue = _ISSUE_CUE  # only a cue with a document frame: "issued a statement urging"
                    found = self._verb_cue(doc, token, cue, quotes, consumed) if cue else None
                else:
                    found = None
                if found is not None:
                    candidates.append(found)
        candidates.extend(self._noun_cues(doc, quotes, candidates))
        candidates.extend(self._line_patterns(doc, quotes, candidates))
        for candidate in candidates:
            _clip_to_paragraph(doc, candidate, quotes)
        self._attach_bare_quotes(doc, candidates, quotes)
        return candidates, quotes

    # ------------------------------------------------------------------ verb cues
    def _verb_cue(
        self, doc: Doc, verb: Token, cue: Cue, quotes: QuoteMap, consumed: set[int]
    ) -> Candidate | None:
        if quotes.at(verb.idx) is not None:
            return None  # a cue inside a quotation belongs to the quoted speaker's own words
        if cue.lemma == "point" and not any(c.dep_ == "prt" and c.lower_ == "out" for c in verb.children):
            return None
        if verb.dep_ == "acl" and verb.head.pos_ == "NOUN":
            return None  # "a statement urging ...": handled with the issuing verb
        if verb.dep_ == "xcomp" and self.lexicon.verb(verb.head.lemma_) is not None:
            return None  # "plans to declare ...": part of the outer cue's content
        document = self._document_frame(doc, verb, consumed)
        if cue is _ISSUE_CUE and document is None:
            return None
        cue_head, content_owner, content_cue = verb, verb, cue
        if document is not None:
            participle, participle_cue = document
            content_owner, content_cue = participle, participle_cue
        content, kind, quote_ids = self._verb_content(doc, content_owner, content_cue, quotes)
        if not content:
            return None
        cue_span = self._cue_group(doc, cue_head, content_owner if document else None, content_cue)
        source_token = self._source_token(verb)
        source = self._source_span(doc, source_token, cue_span, quotes) if source_token is not None else None
        if source is None and kind != "direct" and not self._passive(verb):
            return None  # "to declare X", "planning to ...": no speaker, so no attribution
        if (
            source is not None
            and source_token is not None
            and not (source[0] <= source_token.idx < source[1])
        ):
            replaced = doc.char_span(source[0], source[1], alignment_mode="expand")
            source_token = replaced.root if replaced is not None else None
        confidence = 0.9 if kind == "direct" else 0.75
        return Candidate(
            kind=kind,
            cue=cue_span,
            source=source,
            content=content,
            cue_token=verb.i,
            source_token=source_token.i if source_token is not None else None,
            confidence=confidence,
            extra_quotes=quote_ids,
        )

    def _document_frame(self, doc: Doc, verb: Token, consumed: set[int]) -> tuple[Token, Cue] | None:
        """ "issued a statement urging X": the participle carries the content, the issuer is the source."""
        if verb.lemma_.lower() not in ISSUING_VERBS:
            return None
        for obj in verb.children:
            if obj.dep_ != "dobj":
                continue
            for participle in obj.children:
                if participle.dep_ == "acl" and participle.lemma_.lower() in DOCUMENT_PARTICIPLES:
                    participle_cue = self.lexicon.verb(participle.lemma_)
                    if participle_cue is not None:
                        consumed.add(participle.i)
                        return participle, participle_cue
        return None

    def _verb_content(
        self, doc: Doc, verb: Token, cue: Cue, quotes: QuoteMap
    ) -> tuple[list[CharSpan], str, list[int]]:
        """Content spans of a verb cue, the kind, and the quotes used."""
        spans: list[CharSpan] = []
        complements = [
            c
            for c in verb.children
            if c.dep_ == "ccomp"
            and "ccomp" in cue.frames
            # "X said ..., Agency reports.": the parser may hang the agency's cue clause on "said"
            and not (self.lexicon.verb(c.lemma_) is not None and self._trailing_report(doc, c))
        ]
        if not complements and verb.dep_ == "parataxis" and "ccomp" in cue.frames:
            return self._parenthetical_content(doc, verb, quotes)
        if not complements and "ccomp" in cue.frames and self._trailing_report(doc, verb):
            return self._trailing_content(doc, verb, quotes)
        for child in complements:
            span = subtree_chars(child)
            spans.append(span)
        if not spans:
            preps = [f.split(":", 1)[1] for f in cue.frames if f.startswith("prep:")]
            for child in verb.children:
                if child.dep_ == "prep" and child.lower_ in preps:
                    objs = [c for c in child.children if c.dep_ in ("pobj", "pcomp")]
                    if objs:
                        start, end = subtree_chars(objs[0])
                        later = [
                            c
                            for c in [*verb.children, *objs[0].children]
                            if c.dep_ in ("xcomp", "advcl", "acl", "relcl")
                            and c.i > child.i
                            and any(a.dep_ == "aux" and a.lower_ == "to" for a in c.children)
                        ]
                        if later:
                            end = subtree_chars(later[-1])[1]
                        spans.append((start, end))
                        break
        if not spans and "xcomp" in cue.frames:
            xcomps = [c for c in verb.children if c.dep_ == "xcomp"]
            if xcomps:
                objects = [c for c in verb.children if c.dep_ in ("dobj", "dative") and c.i < xcomps[0].i]
                if cue.lemma == "tell" or cue.lemma == "ask" or cue.lemma == "order" or cue.lemma == "urge":
                    objects = [c for c in verb.children if c.dep_ == "dobj" and c.i < xcomps[0].i]
                first = objects[0] if objects else xcomps[0]
                start = subtree_chars(first)[0]
                end = subtree_chars(xcomps[-1])[1]
                spans.append((start, end))
        if not spans and "dobj" in cue.frames:
            for child in verb.children:
                if child.dep_ == "dobj" and child.pos_ != "PRON":
                    spans.append(subtree_chars(child))
                    break
        # A complement outside every quote, or one that follows the cue and begins outside a quote ("she
        # said she wanted to meet "every single family""), is the writer's clause: no other quote
        # next to the cue is the content.
        own_clause = any(
            quotes.at(start) is None
            and (quotes.at(max(end - 1, start)) is None or start >= verb.idx + len(verb))
            for start, end in spans
        )
        if "quote" in cue.frames and not own_clause:
            quote_ids = self._adjacent_quotes(doc, verb, quotes, spans)
            if quote_ids:
                group: list[int] = []
                for q in quote_ids:
                    group.extend(m for m in quotes.group(q) if m not in group)
                return [(quotes.quotes[q].start, quotes.quotes[q].end) for q in group], "direct", group
        cleaned = [t for t in (trim_span(doc, s, e) for s, e in spans) if t is not None]
        if not cleaned:
            return [], "indirect", []
        kind = "indirect"
        used: list[int] = []
        for start, end in cleaned:
            inside = quotes.overlapping(start, end)
            if inside:
                covered = all(
                    quotes.quotes[q].start <= start + 1 and quotes.quotes[q].end >= end - 1 for q in inside
                )
                kind = "direct" if covered and len(inside) == 1 else "mixed"
                used.extend(inside)
        if kind == "direct":
            q = used[0]
            group = quotes.group(q)
            return [(quotes.quotes[m].start, quotes.quotes[m].end) for m in group], "direct", group
        return cleaned, kind, used

    def _adjacent_quotes(self, doc: Doc, verb: Token, quotes: QuoteMap, spans: list[CharSpan]) -> list[int]:
        """Quotes that the cue introduces or closes: '"...," she said' / 'she said: "..."'."""
        sent = verb.sent
        found: list[int] = []
        # A quote whose closing mark sits just before the source/cue in the same sentence.
        for q in quotes.overlapping(sent.start_char, verb.idx):
            quote = quotes.quotes[q]
            if sent.start_char < quote.end <= verb.idx and self._only_frame_between(
                doc, quote.end, verb.idx, verb
            ):
                found = [self._first_of_group(quotes, q)]
        if found:
            return found
        # A quote that opens right after the cue (colon, comma or "that" between).
        after_end = sent.end_char if verb.i + 1 < len(doc) else verb.idx + len(verb)
        for q in quotes.overlapping(verb.idx + len(verb), after_end + 1):
            quote = quotes.quotes[q]
            if quote.start >= verb.idx + len(verb) and self._only_frame_between(
                doc, verb.idx + len(verb), quote.start, verb
            ):
                return [q]
        # A ccomp that lies inside a quote: the whole quote is the content.
        for start, end in spans:
            inside = quotes.overlapping(start, end)
            if len(inside) == 1:
                quote = quotes.quotes[inside[0]]
                if quote.start <= start + 1 and end <= quote.end + 1:
                    return [self._first_of_group(quotes, inside[0])]
        return []

    @staticmethod
    def _first_of_group(quotes: QuoteMap, q: int) -> int:
        while q > 0 and quotes.quotes[q - 1].continues:
            q -= 1
        return q

    @staticmethod
    def _only_frame_between(doc: Doc, start: int, end: int, verb: Token) -> bool:
        """Between a quote and its cue only punctuation, the speaker phrase or a short link may stand."""
        gap = text_of(doc)[start:end]
        if len(gap) > 160 or "\n" in gap:
            return False
        span = doc.char_span(start, end, alignment_mode="expand")
        if span is None:
            return not gap.strip(" ,:;—–-\n")
        for token in span:
            if token.is_punct or token.is_space or token.i == verb.i:
                continue
            # tokens of the subject phrase (or its apposition) and of the verb group are fine
            if token.head.i == verb.i and token.dep_ in (*_SUBJECTS, *_LEFT_GROUP, "mark", "prep", "dobj"):
                continue
            ancestors = {a.i for a in token.ancestors}
            subject_ids = {c.i for c in verb.children if c.dep_ in _SUBJECTS}
            if ancestors & subject_ids or token.i in subject_ids:
                continue
            if token.lower_ in ("that", "and", "but", "then", "as"):
                continue
            return False
        return True

    def _parenthetical_content(
        self, doc: Doc, verb: Token, quotes: QuoteMap
    ) -> tuple[list[CharSpan], str, list[int]]:
        """ "Thus, the statement argues, the delay cost lives.": the host clause minus the cue clause."""
        host = verb.head
        spans = _pieces_without(doc, host.subtree, {t.i for t in verb.subtree})
        if not spans:
            return [], "indirect", []
        used = [q for s, e in spans for q in quotes.overlapping(s, e)]
        return spans, ("mixed" if used else "indirect"), used

    @staticmethod
    def _trailing_report(doc: Doc, verb: Token) -> bool:
        """ "..., Alpine Wire reports, citing the office.": a cue clause after a comma at the end of the
        sentence that the parser hung on the reported clause as a conjunct (so it has no complement).

        A conjunct joined by "and"/"but" is a second statement ("X said ... and Y reported ..."), not this.
        """
        if verb.dep_ not in ("conj", "ccomp") or verb.head.i >= verb.i:
            return False
        if any(t.dep_ == "cc" for t in doc[verb.head.i + 1 : verb.i]):
            return False
        if any(c.dep_ == "ccomp" for c in verb.children):
            return False  # it has a complement of its own: an ordinary cue
        subjects = [c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass") and c.i < verb.i]
        if not subjects:
            return False
        sent = verb.sent
        if any(not t.is_punct and not t.is_space for t in doc[verb.right_edge.i + 1 : sent.end]):
            return False  # the cue clause must close the sentence
        first = subjects[0].left_edge.i
        return first > sent.start and doc[first - 1].text == ","

    def _trailing_content(
        self, doc: Doc, verb: Token, quotes: QuoteMap
    ) -> tuple[list[CharSpan], str, list[int]]:
        """What a trailing cue reports: the sentence before the comma that opens the cue clause, without
        the dateline ("SION, Switzerland, March 12 (Alpine Wire) -" is where and when, not what)."""
        sent = verb.sent
        first = min(c.left_edge.i for c in verb.children if c.dep_ in ("nsubj", "nsubjpass"))
        dateline_end_char = dateline_end(doc)
        tokens = [t for t in sent if t.i < first - 1 and t.idx >= dateline_end_char]
        spans = _pieces_without(doc, tokens, set())
        cleaned = [t for t in (trim_span(doc, s, e) for s, e in spans) if t is not None]
        if not cleaned:
            return [], "indirect", []
        used = [q for s, e in cleaned for q in quotes.overlapping(s, e)]
        return cleaned, ("mixed" if used else "indirect"), used

    # ------------------------------------------------------------------ cue and source spans
    def _cue_group(self, doc: Doc, verb: Token, participle: Token | None, cue: Cue) -> CharSpan:
        """The contiguous verb group: auxiliaries, negation and adverbs before; particle or prep after."""
        start = verb.i
        while start - 1 >= verb.sent.start:
            prev = doc[start - 1]
            if prev.head.i == verb.i and prev.dep_ in _LEFT_GROUP and not prev.is_punct:
                start -= 1
            else:
                break
        end = participle.i if participle is not None else verb.i
        head = participle if participle is not None else verb
        preps = {f.split(":", 1)[1] for f in cue.frames if f.startswith("prep:")}
        nxt = end + 1
        while (
            nxt < len(doc)
            and doc[nxt].head.i == head.i
            and (doc[nxt].dep_ == "prt" or (doc[nxt].dep_ == "prep" and doc[nxt].lower_ in preps))
        ):
            end = nxt
            nxt += 1
        return doc[start].idx, doc[end].idx + len(doc[end])

    def _source_token(self, verb: Token) -> Token | None:
        """The subject of the cue, its passive agent, or the subject it shares with its head clause."""
        node: Token | None = verb
        for _ in range(3):
            if node is None:
                return None
            for child in node.children:
                if child.dep_ == "agent":
                    objs = [c for c in child.children if c.dep_ == "pobj"]
                    if objs:
                        return objs[0]
            for child in node.children:
                if child.dep_ in ("nsubj", "csubj"):
                    if not any(ch.isalpha() for ch in child.text) or (
                        len(child.text) < 2 and child.lower_ != "i"
                    ):
                        return None
                    return None if child.lower_ in _EXPLETIVES and self._expletive(node) else child
                if child.dep_ == "nsubjpass":
                    return None  # "it was reported that ...": an implicit source
            if node.dep_ == "relcl":
                return node.head
            if node.dep_ in ("advcl", "conj", "xcomp", "acl") and node.head.i != node.i:
                node = node.head
                continue
            return None
        return None

    @staticmethod
    def _passive(verb: Token) -> bool:
        return any(c.dep_ in ("nsubjpass", "auxpass") for c in verb.children)

    @staticmethod
    def _expletive(verb: Token) -> bool:
        """ "It is said that ..." / "There is concern that ...": an empty subject."""
        return any(c.dep_ in ("auxpass", "attr", "acomp") for c in verb.children) or verb.lemma_ == "be"

    def _source_span(self, doc: Doc, token: Token, cue: CharSpan, quotes: QuoteMap) -> CharSpan | None:
        if quotes.at(token.idx) is not None:
            return None
        dateline = doc._.sayso_dateline
        if dateline is not None and dateline.extent is not None and token.idx < dateline.extent[1]:
            # The parser often makes the dateline city the subject ("SION, ... - Two groups said"):
            # the real subject is the phrase between the dateline and the cue.
            return (
                trim_span(doc, dateline.extent[1], cue[0], keep_quotes=False)
                if dateline.extent[1] < cue[0]
                else None
            )
        text = text_of(doc)
        line_start = text.rfind("\n", 0, cue[0]) + 1
        line_end = text.find("\n", cue[1])
        line_end = len(text) if line_end < 0 else line_end
        if not line_start <= token.idx < line_end:
            # A parse across a line break ("4:30 p.m.\n\nCouncil member Ana Lima is calling ..."): a
            # speaker is named on the cue's own line; the subject phrase before the cue is the source.
            before = trim_span(doc, line_start, cue[0], keep_quotes=False) if token.idx < cue[0] else None
            return before if before is not None and len(text[before[0] : before[1]].split()) <= 12 else None
        stop = None
        if token.idx < cue[0]:
            stop = doc.char_span(cue[0], cue[1], alignment_mode="expand")
            stop_i = stop.start if stop is not None else None
        else:
            stop_i = None
        start, end = subtree_chars(token, drop=_SOURCE_DROP_DEPS, stop_at=stop_i)
        start, end = max(start, line_start), min(end, line_end)  # a source never crosses a line break
        # never let a source run into a quotation
        for q in quotes.overlapping(start, end):
            quote = quotes.quotes[q]
            if quote.start > token.idx:
                end = min(end, quote.start)
            else:
                start = max(start, quote.end)
        return trim_span(doc, start, end, keep_quotes=False)

    # ------------------------------------------------------------------ according to
    def _according_to(self, doc: Doc, according: Token, quotes: QuoteMap) -> Candidate | None:
        if quotes.at(according.idx) is not None:
            return None
        to = doc[according.i + 1]
        objs = [c for c in to.children if c.dep_ == "pobj"] or [
            c for c in according.children if c.dep_ == "pobj"
        ]
        if not objs:
            return None
        source = source_phrase(objs[0])
        phrase_ids = {according.i, to.i} | {t.i for t in objs[0].subtree}
        spans = _pieces_without(doc, according.sent, phrase_ids)
        if not spans:
            return None
        content = [max(spans, key=lambda s: s[1] - s[0])]
        used = quotes.overlapping(*content[0])
        return Candidate(
            kind="according_to",
            cue=(according.idx, to.idx + len(to)),
            source=source,
            content=content,
            cue_token=according.i,
            source_token=objs[0].i,
            confidence=0.85,
            extra_quotes=used,
        )

    def _in_source(self, doc: Doc, prep: Token, quotes: QuoteMap) -> Candidate | None:
        """ "In a harbour poll, 48 percent ...", "leads in polls", "in Mr. Roe's view", "in the eyes of X".

        PolNeAR's guidelines count prepositional phrases such as "in the eyes of" as cues and, for "in
        Mr. Roe's view", the noun as the cue and its possessor as the source. Its annotators treat a poll
        or survey introduced by "in" the same way: the poll is the source, "in" the cue (67 relations with
        the cue "in" in its training part, 40 of them polls or surveys). Only these nouns make the frame:
        "in a statement" or "in an interview" belong to the reporting verb beside them ("said in a
        statement"), and "in Ohio" reports nothing. The content is the host sentence without the phrase,
        as for "according to".
        """
        if quotes.at(prep.idx) is not None:
            return None
        host = prep.head
        # "fell from 58 percent in the last poll to 45 percent": the poll dates a figure, reports no clause
        before = doc[prep.i - 1] if prep.i > 0 else prep
        if (
            host.like_num
            or host.ent_type_ in _FIGURE_ENTITIES
            or host.lemma_.lower() in _FIGURE_NOUNS
            or before.ent_type_ in _FIGURE_ENTITIES
        ):
            return None
        objs = [c for c in prep.children if c.dep_ == "pobj"]
        if not objs:
            return None
        obj = objs[0]
        lemma = obj.lemma_.lower()
        owners = [c for c in obj.children if c.dep_ == "poss"]
        cue = (prep.idx, prep.idx + len(prep))
        source_head: Token = obj
        if lemma in _POLL_AGGREGATES:  # "an average of this month's harbour polls"
            if not any(t.lemma_.lower() in _POLL_NOUNS for t in obj.subtree if t is not obj):
                return None
        elif lemma in _VIEW_NOUNS and owners:  # "in Mr. Roe's view": cue "view", source the owner
            cue, source_head = (obj.idx, obj.idx + len(obj)), owners[0]
        elif lemma in _EYE_NOUNS:  # "in their eyes", "in the mayor's words"; "in the eyes of most fishermen"
            of = [c for c in obj.children if c.dep_ == "prep" and c.lower_ == "of"]
            of_objects = [c for c in of[0].children if c.dep_ == "pobj"] if of else []
            if of_objects:
                cue, source_head = (prep.idx, of[0].idx + len(of[0])), of_objects[0]
            elif not owners:
                return None
        elif lemma not in _POLL_NOUNS:
            return None
        # a sentence with a reporting verb of its own ("The new survey showed the mayor doing better than in
        # other polls") is that verb's report; the phrase only compares
        verbs = (t for t in prep.sent if t.pos_ in ("VERB", "AUX") or t.tag_.startswith("VB"))
        if any(self.lexicon.verb(t.lemma_) for t in verbs):
            return None
        source = source_phrase(source_head, _SOURCE_DROP_DEPS if source_head is obj else _OWNER_DROP_DEPS)
        spans = _pieces_without(doc, prep.sent, {t.i for t in prep.subtree})
        if not spans or source is None:
            return None
        content = [max(spans, key=lambda s: s[1] - s[0])]
        return Candidate(
            kind="according_to",
            cue=cue,
            source=source,
            content=content,
            cue_token=prep.i if cue[0] == prep.idx else obj.i,
            source_token=source_head.i,
            confidence=0.75,
            extra_quotes=quotes.overlapping(*content[0]),
        )

    # ------------------------------------------------------------------ noun cues
    def _noun_cues(self, doc: Doc, quotes: QuoteMap, found: list[Candidate]) -> list[Candidate]:
        """ "The ministry's claim that the harbour was safe", "an institute report that ...", "concerns that".

        A reporting noun of the lexicon with a that-clause of its own is a cue, and PolNeAR's guidelines
        take a noun cue's possessor as its source; the clause, "that" included, is the content. The source
        is the possessor ("his warning"), else a name compounded with the noun ("a Harbour Institute
        report"), else a "by" or "from" phrase; without any, the attribution has no source, as PolNeAR
        annotates "concerns that ..." and "allegations that ...". Only a clause opened by "that",
        "whether" or "if" counts: "the claim that he made" is a relative clause, not what was claimed.
        Nouns already inside another cue ("issued a statement urging") or inside a quotation are left.
        """
        taken = [c.cue for c in found if c.cue is not None]
        results: list[Candidate] = []
        for token in doc:
            if token.pos_ != "NOUN" or self.lexicon.noun(token.lemma_) is None:
                continue
            if quotes.at(token.idx) is not None or any(a <= token.idx < b for a, b in taken):
                continue
            clause = next(
                (
                    c
                    for c in token.children
                    if c.dep_ in ("acl", "ccomp", "relcl")
                    and c.i > token.i
                    and any(m.dep_ == "mark" and m.lower_ in _COMPLEMENTIZERS for m in c.children)
                ),
                None,
            )
            if clause is None or _object_gap(clause):
                continue
            content = trim_span(doc, *subtree_chars(clause))
            if content is None:
                continue
            source_head = self._noun_cue_source(token)
            source = source_phrase(source_head) if source_head is not None else None
            quoted = quotes.overlapping(*content)
            results.append(
                Candidate(
                    kind="mixed" if quoted else "indirect",
                    cue=(token.idx, token.idx + len(token)),
                    source=source,
                    content=[content],
                    cue_token=token.i,
                    source_token=source_head.i if source is not None and source_head is not None else None,
                    confidence=0.7,
                    extra_quotes=quoted,
                )
            )
        return results

    @staticmethod
    def _noun_cue_source(noun: Token) -> Token | None:
        """Who made the claim, report or warning: possessor, compounded name, or "by"/"from" phrase."""
        for child in noun.children:
            if child.dep_ == "poss":
                return child
        for child in noun.children:
            if child.dep_ == "compound" and child.ent_type_ in _SOURCE_ENTITIES and child.i < noun.i:
                return child
        for child in noun.children:
            if child.dep_ == "prep" and child.lower_ in ("by", "from"):
                objects = [c for c in child.children if c.dep_ == "pobj"]
                if objects:
                    return objects[0]
        return None

    # ------------------------------------------------------------------ line patterns
    def _line_patterns(self, doc: Doc, quotes: QuoteMap, found: list[Candidate]) -> list[Candidate]:
        """Speaker labels ("MORENO: ...", a headline "Ana Moreno: ...") and dash credits ('"..." — Name').

        These are typographic, not grammatical, so they are read from the lines of the text; the name
        must look like one (capitalised words, a proper noun among them) to keep ordinary colons out.
        """
        text = text_of(doc)
        taken = [c.cue for c in found if c.cue is not None]
        results: list[Candidate] = []
        labels: list[tuple[int, int, int, int]] = []  # (name start, name end, colon, line end)
        for match in _LABEL.finditer(text):
            name_start, name_end, colon = match.start("name"), match.end("name"), match.start("colon")
            line_end = text.find("\n", colon)
            line_end = len(text) if line_end == -1 else line_end
            if (
                self._looks_like_name(doc, name_start, name_end)
                and line_end - colon > 3
                and text[name_start:name_end].lower().replace("’", "'") not in EDITORIAL_LABELS
            ):
                labels.append((name_start, name_end, colon, line_end))
        for i, (name_start, name_end, colon, line_end) in enumerate(labels):
            if any(a <= colon < b for a, b in taken):
                continue
            end = line_end
            upper = text[name_start:name_end].isupper()
            if upper:  # a transcript turn runs until the next speaker label
                next_start = labels[i + 1][0] if i + 1 < len(labels) else len(text)
                end = next_start
            content = trim_span(doc, colon + 1, end)
            token = doc.char_span(colon, colon + 1, alignment_mode="expand")
            if content is None or token is None:
                continue
            results.append(
                Candidate(
                    # a transcript turn is verbatim speech, quoted or not; its extent is exact
                    kind="direct" if upper or quotes.overlapping(*content) else "indirect",
                    cue=(colon, colon + 1),
                    source=(name_start, name_end),
                    content=[content],
                    cue_token=token.start,
                    confidence=0.7,
                )
            )
        for match in _DASH_CREDIT.finditer(text):
            dash, name_start, name_end = match.start("dash"), match.start("name"), match.end("name")
            if not self._looks_like_name(doc, name_start, name_end):
                continue
            before = [
                q for q in quotes.overlapping(max(dash - 2, 0), dash + 1) if quotes.quotes[q].end <= dash + 1
            ]
            if before:
                q = self._first_of_group(quotes, before[-1])
                pieces = [(quotes.quotes[m].start, quotes.quotes[m].end) for m in quotes.group(q)]
            else:
                line_start = text.rfind("\n", 0, dash) + 1
                trimmed = trim_span(doc, line_start, dash)
                pieces = [trimmed] if trimmed else []
            token = doc.char_span(dash, dash + 1, alignment_mode="expand")
            if not pieces or token is None:
                continue
            results.append(
                Candidate(
                    kind="direct" if before else "indirect",
                    cue=(dash, dash + 1),
                    source=(name_start, name_end),
                    content=pieces,
                    cue_token=token.start,
                    confidence=0.7,
                    extra_quotes=[q for q in before],
                )
            )
        return results

    @staticmethod
    def _looks_like_name(doc: Doc, start: int, end: int) -> bool:
        span = doc.char_span(start, end, alignment_mode="expand")
        if span is None or not 1 <= len(span) <= 6:
            return False
        words = [t for t in span if t.is_alpha]
        return (
            bool(words)
            and all(t.text[0].isupper() for t in words if len(t) > 3)
            and any(t.pos_ == "PROPN" or t.ent_type_ in ("PERSON", "ORG") or t.is_upper for t in words)
        )

    # ------------------------------------------------------------------ continuation of quotes
    def _attach_bare_quotes(self, doc: Doc, candidates: list[Candidate], quotes: QuoteMap) -> None:
        """A quoted sentence or paragraph without a cue continues the previous direct quote's speaker.

        PolNeAR annotates such continuations as content of the same attribution. Short quotes inside
        a sentence (scare quotes, titles) are never attributed this way.
        """
        used = {q for c in candidates for q in c.extra_quotes}
        ordered = sorted(candidates, key=lambda c: c.content[0][0] if c.content else 0)
        for q, quote in enumerate(quotes.quotes):
            if q in used:
                continue
            sent = self._sentence_of(doc, quote.start)
            if sent is None or not self._standalone(doc, quote, sent):
                continue
            previous = [
                c for c in ordered if c.kind in ("direct", "mixed") and c.content[-1][1] <= quote.start
            ]
            if not previous:
                continue
            owner = previous[-1]
            gap_text = text_of(doc)[owner.content[-1][1] : quote.start]
            if gap_text.count("\n\n") > 2 or len(gap_text) > 600:
                continue
            if any(
                c is not owner and owner.content[-1][1] <= (c.cue or (0, 0))[0] < quote.start for c in ordered
            ):
                continue  # someone else speaks in between
            owner.content.append((quote.start, quote.end))
            owner.continued.append((quote.start, quote.end))
            owner.extra_quotes.append(q)
            used.add(q)

    @staticmethod
    def _sentence_of(doc: Doc, char: int) -> Span | None:
        span = doc.char_span(char, char + 1, alignment_mode="expand")
        return span.sent if span is not None else None

    @staticmethod
    def _standalone(doc: Doc, quote: Quote, sent: Span) -> bool:
        words = len(text_of(doc)[quote.inner_start : quote.inner_end].split())
        sentence_chars = max(len(sent.text.rstrip()), 1)
        covered = (min(quote.end, sent.end_char) - max(quote.start, sent.start_char)) / sentence_chars
        if words < 4:  # a short quote continues a speaker only when it is the whole sentence: "We lost."
            return quote.start <= sent.start_char + 1 and covered >= 0.9
        return covered >= 0.6 or quote.start <= sent.start_char + 1


def dateline_end(doc: Doc) -> int:
    """Where the dateline ends (0 without one), including the dash or full stop that closes it."""
    record: DatelineRecord | None = doc._.sayso_dateline
    if record is None:
        return 0
    ends = [int(span[1]) for span in (record.place, record.date, record.agency) if span is not None]
    if not ends:
        return 0
    end = max(ends)
    text = text_of(doc)
    while end < len(text) and text[end] in " )]-–—.:,":
        end += 1
    return end


def extract_rules(doc: Doc) -> tuple[list[Candidate], QuoteMap]:
    """Rule candidates for ``doc`` with the shipped lexicon."""
    return EXTRACTOR.extract(doc)


EXTRACTOR = RuleExtractor()
