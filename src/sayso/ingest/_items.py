"""What every reader yields, and the small helpers the readers share.

Readers never raise for a bad document: a corpus of a million pages always holds some broken ones, and
one of them must not end an ingest run. Instead they yield a :class:`SkippedInput` whose ``reason`` the
CLI prints and the store records, so that a resumed run knows the document was seen.
"""

from __future__ import annotations

import datetime as dt
import email.utils
from dataclasses import dataclass
from urllib.parse import urlsplit

from sayso.errors import InputError
from sayso.ingest._article import Article, parse_published

#: The names accepted by ``read_inputs(input_format=...)`` (and ``sayso ingest --format``).
INPUT_FORMATS: tuple[str, ...] = ("text", "html", "jsonl", "warc", "feed")


@dataclass(frozen=True)
class IngestItem:
    """One input document turned into an :class:`Article`.

    ``locator`` is stable across runs over the same paths ("<path>", "<path>:<line>",
    "<path>#<WARC-Record-ID>", "<path>#<entry id or link>"), so a store can key idempotent and resumable
    ingest on it.
    """

    locator: str
    article: Article
    site: str | None
    input_format: str


@dataclass(frozen=True)
class SkippedInput:
    """An input document that yields no article, with a one-line reason a person can act on."""

    locator: str
    reason: str


def error_reason(exc: InputError) -> str:
    """``"E002: Input looks binary: ..."``: the code first, so reasons can be grouped and searched."""
    return f"{exc.code}: {exc.message}"


def one_line(text: object, limit: int = 200) -> str:
    """Collapse a message to one bounded, printable line: reasons end up in tables and log lines, and
    parser errors often quote the binary bytes they choked on."""
    flat = " ".join("".join(ch if ch.isprintable() else " " for ch in str(text)).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def site_from_url(url: str | None) -> str | None:
    """The host of an http(s) URL without a leading ``www.``: the outlet when no site name is declared."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not host:
        return None
    return host.removeprefix("www.") or None


def lenient_date(value: object) -> dt.date | None:
    """A date from ISO 8601 (``parse_published``) or from RFC 2822 as feeds and scrapers write it.

    Raises ``InputError`` E009 when a value is present but is neither: a wrong anchor date would silently
    shift every relative date ("on Tuesday") in the analysis, so callers decide whether to skip or drop it.
    """
    try:
        return parse_published(value)
    except InputError:
        if isinstance(value, str):
            try:
                return email.utils.parsedate_to_datetime(value.strip()).date()
            except (TypeError, ValueError, IndexError):
                pass
        raise


def quiet_date(value: object) -> dt.date | None:
    """:func:`lenient_date`, or None: for dates guessed by an extractor, where a bad guess is no error."""
    try:
        return lenient_date(value)
    except InputError:
        return None


def language_tag(value: object, default: str = "en") -> str:
    """The primary subtag of a BCP 47 tag, lowercased (``"en-GB"`` -> ``"en"``), else ``default``."""
    if not isinstance(value, str):
        return default
    primary = value.strip().replace("_", "-").split("-", 1)[0].lower()
    return primary if primary.isalpha() and 2 <= len(primary) <= 3 else default


class Skip(Exception):
    """Raised inside a reader for one document that yields no article; the reader turns it into a
    :class:`SkippedInput` and carries on with the next document."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason

    @classmethod
    def from_error(cls, exc: InputError) -> Skip:
        return cls(error_reason(exc))
