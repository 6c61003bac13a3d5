"""Readers that turn bytes and metadata into :class:`Article` objects, and input checks shared by all.

``read_inputs`` is the entry point of ``sayso ingest``: plain text, HTML, JSON Lines, WARC and RSS/Atom
in, :class:`IngestItem` (an article plus where it came from) or :class:`SkippedInput` (why not) out.
"""

from sayso.ingest._article import Article, check_text, decode_bytes, parse_published
from sayso.ingest._items import INPUT_FORMATS, IngestItem, SkippedInput
from sayso.ingest._readers import read_inputs

__all__ = [
    "INPUT_FORMATS",
    "Article",
    "IngestItem",
    "SkippedInput",
    "check_text",
    "decode_bytes",
    "parse_published",
    "read_inputs",
]
