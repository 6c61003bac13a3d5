"""``sayso serve``: the REST API, the pages, escaping, the token, the body limit and full-text search, on a
small made-up corpus stored through the store's own ingest (SQLite always, PostgreSQL when available)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

import sayso
from sayso.api import create_app
from sayso.api._highlight import Mark, figure_chart, highlight, segments
from sayso.ingest import Article, IngestItem, parse_published
from sayso.schema import Analysis
from sayso.store import Store, database_url, ingest

POSTGRES_URL = os.environ.get("SAYSO_TEST_POSTGRES_URL")

FERRY = (
    "HALDEN (Nordwire) - At least 12 people were injured when a ferry struck the harbour wall in Halden on "
    'Friday, police said. "The crew reacted quickly," harbour master Ingrid Vale told reporters. About 300 '
    "passengers were on board, according to the ferry company."
)
FERRY_OTHER = (
    "A ferry crash in Halden injured 15 people on Friday, the regional hospital said in a statement. "
    "Harbour master Ingrid Vale said the crew had reacted quickly. Nearly 300 passengers were on board, "
    "officials said."
)
HOSTILE = (
    "Council members met in Tromvik on Monday. <script>alert('xss')</script> "
    '"We will vote on the budget next week," council leader Omar Reyes said. <img src=x onerror=alert(1)>'
)
ORCHARD = (
    "Growers near Lindby picked about 4,000 tonnes of apples on Wednesday, the growers' association said. "
    "A spokesperson said prices had held steady."
)

#: (locator, outlet, published, title, text)
CORPUS = (
    ("wire/ferry.txt", "wire.example", "2025-06-06", "Ferry hits harbour wall", FERRY),
    ("coast/ferry.txt", "coast.example", "2025-06-06", "Ferry accident in Halden", FERRY),
    ("post/ferry.txt", "post.example", "2025-06-07", "Fifteen hurt in ferry crash", FERRY_OTHER),
    (
        "council/budget.txt",
        "council.example",
        "2025-06-09",
        "<script>alert('title')</script> Budget",
        HOSTILE,
    ),
    ("farm/apples.txt", "farm.example", "2025-10-02", "A steady apple harvest", ORCHARD),
)


def corpus_items() -> list[IngestItem]:
    return [
        IngestItem(
            locator=locator,
            article=Article(
                text=body, title=title, url=f"https://{site}/{locator}", published=parse_published(published)
            ),
            site=site,
            input_format="text",
        )
        for locator, site, published, title, body in CORPUS
    ]


@pytest.fixture(scope="session")
def api_analyzer() -> sayso.Analyzer:
    return sayso.Analyzer(profile="fast")


def _reset_postgres(url: str) -> None:
    engine = create_engine(database_url(url))
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def api_store(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, api_analyzer: sayso.Analyzer
) -> Iterator[Store]:
    if request.param == "sqlite":
        url = str(tmp_path_factory.mktemp("api") / "sayso.db")
    else:
        if not POSTGRES_URL:
            pytest.skip("PostgreSQL tests need SAYSO_TEST_POSTGRES_URL (scripts/test.sh starts a server)")
        _reset_postgres(POSTGRES_URL)
        url = POSTGRES_URL
    store = Store(url)
    summary = ingest(corpus_items(), store, api_analyzer, batch_size=2)
    assert summary.added == len(CORPUS)
    yield store
    store.close()


@pytest.fixture
def client(
    api_store: Store, api_analyzer: sayso.Analyzer, monkeypatch: pytest.MonkeyPatch
) -> Iterator[TestClient]:
    monkeypatch.delenv("SAYSO_API_TOKEN", raising=False)
    with TestClient(create_app(store=api_store, analyzer_factory=lambda: api_analyzer)) as test_client:
        yield test_client


def _id(client: TestClient, locator: str) -> int:
    items = client.get("/api/v1/articles", params={"per_page": 100}).json()["items"]
    return next(a["id"] for a in items if a["locator"] == locator)


HTML = {"accept": "text/html"}

# ----------------------------------------------------------------------------- JSON API


def test_openapi_documents_every_endpoint(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert {
        "/api/v1/analyse",
        "/api/v1/articles",
        "/api/v1/articles/{article_id}",
        "/api/v1/figures",
        "/api/v1/compare/figures",
        "/api/v1/compare/claims",
        "/api/v1/compare/events",
        "/api/v1/speakers",
        "/api/v1/speakers/{speaker_id}",
    } <= set(paths)
    assert not any(p.startswith("/articles") for p in paths)  # pages stay out of the API description


def test_articles_list_and_pagination(client: TestClient) -> None:
    first = client.get("/api/v1/articles", params={"per_page": 2}).json()
    assert (first["total"], first["pages"], len(first["items"])) == (5, 3, 2)
    assert first["items"][0]["locator"] == "farm/apples.txt"  # newest first
    last = client.get("/api/v1/articles", params={"per_page": 2, "page": 3}).json()
    assert len(last["items"]) == 1
    assert client.get("/api/v1/articles", params={"per_page": 500}).status_code == 422


def test_full_text_search(client: TestClient) -> None:
    kind = client.get("/api/v1/health").json()["fulltext"]
    assert kind in ("fts5", "postgresql")

    def found(q: str) -> set[str]:
        return {a["locator"] for a in client.get("/api/v1/articles", params={"q": q}).json()["items"]}

    assert found("ferry") == {"wire/ferry.txt", "coast/ferry.txt", "post/ferry.txt"}
    assert found("harbour wall") == {"wire/ferry.txt", "coast/ferry.txt"}  # every word must match
    assert found("apple") == {"farm/apples.txt"}  # stemming: "apple" finds "apples"
    assert found("harvest") == {"farm/apples.txt"}  # titles are indexed too
    # Query syntax and SQL in the search box are just words: no error, no injection.
    assert found('"ferry* (:') == found("ferry")
    assert found("zebra' OR 1=1 --") == set()
    assert found("'; DROP TABLE articles; --") == set()
    assert client.get("/api/v1/articles").json()["total"] == 5


def test_article_filters(client: TestClient) -> None:
    by_outlet = client.get("/api/v1/articles", params={"outlet": "post.example"}).json()
    assert [a["locator"] for a in by_outlet["items"]] == ["post/ferry.txt"]
    dated = client.get("/api/v1/articles", params={"from": "2025-06-07", "to": "2025-06-30"}).json()
    assert {a["locator"] for a in dated["items"]} == {"post/ferry.txt", "council/budget.txt"}
    assert client.get("/api/v1/articles", params={"from": "June"}).status_code == 422


def test_get_article(client: TestClient) -> None:
    article_id = _id(client, "coast/ferry.txt")
    body = client.get(f"/api/v1/articles/{article_id}").json()
    assert body["outlet"] == "coast.example" and body["copy_of"] == _id(client, "wire/ferry.txt")
    assert body["agencies"] == ["Nordwire"]
    analysis = Analysis.model_validate(body["analysis"])
    assert analysis.text == FERRY and analysis.attributions
    assert client.get("/api/v1/articles/99999").status_code == 404


def test_figures_filters(client: TestClient) -> None:
    people = client.get("/api/v1/figures", params={"counted": "people", "place": "Halden"}).json()
    assert {f["value"] for f in people["items"]} == {12.0, 15.0} and people["total"] == 3
    one_outlet = client.get("/api/v1/figures", params={"counted": "people", "outlet": "post.example"}).json()
    assert [f["text"] for f in one_outlet["items"]] == ["15 people"]
    assert one_outlet["items"][0]["speaker"] == "the regional hospital"
    june = client.get("/api/v1/figures", params={"time": "2025-06"}).json()["total"]
    october = client.get("/api/v1/figures", params={"time": "2025-10"}).json()
    assert june >= 3 and [f["text"] for f in october["items"]] == ["about 4,000 tonnes"]
    assert client.get("/api/v1/figures", params={"time": "June"}).status_code == 422


def test_compare_figures(client: TestClient) -> None:
    body = client.get("/api/v1/compare/figures", params={"counted": "people", "window": 1}).json()
    group = body["items"][0]
    assert (group["counted"], group["place"], group["articles"], group["independent"]) == (
        "person",
        "halden",
        3,
        2,
    )
    assert {v["value"] for v in group["values"]} == {"12", "15"}
    assert {s["ref"]["outlet"]: s["ref"]["copy"] for s in group["sources"]} == {
        "wire.example": False,
        "coast.example": True,
        "post.example": False,
    }
    assert client.get("/api/v1/compare/claims", params={"of": "quotes"}).status_code == 200
    assert client.get("/api/v1/compare/events").status_code == 200


def test_speakers(client: TestClient) -> None:
    listing = client.get("/api/v1/speakers").json()
    vale = next(s for s in listing["items"] if s["name"] == "harbour master Ingrid Vale")
    assert vale["articles"] == 3
    assert client.get("/api/v1/speakers", params={"q": "vale"}).json()["total"] == 1
    detail = client.get(f"/api/v1/speakers/{vale['id']}").json()
    assert {o["outlet"] for o in detail["outlets"]} == {"wire.example", "coast.example", "post.example"}
    assert any("reacted quickly" in (q["content"] or "") for q in detail["recent"])
    assert client.get("/api/v1/speakers/99999").status_code == 404


def test_analyse_text_and_html(client: TestClient) -> None:
    body = client.post(
        "/api/v1/analyse",
        json={"text": "Police said 3 people died in Oslo on Monday.", "published": "2025-01-08"},
    ).json()
    assert body["article_id"] is None
    assert body["analysis"]["attributions"][0]["source"]["text"] == "Police"
    page = (
        "<html><head><title>Storm in Oslo</title></head><body><article><h1>Storm in Oslo</h1>"
        "<p>At least 30 homes lost power in Oslo on Monday, the utility said in a statement.</p>"
        "<p>Engineers were working through the night, a spokesperson said, and most homes would be "
        "reconnected by Tuesday evening.</p></article></body></html>"
    )
    html_body = client.post("/api/v1/analyse", json={"html": page}).json()
    assert "30 homes" in html_body["analysis"]["text"] and "<p>" not in html_body["analysis"]["text"]
    assert client.post("/api/v1/analyse", json={"text": "   "}).json()["code"] == "E001"
    assert client.post("/api/v1/analyse", json={"text": "a", "html": "<p>a</p>"}).status_code == 422
    assert client.post("/api/v1/analyse", json={"text": "x", "published": "soon"}).status_code == 422


def test_write_endpoint_needs_the_token(api_store: Store, api_analyzer: sayso.Analyzer) -> None:
    app = create_app(store=api_store, analyzer_factory=lambda: api_analyzer, token="s3cret")
    text_ = "The harbour authority said on Tuesday that 40 boats were moored in Halden."
    with TestClient(app) as guarded:
        assert guarded.post("/api/v1/analyse", json={"text": text_}).status_code == 200  # no write
        refused = guarded.post("/api/v1/analyse?store=true", json={"text": text_})
        assert refused.status_code == 401 and refused.headers["www-authenticate"] == "Bearer"
        wrong = {"authorization": "Bearer nope"}
        assert (
            guarded.post("/api/v1/analyse?store=true", json={"text": text_}, headers=wrong).status_code == 401
        )
        right = {"authorization": "Bearer s3cret"}
        stored = guarded.post("/api/v1/analyse?store=true", json={"text": text_}, headers=right)
        assert stored.status_code == 200 and stored.json()["article_id"]
        again = guarded.post("/api/v1/analyse?store=true", json={"text": text_}, headers=right)
        assert again.json()["article_id"] == stored.json()["article_id"]  # stored once (idempotent)
        page = guarded.post("/analyse", data={"text": text_, "store": "on", "token": "nope"}, headers=HTML)
        assert page.status_code == 401 and "API token" in page.text
        with api_store.engine.begin() as conn:  # leave the shared corpus as it was
            from sayso.store import _tables as t

            article_id = stored.json()["article_id"]
            for table in t.analysis_tables.values():
                conn.execute(table.delete().where(table.c.article_id == article_id))
            conn.execute(t.article_agencies.delete().where(t.article_agencies.c.article_id == article_id))
            conn.execute(t.articles.delete().where(t.articles.c.id == article_id))


def test_body_limit_answers_413(api_store: Store, api_analyzer: sayso.Analyzer) -> None:
    app = create_app(store=api_store, analyzer_factory=lambda: api_analyzer, max_body_bytes=2048)
    big = "Officials said the river rose. " * 200
    with TestClient(app) as small:
        declared = small.post("/api/v1/analyse", json={"text": big})
        assert declared.status_code == 413 and "2,048 bytes" in declared.json()["detail"]

        def chunks() -> Iterator[bytes]:  # no Content-Length: counted while streaming
            yield b'{"text": "'
            for _ in range(100):
                yield b"Officials said the river rose. "
            yield b'"}'

        streamed = small.post(
            "/api/v1/analyse", content=chunks(), headers={"content-type": "application/json"}
        )
        assert streamed.status_code == 413
        form = small.post("/analyse", data={"text": big}, headers=HTML)
        assert form.status_code == 413 and "text/html" in form.headers["content-type"]
        assert "too large" in form.text
        assert small.post("/api/v1/analyse", json={"text": "Police said it rained."}).status_code == 200


# ----------------------------------------------------------------------------- pages and escaping


def test_pages_render(client: TestClient) -> None:
    for path in ("/analyse", "/articles", "/articles?q=ferry", "/compare", "/speakers", "/api"):
        response = client.get(path, headers=HTML)
        assert response.status_code == 200, path
        assert response.headers["content-type"].startswith("text/html")
    article = client.get(f"/articles/{_id(client, 'wire/ferry.txt')}", headers=HTML).text
    assert 'class="seg l-content' in article and 'data-layer="technique"' in article
    assert '<svg class="chain"' in article and "Nordwire" in article
    compare = client.get("/compare", params={"counted": "people", "window": 1}, headers=HTML).text
    assert compare.count('<circle cx="') == 3 and "first with 12" in compare and "(copy)" in compare
    assert client.get("/articles/99999", headers=HTML).status_code == 404
    assert client.get("/articles?page=0", headers=HTML).status_code == 422
    assert client.get("/articles?q=&from=&to=", headers=HTML).status_code == 200  # blank form fields
    assert client.get("/articles?from=June", headers=HTML).status_code == 422


def test_article_text_and_title_are_escaped(client: TestClient) -> None:
    response = client.get(f"/articles/{_id(client, 'council/budget.txt')}", headers=HTML)
    page = response.text
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(&#39;xss&#39;)&lt;/script&gt;" in page
    assert "&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt; Budget" in page
    assert "script-src 'self'" in response.headers["content-security-policy"]
    listing = client.get("/articles", headers=HTML).text
    assert "<script>alert" not in listing


def test_pasted_text_is_escaped(client: TestClient) -> None:
    hostile = '"<script>alert(1)</script>," the mayor said. <b onmouseover="x()">3 people</b> died.'
    page = client.post("/analyse", data={"text": hostile}, headers=HTML).text
    assert "<script>alert(1)" not in page and "<b onmouseover" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


# ----------------------------------------------------------------------------- highlighting


def test_segments_cover_the_text_exactly_with_overlaps() -> None:
    text_ = 'She said "Ann told us 40 left" today.'
    marks = [
        Mark(0, 3, "source", "a1", "s"),
        Mark(4, 8, "cue", "a1", "c"),
        Mark(9, 30, "content", "a1", "q"),
        Mark(10, 13, "source", "a2", "s2"),
        Mark(14, 18, "cue", "a2", "c2"),
        Mark(22, 24, "figure", "q1", "f"),
        Mark(31, 36, "time", "t1", "t"),
        Mark(5, 99, "time", "bad", "out of range is dropped"),
    ]
    segs = segments(text_, marks)
    assert "".join(s.text for s in segs) == text_
    by_text = {s.text: s for s in segs}
    assert by_text["Ann"].layers == ("source", "content") and set(by_text["Ann"].refs) == {"a1", "a2"}
    assert by_text["40"].layers == ("content", "figure")
    assert by_text[" today."[1:6]].layers == ("time",)
    assert segments("", marks) == []


def test_highlight_of_a_real_analysis(api_analyzer: sayso.Analyzer) -> None:
    analysis = api_analyzer.analyze(FERRY, published="2025-06-06")
    hl = highlight(analysis)
    assert "".join(s.text for s in hl.segments) == FERRY
    layers = {layer for s in hl.segments for layer in s.layers}
    assert {"source", "cue", "content", "figure", "time"} <= layers
    assert hl.counts["figure"] == len(analysis.quantities)
    refs = {note.ref for note in hl.annotations}
    assert all(set(s.refs) <= refs for s in hl.segments)


def test_figure_chart_geometry(client: TestClient, api_store: Store) -> None:
    from sayso.compare import compare_figures

    group = compare_figures(api_store, counted="people", window=1)[0]
    chart = figure_chart(group)
    xs = {dot.value: dot.cx for dot in chart.dots}
    assert chart.left <= xs["at least 12"] < xs["15"] <= chart.right
    assert [d.first for d in chart.dots].count(True) == 2 and any(d.copy for d in chart.dots)


def test_serve_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``sayso serve`` binds to loopback by default, hands its options to uvicorn, and exits 4 on a bad
    store, without starting a server in the test."""
    import typer
    import uvicorn
    from typer.testing import CliRunner

    from sayso.api._cli import app_from_environment, serve_command

    calls: list[dict[str, object]] = []
    monkeypatch.setattr(uvicorn, "run", lambda target, **kw: calls.append({"target": target, **kw}))
    monkeypatch.delenv("SAYSO_API_TOKEN", raising=False)
    for name in ("SAYSO_SERVE_DB", "SAYSO_SERVE_MAX_BODY"):  # serve() sets them; restored afterwards
        monkeypatch.setenv(name, "")
    cli = typer.Typer()
    serve_command(cli)
    cli.command("noop")(lambda: None)  # two commands, so "serve" is addressed by name as in sayso
    db = str(tmp_path / "served.db")
    result = CliRunner().invoke(cli, ["serve", "--db", db, "--port", "8765", "--max-body", "4096"])
    assert result.exit_code == 0, result.output
    assert calls[0]["host"] == "127.0.0.1" and calls[0]["port"] == 8765 and calls[0]["factory"] is True
    app = app_from_environment()
    with TestClient(app) as served:  # type: ignore[arg-type]
        assert served.get("/api/v1/health").json()["fulltext"] == "fts5"
        assert served.post("/api/v1/analyse", content=b"x" * 5000).status_code == 413
    exposed = CliRunner().invoke(cli, ["serve", "--db", db, "--host", "0.0.0.0"])
    assert "without SAYSO_API_TOKEN" in exposed.output
    bad = CliRunner().invoke(cli, ["serve", "--db", "postgresql://nobody@127.0.0.1:1/none"])
    assert bad.exit_code == 4
