"""The command line starts fast: help and argument parsing import no database stack.

Each case runs `talent` in a fresh interpreter (an in-process run would see the modules other
tests imported) and reads the names of the modules loaded when it exits.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

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
    ],
    ids=["limit", "command"],
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


def test_a_bad_choice_checked_by_the_command_is_still_usage(tmp_path: Path) -> None:
    """`--sort` is validated inside the command against the roster's sort keys (they live in
    services): the same exit code 2 and message, and no database is opened."""
    db = tmp_path / "talent.db"
    result, _ = talent(tmp_path, "--db", str(db), "creators", "list", "--sort", "bogus")
    assert result.returncode == 2, result.stderr
    assert result.stderr == (
        "error: unknown sort 'bogus' (one of: name, followers, engagement, growth, open_deals)\n"
    )
    assert not db.exists()


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
