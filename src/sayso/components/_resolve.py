"""Source resolution without a coreference model: pronouns and descriptions to their fullest earlier mention.

No coreference package works offline, and news needs only a narrow slice of coreference: who a
reporting verb's subject is. The rules, in order:

* a pronoun (he, she, they, it, ...) takes the nearest earlier *speaker or named mention* that fits it
  (a person for he/she, a plural or organisation for they, an organisation or document for it); he/she
  skip mentions titled for the other gender ("Spokeswoman ...", "Mr. ..."), and where no person is found
  at all, take the nearest titled name ("Mayor Ana Lima", "Ana Lima, the mayor,", which the entity
  model may read as a city);
* a document ("the statement", "the decree", "the authors of the statement") takes *whoever issued it*
  where the text says so ("X issued a statement", "X said in a statement", "a decree signed by X");
* a description ("the minister", "the ministry", "the spokeswoman") takes the longest earlier mention
  that contains its head noun and a name ("former minister Rui Valente");
* a bare surname ("Sousa") takes the earlier full name ("Marta Sousa");
* a first-person source ("I", "we") inside another report's quotation, or after its speaker label
  ("COSTA: I think ..."), takes the speaker of that report, resolved in turn
  (:func:`resolve_first_person`, run once parents are known).
Anything else is left unresolved (``None``): a wrong resolution is worse than none.
"""

from __future__ import annotations

from collections.abc import Sequence

from spacy.tokens import Doc, Span, Token

from sayso.components._attribution_rules import QuoteMap, source_phrase
from sayso.components._common import AttributionRecord, CharSpan, text_of
from sayso.components._cues import DOCUMENT_NOUNS, ISSUING_VERBS

PERSON_PRONOUNS = frozenset({"he", "she", "him", "her", "his", "hers"})
FIRST_PERSON = frozenset({"i", "me", "my", "we", "us", "our"})
PLURAL_PRONOUNS = frozenset({"they", "them", "their"})
THING_PRONOUNS = frozenset({"it", "its"})
_PERSON_LABELS = frozenset({"PERSON"})
_GROUP_LABELS = frozenset({"ORG", "NORP", "GPE"})
#: Honorifics that, right before a proper name, make it a person's ("Dr. Sousa", "Ms. Lima").
_HONORIFICS = frozenset({"mr", "mrs", "ms", "miss", "dr", "sir", "dame"})
#: Titles that tell a person's grammatical gender, so "he" never takes "Spokeswoman Ana Lima".
_FEMININE_TITLES = frozenset({"mrs", "ms", "miss", "dame", "spokeswoman", "chairwoman"})
_MASCULINE_TITLES = frozenset({"mr", "sir", "spokesman", "chairman"})
#: For a gendered person pronoun, the titles of the other gender (the mentions it can never take).
_OTHER_GENDER_TITLES = {
    **dict.fromkeys(("she", "her", "hers"), _MASCULINE_TITLES),
    **dict.fromkeys(("he", "him", "his"), _FEMININE_TITLES),
}
_SPEECH_LEMMAS = frozenset({"say", "state", "announce", "declare", "note", "add", "write", "tell", "warn"})


def _chars(span: Span) -> CharSpan:
    return span.start_char, span.end_char


class Resolver:
    """Resolves the sources of one doc's attributions, in text order."""

    def __init__(self, doc: Doc):
        self.doc = doc
        self.speakers: list[tuple[CharSpan, Token]] = []  # earlier sources with their head tokens
        self._chunks: list[Span] | None = None
        self._named_chunks: list[tuple[CharSpan, frozenset[str]]] | None = None
        self._ents: tuple[Span, ...] | None = None
        self._titled_spans: list[tuple[CharSpan, str]] | None = None

    @property
    def ents(self) -> tuple[Span, ...]:
        """``doc.ents``, read once: spaCy builds a new Span per entity on every access."""
        if self._ents is None:
            self._ents = tuple(self.doc.ents)
        return self._ents

    @property
    def chunks(self) -> list[Span]:
        if self._chunks is None:
            try:
                self._chunks = list(self.doc.noun_chunks)
            except ValueError:
                self._chunks = []
        return self._chunks

    @property
    def named_chunks(self) -> list[tuple[CharSpan, frozenset[str]]]:
        """Noun chunks with a proper noun, as (char span, lowercased lemmas), in text order.

        Read once per doc: :meth:`_description` scans every earlier chunk for each definite description,
        and reading tokens' lemmas through spaCy each time cost more than the rest of the resolver.
        """
        if self._named_chunks is None:
            self._named_chunks = [
                (_chars(chunk), frozenset(t.lemma_.lower() for t in chunk))
                for chunk in self.chunks
                if any(t.pos_ == "PROPN" for t in chunk)
            ]
        return self._named_chunks

    def resolve(self, source: CharSpan, head: Token | None) -> CharSpan | None:
        """The fullest earlier mention for ``source`` (whose head token is ``head``), or None."""
        result = self._resolve(source, head)
        if head is not None:
            self.speakers.append((source, head))
        if result is not None and (result == source or self._inside(result, source)):
            return None
        return result

    @property
    def titled_names(self) -> list[tuple[CharSpan, str]]:
        """Names given with a title, with the title: "Mayor Ana Lima" and "Dr. Sousa" from the title on,
        "Ana Lima, the mayor," as the name.

        Why: the small English model often labels a person's name as a place or an organisation ("Mayor
        Ana Lima" -> Lima, GPE); a role or honorific right before a proper name, or a role in apposition
        to it, says it is a person.
        """
        if self._titled_spans is None:
            found: list[tuple[CharSpan, str]] = []
            for chunk in self.chunks:
                words = list(chunk)
                for i, word in enumerate(words[:-1]):
                    title = word.lower_.rstrip(".")
                    if (self._is_role(word) or title in _HONORIFICS) and all(
                        w.pos_ == "PROPN" for w in words[i + 1 :]
                    ):
                        found.append(((word.idx, chunk.end_char), title))
                        break
                else:
                    if chunk.root.pos_ == "PROPN":
                        roles = [c for c in chunk.root.children if c.dep_ == "appos" and self._is_role(c)]
                        if roles:
                            found.append((_chars(chunk), roles[0].lower_))
            self._titled_spans = found
        return self._titled_spans

    # ------------------------------------------------------------------ dispatch
    def _resolve(self, source: CharSpan, head: Token | None) -> CharSpan | None:
        if head is None:
            return None
        lower = head.lower_
        if head.pos_ == "PRON" or head.tag_ in ("PRP", "PRP$"):
            if lower in PERSON_PRONOUNS:
                return self._antecedent(source[0], person=True, pronoun=lower) or self._titled_antecedent(
                    source[0], lower
                )
            if lower in PLURAL_PRONOUNS:
                return self._antecedent(source[0], plural=True)
            if lower in THING_PRONOUNS:
                return self._antecedent(source[0], thing=True)
            return None
        lemma = head.lemma_.lower()
        if lemma in DOCUMENT_NOUNS:
            return self._issuer(head)
        for child in head.children:  # "the authors of the statement" -> the statement's issuer
            if child.dep_ == "prep" and child.lower_ == "of":
                for obj in child.children:
                    if obj.dep_ == "pobj" and obj.lemma_.lower() in DOCUMENT_NOUNS and self._definite(obj):
                        return self._issuer(obj)
        if head.pos_ == "NOUN" and self._definite(head):
            return self._description(head, source)
        if head.pos_ == "PROPN":
            return self._full_name(head, source)
        return None

    # ------------------------------------------------------------------ pronouns
    def _antecedent(
        self,
        before: int,
        person: bool = False,
        plural: bool = False,
        thing: bool = False,
        pronoun: str = "",
    ) -> CharSpan | None:
        """Nearest earlier speaker that fits; else the nearest fitting named entity.

        A person pronoun skips mentions whose title says the other gender ("he" never takes
        "Spokeswoman Ana Lima", "she" never "Mr. Costa").
        """
        for span, head in reversed(self.speakers):
            if span[0] >= before or head.pos_ == "PRON":
                continue
            if self._fits(head, span, person, plural, thing) and not self._gender_clash(span, pronoun):
                return span
        for ent in reversed([e for e in self.ents if e.end_char <= before]):
            if (person and ent.label_ in _PERSON_LABELS and not self._gender_clash(_chars(ent), pronoun)) or (
                (plural or thing) and ent.label_ in _GROUP_LABELS
            ):
                return _chars(ent)
        return None

    def _gender_clash(self, span: CharSpan, pronoun: str) -> bool:
        """Whether the mention, or the title right before it, is of the other gender than ``pronoun``."""
        other = _OTHER_GENDER_TITLES.get(pronoun)
        if other is None:
            return False
        words = self.doc.char_span(*span, alignment_mode="expand")
        if words is None or len(words) == 0:
            return False
        # An honorific counts where it titles this mention: its first word or the word before it
        # ("Mrs. Lima"; not "Rui Costa, ... advising Mrs. Lima", not "the Miss World pageant").
        titles = [words[0]] + ([self.doc[words.start - 1]] if words.start > 0 else [])
        if any(w.lower_.rstrip(".") in other & _HONORIFICS for w in titles):
            return True
        return any(w.lower_ in other - _HONORIFICS for w in [*titles, *words])

    def _titled_antecedent(self, before: int, pronoun: str) -> CharSpan | None:
        """The nearest earlier titled name of the pronoun's gender, where no person was found at all.

        Only a fallback: on PolNeAR train, preferring a nearer titled name over a person entity moved 90
        resolutions, most of them to the wrong person (the nearest mention is often not the referent). As
        a fallback it changes nothing there (some person always comes first in those articles); it is
        for texts whose names the entity model does not know.
        """
        other = _OTHER_GENDER_TITLES.get(pronoun, frozenset())
        for span, title in reversed(self.titled_names):
            if span[1] <= before and title not in other:
                return span
        return None

    def _fits(self, head: Token, span: CharSpan, person: bool, plural: bool, thing: bool) -> bool:
        label = self._entity_label(span)
        if person:
            return label in _PERSON_LABELS or (label is None and head.tag_ == "NN" and self._is_role(head))
        if plural:
            return (
                head.tag_ in ("NNS", "NNPS")
                or label in _GROUP_LABELS
                or any(c.dep_ == "conj" for c in head.children)
            )
        if thing:
            return label in _GROUP_LABELS or head.lemma_.lower() in DOCUMENT_NOUNS
        return False

    @staticmethod
    def _is_role(head: Token) -> bool:
        return head.lemma_.lower() in {
            "minister",
            "spokesman",
            "spokeswoman",
            "spokesperson",
            "president",
            "chief",
            "director",
            "official",
            "governor",
            "mayor",
            "lawyer",
            "witness",
            "resident",
            "leader",
            "secretary",
            "senator",
            "chairman",
            "chairwoman",
        }

    def _entity_label(self, span: CharSpan) -> str | None:
        for ent in self.ents:
            if ent.start_char >= span[0] and ent.end_char <= span[1]:
                return str(ent.label_)
        return None

    # ------------------------------------------------------------------ documents
    @staticmethod
    def _definite(token: Token) -> bool:
        return any(
            c.dep_ in ("det", "poss") and c.lower_ in ("the", "this", "that", "its", "their")
            for c in token.children
        )

    def _issuer(self, noun: Token) -> CharSpan | None:
        """Who issued the document named by ``noun``, by the nearest earlier mention of the same noun."""
        lemma = noun.lemma_.lower()
        for token in reversed(self.doc[: noun.i]):
            if token.lemma_.lower() != lemma:
                continue
            issuer = self._issuer_of_mention(token)
            if issuer is not None:
                return issuer
        # the mention itself may carry its issuer: "a decree signed by X stated"
        return self._issuer_of_mention(noun)

    def _issuer_of_mention(self, noun: Token) -> CharSpan | None:
        verb = noun.head
        if noun.dep_ == "dobj" and verb.lemma_.lower() in ISSUING_VERBS:
            return self._subject_span(verb)
        if noun.dep_ == "pobj" and verb.dep_ == "prep" and verb.head.lemma_.lower() in _SPEECH_LEMMAS:
            return self._subject_span(verb.head)  # "X said in a statement"
        for child in noun.children:  # "a decree ... signed by X", "a statement from X"
            for grandchild in [child, *child.children]:
                if grandchild.dep_ == "agent" or (
                    grandchild.dep_ == "prep" and grandchild.lower_ in ("by", "from")
                ):
                    for obj in grandchild.children:
                        if obj.dep_ == "pobj":
                            return _subtree(obj)
        return None

    def _subject_span(self, verb: Token) -> CharSpan | None:
        for child in verb.children:
            if child.dep_ in ("nsubj", "nsubjpass"):
                if child.pos_ == "PRON":
                    resolved = self._antecedent(
                        child.idx, person=child.lower_ in PERSON_PRONOUNS, plural=True
                    )
                    return resolved
                return _subtree(child)
        return None

    # ------------------------------------------------------------------ descriptions and names
    def _description(self, head: Token, source: CharSpan) -> CharSpan | None:
        """ "the minister" -> "former minister Rui Valente": the longest earlier mention with this head word
        and a proper name."""
        lemma = head.lemma_.lower()
        same_head = [
            span for span, speaker in self.speakers if span[0] < source[0] and speaker.lemma_.lower() == lemma
        ]
        if same_head:  # "the groups" -> "Two mountain relief groups": the first, fullest mention
            return max(same_head, key=lambda s: s[1] - s[0])
        best: CharSpan | None = None
        for span, lemmas in self.named_chunks:
            if span[0] >= source[0]:
                break
            if lemma in lemmas and (best is None or (span[1] - span[0]) >= (best[1] - best[0])):
                best = span
        if best is not None:
            return best
        for span, _speaker in reversed(self.speakers):  # "Lena Imboden, a spokeswoman for ..."
            if span[0] < source[0] and any(
                t.lemma_.lower() == lemma for t in self.doc.char_span(*span, alignment_mode="expand") or []
            ):
                return span
        return None

    def _full_name(self, head: Token, source: CharSpan) -> CharSpan | None:
        text = text_of(self.doc)[source[0] : source[1]]
        for ent in self.ents:
            if ent.start_char >= source[0]:
                break
            if (
                ent.label_ in _PERSON_LABELS
                and ent.text != text
                and ent.text.endswith(head.text)
                and len(ent.text) > len(text)
            ):
                return _chars(ent)
        return None

    @staticmethod
    def _inside(inner: CharSpan, outer: CharSpan) -> bool:
        return outer[0] <= inner[0] and inner[1] <= outer[1]


def _subtree(token: Token) -> CharSpan:
    """The phrase ``token`` heads, without relative clauses and edge punctuation."""
    return source_phrase(token) or (token.idx, token.idx + len(token))


def resolve_sources(
    doc: Doc, sources: Sequence[tuple[CharSpan | None, Token | None]]
) -> list[CharSpan | None]:
    """Resolve each (source span, head token) in text order; None where nothing fuller is known."""
    resolver = Resolver(doc)
    return [resolver.resolve(span, head) if span is not None else None for span, head in sources]


def _names_someone(doc: Doc, span: CharSpan) -> bool:
    """Whether a source span can stand for its speaker: it has a noun or name, not only a pronoun.

    A bare pronoun or a one-letter transcript label ("A:", "Q:") says nothing a reader can use.
    """
    words = doc.char_span(*span, alignment_mode="expand")
    if words is None:
        return False
    return any(t.pos_ in ("PROPN", "NOUN") and not t.is_punct and len(t.text) > 1 for t in words)


def resolve_first_person(
    doc: Doc, records: Sequence[AttributionRecord], quotes: QuoteMap | None = None
) -> None:
    """Give a first-person source that speaks in another report's own words that report's speaker.

    Why: "I" and "we" inside a quotation are the quoted speaker ('"When I said no, I meant it," Lima
    said'), and so is the "I" after a speaker label ("COSTA: I think ...", "Costa: I still believe
    ..."); the text names who they are only through the enclosing report (``parent``). In
    reported speech it is different: "Lima said that we had warned them" keeps the writer's "we", so an
    unquoted first person is left alone, as is one whose enclosing speaker is a pronoun resolving to
    nobody or a bare transcript letter ("A:"). On PolNeAR's 840 train articles this resolves 8 of 209
    first-person sources, each to the right speaker; also taking unquoted ones resolved 4 more, 2 of them
    wrongly (a reporter's own "I" inside a paraphrase of the person interviewed).
    """
    by_id = {r.id: r for r in records}

    def own_words(record: AttributionRecord, parent: AttributionRecord) -> bool:
        if record.source is None:
            return False
        at = record.source[0]
        if parent.cue is not None and text_of(doc)[parent.cue[0] : parent.cue[1]].strip() == ":":
            return True
        return (
            quotes is not None and quotes.at(at) is not None and any(a <= at < b for a, b in parent.content)
        )

    def speaker(record: AttributionRecord, seen: set[str]) -> CharSpan | None:
        if record.id in seen or record.source is None:
            return None
        seen.add(record.id)
        if not _is_first_person(doc, record.source):
            if record.source_resolved is not None:
                return record.source_resolved
            return record.source if _names_someone(doc, record.source) else None
        parent = by_id.get(record.parent) if record.parent else None
        if parent is None or not own_words(record, parent):
            return None
        return speaker(parent, seen)

    for record in records:
        if (
            record.source is not None
            and record.source_resolved is None
            and _is_first_person(doc, record.source)
        ):
            record.source_resolved = speaker(record, set())


def _is_first_person(doc: Doc, span: CharSpan) -> bool:
    return text_of(doc)[span[0] : span[1]].strip().lower() in FIRST_PERSON
