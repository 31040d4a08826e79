"""PostgreSQL: the roster search is served by trigram indexes, and the lists' other sorted text
columns sort by code point, as on SQLite.

Revision ID: 0013_pg_search
Revises: 0012_pg_collation

**Search.** SQLite answers a roster search of three or more characters from its FTS5 trigram
table (0002); PostgreSQL had only `lower(name) LIKE '%…%' OR lower(tiktok_handle) LIKE '%…%'`,
a scan of every creator per keystroke. This creates the extension pg_trgm (trusted since
PostgreSQL 13: the database's owner, or anyone with CREATE on it, may create it) and a GIN
trigram index on each of those two expressions, exactly as services.roster writes them, so
the search becomes a BitmapOr of two index scans. The one- and two-character searches
(`lower(name) >= ? AND lower(name) < ?`, `tiktok_handle >= ? AND …`) are btree ranges on
0002's lower(name) index and the handle's unique index, which collate "C" since 0012.

When the extension cannot be created (not installed on the server, or the migrating role may
not create it) the migration does not fail: the attempt is undone to a savepoint, a warning is
logged (`talent.store`) with the statements an administrator can run later, and the search
keeps working as before, by scanning. An extension already created elsewhere (another schema)
is used where it is: its operator class is named with its schema.

The indexes are named under 0004's prefix (`ix_creators_roster_`), which keeps them out of the
SQLModel schema comparison (`db.UNMANAGED_PREFIXES`).

**Collation.** 0012 put COLLATE "C" on creators.name and tiktok_handle. The other text columns
that lists sort by (brands, campaigns, programs, managers, import profiles by name, affiliates
by handle and name, links and codes by code, the roster's niches) still followed the database's
collation, so on a database created with a language collation they sorted case- and
accent-insensitively, unlike SQLite. They get COLLATE "C" too; as in 0012 the type is read
from the catalog and kept, and PostgreSQL rebuilds the indexes on them (unique ones included:
a deterministic collation compares equal strings the same either way).

The downgrade drops the two indexes (the extension stays: something else may use it) and puts
the database's default collation back on those columns. On SQLite this migration does nothing.
"""

import logging

import sqlalchemy as sa
from alembic import op

from talent_tui.store.roles import NotPermitted

revision = "0013_pg_search"
down_revision = "0012_pg_collation"
branch_labels = None
depends_on = None

log = logging.getLogger("talent.store")

# index name -> the indexed expression, as services.roster's PostgreSQL search writes it
SEARCH_INDEXES = {
    "ix_creators_roster_search_name": "lower(name)",
    "ix_creators_roster_search_handle": "lower(tiktok_handle)",
}

# table -> its sorted text columns (creators' name and handle are 0012's)
SORTED = {
    "brands": ("name",),
    "campaigns": ("name",),
    "programs": ("name",),
    "managers": ("name",),
    "import_profiles": ("name",),
    "affiliates": ("handle", "name"),
    "tracking_links": ("code",),
    "promo_codes": ("code_key",),
    "creators": ("niche",),
}


def _trigram_opclass(bind: sa.Connection) -> str | None:
    """pg_trgm's GIN operator class, schema-qualified, or None when the extension is absent."""
    found = bind.execute(
        sa.text(
            "SELECT quote_ident(n.nspname) || '.gin_trgm_ops' FROM pg_opclass c"
            " JOIN pg_namespace n ON n.oid = c.opcnamespace"
            " JOIN pg_am a ON a.oid = c.opcmethod"
            " WHERE c.opcname = 'gin_trgm_ops' AND a.amname = 'gin'"
        )
    ).first()
    return None if found is None else str(found[0])


def _create_extension(bind: sa.Connection) -> str | None:
    if _trigram_opclass(bind) is None:
        savepoint = bind.begin_nested()
        try:
            bind.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        except (sa.exc.DBAPIError, NotPermitted) as exc:
            # (store.roles words "permission denied" as NotPermitted, the driver's error kept
            # as its cause.)
            savepoint.rollback()
            original = exc.__cause__ or getattr(exc, "orig", None) or exc
            reason = (str(original).strip().splitlines() or [type(original).__name__])[0]
            log.warning(
                "PostgreSQL: the extension pg_trgm could not be created (%s); the roster "
                "search works without its index, by scanning every creator. To index it, "
                "a superuser or the database's owner can run: CREATE EXTENSION pg_trgm; %s",
                reason,
                " ".join(_index_sql("gin_trgm_ops")),
            )
            return None
        savepoint.commit()
    return _trigram_opclass(bind)


def _index_sql(opclass: str) -> list[str]:
    return [
        f"CREATE INDEX IF NOT EXISTS {name} ON creators USING gin ({expression} {opclass});"
        for name, expression in SEARCH_INDEXES.items()
    ]


def _set_collation(bind: sa.Connection, collation: str) -> None:
    for table, columns in SORTED.items():
        for column in columns:
            type_ = bind.execute(
                sa.text(
                    "SELECT format_type(atttypid, atttypmod) FROM pg_attribute"
                    " WHERE attrelid = CAST(:table AS regclass) AND attname = :column"
                ),
                {"table": table, "column": column},
            ).scalar_one()
            op.execute(
                f"ALTER TABLE {table} ALTER COLUMN {column} TYPE {type_} COLLATE {collation}"
            )


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    _set_collation(bind, '"C"')
    opclass = _create_extension(bind)
    if opclass is not None:
        for statement in _index_sql(opclass):
            op.execute(statement.rstrip(";"))
    for table in SORTED:
        op.execute(f"ANALYZE {table}")


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    for name in SEARCH_INDEXES:
        op.execute(f"DROP INDEX IF EXISTS {name}")
    _set_collation(bind, '"default"')
