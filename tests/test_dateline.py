"""sayso_dateline and the date helpers it shares (sayso.components._dates). All texts are written here."""

from __future__ import annotations

import datetime as dt

import pytest
import spacy
from spacy.language import Language

from sayso.components._common import DatelineRecord
from sayso.components._dates import (
    DateParts,
    normalise_text,
    parse_date,
    resolve_month_day,
    resolve_weekday,
)
from sayso.components.dateline import find_dateline

PUBLISHED = dt.date(2024, 6, 4)  # a Tuesday


def parts(text: str, record: DatelineRecord | None) -> dict[str, str | None] | None:
    """The record as texts, so that tests assert exact spans readably."""
    if record is None:
        return None

    def cut(span: tuple[int, int] | None) -> str | None:
        return None if span is None else text[span[0] : span[1]]

    return {
        "place": cut(record.place),
        "date": cut(record.date),
        "value": record.value,
        "agency": cut(record.agency),
        "extent": cut(record.extent),
    }


@pytest.mark.parametrize(
    ("text", "place", "date", "value", "agency", "extent"),
    [
        (
            "OPORTO, Portugal, June 4. Shopkeepers along the river counted their losses.",
            "OPORTO",
            "June 4",
            "2024-06-04",
            None,
            "OPORTO, Portugal, June 4.",
        ),
        (
            "LONDON (Reuters) - Bond yields edged higher.",
            "LONDON",
            None,
            None,
            "Reuters",
            "LONDON (Reuters) -",
        ),
        (
            "LONDON (Reuters) — Bond yields edged higher.",
            "LONDON",
            None,
            None,
            "Reuters",
            "LONDON (Reuters) —",
        ),
        ("NAIROBI (AP) — Rains returned on Monday.", "NAIROBI", None, None, "AP", "NAIROBI (AP) —"),
        ("LYON (AFP) - Les trains ont repris.", "LYON", None, None, "AFP", "LYON (AFP) -"),
        ("HAMBURG (dpa) - Der Hafen blieb offen.", "HAMBURG", None, None, "dpa", "HAMBURG (dpa) -"),
        (
            "OTTAWA, June 3 (Reuters) - Lawmakers passed the budget.",
            "OTTAWA",
            "June 3",
            "2024-06-03",
            "Reuters",
            "OTTAWA, June 3 (Reuters) -",
        ),
        (
            "DAYTON, Ohio, Sept. 2 (UPI) — Voters lined up early.",
            "DAYTON",
            "Sept. 2",
            "2024-09-02",  # closer to the published date than 2023-09-02
            "UPI",
            "DAYTON, Ohio, Sept. 2 (UPI) —",
        ),
        ("KYIV — Sirens sounded across the city.", "KYIV", None, None, None, "KYIV —"),
        ("BERLIN -- The coalition met again.", "BERLIN", None, None, None, "BERLIN --"),
        ("NEW YORK, N.Y. — Subway service resumed.", "NEW YORK", None, None, None, "NEW YORK, N.Y. —"),
        (
            "SAN JUAN, Puerto Rico — Power came back slowly.",
            "SAN JUAN",
            None,
            None,
            None,
            "SAN JUAN, Puerto Rico —",
        ),
        ("ST. PAUL, Minn. - Snow closed the schools.", "ST. PAUL", None, None, None, "ST. PAUL, Minn. -"),
        ("DENVER ― The council voted late.", "DENVER", None, None, None, "DENVER ―"),
        ("Oporto, Portugal, June 4 — Shopkeepers counted.", "Oporto", "June 4", "2024-06-04", None, None),
        ("PARIS, 4 June (AFP) - Grèves.", "PARIS", "4 June", "2024-06-04", "AFP", "PARIS, 4 June (AFP) -"),
        ("PARIS, Jun. 4 — The strike ended.", "PARIS", "Jun. 4", "2024-06-04", None, "PARIS, Jun. 4 —"),
        ("PARIS, Tuesday — The strike ended.", "PARIS", "Tuesday", "2024-06-04", None, "PARIS, Tuesday —"),
        ("PARIS, Sunday — The strike ended.", "PARIS", "Sunday", "2024-06-02", None, "PARIS, Sunday —"),
        (
            "PARIS, June 4, 2021 — The strike ended.",
            "PARIS",
            "June 4, 2021",
            "2021-06-04",
            None,
            "PARIS, June 4, 2021 —",
        ),
    ],
)
def test_dateline_forms(
    text: str, place: str, date: str | None, value: str | None, agency: str | None, extent: str | None
) -> None:
    got = parts(text, find_dateline(text, PUBLISHED))
    assert got is not None
    assert got["place"] == place
    assert got["date"] == date
    assert got["value"] == value
    assert got["agency"] == agency
    if extent is not None:
        assert got["extent"] == extent


def test_mixed_case_extent_includes_dash() -> None:
    text = "Oporto, Portugal, June 4 — Shopkeepers counted."
    got = parts(text, find_dateline(text, PUBLISHED))
    assert got is not None and got["extent"] == "Oporto, Portugal, June 4 —"


def test_dateline_after_headline_paragraph() -> None:
    text = "Storm Floods Harbour Town.\n\nOPORTO, Portugal, June 4. Shopkeepers counted their losses."
    record = find_dateline(text, PUBLISHED)
    assert record is not None and record.place == (28, 34)
    assert text[28:34] == "OPORTO"


def test_dateline_on_second_line_without_blank_line() -> None:
    text = "Storm floods harbour town\nLIMA (EFE) - Rescue teams arrived."
    got = parts(text, find_dateline(text, None))
    assert got is not None
    assert (got["place"], got["agency"], got["extent"]) == ("LIMA", "EFE", "LIMA (EFE) -")


def test_year_unknown_without_published_date() -> None:
    text = "OTTAWA, June 3 (Reuters) - Lawmakers passed the budget."
    record = find_dateline(text, None)
    assert record is not None and record.value == "XXXX-06-03"


def test_weekday_without_published_date_has_no_value() -> None:
    text = "PARIS, Tuesday — The strike ended."
    record = find_dateline(text, None)
    assert record is not None and record.value is None and record.date == (7, 14)


def test_year_closest_to_published_date() -> None:
    text = "OSLO, December 30 — The fjord froze."
    record = find_dateline(text, dt.date(2025, 1, 2))
    assert record is not None and record.value == "2024-12-30"


@pytest.mark.parametrize(
    "text",
    [
        "WASHINGTON is bracing for another budget fight.",
        "The White House said on Monday that talks would resume.",
        "NEW: Officials confirmed the closure.",
        "EXCLUSIVE — The senator told this website he would run.",
        "BREAKING — Markets fell sharply.",
        "TRUMP WINS — CLINTON CONCEDES",
        "MARKETS RALLY AS RATES FALL",
        "Maria Lopes — mayor, teacher and runner — opened the fair.",
        "On Monday, June 3. That was the day it began.",
        "ABSTRACT.",
        "Lawmakers met on June 4.\n\nThey will meet again.\n\nLONDON (Reuters) - Third paragraph.",
        "London, Portugal — a town with a familiar name.",
        "",
        "   \n\n   ",
        "(",
        "LONDON (Reuters - an unbalanced credit",
        "LONDON (Reuters) -",
    ],
)
def test_no_false_datelines(text: str) -> None:
    assert find_dateline(text, PUBLISHED) is None


def test_never_after_a_body_paragraph() -> None:
    # The second paragraph may hold the dateline only when the first is headline-sized.
    text = "Rain fell. " * 50 + "\n\nBERLIN -- The coalition met again."
    assert find_dateline(text, PUBLISHED) is None
    short = "Rain fell.\n\nBERLIN -- The coalition met again."
    assert find_dateline(short, PUBLISHED) is not None


# ----------------------------------------------------------------------------- _dates


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("June 4", DateParts(month=6, day=4)),
        ("4 June", DateParts(month=6, day=4)),
        ("Jun. 4", DateParts(month=6, day=4)),
        ("Sept. 26", DateParts(month=9, day=26)),
        ("June 4, 2024", DateParts(month=6, day=4, year=2024)),
        ("4 June 2024", DateParts(month=6, day=4, year=2024)),
        ("Tuesday", DateParts(weekday=1)),
        ("Tuesday, June 4", DateParts(month=6, day=4, weekday=1)),
        ("JUNE 4", DateParts(month=6, day=4)),
    ],
)
def test_parse_date(text: str, expected: DateParts) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", ["", "June", "may 4", "Junes 4", "4", "yesterday"])
def test_parse_date_rejects(text: str) -> None:
    assert parse_date(text) is None


@pytest.mark.parametrize(
    ("month", "day", "year", "anchor", "expected"),
    [
        (6, 4, None, dt.date(2024, 6, 4), "2024-06-04"),
        (12, 30, None, dt.date(2025, 1, 2), "2024-12-30"),
        (1, 3, None, dt.date(2024, 12, 29), "2025-01-03"),
        (6, 30, None, dt.date(2024, 6, 4), "2024-06-30"),
        (6, 4, None, None, "XXXX-06-04"),
        (2, 29, None, None, "XXXX-02-29"),
        (2, 29, None, dt.date(2025, 3, 1), "2024-02-29"),
        (6, 4, 2019, dt.date(2024, 6, 4), "2019-06-04"),
        (6, 31, None, dt.date(2024, 6, 4), None),
        (6, 31, None, None, None),
        (2, 30, 2024, None, None),
    ],
)
def test_resolve_month_day(
    month: int, day: int, year: int | None, anchor: dt.date | None, expected: str | None
) -> None:
    assert resolve_month_day(month, day, year, anchor) == expected


def test_resolve_weekday() -> None:
    tuesday = dt.date(2024, 6, 4)
    assert resolve_weekday(1, tuesday) == "2024-06-04"  # the day itself counts
    assert resolve_weekday(0, tuesday) == "2024-06-03"
    assert resolve_weekday(2, tuesday) == "2024-05-29"  # never after the anchor
    assert resolve_weekday(1, None) is None


def test_normalise_text() -> None:
    assert normalise_text("Tuesday, June 4", None) == "XXXX-06-04"
    assert normalise_text("not a date", PUBLISHED) is None


# ----------------------------------------------------------------------------- as a spaCy component


@pytest.fixture(scope="module")
def blank_nlp() -> Language:
    nlp = spacy.blank("en")
    nlp.add_pipe("sayso_dateline")
    return nlp


def test_component_declares_what_it_assigns(blank_nlp: Language) -> None:
    assert blank_nlp.get_pipe_meta("sayso_dateline").assigns == ["doc._.sayso_dateline"]


def test_component_uses_published_date(blank_nlp: Language) -> None:
    doc = blank_nlp.make_doc("OSLO, December 30 — The fjord froze.")
    doc._.sayso_published = dt.datetime(2025, 1, 2, 8, 30)
    record = blank_nlp(doc)._.sayso_dateline
    assert isinstance(record, DatelineRecord)
    assert record.value == "2024-12-30" and record.place == (0, 4)


@pytest.mark.parametrize("text", ["", " ", "\n\n\n", "((((", "—", "A" * 50_000, "KYIV —\n\n—\n"])
def test_component_never_raises(blank_nlp: Language, text: str) -> None:
    doc = blank_nlp(text)
    assert doc._.sayso_dateline is None
