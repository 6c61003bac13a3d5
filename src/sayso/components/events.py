"""``sayso_events``: who did what to whom, where and when, read off the dependency parse.

An event is a *trigger* (a verb, "signed", or an event noun, "the deportation") with a *type* from a small
CAMEO-aligned taxonomy (``resources/event_types.tsv``, documented there), an *actor* (the agent), a
*target* (the patient), a *place*, a *time*, and the id of the innermost *attribution* whose content
contains it (so a reader knows the event is the statement's claim, not the newspaper's)::

    a decree dated 3 November 2019 and signed by former minister Rui Valente
      -> decree   type decree  actor "former minister Rui Valente"  time "3 November 2019"
      -> signed   type agree   actor "former minister Rui Valente"  target "a decree"  time "3 November 2019"

Why rules over the parse and not a trained extractor: the parse is already paid for, the argument
structure of English clauses is regular (subject, object, passive "by" agent, controlled infinitives,
relative clauses), and every decision stays explainable. Measured on MEANTIME (``eval/events.py``).

What is an event (and why "other" events are kept)
--------------------------------------------------
* every content verb, except function-like ones marked "-" in the lexicon ("according to", "dated",
  "based in") and verbs used as prepositions ("including", "following") or adjectives ("the proposed
  plan");
* a clause-heading "be" ("the floods were the worst"): news states facts with it, and MEANTIME, the
  gold this is measured on, annotates it;
* a noun listed in the lexicon (event nominals: "attack", "statement", "sale", "bankruptcy"), unless it
  only modifies another noun ("*flood* barriers") or is a bare reference to a document already reported
  ("according to *the statement*", "*the decree* itself stated": no actor, target, place or time of its
  own).

An event the taxonomy does not cover gets ``type="other"`` and stays in the output: such events carry
real actors and targets ("Boeing delayed the 737 replacement"), and MEANTIME counts them, while a
reader who wants only coded interactions filters ``type != "other"`` (the schema keeps the type for
that). ``keep_other=False`` in the component config drops them instead.

Arguments
---------
* actor: the subject (``nsubj``); the "by" agent of a passive ("signed by X"); for verbs without a subject
  the controller ("urged the government *to declare*" -> the government; "Boeing plans *to build*" ->
  Boeing), the shared subject of a coordination, the main clause's subject for "..., *saying* that",
  the noun a relative clause or "-ing" participle modifies ("the floods *that struck*", "a statement
  *urging*"). For event nouns: a possessor or "by" phrase ("Boeing's development", "an attack by
  rebels"), a name compound ("Airbus deliveries"), or the subject of a support verb ("associations
  *issued* a statement", "reached a deal").
* target: the object; the subject of a passive or of an unaccusative verb ("prices fell", lexicon column
  ``subject``); the object of a phrasal verb's preposition ("call on *the government*"); the noun a
  passive participle modifies ("a decree *signed* by X"); "of"/"on"/"against" phrases of event nouns.
* Spans are noun phrases cut before relative clauses, participles and parentheticals ("a decree", not
  "a decree dated ... and signed by ..."); a relative pronoun actor is replaced by its antecedent ("the
  floods", not "that": a reader needs the thing, MEANTIME marks the pronoun; the scorer accepts both).
* Nothing is taken across a blank line: the parser often runs a headline into the first sentence. A
  subject it hung onto the previous paragraph is recovered as the noun phrase left orphaned before the
  verb ("...plunge by 45%\n\nGeneral Motors announced").

Place and time
--------------
A place is a GPE/LOC/FAC entity, a time a time expression of ``doc._.sayso_times`` (DATE/TIME) when the
timex component ran, else a DATE/TIME entity. Each one is attached to the nearest event above it in the
parse, walking up through prepositions and noun modifiers ("told reporters *on Tuesday*", "evacuated
*since May 12*", "homes *in Faro* were swept away") but never across another clause; a place needs a
locative preposition (in, at, near, across...) or a direct noun modifier ("the Algarve floods").
"dated X" passes its date to the document it dates. Coordinated predicates share the time of the first
one ("dated ... and signed"); an event noun takes the time and place of the relative clause that tells
when it happened ("the floods that struck the region from May 12 through May 15"). Two times joined as a
range ("from X through Y") become one span.

Measured (``python eval/events.py``, MEANTIME en, 96 docs, sentences 0-5; "annotated roles" scheme):
trigger F1 0.880, actor (Arg0) F1 0.842, target (Arg1) F1 0.798, against 0.710 / 0.722 / 0.518 for
"every verb, its nsubj and dobj". Type accuracy has no gold (MEANTIME is not CAMEO-coded).

Speed: one pass over the tokens to find triggers, a few child look-ups per trigger, a short upward walk
per time and place; no re-tokenising, no regular expressions, ``text_of(doc)`` once. About 1-2% of the
bare spaCy pipeline's time on PolNeAR dev.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources

from spacy.language import Language
from spacy.tokens import Doc, Token

from sayso.components._common import CharSpan, EventRecord, text_of
from sayso.components._cues import DOCUMENT_NOUNS, load_cues

logger = logging.getLogger(__name__)

OTHER = "other"
NOT_EVENT = "-"

# ------------------------------------------------------------------------------------------ lexicon


@dataclass(frozen=True)
class EventEntry:
    """One lexicon row: the type a lemma triggers, its CAMEO root, and who its subject is."""

    lemma: str
    pos: str
    type: str
    cameo: str
    subject: str  # "actor" | "target" | "ergative"


@dataclass(frozen=True)
class EventLexicon:
    """``resources/event_types.tsv``, indexed for the component."""

    verbs: dict[str, EventEntry]
    nouns: dict[str, EventEntry]
    phrasal: dict[str, dict[str, EventEntry]]
    """verb lemma -> particle or preposition -> entry ("call" -> "on" -> appeal)."""
    compounds: dict[str, dict[str, EventEntry]]
    """noun lemma -> modifier lemma -> entry ("strike" -> "hunger" -> protest)."""
    cameo: dict[str, str]
    """type -> CAMEO root code ("-" for sayso's additions)."""

    def verb(self, lemma: str) -> EventEntry | None:
        return self.verbs.get(lemma)

    def noun(self, lemma: str) -> EventEntry | None:
        return self.nouns.get(lemma)


@cache
def load_event_types() -> EventLexicon:
    """Read the shipped lexicon once per process; reporting cues not listed become make_statement."""
    verbs: dict[str, EventEntry] = {}
    nouns: dict[str, EventEntry] = {}
    phrasal: dict[str, dict[str, EventEntry]] = {}
    compounds: dict[str, dict[str, EventEntry]] = {}
    cameo: dict[str, str] = {}
    text = (resources.files("sayso") / "resources" / "event_types.tsv").read_text(encoding="utf-8")
    for line in text.splitlines():
        if not line.strip() or line.startswith("#") or line.startswith("lemma\t"):
            continue
        lemma, pos, kind, code, subject = (line.split("\t") + [""] * 5)[:5]
        entry = EventEntry(lemma, pos, kind, code, subject or "actor")
        if kind not in (OTHER, NOT_EVENT):
            cameo.setdefault(kind, code)
        words = lemma.split(" ")
        if len(words) == 2 and pos == "VERB":
            phrasal.setdefault(words[0], {})[words[1]] = entry
        elif len(words) == 2 and pos == "NOUN":
            compounds.setdefault(words[1], {})[words[0]] = entry
        elif len(words) == 1:
            (verbs if pos == "VERB" else nouns).setdefault(lemma, entry)
    for lemma, cue in load_cues().verbs.items():
        if cue.cue_class == "speech" and lemma not in verbs:
            verbs[lemma] = EventEntry(lemma, "VERB", "make_statement", "01", "actor")
    return EventLexicon(verbs, nouns, phrasal, compounds, cameo)


# ------------------------------------------------------------------------------------------ grammar

# A VERB token with one of these labels is not a predicate: "including", "according to" (prep),
# "the proposed plan" (amod), "a sell-off" pieces (compound).
_NOT_PREDICATE_DEPS = frozenset({"prep", "amod", "compound", "aux", "auxpass", "pobj", "det", "case"})
# "be" heads a clause (and is an event) with these labels; as aux/auxpass it is only a helper.
_BE_HEAD_DEPS = frozenset({"ROOT", "ccomp", "advcl", "conj", "relcl", "pcomp", "parataxis"})
_RELATIVE_PRONOUNS = frozenset({"WDT", "WP", "WP$"})
# Verbs that lend their subject to the event noun they take as object.
_SUPPORT_VERBS = frozenset(
    (
        "make issue launch carry conduct hold stage give take deliver file lodge mount begin start "
        "continue complete finish sign reach strike seal post release publish undertake announce "
        "perform commit wage declare order step unveil negotiate propose plan finalize finalise "
        "initiate organize organise lead coordinate"
    ).split()
)
# Prepositions that attach an event noun to the clause that carries it out ("said *in* a statement").
_MANNER_PREPS = frozenset({"in", "with", "through", "via", "during", "after", "before", "following", "by"})
# Verbs whose subject receives, judges or reports an event noun rather than doing it.
_RECEIVING_VERBS = frozenset(
    (
        "win receive get challenge criticize criticise reject oppose protest welcome approve report "
        "expose block condemn deny investigate cover witness see watch hear survive suffer face "
        "expect await fear predict blame cite praise support back discuss consider review delay "
        "postpone cancel halt stop prevent avoid escape follow"
    ).split()
)
# Verbs whose "with" phrase is the thing given and whose object the receiver ("supply X with Y").
_WITH_THEME_VERBS = frozenset({"supply", "provide", "equip", "furnish", "arm", "present"})
_EXTENT_LABELS = frozenset({"MONEY", "PERCENT", "QUANTITY"})
_EXTENT_NOUNS = frozenset({"point", "percent", "ground", "%", "cent", "share", "dollar"})
# Disasters and accidents have no agent a clause could lend them.
_AGENTLESS_TYPES = frozenset({"disaster", "accident"})
# Verbs that only date their head noun ("a decree dated 3 November"): a time passes through them.
_DATING_VERBS = frozenset({"date", "time", "timestamp"})
# Labels a time or place may climb through on its way up to the event it belongs to.
_ADJUNCT_UP_DEPS = frozenset(
    (
        "pobj prep npadvmod nmod compound appos nummod advmod pcomp amod attr acomp dobj nsubj "
        "nsubjpass conj quantmod acl"
    ).split()
)
_LOCATIVE_PREPS = frozenset(
    (
        "in at near across throughout around along inside outside within off into onto on over "
        "through beside towards toward via from between among amid beyond under above below"
    ).split()
)
_RANGE_WORDS = frozenset({"through", "to", "until", "till", "and", "thru", "-", "–", "—"})
_PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})
_TIME_LABELS = frozenset({"DATE", "TIME"})
_AGENT_LABELS = frozenset({"PERSON", "ORG", "GPE", "NORP"})
# A noun compounded with an event noun is its theme ("737 replacement", "job cuts") unless it names an
# agent, a place or a date ("Airbus deliveries", "the Algarve floods", "the May floods").
_THEME_ENTITY_LABELS = frozenset({"", "PRODUCT", "WORK_OF_ART", "LAW", "EVENT"})
# Children kept in an argument span after its head (contiguous only): "Representatives of the
# associations", "Northrop Grumman and EADS". Relative clauses, participles, appositions ("Sousa, 45,")
# and parentheses end it.
_KEEP_RIGHT = frozenset({"compound", "amod", "nummod", "prep", "poss", "case", "cc", "conj", "flat", "nmod"})
_EDGE_PUNCT = frozenset({"PUNCT", "SPACE"})
_MAX_WALK = 8
# Noun preps that introduce the patient or the agent of an event noun.
_NOUN_TARGET_PREPS = frozenset({"of", "on", "against", "into", "for"})


def _is_verbal(token: Token) -> bool:
    return token.pos_ in ("VERB", "AUX")


def _first_conjunct(token: Token) -> Token:
    """The first of a run of coordinated predicates ("dated ... and *signed*" -> "dated")."""
    seen = 0
    while token.dep_ == "conj" and token.head != token and seen < 20:
        token = token.head
        seen += 1
    return token


def _child(token: Token, deps: Iterable[str] | str) -> Token | None:
    wanted = (deps,) if isinstance(deps, str) else deps
    for child in token.children:
        if child.dep_ in wanted:
            return child
    return None


def _span_of(token: Token, blocks: list[int]) -> CharSpan:
    """The noun phrase headed by ``token``, cut before relative clauses, participles and parentheticals
    (and never across a blank line)."""
    doc = token.doc
    start = token.left_edge.i
    end = token.i
    block = blocks[token.i]
    while start < token.i and blocks[start] != block:
        start += 1
    for child in token.rights:
        if child.dep_ in _KEEP_RIGHT and child.left_edge.i == end + 1 and blocks[child.right_edge.i] == block:
            end = child.right_edge.i
        elif child.dep_ == "punct" and child.i == end + 1 and child.text in ("'", "’"):
            end = child.i
        else:
            break
    # An apposition or parenthesis on the left ("Sousa, 45, said") never starts a span; trim edges.
    while start < token.i and doc[start].pos_ in _EDGE_PUNCT:
        start += 1
    while end > token.i and doc[end].pos_ in _EDGE_PUNCT:
        end -= 1
    first, last = doc[start], doc[end]
    return (first.idx, last.idx + len(last))


# ------------------------------------------------------------------------------------------ extraction


@dataclass
class _Trigger:
    token: Token
    end: Token  # last token of the trigger (the particle of "call on" when adjacent)
    entry: EventEntry | None
    noun: bool
    actor: Token | None = None
    target: Token | None = None
    time: CharSpan | None = None
    time_rank: int = 99
    place: CharSpan | None = None
    place_rank: int = 99
    kind: str = OTHER


class _Extractor:
    """The events of one doc. Holds the per-doc state so that helpers stay small."""

    def __init__(self, doc: Doc, lexicon: EventLexicon, cues: frozenset[int] = frozenset()) -> None:
        self.doc = doc
        self.lex = lexicon
        self.cues = cues
        """Start offsets of the attribution cues sayso_attribution found."""
        self.triggers: dict[int, _Trigger] = {}
        self.block: list[int] = []
        """Paragraph number of each token: the parser often runs a headline into the first sentence, and
        no argument, time or place is taken across a blank line."""
        self.passed: dict[tuple[int, str], tuple[CharSpan, int]] = {}
        """(token index, "time"/"place") -> what climbed through that token, for coordinated predicates."""

    # -------------------------------------------------------------- triggers

    def find_triggers(self) -> None:
        lex = self.lex
        block = 0
        blocks = self.block
        for token in self.doc:
            pos = token.pos_
            if pos == "SPACE" and token.text.count("\n") >= 2:
                block += 1
            blocks.append(block)
            if pos == "VERB":
                if token.dep_ in _NOT_PREDICATE_DEPS:
                    continue
                lemma = token.lemma_.lower()
                entry = lex.verb(lemma)
                end = token
                particles = lex.phrasal.get(lemma)
                if particles:
                    for child in token.rights:
                        if child.dep_ in ("prt", "prep", "advmod") and child.lower_ in particles:
                            entry = particles[child.lower_]
                            if child.i == token.i + 1:
                                end = child
                            break
                if entry is not None and entry.type == NOT_EVENT:
                    continue
                self.triggers[token.i] = _Trigger(token, end, entry, noun=False)
            elif pos == "AUX":
                if token.lemma_ == "be" and token.dep_ in _BE_HEAD_DEPS:
                    entry = EventEntry("be", "VERB", OTHER, "-", "target")
                    self.triggers[token.i] = _Trigger(token, token, entry, noun=False)
            elif pos == "NOUN" and token.dep_ != "compound":  # "flood barriers" are no flood
                lemma = token.lemma_.lower()
                entry = lex.noun(lemma) or lex.noun(token.lower_)
                if entry is None or entry.type == NOT_EVENT:
                    continue
                modifiers = lex.compounds.get(lemma)
                if modifiers:
                    for child in token.lefts:
                        if child.dep_ == "compound" and child.lemma_.lower() in modifiers:
                            entry = modifiers[child.lemma_.lower()]
                self.triggers[token.i] = _Trigger(token, token, entry, noun=True)

    # -------------------------------------------------------------- arguments

    def _antecedent(self, token: Token) -> Token:
        """A relative pronoun's antecedent ("the floods *that*" -> floods); other tokens unchanged."""
        if token.tag_ in _RELATIVE_PRONOUNS:
            clause = token.head
            for _ in range(3):
                if clause.dep_ in ("relcl", "acl") and clause.head != clause:
                    return clause.head
                if clause.head == clause:
                    break
                clause = clause.head
        return token

    def subject_of(self, verb: Token, depth: int = 0) -> tuple[Token | None, bool]:
        """The logical subject of a predicate, and whether it is a passive subject (a patient).

        Follows control ("urged X to declare" -> X), coordination, participles and relative clauses.
        """
        if depth > 6:
            return None, False
        passive = False
        subject: Token | None = None
        for child in verb.children:
            dep = child.dep_
            if dep == "nsubj" or dep == "csubj":
                subject = child
                break
            if dep == "nsubjpass" or dep == "csubjpass":
                subject, passive = child, True
                break
        if subject is not None:
            if subject.dep_.startswith("csubj"):
                return None, passive
            return self._antecedent(subject), passive
        first = _first_conjunct(verb)
        if first != verb:
            shared, _ = self.subject_of(first, depth + 1)
            if shared is not None:
                # "was arrested and charged", "attacked the town and was arrested": own voice decides.
                return shared, _is_passive(verb)
        dep = first.dep_
        head = first.head
        if head == first:
            return None, False
        if dep == "xcomp" and head.pos_ == "ADJ" and head.dep_ in ("acomp", "amod", "conj"):
            # "they will be willing to contribute", "committed to support": the copula's subject.
            holder = head.head if head.dep_ == "acomp" else head
            if holder != head and _is_verbal(holder):
                shared, _ = self.subject_of(holder, depth + 1)
                return shared, False
            return None, False
        if dep == "xcomp":
            controller = _child(head, ("dobj",))
            if controller is None:
                prep_on = next(
                    (c for c in head.children if c.dep_ == "prep" and c.lower_ in ("on", "upon")),
                    None,
                )
                if prep_on is not None:
                    controller = _child(prep_on, "pobj")
            if controller is not None:
                return controller, False
            shared, _ = self.subject_of(head, depth + 1)
            return shared, False
        if dep in ("advcl", "pcomp") and first.tag_ in ("VBG", "VBN", "VB"):
            clause = head
            if dep == "pcomp" and clause.head != clause:
                clause = clause.head
            if _is_verbal(clause):
                shared, _ = self.subject_of(clause, depth + 1)
                return shared, first.tag_ == "VBN" and dep == "advcl"
            return None, False
        if dep in ("acl", "relcl"):
            return self._participle_subject(first, verb)
        return None, False

    def _participle_subject(self, clause: Token, verb: Token) -> tuple[Token | None, bool]:
        """Subject of a participle or relative clause without one: the noun it modifies."""
        noun = clause.head
        if clause.dep_ == "acl" and clause.tag_ == "VBN":
            return noun, True
        if clause.dep_ == "acl" and clause.tag_ == "VB":
            return self._infinitive_subject(noun), False
        if clause.dep_ == "relcl" and _child(verb, ("dobj",)) is None and _is_passive(verb):
            return noun, True
        if clause.dep_ == "relcl":
            return None, False  # "the plan (that) Boeing announced": the noun is the object
        return noun, False

    def _orphan_subject(self, verb: Token) -> Token | None:
        """A noun phrase the parser hung onto the previous paragraph (a headline run into the first
        sentence: "...plunge by 45%\n\nGeneral Motors announced"): the nearest name or noun before the
        verb, in its paragraph, whose head lies outside the paragraph, with no predicate in between."""
        blocks = self.block
        here = blocks[verb.i]
        doc = self.doc
        j = verb.i - 1
        while j >= 0 and blocks[j] == here:
            token = doc[j]
            pos = token.pos_
            if pos == "VERB" and token.dep_ not in _NOT_PREDICATE_DEPS:
                return None
            if (
                pos in ("NOUN", "PROPN", "PRON")
                and blocks[token.head.i] != here
                and token.ent_type_ not in _EXTENT_LABELS
                and token.ent_type_ not in _TIME_LABELS
                and token.ent_type_ != "CARDINAL"
            ):
                return token
            j -= 1
        return None

    def _infinitive_subject(self, noun: Token) -> Token | None:
        """Who does what an infinitive on a noun says: the event noun's actor ("Boeing's plan to build"),
        else the subject of the verb the noun is the object of ("signed a contract to supply")."""
        trigger = self.triggers.get(noun.i)
        if trigger is not None and trigger.actor is not None:
            return trigger.actor
        owner = _child(noun, "poss")
        if owner is not None:
            return owner
        if noun.dep_ == "dobj" and _is_verbal(noun.head):
            subject, passive = self.subject_of(noun.head, 5)
            return None if passive else subject
        return None

    def fill_verb_arguments(self, trigger: _Trigger) -> None:
        verb = trigger.token
        entry = trigger.entry
        role = entry.subject if entry is not None else "actor"
        subject, passive = self.subject_of(verb)
        here = self.block[verb.i]
        if (subject is not None and self.block[subject.i] != here) or (
            subject is None and (verb.dep_ == "ROOT" or self.block[verb.head.i] != here)
        ):
            orphan = self._orphan_subject(verb)
            if orphan is not None:
                subject, passive = orphan, _is_passive(verb)
        agent = None
        obj = None
        for child in verb.children:
            dep = child.dep_
            if dep == "agent" and agent is None:
                agent = _child(child, "pobj")
            elif dep == "dobj" and obj is None:
                obj = self._antecedent(child)
        if obj is not None and role != "actor" and _is_extent(obj):
            obj = None  # "the Dow lost 54 points": the points are how much, the Dow is what lost
        if verb.lemma_.lower() in _WITH_THEME_VERBS:
            holders = (verb, obj) if obj is not None else (verb,)
            supplied = next(
                (c for h in holders for c in h.children if c.dep_ == "prep" and c.lower_ == "with"), None
            )
            if supplied is not None and _child(supplied, "pobj") is not None:
                obj = _child(supplied, "pobj")  # "supply the RAF with tankers": the tankers
        if obj is None and entry is not None and " " in entry.lemma:
            particle = entry.lemma.split(" ")[1]
            for child in verb.children:
                if child.dep_ == "prep" and child.lower_ == particle:
                    obj = _child(child, "pobj")
                    break
        if (
            obj is None
            and verb.dep_ == "relcl"
            and subject is not None
            and not passive
            and verb.head != subject
            and _child(verb, ("ccomp", "xcomp")) is None
            and not any(c.tag_ == "WRB" for c in verb.children)
        ):
            obj = verb.head  # "the plan (that) Boeing announced"
        has_complement = obj is not None or _child(verb, ("xcomp", "ccomp", "dative")) is not None
        if passive or _is_passive(verb):
            trigger.actor = agent
            trigger.target = obj if obj is not None else subject
        elif role == "target" or (role == "ergative" and not has_complement):
            trigger.actor = agent
            trigger.target = subject
        else:
            trigger.actor = subject if subject is not None else agent
            trigger.target = obj

    def fill_noun_arguments(self, trigger: _Trigger) -> None:
        noun = trigger.token
        actor: Token | None = None
        target: Token | None = None
        for child in noun.children:
            dep = child.dep_
            if dep == "poss":
                if child.tag_ == "PRP$" or child.ent_type_ in _AGENT_LABELS or child.pos_ == "PROPN":
                    actor = actor or child
                else:
                    target = target or child
            elif dep == "compound" and child.i == noun.i - 1:
                entity = child.ent_type_
                if entity in ("PERSON", "ORG", "NORP"):
                    actor = actor or child
                elif child.pos_ in ("NOUN", "PROPN", "NUM") and entity in _THEME_ENTITY_LABELS:
                    target = target or child
            elif dep == "prep":
                word = child.lower_
                if word in ("by", "between", "among"):  # "an attack by rebels", "talks between X and Y"
                    actor = actor or _child(child, "pobj")
                elif word in _NOUN_TARGET_PREPS:
                    target = target or _child(child, "pobj")
            elif dep == "acl" and actor is None:
                actor = self._acl_agent(child)
        if actor is None and not (trigger.entry is not None and trigger.entry.type in _AGENTLESS_TYPES):
            actor = self._lent_actor(noun)
        trigger.actor, trigger.target = actor, target

    def _lent_actor(self, noun: Token) -> Token | None:
        """The actor a clause lends an event noun: the subject of a support verb ("associations *issued*
        a statement", "Aeroflot *negotiated* the purchase") or of the verb a manner phrase hangs on
        ("Boeing challenged the award *in a formal protest*", "said *in a statement*")."""
        head = noun.head
        if noun.dep_ == "dobj":
            verb = head
            if verb.lemma_.lower() not in _SUPPORT_VERBS:
                return None
        elif noun.dep_ == "pobj" and head.dep_ == "prep" and head.lower_ in _MANNER_PREPS:
            verb = head.head
        else:
            return None
        if not _is_verbal(verb) or verb.lemma_.lower() in _RECEIVING_VERBS:
            return None
        trigger = self.triggers.get(verb.i)
        entry = trigger.entry if trigger is not None else None
        if entry is not None and entry.subject == "target" and entry.lemma != "be":  # "X is in talks"
            return None
        subject, passive = self.subject_of(verb, 4)
        return None if passive or _is_passive(verb) else subject

    def _acl_agent(self, clause: Token) -> Token | None:
        """ "a decree (dated ... and) signed *by X*" -> X: whoever issued the thing is its actor."""
        for predicate in (clause, *(c for c in clause.children if c.dep_ == "conj")):
            if predicate.tag_ == "VBN":
                agent = _child(predicate, "agent")
                if agent is not None:
                    return _child(agent, "pobj")
        return None

    # -------------------------------------------------------------- place and time

    def _climb(self, start: Token, span: CharSpan, kind: str) -> None:
        """Attach a time or place whose syntactic head is ``start`` to the nearest event above it."""
        token = start
        visited: list[Token] = []
        rank = 0
        if kind == "place":
            head = token.head
            locative = token.dep_ == "pobj" and head.dep_ == "prep" and head.lower_ in _LOCATIVE_PREPS
            modifier = token.dep_ in ("compound", "nmod", "npadvmod") and head.i in self.triggers
            if not (locative or modifier):
                return
        while rank < _MAX_WALK:
            head = token.head
            if (
                head == token
                or token.dep_ not in _ADJUNCT_UP_DEPS
                or self.block[head.i] != self.block[start.i]
            ):
                return
            token = head
            rank += 1
            trigger = self.triggers.get(token.i)
            if trigger is not None:
                self._set(trigger, span, kind, rank)
                for other in visited:
                    self.passed.setdefault((other.i, kind), (span, rank))
                self.passed.setdefault((token.i, kind), (span, rank))
                return
            visited.append(token)
            if _is_verbal(token) and token.lemma_.lower() not in _DATING_VERBS:
                return  # another clause's head: the adjunct is not ours

    def _set(self, trigger: _Trigger, span: CharSpan, kind: str, rank: int) -> None:
        if kind == "time":
            current = trigger.time
            if current is not None and self._is_range(current, span):
                trigger.time = (min(current[0], span[0]), max(current[1], span[1]))
                trigger.time_rank = min(rank, trigger.time_rank)
            elif current is None or rank < trigger.time_rank:
                trigger.time, trigger.time_rank = span, rank
        else:
            if trigger.place is None or rank < trigger.place_rank:
                trigger.place, trigger.place_rank = span, rank

    def _is_range(self, first: CharSpan, second: CharSpan) -> bool:
        """Two times on one event joined as a range: "from May 12 through May 15", "between X and Y"."""
        a, b = sorted((first, second))
        return text_of(self.doc)[a[1] : b[0]].strip().lower() in _RANGE_WORDS

    def attach_adjuncts(self, times: list[CharSpan], places: list[CharSpan]) -> None:
        for kind, spans in (("time", times), ("place", places)):
            for span in spans:
                region = self.doc.char_span(span[0], span[1], alignment_mode="expand")
                if region is None or len(region) == 0:
                    continue
                self._climb(region.root, span, kind)
        # Coordinated predicates share the first one's time and place ("dated X and signed").
        for trigger in self.triggers.values():
            first = _first_conjunct(trigger.token)
            if first == trigger.token:
                continue
            for kind in ("time", "place"):
                if getattr(trigger, kind) is None and (first.i, kind) in self.passed:
                    span, rank = self.passed[(first.i, kind)]
                    self._set(trigger, span, kind, rank + 1)
        # An event noun takes the time and place of the relative clause saying when it happened.
        for trigger in self.triggers.values():
            if not trigger.noun:
                continue
            for child in trigger.token.children:
                if child.dep_ not in ("relcl", "acl"):
                    continue
                clause = self.triggers.get(child.i)
                if clause is None or clause.actor != trigger.token:
                    continue
                if trigger.time is None and clause.time is not None:
                    trigger.time = clause.time
                if trigger.place is None and clause.place is not None:
                    trigger.place = clause.place

    # -------------------------------------------------------------- records

    def run(self, times: list[CharSpan], places: list[CharSpan], keep_other: bool) -> list[_Trigger]:
        self.find_triggers()
        # Nouns first: an infinitive on an event noun takes the noun's actor ("Boeing's plan to build").
        for trigger in self.triggers.values():
            if trigger.noun:
                self.fill_noun_arguments(trigger)
        for trigger in self.triggers.values():
            if not trigger.noun:
                self.fill_verb_arguments(trigger)
        block = self.block
        for trigger in self.triggers.values():
            here = block[trigger.token.i]
            if trigger.actor is not None and block[trigger.actor.i] != here:
                trigger.actor = None
            if trigger.target is not None and block[trigger.target.i] != here:
                trigger.target = None
        self.attach_adjuncts(times, places)
        found = sorted((t for t in self.triggers.values() if not _bare_document(t)), key=lambda t: t.token.i)
        for trigger in found:
            trigger.kind = _type_of(trigger, self.lex, self.cues)
        if not keep_other:
            found = [t for t in found if t.kind != OTHER]
        return found


def _bare_document(trigger: _Trigger) -> bool:
    """A document noun with nothing of its own ("according to *the statement*", "*the decree* itself
    stated"): a reference to a source already reported, not a new event."""
    return (
        trigger.noun
        and trigger.token.lemma_.lower() in DOCUMENT_NOUNS
        and trigger.actor is None
        and trigger.target is None
        and trigger.time is None
        and trigger.place is None
    )


def _is_extent(token: Token) -> bool:
    """An object that measures rather than undergoes: "54 points", "3%", "$5 billion", "ground"."""
    return token.ent_type_ in _EXTENT_LABELS or token.lemma_.lower() in _EXTENT_NOUNS


def _is_passive(verb: Token) -> bool:
    if verb.tag_ != "VBN":
        return False
    for child in verb.children:
        if child.dep_ in ("auxpass", "nsubjpass", "agent"):
            return True
    return verb.dep_ == "acl"


# Types a verb loses to "disaster" when a disaster is its actor ("the storm struck / hit the coast").
_DISASTER_OVERRIDES = frozenset({"assault", "fight", OTHER})
_SPEECH_IF_REPORTING = frozenset(
    "add point note post answer write respond reply observe maintain report describe".split()
)


def _type_of(trigger: _Trigger, lexicon: EventLexicon, cues: frozenset[int]) -> str:
    """The trigger's type. Context corrects the lexicon in two places: a storm that "struck" or "hit" is a
    disaster, not an assault (but a storm that "destroyed" homes stays destroy); "add", "point",
    "note"... report speech only with a reported clause or as an attribution's cue ("crackdowns add
    fuel" is no statement)."""
    entry = trigger.entry
    kind = entry.type if entry is not None else OTHER
    token = trigger.token
    if (
        kind == "make_statement"
        and token.lemma_.lower() in _SPEECH_IF_REPORTING
        and token.idx not in cues
        and _child(token, ("ccomp", "parataxis")) is None
    ):
        return OTHER
    if kind in _DISASTER_OVERRIDES and trigger.actor is not None:
        actor_entry = lexicon.noun(trigger.actor.lemma_.lower())
        if actor_entry is not None and actor_entry.type == "disaster":
            return "disaster"
    return kind


def _time_spans(doc: Doc, length: int) -> list[CharSpan]:
    """Times from ``sayso_timex`` when it ran (its DATE and TIME expressions: a duration or a set is not
    when something happened), else the parser's DATE/TIME entities."""
    records = doc._.sayso_times
    if records is None:
        return [(e.start_char, e.end_char) for e in doc.ents if e.label_ in _TIME_LABELS]
    spans = []
    for record in records:
        span = getattr(record, "span", None)
        if getattr(record, "type", "DATE") not in _TIME_LABELS or not isinstance(span, tuple | list):
            continue
        if len(span) == 2 and 0 <= int(span[0]) < int(span[1]) <= length:
            spans.append((int(span[0]), int(span[1])))
    return spans


def _attribution_finder(doc: Doc) -> Callable[[int, int], str | None]:
    """Innermost attribution whose content contains a character range (smallest content piece wins)."""
    pieces: list[tuple[int, int, str]] = []
    for record in doc._.sayso_attributions or []:
        for content in getattr(record, "content", None) or []:
            pieces.append((int(content[0]), int(content[1]), str(record.id)))
    pieces.sort(key=lambda p: p[1] - p[0])

    def find(start: int, end: int) -> str | None:
        for a, b, ident in pieces:
            if a <= start and end <= b:
                return ident
        return None

    return find


def extract_events(doc: Doc, keep_other: bool = True) -> list[EventRecord]:
    """The events of a parsed doc, in text order, with ids "e1", "e2", ...; [] for an unparsed doc."""
    if len(doc) == 0 or not doc.has_annotation("DEP"):
        return []
    length = len(text_of(doc))
    lexicon = load_event_types()
    places = [(e.start_char, e.end_char) for e in doc.ents if e.label_ in _PLACE_LABELS]
    cues = frozenset(
        int(record.cue[0]) for record in doc._.sayso_attributions or [] if getattr(record, "cue", None)
    )
    extractor = _Extractor(doc, lexicon, cues)
    triggers = extractor.run(_time_spans(doc, length), places, keep_other)
    attribution_of = _attribution_finder(doc)
    blocks = extractor.block
    records: list[EventRecord] = []
    for number, trigger in enumerate(triggers, start=1):
        start = trigger.token.idx
        end = trigger.end.idx + len(trigger.end)
        records.append(
            EventRecord(
                id=f"e{number}",
                trigger=(start, end),
                type=trigger.kind,
                actor=_span_of(trigger.actor, blocks) if trigger.actor is not None else None,
                target=_span_of(trigger.target, blocks) if trigger.target is not None else None,
                place=trigger.place,
                time=trigger.time,
                attribution=attribution_of(start, end),
            )
        )
    return records


@Language.factory(
    "sayso_events",
    assigns=["doc._.sayso_events"],
    default_config={"keep_other": True},
)
def make_events(nlp: Language, name: str, keep_other: bool) -> Callable[[Doc], Doc]:
    """Build the component. It reads the parse, ``doc.ents``, and (when present) ``doc._.sayso_times``
    and ``doc._.sayso_attributions``; ``keep_other=False`` drops events of type "other"."""
    load_event_types()

    def sayso_events(doc: Doc) -> Doc:
        try:
            doc._.sayso_events = extract_events(doc, keep_other)
        except (ValueError, IndexError, KeyError, TypeError, AttributeError) as exc:
            # A bug or a malformed record from another component must not cost the whole analysis.
            logger.warning("sayso_events found no events in this doc: %r", exc)
            doc._.sayso_events = []
        return doc

    return sayso_events
