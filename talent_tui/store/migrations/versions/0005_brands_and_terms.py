"""Brands get a category and can be archived; a deal's terms carry an exclusivity category and
window and the date the brand's usage rights end (what the conflict check compares).

Revision ID: 0005_brands_and_terms
Revises: 0004_roster_sorts
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_brands_and_terms"
down_revision = "0004_roster_sorts"
branch_labels = None
depends_on = None


# Plain ADD/DROP COLUMN (SQLite 3.35+ drops a column in place): a batch copy of `brands` would
# drop a table that other tables' foreign keys point at.
def _brands() -> list[sa.Column]:
    return [
        sa.Column("category", sa.String(length=60), nullable=True),
        sa.Column("archived_at", sa.DateTime(), nullable=True),
    ]


def _offers() -> list[sa.Column]:
    return [
        sa.Column("exclusivity_category", sa.String(length=60), nullable=True),
        sa.Column("exclusive_from", sa.Date(), nullable=True),
        sa.Column("exclusive_until", sa.Date(), nullable=True),
        sa.Column("usage_until", sa.Date(), nullable=True),
    ]


def upgrade() -> None:
    for column in _brands():
        op.add_column("brands", column)
    for column in _offers():
        op.add_column("offers", column)


def downgrade() -> None:
    for column in reversed(_offers()):
        op.drop_column("offers", column.name)
    for column in reversed(_brands()):
        op.drop_column("brands", column.name)
