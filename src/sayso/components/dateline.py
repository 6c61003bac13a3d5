"""``sayso_dateline``: finds the dateline opening a wire story and normalises its date.

A dateline is where and when a story was filed, sometimes with the agency that filed it::

    FARO, Portugal, June 4. Residents' associations ...
    LONDON (Reuters) - ...
    WASHINGTON, June 4 (Reuters) — ...
    HEMPSTEAD, N.Y., Sept. 26 (UPI) — ...
    KYIV — ...            BERLIN -- ...           NEW YORK, N.Y. — ...

Why it is a regular expression over the first lines and not a parse: a dateline is typographic, not
grammatical (the parser reads "FARO, Portugal, June 4." as a sentence about Faro), it can only be at
the very start of the story, and a regex over a few hundred characters costs nothing next to the parse.

Where it looks: at the start of the first two lines and the first two paragraphs (blank-line
separated) only, because many texts carry a headline first (PolNeAR: headline, blank line, body).
Never mid-text.

When it fires (each rule keeps a common false positive out):

* PLACE is ALL CAPS ("FARO", "NEW YORK", "ST. LOUIS"), optionally followed by regions ("Portugal",
  "N.Y.", "Puerto Rico"), an optional DATE (see :mod:`sayso.components._dates`) and an optional
  "(Agency)". It must end in a dash, or in a period right after a date, or (for a well-known agency
  only) directly after "(Agency)" — so "WASHINGTON is ..." and all-caps headlines without that shape
  never match.
* A mixed-case PLACE ("Faro, Portugal, June 4 —") needs a month-and-day date or an agency: a capitalised
  phrase before a dash is far more often a name ("Mehmet Oz — Ivy League-trained surgeon ...").
* A bare "WORD —" with no date, agency or region must not be a kicker such as "EXCLUSIVE —" or
  "BREAKING —" (:data:`KICKERS`).
* The text after the dateline must read as a sentence (have lower-case letters soon), so all-caps
  headlines such as "TRUMP WINS — CLINTON CONCEDES" are not datelines.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

from spacy.language import Language
from spacy.tokens import Doc

from sayso.components._common import DatelineRecord, text_of
from sayso.components._dates import (
    DATE_PATTERN,
    MONTH_PATTERN,
    MONTHS,
    WEEKDAY_PATTERN,
    WEEKDAYS,
    normalise,
    parse_date,
)

# Agencies that credit themselves in datelines. Matched case-insensitively inside the parentheses; an
# unknown but name-like credit ("(Iberia Press)") is accepted too when a dash follows.
KNOWN_DATELINE_AGENCIES: frozenset[str] = frozenset(
    {
        "reuters",
        "ap",
        "afp",
        "dpa",
        "upi",
        "efe",
        "ansa",
        "xinhua",
        "tass",
        "itar-tass",
        "ria novosti",
        "interfax",
        "kyodo",
        "yonhap",
        "pti",
        "ians",
        "anadolu",
        "bloomberg",
        "cnn",
        "bbc",
        "apa",
        "belga",
        "ntb",
        "tt",
        "ritzau",
        "ctk",
        "pap",
        "mti",
        "hina",
        "bna",
        "wam",
        "spa",
        "irna",
        "mena",
        "cp",
        "aap",
        "ap photo",
    }
)

# Words that open a story in capitals before a dash but are labels, not places.
KICKERS: frozenset[str] = frozenset(
    {
        "exclusive",
        "breaking",
        "breaking news",
        "update",
        "updated",
        "updates",
        "new",
        "news",
        "watch",
        "video",
        "photos",
        "live",
        "analysis",
        "opinion",
        "editorial",
        "commentary",
        "review",
        "interview",
        "correction",
        "clarification",
        "fact check",
        "factcheck",
        "excerpt",
        "sponsored",
        "alert",
        "urgent",
        "flash",
        "bulletin",
        "developing",
        "the latest",
        "latest",
        "report",
        "poll",
        "letters",
        "abstract",
        "editor's note",
        "note",
        "warning",
        "spoiler",
        "listen",
        "read",
        "more",
        "advertisement",
        "ad",
        "op-ed",
    }
)

# Capitalised words that start ordinary sentences; never a mixed-case place.
_MIXED_STOP: frozenset[str] = frozenset(
    {
        "the",
        "a",
        "an",
        "on",
        "in",
        "at",
        "by",
        "for",
        "from",
        "to",
        "of",
        "and",
        "but",
        "or",
        "as",
        "if",
        "when",
        "while",
        "after",
        "before",
        "since",
        "until",
        "this",
        "that",
        "these",
        "those",
        "it",
        "he",
        "she",
        "we",
        "they",
        "i",
        "you",
        "mr",
        "mrs",
        "ms",
        "dr",
        "last",
        "next",
        "early",
        "late",
        "today",
        "yesterday",
        "tomorrow",
    }
)

_UPPER = "A-ZÀ-ÖØ-Þ"
_LOWER = "a-zß-öø-ÿ"
_CAPS_WORD = rf"[{_UPPER}][{_UPPER}.'’\-]*"
_CAPS_PLACE = rf"{_CAPS_WORD}(?:[ ](?:{_CAPS_WORD}|de|do|da|del|di|la|le|al|el|es|sur|am|an|upon))*"
_MIXED_WORD = rf"[{_UPPER}][{_LOWER}'’\-]+"
_MIXED_PLACE = rf"{_MIXED_WORD}(?:[ ](?:{_MIXED_WORD}|de|do|da|del|di|la|le|al|el|sur|am|upon)){{0,3}}"
_CALENDAR_WORD = rf"(?:{MONTH_PATTERN}|{WEEKDAY_PATTERN})\b"
# A region after the place: "Portugal", "Va.", "Puerto Rico", "N.Y.", "D.C.", "PORTUGAL"; never a date.
_REGION = (
    rf"(?!{_CALENDAR_WORD})"
    rf"(?:[{_UPPER}][{_LOWER}.'’\-]+(?:[ ][{_UPPER}][\w.'’\-]*){{0,2}}"
    rf"|[{_UPPER}]{{1,3}}\.(?:[{_UPPER}]{{1,3}}\.)*"
    rf"|{_CAPS_WORD}(?:[ ]{_CAPS_WORD}){{0,2}})"
)
_DASH = r"(?:[ \t]*(?:—|–|―|‒|−)[ \t]*|[ \t]+--?[ \t]+|[ \t]*--[ \t]+)"

DATELINE = re.compile(
    rf"""
    (?P<place>{_CAPS_PLACE}|{_MIXED_PLACE})
    (?P<regions>(?:,[ \t]+{_REGION}){{0,2}})
    (?:,[ \t]+(?P<date>{DATE_PATTERN}))?
    (?:[ \t]*\([ \t]*(?P<agency>[A-Za-z][\w&.'’\- ]{{0,40}}?)[ \t]*\))?
    (?P<term>{_DASH}|\.(?=[ \t]+\S)|(?=[ \t]+\S))
    """,
    re.VERBOSE,
)
"""The dateline shape; :func:`find_dateline` then checks the rules the regex cannot express."""

_PARAGRAPH_BREAK = re.compile(r"\n[ \t\r\f\v]*\n\s*")
_SEARCH_LIMIT = 2000  # characters: the first two lines/paragraphs of any sane article start inside this
_MAX_HEADLINE = 400  # characters: a headline (with a subtitle) before the dateline is shorter than this


def _candidate_starts(text: str) -> list[int]:
    """Offsets where a dateline may start: the first line and paragraph, and the second ones when
    what comes before them is headline-sized (a long first paragraph is body text, not a title)."""
    head = text[:_SEARCH_LIMIT]
    starts: list[int] = []
    first = len(head) - len(head.lstrip())
    if first < len(head):
        starts.append(first)
        newline = head.find("\n", first)
        if newline != -1:
            second = newline + 1 + (len(head[newline + 1 :]) - len(head[newline + 1 :].lstrip()))
            if second < len(head) and second - first <= _MAX_HEADLINE:
                starts.append(second)
        paragraph = _PARAGRAPH_BREAK.search(head, first)
        if (
            paragraph is not None
            and paragraph.end() < len(head)
            and paragraph.start() - first <= _MAX_HEADLINE
        ):
            starts.append(paragraph.end())
    return sorted(set(starts))


def _reads_as_sentence(text: str, start: int) -> bool:
    """Whether the text after a dateline looks like running prose (lower case soon), not a headline."""
    line_end = text.find("\n", start)
    rest = text[start : line_end if line_end != -1 else len(text)][:60]
    return any(c.islower() for c in rest)


def _is_caps(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters)


def _check(match: re.Match[str], text: str) -> bool:
    """The rules the dateline regex cannot express (see the module docstring)."""
    place = match.group("place")
    date, agency, regions = match.group("date"), match.group("agency"), match.group("regions")
    term = match.group("term").strip()
    has_dash = term not in ("", ".")
    caps = _is_caps(place)
    words = place.lower().split()
    if sum(c.isalpha() for c in place) < 2 or len(words) > 4:
        return False
    if agency is not None:
        agency_known = agency.strip().lower() in KNOWN_DATELINE_AGENCIES
        name_like = all(w[:1].isupper() or w.lower() in KNOWN_DATELINE_AGENCIES for w in agency.split())
        if not (agency_known or (name_like and len(agency.split()) <= 4)):
            return False
        if not has_dash and not agency_known:
            return False
        if term == "." and date is None:
            return False
    elif term == "":
        return False  # nothing but a space after the place: only a known agency credit may end there
    if term == "." and date is None:
        return False
    if date is not None and parse_date(date) is None:
        return False
    if caps:
        if not (date or agency or regions) and " ".join(words) in KICKERS:
            return False
    else:
        if any(w.strip(".'’") in _MIXED_STOP for w in words):
            return False
        if any(w in MONTHS or w in WEEKDAYS for w in words):
            return False
        month_date = date is not None and (parts := parse_date(date)) is not None and parts.month is not None
        if not (month_date or agency is not None):
            return False
        if not (has_dash or term == "."):
            return False
    return _reads_as_sentence(text, match.end())


def _group_span(match: re.Match[str], group: str) -> tuple[int, int] | None:
    if match.group(group) is None:
        return None
    start, end = match.span(group)
    return (start, end) if end > start else None


def find_dateline(text: str, published: dt.date | None = None) -> DatelineRecord | None:
    """The dateline at the start of ``text`` (first two lines/paragraphs), or ``None``."""
    for start in _candidate_starts(text):
        match = DATELINE.match(text, start)
        if match is None or not _check(match, text):
            continue
        date_span = _group_span(match, "date")
        value = None
        if date_span is not None:
            parts = parse_date(text[date_span[0] : date_span[1]])
            value = normalise(parts, published) if parts is not None else None
        agency_span = _group_span(match, "agency")
        end = match.end("term")
        # The extent ends at the dash or period, not at the space before the body.
        while end > start and text[end - 1] in " \t":
            end -= 1
        return DatelineRecord(
            place=_group_span(match, "place"),
            date=date_span,
            value=value,
            agency=agency_span,
            extent=(match.start(), end),
        )
    return None


@Language.factory(
    "sayso_dateline",
    assigns=["doc._.sayso_dateline"],
    default_config={},
)
def make_dateline(nlp: Language, name: str) -> Callable[[Doc], Doc]:
    """Build the component: it reads ``text_of(doc)`` and ``doc._.sayso_published`` only (no parse needed)."""

    def sayso_dateline(doc: Doc) -> Doc:
        published = doc._.sayso_published
        if not isinstance(published, dt.date):
            published = None
        elif isinstance(published, dt.datetime):
            published = published.date()
        doc._.sayso_dateline = find_dateline(text_of(doc), published)
        return doc

    return sayso_dateline
