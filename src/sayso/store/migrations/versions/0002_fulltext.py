"""Full-text search over article titles and texts (``sayso serve``'s article search).

SQLite: an FTS5 index with external content (a view over ``articles`` that pulls the text out of the
stored sayso/1 JSON), kept current by triggers, so the text is stored once and ingest needs no change.
PostgreSQL: a GIN index on ``to_tsvector('english', title || text)``; queries use the same expression
(see ``sayso.api._queries``) so the planner can use the index.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 12:00:00
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

#: The indexed document, for PostgreSQL. sayso.api._queries repeats this expression verbatim.
PG_DOCUMENT = (
    "to_tsvector('english'::regconfig, coalesce(title, '') || ' ' || coalesce(analysis::json ->> 'text', ''))"
)

_SQLITE_UP = (
    "CREATE VIEW articles_fts_source AS "
    "SELECT id, title, json_extract(analysis, '$.text') AS body FROM articles",
    "CREATE VIRTUAL TABLE articles_fts USING fts5("
    "title, body, content='articles_fts_source', content_rowid='id', tokenize='porter unicode61')",
    "CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN "
    "INSERT INTO articles_fts(rowid, title, body) "
    "VALUES (new.id, new.title, json_extract(new.analysis, '$.text')); END",
    "CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN "
    "INSERT INTO articles_fts(articles_fts, rowid, title, body) "
    "VALUES ('delete', old.id, old.title, json_extract(old.analysis, '$.text')); END",
    "CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, analysis ON articles BEGIN "
    "INSERT INTO articles_fts(articles_fts, rowid, title, body) "
    "VALUES ('delete', old.id, old.title, json_extract(old.analysis, '$.text')); "
    "INSERT INTO articles_fts(rowid, title, body) "
    "VALUES (new.id, new.title, json_extract(new.analysis, '$.text')); END",
    # Index what an older store already holds.
    "INSERT INTO articles_fts(articles_fts) VALUES ('rebuild')",
)

_SQLITE_DOWN = (
    "DROP TRIGGER IF EXISTS articles_fts_update",
    "DROP TRIGGER IF EXISTS articles_fts_delete",
    "DROP TRIGGER IF EXISTS articles_fts_insert",
    "DROP TABLE IF EXISTS articles_fts",
    "DROP VIEW IF EXISTS articles_fts_source",
)


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for statement in _SQLITE_UP:
            op.execute(statement)
    elif dialect == "postgresql":
        op.execute(f"CREATE INDEX ix_articles_fulltext ON articles USING gin (({PG_DOCUMENT}))")


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for statement in _SQLITE_DOWN:
            op.execute(statement)
    elif dialect == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_articles_fulltext")
