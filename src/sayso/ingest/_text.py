"""Plain-text files, and the lenient decoding every byte-level reader shares."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator

from sayso.errors import ErrorCode, InputError
from sayso.ingest._article import _BOMS, Article, check_text, decode_bytes
from sayso.ingest._items import IngestItem, SkippedInput, error_reason
from sayso.settings import max_chars

log = logging.getLogger(__name__)


def decode_lenient(data: bytes, declared: str | None = None) -> str:
    """Decode like :func:`decode_bytes`, but fall back instead of refusing.

    A BOM wins; then an encoding the document declares (HTTP header, ``<meta charset>``); then UTF-8.
    When UTF-8 fails the bytes are almost always Windows-1252 (old newsroom systems), and Latin-1 decodes
    anything that is left; binary data is still refused (E002) by the NUL check here and by
    :func:`check_text` later.
    """
    if any(data.startswith(bom) for bom, _ in _BOMS):
        return decode_bytes(data)
    if declared:
        try:
            return data.decode(declared.strip().strip("\"'"))
        except (UnicodeDecodeError, LookupError):
            pass
    try:
        return decode_bytes(data)
    except InputError as exc:
        if exc.code != ErrorCode.E003.name:
            raise
    for fallback in ("cp1252", "latin-1"):
        try:
            text = data.decode(fallback)
        except UnicodeDecodeError:
            continue
        log.debug("input is not UTF-8; decoded as %s", fallback)
        return text
    raise InputError(ErrorCode.E003, encoding="latin-1")  # pragma: no cover - latin-1 decodes any byte


def byte_limit() -> int:
    """Files larger than this cannot fit under SAYSO_MAX_CHARS in any encoding (at most 4 bytes a char)."""
    return 4 * max_chars() + 4


def too_large_reason(size: int) -> str:
    """E004 for a file refused before it is read, so its size is known in bytes, not characters."""
    return (
        f"{ErrorCode.E004.name}: Input is too long: {size:,} bytes, the limit is {max_chars():,} "
        "characters (setting SAYSO_MAX_CHARS)."
    )


def read_text_file(path: str) -> Iterator[IngestItem | SkippedInput]:
    """One plain-text file is one article; it carries no title (the first line may be a dateline)."""
    size = os.path.getsize(path)
    if size > byte_limit():
        yield SkippedInput(path, too_large_reason(size))
        return
    with open(path, "rb") as handle:
        data = handle.read()
    try:
        text = check_text(decode_lenient(data))
    except InputError as exc:
        yield SkippedInput(path, error_reason(exc))
        return
    yield IngestItem(locator=path, article=Article(text=text), site=None, input_format="text")
