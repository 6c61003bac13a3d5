"""sayso_events: triggers, types, actors and targets (passives included), places, times, attributions,
the lexicon, odd input, and the MEANTIME scorer (synthetic XML here; the real data in a ``data`` test).

Every sentence below is written for these tests; none comes from a dataset.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest
import spacy
from spacy.language import Language
from spacy.tokens import Doc

import sayso.components.events as events_module
from sayso.components._common import AttributionRecord, EventRecord, TimeRecord
from sayso.components.events import extract_events, load_event_types
from sayso.pipeline import load_base

EVAL_FILE = Path(__file__).resolve().parents[1] / "eval" / "events.py"


@pytest.fixture(scope="module")
def nlp() -> Language:
    pipeline = load_base()
    pipeline.add_pipe("sayso_events")
    return pipeline


@pytest.fixture(scope="module")
def ev() -> ModuleType:
    """eval/ is a folder of scripts, not a package: load the scorer by path."""
    spec = importlib.util.spec_from_file_location("sayso_eval_events", EVAL_FILE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


def text(doc: Doc, span: tuple[int, int] | None) -> str | None:
    return None if span is None else doc.text[span[0] : span[1]]


def event(doc: Doc, trigger: str) -> EventRecord:
    """The event whose trigger text is ``trigger`` (fails the test when there is none)."""
    found: list[EventRecord] = [e for e in doc._.sayso_events if text(doc, e.trigger) == trigger]
    assert found, f"no event {trigger!r} in {[text(doc, e.trigger) for e in doc._.sayso_events]}"
    return found[0]


# ------------------------------------------------------------------------------------------ triggers


def test_verb_trigger_type_actor_target(nlp: Language) -> None:
    doc = nlp("Rebels attacked the village.")
    attack = event(doc, "attacked")
    assert attack.type == "assault"
    assert text(doc, attack.actor) == "Rebels"
    assert text(doc, attack.target) == "the village"


def test_reporting_verbs_are_statements(nlp: Language) -> None:
    doc = nlp("The mayor said the bridge would reopen.")
    said = event(doc, "said")
    assert said.type == "make_statement"
    assert text(doc, said.actor) == "The mayor"
    assert event(doc, "reopen").type == "other"


def test_event_noun_with_agent_and_patient(nlp: Language) -> None:
    doc = nlp("The deportation of the migrants by the authorities began in March.")
    deportation = event(doc, "deportation")
    assert deportation.type == "deport"
    assert text(doc, deportation.actor) == "the authorities"
    assert text(doc, deportation.target) == "the migrants"


def test_phrasal_verb_and_object_control(nlp: Language) -> None:
    doc = nlp("The ministry called on residents to leave the area.")
    call = event(doc, "call on" if "call on" in doc.text else "called on")
    assert call.type == "appeal"
    assert text(doc, call.actor) == "The ministry"
    assert text(doc, call.target) == "residents"
    assert text(doc, event(doc, "leave").actor) == "residents"  # whoever is urged does the leaving


def test_subject_control(nlp: Language) -> None:
    doc = nlp("Officials plan to build a new hospital.")
    build = event(doc, "build")
    assert build.type == "establish"
    assert text(doc, build.actor) == "Officials"
    assert text(doc, build.target) == "a new hospital"


def test_noun_that_a_word_modifies_is_no_event(nlp: Language) -> None:
    """ "flood barriers" are barriers: a noun used as a modifier is not an event."""
    doc = nlp("The town built new flood barriers.")
    assert [text(doc, e.trigger) for e in doc._.sayso_events] == ["built"]


# ------------------------------------------------------------------------------------------ passives


def test_passive_with_by_agent(nlp: Language) -> None:
    doc = nlp("The treaty was signed by the foreign minister on Monday.")
    signed = event(doc, "signed")
    assert signed.type == "agree"
    assert text(doc, signed.actor) == "the foreign minister"
    assert text(doc, signed.target) == "The treaty"
    assert text(doc, signed.time) == "Monday"


def test_passive_without_agent(nlp: Language) -> None:
    doc = nlp("Three soldiers were killed.")
    killed = event(doc, "killed")
    assert killed.type == "kill"
    assert killed.actor is None
    assert text(doc, killed.target) == "Three soldiers"


def test_participle_on_a_document_noun(nlp: Language) -> None:
    """ "a decree dated X and signed by Y": Y signed it, it dates from X; the decree is Y's act."""
    doc = nlp("A decree dated 5 January 2021 and signed by the governor banned fireworks.")
    decree = event(doc, "decree")
    assert decree.type == "decree"
    assert text(doc, decree.actor) == "the governor"
    assert "2021" in (text(doc, decree.time) or "")
    signed = event(doc, "signed")
    assert text(doc, signed.actor) == "the governor"
    assert text(doc, signed.target) == "A decree"
    assert "2021" in (text(doc, signed.time) or "")
    banned = event(doc, "banned")
    assert banned.type == "coerce"
    assert text(doc, banned.actor) == "A decree"
    assert text(doc, banned.target) == "fireworks"


def test_unaccusative_subject_is_the_target(nlp: Language) -> None:
    doc = nlp("Prices fell sharply.")
    fell = event(doc, "fell")
    assert fell.actor is None
    assert text(doc, fell.target) == "Prices"


def test_amount_is_not_the_target(nlp: Language) -> None:
    doc = nlp("Shares of the airline lost 5 percent.")
    lost = event(doc, "lost")
    assert lost.actor is None
    assert text(doc, lost.target) == "Shares of the airline"


# ------------------------------------------------------------------------------------------ place, time


def test_place_and_time(nlp: Language) -> None:
    doc = nlp("Police arrested twelve protesters in Lisbon on Friday.")
    arrested = event(doc, "arrested")
    assert arrested.type == "coerce"
    assert text(doc, arrested.actor) == "Police"
    assert text(doc, arrested.target) == "twelve protesters"
    assert text(doc, arrested.place) == "Lisbon"
    assert text(doc, arrested.time) == "Friday"


def test_since_time_on_a_passive(nlp: Language) -> None:
    doc = nlp("Thousands of people have been evacuated since Sunday.")
    evacuated = event(doc, "evacuated")
    assert evacuated.type == "evacuate"
    assert text(doc, evacuated.target) == "Thousands of people"
    assert text(doc, evacuated.time) == "Sunday"


def test_event_noun_takes_the_time_of_its_relative_clause(nlp: Language) -> None:
    doc = nlp("The storm that hit the coast on 3 March destroyed hundreds of homes.")
    storm = event(doc, "storm")
    assert storm.type == "disaster"
    assert text(doc, storm.time) == "3 March"
    hit = event(doc, "hit")
    assert hit.type == "disaster"  # a storm that hits is a disaster, not an assault
    assert text(doc, hit.actor) == "The storm"  # the antecedent, not "that"
    destroyed = event(doc, "destroyed")
    assert destroyed.type == "destroy"
    assert text(doc, destroyed.target) == "hundreds of homes"


def test_time_from_timex_and_ranges(nlp: Language) -> None:
    """With sayso_times present its DATE spans are used (durations are not when something happened)."""
    sentence = "The river flooded the valley from 2 May to 9 May after rain for three weeks."
    doc = nlp.make_doc(sentence)
    for name, component in nlp.pipeline:
        if name != "sayso_events":
            doc = component(doc)

    def span_of(piece: str) -> tuple[int, int]:
        start = sentence.index(piece)
        return (start, start + len(piece))

    doc._.sayso_times = [
        TimeRecord(span=span_of("2 May"), type="DATE", value="XXXX-05-02"),
        TimeRecord(span=span_of("9 May"), type="DATE", value="XXXX-05-09"),
        TimeRecord(span=span_of("three weeks"), type="DURATION", value="P3W"),
    ]
    flooded = next(e for e in extract_events(doc) if text(doc, e.trigger) == "flooded")
    assert flooded.type == "disaster"
    assert text(doc, flooded.time) == "2 May to 9 May"


def test_attribution_is_the_innermost_content(nlp: Language) -> None:
    sentence = "The report said that police arrested the organisers."
    doc = nlp(sentence)
    content_start = sentence.index("police")
    doc._.sayso_attributions = [
        AttributionRecord(
            id="a1",
            kind="indirect",
            source=(0, 10),
            cue=(11, 15),
            content=[(content_start, len(sentence) - 1)],
        ),
        AttributionRecord(id="a0", kind="indirect", source=None, cue=None, content=[(0, len(sentence))]),
    ]
    records = extract_events(doc)
    arrested = next(e for e in records if text(doc, e.trigger) == "arrested")
    said = next(e for e in records if text(doc, e.trigger) == "said")
    assert arrested.attribution == "a1"
    assert said.attribution == "a0"


# ------------------------------------------------------------------------------------------ output


def test_ids_in_text_order_and_offsets_exact(nlp: Language) -> None:
    doc = nlp(
        "Workers protested outside the parliament in Madrid.\n\n"
        "The army expelled the journalists from the country last week, officials said."
    )
    records = doc._.sayso_events
    assert [e.id for e in records] == [f"e{i}" for i in range(1, len(records) + 1)]
    assert [e.trigger for e in records] == sorted(e.trigger for e in records)
    for record in records:
        for span in (record.trigger, record.actor, record.target, record.place, record.time):
            if span is not None:
                piece = doc.text[span[0] : span[1]]
                assert piece and piece == piece.strip(), (record, piece)
    assert text(doc, event(doc, "protested").place) == "Madrid"
    assert event(doc, "expelled").type == "deport"


def test_no_argument_across_a_blank_line(nlp: Language) -> None:
    """A headline the parser runs into the first sentence lends it no subject."""
    doc = nlp("Markets slump on trade fears\n\nThe central bank raised interest rates on Tuesday.")
    raised = event(doc, "raised")
    assert text(doc, raised.actor) == "The central bank"
    assert "\n" not in (text(doc, raised.target) or "")


def test_keep_other_false_drops_untyped_events() -> None:
    pipeline = load_base()
    pipeline.add_pipe("sayso_events", config={"keep_other": False})
    doc = pipeline("The mayor said the bridge would reopen after the flood.")
    kinds = {e.type for e in doc._.sayso_events}
    assert "other" not in kinds
    assert {"make_statement", "disaster"} <= kinds


@pytest.mark.parametrize(
    "odd", ["", "   ", "\n\n\n", "!!! ???", "🙂🙂🙂", "a", "—" * 300, "said said said", "x\x00y"]
)
def test_odd_input_never_raises(nlp: Language, odd: str) -> None:
    doc = nlp(odd)
    assert isinstance(doc._.sayso_events, list)


def test_unparsed_doc_has_no_events() -> None:
    doc = spacy.blank("en")("Rebels attacked the village.")
    assert extract_events(doc) == []


def test_malformed_records_from_other_components_do_not_raise(nlp: Language) -> None:
    doc = nlp.make_doc("Rebels attacked the village on Monday.")
    for name, component in nlp.pipeline:
        if name != "sayso_events":
            doc = component(doc)
    doc._.sayso_times = [TimeRecord(span=(500, 900), type="DATE", value=None), object()]
    component_fn: Callable[[Doc], Doc] = nlp.get_pipe("sayso_events")
    component_fn(doc)
    assert [text(doc, e.trigger) for e in doc._.sayso_events] == ["attacked"]


# ------------------------------------------------------------------------------------------ lexicon


def test_lexicon_rows_and_types_are_documented() -> None:
    lexicon = load_event_types()
    path = Path(events_module.__file__).resolve().parents[1] / "resources" / "event_types.tsv"
    raw = path.read_text(encoding="utf-8")
    header = "\n".join(line for line in raw.splitlines() if line.startswith("#"))
    rows = [line.split("\t") for line in raw.splitlines() if line and not line.startswith(("#", "lemma\t"))]
    codes: dict[str, set[str]] = {}
    for row in rows:
        assert len(row) == 5, row
        lemma, pos, kind, cameo, subject = row
        assert lemma == lemma.strip().lower() and pos in ("VERB", "NOUN"), row
        assert subject in ("", "actor", "target", "ergative"), row
        codes.setdefault(kind, set()).add(cameo)
    for kind, found in codes.items():
        assert len(found) == 1, f"type {kind} has several CAMEO codes: {found}"
        if kind not in ("other", "-"):
            assert f"{kind} [" in header, f"type {kind} is not documented in the header"
    assert lexicon.verb("kill") is not None and lexicon.verb("kill").type == "kill"  # type: ignore[union-attr]
    assert lexicon.phrasal["call"]["on"].type == "appeal"
    assert lexicon.noun("flood") is not None and lexicon.noun("flood").type == "disaster"  # type: ignore[union-attr]
    assert lexicon.cameo["make_statement"] == "01"


# ------------------------------------------------------------------------------------------ scorer

SYNTHETIC_XML = """<?xml version="1.0" encoding="UTF-8"?>
<Document doc_id="1" doc_name="test.xml" url="">
<token t_id="1" sentence="0" number="0">Rebels</token>
<token t_id="2" sentence="0" number="1">attack</token>
<token t_id="3" sentence="0" number="2">town</token>
<token t_id="4" sentence="1" number="3">May</token>
<token t_id="5" sentence="1" number="4">1</token>
<token t_id="6" sentence="2" number="5">The</token>
<token t_id="7" sentence="2" number="6">rebels</token>
<token t_id="8" sentence="2" number="7">,</token>
<token t_id="9" sentence="2" number="8">who</token>
<token t_id="10" sentence="2" number="9">fled</token>
<token t_id="11" sentence="2" number="10">,</token>
<token t_id="12" sentence="2" number="11">burned</token>
<token t_id="13" sentence="2" number="12">the</token>
<token t_id="14" sentence="2" number="13">school</token>
<token t_id="15" sentence="2" number="14">.</token>
<Markables>
<ENTITY_MENTION m_id="20" syntactic_type="NOM"><token_anchor t_id="1"/></ENTITY_MENTION>
<ENTITY_MENTION m_id="21"><token_anchor t_id="6"/><token_anchor t_id="7"/></ENTITY_MENTION>
<ENTITY_MENTION m_id="22" syntactic_type="PRO"><token_anchor t_id="9"/></ENTITY_MENTION>
<ENTITY_MENTION m_id="23"><token_anchor t_id="13"/><token_anchor t_id="14"/></ENTITY_MENTION>
<EVENT_MENTION m_id="30" pos="VERB" pred="attack"><token_anchor t_id="2"/></EVENT_MENTION>
<EVENT_MENTION m_id="31" pos="VERB" pred="flee"><token_anchor t_id="10"/></EVENT_MENTION>
<EVENT_MENTION m_id="32" pos="VERB" pred="burn"><token_anchor t_id="12"/></EVENT_MENTION>
<ENTITY m_id="40" ent_type="PER"/>
</Markables>
<Relations>
<HAS_PARTICIPANT r_id="1" sem_role="Arg0"><source m_id="30"/><target m_id="20"/></HAS_PARTICIPANT>
<HAS_PARTICIPANT r_id="2" sem_role="Arg0"><source m_id="31"/><target m_id="22"/></HAS_PARTICIPANT>
<HAS_PARTICIPANT r_id="3" sem_role="Arg0"><source m_id="32"/><target m_id="21"/></HAS_PARTICIPANT>
<HAS_PARTICIPANT r_id="4" sem_role="Arg1"><source m_id="32"/><target m_id="23"/></HAS_PARTICIPANT>
<REFERS_TO r_id="5"><source m_id="21"/><source m_id="22"/><target m_id="40"/></REFERS_TO>
</Relations>
</Document>
"""


def test_scorer_reads_meantime_and_scores_roles(ev: ModuleType, tmp_path: Path) -> None:
    path = tmp_path / "test.xml"
    path.write_text(SYNTHETIC_XML, encoding="utf-8")
    doc = ev.load_document(path)
    assert doc.text == "Rebels attack town\n\nMay 1\n\nThe rebels, who fled, burned the school."
    assert [doc.text[e.span[0] : e.span[1]] for e in doc.events] == ["attack", "fled", "burned"]

    def at(piece: str) -> tuple[int, int]:
        start = doc.text.index(piece)
        return (start, start + len(piece))

    predictions = [
        ev.Prediction(at("attack"), {"Arg0": at("Rebels"), "Arg1": at("town")}),  # Arg1 not annotated
        ev.Prediction(at("fled"), {"Arg0": at("The rebels"), "Arg1": None}),  # antecedent of "who"
        ev.Prediction(at("burned"), {"Arg0": at("the school"), "Arg1": None}),  # wrong actor
        ev.Prediction(at("May"), {"Arg0": None, "Arg1": None}),  # no such event
    ]
    tally = ev.Tally()
    tally.add(doc, predictions)
    metrics = tally.summary()["metrics"]
    assert (tally.tp["trigger"], tally.fp["trigger"], tally.fn["trigger"]) == (3, 1, 0)
    assert (tally.tp["Arg0"], tally.fp["Arg0"], tally.fn["Arg0"]) == (2, 1, 1)
    assert (tally.tp["Arg1"], tally.fp["Arg1"], tally.fn["Arg1"]) == (0, 0, 1)
    assert tally.fp["Arg1_strict"] == 1  # "town": unannotated, wrong only under the strict scheme
    assert metrics["trigger_f1"] == pytest.approx(2 * 0.75 * 1.0 / 1.75, abs=1e-4)


@pytest.mark.data
def test_meantime_scores(ev: ModuleType, shared_data: Path) -> None:
    """The whole MEANTIME scorer (about 10 s): sayso above its floors and clearly above the baseline."""
    if not (shared_data / "meantime_en").is_dir():
        pytest.skip("MEANTIME not in the shared data folder")
    result = ev.evaluate(shared_data)
    ours = result["systems"]["sayso"]["metrics"]
    base = result["systems"]["baseline"]["metrics"]
    assert result["documents"] == 96
    assert ours["trigger_f1"] >= 0.86
    assert ours["arg0_f1"] >= 0.82
    assert ours["arg1_f1"] >= 0.77
    for metric in ("trigger_f1", "arg0_f1", "arg1_f1"):
        assert ours[metric] >= base[metric] + 0.05, metric
