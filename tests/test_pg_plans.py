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


def test_every_roster_order_reads_its_first_page_from_an_index_without_a_sort(
    pg_url: str,
) -> None:
    """Migration 0014: the roster's pages on PostgreSQL come in order from a partial index (a
    scan and sort of the whole table before, 15-30 ms a page at 100,000 creators), for the
    live roster, the archive and a manager's own roster, in every order the roster offers."""
    from talent_tui.services.roster import RosterQuery, SortKey

    database = dbmod.open_database(pg_url)
    try:
        with database.engine.begin() as connection:
            connection.exec_driver_sql(
                "INSERT INTO creators (id, name, tiktok_handle, followers, engagement_rate,"
                " tags, commission_bp, notes, created_at, updated_at, archived_at)"
                " SELECT g, 'N' || g, '@n' || g, mod(g, 977), mod(g, 89) / 1000.0, '', 0, '', now(),"
                " now(), CASE WHEN mod(g, 10) = 0 THEN now() END"
                " FROM generate_series(1, 20000) AS g"
            )
            connection.exec_driver_sql("ANALYZE creators")
        views = [
            RosterQuery(sort=sort, archived=archived, manager_id=manager)
            for sort in SortKey
            for archived, manager in ((False, None), (True, None), (False, 1))
        ]
        with database.engine.connect() as connection:
            raw = connection.connection.driver_connection
            for view in views:
                where, params = view._where(raw)
                sql = f"SELECT id FROM creators WHERE {where} ORDER BY {view._order(raw)} LIMIT 50"
                sql = sql.replace("?", "%s")
                plan = "\n".join(row[0] for row in raw.execute("EXPLAIN " + sql, params).fetchall())
                assert "ix_creators_roster_" in plan and "Sort" not in plan, (view, plan)
    finally:
        database.dispose()
