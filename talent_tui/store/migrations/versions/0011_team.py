"""Team mode (issue 17): managers, who is responsible for which creator and affiliate, and on
PostgreSQL the row-level security that keeps each manager's rows to themselves.

Revision ID: 0011_team
Revises: 0010_pg_open_deals

**managers** (name = the PostgreSQL role of the person, role admin|manager|viewer, added and
removed times). **creators.manager_id** and **affiliates.manager_id** point at the manager
responsible (NULL: unassigned). Everything else follows its creator (campaigns, offers,
deliverables, feedback, invoices, metrics, audience, rates, interactions) or its affiliate
(stage changes, ticks, links, codes, creatives, clicks, conversions): `OWNED` below is that
list, table -> (column, parent table); the policies are generated from it.

**Indexes.** A manager's own roster is `WHERE archived_at IS NULL AND manager_id = ?` in one
of the roster's five orders; each gets a partial index led by manager_id, like migration
0004's (`ix_creators_roster_manager_live_<sort>`, plus the handle index 0005 gives short
searches, and one for the archive). They are partial on `manager_id IS NOT NULL`: a solo
roster, where nobody is assigned, pays nothing for them (not one entry at import). They live
outside the SQLModel metadata under 0004's prefix (`db.UNMANAGED_PREFIXES`).

**PostgreSQL only** (SQLite has no roles; there talent filters in the app):

- `talent_team_role()`: what the login is: 'owner' (a member of the role that owns the
  tables, i.e. the one that migrates, and no manager), 'admin', 'manager', 'viewer', or
  'none' (a removed manager, or a stranger). `talent_team_id()`: the login's managers.id.
- ROW LEVEL SECURITY is enabled and forced (so it holds for the tables' owner as well, through
  the 'owner' case) on creators, affiliates and every table in OWNED, with one policy each:
  reads for owner/admin/viewer everything, for a manager their own rows and the unassigned
  ones (and, on a child table, the rows whose parent they can see); writes for owner/admin
  everything, for a manager the same rows, for a viewer nothing. The functions are called
  in scalar subqueries, so PostgreSQL runs them once per statement, not once per row, and
  `manager_id = (SELECT talent_team_id())` can use the indexes above.
- A BEFORE INSERT trigger gives a new creator or affiliate with no manager to the admin or
  manager who adds it (then the WITH CHECK sees it as theirs); not during `talent db copy`
  (which sets `talent.copying`), where each row keeps the manager it had.
- The change history names who made a change: a BEFORE INSERT trigger on audit_entries
  writes the login as the actor for anyone but the owner and admins (who may act `--as`).
- Roles and grants are not made here (a migration may run as a role that cannot create
  roles): `talent team add` creates the group roles talent_admin, talent_manager and
  talent_viewer, grants them the tables, and makes the person's login a member of one.
"""

import sqlalchemy as sa
from alembic import op

revision = "0011_team"
down_revision = "0010_pg_open_deals"
branch_labels = None
depends_on = None

# table -> (column, parent): how a row reaches its owner. A parent of None is the owner
# itself (the column is a managers.id). A nullable column (interactions with a brand only,
# program-wide creatives) leaves the row to everyone.
OWNED: dict[str, tuple[str, str | None]] = {
    "creators": ("manager_id", None),
    "affiliates": ("manager_id", None),
    "campaigns": ("creator_id", "creators"),
    "metric_snapshots": ("creator_id", "creators"),
    "audience_segments": ("creator_id", "creators"),
    "rates": ("creator_id", "creators"),
    "interactions": ("creator_id", "creators"),
    "offers": ("campaign_id", "campaigns"),
    "deliverables": ("campaign_id", "campaigns"),
    "invoices": ("campaign_id", "campaigns"),
    "feedback": ("deliverable_id", "deliverables"),
    "affiliate_stage_changes": ("affiliate_id", "affiliates"),
    "checklist_ticks": ("affiliate_id", "affiliates"),
    "tracking_links": ("affiliate_id", "affiliates"),
    "promo_codes": ("affiliate_id", "affiliates"),
    "creatives": ("affiliate_id", "affiliates"),
    "click_days": ("affiliate_id", "affiliates"),
    "conversions": ("affiliate_id", "affiliates"),
    # affiliate money (0007_affiliate_money): an affiliate's statements, adjustments and
    # review flags are theirs, a statement's lines and a flag's holds follow them
    "statements": ("affiliate_id", "affiliates"),
    "statement_lines": ("statement_id", "statements"),
    "adjustments": ("affiliate_id", "affiliates"),
    "review_flags": ("affiliate_id", "affiliates"),
    "review_holds": ("flag_id", "review_flags"),
}
NULLABLE = {"interactions", "creatives"}

BIG_INTEGER = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
INDEX_PREFIX = "ix_creators_roster_manager_"
# 0004's orders (and 0005's handle index), led by manager_id; "DESC*" sorts NULLS LAST.
SORT_COLUMNS = {
    "name": ["name"],
    "followers": ["followers DESC"],
    "engagement": ["engagement_rate DESC*"],
    "growth": ["follower_growth_30d DESC*"],
    "open_deals": ["open_deals DESC", "name"],
    "handle": ["tiktok_handle", "name"],
}
LIVE = "archived_at IS NULL AND manager_id IS NOT NULL"
ARCHIVED = "archived_at IS NOT NULL AND manager_id IS NOT NULL"

ROLE = "(SELECT talent_team_role())"
ME = "(SELECT talent_team_id())"

FUNCTIONS = [
    """CREATE OR REPLACE FUNCTION talent_team_role() RETURNS text
    LANGUAGE sql STABLE AS $$
        SELECT CASE
            WHEN m.id IS NOT NULL AND m.removed_at IS NULL THEN m.role
            WHEN m.id IS NOT NULL THEN 'none'
            WHEN pg_has_role(current_user,
                    (SELECT relowner FROM pg_class WHERE oid = 'managers'::regclass), 'USAGE')
                THEN 'owner'
            ELSE 'none'
        END
        FROM (SELECT current_user::text AS me) AS login
        LEFT JOIN managers AS m ON m.name = login.me
    $$""",
    """CREATE OR REPLACE FUNCTION talent_team_id() RETURNS bigint
    LANGUAGE sql STABLE AS $$
        SELECT id FROM managers WHERE name = current_user::text AND removed_at IS NULL
    $$""",
    """CREATE OR REPLACE FUNCTION talent_team_assign() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF NEW.manager_id IS NULL AND talent_team_role() IN ('admin', 'manager')
                AND coalesce(current_setting('talent.copying', true), '') <> 'on' THEN
            NEW.manager_id := talent_team_id();
        END IF;
        RETURN NEW;
    END
    $$""",
    """CREATE OR REPLACE FUNCTION talent_team_audit() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF talent_team_role() NOT IN ('owner', 'admin') THEN
            NEW.actor := current_user;
        END IF;
        RETURN NEW;
    END
    $$""",
]


def policy(table: str) -> tuple[str, str]:
    """(USING, WITH CHECK) of a table's policy."""
    column, parent = OWNED[table]
    if parent is None:
        mine = f"({column} IS NULL OR {column} = {ME})"
    else:
        mine = f"{column} IN (SELECT id FROM {parent})"
        if table in NULLABLE:
            mine = f"({column} IS NULL OR {mine})"
    read = f"{ROLE} IN ('owner', 'admin', 'viewer') OR ({ROLE} = 'manager' AND {mine})"
    write = f"{ROLE} IN ('owner', 'admin') OR ({ROLE} = 'manager' AND {mine})"
    return read, write


def _index_columns(sort: str, dialect: str) -> str:
    nulls_last = "" if dialect == "sqlite" else " NULLS LAST"
    return ", ".join(c.replace(" DESC*", " DESC" + nulls_last) for c in SORT_COLUMNS[sort])


def upgrade() -> None:
    bind = op.get_bind()
    dialect = bind.dialect.name
    op.create_table(
        "managers",
        sa.Column("id", BIG_INTEGER, nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.Column("added_at", sa.DateTime(), nullable=False),
        sa.Column("removed_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint("role IN ('admin', 'manager', 'viewer')", name="manager_role"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    # ADD COLUMN (not a batch copy: that would lose creators' search-index triggers); 64-bit
    # as every integer (0009_bigints).
    integer = "INTEGER" if dialect == "sqlite" else "BIGINT"
    for table in ("creators", "affiliates"):
        op.execute(f"ALTER TABLE {table} ADD COLUMN manager_id {integer} REFERENCES managers (id)")
    op.create_index("ix_affiliates_manager_id", "affiliates", ["manager_id"])
    for sort in SORT_COLUMNS:
        columns = _index_columns(sort, dialect)
        op.execute(
            f"CREATE INDEX {INDEX_PREFIX}live_{sort} ON creators "
            f"(manager_id, archived_at, {columns}) WHERE {LIVE}"
        )
    op.execute(
        f"CREATE INDEX {INDEX_PREFIX}archived ON creators (manager_id, name) WHERE {ARCHIVED}"
    )
    if dialect == "sqlite":  # statistics for the new indexes, as 0004 and 0005 do
        analyzed = bind.execute(
            sa.text("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'")
        ).first()
        if analyzed is not None:
            op.execute("ANALYZE creators")
            op.execute("ANALYZE affiliates")
    if dialect != "postgresql":
        return
    for statement in FUNCTIONS:
        op.execute(statement)
    for table in ("creators", "affiliates"):
        op.execute(
            f"CREATE TRIGGER {table}_team_assign BEFORE INSERT ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION talent_team_assign()"
        )
    op.execute(
        "CREATE TRIGGER audit_entries_team_actor BEFORE INSERT ON audit_entries "
        "FOR EACH ROW EXECUTE FUNCTION talent_team_audit()"
    )
    for table in OWNED:
        read, write = policy(table)
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
        op.execute(f"CREATE POLICY talent_team ON {table} USING ({read}) WITH CHECK ({write})")


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        for table in OWNED:
            op.execute(f"DROP POLICY IF EXISTS talent_team ON {table}")
            op.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
            op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
        for table in ("creators", "affiliates"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_team_assign ON {table}")
        op.execute("DROP TRIGGER IF EXISTS audit_entries_team_actor ON audit_entries")
        for name in (
            "talent_team_audit()",
            "talent_team_assign()",
            "talent_team_id()",
            "talent_team_role()",
        ):
            op.execute(f"DROP FUNCTION IF EXISTS {name}")
    for sort in SORT_COLUMNS:
        op.execute(f"DROP INDEX IF EXISTS {INDEX_PREFIX}live_{sort}")
    op.execute(f"DROP INDEX IF EXISTS {INDEX_PREFIX}archived")
    op.drop_index("ix_affiliates_manager_id", table_name="affiliates")
    for table in ("affiliates", "creators"):  # DROP COLUMN (SQLite 3.35+), as 0004 does
        op.drop_column(table, "manager_id")
    op.drop_table("managers")
