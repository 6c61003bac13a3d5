"""RSS and Atom feeds, with feedparser: each entry that carries its article's text is one article.

Many feeds carry only a teaser; analysing one would report a sentence as if it were the article, and
would later collide with the full text of the same story. So an entry becomes an article only with
``content`` (Atom ``<content>``, RSS ``<content:encoded>``) or a summary long enough to be the text.
"""

from __future__ import annotations

import calendar
import datetime as dt
import os
from collections.abc import Iterator, Mapping
from typing import Any

from sayso.errors import InputError
from sayso.ingest._article import Article, check_text
from sayso.ingest._html import MAX_HTML_BYTES, html_to_text, paragraphs
from sayso.ingest._items import IngestItem, Skip, SkippedInput, language_tag, one_line, site_from_url
from sayso.ingest._text import too_large_reason

#: A summary shorter than this (in words) is a teaser, not the article.
MIN_SUMMARY_WORDS = 60

_HTML_TYPES = ("text/html", "application/xhtml+xml")


def _date(entry: Mapping[str, Any]) -> dt.date | None:
    """Publication date of an entry (feedparser normalises every feed date format to UTC tuples)."""
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        parsed = entry.get(key)
        if parsed:
            try:
                return dt.datetime.fromtimestamp(calendar.timegm(parsed), dt.UTC).date()
            except (OverflowError, ValueError, TypeError):
                continue
    return None


def _body(entry: Mapping[str, Any]) -> tuple[str, bool, str | None] | None:
    """(value, is_html, language) of the entry's full text: the longest ``content``, else a long summary."""
    contents = [
        c for c in entry.get("content") or [] if isinstance(c.get("value"), str) and c["value"].strip()
    ]
    if contents:
        best = max(contents, key=lambda c: len(c["value"]))
        return best["value"], best.get("type", "text/html") in _HTML_TYPES, best.get("language")
    summary = entry.get("summary")
    if isinstance(summary, str) and len(summary.split()) >= MIN_SUMMARY_WORDS:
        detail = entry.get("summary_detail") or {}
        return summary, detail.get("type", "text/html") in _HTML_TYPES, detail.get("language")
    return None


def _to_item(entry: Mapping[str, Any], locator: str, site: str | None, feed_language: object) -> IngestItem:
    link = entry.get("link") or None
    body = _body(entry)
    if body is None:
        raise Skip("feed entry without article text (no content, and the summary is a teaser)")
    value, is_html, language = body
    if is_html:
        text = html_to_text(value, link, fragment=True).text
    else:
        try:
            text = check_text(paragraphs(value, None))
        except InputError as exc:
            raise Skip.from_error(exc) from exc
    article = Article(
        text=text,
        title=(entry.get("title") or "").strip() or None,
        url=link,
        published=_date(entry),
        language=language_tag(language or feed_language),
    )
    return IngestItem(locator, article, site or site_from_url(link), "feed")


def read_feed_file(path: str) -> Iterator[IngestItem | SkippedInput]:
    """Articles from one feed file; locators are ``<path>#<entry id>`` (else the link, else the position)."""
    import feedparser

    size = os.path.getsize(path)
    if size > MAX_HTML_BYTES:
        yield SkippedInput(path, too_large_reason(size))
        return
    with open(path, "rb") as handle:
        parsed = feedparser.parse(handle.read())
    entries = parsed.get("entries") or []
    if not entries:
        if parsed.get("bozo"):
            problem = parsed.get("bozo_exception")
            yield SkippedInput(path, f"not a readable RSS/Atom feed: {one_line(problem)}")
        elif not parsed.get("version"):
            yield SkippedInput(path, "not an RSS/Atom feed")
        else:
            yield SkippedInput(path, "feed without entries")
        return
    feed = parsed.get("feed") or {}
    site = (feed.get("title") or "").strip() or site_from_url(feed.get("link"))
    seen: dict[str, int] = {}
    for position, entry in enumerate(entries, start=1):
        key = (entry.get("id") or entry.get("link") or "").strip() or f"entry-{position}"
        seen[key] = seen.get(key, 0) + 1
        locator = f"{path}#{key}" if seen[key] == 1 else f"{path}#{key}~{seen[key]}"
        try:
            item: IngestItem | SkippedInput = _to_item(entry, locator, site, feed.get("language"))
        except Skip as skip:
            item = SkippedInput(locator, skip.reason)
        yield item
