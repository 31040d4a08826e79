"""The review queue in team mode: a manager sees the flags on their own affiliates by default
(and, with `w` / `--all`, the unassigned ones too), an admin what they ask for; a manager
cannot decide a flag on another manager's affiliate (the rule PostgreSQL's row-level
security makes, kept by the app on SQLite); the TUI queue narrows to one program with `p`.
Service and CLI tests on both stores (on PostgreSQL as the tables' owner, acting `--as`);
the TUI with real key presses on SQLite."""

from __future__ import annotations

import json
import os
from datetime import date

import pytest
import sqlalchemy as sa
from sqlmodel import select
from textual.widgets import DataTable, Static
from typer.testing import CliRunner

from talent_tui.cli import main as cli
from talent_tui.screens.affiliate_review import ReviewScreen
from talent_tui.screens.affiliates import AffiliatesScreen
from talent_tui.services.affiliates import review
from talent_tui.store.db import Database
from talent_tui.store.models import AuditEntry, Conversion, ConversionStatus, ReviewFlag
from tests.test_affiliate_money import affiliate, conversion, program

from .conftest import make_app, settle

both = pytest.mark.parametrize("store", ["sqlite", "postgres"], indirect=True)

MINA, JOE, BOSS = "mina_r", "joe_r", "boss_r"
DAY = date(2026, 10, 20)  # October's conversions are not locked yet


def _team(db: Database, names: tuple[str, str, str] = (MINA, JOE, BOSS)) -> dict[str, int]:
    """Two programs forbidding coupon sites. Alpha: @mina_a (mina's), @joe_a (joe's); Beta:
    @mina_b (mina's), @free_b (nobody's). Each has one order from a coupon site, held by a
    forbidden-source flag. Returns the ids by name (managers, programs, affiliates' flags).
    `names`: mina's, joe's and the admin's; added to the team here unless they are on it."""
    ids: dict[str, int] = {}
    with db.transaction() as s:
        for name in ("alpha", "beta"):
            prog = program(s, name=f"{name.title()} Club", forbidden="coupon sites")
            assert prog.id is not None
            ids[name] = prog.id
            for handle in ("mina_a", "joe_a") if name == "alpha" else ("mina_b", "free_b"):
                who = affiliate(s, prog, f"@{handle}")
                ids[f"@{handle}"] = who
                bad = conversion(
                    s, prog, who, f"C-{handle}", "2026-10-15 10:00:00", 5000,
                    status=ConversionStatus.PENDING,
                )  # fmt: skip
                bad.source = "coupon sites"
                s.add(bad)
                s.flush()
                assert bad.id is not None
                [flag] = review.check_conversions(s, prog, [bad.id], DAY, "setup")
                assert flag.id is not None
                ids[handle] = flag.id
                ids[f"C-{handle}"] = bad.id
    mina, joe, boss = names
    with db.engine.begin() as conn:
        for name, role in ((mina, "manager"), (joe, "manager"), (boss, "admin")):
            ids[name] = (
                conn.execute(
                    sa.text("SELECT id FROM managers WHERE name = :n"), {"n": name}
                ).scalar_one_or_none()
                or conn.execute(
                    sa.text(
                        "INSERT INTO managers (name, role, added_at) VALUES (:n, :r,"
                        " '2026-10-01 09:00:00') RETURNING id"
                    ),
                    {"n": name, "r": role},
                ).scalar_one()
            )
        for handle, name in (("@mina_a", mina), ("@joe_a", joe), ("@mina_b", mina)):
            conn.execute(
                sa.text("UPDATE affiliates SET manager_id = :m WHERE id = :a"),
                {"m": ids[name], "a": ids[handle]},
            )
    return ids


def _handles(views: list[review.FlagView]) -> list[str]:
    return [v.affiliate for v in views]


@both
def test_the_queue_keeps_the_managers_own_flags_and_with_all_the_unassigned(database) -> None:  # noqa: ANN001
    ids = _team(database)
    with database.session() as s:
        assert _handles(review.queue(s)) == ["@mina_a", "@joe_a", "@mina_b", "@free_b"]
        assert _handles(review.queue(s, manager_id=ids[MINA])) == ["@mina_a", "@mina_b"]
        assert _handles(review.queue(s, manager_id=ids[MINA], unassigned=True)) == [
            "@mina_a",
            "@mina_b",
            "@free_b",
        ]
        assert _handles(review.queue(s, manager_id=ids[JOE])) == ["@joe_a"]
        assert _handles(review.queue(s, manager_id=ids[MINA], program_id=ids["beta"])) == [
            "@mina_b"
        ]
        # what `p` cycles through: the programs with a flag in the view, by name
        assert review.flagged_programs(s, manager_id=ids[MINA]) == [
            (ids["alpha"], "Alpha Club"),
            (ids["beta"], "Beta Club"),
        ]
        assert review.flagged_programs(s, manager_id=ids[JOE]) == [(ids["alpha"], "Alpha Club")]
        assert review.flagged_programs(s, manager_id=ids[JOE], including=ids["beta"]) == [
            (ids["alpha"], "Alpha Club"),
            (ids["beta"], "Beta Club"),
        ]
        assert review.flagged_programs(s, manager_id=ids[BOSS]) == []  # owns nothing


@both
def test_a_manager_cannot_decide_another_managers_flag(database) -> None:  # noqa: ANN001
    ids = _team(database)
    joe_may = {"manager_id": ids[JOE], "unassigned": True}  # Acting.owner_filter(True)
    with pytest.raises(review.ReviewError, match="another manager's affiliate") as refused:
        with database.transaction() as s:
            review.decide(s, ids["mina_a"], False, "coupon", JOE, DAY, **joe_may)
    assert "@mina_a" in str(refused.value) and "nothing was changed" in str(refused.value)
    with database.transaction() as s:  # his own and the unassigned one: decided
        review.decide(s, ids["joe_a"], False, "coupon site", JOE, DAY, **joe_may)
        review.decide(s, ids["free_b"], True, "allowed here", JOE, DAY, **joe_may)
        # an admin (no filter) decides anyone's
        review.decide(s, ids["mina_b"], True, "checked", BOSS, DAY)
    with database.session() as s:
        flags = {f.id: f for f in s.exec(select(ReviewFlag))}
        assert flags[ids["mina_a"]].status.value == "open"
        assert flags[ids["mina_a"]].decided_by is None
        assert (flags[ids["joe_a"]].status.value, flags[ids["joe_a"]].decided_by) == (
            "rejected",
            JOE,
        )
        assert (flags[ids["free_b"]].status.value, flags[ids["free_b"]].decided_by) == (
            "approved",
            JOE,
        )
        assert flags[ids["mina_b"]].decided_by == BOSS
        status = {c.id: c.status for c in s.exec(select(Conversion))}
        assert status[ids["C-mina_a"]] is ConversionStatus.HELD
        assert status[ids["C-joe_a"]] is ConversionStatus.REVERSED
        assert status[ids["C-free_b"]] is ConversionStatus.APPROVED
        decided = s.exec(
            select(AuditEntry.entity_id).where(
                AuditEntry.entity == "review_flag", AuditEntry.action.like("review %")
            )
        ).all()
        assert sorted(decided) == sorted([ids["joe_a"], ids["free_b"], ids["mina_b"]])


def _cli(db: Database, *args: str, who: str):  # noqa: ANN202
    return CliRunner().invoke(cli.app, ["--db", db.url, "--as", who, "review", *args])


@both
def test_the_cli_list_is_the_managers_own_by_default_and_all_with_all(database) -> None:  # noqa: ANN001
    ids = _team(database)

    def listed(*args: str, who: str) -> list[str]:
        result = _cli(database, "list", "--json", *args, who=who)
        assert result.exit_code == 0, result.output
        return [f["affiliate"] for f in json.loads(result.stdout)["flags"]]

    assert listed(who=MINA) == ["@mina_a", "@mina_b"]
    assert listed("--all", who=MINA) == ["@mina_a", "@mina_b", "@free_b"]
    assert listed("--program", "Alpha Club", who=JOE) == ["@joe_a"]
    assert listed("--all", who=BOSS) == ["@mina_a", "@joe_a", "@mina_b", "@free_b"]
    table = _cli(database, "list", who=JOE)
    assert table.exit_code == 0 and "@joe_a" in table.stdout and "@mina" not in table.stdout

    refused = _cli(database, "reject", str(ids["mina_a"]), "--reason", "coupon", who=JOE)
    assert refused.exit_code != 0 and "Traceback" not in refused.output
    assert "another manager's affiliate" in " ".join(refused.output.split())
    done = _cli(database, "reject", str(ids["mina_a"]), "--reason", "coupon", who=MINA)
    assert done.exit_code == 0, done.output
    with database.session() as s:
        flag = s.get(ReviewFlag, ids["mina_a"])
        assert flag is not None and (flag.status.value, flag.decided_by) == ("rejected", MINA)
        held = s.get(Conversion, ids["C-mina_a"])
        assert held is not None and held.status is ConversionStatus.REVERSED


def test_on_postgres_a_managers_login_sees_and_decides_only_what_row_level_security_lets(
    pg_url: str,
) -> None:
    """Connected as their own logins (team add made the roles): mina's list is hers, --all
    adds the unassigned; joe cannot even see her flag, so deciding it is "no flag you can
    see", and the database keeps it open."""
    from sqlalchemy.engine import make_url

    from talent_tui.services import team
    from talent_tui.store import db as dbmod

    pid = os.getpid()  # roles belong to the whole server: names of this process
    names = (f"rv_mina_{pid}", f"rv_joe_{pid}", f"rv_boss_{pid}")
    owner = team.Acting("postgres", login="postgres", owner=True)
    database = dbmod.open_database(pg_url)
    try:
        with database.transaction() as s:
            for name, role in zip(names, ("manager", "manager", "admin"), strict=True):
                team.add(s, owner, name, role)
        ids = _team(database, names)
    finally:
        database.dispose()

    def run(login: str, *args: str):  # noqa: ANN202
        url = make_url(pg_url).set(username=login).render_as_string(hide_password=False)
        return CliRunner().invoke(cli.app, ["--db", url, "review", *args])

    def listed(login: str, *args: str) -> list[str]:
        result = run(login, "list", "--json", *args)
        assert result.exit_code == 0, result.output
        return [f["affiliate"] for f in json.loads(result.stdout)["flags"]]

    mina, joe, boss = names
    assert listed(mina) == ["@mina_a", "@mina_b"]
    assert listed(mina, "--all") == ["@mina_a", "@mina_b", "@free_b"]
    assert listed(joe, "--all") == ["@joe_a", "@free_b"]
    assert listed(boss, "--all") == ["@mina_a", "@joe_a", "@mina_b", "@free_b"]
    refused = run(joe, "approve", str(ids["mina_a"]), "--reason", "fine")
    assert refused.exit_code != 0 and "Traceback" not in refused.output
    assert f"no review flag #{ids['mina_a']} you can see" in " ".join(refused.output.split())
    done = run(joe, "approve", str(ids["free_b"]), "--reason", "allowed here")
    assert done.exit_code == 0, done.output
    engine = sa.create_engine(pg_url)
    try:
        with engine.connect() as conn:
            decided = dict(
                conn.execute(
                    sa.text("SELECT id, coalesce(decided_by, 'open') FROM review_flags")
                ).all()
            )
            released = conn.execute(
                sa.text("SELECT status FROM conversions WHERE id = :c"), {"c": ids["C-free_b"]}
            ).scalar_one()
    finally:
        engine.dispose()
    assert decided == {
        ids["mina_a"]: "open",
        ids["joe_a"]: "open",
        ids["mina_b"]: "open",
        ids["free_b"]: joe,
    }
    assert released == "approved"


def _rows(queue: ReviewScreen) -> list[str]:
    table = queue.query_one("#review-queue", DataTable)
    return [str(table.get_row_at(i)[2]) for i in range(table.row_count)]


def _status(queue: ReviewScreen) -> str:
    return str(queue.query_one("#review-status", Static).render())


async def test_w_and_p_narrow_the_tui_queue(database: Database) -> None:
    _team(database)
    app = make_app(database, today=DAY, actor=MINA)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("A")
        await settle(pilot)
        workspace = app.screen
        assert isinstance(workspace, AffiliatesScreen)
        await pilot.press("v")
        await settle(pilot)
        queue = app.screen
        assert isinstance(queue, ReviewScreen)
        assert queue.sub_title == "review queue · mine"
        assert _rows(queue) == ["@mina_a", "@mina_b"]
        assert _status(queue).startswith("2 flag(s) open · every program · p program")
        await pilot.press("w")
        await settle(pilot)
        assert queue.sub_title == "review queue · mine + unassigned"
        assert _rows(queue) == ["@mina_a", "@mina_b", "@free_b"]
        await pilot.press("p")
        await settle(pilot)
        assert _rows(queue) == ["@mina_a"]
        assert _status(queue).startswith("1 flag(s) open · Alpha Club · ")
        await pilot.press("p")
        await settle(pilot)
        assert _rows(queue) == ["@mina_b", "@free_b"]
        assert " · Beta Club · " in _status(queue)
        await pilot.press("w")  # back to mine: still Beta, only her flag
        await settle(pilot)
        assert _rows(queue) == ["@mina_b"]
        assert " · Beta Club · " in _status(queue)
        await pilot.press("p")  # after the last program: every program again
        await settle(pilot)
        assert _rows(queue) == ["@mina_a", "@mina_b"]
        assert " · every program · " in _status(queue)
        await pilot.press("P")  # backwards: the last program
        await settle(pilot)
        assert _rows(queue) == ["@mina_b"]
        await pilot.press("w", "escape")  # the workspace follows the app's one choice
        await settle(pilot)
        assert app.screen is workspace
        assert workspace.sub_title == "affiliate programs · mine + unassigned"
        assert not app.failures
