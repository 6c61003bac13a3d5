"""``sayso_quantities``: figures in the text, with their value, qualifier, unit, what they count, where,
when, and who says them.

What counts as a figure: a count ("1,200 people", "Hundreds of families", "a dozen"), a measurement
with a unit ("8.5 mm", "300 ± 15 °C", "12 mA g−1"), a percentage, an amount of money ("$3.5 billion",
"40 million Swiss francs", "€20"), a range ("10-15", "between 3 and 5", "from 2 to 4 km"), and the
qualifier right before or after it ("More than 40", "about", "at least", "~", "or more"). What does
not: dates and years ("May 12", "3 November 2019", "in 2022"), times of day, ages ("a 63-year-old",
"aged 40"), ordinals, phone numbers, list numbering, references ("Figure 3", "Article 5"), citation
brackets and numbers that are part of a name or code ("COVID-19", "G7", "Windows 10").

How, and why this way:

1. **Reading figures is a scan over the text**, not over spaCy's entities. The small English model
   splits and labels numbers unevenly ("12 mA g− 1", "∼2 m", "1.5×1012 cm−3" are not QUANTITY
   entities, "Hundreds" is CARDINAL but "dozens" is not) while the shape of a figure is typographic:
   a number core (digits or number words, see :mod:`sayso.components._numbers`), then scale words,
   a range or a tolerance, a unit from a lexicon (``resources/quantity_units.tsv``), and qualifiers
   around it (``resources/quantity_qualifiers.tsv``). The scan reads each figure from left to right
   with small anchored regular expressions compiled once per process, so it costs a few
   microseconds per number.
2. **The parse decides what the text cannot**: whether a four-digit integer is a year or a count
   ("the 2012 election" vs. "2000 people"), whether a number labels the noun before it ("Windows
   10", "phase 2", "lines 16 and 17"), whether it follows a name as an age ("Crutcher, 40,"), and
   which place and time belong to the same clause. spaCy's DATE/TIME entities and
   ``doc._.sayso_times`` mark calendar expressions, whose numbers are not figures (durations such as
   "4 weeks" are kept: they are measurements).
3. **What a figure counts** comes from the first rule that applies (``Figure.notes`` records which):
   the "of" phrase after it ("Hundreds *of families*", "5 tonnes *of silt*"); the noun it modifies
   ("40 *homes*" — a count's noun alone, its "in Faro" being the place; a measurement's noun with
   its phrase, "a 90 kW *pilot plant*"); the subject or object of a verb right before it
   ("*Temperatures in Lisbon* reached 40 °C"); the noun before "(" or "=" ("x = 2.4 m", not for
   statistics such as "p = 0.03"); the noun it is the value "of", or for a property noun ("a
   temperature of 40 °C") the subject of the verb that has the property; else the subject of its
   clause, and for a measurement the nearest noun before it. The small model often attaches
   numbers and units wrongly, which is why words next to the figure are trusted before its
   attachment.
4. **Spans follow the news reading**: a count's span runs over its counted noun ("12 homes",
   "at least three people", "Hundreds of families") so that a figure reads on its own; the
   ``span_includes_counted`` setting turns that off for the MeasEval convention, which marks only
   the number of a count ("five" in "five samples"). ``counted`` is the noun with its modifiers in
   both cases.

The component never raises on odd input: anything it cannot read is skipped.

Measured by ``eval/quantities.py`` on MeasEval (train + trial, 1164 quantities): span F1 0.917 with
overlap credit, 0.745 exact; ``counted`` overlaps the measured entity for 0.52 of found quantities;
units agree for 0.94 (quantulum3 0.10 through the same metric: 0.680, 0.392, -, 0.899). It adds about
3% to bare ``en_core_web_sm`` time on news (PolNeAR dev).
"""

from __future__ import annotations

import logging
import re
from bisect import bisect_left
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from sayso.components._common import AttributionRecord, CharSpan, QuantityRecord, TimeRecord, text_of
from sayso.components._numbers import (
    load_tsv,
    number_words,
    parse_digits,
    parse_exponent,
    parse_word_number,
    words_of,
)

_LOG = logging.getLogger("sayso")

# ------------------------------------------------------------------------------------------ lexicons


@dataclass(frozen=True)
class Qualifier:
    """A qualifier from ``quantity_qualifiers.tsv``."""

    normalised: str
    bound: str  # "lower" | "upper" | "none"
    approximate: bool


@dataclass(frozen=True)
class Unit:
    """A unit from ``quantity_units.tsv``."""

    canonical: str
    kind: str


_SPACE = r"[ \u00a0\u2009\u202f]"
_MONTHS = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
    r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
_WEEKDAYS = r"(?:Mon|Tues?|Wed(?:nes)?|Thu(?:rs?)?|Fri|Sat(?:ur)?|Sun)(?:day)?"
_EXP = r"(?:[−–\-]" + _SPACE + r"?\d|\d|[⁻]?[⁰¹²³⁴⁵⁶⁷⁸⁹]+)"
# Patterns the scan applies at a position (compiled once; matched with ``pattern.match(text, pos)``
# so that no slice of the text is ever copied).
_SCIENTIFIC = re.compile(r"[ \u2009]?[×x][ \u2009]?10(?P<e>[−–\-]?\d{1,3}|[⁻]?[⁰¹²³⁴⁵⁶⁷⁸⁹]+)(?![\d.])")
_POWER_OF_TEN = re.compile(r"−\d{1,3}(?![\d.])|[⁻]?[⁰¹²³⁴⁵⁶⁷⁸⁹]+")
_E_NOTATION = re.compile(r"[eE][+\-−]?\d{1,3}(?![\w])")
_RATIO = re.compile(r":(\d+(?:\.\d+)?)(?![\d:])")
_FRACTION = re.compile(r"/(\d{1,4})(?![\d/])")
_PH_BEFORE = re.compile(r"(?<![\w])pH" + _SPACE + r"?$")
_RANGE_PREFIX = re.compile(r"(?i:(?<![\w])(between|from))" + _SPACE + r"+$")
_RANGE_SEPARATOR = re.compile(
    _SPACE + r"?(?P<sep>[-–—]|to|and|or|through)" + _SPACE + r"?(?P<sym>[~∼≈<>]" + _SPACE + r"?)?"
)
_TOLERANCE = re.compile(_SPACE + r"?(?:±|\+/-|\+/−|\+-)" + _SPACE + r"?")
_TIMES = re.compile(_SPACE + r"?×" + _SPACE + r"?")
_LETTERS = re.compile(r"[A-Za-z]+")
_MARKER_BEFORE = re.compile(r"([(=:])[ \u00a0]*$")
_LABEL_NUMBER = re.compile(r"\d+[A-Za-z]?")
_PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})
_PLACE_AFTER = re.compile(
    r"[ \u00a0]*,?[ \u00a0]*(?:in|at|near|across|throughout|outside|inside|around)"
    r"[ \u00a0]+(?:the[ \u00a0]+)?",
    re.IGNORECASE,
)
_PLACE_PREPS = frozenset(
    {"in", "at", "near", "across", "throughout", "outside", "inside", "around", "from", "on"}
)
_CLAUSE_DEPS = frozenset(
    {"ROOT", "ccomp", "advcl", "relcl", "conj", "csubj", "parataxis", "xcomp", "acl", "pcomp"}
)
# Head nouns that name a property of something ("the concentration of SO2", "a budget of"): the
# counted span then takes the "of"/"in" phrase too, since the property alone says little.
_PROPERTY_NOUNS = frozenset(
    (
        "temperature temperatures concentration concentrations velocity speed size diameter depth thickness "
        "length width height mass weight volume rate rates ratio density pressure value values level levels "
        "amount number proportion percentage fraction content abundance range age duration distance area "
        "frequency energy flux "
        "resolution price cost costs budget population total share sum figure average mean median fall rise "
        "increase decrease growth loss drop efficiency yield factor intensity magnitude composition strength "
        "conductivity resistance capacity power output production consumption emission radius salary wage "
        "debt deficit revenue profit turnover sales spending investment fine toll"
    ).split()
)
_ONE_WORDS = frozenset({"one"})
# Words before a four-digit number that make it a year even when a noun follows ("the 2012 election").
_YEAR_BEFORE = frozenset(
    "the a an this that its his her their our my your from since in by of 's ’s until till before after "
    "during through fiscal".split()
)
# Statistics written "p = 0.03", "n = 12": the letter names the test, not what is measured.
_STATISTICS = frozenset(
    {"p", "P", "n", "N", "r", "R", "r2", "R2", "F", "t", "df", "SD", "SE", "CI", "z", "U", "χ2"}
)
# Single-letter units that may be glued to a number ("5m", "24h"); others glued are labels ("Fig. 4A", "6d").
_GLUED_LETTERS = frozenset("mgshKVWL")
# Words after a hyphen that keep a number a figure ("a 5,000-strong crowd", "50-plus"); any other
# non-unit word makes it part of a compound adjective ("two-dimensional", "12-lead").
_HYPHEN_OK = frozenset({"strong", "plus", "odd", "fold", "year", "years", "old"})


def _skip_code(text: str, pos: int) -> int:
    """The end of the letters and digits glued at ``pos``, so that no part of a code is read again."""
    while pos < len(text) and (text[pos].isalnum() or text[pos] in "-_."):
        if text[pos] in "-_." and not (pos + 1 < len(text) and text[pos + 1].isalnum()):
            break
        pos += 1
    return pos


@dataclass(frozen=True)
class _Lexicon:
    """Everything the scan needs, compiled once per process (see :func:`lexicon`)."""

    start: re.Pattern[str]
    digits: re.Pattern[str]
    word_run: re.Pattern[str]
    unit_cs: re.Pattern[str]
    unit_ci: re.Pattern[str]
    currency_before: re.Pattern[str]
    currency_at: re.Pattern[str]
    qualifier_before: re.Pattern[str]
    qualifier_after: re.Pattern[str]
    symbol_before: re.Pattern[str]
    scale_after: re.Pattern[str]
    short_scale_after: re.Pattern[str]
    excluded: tuple[re.Pattern[str], ...]
    reference_before: re.Pattern[str]
    calendar: re.Pattern[str]
    units: dict[str, Unit]
    units_ci: dict[str, Unit]
    currency_prefixes: dict[str, str]
    qualifiers: dict[str, Qualifier]


def _norm_unit(text: str) -> str:
    """A unit's exponent or compound tail as written, with spaces collapsed and any dash as minus."""
    return re.sub(r"\s+", " ", text).replace("-", "−").replace("–", "−").replace("− ", "−")


def _alternation(surfaces: Iterable[str]) -> str:
    return "|".join(re.escape(s) for s in sorted(set(surfaces), key=lambda s: (-len(s), s)))


@lru_cache(maxsize=1)
def lexicon() -> _Lexicon:
    """Compile the lexicons and patterns (once per process)."""
    units: dict[str, Unit] = {}
    units_ci: dict[str, Unit] = {}
    currency_prefixes: dict[str, str] = {}
    for surface, canonical, kind, match in load_tsv("quantity_units.tsv"):
        if kind == "currency_prefix":
            currency_prefixes[surface] = canonical
        elif match == "ci":
            units_ci.setdefault(surface.lower(), Unit(canonical, kind))
        else:
            units.setdefault(surface, Unit(canonical, kind))
    qualifiers: dict[str, Qualifier] = {}
    before: list[str] = []
    after: list[str] = []
    symbols: list[str] = []
    for surface, normalised, bound, approximate, position in load_tsv("quantity_qualifiers.tsv"):
        qualifiers[surface.lower()] = Qualifier(normalised, bound, approximate == "1")
        if position == "post":
            after.append(surface)
        elif surface[0].isalpha():
            before.append(surface)
        else:
            symbols.append(surface)
    nw = number_words()
    first_words = sorted({*nw.units, *nw.tens, *nw.vague, *nw.few}, key=len, reverse=True)
    scale_words = "|".join(sorted(nw.scales, key=len, reverse=True))
    start = re.compile(
        r"(?<![\w.,])\.?\d"
        r"|(?i:(?<![\w-])(?:(?:an?|half" + _SPACE + r"an?)" + _SPACE + r"+(?:" + scale_words + r"|few|couple)"
        r"|(?:" + "|".join(first_words) + r"))(?![\w]))"
    )
    excluded = (
        # dates: "May 12", "12 May 2019", "Sept. 26, 2024", "May 2024", "2019-11-03", "03/11/2019"
        re.compile(
            rf"\b{_MONTHS}\.?{_SPACE}+\d{{1,2}}(?:st|nd|rd|th)?\b(?:,?{_SPACE}+\d{{4}}\b)?"
            rf"|\b\d{{1,2}}(?:st|nd|rd|th)?{_SPACE}+(?:of{_SPACE}+)?{_MONTHS}\b\.?(?:,?{_SPACE}+\d{{4}}\b)?"
            rf"|\b{_MONTHS}\.?,?{_SPACE}+\d{{4}}\b"
            r"|\b\d{4}-\d{1,2}-\d{1,2}\b|\b\d{1,2}[/.]\d{1,2}[/.]\d{2,4}\b"
            rf"|\b{_WEEKDAYS}{_SPACE}+\d{{1,2}}\b"
        ),
        # times of day: "10:30", "05:28 UT", "5 p.m.", "10am", "7 o'clock"
        re.compile(
            r"(?<![\d:])(?:[01]?\d|2[0-4]):[0-5]\d(?::[0-5]\d)?(?![\d:])"
            rf"|\b\d{{1,2}}(?:[.:][0-5]\d)?{_SPACE}?(?:[ap]\.m\.|[ap]m\b|[AP]M\b|o'clock)"
        ),
        # eras and decades: "300 BC", "AD 1850", "the 1990s", "'90s"
        re.compile(rf"\b\d+{_SPACE}?(?:BCE?|CE|AD|BP)\b|\bAD{_SPACE}?\d+|\b\d{{2,4}}'?s\b|'\d0s\b"),
        # ages: "a 63-year-old", "four-year-old", "40 years old", "aged 40", "ages 5 to 12"
        re.compile(
            r"\b[\w-]+[- ](?:year|month|week|day)s?[- ]olds?\b"
            rf"|\b(?:aged|ages?){_SPACE}+(?:of{_SPACE}+|between{_SPACE}+)?\d+(?:{_SPACE}*(?:-|–|to|and){_SPACE}*\d+)?",
            re.IGNORECASE,
        ),
        # phone numbers with three groups or a country code
        re.compile(
            r"(?<![\w.])(?:\+\d{1,3}[\s.-]?)?\(?\d{2,4}\)?[\s.-]\d{3,4}[\s.-]\d{3,4}(?!\w|\.\d)"
            r"|\+\d{1,3}(?:[\s.-]\d{2,4}){2,4}(?!\w|\.\d)"
        ),
        # list numbering at the start of a line, citation brackets, URLs and e-mail addresses
        re.compile(
            r"(?m)^[ \t]*\(?\d{1,2}[.)](?=[ \t])"
            r"|\[\d+(?:[,–-]\s*\d+)*\]|\(\d{1,3}(?:\s*[,–-]\s*\d{1,3})*\)"
            r"|https?://\S+|www\.\S+|\S+@\S+\.\w+|doi:\S+"
        ),
    )
    return _Lexicon(
        start=start,
        digits=re.compile(r"\d{1,3}(?:,\d{3})+(?![\d])(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+"),
        word_run=re.compile(r"[A-Za-z]+(?:(?:" + _SPACE + r"+|-)[A-Za-z]+){0,7}"),
        unit_cs=re.compile(
            r"(?P<u>" + _alternation(units) + r")(?P<e>" + _EXP + r")?(?![A-Za-zµμ0-9])"
            r"(?P<more>(?:(?:"
            + _SPACE
            + r"?/"
            + _SPACE
            + r"?|·|⋅)(?:"
            + _alternation(units)
            + r")(?:"
            + _EXP
            + r")?(?![A-Za-zµμ0-9])|"
            + _SPACE
            + r"(?:"
            + _alternation(units)
            + r")[−–\-]"
            + _SPACE
            + r"?\d(?![A-Za-z0-9]))*)"
        ),
        unit_ci=re.compile(
            r"(?i:(?P<u>" + _alternation(units_ci) + r"))(?![\w])"
            r"(?P<more>(?i:" + _SPACE + r"+per" + _SPACE + r"+(?:" + _alternation(units_ci) + r"))(?![\w]))?"
        ),
        currency_at=re.compile(r"(?:" + _alternation(currency_prefixes) + r")" + _SPACE + r"?(?=\d)"),
        currency_before=re.compile(
            r"(?:(?<![A-Za-z])(?:" + _alternation(currency_prefixes) + r"))" + _SPACE + r"?$"
        ),
        qualifier_before=re.compile(r"(?i:(?<![\w])(?P<q>" + _alternation(before) + r"))" + _SPACE + r"+$"),
        qualifier_after=re.compile(r"(?i:" + _SPACE + r"+(?P<q>" + _alternation(after) + r"))(?![\w])"),
        symbol_before=re.compile(r"(?P<q>" + _alternation(symbols) + r")" + _SPACE + r"?$"),
        scale_after=re.compile(
            r"(?i:" + _SPACE + r"?(?P<s>thousand|million|billion|trillion|bn|mn|mln|tn))(?![\w])"
        ),
        short_scale_after=re.compile(r"(?P<s>[kKmMbB]|bn|Bn)(?![\w])"),
        excluded=excluded,
        reference_before=re.compile(
            r"(?i:(?<![\w])(?:fig(?:ure)?s?|tables?|eqs?|equations?|sections?|chapters?|pages?|pp?|articles?"
            r"|paragraphs?|clauses?|rules?|nos?|numbers?|vol(?:ume)?s?|issues?|items?|steps?|phases?|stages?"
            r"|levels?|grades?|category|categories|class|types?|versions?|v|routes?|highways?|flights?|rooms?"
            r"|apartments?|lots?|box|suites?|exhibits?|appendix|annex|lines?|rows?|columns?|refs?|#|№"
            r"|platform|gate|terminal|channel|season|episode|game|match|round|week|day)\.?)"
            + _SPACE
            + r"*\(?$"
        ),
        calendar=re.compile(
            rf"\b(?:{_MONTHS}|{_WEEKDAYS}|today|yesterday|tomorrow|ago|tonight|morning|evening|night|noon|midnight)\b"
            r"|[ap]\.?m\b",
            re.IGNORECASE,
        ),
        units=units,
        units_ci=units_ci,
        currency_prefixes=currency_prefixes,
        qualifiers=qualifiers,
    )


# ------------------------------------------------------------------------------------------ reading


@dataclass
class Figure:
    """A figure read from the text, before the parse adds what it counts, where, when and who says it.

    ``core`` is the span of the number(s) alone: the parse is looked up there.
    """

    start: int
    end: int
    core: CharSpan
    value: float | None
    low: float | None = None
    high: float | None = None
    qualifier: str | None = None
    approximate: bool = False
    unit: str | None = None
    unit_kind: str | None = None
    words: bool = False  # written in words
    plain_integer: bool = False  # digits only, no separator, decimals, sign, unit or qualifier
    is_range: bool = False
    counted: CharSpan | None = None
    place: CharSpan | None = None
    time: CharSpan | None = None
    attribution: str | None = None
    notes: list[str] = field(default_factory=list)  # which rules fired ("counted:verb"), for error analysis


@dataclass(frozen=True)
class _Number:
    value: float | None
    low: float | None
    high: float | None
    approximate: bool
    end: int
    words: bool
    plain: bool


class _Reader:
    """Reads the figures of one text (one instance per doc; no state survives it)."""

    def __init__(self, text: str, lex: _Lexicon) -> None:
        self.text = text
        self.lex = lex
        excluded: list[CharSpan] = []
        for pattern in lex.excluded:
            excluded.extend(m.span() for m in pattern.finditer(text))
        excluded.sort()
        # regions by start, with the furthest end reached so far: one bisection answers "does
        # anything excluded overlap this span?" however long the text
        self._starts = [a for a, _ in excluded]
        self._reach: list[int] = []
        for _, b in excluded:
            self._reach.append(max(b, self._reach[-1]) if self._reach else b)

    def in_excluded(self, start: int, end: int) -> bool:
        k = bisect_left(self._starts, end) - 1
        return k >= 0 and self._reach[k] > start

    # -- number cores ---------------------------------------------------------------------------

    def number_at(self, pos: int, allow_words: bool = True) -> _Number | None:
        """The number starting exactly at ``pos`` (digits with decimals, exponent or fraction; or words)."""
        text = self.text
        if pos >= len(text):
            return None
        if text[pos].isdigit() or (text[pos] == "." and pos + 1 < len(text) and text[pos + 1].isdigit()):
            m = self.lex.digits.match(text, pos)
            if m is None:
                return None
            raw = m.group()
            value = parse_digits(raw)
            end = m.end()
            plain = raw.isdigit()
            # scientific notation: "1.5×1012", "4.3 × 10−8", "10−4", "1e-5"
            sci = _SCIENTIFIC.match(text, end)
            sup = _POWER_OF_TEN.match(text, end) if raw == "10" else None
            e = _E_NOTATION.match(text, end)
            ratio = _RATIO.match(text, end)
            frac = _FRACTION.match(text, end)
            if sci is not None:
                exponent = parse_exponent(sci.group("e"))
                if exponent is not None and value is not None:
                    value = value * 10.0**exponent
                    end = sci.end()
                    plain = False
            elif sup is not None:
                exponent = parse_exponent(sup.group())
                if exponent is not None:
                    value = 10.0**exponent
                    end = sup.end()
                    plain = False
            elif e is not None:
                exponent = parse_exponent(e.group()[1:].lstrip("+"))
                if exponent is not None and value is not None:
                    value = value * 10.0**exponent
                    end = e.end()
                    plain = False
            elif ratio is not None and value is not None and float(ratio.group(1)) > 0:
                value = value / float(ratio.group(1))
                end = ratio.end()
                plain = False
            elif frac is not None and value is not None and int(frac.group(1)) != 0:
                value = value / int(frac.group(1))
                end = frac.end()
                plain = False
            return _Number(value, None, None, False, end, False, plain)
        if not allow_words:
            return None
        m = self.lex.word_run.match(text, pos)
        if m is None:
            return None
        words = words_of(m.group())
        parsed = parse_word_number([w for w, _, _ in words])
        if parsed is None or parsed.consumed == 0:
            return None
        end = pos + words[parsed.consumed - 1][2]
        return _Number(parsed.value, parsed.low, parsed.high, parsed.approximate, end, True, False)

    # -- units ----------------------------------------------------------------------------------

    def unit_at(self, pos: int, words: bool) -> tuple[Unit, int] | None:
        """A unit right after a number, as (unit, end): symbols glued or after one space ("5mm", "5 mm"),
        words after one space ("5 metres"), unit words after a hyphen ("a 5-year plan").

        After a number in words only word units count ("two metres", not "two m").
        """
        text = self.text
        lex = self.lex
        spaced = pos < len(text) and text[pos] in " \u00a0\u2009\u202f"
        for at in (pos, pos + 1) if spaced else (pos,):
            if not words:
                m = lex.unit_cs.match(text, at)
                if m is not None:
                    unit = lex.units[m.group("u")]
                    canonical = unit.canonical + _norm_unit(m.group("e") or "")
                    if m.group("more"):
                        canonical += _norm_unit(m.group("more"))
                    return Unit(canonical, unit.kind), m.end()
            if at > pos:
                m = lex.unit_ci.match(text, at)
                if m is not None:
                    unit = lex.units_ci[m.group("u").lower()]
                    canonical = unit.canonical
                    if m.group("more"):
                        per = lex.units_ci[m.group("more").split()[-1].lower()]
                        canonical = f"{canonical}/{per.canonical}"
                    return Unit(canonical, unit.kind), m.end()
        if text[pos : pos + 1] == "-":
            m = lex.unit_ci.match(text, pos + 1)
            if m is not None and lex.units_ci[m.group("u").lower()].kind in ("time", "length", "mass"):
                return lex.units_ci[m.group("u").lower()], m.end()
        return None

    # -- one figure -----------------------------------------------------------------------------

    def read(self, pos: int, floor: int) -> tuple[Figure | None, int]:
        """The figure whose first number starts at ``pos``; returns (figure or None, where to go on).

        ``floor`` is the end of the previous figure: qualifiers never reach back over it.
        """
        text = self.text
        lex = self.lex
        first = self.number_at(pos)
        if first is None:
            return None, pos + 1
        core_end = first.end
        # numbers glued to letters or codes: "COVID-19", "F-16", "40Ar", "G7", "3D", "1st", "B12"
        before = text[pos - 1] if pos > 0 else " "
        before2 = text[pos - 2] if pos > 1 else " "
        if not first.words:
            if before.isalpha() or before in "#№_)]}{^*":
                return None, _skip_code(text, first.end)
            if before in "-–−/+" and (before2.isalpha() or before2 in ")]"):
                return None, _skip_code(text, first.end)  # "COVID-19", "n−1", "40Ar/39Ar"
            if before == "(" and before2.isalpha():
                return None, _skip_code(text, first.end)  # "poly(3-hexyl...", "Ca(ClO4)"
        if first.value is None and first.low is None:
            return None, first.end
        fig = Figure(
            start=pos,
            end=first.end,
            core=(pos, first.end),
            value=first.value,
            words=first.words,
            plain_integer=first.plain,
        )
        if first.low is not None:
            fig.low, fig.high, fig.approximate = first.low, first.high, True
        end = first.end
        # -- left: sign, currency, "pH", symbols, word qualifiers, "between"/"from"
        start = pos
        currency: str | None = None
        symbol_q: Qualifier | None = None
        word_q: Qualifier | None = None
        word_q_start = start
        if (
            not first.words
            and start > floor
            and text[start - 1] in "−–-+"
            and (start < 2 or not (text[start - 2].isalnum() or text[start - 2] in ".,)"))
        ):
            start -= 1
            if fig.value is not None and text[start] != "+":
                fig.value = -fig.value
            fig.plain_integer = False
        window_start = max(floor, start - 48)
        for _ in range(3):
            head = text[window_start:start]
            m = lex.currency_before.search(head) if currency is None else None
            if m is not None:
                currency = lex.currency_prefixes[m.group().strip()]
                start = window_start + m.start()
                continue
            m = _PH_BEFORE.search(head) if fig.unit is None else None
            if m is not None:
                fig.unit, fig.unit_kind = "pH", "other"
                start = window_start + m.start()
                continue
            m = lex.symbol_before.search(head) if symbol_q is None else None
            if m is not None:
                symbol_q = lex.qualifiers[m.group("q").lower()]
                start = window_start + m.start()
                continue
            break
        head = text[window_start:start]
        m = lex.qualifier_before.search(head)
        if m is not None:
            word_q = lex.qualifiers[m.group("q").lower()]
            word_q_start = window_start + m.start()
        range_prefix: str | None = None
        rp = _RANGE_PREFIX.search(text, window_start, start)
        if rp is not None:
            range_prefix = rp.group(1).lower()
        # -- right: scale, unit, range, tolerance, suffix qualifier
        if not first.words or first.value is not None:
            m = lex.scale_after.match(text, end)
            if m is not None and first.value is not None and not (first.words and fig.low is not None):
                scale = {"bn": 1e9, "mn": 1e6, "mln": 1e6, "tn": 1e12}.get(m.group("s").lower())
                if scale is None:
                    scale = number_words().scales.get(m.group("s").lower(), 1.0)
                if fig.value is not None:
                    fig.value *= scale
                end = core_end = m.end()
                fig.plain_integer = False
            elif currency is not None:
                m = lex.short_scale_after.match(text, end)
                if m is not None and fig.value is not None:
                    fig.value *= {"k": 1e3, "m": 1e6, "b": 1e9, "bn": 1e9}[m.group("s").lower()]
                    end = core_end = m.end()
                    fig.plain_integer = False
        # letters glued to digits that are not a unit or scale: "3D", "1st", "30Si", "1990s", "Fig. 4A"
        if not first.words and end < len(text) and text[end].isalpha():
            glued = lex.unit_cs.match(text, end)
            if glued is None or (len(glued.group("u")) == 1 and glued.group("u") not in _GLUED_LETTERS):
                return None, _skip_code(text, end)
        unit = self.unit_at(end, first.words)
        # a number in a compound adjective that is not a unit: "two-dimensional", "12-lead", "1-D"
        if unit is None and text[end : end + 1] == "-" and text[end + 1 : end + 2].isalpha():
            word = _LETTERS.match(text, end + 1)
            if word is not None and word.group().lower() not in _HYPHEN_OK:
                return None, word.end()
        if unit is not None:
            fig.unit, fig.unit_kind = unit[0].canonical, unit[0].kind
            end = unit[1]
            fig.plain_integer = False
        # range: "10-15", "10 to 15", "between 3 and 5", "from 2 km to 4 km", "two or three", "9.9%–16.2%"
        rng = _RANGE_SEPARATOR.match(text, end)
        if rng is not None:
            sep = rng.group("sep")
            ok_sep = (
                sep in "-–—"
                or (sep == "to")
                or (sep == "and" and range_prefix == "between")
                or (sep == "through" and range_prefix == "from")
                or sep == "or"
            )
            spaced = rng.group().startswith((" ", "\u00a0")) or rng.group().endswith((" ", "\u00a0"))
            if sep in "-–—" and spaced and sep == "-":
                ok_sep = False  # "10 - 15" is arithmetic or a list dash more often than a range
            second_pos = rng.end()
            cur2 = lex.currency_at.match(text, second_pos)
            if cur2 is not None and currency is not None:
                second_pos = cur2.end()
            negative = False
            if (
                ok_sep
                and not first.words
                and text[second_pos : second_pos + 1] in "−-"
                and sep not in "-–—"
                and text[second_pos + 1 : second_pos + 2].isdigit()
            ):
                second_pos += 1
                negative = True
            second = self.number_at(second_pos, allow_words=first.words) if ok_sep else None
            if second is not None and negative and second.value is not None:
                second = _Number(
                    -second.value, None, None, second.approximate, second.end, second.words, False
                )
            if second is not None and (second.value is not None):
                send = second.end
                svalue = second.value
                m = lex.scale_after.match(text, send)
                if m is not None and svalue is not None:
                    scale = {"bn": 1e9, "mn": 1e6, "mln": 1e6, "tn": 1e12}.get(m.group("s").lower())
                    if scale is None:
                        scale = number_words().scales.get(m.group("s").lower(), 1.0)
                    svalue *= scale
                    send = m.end()
                    if fig.value is not None and fig.value < svalue / scale and core_end == first.end:
                        fig.value *= scale  # "3-5 million": the scale applies to both ends
                elif currency is not None:
                    m = lex.short_scale_after.match(text, send)
                    if m is not None:
                        factor = {"k": 1e3, "m": 1e6, "b": 1e9, "bn": 1e9}[m.group("s").lower()]
                        svalue *= factor
                        if fig.value is not None and core_end == first.end:
                            fig.value *= factor
                        send = m.end()
                glued_bad = (
                    not second.words
                    and send < len(text)
                    and text[send].isalpha()
                    and lex.unit_cs.match(text, send) is None
                )
                unit2 = self.unit_at(send, second.words)
                same_unit = unit2 is None or fig.unit is None or unit2[0].kind == fig.unit_kind
                accept = not glued_bad and same_unit
                if sep == "or":
                    # "two or three", "60 or 63": alternatives of the same form, rising, and never "9 or 4.8"
                    accept = (
                        accept
                        and second.words == first.words
                        and unit is None
                        and (first.words or (first.plain and second.plain))
                        and fig.value is not None
                        and svalue > fig.value
                    )
                if (
                    sep in "-–—"
                    and not spaced
                    and fig.value is not None
                    and unit is None
                    and unit2 is None
                    and fig.value > svalue
                    and fig.plain_integer
                    and second.plain
                ):
                    return None, send  # a score ("won 3-1"): neither number is a figure
                if sep == "to" and range_prefix is None and fig.value is not None and svalue < fig.value:
                    accept = False  # "won by 46 percent to 42 percent": two figures, not a range
                if accept and fig.value is not None:
                    low, high = fig.value, svalue
                    fig.low, fig.high, fig.value = low, high, None
                    fig.is_range = True
                    fig.plain_integer = fig.plain_integer and second.plain
                    core_end = second.end
                    end = send
                    if unit2 is not None:
                        fig.unit, fig.unit_kind = unit2[0].canonical, unit2[0].kind
                        end = unit2[1]
                    if range_prefix is not None and (sep != "and" or range_prefix == "between"):
                        start = min(start, rp.start() if rp is not None else start)
                    if rng.group("sym"):
                        fig.approximate = fig.approximate or rng.group("sym").strip() in "~∼≈"
        # tolerance: "300 ± 15 °C", "9 ± 6%", "1.23±0.25‰"
        tol = _TOLERANCE.match(text, end)
        if tol is not None:
            tnum = self.number_at(tol.end(), allow_words=False)
            if tnum is not None and tnum.value is not None:
                tend = tnum.end
                tunit = self.unit_at(tend, False)
                if tunit is not None:
                    if fig.unit is None:
                        fig.unit, fig.unit_kind = tunit[0].canonical, tunit[0].kind
                    tend = tunit[1]
                if fig.value is not None:
                    fig.low, fig.high = fig.value - tnum.value, fig.value + tnum.value
                fig.approximate = True
                fig.plain_integer = False
                core_end = tnum.end
                end = tend
        # dimensions: "500 nm × 500 nm", "60 × 10 × 3 mm3"
        while True:
            dim = _TIMES.match(text, end)
            if dim is None:
                break
            dnum = self.number_at(dim.end(), allow_words=False)
            if dnum is None:
                break
            dend = dnum.end
            dunit = self.unit_at(dend, False)
            if dunit is not None:
                fig.unit, fig.unit_kind = dunit[0].canonical, dunit[0].kind
                dend = dunit[1]
            fig.plain_integer = False
            core_end = dnum.end
            end = dend
        if currency is not None:
            fig.unit, fig.unit_kind = currency, "currency"
            fig.plain_integer = False
        # suffix qualifier: "5 or more", "10 years or so"
        post = lex.qualifier_after.match(text, end)
        post_q: Qualifier | None = None
        if post is not None:
            post_q = lex.qualifiers[post.group("q").lower()]
            end = post.end()
        # qualifiers: a word qualifier reaches the span only when nothing but the symbol lies between
        qualifier: Qualifier | None = None
        if word_q is not None and (rp is None or fig.is_range is False or word_q_start < start):
            qualifier = word_q
            start = min(start, word_q_start)
        if symbol_q is not None:
            qualifier = qualifier or symbol_q
            fig.approximate = fig.approximate or symbol_q.approximate
        if post_q is not None:
            qualifier = qualifier or post_q
        if qualifier is not None:
            fig.qualifier = qualifier.normalised
            fig.approximate = fig.approximate or qualifier.approximate or bool(post_q and post_q.approximate)
            if fig.value is not None and not fig.is_range:
                if qualifier.bound == "lower" and fig.low is None:
                    fig.low = fig.value
                elif qualifier.bound == "upper" and fig.high is None:
                    fig.high = fig.value
            fig.plain_integer = False
        fig.start, fig.end, fig.core = start, end, (pos, core_end)
        return fig, end

    def figures(self) -> list[Figure]:
        """Every figure of the text, left to right, not overlapping, before the parse-based checks."""
        out: list[Figure] = []
        pos = 0
        text = self.text
        for m in self.lex.start.finditer(text):
            if m.start() < pos:
                continue
            try:
                fig, pos = self.read(m.start(), pos)
            except (ValueError, OverflowError, KeyError, IndexError):
                fig, pos = None, m.end()
            if fig is None:
                continue
            if self.in_excluded(fig.core[0], fig.core[1]):
                continue
            out.append(fig)
        return out


# -------------------------------------------------------------------------------------- the parse


def _tokens(doc: Doc, span: CharSpan) -> Span | None:
    return doc.char_span(span[0], span[1], alignment_mode="expand")


def _np_span(head: Token, skip: range = range(0)) -> CharSpan:
    """The noun with its left modifiers ("new flood barriers", "the soda can's volume" without "the"),
    leaving out determiners and any modifier that overlaps the token range ``skip`` (the figure)."""
    left = head.i
    for child in head.lefts:
        if child.dep_ in ("det", "predet", "punct", "nummod", "quantmod", "case", "cc", "prep"):
            continue
        lo = child.left_edge.i
        hi = child.right_edge.i
        if skip and lo < skip.stop and skip.start <= hi:
            continue
        left = min(left, lo)
    doc = head.doc
    while left < head.i and (doc[left].is_punct or doc[left].dep_ in ("det", "predet", "cc")):
        left += 1
    return doc[left].idx, head.idx + len(head.text)


def _with_pp(head: Token, skip: range) -> CharSpan:
    """A noun's span; a property noun ("temperature", "concentration", "budget") takes its "of"/"in"
    phrase too, since the property alone says little: "the concentration of SO2 in the soil"."""
    span = _np_span(head, skip)
    if head.lemma_.lower() not in _PROPERTY_NOUNS and head.lower_ not in _PROPERTY_NOUNS:
        return span
    end = span[1]
    for child in head.rights:
        if child.dep_ != "prep" or child.lower_ not in ("of", "in", "for", "on", "at"):
            continue
        right = child.right_edge
        if skip and child.i < skip.stop and skip.start <= right.i:
            continue
        if right.i - head.i > 10:
            break
        end = right.idx + len(right.text)
        break
    return span[0], end


def _np_full(head: Token, skip: range) -> CharSpan:
    """A noun with its modifiers on both sides and its prepositional phrases ("the velocity at the
    upper boundary"), but no clause, nothing of the figure, and at most 12 tokens after the head."""
    start, end = _np_span(head, skip)
    last = head
    for child in head.rights:
        if child.dep_ not in ("prep", "amod", "compound", "appos", "nmod", "poss", "case"):
            break
        right = child.right_edge
        if (skip and child.i < skip.stop and skip.start <= right.i) or right.i - head.i > 12:
            break
        if any(t.is_punct and t.text not in "-–/" for t in head.doc[last.i + 1 : child.i]):
            break
        last = right
    return start, max(end, last.idx + len(last.text))


def _subject_of(verb: Token) -> Token | None:
    for child in verb.children:
        if child.dep_ in ("nsubj", "nsubjpass", "csubj", "expl"):
            return child if child.pos_ in ("NOUN", "PROPN", "PRON") else None
    if verb.dep_ in ("conj", "xcomp", "advcl", "relcl") and verb.head is not verb:
        if verb.dep_ == "relcl" and verb.head.pos_ in ("NOUN", "PROPN"):
            return verb.head
        return _subject_of(verb.head)
    return None


class _Context:
    """Per-doc look-ups the parse-based steps share (built once per doc)."""

    def __init__(self, doc: Doc, lex: _Lexicon) -> None:
        self.doc = doc
        self.lex = lex
        self.text = text_of(doc)
        # calendar expressions: "strong" ones name a day, month or time of day ("May 12", "two days
        # ago"), whose numbers are never figures; "weak" ones hold only digits, and the model tags many
        # plain counts and measurements DATE ("5318 participants", "1980 mm"): years among them are
        # caught by the year rule instead.
        self.calendar: list[tuple[int, int, bool]] = []
        self.places: dict[int, Span] = {}
        self.dates: list[Span] = []
        for ent in doc.ents:
            label = ent.label_
            if label in ("DATE", "TIME"):
                self.dates.append(ent)
                self.calendar.append((ent.start_char, ent.end_char, bool(lex.calendar.search(ent.text))))
            elif label in _PLACE_LABELS:
                self.places[ent.start] = ent
        times = doc._.sayso_times
        self.times: list[CharSpan] | None = None
        if isinstance(times, list):
            self.times = []
            for t in times:
                if isinstance(t, TimeRecord):
                    self.times.append(t.span)
                    if t.type in ("DATE", "TIME"):
                        strong = bool(lex.calendar.search(self.text[t.span[0] : t.span[1]]))
                        self.calendar.append((t.span[0], t.span[1], strong))
        self.place_starts = {ent.start_char: ent for ent in self.places.values()}
        # the time expressions figures may take, sorted, so each figure looks only in its sentence
        dates = [(e.start_char, e.end_char) for e in self.dates]
        self.time_spans: list[CharSpan] = sorted(self.times if self.times is not None else dates)

    def calendar_kind(self, span: CharSpan) -> str | None:
        """ "strong", "weak" or ``None``: the strongest calendar expression overlapping ``span``."""
        kind: str | None = None
        for a, b, strong in self.calendar:
            if a < span[1] and span[0] < b:
                if strong:
                    return "strong"
                kind = "weak"
        return kind


def _keep(fig: Figure, core: Span, ctx: _Context) -> bool:
    """The parse-based exclusions: calendar expressions, years, labels, pronoun "one", names."""
    text = ctx.text
    last = core[-1]
    if ctx.calendar_kind(fig.core) == "strong" and fig.unit_kind not in ("currency", "percent"):
        return False
    if fig.plain_integer and not fig.is_range and fig.value is not None and 1000 <= fig.value <= 2100:
        # a year unless it counts something: "2000 people", not "the 2012 election", "from 2005 levels"
        head = last.head
        prev = core.doc[core.start - 1].lower_ if core.start > 0 else ""
        counts = (
            last.dep_ in ("nummod", "compound", "amod")
            and head.i > last.i
            and head.tag_ == "NNS"
            and prev not in _YEAR_BEFORE
            and ctx.lex.units_ci.get(head.lower_) is None
        )
        if not counts:
            return False
    if fig.plain_integer and fig.value is not None and fig.value >= 1e9:
        return False  # ten digits or more without separators: an identifier or a phone number
    if fig.plain_integer and fig.value is not None and fig.value <= 120 and _after_name(core):
        return False  # an age after a name: "Crutcher, 40, ...", "Marta Sousa (52)"
    if (
        fig.is_range
        and fig.plain_integer
        and fig.unit is None
        and fig.low is not None
        and fig.high is not None
    ):
        if 1000 <= fig.low <= 2100 and 1000 <= fig.high <= 2100:
            return False  # "1991 to 1993"
        if 1000 <= fig.low <= 2100 and fig.high < 100 and text[fig.core[0] + 4 : fig.core[0] + 5] in "-–/":
            return False  # "2019-20", "2019/20"
    if fig.unit is None and fig.qualifier is None:
        # labels: "Figure 3", "Article 5", "No. 10", "phase 2", "lines 16 and 17", "Figs. 6–9"
        if ctx.lex.reference_before.search(text[max(0, fig.start - 16) : fig.start]):
            return False
        label = (
            _label_before(core[0]) if fig.plain_integer or (fig.is_range and "." not in core.text) else None
        )
        named = label is not None and label.pos_ == "PROPN" and label.ent_type_ not in ("GPE", "LOC", "FAC")
        if label is not None and (named or not _modifies_noun(last)):
            return False
        first = core[0]
        head = first.head
        if (
            first.dep_ in ("nummod", "appos", "npadvmod", "compound", "dep", "nmod")
            and head.i < first.i
            and head.pos_ == "PROPN"
            and first.i - head.i <= 2
        ):
            return False  # "Windows 10", "Apollo 11", "Portugal 2"
    if fig.words:
        if any(t.pos_ == "PROPN" for t in core) and not core[0].is_sent_start:
            return False  # "the Big Three", "Formula One"
        if (
            core.text.lower() in _ONE_WORDS
            and fig.unit is None
            and fig.qualifier is None
            and not fig.is_range
        ):
            return False  # "one of them", "no one", "one hell of a", "one person": not a figure worth one
    return True


def _after_name(core: Span) -> bool:
    """Whether a number follows a person's name as an age does: "Crutcher, 40," or "Sousa (52)"."""
    doc = core.doc
    i = core.start
    if i < 2 or doc[i - 1].text not in (",", "("):
        return False
    after = doc[core.end].text if core.end < len(doc) else ""
    return doc[i - 2].ent_type_ == "PERSON" and after in (",", ")", "―", "—", "–", "-", ".")


def _num_like(tok: Token) -> bool:
    return tok.like_num or bool(_LABEL_NUMBER.fullmatch(tok.text))


def _label_before(tok: Token) -> Token | None:
    """The noun a bare number labels, looking left over a list of numbers: "phase 5", "lines 16 and
    17", "Figs. 2, 3 and 5". ``None`` when the word before is anything else ("killed 12", "= 3")."""
    doc = tok.doc
    k = tok.i - 1
    while k >= 1 and doc[k].text in (",", "and", "or", "&", "–", "-", "to") and _num_like(doc[k - 1]):
        k -= 2
        while k >= 1 and doc[k].text == "," and doc[k + 1].text in ("and", "or"):
            k -= 1
    if k < 0:
        return None
    prev = doc[k]
    if prev.pos_ in ("NOUN", "PROPN") and prev.is_alpha and "\n" not in prev.whitespace_:
        if prev.ent_type_ in ("DATE", "TIME"):
            return None
        return prev
    return None


def _modifies_noun(tok: Token) -> bool:
    """Whether a number modifies a noun to its right ("clone 23 cells" would count cells)."""
    head = tok.head
    return tok.dep_ in ("nummod", "compound") and head.i > tok.i and head.pos_ == "NOUN"


def _counted(fig: Figure, core: Span, ctx: _Context) -> tuple[CharSpan | None, int]:
    """What the figure counts or measures, and the character offset the span may extend to.

    The extension is the end of the counted noun when it directly follows a count ("12 homes",
    "Hundreds of families"), else the figure's own end.
    """
    doc = ctx.doc
    span_tokens = _tokens(doc, (fig.start, fig.end))
    if span_tokens is None:
        return None, fig.end
    last_fig = span_tokens[-1]
    last_num = core[-1]
    exclude = last_fig.i
    nxt = doc[last_fig.i + 1] if last_fig.i + 1 < len(doc) else None
    # "Hundreds of families", "300 of the victims", "0.05 g of dried sediment", "10% of the population"
    if nxt is not None and nxt.lower_ == "of" and nxt.head.i in range(span_tokens.start, span_tokens.end):
        objs = [t for t in nxt.children if t.dep_ == "pobj"]
        if objs and objs[0].pos_ in ("NOUN", "PROPN", "PRON", "ADJ", "NUM"):
            np = _np_span(objs[0], range(span_tokens.start, nxt.i + 1))
            adjacent = objs[0].i - nxt.i <= 4
            fig.notes.append("counted:of")
            return np, (np[1] if adjacent and fig.unit is None else fig.end)
    # "$3.5 billion in aid"
    if fig.unit_kind == "currency" and nxt is not None and nxt.lower_ == "in":
        objs = [t for t in nxt.children if t.dep_ == "pobj"]
        if objs and objs[0].pos_ == "NOUN" and objs[0].i - nxt.i <= 3:
            fig.notes.append("counted:money_in")
            return _np_span(objs[0], range(span_tokens.start, nxt.i + 1)), fig.end
    # the noun the figure modifies: "40 homes", "1,200 people", "1.3 mm beach", "$3 billion aid package"
    for tok in (last_fig, last_num):
        head = tok.head
        if (
            tok.dep_ in ("nummod", "compound", "amod", "quantmod", "npadvmod", "nmod", "appos")
            and head.i > last_fig.i
            and head.i - last_fig.i <= 6
            and head.pos_ in ("NOUN", "PROPN")
            and not any(doc[k].is_punct and doc[k].text not in "-–" for k in range(last_fig.i + 1, head.i))
            and ctx.lex.units_ci.get(head.lower_) is None
        ):
            # a count's noun stands alone ("homes", with "in Faro" its place); a measured thing keeps
            # its phrase ("1.3 mm beach", "$3 billion aid package for farmers")
            skip_fig = range(span_tokens.start, exclude + 1)
            np = _np_span(head, skip_fig) if fig.unit is None else _np_full(head, skip_fig)
            if np[0] < fig.end:
                np = (doc[last_fig.i + 1].idx, np[1])
            fig.notes.append("counted:modifies")
            return np, (np[1] if fig.unit is None else fig.end)
    # the parse missed it: a plain noun right after a count
    if fig.unit is None and nxt is not None and nxt.tag_ in ("NNS", "NN") and nxt.pos_ == "NOUN":
        k = nxt.i
        while (
            k + 1 < len(doc)
            and doc[k].dep_ == "compound"
            and doc[k].head.i == k + 1
            and doc[k + 1].pos_ == "NOUN"
        ):
            k += 1
        end_tok = doc[k]
        if ctx.lex.units_ci.get(end_tok.lower_) is None:
            fig.notes.append("counted:next_noun")
            return (nxt.idx, end_tok.idx + len(end_tok.text)), end_tok.idx + len(end_tok.text)
    # measurements: what a parenthesis or "=" gives the figure to, the noun it is "of", the
    # object or subject of the verb it completes, else the subject of its clause
    skip = range(span_tokens.start, span_tokens.end)
    marker = _MARKER_BEFORE.search(ctx.text, max(0, fig.start - 4), fig.start)
    first = span_tokens[0]
    if marker is not None and first.i >= 2:
        before = doc[first.i - 2] if doc[first.i - 1].text in "(=:" else None
        statistic = marker.group(1) == "=" and before is not None and before.text in _STATISTICS
        if (
            before is not None
            and not statistic
            and (before.pos_ in ("NOUN", "PROPN") or (marker.group(1) == "=" and before.is_alpha))
        ):
            fig.notes.append("counted:marker")
            return _with_pp(before, skip), fig.end
    # a verb right before the figure ("reached 31 °C", "rose to 5%", "was heated to 300 °C"): its own
    # subject (or object, through a preposition) is more reliable than the figure's attachment,
    # which the small model often gets wrong around units
    prev = doc[first.i - 1] if first.i > 0 else None
    verb: Token | None = None
    if prev is not None and prev.pos_ in ("VERB", "AUX") and prev.dep_ != "aux":
        verb = prev
    elif (
        prev is not None
        and prev.dep_ in ("prep", "agent")
        and prev.head.pos_ in ("VERB", "AUX")
        and prev.head.i >= prev.i - 3
    ):
        verb = prev.head
    if verb is not None:
        candidate: Token | None = None
        if verb is not prev:
            candidate = next((c for c in verb.children if c.dep_ == "dobj" and c.i not in skip), None)
        if candidate is None or not _nounish(candidate, ctx.lex):
            candidate = _subject_of(verb)
        if candidate is not None and _nounish(candidate, ctx.lex) and candidate.i not in skip:
            fig.notes.append("counted:verb_before")
            return _np_full(candidate, skip), fig.end
    cur = span_tokens.root
    for _ in range(5):
        head = cur.head
        if head is cur:
            break
        if cur.dep_ == "pobj" and head.dep_ in ("prep", "agent"):
            owner = head.head
            if owner.pos_ in ("NOUN", "PROPN") and owner.i not in skip and owner.i < cur.i:
                # "a temperature of 40 °C": a property; what has it is the subject or object of the
                # verb above ("the reactor reached a temperature of ..."), when there is one
                if owner.lemma_.lower() in _PROPERTY_NOUNS:
                    bearer = _bearer(owner, skip)
                    if bearer is not None:
                        fig.notes.append("counted:owner_bearer")
                        return _np_full(bearer, skip), fig.end
                fig.notes.append("counted:owner")
                return _with_pp(owner, skip), fig.end
            cur = head
            continue
        if head.pos_ in ("VERB", "AUX"):
            candidate = None
            if cur.dep_ == "prep":
                candidate = next(
                    (c for c in head.children if c.dep_ in ("dobj", "attr") and c.i not in skip), None
                )
            if candidate is None or candidate.pos_ not in ("NOUN", "PROPN"):
                candidate = _subject_of(head)
            if candidate is not None and _nounish(candidate, ctx.lex) and candidate.i not in skip:
                fig.notes.append("counted:verb")
                return _np_full(candidate, skip), fig.end
            break
        if (
            head.pos_ in ("NOUN", "PROPN")
            and head.i not in skip
            and cur.dep_ in ("appos", "nmod", "npadvmod")
        ):
            fig.notes.append("counted:appos")
            return _with_pp(head, skip), fig.end
        cur = head
    subject = _subject_of(_clause_head(span_tokens.root))
    if subject is not None and subject.pos_ in ("NOUN", "PROPN") and subject.i not in skip:
        fig.notes.append("counted:clause_subject")
        return _np_full(subject, skip), fig.end
    # a measurement the parse leaves unattached: the nearest noun phrase before it in the sentence
    if fig.unit is not None:
        sent = span_tokens.sent
        for k in range(span_tokens.start - 1, sent.start - 1, -1):
            tok = doc[k]
            if _nounish(tok, ctx.lex) and tok.dep_ != "compound":
                fig.notes.append("counted:left_noun")
                return _np_span(tok, skip), fig.end
    return None, fig.end


def _nounish(tok: Token, lex: _Lexicon) -> bool:
    """A noun that can be what a figure counts: not a unit ("%", "K", "ppm") nor a symbol."""
    return (
        tok.pos_ in ("NOUN", "PROPN")
        and any(c.isalpha() for c in tok.text)
        and tok.text not in lex.units
        and tok.lower_ not in lex.units_ci
    )


def _bearer(prop: Token, skip: range) -> Token | None:
    """The noun a property noun belongs to through the verb above it: the subject, or the object
    when the property is the subject ("the furnace reached a temperature of" -> "furnace")."""
    cur = prop
    for _ in range(6):
        head = cur.head
        if head is cur:
            return None
        if head.pos_ in ("VERB", "AUX"):
            subject = _subject_of(head)
            if (
                subject is not None
                and subject.i not in skip
                and subject.i != prop.i
                and subject.pos_ in ("NOUN", "PROPN")
            ):
                return subject
            for child in head.children:
                if child.dep_ in ("dobj", "attr") and child.i not in skip and child.i != prop.i:
                    return child if child.pos_ in ("NOUN", "PROPN") else None
            return None
        cur = head
    return None


def _clause_head(tok: Token) -> Token:
    """The head of the clause a token is in (a verb with a clausal relation, or the root)."""
    cur = tok
    for _ in range(40):
        if cur.dep_ in _CLAUSE_DEPS and cur.pos_ in ("VERB", "AUX"):
            return cur
        if cur.head is cur:
            return cur
        cur = cur.head
    return cur


def _clause_tokens(head: Token) -> set[int]:
    """Token indices of a clause: the head's subtree minus the clauses nested in it."""
    inside: set[int] = set()
    stack = [head]
    while stack:
        tok = stack.pop()
        inside.add(tok.i)
        for child in tok.children:
            if child.dep_ in _CLAUSE_DEPS and child.pos_ in ("VERB", "AUX") and child is not head:
                continue
            stack.append(child)
    return inside


def _place(fig: Figure, anchor: Token | None, clause: set[int], ctx: _Context, end: int) -> CharSpan | None:
    """A GPE/LOC/FAC attached to the figure: "homes in Faro" (text right after), the counted noun's
    own "in/at/near" phrase, or one on the verb of the figure's clause ("In Faro, 40 homes ...")."""
    m = _PLACE_AFTER.match(ctx.text[end : end + 40])
    if m is not None:
        ent = ctx.place_starts.get(end + m.end())
        if ent is not None:
            return ent.start_char, ent.end_char

    def from_preps(tok: Token) -> CharSpan | None:
        for child in tok.children:
            if child.dep_ == "prep" and child.lower_ in _PLACE_PREPS:
                for obj in child.children:
                    if obj.dep_ != "pobj":
                        continue
                    for t in obj.subtree:
                        ent = ctx.places.get(t.i)
                        if ent is not None:
                            return ent.start_char, ent.end_char
        return None

    if anchor is not None:
        found = from_preps(anchor)
        if found is not None:
            return found
        verb = _clause_head(anchor)
        if verb.pos_ in ("VERB", "AUX"):
            return from_preps(verb)
    return None


def _time(fig: Figure, sentence: Span, clause: set[int], ctx: _Context) -> CharSpan | None:
    """The nearest time expression in the figure's clause (``doc._.sayso_times``, else DATE entities)."""
    doc = ctx.doc
    spans = ctx.time_spans
    lo = bisect_left(spans, (sentence.start_char, -1))
    hi = bisect_left(spans, (sentence.end_char, -1))
    best: tuple[int, CharSpan] | None = None
    for span in spans[lo:hi]:
        if span[0] < fig.end and fig.start < span[1]:
            continue
        toks = _tokens(doc, span)
        if toks is None or toks.root.i not in clause:
            continue
        dist = fig.start - span[1] if span[1] <= fig.start else span[0] - fig.end
        if best is None or dist < best[0]:
            best = (dist, span)
    return best[1] if best is not None else None


def _attribution(fig: Figure, attributions: Sequence[AttributionRecord] | None) -> str | None:
    """The innermost attribution whose content contains the figure."""
    if not attributions:
        return None
    best: tuple[int, str] | None = None
    for attribution in attributions:
        for a, b in attribution.content:
            if a <= fig.core[0] and fig.core[1] <= b and (best is None or b - a < best[0]):
                best = (b - a, attribution.id)
    return best[1] if best is not None else None


def find_quantities(doc: Doc, span_includes_counted: bool = True) -> list[QuantityRecord]:
    """The figures of a parsed doc as records (the component's work, callable on its own)."""
    lex = lexicon()
    text = text_of(doc)
    if not text:
        return []
    reader = _Reader(text, lex)
    ctx: _Context | None = None
    records: list[QuantityRecord] = []
    attributions = doc._.sayso_attributions if isinstance(doc._.sayso_attributions, list) else None
    for fig in reader.figures():
        if ctx is None:
            ctx = _Context(doc, lex)
        core = _tokens(doc, fig.core)
        if core is None or len(core) == 0:
            continue
        if not _keep(fig, core, ctx):
            continue
        counted, extend_to = _counted(fig, core, ctx)
        if counted is not None and counted[1] > counted[0]:
            fig.counted = counted
        if span_includes_counted and extend_to > fig.end and fig.unit is None:
            fig.end = extend_to
        anchor_tok: Token | None = None
        if fig.counted is not None:
            counted_toks = _tokens(doc, fig.counted)
            anchor_tok = counted_toks.root if counted_toks is not None else None
        if anchor_tok is None:
            anchor_tok = core.root
        clause = _clause_tokens(_clause_head(anchor_tok))
        end_for_place = max(fig.end, fig.counted[1] if fig.counted is not None else fig.end)
        fig.place = _place(fig, anchor_tok, clause, ctx, end_for_place)
        fig.time = _time(fig, core.sent, clause, ctx)
        fig.attribution = _attribution(fig, attributions)
        records.append(
            QuantityRecord(
                id=f"q{len(records) + 1}",
                span=(fig.start, fig.end),
                value=fig.value,
                low=fig.low,
                high=fig.high,
                qualifier=fig.qualifier,
                approximate=fig.approximate,
                unit=fig.unit,
                counted=fig.counted,
                place=fig.place,
                time=fig.time,
                attribution=fig.attribution,
            )
        )
    return records


def canonical_unit(text: str) -> str | None:
    """The canonical form of a unit as written ("km s−1", "per cent", "Swiss francs" -> "CHF"), or
    ``None`` when the lexicon does not know it. Used by the MeasEval scorer to compare units."""
    reader = _Reader(" " + text.strip(), lexicon())
    found = reader.unit_at(0, False) or reader.unit_at(1, False) or reader.unit_at(1, True)
    if found is None:
        stripped = text.strip()
        if stripped in lexicon().currency_prefixes:
            return lexicon().currency_prefixes[stripped]
        return None
    return found[0].canonical


@Language.factory(
    "sayso_quantities",
    assigns=["doc._.sayso_quantities"],
    default_config={"span_includes_counted": True},
)
def make_quantities(nlp: Language, name: str, span_includes_counted: bool) -> Callable[[Doc], Doc]:
    """Build the component. It reads the parse, ``doc.ents``, ``doc._.sayso_times`` and
    ``doc._.sayso_attributions`` (either may be absent) and writes ``doc._.sayso_quantities``.

    ``span_includes_counted``: a count's span covers its counted noun ("12 homes"), as news readers
    quote figures; ``False`` gives MeasEval's convention (the number alone).
    """
    lexicon()  # compile at build time, not on the first doc

    def sayso_quantities(doc: Doc) -> Doc:
        try:
            doc._.sayso_quantities = find_quantities(doc, span_includes_counted)
        except Exception:  # never let one odd document stop a batch; say so in the log
            _LOG.warning("sayso_quantities failed on a document; no figures for it", exc_info=True)
            doc._.sayso_quantities = []
        return doc

    return sayso_quantities
