"""The roster search on PostgreSQL (migration 0013_pg_search): served by pg_trgm's GIN indexes
(three or more characters) and the name and handle indexes (one or two), finding exactly what
SQLite's FTS5 search and prefix ranges find; without the extension the migration still runs and
the search still works; under row-level security (team logins) searches still see only what
the login may see. And the lists' other sorted text columns collate "C", so a database made
with a language collation sorts them as SQLite does.

Known difference, left as it was: SQLite's trigram index folds the case of every letter,
PostgreSQL's lower() on a "C" column only ASCII letters ("émi" finds "ÉMILE" on SQLite only).
The generated names below hold non-ASCII letters in one case only."""

from __future__ import annotations

import logging
import os
import random
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from talent_tui.services import roster, team
from talent_tui.services.roster import RosterQuery, SortKey
from talent_tui.store import db as dbmod
from talent_tui.store.sqlitefile import SCHEMA_HEAD

from . import pgserver
from .test_team_pg import OWNER, url_as

PID = os.getpid()
SEARCH_INDEXES = ("ix_creators_roster_search_name", "ix_creators_roster_search_handle")

INSERT = (
    "INSERT INTO creators (id, name, tiktok_handle, followers, tags, commission_bp, notes,"
    " created_at, updated_at, archived_at, manager_id) VALUES (:id, :name, :handle,"
    " :followers, '', 0, '', '2026-01-01 00:00:00', '2026-01-01 00:00:00', :archived,"
    " :manager)"
)
ARCHIVED = "2026-02-01 00:00:00"

# (name, handle, archived, manager id): what the hand-written expectations below are about.
HAND = [
    ("Maria Lopez", "@maria.lopez", False, None),
    ("MARIANNE", "@marianne", False, None),
    ("Ana María", "@ana_maria", False, None),
    ("100% Real", "@real100", False, None),
    ("snake_case", "@snake", False, None),
    ("Rene Cole", "@rene.cole", False, None),  # "e c": what an unescaped "e_c" would find
    ("back\\slash", "@bslash", False, None),
    ("Zoë Kraft", "@zoe.kraft", False, None),
    ("émile bis", "@emile2", False, None),
    ("Rosa", "@rosa", True, None),
    ("Mark", "@mark_1", False, 1),
    ("mario", "@mario", False, 2),
]
# Written out by hand; names in code-point order ("A" < "M" < "a" < "m" < "é").
EXPECTED = [
    (RosterQuery(search="mari"), ["Ana María", "MARIANNE", "Maria Lopez", "mario"]),
    (RosterQuery(search="@MARI"), ["Ana María", "MARIANNE", "Maria Lopez", "mario"]),
    (RosterQuery(search="0% r"), ["100% Real"]),
    (RosterQuery(search="e_c"), ["snake_case"]),
    (RosterQuery(search="k\\s"), ["back\\slash"]),
    (RosterQuery(search="zoë"), ["Zoë Kraft"]),
    (RosterQuery(search="émile"), ["émile bis"]),
    (RosterQuery(search="ma"), ["MARIANNE", "Maria Lopez", "Mark", "mario"]),
    (RosterQuery(search="M"), ["MARIANNE", "Maria Lopez", "Mark", "mario"]),
    (RosterQuery(search="é"), ["émile bis"]),
    (RosterQuery(search="%"), []),
    (RosterQuery(search="ros"), []),
    (RosterQuery(search="ros", archived=True), ["Rosa"]),
    (RosterQuery(search="mar", manager_id=1), ["Mark"]),
    (
        RosterQuery(search="mar", manager_id=1, unassigned=True),
        ["Ana María", "MARIANNE", "Maria Lopez", "Mark"],
    ),
    (RosterQuery(search="ma", manager_id=2), ["mario"]),
    # followers (n * 7919) % 1000 of the n-th: 919, 838, 757 and 28
    (
        RosterQuery(search="mari", sort=SortKey.FOLLOWERS),
        ["Maria Lopez", "MARIANNE", "Ana María", "mario"],
    ),
]


def _managers(database: dbmod.Database) -> None:
    with database.transaction() as session:
        for n in (1, 2):
            session.execute(
                sa.text(
                    "INSERT INTO managers (id, name, role, added_at) VALUES (:id, :name,"
                    " 'manager', '2026-01-01 00:00:00')"
                ),
                {"id": n, "name": f"m{n}_{PID}"},
            )


def _insert(database: dbmod.Database, people: list[tuple[str, str, bool, int | None]]) -> None:
    with database.transaction() as session:
        session.execute(
            sa.text(INSERT),
            [
                {
                    "id": n,
                    "name": name,
                    "handle": handle,
                    "followers": (n * 7919) % 1000,
                    "archived": ARCHIVED if archived else None,
                    "manager": manager,
                }
                for n, (name, handle, archived, manager) in enumerate(people, start=1)
            ],
        )


def _ascii_upper(text: str) -> str:
    return "".join(ch.upper() if ch.isascii() else ch for ch in text)


def _generated(count: int) -> list[tuple[str, str, bool, int | None]]:
    """Names of syllables in either case, with LIKE's and SQL's special characters and
    non-ASCII letters (lower case only, see the module's docstring)."""
    rng = random.Random(17)
    syllables = "ka ri mo na te so lu vi an el or is ha ne ul ji woo é ü ß % _ \\ ' \"".split()
    people = []
    for n in range(count):
        words = ["".join(rng.choice(syllables) for _ in range(rng.randint(1, 3))) for _ in range(2)]
        name = " ".join(_ascii_upper(w[0]) + w[1:] if rng.random() < 0.5 else w for w in words)
        handle = f"@{''.join(rng.choice(syllables) for _ in range(2))}.{n}"
        if rng.random() < 0.1:
            handle = _ascii_upper(handle)  # a few handles not in lower case
        archived = rng.random() < 0.1
        manager = rng.choice([None, None, 1, 2])
        people.append((name, handle, archived, manager))
    return people


@pytest.fixture(scope="module")
def stores(
    pg_databases: pgserver.Databases, pg_template: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, dict[str, dbmod.Database]]]:
    """Two pairs of stores (SQLite, PostgreSQL): `hand` holds HAND, `bulk` 3,000 generated
    creators."""
    made: dict[str, dict[str, dbmod.Database]] = {}
    urls = []
    for kind, people in (("hand", HAND), ("bulk", _generated(3000))):
        url = pg_databases.create(template=pg_template)
        urls.append(url)
        folder = tmp_path_factory.mktemp(kind)
        pair = {
            "sqlite": dbmod.open_database(str(Path(folder) / "t.db")),
            "pg": dbmod.open_database(url),
        }
        for database in pair.values():
            _managers(database)
            _insert(database, people)
        with pair["pg"].transaction() as session:
            session.execute(sa.text("ANALYZE creators"))
        made[kind] = pair
    yield made
    for pair in made.values():
        for database in pair.values():
            database.dispose()
    for url in urls:
        pg_databases.drop(url)


def _names(database: dbmod.Database, query: RosterQuery) -> list[str]:
    with database.session() as session:
        return [row.name for row in query.page(session, 0, None)]


def test_the_migration_made_the_extension_and_the_indexes_on_the_searched_expressions(
    stores: dict,
) -> None:
    with stores["hand"]["pg"].session() as session:
        extensions = session.execute(sa.text("SELECT extname FROM pg_extension")).scalars()
        assert "pg_trgm" in set(extensions)
        found = dict(
            session.execute(
                sa.text(
                    "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'creators'"
                    " AND indexname LIKE 'ix_creators_roster_search%'"
                )
            ).all()
        )
        revision = session.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
    assert revision == SCHEMA_HEAD
    assert found[SEARCH_INDEXES[0]].endswith("USING gin (lower((name)::text) gin_trgm_ops)")
    assert found[SEARCH_INDEXES[1]].endswith(
        "USING gin (lower((tiktok_handle)::text) gin_trgm_ops)"
    )
    with stores["hand"]["sqlite"].session() as session:  # SQLite: nothing of it
        tables = session.execute(sa.text("SELECT name FROM sqlite_master")).scalars()
        assert not [t for t in tables if t.startswith("ix_creators_roster_search")]


@pytest.mark.parametrize("store", ["sqlite", "pg"])
def test_searches_find_what_is_written_by_hand(stores: dict, store: str) -> None:
    database = stores["hand"][store]
    for query, expected in EXPECTED:
        assert _names(database, query) == expected, (store, query)
    with database.session() as session:
        assert RosterQuery(search="mari").count(session) == 4
        assert RosterQuery(search="ma").count(session, upto=2) == 2
        found = [row.name for row in roster.search_names(session, "mar")]
    # search_names: the names starting with the text first, then the others, by name
    assert found == ["Maria Lopez", "MARIANNE", "mario", "Mark", "Ana María"]


def test_both_stores_find_the_same_creators_in_the_same_order(stores: dict) -> None:
    """Queries of one to six characters cut from the generated names and handles (and odd
    ones), in every view: pages, counts, positions and search_names agree."""
    lite, pg = stores["bulk"]["sqlite"], stores["bulk"]["pg"]
    with lite.session() as session:
        texts = [
            row[0] for row in session.execute(sa.text("SELECT name FROM creators ORDER BY id"))
        ] + [row[0] for row in session.execute(sa.text("SELECT tiktok_handle FROM creators"))]
    rng = random.Random(3)
    queries = ["%", "_", "\\", "'", '"', "é", "ß", "ka", "KA", "Ka", "woo", "WOO", "% _", "x"]
    while len(queries) < 120:
        text = rng.choice(texts)
        start = rng.randrange(len(text))
        queries.append(text[start : start + rng.randint(1, 6)])
    compared = 0
    for text in queries:
        for view in (
            RosterQuery(search=text),
            RosterQuery(search=text, archived=True),
            RosterQuery(search=text, sort=SortKey.FOLLOWERS),
            RosterQuery(search=text, manager_id=1, unassigned=True),
        ):
            results = []
            for database in (lite, pg):
                with database.session() as session:
                    rows = [row.id for row in view.page(session, 0, None)]
                    results.append(
                        (
                            rows,
                            view.count(session),
                            view.count(session, upto=20),
                            [row.id for row in view.page(session, 5, 10)],
                            view.position_of(session, rows[len(rows) // 2]) if rows else None,
                            [row.id for row in roster.search_names(session, text, 10)],
                        )
                    )
            assert results[0] == results[1], (text, view)
            compared += bool(results[0][0])
    assert compared > 300  # most views found something


def _plan(database: dbmod.Database, query: RosterQuery) -> str:
    """The plans of a keystroke's statements (bounded count, first page)."""
    statements = []
    original = roster.fetch_all

    def keep(source, sql, params=()):  # noqa: ANN001, ANN202
        statements.append((sql, list(params)))
        return original(source, sql, params)

    roster.fetch_all = keep
    try:
        with database.session() as session:
            query.count(session, upto=1000)
            query.page(session, 0, 50)
    finally:
        roster.fetch_all = original
    lines = []
    with database.session() as session:
        connection = session.connection().connection.driver_connection
        for sql, params in statements:
            cursor = connection.cursor()
            cursor.execute("EXPLAIN " + sql.replace("%", "%%").replace("?", "%s"), params)
            lines += [row[0] for row in cursor.fetchall()]
    return "\n".join(lines)


@pytest.fixture(scope="module")
def big(pg_databases: pgserver.Databases, pg_template: str) -> Iterator[dict]:
    """30,000 creators (names and handles of md5 digits, half the names in capitals; every
    tenth archived, a third each managed by MINA and JOE), and a team: MINA and JOE managers,
    VERA a viewer."""
    url = pg_databases.create(template=pg_template)
    database = dbmod.open_database(url)
    people = {who: f"{who}_{PID}" for who in ("mina", "joe", "vera")}
    with database.transaction() as session:
        team.add(session, OWNER, people["mina"], "manager")
        team.add(session, OWNER, people["joe"], "manager")
        team.add(session, OWNER, people["vera"], "viewer")
        ids = dict(session.execute(sa.text("SELECT name, id FROM managers")).all())
        session.execute(
            sa.text(
                "INSERT INTO creators (name, tiktok_handle, followers, tags, commission_bp,"
                " notes, created_at, updated_at, archived_at, manager_id)"
                " SELECT CASE WHEN g % 2 = 0 THEN upper(md5(g::text)) ELSE md5(g::text) END,"
                " '@' || md5((g + 100000)::text), g, '', 0, '', now(), now(),"
                " CASE WHEN g % 10 = 0 THEN now() END,"
                " CASE g % 3 WHEN 0 THEN :mina WHEN 1 THEN :joe END"
                " FROM generate_series(1, 30000) AS g"
            ),
            {"mina": ids[people["mina"]], "joe": ids[people["joe"]]},
        )
    # what autovacuum does after such an insert: statistics, and the GIN pending list merged
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT", poolclass=sa.NullPool)
    with engine.connect() as connection:
        connection.exec_driver_sql("VACUUM ANALYZE creators")
    engine.dispose()
    logins = {who: dbmod.open_database(url_as(url, name)) for who, name in people.items()}
    yield {"owner": database, **logins, "ids": ids, "people": people}
    for opened in (database, *logins.values()):
        opened.dispose()
    pg_databases.drop(url)


def test_searches_are_read_through_the_indexes(big: dict) -> None:
    database = big["owner"]
    with database.session() as session:  # a name's and a handle's piece, each in one creator
        name, handle = session.execute(
            sa.text("SELECT name, tiktok_handle FROM creators WHERE id = 12345")
        ).one()
    for text in (name[10:16].lower(), handle[20:25]):
        plan = _plan(database, RosterQuery(search=text))
        assert SEARCH_INDEXES[0] in plan and SEARCH_INDEXES[1] in plan, plan
        assert "Seq Scan" not in plan, plan
        assert [row.id for row in list_of(database, RosterQuery(search=text))] == [12345]
    # one and two characters: ranges of the name index (each way of writing them) and of
    # the handle's; under a manager's view too
    mina = big["ids"][big["people"]["mina"]]
    for query in (RosterQuery(search="a"), RosterQuery(search="b7", manager_id=mina)):
        plan = _plan(database, query)
        assert "Seq Scan" not in plan, plan
        assert re.search(r"Index Scan on ix_creators_\w*handle", plan), plan
        assert re.search(r"Index Scan on ix_creators_\w*name", plan), plan


def list_of(database: dbmod.Database, query: RosterQuery) -> list[roster.RosterRow]:
    with database.session() as session:
        return query.page(session, 0, None)


def test_team_logins_search_only_what_they_may_see(big: dict) -> None:
    """Row-level security still decides (the indexes change no policy): a manager finds their
    own and the unassigned creators, a viewer everyone's; a manager's short search is still
    read through the indexes (its comparisons are leakproof, so PostgreSQL may use them
    under the policy)."""
    mina = big["ids"][big["people"]["mina"]]
    for text in ("ab1", "c4", "C4"):
        everyone = [row.id for row in list_of(big["owner"], RosterQuery(search=text))]
        with big["owner"].session() as session:
            owners = dict(
                session.execute(
                    sa.text("SELECT id, manager_id FROM creators WHERE id = ANY(:ids)"),
                    {"ids": everyone},
                ).all()
            )
        mine = [row.id for row in list_of(big["mina"], RosterQuery(search=text))]
        seen = [row.id for row in list_of(big["vera"], RosterQuery(search=text))]
        assert seen == everyone, text
        assert mine == [i for i in everyone if owners[i] in (None, mina)], text
        assert 0 < len(mine) < len(everyone), text
        with big["mina"].session() as session:
            assert RosterQuery(search=text).count(session) == len(mine)
    plan = _plan(big["mina"], RosterQuery(search="c4"))
    assert "Seq Scan" not in plan, plan
    assert re.search(r"Index Scan on ix_creators_\w*handle", plan), plan


# ---- without the extension ----------------------------------------------------------------


@pytest.fixture
def no_create(pg_databases: pgserver.Databases) -> Iterator[str]:
    """A fresh database (no pg_trgm in it) and a login that may create tables in its schema
    but not extensions in the database: its URL."""
    login = f"nocreate_{PID}"
    url = pg_databases.create()
    with pg_databases.admin.connect() as connection:
        connection.exec_driver_sql(f"DROP ROLE IF EXISTS {login}")
        connection.exec_driver_sql(f"CREATE ROLE {login} LOGIN")
    engine = sa.create_engine(url, poolclass=sa.NullPool)
    with engine.begin() as connection:
        connection.exec_driver_sql(f"GRANT CREATE ON SCHEMA public TO {login}")
    engine.dispose()
    yield url_as(url, login)
    pg_databases.drop(url)
    with pg_databases.admin.connect() as connection:
        connection.exec_driver_sql(f"DROP ROLE IF EXISTS {login}")


def test_without_pg_trgm_the_migration_warns_and_the_search_still_works(
    no_create: str,
) -> None:
    messages: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            messages.append(record.getMessage())

    handler = Keep(level=logging.WARNING)
    logger = logging.getLogger("talent.store")
    # test_hygiene runs import-linter in this process, whose dictConfig disables the loggers
    # that exist by then (this one, once any migration ran); the app never configures so.
    disabled, logger.disabled = logger.disabled, False
    logger.addHandler(handler)
    try:
        database = dbmod.open_database(no_create)
    finally:
        logger.removeHandler(handler)
        logger.disabled = disabled
    try:
        assert dbmod.current_revision(database) == SCHEMA_HEAD
        assert len(messages) == 1 and "pg_trgm could not be created" in messages[0]
        assert "permission denied" in messages[0] and "CREATE EXTENSION pg_trgm" in messages[0]
        with database.session() as session:
            assert (
                "pg_trgm"
                not in session.execute(sa.text("SELECT extname FROM pg_extension")).scalars().all()
            )
            indexes = (
                session.execute(
                    sa.text("SELECT indexname FROM pg_indexes WHERE tablename = 'creators'")
                )
                .scalars()
                .all()
            )
            assert not set(SEARCH_INDEXES) & set(indexes)
            # the migration's other half happened: the sorted columns collate "C"
            collation = session.execute(
                sa.text(
                    "SELECT collation_name FROM information_schema.columns"
                    " WHERE table_name = 'brands' AND column_name = 'name'"
                )
            ).scalar()
            assert collation == "C"
        _managers(database)
        _insert(database, HAND)
        for query, expected in EXPECTED:
            assert _names(database, query) == expected, query
    finally:
        database.dispose()


# ---- sorted text columns ------------------------------------------------------------------

SORTED_COLUMNS = {
    ("brands", "name"),
    ("campaigns", "name"),
    ("programs", "name"),
    ("managers", "name"),
    ("import_profiles", "name"),
    ("affiliates", "handle"),
    ("affiliates", "name"),
    ("tracking_links", "code"),
    ("promo_codes", "code_key"),
    ("creators", "niche"),
    ("creators", "name"),
    ("creators", "tiktok_handle"),
}
BRANDS = ["a", "B", "_x", "Émile", "b", "A", "a1", "a_b"]
CODE_POINT_ORDER = ["A", "B", "_x", "a", "a1", "a_b", "b", "Émile"]  # by hand
MANAGERS = ["a1", "a_b", "zed", "_z"]
MANAGER_ORDER = ["_z", "a1", "a_b", "zed"]  # by hand ("1" < "_" < "a")


@pytest.fixture(scope="module")
def icu(
    pg_databases: pgserver.Databases, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, dbmod.Database]]:
    """A PostgreSQL database made with the ICU collation en-US (case- and accent-insensitive
    first, punctuation before digits) and a SQLite file, both with BRANDS and MANAGERS."""
    name = f"search_icu_{PID}"
    with pg_databases.admin.connect() as connection:
        connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        connection.exec_driver_sql(
            f"CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8'"
            " LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C'"
        )
    url = pg_databases.url_of(name)
    opened = {
        "sqlite": dbmod.open_database(str(Path(tmp_path_factory.mktemp("icu")) / "t.db")),
        "pg": dbmod.open_database(url),
    }
    for database in opened.values():
        with database.transaction() as session:
            for brand in BRANDS:
                session.execute(
                    sa.text(
                        "INSERT INTO brands (name, notes, created_at)"
                        " VALUES (:n, '', '2026-01-01 00:00:00')"
                    ),
                    {"n": brand},
                )
            for manager in MANAGERS:
                session.execute(
                    sa.text(
                        "INSERT INTO managers (name, role, added_at)"
                        " VALUES (:n, 'manager', '2026-01-01 00:00:00')"
                    ),
                    {"n": manager},
                )
    yield opened
    for database in opened.values():
        database.dispose()
    pg_databases.drop(url)


def _brand_order(database: dbmod.Database) -> list[str]:
    with database.session() as session:
        return list(session.execute(sa.text("SELECT name FROM brands ORDER BY name")).scalars())


def _manager_order(database: dbmod.Database) -> list[str]:
    with database.session() as session:
        return [member.name for member in team.members(session)]


def test_sorted_text_columns_collate_c(icu: dict) -> None:
    with icu["pg"].session() as session:
        collations = {
            (table, column): collation
            for table, column, collation in session.execute(
                sa.text(
                    "SELECT table_name, column_name, collation_name"
                    " FROM information_schema.columns WHERE table_schema = 'public'"
                )
            )
            if (table, column) in SORTED_COLUMNS
        }
    assert collations == dict.fromkeys(SORTED_COLUMNS, "C")


def test_lists_sort_text_as_sqlite_does_on_an_icu_database(icu: dict) -> None:
    from alembic import command

    for database in icu.values():
        assert _brand_order(database) == CODE_POINT_ORDER
        assert _manager_order(database) == MANAGER_ORDER
    pg = icu["pg"]
    config = dbmod.alembic_config(pg)
    command.downgrade(config, "0012_pg_collation")  # the database's en-US collation again
    try:
        assert _brand_order(pg) != CODE_POINT_ORDER
        assert _manager_order(pg) != MANAGER_ORDER
        with pg.session() as session:
            indexes = session.execute(
                sa.text("SELECT indexname FROM pg_indexes WHERE tablename = 'creators'")
            ).scalars()
            assert not set(SEARCH_INDEXES) & set(indexes)  # the downgrade dropped them
    finally:
        command.upgrade(config, "head")
    assert _brand_order(pg) == CODE_POINT_ORDER
    assert _manager_order(pg) == MANAGER_ORDER
