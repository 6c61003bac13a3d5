"""The store's tables (SQLAlchemy 2 Core).

The analysis tables (attributions, quantities, times, events, claims, techniques) are built from the
column lists in :data:`sayso.export.TABLES`, so that a stored row and an exported row never drift apart;
the store swaps the ``article`` locator for an ``article_id`` key, the analysis-local ``id`` for
``local_id`` and the ``speaker`` name for a ``speaker_id`` key, and adds normalised grouping columns
(``*_norm``) that compare queries filter on. Schema changes go through an Alembic migration
(``migrations/versions``); ``tests/test_store.py`` fails when the migrations and these tables differ.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
)
from sqlalchemy.types import TypeEngine

from sayso.export import CHILD_TABLES, TABLES

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

outlets = Table(
    "outlets",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(500), nullable=False, unique=True),
)

agencies = Table(
    "agencies",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(500), nullable=False, unique=True),
)

speakers = Table(
    "speakers",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("key", String(500), nullable=False, unique=True, comment="normalised name (grouping key)"),
    Column("name", Text, nullable=False, comment="the first surface form seen"),
)

story_clusters = Table(
    "story_clusters",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("key", String(2000), nullable=False, unique=True, comment="locator of the founding article"),
)

articles = Table(
    "articles",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("locator", String(2000), nullable=False, unique=True),
    Column("content_hash", String(64), nullable=False, index=True),
    Column("cluster_id", Integer, ForeignKey("story_clusters.id"), nullable=False, index=True),
    Column("copy_of", Integer, ForeignKey("articles.id"), nullable=True, comment="exact copy of"),
    Column("near_duplicate_of", Integer, ForeignKey("articles.id"), nullable=True),
    Column("similarity", Float, nullable=True, comment="estimated Jaccard with near_duplicate_of"),
    Column("outlet_id", Integer, ForeignKey("outlets.id"), nullable=True, index=True),
    Column("input_format", String(32), nullable=True),
    Column("title", Text, nullable=True),
    Column("url", Text, nullable=True),
    Column("published", Date, nullable=True, index=True),
    Column("language", String(16), nullable=True),
    Column("model", Text, nullable=True),
    Column("place_norm", String(500), nullable=True, comment="normalised dateline place"),
    Column("minhash", LargeBinary, nullable=True),
    Column("analysis", Text, nullable=False, comment="the whole sayso/1 JSON"),
    Column("ingested_at", DateTime, nullable=False),
)

article_agencies = Table(
    "article_agencies",
    metadata,
    Column("article_id", Integer, ForeignKey("articles.id"), primary_key=True),
    Column("agency_id", Integer, ForeignKey("agencies.id"), primary_key=True),
)

ingest_errors = Table(
    "ingest_errors",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("locator", String(2000), nullable=False, unique=True),
    Column("reason", Text, nullable=False),
    Column("created_at", DateTime, nullable=False),
)

_TYPES: dict[str, type[TypeEngine[Any]]] = {
    "str": Text,
    "int": Integer,
    "float": Float,
    "bool": Boolean,
    "date": Date,
}

#: Extra normalised columns per analysis table.
_NORMS: dict[str, tuple[str, ...]] = {
    "quantities": ("counted_norm", "place_norm"),
    "events": ("actor_norm", "target_norm"),
}


def _analysis_table(name: str) -> Table:
    columns: list[Column[object]] = [
        Column("id", Integer, primary_key=True),
        Column("article_id", Integer, ForeignKey("articles.id"), nullable=False, index=True),
    ]
    for column, kind in TABLES[name][1:]:
        if column == "id":
            columns.append(Column("local_id", String(32), nullable=True))
        elif column == "speaker":
            columns.append(
                Column("speaker_id", Integer, ForeignKey("speakers.id"), nullable=True, index=True)
            )
        else:
            columns.append(Column(column, _TYPES[kind], nullable=True))
    columns.extend(Column(norm, String(500), nullable=True) for norm in _NORMS.get(name, ()))
    return Table(name, metadata, *columns)


analysis_tables: dict[str, Table] = {name: _analysis_table(name) for name in CHILD_TABLES}
attributions = analysis_tables["attributions"]
quantities = analysis_tables["quantities"]
times = analysis_tables["times"]
events = analysis_tables["events"]
claims = analysis_tables["claims"]
techniques = analysis_tables["techniques"]

Index("ix_quantities_counted_norm_place_norm", quantities.c.counted_norm, quantities.c.place_norm)
Index("ix_events_type_actor_norm", events.c.type, events.c.actor_norm)


#: Objects that migration 0002 creates by hand (SQLite FTS5 table, its view and shadow tables; the
#: PostgreSQL GIN index): they live outside the tables above on purpose, because SQLAlchemy cannot
#: describe them portably.
FULLTEXT_PREFIXES = ("articles_fts", "ix_articles_fulltext")


def managed_name(name: str | None, type_: str, parent_names: object) -> bool:
    """Alembic ``include_name``: compare and autogenerate only what these tables describe.

    Without it, ``alembic revision --autogenerate`` (and the test that migrations match the tables)
    would propose dropping the full-text objects.
    """
    return not (name or "").startswith(FULLTEXT_PREFIXES)
