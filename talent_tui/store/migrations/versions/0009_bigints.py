"""64-bit integers on PostgreSQL: every integer column becomes BIGINT, and every id sequence.

Revision ID: 0009_bigints
Revises: 0008_affiliate_indexes

PostgreSQL's `integer` is 32-bit: a ₩3,000,000,000 fee, a $30M rate in cents or 2,147,483,648
followers ended in "integer out of range". SQLite's INTEGER already holds 64 bits (and an
`INTEGER PRIMARY KEY` must stay exactly that to be the rowid), so on SQLite this migration does
nothing. The models say the same (`store.models`: every integer column is
`BigInteger().with_variant(Integer(), "sqlite")`), so a schema comparison finds no difference
on either store. The bounds on what may be stored are talent's field rules (`core.fields`:
MAX_COUNT, MAX_MINOR, MAX_ID), checked before the database, the same on both stores.

The columns are listed here, as they stood at 0008_affiliate_indexes (a migration is frozen: tables
added later are created with 64-bit columns). Each table is rewritten once (one ALTER TABLE
with all its columns); a primary key's sequence is made `AS bigint` so it can count past 2^31.
The downgrade turns them back into `integer` (it fails, changing nothing, if a value no longer
fits).
"""

from alembic import op

revision = "0009_bigints"
down_revision = "0008_affiliate_indexes"
branch_labels = None
depends_on = None

COLUMNS: dict[str, tuple[str, ...]] = {
    # The affiliate money tables of 0007_affiliate_money (their amounts and counts were
    # already 64-bit; their ids and references were not).
    "adjustments": (
        "id",
        "program_id",
        "affiliate_id",
        "conversion_id",
        "from_statement_id",
        "statement_id",
    ),
    "commission_rules": (
        "id",
        "program_id",
        "rate_bp",
    ),
    "fraud_thresholds": (
        "program_id",
        "outlier_x100",
        "spike_x100",
        "spike_days",
    ),
    "review_flags": (
        "id",
        "program_id",
        "affiliate_id",
    ),
    "review_holds": (
        "flag_id",
        "conversion_id",
    ),
    "statement_lines": (
        "id",
        "statement_id",
        "conversion_id",
        "adjustment_id",
        "rate_bp",
    ),
    "statements": (
        "id",
        "program_id",
        "affiliate_id",
        "tier_rate_bp",
    ),
    "affiliate_stage_changes": ("id", "affiliate_id"),
    "affiliates": ("id", "program_id", "creator_id"),
    "audience_segments": ("id", "creator_id"),
    "audit_entries": ("id", "entity_id"),
    "brand_targets": ("id", "brand_id"),
    "brands": ("id",),
    "campaigns": ("id", "creator_id", "brand_id", "fee_minor"),
    "checklist_items": ("id", "program_id", "position"),
    "checklist_ticks": ("id", "affiliate_id", "item_id"),
    "click_days": ("id", "program_id", "affiliate_id", "link_id", "clicks", "impressions"),
    "conversions": (
        "id",
        "program_id",
        "affiliate_id",
        "link_id",
        "promo_code_id",
        "amount_minor",
        "refund_minor",
        "platform_rate_bp",
        "platform_commission_minor",
    ),
    "creatives": ("id", "program_id", "affiliate_id"),
    "creators": ("id", "followers", "commission_bp", "open_deals"),
    "deliverables": ("id", "campaign_id"),
    "feedback": ("id", "deliverable_id"),
    "import_profiles": ("id",),
    "interactions": ("id", "creator_id", "brand_id"),
    "invoices": ("id", "campaign_id", "amount_minor"),
    "metric_snapshots": (
        "id",
        "creator_id",
        "followers",
        "avg_views",
        "likes",
        "comments",
        "shares",
        "videos_posted",
    ),
    "offers": (
        "id",
        "campaign_id",
        "version",
        "fee_minor",
        "usage_days",
        "exclusivity_days",
        "net_days",
        "upfront_bp",
    ),
    "programs": ("id", "brand_id", "rate_bp", "attribution_days", "lock_days", "net_days"),
    "promo_codes": ("id", "program_id", "affiliate_id", "discount_bp"),
    "rates": ("id", "creator_id", "amount_minor"),
    "tracking_links": ("id", "program_id", "affiliate_id"),
}


def _retype(sql_type: str) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, columns in COLUMNS.items():
        changes = ", ".join(f"ALTER COLUMN {c} TYPE {sql_type}" for c in columns)
        op.execute(f"ALTER TABLE {table} {changes}")
        if "id" not in columns:  # keyed by another column (fraud_thresholds): no sequence
            continue
        op.execute(
            f"DO $$ DECLARE s text := pg_get_serial_sequence('{table}', 'id'); BEGIN "
            f"IF s IS NOT NULL THEN EXECUTE format('ALTER SEQUENCE %s AS {sql_type}', s); "
            "END IF; END $$"
        )


def upgrade() -> None:
    _retype("bigint")


def downgrade() -> None:
    _retype("integer")
