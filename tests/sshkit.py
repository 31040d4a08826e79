"""Helpers for the serve-ssh tests: a real server in a child process, and visitors connecting
to it with asyncssh's client (a pty, bytes both ways) — no mocks between them.

`Server` runs `python -m talent_tui serve-ssh --port 0 …` with its own HOME, XDG and TMPDIR
folders (so its host key, log and visitors' copies can be inspected), waits for the
"listening on" line and reads the port from it. `Visitor` reads everything the app draws,
strips escape sequences for text searches and keeps the raw bytes for sequence checks.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import asyncssh

from tests.bench.pty_driver import strip_ansi

TODAY = "2026-11-01"  # the demo's anchor day: dates as written in data/demo
FIRST = "Aiko Tanaka"  # the first demo creator by name, highlighted at start
SECOND = "Ava Martinez"
APP_WAIT_S = 60.0  # an app start is about a second; the shared 2-core machine can be slow


class Server:
    def __init__(self, root: Path, *args: str, env: dict[str, str] | None = None) -> None:
        self.root = root
        self.home = root / "home"
        self.tmp = root / "tmp"
        for folder in (self.home, self.tmp):
            folder.mkdir(parents=True, exist_ok=True)
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "LANG": "C.UTF-8",
            "HOME": str(self.home),
            "XDG_DATA_HOME": str(self.home / "data"),
            "XDG_STATE_HOME": str(self.home / "state"),
            "XDG_CACHE_HOME": str(self.home / "cache"),
            "XDG_CONFIG_HOME": str(self.home / "config"),
            "TMPDIR": str(self.tmp),
            "TALENT_TODAY": TODAY,
            "PYTHONUNBUFFERED": "1",
            **(env or {}),
        }
        self.args = args
        self.lines: list[str] = []
        self.port = 0
        self.fingerprint = ""
        self.process: subprocess.Popen[str] | None = None

    @property
    def key_path(self) -> Path:
        return self.home / "data" / "talent" / "ssh_host_ed25519_key"

    @property
    def log_path(self) -> Path:
        return self.home / "state" / "talent" / "log" / "serve-ssh.log"

    def start(self, timeout: float = 120.0) -> Server:
        self.lines = []
        self.process = subprocess.Popen(
            [sys.executable, "-m", "talent_tui", "serve-ssh", "--port", "0", *self.args],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=self.env,
            start_new_session=True,
        )
        listening = threading.Event()

        def pump() -> None:
            assert self.process is not None and self.process.stdout is not None
            for line in self.process.stdout:
                self.lines.append(line.rstrip("\n"))
                if (m := re.search(r"listening on \S+:(\d+)$", line.strip())) is not None:
                    self.port = int(m.group(1))
                if (m := re.match(r"Host key: (\S+)", line)) is not None:
                    self.fingerprint = m.group(1)
                if line.startswith("Connections are logged"):
                    listening.set()
            listening.set()  # the server ended: start() reports what it said

        threading.Thread(target=pump, daemon=True).start()
        listening.wait(timeout)
        if not self.port or self.process.poll() is not None:
            self.stop()
            raise RuntimeError("serve-ssh did not start:\n" + "\n".join(self.lines))
        return self

    def stop(self) -> int | None:
        if self.process is None:
            return None
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(5)
        return self.process.returncode

    def copies(self) -> list[Path]:
        """The visitors' copies that exist now."""
        return sorted(self.tmp.glob("talent-serve-ssh-*/visitor-*/demo.db"))

    def log_lines(self) -> list[str]:
        return (
            self.log_path.read_text(encoding="utf-8").splitlines() if self.log_path.exists() else []
        )


async def connect(
    server: Server, user: str = "demo", *, local_addr: str | None = None, **options: object
) -> asyncssh.SSHClientConnection:
    return await asyncssh.connect(
        "127.0.0.1",
        server.port,
        username=user,
        known_hosts=None,
        client_keys=options.pop("client_keys", None),
        agent_path=None,
        local_addr=(local_addr, 0) if local_addr else None,
        **options,  # type: ignore[arg-type]
    )


class Visitor:
    """An interactive session with a pty: what the app draws, and keys to send."""

    def __init__(
        self, conn: asyncssh.SSHClientConnection, process: asyncssh.SSHClientProcess
    ) -> None:  # type: ignore[type-arg]
        self.conn = conn
        self.process = process
        self.raw = bytearray()
        self.mark = 0  # searches look at raw[mark:]
        self._reader = asyncio.ensure_future(self._read())

    @classmethod
    async def open(
        cls,
        server: Server,
        user: str = "demo",
        *,
        size: tuple[int, int] = (80, 24),
        **options: object,
    ) -> Visitor:
        conn = await connect(server, user, **options)
        process = await conn.create_process(
            term_type="xterm-256color", term_size=size, encoding=None
        )
        return cls(conn, process)

    async def _read(self) -> None:
        while True:
            data = await self.process.stdout.read(65536)
            if not data:
                return
            self.raw += data

    @property
    def text(self) -> str:
        return strip_ansi(self.raw[self.mark :].decode("utf-8", "replace"))

    def new_output(self) -> None:
        """Look only at what arrives from now on."""
        self.mark = len(self.raw)

    async def wait_for(self, needle: str | re.Pattern[str], timeout: float = APP_WAIT_S) -> str:
        deadline = time.monotonic() + timeout
        while True:
            text = self.text
            found = needle.search(text) if isinstance(needle, re.Pattern) else needle in text
            if found:
                return text
            if self._reader.done() or time.monotonic() > deadline:
                raise AssertionError(
                    f"{needle!r} did not appear (session "
                    f"{'ended' if self._reader.done() else 'still open'}); the screen ends:\n"
                    + text[-1500:]
                )
            await asyncio.sleep(0.05)

    async def wait_raw(
        self, needle: bytes | re.Pattern[bytes], timeout: float = APP_WAIT_S
    ) -> bytes:
        deadline = time.monotonic() + timeout
        while True:
            raw = bytes(self.raw[self.mark :])
            found = needle.search(raw) if isinstance(needle, re.Pattern) else needle in raw
            if found:
                return raw
            if self._reader.done() or time.monotonic() > deadline:
                raise AssertionError(f"{needle!r} did not arrive; the tail: {raw[-600:]!r}")
            await asyncio.sleep(0.05)

    def send(self, data: str | bytes) -> None:
        self.process.stdin.write(data.encode() if isinstance(data, str) else data)

    async def ended(self, timeout: float = 30.0) -> int | None:
        """The exit status, once the server has closed the session."""
        await asyncio.wait_for(self._reader, timeout)
        await asyncio.wait_for(self.process.wait_closed(), timeout)
        return self.process.exit_status

    async def close(self) -> None:
        self._reader.cancel()
        self.conn.close()
        await self.conn.wait_closed()


async def eventually(check, timeout: float = 20.0) -> None:  # noqa: ANN001
    """Wait until `check()` is true (server-side clean-up happens after the channel closes)."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("the condition did not become true in time")
        await asyncio.sleep(0.05)
