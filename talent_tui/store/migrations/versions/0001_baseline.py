"""Baseline schema: creators, metric history, audiences, rates, brands, campaigns.

Revision ID: 0001_baseline
Revises:
Create Date: 2026-11-24 09:06:19.872489
"""

import sqlalchemy as sa
from alembic import op

revision = "0001_baseline"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "brands",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("contact_name", sa.String(length=200), nullable=True),
        sa.Column("email", sa.String(length=200), nullable=True),
        sa.Column("website", sa.String(length=300), nullable=True),
        sa.Column("notes", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("brands", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_brands_name"), ["name"], unique=True)

    op.create_table(
        "creators",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("tiktok_handle", sa.String(length=100), nullable=False),
        sa.Column("instagram_handle", sa.String(length=100), nullable=True),
        sa.Column("youtube_handle", sa.String(length=100), nullable=True),
        sa.Column("followers", sa.Integer(), nullable=False),
        sa.Column("engagement_rate", sa.Float(), nullable=True),
        sa.Column("niche", sa.String(length=60), nullable=True),
        sa.Column("tags", sa.String(length=500), nullable=False),
        sa.Column("email", sa.String(length=200), nullable=True),
        sa.Column("phone", sa.String(length=60), nullable=True),
        sa.Column("commission_bp", sa.Integer(), nullable=False),
        sa.Column("notes", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("archived_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("creators", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_creators_archived_at"), ["archived_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_creators_followers"), ["followers"], unique=False)
        batch_op.create_index(batch_op.f("ix_creators_name"), ["name"], unique=False)
        batch_op.create_index(batch_op.f("ix_creators_niche"), ["niche"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_creators_tiktok_handle"), ["tiktok_handle"], unique=True
        )

    op.create_table(
        "audience_segments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("creator_id", sa.Integer(), nullable=False),
        sa.Column("captured_on", sa.Date(), nullable=False),
        sa.Column(
            "dimension",
            sa.Enum("gender", "age", "country", name="dimension", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("bucket", sa.String(length=40), nullable=False),
        sa.Column("share", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(["creator_id"], ["creators.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("creator_id", "captured_on", "dimension", "bucket"),
    )
    with op.batch_alter_table("audience_segments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_audience_segments_creator_id"), ["creator_id"], unique=False
        )

    op.create_table(
        "brand_targets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("brand_id", sa.Integer(), nullable=False),
        sa.Column(
            "dimension",
            sa.Enum("gender", "age", "country", name="dimension", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("bucket", sa.String(length=40), nullable=False),
        sa.Column("share", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(["brand_id"], ["brands.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("brand_id", "dimension", "bucket"),
    )
    with op.batch_alter_table("brand_targets", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_brand_targets_brand_id"), ["brand_id"], unique=False)

    op.create_table(
        "campaigns",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=100), nullable=True),
        sa.Column("creator_id", sa.Integer(), nullable=False),
        sa.Column("brand_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("fee_minor", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "offer_received",
                "reviewing",
                "negotiating",
                "accepted",
                "in_production",
                "completed",
                "declined",
                "expired",
                "cancelled",
                name="campaignstatus",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("offer_received_on", sa.Date(), nullable=True),
        sa.Column("respond_by", sa.Date(), nullable=True),
        sa.Column("start_on", sa.Date(), nullable=True),
        sa.Column("end_on", sa.Date(), nullable=True),
        sa.Column("notes", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("fee_minor >= 0", name="fee_not_negative"),
        sa.ForeignKeyConstraint(
            ["brand_id"],
            ["brands.id"],
        ),
        sa.ForeignKeyConstraint(["creator_id"], ["creators.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("campaigns", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_campaigns_brand_id"), ["brand_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_campaigns_creator_id"), ["creator_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_campaigns_external_id"), ["external_id"], unique=True)
        batch_op.create_index(batch_op.f("ix_campaigns_status"), ["status"], unique=False)

    op.create_table(
        "metric_snapshots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("creator_id", sa.Integer(), nullable=False),
        sa.Column("captured_on", sa.Date(), nullable=False),
        sa.Column("followers", sa.Integer(), nullable=False),
        sa.Column("avg_views", sa.Integer(), nullable=True),
        sa.Column("six_sec_view_rate", sa.Float(), nullable=True),
        sa.Column("completion_rate", sa.Float(), nullable=True),
        sa.Column("engagement_rate", sa.Float(), nullable=True),
        sa.Column("likes", sa.Integer(), nullable=True),
        sa.Column("comments", sa.Integer(), nullable=True),
        sa.Column("shares", sa.Integer(), nullable=True),
        sa.Column("videos_posted", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["creator_id"], ["creators.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("creator_id", "captured_on"),
    )
    with op.batch_alter_table("metric_snapshots", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_metric_snapshots_creator_id"), ["creator_id"], unique=False
        )

    op.create_table(
        "rates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("creator_id", sa.Integer(), nullable=False),
        sa.Column("deliverable", sa.String(length=40), nullable=False),
        sa.Column("amount_minor", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["creator_id"], ["creators.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("creator_id", "deliverable"),
    )
    with op.batch_alter_table("rates", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rates_creator_id"), ["creator_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("rates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rates_creator_id"))

    op.drop_table("rates")
    with op.batch_alter_table("metric_snapshots", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_metric_snapshots_creator_id"))

    op.drop_table("metric_snapshots")
    with op.batch_alter_table("campaigns", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_campaigns_status"))
        batch_op.drop_index(batch_op.f("ix_campaigns_external_id"))
        batch_op.drop_index(batch_op.f("ix_campaigns_creator_id"))
        batch_op.drop_index(batch_op.f("ix_campaigns_brand_id"))

    op.drop_table("campaigns")
    with op.batch_alter_table("brand_targets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_brand_targets_brand_id"))

    op.drop_table("brand_targets")
    with op.batch_alter_table("audience_segments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audience_segments_creator_id"))

    op.drop_table("audience_segments")
    with op.batch_alter_table("creators", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_creators_tiktok_handle"))
        batch_op.drop_index(batch_op.f("ix_creators_niche"))
        batch_op.drop_index(batch_op.f("ix_creators_name"))
        batch_op.drop_index(batch_op.f("ix_creators_followers"))
        batch_op.drop_index(batch_op.f("ix_creators_archived_at"))

    op.drop_table("creators")
    with op.batch_alter_table("brands", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_brands_name"))

    op.drop_table("brands")
