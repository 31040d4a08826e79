"""Affiliate KPIs read from their indexes alone (issue 15, a program with 1,000,000 conversions).

A KPI view sums a program's conversions (and click days) over a period: a range of
(program, time). With the indexes of 0006 each conversion in the range cost a table read
for its affiliate, status, amount and refund; a month of a million-conversion program
(140,000 conversions with the month before, the trend) took 460 ms, a year 2.6 s. These
replace the two (program, time) indexes by covering ones that lead with the same columns
(so every query that used them still can) and hold what the sums read: the month takes
175 ms, the year 1.0 s (EXPLAIN QUERY PLAN: SEARCH … USING COVERING INDEX). Same number of
indexes, so imports write no more entries than before, only wider ones.

- ix_conversions_program_time: (program_id, occurred_at, affiliate_id, status, amount_minor,
  refund_minor)
- ix_click_days_program_day: (program_id, day, affiliate_id, clicks)

Revision ID: 0008_affiliate_indexes
Revises: 0007_affiliate_money
"""

from alembic import op

revision = "0008_affiliate_indexes"
down_revision = "0007_affiliate_money"
branch_labels = None
depends_on = None

CONVERSIONS = [
    "program_id",
    "occurred_at",
    "affiliate_id",
    "status",
    "amount_minor",
    "refund_minor",
]
CLICKS = ["program_id", "day", "affiliate_id", "clicks"]


def upgrade() -> None:
    with op.batch_alter_table("conversions", schema=None) as batch_op:
        batch_op.drop_index("ix_conversions_program_time")
        batch_op.create_index("ix_conversions_program_time", CONVERSIONS, unique=False)
    with op.batch_alter_table("click_days", schema=None) as batch_op:
        batch_op.drop_index("ix_click_days_program_day")
        batch_op.create_index("ix_click_days_program_day", CLICKS, unique=False)


def downgrade() -> None:
    with op.batch_alter_table("click_days", schema=None) as batch_op:
        batch_op.drop_index("ix_click_days_program_day")
        batch_op.create_index("ix_click_days_program_day", ["program_id", "day"], unique=False)
    with op.batch_alter_table("conversions", schema=None) as batch_op:
        batch_op.drop_index("ix_conversions_program_time")
        batch_op.create_index(
            "ix_conversions_program_time", ["program_id", "occurred_at"], unique=False
        )
