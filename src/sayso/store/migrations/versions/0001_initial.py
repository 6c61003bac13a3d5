"""Initial store: articles, outlets, agencies, speakers, story clusters, analysis tables, ingest errors.

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-29 04:56:43.177640
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "agencies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=500), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agencies")),
        sa.UniqueConstraint("name", name=op.f("uq_agencies_name")),
    )
    op.create_table(
        "ingest_errors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("locator", sa.String(length=2000), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ingest_errors")),
        sa.UniqueConstraint("locator", name=op.f("uq_ingest_errors_locator")),
    )
    op.create_table(
        "outlets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=500), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outlets")),
        sa.UniqueConstraint("name", name=op.f("uq_outlets_name")),
    )
    op.create_table(
        "speakers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=500), nullable=False, comment="normalised name (grouping key)"),
        sa.Column("name", sa.Text(), nullable=False, comment="the first surface form seen"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_speakers")),
        sa.UniqueConstraint("key", name=op.f("uq_speakers_key")),
    )
    op.create_table(
        "story_clusters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=2000), nullable=False, comment="locator of the founding article"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_story_clusters")),
        sa.UniqueConstraint("key", name=op.f("uq_story_clusters_key")),
    )
    op.create_table(
        "articles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("locator", sa.String(length=2000), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("cluster_id", sa.Integer(), nullable=False),
        sa.Column("copy_of", sa.Integer(), nullable=True, comment="exact copy of"),
        sa.Column("near_duplicate_of", sa.Integer(), nullable=True),
        sa.Column(
            "similarity", sa.Float(), nullable=True, comment="estimated Jaccard with near_duplicate_of"
        ),
        sa.Column("outlet_id", sa.Integer(), nullable=True),
        sa.Column("input_format", sa.String(length=32), nullable=True),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("published", sa.Date(), nullable=True),
        sa.Column("language", sa.String(length=16), nullable=True),
        sa.Column("model", sa.Text(), nullable=True),
        sa.Column("place_norm", sa.String(length=500), nullable=True, comment="normalised dateline place"),
        sa.Column("minhash", sa.LargeBinary(), nullable=True),
        sa.Column("analysis", sa.Text(), nullable=False, comment="the whole sayso/1 JSON"),
        sa.Column("ingested_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["cluster_id"], ["story_clusters.id"], name=op.f("fk_articles_cluster_id_story_clusters")
        ),
        sa.ForeignKeyConstraint(["copy_of"], ["articles.id"], name=op.f("fk_articles_copy_of_articles")),
        sa.ForeignKeyConstraint(
            ["near_duplicate_of"], ["articles.id"], name=op.f("fk_articles_near_duplicate_of_articles")
        ),
        sa.ForeignKeyConstraint(["outlet_id"], ["outlets.id"], name=op.f("fk_articles_outlet_id_outlets")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_articles")),
        sa.UniqueConstraint("locator", name=op.f("uq_articles_locator")),
    )
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_articles_cluster_id"), ["cluster_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_articles_content_hash"), ["content_hash"], unique=False)
        batch_op.create_index(batch_op.f("ix_articles_outlet_id"), ["outlet_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_articles_published"), ["published"], unique=False)

    op.create_table(
        "article_agencies",
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_article_agencies_agency_id_agencies")
        ),
        sa.ForeignKeyConstraint(
            ["article_id"], ["articles.id"], name=op.f("fk_article_agencies_article_id_articles")
        ),
        sa.PrimaryKeyConstraint("article_id", "agency_id", name=op.f("pk_article_agencies")),
    )
    op.create_table(
        "attributions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("local_id", sa.String(length=32), nullable=True),
        sa.Column("kind", sa.Text(), nullable=True),
        sa.Column("source_start", sa.Integer(), nullable=True),
        sa.Column("source_end", sa.Integer(), nullable=True),
        sa.Column("source_text", sa.Text(), nullable=True),
        sa.Column("resolved_start", sa.Integer(), nullable=True),
        sa.Column("resolved_end", sa.Integer(), nullable=True),
        sa.Column("resolved_text", sa.Text(), nullable=True),
        sa.Column("cue_start", sa.Integer(), nullable=True),
        sa.Column("cue_end", sa.Integer(), nullable=True),
        sa.Column("cue_text", sa.Text(), nullable=True),
        sa.Column("content_text", sa.Text(), nullable=True),
        sa.Column("content_spans", sa.Text(), nullable=True),
        sa.Column("parent", sa.Text(), nullable=True),
        sa.Column("confidence", sa.Float(), nullable=True),
        sa.Column("method", sa.Text(), nullable=True),
        sa.Column("speaker_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["article_id"], ["articles.id"], name=op.f("fk_attributions_article_id_articles")
        ),
        sa.ForeignKeyConstraint(
            ["speaker_id"], ["speakers.id"], name=op.f("fk_attributions_speaker_id_speakers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attributions")),
    )
    with op.batch_alter_table("attributions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_attributions_article_id"), ["article_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_attributions_speaker_id"), ["speaker_id"], unique=False)

    op.create_table(
        "claims",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("local_id", sa.String(length=32), nullable=True),
        sa.Column("start", sa.Integer(), nullable=True),
        sa.Column("end", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("checkworthiness", sa.Float(), nullable=True),
        sa.Column("attribution", sa.Text(), nullable=True),
        sa.Column("speaker_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["article_id"], ["articles.id"], name=op.f("fk_claims_article_id_articles")),
        sa.ForeignKeyConstraint(["speaker_id"], ["speakers.id"], name=op.f("fk_claims_speaker_id_speakers")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claims")),
    )
    with op.batch_alter_table("claims", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_claims_article_id"), ["article_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_claims_speaker_id"), ["speaker_id"], unique=False)

    op.create_table(
        "events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("local_id", sa.String(length=32), nullable=True),
        sa.Column("type", sa.Text(), nullable=True),
        sa.Column("trigger_start", sa.Integer(), nullable=True),
        sa.Column("trigger_end", sa.Integer(), nullable=True),
        sa.Column("trigger_text", sa.Text(), nullable=True),
        sa.Column("actor_start", sa.Integer(), nullable=True),
        sa.Column("actor_end", sa.Integer(), nullable=True),
        sa.Column("actor_text", sa.Text(), nullable=True),
        sa.Column("target_start", sa.Integer(), nullable=True),
        sa.Column("target_end", sa.Integer(), nullable=True),
        sa.Column("target_text", sa.Text(), nullable=True),
        sa.Column("place_start", sa.Integer(), nullable=True),
        sa.Column("place_end", sa.Integer(), nullable=True),
        sa.Column("place_text", sa.Text(), nullable=True),
        sa.Column("time_start", sa.Integer(), nullable=True),
        sa.Column("time_end", sa.Integer(), nullable=True),
        sa.Column("time_text", sa.Text(), nullable=True),
        sa.Column("attribution", sa.Text(), nullable=True),
        sa.Column("speaker_id", sa.Integer(), nullable=True),
        sa.Column("actor_norm", sa.String(length=500), nullable=True),
        sa.Column("target_norm", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(["article_id"], ["articles.id"], name=op.f("fk_events_article_id_articles")),
        sa.ForeignKeyConstraint(["speaker_id"], ["speakers.id"], name=op.f("fk_events_speaker_id_speakers")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_events")),
    )
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_events_article_id"), ["article_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_events_speaker_id"), ["speaker_id"], unique=False)
        batch_op.create_index("ix_events_type_actor_norm", ["type", "actor_norm"], unique=False)

    op.create_table(
        "quantities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("local_id", sa.String(length=32), nullable=True),
        sa.Column("start", sa.Integer(), nullable=True),
        sa.Column("end", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("low", sa.Float(), nullable=True),
        sa.Column("high", sa.Float(), nullable=True),
        sa.Column("qualifier", sa.Text(), nullable=True),
        sa.Column("approximate", sa.Boolean(), nullable=True),
        sa.Column("unit", sa.Text(), nullable=True),
        sa.Column("counted_start", sa.Integer(), nullable=True),
        sa.Column("counted_end", sa.Integer(), nullable=True),
        sa.Column("counted_text", sa.Text(), nullable=True),
        sa.Column("place_start", sa.Integer(), nullable=True),
        sa.Column("place_end", sa.Integer(), nullable=True),
        sa.Column("place_text", sa.Text(), nullable=True),
        sa.Column("time_start", sa.Integer(), nullable=True),
        sa.Column("time_end", sa.Integer(), nullable=True),
        sa.Column("time_text", sa.Text(), nullable=True),
        sa.Column("time_value", sa.Text(), nullable=True),
        sa.Column("attribution", sa.Text(), nullable=True),
        sa.Column("speaker_id", sa.Integer(), nullable=True),
        sa.Column("counted_norm", sa.String(length=500), nullable=True),
        sa.Column("place_norm", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["article_id"], ["articles.id"], name=op.f("fk_quantities_article_id_articles")
        ),
        sa.ForeignKeyConstraint(
            ["speaker_id"], ["speakers.id"], name=op.f("fk_quantities_speaker_id_speakers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quantities")),
    )
    with op.batch_alter_table("quantities", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_quantities_article_id"), ["article_id"], unique=False)
        batch_op.create_index(
            "ix_quantities_counted_norm_place_norm", ["counted_norm", "place_norm"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_quantities_speaker_id"), ["speaker_id"], unique=False)

    op.create_table(
        "techniques",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("start", sa.Integer(), nullable=True),
        sa.Column("end", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("technique", sa.Text(), nullable=True),
        sa.Column("score", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(
            ["article_id"], ["articles.id"], name=op.f("fk_techniques_article_id_articles")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_techniques")),
    )
    with op.batch_alter_table("techniques", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_techniques_article_id"), ["article_id"], unique=False)

    op.create_table(
        "times",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("start", sa.Integer(), nullable=True),
        sa.Column("end", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("type", sa.Text(), nullable=True),
        sa.Column("value", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["article_id"], ["articles.id"], name=op.f("fk_times_article_id_articles")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_times")),
    )
    with op.batch_alter_table("times", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_times_article_id"), ["article_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("times", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_times_article_id"))

    op.drop_table("times")
    with op.batch_alter_table("techniques", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_techniques_article_id"))

    op.drop_table("techniques")
    with op.batch_alter_table("quantities", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_quantities_speaker_id"))
        batch_op.drop_index("ix_quantities_counted_norm_place_norm")
        batch_op.drop_index(batch_op.f("ix_quantities_article_id"))

    op.drop_table("quantities")
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index("ix_events_type_actor_norm")
        batch_op.drop_index(batch_op.f("ix_events_speaker_id"))
        batch_op.drop_index(batch_op.f("ix_events_article_id"))

    op.drop_table("events")
    with op.batch_alter_table("claims", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_claims_speaker_id"))
        batch_op.drop_index(batch_op.f("ix_claims_article_id"))

    op.drop_table("claims")
    with op.batch_alter_table("attributions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_attributions_speaker_id"))
        batch_op.drop_index(batch_op.f("ix_attributions_article_id"))

    op.drop_table("attributions")
    op.drop_table("article_agencies")
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_articles_published"))
        batch_op.drop_index(batch_op.f("ix_articles_outlet_id"))
        batch_op.drop_index(batch_op.f("ix_articles_content_hash"))
        batch_op.drop_index(batch_op.f("ix_articles_cluster_id"))

    op.drop_table("articles")
    op.drop_table("story_clusters")
    op.drop_table("speakers")
    op.drop_table("outlets")
    op.drop_table("ingest_errors")
    op.drop_table("agencies")
