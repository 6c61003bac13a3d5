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
