"""Readers that turn bytes and metadata into :class:`Article` objects, and input checks shared by all."""

from sayso.ingest._article import Article, check_text, decode_bytes, parse_published

__all__ = ["Article", "check_text", "decode_bytes", "parse_published"]
