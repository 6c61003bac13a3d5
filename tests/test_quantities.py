"""sayso_quantities: figures, their values, qualifiers, units, counted things, places, times, sources;
what is not a figure; number words; the MeasEval scorer.

Every sentence here is made up for these tests (no text from ../shared/data, whose licences are
research-only). The data test at the end runs the MeasEval scorer on the shared data when it is there.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from spacy.language import Language
from spacy.tokens import Doc

import sayso.components.quantities  # noqa: F401  (registers the factory)
from sayso.components._common import AttributionRecord, QuantityRecord, TimeRecord, text_of
from sayso.components._numbers import parse_digits, parse_word_number
from sayso.components.quantities import canonical_unit, find_quantities
from sayso.pipeline import load_base

EVAL_FILE = Path(__file__).resolve().parents[1] / "eval" / "quantities.py"


@pytest.fixture(scope="module")
def nlp() -> Language:
    """The base model with sayso_quantities as the only sayso component (entities come from the model)."""
    pipeline = load_base()
    pipeline.add_pipe("sayso_quantities")
    return pipeline


@pytest.fixture(scope="module")
def parse(nlp: Language) -> Any:
    """Parse without sayso_quantities, so a test can set entities, times or attributions first."""

    def run(text: str) -> Doc:
        with nlp.select_pipes(disable=["sayso_quantities"]):
            return nlp(text)

    return run


def figures(nlp: Language, text: str) -> list[dict[str, Any]]:
    return [as_dict(q, text) for q in nlp(text)._.sayso_quantities]


def as_dict(q: QuantityRecord, text: str) -> dict[str, Any]:
    def span(s: tuple[int, int] | None) -> str | None:
        return text[s[0] : s[1]] if s is not None else None

    return {
        "id": q.id,
        "text": span(q.span),
        "value": q.value,
        "low": q.low,
        "high": q.high,
        "qualifier": q.qualifier,
        "approximate": q.approximate,
        "unit": q.unit,
        "counted": span(q.counted),
        "place": span(q.place),
        "time": span(q.time),
        "attribution": q.attribution,
    }


def by_text(found: list[dict[str, Any]], text: str) -> dict[str, Any]:
    matches = [f for f in found if f["text"] == text]
    assert matches, f"no figure {text!r} in {[f['text'] for f in found]}"
    return matches[0]


def with_places(doc: Doc, *names: str) -> Doc:
    """Label ``names`` GPE, as sayso_entities does for known places the small model mislabels."""
    text = text_of(doc)
    spans = []
    for name in names:
        start = text.index(name)
        span = doc.char_span(start, start + len(name), label="GPE")
        assert span is not None
        spans.append(span)
    kept = [e for e in doc.ents if not any(e.start < s.end and s.start < e.end for s in spans)]
    doc.ents = sorted([*kept, *spans], key=lambda s: s.start)
    return doc


# ------------------------------------------------------------------------------------------ counts


def test_counts_with_qualifiers_counted_nouns_and_places(nlp: Language, parse: Any) -> None:
    text = (
        "More than 40 homes in Lyon, 25 homes in Marseille and 12 homes in Porto were flooded. "
        "Hundreds of families fled and at least three people died."
    )
    doc = with_places(parse(text), "Lyon", "Marseille", "Porto")
    found = [as_dict(q, text) for q in nlp.get_pipe("sayso_quantities")(doc)._.sayso_quantities]
    assert [f["text"] for f in found] == [
        "More than 40 homes",
        "25 homes",
        "12 homes",
        "Hundreds of families",
        "at least three people",
    ]
    assert [f["id"] for f in found] == ["q1", "q2", "q3", "q4", "q5"]
    first, second, third, hundreds, three = found
    assert (first["value"], first["qualifier"], first["low"]) == (40, "more than", 40)
    assert [f["counted"] for f in (first, second, third)] == ["homes"] * 3
    assert [f["place"] for f in (first, second, third)] == ["Lyon", "Marseille", "Porto"]
    assert (hundreds["value"], hundreds["low"], hundreds["high"]) == (None, 100, 999)
    assert hundreds["counted"] == "families" and hundreds["approximate"]
    assert (three["value"], three["qualifier"], three["counted"]) == (3, "at least", "people")
    assert not three["approximate"]


def test_about_is_approximate_and_time_comes_from_the_clause(nlp: Language) -> None:
    found = figures(nlp, "Officials said about 1,200 people were moved to shelters on Friday.")
    figure = by_text(found, "about 1,200 people")
    assert (figure["value"], figure["qualifier"], figure["approximate"]) == (1200, "about", True)
    assert figure["counted"] == "people"
    assert figure["time"] == "Friday"


def test_number_words(nlp: Language) -> None:
    found = figures(
        nlp,
        "Two hundred volunteers, a dozen doctors, tens of thousands of residents and more than a million "
        "tourists came.",
    )
    assert by_text(found, "Two hundred volunteers")["value"] == 200
    assert by_text(found, "a dozen doctors")["value"] == 12
    tens = by_text(found, "tens of thousands of residents")
    assert (tens["value"], tens["low"], tens["high"], tens["counted"]) == (None, 10000, 99999, "residents")
    million = by_text(found, "more than a million tourists")
    assert (million["value"], million["qualifier"]) == (1_000_000, "more than")


# ------------------------------------------------------------------------------------------ units


def test_money_and_percentages(nlp: Language) -> None:
    found = figures(
        nlp,
        "The council approved $3.5 billion, 40 million Swiss francs and €20 for 2,000 workers; "
        "inflation rose 2.5 percent, or 0.3 percentage points, and 7% of staff left.",
    )
    assert (by_text(found, "$3.5 billion")["value"], by_text(found, "$3.5 billion")["unit"]) == (3.5e9, "USD")
    francs = by_text(found, "40 million Swiss francs")
    assert (francs["value"], francs["unit"]) == (40e6, "CHF")
    assert (by_text(found, "€20")["value"], by_text(found, "€20")["unit"]) == (20, "EUR")
    assert (by_text(found, "2.5 percent")["value"], by_text(found, "2.5 percent")["unit"]) == (2.5, "%")
    assert by_text(found, "0.3 percentage points")["unit"] == "percentage points"
    assert by_text(found, "7%")["counted"] == "staff"
    assert by_text(found, "2,000 workers")["counted"] == "workers"


def test_short_scales_after_a_currency(nlp: Language) -> None:
    found = figures(nlp, "The club paid £5m for the striker and sold a defender for €20bn less.")
    assert by_text(found, "£5m")["value"] == 5e6
    assert by_text(found, "€20bn")["value"] == 20e9


def test_ranges(nlp: Language) -> None:
    found = figures(
        nlp, "Between 3 and 5 boats sank, 10-15 were damaged and the river was from 2 to 4 km wide."
    )
    between = by_text(found, "Between 3 and 5 boats")
    assert (between["value"], between["low"], between["high"], between["counted"]) == (None, 3, 5, "boats")
    dash = by_text(found, "10-15")
    assert (dash["low"], dash["high"]) == (10, 15)
    km = by_text(found, "from 2 to 4 km")
    assert (km["low"], km["high"], km["unit"]) == (2, 4, "km")


def test_measurements(nlp: Language) -> None:
    found = figures(nlp, "The alloy was heated to 300 ± 15 °C at 12 mA g−1, about 2 m below the surface.")
    heated = by_text(found, "300 ± 15 °C")
    assert (heated["value"], heated["low"], heated["high"], heated["unit"]) == (300, 285, 315, "°C")
    assert heated["approximate"]
    assert by_text(found, "12 mA g−1")["unit"] == "mA g−1"
    depth = by_text(found, "about 2 m")
    assert (depth["value"], depth["unit"], depth["qualifier"]) == (2, "m", "about")


def test_counted_for_measurements(nlp: Language) -> None:
    found = figures(
        nlp, "The water temperature in the bay reached 31 °C and the river carried 5 tonnes of silt."
    )
    assert by_text(found, "31 °C")["counted"] == "water temperature in the bay"
    assert by_text(found, "5 tonnes")["counted"] == "silt"


def test_symbols_and_suffix_qualifiers(nlp: Language) -> None:
    found = figures(
        nlp, "Readings of ~40 ppm, >250 μm grains, 5 or more samples and 10 km or so were logged."
    )
    assert (by_text(found, "~40 ppm")["qualifier"], by_text(found, "~40 ppm")["approximate"]) == (
        "about",
        True,
    )
    assert by_text(found, ">250 μm")["qualifier"] == "more than"
    more = by_text(found, "5 or more samples")
    assert (more["value"], more["low"], more["qualifier"]) == (5, 5, "or more")
    assert by_text(found, "10 km or so")["approximate"]


# ------------------------------------------------------------------------------------------ not figures


@pytest.mark.parametrize(
    "text",
    [
        "The storm hit on May 12 and again on 3 November 2019.",
        "The bridge was finished in 2022 after the 1990s boom.",
        "A 63-year-old man, aged 40 at the time, was there.",
        "The meeting started at 10:30 and ended at 5 p.m.",
        "Call 555-123-4567 for details.",
        "COVID-19 and the G7 were discussed, see Figure 3 and Article 5.",
        "Porto won 3-1 at home.",
        "She came first, then the 2nd and the 21st runners.",
        "Windows 10 runs on the Boeing 787 fleet.",
        "One of them said no one knew.",
        "The 2012 election followed the 1996 campaign.",
    ],
)
def test_not_figures(nlp: Language, text: str) -> None:
    assert figures(nlp, text) == []


def test_numbered_list_and_citations_are_not_figures(nlp: Language) -> None:
    text = "Steps:\n1. Boil water.\n2. Add salt [3].\nThe effect was clear (12)."
    assert figures(nlp, text) == []


def test_a_four_digit_count_is_not_a_year(nlp: Language) -> None:
    assert [f["text"] for f in figures(nlp, "Police said 2000 people marched.")] == ["2000 people"]


# ------------------------------------------------------------------------------------------ links


def test_attribution_is_the_innermost_containing_content(nlp: Language, parse: Any) -> None:
    text = "The minister said the agency reported that 300 jobs were lost, and 20 more were cut."
    doc = parse(text)
    outer = (text.index("the agency"), len(text) - 1)
    inner = (text.index("300"), text.index(", and"))
    doc._.sayso_attributions = [
        AttributionRecord(id="a1", kind="indirect", source=None, cue=None, content=[outer]),
        AttributionRecord(id="a2", kind="indirect", source=None, cue=None, content=[inner], parent="a1"),
    ]
    found = [as_dict(q, text) for q in nlp.get_pipe("sayso_quantities")(doc)._.sayso_quantities]
    assert by_text(found, "300 jobs")["attribution"] == "a2"
    assert by_text(found, "20")["attribution"] == "a1"


def test_time_prefers_sayso_times(nlp: Language, parse: Any) -> None:
    text = "Since the flood last spring, 80 families have been rehoused."
    doc = parse(text)
    start = text.index("last spring")
    doc._.sayso_times = [TimeRecord(span=(start, start + len("last spring")), type="DATE", value="XXXX-SP")]
    found = [as_dict(q, text) for q in nlp.get_pipe("sayso_quantities")(doc)._.sayso_quantities]
    assert by_text(found, "80 families")["time"] == "last spring"


def test_measeval_convention_keeps_the_number_alone(parse: Any) -> None:
    text = "Five samples and 12 homes were taken."
    doc = parse(text)
    spans = [text[q.span[0] : q.span[1]] for q in find_quantities(doc, span_includes_counted=False)]
    counted = [text[q.counted[0] : q.counted[1]] for q in find_quantities(doc) if q.counted is not None]
    assert spans == ["Five", "12"]
    assert counted == ["samples", "homes"]


def test_factory_config(nlp: Language) -> None:
    other = load_base()
    other.add_pipe("sayso_quantities", config={"span_includes_counted": False})
    doc = other("They evacuated 1,200 people.")
    assert [doc.text[q.span[0] : q.span[1]] for q in doc._.sayso_quantities] == ["1,200"]


@pytest.mark.parametrize(
    "text",
    ["", "   ", "\n\n", "1", "-", "$", "%%%", "1" * 400, "½ ¾ ⅓ ∞ 10⁻⁹⁹⁹", "x" * 50 + " 3e99999 9/0 1:0"],
)
def test_never_raises_and_offsets_are_exact(nlp: Language, text: str) -> None:
    doc = nlp(text)
    for q in doc._.sayso_quantities:
        assert 0 <= q.span[0] < q.span[1] <= len(text)
        for span in (q.counted, q.place, q.time):
            assert span is None or 0 <= span[0] < span[1] <= len(text)


# ------------------------------------------------------------------------------------------ numbers


@pytest.mark.parametrize(
    ("words", "value", "consumed"),
    [
        ("two hundred and fifty", 250, 4),
        ("twenty-five", 25, 2),
        ("four and a half", 4.5, 4),
        ("half a million", 500_000, 3),
        ("two and a half million", 2_500_000, 5),
        ("a hundred and one", 101, 4),
        ("two thirds of", 2 / 3, 2),
        ("two and three", 2, 1),
    ],
)
def test_word_numbers(words: str, value: float, consumed: int) -> None:
    parsed = parse_word_number(words.replace("-", " ").split())
    assert parsed is not None
    assert parsed.value == pytest.approx(value)
    assert parsed.consumed == consumed


@pytest.mark.parametrize(
    ("words", "low", "high"),
    [("hundreds", 100, 999), ("tens of thousands", 10_000, 99_999), ("several hundred", 300, 900)],
)
def test_vague_word_numbers_are_ranges(words: str, low: float, high: float) -> None:
    parsed = parse_word_number(words.split())
    assert parsed is not None
    assert (parsed.value, parsed.low, parsed.high, parsed.approximate) == (None, low, high, True)


def test_parse_digits() -> None:
    assert parse_digits("1,200") == 1200
    assert parse_digits("−8.5") == -8.5
    assert parse_digits(".64") == 0.64
    assert parse_digits("abc") is None


def test_canonical_unit() -> None:
    assert canonical_unit("m s-1") == canonical_unit("m s−1") == "m s−1"
    assert canonical_unit("per cent") == "%"
    assert canonical_unit("Swiss francs") == "CHF"
    assert canonical_unit("participants") is None


# ------------------------------------------------------------------------------------------ the scorer


@pytest.fixture(scope="module")
def eq() -> ModuleType:
    """eval/ is a folder of scripts, not a package: load the scorer by path."""
    spec = importlib.util.spec_from_file_location("sayso_eval_quantities", EVAL_FILE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _fake_measeval(root: Path) -> None:
    text = "The probe measured 12 mm of ice and two samples at about 40 °C."
    rows: list[tuple[str, str, dict[str, Any]]] = [
        ("Quantity", "12 mm", {"unit": "mm"}),
        ("MeasuredEntity", "ice", {"HasQuantity": "T1"}),
    ]
    second: list[tuple[str, str, dict[str, Any]]] = [
        ("Quantity", "two", {"mods": ["IsCount"]}),
        ("MeasuredEntity", "samples", {"HasQuantity": "T3"}),
    ]
    third: list[tuple[str, str, dict[str, Any]]] = [
        ("Quantity", "about 40 °C", {"unit": "°C", "mods": ["IsApproximate"]})
    ]
    lines = ["docId\tannotSet\tannotType\tstartOffset\tendOffset\tannotId\ttext\tother"]
    for set_id, group in enumerate((rows, second, third), start=1):
        for n, (kind, piece, other) in enumerate(group):
            start = text.index(piece)
            cells = ["P1", str(set_id), kind, str(start), str(start + len(piece)), f"T{set_id}{n}", piece]
            lines.append("\t".join([*cells, json.dumps(other)]))
    for part in ("train", "trial"):
        (root / "measeval" / part / "text").mkdir(parents=True)
        (root / "measeval" / part / "tsv").mkdir(parents=True)
    (root / "measeval" / "train" / "text" / "P1.txt").write_text(text, encoding="utf-8")
    (root / "measeval" / "train" / "tsv" / "P1.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (root / "measeval" / "trial" / "text" / "P2.txt").write_text("Nothing to count here.", encoding="utf-8")


def test_scorer_on_a_made_up_paragraph(eq: ModuleType, tmp_path: Path) -> None:
    _fake_measeval(tmp_path)
    docs = eq.load_measeval(tmp_path)
    assert [len(d.gold) for d in docs] == [3, 0]
    text = docs[0].text

    def span(piece: str) -> tuple[int, int]:
        return text.index(piece), text.index(piece) + len(piece)

    predictions = [
        [
            eq.Prediction(span("12 mm"), frozenset({"mm"}), span("ice")),
            eq.Prediction(span("two samples"), frozenset(), span("samples")),
            eq.Prediction(span("40 °C"), frozenset({"K"}), None),
            eq.Prediction(span("probe"), frozenset(), None),
        ],
        [],
    ]
    metrics, _ = eq.score(docs, predictions)
    assert metrics["span_precision_overlap"] == 0.75
    assert metrics["span_recall_overlap"] == 1.0
    assert metrics["span_recall_exact"] == pytest.approx(1 / 3, abs=1e-4)
    assert metrics["counted_overlap_rate"] == 1.0  # both gold entities are found; the °C one has none
    assert metrics["unit_agreement"] == 0.5  # mm agrees, K is not °C


def test_evaluate_runs_sayso_on_a_made_up_corpus(eq: ModuleType, tmp_path: Path) -> None:
    _fake_measeval(tmp_path)
    result = eq.evaluate(tmp_path, systems=("sayso",))
    metrics = result["systems"]["sayso"]["metrics"]
    assert metrics["span_f1_overlap"] == 1.0
    assert metrics["span_f1_exact"] == 1.0
    assert metrics["counted_overlap_rate"] == 1.0


@pytest.mark.data
def test_measeval_floors(eq: ModuleType, shared_data: Path) -> None:
    """The MeasEval numbers stay above floors set just under those reached (README numbers table)."""
    if not (shared_data / "measeval").is_dir():
        pytest.skip("MeasEval not in the shared data folder")
    result = eq.evaluate(shared_data, systems=("sayso",))
    metrics = result["systems"]["sayso"]["metrics"]
    assert metrics["span_f1_overlap"] >= 0.90
    assert metrics["span_f1_exact"] >= 0.73
    assert metrics["counted_overlap_rate"] >= 0.50
    assert metrics["unit_agreement"] >= 0.92
