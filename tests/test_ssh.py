"""`talent serve-ssh` with a real client: asyncssh's, with a pty, against a server running in
its own process (one per module, so the app starts dominate the time).

Each visitor's app is a child process on its own pty, on a private copy of the demo data; the
server's environment names a real database (TALENT_DB) and has one at the default place, and
neither may be opened or changed.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
from collections.abc import Iterator
from pathlib import Path

import asyncssh
import pytest

from talent_tui.remote.session import RESTORE
from talent_tui.store import db as dbmod
from tests import factories
from tests.bench.pty_driver import strip_ansi
from tests.sshkit import FIRST, SECOND, Server, Visitor, connect, eventually


def _real_database(path: Path) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    database = dbmod.open_database(str(path))
    with database.transaction() as session:
        factories.creator(session, name="Real Person", tiktok_handle="@real.person")
    with database.engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    database.dispose()
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = tmp_path_factory.mktemp("serve-ssh")
    real = root / "real" / "talent.db"
    instance = Server(root, env={"TALENT_DB": str(real), "TALENT_AS": "owner"})
    default = instance.home / "data" / "talent" / "talent.db"
    instance.real_files = {real: _real_database(real), default: _real_database(default)}  # type: ignore[attr-defined]
    instance.start()
    yield instance
    assert instance.stop() == 0
    assert instance.copies() == [], "a visitor's copy outlived the server"
    assert not list(instance.tmp.glob("talent-serve-ssh-*")), "the server's folder was left"


def _app_processes(copy: Path) -> list[int]:
    """Processes whose command line names `copy` (the visitor's app)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if str(copy).encode() in cmdline:
                pids.append(int(entry.name))
    return pids


async def test_the_roster_appears_a_key_moves_the_cursor_and_a_resize_redraws(
    server: Server,
) -> None:
    visitor = await Visitor.open(server, size=(80, 24))
    try:
        await visitor.wait_for(f"{FIRST}  @aikotunes")  # the panel shows the highlighted one
        assert "42 · by name" in await visitor.wait_for("42 · by name")
        await asyncio.sleep(0.5)  # let the first frames settle
        visitor.new_output()
        visitor.send("\x1b[B")  # Down
        await visitor.wait_for(f"{SECOND}  @ava.moves")

        visitor.new_output()
        visitor.process.change_terminal_size(120, 30)
        # A frame at the new size: a line drawn on row 30, and the title bar 120 wide.
        raw = await visitor.wait_raw(re.compile(rb"\x1b\[30;\d+H"))
        title = raw.split(b"\x1b[1;1H")[-1].split(b"\x1b[2;1H")[0]
        assert len(strip_ansi(title.decode()).rstrip("\r\n")) == 120
    finally:
        await visitor.close()


async def test_quitting_gives_back_the_apps_exit_status_and_deletes_the_copy(
    server: Server,
) -> None:
    visitor = await Visitor.open(server, user="quitter")
    try:
        await visitor.wait_for("42 · by name")
        (copy,) = [c for c in server.copies() if _app_processes(c)]
        visitor.send("q")
        assert await visitor.ended() == 0
        raw = bytes(visitor.raw)
        assert raw.rfind(b"\x1b[?1049l") > raw.rfind(b"\x1b[?1049h")  # the app left its screen
    finally:
        await visitor.close()
    await eventually(lambda: not copy.exists() and not copy.parent.exists())
    await eventually(lambda: any('user="quitter"' in line for line in server.log_lines()))
    (line,) = [line for line in server.log_lines() if 'user="quitter"' in line]
    assert line.startswith("20") and "127.0.0.1:" in line and 'ended="quit"' in line


async def test_two_visitors_are_isolated_and_no_real_database_is_touched(server: Server) -> None:
    first = await Visitor.open(server, user="first")
    second = None
    try:
        await first.wait_for("42 · by name")
        await asyncio.sleep(0.5)
        first.new_output()
        first.send("x")  # archive the highlighted creator
        await first.wait_for("41 · by name")

        second = await Visitor.open(server, user="second")
        await second.wait_for("42 · by name")
        await second.wait_for(f"{FIRST}  @aikotunes")
        assert "41 · by name" not in second.text
        assert "Real Person" not in first.text + second.text
        assert len([c for c in server.copies() if _app_processes(c)]) == 2
    finally:
        await first.close()
        if second is not None:
            await second.close()
    for path, digest in server.real_files.items():  # type: ignore[attr-defined]
        assert hashlib.sha256(path.read_bytes()).hexdigest() == digest, path
        assert not Path(f"{path}-wal").exists()


async def test_a_command_is_refused_with_a_message(server: Server) -> None:
    async with await connect(server, "execer") as conn:
        result = await conn.run("ls /", term_type=None)
    assert result.exit_status == 1
    assert result.stdout == ""
    assert "does not run commands ('ls /' was not run)" in str(result.stderr)
    assert f"ssh -p {server.port} 127.0.0.1" in str(result.stderr)


async def test_a_shell_without_a_pty_is_told_why_and_closed(server: Server) -> None:
    async with await connect(server, "nopty") as conn:
        process = await conn.create_process(term_type=None)
        stderr = await process.stderr.read()
        await process.wait_closed()
    assert process.exit_status == 1
    assert stderr.strip().startswith("talent: the app needs a terminal")
    assert stderr.count("\n") == 1


async def test_sftp_and_port_forwarding_are_refused(server: Server) -> None:
    async with await connect(server, "tunneler") as conn:
        with pytest.raises(asyncssh.ChannelOpenError):
            await conn.start_sftp_client()
        with pytest.raises(asyncssh.ChannelOpenError) as refused:
            await conn.open_connection("127.0.0.1", server.port)
        assert refused.value.code == asyncssh.OPEN_ADMINISTRATIVELY_PROHIBITED
        with pytest.raises(asyncssh.ChannelListenError):
            await conn.forward_remote_port("127.0.0.1", 0, "127.0.0.1", server.port)
    await eventually(lambda: any('user="tunneler"' in line for line in server.log_lines()))
    (line,) = [line for line in server.log_lines() if 'user="tunneler"' in line]
    for event in ("refused subsystem sftp", "refused port forward", "refused remote port forward"):
        assert event in line


async def test_a_dropped_connection_ends_the_app_and_deletes_the_copy(server: Server) -> None:
    visitor = await Visitor.open(server, user="dropper")
    await visitor.wait_for("42 · by name")
    (copy,) = [c for c in server.copies() if _app_processes(c)]
    pids = _app_processes(copy)
    visitor.conn.abort()  # the network goes away: no close, no EOF
    await eventually(lambda: not _app_processes(copy) and not copy.parent.exists())
    for pid in pids:
        assert not Path(f"/proc/{pid}").exists() or b"Z" in Path(f"/proc/{pid}/stat").read_bytes()
    await eventually(lambda: any('user="dropper"' in line for line in server.log_lines()))


async def test_an_input_flood_ends_the_session_says_why_and_restores_the_terminal(
    server: Server,
) -> None:
    visitor = await Visitor.open(server, user="flooder")
    try:
        await visitor.wait_for("42 · by name")
        visitor.new_output()
        visitor.send(b"\x1b[B" * 8000)  # 24,000 bytes at once: more than the 16 KiB a second
        assert await visitor.ended() == 1
        raw = bytes(visitor.raw[visitor.mark :])
        assert RESTORE in raw
        assert raw.index(RESTORE) < raw.index(b"session ended")
        assert "more than 16 KiB of input arrived within a second" in visitor.text
    finally:
        await visitor.close()
    await eventually(lambda: any('ended="input limit"' in line for line in server.log_lines()))


def test_a_visitors_app_gets_their_term_and_none_of_the_servers_secrets(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The server's TALENT_DB/TALENT_AS, tokens, agent socket and display never reach a
    visitor's app; an odd TERM from a client becomes a plain one."""
    from talent_tui.remote.connlog import ConnectionLog
    from talent_tui.remote.hub import Hub, ServeSettings

    for name, value in {
        "TALENT_DB": "/srv/agency.db",
        "TALENT_AS": "owner",
        "AWS_SECRET_ACCESS_KEY": "secret",
        "SSH_AUTH_SOCK": "/tmp/agent.sock",
        "DISPLAY": ":0",
        "TALENT_TODAY": "2026-11-01",
    }.items():
        monkeypatch.setenv(name, value)
    hub = Hub(ServeSettings(), None, ConnectionLog(tmp_path / "log"))
    env = hub.child_env("screen-256color")
    assert env["TERM"] == "screen-256color" and env["TALENT_TODAY"] == "2026-11-01"
    for name in ("TALENT_DB", "TALENT_AS", "AWS_SECRET_ACCESS_KEY", "SSH_AUTH_SOCK", "DISPLAY"):
        assert name not in env
    assert hub.child_env("xterm\x1b]0;owned\x07")["TERM"] == "xterm-256color"
    argv = hub.child_argv(tmp_path / "demo.db", "-rf")
    assert argv[-2:] == [f"--db={tmp_path / 'demo.db'}", "--as=-rf"]  # a name stays a value
    assert (
        Hub(ServeSettings(real_db="/srv/agency.db"), None, hub.log).child_env("xterm")["TALENT_DB"]
        == "/srv/agency.db"
    )
