"""`talent serve-ssh` with the stock OpenSSH client (`ssh`, `sftp`), as a visitor types it.

`ssh -tt` runs in a real pseudo-terminal whose controlling process it is (through util-linux
`setsid -c`), so a window change on that terminal reaches `ssh` as SIGWINCH and is sent to the
server as a window-change request, exactly as from a visitor's terminal emulator.
"""

from __future__ import annotations

import contextlib
import fcntl
import shutil
import struct
import subprocess
import termios
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.bench.pty_driver import PtyApp, PtyExited
from tests.sshkit import FIRST, SECOND, Server

SSH = shutil.which("ssh")
SFTP = shutil.which("sftp")
SETSID = shutil.which("setsid")
pytestmark = pytest.mark.skipif(SSH is None, reason="no OpenSSH client on this machine")


def _options(server: Server) -> list[str]:
    return [
        "-F", "/dev/null",  # no user configuration
        "-o", "StrictHostKeyChecking=no",
        "-o", "UserKnownHostsFile=/dev/null",
        "-o", "LogLevel=ERROR",
        "-o", "BatchMode=yes",
    ]  # fmt: skip


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    instance = Server(tmp_path_factory.mktemp("serve-ssh-openssh")).start()
    yield instance
    assert instance.stop() == 0


def test_ssh_opens_the_app_keys_move_the_cursor_a_resize_redraws_and_q_ends_it(
    server: Server, tmp_path: Path
) -> None:
    assert SSH is not None and SETSID is not None
    argv = [
        SETSID,
        "-c",
        "-w",
        SSH,
        "-tt",
        "-p",
        str(server.port),
        *_options(server),
        "visitor@127.0.0.1",
    ]
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "TERM": "xterm-256color",
        "LANG": "C.UTF-8",
    }
    with PtyApp(argv, env, rows=24, cols=80) as ssh:
        ssh.wait_for(r"42 · by name", timeout=60)
        ssh.wait_for(rf"{FIRST}  @aikotunes", timeout=30)
        ssh.wait_idle(0.3, timeout=5)
        ssh.mark()
        ssh.send("\x1b[B")
        ssh.wait_for(rf"{SECOND}  @ava\.moves", timeout=30)
        ssh.wait_idle(0.3, timeout=5)
        ssh.mark()
        fcntl.ioctl(ssh.master, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 110, 0, 0))
        # Textual centres the title: at 110 columns it moves right by 15.
        ssh.wait_for(r"◆ {44}talent — ", timeout=30)
        ssh.mark()
        ssh.send("q")
        deadline = time.monotonic() + 30
        while ssh.process.poll() is None and time.monotonic() < deadline:
            with contextlib.suppress(PtyExited):
                ssh.pump(0.1)  # ssh blocks when its terminal is not read
        assert ssh.process.poll() == 0
    assert server.copies() == []


def test_ssh_with_a_command_is_refused_and_says_why(server: Server) -> None:
    assert SSH is not None
    result = subprocess.run(
        [SSH, "-p", str(server.port), *_options(server), "visitor@127.0.0.1", "cat", "/etc/passwd"],
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 1
    assert "root:" not in result.stdout
    assert "does not run commands ('cat /etc/passwd' was not run)" in result.stderr


def test_ssh_without_a_terminal_is_told_why(server: Server) -> None:
    assert SSH is not None
    result = subprocess.run(
        [SSH, "-T", "-p", str(server.port), *_options(server), "visitor@127.0.0.1"],
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 1
    assert "the app needs a terminal" in result.stderr


def test_sftp_and_a_remote_forward_are_refused(server: Server) -> None:
    assert SSH is not None and SFTP is not None
    sftp = subprocess.run(
        [SFTP, "-P", str(server.port), *_options(server), "visitor@127.0.0.1"],
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert sftp.returncode != 0
    assert "subsystem request failed" in sftp.stderr
    forward = subprocess.run(
        [SSH, "-N", "-o", "ExitOnForwardFailure=yes", "-R", "0:127.0.0.1:9", "-p", str(server.port),
         *_options(server), "visitor@127.0.0.1"],
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert forward.returncode == 255
    assert "remote port forwarding failed" in forward.stderr
