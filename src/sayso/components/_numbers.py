"""Number reading for ``sayso_quantities``: digits, number words and the lexicons behind them.

Why a module of its own: how "1,200", "1.5×10−4", "two hundred and fifty", "half a million" or
"tens of thousands" become numbers has nothing to do with spaCy or with where a figure sits in a
sentence, so it is plain functions over strings, tested on their own, and loaded once per process.

Lexicons live in ``sayso/resources`` so that a reader can extend them without touching code:

* ``quantity_numbers.tsv``: number words (units, tens, scales, fractions, vague plurals such as
  "hundreds" that give a range rather than a value, and indefinite counts such as "several").
* ``quantity_qualifiers.tsv``: words and symbols that qualify a figure ("more than", "about", "~").
* ``quantity_units.tsv``: units and currencies with their canonical form and kind.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources


@lru_cache(maxsize=8)
def load_tsv(name: str) -> tuple[tuple[str, ...], ...]:
    """Rows of a tab-separated resource file, without comments and blank lines (cached per process)."""
    text = resources.files("sayso").joinpath("resources", name).read_text(encoding="utf-8")
    rows: list[tuple[str, ...]] = []
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        rows.append(tuple(line.split("\t")))
    return tuple(rows)


@dataclass(frozen=True)
class NumberWords:
    """The number-word lexicon, split by the role each word plays in a number phrase."""

    units: dict[str, float]
    tens: dict[str, float]
    scales: dict[str, float]
    fractions: dict[str, float]
    vague: dict[str, tuple[float, float]]
    few: dict[str, tuple[float, float]]
    denominators: dict[str, float]


@lru_cache(maxsize=1)
def number_words() -> NumberWords:
    """The number words of ``quantity_numbers.tsv``."""
    units: dict[str, float] = {}
    tens: dict[str, float] = {}
    scales: dict[str, float] = {}
    fractions: dict[str, float] = {}
    vague: dict[str, tuple[float, float]] = {}
    few: dict[str, tuple[float, float]] = {}
    denominators: dict[str, float] = {}
    for row in load_tsv("quantity_numbers.tsv"):
        word, kind, value = row[0], row[1], float(row[2])
        high = float(row[3]) if len(row) > 3 and row[3] else value
        if kind == "unit":
            units[word] = value
        elif kind == "ten":
            tens[word] = value
        elif kind == "scale":
            scales[word] = value
        elif kind == "fraction":
            fractions[word] = value
        elif kind == "vague":
            vague[word] = (value, high)
        elif kind == "few":
            few[word] = (value, high)
        elif kind == "denominator":
            denominators[word] = value
    return NumberWords(units, tens, scales, fractions, vague, few, denominators)


@dataclass(frozen=True)
class WordNumber:
    """A number read from words: a value, or (for "hundreds", "several thousand") a range."""

    value: float | None
    low: float | None
    high: float | None
    approximate: bool
    consumed: int  # how many of the given words belong to the number


_MINUS = "−–-‒"
_SUPERSCRIPT = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-")


def parse_digits(text: str) -> float | None:
    """A number written in digits: "1,200", "3.5", ".64", "−8" (any dash as minus). ``None`` if not one."""
    cleaned = text.strip().replace(",", "").replace(" ", "")
    if cleaned[:1] in _MINUS:
        cleaned = "-" + cleaned[1:]
    try:
        return float(cleaned)
    except ValueError:
        return None


def parse_exponent(text: str) -> int | None:
    """The exponent in "10−4", "10⁻⁴", "10-4", "106" (a superscript lost in extraction: 10^6)."""
    digits = text.translate(_SUPERSCRIPT).replace(" ", "")
    for dash in _MINUS:
        digits = digits.replace(dash, "-")
    try:
        return int(digits)
    except ValueError:
        return None


def _scale_run(words: list[str], i: int, nw: NumberWords) -> tuple[float, int] | None:
    """The scale word at ``words[i]`` and the index after it, if there is one."""
    if i < len(words) and words[i] in nw.scales:
        return nw.scales[words[i]], i + 1
    return None


def parse_word_number(words: list[str]) -> WordNumber | None:
    """Read the longest number at the start of ``words`` (lower-case words, hyphens already split).

    Covers "two hundred and fifty", "twenty-five", "four and a half", "1.5" is not words (see
    :func:`parse_digits`), "a dozen", "half a million", "several hundred", "a few thousand",
    "hundreds", "tens of thousands", "hundreds of millions". Returns ``None`` when ``words`` does not
    start with a number; ``consumed`` says how many words were read.
    """
    nw = number_words()
    if not words:
        return None
    first = words[0]
    # "hundreds", "tens of thousands", "dozens": a range, not a value.
    if first in nw.vague:
        low, high = nw.vague[first]
        i = 1
        if i + 1 < len(words) and words[i] == "of" and words[i + 1] in nw.vague and words[i + 1] != first:
            low2, _ = nw.vague[words[i + 1]]
            if low2 >= 1000 and low2 > high:
                low, high = low * low2, (high + 1) * low2 - 1
                i += 2
        if first == "tens" and i == 1:
            return None  # "tens" alone is not a number
        return WordNumber(None, low, high, True, i)
    # "several hundred", "a few thousand", "a couple of hundred"
    i = 0
    if first in ("a", "an") and len(words) > 1 and words[1] in nw.few:
        i = 1
    if i < len(words) and words[i] in nw.few:
        low, high = nw.few[words[i]]
        j = i + 1
        if j < len(words) and words[j] == "of" and words[i] == "couple":
            j += 1
        scale = _scale_run(words, j, nw)
        if scale is None:
            return None
        factor, j = scale
        if low == high:
            return WordNumber(low * factor, None, None, False, j)
        return WordNumber(None, low * factor, high * factor, True, j)
    # "half a million", "half a dozen"
    if first == "half" and len(words) > 2 and words[1] in ("a", "an") and words[2] in nw.scales:
        return WordNumber(0.5 * nw.scales[words[2]], None, None, False, 3)
    total = 0.0
    current = 0.0
    i = 0
    consumed = 0
    last = ""  # kind of the last word read: unit, ten, scale, half
    if first in ("a", "an"):
        if len(words) > 1 and words[1] in nw.scales:
            current = nw.scales[words[1]]
            i = consumed = 2
            last = "scale"
            if current >= 1000:
                total, current = current, 0.0
        else:
            return None
    while i < len(words):
        w = words[i]
        if w in nw.units:
            if last in ("unit", "half") or (last == "ten" and not 0 < nw.units[w] < 10):
                break
            current += nw.units[w]
            last = "unit"
        elif w in nw.tens:
            if last in ("unit", "ten", "half") or current % 100 != 0:
                break
            current += nw.tens[w]
            last = "ten"
        elif w in nw.scales:
            if last not in ("unit", "ten", "half", "scale") or (last == "scale" and nw.scales[w] < 1000):
                break
            factor = nw.scales[w]
            if factor >= 1000:
                total += (current or 1.0) * factor
                current = 0.0
            else:
                current = (current or 1.0) * factor
            last = "scale"
        elif w in nw.denominators:
            # "two-thirds", "one fifth": a fraction ends the number
            if last != "unit" or total or not 0 < current < 10:
                break
            current /= nw.denominators[w]
            i += 1
            consumed = i
            break
        elif w == "and" and i + 1 < len(words):
            nxt = words[i + 1]
            if last == "scale" and (nxt in nw.units or nxt in nw.tens):
                i += 1
                continue
            if (
                last in ("unit", "ten")
                and nxt in ("a", "an", "one")
                and i + 2 < len(words)
                and words[i + 2] in nw.fractions
            ):
                current += nw.fractions[words[i + 2]]
                i += 3
                consumed = i
                last = "half"
                continue
            break
        else:
            break
        i += 1
        consumed = i
    if consumed == 0:
        return None
    return WordNumber(total + current, None, None, False, consumed)


_WORD = re.compile(r"[A-Za-z]+")


def words_of(text: str) -> list[tuple[str, int, int]]:
    """Lower-case words of ``text`` with their offsets (hyphens and spaces both separate words)."""
    return [(m.group().lower(), m.start(), m.end()) for m in _WORD.finditer(text)]
