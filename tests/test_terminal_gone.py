"""The app ends when its terminal goes away without a SIGHUP (the pty's other end closed by a
killed terminal emulator or multiplexer). Before the watch in TalentApp._watch_terminal it
kept running, spinning at full CPU on the input's end-of-file."""

from __future__ import annotations

import os
import pty
import re
import select
import subprocess
import sys
import time
from pathlib import Path

# Generous: a cold start on a loaded 2-core machine. The app checks every second.
STARTS_WITHIN_S = 60.0
ENDS_WITHIN_S = 30.0


def _read_until(fd: int, needle: bytes, within_s: float) -> bytes:
    """What the app drew until `needle` shows in its text (escape sequences removed)."""
    seen = b""
    deadline = time.monotonic() + within_s
    while needle not in _text(seen) and time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            try:
                seen += os.read(fd, 65536)
            except OSError:
                break
    return seen


def _text(screen: bytes) -> bytes:
    return re.sub(rb"\x1b\[[0-9;?]*[A-Za-z]", b"", screen)


def test_the_app_ends_when_its_terminal_is_gone(tmp_path: Path) -> None:
    master, slave = pty.openpty()
    env = dict(os.environ, HOME=str(tmp_path), TERM="xterm-256color", COLUMNS="80", LINES="24")
    env["XDG_DATA_HOME"] = str(tmp_path / "data")
    env["XDG_STATE_HOME"] = str(tmp_path / "state")
    # A new session with no controlling terminal: closing the master sends no SIGHUP.
    process = subprocess.Popen(
        [sys.executable, "-m", "talent_tui", "demo"],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
        start_new_session=True,
    )
    os.close(slave)
    try:
        # The highlighted creator's panel lists their campaigns: the roster is up.
        screen = _read_until(master, b"Campaign", STARTS_WITHIN_S)
        assert b"Campaign" in _text(screen), _text(screen)[-2000:]
        assert process.poll() is None
        os.close(master)
        master = -1
        process.wait(timeout=ENDS_WITHIN_S)
        assert process.returncode == 1
        log = (tmp_path / "state" / "talent" / "log" / "talent.log").read_text()
        assert "the terminal went away" in log
    finally:
        if master >= 0:
            os.close(master)
        if process.poll() is None:
            process.kill()
            process.wait()
