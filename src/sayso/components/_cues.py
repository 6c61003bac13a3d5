"""The cue lexicon (resources/cues.tsv): which words tie content to a source, and with which frames."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources


@dataclass(frozen=True)
class Cue:
    """One lexicon row: a lemma, its part of speech, a coarse class and the complements it takes."""

    lemma: str
    pos: str
    cue_class: str
    frames: frozenset[str]

    def takes(self, frame: str) -> bool:
        return frame in self.frames


@dataclass(frozen=True)
class CueLexicon:
    verbs: dict[str, Cue]
    nouns: dict[str, Cue]

    def verb(self, lemma: str) -> Cue | None:
        return self.verbs.get(lemma.lower())

    def noun(self, lemma: str) -> Cue | None:
        return self.nouns.get(lemma.lower())


@cache
def load_cues() -> CueLexicon:
    """Read the shipped lexicon once per process."""
    verbs: dict[str, Cue] = {}
    nouns: dict[str, Cue] = {}
    text = (resources.files("sayso") / "resources" / "cues.tsv").read_text(encoding="utf-8")
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        lemma, pos, cue_class, frames = (line.split("\t") + [""] * 4)[:4]
        cue = Cue(lemma, pos, cue_class, frozenset(f for f in frames.split(",") if f))
        (verbs if pos == "VERB" else nouns)[lemma] = cue
    return CueLexicon(verbs, nouns)


# Verbs that issue a document ("issued a statement urging ...", "released a report saying ...").
ISSUING_VERBS = frozenset(
    {"issue", "release", "publish", "send", "sign", "make", "put", "circulate", "post", "deliver", "adopt"}
)
# Participles that introduce a document's content ("a statement urging ...", "a letter saying ...").
DOCUMENT_PARTICIPLES = frozenset(
    {
        "say",
        "urge",
        "call",
        "demand",
        "warn",
        "state",
        "note",
        "claim",
        "accuse",
        "ask",
        "announce",
        "declare",
        "argue",
        "insist",
        "indicate",
        "condemn",
        "criticize",
        "criticise",
        "deny",
        "reject",
        "appeal",
        "explain",
        "express",
    }
)
# Nouns for documents and statements that can themselves be a source ("the statement said").
DOCUMENT_NOUNS = frozenset(
    {
        "statement",
        "communiqué",
        "communique",
        "report",
        "decree",
        "letter",
        "declaration",
        "memo",
        "memorandum",
        "order",
        "ruling",
        "resolution",
        "study",
        "survey",
        "poll",
        "document",
        "release",
        "announcement",
        "petition",
        "complaint",
        "lawsuit",
        "indictment",
        "filing",
        "note",
        "post",
        "tweet",
        "message",
        "law",
        "bill",
        "analysis",
        "review",
        "audit",
        "investigation",
        "assessment",
        "paper",
    }
)
