"""Affiliate programs (issue 15): programs with their onboarding checklists, affiliates with
their stage history and ticks, tracking links, promo codes, creatives, clicks per day,
conversions (orders, unique per program by order id), saved import mappings, and a small
settings table (the key of the customer e-mail hashes).

Indexes serve the KPI queries: conversions by (program, time) and (affiliate, time), clicks
by (program, day) and (affiliate, day).

Revision ID: 0006_affiliates
Revises: 0005_brands_and_terms
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_affiliates"
down_revision = "0005_brands_and_terms"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "import_profiles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("mapping", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "settings",
        sa.Column("key", sa.String(length=60), nullable=False),
        sa.Column("value", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "programs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("slug", sa.String(length=60), nullable=False),
        sa.Column("brand_id", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("rate_bp", sa.Integer(), nullable=False),
        sa.Column("attribution_days", sa.Integer(), nullable=False),
        sa.Column("lock_days", sa.Integer(), nullable=False),
        sa.Column("net_days", sa.Integer(), nullable=False),
        sa.Column("forbidden_sources", sa.String(length=1000), nullable=False),
        sa.Column("terms", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("archived_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint("rate_bp >= 0 AND rate_bp <= 10000", name="program_rate_in_range"),
        sa.ForeignKeyConstraint(
            ["brand_id"],
            ["brands.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
        sa.UniqueConstraint("slug"),
    )
    with op.batch_alter_table("programs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_programs_brand_id"), ["brand_id"], unique=False)

    op.create_table(
        "affiliates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("handle", sa.String(length=100), nullable=False),
        sa.Column("code", sa.String(length=100), nullable=False),
        sa.Column("creator_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("email", sa.String(length=200), nullable=True),
        sa.Column("site", sa.String(length=300), nullable=True),
        sa.Column(
            "stage",
            sa.Enum(
                "prospect",
                "contacted",
                "applied",
                "onboarding",
                "active",
                "paused",
                "ended",
                "rejected",
                name="affiliatestage",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("stage_since", sa.DateTime(), nullable=False),
        sa.Column("notes", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["creator_id"], ["creators.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["program_id"], ["programs.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("program_id", "handle"),
    )
    with op.batch_alter_table("affiliates", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_affiliates_creator_id"), ["creator_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_affiliates_handle"), ["handle"], unique=False)
        batch_op.create_index("ix_affiliates_program_stage", ["program_id", "stage"], unique=False)

    op.create_table(
        "checklist_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=120), nullable=False),
        sa.ForeignKeyConstraint(["program_id"], ["programs.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("program_id", "label"),
    )
    with op.batch_alter_table("checklist_items", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_checklist_items_program_id"), ["program_id"], unique=False
        )

    op.create_table(
        "affiliate_stage_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("affiliate_id", sa.Integer(), nullable=False),
        sa.Column(
            "from_stage",
            sa.Enum(
                "prospect",
                "contacted",
                "applied",
                "onboarding",
                "active",
                "paused",
                "ended",
                "rejected",
                name="affiliatestage",
                native_enum=False,
                length=20,
            ),
            nullable=True,
        ),
        sa.Column(
            "to_stage",
            sa.Enum(
                "prospect",
                "contacted",
                "applied",
                "onboarding",
                "active",
                "paused",
                "ended",
                "rejected",
                name="affiliatestage",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(["affiliate_id"], ["affiliates.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("affiliate_stage_changes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_affiliate_stage_changes_affiliate_id"), ["affiliate_id"], unique=False
        )

    op.create_table(
        "checklist_ticks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("affiliate_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(["affiliate_id"], ["affiliates.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["item_id"], ["checklist_items.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("affiliate_id", "item_id"),
    )
    with op.batch_alter_table("checklist_ticks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_checklist_ticks_item_id"), ["item_id"], unique=False)

    op.create_table(
        "creatives",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("affiliate_id", sa.Integer(), nullable=True),
        sa.Column(
            "kind",
            sa.Enum("banner", "text", name="creativekind", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("size", sa.String(length=40), nullable=True),
        sa.Column("text", sa.String(length=500), nullable=True),
        sa.Column("path", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["affiliate_id"], ["affiliates.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["program_id"], ["programs.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("creatives", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_creatives_affiliate_id"), ["affiliate_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_creatives_program_id"), ["program_id"], unique=False)

    op.create_table(
        "promo_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("affiliate_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("code_key", sa.String(length=40), nullable=False),
        sa.Column("discount_bp", sa.Integer(), nullable=True),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "discount_bp IS NULL OR (discount_bp >= 0 AND discount_bp <= 10000)",
            name="promo_discount_in_range",
        ),
        sa.ForeignKeyConstraint(["affiliate_id"], ["affiliates.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["program_id"], ["programs.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("program_id", "code_key"),
    )
    with op.batch_alter_table("promo_codes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_promo_codes_affiliate_id"), ["affiliate_id"], unique=False
        )

    op.create_table(
        "tracking_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("affiliate_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("destination", sa.String(length=500), nullable=False),
        sa.Column("url", sa.String(length=1000), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["affiliate_id"], ["affiliates.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["program_id"], ["programs.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("program_id", "code"),
    )
    with op.batch_alter_table("tracking_links", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_tracking_links_affiliate_id"), ["affiliate_id"], unique=False
        )

    op.create_table(
        "click_days",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("affiliate_id", sa.Integer(), nullable=False),
        sa.Column("link_id", sa.Integer(), nullable=True),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("clicks", sa.Integer(), nullable=False),
        sa.Column("impressions", sa.Integer(), nullable=True),
        sa.CheckConstraint("clicks >= 0", name="clicks_not_negative"),
        sa.ForeignKeyConstraint(["affiliate_id"], ["affiliates.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["link_id"], ["tracking_links.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["program_id"], ["programs.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("click_days", schema=None) as batch_op:
        batch_op.create_index("ix_click_days_affiliate_day", ["affiliate_id", "day"], unique=False)
        batch_op.create_index(batch_op.f("ix_click_days_link_id"), ["link_id"], unique=False)
        batch_op.create_index("ix_click_days_program_day", ["program_id", "day"], unique=False)

    op.create_table(
        "conversions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.String(length=100), nullable=False),
        sa.Column("affiliate_id", sa.Integer(), nullable=False),
        sa.Column("link_id", sa.Integer(), nullable=True),
        sa.Column("promo_code_id", sa.Integer(), nullable=True),
        sa.Column("occurred_at", sa.DateTime(), nullable=False),
        sa.Column("amount_minor", sa.Integer(), nullable=False),
        sa.Column("refund_minor", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "approved",
                "reversed",
                "held",
                name="conversionstatus",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("source", sa.String(length=100), nullable=True),
        sa.Column("customer_hash", sa.String(length=64), nullable=True),
        sa.Column("platform_rate_bp", sa.Integer(), nullable=True),
        sa.Column("platform_commission_minor", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "amount_minor >= 0 AND refund_minor >= 0 AND refund_minor <= amount_minor",
            name="conversion_amounts",
        ),
        sa.ForeignKeyConstraint(["affiliate_id"], ["affiliates.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["link_id"], ["tracking_links.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["program_id"], ["programs.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["promo_code_id"], ["promo_codes.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("program_id", "order_id"),
    )
    with op.batch_alter_table("conversions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_conversions_affiliate_time", ["affiliate_id", "occurred_at"], unique=False
        )
        batch_op.create_index(
            "ix_conversions_program_time", ["program_id", "occurred_at"], unique=False
        )


def downgrade() -> None:
    # Indexes go with their tables.
    op.drop_table("conversions")
    op.drop_table("click_days")
    op.drop_table("tracking_links")
    op.drop_table("promo_codes")
    op.drop_table("creatives")
    op.drop_table("checklist_ticks")
    op.drop_table("affiliate_stage_changes")
    op.drop_table("checklist_items")
    op.drop_table("affiliates")
    op.drop_table("programs")
    op.drop_table("settings")
    op.drop_table("import_profiles")
