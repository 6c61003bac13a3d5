"""The ``sayso_attribution`` component: who says what, with which cue, on whose say-so.

It combines two views of the same text. Rules (``_attribution_rules``) know the frames of reporting
verbs and nouns, quotation conventions and "according to"; they give attributions their structure.
When ``sayso_encoder`` ran before it (profile ``full``), the trained tagger's spans are merged in
(``_attribution_model``): it adds the cues rules do not list and the contents that continue over sentences.
Before records are built, a tagger cue whose whole content is another tagger attribution of its
sentence is dropped (it only frames that report), a second report of the same speaker that the parse
hung inside the first one's content is set beside it ("said ..., arguing ..."), and cues whose subject
is what is talked about rather than who talks (passives, "seems", "drew criticism") give that subject
to the content (PolNeAR).
Sources are resolved without a coreference model (``_resolve``), and attributions whose cue lies in
another's content get that one as ``parent``, so every chain of who-reports-whom can be followed; a
first-person source ("I", "we") inside another report's quotation then takes that report's speaker.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from spacy.language import Language
from spacy.tokens import Doc, Token

from sayso.components._attribution_filter import load_filter
from sayso.components._attribution_model import combine
from sayso.components._attribution_rules import (
    Candidate,
    QuoteMap,
    extract_rules,
    source_phrase,
    subtree_chars,
    trim_span,
)
from sayso.components._common import AttributionRecord, text_of
from sayso.components._resolve import resolve_first_person, resolve_sources

_LOG = logging.getLogger("sayso")


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


def _only_report(
    doc: Doc, piece: tuple[int, int], cue: tuple[int, int], source: tuple[int, int] | None
) -> bool:
    """Whether a content piece holds nothing but the report with this cue and source (and what follows)."""
    start, end = piece
    if not start <= cue[0] < end:
        return False
    begin = cue[0]
    if source is not None and start <= source[0] < begin:
        begin = source[0]
    return begin <= start or trim_span(doc, start, begin) is None


def drop_framing_cues(doc: Doc, candidates: list[Candidate]) -> list[Candidate]:
    """A tagger cue whose whole content is another attribution of its sentence only frames it.

    The tagger marks only outermost attributions (PolNeAR: "no nested attributions"), so when it marks
    two cues in one sentence and all the content assembled for the first is the second report, source,
    cue and content ("The survey had voters wondering about the costs", "Police received calls saying
    shots were fired", "She is pushing back, questioning his judgment"), the first cue frames that
    report rather than making one of its own: it is dropped, and the second stands alone. The second may
    be a rule's ("The union seized on the ministry's claim that ...": the claim is the report).
    """
    cued = [(c, c.cue, doc[c.cue_token].sent.start) for c in candidates if c.cue]
    tagged = [t for t in cued if t[0].origin == "model"]
    framing: set[int] = set()
    for inner, inner_cue, inner_sentence in cued:
        for outer, outer_cue, outer_sentence in tagged:
            if outer is inner or outer.kind == "direct" or outer_cue[0] >= inner_cue[0]:
                continue
            if outer_sentence != inner_sentence:
                continue
            if outer.content and all(
                _only_report(doc, piece, inner_cue, inner.source) for piece in outer.content
            ):
                framing.add(id(outer))
    return [c for c in candidates if id(c) not in framing]


_SINGULAR_PRONOUNS = frozenset({"he", "she", "it", "i"})
_PLURAL_PRONOUNS = frozenset({"they", "we"})


def _plural(token: Token) -> bool:
    return (
        token.lower_ in _PLURAL_PRONOUNS
        or token.tag_ in ("NNS", "NNPS")
        or (any(c.dep_ == "cc" for c in token.children) and any(c.dep_ == "conj" for c in token.children))
    )


def _same_speaker_clause(verb: Token, outer_verb: Token, speaker: Token | None) -> bool:
    """Whether ``verb`` continues the report of ``outer_verb`` (whose subject is ``speaker``) rather than
    the reported clause: a participle after a comma (", arguing ..."), or a verb coordinated with the
    reported clause whose subject is a pronoun for the same speaker ("The ministry said it ... and warned").
    """
    doc = verb.doc
    own_subject = _own_subject(verb)
    if verb.dep_ in ("advcl", "xcomp") and verb.tag_ == "VBG" and not own_subject:
        return verb.left_edge.i > 0 and doc[verb.left_edge.i - 1].text == ","
    if verb.dep_ != "conj":
        return False
    first = verb.head
    if first.dep_ != "ccomp" or first.head.i != outer_verb.i:
        return False
    if any(c.dep_ == "mark" for c in verb.children):
        return False  # "said A and that B": a second complement of the same report
    # "X said A, but he said B" (the conjunct's own pronoun subject) or "X said it ... and warned ..."
    # (the first conjunct's): the same speaker
    subjects = [c for c in (verb if own_subject else first).children if c.dep_ in ("nsubj", "nsubjpass")]
    if not subjects:
        return True
    pronoun = subjects[0].lower_
    if pronoun not in _SINGULAR_PRONOUNS | _PLURAL_PRONOUNS or speaker is None:
        return False
    return (pronoun in _PLURAL_PRONOUNS) == _plural(speaker)


def _own_subject(verb: Token) -> bool:
    return any(c.dep_ in ("nsubj", "nsubjpass", "csubj") for c in verb.children)


def _clause_start(token: Token) -> int:
    """Where the clause of ``token`` begins: its conjunction ("and warned") or its left edge."""
    first = token.left_edge.i
    if token.dep_ == "conj":
        links = [c.i for c in token.head.children if c.dep_ == "cc" and c.i < token.i]
        if links:
            first = min(first, max(links))
    return token.doc[first].idx


def release_coordinated(doc: Doc, candidates: list[Candidate], quotes: QuoteMap | None = None) -> None:
    """A second report of the same speaker is not part of the first one's content.

    "The ministry said it was opposed to the plan and warned the council ...", "Ms. Ortiz said she
    doubted the figures, arguing that ...": the parser often hangs the second verb (a conjunct or a
    participle with no subject of its own) inside the first cue's complement. When its subject is the
    first cue's, it is a report of its own, beside the first: the first content ends where the second
    report begins, and the second takes the first's source when it has none (or only a word of the first
    content). "The nurses said he ignored the complaints and talked about ..." stays one report: "he" is
    not "the nurses".
    """
    roots: dict[int, Token | None] = {}

    def root(candidate: Candidate) -> Token | None:
        if id(candidate) not in roots:
            cue = candidate.cue
            span = doc.char_span(cue[0], cue[1], alignment_mode="expand") if cue is not None else None
            roots[id(candidate)] = span.root if span is not None else None
        return roots[id(candidate)]

    for inner in candidates:
        verb = root(inner)
        if inner.cue is None or verb is None or verb.dep_ not in ("conj", "advcl", "xcomp"):
            continue
        if quotes is not None and quotes.at(verb.idx) is not None:
            continue
        begin = _clause_start(verb)
        for outer in candidates:
            if outer is inner or outer.cue is None or outer.source is None or outer.cue[0] >= begin:
                continue
            outer_verb = root(outer)
            speaker = doc[outer.source_token] if outer.source_token is not None else None
            if outer_verb is None or not _same_speaker_clause(verb, outer_verb, speaker):
                continue
            for k, (start, end) in enumerate(outer.content):
                if not (start < begin and inner.cue[1] <= end):
                    continue
                kept = trim_span(doc, start, begin)
                if kept is None or len(text_of(doc)[kept[0] : kept[1]].split()) < 2:
                    continue
                outer.content[k] = kept
                if inner.source is None or (start <= inner.source[0] < end and not _own_subject(verb)):
                    inner.source, inner.source_token = outer.source, outer.source_token
                break


# "X seems/appears to ...": the writer's impression of X, nobody's statement.
RAISING_VERBS = frozenset({"seem", "appear"})
# "X faced criticism / drew questions / came under fire / took heat (from Y)": X is what is criticised;
# the critics, when named, are the "from" phrase.
RECEIVING_VERBS = frozenset(
    {"face", "draw", "come", "take", "receive", "attract", "endure", "weather", "get"}
)
CRITICISM_NOUNS = frozenset(
    {
        "criticism",
        "question",
        "charge",
        "accusation",
        "allegation",
        "heat",
        "fire",
        "scrutiny",
        "ridicule",
        "backlash",
        "condemnation",
        "complaint",
        "rebuke",
        "flak",
        "attack",
    }
)
_EMPTY_SUBJECTS = frozenset({"it", "there"})


def _received_from(verb: Token) -> tuple[bool, Token | None]:
    """For "X faced criticism (from Y)": (True, Y's head or None); (False, None) for other cues."""
    if verb.lemma_.lower() not in RECEIVING_VERBS:
        return False, None
    nouns = [c for c in verb.children if c.dep_ in ("dobj", "attr")]
    nouns += [g for c in verb.children if c.dep_ == "prep" and c.lower_ == "under" for g in c.children]
    nouns = [n for n in nouns if n.lemma_.lower() in CRITICISM_NOUNS]
    if verb.lemma_.lower() == "take":  # "took questions from reporters" answers them
        nouns = [n for n in nouns if n.lemma_.lower() != "question"]
    if not nouns:
        return False, None
    for head in (*nouns, verb):
        for prep in head.children:
            if prep.dep_ == "prep" and prep.lower_ == "from":
                objects = [c for c in prep.children if c.dep_ == "pobj"]
                if objects:
                    return True, objects[0]
    return True, None


def reported_subjects(doc: Doc, candidates: list[Candidate]) -> None:
    """Cues whose subject is what is talked about, not who talks (PolNeAR leaves out the source).

    * passives without a "by" agent: "Mr. Roe was accused of fraud";
    * raising verbs: "The plan seems to be failing" (the writer's impression, nobody's statement);
    * receiving criticism: "The bill drew criticism (from unions)": the source is the "from" phrase.

    The subject is then part of the content ("Mr. Roe" ... "fraud"), except an empty "it"/"there"
    ("It was reported that ...", "It seems that ...").
    """
    for candidate in candidates:
        if candidate.cue is None or not candidate.content:
            continue
        verb = doc[candidate.cue_token]
        received, critic = _received_from(verb)
        raising = verb.lemma_.lower() in RAISING_VERBS and any(
            c.dep_ in ("xcomp", "acomp", "ccomp", "attr", "oprd") for c in verb.children
        )
        deps: tuple[str, ...]
        if raising or received:
            source = None
            if critic is not None:
                source = source_phrase(critic)
            candidate.source = source
            candidate.source_token = critic.i if source is not None and critic is not None else None
            deps = ("nsubj", "nsubjpass")
        elif candidate.source is None:
            deps = ("nsubjpass",)
        else:
            continue
        subjects = [c for c in verb.children if c.dep_ in deps and c.i < verb.i]
        if not subjects or subjects[0].lower_ in _EMPTY_SUBJECTS:
            continue
        start, end = subtree_chars(subjects[0], drop=frozenset({"relcl"}))
        line_start = text_of(doc).rfind("\n", 0, candidate.cue[0]) + 1
        piece = trim_span(doc, max(start, line_start), end, keep_quotes=False)
        if piece is None or piece[1] > candidate.cue[0]:
            continue
        if not any(a < piece[1] and piece[0] < b for a, b in candidate.content):
            candidate.content.append(piece)


def _merge_pieces(pieces: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Content pieces in text order, overlapping ones joined (rules and tagger may both add one)."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(set(pieces)):
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _without_empty_pieces(doc: Doc, candidates: list[Candidate]) -> list[Candidate]:
    """Drop content pieces without a letter or digit (a lone quote mark the tagger or a paragraph
    boundary left behind), and the candidates left with no content at all: nothing was reported."""
    text = text_of(doc)
    kept: list[Candidate] = []
    for candidate in candidates:
        pieces = [p for p in candidate.content if any(ch.isalnum() for ch in text[p[0] : p[1]])]
        if candidate.content and not pieces:
            continue
        candidate.content = pieces
        kept.append(candidate)
    return kept


def build_records(
    doc: Doc, candidates: list[Candidate], quotes: QuoteMap | None = None
) -> list[AttributionRecord]:
    """Order candidates, give them ids, resolve their sources and link nesting."""
    release_embedded(doc, candidates)
    candidates = drop_framing_cues(doc, candidates)
    release_coordinated(doc, candidates, quotes)
    reported_subjects(doc, candidates)
    candidates = _without_empty_pieces(doc, candidates)
    ordered = sorted(candidates, key=lambda c: (c.cue or c.content[0])[0])
    heads = [doc[c.source_token] if c.source_token is not None else None for c in ordered]
    resolved = resolve_sources(doc, [(c.source, h) for c, h in zip(ordered, heads, strict=True)])
    records = [
        AttributionRecord(
            id=f"a{i}",
            kind=c.kind,
            source=c.source,
            cue=c.cue,
            content=_merge_pieces(c.content),
            source_resolved=r,
            confidence=c.confidence,
            method=c.origin,
        )
        for i, (c, r) in enumerate(zip(ordered, resolved, strict=True), 1)
    ]
    assign_parents(records)
    resolve_first_person(doc, records, quotes)
    return records


def renumber(records: list[AttributionRecord]) -> list[AttributionRecord]:
    """Give kept records the ids ``a1..aN`` again, in order, with their ``parent`` links updated.

    Ids are what claims and readers cite; gaps left by dropped records would look like missing data.
    """
    new_ids = {r.id: f"a{i}" for i, r in enumerate(records, 1)}
    for r in records:
        r.id = new_ids[r.id]
        if r.parent is not None:
            r.parent = new_ids.get(r.parent)  # the filter never drops a parent; None only if it did
    return records


@Language.factory(
    "sayso_attribution",
    assigns=["doc._.sayso_attributions"],
    requires=["token.dep", "doc.ents"],  # reads doc._.sayso_heads when sayso_encoder ran
    default_config={"filter": True},
)
def make_attribution(nlp: Language, name: str, filter: bool) -> Callable[[Doc], Doc]:
    """Build the component (rules; stateless, so one instance serves every doc).

    ``filter`` drops records the learned filter (``_attribution_filter``) scores as wrong cues; it only
    applies when the tagger ran (its features read the tagger's spans) and its weights file is there.
    """
    learned = load_filter() if filter else None

    def sayso_attribution(doc: Doc) -> Doc:
        candidates, quotes = extract_rules(doc)
        heads = doc._.sayso_heads
        if heads and heads.get("attribution"):
            candidates = combine(doc, candidates, quotes, heads["attribution"])
        records = build_records(doc, candidates, quotes)
        if learned is not None and heads and heads.get("attribution"):
            try:
                records = renumber(learned.keep(doc, records, heads["attribution"]))
            except Exception as exc:  # the filter only refines: an odd doc keeps every record
                _LOG.debug("attribution filter skipped: %s", exc)
        doc._.sayso_attributions = records
        return doc

    return sayso_attribution
