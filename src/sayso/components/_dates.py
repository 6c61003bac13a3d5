"""Calendar words and the normalisation of partial dates ("June 4", "Tuesday") to TIMEX3 values.

Shared by the dateline component and meant for a later TIMEX component, so it knows nothing about
spaCy: it parses date *text* and resolves it against an anchor date (the article's published date).

Why the rules are what they are:

* News dates rarely carry a year ("June 4"). sayso never invents one: with no anchor the year stays
  unknown (``XXXX-06-04``, TIMEX3's notation for an unspecified year).
* With an anchor, the year chosen is the one that puts the date *closest* to the anchor, ties going to
  the earlier date. News mostly reports the recent past, so "December 30" in a story published on
  2025-01-02 means 2024-12-30; the closest rule also keeps "June 30" in a story of 2024-06-04 in 2024.
* A weekday alone ("Tuesday") means the most recent such day on or before the anchor (the day itself
  counts); without an anchor it cannot be placed, so its value is ``None``.
* Impossible dates ("June 31") get ``None`` rather than a value nobody can use.

Month and weekday names are accepted in Title case or ALL CAPS only (wire datelines use both), never
in lower case, so that "may" the verb is not read as a month.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

MONTHS: dict[str, int] = {
    "january": 1,
    "february": 2,
    "march": 3,
    "april": 4,
    "may": 5,
    "june": 6,
    "july": 7,
    "august": 8,
    "september": 9,
    "october": 10,
    "november": 11,
    "december": 12,
    # Abbreviations as wire style writes them ("Sept. 26", "Jun. 4"); "May" has none.
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "sept": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}

WEEKDAYS: dict[str, int] = {
    "monday": 0,
    "tuesday": 1,
    "wednesday": 2,
    "thursday": 3,
    "friday": 4,
    "saturday": 5,
    "sunday": 6,
}


def _alternatives(words: dict[str, int]) -> str:
    """Title-case and upper-case spellings, longest first so "Sept" wins over "Sep"."""
    names = sorted(words, key=len, reverse=True)
    return "|".join(f"{w.capitalize()}|{w.upper()}" for w in names)


MONTH_PATTERN = rf"(?:{_alternatives(MONTHS)})\.?"
"""A month name or abbreviation with its optional period ("June", "Jun.", "SEPT.")."""

WEEKDAY_PATTERN = rf"(?:{_alternatives(WEEKDAYS)})"
"""A weekday name ("Tuesday", "TUESDAY")."""

DAY_PATTERN = r"(?:3[01]|[12]\d|0?[1-9])(?:st|nd|rd|th)?"
"""A day of the month, with an optional ordinal suffix ("4", "04", "4th")."""

YEAR_PATTERN = r"(?:1[6-9]|2\d)\d\d"
"""A four-digit year (1600-2999: wide enough for history, narrow enough to skip other numbers)."""

DATE_PATTERN = (
    rf"(?:(?:{WEEKDAY_PATTERN}),?[ \t]+)?"
    rf"(?:(?:{MONTH_PATTERN})[ \t]+{DAY_PATTERN}(?:,?[ \t]+{YEAR_PATTERN})?"
    rf"|{DAY_PATTERN}[ \t]+(?:{MONTH_PATTERN})(?:,?[ \t]+{YEAR_PATTERN})?)\b"
    rf"|(?:{WEEKDAY_PATTERN})\b"
)
"""One calendar date as datelines write it: "June 4", "4 June", "Jun. 4", "June 4, 2024",
"Tuesday", "Tuesday, June 4". On one line (spaces and tabs only), no surrounding anchors."""

_PARTS = re.compile(
    rf"^(?:(?P<weekday>{WEEKDAY_PATTERN}),?\s*)?"
    rf"(?:(?P<month>{MONTH_PATTERN})\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+(?P<year>\d{{4}}))?"
    rf"|(?P<day2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<month2>{MONTH_PATTERN})(?:,?\s+(?P<year2>\d{{4}}))?)?$"
)


@dataclass(frozen=True)
class DateParts:
    """What a date text says, field by field; ``None`` where the text does not say it."""

    month: int | None = None
    day: int | None = None
    year: int | None = None
    weekday: int | None = None  # Monday == 0, as in :meth:`datetime.date.weekday`


def month_number(word: str) -> int | None:
    """1-12 for a month name or abbreviation (any case, trailing period allowed), else ``None``."""
    return MONTHS.get(word.rstrip(".").lower())


def weekday_number(word: str) -> int | None:
    """0 (Monday) to 6 (Sunday) for a weekday name, else ``None``."""
    return WEEKDAYS.get(word.lower())


def parse_date(text: str) -> DateParts | None:
    """Split a date text matched by :data:`DATE_PATTERN` into its parts; ``None`` if it is not one."""
    match = _PARTS.match(text.strip())
    if match is None:
        return None
    groups = match.groupdict()
    month_word = groups["month"] or groups["month2"]
    day_text = groups["day"] or groups["day2"]
    year_text = groups["year"] or groups["year2"]
    weekday = weekday_number(groups["weekday"]) if groups["weekday"] else None
    if month_word is None and weekday is None:
        return None
    return DateParts(
        month=month_number(month_word) if month_word else None,
        day=int(day_text) if day_text else None,
        year=int(year_text) if year_text else None,
        weekday=weekday,
    )


def _valid(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def valid_date(year: int, month: int, day: int) -> dt.date | None:
    """The date, or ``None`` where it does not exist (June 31)."""
    return _valid(year, month, day)


def resolve_month_day(month: int, day: int, year: int | None, anchor: dt.date | None) -> str | None:
    """TIMEX3 value of a month and day: its own year, else the year closest to ``anchor``, else ``XXXX``.

    ``None`` when the date cannot exist (June 31; February 29 of a year without it).
    """
    if year is not None:
        date = _valid(year, month, day)
        return date.isoformat() if date else None
    if anchor is None:
        # 2000 is a leap year, so February 29 stays possible when the year is unknown.
        return f"XXXX-{month:02d}-{day:02d}" if _valid(2000, month, day) else None
    candidates = [
        date for y in (anchor.year - 1, anchor.year, anchor.year + 1) if (date := _valid(y, month, day))
    ]
    if not candidates:
        return None
    # Closest to the anchor; on a tie the earlier date (news reports the past more than the future).
    best = min(candidates, key=lambda d: (abs((d - anchor).days), d))
    return best.isoformat()


def resolve_weekday(weekday: int, anchor: dt.date | None) -> str | None:
    """The most recent ``weekday`` on or before ``anchor`` (ISO date), or ``None`` without an anchor."""
    if anchor is None:
        return None
    return (anchor - dt.timedelta(days=(anchor.weekday() - weekday) % 7)).isoformat()


def normalise(parts: DateParts, anchor: dt.date | None) -> str | None:
    """TIMEX3 value of parsed date parts against ``anchor`` (see the module docstring for the rules)."""
    if parts.month is not None and parts.day is not None:
        return resolve_month_day(parts.month, parts.day, parts.year, anchor)
    if parts.weekday is not None:
        return resolve_weekday(parts.weekday, anchor)
    return None


def normalise_text(text: str, anchor: dt.date | None) -> str | None:
    """Convenience: :func:`parse_date` then :func:`normalise`; ``None`` for text that is not a date."""
    parts = parse_date(text)
    return normalise(parts, anchor) if parts is not None else None


# ------------------------------------------------------------------------------------------------------
# Calendar arithmetic for the TIMEX component (sayso.components.timex). Everything below returns TIMEX3
# value strings at the granularity the text speaks in: a day "2024-06-04", a month "2024-06", an ISO week
# "2024-W23", a quarter "2024-Q2", a half "2024-H1", a season "2024-SU", a year "2024", a decade "202",
# a century "20". Without an anchor the digits that would need one are X's ("XXXX-06", "XXXX-WXX").

SEASONS: dict[str, str] = {"spring": "SP", "summer": "SU", "fall": "FA", "autumn": "FA", "winter": "WI"}
"""Season words to TIMEX3 season codes."""

NUMBER_WORDS: dict[str, int] = {
    "zero": 0,
    "one": 1,
    "a": 1,
    "an": 1,
    "single": 1,
    "two": 2,
    "both": 2,
    "couple": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "dozen": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
    "hundred": 100,
    "thousand": 1000,
}
"""Cardinal words (and the determiners that count as one) for durations such as "two years"."""

VAGUE_NUMBERS: frozenset[str] = frozenset({"few", "several", "many", "some", "numerous", "multiple"})
"""Quantity words that say "more than one" without a number: "several years" is TIMEX3 ``PXY``."""

ORDINALS: dict[str, int] = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
    "tenth": 10,
    "eleventh": 11,
    "twelfth": 12,
    "thirteenth": 13,
    "fourteenth": 14,
    "fifteenth": 15,
    "sixteenth": 16,
    "seventeenth": 17,
    "eighteenth": 18,
    "nineteenth": 19,
    "twentieth": 20,
    "twenty-first": 21,
}
"""Ordinal words ("third quarter", "twentieth century")."""

_NUMBER_TOKEN = re.compile(r"[a-z]+|\d+/\d+|\d+(?:\.\d+)?")


def number_value(text: str) -> float | None:
    """The number a duration's count says: "two" 2, "twenty-four" 24, "2 1/2" 2.5, "a couple of" 2,
    "a year and a half" (count part "a ... and a half") 1.5; ``None`` for a vague count ("several")."""
    words = _NUMBER_TOKEN.findall(text.lower().replace(",", ""))
    if any(w not in ("a", "an") and (w in NUMBER_WORDS or w[0].isdigit() or w == "half") for w in words):
        words = [w for w in words if w not in ("a", "an")]  # "a couple of", "a hundred", "two and a half"
    total = 0.0
    current = 0.0
    seen = False
    for word in words:
        if word in VAGUE_NUMBERS:
            return None
        if "/" in word:
            num, den = word.split("/")
            if float(den) == 0:
                return None
            current += float(num) / float(den)
            seen = True
        elif word[0].isdigit():
            current += float(word)
            seen = True
        elif word == "half":
            current += 0.5
            seen = True
        elif word in ("hundred", "thousand"):
            current = max(current, 1.0) * NUMBER_WORDS[word]
            if word == "thousand":
                total += current
                current = 0.0
            seen = True
        elif word in NUMBER_WORDS:
            current += NUMBER_WORDS[word]
            seen = True
    return total + current if seen else None


def add_months(year: int, month: int, delta: int) -> tuple[int, int]:
    """(year, month) ``delta`` months after ``year``-``month`` (negative goes back)."""
    index = year * 12 + (month - 1) + delta
    return index // 12, index % 12 + 1


def add_years(date: dt.date, years: int) -> dt.date:
    """``date`` moved by whole years; February 29 becomes February 28 in a common year."""
    try:
        return date.replace(year=date.year + years)
    except ValueError:
        return date.replace(year=date.year + years, day=28)


def week_value(date: dt.date) -> str:
    """TIMEX3 value of the ISO week containing ``date``: "2024-W23"."""
    year, week, _ = date.isocalendar()
    return f"{year}-W{week:02d}"


def quarter_of(date: dt.date) -> int:
    """1-4: the calendar quarter of ``date``."""
    return (date.month - 1) // 3 + 1


def season_of(month: int) -> str:
    """The TIMEX3 season code of a month (northern hemisphere, meteorological seasons)."""
    return ("WI", "WI", "SP", "SP", "SP", "SU", "SU", "SU", "FA", "FA", "FA", "WI")[month - 1]


def month_value(year: int | None, month: int) -> str:
    """ "2024-06", or "XXXX-06" when the year is unknown."""
    return f"{year:04d}-{month:02d}" if year is not None else f"XXXX-{month:02d}"


TENSE_MARGIN_MONTHS = 1
"""A month this close to the anchor's stays the closest one whatever the tense (see TENSE_MARGIN_DAYS)."""


def resolve_month(month: int, anchor: dt.date | None, tense: str | None = None) -> str:
    """TIMEX3 value of a month named without a year ("in April").

    The tense of the clause decides where there is one: in a past clause the month is the latest such
    month not after the anchor's month, in a future clause the next one not before it. In any other
    clause it is the one closest to the anchor (ties to the earlier), as for :func:`resolve_month_day`:
    "January" in a story of October 2024 is January 2025. Without an anchor the year stays unknown.
    """
    if anchor is None:
        return month_value(None, month)
    here = anchor.year * 12 + anchor.month
    year = min((anchor.year + d for d in (-1, 0, 1)), key=lambda y: (abs(y * 12 + month - here), y))
    distance = year * 12 + month - here
    if abs(distance) > TENSE_MARGIN_MONTHS:
        if tense == "past" and distance > 0:
            year -= 1
        elif tense == "future" and distance < 0:
            year += 1
    return month_value(year, month)


TENSE_MARGIN_DAYS = 90
"""A date this close to the anchor stays where the closest-year rule puts it whatever the tense: news
reports soon-due dates in past-tense clauses ("said it will pay the dividend Dec. 7")."""


def resolve_month_day_tensed(
    month: int, day: int, anchor: dt.date | None, tense: str | None = None
) -> str | None:
    """:func:`resolve_month_day` without a year, then moved by a year where the closest date contradicts
    the tense: "March 31" in "sold it on March 31" in a story of October is the past March."""
    value = resolve_month_day(month, day, None, anchor)
    if value is None or anchor is None or tense is None:
        return value
    date = dt.date.fromisoformat(value)
    if abs((date - anchor).days) <= TENSE_MARGIN_DAYS:
        return value
    if tense == "past" and date > anchor:
        moved = _valid(date.year - 1, month, day)
    elif tense == "future" and date < anchor:
        moved = _valid(date.year + 1, month, day)
    else:
        return value
    return moved.isoformat() if moved else value


def resolve_weekday_tensed(weekday: int, anchor: dt.date | None, tense: str | None = None) -> str | None:
    """A weekday named alone: on or after the anchor in a future clause, else the latest on or before it
    (:func:`resolve_weekday`, news reports the recent past); ``None`` without an anchor."""
    if anchor is None:
        return None
    if tense == "future":
        return (anchor + dt.timedelta(days=(weekday - anchor.weekday()) % 7)).isoformat()
    if tense in (None, "present"):
        ahead = (weekday - anchor.weekday()) % 7
        return (anchor + dt.timedelta(days=ahead if ahead <= 1 else ahead - 7)).isoformat()
    return resolve_weekday(weekday, anchor)


def shift_weekday(weekday: int, anchor: dt.date, direction: int) -> dt.date:
    """ "last Friday" (``direction`` -1: the latest strictly before the anchor) or "next Friday" (+1: the
    first strictly after it)."""
    if direction < 0:
        return anchor - dt.timedelta(days=(anchor.weekday() - weekday - 1) % 7 + 1)
    return anchor + dt.timedelta(days=(weekday - anchor.weekday() - 1) % 7 + 1)


def easter(year: int) -> dt.date:
    """Western Easter Sunday (the anonymous Gregorian algorithm)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    weekday_shift = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * weekday_shift) // 451
    month, day = divmod(h + weekday_shift - 7 * m + 114, 31)
    return dt.date(year, month, day + 1)


def nth_weekday(year: int, month: int, weekday: int, n: int) -> dt.date | None:
    """The ``n``-th ``weekday`` of a month (``n`` = -1: the last one): US holidays are written so."""
    if n > 0:
        first = dt.date(year, month, 1)
        day = first + dt.timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))
        return day if day.month == month else None
    following = dt.date(*add_months(year, month, 1), 1)
    last = following - dt.timedelta(days=1)
    return last - dt.timedelta(days=(last.weekday() - weekday) % 7)


def closest_year(make: Callable[[int], dt.date | None], anchor: dt.date) -> dt.date | None:
    """The date ``make(year)`` closest to ``anchor`` over the anchor's year and its neighbours (ties to
    the earlier), as :func:`resolve_month_day` chooses the year of "June 4"."""
    candidates = [d for y in (anchor.year - 1, anchor.year, anchor.year + 1) if (d := make(y)) is not None]
    if not candidates:
        return None
    return min(candidates, key=lambda d: (abs((d - anchor).days), d))


def duration_value(count: float | None, unit: str) -> str:
    """TIMEX3 duration: ``duration_value(3, "Y")`` "P3Y", ``(2.5, "Y")`` "P2Y6M", ``(None, "W")`` "PXW",
    ``(1.5, "TH")`` "PT1H30M". ``unit`` is one of Y M W D Q and TH TM TS (hours, minutes, seconds);
    decades and centuries come in as years."""
    time = unit.startswith("T")
    letter = unit[-1]
    prefix = "PT" if time else "P"
    if count is None:
        return f"{prefix}X{letter}"
    whole = int(count)
    rest = count - whole
    if rest < 1e-9:
        return f"{prefix}{whole}{letter}"
    smaller = {"Y": ("M", 12), "M": ("D", 30), "W": ("D", 7), "D": ("TH", 24), "TH": ("TM", 60)}
    smaller.update({"TM": ("TS", 60), "Q": ("M", 3)})
    if unit not in smaller:
        return f"{prefix}{count:g}{letter}"
    small_unit, factor = smaller[unit]
    part = round(rest * factor)
    head = f"{whole}{letter}" if whole else ""
    if small_unit.startswith("T") and not time:
        return f"P{head}T{part}{small_unit[-1]}"
    return f"{prefix}{head}{part}{small_unit[-1]}"
