"""The :class:`Store`: opens (and migrates) the database and writes analysed articles in transactions."""

from __future__ import annotations

import datetime as dt
import urllib.parse
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, Table, create_engine, delete, event, func, insert, select
from sqlalchemy.exc import SQLAlchemyError

from sayso.errors import ErrorCode, StoreError
from sayso.export import analysis_rows
from sayso.schema import Analysis
from sayso.settings import DB
from sayso.store import _tables as t
from sayso.store._normalise import normalise_name, normalise_noun, speaker_key

DEFAULT_DB = DB.default
_CHUNK = 500  # stay under SQLite's bound-parameter limit in IN (...) lists


def database_url(db: str | None = None) -> str:
    """A SQLAlchemy URL from ``--db``: a URL as given, or a file path for SQLite (default ``sayso.db``).

    ``postgresql://`` without a driver means psycopg 3 (the ``postgres`` extra), not psycopg2.
    """
    db = db or DB.value() or DEFAULT_DB
    if "://" not in db:
        return f"sqlite:///{Path(db).expanduser()}"
    if db.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + db.split("://", 1)[1]
    return db


def _redact(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return urllib.parse.urlunsplit(parts._replace(netloc=netloc))
    return url


def _sqlite_pragmas(dbapi_connection: Any, _record: object) -> None:
    # WAL: readers do not block the ingest writer; synchronous=NORMAL is durable against a killed
    # process (what resumable ingest needs), though not against power loss.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def migrations_config(connection: Connection | None = None) -> Config:
    """Alembic configuration pointing at the migrations shipped inside the package."""
    config = Config()
    config.set_main_option("script_location", str(Path(__file__).with_name("migrations")))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


@dataclass(frozen=True)
class ArticleRecord:
    """One analysed input, ready to store, with what deduplication decided about it."""

    locator: str
    analysis: Analysis
    content_hash: str
    cluster_key: str
    site: str | None = None
    input_format: str | None = None
    minhash: bytes | None = None
    copy_of: str | None = None
    near_duplicate_of: str | None = None
    similarity: float | None = None


@dataclass(frozen=True)
class StoredArticle:
    """An article as the store holds it: its metadata and its rebuilt :class:`Analysis`."""

    id: int
    locator: str
    outlet: str | None
    cluster: int
    content_hash: str
    input_format: str | None
    copy_of: str | None
    near_duplicate_of: str | None
    similarity: float | None
    agencies: tuple[str, ...]
    analysis: Analysis


class Store:
    """A sayso database: SQLite by default (``sayso.db``), PostgreSQL through its URL.

    Opening runs the Alembic migrations up to head, so a new file or an empty database just works.
    Every :meth:`write` is one transaction: a batch is stored completely or not at all.
    """

    def __init__(self, db: str | None = None, *, migrate: bool = True) -> None:
        self.url = database_url(db)
        try:
            self.engine: Engine = create_engine(self.url)
            if self.engine.dialect.name == "sqlite":
                event.listen(self.engine, "connect", _sqlite_pragmas)
            if migrate:
                self.migrate()
        except (SQLAlchemyError, ImportError, OSError, ValueError) as exc:
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise StoreError(ErrorCode.E011, url=_redact(self.url), reason=reason) from exc

    def migrate(self) -> None:
        """Upgrade the schema to the newest migration (a no-op when it is current)."""
        with self.engine.begin() as connection:
            command.upgrade(migrations_config(connection), "head")

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ reading

    def stored_locators(self) -> set[str]:
        """Locators of every stored article (ingest skips them before analysing anything)."""
        with self.engine.connect() as conn:
            return set(conn.scalars(select(t.articles.c.locator)))

    def dedupe_state(self) -> Iterator[tuple[str, str, str, bytes | None, bool]]:
        """(locator, content hash, cluster key, MinHash, is original) of every article, in ingest order."""
        query = (
            select(
                t.articles.c.locator,
                t.articles.c.content_hash,
                t.story_clusters.c.key,
                t.articles.c.minhash,
                t.articles.c.copy_of.is_(None),
            )
            .join(t.story_clusters, t.story_clusters.c.id == t.articles.c.cluster_id)
            .order_by(t.articles.c.id)
        )
        with self.engine.connect() as conn:
            for row in conn.execute(query):
                yield row[0], row[1], row[2], row[3], bool(row[4])

    def load_analysis(self, locator: str) -> Analysis | None:
        with self.engine.connect() as conn:
            text = conn.scalar(select(t.articles.c.analysis).where(t.articles.c.locator == locator))
        return None if text is None else Analysis.model_validate_json(text)

    def counts(self) -> dict[str, int]:
        """Rows per table (what the ingest tests compare between runs)."""
        with self.engine.connect() as conn:
            return {
                table.name: int(conn.scalar(select(func.count()).select_from(table)) or 0)
                for table in t.metadata.sorted_tables
            }

    def errors(self) -> list[tuple[str, str]]:
        """(locator, reason) of every input that could not be stored."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(t.ingest_errors.c.locator, t.ingest_errors.c.reason))
            return [(r[0], r[1]) for r in rows]

    def articles(self) -> Iterator[StoredArticle]:
        """Every stored article with its rebuilt Analysis, in ingest order (streamed)."""
        a = t.articles
        original = a.alias("original")
        near = a.alias("near")
        query = (
            select(
                a.c.id,
                a.c.locator,
                t.outlets.c.name,
                a.c.cluster_id,
                a.c.content_hash,
                a.c.input_format,
                original.c.locator,
                near.c.locator,
                a.c.similarity,
                a.c.analysis,
            )
            .outerjoin(t.outlets, t.outlets.c.id == a.c.outlet_id)
            .outerjoin(original, original.c.id == a.c.copy_of)
            .outerjoin(near, near.c.id == a.c.near_duplicate_of)
            .order_by(a.c.id)
        )
        agency_query = select(t.article_agencies.c.article_id, t.agencies.c.name).join(
            t.agencies, t.agencies.c.id == t.article_agencies.c.agency_id
        )
        with self.engine.connect() as conn:
            agencies: dict[int, list[str]] = {}
            for article_id, name in conn.execute(agency_query):
                agencies.setdefault(article_id, []).append(name)
            for row in conn.execution_options(yield_per=200).execute(query):
                yield StoredArticle(
                    id=row[0],
                    locator=row[1],
                    outlet=row[2],
                    cluster=row[3],
                    content_hash=row[4],
                    input_format=row[5],
                    copy_of=row[6],
                    near_duplicate_of=row[7],
                    similarity=row[8],
                    agencies=tuple(sorted(agencies.get(row[0], ()))),
                    analysis=Analysis.model_validate_json(row[9]),
                )

    # ------------------------------------------------------------------ writing

    def write(self, records: Sequence[ArticleRecord], errors: Iterable[tuple[str, str]] = ()) -> None:
        """Store a batch of articles and ingest errors in one transaction (all or nothing).

        An article stored now clears an error recorded for its locator by an earlier run; an error
        recorded again replaces the earlier one, so reruns never pile up error rows.
        """
        errors = list(errors)
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        with self.engine.begin() as conn:
            touched = [r.locator for r in records] + [locator for locator, _ in errors]
            for chunk in _chunks(touched):
                conn.execute(delete(t.ingest_errors).where(t.ingest_errors.c.locator.in_(chunk)))
            if errors:
                conn.execute(
                    insert(t.ingest_errors),
                    [{"locator": loc, "reason": reason, "created_at": now} for loc, reason in errors],
                )
            if records:
                self._write_articles(conn, records, now)

    def _write_articles(self, conn: Connection, records: Sequence[ArticleRecord], now: dt.datetime) -> None:
        outlet_ids = _get_or_create(conn, t.outlets, "name", {r.site: {} for r in records if r.site})
        cluster_ids = _get_or_create(conn, t.story_clusters, "key", {r.cluster_key: {} for r in records})
        agency_names: dict[str, dict[str, Any]] = {
            link.name: {} for r in records for link in r.analysis.source_chain if link.role == "agency"
        }
        agency_ids = _get_or_create(conn, t.agencies, "name", agency_names)

        rows_by_record = [analysis_rows(r.analysis, r.locator) for r in records]
        speaker_names: dict[str, dict[str, Any]] = {}
        for rows in rows_by_record:
            for table_rows in rows.values():
                for row in table_rows:
                    key = speaker_key(row.get("speaker"))
                    if key is not None and key not in speaker_names:
                        speaker_names[key] = {"name": row["speaker"]}
        speaker_ids = _get_or_create(conn, t.speakers, "key", speaker_names)

        refs = {r.copy_of for r in records if r.copy_of} | {
            r.near_duplicate_of for r in records if r.near_duplicate_of
        }
        article_ids: dict[str, int] = {}
        for chunk in _chunks(sorted(refs)):
            query = select(t.articles.c.locator, t.articles.c.id).where(t.articles.c.locator.in_(chunk))
            article_ids.update({loc: id_ for loc, id_ in conn.execute(query)})

        child_rows: dict[str, list[dict[str, Any]]] = {name: [] for name in t.analysis_tables}
        agency_rows: list[dict[str, int]] = []
        for record, rows in zip(records, rows_by_record, strict=True):
            analysis = record.analysis
            place_norm = _article_place(analysis)
            article_id = conn.execute(
                insert(t.articles).values(
                    locator=record.locator,
                    content_hash=record.content_hash,
                    cluster_id=cluster_ids[record.cluster_key],
                    copy_of=article_ids.get(record.copy_of) if record.copy_of else None,
                    near_duplicate_of=(
                        article_ids.get(record.near_duplicate_of) if record.near_duplicate_of else None
                    ),
                    similarity=record.similarity,
                    outlet_id=outlet_ids.get(record.site) if record.site else None,
                    input_format=record.input_format,
                    title=analysis.title,
                    url=analysis.url,
                    published=analysis.published,
                    language=analysis.language,
                    model=analysis.model,
                    place_norm=place_norm,
                    minhash=record.minhash,
                    analysis=analysis.to_json(),
                    ingested_at=now,
                )
            ).inserted_primary_key[0]  # type: ignore[index]
            article_ids[record.locator] = article_id
            for name in sorted({link.name for link in analysis.source_chain if link.role == "agency"}):
                agency_rows.append({"article_id": article_id, "agency_id": agency_ids[name]})
            for table, table_rows in rows.items():
                for row in table_rows:
                    child_rows[table].append(_store_row(table, row, article_id, speaker_ids, place_norm))
        if agency_rows:
            conn.execute(insert(t.article_agencies), agency_rows)
        for table, table_rows in child_rows.items():
            if table_rows:
                conn.execute(insert(t.analysis_tables[table]), table_rows)


def _article_place(analysis: Analysis) -> str | None:
    """Where the article is set: its dateline place, else its first GPE, else its first LOC entity.

    Figures often give no place of their own ("killed at least 42 people"); the article's place is then
    the best evidence of where they were counted, and without it they could never be compared.
    """
    if analysis.dateline is not None and analysis.dateline.place is not None:
        return normalise_name(analysis.dateline.place.text)
    for label in ("GPE", "LOC"):
        for entity in analysis.entities:
            if entity.label == label:
                return normalise_name(entity.text)
    return None


def _store_row(
    table: str, row: dict[str, Any], article_id: int, speaker_ids: dict[str, int], place_norm: str | None
) -> dict[str, Any]:
    """An exported row (sayso.export columns) as a store row: keys instead of names, plus norms."""
    out = dict(row)
    del out["article"]
    out["article_id"] = article_id
    if "id" in out:
        out["local_id"] = out.pop("id")
    if "speaker" in out:
        key = speaker_key(out.pop("speaker"))
        out["speaker_id"] = speaker_ids.get(key) if key else None
    if table == "quantities":
        out["counted_norm"] = normalise_noun(row["counted_text"])
        out["place_norm"] = normalise_name(row["place_text"]) or place_norm
    elif table == "events":
        out["actor_norm"] = normalise_name(row["actor_text"])
        out["target_norm"] = normalise_name(row["target_text"])
    return out


def _chunks(values: Sequence[str]) -> Iterator[Sequence[str]]:
    for i in range(0, len(values), _CHUNK):
        yield values[i : i + _CHUNK]


def _get_or_create(
    conn: Connection, table: Table, column: str, wanted: dict[str, dict[str, Any]]
) -> dict[str, int]:
    """Ids of the rows whose ``column`` is each key of ``wanted``; missing rows are inserted first.

    Single-writer by design (one ingest at a time per database): a concurrent writer inserting the
    same name would make this transaction fail, and the batch would be retried by a rerun.
    """
    if not wanted:
        return {}
    col = table.c[column]
    found: dict[str, int] = {}
    keys = sorted(wanted)
    for chunk in _chunks(keys):
        found.update({k: i for k, i in conn.execute(select(col, table.c.id).where(col.in_(chunk)))})
    missing = [k for k in keys if k not in found]
    if missing:
        conn.execute(insert(table), [{column: k, **wanted[k]} for k in missing])
        for chunk in _chunks(missing):
            found.update({k: i for k, i in conn.execute(select(col, table.c.id).where(col.in_(chunk)))})
    return found
