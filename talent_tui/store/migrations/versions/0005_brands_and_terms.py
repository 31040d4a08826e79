"""Brands get a category and can be archived; a deal's terms carry an exclusivity category and
window and the date the brand's usage rights end (what the conflict check compares).

The roster gains a covering index of handles with names per view, so a one- or two-letter
search in name order reads index entries only (services.roster: the handle arm of a
name-prefix search), where it sorted thousands of table rows.

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


# Outside the models' metadata, like migration 0004's sort indexes (prefix `ix_creators_roster_`).
HANDLE_INDEXES = {
    "ix_creators_roster_live_handle": ("archived_at, tiktok_handle, name", "archived_at IS NULL"),
    "ix_creators_roster_archived_handle": ("tiktok_handle, name", "archived_at IS NOT NULL"),
}


def upgrade() -> None:
    for name, (columns, where) in HANDLE_INDEXES.items():
        op.execute(f"CREATE INDEX {name} ON creators ({columns}) WHERE {where}")
    for column in _brands():
        op.add_column("brands", column)
    for column in _offers():
        op.add_column("offers", column)
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":  # statistics for the new indexes, as 0004 does
        analyzed = bind.execute(
            sa.text("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'")
        ).first()
        if analyzed is not None:
            op.execute("ANALYZE creators")


def downgrade() -> None:
    for column in reversed(_offers()):
        op.drop_column("offers", column.name)
    for column in reversed(_brands()):
        op.drop_column("brands", column.name)
    for name in HANDLE_INDEXES:
        op.execute(f"DROP INDEX IF EXISTS {name}")
