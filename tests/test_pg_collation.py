"""The roster's name and handle orders on PostgreSQL are SQLite's (code point) whatever the
database's collation (migration 0012_pg_collation), and its sort indexes still serve them.

The tests' server runs in the C locale, so this module makes a database of its own with an
ICU language collation (en-US: "a three, A two, B four…"), migrates it and compares the
roster's pages, positions and short searches with the same rows on SQLite."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from talent_tui.services import roster
from talent_tui.store import db as dbmod

from . import pgserver

# Names and handles differing in case and accents; SQLite's order is by code point.
PEOPLE = [
    ("Zed", "@zed"),
    ("a three", "@a_three"),
    ("A two", "@A_two"),
    ("B four", "@b_four"),
    ("Émile", "@Emile"),
    ("emile", "@émile"),
    ("Zoë", "@zoe"),
    ("zoe", "@Zoe2"),
    ("Ab", "@ab"),
    ("ab", "@aB2"),
    ("Ángel", "@angel"),
    ("b one", "@_b"),
]
# Written out by hand: code-point order of the names (id breaks the one tie: none here).
SQLITE_NAME_ORDER = [
    "A two", "Ab", "B four", "Zed", "Zoë", "a three", "ab", "b one", "emile", "zoe",
    "Ángel", "Émile",
]  # fmt: skip


@pytest.fixture(scope="module")
def icu_url(pg_databases: pgserver.Databases) -> Iterator[str]:
    name = "collation_icu"
    with pg_databases.admin.connect() as connection:
        connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        connection.exec_driver_sql(
            f"CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8'"
            " LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C'"
        )
    url = pg_databases.url_of(name)
    yield url
    pg_databases.drop(url)


def _fill(database: dbmod.Database) -> None:
    with database.transaction() as session:
        for n, (name, handle) in enumerate(PEOPLE, start=1):
            session.execute(
                sa.text(
                    "INSERT INTO creators (id, name, tiktok_handle, followers, tags,"
                    " commission_bp, notes, created_at, updated_at) VALUES (:id, :name,"
                    " :handle, 0, '', 0, '', '2026-01-01 00:00:00', '2026-01-01 00:00:00')"
                ),
                {"id": n, "name": name, "handle": handle},
            )


@pytest.fixture(scope="module")
def stores(icu_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    opened = {
        "sqlite": dbmod.open_database(str(Path(tmp_path_factory.mktemp("col")) / "t.db")),
        "pg": dbmod.open_database(icu_url),
    }
    for database in opened.values():
        _fill(database)
    yield opened
    for database in opened.values():
        database.dispose()


def _names(database: dbmod.Database, query: roster.RosterQuery) -> list[str]:
    with database.session() as session:
        return [row.name for row in query.page(session, 0, None)]


def test_the_server_would_sort_otherwise_without_the_migration(stores: dict) -> None:
    with stores["pg"].session() as session:
        plain = session.execute(
            sa.text("SELECT n FROM (VALUES ('a three'), ('A two'), ('B four')) AS v(n) ORDER BY n")
        ).scalars()
        assert list(plain) == ["a three", "A two", "B four"]  # the database's en-US collation


def test_name_order_and_positions_are_sqlites_on_an_icu_database(stores: dict) -> None:
    query = roster.RosterQuery()
    assert _names(stores["sqlite"], query) == SQLITE_NAME_ORDER
    assert _names(stores["pg"], query) == SQLITE_NAME_ORDER
    for database in stores.values():
        with database.session() as session:
            positions = [query.position_of(session, n) for n in range(1, len(PEOPLE) + 1)]
        assert positions == [SQLITE_NAME_ORDER.index(name) for name, _ in PEOPLE]


def test_searches_find_the_same_creators_in_the_same_order(stores: dict) -> None:
    for text in ["a", "ab", "zo", "emi", "mile", "É", "b "]:
        query = roster.RosterQuery(search=text)
        sqlite_names = _names(stores["sqlite"], query)
        assert _names(stores["pg"], query) == sqlite_names, text
    assert _names(stores["sqlite"], roster.RosterQuery(search="zo")) == ["Zoë", "zoe"]
    # A keystroke's bounded count (PostgreSQL before 16 wants the subquery named).
    for database in stores.values():
        with database.session() as session:
            assert roster.RosterQuery(search="a").count(session, upto=3) == 3
            assert roster.RosterQuery(search="zo").count(session, upto=100) == 2


PLANNED = [
    "SELECT id FROM creators WHERE archived_at IS NULL ORDER BY name, id LIMIT 20",
    "SELECT id FROM creators WHERE archived_at IS NOT NULL ORDER BY name, id LIMIT 20",
    "SELECT id FROM creators WHERE archived_at IS NULL AND manager_id = 1 ORDER BY name, id",
    "SELECT id FROM creators WHERE archived_at IS NULL ORDER BY open_deals DESC, name, id",
    "SELECT id FROM creators WHERE archived_at IS NULL ORDER BY tiktok_handle, name, id",
    "SELECT count(*) FROM creators WHERE archived_at IS NULL AND name < 'B'",
    "SELECT id FROM creators WHERE lower(name) >= 'ab' AND lower(name) < 'ac' ORDER BY name, id",
]


def _plans(database: dbmod.Database) -> list[str]:
    """Each roster-shaped query's plan, collation labels left out."""
    plans = []
    with database.session() as session:
        for sql in PLANNED:
            lines = session.execute(sa.text(f"EXPLAIN (COSTS OFF) {sql}")).scalars()
            plans.append("\n".join(lines).replace(' COLLATE "C"', ""))
    return plans


def test_the_columns_are_c_and_the_indexes_serve_the_roster_as_before(stores: dict) -> None:
    from alembic import command

    pg = stores["pg"]
    with pg.session() as session:
        collations = dict(
            session.execute(
                sa.text(
                    "SELECT column_name, collation_name FROM information_schema.columns"
                    " WHERE table_name = 'creators' AND column_name IN ('name', 'tiktok_handle')"
                )
            ).all()
        )
    assert collations == {"name": "C", "tiktok_handle": "C"}
    with pg.transaction() as session:  # enough rows for the planner to pick the indexes
        session.execute(
            sa.text(
                "INSERT INTO creators (id, name, tiktok_handle, followers, tags, commission_bp,"
                " notes, created_at, updated_at, archived_at) SELECT g, 'N' || g, '@n' || g, g,"
                " '', 0, '', now(), now(), CASE WHEN g % 10 = 0 THEN now() END"
                " FROM generate_series(1000, 30000) AS g"
            )
        )
        session.execute(sa.text("ANALYZE creators"))
    after = _plans(pg)
    assert sum("ix_creators_roster_" in plan for plan in after) >= 3, after
    config = dbmod.alembic_config(pg)
    command.downgrade(config, "0011_team")  # the database's en-US collation again
    try:
        with pg.session() as session:
            rows = session.execute(sa.text("SELECT name FROM creators ORDER BY name, id LIMIT 4"))
            assert list(rows.scalars()) == ["a three", "A two", "ab", "Ab"]
        before = _plans(pg)
    finally:
        command.upgrade(config, "head")
    # Every index the planner used under the language collation it still uses under "C", or
    # the query is now read in order from an index with no sort at all (0014's shapes: a
    # manager's page by name came from the handle index and a sort before).
    for sql, old, new in zip(PLANNED, before, after, strict=True):
        kept = set(re.findall(r"ix_\w+", old)) <= set(re.findall(r"ix_\w+", new))
        better = "Sort" in old and "Sort" not in new and "Index" in new
        assert kept or better, (sql, old, new)
    assert sum("ix_creators_roster_" in plan for plan in after) >= 3, after
