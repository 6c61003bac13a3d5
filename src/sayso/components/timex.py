"""``sayso_timex``: finds time expressions and normalises them to TIMEX3 values (``doc._.sayso_times``).

What it finds (TimeML's TIMEX3 types)::

    DATE      "3 November 2019", "November 3, 2019", "03.11.2019", "2019-11-03", "June 4", "2022",
              "March 1990", "the 1990s" (199), "the third quarter" (2024-Q3), "last summer" (2023-SU),
              "yesterday", "last week" (2024-W22), "two years ago", "on Tuesday", "now" (PRESENT_REF)
              and ranges as one ISO interval: "May 12 through May 15, 2024" (2024-05-12/2024-05-15)
    TIME      "3 p.m." (2024-06-04T15:00), "Friday morning" (2024-05-31TMO), "tonight"
    DURATION  "for three years" (P3Y on "three years"), "six months" (P6M), "the past two weeks" (P2W)
    SET       "every year" (P1Y), "daily" (P1D), "$5 a month" (P1M on "a month"), "on Tuesdays"

How, and why so:

* **One pass over the text with one regular expression** (:data:`MASTER`): an alternation of rules, most
  specific first, tried (anchored) only where a digit or a word of :data:`START_WORDS` begins, so that
  the regex engine never runs through ~30 rules at an ordinary word. Time expressions are a small,
  closed grammar (calendar words, numbers, units, a few modifiers), which rules cover precisely and
  cheaply; TempEval-3's best system, HeidelTime, is rules too. Each rule has a handler that returns the
  type and value or rejects the match (then the later rules get their turn at the same place).
* **The parse is used only where text cannot decide**: the tense of the clause places a month or
  weekday named alone ("in August" in a past clause of a March story is last August, after "will" the
  coming one), and spaCy's entity labels veto bare numbers that look like years but are counts.
  spaCy's own DATE/TIME entities were measured as a further candidate source on TempEval-3
  (``eval/timex.py``): relaxed recall rises (0.951 to 0.972) but precision falls (0.924 to 0.864) and,
  as the rules already normalise whatever they can, value F1 falls (0.802 to 0.766). So they are off
  by default; ``use_entities`` adds the unmatched ones with value ``None``.
* **Tense** was measured too: it helps for a month named alone and for a day far (over 90 days) from the
  anchor, not for nearer days, where the closest date wins; "will" marks the future, while modals and
  bare infinitives did not help and are not used. A plan told in the present ("is scheduled to close
  Monday", "is to resume Tuesday", "has scheduled a vote Thursday") makes a weekday the coming one
  (measured: +3 values on TempEval-3, none lost; counting past plans too, "had been scheduled to close
  Monday", lost as many values as it won).
* **Anchor**: the document creation time is ``doc._.sayso_published``, else the dateline's value when its
  year is known. Relative expressions resolve against it. Without one, sayso never invents a year and
  never uses today's date: the digits that need the anchor become X's, TimeML style ("June 4" is
  ``XXXX-06-04``, "last week" ``XXXX-WXX``), or the value is ``None`` where even the granularity is
  unknown ("on Tuesday").
* **Extents follow TimeML**: the determiner and modifiers belong to the expression ("the past two
  months", "nearly three years", "early next year"), prepositions do not ("for", "in", "on", "from"),
  nor do possessives ("its [fourth quarter]"), a possessive 's ("[Friday]'s vote"), or the determiner
  of a noun the expression modifies ("a [two-year] contract", "a [third-quarter] loss").
* **Periods named by their end or by the story**: "the year ended March 31" is the length of a (fiscal)
  year (``P1Y``), as results are reported for it; "the fourth quarter" in January-March is the one just
  ended; "the following year" and "the previous month" count from the last year or month the text
  named ("in 1995 ... the following year" is 1996), else from the anchor, and "the previous Friday"
  from the last day it named. "The past decade" is the ten years up to the anchor (``P10Y``, as "the
  past two decades" is ``P20Y``), not the previous calendar decade. A part of a period takes the
  period's value ("the last half of the '80s" is 198, TimeML's ``mod`` is not given), "the week of
  March 6" is that ISO week, "the day before last Tuesday" that day; "by year-end" is the anchor's year.
* **Financial quarters**: once an article has named a complete quarter ("the third quarter"), "the
  quarter", "the year-ago quarter" and "a year ago" refer to it or to it a year earlier, as earnings
  reports compare quarters (measured: +0.008 value F1 on TempEval-3); before any, "the quarter" is the
  last complete quarter before the anchor. "That quarter", "the quarter a year ago" and "the 1988 period"
  follow it too. A quarter described in passing ("after a weak second quarter, ...") does not replace it.
* **A clock time and its day**: "10 p.m. Wednesday" is one expression; a clock time whose day follows a
  parenthesis ("at 10:35 a.m. (0735 GMT) Friday") stays its own expression but takes that day.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from importlib import resources

from spacy.language import Language
from spacy.tokens import Doc, Token

from sayso.components import _dates as cal
from sayso.components._common import TimeRecord, text_of

log = logging.getLogger("sayso")

# ---------------------------------------------------------------------------------------------- words


def _ci(words: Iterable[str]) -> str:
    """A case-insensitive alternation, longest first (so that "this past" wins over "this")."""
    alternatives = sorted({w.replace(" ", r"\s+") for w in words}, key=len, reverse=True)
    return "(?i:" + "|".join(alternatives) + ")"


def _title(words: Iterable[str]) -> str:
    """Lower-case, Title-case and UPPER-case spellings of words that are not names ("Today", "TODAY")."""
    forms = {f for w in words for f in (w, w[:1].upper() + w[1:], w.upper())}
    return "(?:" + "|".join(sorted((f.replace(" ", r"\s+") for f in forms), key=len, reverse=True)) + ")"


_FULL_MONTHS = [m for m in cal.MONTHS if len(m) > 4 or m in ("may", "june", "july")]
MONTH = cal.MONTH_PATTERN
MONTH_FULL = "(?:" + "|".join(f"{m.capitalize()}|{m.upper()}" for m in _FULL_MONTHS) + r"|Sept\.)"
WEEKDAY = cal.WEEKDAY_PATTERN
DAY = r"(?:3[01]|[12]\d|0?[1-9])(?:st|nd|rd|th)?(?![\d])"
YEAR = r"(?:1[0-9]\d\d|20\d\d)(?![\d])"

_ONES = ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
_TEENS = ["ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen"]
_TEENS += ["eighteen", "nineteen"]
_TENS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_NUMWORD = (
    rf"(?:{_ci(_TENS)}(?:[- ]{_ci(_ONES)})?|{_ci(_TEENS + _ONES)})(?:\s+hundred)?"
    r"|(?i:a\s+couple\s+of|a\s+couple|couple\s+of|a\s+dozen|dozens\s+of|a\s+few|a\s+hundred|hundreds\s+of"
    r"|several|few|many|some|numerous|multiple)"
)
COUNT = (
    rf"(?:\d{{1,3}}(?:,\d{{3}})+|\d+(?:\.\d+)?(?:\s+\d/\d)?|(?:{_NUMWORD})(?:\s+and\s+a\s+half)?"
    r"|(?i:half\s+an?|an?)(?=[\s-]))"
)
_UNIT_WORDS = (
    "seconds?|minutes?|mins?|hours?|hrs?|days?|weeks?|fortnights?|months?|quarters?|years?|yrs?"
    "|decades?|century|centuries|millennium|millennia"
)
UNIT = rf"(?i:{_UNIT_WORDS})(?![\w])"
_UNIT_CODE: dict[str, tuple[int, str]] = {
    "second": (1, "TS"),
    "minute": (1, "TM"),
    "min": (1, "TM"),
    "hour": (1, "TH"),
    "hr": (1, "TH"),
    "day": (1, "D"),
    "week": (1, "W"),
    "fortnight": (2, "W"),
    "month": (1, "M"),
    "quarter": (1, "Q"),
    "year": (1, "Y"),
    "yr": (1, "Y"),
    "decade": (10, "Y"),
    "century": (100, "Y"),
    "millennium": (1000, "Y"),
}
_SET_ADVERBS: dict[str, str] = {
    "hourly": "PT1H",
    "daily": "P1D",
    "nightly": "P1D",
    "weekly": "P1W",
    "biweekly": "P2W",
    "monthly": "P1M",
    "annually": "P1Y",
    "yearly": "P1Y",
    "biannually": "P6M",
    "semiannually": "P6M",
}
_POD = {"morning": "MO", "afternoon": "AF", "evening": "EV", "night": "NI", "overnight": "NI"}
_MODIFIERS = (
    "about|around|approximately|roughly|nearly|almost|some|under|more than|less than|fewer than"
    "|at least|at most|up to|no more than|not more than|no less than|just over|just under|well over"
    "|barely|only|just|an estimated|the better part of|the entire|an entire|all"
).split("|")
_PRESENT = ["now", "right now", "currently", "presently", "at present", "nowadays", "these days"]
_PRESENT += ["at the moment", "at this moment", "the present", "current", "this time"]
# Measured on TempEval-3: "earlier", "once", "previously", "soon", "shortly" and the adjective "recent"
# are marked as time expressions in a minority of their uses there, and tell a reader little; left out.
_PAST = ["recently", "lately", "the past", "most recently", "more recently", "until recently"]
_PAST += ["the recent past"]
_FUTURE = ["the future", "the near future", "the near term", "the short term", "the long term"]
_FUTURE += ["the foreseeable future", "a later date", "future"]

# -------------------------------------------------------------------------------------------- rules

_CONN = r"(?:\s*[-–—]\s*|\s+(?:to|through|thru|until|till|and)\s+)"
_REL = _ci(["this past", "this coming", "this", "last", "next", "past", "coming", "previous", "following"])
_RELUNIT = _ci(["week", "weekend", "month", "year", "quarter", "decade", "century", "fiscal year", "half"])

_DAY_ORDINALS: dict[str, int] = {w: n for w, n in cal.ORDINALS.items() if n <= 20}
_DAY_ORDINALS.update({f"twenty-{w}": 20 + n for w, n in cal.ORDINALS.items() if n <= 9})
_DAY_ORDINALS.update({"thirtieth": 30, "thirty-first": 31})
"""Days of the month in words, as transcripts write them ("March eighth", "May twenty-first")."""

RULES: list[tuple[str, str]] = [
    # ranges: one ISO interval for the whole expression
    (
        "range_md",
        rf"(?P<m1>{MONTH})\s+(?P<d1>{DAY})(?:,?\s+(?P<y1>{YEAR}))?{_CONN}"
        rf"(?:(?P<m2>{MONTH})\s+)?(?P<d2>{DAY})(?:,?\s+(?P<y2>{YEAR}))?",
    ),
    (
        "range_dm",
        rf"(?P<d1>{DAY})(?:\s+(?P<m1>{MONTH}))?(?:\s+(?P<y1>{YEAR}))?{_CONN}"
        rf"(?P<d2>{DAY})\s+(?P<m2>{MONTH})(?:,?\s+(?P<y2>{YEAR}))?",
    ),
    (
        "range_month",
        rf"(?P<m1>{MONTH_FULL})(?:\s+(?P<y1>{YEAR}))?{_CONN}(?P<m2>{MONTH_FULL})(?:,?\s+(?P<y2>{YEAR}))?",
    ),
    ("range_year", rf"(?P<y1>{YEAR}){_CONN}(?P<y2>{YEAR}|\d\d(?![\d]))"),
    # one calendar date
    (
        "date",
        rf"(?:(?P<wd>{WEEKDAY})(?:,\s*|\s+)(?:the\s+)?)?"
        rf"(?:(?P<m>{MONTH})\s+(?P<d>{DAY})(?:(?:,\s*|\s+)(?P<y>{YEAR})(?!,\d))?"
        rf"|(?:the\s+)?(?P<d2>{DAY})(?:\s+of)?\s+(?P<m2>{MONTH})(?:,?\s+(?P<y2>{YEAR}))?"
        rf"|(?P<m3>{MONTH_FULL})\s+(?:the\s+)?(?P<dw>{_ci(_DAY_ORDINALS)})(?![\w-])(?:,?\s+(?P<y3>{YEAR}))?)"
        r"(?!\w)",
    ),
    (
        "iso",
        r"(?P<y>(?:1[6-9]|20)\d\d)-(?P<m>[01]\d)-(?P<d>[0-3]\d)(?:T(?P<h>[0-2]\d):(?P<mi>[0-5]\d))?(?![\d])",
    ),
    (
        "numeric",
        r"(?P<a>[0-3]?\d)(?P<sep>[./])(?P<b>[0-3]?\d)(?P=sep)(?P<y>(?:1[6-9]|20)\d\d|\d\d)(?![\d]|\.\d)",
    ),
    (
        "monthyear",
        rf"(?P<m>{MONTH})(?:\s+of)?,?\s+(?:(?P<y>{YEAR})|'(?P<y2>\d\d)(?![\d])"
        rf"|(?:of\s+)?(?P<rel>{_ci(['this', 'last', 'next'])})\s+year)",
    ),
    # times of day
    (
        "clock",
        r"(?:(?P<h>[01]?\d)(?:[:.](?P<mi>[0-5]\d))?\s*(?P<ap>(?i:a\.m\.?|p\.m\.?|am|pm)(?![\w]))"
        r"|(?P<h2>[01]?\d|2[0-3]):(?P<mi2>[0-5]\d)(?=\s*(?:GMT|UTC|[A-Z][SD]T|hours?|h\b|local)))"
        r"(?:\s+(?P<tz>GMT|UTC|[A-Z][SD]T)(?![\w]))?",
    ),
    ("noon", rf"{_title(['noon', 'midnight', 'midday'])}(?![\w])"),
    (
        "oclock",
        rf"(?P<h>[01]?\d|{_ci([*_ONES, 'ten', 'eleven', 'twelve'])})(?:\s+o'clock)?\s+in\s+the\s+"
        rf"(?P<pod>(?i:morning|afternoon|evening))",
    ),
    # quarters and halves
    (
        "quarter",
        r"(?:(?P<det>(?i:the|its|their|this\s+year's|last\s+year's|next\s+year's|a|an))\s+)?"
        r"(?:(?P<pyear>(?:19|20)\d\d)(?:'s)?\s+)?"
        r"(?P<adj>(?:(?i:latest|current|previous|prior|past|last|next|coming|same|comparable|corresponding"
        r"|recent|most\s+recent|year-earlier|year-ago|year\s+earlier|fiscal|calendar|flat"
        r"|strong|weak|disappointing|seasonally\s+weak)[\s-]+)*)"
        r"(?:(?P<ord>(?i:first|second|third|fourth|1st|2nd|3rd|4th|final|last))(?:\s+fiscal)?[\s-]+)?"
        r"(?P<unit>(?i:quarter|half))(?:\s+of\s+(?:(?i:fiscal|calendar)\s+)?(?P<year>(?:19|20)\d\d(?![\d])"
        r"|(?i:this\s+year|last\s+year|next\s+year)))?(?![\w-])"
        r"|(?P<qn>[1-4])Q(?P<qy>\d\d)?(?![\w])|Q(?P<qn2>[1-4])(?:\s+(?P<qy2>(?:19|20)\d\d))?(?![\w])",
    ),
    # "the year-earlier period", "year-ago", "the latest period"
    (
        "yearago",
        r"(?:(?P<the>(?i:the|a|its|their))\s+)?(?:(?P<w>(?i:year-earlier|year-ago|year\s+earlier))"
        r"|(?P<adj>(?i:latest|most\s+recent|comparable|corresponding))|(?P<py>(?:19|20)\d\d)(?=\s+(?i:period)\b))"
        r"(?:\s+(?P<noun>(?i:period|nine\s+months|six\s+months|three\s+months)))?(?![\w-])",
    ),
    ("weekend", r"(?P<the>(?i:the))\s+weekend(?![\w-])"),
    # durations and "N units ago"
    (
        "duration",
        rf"(?:(?P<det>(?i:the|its|their|his|her|a|an))\s+)?"
        r"(?:(?P<rel>(?i:past|last|next|first|coming|previous|following|final|latest|remaining|initial"
        r"|ensuing|preceding|same|other|additional|further|extra|subsequent))\s+)?"
        rf"(?P<n>{COUNT})(?:(?:\s+to\s+|\s*-\s*|\s+or\s+)(?P<n2>{COUNT}))?"
        r"(?:\s+(?P<adj>(?i:more|additional|extra|full|straight|consecutive|long|short|trading|business"
        r"|working|calendar|fiscal|school|successive|solid)))?"
        rf"(?P<hy>\s+|-)(?P<u>{UNIT})(?P<half>\s+and\s+a\s+half)?(?P<tail>-old|-long)?(?:\s+(?i:or\s+so)(?![\w]))?"
        r"(?:\s+(?P<ago>(?i:ago|earlier|later|hence|from\s+now|before\s+that|after\s+that))(?![\w]))?",
    ),
    # "a day-long meeting", "a decades-long dispute": a length of time as a modifier, count implied
    ("long", rf"(?P<u>{UNIT})-long(?![\w-])"),
    # "last year", "this month", "the past week", "next weekend", "the end of the year"
    (
        "relunit",
        rf"(?:(?P<the>(?i:the))\s+)?(?P<rel>{_REL}|(?i:current|prior|same|present))\s+(?P<u>{_RELUNIT})"
        r"(?![\w-])",
    ),
    (
        "posunit",
        r"(?P<pos>(?i:(?:the\s+)?(?:end|beginning|start|middle|close|turn|rest|remainder|balance)\s+of))"
        r"\s+the\s+(?P<u>(?i:year|month|week|decade|century|quarter))(?![\w-])",
    ),
    ("yearend", r"(?i:year(?:-|\s+|['’]s\s+)end)(?![\w-])"),
    ("relmonth", rf"(?P<rel>{_REL})\s+(?P<m>{MONTH_FULL})(?![\w])"),
    ("relweekday", rf"(?:(?P<the>(?i:the))\s+)?(?P<rel>{_REL})\s+(?P<wd>{WEEKDAY})(?![\w])"),
    (
        "season",
        rf"(?:(?P<rel>{_REL}|(?i:the|that|early|late|mid|this\s+past))[\s-]+)?"
        r"(?P<s>(?i:spring|summer|fall|autumn|winter))(?!\w)"
        rf"(?:\s+(?:of\s+)?(?P<y>{YEAR})|\s+(?P<rel2>(?i:this|last|next))\s+year)?",
    ),
    # decades and centuries
    (
        "decade",
        r"(?:(?P<the>(?i:the))\s+)?(?:(?P<pre>(?i:early|mid|late))[\s-]+)?"
        r"(?:(?P<c>1[0-9]|20)(?P<d>\d)0['’]?s|['’](?P<d2>\d)0s|(?P<word>(?i:twenties|thirties|forties|fifties"
        r"|sixties|seventies|eighties|nineties)))(?![\w])",
    ),
    (
        "century",
        r"(?:(?P<the>(?i:the))\s+)?(?:(?P<num>\d{1,2})(?:st|nd|rd|th)|(?P<word>(?i:first|second|third"
        r"|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|thirteenth|fourteenth|fifteenth"
        r"|sixteenth|seventeenth|eighteenth|nineteenth|twentieth|twenty-first)))[\s-]+(?i:century)(?![\w])",
    ),
    # holidays (resources/timex_holidays.tsv) are inserted here, see _holiday_rule()
    # days relative to the anchor, parts of days
    (
        "dayword",
        rf"(?P<w>{_title(['the day before yesterday', 'the day after tomorrow', 'today', 'tonight'])}"
        rf"|{_title(['yesterday', 'tomorrow'])})(?![\w])",
    ),
    (
        "pod",
        rf"(?P<rel>{_title(['this', 'tomorrow', 'yesterday', 'last', 'early this', 'late last'])})\s+"
        r"(?P<pod>(?i:morning|afternoon|evening|night))(?![\w])",
    ),
    # "that year": the year the story last named
    ("thatunit", r"(?i:that)\s+(?P<u>(?i:year|month|quarter))(?![\w-])"),
    # "mid-afternoon", "late morning yesterday"
    (
        "podmod",
        r"(?P<mod>(?i:early|late|mid))[\s-]?(?P<pod>(?i:morning|afternoon|evening))"
        rf"(?:\s+(?P<w>{_title(['yesterday', 'today', 'tomorrow'])}))?(?![\w-])",
    ),
    # sets
    (
        "set",
        rf"(?P<ev>(?i:every|each))\s+(?:(?P<other>(?i:other))\s+)?(?:(?P<n>{COUNT})\s+)?"
        rf"(?:(?P<u>{UNIT})|(?P<wd>{WEEKDAY})|(?P<m>{MONTH_FULL})|(?P<pod>(?i:morning|afternoon|evening|night))"
        r"|(?P<we>(?i:weekend)))(?![\w])"
        rf"|(?P<adv>{_title(_SET_ADVERBS)})(?![\w])"
        r"|(?P<per>(?i:per))\s+(?P<u2>(?i:year|month|week|day|hour|minute|quarter|annum))(?![\w])"
        rf"|(?P<wds>{WEEKDAY})s(?![\w])"
        rf"|(?P<times>(?i:once|twice|thrice))\s+(?:(?i:a|an|per|every|each))\s+(?P<u3>{UNIT})",
    ),
    # "for years", "in recent months", "the coming weeks"
    (
        "units",
        r"(?:(?P<rel>(?i:recent|coming|the\s+past|the\s+coming|the\s+last|the\s+next|past|the\s+recent"
        r"|the\s+early|the\s+first|the))\s+)?(?P<u>(?i:years|months|weeks|days|decades|centuries|hours|quarters))"
        r"(?P<ahead>\s+(?i:ahead|to\s+come))?(?![\w])",
    ),
    # general references
    (
        "ref",
        rf"(?P<present>{_title(_PRESENT)})(?![\w])|(?P<past>{_title(_PAST)})(?![\w])"
        rf"|(?P<future>{_title(_FUTURE)})(?![\w])",
    ),
    # years
    (
        "yearword",
        rf"(?:(?i:the\s+year)\s+)?(?P<c>(?i:nineteen|twenty))[\s-]+(?P<yy>{_ci(_TENS)}(?:[\s-]{_ci(_ONES)})?"
        rf"|{_ci(_TEENS + _ONES)})(?![\w-])|(?:(?i:the\s+year)\s+)?(?P<k>(?i:two\s+thousand))"
        rf"(?:\s+(?:and\s+)?(?P<ky>{_ci(_TEENS + _ONES)}))?(?![\w-])",
    ),
    (
        "year",
        r"(?P<pre>(?i:fiscal|calendar|the\s+year|model\s+year|fy)\s*)?(?P<y>(?:1[0-9]|20)\d\d)"
        r"(?:['’]s)?(?![\d%]|[.,]\d|\s*(?:percent|per\s+cent))",
    ),
    # names alone
    ("month", rf"(?P<m>{MONTH_FULL})(?![\w])"),
    ("weekday", rf"(?P<wd>{WEEKDAY})(?![\w])"),
    # "sales for the year": the length of a year, TimeML's reading (last: "the year 1990" is a year)
    ("theyear", r"(?i:the)\s+(?:(?P<adj>(?i:full|fiscal|entire|whole))\s+)?(?i:year)(?![\w-])"),
]


def _holiday_rows() -> list[tuple[str, str]]:
    """(names regex, rule) rows of ``resources/timex_holidays.tsv``."""
    try:
        text = resources.files("sayso.resources").joinpath("timex_holidays.tsv").read_text(encoding="utf-8")
    except (FileNotFoundError, ModuleNotFoundError):
        return []
    rows: list[tuple[str, str]] = []
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        name, _, rule = line.partition("\t")
        rows.append((name.strip(), rule.strip()))
    return rows


_HOLIDAYS = _holiday_rows()
_HOLIDAY_KEYS: dict[str, str] = {}
_HOLIDAY_NAMES: list[str] = []
for _name, _rule in _HOLIDAYS:
    for _alt in _name.split("|"):
        _HOLIDAY_KEYS[re.sub(r"[\s'’]+", " ", _alt.lower()).strip()] = _rule
        _HOLIDAY_NAMES.append(re.escape(_alt).replace(r"\ ", r"\s+").replace("'", "['’]"))
if _HOLIDAY_NAMES:
    RULES.insert(
        next(i for i, (n, _) in enumerate(RULES) if n == "dayword"),
        (
            "holiday",
            rf"(?:(?P<rel>{_ci(['last', 'next', 'this'])})\s+)?"
            rf"(?P<h>{'|'.join(sorted(_HOLIDAY_NAMES, key=len, reverse=True))})(?![\w])",
        ),
    )

_FUTURE_AUX = frozenset({"will", "'ll", "shall", "wo"})
_PLAN_LEMMAS = frozenset({"schedule", "plan", "expect", "intend", "set", "due", "prepare", "aim"})
_PLAN_ADJECTIVES = frozenset({"due", "set", "likely", "ready", "poised", "scheduled", "expected"})

_GROUP = re.compile(r"\(\?P([<=])(\w+)")


def _prefix_groups(name: str, pattern: str) -> str:
    return _GROUP.sub(lambda m: f"(?P{m.group(1)}{name}__{m.group(2)}", pattern)


_WORD_START = r"(?<![\w'’.])"
MASTER = re.compile(
    _WORD_START + "(?:" + "|".join(f"(?P<{n}>{_prefix_groups(n, p)})" for n, p in RULES) + ")"
)
"""All rules in one alternation: one scan of the text finds every candidate (see the module docstring)."""

_ORDER = [n for n, _ in RULES]
_SINGLE = {n: re.compile(f"{_WORD_START}(?P<{n}>{_prefix_groups(n, p)})") for n, p in RULES}
"""Each rule alone, tried in order where an earlier rule's handler rejected its match."""

_TOKEN = re.compile(r"[^\W\d_]+|\d+|['’](?=\d)")
_DIGIT_OR_APOSTROPHE = frozenset("0123456789'’")
START_WORDS: frozenset[str] = frozenset(
    """the a an its their his her this that these last next past coming previous following current prior
    same present recent early late mid fiscal calendar fy model every each per once twice thrice first
    second third fourth final latest remaining initial ensuing preceding other additional further extra
    subsequent most more comparable corresponding year years months weeks days decades centuries hours
    quarters quarter half q end beginning start middle close turn rest remainder balance now right
    currently presently at nowadays recently lately until future today tonight yesterday tomorrow noon
    midnight midday spring summer fall autumn winter couple dozen dozens few hundred hundreds several many
    some numerous multiple half two nineteen twenty flat strong weak disappointing seasonally twenties
    thirties forties fifties sixties seventies eighties nineties midmorning midafternoon""".split()
    + list(cal.MONTHS)
    + [f for w in cal.WEEKDAYS for f in (w, w + "s")]
    + list(cal.NUMBER_WORDS)
    + list(cal.ORDINALS)
    + list(_SET_ADVERBS)
    + [re.split(r"[\s'’.]", n)[0].lower() for names, _ in _HOLIDAYS for n in names.split("|")]
)
"""Every word that can begin a rule (lower case); a test checks that no match starts elsewhere."""

# Modifiers before an expression that belong to its extent (TimeML): checked at the end of the text before.
_DATE_PRE = re.compile(
    r"(?i:(?:(?:the\s+)?(?:very\s+)?(?:early|earlier|late|later|mid|middle)(?:\s+in(?:\s+the)?)?"
    r"|(?:the\s+)?(?:end|beginning|start|middle|close|turn|rest|remainder|first\s+part|latter\s+part"
    r"|(?:first|second|last|latter)\s+half)\s+of"
    r"(?:\s+the)?)(?:\s+|\s*-\s*))$"
)
_DUR_PRE = re.compile(rf"(?:{_ci(_MODIFIERS)})\s+$")
_PREPOSITION_MODIFIER = re.compile(r"(?i:over|under|only|just)\s")
_DETERMINED = re.compile(r"(?i:the|these|those|this|that|his|her|its|their|our|my|your)\s")
""""over a week" is a modifier; "over the past two weeks" a preposition (outside the extent)."""
_POD_AFTER = re.compile(r"\s+(?P<pod>(?i:morning|afternoon|evening|night))(?![\w])")
_DETERMINER = re.compile(r"(?i:(an?|the|its|their|his|her|our|my|your))\s+")
_COUNT_SINGULAR = re.compile(
    rf"(?:\d+|{_ci([*_ONES[1:], *_TEENS, *_TENS])})\s+(?i:second|minute|hour|day|week|month|year|decade)$"
)
""""a five year plan": a count with a singular unit is a modifier, not a length of time."""
_POSSESSIVES = frozenset({"its", "their", "his", "her", "our", "my", "your"})
_MODIFIER_USE = re.compile(r"\s+[a-z]+\b(?<!\bago)(?<!\bearlier)(?<!\blater)")
_SAME_DAY_GAP = re.compile(r",\s*")
_MONTH_YEAR_GAP = re.compile(r",?\s+(?:(?i:of)\s+)?")
_TIME_DATE_GAP = re.compile(r"(?:\s*,\s*|\s+)(?:(?i:on|of)\s+)?")
_DATE_TIME_GAP = re.compile(r"(?:\s*,\s*|\s+)(?:(?i:at)\s+)?")
_SET_BEFORE = re.compile(
    r"(?:\d[\d,.]*(?:\s*(?:%|percent|million|billion|thousand|cents?|dollars?|[a-z]+(?:\s+[a-z]+)?))?"
    rf"|{_ci(_ONES + _TEENS + _TENS + ['dozen', 'hundred', 'thousand'])}(?:\s+[a-z]+(?:\s+[a-z]+)?)?"
    r"|(?i:twice|once|thrice|times))\s*$"
)
_MONTH_CONTEXT = re.compile(
    r"(?i:in|since|by|until|till|from|through|of|during|before|after|between|and|or|to|early|late|mid"
    r"|last|next|this|for|around|that|each|every|on)[\s-]*$"
)
_CAPITALISED_NEXT = re.compile(r"\s+[A-Z][a-z]")
_BARE_UNIT_CONTEXT = re.compile(r"(?i:for|in|over|within|after|ago|took|take|takes|last|lasted|spent)\s+$")


# ------------------------------------------------------------------------------------------ context


@dataclass
class _Context:
    """What the handlers need about the document, computed lazily."""

    text: str
    doc: Doc | None
    anchor: dt.date | None
    ref_quarter: tuple[int, int] | None = None  # (year, quarter): the last complete one named
    ref_time: str | None = None  # the last explicit year, month or day named ("1995", "1995-05-22")
    ref_day: dt.date | None = None  # the last day named, weekdays included ("Friday": 2024-05-31)
    cut: int | None = None  # a handler may end its expression before the end of the match
    _ents: list[tuple[int, int, str]] | None = field(default=None, repr=False)

    def ents(self) -> list[tuple[int, int, str]]:
        if self._ents is None:
            self._ents = (
                [] if self.doc is None else [(e.start_char, e.end_char, e.label_) for e in self.doc.ents]
            )
        return self._ents

    def ent_label(self, start: int, end: int) -> str | None:
        """The label of a spaCy entity overlapping [start, end), if any."""
        for s, e, label in self.ents():
            if s < end and start < e:
                return label
        return None

    def _governing_verb(self, start: int, end: int, modal: bool, through_nouns: bool) -> Token | None:
        """The verb (or, with ``modal``, modal) the parse hangs [start, end) from, at most 6 heads up;
        without ``through_nouns`` the climb stops at a noun above the expression's own root ("a plan
        for Monday" is not governed by the verb above "plan")."""
        doc = self.doc
        if doc is None or not doc.has_annotation("DEP") or not doc.has_annotation("TAG"):
            return None
        span = doc.char_span(start, end, alignment_mode="expand")
        if span is None or len(span) == 0:
            return None
        token = span.root
        for _ in range(6):
            if token.tag_.startswith("VB") or (modal and token.tag_ == "MD"):
                return token
            if token.head is token or (not through_nouns and token.pos_ == "NOUN" and token is not span.root):
                return None
            token = token.head
        return None

    def tense(self, start: int, end: int) -> str | None:
        """The time of the clause around [start, end), from the parse: "past", "future" ("will"),
        "present", or ``None`` (no parse, no verb). Modals, infinitives ("is to resume Monday") and plan
        verbs ("scheduled") were tried as future markers and lowered TempEval-3 value F1."""
        token = self._governing_verb(start, end, modal=True, through_nouns=True)
        if token is None:
            return None
        for child in token.children:
            if child.dep_ in ("aux", "auxpass"):
                lower = child.lower_
                if lower in _FUTURE_AUX:
                    return "future"
                if child.tag_ == "VBD" or lower in ("had", "did", "was", "were"):
                    return "past"
                if lower in ("has", "have", "'ve"):
                    return "past"
        if token.lower_ in _FUTURE_AUX:
            return "future"
        if token.tag_ == "VBD" or (token.tag_ == "VBN" and token.dep_ in ("acl", "relcl")):
            return "past"  # "the year ended March 31", "a record set on Aug. 6"
        if token.tag_ in ("VBZ", "VBP"):
            return "present"
        return None

    def planned(self, start: int, end: int) -> bool:
        """Whether the verb that governs [start, end) tells a plan in the present: "is scheduled to
        close Monday", "is to resume trading Tuesday", "are planning to march on Monday", "has scheduled
        a news conference Thursday", "is likely to open Monday". A weekday named in such a clause is the
        coming one (used for weekdays only; months and dates keep :meth:`tense`)."""
        token = self._governing_verb(start, end, modal=False, through_nouns=False)
        if token is None:
            return False
        if token.lemma_.lower() in _PLAN_LEMMAS:
            return _present(token)
        if token.tag_ == "VB" and any(c.dep_ == "aux" and c.lower_ == "to" for c in token.children):
            head = token.head
            if head is token:
                return False
            if head.lower_ in _PLAN_ADJECTIVES and head.tag_.startswith("JJ"):
                return head.head.tag_ in ("VBZ", "VBP")  # "is likely to open Monday"
            return (head.lemma_.lower() in _PLAN_LEMMAS or head.lemma_ == "be") and _present(head)
        return False

    def note_quarter(self, year: int, quarter: int) -> None:
        """Remember a quarter the text names, if it is over by the anchor date (a reported quarter)."""
        if self.anchor is None or (year, quarter) < (self.anchor.year, cal.quarter_of(self.anchor)):
            self.ref_quarter = (year, quarter)

    def default_quarter(self) -> tuple[int, int] | None:
        """The quarter the article most likely reports: the last one named, else the last complete one."""
        if self.ref_quarter is not None:
            return self.ref_quarter
        if self.anchor is None:
            return None
        quarter = cal.quarter_of(self.anchor) - 1
        return (self.anchor.year, quarter) if quarter else (self.anchor.year - 1, 4)


def _present(verb: Token) -> bool:
    """Whether a verb is in the present ("is scheduled", "has set", "are planning", "is to"), not in a
    past ("had been scheduled", "planned"): a plan told in the past may be over by the anchor date."""
    if verb.tag_ == "VBD":
        return False
    tags = [c.tag_ for c in verb.children if c.dep_ in ("aux", "auxpass")]
    if any(t == "VBD" for t in tags):
        return False
    return verb.tag_ in ("VBZ", "VBP") or any(t in ("VBZ", "VBP") for t in tags) or verb.dep_ == "amod"


Result = tuple[str, str | None] | None
"""What a handler returns: (TIMEX3 type, value) or ``None`` to reject the match."""


@dataclass
class _Candidate:
    start: int
    end: int
    type: str
    value: str | None
    kind: str  # "day" (day-granular date), "clock", "weekday", "dur", "other"
    parts: list[tuple[int, int, str]] | None = None  # a range's two ends: (start, end, value)


# ---------------------------------------------------------------------------------------- helpers


def _year2(text: str, anchor: dt.date | None) -> int:
    """A two-digit year ('98) as the four-digit year closest to the anchor (1900s/2000s without one)."""
    yy = int(text)
    if anchor is None:
        return 2000 + yy if yy < 50 else 1900 + yy
    century = anchor.year // 100 * 100
    return min((century - 100 + yy, century + yy, century + 100 + yy), key=lambda y: abs(y - anchor.year))


def _int(text: str | None) -> int | None:
    """An optional numeric group as a number."""
    return int(text) if text else None


def _day_value(date: dt.date | None) -> str | None:
    return date.isoformat() if date is not None else None


def _unit_of(word: str) -> tuple[int, str]:
    lower = word.lower()
    if lower.startswith("centur"):
        return _UNIT_CODE["century"]
    if lower.startswith("millenni"):
        return _UNIT_CODE["millennium"]
    return _UNIT_CODE.get(lower.rstrip("s"), (1, "Y"))


def _shift(anchor: dt.date | None, count: int, unit: str) -> str:
    """TIMEX3 value of ``anchor`` moved by ``count`` units (negative: back), at the unit's granularity."""
    if unit in ("TS", "TM", "TH"):
        unit = "D"
        count = 0 if abs(count) < 24 else count // 24
    if anchor is None:
        return {"D": "XXXX-XX-XX", "W": "XXXX-WXX", "M": "XXXX-XX", "Q": "XXXX-QX"}.get(unit, "XXXX")
    if unit == "D":
        return (anchor + dt.timedelta(days=count)).isoformat()
    if unit == "W":
        return cal.week_value(anchor + dt.timedelta(weeks=count))
    if unit == "M":
        return cal.month_value(*cal.add_months(anchor.year, anchor.month, count))
    if unit == "Q":
        year, month = cal.add_months(anchor.year, anchor.month, 3 * count)
        return f"{year:04d}-Q{(month - 1) // 3 + 1}"
    return f"{anchor.year + count:04d}"


def _month_day(month: int, day: int, year: int | None, anchor: dt.date | None) -> str | None:
    return cal.resolve_month_day(month, day, year, anchor)


# ---------------------------------------------------------------------------------------- handlers

Groups = Callable[[str], str | None]
Handler = Callable[[Groups, int, int, _Context], Result]


def _range_md(g: Groups, s: int, e: int, ctx: _Context) -> Result:
    return _range_days(g, s, e, ctx)


def _range_dm(g: Groups, s: int, e: int, ctx: _Context) -> Result:
    return _range_days(g, s, e, ctx)


def _needs_between(g: Groups, s: int, ctx: _Context, whole: str) -> bool:
    """ "and" joins a range only after "between"; "to"/"until" only after "from" (or a dash)."""
    before = ctx.text[max(0, s - 10) : s].lower()
    if re.search(r"\sand\s", whole):
        return not before.rstrip().endswith("between")
    return False


def _range_days(g: Groups, s: int, e: int, ctx: _Context) -> Result:
    m1 = cal.month_number(g("m1") or "") or cal.month_number(g("m2") or "")
    m2 = cal.month_number(g("m2") or "") or m1
    d1, d2 = int(re.sub(r"\D", "", g("d1") or "0")), int(re.sub(r"\D", "", g("d2") or "0"))
    if m1 is None or m2 is None or _needs_between(g, s, ctx, ctx.text[s:e]):
        return None
    y2, y1 = _int(g("y2")), _int(g("y1"))
    if y2 is None and y1 is not None:
        y2 = y1
    if y1 is None and y2 is not None:
        y1 = y2 - 1 if (m1, d1) > (m2, d2) else y2
    start = _month_day(m1, d1, y1, ctx.anchor)
    if start is None:
        return None
    if y2 is None and not start.startswith("X"):
        y_start = int(start[:4])
        y2 = y_start + 1 if (m1, d1) > (m2, d2) else y_start
    end = _month_day(m2, d2, y2, ctx.anchor if y2 is None else None)
    if end is None or (not start.startswith("X") and end <= start):
        return None
    return "DATE", f"{start}/{end}"


def _range_month(g: Groups, s: int, e: int, ctx: _Context) -> Result:
    m1, m2 = cal.month_number(g("m1") or ""), cal.month_number(g("m2") or "")
    if m1 is None or m2 is None or _needs_between(g, s, ctx, ctx.text[s:e]):
        return None
    y2 = _int(g("y2"))
    y1 = _int(g("y1")) or (None if y2 is None else (y2 - 1 if m1 > m2 else y2))
    if y1 is None and ctx.anchor is not None:
        y1 = int(cal.resolve_month(m1, ctx.anchor, ctx.tense(s, e))[:4])
    if y2 is None and y1 is not None:
        y2 = y1 + 1 if m1 > m2 else y1
    if y1 is not None and y2 is not None and (y2, m2) <= (y1, m1):
        return None
    if y1 is None and m2 <= m1:
        return None
    return "DATE", f"{cal.month_value(y1, m1)}/{cal.month_value(y2, m2)}"


def _range_year(g: Groups, s: int, e: int, ctx: _Context) -> Result:
    y1_text, y2_text = g("y1") or "", g("y2") or ""
    y1 = int(y1_text)
    y2 = int(y2_text) if len(y2_text) == 4 else y1 // 100 * 100 + int(y2_text)
    whole = ctx.text[s:e]
    dash = re.search(r"\d\s*[-–—]\s*\d", whole) is not None
    before = ctx.text[max(0, s - 10) : s].lower().rstrip()
    if not dash and not before.endswith(("from", "between")):
        return None
    if _needs_between(g, s, ctx, whole) or not (0 < y2 - y1 <= 100) or y1 < 1800:
        return None
    return "DATE", f"{y1}/{y2}"


_EFFECTIVE = re.compile(r"(?i:effective)(?:\s+(?i:as\s+of|on|from))?\s+$")


def _date(g: Groups, s: int, e: int, ctx: _Context) -> Result:
    month = cal.month_number(g("m") or g("m2") or g("m3") or "")
    day_text = g("d") or g("d2") or str(_DAY_ORDINALS.get((g("dw") or "").lower().replace(" ", "-"), ""))
    year_text = g("y") or g("y2") or g("y3")
    if month is None or not day_text:
        return None
    day = int(re.sub(r"\D", "", day_text))
    year = int(year_text) if year_text else None
    if year is None and g("wd") and ctx.anchor is not None:
        # "Friday, Oct. 23": the weekday picks the year when the closest one does not fit.
        weekday = cal.weekday_number(g("wd") or "")
        for y in (ctx.anchor.year, ctx.anchor.year - 1, ctx.anchor.year + 1):
            try:
                if dt.date(y, month, day).weekday() == weekday:
                    return "DATE", dt.date(y, month, day).isoformat()
            except ValueError:
                return None
    value: str | None
    if year is None and ctx.anchor is not None and _EFFECTIVE.search(ctx.text, max(0, s - 24), s):
        # "a new pact effective June 1": a change announced ahead, on the next such day
        date = next(
            (d for y in (0, 1) if (d := cal.valid_date(ctx.anchor.year + y, month, day)) and d >= ctx.anchor),
            None,
        )
        value = _day_value(date)
    elif year is None:
        value = cal.resolve_month_day_tensed(month, day, ctx.anchor, ctx.tense(s, e))
    else:
        value = _month_day(month, day, year, ctx.anchor)
    return ("DATE", value) if value is not None else None


def _iso(g: Groups, s: int, e: int, ctx: _Context) -> Result:
    try:
        date = dt.date(int(g("y") or 0), int(g("m") or 0), int(g("d") or 0))
    except ValueError:
        return None
    if g("h"):
        return "TIME", f"{date.isoformat()}T{g('h')}:{g('mi')}"
    return "DATE", date.isoformat()


def _numeric(g: Groups, s: int, e: int, ctx: _Context) -> Result:
    a, b = int(g("a") or 0), int(g("b") or 0)
    year_text = g("y") or ""
    year = int(year_text) if len(year_text) == 4 else _year2(year_text, ctx.anchor)
    # Dots are European (day.month.year); slashes are American (month/day/year) unless the first is > 12.
    day, month = (a, b) if g("sep") == "." or a > 12 else (b, a)
    try:
        return "DATE", dt.date(year, month, day).isoformat()
    except ValueError:
        return None


def _monthyear(g: Groups, s: int, e: int, ctx: _Context) -> Result:
    month = cal.month_number(g("m") or "")
    if month is None:
        return None
    if g("y"):
        year: int | None = int(g("y") or 0)
    elif g("y2"):
        year = _year2(g("y2") or "0", ctx.anchor)
    else:
        rel = (g("rel") or "").lower()
        year = None if ctx.anchor is None else ctx.anchor.year + {"this": 0, "last": -1, "next": 1}[rel]
    return "DATE", cal.month_value(year, month)


def _clock(g: Groups, s: int, e: int, ctx: _Context) -> Result:
    hour = int(g("h") or g("h2") or 0)
    minute = int(g("mi") or g("mi2") or 0)
    ap = (g("ap") or "").lower()
    if ap:
        if not 1 <= hour <= 12:
            return None
        if ap.startswith("p") and hour != 12:
            hour += 12
        elif ap.startswith("a") and hour == 12:
            hour = 0
    return "TIME", f"{_today(ctx)}T{hour:02d}:{minute:02d}"


def _today(ctx: _Context) -> str:
    return ctx.anchor.isoformat() if ctx.anchor is not None else "XXXX-XX-XX"


def _noon(g: Groups, s: int, e: int, ctx: _Context) -> Result:
    word = ctx.text[s:e].lower()
    return "TIME", f"{_today(ctx)}T{'24:00' if word == 'midnight' else '12:00'}"


def _oclock(g: Groups, s: int, e: int, ctx: _Context) -> Result:
    h = g("h") or ""
    hour = int(h) if h.isdigit() else int(cal.NUMBER_WORDS.get(h.lower(), 0))
    if not 1 <= hour <= 12:
        return None
    pod = (g("pod") or "").lower()
    if pod in ("afternoon", "evening") and hour != 12:
        hour += 12
    return "TIME", f"{_today(ctx)}T{hour:02d}:00"


def _quarter(g: Groups, s: int, e: int, ctx: _Context) -> Result:
    text = ctx.text
    if g("qn") or g("qn2"):
        q = int(g("qn") or g("qn2") or 0)
        yy = g("qy") or g("qy2") or ""
        q_year = (_year2(yy, ctx.anchor) if len(yy) == 2 else int(yy)) if yy else None
        if q_year is None and ctx.anchor is not None:
            q_year = ctx.anchor.year
        if q_year is None:
            return "DATE", f"XXXX-Q{q}"
        ctx.note_quarter(q_year, q)
        return "DATE", f"{q_year:04d}-Q{q}"
    unit = (g("unit") or "").lower()
    det = (g("det") or "").lower()
    adj = " ".join((g("adj") or "").lower().replace("-", " ").split())
    ordinal = (g("ord") or "").lower()
    year_text = (g("year") or "").lower()
    pyear = g("pyear")
    if det in ("a", "an") and not ordinal:
        return None  # "a quarter of the vote"
    if text.startswith(" of", e) and not ordinal and not year_text:
        return None  # "the quarter of ..."
    anchor = ctx.anchor
    if ordinal in ("final", "last"):
        ordinal_n: int | None = 4 if unit == "quarter" else 2
    elif ordinal:
        ordinal_n = cal.ORDINALS.get(ordinal) or int(ordinal[0])
    else:
        ordinal_n = None
    if ordinal_n is not None and ordinal_n > (4 if unit == "quarter" else 2):
        return None
    # The year: an explicit one, a relative one ("last year's"), else the anchor's.
    year: int | None
    if year_text[:2] in ("19", "20"):
        year = int(year_text)
    elif pyear:
        year = int(pyear)
    elif anchor is None:
        year = None
    elif "last year" in year_text or "last year" in det:
        year = anchor.year - 1
    elif "next year" in year_text or "next year" in det:
        year = anchor.year + 1
    else:
        year = anchor.year
        if (
            ordinal
            and unit == "quarter"
            and cal.quarter_of(anchor) == 1
            and ordinal in ("fourth", "4th", "final")
        ):
            year -= 1  # in January-March, "the fourth quarter" is the one just ended (results come then)
    back = 1 if ("year earlier" in adj or "year ago" in adj) else 0
    after = _YEAR_BACK.match(text, e) if not (year_text or pyear or back) else None
    if after is not None:  # "the quarter a year ago", "the first half last year": one expression
        ctx.cut = after.end()
        back = 1
    if unit == "half":
        if ordinal_n is None:
            if not adj or not any(w in adj for w in ("first", "second", "last", "next", "past")):
                return None
            ordinal_n = 1 if "first" in adj else 2
        value_year = None if year is None else year - back
        return "DATE", f"{value_year:04d}-H{ordinal_n}" if value_year is not None else f"XXXX-H{ordinal_n}"
    if ordinal_n is not None:
        if year is not None and not (det in ("a", "an") and adj):
            # "After a flat second quarter, ...": a quarter described in passing is background, not the
            # one the article reports (which "the quarter" and "a year ago" then refer to); the article
            # in "a third-quarter loss" is the loss's.
            ctx.note_quarter(year, ordinal_n)
            year -= back
        return "DATE", f"{year:04d}-Q{ordinal_n}" if year is not None else f"XXXX-Q{ordinal_n}"
    # No ordinal: "the quarter", "the latest quarter", "last quarter", "the year-ago quarter".
    if not (det or adj or pyear):
        return None
    if anchor is None:
        return "DATE", "XXXX-QX"
    if "current" in adj or "this" in adj:
        return "DATE", f"{anchor.year:04d}-Q{cal.quarter_of(anchor)}"
    if adj in ("next", "coming"):
        return "DATE", _shift(anchor, 1, "Q")
    if adj in ("last", "previous", "prior", "past") and det != "the":
        return "DATE", _shift(anchor, -1, "Q")
    ref = ctx.default_quarter()
    if ref is None:
        return None
    ref_year = int(pyear) if pyear else ref[0]
    if "last year" in det:
        back = 1
    return "DATE", f"{ref_year - back:04d}-Q{ref[1]}"


_NEXT_WORD = re.compile(r" ([A-Za-z]+)")
_AFTER_SECOND = frozenset(
    "later earlier ago or and before after to in of for longer or too the a an that when while".split()
)


def _duration(g: Groups, s: int, e: int, ctx: _Context) -> Result:
    tail = g("tail")
    if tail == "-old" or ctx.text.startswith(" old", e) or ctx.text.startswith(" of age", e):
        return None  # ages ("a 44-year-old", "52 years old") are not time expressions in TimeML
    unit_word = g("u") or ""
    n_text = g("n") or ""
    if unit_word.lower().startswith("quarter") and (
        n_text.lower() in ("a", "an")
        or (ctx.text.startswith(" of", e) and cal.number_value(n_text) is not None)
    ):
        # "a quarter of the seats", "three quarters of the vote"; but "several quarters of losses"
        return None
    if unit_word.lower() == "second" and not g("ago"):
        after = _NEXT_WORD.match(ctx.text, e)
        if after is not None and after.group(1).lower() not in _AFTER_SECOND:
            return None  # "a second time", "a second group": an ordinal before its noun
    factor, unit = _unit_of(unit_word)
    count = cal.number_value(n_text)
    if g("half"):
        count = None if count is None else count + 0.5
    if g("n2"):
        count2 = cal.number_value(g("n2") or "")
        if count2 is None or count is None or count2 <= count:
            return None
        count = None  # "two to three weeks": a vague count
    if count is not None:
        count *= factor
    ago = " ".join((g("ago") or "").lower().split())
    if ago in ("earlier", "later", "before that", "after that") and unit in ("D", "TH", "TM", "TS"):
        # "an hour later", "two days earlier": counted from an event, not from the document date.
        ctx.cut = e - len(g("ago") or "") - 1
        ago = ""
    if ago:
        if count is None:
            return "DATE", "PAST_REF" if ago in ("ago", "earlier", "before that") else "FUTURE_REF"
        sign = 1 if ago in ("later", "hence", "from now", "after that") else -1
        whole = round(count)
        if unit == "Y" and whole == 1 and sign < 0 and factor == 1:
            return "DATE", _year_ago(ctx, s)
        return "DATE", _shift(ctx.anchor, sign * whole, unit)  # "a decade ago": a year, as in TimeML
    # "$5 a year", "700 seats a week": a rate, not a length of time.
    rate = n_text.lower() in ("a", "an") and not g("det") and not g("rel")
    if rate and _SET_BEFORE.search(ctx.text, max(0, s - 40), s):
        return "SET", cal.duration_value(1, unit)
    return "DURATION", cal.duration_value(count, unit)


def _long(g: Groups, s: int, e: int, ctx: _Context) -> Result:
    """ "day-long" P1D, "decade-long" P10Y; "decades-long", "months-long" a vague count (PXY, PXM)."""
    word = g("u") or ""
    factor, unit = _unit_of(word)
    plural = word.lower().endswith(("s", "ia")) and not word.lower().endswith("ss")
    return "DURATION", cal.duration_value(None if plural else factor, unit)


_YEAR_BACK = re.compile(r"\s+(?i:(?:of\s+)?last\s+year|a\s+year\s+(?:ago|earlier))(?![\w'’])")


def _yearago(g: Groups, s: int, e: int, ctx: _Context) -> Result:
    noun = " ".join((g("noun") or "").lower().split())
    if g("py"):
        # "the 1988 period" in an earnings report: the reported quarter, in that year ("in the 1988
        # period, the company earned ..."), unless the sentence speaks of a longer period.
        sentence = re.split(r"[.!?]\s+(?=[A-Z])", ctx.text[max(0, s - 200) : s])[-1]
        if noun != "period" or ctx.ref_quarter is None or _LONGER_PERIOD.search(sentence):
            return None
        return "DATE", f"{g('py')}-Q{ctx.ref_quarter[1]}"
    if g("adj") and noun != "period":
        return None
    if noun.endswith("months"):
        return "DURATION", cal.duration_value(cal.number_value(noun.split()[0]), "M")
    if g("adj"):
        ref = ctx.default_quarter()
        back = _YEAR_BACK.match(ctx.text, e)
        if back is not None:  # "the corresponding period last year": that quarter, a year earlier
            ctx.cut = back.end()
            return ("DATE", f"{ref[0] - 1:04d}-Q{ref[1]}") if ref is not None else ("DATE", "XXXX-QX")
        return ("DATE", f"{ref[0]:04d}-Q{ref[1]}") if ref is not None else ("DATE", "XXXX-QX")
    return "DATE", _year_ago(ctx, s)


def _year_ago(ctx: _Context, start: int) -> str:
    """ "A year ago", "year-earlier": the quarter a year before the one the article reports, when it
    reports one (earnings news compares quarters) and the sentence names no longer period ("the first
    nine months ... a year earlier" is the year before), else the year before the anchor's."""
    sentence = re.split(r"[.!?]\s+(?=[A-Z])", ctx.text[max(0, start - 200) : start])[-1]
    if ctx.ref_quarter is not None and not _LONGER_PERIOD.search(sentence):
        return f"{ctx.ref_quarter[0] - 1:04d}-Q{ctx.ref_quarter[1]}"
    return _shift(ctx.anchor, -1, "Y")


_LONGER_PERIOD = re.compile(r"(?i:\b(?:nine|six|9|6)\s+months|\b(?:first|second)\s+half|\bthe\s+year\b)")


def _weekend(g: Groups, s: int, e: int, ctx: _Context) -> Result:
    anchor = ctx.anchor
    if anchor is None:
        return "DATE", "XXXX-WXX-WE"
    if anchor.weekday() >= 5:
        saturday = anchor - dt.timedelta(days=anchor.weekday() - 5)
    elif ctx.tense(s, e) == "future":
        saturday = anchor + dt.timedelta(days=5 - anchor.weekday())
    else:
        saturday = anchor - dt.timedelta(days=anchor.weekday() + 2)
    return "DATE", f"{cal.week_value(saturday)}-WE"


_EXPLICIT = frozenset({"date", "iso", "numeric", "monthyear", "month", "year", "yearword"})
_ABSOLUTE = re.compile(r"\d{4}(?:-\d\d(?:-\d\d)?)?")


def _relunit(g: Groups, s: int, e: int, ctx: _Context) -> Result:
    rel = " ".join((g("rel") or "").lower().split())
    unit = " ".join((g("u") or "").lower().split())
    anchor = ctx.anchor
    if rel == "same":
        return None
    raw_unit = g("u") or ""
    if raw_unit[:1].isupper() and not raw_unit.isupper() and ctx.text[max(0, s - 1) : s] in ('"', "“", "'"):
        return None  # '"This Week"' quoted in Title case: a programme's or a publication's name
    ref = ctx.ref_time
    if g("the") and rel in ("following", "previous", "preceding") and ref and unit in ("year", "month"):
        # Anaphoric: "In 1995 ... the following year" counts from the time the story last named.
        step = 1 if rel == "following" else -1
        if unit == "year":
            return "DATE", f"{int(ref[:4]) + step:04d}"
        if len(ref) >= 7:
            return "DATE", cal.month_value(*cal.add_months(int(ref[:4]), int(ref[5:7]), step))
    if rel in ("past", "previous", "prior", "last", "this past"):
        step = -1
    elif rel in ("next", "coming", "following", "this coming"):
        step = 1
    else:
        step = 0
    if unit == "half":
        if ctx.text.startswith(" of", e):
            return None  # "the last half of the '80s": a part of what follows (see _DATE_PRE)
        if anchor is None:
            return "DATE", "XXXX-HX"
        half = 1 if anchor.month <= 6 else 2
        index = anchor.year * 2 + half - 1 + step
        return "DATE", f"{index // 2:04d}-H{index % 2 + 1}"
    if unit == "weekend":
        if anchor is None:
            return "DATE", "XXXX-WXX-WE"
        base = anchor + dt.timedelta(weeks=step)
        return "DATE", f"{cal.week_value(base)}-WE"
    if unit == "quarter":
        if anchor is None:
            return "DATE", "XXXX-QX"
        return "DATE", _shift(anchor, step, "Q")
    if unit in ("decade", "century"):
        if rel in ("past", "this past"):
            # "the past decade" is the ten years up to now (as "the past two decades" is P20Y), not the
            # previous calendar decade: in 1998, "the past century" is not the 1800s.
            return "DURATION", "P10Y" if unit == "decade" else "P100Y"
        if anchor is None:
            return "DATE", "XX" if unit == "century" else "XXX"
        if unit == "decade":
            return "DATE", f"{anchor.year // 10 + step:03d}"
        return "DATE", f"{anchor.year // 100 + step:02d}"
    code = {"week": "W", "month": "M", "year": "Y", "fiscal year": "Y"}[unit]
    return "DATE", _shift(anchor, step, code)


def _posunit(g: Groups, s: int, e: int, ctx: _Context) -> Result:
    unit = (g("u") or "").lower()
    anchor = ctx.anchor
    if unit == "quarter":
        return "DATE", _shift(anchor, 0, "Q")
    if unit == "decade":
        return "DATE", "XXX" if anchor is None else f"{anchor.year // 10:03d}"
    if unit == "century":
        return "DATE", "XX" if anchor is None else f"{anchor.year // 100:02d}"
    return "DATE", _shift(anchor, 0, {"week": "W", "month": "M", "year": "Y"}[unit])


_YEAREND_BEFORE = re.compile(
    r"(?i:by|at|before|after|since|until|till|through|around|near|toward|towards|from|to|of)\s+$"
)


def _yearend(g: Groups, s: int, e: int, ctx: _Context) -> Result:
    """ "by year-end", "since year end", "before year's end": the end of the anchor's year (the year, as
    TimeML values "the end of the year"), the previous one after "since"; not the modifier in "year-end
    results"."""
    before = _YEAREND_BEFORE.search(ctx.text, max(0, s - 10), s)
    if before is None:
        return None
    back = -1 if before.group().lower().startswith("since") else 0
    return "DATE", _shift(ctx.anchor, back, "Y")


def _relmonth(g: Groups, s: int, e: int, ctx: _Context) -> Result:
    month = cal.month_number(g("m") or "")
    rel = " ".join((g("rel") or "").lower().split())
    anchor = ctx.anchor
    if month is None:
        return None
    if anchor is None:
        return "DATE", cal.month_value(None, month)
    if rel in ("last", "past", "previous", "this past"):
        year = anchor.year if month < anchor.month else anchor.year - 1
    elif rel in ("next", "coming", "following", "this coming"):
        year = anchor.year if month > anchor.month else anchor.year + 1
    else:
        year = anchor.year
    return "DATE", cal.month_value(year, month)


def _relweekday(g: Groups, s: int, e: int, ctx: _Context) -> Result:
    weekday = cal.weekday_number(g("wd") or "")
    rel = " ".join((g("rel") or "").lower().split())
    anchor = ctx.anchor
    if weekday is None:
        return None
    if anchor is None:
        return "DATE", None
    if g("the") and rel in ("previous", "following") and ctx.ref_day is not None:
        # Anaphoric, as "the following year": "Friday ... down 4.5% from the previous Friday" is the
        # Friday before the day the story last named.
        return "DATE", cal.shift_weekday(weekday, ctx.ref_day, -1 if rel == "previous" else 1).isoformat()
    if rel in ("last", "past", "previous", "this past"):
        return "DATE", cal.shift_weekday(weekday, anchor, -1).isoformat()
    if rel in ("next", "coming", "following", "this coming"):
        return "DATE", cal.shift_weekday(weekday, anchor, 1).isoformat()
    # "this Friday": the one of the anchor's week.
    return "DATE", (anchor + dt.timedelta(days=weekday - anchor.weekday())).isoformat()


def _season(g: Groups, s: int, e: int, ctx: _Context) -> Result:
    season = cal.SEASONS[(g("s") or "").lower()]
    rel = " ".join((g("rel") or "").lower().split())
    rel2 = (g("rel2") or "").lower()
    word = g("s") or ""
    anchor = ctx.anchor
    if g("y"):
        return "DATE", f"{g('y')}-{season}"
    if not rel and not rel2:
        # A bare season word is a time only after a preposition ("in summer"), never "fall" the verb.
        before = ctx.text[max(0, s - 12) : s].lower()
        if word.lower() == "fall" or not re.search(
            r"(?:in|during|by|until|since|over|through|this)\s+$", before
        ):
            return None
    if (
        rel in ("the", "that")
        and word.lower() == "fall"
        and not ctx.text[max(0, s - 8) : s]
        .lower()
        .endswith(("in ", "by ", "until ", "since ", "during ", "over "))
    ):
        return None
    if rel in ("the", "that") and ctx.text.startswith(" of", e) and not _SPOKEN_YEAR.match(ctx.text, e + 4):
        return None  # "the summer of love"; "the winter of nineteen ninety-four" joins its year below
    if anchor is None:
        return "DATE", f"XXXX-{season}"
    year = anchor.year
    key = rel2 or rel
    if key in ("last", "past", "previous"):
        year -= 1
    elif key in ("next", "coming", "following"):
        year += 1
    elif key in ("this past",):
        year = year if cal.season_of(anchor.month) != season else year - 1
    return "DATE", f"{year:04d}-{season}"


_SPOKEN_YEAR = re.compile(r"(?i:nineteen|twenty|two\s+thousand)\b")

_DECADE_WORDS = {"twenties": 2, "thirties": 3, "forties": 4, "fifties": 5, "sixties": 6}
_DECADE_WORDS.update({"seventies": 7, "eighties": 8, "nineties": 9})


def _decade(g: Groups, s: int, e: int, ctx: _Context) -> Result:
    if g("c"):
        return "DATE", f"{g('c')}{g('d')}"
    digit = int(g("d2") or 0) if g("d2") else _DECADE_WORDS[(g("word") or "").lower()]
    if g("word") and not g("the"):
        return None  # "in her forties" is an age
    century = 19
    if ctx.anchor is not None and ctx.anchor.year // 10 % 10 >= digit and ctx.anchor.year >= 2000:
        century = ctx.anchor.year // 100
    return "DATE", f"{century}{digit}"


def _century(g: Groups, s: int, e: int, ctx: _Context) -> Result:
    number = int(g("num") or 0) if g("num") else cal.ORDINALS.get((g("word") or "").lower(), 0)
    if not 1 <= number <= 21:
        return None
    return "DATE", f"{number - 1:02d}"


def _holiday(g: Groups, s: int, e: int, ctx: _Context) -> Result:
    key = re.sub(r"[\s'’]+", " ", (g("h") or "").lower()).strip()
    rule = _HOLIDAY_KEYS.get(key)
    if rule is None:
        return None

    def make(year: int) -> dt.date | None:
        try:
            if rule.startswith("easter"):
                return cal.easter(year) + dt.timedelta(days=int(rule[6:] or 0))
            if rule.count("/") == 2:  # month/weekday/n: the n-th weekday of the month (-1: the last)
                month, weekday, n = (int(x) for x in rule.split("/"))
                return cal.nth_weekday(year, month, weekday, n)
            month, day = (int(x) for x in rule.split("-"))
            return dt.date(year, month, day)
        except ValueError:
            return None

    anchor = ctx.anchor
    if anchor is None:
        if rule[:1].isdigit() and "-" in rule:
            return "DATE", f"XXXX-{rule}"
        return "DATE", None
    rel = (g("rel") or "").lower()
    if rel == "last":
        date = make(anchor.year)
        if date is None or date >= anchor:
            date = make(anchor.year - 1)
    elif rel == "next":
        date = make(anchor.year)
        if date is None or date <= anchor:
            date = make(anchor.year + 1)
    else:
        date = cal.closest_year(make, anchor)
    week = _HOLIDAY_WEEK.match(ctx.text, e)
    if week is not None and date is not None:  # "Easter week", "the Thanksgiving weekend"
        ctx.cut = week.end()
        return "DATE", cal.week_value(date) + ("-WE" if week.group(1).lower() == "weekend" else "")
    return "DATE", _day_value(date)


_HOLIDAY_WEEK = re.compile(r"\s+(?i:(week|weekend))(?![\w-])")


def _dayword(g: Groups, s: int, e: int, ctx: _Context) -> Result:
    word = " ".join((g("w") or "").lower().split())
    offset = {"today": 0, "tonight": 0, "yesterday": -1, "tomorrow": 1}
    offset.update({"the day before yesterday": -2, "the day after tomorrow": 2})
    anchor = ctx.anchor
    value = "XXXX-XX-XX" if anchor is None else (anchor + dt.timedelta(days=offset[word])).isoformat()
    if word == "tonight":
        return "TIME", f"{value}TNI"
    return "DATE", value


def _pod(g: Groups, s: int, e: int, ctx: _Context) -> Result:
    rel = " ".join((g("rel") or "").lower().split())
    pod = (g("pod") or "").lower()
    if rel == "last" and pod != "night":
        return None
    offset = -1 if rel in ("yesterday", "last", "late last") else 1 if rel == "tomorrow" else 0
    anchor = ctx.anchor
    day = "XXXX-XX-XX" if anchor is None else (anchor + dt.timedelta(days=offset)).isoformat()
    return "TIME", f"{day}T{_POD[pod]}"


def _thatunit(g: Groups, s: int, e: int, ctx: _Context) -> Result:
    if (g("u") or "").lower() == "quarter":
        quarter = ctx.ref_quarter
        return ("DATE", f"{quarter[0]:04d}-Q{quarter[1]}") if quarter is not None else None
    ref = ctx.ref_time
    if ref is None:
        return None
    if (g("u") or "").lower() == "year":
        return "DATE", ref[:4]
    return ("DATE", ref[:7]) if len(ref) >= 7 else None


def _podmod(g: Groups, s: int, e: int, ctx: _Context) -> Result:
    offset = {"yesterday": -1, "tomorrow": 1}.get((g("w") or "").lower(), 0)
    after = _NEXT_WORD.match(ctx.text, e)
    if (
        not g("w")
        and after is not None
        and after.group(1).islower()
        and after.group(1) not in _FUNCTION_WORDS
    ):
        return None  # "late morning trading", "an early evening show"
    anchor = ctx.anchor
    day = "XXXX-XX-XX" if anchor is None else (anchor + dt.timedelta(days=offset)).isoformat()
    return "TIME", f"{day}T{_POD[(g('pod') or '').lower()]}"


_FUNCTION_WORDS = frozenset(
    "on in at by when as and or but of to with after before the a an that while until local time".split()
)


def _set(g: Groups, s: int, e: int, ctx: _Context) -> Result:
    if g("adv"):
        word = (g("adv") or "").lower()
        return "SET", _SET_ADVERBS[word]
    if g("per"):
        unit_word = (g("u2") or "").lower()
        return "SET", cal.duration_value(1, "Y" if unit_word == "annum" else _unit_of(unit_word)[1])
    if g("wds"):
        weekday = cal.weekday_number(g("wds") or "")
        return "SET", f"XXXX-WXX-{(weekday or 0) + 1}"
    if g("times"):
        return "SET", cal.duration_value(1, _unit_of(g("u3") or "")[1])
    count = cal.number_value(g("n") or "") if g("n") else 1.0
    if g("other"):
        count = None if count is None else count * 2
    if g("u"):
        factor, unit = _unit_of(g("u") or "")
        return "SET", cal.duration_value(None if count is None else count * factor, unit)
    if g("wd"):
        return "SET", f"XXXX-WXX-{(cal.weekday_number(g('wd') or '') or 0) + 1}"
    if g("m"):
        return "SET", f"XXXX-{cal.month_number(g('m') or '') or 0:02d}"
    if g("pod"):
        return "SET", f"XXXX-XX-XXT{_POD[(g('pod') or '').lower()]}"
    return "SET", "XXXX-WXX-WE"


def _units(g: Groups, s: int, e: int, ctx: _Context) -> Result:
    rel = " ".join((g("rel") or "").lower().split())
    _, unit = _unit_of(g("u") or "")
    if g("ahead"):
        # "in the weeks ahead", "the years to come": as "the coming weeks"
        return ("DURATION", cal.duration_value(None, unit)) if rel in ("the", "") else None
    if rel == "the":
        return None
    if rel in ("recent", "the recent") and unit == "Y":
        return "DATE", "PAST_REF"
    if not rel:
        before = ctx.text[max(0, s - 12) : s]
        after = ctx.text[e : e + 8].lower()
        if not (_BARE_UNIT_CONTEXT.search(before) or after.startswith((" ago", " earlier", " later"))):
            return None
    return "DURATION", cal.duration_value(None, unit)


def _ref(g: Groups, s: int, e: int, ctx: _Context) -> Result:
    if g("present"):
        word = (g("present") or "").lower()
        if word == "this time" and not ctx.text[max(0, s - 6) : s].lower().endswith(("at ", "by ")):
            return None
        return "DATE", "PRESENT_REF"
    if g("past"):
        return "DATE", "PAST_REF"
    word = (g("future") or "").lower()
    if word == "future" and not ctx.text[max(0, s - 12) : s].lower().endswith(("in ", "near ", "the ")):
        return None
    return "DATE", "FUTURE_REF"


def _yearword(g: Groups, s: int, e: int, ctx: _Context) -> Result:
    if re.match(rf"[\s-]+(?:{_UNIT_WORDS}|people|dollars|miles)\b", ctx.text[e : e + 12], re.I):
        return None  # "two thousand years", "nineteen hundred people": counts, not years
    if g("k"):
        return "DATE", f"{2000 + int(cal.number_value(g('ky') or '') or 0):04d}"
    tens = cal.number_value(g("yy") or "")
    if tens is None or tens < 10:
        return None
    century = 19 if (g("c") or "").lower() == "nineteen" else 20
    return "DATE", f"{century}{int(tens):02d}"


_YEAR_CONTEXT = re.compile(
    r"(?i:in|since|from|by|until|till|of|during|before|after|through|to|and|or|year|fiscal|early|late"
    r"|mid|circa|c\.|between|summer|winter|spring|fall|autumn|'s|[(,])[\s-]*$"
)


def _year(g: Groups, s: int, e: int, ctx: _Context) -> Result:
    year = int(g("y") or 0)
    text = ctx.text
    if (s > 0 and text[s - 1] in "$£€#/:") or text.startswith(("-", "/", ":"), e):
        return None
    if s > 1 and text[s - 1] == "-" and not text[s - 2].isalpha():
        return None  # "12-1990" is no year; "mid-1990" and "post-1959" are
    if g("pre"):
        return "DATE", f"{year:04d}"
    label = ctx.ent_label(s, e)
    if label in ("CARDINAL", "MONEY", "QUANTITY", "PERCENT", "ORDINAL", "PRODUCT", "ORG", "FAC"):
        return None
    if label != "DATE" and (year < 1800 or year > 2099):
        return None
    if label != "DATE" and not (1900 <= year <= 2049 or _YEAR_CONTEXT.search(text, max(0, s - 12), s)):
        return None
    return "DATE", f"{year:04d}"


def _month(g: Groups, s: int, e: int, ctx: _Context) -> Result:
    month = cal.month_number(g("m") or "")
    if month is None:
        return None
    text = ctx.text
    word = g("m") or ""
    before = text[max(0, s - 14) : s]
    context = _MONTH_CONTEXT.search(before) is not None
    if (word in ("May", "MAY") or word.startswith("Sept")) and not context and ctx.ent_label(s, e) != "DATE":
        return None  # "May" the modal or the name
    if _CAPITALISED_NEXT.match(text, e) and not context:
        return None  # "March Madness", "April Smith"
    return "DATE", cal.resolve_month(month, ctx.anchor, ctx.tense(s, e))


def _weekday(g: Groups, s: int, e: int, ctx: _Context) -> Result:
    weekday = cal.weekday_number(g("wd") or "")
    if weekday is None:
        return None
    tense = ctx.tense(s, e)
    if tense != "future" and ctx.planned(s, e):
        tense = "future"
    return "DATE", cal.resolve_weekday_tensed(weekday, ctx.anchor, tense)


_PERIOD_END = re.compile(rf"\s+(?:(?:that|which)\s+)?(?:(?i:ended|ending|ends)\s|to\s+{MONTH}\s+\d)")
""""the year ended March 31": a (fiscal) year named by its last day is the length of a year, as financial
reports give results "for the year ended ..." (TimeML marks it a DURATION)."""


def _theyear(g: Groups, s: int, e: int, ctx: _Context) -> Result:
    if _PERIOD_END.match(ctx.text, e):
        return "DURATION", "P1Y"
    return "DATE", _shift(ctx.anchor, 0, "Y")


HANDLERS: dict[str, Handler] = {
    "theyear": _theyear,
    "range_md": _range_md,
    "range_dm": _range_dm,
    "range_month": _range_month,
    "range_year": _range_year,
    "date": _date,
    "iso": _iso,
    "numeric": _numeric,
    "monthyear": _monthyear,
    "clock": _clock,
    "noon": _noon,
    "oclock": _oclock,
    "quarter": _quarter,
    "yearago": _yearago,
    "weekend": _weekend,
    "duration": _duration,
    "long": _long,
    "relunit": _relunit,
    "posunit": _posunit,
    "yearend": _yearend,
    "relmonth": _relmonth,
    "relweekday": _relweekday,
    "season": _season,
    "decade": _decade,
    "century": _century,
    "holiday": _holiday,
    "dayword": _dayword,
    "pod": _pod,
    "podmod": _podmod,
    "thatunit": _thatunit,
    "set": _set,
    "units": _units,
    "ref": _ref,
    "yearword": _yearword,
    "year": _year,
    "month": _month,
    "weekday": _weekday,
}
_KIND = {"date": "day", "iso": "day", "numeric": "day", "dayword": "day", "relweekday": "day"}
_KIND.update({"weekday": "day", "holiday": "day", "clock": "clock", "noon": "clock", "oclock": "clock"})
_KIND["duration"] = _KIND["long"] = "dur"
_KIND.update({"set": "dur", "month": "month", "season": "season", "yearword": "year", "year": "year"})


# ---------------------------------------------------------------------------------------- the pass


def _anchor_of(doc: Doc) -> dt.date | None:
    """The document creation date: ``published``, else the dateline's value when its year is known."""
    published = doc._.sayso_published
    if isinstance(published, dt.datetime):
        return published.date()
    if isinstance(published, dt.date):
        return published
    dateline = doc._.sayso_dateline
    value = getattr(dateline, "value", None)
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d\d-\d\d", value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None


def find_times(text: str, anchor: dt.date | None = None, doc: Doc | None = None) -> list[TimeRecord]:
    """Every time expression in ``text``, normalised against ``anchor`` (see the module docstring).

    ``doc`` (the parsed text) is optional: with it, the clause's tense places months and weekdays named
    alone, and spaCy's entity labels veto year-like counts.
    """
    ctx = _Context(text=text, doc=doc, anchor=anchor)
    found = _scan(text, ctx, _starts(text))
    return [
        TimeRecord(
            span=(c.start, c.end),
            type=c.type,
            value=c.value,
            parts=[list(p) for p in c.parts] if c.parts else None,
        )
        for c in _extend(found, ctx)
    ]


def _starts(text: str) -> Iterator[int]:
    """Where an expression may start: digits, "'90s", words in :data:`START_WORDS` and a unit before "-long".

    Trying :data:`MASTER` only there, instead of searching with it, makes the pass several times faster:
    most words start no rule, and a set lookup rejects them before the regex engine tries ~30 rules.
    """
    for token in _TOKEN.finditer(text):
        word = token.group()
        if (
            word[0] in _DIGIT_OR_APOSTROPHE
            or word.lower() in START_WORDS
            or text.startswith("-long", token.end())  # "day-long": not worth a try at every "day"
        ):
            yield token.start()


def _scan(text: str, ctx: _Context, starts: Iterable[int]) -> list[_Candidate]:
    """Candidates at ``starts`` (ascending), leftmost first, none overlapping."""
    found: list[_Candidate] = []
    position = 0
    for start in starts:
        if start < position:
            continue
        match = MASTER.match(text, start)
        if match is None:
            continue
        rule = match.lastgroup or ""
        candidate = _handle(match, rule, ctx)
        if candidate is None:
            # The first rule to match rejected it ("1990 and 1991" is no range): let the later rules try
            # at the same place ("1990").
            for other in _ORDER[_ORDER.index(rule) + 1 :] if rule in _ORDER else ():
                again = _SINGLE[other].match(text, start)
                if again is not None and (candidate := _handle(again, other, ctx)) is not None:
                    break
        if candidate is None:
            continue
        found.append(candidate)
        if rule in _EXPLICIT and candidate.value and _ABSOLUTE.fullmatch(candidate.value):
            ctx.ref_time = candidate.value
        if candidate.kind == "day" and candidate.value and _FULL_DATE.fullmatch(candidate.value):
            ctx.ref_day = dt.date.fromisoformat(candidate.value)
        position = max(candidate.end, start + 1)
    return found


def _handle(match: re.Match[str], rule: str, ctx: _Context) -> _Candidate | None:
    """Run the rule's handler on its match; the candidate, or ``None`` when the handler rejects it."""

    def groups(name: str) -> str | None:
        return match.group(f"{rule}__{name}")

    start, end = match.span()
    ctx.cut = None
    result = HANDLERS[rule](groups, start, end, ctx)
    if result is None:
        return None
    if ctx.cut is not None:
        end = ctx.cut
    kind = _KIND.get(rule, "other")
    if rule == "duration" and result[0] == "DATE":
        kind = "ago"
    parts = _range_parts(match, rule, result[1]) if rule in _RANGES else None
    return _Candidate(start, end, result[0], result[1], kind, parts)


_RANGES = frozenset({"range_md", "range_dm", "range_month", "range_year"})


def _range_parts(match: re.Match[str], rule: str, value: str | None) -> list[tuple[int, int, str]] | None:
    """The two ends of a range as their own spans and values: "[May 12] through [May 15, 2024]".

    An interval value says when; the ends' spans say which words give each end, which a reader checking
    a figure's period (and TimeML, which annotates each end separately) needs.
    """
    if not value or value.count("/") != 1:
        return None
    values = value.split("/")
    parts: list[tuple[int, int, str]] = []
    for side, end_value in zip("12", values, strict=True):
        spans = [
            match.span(f"{rule}__{name}{side}")
            for name in ("m", "d", "y")
            if f"{rule}__{name}{side}" in match.re.groupindex and match.group(f"{rule}__{name}{side}")
        ]
        if not spans:
            return None
        parts.append((min(a for a, _ in spans), max(b for _, b in spans), end_value))
    return parts


def _extend(found: list[_Candidate], ctx: _Context) -> list[_Candidate]:
    """Widen candidates to TimeML extents and join a clock time with its day ("10 p.m. Wednesday")."""
    text = ctx.text
    out: list[_Candidate] = []
    for cand in found:
        floor = out[-1].end if out else 0
        # A determiner before a time used as a modifier belongs to the noun: "a [two-year] contract".
        # So does a possessive (TimeML): "its [fourth quarter]", "his [two-year] term".
        det = _DETERMINER.match(text, cand.start, cand.end)
        if det is not None and (
            det.group(1).lower() in _POSSESSIVES
            or (
                _MODIFIER_USE.match(text, cand.end)
                and (
                    "-" in text[det.end() : cand.end].split()[-1]
                    or _COUNT_SINGULAR.search(text, det.end(), cand.end)
                )
            )
        ):
            cand.start = det.end()
        # A day counted from a day, or the week around one: "the day before last Tuesday", "the week
        # of March 6" (an ISO week).
        if cand.kind == "day" and cand.value and _FULL_DATE.fullmatch(cand.value):
            around = _AROUND_DAY.search(text, max(floor, cand.start - 24), cand.start)
            if around is not None:
                day = dt.date.fromisoformat(cand.value)
                word = (around.group("rel") or "week").lower()
                cand.start = around.start()
                if word == "week":
                    cand.value, cand.kind = cal.week_value(day), "other"
                else:
                    cand.value = (day + dt.timedelta(days=1 if word == "after" else -1)).isoformat()
        # "the then-current price": the present of a past time.
        if cand.value == "PRESENT_REF" and (
            then := _THEN_BEFORE.search(text, max(floor, cand.start - 5), cand.start)
        ):
            cand.start, cand.value = then.start(), "PAST_REF"
        # Modifiers before: "early next year", "the end of 1990", "nearly three years", "about a year ago".
        if cand.type in ("DATE", "TIME") and cand.kind not in ("ago",) and cand.value not in _REFS:
            pre = _DATE_PRE.search(text, max(floor, cand.start - 40), cand.start)
            if pre is not None:
                cand.start = pre.start()
        if cand.kind in ("dur", "ago"):
            pre = _DUR_PRE.search(text, max(floor, cand.start - 30), cand.start)
            if pre is not None and not (
                _PREPOSITION_MODIFIER.match(pre.group()) and _DETERMINED.match(text, cand.start)
            ):
                cand.start = pre.start()
        # A part of the day after a day: "Friday morning", "yesterday afternoon".
        if cand.kind == "day" and cand.value is not None and _DAY_VALUE.fullmatch(cand.value):
            pod = _POD_AFTER.match(text, cand.end)
            if pod is not None:
                cand.end = pod.end()
                cand.type = "TIME"
                cand.value = f"{cand.value}T{_POD[pod.group('pod').lower()]}"
                cand.kind = "clock+day"
        if out:
            prev = out[-1]
            gap = text[prev.end : cand.start]
            if prev.kind == cand.kind == "day" and prev.value == cand.value and _SAME_DAY_GAP.fullmatch(gap):
                out[-1] = _Candidate(
                    prev.start, cand.end, cand.type, cand.value, "day"
                )  # "next Sunday, May 8"
                continue
            if (
                prev.kind in ("month", "season")
                and cand.kind == "year"
                and cand.value
                and prev.value
                and _MONTH_YEAR_GAP.fullmatch(gap)
            ):
                # "January nineteen ninety-seven", "the winter of nineteen ninety-four" (spoken years)
                out[-1] = _Candidate(prev.start, cand.end, "DATE", f"{cand.value}{prev.value[4:]}", "other")
                continue
            if prev.kind == "clock" and cand.kind == "day" and _TIME_DATE_GAP.fullmatch(gap):
                out[-1] = _join(prev, cand, clock=prev, day=cand)
                continue
            if (
                prev.kind == "day"
                and cand.kind == "clock"
                and _DATE_TIME_GAP.fullmatch(gap)
                and "," not in gap
            ):
                out[-1] = _join(prev, cand, clock=cand, day=prev)
                continue
        out.append(cand)
    _date_clocks(out, text)
    return out


_PARENTHESIS_AFTER = re.compile(r"\s*\([^()]{1,40}\)")


def _date_clocks(found: list[_Candidate], text: str) -> None:
    """A clock time whose day follows a parenthesis takes that day: "at 10:35 a.m. (0735 GMT) Friday",
    "at 4 in the morning (4 a.m. EDT Thursday)". The parenthesis keeps the extents apart (the clock time
    stays its own expression), but the day is the clock time's, not the anchor's."""
    for i, cand in enumerate(found[:-1]):
        if cand.kind != "clock" or not cand.value or "T" not in cand.value:
            continue
        paren = _PARENTHESIS_AFTER.match(text, cand.end)
        if paren is None:
            continue
        after = found[i + 1]
        inside = after.kind == "clock+day" and after.end <= paren.end()  # "(4 a.m. EDT Thursday)"
        beyond = after.kind == "day" and _TIME_DATE_GAP.fullmatch(text, paren.end(), after.start)
        day = after.value if inside or beyond else None
        if day and _FULL_DATE.match(day):
            cand.value = f"{day[:10]}T{cand.value.partition('T')[2]}"


_REFS = frozenset({"PRESENT_REF", "PAST_REF", "FUTURE_REF"})
_THEN_BEFORE = re.compile(r"(?i:then)(?:\s+|-)$")
_FULL_DATE = re.compile(r"\d{4}-\d\d-\d\d")
_DAY_VALUE = re.compile(r"[\dX]{4}-[\dX]{2}-[\dX]{2}")
_AROUND_DAY = re.compile(r"(?i:the\s+(?:day\s+(?P<rel>before|after)|week\s+of))\s+$")


def _join(first: _Candidate, second: _Candidate, clock: _Candidate, day: _Candidate) -> _Candidate:
    clock_part = (clock.value or "").partition("T")[2]
    value = f"{day.value}T{clock_part}" if day.value is not None and clock_part else clock.value
    return _Candidate(first.start, second.end, "TIME", value, "clock+day")


def _entity_times(doc: Doc, found: list[TimeRecord]) -> list[TimeRecord]:
    """spaCy's DATE/TIME entities that no rule found, with no value (the ``use_entities`` option)."""
    extra: list[TimeRecord] = []
    for ent in doc.ents:
        if ent.label_ not in ("DATE", "TIME"):
            continue
        s, e = ent.start_char, ent.end_char
        if any(r.span[0] < e and s < r.span[1] for r in found):
            continue
        extra.append(TimeRecord(span=(s, e), type=ent.label_, value=None))
    return sorted(found + extra, key=lambda r: r.span)


@Language.factory(
    "sayso_timex",
    assigns=["doc._.sayso_times"],
    default_config={"use_entities": False},
)
def make_timex(nlp: Language, name: str, use_entities: bool) -> Callable[[Doc], Doc]:
    """Build the component. It reads ``text_of(doc)``, ``doc._.sayso_published``, the dateline, and (where
    the pipeline has them) the parse and entities; ``use_entities`` adds spaCy's unmatched DATE/TIME
    entities with value ``None`` (off: it lowers TempEval-3 value F1)."""

    def sayso_timex(doc: Doc) -> Doc:
        try:
            times = find_times(text_of(doc), _anchor_of(doc), doc)
            if use_entities:
                times = _entity_times(doc, times)
        except Exception:  # a bug must not lose the document: log it, report no times for it
            log.exception("sayso_timex failed on a document of %d characters", len(text_of(doc)))
            times = []
        doc._.sayso_times = times
        return doc

    return sayso_timex
