"""PostgreSQL sorts roster names and handles by code point, as SQLite does, whatever the
database's collation.

Revision ID: 0012_pg_collation
Revises: 0011_team

A database created with a language collation (ICU, or a libc locale such as en_US.UTF-8)
sorts text case- and accent-insensitively first ("a three, A two, B four"), while SQLite
compares by code point ("A two, B four, Zed, a three"); the roster's name order, its
position counts (`name < ?`) and its short-search ranges were then not SQLite's. This sets the
collation "C" (byte order, which in UTF-8 is code-point order) on `creators.name` and
`creators.tiktok_handle`, the roster's sorted and searched text columns. PostgreSQL rebuilds
every index on them with the new collation (0004's, 0005's and 0011's partial sort indexes, the
handle's unique index, 0002's lower(name) index), so they keep serving the roster's ORDER BY
(tests/test_pg_collation.py checks the plan). lower() on a "C" column folds ASCII letters only,
as SQLite's lower() does, which is what services.roster's prefix ranges assume.

The column's type is read from the catalog and kept; only the collation changes (no table
rewrite, the indexes are rebuilt). The downgrade puts the database's default collation back.
On SQLite this migration does nothing.
"""

import sqlalchemy as sa
from alembic import op

revision = "0012_pg_collation"
down_revision = "0011_team"
branch_labels = None
depends_on = None

COLUMNS = ("name", "tiktok_handle")


def _set_collation(collation: str) -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    for column in COLUMNS:
        type_ = bind.execute(
            sa.text(
                "SELECT format_type(atttypid, atttypmod) FROM pg_attribute"
                " WHERE attrelid = 'creators'::regclass AND attname = :column"
            ),
            {"column": column},
        ).scalar_one()
        op.execute(f"ALTER TABLE creators ALTER COLUMN {column} TYPE {type_} COLLATE {collation}")
    op.execute("ANALYZE creators")


def upgrade() -> None:
    _set_collation('"C"')


def downgrade() -> None:
    _set_collation('"default"')
