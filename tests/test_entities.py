"""Tests of the ``sayso_entities`` layer on sentences written for these tests (no corpus text).

Most cases are ones where the pinned small model errs (noted as "bare: ..."), so that each test fails
when its rule stops working; the over-firing cases check that the layer leaves correct readings alone.
"""

from __future__ import annotations

import importlib.util
import sys
import time
from pathlib import Path
from types import ModuleType

import pytest
import spacy
from spacy.language import Language
from spacy.tokens import Doc

from sayso.components._common import DatelineRecord
from sayso.components.entities import RULES, EntityLayer, load_gazetteer
from sayso.settings import MODEL, data_dir


@pytest.fixture(scope="module")
def nlp() -> Language:
    pipeline = spacy.load(MODEL.value())
    pipeline.add_pipe("sayso_entities")
    return pipeline


@pytest.fixture(scope="module")
def bare() -> Language:
    return spacy.load(MODEL.value())


def ents(doc: Doc) -> list[tuple[str, str]]:
    return [(e.text, e.label_) for e in doc.ents]


def label_of(doc: Doc, text: str) -> str | None:
    labels = [e.label_ for e in doc.ents if e.text == text]
    return labels[0] if labels else None


# ------------------------------------------------------------------------------------------ places


def test_region_tagged_org_becomes_a_place(nlp: Language) -> None:
    # bare: Algarve ORG
    doc = nlp("Residents' associations of the Algarve issued a warning on Monday.")
    assert ("Algarve", "LOC") in ents(doc)


def test_city_tagged_person_after_in_becomes_gpe(nlp: Language) -> None:
    # bare: Faro PERSON
    doc = nlp("Floodwater reached 25 homes in Faro on Tuesday night.")
    assert label_of(doc, "Faro") == "GPE"


def test_city_after_from_or_to_becomes_gpe_when_well_known(nlp: Language) -> None:
    # bare: Toulouse PERSON
    doc = nlp("He was born in Split and moved to Toulouse in 1990.")
    assert label_of(doc, "Toulouse") == "GPE"
    assert label_of(doc, "Split") == "GPE"


def test_place_names_that_are_people_stay_people(nlp: Language) -> None:
    doc = nlp("Michael Jordan said he would retire. Jordan thanked his fans.")
    assert ents(doc) == [("Michael Jordan", "PERSON"), ("Jordan", "PERSON")]
    doc = nlp("Georgia Smith, a teacher from Ohio, won the prize.")
    assert ("Georgia Smith", "PERSON") in ents(doc)


def test_common_word_place_names_are_never_added(nlp: Language) -> None:
    doc = nlp("Mobile phones were banned. Reading the report, the minister sighed. Nice work, she said.")
    assert [e for e in doc.ents if e.label_ in {"GPE", "LOC"}] == []
    doc = nlp("The meeting is on March 4 in Lisbon.")
    assert ents(doc) == [("March 4", "DATE"), ("Lisbon", "GPE")]


def test_a_name_before_a_noun_is_not_made_a_place(nlp: Language) -> None:
    doc = nlp("She served as an ambassador in the Obama administration for four years.")
    assert label_of(doc, "Obama") != "GPE"


# ------------------------------------------------------------------------------------------ datelines


def test_all_caps_dateline_city(nlp: Language) -> None:
    # bare: FARO missed
    doc = nlp("FARO, Portugal, June 4. Heavy rain flooded the old town overnight.")
    assert ents(doc)[:2] == [("FARO", "GPE"), ("Portugal", "GPE")]
    assert doc.ents[0].start_char == 0


def test_all_caps_dateline_after_a_title_line(nlp: Language) -> None:
    doc = nlp("Fuel prices rise again\n\nLAGOS, Nigeria (Reuters) - Fuel prices rose again on Monday.")
    assert label_of(doc, "LAGOS") == "GPE"


def test_unknown_all_caps_word_before_a_country_is_a_dateline_place(nlp: Language) -> None:
    doc = nlp("QUARTEIRA, Portugal - The beach was closed on Sunday.")
    assert label_of(doc, "QUARTEIRA") == "GPE"


def test_all_caps_acronym_is_not_a_dateline(nlp: Language) -> None:
    doc = nlp("NATO, the alliance, met in Brussels on Monday.")
    assert label_of(doc, "NATO") != "GPE"


def test_dateline_record_is_used(bare: Language) -> None:
    layer = EntityLayer(load_gazetteer())
    doc = bare("ALBUFEIRA, Portugal, June 4. Heavy rain flooded the old town overnight.")
    fields: dict[str, object] = {"place": (0, 20), "date": (22, 28), "value": "XXXX-06-04"}
    doc._.sayso_dateline = DatelineRecord(**fields)
    layer(doc)
    assert ents(doc)[:2] == [("ALBUFEIRA", "GPE"), ("Portugal", "GPE")]


# ------------------------------------------------------------------------------------------ demonyms


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("The survey found that Latinos favour the plan.", "Latinos"),  # bare: PERSON
        ("The Azerbaijani authorities declared a curfew.", "Azerbaijani"),  # bare: PERSON
        ("A majority of Britons voted to leave.", "Britons"),  # bare: ORG
        ("Kenyans, Ugandans and Tanzanians attended the summit.", "Ugandans"),  # bare: missed
    ],
)
def test_demonyms_are_norp(nlp: Language, text: str, name: str) -> None:
    assert label_of(nlp(text), name) == "NORP"


def test_demonym_after_a_title_is_a_person(nlp: Language) -> None:
    assert label_of(nlp("Mr. English said the vote was close."), "English") == "PERSON"


# ------------------------------------------------------------------------------------------ edges


def test_leading_the_and_possessive_are_trimmed(nlp: Language) -> None:
    # bare: "the Iberia Press" ORG
    doc = nlp("The figures were confirmed by the Iberia Press agency on Friday.")
    assert ("Iberia Press", "ORG") in ents(doc)
    doc = nlp("She criticised Wells Fargo's sales practices.")
    assert ("Wells Fargo", "ORG") in ents(doc)


def test_capitalised_the_and_abbreviation_periods_stay(nlp: Language) -> None:
    doc = nlp("Sen. Bernie Sanders (Vt.) spoke to The New York Times on Sunday.")
    texts = [e.text for e in doc.ents]
    assert "Vt." in texts
    assert "The New York Times" in texts


def test_time_zone_is_not_an_organisation(nlp: Language) -> None:
    # bare: UTC ORG
    doc = nlp("The Dow was down 2.5% at 16:08 UTC, a slight recovery.")
    assert all(e.text != "UTC" for e in doc.ents)


# ------------------------------------------------------------------------------------------ people


def test_surname_after_full_name_is_a_person(nlp: Language) -> None:
    # bare: Stumpf missed
    doc = nlp("Sen. Warren questioned John Stumpf for hours. Stumpf said the bank had fired 5,300 employees.")
    assert [e.label_ for e in doc.ents if e.text == "Stumpf"] == ["PERSON"]


def test_surname_shared_with_a_company_is_left_alone(nlp: Language) -> None:
    doc = nlp("William Clay Ford Jr. runs the Ford Motor Company. Ford said sales rose 5%.")
    assert label_of(doc, "Ford") != "PERSON"


def test_person_name_ending_in_an_organisation_word_is_an_org(nlp: Language) -> None:
    doc = nlp("He donated to the Peter G. Peterson Foundation last year.")
    assert ("Peter G. Peterson Foundation", "ORG") in ents(doc)


# ------------------------------------------------------------------------------------------ products


def test_maker_and_model_code_are_one_product(nlp: Language) -> None:
    # bare: Airbus ORG + A380 PRODUCT, Boeing ORG + 787 PRODUCT
    doc = nlp("The Airbus A380 and the Boeing 787 Dreamliner were on display.")
    assert ents(doc) == [("Airbus A380", "PRODUCT"), ("Boeing 787", "PRODUCT")]


def test_i_products(nlp: Language) -> None:
    # bare: iPhone missed, iPod ORG
    doc = nlp("Apple said the iPhone 4 sold well, and the new iPod nano too.")
    assert ents(doc) == [("Apple", "ORG"), ("iPhone 4", "PRODUCT"), ("iPod nano", "PRODUCT")]


def test_long_organisation_name_with_a_number_is_not_a_product(nlp: Language) -> None:
    doc = nlp("She spoke on Sirius XM Patriot Channel 125 about the race.")
    assert all(e.label_ != "PRODUCT" for e in doc.ents)


# ------------------------------------------------------------------------------------------ robustness


@pytest.mark.parametrize(
    "text",
    [
        "",
        " ",
        "\n\n\n",
        "!!!",
        "A",
        "FARO",
        "FARO,",
        "in",
        "in Faro",
        "iPhone",
        "A380",
        "THE END. ALL CAPS TEXT, LIKE A SHOUTING HEADLINE - AND MORE.",
        "x" * 5000,
        "😀 Lisbon 😀, Portugal — 16:08 UTC",
        "Mr.",
        "'s",
        "“Faro”, ‘Lagos’ – (in) [Toulouse]",
    ],
)
def test_odd_input_never_raises_and_spans_are_consistent(nlp: Language, text: str) -> None:
    doc = nlp(text)
    last_end = -1
    for ent in doc.ents:
        assert doc.text[ent.start_char : ent.end_char] == ent.text
        assert ent.start_char >= last_end
        assert ent.text.strip() == ent.text and ent.text
        last_end = ent.end_char


def test_disable_switches_rules_off(bare: Language) -> None:
    pipeline = spacy.load(MODEL.value())
    pipeline.add_pipe("sayso_entities", config={"disable": ["place"]})
    doc = pipeline("Floodwater reached 25 homes in Faro on Tuesday night.")
    assert label_of(doc, "Faro") == label_of(
        bare("Floodwater reached 25 homes in Faro on Tuesday night."), "Faro"
    )


def test_unknown_rule_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown rule"):
        EntityLayer(load_gazetteer(), disable=["no_such_rule"])
    assert "place" in RULES


def test_gazetteer_is_compiled_once() -> None:
    load_gazetteer()
    started = time.perf_counter()
    assert load_gazetteer() is load_gazetteer()
    assert time.perf_counter() - started < 0.01


def test_gazetteer_contents() -> None:
    g = load_gazetteer()
    assert g.label_of("Portugal") == "GPE"
    assert g.label_of("Faro") == "GPE"
    assert g.label_of("Algarve") == "LOC"
    assert g.label_of("Frobnitz") is None
    assert {"Portuguese", "Ukrainians", "Britons"} <= g.demonyms
    assert {"Nice", "Mobile", "Reading", "March"} <= g.stopwords
    assert {"Jordan", "Georgia"} <= g.person_names


# ------------------------------------------------------------------------------------------ MEANTIME


def _load_eval() -> ModuleType:
    path = Path(__file__).resolve().parents[1] / "eval" / "entities.py"
    spec = importlib.util.spec_from_file_location("sayso_eval_entities", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.mark.data
def test_meantime_layer_adds_at_least_five_points_of_f1() -> None:
    root = data_dir()
    if not (root / "meantime_en").is_dir():
        pytest.skip(f"MEANTIME not found under {root}")
    result = _load_eval().evaluate(root)
    assert result["documents"] == 96
    assert result["delta_f1"] >= 0.05, result
    assert (
        result["layered"]["article_insensitive"]["micro"]["f1"]
        > result["bare"]["article_insensitive"]["micro"]["f1"]
    )
