"""WARC and WARC.gz web archives (Common Crawl, Heritrix, browsertrix), streamed record by record.

Only archived HTML pages are articles: ``response`` records with HTTP 200 and an HTML content type, and
``resource`` records of HTML. Everything else (request and metadata records, images, redirects, 404s)
is ignored without a word, because a crawl holds far more of it than of articles and listing each one
as skipped would bury the skips that matter.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from sayso.ingest._html import MAX_HTML_BYTES, decode_html, html_to_text
from sayso.ingest._items import IngestItem, Skip, SkippedInput, one_line, quiet_date, site_from_url

log = logging.getLogger(__name__)

_HTML_TYPES = ("text/html", "application/xhtml+xml")
_CHUNK = 1 << 16


def _media_type(content_type: str | None) -> tuple[str, str | None]:
    """``"text/html; charset=UTF-8"`` -> ``("text/html", "UTF-8")``."""
    if not content_type:
        return "", None
    media, _, params = content_type.partition(";")
    charset = None
    for param in params.split(";"):
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset" and value.strip():
            charset = value.strip().strip("\"'")
    return media.strip().lower(), charset


def _html_charset(record: Any) -> tuple[bool, str | None]:
    """Whether a record is an archived HTML page worth reading, and the charset it declares."""
    if record.rec_type == "response":
        http = record.http_headers
        if http is None or http.get_statuscode() != "200":
            return False, None
        media, charset = _media_type(http.get_header("Content-Type"))
    elif record.rec_type == "resource":
        media, charset = _media_type(record.rec_headers.get_header("Content-Type"))
    else:
        return False, None
    return media in _HTML_TYPES, charset


def _drain(record: Any) -> bool:
    """Read the rest of a record; False when the archive ends before the record's declared length.

    warcio stops silently at the end of a truncated file (and of a truncated gzip member), so this
    is how a cut-off download is told from a complete one: the WARC Content-Length was not reached.
    """
    stream = record.raw_stream
    while stream.read(_CHUNK):
        pass
    return getattr(stream, "limit", 0) <= 0


def _to_item(record: Any, locator: str, payload: bytes, charset: str | None) -> IngestItem:
    url = (record.rec_headers.get_header("WARC-Target-URI") or "").strip() or None
    extracted = html_to_text(decode_html(payload, charset), url)
    article = extracted.article()
    if article.url is None:
        article.url = url
    if article.published is None:
        article.published = quiet_date(record.rec_headers.get_header("WARC-Date"))
    return IngestItem(locator, article, extracted.site or site_from_url(article.url), "warc")


def read_warc_file(path: str) -> Iterator[IngestItem | SkippedInput]:
    """Articles from one archive; locators are ``<path>#<WARC-Record-ID>`` (without angle brackets).

    A corrupt or truncated archive yields what was read before the damage, then one
    :class:`SkippedInput` for the rest of the file carrying warcio's error.
    """
    from warcio.archiveiterator import ArchiveIterator

    read = 0
    with open(path, "rb") as handle:
        records = iter(ArchiveIterator(handle))
        while True:
            try:
                record = next(records)
                is_html, charset = _html_charset(record)
                payload = record.content_stream().read(MAX_HTML_BYTES + 1) if is_html else b""
                complete = _drain(record)
            except StopIteration:
                return
            except Exception as exc:  # warcio, zlib and the HTTP parser each raise their own kinds
                log.debug("WARC %s unreadable after %d records", path, read, exc_info=True)
                reason = f"WARC could not be read after record {read}: {type(exc).__name__}: {exc}"
                yield SkippedInput(path, one_line(reason))
                return
            if record.format != "warc":  # warcio reads any line-based junk as legacy ARC records
                yield SkippedInput(path, f"not a WARC archive: record {read + 1} is not a WARC record")
                return
            if not complete:
                yield SkippedInput(path, f"WARC is truncated: the file ends inside record {read + 1}")
                return
            read += 1
            if not is_html:
                continue
            record_id = (record.rec_headers.get_header("WARC-Record-ID") or "").strip().strip("<>")
            locator = f"{path}#{record_id or f'record-{read}'}"
            if len(payload) > MAX_HTML_BYTES:
                yield SkippedInput(locator, f"HTML record larger than {MAX_HTML_BYTES:,} bytes")
                continue
            try:
                item: IngestItem | SkippedInput = _to_item(record, locator, payload, charset)
            except Skip as skip:
                item = SkippedInput(locator, skip.reason)
            yield item
