"""Team mode through the CLI and the roster: managers, assignment, the own-roster view and
`--all`, the rules of each role, the history; and the index the own roster reads through.
The CLI tests run on SQLite and PostgreSQL (as the tables' owner, an admin there)."""

from __future__ import annotations

import json
import os
import sqlite3

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from talent_tui.cli import main as cli
from talent_tui.screens.main import MainScreen
from talent_tui.services import roster, team
from talent_tui.services.roster import RosterQuery, SortKey
from talent_tui.store import db as dbmod

from .conftest import make_app, settle, text_of

PID = os.getpid()  # PostgreSQL roles belong to the whole server: names of this process
BOSS, MINA, JOE, VERA = (f"{who}_{PID}" for who in ("boss", "mina", "joe", "vera"))

both = pytest.mark.parametrize("store", ["sqlite", "postgres"], indirect=True)


def run(database: dbmod.Database, *args: str, who: str | None = None):  # noqa: ANN201
    head = ["--db", database.url] + (["--as", who] if who else [])
    return CliRunner().invoke(cli.app, [*head, *args])


def add_creators(database: dbmod.Database, *handles: str) -> dict[str, int]:
    ids = {}
    with database.engine.begin() as conn:
        for handle in handles:
            ids[handle] = conn.execute(
                sa.text(
                    "INSERT INTO creators (name, tiktok_handle, followers, tags, commission_bp,"
                    " notes, created_at, updated_at, open_deals) VALUES (:n, :h, 10, '', 0, '',"
                    " '2026-11-01 10:00:00', '2026-11-01 10:00:00', 0) RETURNING id"
                ),
                {"n": handle.strip("@").title(), "h": handle},
            ).scalar_one()
    return ids


def owners(database: dbmod.Database) -> dict[str, str | None]:
    with database.engine.connect() as conn:
        found = conn.execute(
            sa.text(
                "SELECT c.tiktok_handle, m.name FROM creators c"
                " LEFT JOIN managers m ON m.id = c.manager_id"
            )
        ).all()
    return dict(found)  # type: ignore[arg-type]


def history(database: dbmod.Database, entity: str) -> list[tuple[str, str]]:
    with database.engine.connect() as conn:
        rows = conn.execute(
            sa.text("SELECT actor, action FROM audit_entries WHERE entity = :e ORDER BY id"),
            {"e": entity},
        ).all()
    return [(r[0], r[1]) for r in rows]


@both
def test_team_add_list_and_the_rules_of_who_may(database: dbmod.Database, store: str) -> None:
    first = run(database, "team", "add", BOSS, "--role", "admin", who=BOSS)
    assert first.exit_code == 0, first.output
    assert run(database, "team", "add", MINA, who=BOSS).exit_code == 0
    assert run(database, "team", "add", VERA, "--role", "viewer", who=BOSS).exit_code == 0
    if (
        store == "sqlite"
    ):  # PostgreSQL: the login (the tables' owner here) decides, see test_team_pg
        refused = run(database, "team", "add", JOE, who=MINA)
        assert refused.exit_code == 1
        assert f"only an admin can add someone to the team; {MINA} is manager" in refused.stderr
    again = run(database, "team", "add", MINA, who=BOSS)
    assert again.exit_code == 1 and "already on the team (manager)" in again.stderr
    bad = run(database, "team", "add", "Mina Park", who=BOSS)
    assert bad.exit_code == 1 and "cannot be a team member's name" in bad.stderr
    assert run(database, "team", "add", "x1", "--role", "owner", who=BOSS).exit_code == 2
    hostile = run(database, "team", "add", "a\x1b[31m", who=BOSS)
    assert hostile.exit_code == 1 and "\x1b" not in hostile.stderr
    listed = run(database, "team", "list", "--json")
    assert listed.exit_code == 0
    assert [(m["name"], m["role"], m["creators"]) for m in json.loads(listed.stdout)] == sorted(
        [(BOSS, "admin", 0), (MINA, "manager", 0), (VERA, "viewer", 0)]
    )
    with database.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM managers")).scalar_one() == 3
    # On PostgreSQL the login is the tables' owner (an admin), so --as names who acts.
    assert history(database, "manager") == [(BOSS, "added to the team")] * 3


@both
def test_assign_and_remove_with_handover_in_one_transaction(database: dbmod.Database) -> None:
    ids = add_creators(database, "@ana", "@bo", "@cy")
    for name, role in ((BOSS, "admin"), (MINA, "manager"), (JOE, "manager"), (VERA, "viewer")):
        assert run(database, "team", "add", name, "--role", role, who=BOSS).exit_code == 0
    assert run(database, "creators", "assign", "@ana", MINA, who=BOSS).exit_code == 0
    assert run(database, "creators", "assign", str(ids["@bo"]), JOE, who=BOSS).exit_code == 0
    to_viewer = run(database, "creators", "assign", "@cy", VERA, who=BOSS)
    assert to_viewer.exit_code == 1 and "a viewer cannot be responsible" in to_viewer.stderr
    nobody = run(database, "creators", "assign", "@cy", "ghost", who=BOSS)
    assert nobody.exit_code == 1 and "ghost is not on the team" in nobody.stderr
    missing = run(database, "creators", "assign", "@nope", MINA, who=BOSS)
    assert missing.exit_code == 1
    assert owners(database) == {"@ana": MINA, "@bo": JOE, "@cy": None}
    refused = run(database, "team", "remove", MINA, who=BOSS)
    assert refused.exit_code == 1
    assert "responsible for 1 creator(s) and 0 affiliate(s)" in refused.stderr
    to_self = run(database, "team", "remove", MINA, "--to", MINA, who=BOSS)
    assert to_self.exit_code == 1 and "name someone else" in to_self.stderr
    to_viewer = run(database, "team", "remove", MINA, "--to", VERA, who=BOSS)
    assert to_viewer.exit_code == 1
    assert owners(database) == {"@ana": MINA, "@bo": JOE, "@cy": None}  # nothing half-done
    last = run(database, "team", "remove", BOSS, "--to", JOE, who=BOSS)
    assert last.exit_code == 1 and "the team's last admin" in last.stderr
    done = run(database, "team", "remove", MINA, "--to", JOE, who=BOSS)
    assert done.exit_code == 0, done.output
    assert owners(database) == {"@ana": JOE, "@bo": JOE, "@cy": None}
    listed = json.loads(run(database, "team", "list", "--removed", "--json").stdout)
    left = {m["name"]: m["removed_at"] is not None for m in listed}
    assert left == {BOSS: False, MINA: True, JOE: False, VERA: False}
    assert [a for a in history(database, "creator")] == [
        (BOSS, "assigned"),
        (BOSS, "assigned"),
    ]
    with database.engine.connect() as conn:
        after = conn.execute(
            sa.text(
                "SELECT after FROM audit_entries WHERE entity = 'manager'"
                " AND action = 'removed from the team'"
            )
        ).scalar_one()
    assert json.loads(after) | {"removed_at": None} == {
        "removed_at": None,
        "to": JOE,
        "creators": 1,
        "affiliates": 0,
    }
    # Back on the team (as a viewer this time): the same row, not a second one.
    assert run(database, "team", "add", MINA, "--role", "viewer", who=BOSS).exit_code == 0
    with database.engine.connect() as conn:
        assert conn.execute(
            sa.text("SELECT role, removed_at FROM managers WHERE name = :n"), {"n": MINA}
        ).all() == [("viewer", None)]


def test_a_manager_takes_unassigned_creators_only_for_themselves(database) -> None:  # noqa: ANN001
    add_creators(database, "@ana", "@bo", "@cy")
    for name, role in ((BOSS, "admin"), (MINA, "manager"), (JOE, "manager"), (VERA, "viewer")):
        run(database, "team", "add", name, "--role", role, who=BOSS)
    assert run(database, "creators", "assign", "@ana", MINA, who=MINA).exit_code == 0
    handing = run(database, "creators", "assign", "@bo", JOE, who=MINA)
    assert handing.exit_code == 1 and "handing them to someone else" in handing.stderr
    run(database, "creators", "assign", "@cy", JOE, who=BOSS)
    taking = run(database, "creators", "assign", "@cy", MINA, who=MINA)
    assert taking.exit_code == 1 and f"that one is {JOE}'s" in taking.stderr
    viewer = run(database, "creators", "assign", "@bo", VERA, who=VERA)
    assert viewer.exit_code == 1 and "viewer" in viewer.stderr
    assert owners(database) == {"@ana": MINA, "@bo": None, "@cy": JOE}


def test_creators_list_shows_the_own_roster_and_all_the_role_allows(database) -> None:  # noqa: ANN001
    add_creators(database, "@ana", "@bo", "@cy", "@di")
    for name, role in ((BOSS, "admin"), (MINA, "manager"), (JOE, "manager"), (VERA, "viewer")):
        run(database, "team", "add", name, "--role", role, who=BOSS)
    run(database, "creators", "assign", "@ana", MINA, who=BOSS)
    run(database, "creators", "assign", "@bo", JOE, who=BOSS)
    run(database, "creators", "assign", "@cy", BOSS, who=BOSS)

    def listed(*args: str, who: str | None) -> list[str]:
        result = run(database, "creators", "list", "--json", *args, who=who)
        assert result.exit_code == 0, result.output
        return [row["tiktok_handle"] for row in json.loads(result.stdout)]

    assert listed(who=MINA) == ["@ana"]
    assert listed("--all", who=MINA) == ["@ana", "@di"]  # her own and the unassigned
    assert listed(who=BOSS) == ["@cy"]
    assert listed("--all", who=BOSS) == ["@ana", "@bo", "@cy", "@di"]
    assert listed(who=VERA) == ["@ana", "@bo", "@cy", "@di"]  # a viewer owns nothing
    assert listed(who="someone_else") == ["@ana", "@bo", "@cy", "@di"]  # not on the team


def test_the_own_roster_reads_through_the_managers_indexes(tmp_path) -> None:  # noqa: ANN001
    """Every order of the own roster, its short searches and the position of a creator in it
    read a partial index led by manager_id, with no sort of table rows."""
    database = dbmod.open_database(str(tmp_path / "t.db"))
    database.dispose()
    connection = sqlite3.connect(tmp_path / "t.db")
    connection.execute("INSERT INTO managers (name, role, added_at) VALUES ('m', 'manager', 0)")
    for number in range(300):
        connection.execute(
            "INSERT INTO creators (name, tiktok_handle, followers, tags, commission_bp, notes,"
            " created_at, updated_at, open_deals, manager_id) VALUES (?, ?, ?, '', 0, '', 0, 0,"
            " 0, ?)",
            (f"Name {number}", f"@h{number}", number, 1 if number % 3 == 0 else None),
        )
    connection.commit()
    statements: list[str] = []
    connection.set_trace_callback(statements.append)
    try:
        for sort in SortKey:
            view = RosterQuery(sort=sort, manager_id=1)
            page = view.page(connection, 0, 20)
            assert len(page) == 20
            assert view.count(connection) == 100
            assert view.position_of(connection, page[5].id) == 5
        assert [r.tiktok_handle for r in RosterQuery(search="h9", manager_id=1).page(
            connection, 0, 5
        )] == ["@h9", "@h90", "@h93", "@h96", "@h99"]  # fmt: skip
        connection.set_trace_callback(None)
        for sql in {s for s in statements if "manager_id" in s and s.startswith("SELECT")}:
            detail = [
                row[3] for row in connection.execute("EXPLAIN QUERY PLAN " + sql.replace("?", "1"))
            ]
            assert not any(d.startswith("SCAN creators") for d in detail), (sql, detail)
            if "UNION" in sql:  # a short search: each arm an index range, as without a team
                reads = [d for d in detail if d.startswith("SEARCH creators USING COVERING")]
                arms = [d.split("COVERING INDEX ")[1].split(" ")[0] for d in reads]
                assert arms == [
                    "ix_creators_roster_manager_live_name",
                    "ix_creators_roster_manager_live_name",
                    "ix_creators_roster_manager_live_handle",
                ], detail
                continue
            assert not any("TEMP B-TREE" in d for d in detail), (sql, detail)
            assert any(
                "ix_creators_roster_manager_" in d or "INTEGER PRIMARY KEY" in d for d in detail
            ), (sql, detail)
    finally:
        connection.close()


def test_a_solo_roster_stores_nothing_in_the_managers_indexes(database) -> None:  # noqa: ANN001
    add_creators(database, "@ana", "@bo")
    with database.engine.connect() as conn:
        entries = conn.exec_driver_sql(
            "SELECT count(*) FROM creators INDEXED BY ix_creators_roster_manager_live_name"
            " WHERE manager_id IS NOT NULL AND archived_at IS NULL"
        ).scalar_one()
    assert entries == 0
    assert roster.count_creators(database.session()) == 2


def test_acting_on_sqlite_is_the_as_name(database) -> None:  # noqa: ANN001
    run(database, "team", "add", MINA, who=MINA)
    with database.session() as session:
        mina = team.acting(session, MINA, "os_user")
        stranger = team.acting(session, None, "os_user")
    assert (mina.name, mina.role, mina.is_admin) == (MINA, "manager", False)
    assert mina.owner_filter(False) == (mina.manager_id, False)
    assert mina.owner_filter(True) == (mina.manager_id, True)
    assert (stranger.name, stranger.role, stranger.owner_filter(False)) == (
        "os_user",
        None,
        (None, False),
    )


async def test_w_toggles_the_roster_between_mine_and_all(database) -> None:  # noqa: ANN001
    add_creators(database, "@ana", "@bo", "@cy")
    for name, role in ((BOSS, "admin"), (MINA, "manager")):
        run(database, "team", "add", name, "--role", role, who=BOSS)
    run(database, "creators", "assign", "@bo", MINA, who=BOSS)
    run(database, "creators", "assign", "@cy", BOSS, who=BOSS)
    app = make_app(database, actor=MINA)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, MainScreen)
        status = screen.query_one("#roster-status")
        assert text_of(status) == "1 · mine · by name"  # type: ignore[arg-type]
        assert screen.creator_id is not None
        await pilot.press("w")
        await settle(pilot)
        assert text_of(status) == "2 · mine + unassigned · by name"  # type: ignore[arg-type]
        await pilot.press("w")
        await settle(pilot)
        assert text_of(status) == "1 · mine · by name"  # type: ignore[arg-type]


async def test_w_says_why_when_there_is_no_own_roster(database) -> None:  # noqa: ANN001
    add_creators(database, "@ana")
    app = make_app(database, actor="solo")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        status = app.screen.query_one("#roster-status")
        assert text_of(status) == "1 · by name"  # type: ignore[arg-type]
        await pilot.press("w")
        await settle(pilot)
        assert "you have no roster of your own" in " ".join(
            str(n.message) for n in app._notifications
        )
        assert text_of(status) == "1 · by name"  # type: ignore[arg-type]


def test_deal_lists_and_the_agenda_show_the_own_roster_by_default(demo_db, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setenv("TALENT_TODAY", "2026-11-01")  # the demo's day
    with demo_db.engine.connect() as conn:
        busiest, handle = conn.exec_driver_sql(
            "SELECT c.id, c.tiktok_handle FROM creators c JOIN campaigns k ON k.creator_id = c.id"
            " GROUP BY c.id ORDER BY count(*) DESC, c.id LIMIT 1"
        ).one()
        theirs = set(
            conn.exec_driver_sql(f"SELECT id FROM campaigns WHERE creator_id = {busiest}").scalars()
        )
        every = set(conn.exec_driver_sql("SELECT id FROM campaigns").scalars())
    assert len(theirs) >= 2 and len(every) > len(theirs)
    run(demo_db, "team", "add", MINA, who=MINA)
    assert run(demo_db, "creators", "assign", handle, MINA, who=MINA).exit_code == 0

    def ids(*args: str, key: str = "id") -> list[int]:
        result = run(demo_db, *args, "--json", who=MINA)
        assert result.exit_code == 0, result.output
        return [row[key] for row in json.loads(result.stdout)]

    assert set(ids("campaigns", "list")) == theirs
    assert set(ids("campaigns", "list", "--all")) == every
    mine = ids("agenda", "--days", "400", key="campaign_id")
    everyone = ids("agenda", "--days", "400", "--all", key="campaign_id")
    assert {c for c in mine if c is not None} <= theirs
    assert len(everyone) > len(mine) and set(everyone) - set(mine) - {None}
    due = ids("deals", "due", "--days", "400", key="campaign_id")
    due_all = ids("deals", "due", "--days", "400", "--all", key="campaign_id")
    assert {c for c in due if c is not None} <= theirs and len(due_all) > len(due)
    assert ids("affiliates", "list") == []  # none is hers yet
    assert ids("affiliates", "list", "--all")  # all of them are unassigned: hers to take


def test_affiliates_assign_and_the_own_list(demo_db) -> None:  # noqa: ANN001
    run(demo_db, "team", "add", BOSS, "--role", "admin", who=BOSS)
    run(demo_db, "team", "add", MINA, who=BOSS)
    every = json.loads(run(demo_db, "affiliates", "list", "--json", who=MINA).stdout)
    assert every == []
    every = json.loads(run(demo_db, "affiliates", "list", "--all", "--json", who=MINA).stdout)
    first = every[0]
    program = str(first["program_id"])
    done = run(
        demo_db, "affiliates", "assign", first["handle"], "--program", program, MINA, who=BOSS
    )
    assert done.exit_code == 0, done.output
    assert "(was unassigned)" in done.stdout
    mine = json.loads(run(demo_db, "affiliates", "list", "--json", who=MINA).stdout)
    assert [(r["program_id"], r["handle"]) for r in mine] == [
        (first["program_id"], first["handle"])
    ]
    unknown = run(
        demo_db, "affiliates", "assign", "@nobody_here", "--program", program, MINA, who=BOSS
    )
    assert unknown.exit_code == 1 and "Traceback" not in unknown.output
    assert history(demo_db, "affiliate")[-1] == (BOSS, "assigned")
    listed = json.loads(run(demo_db, "team", "list", "--json").stdout)
    assert {m["name"]: m["affiliates"] for m in listed} == {BOSS: 0, MINA: 1}


def test_team_add_take_unassigned_gives_them_the_shared_pool(database) -> None:  # noqa: ANN001
    add_creators(database, "@ana", "@bo", "@cy")
    run(database, "team", "add", BOSS, "--role", "admin", who=BOSS)
    run(database, "creators", "assign", "@ana", BOSS, who=BOSS)
    done = run(database, "team", "add", MINA, "--take-unassigned", who=BOSS)
    assert done.exit_code == 0, done.output
    assert "responsible for 2 creator(s) and 0 affiliate(s) that had nobody" in done.stdout
    assert owners(database) == {"@ana": BOSS, "@bo": MINA, "@cy": MINA}
    assert history(database, "creator") == [(BOSS, "assigned")] * 3
