"""The SSH server of `talent serve-ssh` (asyncssh): who is let in and what they may open.

Admitted: session channels, and on them only an interactive shell with a pty (see
`session`). Refused by asyncssh's defaults or the options below: port forwarding (local and
remote, TCP and Unix), agent and X11 forwarding, SFTP and SCP, TUN/TAP; passwords and
keyboard-interactive logins are never offered. Without `--authorized-keys` anyone is let in
without a password and gets a demo copy; with it, only those keys (the file is read again
for every connection, so a key added or removed counts at once).
"""

from __future__ import annotations

import asyncio
import shutil
import signal
import sys
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

import asyncssh

from talent_tui.core.errors import DomainError
from talent_tui.remote import connlog, hostkey
from talent_tui.remote.copies import DemoTemplate
from talent_tui.remote.hub import Hub, ServeSettings, Visit
from talent_tui.remote.limits import describe_seconds, describe_size
from talent_tui.remote.session import VisitorSession

LOGIN_TIMEOUT_S = 30.0  # to finish authenticating
SESSION_WAIT_S = 30.0  # after logging in, to open a session
KEEPALIVE_S = 30.0  # a dead client is noticed after 3 unanswered keepalives
SHUTDOWN_WAIT_S = 5.0


class ServeError(DomainError):
    """The server cannot start (the port is taken, the key file is unreadable, …)."""


class Gate(asyncssh.SSHServer):
    """One connection: admitted or turned away, authenticated, and asked for sessions."""

    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        self.conn: asyncssh.SSHServerConnection | None = None
        self.visit: Visit | None = None
        self.counted = False
        self.refusal: str | None = None  # why this connection is turned away, once it logs in
        self.open_sessions = 0
        self.wait: asyncio.TimerHandle | None = None

    def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
        self.conn = conn
        peer = conn.get_extra_info("peername") or ("?", 0)
        address = str(peer[0])
        self.visit = Visit(address=address, peer=f"{address}:{peer[1]}", started=datetime.now(UTC))
        hub = self.hub
        hub.gates.add(self)
        if len(hub.gates) > hub.limits.max_connections * 2:
            # A flood: not even told why (that would cost a key exchange per connection).
            self.visit.note("refused: connection flood")
            conn.abort()
            return
        per_address = hub.limits.max_per_address * 2
        if hub.connection_count >= hub.limits.max_connections:
            self.refusal = "this server is full; please try again in a few minutes"
            self.visit.note("refused: too many connections")
            return
        if hub.connections[address] >= per_address:
            self.refusal = f"{per_address} connections are already open from your address"
            self.visit.note("refused: too many connections from the address")
            return
        hub.connections[address] += 1
        self.counted = True

    def connection_lost(self, exc: Exception | None) -> None:
        if self.wait is not None:
            self.wait.cancel()
        visit = self.visit
        hub = self.hub
        hub.gates.discard(self)
        if self.counted and visit is not None:
            hub.connections[visit.address] -= 1
            if hub.connections[visit.address] <= 0:
                del hub.connections[visit.address]
        if visit is not None:
            default = "closed" if exc is None else f"dropped: {exc}"
            if visit.user is None and not visit.events:
                default = "not logged in" if exc is None else f"not logged in: {exc}"
            duration = (datetime.now(UTC) - visit.started).total_seconds()
            hub.log.write(visit.started, visit.peer, visit.user, duration, visit.outcome(default))

    def begin_auth(self, username: str) -> bool:
        assert self.conn is not None and self.visit is not None
        self.visit.user = username
        if self.refusal is not None:
            # Said at the first moment the protocol lets a server speak: OpenSSH prints the
            # banner, then "Received disconnect …: talent: …".
            self.conn.send_auth_banner(f"talent: {self.refusal}\n")
            self.conn.disconnect(asyncssh.DISC_TOO_MANY_CONNECTIONS, f"talent: {self.refusal}")
            return True
        banner = self.hub.banner
        if banner:
            self.conn.send_auth_banner(banner)
        keys_file = self.hub.settings.authorized_keys
        if keys_file is None:
            return False  # a demo: anyone is let in, without a password
        try:
            self.conn.set_authorized_keys(asyncssh.read_authorized_keys(str(keys_file)))
        except (OSError, ValueError, asyncssh.KeyImportError):
            self.visit.note("authorized keys unreadable")
            self.conn.set_authorized_keys(asyncssh.SSHAuthorizedKeys())
        return True

    def public_key_auth_supported(self) -> bool:
        return self.hub.settings.authorized_keys is not None

    def password_auth_supported(self) -> bool:
        return False

    def kbdint_auth_supported(self) -> bool:
        return False

    def auth_completed(self) -> None:
        self._wait_for_session()

    def _wait_for_session(self) -> None:
        """A connection holds a slot only while it has a session: one that opens none within
        SESSION_WAIT_S of logging in, or of its last session ending, is closed."""
        if self.wait is not None:
            self.wait.cancel()
        self.wait = asyncio.get_running_loop().call_later(SESSION_WAIT_S, self._no_session)

    def _no_session(self) -> None:
        if self.open_sessions == 0 and self.conn is not None and self.visit is not None:
            self.visit.note("closed: no session")
            self.conn.close()

    def session_requested(self) -> VisitorSession:
        assert self.conn is not None and self.visit is not None
        self.open_sessions += 1
        if self.wait is not None:
            self.wait.cancel()
        return VisitorSession(self.hub, self.visit, self._session_closed)

    def _session_closed(self) -> None:
        self.open_sessions -= 1
        if self.open_sessions == 0:
            self._wait_for_session()

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()

    def connection_requested(
        self, dest_host: str, dest_port: int, orig_host: str, orig_port: int
    ) -> bool:
        assert self.visit is not None
        self.visit.note("refused port forward")
        raise asyncssh.ChannelOpenError(
            asyncssh.OPEN_ADMINISTRATIVELY_PROHIBITED,
            "talent: port forwarding is not allowed on this server",
        )

    def server_requested(self, listen_host: str, listen_port: int) -> bool:
        assert self.visit is not None
        self.visit.note("refused remote port forward")
        return False


async def serve(
    settings: ServeSettings,
    out: TextIO,
    *,
    ready: Callable[[Hub], None] | None = None,
) -> None:
    """Run the server until SIGINT or SIGTERM; every session is ended and every copy deleted
    before this returns."""
    key, created = hostkey.load_or_create()
    log = connlog.ConnectionLog(connlog.default_path(), echo=out)
    root = Path(tempfile.mkdtemp(prefix="talent-serve-ssh-"))
    try:
        template = None
        if settings.real_db is None:
            out.write("Building the demo database…\n")
            out.flush()
            template = DemoTemplate.build(root)
        hub = Hub(settings, template, log)
        try:
            listener = await asyncssh.create_server(
                lambda: Gate(hub),
                settings.host,
                settings.port,
                server_host_keys=[key],
                encoding=None,  # bytes both ways: the pty's bytes are passed through as they are
                line_editor=False,
                agent_forwarding=False,
                x11_forwarding=False,
                allow_scp=False,
                sftp_factory=None,
                public_key_auth=settings.authorized_keys is not None,
                password_auth=False,
                kbdint_auth=False,
                gss_auth=False,
                gss_kex=False,
                host_based_auth=False,
                login_timeout=LOGIN_TIMEOUT_S,
                keepalive_interval=KEEPALIVE_S,
                keepalive_count_max=3,
                server_version="talent",
            )
        except OSError as exc:
            raise ServeError(
                f"cannot listen on {settings.host}:{settings.port}: {exc.strerror or exc}"
            ) from None
        sockets = listener.sockets
        hub.port = sockets[0].getsockname()[1] if sockets else settings.port
        _announce(out, settings, hub, hostkey.fingerprint(key), created)
        if ready is not None:
            ready(hub)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        try:
            await stop.wait()
        finally:
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.remove_signal_handler(sig)
            listener.close()
            for session in list(hub.sessions):
                assert isinstance(session, VisitorSession)
                session.shut_down()
            deadline = loop.time() + SHUTDOWN_WAIT_S
            while hub.sessions and loop.time() < deadline:
                await asyncio.sleep(0.05)
            for gate in list(hub.gates):
                assert isinstance(gate, Gate)
                gate.close()
            try:
                await asyncio.wait_for(listener.wait_closed(), SHUTDOWN_WAIT_S)
            except TimeoutError:
                pass
            out.write(
                "Stopped; every visitor's copy was deleted.\n"
                if hub.template is not None
                else "Stopped.\n"
            )
            out.flush()
    finally:
        log.close()
        shutil.rmtree(root, ignore_errors=True)


def _announce(
    out: TextIO, settings: ServeSettings, hub: Hub, fingerprint: str, new_key: bool
) -> None:
    limits = settings.limits
    host = settings.host
    shown_host = f"[{host}]" if ":" in host else host
    port_part = f"-p {hub.port} " if hub.port != 22 else ""
    if host in ("0.0.0.0", "::", ""):  # every address: name this machine instead
        import socket

        host = socket.gethostname()
    if settings.real_db is None:
        assert hub.template is not None
        serving = (
            f"a private copy of the demo data ({hub.template.creators} creators) per visitor, "
            "deleted when they leave"
        )
    else:
        from talent_tui.store.db import describe_url, resolve_url

        serving = f"{describe_url(resolve_url(settings.real_db))}, changes recorded under each visitor's SSH user name"
    who = (
        f"holders of the keys in {settings.authorized_keys}"
        if settings.authorized_keys is not None
        else "anyone, without a password"
    )
    out.write(
        f"talent serve-ssh: listening on {shown_host}:{hub.port}\n"
        f"Host key: {fingerprint} (ED25519{', new' if new_key else ''}) in {hostkey.default_path()}\n"
        f"Serving: {serving}\n"
        f"Admits: {who}\n"
        f"Connect: ssh {port_part}{'demo' if settings.authorized_keys is None else 'NAME'}@{host}\n"
        f"Limits: {limits.max_sessions} sessions, {limits.max_per_address} per address, "
        f"idle {describe_seconds(limits.idle_timeout_s)}, "
        f"session {describe_seconds(limits.session_timeout_s)}, "
        f"input {describe_size(limits.max_input_bytes)} a second\n"
        f"Connections are logged to {hub.log.path}. Ctrl+C stops the server.\n"
    )
    out.flush()


def run(settings: ServeSettings, out: TextIO | None = None) -> None:
    """Serve until stopped (blocking)."""
    asyncio.run(serve(settings, out or sys.stdout))
