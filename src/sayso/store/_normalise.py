"""Normalised keys for grouping across articles: names, places and counted nouns.

Grouping must be cheap, deterministic and the same at ingest and at query time (``--counted homes`` has to
find rows stored from "1,200 homes"), so it is done by small rules rather than by a parser: case-folding,
dropping determiners and punctuation, and singularising the last word ("homes" -> "home", "people" ->
"person"). Synonyms are not merged ("homes" and "houses" stay apart): that would be a judgement.
"""

from __future__ import annotations

import re

_DETERMINERS = frozenset({"the", "a", "an", "some", "its", "their", "his", "her", "this", "that", "these"})
_PRONOUNS = frozenset(
    {"i", "we", "you", "he", "she", "it", "they", "me", "us", "him", "them", "one", "who", "which", "that"}
)
_IRREGULAR = {
    "people": "person",
    "persons": "person",
    "men": "man",
    "women": "woman",
    "children": "child",
    "lives": "life",
    "wives": "wife",
    "knives": "knife",
    "wolves": "wolf",
    "halves": "half",
    "feet": "foot",
    "teeth": "tooth",
    "mice": "mouse",
    "geese": "goose",
    "police": "police",
    "news": "news",
    "series": "series",
    "species": "species",
}
_KEEP_S = ("ss", "us", "is", "os")
_NON_WORD = re.compile(r"[^\w\s-]+", re.UNICODE)
_SPACE = re.compile(r"\s+")


def normalise_name(text: str | None) -> str | None:
    """Case-folded words without leading determiners, possessive 's or punctuation; None when empty."""
    if not text:
        return None
    cleaned = _NON_WORD.sub(" ", text.replace("’", "'").replace("'s ", " ").removesuffix("'s"))
    words = _SPACE.sub(" ", cleaned).strip().casefold().split(" ")
    while words and words[0] in _DETERMINERS:
        words = words[1:]
    joined = " ".join(w for w in words if w)
    return joined or None


def singular(word: str) -> str:
    """English singular of one lower-case word, by rule (enough to merge "homes" with "home")."""
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    if len(word) <= 3 or not word.endswith("s") or word.endswith(_KEEP_S):
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "ches", "shes", "xes", "zzes")):
        return word[:-2]
    return word[:-1]


def normalise_noun(text: str | None) -> str | None:
    """Key of a counted noun phrase: :func:`normalise_name`, then the last word singularised."""
    name = normalise_name(text)
    if name is None:
        return None
    words = name.split(" ")
    words[-1] = singular(words[-1])
    return " ".join(words)


def speaker_key(text: str | None) -> str | None:
    """Key of a speaker name; None for pronouns and empty sources, which name nobody by themselves."""
    name = normalise_name(text)
    if name is None or name in _PRONOUNS:
        return None
    return name
