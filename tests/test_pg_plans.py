"""On PostgreSQL talent keeps no server-side prepared statements (store.db._engine_options):
psycopg would prepare a statement after its 5th run and keep one generic plan for it, and an
import's `handle IN (…)` lookup, planned while the table was small, then scanned the whole
table for every batch as the table grew (100,000 creators took 2 minutes, now seconds)."""

from __future__ import annotations

import sqlalchemy as sa

from talent_tui.store import db as dbmod


def test_a_statement_run_again_and_again_is_never_prepared_on_the_server(pg_url: str) -> None:
    database = dbmod.open_database(pg_url)
    try:
        with database.engine.connect() as connection:
            for handle in ("@a", "@b", "@c", "@d", "@e", "@f", "@g", "@h"):
                connection.execute(
                    sa.text("SELECT id FROM creators WHERE tiktok_handle IN (:h, :i)"),
                    {"h": handle, "i": handle + "x"},
                )
            prepared = connection.execute(
                sa.text("SELECT count(*) FROM pg_prepared_statements")
            ).scalar_one()
        assert prepared == 0
    finally:
        database.dispose()
