"""One visitor's session: the app in a child process on its own pseudo-terminal.

Only an interactive shell request on a channel that asked for a pty runs anything: the app,
`python -m talent_tui` on the visitor's private copy (or, for key holders, the served
database under their SSH user name), with TERM from the client, the pty sized to their
window, and a new session whose controlling terminal is that pty (so a window change reaches
the app as SIGWINCH). Bytes are pumped both ways with flow control: output waits while the
visitor's SSH window is full, input waits while the pty is full.

It ends one of four ways, each said in the connection log:
- the app exits (the visitor quit): its exit status goes back to `ssh`, the channel closes;
- a limit is reached (idle, session length, input) or the server stops: the app's process
  group is killed, the visitor's terminal restored (main screen, cursor, no mouse or
  keyboard modes, plain attributes) and told why;
- the visitor's connection closes or drops: the app's process group is hung up, then killed;
- in every case the copy is deleted once the app has been reaped.
"""

from __future__ import annotations

import asyncio
import fcntl
import os
import signal
import sqlite3
import struct
import subprocess
import termios
from collections.abc import Callable
from pathlib import Path

import asyncssh

from talent_tui.core.text import printable
from talent_tui.remote.copies import discard
from talent_tui.remote.hub import DEMO_ACTOR, Hub, Visit
from talent_tui.remote.limits import InputBudget, describe_seconds, describe_size

# What the app turns on and must be turned off when it cannot do so itself (it was killed):
# the kitty keyboard mode, mouse reporting, bracketed paste, focus and in-band resize
# reports, then line wrapping, plain attributes, a visible cursor and the main screen.
RESTORE = (
    b"\x1b[<u"
    b"\x1b[?1000l\x1b[?1002l\x1b[?1003l\x1b[?1015l\x1b[?1006l"
    b"\x1b[?2004l\x1b[?1004l\x1b[?2048l"
    b"\x1b[?7h\x1b[0m\x1b[?25h\x1b[?1049l"
)
MAX_PENDING_INPUT = 64 * 1024  # input waiting for the pty before the channel is paused
HANGUP_GRACE_S = 2.0  # after SIGHUP, the app's process group is killed
MIN_SIZE, MAX_COLS, MAX_ROWS = 1, 500, 200  # a window beyond this is clamped


def _take_terminal() -> None:
    """In the child, after setsid: make the pty (its stdin) the controlling terminal."""
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


def _winsize(cols: int, rows: int) -> bytes:
    return struct.pack("HHHH", rows, cols, 0, 0)


def _clamp_size(cols: int, rows: int) -> tuple[int, int]:
    if cols <= 0 or rows <= 0:
        return 80, 24
    return min(max(cols, MIN_SIZE), MAX_COLS), min(max(rows, MIN_SIZE), MAX_ROWS)


class VisitorSession(asyncssh.SSHServerSession):  # type: ignore[type-arg]
    def __init__(self, hub: Hub, visit: Visit, on_closed: Callable[[], None]) -> None:
        self.hub = hub
        self.visit = visit
        self.on_closed: Callable[[], None] | None = on_closed  # called once, channel closed
        self.loop = asyncio.get_running_loop()
        self.chan: asyncssh.SSHServerChannel | None = None  # type: ignore[type-arg]
        self.term: str | None = None
        self.size = (80, 24)
        self.command: str | None = None
        self.process: subprocess.Popen[bytes] | None = None
        self.master: int | None = None
        self.pidfd: int | None = None
        self.copy: Path | None = None
        self.seated = False
        self.ending: str | None = None  # why the session is ending, once it is
        self.reading = False
        self.output_open = False
        self.paused_input = False
        self.pending = bytearray()
        self.writer_on = False
        self.timers: list[asyncio.TimerHandle] = []
        self.last_input = self.loop.time()
        self.budget = InputBudget(hub.limits.max_input_bytes, self.last_input)
        self.exit_status: int | None = None

    # ---- what the client asks for --------------------------------------------------------

    def connection_made(self, chan: asyncssh.SSHServerChannel) -> None:  # type: ignore[type-arg]
        self.chan = chan

    def pty_requested(self, term_type: str, term_size: tuple[int, int, int, int], term_modes):  # noqa: ANN001
        self.term = term_type
        self.size = _clamp_size(term_size[0], term_size[1])
        return True

    def shell_requested(self) -> bool:
        return True

    def exec_requested(self, command: str) -> bool:
        self.command = command  # refused with a message once the session starts
        return True

    def subsystem_requested(self, subsystem: str) -> bool:
        self.visit.note(f"refused subsystem {subsystem}")
        return False

    def break_received(self, msec: int) -> bool:
        return False

    def signal_received(self, signal: str) -> None:
        pass  # a visitor does not signal the app; q and Ctrl+C reach it as keys

    def session_started(self) -> None:
        sockname = self.chan.get_extra_info("sockname") if self.chan is not None else None
        host = str(sockname[0]) if sockname else self.hub.settings.host  # what they reached
        where = f"ssh -p {self.hub.port} {host}" if self.hub.port != 22 else f"ssh {host}"
        if self.command is not None:
            shown = printable(self.command)[:80]
            self.visit.note(f"refused exec {shown!r}")
            self._refuse(
                f"talent: this server runs only the talent app, interactively; it does not run "
                f"commands ({shown!r} was not run). Connect with: {where}",
                stderr=True,
            )
            return
        if self.term is None:
            self.visit.note("refused: no pty")
            self._refuse(
                "talent: the app needs a terminal, and this connection asked for none; "
                f"connect from a terminal with: {where}  (or add -t)",
                stderr=True,
            )
            return
        refusal = self.hub.seat_refusal(self.visit.address)
        if refusal is not None:
            kind, message = refusal
            self.visit.note(f"refused: {kind}")
            self._refuse(f"talent: {message}")
            return
        self._start()

    # ---- starting the app ----------------------------------------------------------------

    def _start(self) -> None:
        hub = self.hub
        user = self.visit.user or ""
        actor = hub.actor_for(user)
        if actor is None:
            if hub.settings.real_db is not None:
                self.visit.note("refused: user name unusable for the history")
                self._refuse(
                    "talent: your SSH user name cannot be recorded in the history "
                    "(control characters, or over 100 characters); connect as another name."
                )
                return
            actor = DEMO_ACTOR
        hub.seats[self.visit.address] += 1
        self.seated = True
        hub.sessions.add(self)
        cols, rows = self.size
        try:
            if hub.template is not None:
                self.copy = hub.template.copy_for_visitor()
            master, slave = os.openpty()
        except (OSError, sqlite3.Error) as exc:
            self._fail_to_start(exc)
            return
        self.master = master
        try:
            fcntl.ioctl(slave, termios.TIOCSWINSZ, _winsize(cols, rows))
            self.process = subprocess.Popen(
                hub.child_argv(self.copy, actor),
                stdin=slave,
                stdout=slave,
                stderr=slave,
                env=hub.child_env(self.term or ""),
                cwd=self.copy.parent if self.copy is not None else None,
                start_new_session=True,  # its own session and process group (pgid == pid)
                preexec_fn=_take_terminal,  # noqa: PLW1509 - only an ioctl, no locks taken
                close_fds=True,
            )
        except OSError as exc:
            self._fail_to_start(exc)
            return
        finally:
            os.close(slave)
        os.set_blocking(master, False)
        self.output_open = True
        self._read_output(True)
        self._watch_exit()
        limits = hub.limits
        self.timers.append(self.loop.call_later(limits.session_timeout_s, self._session_over))
        self.timers.append(self.loop.call_later(limits.idle_timeout_s, self._check_idle))

    def _fail_to_start(self, exc: BaseException) -> None:
        self.visit.note(f"failed to start the app: {exc}")
        self.ending = "failed to start"
        self._write(f"talent: the app could not be started ({exc}); please try again later.\r\n")
        self._close(1)
        self._cleanup()

    def _watch_exit(self) -> None:
        assert self.process is not None
        try:
            self.pidfd = os.pidfd_open(self.process.pid)
        except (AttributeError, OSError):  # not Linux 5.3+: look twice a second
            self.timers.append(self.loop.call_later(0.5, self._poll_exit))
        else:
            self.loop.add_reader(self.pidfd, self._on_exit)

    def _poll_exit(self) -> None:
        if self.process is not None and self.process.poll() is not None:
            self._on_exit()
        elif self.process is not None:
            self.timers.append(self.loop.call_later(0.5, self._poll_exit))

    # ---- pumping bytes -------------------------------------------------------------------

    def _read_output(self, on: bool) -> None:
        if self.master is None or on == self.reading or (on and not self.output_open):
            return
        if on:
            self.loop.add_reader(self.master, self._on_output)
        else:
            self.loop.remove_reader(self.master)
        self.reading = on

    def _on_output(self) -> None:
        assert self.master is not None
        try:
            data = os.read(self.master, 65536)
        except BlockingIOError:
            return
        except OSError:  # EIO: the app and everything it started closed the pty
            data = b""
        if not data:
            self._read_output(False)
            self.output_open = False
            return
        if self.ending is None:
            self._write(data)

    def _drain_output(self) -> None:
        """What the app wrote before it exited (it is all in the pty's buffer by now)."""
        while self.output_open and self.master is not None:
            try:
                data = os.read(self.master, 65536)
            except BlockingIOError:
                return
            except OSError:
                data = b""
            if not data:
                self.output_open = False
                return
            self._write(data)

    def pause_writing(self) -> None:
        self._read_output(False)  # the visitor's window is full: stop reading the app

    def resume_writing(self) -> None:
        if self.ending is None:
            self._read_output(True)

    def data_received(self, data: bytes, datatype: int | None) -> None:
        if self.master is None or self.ending is not None:
            return
        now = self.loop.time()
        self.last_input = now
        if not self.budget.spend(len(data), now):
            size = describe_size(self.hub.limits.max_input_bytes)
            self._end_by_limit(
                "input limit",
                f"more than {size} of input arrived within a second (this server's input limit).",
            )
            return
        self.pending += data
        self._flush_input()

    def _flush_input(self) -> None:
        if self.master is None:
            return
        while self.pending:
            try:
                written = os.write(self.master, self.pending)
            except BlockingIOError:
                break
            except OSError:
                self.pending.clear()
                break
            del self.pending[:written]
        want_writer = bool(self.pending)
        if want_writer != self.writer_on:
            if want_writer:
                self.loop.add_writer(self.master, self._flush_input)
            else:
                self.loop.remove_writer(self.master)
            self.writer_on = want_writer
        pause = len(self.pending) > MAX_PENDING_INPUT
        if self.chan is not None and pause != self.paused_input:
            (self.chan.pause_reading if pause else self.chan.resume_reading)()
            self.paused_input = pause

    def terminal_size_changed(self, width: int, height: int, pixwidth: int, pixheight: int) -> None:
        self.size = _clamp_size(width, height)
        if self.master is not None:
            try:
                # The kernel sends SIGWINCH to the app (the pty is its controlling terminal).
                fcntl.ioctl(self.master, termios.TIOCSWINSZ, _winsize(*self.size))
            except OSError:
                pass

    # ---- limits --------------------------------------------------------------------------

    def _check_idle(self) -> None:
        limit = self.hub.limits.idle_timeout_s
        quiet = self.loop.time() - self.last_input
        if quiet >= limit:
            self._end_by_limit(
                "idle timeout",
                f"no key was pressed for {describe_seconds(limit)} (this server's idle limit).",
            )
        else:
            self.timers.append(self.loop.call_later(limit - quiet, self._check_idle))

    def _session_over(self) -> None:
        limit = self.hub.limits.session_timeout_s
        self._end_by_limit(
            "session timeout",
            f"sessions on this server last at most {describe_seconds(limit)}.",
        )

    def _end_by_limit(self, reason: str, why: str) -> None:
        if self.ending is not None:
            return
        self.ending = reason
        self.visit.note(reason)
        self._read_output(False)
        self._kill(signal.SIGKILL)
        self._write(RESTORE + f"\r\ntalent: session ended: {why} Reconnect any time.\r\n".encode())
        self._close(1)

    def shut_down(self) -> None:
        """The server is stopping: end this session, saying so."""
        self._end_by_limit("server stopped", "the server is shutting down.")

    # ---- ending --------------------------------------------------------------------------

    def _on_exit(self) -> None:
        """The app's process ended (on its own, or killed by us)."""
        if self.process is None or self.process.poll() is None:
            return
        code = self.process.returncode
        self.exit_status = code if code >= 0 else 128 - code
        if self.ending is None:
            self.ending = "quit" if code == 0 else f"app exited with status {self.exit_status}"
            self.visit.note(self.ending)
            self._drain_output()
        # Release the copy before the channel closes: once the visitor's ssh has exited, nothing
        # of their session is left on the server.
        self._cleanup()
        self._close(self.exit_status)

    def eof_received(self) -> bool:
        self._hang_up("client closed its input")
        return True

    def connection_lost(self, exc: Exception | None) -> None:
        self._hang_up("connection dropped" if exc is not None else "client closed the session")
        if self.on_closed is not None:
            self.on_closed, on_closed = None, self.on_closed
            on_closed()

    def _hang_up(self, reason: str) -> None:
        if self.ending is None:
            self.ending = reason
            self.visit.note(reason)
            self._read_output(False)
            if self.process is not None and self.process.poll() is None:
                self._kill(signal.SIGHUP)
                self.timers.append(self.loop.call_later(HANGUP_GRACE_S, self._kill, signal.SIGKILL))
        self._close(None)
        if self.process is None:
            self._cleanup()

    def _kill(self, sig: int) -> None:
        """Signal the app's whole process group, while its leader is still unreaped (so the
        group id cannot have been reused)."""
        if self.process is not None and self.process.returncode is None:
            try:
                os.killpg(self.process.pid, sig)
            except (ProcessLookupError, PermissionError):
                pass

    def _write(self, data: bytes | str) -> None:
        if self.chan is None:
            return
        try:
            self.chan.write(data.encode() if isinstance(data, str) else data)
        except (BrokenPipeError, OSError, asyncssh.Error):
            pass

    def _refuse(self, message: str, *, stderr: bool = False) -> None:
        if self.chan is not None:
            text = (message + "\r\n").encode()
            try:
                (self.chan.write_stderr if stderr else self.chan.write)(text)
            except (BrokenPipeError, OSError, asyncssh.Error):
                pass
        self.ending = "refused"
        self._close(1)

    def _close(self, status: int | None) -> None:
        if self.chan is None:
            return
        chan, self.chan = self.chan, None
        try:
            if status is not None:
                chan.exit(status)  # exit-status, then EOF and close, after pending output
            else:
                chan.close()
        except (OSError, asyncssh.Error):
            pass

    def _cleanup(self) -> None:
        """Once the app has been reaped: release everything the session held."""
        if self.process is not None and self.process.returncode is None:
            return
        for timer in self.timers:
            timer.cancel()
        self.timers.clear()
        if self.pidfd is not None:
            self.loop.remove_reader(self.pidfd)
            os.close(self.pidfd)
            self.pidfd = None
        if self.master is not None:
            self._read_output(False)
            if self.writer_on:
                self.loop.remove_writer(self.master)
                self.writer_on = False
            os.close(self.master)
            self.master = None
        if self.copy is not None:
            discard(self.copy)
            self.copy = None
        if self.seated:
            self.seated = False
            self.hub.seats[self.visit.address] -= 1
            if self.hub.seats[self.visit.address] <= 0:
                del self.hub.seats[self.visit.address]
        self.hub.sessions.discard(self)
