"""Export: JSONL round-trips sayso/1, CSV and Parquet follow the one column list, ClaimReview JSON-LD."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pyarrow.parquet as pq

from sayso.export import TABLES, analysis_rows, export_store
from sayso.schema import Analysis
from sayso.store import Store
from tests.test_store import corpus_store, db_url, fast_analyzer  # noqa: F401  (fixtures)


def test_jsonl_rebuilds_every_analysis(corpus_store: Store) -> None:  # noqa: F811
    buffer = io.StringIO()
    assert export_store(corpus_store, "jsonl", buffer) == {"articles": 5}
    lines = buffer.getvalue().splitlines()
    analyses = [Analysis.model_validate_json(line) for line in lines]
    assert [json.loads(line)["schema"] for line in lines] == ["sayso/1"] * 5
    stored = {a.locator: a.analysis for a in corpus_store.articles()}
    assert analyses == list(stored.values())


def test_csv_and_parquet_tables_have_the_declared_columns(corpus_store: Store, tmp_path: Path) -> None:  # noqa: F811
    counts = export_store(corpus_store, "csv", tmp_path / "csv")
    store_counts = corpus_store.counts()
    for table in ("articles", "attributions", "quantities", "times", "events"):
        assert counts[table] == store_counts[table], table
    for table, columns in TABLES.items():
        with (tmp_path / "csv" / f"{table}.csv").open(encoding="utf-8") as handle:
            reader = csv.reader(handle)
            assert next(reader) == [c for c, _ in columns]
            assert sum(1 for _ in reader) == counts[table]
    export_store(corpus_store, "parquet", tmp_path / "pq")
    quantities = pq.read_table(tmp_path / "pq" / "quantities.parquet")
    assert quantities.column_names == [c for c, _ in TABLES["quantities"]]
    assert quantities.num_rows == counts["quantities"]
    assert str(quantities.schema.field("value").type) == "double"
    articles = pq.read_table(tmp_path / "pq" / "articles.parquet").to_pylist()
    daily = next(a for a in articles if a["article"] == "daily/flood.txt")
    assert daily["copy_of"] == "wire/flood.txt" and daily["outlet"] == "daily.example"
    assert str(daily["published"]) == "2025-03-12"


def test_rows_keep_offsets_exact(corpus_store: Store) -> None:  # noqa: F811
    for article in corpus_store.articles():
        text = article.analysis.text
        for table, rows in analysis_rows(article.analysis, article.locator).items():
            for row in rows:
                for key, value in row.items():
                    if key.endswith("_start") and value is not None:
                        prefix = key.removesuffix("_start")
                        assert text[value : row[f"{prefix}_end"]] == row[f"{prefix}_text"], (table, key)
                if "start" in row:
                    assert text[row["start"] : row["end"]] == row["text"], table


def test_claimreview_has_author_and_no_rating(corpus_store: Store) -> None:  # noqa: F811
    buffer = io.StringIO()
    counts = export_store(corpus_store, "claimreview", buffer, claims_from="quotes")
    records = [json.loads(line) for line in buffer.getvalue().splitlines()]
    assert counts["claimreview"] == len(records) == corpus_store.counts()["attributions"]
    for record in records:
        assert record["@context"] == "https://schema.org" and record["@type"] == "ClaimReview"
        assert "reviewRating" not in record
        assert record["claimReviewed"]
        assert record["itemReviewed"]["@type"] == "Claim"
    mayor = [r for r in records if r["itemReviewed"].get("author", {}).get("name") == "Mayor Ana Costa"]
    assert len(mayor) == 3
    assert mayor[0]["claimReviewed"].startswith('"We have never seen water')
    assert mayor[0]["datePublished"] == "2025-03-12"
    assert mayor[0]["itemReviewed"]["appearance"]["publisher"]["name"] in {"wire.example", "daily.example"}
    empty = io.StringIO()
    assert export_store(corpus_store, "claimreview", empty, claims_from="claims") == {"claimreview": 0}
