"""The KPI views' click-day index covers impressions too (CTR).

Revision ID: 0015_click_impressions
Revises: 0014_pg_roster_order

0008 made `ix_click_days_program_day` a covering index of (program_id, day, affiliate_id,
clicks), so a program's KPI view sums its click days from the index alone. CTR (clicks ÷
impressions) reads impressions as well, which sent every click day of the period back to the
table. The index now ends with impressions: (program_id, day, affiliate_id, clicks,
impressions). The downgrade puts 0008's back.
"""

from alembic import op

revision = "0015_click_impressions"
down_revision = "0014_pg_roster_order"
branch_labels = None
depends_on = None

NAME = "ix_click_days_program_day"
BEFORE = ["program_id", "day", "affiliate_id", "clicks"]
AFTER = [*BEFORE, "impressions"]


def _index(columns: list[str]) -> None:
    op.drop_index(NAME, table_name="click_days")
    op.create_index(NAME, "click_days", columns, unique=False)


def upgrade() -> None:
    _index(AFTER)


def downgrade() -> None:
    _index(BEFORE)
