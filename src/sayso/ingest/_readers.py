"""``read_inputs``: files and folders in, articles (or reasons for skipping) out.

This is the one entry point of ``sayso ingest``: it expands folders, picks a reader per file (by the
``--format`` the user gave, else the extension, else the first bytes) and guarantees that no bad
document stops the run.
"""

from __future__ import annotations

import codecs
import logging
import os
import re
import zlib
from collections.abc import Callable, Iterator, Sequence

from sayso.errors import ErrorCode, InputError
from sayso.ingest._article import _BOMS
from sayso.ingest._feeds import read_feed_file
from sayso.ingest._html import read_html_file
from sayso.ingest._items import INPUT_FORMATS, IngestItem, SkippedInput, error_reason, one_line
from sayso.ingest._jsonl import read_jsonl_file
from sayso.ingest._text import read_text_file
from sayso.ingest._warc import read_warc_file

log = logging.getLogger(__name__)

Reader = Callable[[str], Iterator[IngestItem | SkippedInput]]

_READERS: dict[str, Reader] = {
    "text": read_text_file,
    "html": read_html_file,
    "jsonl": read_jsonl_file,
    "warc": read_warc_file,
    "feed": read_feed_file,
}

#: Extensions read when a folder is walked (longest first, so ``.warc.gz`` wins over anything shorter).
_EXTENSIONS: tuple[tuple[str, str], ...] = (
    (".warc.gz", "warc"),
    (".ndjson", "jsonl"),
    (".jsonl", "jsonl"),
    (".html", "html"),
    (".atom", "feed"),
    (".warc", "warc"),
    (".htm", "html"),
    (".txt", "text"),
    (".rss", "feed"),
    (".xml", "feed"),
)

_FEED_ROOT = re.compile(r"<(rss|feed|rdf:rdf)\b")
_SNIFF_BYTES = 4096


def format_by_extension(name: str) -> str | None:
    """The format a file name promises, or None when the name says nothing."""
    lower = name.lower()
    for suffix, fmt in _EXTENSIONS:
        if lower.endswith(suffix):
            return fmt
    return None


def _head_text(head: bytes) -> str:
    """The first bytes as text for sniffing only: honour a BOM, ignore anything undecodable."""
    for bom, name in _BOMS:
        if head.startswith(bom):
            return codecs.decode(head[len(bom) :], name.removesuffix("-sig"), "ignore")
    return head.decode("utf-8", "ignore")


def sniff_format(head: bytes) -> str | None:
    """Guess a format from a file's first bytes; None for a compressed file that is not a WARC.

    Markup is a feed when its root element is ``<rss>``, ``<feed>`` or ``<rdf:RDF>``, HTML otherwise;
    ``{`` starts JSON Lines; anything else is taken as plain text (whose checks then refuse binary data).
    """
    if head.startswith(b"\x1f\x8b"):
        try:
            inner = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(head, 64)
        except zlib.error:
            return None
        return "warc" if inner.startswith(b"WARC/") else None
    if head.startswith(b"WARC/"):
        return "warc"
    text = _head_text(head).lstrip().lower()
    if text.startswith("<"):
        return "feed" if _FEED_ROOT.search(text) and "<html" not in text else "html"
    if text.startswith("{"):
        return "jsonl"
    return "text"


def _walk(folder: str, every_file: bool) -> Iterator[str | SkippedInput]:
    """Files under ``folder`` in sorted order (stable locators, reproducible runs); hidden entries and
    symlinked folders are not followed. With ``every_file`` (a format was forced) any extension counts."""
    try:
        with os.scandir(folder) as scan:
            entries = sorted(scan, key=lambda entry: entry.name)
    except OSError as exc:
        yield SkippedInput(folder, _os_reason(folder, exc))
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        if entry.is_dir(follow_symlinks=False):
            yield from _walk(entry.path, every_file)
        elif entry.is_file() and (every_file or format_by_extension(entry.name)):
            yield entry.path


def _os_reason(path: str, exc: OSError) -> str:
    return error_reason(InputError(ErrorCode.E010, path=path, reason=exc.strerror or one_line(exc)))


def _read_file(path: str, input_format: str | None) -> Iterator[IngestItem | SkippedInput]:
    """One file through its reader; an error escaping a reader ends that file only, with a reason."""
    try:
        fmt = input_format or format_by_extension(os.path.basename(path))
        if fmt is None:
            with open(path, "rb") as handle:
                fmt = sniff_format(handle.read(_SNIFF_BYTES))
        if fmt is None:
            yield SkippedInput(path, "compressed file that is not a WARC archive")
            return
        yield from _READERS[fmt](path)
    except OSError as exc:
        yield SkippedInput(path, _os_reason(path, exc))
    except Exception as exc:  # a bug or a parser surprise must not end a long ingest run
        log.warning("unexpected error reading %s", path, exc_info=True)
        yield SkippedInput(path, f"unexpected error: {type(exc).__name__}: {one_line(exc)}")


def _iter_inputs(paths: Sequence[str], input_format: str | None) -> Iterator[IngestItem | SkippedInput]:
    seen: set[str] = set()
    for given in paths:
        if os.path.isdir(given):
            files: Iterator[str | SkippedInput] = _walk(given, every_file=input_format is not None)
        elif os.path.exists(given):
            files = iter([given])
        else:
            yield SkippedInput(given, error_reason(InputError(ErrorCode.E007, path=given)))
            continue
        for path in files:
            if isinstance(path, SkippedInput):
                yield path
            elif path not in seen:  # a file named twice, or inside a folder also named, is read once
                seen.add(path)
                yield from _read_file(path, input_format)


def read_inputs(
    paths: Sequence[str | os.PathLike[str]], input_format: str | None = None
) -> Iterator[IngestItem | SkippedInput]:
    """Articles from files and folders, lazily, in a stable order.

    Folders are walked recursively in sorted order (.txt, .html/.htm, .jsonl/.ndjson, .warc/.warc.gz,
    .rss/.atom/.xml); single files are read by extension, else by sniffing the first bytes;
    ``input_format`` (one of :data:`INPUT_FORMATS`) overrides detection and, for folders, reads every
    non-hidden file. A document that cannot be read yields a :class:`SkippedInput`, never an exception:
    only an unknown ``input_format`` raises (``ValueError``, at once, before anything is read).
    """
    if input_format is not None and input_format not in INPUT_FORMATS:
        raise ValueError(f"unknown input format {input_format!r}; choose one of: {', '.join(INPUT_FORMATS)}")
    if isinstance(paths, (str, os.PathLike)):  # one path given bare: not a sequence of characters
        paths = [paths]
    return _iter_inputs([os.path.normpath(os.fspath(p)) for p in paths], input_format)
