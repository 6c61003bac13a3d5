"""The store: migrations, idempotent ingest, batches, and resuming after SIGKILL, on SQLite and PostgreSQL.

PostgreSQL runs when SAYSO_TEST_POSTGRES_URL is set (scripts/test.sh starts a local server and sets it).
The example articles are written for these tests (made-up outlets; no dataset text).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

import sayso
from sayso.ingest import Article, IngestItem, SkippedInput
from sayso.store import Store, database_url, ingest
from sayso.store._store import migrations_config
from sayso.store._tables import metadata

POSTGRES_URL = os.environ.get("SAYSO_TEST_POSTGRES_URL")

FLOOD = (
    "LISBON (Reuters) - At least 40 people died in floods in Lisbon on Tuesday, the civil protection "
    'agency said. "We have never seen water like this," Mayor Ana Costa told reporters on Wednesday. '
    "About 1,200 homes were damaged, according to officials. Emergency crews evacuated residents from "
    "the lower town overnight, and schools across the city stayed closed while engineers checked the "
    "bridges over the river."
)
FLOOD_REWRITE = FLOOD + " Forecasters expect more rain over the weekend."
FLOOD_OTHER = (
    "Floods in Lisbon killed at least 42 people on Tuesday, the health ministry said in a statement. "
    "Nearly 1,300 homes were damaged, said Ana Costa, the mayor. Police arrested three men for looting "
    "shops in the flooded district, officials said."
)
FOOTBALL = (
    "Porto beat Braga 3-1 on Saturday in front of 40,000 fans, coach Rui Lopes said after the game. "
    "The club has now won five matches in a row."
)


@dataclass(frozen=True)
class Doc:
    locator: str
    text: str
    site: str
    published: str


CORPUS = (
    Doc("wire/flood.txt", FLOOD, "wire.example", "2025-03-12"),
    Doc("daily/flood.txt", FLOOD, "daily.example", "2025-03-12"),
    Doc("gazette/flood.txt", FLOOD_REWRITE, "gazette.example", "2025-03-13"),
    Doc("tribune/flood.txt", FLOOD_OTHER, "tribune.example", "2025-03-13"),
    Doc("sport/match.txt", FOOTBALL, "sport.example", "2025-03-15"),
)


def corpus_items() -> list[IngestItem | SkippedInput]:
    items: list[IngestItem | SkippedInput] = [
        IngestItem(
            locator=d.locator,
            article=Article(
                text=d.text, title=d.locator, url=f"https://{d.site}/{d.locator}", published=None
            ),
            site=d.site,
            input_format="text",
        )
        for d in CORPUS
    ]
    for item, doc in zip(items, CORPUS, strict=True):
        item.article.published = sayso.ingest.parse_published(doc.published)  # type: ignore[union-attr]
    items.insert(2, SkippedInput("broken/page.html", "E002: Input looks binary"))
    items.append(IngestItem("empty.txt", Article(text="   "), None, "text"))
    return items


@pytest.fixture(scope="session")
def fast_analyzer() -> sayso.Analyzer:
    return sayso.Analyzer(profile="fast")


def _reset(url: str) -> None:
    engine = create_engine(database_url(url))
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database: a SQLite file always, PostgreSQL when SAYSO_TEST_POSTGRES_URL is set."""
    if request.param == "sqlite":
        yield str(tmp_path / "sayso.db")
        return
    if not POSTGRES_URL:
        pytest.skip("PostgreSQL tests need SAYSO_TEST_POSTGRES_URL (scripts/test.sh starts a server)")
    _reset(POSTGRES_URL)
    yield POSTGRES_URL


@pytest.fixture
def corpus_store(db_url: str, fast_analyzer: sayso.Analyzer) -> Iterator[Store]:
    store = Store(db_url)
    ingest(corpus_items(), store, fast_analyzer, batch_size=2)
    yield store
    store.close()


def test_migrations_match_the_tables(db_url: str) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from sayso.store._tables import managed_name

    store = Store(db_url)
    with store.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "include_name": managed_name})
        diff = compare_metadata(context, metadata)
    store.close()
    assert diff == [], "the tables changed without a migration: write one in store/migrations/versions"
    assert migrations_config().get_main_option("script_location")


def test_ingest_stores_clusters_and_errors(corpus_store: Store) -> None:
    counts = corpus_store.counts()
    assert counts["articles"] == 5
    assert counts["ingest_errors"] == 2
    assert counts["outlets"] == 5
    assert counts["quantities"] > 0 and counts["attributions"] > 0
    articles = {a.locator: a for a in corpus_store.articles()}
    wire, daily, gazette = (
        articles["wire/flood.txt"],
        articles["daily/flood.txt"],
        articles["gazette/flood.txt"],
    )
    assert daily.copy_of == "wire/flood.txt" and daily.cluster == wire.cluster
    assert gazette.near_duplicate_of == "wire/flood.txt" and gazette.cluster == wire.cluster
    assert gazette.similarity is not None and 0.8 <= gazette.similarity < 1
    assert articles["tribune/flood.txt"].cluster != wire.cluster
    assert counts["story_clusters"] == 3
    # a copy keeps its own metadata, and its analysis is the original's
    assert daily.analysis.url == "https://daily.example/daily/flood.txt"
    assert daily.analysis.quantities == wire.analysis.quantities
    assert wire.agencies == ("Reuters",)
    errors = dict(corpus_store.errors())
    assert errors["broken/page.html"].startswith("E002")
    assert "E001" in errors["empty.txt"]


def test_ingest_twice_adds_nothing(corpus_store: Store, fast_analyzer: sayso.Analyzer) -> None:
    before = corpus_store.counts()
    summary = ingest(corpus_items(), corpus_store, fast_analyzer, batch_size=2)
    assert summary.added == 0
    assert summary.already_stored == 5
    assert corpus_store.counts() == before


def test_failed_batch_leaves_nothing(db_url: str, fast_analyzer: sayso.Analyzer) -> None:
    """A batch is one transaction: when writing it fails, none of its rows stay."""
    store = Store(db_url)
    items = corpus_items()[:2]

    class Boom(RuntimeError):
        pass

    original = store._write_articles

    def failing(conn, records, now):  # type: ignore[no-untyped-def]
        original(conn, records, now)
        raise Boom

    store._write_articles = failing  # type: ignore[method-assign]
    with pytest.raises(Boom):
        ingest(items, store, fast_analyzer, batch_size=8)
    store._write_articles = original  # type: ignore[method-assign]
    assert store.counts()["articles"] == 0
    assert store.counts()["quantities"] == 0
    store.close()


def _many_docs(folder: Path, count: int) -> None:
    folder.mkdir()
    towns = ["Aveiro", "Braga", "Coimbra", "Evora", "Faro", "Guarda", "Leiria", "Viseu"]
    for i in range(count):
        town = towns[i % len(towns)]
        (folder / f"doc{i:04d}.txt").write_text(
            f"{town.upper()} - Officials in {town} said {i + 3} roads were closed on day {i} of the works. "
            f"Inspector number {i * 7 + 1} told reporters that {i % 9 + 2} bridges need repair, and "
            f"report {i * 13 + 5} lists {i % 11 + 4} schools near route {i * 3 + 2}.",
            encoding="utf-8",
        )


def _count(url: str) -> int:
    engine = create_engine(database_url(url))
    try:
        with engine.connect() as conn:
            return int(conn.execute(text("SELECT count(*) FROM articles")).scalar() or 0)
    except Exception:
        return 0
    finally:
        engine.dispose()


def _snapshot(store: Store) -> tuple[dict[str, int], list[tuple[str, str | None, str | None]]]:
    rows = [(a.locator, a.copy_of, a.near_duplicate_of) for a in store.articles()]
    return store.counts(), sorted(rows)


def test_sigkill_mid_run_then_rerun_loses_nothing(
    db_url: str, tmp_path: Path, fast_analyzer: sayso.Analyzer
) -> None:
    docs = tmp_path / "docs"
    total = 160
    _many_docs(docs, total)
    # one duplicate pair so that resumed deduplication is checked too
    (docs / "zz-copy.txt").write_text((docs / "doc0001.txt").read_text(encoding="utf-8"), encoding="utf-8")
    command = [
        sys.executable, "-m", "sayso.cli", "ingest", str(docs), "--db", db_url,
        "--profile", "fast", "--batch-size", "4", "--no-progress",
    ]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while _count(db_url) == 0:
        assert process.poll() is None, process.stderr.read().decode() if process.stderr else ""
        assert time.monotonic() < deadline, "no batch was committed within 60 s"
        time.sleep(0.02)
    process.send_signal(signal.SIGKILL)
    process.wait()
    committed = _count(db_url)
    assert 0 < committed < total + 1, "the run finished before it could be killed; add documents"

    rerun = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert rerun.returncode == 0, rerun.stderr
    assert f"{committed} already stored" in rerun.stderr

    resumed = Store(db_url)
    clean_path = tmp_path / "clean.db"
    clean = Store(str(clean_path))
    from sayso.ingest import read_inputs

    ingest(read_inputs([str(docs)]), clean, fast_analyzer, batch_size=4)
    resumed_counts, resumed_rows = _snapshot(resumed)
    clean_counts, clean_rows = _snapshot(clean)
    assert resumed_counts["articles"] == total + 1
    assert resumed_rows == clean_rows  # every document exactly once, same copies
    assert resumed_counts == clean_counts
    resumed.close()
    clean.close()


def test_bad_url_is_a_coded_error(tmp_path: Path) -> None:
    from sayso.errors import StoreError

    with pytest.raises(StoreError) as info:
        Store("postgresql://nobody@127.0.0.1:1/none")
    assert info.value.code == "E011"
    with pytest.raises(StoreError):
        Store(str(tmp_path / "missing-folder" / "x.db"))
