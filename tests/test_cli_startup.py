"""The command line starts fast: help and argument parsing import no database stack.

Each case runs `talent` in a fresh interpreter (an in-process run would see the modules other
tests imported) and reads the names of the modules loaded when it exits.
"""

from __future__ import annotations

import inspect
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import typer
import typer.core
import typer.main

from talent_tui.cli.lazy import Deferred
from talent_tui.cli.main import COMMANDS, GROUPS, build_app

# What only running a command may load: the database stack, the TUI and its charts.
HEAVY = ("sqlalchemy", "sqlmodel", "alembic", "textual", "plotext", "textual_plotext")

# python -c RUN_TALENT DUMP talent ARGS…: runs `talent ARGS…`, then writes sys.modules to DUMP.
RUN_TALENT = """
import atexit, json, sys

dump = sys.argv[1]

def _dump() -> None:
    with open(dump, "w", encoding="utf-8") as f:
        json.dump(sorted(sys.modules), f)

atexit.register(_dump)
sys.argv = sys.argv[2:]
from talent_tui.launch import main

main()
"""


def talent(tmp_path: Path, *args: str) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    """Run `talent ARGS` in a new process; its result and the top-level packages it loaded."""
    dump = tmp_path / "modules.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith("TALENT_")}
    env.update(COLUMNS="100", TERM="dumb", HOME=str(tmp_path), XDG_DATA_HOME=str(tmp_path))
    result = subprocess.run(
        [sys.executable, "-c", RUN_TALENT, str(dump), "talent", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    modules = json.loads(dump.read_text(encoding="utf-8"))
    return result, {name.partition(".")[0] for name in modules}


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["creators", "--help"],
        ["creators", "list", "--help"],
        ["campaigns", "counter", "--help"],
        ["db", "--help"],
        ["import", "--help"],
    ],
    ids=" ".join,
)
def test_help_imports_no_database_stack(tmp_path: Path, args: list[str]) -> None:
    result, loaded = talent(tmp_path, *args)
    assert result.returncode == 0, result.stderr
    assert "Usage: talent" in result.stdout
    assert loaded.isdisjoint(HEAVY), sorted(loaded.intersection(HEAVY))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["creators", "list", "--limit", "0"], "--limit"),
        (["bogus"], "No such command 'bogus'."),
        (["creators", "list", "--sort", "bogus"], "'bogus' is not one of 'name', 'followers'"),
        (["campaigns", "list", "--tab", "x"], "'x' is not one of 'pending', 'active'"),
    ],
    ids=["limit", "command", "sort", "tab"],
)
def test_usage_errors_are_found_before_the_database_is_imported(
    tmp_path: Path, args: list[str], message: str
) -> None:
    """A value Click refuses while parsing: exit code 2, before any database work."""
    result, loaded = talent(tmp_path, "--db", str(tmp_path / "talent.db"), *args)
    assert result.returncode == 2, result.stderr
    assert message in result.stderr
    assert loaded.isdisjoint(HEAVY), sorted(loaded.intersection(HEAVY))
    assert not (tmp_path / "talent.db").exists()


def test_a_real_command_still_runs_end_to_end(tmp_path: Path) -> None:
    """`creators add` then `creators list` on a new file: the same output as ever, and the
    database stack is loaded when (and because) the command runs."""
    db = str(tmp_path / "talent.db")
    added, loaded = talent(
        tmp_path, "--db", db, "creators", "add", "--name", "Mina Cho", "--tiktok", "@mina.cho"
    )
    assert added.returncode == 0, added.stderr
    assert added.stdout == "Added Mina Cho (@mina.cho) as creator 1.\n"
    assert {"sqlalchemy", "sqlmodel"} <= loaded
    assert loaded.isdisjoint({"textual", "plotext", "textual_plotext"})

    listed, _ = talent(tmp_path, "--db", db, "creators", "list", "--json", "--limit", "20")
    assert listed.returncode == 0, listed.stderr
    rows = json.loads(listed.stdout)
    assert [(r["id"], r["name"], r["tiktok_handle"]) for r in rows] == [
        (1, "Mina Cho", "@mina.cho")
    ]

    table, _ = talent(tmp_path, "--db", db, "creators", "list")
    assert table.returncode == 0, table.stderr
    assert table.stdout.split() == ["ID", "Name", "TikTok", "Followers", "Eng.", "30d", "Open"] + [
        "1",
        "Mina",
        "Cho",
        "@mina.cho",
        "0",
        "—",
        "—",
        "0",
    ]


def test_an_empty_database_says_so(tmp_path: Path) -> None:
    db = tmp_path / "talent.db"
    result, _ = talent(tmp_path, "--db", str(db), "creators", "list")
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert f"No creators in {db}." in result.stderr


def _first_paragraph(text: str | None) -> str:
    return inspect.cleandoc(text or "").split("\n\n")[0].strip()


def test_each_listed_line_is_the_first_paragraph_of_the_commands_own_help() -> None:
    """`talent --help` lists the lines registered in build_app; each must be what the command
    itself says (its docstring's or group's first paragraph), or the two drift apart."""
    root = typer.main.get_command(build_app())
    assert isinstance(root, typer.core.TyperGroup)
    for name, _module, line in (*COMMANDS, *GROUPS):
        placeholder = root.commands[name]
        assert isinstance(placeholder, Deferred)
        real = placeholder.load()
        assert not isinstance(real, Deferred) and real.name == name
        assert _first_paragraph(real.help) == line, name
        assert isinstance(real, typer.core.TyperGroup) == ((name, _module, line) in GROUPS)


def test_talent_help_is_the_same_with_every_command_loaded(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("COLUMNS", "100")
    root = typer.main.get_command(build_app())
    assert isinstance(root, typer.core.TyperGroup)

    def help_text() -> str:
        with pytest.raises(SystemExit):
            root.main(["--help"], prog_name="talent")
        return capsys.readouterr().out

    listed = help_text()
    for name, command in list(root.commands.items()):
        if isinstance(command, Deferred):
            root.commands[name] = command.load()
    assert help_text() == listed
    assert "│ import  " in listed and "│ log  " in listed


# ---- a listing reads without the ORM, unless something must change first -------------------


def test_creators_list_on_an_up_to_date_file_loads_no_orm(tmp_path: Path) -> None:
    from talent_tui.store import db as dbmod
    from tests import factories

    path = tmp_path / "talent.db"
    database = dbmod.open_database(str(path))
    with database.transaction() as s:
        factories.creator(s, name="Dana Park", tiktok_handle="@dana.park", followers=1200)
    database.dispose()
    result, loaded = talent(tmp_path, "--db", str(path), "creators", "list", "--json")
    assert result.returncode == 0, result.stderr
    assert loaded.isdisjoint(HEAVY), sorted(loaded.intersection(HEAVY))
    (row,) = json.loads(result.stdout)
    assert (row["name"], row["tiktok_handle"], row["followers"]) == (
        "Dana Park",
        "@dana.park",
        1200,
    )


def test_creators_list_with_an_overdue_offer_opens_fully_and_expires_it(tmp_path: Path) -> None:
    """An overdue offer still counts as open until it expires: the listing opens the database
    as every command does, the offer expires (said on stderr), and the count shows it."""
    from datetime import date

    from talent_tui.store import db as dbmod
    from tests import factories

    path = tmp_path / "talent.db"
    database = dbmod.open_database(str(path))
    with database.transaction() as s:
        dana = factories.creator(s, name="Dana Park")
        factories.offer(s, dana, received_on=date(2020, 1, 1))  # long overdue
    database.dispose()
    result, loaded = talent(tmp_path, "--db", str(path), "creators", "list", "--json")
    assert result.returncode == 0, result.stderr
    assert "sqlalchemy" in loaded
    assert "1 offer(s) passed their respond-by date and expired" in result.stderr
    (row,) = json.loads(result.stdout)
    assert row["open_deals"] == 0
    again, loaded = talent(tmp_path, "--db", str(path), "creators", "list", "--json")
    assert loaded.isdisjoint(HEAVY) and json.loads(again.stdout) == [row]


def test_creators_list_on_a_new_file_creates_it_as_before(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    result, loaded = talent(tmp_path, "--db", str(path), "creators", "list")
    assert result.returncode == 0, result.stderr
    assert path.is_file() and "No creators in" in result.stderr
