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
