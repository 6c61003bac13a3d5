"""Coded errors, in the spirit of spaCy's ``errors.py``.

Every error sayso raises on purpose carries a stable code (``E001`` ...), so that a user can search
for it, a test can assert on it, and the CLI can map it to an exit status without parsing prose.
"""

from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    """Stable error codes. Never renumber; add new codes at the end."""

    E001 = "Input text is empty (or only whitespace)."
    E002 = "Input looks binary: it contains NUL bytes or mostly control characters."
    E003 = "Input could not be decoded as {encoding}."
    E004 = "Input is too long: {length:,} characters, the limit is {limit:,} (setting SAYSO_MAX_CHARS)."
    E005 = (
        "spaCy pipeline {name!r} is not installed. Install it, or choose another with --model / SAYSO_MODEL."
    )
    E006 = "Unknown profile {name!r}; choose one of: {choices}."
    E007 = "Input file {path!r} does not exist."
    E008 = "A span does not match the text it points into: {detail}."
    E009 = "Invalid published date {value!r}: use ISO 8601, e.g. 2024-06-04."
    E010 = "Input file {path!r} could not be read: {reason}."
    E011 = "Cannot open the store {url!r}: {reason}"
    E012 = "No input could be read from {paths}: every input was missing, unreadable or skipped."


class SaysoError(Exception):
    """Base class of every error sayso raises deliberately; ``code`` is an :class:`ErrorCode` name."""

    def __init__(self, code: ErrorCode, **fields: object) -> None:
        self.code = code.name
        self.message = code.value.format(**fields) if fields else code.value
        super().__init__(f"[{self.code}] {self.message}")


class InputError(SaysoError, ValueError):
    """The input cannot be analysed as it is (empty, binary, undecodable, too long, missing)."""


class ConfigError(SaysoError, ValueError):
    """A setting names something that does not exist (model, profile)."""


class StoreError(SaysoError, RuntimeError):
    """The store (database) cannot be opened, migrated or written."""
