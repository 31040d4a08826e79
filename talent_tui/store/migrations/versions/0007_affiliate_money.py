"""Affiliate money (issue 16): versioned commission rules (tiers, promotions, bonuses),
programs' fraud thresholds, review flags and the conversions they hold, statements with their
lines, and adjustments. Every money and count column is a 64-bit integer.

Revision ID: 0007_affiliate_money
Revises: 0006_affiliates
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_affiliate_money"
down_revision = "0006_affiliates"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "commission_rules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("tier", "promo", "bonus", name="rulekind", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("threshold", sa.BigInteger(), nullable=True),
        sa.Column("rate_bp", sa.Integer(), nullable=True),
        sa.Column("amount_minor", sa.BigInteger(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("starts_on", sa.Date(), nullable=True),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("valid_from", sa.DateTime(), nullable=False),
        sa.Column("valid_to", sa.DateTime(), nullable=True),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.CheckConstraint(
            "amount_minor IS NULL OR amount_minor >= 0", name="rule_amount_not_negative"
        ),
        sa.CheckConstraint(
            "rate_bp IS NULL OR (rate_bp >= 0 AND rate_bp <= 10000)", name="rule_rate_in_range"
        ),
        sa.ForeignKeyConstraint(["program_id"], ["programs.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("commission_rules", schema=None) as batch_op:
        batch_op.create_index(
            "ix_commission_rules_program_kind", ["program_id", "kind"], unique=False
        )

    op.create_table(
        "fraud_thresholds",
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("outlier_x100", sa.Integer(), nullable=False),
        sa.Column("outlier_min_clicks", sa.BigInteger(), nullable=False),
        sa.Column("spike_x100", sa.Integer(), nullable=False),
        sa.Column("spike_days", sa.Integer(), nullable=False),
        sa.Column("too_fast_s", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(["program_id"], ["programs.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("program_id"),
    )
    op.create_table(
        "review_flags",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("affiliate_id", sa.Integer(), nullable=False),
        sa.Column(
            "rule",
            sa.Enum(
                "duplicate_order",
                "self_referral",
                "forbidden_source",
                "rate_outlier",
                "click_spike",
                "too_fast",
                name="reviewrule",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("evidence", sa.String(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "open", "approved", "rejected", name="reviewstatus", native_enum=False, length=20
            ),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("decided_by", sa.String(length=100), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("decision_reason", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(["affiliate_id"], ["affiliates.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["program_id"], ["programs.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("program_id", "affiliate_id", "rule", "key"),
    )
    with op.batch_alter_table("review_flags", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_review_flags_affiliate_id"), ["affiliate_id"], unique=False
        )
        batch_op.create_index("ix_review_flags_status", ["status", "program_id"], unique=False)

    op.create_table(
        "statements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("affiliate_id", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("conversions", sa.BigInteger(), nullable=False),
        sa.Column("tier_rate_bp", sa.Integer(), nullable=False),
        sa.Column("commission_minor", sa.BigInteger(), nullable=False),
        sa.Column("bonus_minor", sa.BigInteger(), nullable=False),
        sa.Column("adjustments_minor", sa.BigInteger(), nullable=False),
        sa.Column("total_minor", sa.BigInteger(), nullable=False),
        sa.Column("carried_forward_minor", sa.BigInteger(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "open", "paid", "carried", name="statementstatus", native_enum=False, length=20
            ),
            nullable=False,
        ),
        sa.Column("paid_on", sa.Date(), nullable=True),
        sa.Column("paid_by", sa.String(length=100), nullable=True),
        sa.Column("reference", sa.String(length=500), nullable=True),
        sa.Column("built_at", sa.DateTime(), nullable=False),
        sa.Column("built_by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(["affiliate_id"], ["affiliates.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["program_id"], ["programs.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("program_id", "affiliate_id", "currency", "month"),
    )
    with op.batch_alter_table("statements", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_statements_affiliate_id"), ["affiliate_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_statements_program_id"), ["program_id"], unique=False)
        batch_op.create_index("ix_statements_status_due", ["status", "due_on"], unique=False)

    op.create_table(
        "adjustments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("affiliate_id", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "refund",
                "reversal",
                "approval",
                "carried",
                name="adjustmentkind",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("conversion_id", sa.Integer(), nullable=True),
        sa.Column("refund_delta_minor", sa.BigInteger(), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("from_statement_id", sa.Integer(), nullable=True),
        sa.Column("statement_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(["affiliate_id"], ["affiliates.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["conversion_id"], ["conversions.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["from_statement_id"], ["statements.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["program_id"], ["programs.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["statement_id"], ["statements.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("adjustments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_adjustments_affiliate_id"), ["affiliate_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_adjustments_conversion_id"), ["conversion_id"], unique=False
        )
        batch_op.create_index(
            "ix_adjustments_open", ["program_id", "affiliate_id", "statement_id"], unique=False
        )

    op.create_table(
        "review_holds",
        sa.Column("flag_id", sa.Integer(), nullable=False),
        sa.Column("conversion_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["conversion_id"], ["conversions.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["flag_id"], ["review_flags.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("flag_id", "conversion_id"),
    )
    with op.batch_alter_table("review_holds", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_review_holds_conversion_id"), ["conversion_id"], unique=False
        )

    op.create_table(
        "statement_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("statement_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "conversion", "bonus", "adjustment", name="linekind", native_enum=False, length=20
            ),
            nullable=False,
        ),
        sa.Column("conversion_id", sa.Integer(), nullable=True),
        sa.Column("adjustment_id", sa.Integer(), nullable=True),
        sa.Column("order_id", sa.String(length=100), nullable=True),
        sa.Column("occurred_at", sa.DateTime(), nullable=True),
        sa.Column("net_minor", sa.BigInteger(), nullable=False),
        sa.Column("rate_bp", sa.Integer(), nullable=True),
        sa.Column("why", sa.String(length=500), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["adjustment_id"], ["adjustments.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["conversion_id"], ["conversions.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["statement_id"], ["statements.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("statement_lines", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_statement_lines_conversion_id"), ["conversion_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_statement_lines_statement_id"), ["statement_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("statement_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_statement_lines_statement_id"))
        batch_op.drop_index(batch_op.f("ix_statement_lines_conversion_id"))

    op.drop_table("statement_lines")
    with op.batch_alter_table("review_holds", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_holds_conversion_id"))

    op.drop_table("review_holds")
    with op.batch_alter_table("adjustments", schema=None) as batch_op:
        batch_op.drop_index("ix_adjustments_open")
        batch_op.drop_index(batch_op.f("ix_adjustments_conversion_id"))
        batch_op.drop_index(batch_op.f("ix_adjustments_affiliate_id"))

    op.drop_table("adjustments")
    with op.batch_alter_table("statements", schema=None) as batch_op:
        batch_op.drop_index("ix_statements_status_due")
        batch_op.drop_index(batch_op.f("ix_statements_program_id"))
        batch_op.drop_index(batch_op.f("ix_statements_affiliate_id"))

    op.drop_table("statements")
    with op.batch_alter_table("review_flags", schema=None) as batch_op:
        batch_op.drop_index("ix_review_flags_status")
        batch_op.drop_index(batch_op.f("ix_review_flags_affiliate_id"))

    op.drop_table("review_flags")
    op.drop_table("fraud_thresholds")
    with op.batch_alter_table("commission_rules", schema=None) as batch_op:
        batch_op.drop_index("ix_commission_rules_program_kind")

    op.drop_table("commission_rules")
