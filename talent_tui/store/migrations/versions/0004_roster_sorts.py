"""Roster sorts at scale: a stored open-deals count, and one index per sort and view.

Revision ID: 0004_roster_sorts
Revises: 0003_deals

**creators.open_deals** (INTEGER NOT NULL DEFAULT 0) is the number of the creator's campaigns
whose status is in the pending or active tab. The roster sorted on a correlated count, which no
index can serve; now it sorts on this column. The migration fills it from `campaigns`, and on
SQLite three triggers on `campaigns` keep it exact (each recounts the creators concerned through
ix_campaigns_creator_status, so the column cannot drift by a missed increment):

- campaigns_open_deals_ai  AFTER INSERT, when the new campaign is open;
- campaigns_open_deals_ad  AFTER DELETE, when the deleted campaign was open (deleting a creator
  cascades to its campaigns and fires this on a row that is going anyway; harmless);
- campaigns_open_deals_au  AFTER UPDATE OF status, creator_id, when the campaign moved to
  another creator or in or out of the open statuses.

The open statuses are generated from the model (`statuses_in(Tab.PENDING) +
statuses_in(Tab.ACTIVE)`), so they are written down once. What this migration stores in a
database, though, is frozen at this revision, as every migration must be: the triggers hold the
list as text. If the tabs ever change, a new migration must recreate the triggers and refill the
column (tests/test_roster_sorts.py pins the list so such a change cannot pass unnoticed).

The column is part of the SQLModel `Creator`, like `followers` and `follower_growth_30d` (also
stored for sorting): the roster reads, orders and compares on `Creator.open_deals`, and the
schema comparison keeps covering it. Nothing in the app writes it: the ORM writes only the
attributes a change assigned (no service assigns this one), a new creator is inserted with the
default 0 before any campaign of its own exists, and the importer's bulk insert names its
columns. An ORM object read before a campaign changed keeps the older count in memory until it
is reloaded; saving that object does not write the stale value back.

**Sort indexes.** Each roster page (`WHERE archived_at IS NULL` or `IS NOT NULL`, one of five
orders, LIMIT/OFFSET) and each count of the rows before a creator in that order is served by
one partial index, with no temporary B-tree:

- live roster, `WHERE archived_at IS NULL`: `(archived_at, <order>)`. The constant leading
  column costs a byte per row and makes the count-before a covering index scan (SQLite does not
  count a partial index's WHERE column as covered unless the index holds it);
- archive, `WHERE archived_at IS NOT NULL`: `(<order>)`. Here archived_at cannot lead: the
  archive is a range of it, so an index led by it would not be in the sort order (a composite
  `(archived_at, followers DESC)` gives the archive a temp B-tree over all its rows). EXPLAIN
  calls its counts non-covering (archived_at is not in the index), yet they measure as fast
  as the live ones: SQLite does not test a partial index's own WHERE again on its rows.

A count-before should bound the range outright as well as say the order, e.g.
`followers >= :f AND (followers > :f OR (followers = :f AND id < :id))`: SQLAlchemy sends each
use of :f as its own `?`, and without the leading bound SQLite does not see the OR as one index
range (the archive's counts then scan some other index and read every row). For a NULL value
count the non-NULL rows and the NULL rows before it as two ranges (`x IS NOT NULL` plus
`x IS NULL AND id < :id`). tests/test_roster_sorts.py holds these forms and checks their plans.

`<order>` is `name`, `followers DESC`, `engagement_rate DESC`, `follower_growth_30d DESC` or
`open_deals DESC, name`; the id tie-break is the rowid every SQLite index ends with. SQLite sorts
NULLs first ascending and last descending, so `DESC` is already `DESC NULLS LAST` (SQLite 3.40
uses these indexes with or without an explicit NULLS LAST). The indexes are outside the SQLModel
metadata (prefix `ix_creators_roster_`, see db.UNMANAGED_PREFIXES): SQLAlchemy reflects neither
DESC nor a partial index's WHERE, so a schema comparison could not check them anyway.

The single-column indexes on name, followers, engagement_rate and follower_growth_30d served
only the roster sorts (nothing else in services/* orders or filters on those columns); the
indexes above replace them and they are dropped. Two stay: lower(name), for short searches, and
archived_at, for the scans of the whole live roster in no order (facets, tags): through it
SQLite reads the table in rowid order, where without it the planner walks a sort index and
reads the table in random order (18 ms against 120 ms at 100,000 creators, no statistics).

If the database has planner statistics (imports run ANALYZE), `creators` is analyzed again so
the planner knows the new indexes.

**Other databases.** SQLite is the only one talent supports today. Elsewhere this migration
adds and fills the column and creates the indexes (PostgreSQL sorts NULLs first in DESC, so
there the nullable sort columns are indexed `DESC NULLS LAST`); the triggers that keep the
column exact there are part of the team-mode (PostgreSQL) work.

The downgrade drops the triggers and indexes, restores the single-column indexes and drops the
column (ALTER TABLE DROP COLUMN: SQLite 3.35 or newer; a batch copy of `creators` would lose the
search-index triggers).
"""

import sqlalchemy as sa
from alembic import op

from talent_tui.store.models import Tab, statuses_in

revision = "0004_roster_sorts"
down_revision = "0003_deals"
branch_labels = None
depends_on = None

OPEN_STATUSES = tuple(status.value for status in statuses_in(Tab.PENDING) + statuses_in(Tab.ACTIVE))
_OPEN = "(" + ", ".join("'" + s.replace("'", "''") + "'" for s in OPEN_STATUSES) + ")"

INDEX_PREFIX = "ix_creators_roster_"
# sort -> the index columns after the view; "DESC*" marks a nullable column sorted NULLS LAST.
SORT_COLUMNS = {
    "name": ["name"],
    "followers": ["followers DESC"],
    "engagement": ["engagement_rate DESC*"],
    "growth": ["follower_growth_30d DESC*"],
    "open_deals": ["open_deals DESC", "name"],
}
LIVE = "archived_at IS NULL"
ARCHIVED = "archived_at IS NOT NULL"
REPLACED = ("name", "followers", "engagement_rate", "follower_growth_30d")

RECOUNT = f"""UPDATE creators SET open_deals = (
            SELECT count(*) FROM campaigns
            WHERE campaigns.creator_id = creators.id AND campaigns.status IN {_OPEN}
        )"""

TRIGGERS = {
    "campaigns_open_deals_ai": f"""CREATE TRIGGER campaigns_open_deals_ai
        AFTER INSERT ON campaigns WHEN new.status IN {_OPEN}
    BEGIN
        {RECOUNT} WHERE id = new.creator_id;
    END""",
    "campaigns_open_deals_ad": f"""CREATE TRIGGER campaigns_open_deals_ad
        AFTER DELETE ON campaigns WHEN old.status IN {_OPEN}
    BEGIN
        {RECOUNT} WHERE id = old.creator_id;
    END""",
    "campaigns_open_deals_au": f"""CREATE TRIGGER campaigns_open_deals_au
        AFTER UPDATE OF status, creator_id ON campaigns
        WHEN old.creator_id IS NOT new.creator_id
            OR (old.status IN {_OPEN}) IS NOT (new.status IN {_OPEN})
    BEGIN
        {RECOUNT} WHERE id IN (old.creator_id, new.creator_id);
    END""",
}


def index_name(view: str, sort: str) -> str:
    return f"{INDEX_PREFIX}{view}_{sort}"


def _columns(sort: str, dialect: str) -> list[str]:
    nulls_last = "" if dialect == "sqlite" else " NULLS LAST"
    return [c.replace(" DESC*", " DESC" + nulls_last) for c in SORT_COLUMNS[sort]]


def _create_sort_indexes(dialect: str) -> None:
    for sort in SORT_COLUMNS:
        for view, where, lead in (("live", LIVE, ["archived_at"]), ("archived", ARCHIVED, [])):
            columns = ", ".join(lead + _columns(sort, dialect))
            op.execute(
                f"CREATE INDEX {index_name(view, sort)} ON creators ({columns}) WHERE {where}"
            )


def upgrade() -> None:
    bind = op.get_bind()
    dialect = bind.dialect.name
    op.add_column(
        "creators", sa.Column("open_deals", sa.Integer(), nullable=False, server_default="0")
    )
    # Only creators with an open campaign differ from the default 0.
    op.execute(f"{RECOUNT} WHERE id IN (SELECT creator_id FROM campaigns WHERE status IN {_OPEN})")
    for column in REPLACED:
        op.drop_index(f"ix_creators_{column}", table_name="creators")
    _create_sort_indexes(dialect)
    if dialect == "sqlite":
        for statement in TRIGGERS.values():
            op.execute(statement)
        analyzed = bind.execute(
            sa.text("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'")
        ).first()
        if analyzed is not None:
            op.execute("ANALYZE creators")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    for sort in SORT_COLUMNS:
        for view in ("live", "archived"):
            op.execute(f"DROP INDEX IF EXISTS {index_name(view, sort)}")
    for column in REPLACED:
        op.create_index(f"ix_creators_{column}", "creators", [column])
    op.drop_column("creators", "open_deals")
