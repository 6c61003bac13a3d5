"""``sayso spark`` on ``local[2]``: a small WARC.gz written here, Parquet tables out, back into a store.

Skipped (with the reason) where pyspark or Java is missing. One Spark session and one job serve the
module; the rerun test runs the job a second time to check that output is overwritten, not duplicated.
"""

from __future__ import annotations

import io
import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.spark

if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
    pytest.skip("Spark tests need Java (apt-get install openjdk-17-jre-headless)", allow_module_level=True)
pyspark = pytest.importorskip("pyspark", reason="Spark tests need pyspark (pip install 'sayso[spark]')")
pytest.importorskip("warcio", reason="Spark tests write a WARC with warcio")

from sayso import compare as cmp  # noqa: E402
from sayso.export import TABLES  # noqa: E402
from sayso.spark import OUTPUT_TABLES, PARTITION_COLUMN, JobOptions, read_table, run, session  # noqa: E402
from sayso.store import Store, ingest, ingest_spark_output, read_spark_output  # noqa: E402

PAGES: list[tuple[str, str, str, str]] = [
    # (url, title, date, paragraphs separated by "|"); written for these tests
    (
        "https://www.harbourtimes.example/news/flood-lisbon",
        "Floods hit Lisbon suburbs",
        "2025-03-11",
        "LISBON (Reuters) - At least 1,200 homes were flooded in Lisbon on Monday, the mayor said.|"
        '"We have never seen water this high," Mayor Carlos Moedas told reporters at the town hall.|'
        "The civil protection agency said 300 people had been evacuated from the riverside districts.",
    ),
    (
        "https://www.dailyledger.example/world/lisbon-floods",
        "Lisbon counts the cost of floods",
        "2025-03-12",
        "About 1,500 homes were flooded in Lisbon on Monday, according to the civil protection agency.|"
        "Mayor Carlos Moedas said the city would ask the government for emergency funds.|"
        'Residents said the storm drains were blocked. "Nobody cleaned them for years," one resident said.',
    ),
    (
        "https://www.northpost.example/economy/strike",
        "Dock workers strike in Rotterdam",
        "2025-03-10",
        "ROTTERDAM - Dock workers walked off the job on Tuesday, the union said in a statement.|"
        "The union said 4,000 workers joined the strike, which it called the largest in a decade.|"
        "The port authority said about 2,500 workers had stopped work and that ships were delayed.",
    ),
    (  # an exact copy of the first story on another site: the store must treat it as a copy
        "https://www.syndicated.example/wire/lisbon-flood",
        "Floods hit Lisbon suburbs",
        "2025-03-11",
        "LISBON (Reuters) - At least 1,200 homes were flooded in Lisbon on Monday, the mayor said.|"
        '"We have never seen water this high," Mayor Carlos Moedas told reporters at the town hall.|'
        "The civil protection agency said 300 people had been evacuated from the riverside districts.",
    ),
]


def _html(title: str, date: str, body: str) -> bytes:
    paragraphs = "".join(f"<p>{p}</p>" for p in body.split("|"))
    return (
        f'<html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
        f'<meta property="article:published_time" content="{date}"></head>'
        f"<body><article><h1>{title}</h1>{paragraphs}</article></body></html>"
    ).encode()


def write_warc(path: Path, pages: list[tuple[str, bytes]]) -> None:
    """A WARC.gz of HTTP 200 responses, one per (url, html) pair."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with path.open("wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        for url, body in pages:
            headers = StatusAndHeaders(
                "200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1"
            )
            record = writer.create_warc_record(
                url, "response", payload=io.BytesIO(body), http_headers=headers
            )
            writer.write_record(record)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("corpus")
    pages = [(url, _html(title, date, body)) for url, title, date, body in PAGES]
    menu = b"<html><body><nav><a href='/'>Home</a></nav></body></html>"  # no article text: skipped
    write_warc(root / "crawl-1.warc.gz", [*pages[:2], ("https://menu.example/", menu)])
    write_warc(root / "crawl-2.warc.gz", pages[2:])
    write_warc(root / "broken.warc.gz", pages[:1])  # then cut in the middle of its one record
    (root / "broken.warc.gz").write_bytes((root / "broken.warc.gz").read_bytes()[:-40])
    lines = [
        json.dumps(
            {"text": "The minister said 12 schools would close on Friday.", "url": "https://x.example/a"}
        ),
        "{not json",
    ]
    (root / "extra.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (root / "notes.md").write_text("not an input: unknown extension in a folder", encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def spark() -> Any:
    spark = session("local[2]", {"spark.sql.shuffle.partitions": "2"})
    yield spark
    spark.stop()


@pytest.fixture(scope="module")
def job(spark: Any, corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Any]:
    out = tmp_path_factory.mktemp("out")
    result = run(spark, [str(corpus)], str(out), options=JobOptions(profile="fast"), partitions=2)
    return out, result


def _table(out: Path, name: str) -> Any:
    return read_table(out, name).to_table()


def test_tables_have_the_export_columns(job: tuple[Path, Any]) -> None:
    out, result = job
    for name, columns in OUTPUT_TABLES.items():
        table = _table(out, name)
        assert table.column_names == [c for c, _ in columns] + [PARTITION_COLUMN], name
        if name in TABLES:
            assert [c for c, _ in TABLES[name]] == [c for c, _ in columns]
        assert table.num_rows == result.rows[name]
    assert result.rows["articles"] == len(PAGES) + 1  # four pages and one JSONL line
    assert result.rows["quantities"] > 0 and result.rows["attributions"] > 0


def test_locators_follow_the_ingest_scheme(job: tuple[Path, Any], corpus: Path) -> None:
    out, _ = job
    locators = sorted(_table(out, "articles").column("article").to_pylist())
    assert f"{corpus}/extra.jsonl:1" in locators
    warc = [loc for loc in locators if ".warc.gz#" in loc]
    assert len(warc) == len(PAGES) and all(loc.startswith(f"{corpus}/crawl-") for loc in warc)


def test_bad_documents_go_to_the_errors_table(job: tuple[Path, Any], corpus: Path) -> None:
    out, _ = job
    errors = {row["article"]: row for row in _table(out, "errors").to_pylist()}
    assert errors[f"{corpus}/extra.jsonl:2"]["reason"].startswith("invalid JSON")
    assert any(loc.startswith(f"{corpus}/broken.warc.gz") for loc in errors)
    assert any(loc.startswith(f"{corpus}/crawl-1.warc.gz#") for loc in errors)  # the menu-only page
    assert all(row["stage"] == "read" and row["reason"] for row in errors.values())
    assert not any("notes.md" in loc for loc in errors)  # unknown extensions in a folder are not inputs


def test_parquet_ingest_gives_the_same_store_and_comparisons(
    job: tuple[Path, Any], corpus: Path, tmp_path: Path
) -> None:
    from sayso.ingest import read_inputs
    from sayso.spark import executor_analyzer

    out, _ = job
    with Store(str(tmp_path / "direct.db")) as direct, Store(str(tmp_path / "spark.db")) as via_spark:
        # batch_size 2: several analyser batches, so the order rows are stored in is exercised too
        analyzer = executor_analyzer(None, "fast")
        direct_summary = ingest(read_inputs([str(corpus)]), direct, analyzer, batch_size=2)
        spark_summary = ingest_spark_output(out, via_spark, batch_size=2)
        assert direct_summary.added == spark_summary.added == len(PAGES) + 1
        assert direct_summary.copies == spark_summary.copies == 1
        assert direct.counts() == via_spark.counts()
        assert sorted(direct.errors()) == sorted(via_spark.errors())
        figures = [list(cmp.compare_figures(s, min_articles=1)) for s in (direct, via_spark)]
        assert figures[0] == figures[1] and figures[0]
        assert list(cmp.compare_figures(direct)) == list(cmp.compare_figures(via_spark))
        for of in ("quotes", "claims"):
            claims = [list(cmp.compare_claims(s, of=of, min_articles=1)) for s in (direct, via_spark)]
            assert claims[0] == claims[1]
        assert list(cmp.compare_events(direct, min_articles=1)) == list(
            cmp.compare_events(via_spark, min_articles=1)
        )
        assert cmp.speakers(direct) == cmp.speakers(via_spark)
        # the same inputs again add nothing: idempotent ingest holds for Parquet input too
        assert ingest_spark_output(out, via_spark).added == 0


def test_rerun_overwrites_instead_of_duplicating(job: tuple[Path, Any], spark: Any, corpus: Path) -> None:
    out, first = job
    again = run(spark, [str(corpus / "crawl-2.warc.gz")], str(out), options=JobOptions(profile="fast"))
    assert again.rows["articles"] == 2
    for name in OUTPUT_TABLES:
        assert _table(out, name).num_rows == first.rows[name], name
    assert len(list(read_spark_output(out))) == first.rows["articles"] + first.rows["errors"]


def test_cli_ingest_reads_spark_output(job: tuple[Path, Any], tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from sayso.cli import app

    out, first = job
    db = tmp_path / "cli.db"
    result = CliRunner().invoke(app, ["ingest", str(out), "--db", str(db), "--no-progress"])
    assert result.exit_code == 0, result.output
    assert f"stored {first.rows['articles']} article(s)" in result.output
    with Store(str(db)) as store:
        assert store.counts()["articles"] == first.rows["articles"]


def test_cli_spark_command(job: tuple[Path, Any], corpus: Path, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from sayso.cli import app

    out = tmp_path / "cli-out"
    args = [
        "spark",
        str(corpus / "crawl-2.warc.gz"),
        "--out",
        str(out),
        "--master",
        "local[2]",
        "--profile",
        "fast",
    ]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "articles 2" in result.output
    assert read_table(out, "articles").count_rows() == 2
