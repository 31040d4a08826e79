"""PostgreSQL: the roster's sort indexes in the shape PostgreSQL can read a page from.

Revision ID: 0014_pg_roster_order
Revises: 0013_pg_search

0004 (and 0011 for a manager's own roster) made one partial index per roster order, led by
`archived_at`: `(archived_at, name) WHERE archived_at IS NULL`. SQLite reads the first page of
`WHERE archived_at IS NULL ORDER BY name, id` straight from it. PostgreSQL does not: `IS NULL`
does not make the column a constant for the planner's ordering, so it cannot see the index as
ordered by name, and every first page was a scan and sort of the whole table (100,000
creators: 15–30 ms for each page, the app's first frame included; 0.2 ms now). On PostgreSQL
those indexes are made again under the same names without the `archived_at` column and with
the `id` that ends every roster order: `(name, id) WHERE archived_at IS NULL`,
`(manager_id, name, id) WHERE … manager_id IS NOT NULL`. They still answer the views' counts
and the range counts of `services.roster.RosterQuery.position_of`.

SQLite keeps 0004's and 0011's shape (its planner uses it as it is); there this does nothing.
The downgrade puts the previous shape back.
"""

from alembic import op

revision = "0014_pg_roster_order"
down_revision = "0013_pg_search"
branch_labels = None
depends_on = None

PREFIX = "ix_creators_roster_"
# sort -> index columns (0004's SORT_COLUMNS and 0011's handle order; "DESC*": NULLS LAST)
SORTS = {
    "name": ["name"],
    "followers": ["followers DESC"],
    "engagement": ["engagement_rate DESC*"],
    "growth": ["follower_growth_30d DESC*"],
    "open_deals": ["open_deals DESC", "name"],
}
MANAGER_SORTS = {**SORTS, "handle": ["tiktok_handle", "name"]}
LIVE = "archived_at IS NULL"
ARCHIVED = "archived_at IS NOT NULL"
OWNED = "manager_id IS NOT NULL"


def _columns(columns: list[str]) -> str:
    return ", ".join(c.replace(" DESC*", " DESC NULLS LAST") for c in columns)


def _indexes(shape: str) -> list[tuple[str, str, str]]:
    """(name, columns, WHERE) of every roster sort index, in 0004/0011's shape ("before") or
    PostgreSQL's ("after")."""
    after = shape == "after"
    made = []
    for sort, columns in SORTS.items():
        cols = _columns(columns)
        live = f"{cols}, id" if after else f"archived_at, {cols}"
        made.append((f"{PREFIX}live_{sort}", live, LIVE))
        made.append((f"{PREFIX}archived_{sort}", f"{cols}, id" if after else cols, ARCHIVED))
    for sort, columns in MANAGER_SORTS.items():
        cols = _columns(columns)
        live = f"manager_id, {cols}, id" if after else f"manager_id, archived_at, {cols}"
        made.append((f"{PREFIX}manager_live_{sort}", live, f"{LIVE} AND {OWNED}"))
    archived = "manager_id, name, id" if after else "manager_id, name"
    made.append((f"{PREFIX}manager_archived", archived, f"{ARCHIVED} AND {OWNED}"))
    return made


def _make(shape: str) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for name, columns, where in _indexes(shape):
        op.execute(f"DROP INDEX IF EXISTS {name}")
        op.execute(f"CREATE INDEX {name} ON creators ({columns}) WHERE {where}")


def upgrade() -> None:
    _make("after")


def downgrade() -> None:
    _make("before")
