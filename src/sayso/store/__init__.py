"""The sayso store: analysed articles in SQLite (default ``sayso.db``) or PostgreSQL.

    from sayso.store import Store, ingest
    with Store("corpus.db") as store:          # or "postgresql://user@host/db"
        summary = ingest(read_inputs(["news/"]), store, Analyzer())

Tables: articles (with the whole sayso/1 JSON, locator, content hash, MinHash, story cluster), outlets,
agencies, speakers, story_clusters, attributions, quantities, times, events, claims, techniques and
ingest_errors. Migrations (Alembic) ship in the package and run on open.
"""

from sayso.store._ingest import IngestSummary, ingest, site_of
from sayso.store._normalise import normalise_name, normalise_noun, speaker_key
from sayso.store._parquet import ingest_spark_output, is_spark_output, read_spark_output
from sayso.store._store import DEFAULT_DB, ArticleRecord, Store, StoredArticle, database_url

__all__ = [
    "DEFAULT_DB",
    "ArticleRecord",
    "IngestSummary",
    "Store",
    "StoredArticle",
    "database_url",
    "ingest",
    "ingest_spark_output",
    "is_spark_output",
    "normalise_name",
    "normalise_noun",
    "read_spark_output",
    "site_of",
    "speaker_key",
]
