"""The command line never prints a traceback: a bug is one line on stderr, exit code 70, and
the traceback in the log file; a refusal that escapes is its words with exit code 1."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from talent_tui.cli import common
from talent_tui.cli import main as cli
from talent_tui.core.locations import log_path
from talent_tui.services import roster
from talent_tui.store import db as dbmod


def _run(monkeypatch: pytest.MonkeyPatch, *args: str) -> int:
    monkeypatch.setattr(sys, "argv", ["talent", *args])
    with pytest.raises(SystemExit) as exit_info:
        cli.run()
    return int(exit_info.value.code or 0)


def test_a_bug_is_one_line_and_a_logged_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("the disk said no")

    monkeypatch.setattr(dbmod, "open_database", broken)
    code = _run(monkeypatch, "--db", str(tmp_path / "t.db"), "creators", "list")
    assert code == common.EXIT_BUG
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert "RuntimeError: the disk said no" in err
    assert str(log_path()) in err
    logged = log_path().read_text(encoding="utf-8")
    assert "Traceback (most recent call last)" in logged
    assert "the disk said no" in logged


def test_a_refusal_that_escapes_is_its_words_with_exit_code_1(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    def refuse(*_args: object, **_kwargs: object) -> None:
        raise roster.CreatorNotFound("no creator with id or TikTok handle '@nobody'")

    monkeypatch.setattr(dbmod, "open_database", refuse)
    code = _run(monkeypatch, "--db", str(tmp_path / "t.db"), "creators", "list")
    assert code == common.EXIT_INPUT
    err = capsys.readouterr().err
    assert "no creator with id or TikTok handle '@nobody'" in err
    assert "Traceback" not in err
    assert not log_path().exists() or "nobody" not in log_path().read_text(encoding="utf-8")


def test_success_exits_zero(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert _run(monkeypatch, "--db", str(tmp_path / "t.db"), "db", "path") == 0


def test_a_bug_with_a_long_message_is_still_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A database error's words go on with its SQL and parameters over many lines: the
    message keeps the first (cut at BUG_TEXT characters); the log keeps everything."""

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError(
            "\n(sqlite3.OperationalError) integer overflow\n[SQL: SELECT x\nFROM y]\n[parameters]"
        )

    monkeypatch.setattr(dbmod, "open_database", broken)
    code = _run(monkeypatch, "--db", str(tmp_path / "t.db"), "creators", "list")
    assert code == common.EXIT_BUG
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1
    assert "(RuntimeError: (sqlite3.OperationalError) integer overflow); details" in lines[0]
    assert "SELECT" in log_path().read_text(encoding="utf-8")
    assert common._one_line("x" * 500) == "x" * (common.BUG_TEXT - 1) + "…"
