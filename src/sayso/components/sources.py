"""``sayso_sources``: the chain of who relays whom, outermost first ("Iberia Press" -> "civil protection").

What a chain is. A news text often passes on someone else's report: a wire agency credits itself in the
dateline ("LONDON (Reuters) -"), or the story says where it got its news ("..., the Iberia Press agency
reports, citing the regional civil protection office"). ``doc._.sayso_source_chain`` records that relay
path for the *article*, as a list of :class:`~sayso.components._common.SourceLinkRecord`, the outermost
relay first. Ordinary attributions ("the minister said") are not a chain; they belong to attribution.

Where the links come from:

* the dateline's agency credit, from ``doc._.sayso_dateline`` ("(Reuters)", "(AP)", "(dpa)");
* relay clauses in the lede (the first ``lede_sentences`` sentences; a chain describes how the story
  reached the reader, which the lede states, so mid-text "told CNN" is left to attribution):

  - a reporting verb whose subject is a news organisation: "X reports", "X reported, citing Y",
    "the X news agency reported, citing Y", "X reports via Y", "Agency reports ..." at a sentence start
    or end. "citing Y", "quoting Y", "via Y" add Y as a source X relays (so "X reports via Y" reads as
    X passing on Y, the same direction as "citing");
  - "according to X" (X a news organisation, or the owner of a document: "according to a statement by
    Z" gives Z, "according to a Reuters report" gives Reuters);
  - "X said in a statement carried by Y": Y relays X;
  - "X told Y" / "X said in an interview with Y", Y a news organisation: Y relays X;
  - a credit in parentheses in the lede ("(Reuters)"), and a credit line ending the text ("— AP").

* A sentence only opens a chain when it names a news organisation as a relay; its cited sources are
  then appended. Later lede sentences extend the chain only when they continue it ("the agency cited",
  or the same organisation again); a sentence that only cites ("according to the ministry") extends a
  chain the dateline opened, and is ignored otherwise.

A news organisation is a well-known agency or outlet (:data:`KNOWN_MEDIA`), an organisation entity
whose name has a media word (:data:`MEDIA_NAME_WORDS`: "The New York Post"), or a phrase headed by a
lower-case outlet noun (:data:`OUTLET_NOUNS`: "the Iberia Press agency", "state television"). "The
agency", "the newspaper" or "it" as the subject of a reporting verb refers back to the chain so far: it
adds no link, but what it cites does.

Roles (the rule): the first link is the ``agency``; with two or more links the last is the
``originator`` (the original speaker or document author), and every link between is an
``intermediary`` (a relay that cites another). One agency citing one source gives agency, originator.

Names: determiners are stripped and generic outlet nouns dropped after a proper name ("the Iberia
Press agency" -> "Iberia Press", "the Interfax news agency" -> "Interfax"); the span covers exactly the
name. Spans are character offsets into ``text_of(doc)``.

Cost: only the lede's sentences are looked at, each first through one compiled regex of relay cues;
the dependency parse and ``doc.ents`` are read, never recomputed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from sayso.components._common import CharSpan, DatelineRecord, SourceLinkRecord, text_of

# Wire agencies and outlets that pass on news, as their names are written in running text.
# Matched case-sensitively on word boundaries ("AP" but not "ap"; "dpa" is written lower-case).
# Extend with care: a name here makes "X said/told/reports" a relay without further evidence.
KNOWN_MEDIA: tuple[str, ...] = (
    # news agencies
    "Reuters",
    "Thomson Reuters",
    "Associated Press",
    "AP",
    "AFP",
    "Agence France-Presse",
    "Agence France Presse",
    "dpa",
    "DPA",
    "Deutsche Presse-Agentur",
    "Xinhua",
    "TASS",
    "ITAR-TASS",
    "RIA Novosti",
    "RIA",
    "Interfax",
    "Interfax-Ukraine",
    "Ukrinform",
    "UNIAN",
    "EFE",
    "Europa Press",
    "ANSA",
    "Lusa",
    "Kyodo",
    "Kyodo News",
    "Jiji",
    "Jiji Press",
    "Yonhap",
    "Anadolu",
    "Anadolu Agency",
    "PTI",
    "Press Trust of India",
    "IANS",
    "UPI",
    "United Press International",
    "Bloomberg",
    "Bernama",
    "Antara",
    "KCNA",
    "IRNA",
    "Fars",
    "Tasnim",
    "WAFA",
    "MENA",
    "APA",
    "AAP",
    "Canadian Press",
    "PAP",
    "CTK",
    "MTI",
    "BTA",
    "HINA",
    "Belga",
    "ANP",
    "NTB",
    "Ritzau",
    "Sputnik",
    "Prensa Latina",
    "Notimex",
    # broadcasters and outlets often credited as the relay of a story
    "CNN",
    "BBC",
    "NBC",
    "NBC News",
    "CBS",
    "CBS News",
    "ABC News",
    "Fox News",
    "MSNBC",
    "CNBC",
    "NPR",
    "PBS",
    "Al Jazeera",
    "Sky News",
    "RT",
    "CCTV",
    "Politico",
    "POLITICO",
    "Axios",
    "Breitbart",
    "HuffPost",
    "Huffington Post",
    "BuzzFeed",
    "Drudge Report",
    "Mediaite",
    "Der Spiegel",
    "Le Monde",
    "Le Figaro",
    "El País",
    "Haaretz",
    "Kommersant",
    "Vedomosti",
)

_KNOWN_MEDIA_RE = re.compile(
    r"(?<![\w-])(?:"
    + "|".join(re.escape(n) for n in sorted(KNOWN_MEDIA, key=len, reverse=True))
    + r")(?![\w-])"
)

# Words that make an organisation entity a news organisation ("The New York Post", "Fox News").
MEDIA_NAME_WORDS: frozenset[str] = frozenset(
    {
        "post",
        "times",
        "news",
        "journal",
        "press",
        "herald",
        "tribune",
        "gazette",
        "daily",
        "mail",
        "radio",
        "tv",
        "television",
        "broadcasting",
        "magazine",
        "chronicle",
        "observer",
        "inquirer",
        "telegraph",
        "guardian",
        "examiner",
        "dispatch",
        "courier",
        "register",
        "bulletin",
        "insider",
        "monitor",
        "sentinel",
        "wire",
        "newswire",
        "channel",
        "media",
    }
)

# Lower-case head nouns of phrases that name a news organisation ("the Iberia Press agency").
OUTLET_NOUNS: frozenset[str] = frozenset(
    {
        "agency",
        "newspaper",
        "paper",
        "daily",
        "weekly",
        "tabloid",
        "broadcaster",
        "television",
        "tv",
        "radio",
        "channel",
        "network",
        "outlet",
        "website",
        "site",
        "magazine",
        "wire",
        "station",
        "publication",
        "portal",
        "media",
        "service",  # "news service", "press service": see _is_outlet_head
    }
)

# Generic words that may trail a proper name inside an outlet phrase and are not part of the name.
_GENERIC_TAIL: frozenset[str] = OUTLET_NOUNS | {"news", "press", "state", "official", "wire"}

# Verbs that make a news organisation subject a relay ("X reports", "X said", "X cited ...").
RELAY_VERBS: frozenset[str] = frozenset(
    {
        "report",
        "say",
        "write",
        "cite",
        "quote",
        "carry",
        "relay",
        "broadcast",
        "publish",
        "reveal",
        "learn",
        "state",
        "add",
        "note",
        "claim",
        "announce",
    }
)
_CITING_VERBS = frozenset({"cite", "quote"})
_CARRY_VERBS = frozenset({"carry", "relay", "publish", "broadcast", "run", "air", "distribute"})
_TELL_VERBS = frozenset({"tell"})
# Nouns whose owner is the source when they follow "according to" ("a statement by Z").
DOCUMENT_NOUNS: frozenset[str] = frozenset(
    {
        "report",
        "statement",
        "story",
        "article",
        "dispatch",
        "bulletin",
        "release",
        "broadcast",
        "interview",
        "post",
        "tweet",
        "communique",
        "communiqué",
        "letter",
        "notice",
        "announcement",
        "message",
        "transcript",
    }
)
# Words that, with an outlet noun and nothing else ("the news agency"), refer back to a named outlet.
_REFERS_BACK_WORDS = frozenset({"news", "press", "wire"})
_ANAPHORS = frozenset({"it"})  # "they" is too often people to stand for an outlet
# Heads under which a media name is a modifier that still makes the phrase the outlet
# ("a Reuters reporter", "Breitbart News Daily host Alex Marlow"); not "a Washington Post-ABC News poll".
_STAFF_NOUNS = frozenset(
    {
        "reporter",
        "reporters",
        "correspondent",
        "host",
        "anchor",
        "journalist",
        "editor",
        "columnist",
        "interviewer",
    }
)

# One cheap pass per lede sentence decides whether it is worth reading the parse at all.
_CUE_RE = re.compile(
    r"\b(?:report\w*|cit(?:e|es|ed|ing)|quot(?:e|es|ed|ing)|carr(?:y|ies|ied|ying)|relay\w*|via"
    r"|according\s+to|t(?:old|ells?|elling)|interview\w*|agency|newspaper|broadcaster|television"
    r"|radio|outlet|wire)\b",
    re.IGNORECASE,
)
_CREDIT_IN_PARENS_RE = re.compile(r"\((" + _KNOWN_MEDIA_RE.pattern + r")\)")
# "— AP" / "-- Reuters" / "(Reuters)" closing the text: a credit line naming the relay.
_TRAILING_CREDIT_RE = re.compile(
    r"(?:^|\n|[.!?\"”’])[ \t]*(?:(?:—|–|―|--?)[ \t]*(" + _KNOWN_MEDIA_RE.pattern + r")"
    r"|\((" + _KNOWN_MEDIA_RE.pattern + r")\))[ \t.]*\s*\Z"
)
_TRAILING_WINDOW = 120  # characters at the end of the text searched for a credit line

_NP_LEFT_DEPS = frozenset({"det", "predet", "compound", "amod", "poss", "nmod", "nummod", "quantmod", "case"})
_LINK_CHARS = frozenset({"-", "&", "'", "’"})


@dataclass
class _Link:
    """A candidate link before roles are assigned. ``name is None`` for "the agency" / "it"."""

    name: str | None
    span: CharSpan | None
    media: bool


def _key(name: str) -> str:
    return " ".join(name.lower().split())


def _known(name: str, keys: set[str]) -> bool:
    """Whether ``name`` is already in the chain, also as a short form ("the Post" for "New York Post")."""
    key = _key(name)
    return any(key == k or k.endswith(" " + key) or key.endswith(" " + k) for k in keys)


# ----------------------------------------------------------------------------- noun phrases and names


def _np_bounds(head: Token) -> tuple[int, int]:
    """Token range [start, end) of the noun phrase around ``head``, without clauses or appositions."""
    start = head.i
    for child in reversed(list(head.lefts)):
        if child.dep_ in _NP_LEFT_DEPS or (child.dep_ == "punct" and child.text in _LINK_CHARS):
            start = min(start, child.left_edge.i)
        else:
            break
    end = head.i + 1
    for child in head.rights:
        if child.i != end:
            break
        if child.dep_ in ("compound", "flat") or (child.dep_ == "prep" and child.lower_ == "of"):
            end = child.right_edge.i + 1
        else:
            break
    return start, end


def _is_proper(token: Token) -> bool:
    if token.pos_ in ("DET", "ADP", "PRON", "CCONJ", "AUX", "VERB", "PART", "PUNCT", "NUM"):
        return False
    return token.pos_ == "PROPN" or (token.is_alpha and (token.is_title or token.is_upper))


def _is_joiner(doc: Doc, i: int) -> bool:
    """A hyphen or ampersand glued inside a name ("France-Presse", "AT&T")."""
    return doc[i].text in _LINK_CHARS and 0 < i < len(doc) - 1


def _proper_run(doc: Doc, first: int, last: int, lo: int, hi: int) -> tuple[int, int]:
    """Grow tokens [first, last] into the run of proper-name tokens around them, inside [lo, hi)."""
    start, end = first, last + 1
    while start - 1 >= lo and (
        _is_proper(doc[start - 1])
        or (_is_joiner(doc, start - 1) and start - 2 >= lo and _is_proper(doc[start - 2]))
    ):
        start -= 1
    while end < hi and (
        _is_proper(doc[end]) or (_is_joiner(doc, end) and end + 1 < hi and _is_proper(doc[end + 1]))
    ):
        end += 1
    return start, end


def _strip(doc: Doc, start: int, end: int) -> tuple[int, int]:
    """Drop leading determiners/possessive pronouns and edge punctuation from a token range."""
    while start < end and (
        doc[start].pos_ in ("DET", "PUNCT")
        or doc[start].tag_ in ("PRP$", "WP$", "POS")
        or doc[start].is_space
    ):
        start += 1
    while end > start and (doc[end - 1].pos_ == "PUNCT" or doc[end - 1].is_space):
        end -= 1
    return start, end


def _chars(doc: Doc, start: int, end: int) -> CharSpan:
    return doc[start].idx, doc[end - 1].idx + len(doc[end - 1].text)


def _entity_range(head: Token) -> tuple[int, int] | None:
    if not head.ent_type_:
        return None
    doc = head.doc
    start = head.i
    while start > 0 and doc[start].ent_iob_ == "I":
        start -= 1
    end = head.i + 1
    while end < len(doc) and doc[end].ent_iob_ == "I":
        end += 1
    return start, end


def _outlet_head(head: Token) -> bool:
    """A lower-case outlet noun heading the phrase ("agency", "news service"), not part of a name."""
    lower = head.lower_
    if lower not in OUTLET_NOUNS or head.text != lower:
        return False
    if lower == "service":
        return any(c.lower_ in ("news", "press", "wire") for c in head.lefts)
    return True


def _link_for(head: Token) -> tuple[_Link | None, bool]:
    """The link a noun phrase headed by ``head`` names, and whether it is a news organisation.

    Returns ``(None, False)`` for phrases that name nothing usable (pronouns, empty phrases).
    """
    doc = head.doc
    if head.pos_ == "PRON" or head.lower_ in _ANAPHORS:
        return (_Link(None, None, True) if head.lower_ in _ANAPHORS else None), head.lower_ in _ANAPHORS
    lo, hi = _np_bounds(head)
    # 1. A well-known agency or outlet inside the phrase: the name is the proper run around it.
    text_lo, text_hi = doc[lo].idx, doc[hi - 1].idx + len(doc[hi - 1].text)
    known = _KNOWN_MEDIA_RE.search(text_of(doc), text_lo, text_hi)
    if known is not None:
        span = doc.char_span(known.start(), known.end(), alignment_mode="expand")
        governs = span is not None and (
            span.start <= head.i < span.end
            or head.pos_ == "PROPN"
            or _outlet_head(head)
            or head.lower_ in _STAFF_NOUNS
        )
        if span is not None and governs:
            start, end = _proper_run(doc, span.start, span.end - 1, lo, hi)
            start, end = _strip(doc, start, end)
            if start < end:
                return _Link(_name(doc, start, end), _chars(doc, start, end), True), True
    # 2. A lower-case outlet noun: "the Iberia Press agency", "state television", "the agency".
    if _outlet_head(head):
        i = head.i
        while i >= lo and doc[i].lower_ in _GENERIC_TAIL and doc[i].text == doc[i].lower_:
            i -= 1
        if i >= lo and _is_proper(doc[i]):
            start, end = _strip(doc, *_proper_run(doc, i, i, lo, i + 1))
            if start < end:
                return _Link(_name(doc, start, end), _chars(doc, start, end), True), True
        start, end = _strip(doc, lo, hi)
        if all(t.lower_ in _REFERS_BACK_WORDS for t in doc[start : end - 1]):
            return _Link(None, None, True), True  # "the agency", "the news agency": refers back
        return _Link(_name(doc, start, end), _chars(doc, start, end), True), True
    # 3. An entity around the head; a news organisation when its name has a media word.
    ent = _entity_range(head)
    if ent is not None and lo <= ent[0] and ent[1] <= hi:
        start, end = _strip(doc, *ent)
        if start < end:
            media = doc[ent[0]].ent_type_ == "ORG" and any(
                t.lower_ in MEDIA_NAME_WORDS and _is_proper(t) for t in doc[start:end]
            )
            return _Link(_name(doc, start, end), _chars(doc, start, end), media), media
    # 4. Any other phrase: a proper name at its head, else the phrase without determiners.
    if _is_proper(head):
        start, end = _strip(doc, *_proper_run(doc, head.i, head.i, lo, hi))
    else:
        start, end = _strip(doc, lo, hi)
    if start >= end:
        return None, False
    media = head.pos_ == "PROPN" and any(
        t.lower_ in MEDIA_NAME_WORDS and _is_proper(t) for t in doc[start:end]
    )
    return _Link(_name(doc, start, end), _chars(doc, start, end), media), media


def _name(doc: Doc, start: int, end: int) -> str:
    first, last = _chars(doc, start, end)
    return " ".join(text_of(doc)[first:last].split())


# ----------------------------------------------------------------------------- one sentence


def _child(token: Token, *deps: str) -> Token | None:
    return next((c for c in token.children if c.dep_ in deps), None)


def _subject(verb: Token) -> Token | None:
    """The subject of ``verb``, or of the nearest verb above it that has one (for "citing", "carried")."""
    current: Token | None = verb
    for _ in range(6):
        if current is None:
            return None
        subj = _child(current, "nsubj", "nsubjpass")
        if subj is not None:
            return subj
        if current.head is current:
            return None
        current = current.head
    return None


def _document_owner(noun: Token) -> Token | None:
    """Who a document noun belongs to: "a statement by Z", "Z's report", "a Reuters report"."""
    for child in noun.children:
        if child.dep_ == "prep" and child.lower_ in ("by", "from", "of"):
            obj = _child(child, "pobj")
            if obj is not None:
                return obj
    poss = _child(noun, "poss")
    if poss is not None:
        return poss
    for child in noun.lefts:
        if child.dep_ == "compound" and child.pos_ == "PROPN":
            return child
    return None


def _sentence_links(sent: Span) -> tuple[list[_Link], list[_Link]]:
    """(relays, cited sources) named in one sentence, each in text order."""
    relays: list[tuple[int, _Link]] = []
    cited: list[tuple[int, _Link]] = []
    doc = sent.doc
    seen: set[int] = set()

    def add(target: list[tuple[int, _Link]], token: Token | None, need_media: bool) -> bool:
        if token is None or token.i in seen or _in_quotes(sent, token):
            return False
        link, media = _link_for(token)
        if link is None or (need_media and not media):
            return False
        seen.add(token.i)
        target.append((token.i, link))
        return True

    for token in sent:
        lemma = token.lemma_.lower()
        if token.pos_ in ("VERB", "AUX") and lemma in RELAY_VERBS:
            subj = _child(token, "nsubj")
            if subj is not None:
                add(relays, subj, need_media=True)
        if lemma in _CITING_VERBS and token.pos_ == "VERB":
            obj = _child(token, "dobj", "obj")
            if obj is not None and (
                token.tag_ == "VBG" or any(i == _subject_index(token) for i, _ in relays)
            ):
                add(cited, obj, need_media=False)
        elif token.lower_ == "via" and token.dep_ == "prep":
            add(cited, _child(token, "pobj"), need_media=False)
        elif token.lower_ == "according":
            to = next((c for c in token.children if c.lower_ == "to"), None)
            obj = _child(to, "pobj") if to is not None else None
            if obj is not None:
                if obj.lemma_.lower() in DOCUMENT_NOUNS:
                    obj = _document_owner(obj)
                if obj is not None:
                    _, media = _link_for(obj)
                    add(relays if media else cited, obj, need_media=False)
        elif lemma in _CARRY_VERBS and token.dep_ in ("acl", "relcl", "advcl", "conj"):
            agent = _child(token, "agent")
            if agent is not None and add(relays, _child(agent, "pobj"), need_media=False):
                add(cited, _subject(token), need_media=False)
        elif lemma in _TELL_VERBS and token.pos_ == "VERB":
            listener = _child(token, "dobj", "dative", "obj")
            if add(relays, listener, need_media=True):
                add(cited, _child(token, "nsubj"), need_media=False)
        elif token.lower_ == "interview" and token.pos_ == "NOUN":
            with_ = next((c for c in token.rights if c.dep_ == "prep" and c.lower_ == "with"), None)
            if with_ is not None and add(relays, _child(with_, "pobj"), need_media=True):
                add(cited, _subject(token), need_media=False)

    for match in _CREDIT_IN_PARENS_RE.finditer(text_of(doc), sent.start_char, sent.end_char):
        start, end = match.span(1)
        relays.append((_token_index(doc, start), _Link(match.group(1), (start, end), True)))

    relays.sort(key=lambda pair: pair[0])
    cited.sort(key=lambda pair: pair[0])
    return [link for _, link in relays], [link for _, link in cited]


def _in_quotes(sent: Span, token: Token) -> bool:
    """Whether ``token`` stands inside a quotation of its sentence: words quoted are not sources."""
    before = text_of(sent.doc)[sent.start_char : token.idx]
    if before.count("“") > before.count("”"):
        return True
    return before.count('"') % 2 == 1


def _subject_index(verb: Token) -> int:
    subj = _child(verb, "nsubj")
    return subj.i if subj is not None else -1


def _token_index(doc: Doc, char: int) -> int:
    span = doc.char_span(char, char + 1, alignment_mode="expand")
    return span.start if span is not None else 0


# ----------------------------------------------------------------------------- the document


def _lede(doc: Doc, limit: int) -> Iterable[Span]:
    if limit <= 0 or not doc.has_annotation("DEP"):
        return ()
    sents: list[Span] = []
    for sent in doc.sents:
        sents.append(sent)
        if len(sents) >= limit:
            break
    return sents


def _trailing_credit(text: str) -> _Link | None:
    match = _TRAILING_CREDIT_RE.search(text, max(0, len(text) - _TRAILING_WINDOW))
    if match is None:
        return None
    group = 1 if match.group(1) is not None else 2
    start, end = match.span(group)
    return _Link(match.group(group), (start, end), True)


def _with_roles(links: list[_Link]) -> list[SourceLinkRecord]:
    records: list[SourceLinkRecord] = []
    last = len(links) - 1
    for i, link in enumerate(links):
        assert link.name is not None and link.span is not None
        role = "agency" if i == 0 else "originator" if i == last else "intermediary"
        records.append(SourceLinkRecord(name=link.name, role=role, span=link.span))
    return records


def find_source_chain(doc: Doc, lede_sentences: int = 6) -> list[SourceLinkRecord]:
    """The relay chain of ``doc``, outermost first (see the module docstring for the rules)."""
    chain: list[_Link] = []
    names: set[str] = set()

    def append(link: _Link) -> None:
        if link.name is not None and link.span is not None and not _known(link.name, names):
            names.add(_key(link.name))
            chain.append(link)

    dateline: DatelineRecord | None = doc._.sayso_dateline
    if isinstance(dateline, DatelineRecord) and dateline.agency is not None:
        start, end = dateline.agency
        append(_Link(" ".join(text_of(doc)[start:end].split()), dateline.agency, True))

    opened = False  # whether a lede sentence has added a link yet
    text = text_of(doc)
    for sent in _lede(doc, lede_sentences):
        if _CUE_RE.search(text, sent.start_char, sent.end_char) is None and (
            _KNOWN_MEDIA_RE.search(text, sent.start_char, sent.end_char) is None
        ):
            continue
        relays, cited = _sentence_links(sent)
        named = [link for link in relays if link.name is not None]
        refers_back = len(named) < len(relays)
        if opened:
            # Once a chain is open, a sentence only extends it by referring back to it.
            if not (refers_back or any(_known(link.name or "", names) for link in named)):
                continue
        elif not (named or (chain and (cited or refers_back))):
            continue  # citing without a relay ("according to the ministry") is attribution
        before = len(chain)
        for link in named + cited:
            append(link)
        opened = opened or len(chain) > before

    credit = _trailing_credit(text)
    if credit is not None and credit.name is not None and not _known(credit.name, names):
        names.add(_key(credit.name))
        chain.insert(0, credit)
    return _with_roles(chain)


@Language.factory(
    "sayso_sources",
    assigns=["doc._.sayso_source_chain"],
    requires=["doc._.sayso_dateline"],
    default_config={"lede_sentences": 6},
)
def make_sources(nlp: Language, name: str, lede_sentences: int) -> Callable[[Doc], Doc]:
    """Build the component. ``lede_sentences``: how many opening sentences may state the relay chain
    (6 covers a headline, a dateline that the parser splits off, and a long first paragraph)."""

    def sayso_sources(doc: Doc) -> Doc:
        doc._.sayso_source_chain = find_source_chain(doc, lede_sentences)
        return doc

    return sayso_sources
