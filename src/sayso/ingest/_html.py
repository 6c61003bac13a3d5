"""HTML to article text and metadata, with trafilatura; shared by the HTML, JSONL, WARC and feed readers.

trafilatura is imported lazily: ``import sayso`` must stay quick for people who only analyse text.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser

from sayso.errors import InputError
from sayso.ingest._article import Article, check_text
from sayso.ingest._items import (
    IngestItem,
    Skip,
    SkippedInput,
    language_tag,
    one_line,
    quiet_date,
    site_from_url,
)
from sayso.ingest._text import decode_lenient, too_large_reason

log = logging.getLogger(__name__)

#: Fewer words than this is navigation or a cookie banner, not an article (e.g. a page that is only
#: a menu, where trafilatura's last-resort baseline returns "Home").
MIN_WORDS = 5

#: HTML files above this size are refused unread; markup makes pages far larger than their text,
#: so this is generous compared with SAYSO_MAX_CHARS.
MAX_HTML_BYTES = 64 * 1024 * 1024

_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_HTML_LANG = re.compile(r"""<html\b[^>]{0,500}?\blang\s*=\s*["']?([A-Za-z_-]+)""", re.IGNORECASE)


@dataclass(frozen=True)
class ExtractedHtml:
    """The main text of a page (paragraphs separated by blank lines) and what the page says about itself."""

    text: str
    title: str | None
    url: str | None
    published: dt.date | None
    site: str | None
    language: str

    def article(self) -> Article:
        return Article(
            text=self.text,
            title=self.title,
            url=self.url,
            published=self.published,
            language=self.language,
        )


def declared_charset(head: bytes) -> str | None:
    """The ``<meta charset>`` (or http-equiv) encoding named in the first bytes of a page, if any."""
    match = _META_CHARSET.search(head[:4096])
    return match.group(1).decode("ascii", "replace") if match else None


def paragraphs(text: str, title: str | None) -> str:
    """One paragraph per line of trafilatura's text, separated by blank lines so the analyzer sees them.

    trafilatura writes one block per line (and ``<br>`` as a line break, which news sites often use
    between paragraphs). A first line that repeats the title is the page's headline and is dropped: the
    title travels as metadata, and a dateline ("ROTTERDAM (Reuters) -") must start the text.
    """
    lines = [" ".join(line.split()) for line in text.splitlines()]
    lines = [line for line in lines if line]
    if lines and title and lines[0].casefold() == " ".join(title.split()).casefold():
        lines = lines[1:]
    return "\n\n".join(lines)


class _FragmentText(HTMLParser):
    """Text of an HTML fragment with a line break at every block element: for feed content, which is
    already the article (no boilerplate to remove) but often too short for trafilatura to accept."""

    _BLOCKS = frozenset(
        "p div br li ul ol h1 h2 h3 h4 h5 h6 blockquote pre table tr section article figure".split()
    )
    _HIDDEN = frozenset(("script", "style", "template"))

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._HIDDEN:
            self._hidden += 1
        elif tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._HIDDEN:
            self._hidden = max(0, self._hidden - 1)
        elif tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def _fragment_text(html: str) -> str:
    parser = _FragmentText()
    parser.feed(html)
    parser.close()
    return "".join(parser.parts)


def html_to_text(html: str, url: str | None = None, *, fragment: bool = False) -> ExtractedHtml:
    """Main text and metadata of a page; raises :class:`Skip` when there is no article text in it.

    ``favor_precision`` stays off and comments are left out: a missed paragraph loses claims, while a
    reader comment would be analysed as if the outlet had published it. ``fragment=True`` (feed
    content) falls back to plain tag stripping when trafilatura finds too little to extract.
    """
    import trafilatura
    from trafilatura.settings import Document

    try:
        doc = trafilatura.bare_extraction(
            html,
            url=url,
            favor_precision=False,
            include_comments=False,
            with_metadata=True,
        )
    except Exception as exc:  # a third-party parser on arbitrary input: any failure is this page's
        log.debug("trafilatura failed on %s", url, exc_info=True)
        raise Skip(f"HTML could not be parsed: {type(exc).__name__}: {one_line(exc)}") from exc
    if doc is not None and not isinstance(doc, Document):  # pragma: no cover - as_dict is off
        raise Skip("HTML could not be parsed: unexpected extractor result")
    raw = (doc.text or "") if doc is not None else ""
    title = (doc.title or None) if doc is not None else None
    text = paragraphs(raw, title)
    if fragment and len(text.split()) < MIN_WORDS:
        text = paragraphs(_fragment_text(html), None)
    if len(text.split()) < MIN_WORDS:
        raise Skip("HTML without extractable text")
    try:
        text = check_text(text)
    except InputError as exc:
        raise Skip.from_error(exc) from exc
    page_url = (doc.url if doc is not None else None) or url
    site = (doc.sitename if doc is not None else None) or site_from_url(page_url)
    lang = _HTML_LANG.search(html[:4096])
    return ExtractedHtml(
        text=text,
        title=title,
        url=page_url,
        published=quiet_date(doc.date) if doc is not None else None,
        site=site,
        language=language_tag(lang.group(1) if lang else None),
    )


def decode_html(data: bytes, declared: str | None = None) -> str:
    """Bytes of a page as text: BOM, then the declared charset (header or ``<meta>``), then UTF-8/cp1252."""
    try:
        return decode_lenient(data, declared or declared_charset(data))
    except InputError as exc:
        raise Skip.from_error(exc) from exc


def read_html_file(path: str) -> Iterator[IngestItem | SkippedInput]:
    """One HTML file is one article; its URL and outlet come from the page's own metadata."""
    size = os.path.getsize(path)
    if size > MAX_HTML_BYTES:
        yield SkippedInput(path, too_large_reason(size))
        return
    with open(path, "rb") as handle:
        data = handle.read()
    try:
        extracted = html_to_text(decode_html(data))
    except Skip as skip:
        yield SkippedInput(path, skip.reason)
        return
    yield IngestItem(locator=path, article=extracted.article(), site=extracted.site, input_format="html")
