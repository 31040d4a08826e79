"""The failure policy (talent_tui/failures.py): what a failing handler, worker or timer does,
what a refusal does, and what an error that escapes every guard does to the exit code."""

from __future__ import annotations

import logging
import logging.handlers
import threading
from dataclasses import dataclass, field
from typing import Any

import pytest
from textual import events
from textual.widgets import Input

from talent_tui import failures, launch
from talent_tui.core.errors import DomainError
from talent_tui.core.locations import log_path
from talent_tui.screens.main import MainScreen
from talent_tui.services import fit, roster
from talent_tui.store.db import Database

from .conftest import make_app, settle_despite_failures


@dataclass
class Notices:
    """What the app showed with `notify` (message, severity)."""

    shown: list[tuple[str, str]] = field(default_factory=list)

    def of(self, severity: str) -> list[str]:
        return [message for message, level in self.shown if level == severity]


def _record_notices(app, monkeypatch: pytest.MonkeyPatch) -> Notices:  # noqa: ANN001
    notices = Notices()
    notify = app.notify

    def recording(message: str, *args: Any, severity: str = "information", **kwargs: Any) -> None:
        notices.shown.append((str(message), severity))
        notify(message, *args, severity=severity, **kwargs)

    monkeypatch.setattr(app, "notify", recording)
    return notices


def _log_text() -> str:
    path = log_path()
    return path.read_text(encoding="utf-8") if path.exists() else ""


async def test_a_failing_handler_is_reported_and_the_app_keeps_running(
    demo_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(self) -> None:  # noqa: ANN001
        raise RuntimeError("sort exploded in a test")

    monkeypatch.setattr(MainScreen, "action_cycle_sort", broken)
    app = make_app(demo_db)
    async with app.run_test(size=(100, 30)) as pilot:
        notices = _record_notices(app, monkeypatch)
        await settle_despite_failures(pilot)
        await pilot.press("s")
        await settle_despite_failures(pilot)
        assert app.is_running and app.return_code is None
        [(where, error)] = app.failures
        assert isinstance(error, RuntimeError) and "Key" in where
        [notice] = notices.of("error")
        assert "failed: sort exploded in a test." in notice
        assert str(log_path()) in notice
        # Still usable: the roster answers keys after the failure.
        await pilot.press("down")
        await settle_despite_failures(pilot)
        assert app.screen.query_one("#roster").cursor == 1
    log = _log_text()
    assert "ERROR" in log and "Traceback (most recent call last)" in log
    assert "RuntimeError: sort exploded in a test" in log
    assert "in broken" in log  # the traceback reaches the failing function


async def test_a_failing_worker_is_reported_with_its_name(
    demo_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(session, creator_id: int):  # noqa: ANN001, ANN202
        raise RuntimeError(f"profile {creator_id} unreadable")

    monkeypatch.setattr(roster, "profile", broken)
    app = make_app(demo_db)
    async with app.run_test(size=(100, 30)) as pilot:
        notices = _record_notices(app, monkeypatch)
        await settle_despite_failures(pilot)
        await pilot.press("down")
        await settle_despite_failures(pilot)
        assert app.is_running and app.return_code is None
        assert app.failures, "the worker's failure was not reported"
        assert {where for where, _ in app.failures} == {"Loading the creator"}
        assert all(isinstance(error, RuntimeError) for _, error in app.failures)
        assert any(
            n.startswith("Loading the creator failed: profile") and str(log_path()) in n
            for n in notices.of("error")
        )
    assert "RuntimeError: profile" in _log_text()


async def test_a_worker_of_a_closed_screen_is_logged_not_shown(
    demo_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    closed = threading.Event()

    def ranking_after_close(session, brand_id: int):  # noqa: ANN001, ANN202
        closed.wait(timeout=10)
        raise RuntimeError("ranking failed after close")

    monkeypatch.setattr(fit, "rank_for_brand", ranking_after_close)
    app = make_app(demo_db)
    async with app.run_test(size=(100, 30)) as pilot:
        notices = _record_notices(app, monkeypatch)
        await settle_despite_failures(pilot)
        await pilot.press("b")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        closed.set()
        await settle_despite_failures(pilot)
        assert app.is_running
        assert app.failures == []
        assert notices.of("error") == []
    log = _log_text()
    assert "failed after its screen closed" in log
    assert "RuntimeError: ranking failed after close" in log


async def test_a_domain_error_is_a_warning_in_its_own_words_and_not_logged(
    demo_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refused(self) -> None:  # noqa: ANN001
        raise DomainError("that sort is not allowed [here]")

    monkeypatch.setattr(MainScreen, "action_cycle_sort", refused)
    app = make_app(demo_db)
    async with app.run_test(size=(100, 30)) as pilot:
        notices = _record_notices(app, monkeypatch)
        await settle_despite_failures(pilot)
        await pilot.press("s")
        await settle_despite_failures(pilot)
        assert app.is_running
        assert app.failures == []
        assert notices.of("error") == []
        assert notices.of("warning") == [r"that sort is not allowed \[here]"]  # markup-safe
    assert "not allowed" not in _log_text()


async def test_a_failing_timer_callback_is_reported(demo_db: Database) -> None:
    def tick() -> None:
        raise RuntimeError("timer broke")

    app = make_app(demo_db)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle_despite_failures(pilot)
        app.screen.set_timer(0.001, tick)
        for _ in range(50):
            if app.failures:
                break
            await pilot.pause(0.01)
        assert app.is_running
        assert [str(error) for _, error in app.failures] == ["timer broke"]
    assert "RuntimeError: timer broke" in _log_text()


async def test_an_error_that_escapes_every_guard_ends_the_app_with_code_1_and_a_log(
    demo_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Textual's own Input is not one of talent's guarded classes: an error in its handler
    # escapes to the app, which must stop (exit code 1) and log why.
    def broken_paste(self, event) -> None:  # noqa: ANN001
        raise RuntimeError("inside Textual")

    monkeypatch.setattr(Input, "_on_paste", broken_paste)
    app = make_app(demo_db)
    with pytest.raises(RuntimeError, match="inside Textual"):
        async with app.run_test(size=(100, 30)) as pilot:
            await settle_despite_failures(pilot)
            await pilot.press("slash")
            app.focused.post_message(events.Paste("x"))
            await pilot.pause()
    assert app.return_code == 1
    assert [where for where, _ in app.failures] == ["the app"]
    log = _log_text()
    assert "CRITICAL talent stopped" in log and "RuntimeError: inside Textual" in log


class _FakeApp:
    return_code: int | None = None

    def __init__(self, database: Any, *, actor: str | None = None) -> None:
        self.ran = False

    def run(self) -> None:
        self.ran = True


def test_launch_exits_non_zero_with_the_log_path_when_the_app_ended_on_an_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import talent_tui.app

    class Crashed(_FakeApp):
        return_code = 1

    monkeypatch.setattr(talent_tui.app, "TalentApp", Crashed)
    with pytest.raises(SystemExit) as exit_info:
        launch.open_tui(object(), None)  # type: ignore[arg-type]
    assert exit_info.value.code == 1
    err = capsys.readouterr().err
    assert str(log_path()) in err and "unexpected error" in err


def test_launch_returns_quietly_after_a_normal_quit(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import talent_tui.app

    monkeypatch.setattr(talent_tui.app, "TalentApp", _FakeApp)
    launch.open_tui(object(), None)  # type: ignore[arg-type]
    assert capsys.readouterr().err == ""


def test_the_log_rotates_at_the_configured_size_and_keeps_the_configured_backups() -> None:
    path = failures.log_file()
    assert path == log_path()
    [handler] = [
        h for h in failures.logger.handlers if isinstance(h, logging.handlers.RotatingFileHandler)
    ]
    assert handler.baseFilename == str(path)
    assert (handler.maxBytes, handler.backupCount) == (failures.LOG_BYTES, failures.LOG_BACKUPS)
    line = "x" * 1000
    for _ in range(failures.LOG_BYTES * (failures.LOG_BACKUPS + 2) // 1000):
        failures.logger.error(line)
    rotated = sorted(p.name for p in path.parent.iterdir())
    assert rotated == ["talent.log"] + [
        f"talent.log.{n}" for n in range(1, failures.LOG_BACKUPS + 1)
    ]
    assert all(p.stat().st_size <= failures.LOG_BYTES + 2000 for p in path.parent.iterdir())


def test_the_log_follows_the_log_directory(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = failures.log_file()
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "elsewhere"))
    second = failures.log_file()
    assert second != first
    failures.logger.error("written to the new place")
    assert "written to the new place" in second.read_text(encoding="utf-8")
    assert "written to the new place" not in (first.read_text() if first.exists() else "")


def test_notices_never_carry_control_characters_or_markup() -> None:
    text = failures.describe(RuntimeError("name \x1b]0;pwned\x07 [b]bold"))
    assert "\x1b" not in text and "\x07" not in text
    assert r"\[b]" in text
    assert failures.describe(RuntimeError("")) == "RuntimeError"
    assert len(failures.describe(RuntimeError("y" * 500))) == 200
