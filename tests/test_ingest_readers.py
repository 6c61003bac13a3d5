"""Input readers of ``sayso ingest``: every format, stable locators, carried metadata, and bad input
that turns into a reason instead of an exception. All fixtures are written here (invented news text)."""

from __future__ import annotations

import datetime as dt
import gzip
import io
import json
import os
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders  # type: ignore[import-untyped]
from warcio.warcwriter import WARCWriter  # type: ignore[import-untyped]

from sayso.ingest import INPUT_FORMATS, IngestItem, SkippedInput, read_inputs
from sayso.ingest._readers import sniff_format

PARAS = [
    "ROTTERDAM, March 5 - Dock workers at the port of Rotterdam extended their strike on Tuesday, "
    "the FNV union said, leaving about 40 ships waiting at anchor outside the harbour.",
    '"We will not go back until the offer improves," union spokeswoman Anna de Vries told reporters, '
    "adding that some 1,200 workers had joined the walkout since Sunday.",
    "The port authority said in a statement that talks with employers would resume on Thursday and "
    "that container traffic had fallen by a third compared with the same week last year.",
]
ARTICLE_TEXT = "\n\n".join(PARAS)


def page(title: str = "Port strike enters third day", *, lang: str = "en", extra_head: str = "") -> str:
    body = "".join(f"<p>{p}</p>" for p in PARAS)
    return f"""<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8"><title>{title} | Harbour Times</title>
<meta property="og:site_name" content="Harbour Times">
<meta property="og:title" content="{title}">
<meta property="article:published_time" content="2024-03-05T10:00:00Z">
<link rel="canonical" href="https://www.harbourtimes.example/news/port-strike">{extra_head}</head>
<body><nav><a href="/">Home</a> <a href="/world">World</a> <a href="/sport">Sport</a></nav>
<main><article><h1>{title}</h1>{body}</article></main>
<footer>Copyright Harbour Times. All rights reserved.</footer></body></html>"""


def read(*paths: object, input_format: str | None = None) -> list[IngestItem | SkippedInput]:
    return list(read_inputs([str(p) for p in paths], input_format))


def items(results: list[IngestItem | SkippedInput]) -> list[IngestItem]:
    return [r for r in results if isinstance(r, IngestItem)]


def skipped(results: list[IngestItem | SkippedInput]) -> list[SkippedInput]:
    return [r for r in results if isinstance(r, SkippedInput)]


# --- folders, text and HTML ------------------------------------------------------------------------


@pytest.fixture()
def mixed_folder(tmp_path: Path) -> Path:
    root = tmp_path / "news"
    (root / "b_sub").mkdir(parents=True)
    (root / "a_story.txt").write_text(ARTICLE_TEXT, encoding="utf-8")
    (root / "b_sub" / "page.html").write_text(page(), encoding="utf-8")
    (root / "c_page.htm").write_text(page("Council approves budget"), encoding="utf-8")
    (root / "notes.md").write_text("# not an input", encoding="utf-8")
    (root / ".hidden.txt").write_text(ARTICLE_TEXT, encoding="utf-8")
    (root / "empty.txt").write_bytes(b"")
    return root


def test_folder_is_walked_in_sorted_order_with_known_extensions_only(mixed_folder: Path) -> None:
    results = read(mixed_folder)
    root = str(mixed_folder)
    assert [r.locator for r in results] == [
        os.path.join(root, "a_story.txt"),
        os.path.join(root, "b_sub", "page.html"),
        os.path.join(root, "c_page.htm"),
        os.path.join(root, "empty.txt"),
    ]
    assert [r.input_format for r in items(results)] == ["text", "html", "html"]
    (empty,) = skipped(results)
    assert empty.reason.startswith("E001:")


def test_locators_are_stable_across_reads(mixed_folder: Path) -> None:
    first = read(mixed_folder)
    second = read(str(mixed_folder) + "/./")  # same folder, spelled differently
    assert [r.locator for r in first] == [r.locator for r in second]
    assert first == second


def test_plain_text_keeps_text_and_has_no_title(mixed_folder: Path) -> None:
    (item,) = items(read(mixed_folder / "a_story.txt"))
    assert item.article.text == ARTICLE_TEXT
    assert item.article.title is None
    assert item.site is None
    assert item.input_format == "text"


def test_html_metadata_and_paragraphs(mixed_folder: Path) -> None:
    (item,) = items(read(mixed_folder / "b_sub" / "page.html"))
    article = item.article
    assert article.title == "Port strike enters third day"
    assert article.url == "https://www.harbourtimes.example/news/port-strike"
    assert article.published == dt.date(2024, 3, 5)
    assert article.language == "en"
    assert item.site == "Harbour Times"
    # Boilerplate gone, headline not repeated, paragraphs separated by blank lines.
    assert article.text == ARTICLE_TEXT
    assert "Home" not in article.text and "Copyright" not in article.text


def test_html_site_falls_back_to_host_without_www(tmp_path: Path) -> None:
    html = page().replace('<meta property="og:site_name" content="Harbour Times">', "")
    html = html.replace("| Harbour Times", "")
    (tmp_path / "p.html").write_text(html, encoding="utf-8")
    (item,) = items(read(tmp_path / "p.html"))
    assert item.site == "harbourtimes.example"


def test_html_language_from_lang_attribute(tmp_path: Path) -> None:
    (tmp_path / "p.html").write_text(page(lang="en-GB"), encoding="utf-8")
    (tmp_path / "q.html").write_text(page(lang="nl"), encoding="utf-8")
    assert [i.article.language for i in items(read(tmp_path))] == ["en", "nl"]


def test_html_without_text_and_broken_html(tmp_path: Path) -> None:
    (tmp_path / "menu.html").write_text(
        "<html><body><nav><a href='/'>Home</a></nav></body></html>", encoding="utf-8"
    )
    broken = "<html><body><div><p>" + PARAS[0] + "<p><b>" + PARAS[1] + "</div></span><p>" + PARAS[2]
    (tmp_path / "broken.html").write_text(broken, encoding="utf-8")
    results = read(tmp_path / "menu.html", tmp_path / "broken.html")
    assert [(type(r).__name__, r.locator) for r in results] == [
        ("SkippedInput", str(tmp_path / "menu.html")),
        ("IngestItem", str(tmp_path / "broken.html")),
    ]
    assert results[0].reason == "HTML without extractable text"  # type: ignore[union-attr]
    assert "1,200 workers" in results[1].article.text  # type: ignore[union-attr]


def test_html_declared_cp1252_charset(tmp_path: Path) -> None:
    html = page().replace('charset="utf-8"', 'charset="windows-1252"').replace("Vries", "Vriës")
    (tmp_path / "p.html").write_bytes(html.encode("cp1252"))
    (item,) = items(read(tmp_path / "p.html"))
    assert "Anna de Vriës told" in item.article.text


# --- encodings and bad files ---------------------------------------------------------------------


def test_utf16_with_bom(tmp_path: Path) -> None:
    (tmp_path / "u16.txt").write_bytes(ARTICLE_TEXT.encode("utf-16"))  # BOM included
    (item,) = items(read(tmp_path / "u16.txt"))
    assert item.article.text == ARTICLE_TEXT


def test_cp1252_falls_back_when_utf8_fails(tmp_path: Path) -> None:
    text = "The minister’s “final offer” was rejected, the café owners’ group said – again."
    (tmp_path / "win.txt").write_bytes(text.encode("cp1252"))
    (item,) = items(read(tmp_path / "win.txt"))
    assert item.article.text == text


def test_binary_empty_and_missing(tmp_path: Path) -> None:
    (tmp_path / "blob.txt").write_bytes(bytes(range(256)) * 8)
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "blank.txt").write_text(" \n\t\n", encoding="utf-8")
    missing = tmp_path / "nope.txt"
    results = read(tmp_path / "blob.txt", tmp_path / "empty.txt", tmp_path / "blank.txt", missing)
    assert all(isinstance(r, SkippedInput) for r in results)
    assert [r.reason.split(":")[0] for r in skipped(results)] == ["E002", "E001", "E001", "E007"]
    assert skipped(results)[3].locator == str(missing)


def test_too_long_text_is_skipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SAYSO_MAX_CHARS", "100")
    (tmp_path / "long.txt").write_text(ARTICLE_TEXT, encoding="utf-8")
    (tmp_path / "huge.txt").write_text(ARTICLE_TEXT * 3, encoding="utf-8")  # refused before reading
    results = read(tmp_path)
    assert [r.reason.split(":")[0] for r in skipped(results)] == ["E004", "E004"]
    assert not items(results)


def test_sniffing_files_without_known_extension(tmp_path: Path) -> None:
    (tmp_path / "story").write_text(ARTICLE_TEXT, encoding="utf-8")
    (tmp_path / "page.php").write_text(page(), encoding="utf-8")
    (tmp_path / "dump.json").write_text(json.dumps({"text": ARTICLE_TEXT}) + "\n", encoding="utf-8")
    results = read(tmp_path / "story", tmp_path / "page.php", tmp_path / "dump.json")
    assert [r.input_format for r in items(results)] == ["text", "html", "jsonl"]
    assert sniff_format(b'<?xml version="1.0"?>\n<rss version="2.0">') == "feed"
    assert sniff_format(b"\xff\xfe" + "<feed xmlns='x'>".encode("utf-16-le")) == "feed"
    assert sniff_format(gzip.compress(b"WARC/1.0\r\n")) == "warc"
    assert sniff_format(gzip.compress(b"hello")) is None


def test_input_format_overrides_detection(tmp_path: Path) -> None:
    (tmp_path / "page.txt").write_text(page(), encoding="utf-8")
    (tmp_path / "page.dat").write_text(page(), encoding="utf-8")
    as_text = read(tmp_path / "page.txt")
    as_html = read(tmp_path, input_format="html")  # forced: every file in the folder, any extension
    assert items(as_text)[0].input_format == "text" and "<p>" in items(as_text)[0].article.text
    assert [(r.locator, r.input_format) for r in items(as_html)] == [
        (str(tmp_path / "page.dat"), "html"),
        (str(tmp_path / "page.txt"), "html"),
    ]
    with pytest.raises(ValueError, match="unknown input format"):
        read_inputs([str(tmp_path)], "pdf")
    assert set(INPUT_FORMATS) == {"text", "html", "jsonl", "warc", "feed"}


def test_a_file_named_twice_is_read_once(mixed_folder: Path) -> None:
    results = read(mixed_folder / "a_story.txt", mixed_folder)
    locators = [r.locator for r in results]
    assert len(locators) == len(set(locators)) == 4


# --- JSON Lines ----------------------------------------------------------------------------------


def test_jsonl_records_metadata_and_broken_lines(tmp_path: Path) -> None:
    lines = [
        json.dumps(
            {
                "id": "a1",
                "text": ARTICLE_TEXT,
                "title": "Port strike",
                "url": "https://www.harbourtimes.example/a1",
                "published": "2024-03-05T08:00:00Z",
                "source": {"id": "ht", "name": "Harbour Times"},
                "language": "en-GB",
            }
        ),
        '{"text": "unterminated',
        "",
        json.dumps({"html": page(), "date": "Tue, 05 Mar 2024 10:00:00 GMT", "site": "HT Wire"}),
        json.dumps({"title": "no body"}),
        json.dumps(["not", "an", "object"]),
        json.dumps({"text": ARTICLE_TEXT, "published": "last Tuesday"}),
        json.dumps({"text": ARTICLE_TEXT, "url": "https://news.example.org/x"}),
    ]
    path = tmp_path / "dump.ndjson"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    results = read(path)
    assert [r.locator for r in results] == [f"{path}:{n}" for n in (1, 2, 4, 5, 6, 7, 8)]
    first, from_html, last = items(results)
    assert first.article.title == "Port strike"
    assert first.article.published == dt.date(2024, 3, 5)
    assert first.article.url == "https://www.harbourtimes.example/a1"
    assert first.site == "Harbour Times"
    assert first.input_format == "jsonl"
    assert from_html.article.text == ARTICLE_TEXT
    assert from_html.article.title == "Port strike enters third day"  # extracted, none given
    assert from_html.article.published == dt.date(2024, 3, 5)  # RFC 2822 date accepted
    assert from_html.site == "HT Wire"  # given metadata wins over og:site_name
    assert last.site == "news.example.org"
    reasons = {r.locator.rsplit(":", 1)[1]: r.reason for r in skipped(results)}
    assert reasons["2"].startswith("invalid JSON:")
    assert reasons["5"] == "no non-empty 'text' or 'html' field"
    assert "list" in reasons["6"]
    assert reasons["7"].startswith("E009:")


# --- WARC ----------------------------------------------------------------------------------------


def write_warc(path: Path, *, gzip_records: bool = True) -> list[str]:
    """An HTML 200, a PNG, a 404 page, a request record and an HTML resource; returns the HTML record ids."""
    ids = []
    with open(path, "wb") as handle:
        writer = WARCWriter(handle, gzip=gzip_records)

        def response(url: str, status: str, ctype: str, body: bytes, date: str | None = None) -> str:
            http = StatusAndHeaders(status, [("Content-Type", ctype)], protocol="HTTP/1.1")
            headers = {"WARC-Date": date} if date else None
            record = writer.create_warc_record(
                url, "response", payload=io.BytesIO(body), http_headers=http, warc_headers_dict=headers
            )
            writer.write_record(record)
            return str(record.rec_headers.get_header("WARC-Record-ID"))

        ids.append(
            response(
                "https://www.harbourtimes.example/news/port-strike", "200 OK", "text/html", page().encode()
            )
        )
        response(
            "https://www.harbourtimes.example/logo.png", "200 OK", "image/png", b"\x89PNG\r\n\x1a\n" * 50
        )
        response("https://www.harbourtimes.example/gone", "404 Not Found", "text/html", page("Gone").encode())
        request = writer.create_warc_record(
            "https://www.harbourtimes.example/", "request", payload=io.BytesIO(b"GET / HTTP/1.1\r\n\r\n")
        )
        writer.write_record(request)
        undated = page("Budget vote delayed").replace(
            '<meta property="article:published_time" content="2024-03-05T10:00:00Z">', ""
        )
        ids.append(
            response(
                "https://city.example.net/budget",
                "200 OK",
                "text/html; charset=utf-8",
                undated.encode(),
                date="2024-04-01T12:00:00Z",
            )
        )
    return ids


def test_warc_gz_reads_only_html_200(tmp_path: Path) -> None:
    path = tmp_path / "crawl.warc.gz"
    ids = write_warc(path)
    results = read(path)
    assert all(isinstance(r, IngestItem) for r in results)
    assert [r.locator for r in results] == [f"{path}#{rid.strip('<>')}" for rid in ids]
    first, second = items(results)
    assert first.input_format == "warc"
    assert first.article.text == ARTICLE_TEXT
    assert first.article.url == "https://www.harbourtimes.example/news/port-strike"
    assert first.article.published == dt.date(2024, 3, 5)  # from the page, not the crawl
    assert first.site == "Harbour Times"
    assert second.article.title == "Budget vote delayed"
    assert second.article.published == dt.date(2024, 4, 1)  # no date in the page: WARC-Date
    assert read(path) == results


def test_uncompressed_warc_and_html_resource_record(tmp_path: Path) -> None:
    path = tmp_path / "crawl.warc"
    write_warc(path, gzip_records=False)
    with open(path, "ab") as handle:
        writer = WARCWriter(handle, gzip=False)
        record = writer.create_warc_record(
            "https://archive.example/page",
            "resource",
            payload=io.BytesIO(page("Archived copy").encode()),
            warc_content_type="text/html",
        )
        writer.write_record(record)
    results = read(path)
    assert len(items(results)) == 3 and not skipped(results)
    assert items(results)[2].article.title == "Archived copy"


def test_truncated_warc_keeps_earlier_records(tmp_path: Path) -> None:
    full = tmp_path / "full.warc.gz"
    write_warc(full)
    data = full.read_bytes()
    cut = tmp_path / "cut.warc.gz"
    cut.write_bytes(data[: len(data) - 200])  # ends inside the last (HTML) record
    results = read(cut)
    assert [type(r).__name__ for r in results] == ["IngestItem", "SkippedInput"]
    assert results[0].article.text == ARTICLE_TEXT  # type: ignore[union-attr]
    assert results[1].locator == str(cut)
    assert "truncated" in results[1].reason  # type: ignore[union-attr]


def test_corrupt_bytes_inside_warc_gz_keep_earlier_records(tmp_path: Path) -> None:
    path = tmp_path / "damaged.warc.gz"
    write_warc(path)
    data = bytearray(path.read_bytes())
    middle = len(data) // 2  # inside the 404 record, after the HTML page and the PNG
    data[middle : middle + 40] = bytes(40)
    path.write_bytes(bytes(data))
    results = read(path)
    assert [type(r).__name__ for r in results] == ["IngestItem", "SkippedInput"]
    reason = results[1].reason  # type: ignore[union-attr]
    assert reason.startswith("WARC could not be read after record 2: ArchiveLoadFailed")
    assert reason.isprintable() and len(reason) <= 200


def test_corrupt_warc_gives_reason(tmp_path: Path) -> None:
    path = tmp_path / "bad.warc"
    path.write_bytes(b"this is not a web archive at all\r\n" * 20)
    (result,) = read(path)
    assert isinstance(result, SkippedInput)
    assert result.reason == "not a WARC archive: record 1 is not a WARC record"


# --- RSS and Atom --------------------------------------------------------------------------------

RSS = f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel><title>Harbour Times - World</title><link>https://www.harbourtimes.example/</link>
<language>en-us</language>
<item><title>Port strike enters third day</title><link>https://www.harbourtimes.example/news/port-strike</link>
<guid>ht-2024-0305-strike</guid><pubDate>Tue, 05 Mar 2024 10:00:00 GMT</pubDate>
<description>Dock workers extend their strike.</description>
<content:encoded><![CDATA[{"".join(f"<p>{p}</p>" for p in PARAS)}]]></content:encoded></item>
<item><title>Teaser only</title><link>https://www.harbourtimes.example/news/teaser</link>
<description>Short teaser for a story behind a paywall.</description></item>
<item><title>Long summary</title><link>https://www.harbourtimes.example/news/long</link>
<pubDate>Wed, 06 Mar 2024 09:30:00 +0100</pubDate>
<description>{" ".join(PARAS)}</description></item>
</channel></rss>"""

ATOM = f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
<title>City Desk</title><link href="https://city.example.net/"/><id>urn:city-desk</id>
<updated>2024-03-07T00:00:00Z</updated>
<entry><title>Council approves budget</title><id>urn:city:budget-2024</id>
<link href="https://city.example.net/budget"/><updated>2024-03-07T08:00:00Z</updated>
<content type="html">{"".join(f"&lt;p&gt;{p}&lt;/p&gt;" for p in PARAS)}</content></entry>
<entry><title>Short note</title><id>urn:city:note</id><updated>2024-03-07T09:00:00Z</updated>
<content type="text">The council meets again on Friday, the clerk said.</content></entry>
</feed>"""


def test_rss_entries(tmp_path: Path) -> None:
    path = tmp_path / "world.rss"
    path.write_text(RSS, encoding="utf-8")
    results = read(path)
    assert [r.locator for r in results] == [
        f"{path}#ht-2024-0305-strike",
        f"{path}#https://www.harbourtimes.example/news/teaser",
        f"{path}#https://www.harbourtimes.example/news/long",
    ]
    strike, teaser, long = results
    assert isinstance(strike, IngestItem) and isinstance(long, IngestItem)
    assert strike.article.text == ARTICLE_TEXT
    assert strike.article.title == "Port strike enters third day"
    assert strike.article.url == "https://www.harbourtimes.example/news/port-strike"
    assert strike.article.published == dt.date(2024, 3, 5)
    assert strike.site == "Harbour Times - World"
    assert strike.input_format == "feed"
    assert isinstance(teaser, SkippedInput) and "without article text" in teaser.reason
    assert long.article.text == " ".join(PARAS)
    assert long.article.published == dt.date(2024, 3, 6)  # 09:30 +01:00 is 08:30 UTC


def test_atom_entries(tmp_path: Path) -> None:
    path = tmp_path / "city.atom"
    path.write_text(ATOM, encoding="utf-8")
    results = read(path)
    budget, note = results
    assert isinstance(budget, IngestItem)
    assert budget.locator == f"{path}#urn:city:budget-2024"
    assert budget.article.text == ARTICLE_TEXT
    assert budget.article.published == dt.date(2024, 3, 7)
    assert budget.site == "City Desk"
    # A short plain-text content is still the entry's full text; it is kept.
    assert isinstance(note, IngestItem)
    assert note.article.text == "The council meets again on Friday, the clerk said."
    assert read(path) == results


def test_xml_that_is_not_a_feed(tmp_path: Path) -> None:
    (tmp_path / "sitemap.xml").write_text(
        '<?xml version="1.0"?><urlset><url><loc>https://x.example/</loc></url></urlset>', encoding="utf-8"
    )
    (tmp_path / "broken.rss").write_text("<rss><channel><title>Oops</title>", encoding="utf-8")
    results = read(tmp_path)
    assert [type(r).__name__ for r in results] == ["SkippedInput", "SkippedInput"]
    assert all(r.reason for r in skipped(results))
