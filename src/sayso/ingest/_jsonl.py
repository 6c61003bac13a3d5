"""JSON Lines: one article a line, as scrapers and dataset dumps write them.

The file is streamed line by line (corpora of this kind run to gigabytes), and a broken line is
skipped with its line number while the rest of the file continues.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from sayso.errors import InputError
from sayso.ingest._article import Article, check_text
from sayso.ingest._html import html_to_text
from sayso.ingest._items import (
    IngestItem,
    Skip,
    SkippedInput,
    language_tag,
    lenient_date,
    one_line,
    site_from_url,
)
from sayso.ingest._text import decode_lenient

#: Keys read for each field, first present wins: the names common dumps (news-please, NewsAPI,
#: Common Crawl derivatives) use.
_PUBLISHED_KEYS = ("published", "date")
_SITE_KEYS = ("site", "source")


def _first(record: Mapping[str, Any], keys: tuple[str, ...]) -> object:
    for key in keys:
        value = record.get(key)
        if value not in (None, ""):
            return value
    return None


def _optional_str(value: object) -> str | None:
    return (value.strip() or None) if isinstance(value, str) else None


def _site(value: object) -> str | None:
    """A site given as a string, or as NewsAPI's ``{"id": ..., "name": ...}`` object."""
    if isinstance(value, Mapping):
        value = value.get("name") or value.get("id")
    return _optional_str(value)


def record_to_item(record: object, locator: str) -> IngestItem:
    """One decoded JSON value as an article; raises :class:`Skip` when it cannot be one.

    Metadata in the record wins over what is extracted from its ``html``: a dump's fields were usually
    taken from the source's API, which is more reliable than a guess from the page.
    """
    if not isinstance(record, Mapping):
        raise Skip(f"JSON value is a {type(record).__name__}, not an object")
    url = _optional_str(record.get("url"))
    try:
        published = lenient_date(_first(record, _PUBLISHED_KEYS))
    except InputError as exc:
        raise Skip.from_error(exc) from exc
    title = _optional_str(record.get("title"))
    site = _site(_first(record, _SITE_KEYS))
    language = record.get("language")
    text = record.get("text")
    html = record.get("html")
    if isinstance(text, str) and text.strip():
        try:
            text = check_text(text)
        except InputError as exc:
            raise Skip.from_error(exc) from exc
        article = Article(
            text=text, title=title, url=url, published=published, language=language_tag(language)
        )
        return IngestItem(locator, article, site or site_from_url(url), "jsonl")
    if isinstance(html, str) and html.strip():
        extracted = html_to_text(html, url)
        article = Article(
            text=extracted.text,
            title=title or extracted.title,
            url=url or extracted.url,
            published=published or extracted.published,
            language=language_tag(language, extracted.language),
        )
        return IngestItem(locator, article, site or extracted.site, "jsonl")
    raise Skip("no non-empty 'text' or 'html' field")


def _line_to_item(raw: bytes, number: int, locator: str) -> IngestItem:
    try:
        line = decode_lenient(raw.removeprefix(b"\xef\xbb\xbf") if number == 1 else raw)
    except InputError as exc:
        raise Skip.from_error(exc) from exc
    try:
        record = json.loads(line)
    except ValueError as exc:  # JSONDecodeError, and integers too long to convert
        raise Skip(f"invalid JSON: {one_line(exc)}") from exc
    return record_to_item(record, locator)


def read_jsonl_file(path: str) -> Iterator[IngestItem | SkippedInput]:
    """Each non-blank line is one record; locators are ``<path>:<line>`` with 1-based line numbers."""
    with open(path, "rb") as handle:
        for number, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            locator = f"{path}:{number}"
            try:
                item: IngestItem | SkippedInput = _line_to_item(raw, number, locator)
            except Skip as skip:
                item = SkippedInput(locator, skip.reason)
            yield item
