"""The :class:`Article` that every reader yields, and the checks that keep bad input out of the parser."""

from __future__ import annotations

import codecs
import datetime as dt
from dataclasses import dataclass

from sayso.errors import ErrorCode, InputError
from sayso.settings import max_chars


@dataclass
class Article:
    """Clean text plus what is known about it. ``published`` anchors relative dates ("on Tuesday")."""

    text: str
    title: str | None = None
    url: str | None = None
    published: dt.date | None = None
    language: str = "en"


def parse_published(value: object) -> dt.date | None:
    """Accept a date, a datetime or an ISO 8601 string (date or date-time); refuse anything else (E009)."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00")).date()
        except ValueError:
            pass
    raise InputError(ErrorCode.E009, value=value)


_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def decode_bytes(data: bytes, encoding: str | None = None) -> str:
    """Decode input bytes: the given encoding, else a BOM's, else UTF-8. Binary data is refused (E002)."""
    if encoding is None:
        for bom, name in _BOMS:
            if data.startswith(bom):
                encoding = name
                break
    if encoding is None and b"\x00" in data[:8192]:
        raise InputError(ErrorCode.E002)
    chosen = encoding or "utf-8"
    try:
        return data.decode(chosen)
    except (UnicodeDecodeError, LookupError) as exc:
        raise InputError(ErrorCode.E003, encoding=chosen) from exc


def check_text(text: str) -> str:
    """Refuse text that cannot be analysed: empty (E001), binary-looking (E002), too long (E004)."""
    if not isinstance(text, str):
        raise TypeError(f"expected str, got {type(text).__name__}")
    if not text.strip():
        raise InputError(ErrorCode.E001)
    if "\x00" in text:
        raise InputError(ErrorCode.E002)
    sample = text[:4096]
    control = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\n\r\t\f\v")
    if control > max(8, len(sample) // 20):
        raise InputError(ErrorCode.E002)
    limit = max_chars()
    if len(text) > limit:
        raise InputError(ErrorCode.E004, length=len(text), limit=limit)
    return text
