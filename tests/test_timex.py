"""sayso_timex and the calendar helpers it adds to sayso.components._dates. All texts are written here."""

from __future__ import annotations

import datetime as dt
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest
import spacy
from spacy.language import Language

from sayso.components import _dates as cal
from sayso.components import timex  # registers the factory
from sayso.components._common import DatelineRecord, TimeRecord
from sayso.settings import MODEL

PUBLISHED = dt.date(2024, 6, 4)  # a Tuesday
EVAL_FILE = Path(__file__).resolve().parents[1] / "eval" / "timex.py"


def times(text: str, anchor: dt.date | None = PUBLISHED) -> list[tuple[str, str, str | None]]:
    """(text, type, value) of every time found, in order."""
    return [(text[r.span[0] : r.span[1]], r.type, r.value) for r in timex.find_times(text, anchor)]


def one(text: str, anchor: dt.date | None = PUBLISHED) -> tuple[str, str, str | None]:
    found = times(text, anchor)
    assert len(found) == 1, found
    return found[0]


@pytest.fixture(scope="module")
def parsed_nlp() -> Language:
    """The base model with the component: the parse places months and weekdays by tense."""
    nlp = spacy.load(MODEL.value())
    nlp.add_pipe("sayso_timex")
    return nlp


@pytest.fixture()
def blank_nlp() -> Language:
    nlp = spacy.blank("en")
    nlp.add_pipe("sayso_dateline")
    nlp.add_pipe("sayso_timex")
    return nlp


# ------------------------------------------------------------------------------------- full dates


@pytest.mark.parametrize(
    ("text", "span", "value"),
    [
        ("The law was signed on 3 November 2019 in the capital.", "3 November 2019", "2019-11-03"),
        ("The law was signed on November 3, 2019, in the capital.", "November 3, 2019", "2019-11-03"),
        ("The law was signed on 03.11.2019 in the capital.", "03.11.2019", "2019-11-03"),
        ("The law was signed on 2019-11-03 in the capital.", "2019-11-03", "2019-11-03"),
        ("The law was signed on 11/3/2019 in the capital.", "11/3/2019", "2019-11-03"),
        ("The law was signed on Nov. 3, 2019.", "Nov. 3, 2019", "2019-11-03"),
        ("The law was signed on Sunday, Nov. 3, 2019.", "Sunday, Nov. 3, 2019", "2019-11-03"),
        ("The law was signed on the 3rd of November 2019.", "the 3rd of November 2019", "2019-11-03"),
        ("Prices fell in March 2021 and rose later.", "March 2021", "2021-03"),
    ],
)
def test_full_dates_in_every_order(text: str, span: str, value: str) -> None:
    assert one(text) == (span, "DATE", value)


def test_impossible_dates_are_not_invented() -> None:
    values = [value for _, _, value in times("It was filed on February 30, 2023 and on 31.13.2023.")]
    assert not any(v and ("-02-30" in v or "-13-" in v) for v in values), values


# ---------------------------------------------------------------------------------- partial dates


def test_partial_dates_take_the_year_closest_to_the_anchor() -> None:
    assert one("Funds must be released before June 30.") == ("June 30", "DATE", "2024-06-30")
    assert one("The vote was held on December 30.", dt.date(2025, 1, 2)) == (
        "December 30",
        "DATE",
        "2024-12-30",
    )


def test_no_year_is_invented_without_an_anchor() -> None:
    assert one("Funds must be released before June 30.", None) == ("June 30", "DATE", "XXXX-06-30")
    assert one("Sales rose last year.", None) == ("last year", "DATE", "XXXX")
    assert one("The storm hit yesterday.", None) == ("yesterday", "DATE", "XXXX-XX-XX")
    assert one("They met last week.", None) == ("last week", "DATE", "XXXX-WXX")
    assert one("The mayor spoke on Tuesday.", None) == ("Tuesday", "DATE", None)
    assert one("The mayor will speak at 3 p.m.", None) == ("3 p.m.", "TIME", "XXXX-XX-XXT15:00")


def test_never_todays_date_without_an_anchor() -> None:
    text = "Yesterday the council met; today it voted, and next month it will meet again. Now it waits."
    today = dt.date.today()
    for _, _, value in times(text, None):
        assert value is None or (today.isoformat()[:7] not in value and str(today.year) not in value)


# ------------------------------------------------------------------------------------------ ranges


@pytest.mark.parametrize(
    ("text", "span", "value"),
    [
        (
            "The floods struck from May 12 through May 15, 2024, and then eased.",
            "May 12 through May 15, 2024",
            "2024-05-12/2024-05-15",
        ),
        ("The fair runs May 12-15, 2024 in the park.", "May 12-15, 2024", "2024-05-12/2024-05-15"),
        ("The fair runs 12-15 May 2024 in the park.", "12-15 May 2024", "2024-05-12/2024-05-15"),
        ("Sales slumped in March-April 2019 across the region.", "March-April 2019", "2019-03/2019-04"),
        ("The dam was built in 1990-1995 by the state.", "1990-1995", "1990/1995"),
        ("The dam was built from 1990 to 1995 by the state.", "1990 to 1995", "1990/1995"),
        ("Prices rose between 2001 and 2004.", "2001 and 2004", "2001/2004"),
        ("Work ran from Dec. 28 to Jan. 3 in the hills.", "Dec. 28 to Jan. 3", "2023-12-28/2024-01-03"),
    ],
)
def test_ranges_are_one_interval(text: str, span: str, value: str) -> None:
    assert one(text) == (span, "DATE", value)


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        (
            "The floods struck from May 12 through May 15, 2024, and then eased.",
            [("May 12", "2024-05-12"), ("May 15, 2024", "2024-05-15")],
        ),
        ("The fair runs 12-15 May 2024 in the park.", [("12", "2024-05-12"), ("15 May 2024", "2024-05-15")]),
        (
            "Sales slumped in March-April 2019 across the region.",
            [("March", "2019-03"), ("April 2019", "2019-04")],
        ),
        ("Prices rose between 2001 and 2004.", [("2001", "2001"), ("2004", "2004")]),
    ],
)
def test_a_range_carries_its_two_ends(text: str, parts: list[tuple[str, str]]) -> None:
    (record,) = timex.find_times(text, dt.date(2024, 6, 4))
    assert record.parts is not None
    assert [(text[a:b], v) for a, b, v in record.parts] == parts


def test_a_single_date_has_no_parts() -> None:
    (record,) = timex.find_times("It opened on 3 November 2019.", dt.date(2024, 6, 4))
    assert record.parts is None


def test_and_without_between_is_no_range() -> None:
    assert times("Earnings will fall in both 2025 and 2026.") == [
        ("2025", "DATE", "2025"),
        ("2026", "DATE", "2026"),
    ]


# ---------------------------------------------------------------- years, months, decades, seasons


@pytest.mark.parametrize(
    ("text", "span", "value"),
    [
        ("The works were to be finished by 2022.", "2022", "2022"),
        ("The company was founded in fiscal 1998.", "fiscal 1998", "1998"),
        ("Housing boomed in the 1990s and crashed later.", "the 1990s", "199"),
        ("Housing boomed in the early '80s.", "the early '80s", "198"),
        ("The abbey dates from the 12th century.", "the 12th century", "11"),
        ("Tourism peaked last summer.", "last summer", "2023-SU"),
        ("Tourism peaked in the spring of 2019.", "the spring of 2019", "2019-SP"),
        ("Output grew in the third quarter.", "the third quarter", "2024-Q3"),
        ("Output grew in the first half of 2022.", "the first half of 2022", "2022-H1"),
        ("The budget is due early next year.", "early next year", "2025"),
        ("Prices rose at the end of 2021.", "the end of 2021", "2021"),
        ("The harvest came in mid-November.", "mid-November", "2024-11"),
        ("Shops close on Christmas Day.", "Christmas Day", "2023-12-25"),
    ],
)
def test_years_months_decades_seasons(text: str, span: str, value: str) -> None:
    assert one(text) == (span, "DATE", value)


def test_counts_are_not_years() -> None:
    assert times("The plant employs 1,990 people and 2500 contractors; it cost $2022.") == []
    assert times("A 45-year-old man and a six-year-old girl were hurt; she is 52 years old.") == []


def test_may_the_verb_and_names_are_not_months() -> None:
    assert times("Officials said it May rain. Theresa May spoke. March Madness began.") == []
    assert one("The plant opened in May.") == ("May", "DATE", "2024-05")


# ------------------------------------------------------------------------------ relative dates


@pytest.mark.parametrize(
    ("text", "span", "type_", "value"),
    [
        ("The storm hit yesterday.", "yesterday", "DATE", "2024-06-03"),
        ("The storm hits tomorrow.", "tomorrow", "DATE", "2024-06-05"),
        ("They met last week.", "last week", "DATE", "2024-W22"),
        ("They meet next month.", "next month", "DATE", "2024-07"),
        ("They met last month.", "last month", "DATE", "2024-05"),
        ("It closed two years ago.", "two years ago", "DATE", "2022"),
        ("It closed about six weeks ago.", "about six weeks ago", "DATE", "2024-W17"),
        ("It closed 10 days ago.", "10 days ago", "DATE", "2024-05-25"),
        ("It closed last Friday.", "last Friday", "DATE", "2024-05-31"),
        ("It opens next Monday.", "next Monday", "DATE", "2024-06-10"),
        ("It opened last November.", "last November", "DATE", "2023-11"),
        ("Rates are high now.", "now", "DATE", "PRESENT_REF"),
        ("Rates fell recently.", "recently", "DATE", "PAST_REF"),
        ("Rates will fall in the near future.", "the near future", "DATE", "FUTURE_REF"),
        ("The vote is tonight.", "tonight", "TIME", "2024-06-04TNI"),
        ("The vote was this morning.", "this morning", "TIME", "2024-06-04TMO"),
        ("The shop was raided last night.", "last night", "TIME", "2024-06-03TNI"),
    ],
)
def test_relative_dates_anchor_to_the_document_date(text: str, span: str, type_: str, value: str) -> None:
    assert one(text) == (span, type_, value)


def test_weekday_alone_is_the_latest_on_or_before_the_anchor() -> None:
    assert one("Civil protection told reporters on Tuesday that roads were shut.") == (
        "Tuesday",
        "DATE",
        "2024-06-04",
    )
    assert one("The minister resigned on Friday.") == ("Friday", "DATE", "2024-05-31")


# --------------------------------------------------------------------------- durations and sets


@pytest.mark.parametrize(
    ("text", "span", "value"),
    [
        ("He ran the agency for three years.", "three years", "P3Y"),
        ("The works will take six months.", "six months", "P6M"),
        ("The trial lasted 2 1/2 years.", "2 1/2 years", "P2Y6M"),
        ("Sales fell over the past two weeks.", "the past two weeks", "P2W"),
        ("The strike lasted nearly three days.", "nearly three days", "P3D"),
        ("Repairs took a minute and a half.", "a minute and a half", "PT1M30S"),
        ("They bought 10-year bonds.", "10-year", "P10Y"),
        ("The talks went on for several months.", "several months", "PXM"),
        ("The talks went on for a decade.", "a decade", "P10Y"),
        ("He waited for hours.", "hours", "PTXH"),
        ("The worst floods in half a century.", "half a century", "P50Y"),
        ("The vote took half an hour.", "half an hour", "PT30M"),
    ],
)
def test_durations(text: str, span: str, value: str) -> None:
    assert one(text) == (span, "DURATION", value)


@pytest.mark.parametrize(
    ("text", "span", "value"),
    [
        ("The festival is held every year.", "every year", "P1Y"),
        ("The ferry sails every two weeks.", "every two weeks", "P2W"),
        ("The paper is printed daily.", "daily", "P1D"),
        ("Tickets cost $5 a month.", "a month", "P1M"),
        ("The club meets on Tuesdays.", "Tuesdays", "XXXX-WXX-2"),
        ("The market opens every Saturday.", "every Saturday", "XXXX-WXX-6"),
    ],
)
def test_sets(text: str, span: str, value: str) -> None:
    assert one(text) == (span, "SET", value)


# -------------------------------------------------------------------------------- times of day


@pytest.mark.parametrize(
    ("text", "span", "value"),
    [
        ("The council meets at 3 p.m.", "3 p.m.", "2024-06-04T15:00"),
        ("The council meets at 10:30 a.m. on Friday.", "10:30 a.m. on Friday", "2024-05-31T10:30"),
        ("The council met at 9 p.m. EST Monday.", "9 p.m. EST Monday", "2024-06-03T21:00"),
        ("The council met Monday at 9 p.m.", "Monday at 9 p.m.", "2024-06-03T21:00"),
        ("Polls close at midnight.", "midnight", "2024-06-04T24:00"),
        ("The blast came early Friday morning.", "early Friday morning", "2024-05-31TMO"),
    ],
)
def test_times_of_day(text: str, span: str, value: str) -> None:
    assert one(text) == (span, "TIME", value)


# ------------------------------------------------------------------------------ quarters (finance)


def test_a_year_ago_is_the_reported_quarter_a_year_earlier() -> None:
    text = "Net income rose 8% in the third quarter from a year ago, and the year-earlier period was weak."
    assert times(text, dt.date(2024, 10, 25)) == [
        ("the third quarter", "DATE", "2024-Q3"),
        ("a year ago", "DATE", "2023-Q3"),
        ("the year-earlier period", "DATE", "2023-Q3"),
    ]


def test_a_year_ago_after_a_longer_period_is_the_year() -> None:
    text = "Profit rose in the third quarter. For the first nine months, net fell from a year earlier."
    assert times(text, dt.date(2024, 10, 25))[-1] == ("a year earlier", "DATE", "2023")


def test_a_year_ago_without_a_quarter_is_the_year() -> None:
    assert one("The mine closed a year ago.") == ("a year ago", "DATE", "2023")


@pytest.mark.parametrize(
    "text",
    [
        "The bakery chain lost $3 million in the year ended March 31.",
        "Revenue for the fiscal year ending June 30 is expected to rise.",
        "Profit fell in the year to September 30 at the brewer.",
    ],
)
def test_a_year_named_by_its_end_is_a_length(text: str) -> None:
    assert times(text)[0][1:] == ("DURATION", "P1Y")


def test_the_year_alone_is_the_anchor_year() -> None:
    assert one("Sales for the year rose 4%.") == ("the year", "DATE", "2024")


def test_the_fourth_quarter_early_in_a_year_is_the_one_just_ended() -> None:
    assert one("The toy maker reported a loss for the fourth quarter.", dt.date(2024, 2, 10)) == (
        "the fourth quarter",
        "DATE",
        "2023-Q4",
    )
    assert one("The toy maker expects a loss for the fourth quarter.", dt.date(2024, 5, 10)) == (
        "the fourth quarter",
        "DATE",
        "2024-Q4",
    )


def test_the_following_year_counts_from_the_story_time() -> None:
    text = "She joined the board in 2011, and the following year she became its chair."
    assert times(text) == [("2011", "DATE", "2011"), ("the following year", "DATE", "2012")]
    text = "The club was sold in March. The following month, the coach resigned."
    assert times(text)[1] == ("The following month", "DATE", "2024-04")
    assert one("Shares rose the following year.") == ("the following year", "DATE", "2025")


def test_a_second_before_a_noun_is_an_ordinal() -> None:
    assert times("A second bidder joined the auction.") == []
    assert one("The light flickered for a second and went out.") == ("a second", "DURATION", "PT1S")


def test_a_quoted_title_is_no_time() -> None:
    assert times('The minister spoke on the programme "This Week" about the strike.') == []
    assert one("The minister will speak this week.") == ("this week", "DATE", "2024-W23")


def test_effective_dates_are_ahead() -> None:
    assert one("The new tariff takes hold effective March 1, the ministry said.", dt.date(2024, 10, 20)) == (
        "March 1",
        "DATE",
        "2025-03-01",
    )


def test_the_same_period_a_year_back() -> None:
    text = "Profit rose in the third quarter from the corresponding period last year."
    assert times(text, dt.date(2024, 10, 25))[1] == ("the corresponding period last year", "DATE", "2023-Q3")


@pytest.mark.parametrize(
    ("text", "span", "value"),
    [
        ("The storm hit in January nineteen ninety-seven.", "January nineteen ninety-seven", "1997-01"),
        ("It froze in the winter of nineteen ninety-four.", "the winter of nineteen ninety-four", "1994-WI"),
        ("The vote is this coming Sunday, June ninth.", "this coming Sunday, June ninth", "2024-06-09"),
        ("She was born on May twenty-first, 1990.", "May twenty-first, 1990", "1990-05-21"),
    ],
)
def test_spoken_dates(text: str, span: str, value: str) -> None:
    assert one(text) == (span, "DATE", value)


def test_a_part_of_the_day_with_a_modifier() -> None:
    assert one("The fire started mid-afternoon yesterday.") == (
        "mid-afternoon yesterday",
        "TIME",
        "2024-06-03TAF",
    )
    assert one("Police arrived in the late evening.") == ("late evening", "TIME", "2024-06-04TEV")
    assert times("Stocks slid in late afternoon trading.") == []


@pytest.mark.parametrize(
    ("text", "span"),
    [
        ("The bank posted a third-quarter loss.", "third-quarter"),
        ("He signed a two-year contract with the club.", "two-year"),
        ("They began a five year plan at once.", "five year"),
        ("The firm said its fourth quarter was weak.", "fourth quarter"),
        ("The mayor served his two terms over eight years.", "eight years"),
        ("Prices may rise for a month or so.", "a month or so"),
        ("Sunday's vote was close.", "Sunday"),
        ("Yesterday's storm felled trees.", "Yesterday"),
    ],
)
def test_timeml_extents(text: str, span: str) -> None:
    assert one(text)[0] == span


def test_a_count_of_years_is_not_a_year() -> None:
    assert all(value != "2000" for _, _, value in times("The faith has endured for two thousand years."))
    assert one("The town was founded in two thousand and five.") == ("two thousand and five", "DATE", "2005")


def test_start_words_find_what_a_full_scan_finds() -> None:
    """The fast pass tries rules only at START_WORDS; it must find exactly what trying everywhere does."""
    text = (
        "From May 12 through May 15, 2024, and in the 1990s, the '80s and mid-1996, sales fell 8% in the "
        "third quarter from a year ago. Every Saturday, on Tuesdays and twice a week at 3 p.m. EST, for "
        "several months, half an hour, two-year terms, recent years, Christmas Eve, the end of the year, "
        "Q3 2019, FY 2020, nineteen ninety-six, the year-earlier period, this week, right now, tonight, "
        "a day-long hearing by year-end, Easter week, the weeks ahead, the then-current price."
    )
    full = timex._scan(text, timex._Context(text, None, PUBLISHED), range(len(text)))
    fast = timex._scan(text, timex._Context(text, None, PUBLISHED), timex._starts(text))
    assert [(c.start, c.end, c.value) for c in fast] == [(c.start, c.end, c.value) for c in full]
    assert len(fast) > 20


# ----------------------------------------------------------------------------- the component


def test_component_declares_what_it_assigns(blank_nlp: Language) -> None:
    meta = blank_nlp.get_pipe_meta("sayso_timex")
    assert meta.assigns == ["doc._.sayso_times"]
    assert blank_nlp.get_pipe_config("sayso_timex")["use_entities"] is False


def test_component_uses_published_date(blank_nlp: Language) -> None:
    doc = blank_nlp.make_doc("The council met yesterday.")
    doc._.sayso_published = PUBLISHED
    doc = blank_nlp(doc)
    assert doc._.sayso_times == [TimeRecord(span=(16, 25), type="DATE", value="2024-06-03")]


def test_component_accepts_a_datetime_as_published(blank_nlp: Language) -> None:
    doc = blank_nlp.make_doc("The council met yesterday.")
    doc._.sayso_published = dt.datetime(2024, 6, 4, 18, 30)
    assert blank_nlp(doc)._.sayso_times[0].value == "2024-06-03"


def test_component_falls_back_on_a_dateline_with_a_year(blank_nlp: Language) -> None:
    text = "OPORTO, Portugal, June 4, 2024 — The council met on Tuesday and again yesterday."
    doc = blank_nlp(text)
    assert isinstance(doc._.sayso_dateline, DatelineRecord)
    values = {text[r.span[0] : r.span[1]]: r.value for r in doc._.sayso_times}
    assert values["Tuesday"] == "2024-06-04"
    assert values["yesterday"] == "2024-06-03"


def test_component_without_any_anchor(blank_nlp: Language) -> None:
    doc = blank_nlp("OPORTO, Portugal, June 4 — The council met on Tuesday.")
    values = [r.value for r in doc._.sayso_times]
    assert values == ["XXXX-06-04", None]


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "\x00\x01",
        "99:99 p.m. 31/31/2020",
        "9" * 5000,
        "May May May",
        "the 1990s-2000s – – —",
        "a" * 3,
    ],
)
def test_component_never_raises(blank_nlp: Language, text: str) -> None:
    doc = blank_nlp(text)
    for record in doc._.sayso_times:
        assert 0 <= record.span[0] < record.span[1] <= len(text)


def test_entity_candidates_are_optional() -> None:
    nlp = spacy.blank("en")
    nlp.add_pipe("sayso_timex", config={"use_entities": True})
    doc = nlp.make_doc("It rained all day.")
    doc.ents = [doc.char_span(0, 2, label="DATE")]  # type: ignore[list-item]
    assert nlp(doc)._.sayso_times == [TimeRecord(span=(0, 2), type="DATE", value=None)]


# --------------------------------------------------------------------------- tense (needs a parse)


def test_tense_places_a_month_named_alone(parsed_nlp: Language) -> None:
    def month(text: str) -> str | None:
        doc = parsed_nlp.make_doc(text)
        doc._.sayso_published = dt.date(2024, 3, 10)
        value: str | None = next(r.value for r in parsed_nlp(doc)._.sayso_times)
        return value

    assert month("The plant closed in August.") == "2023-08"
    assert month("The plant will reopen in August.") == "2024-08"


# -------------------------------------------------------------------------------- calendar helpers


def test_number_values() -> None:
    assert cal.number_value("twenty-four") == 24
    assert cal.number_value("2 1/2") == 2.5
    assert cal.number_value("a couple of") == 2
    assert cal.number_value("a hundred") == 100
    assert cal.number_value("several") is None


def test_duration_values() -> None:
    assert cal.duration_value(3, "Y") == "P3Y"
    assert cal.duration_value(1.5, "TH") == "PT1H30M"
    assert cal.duration_value(0.5, "D") == "PT12H"
    assert cal.duration_value(None, "W") == "PXW"


def test_calendar_helpers() -> None:
    assert cal.easter(2024) == dt.date(2024, 3, 31)
    assert cal.easter(2025) == dt.date(2025, 4, 20)
    assert cal.nth_weekday(2024, 11, 3, 4) == dt.date(2024, 11, 28)  # Thanksgiving
    assert cal.nth_weekday(2024, 5, 0, -1) == dt.date(2024, 5, 27)  # Memorial Day
    assert cal.week_value(dt.date(2024, 6, 4)) == "2024-W23"
    assert cal.resolve_month(1, dt.date(2024, 10, 25)) == "2025-01"
    assert cal.resolve_month(8, dt.date(2024, 3, 10), "past") == "2023-08"
    assert cal.shift_weekday(4, PUBLISHED, -1) == dt.date(2024, 5, 31)
    assert cal.shift_weekday(1, PUBLISHED, 1) == dt.date(2024, 6, 11)


# ------------------------------------------------------- anchoring, periods and extents (issue 4)


def test_weekday_in_a_planned_clause_is_the_coming_one(parsed_nlp: Language) -> None:
    def weekday(text: str) -> str | None:
        doc = parsed_nlp.make_doc(text)
        doc._.sayso_published = dt.date(2024, 6, 6)  # a Thursday
        value: str | None = next(r.value for r in parsed_nlp(doc)._.sayso_times)
        return value

    assert weekday("The sale is scheduled to close Monday.") == "2024-06-10"
    assert weekday("Trading in the shares is to resume Tuesday.") == "2024-06-11"
    assert weekday("The union has scheduled a strike vote Monday.") == "2024-06-10"
    assert weekday("Protesters are planning to march on Monday.") == "2024-06-10"
    assert weekday("Shares are likely to open lower Monday.") == "2024-06-10"
    assert weekday("The plant is due to reopen Monday.") == "2024-06-10"
    # a plan told in the past, and plain past clauses, keep the past day
    assert weekday("The sale had been scheduled to close Monday.") == "2024-06-03"
    assert weekday("Workers set Monday as the deadline.") == "2024-06-03"
    assert weekday("The board met Monday.") == "2024-06-03"


def test_clock_time_takes_the_day_after_its_parenthesis() -> None:
    found = times("The blast came at 10:35 a.m. (0735 GMT) Monday, police said.")
    assert found == [("10:35 a.m.", "TIME", "2024-06-03T10:35"), ("Monday", "DATE", "2024-06-03")]
    (clock, _, first), (_, _, second) = times("He will leave at 4 in the morning (4 a.m. EDT Thursday).")
    assert clock == "4 in the morning"
    assert first is not None and second is not None and first[:10] == second[:10] != PUBLISHED.isoformat()
    # without a parenthesis the clock time stays on the anchor's day
    assert times("It ended at 10:35 a.m. Police came Monday.")[0] == (
        "10:35 a.m.",
        "TIME",
        "2024-06-04T10:35",
    )


def test_the_year_period_is_the_reported_quarter_of_that_year() -> None:
    text = "Acme posted third-quarter net income of $5 million. In the 2023 period, it earned $4 million."
    assert times(text, dt.date(2024, 11, 1))[-1] == ("the 2023 period", "DATE", "2023-Q3")
    # no quarter named: the year alone
    assert times("In the 2023 period, it earned $4 million.", dt.date(2024, 11, 1)) == [
        ("2023", "DATE", "2023")
    ]


def test_a_quarter_described_in_passing_is_not_the_reported_one() -> None:
    text = (
        "Acme reported third-quarter profit of $5 million. After a weak second quarter, sales recovered. "
        "Profit in the year-earlier period was $4 million."
    )
    assert times(text, dt.date(2024, 10, 30))[-1] == ("the year-earlier period", "DATE", "2023-Q3")
    # the article of "a third-quarter loss" is the loss's: that quarter is still the reported one
    text = "Acme posted a third-quarter loss of $5 million, compared with a profit a year earlier."
    assert times(text, dt.date(2024, 10, 30))[-1] == ("a year earlier", "DATE", "2023-Q3")


def test_quarter_and_half_followed_by_a_year_back() -> None:
    assert times("Profit rose from the quarter a year ago.") == [
        ("the quarter a year ago", "DATE", "2023-Q1")
    ]
    assert one("Sales fell in the third quarter last year.") == (
        "the third quarter last year",
        "DATE",
        "2023-Q3",
    )
    assert one("Sales fell in the first half last year.") == ("the first half last year", "DATE", "2023-H1")


def test_that_quarter_is_the_last_one_named() -> None:
    text = "Acme had a loss in the third quarter. Results for that quarter included a charge."
    assert times(text, dt.date(2024, 11, 1))[-1] == ("that quarter", "DATE", "2024-Q3")
    assert times("Results for that quarter were weak.") == []


def test_day_before_a_day_and_week_of_a_date() -> None:
    assert one("The hearing is set for the week of March 6.", dt.date(2024, 2, 20)) == (
        "the week of March 6",
        "DATE",
        "2024-W10",
    )
    assert one("It happened the day before last Tuesday.", dt.date(2024, 6, 6)) == (
        "the day before last Tuesday",
        "DATE",
        "2024-06-03",
    )
    assert one("They met the day after June 12, 2023.") == (
        "the day after June 12, 2023",
        "DATE",
        "2023-06-13",
    )


def test_the_previous_weekday_counts_from_the_day_last_named() -> None:
    found = times("Shares closed higher Friday, up 2% from the previous Friday.")
    assert found == [("Friday", "DATE", "2024-05-31"), ("the previous Friday", "DATE", "2024-05-24")]
    # no day named before: from the anchor
    assert one("Shares are up 2% from the previous Friday.") == ("the previous Friday", "DATE", "2024-05-31")


def test_the_units_ahead_are_a_vague_duration() -> None:
    assert times("Prices may fall in the weeks ahead and for years to come.") == [
        ("the weeks ahead", "DURATION", "PXW"),
        ("years to come", "DURATION", "PXY"),
    ]
    assert times("He read the days of the week aloud.") == []


def test_year_end_after_a_preposition() -> None:
    assert times("The deal should close by year-end. Shares are up 8% since year end.") == [
        ("year-end", "DATE", "2024"),
        ("year end", "DATE", "2023"),
    ]
    assert one("Approval is expected before year's end.") == ("year's end", "DATE", "2024")
    assert times("Year-end bonuses were cut.") == []


def test_the_past_decade_is_a_length_of_time() -> None:
    assert times("Prices doubled over the past decade, the past century and the last decade.") == [
        ("the past decade", "DURATION", "P10Y"),
        ("the past century", "DURATION", "P100Y"),
        ("the last decade", "DATE", "201"),
    ]


def test_a_part_of_a_period_takes_the_period() -> None:
    assert one("Sales grew in the last half of the '80s.") == ("the last half of the '80s", "DATE", "198")
    assert one("Sales grew in the first half of 2023.") == ("the first half of 2023", "DATE", "2023-H1")


def test_holiday_week_and_weekend() -> None:
    assert one("Crowds gathered during Easter week.") == ("Easter week", "DATE", "2024-W13")
    assert one("Crowds gathered over the Easter weekend.")[1:] == ("DATE", "2024-W13-WE")


def test_then_current_is_a_past_present() -> None:
    assert one("They bought at the then-current price.") == ("then-current", "DATE", "PAST_REF")
    assert one("They bought at the then current price.") == ("then current", "DATE", "PAST_REF")
    assert one("They bought at the current price.") == ("current", "DATE", "PRESENT_REF")


def test_vague_quarters_of_something_are_a_duration() -> None:
    assert times("It returned to profit after several quarters of losses.") == [
        ("several quarters", "DURATION", "PXQ")
    ]
    assert times("He won three quarters of the vote.") == []


def test_unit_long_modifiers_are_durations() -> None:
    assert times("After a day-long meeting, the decades-long dispute ended.") == [
        ("day-long", "DURATION", "P1D"),
        ("decades-long", "DURATION", "PXY"),
    ]
    assert times("They faced months-long waits and an hour-long show.") == [
        ("months-long", "DURATION", "PXM"),
        ("hour-long", "DURATION", "PT1H"),
    ]
    assert one("A 90-minute-long film.")[1:] == ("DURATION", "PT90M")


# ----------------------------------------------------------------------------------- the scorer


@pytest.fixture(scope="module")
def et() -> ModuleType:
    """eval/ is a folder of scripts, not a package: load the scorer by path."""
    spec = importlib.util.spec_from_file_location("sayso_eval_timex", EVAL_FILE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_scorer_reads_timeml_and_scores_like_tempeval(et: ModuleType, tmp_path: Path) -> None:
    tml = (
        '<?xml version="1.0" ?>\n<TimeML>\n<DOCID>x</DOCID>\n'
        '<DCT><TIMEX3 tid="t0" type="DATE" value="2024-06-04" functionInDocument="CREATION_TIME">'
        '20240604</TIMEX3></DCT>\n<TEXT>\nPrices rose <TIMEX3 tid="t1" type="DATE" value="2024-06-03">'
        'yesterday</TIMEX3> &amp; fell <TIMEX3 tid="t2" type="DATE" value="2024-W22">last week</TIMEX3>.\n'
        "</TEXT>\n</TimeML>\n"
    )
    path = tmp_path / "x.tml"
    path.write_text(tml, encoding="utf-8")
    doc = et.load_tml(path)
    assert doc.dct == dt.date(2024, 6, 4)
    assert [(doc.text[s:e], v) for s, e, _, v in doc.gold] == [
        ("yesterday", "2024-06-03"),
        ("last week", "2024-W22"),
    ]
    counts = et.Counts()
    start = doc.text.index("fell")
    counts.add(
        doc, [(doc.gold[0][0], doc.gold[0][1], "DATE", "2024-06-03"), (start, start + 9, "DATE", "2024-W21")]
    )
    m = counts.metrics()
    assert m["strict_f1"] == pytest.approx(0.5)
    assert m["relaxed_f1"] == pytest.approx(1.0)
    assert m["value_accuracy"] == pytest.approx(0.5)
    assert m["value_f1"] == pytest.approx(0.5)


VALUE_F1_FLOOR = 0.825  # just under the 0.830 eval/timex.py reaches; raise it when the rules improve


@pytest.mark.data
def test_tempeval3_value_f1_floor(et: ModuleType, shared_data: Path) -> None:
    if not (shared_data / "tempeval3" / "TBAQ-cleaned").is_dir():
        pytest.skip("TempEval-3 TBAQ-cleaned not in the data folder")
    result = et.evaluate(shared_data, systems=("sayso",))
    metrics = result["systems"]["sayso"]["metrics"]
    assert metrics["value_f1"] >= VALUE_F1_FLOOR, metrics
    assert metrics["relaxed_f1"] >= 0.92, metrics
