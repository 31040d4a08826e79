"""Drive a terminal program in a real pseudo-terminal and time what appears on its screen.

`PtyApp` starts a command with a fresh pty (stdin, stdout and stderr all on the slave side,
window size set with TIOCSWINSZ before the child starts, a new session so the whole process
group can be ended), reads everything the child writes, strips the escape sequences and
searches the plain text for a pattern. Times are `time.perf_counter()` readings taken when the
bytes that completed the match were read (so the detection cost is a `select` wake-up plus a
regex over the newest chunk, not a re-scan of the whole screen).

Every child is ended and reaped by `close()` (Popen's `q`, up to 2 s, then SIGKILL to its
process group while its leader is still ours), and `close_all()` ends any that are left (the
benchmark calls it from a `finally` and on SIGTERM). Every wait has a timeout and raises
`PtyTimeout` with the tail of the screen text, so a stuck app fails loudly instead of hanging.
"""

from __future__ import annotations

import codecs
import contextlib
import fcntl
import os
import re
import select
import signal
import struct
import subprocess
import termios
import time
from collections.abc import Iterable, Mapping, Sequence
from re import Pattern

# CSI (ESC [ ... final), OSC (ESC ] ... BEL or ST), DCS/APC/PM/SOS strings (ESC P/_/^/X ... ST),
# two- and three-byte escapes (ESC ( B, ESC =, ESC 7, ...), and lone C0/C1 control characters
# other than newline. What is left is the text the program drew, in the order it drew it.
_SEQUENCE = re.compile(
    r"""
      \x1b\[[0-?]*[ -/]*[@-~]             # CSI
    | \x9b[0-?]*[ -/]*[@-~]               # 8-bit CSI
    | \x1b\][^\x07\x1b]*(?:\x07|\x1b\\)   # OSC
    | \x1b[P_^X][^\x1b]*\x1b\\            # DCS, APC, PM, SOS
    | \x1b[ -/]*[0-~]                     # other escapes (charset, keypad, save/restore)
    | [\x00-\x09\x0b-\x1f\x7f]            # other control characters (not \n)
    """,
    re.VERBOSE,
)
_CSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]")
_SHORT = re.compile(r"\x1b[ -/]*[0-~]")
_STRING_OPENERS = ("\x1b]", "\x1bP", "\x1b_", "\x1b^", "\x1bX")


def _incomplete_from(text: str) -> int | None:
    """Where an escape sequence that is not finished yet starts at the end of `text`."""
    start = None
    for opener in _STRING_OPENERS:  # OSC/DCS/...: open until BEL (OSC) or ESC \\
        at = text.rfind(opener)
        if (
            at != -1
            and "\x1b\\" not in text[at:]
            and not (opener == "\x1b]" and "\x07" in text[at:])
        ):
            start = at if start is None else min(start, at)
    last = text.rfind("\x1b")
    if last != -1:
        rest = text[last:]
        if len(rest) == 1:
            complete = False
        elif rest[1] == "[":
            complete = _CSI.match(rest) is not None
        elif rest[1] in "]P_^X\\":
            complete = True  # a string opener (handled above) or ST
        else:
            complete = _SHORT.match(rest) is not None
        if not complete:
            start = last if start is None else min(start, last)
    return start


OVERLAP = 256  # characters of earlier text searched again with a new chunk (split matches)


class PtyTimeout(RuntimeError):
    """A wait on the child's screen ran out of time."""


class PtyExited(RuntimeError):
    """The child ended while we waited for something on its screen."""


def strip_ansi(text: str) -> str:
    return _SEQUENCE.sub("", text)


class _Stripper:
    """Incremental escape-sequence stripping across read() boundaries."""

    def __init__(self) -> None:
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._carry = ""

    def feed(self, data: bytes) -> str:
        text = self._carry + self._decoder.decode(data)
        self._carry = ""
        cut = _incomplete_from(text[-8192:])
        if cut is not None:
            cut += max(0, len(text) - 8192)
            self._carry, text = text[cut:], text[:cut]
        return strip_ansi(text)


_LIVE: dict[int, PtyApp] = {}


def close_all() -> None:
    """End every child still running (benchmark `finally`, SIGTERM)."""
    for app in list(_LIVE.values()):
        app.close(grace=0.0)


def child_env(home: str, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """A clean environment for a child: a temporary HOME and XDG directories (no user
    configuration leaks in), TERM=xterm-256color, no TALENT_* / TEXTUAL_* variables."""
    keep = ("PATH", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "TMPDIR", "SYSTEMROOT")
    env = {key: os.environ[key] for key in keep if key in os.environ}
    env.setdefault("LANG", "C.UTF-8")
    env.update(
        HOME=home,
        XDG_CONFIG_HOME=os.path.join(home, ".config"),
        XDG_DATA_HOME=os.path.join(home, ".local", "share"),
        XDG_CACHE_HOME=os.path.join(home, ".cache"),
        XDG_STATE_HOME=os.path.join(home, ".local", "state"),
        TERM="xterm-256color",
        COLORTERM="truecolor",
        PYTHONUNBUFFERED="1",
    )
    for sub in (".config", ".local/share", ".cache", ".local/state"):
        os.makedirs(os.path.join(home, sub), exist_ok=True)
    if extra:
        env.update(extra)
    return env


class PtyApp:
    """One child process on its own pseudo-terminal."""

    def __init__(
        self,
        argv: Iterable[str],
        env: Mapping[str, str],
        *,
        rows: int = 24,
        cols: int = 80,
        cwd: str | None = None,
    ) -> None:
        self.argv = list(argv)
        self.text = ""  # everything drawn so far, escape sequences stripped
        self.last_output = 0.0  # perf_counter of the last read that returned bytes
        self.bytes_read = 0
        self._stripper = _Stripper()
        self._mark = 0  # searches look at self.text[self._mark:] (see mark())
        master, slave = os.openpty()
        self.master = master
        try:
            fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
            os.set_blocking(master, False)
            self.started = time.perf_counter()
            self.process = subprocess.Popen(
                self.argv,
                stdin=slave,
                stdout=slave,
                stderr=slave,
                env=dict(env),
                cwd=cwd,
                start_new_session=True,  # its own session and process group (pgid == pid)
                close_fds=True,
            )
        except BaseException:
            os.close(master)
            raise
        finally:
            os.close(slave)
        self.pid = self.process.pid
        _LIVE[self.pid] = self

    # ---- reading ------------------------------------------------------------------------

    def _read(self, timeout: float) -> bool:
        """Wait up to `timeout` for output; append what came. False if nothing came."""
        try:
            ready, _, _ = select.select([self.master], [], [], max(0.0, timeout))
        except InterruptedError:
            return False
        if not ready:
            return False
        try:
            data = os.read(self.master, 65536)
        except BlockingIOError:
            return False
        except OSError:  # EIO: every slave fd closed (the child ended)
            data = b""
        if not data:
            if self.process.poll() is not None:
                raise PtyExited(self._describe_exit())
            time.sleep(min(timeout, 0.01))  # EIO before the exit status is ready
            return False
        now = time.perf_counter()
        self.bytes_read += len(data)
        self.last_output = now
        self.text += self._stripper.feed(data)
        return True

    def _describe_exit(self) -> str:
        return (
            f"{self.argv[0]} ended with exit code {self.process.returncode}; "
            f"last screen text: {self.tail()!r}"
        )

    def tail(self, chars: int = 600) -> str:
        return re.sub(r"\s+", " ", self.text[-chars:]).strip()

    def mark(self) -> None:
        """Later waits only look at text drawn from now on."""
        self._mark = len(self.text)

    def wait_for(self, pattern: str | Pattern[str], timeout: float) -> float:
        """Read until `pattern` (a regex) appears in the text drawn since mark(); the
        perf_counter time of the read that completed it. Raises PtyTimeout / PtyExited."""
        regex = re.compile(pattern) if isinstance(pattern, str) else pattern
        deadline = time.perf_counter() + timeout
        searched = self._mark
        while True:
            start = max(self._mark, searched - OVERLAP)
            if regex.search(self.text, start):
                return self.last_output if self.last_output else time.perf_counter()
            searched = len(self.text)
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                raise PtyTimeout(
                    f"{os.path.basename(self.argv[0])}: {regex.pattern!r} did not appear within "
                    f"{timeout:.0f} s; last screen text: {self.tail()!r}"
                )
            if self.process.poll() is not None:
                self._drain()
                if regex.search(self.text, max(self._mark, searched - OVERLAP)):
                    return self.last_output
                raise PtyExited(self._describe_exit())
            try:
                self._read(min(remaining, 0.5))
            except PtyExited:
                if regex.search(self.text, max(self._mark, searched - OVERLAP)):
                    return self.last_output
                raise

    def _drain(self) -> None:
        with contextlib.suppress(PtyExited, OSError):
            while self._read(0.0):
                pass

    def wait_idle(self, quiet: float, timeout: float) -> bool:
        """Read until nothing was drawn for `quiet` seconds (True), or `timeout` passed
        (False: the app kept drawing; the caller carries on)."""
        deadline = time.perf_counter() + timeout
        since = time.perf_counter()
        while True:
            now = time.perf_counter()
            if now - since >= quiet:
                return True
            if now >= deadline:
                return False
            if self._read(min(quiet - (now - since), deadline - now)):
                since = time.perf_counter()

    def pump(self, seconds: float) -> None:
        """Keep reading (so the child never blocks on a full pty) for `seconds`."""
        deadline = time.perf_counter() + seconds
        while (remaining := deadline - time.perf_counter()) > 0:
            self._read(remaining)

    # ---- writing ------------------------------------------------------------------------

    def send(self, keys: str | bytes) -> float:
        """Type `keys`; the perf_counter time just before they were written."""
        data = keys.encode() if isinstance(keys, str) else keys
        when = time.perf_counter()
        view = memoryview(data)
        deadline = when + 5.0
        while view:
            try:
                written = os.write(self.master, view)
                view = view[written:]
            except BlockingIOError:
                if time.perf_counter() > deadline:
                    raise PtyTimeout("the child stopped reading its keyboard") from None
                self._read(0.01)  # it may be blocked writing to us
        return when

    # ---- ending -------------------------------------------------------------------------

    def close(self, quit_keys: str | Sequence[str] = "q", grace: float = 2.0) -> int | None:
        """Ask the app to quit (`quit_keys`; a sequence is typed one after the other, each
        once the screen was quiet for 0.2 s, as Escape must not run into the next key), wait
        up to `grace` seconds in all while draining its output, then SIGKILL its process
        group; always reap it and close the pty."""
        if self.pid not in _LIVE:
            return self.process.returncode
        try:
            if self.process.poll() is None and grace > 0:
                deadline = time.perf_counter() + grace
                keys = [quit_keys] if isinstance(quit_keys, str) else list(quit_keys)
                for i, key in enumerate(keys):
                    if i:
                        with contextlib.suppress(OSError, PtyExited):
                            self.wait_idle(0.2, max(0.0, deadline - time.perf_counter()))
                    with contextlib.suppress(OSError, PtyTimeout):
                        self.send(key)
                while self.process.poll() is None and time.perf_counter() < deadline:
                    with contextlib.suppress(PtyExited, OSError):
                        self._read(0.05)
            if self.process.poll() is None:
                # Still running: its process group is still ours (the leader is alive).
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(self.pid, signal.SIGKILL)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    self.process.kill()
                self.process.wait(timeout=10)
        finally:
            _LIVE.pop(self.pid, None)
            with contextlib.suppress(OSError):
                os.close(self.master)
        return self.process.returncode

    def __enter__(self) -> PtyApp:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
