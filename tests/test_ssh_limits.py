"""`talent serve-ssh`: limits end sessions and say why; key holders get a real database,
audited under their SSH user name; the host key is private and stable; the command refuses
what it cannot serve. Servers run in their own processes with tiny limits."""

from __future__ import annotations

import asyncio
import sqlite3
import stat
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import asyncssh
import pytest
from typer.testing import CliRunner

from talent_tui.cli.main import app as cli
from talent_tui.remote import hostkey
from talent_tui.remote.limits import InputBudget, LimitError, parse_duration, parse_size
from talent_tui.remote.session import RESTORE
from talent_tui.store import db as dbmod
from tests import factories
from tests.sshkit import Server, Visitor, connect, eventually

# ---- idle and session time -------------------------------------------------------------------


@pytest.fixture(scope="module")
def timed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = tmp_path_factory.mktemp("serve-ssh-timed")
    instance = Server(root, "--idle-timeout", "3s", "--session-timeout", "8s").start()
    yield instance
    assert instance.stop() == 0


async def test_an_idle_session_ends_with_a_message_and_the_terminal_restored(timed: Server) -> None:
    visitor = await Visitor.open(timed, user="idler")
    try:
        assert await visitor.ended(timeout=60) == 1
        raw = bytes(visitor.raw)
        assert raw.index(RESTORE) < raw.index(b"session ended")
        assert "no key was pressed for 3 seconds (this server's idle limit)" in visitor.text
    finally:
        await visitor.close()
    await eventually(lambda: timed.copies() == [])
    await eventually(lambda: any('"idle timeout"' in line for line in timed.log_lines()))


async def test_a_long_session_ends_with_a_message_even_while_keys_are_pressed(
    timed: Server,
) -> None:
    visitor = await Visitor.open(timed, user="stayer")
    try:
        await visitor.wait_for("42 · by name")
        while not visitor._reader.done():  # keys keep it from idling; the session limit ends it
            visitor.send("\x1b[B" if len(visitor.raw) % 2 else "\x1b[A")
            await asyncio.sleep(0.5)
        assert await visitor.ended() == 1
        assert "sessions on this server last at most 8 seconds" in visitor.text
    finally:
        await visitor.close()
    await eventually(lambda: any('"session timeout"' in line for line in timed.log_lines()))


# ---- seats -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seats(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = tmp_path_factory.mktemp("serve-ssh-seats")
    instance = Server(root, "--max-sessions", "2", "--max-per-address", "1").start()
    yield instance
    assert instance.stop() == 0


async def _refused(server: Server, address: str) -> str:
    visitor = await Visitor.open(server, local_addr=address)
    try:
        assert await visitor.ended() == 1
        return visitor.text
    finally:
        await visitor.close()


async def test_seats_are_limited_per_address_and_in_all_and_freed_on_leaving(seats: Server) -> None:
    first = await Visitor.open(seats, local_addr="127.0.0.1")
    other = None
    try:
        await first.wait_for("42 · by name")
        assert "sessions are already open from your address" in await _refused(seats, "127.0.0.1")
        other = await Visitor.open(seats, local_addr="127.0.0.2")
        await other.wait_for("42 · by name")
        assert "all 2 seats of this talent server are taken" in await _refused(seats, "127.0.0.3")
        first.send("q")
        assert await first.ended() == 0
        await eventually(lambda: len(seats.copies()) == 1)
        third = await Visitor.open(seats, local_addr="127.0.0.3")
        try:
            await third.wait_for("42 · by name")
        finally:
            await third.close()
    finally:
        await first.close()
        if other is not None:
            await other.close()
    await eventually(lambda: seats.copies() == [])
    log = seats.log_lines()
    assert any('"refused: per-address limit"' in line for line in log)
    assert any('"refused: server full"' in line for line in log)


async def test_connections_without_a_session_are_capped_per_address(seats: Server) -> None:
    """Two connections per seat an address may hold (here 1 seat): a third is turned away
    with the reason, before it can log in."""
    held = [await connect(seats, "holder", local_addr="127.0.0.4") for _ in range(2)]
    try:
        with pytest.raises(asyncssh.DisconnectError, match="connections are already open"):
            await connect(seats, "holder", local_addr="127.0.0.4")
        async with await connect(seats, "other", local_addr="127.0.0.5"):
            pass  # another address is not affected
    finally:
        for conn in held:
            conn.close()
            await conn.wait_closed()
    await eventually(
        lambda: any("too many connections from the address" in line for line in seats.log_lines())
    )


# ---- key holders and a real database ---------------------------------------------------------


@pytest.fixture(scope="module")
def keyed(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Server, Path, asyncssh.SSHKey]]:
    root = tmp_path_factory.mktemp("serve-ssh-keys")
    real = root / "agency.db"
    database = dbmod.open_database(str(real))
    with database.transaction() as session:
        creator = factories.creator(session, name="Real Person", tiktok_handle="@real.person")
        factories.offer(
            session,
            creator,
            name="Spring Launch",
            received_on=date(2026, 11, 1),
            respond_in_days=30,
        )
    database.dispose()
    key = asyncssh.generate_private_key("ssh-ed25519")
    keys = root / "authorized_keys"
    keys.write_bytes(key.export_public_key())
    instance = Server(root, "--authorized-keys", str(keys), "--db", str(real)).start()
    yield instance, real, key
    instance.stop()


async def test_only_authorized_keys_get_in(keyed: tuple[Server, Path, asyncssh.SSHKey]) -> None:
    server, _, _ = keyed
    stranger = asyncssh.generate_private_key("ssh-ed25519")
    with pytest.raises(asyncssh.PermissionDenied):
        await Visitor.open(server, user="mallory", client_keys=[stranger])
    with pytest.raises(asyncssh.PermissionDenied):
        await Visitor.open(server, user="mallory", client_keys=[], password="guess")


async def test_a_key_holder_works_on_the_real_database_under_their_user_name(
    keyed: tuple[Server, Path, asyncssh.SSHKey],
) -> None:
    server, real, key = keyed
    visitor = await Visitor.open(server, user="dana", client_keys=[key])
    try:
        await visitor.wait_for("Spring Launch")
        await asyncio.sleep(0.5)
        visitor.send("c")  # the campaigns list
        await asyncio.sleep(0.5)
        visitor.send("\r")  # open the campaign
        await visitor.wait_for("Respond by")
        await asyncio.sleep(0.5)
        visitor.new_output()
        visitor.send("v")  # review the offer
        await visitor.wait_for("reviewing")
        visitor.send("\x1b")
        await asyncio.sleep(0.5)
        visitor.send("q")
        assert await visitor.ended() == 0
    finally:
        await visitor.close()
    with sqlite3.connect(real) as connection:
        rows = connection.execute("SELECT actor, action FROM audit_entries ORDER BY id").fetchall()
    connection.close()
    assert rows[-1] == ("dana", "status: offer received → reviewing")
    assert server.copies() == []  # a real database: no copies were made


def test_the_host_key_is_private_and_the_same_after_a_restart(
    keyed: tuple[Server, Path, asyncssh.SSHKey],
) -> None:
    server, _, _ = keyed
    assert stat.S_IMODE(server.key_path.stat().st_mode) == 0o600
    first = server.fingerprint
    assert first.startswith("SHA256:")
    assert server.stop() == 0
    server.start()
    assert server.fingerprint == first
    assert any("(ED25519) in" in line for line in server.lines)  # not ", new" this time


def test_a_host_key_readable_by_others_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "key"
    key, created = hostkey.load_or_create(path)
    assert created and stat.S_IMODE(path.stat().st_mode) == 0o600
    again, created = hostkey.load_or_create(path)
    assert not created and hostkey.fingerprint(again) == hostkey.fingerprint(key)
    path.chmod(0o644)
    with pytest.raises(hostkey.HostKeyError, match="readable by other users"):
        hostkey.load_or_create(path)


# ---- the command's refusals ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (
            ["serve-ssh", "--db", "x.db"],
            2,
            "--db serves a real database, so it needs --authorized-keys",
        ),
        (
            ["--db", "x.db", "serve-ssh"],
            2,
            "--db serves a real database, so it needs --authorized-keys",
        ),
        (["serve-ssh", "--idle-timeout", "soon"], 2, "--idle-timeout: not a duration like 90s"),
        (["serve-ssh", "--session-timeout", "0"], 2, "--session-timeout: from 1 second to 7 days"),
        (["serve-ssh", "--max-input", "1z"], 2, "--max-input: not a size"),
        (["serve-ssh", "--max-sessions", "0"], 2, "--max-sessions: from 1 to 1000"),
        (
            ["serve-ssh", "--authorized-keys", "missing"],
            1,
            "--authorized-keys: cannot read missing",
        ),
    ],
    ids=["db", "root-db", "idle", "session", "input", "seats", "keys"],
)
def test_the_command_refuses_what_it_cannot_serve(
    args: list[str], code: int, message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == code, result.output
    assert message in result.output.replace("\n", " ")
    assert not (tmp_path / "x.db").exists()


def test_an_empty_authorized_keys_file_and_a_missing_database_are_refused(tmp_path: Path) -> None:
    keys = tmp_path / "authorized_keys"
    keys.write_text("# nobody yet\n")
    result = CliRunner().invoke(cli, ["serve-ssh", "--authorized-keys", str(keys)])
    assert result.exit_code == 1 and "holds no key" in result.output
    keys.write_bytes(asyncssh.generate_private_key("ssh-ed25519").export_public_key())
    missing = tmp_path / "nope.db"
    result = CliRunner().invoke(
        cli, ["serve-ssh", "--authorized-keys", str(keys), "--db", str(missing)]
    )
    assert result.exit_code == 1 and f"no database at {missing}" in result.output
    assert not missing.exists()


def test_a_taken_port_is_said_in_one_line(tmp_path: Path) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        server = Server(tmp_path)
        server.args = ("--port", str(port))
        with pytest.raises(RuntimeError) as failed:
            server.start()
    said = str(failed.value)
    assert f"error: cannot listen on 127.0.0.1:{port}" in said and "Traceback" not in said
    assert server.process is not None and server.process.returncode == 1


def test_limits_parse_durations_and_sizes_and_the_input_budget_refills() -> None:
    assert parse_duration("10m", "x") == 600 and parse_duration("1h30m", "x") == 5400
    assert parse_duration("90", "x") == 90 and parse_duration("45s", "x") == 45
    for bad in ("", "m", "10 minutes", "-1", "8d"):
        with pytest.raises(LimitError):
            parse_duration(bad, "x")
    assert parse_size("16k", "x") == 16384 and parse_size("1m", "x") == 1 << 20
    assert parse_size("4096", "x") == 4096
    budget = InputBudget(1000, now=0.0)
    assert budget.spend(600, 0.0) and not budget.spend(600, 0.1)
    assert budget.spend(600, 0.5)  # half a second refilled 500


@pytest.mark.parametrize("args", [["--help"], ["serve-ssh", "--help"]], ids=" ".join)
def test_help_imports_no_ssh_library(tmp_path: Path, args: list[str]) -> None:
    """asyncssh (and its cryptography) load only when the server runs."""
    from tests.test_cli_startup import HEAVY, talent

    result, loaded = talent(tmp_path, *args)
    assert result.returncode == 0, result.stderr
    assert "serve-ssh" in result.stdout
    assert loaded.isdisjoint({"asyncssh", "cryptography", *HEAVY})


async def test_stopping_the_server_ends_sessions_with_a_message_and_deletes_every_copy(
    tmp_path: Path,
) -> None:
    server = Server(tmp_path).start()
    try:
        visitor = await Visitor.open(server, user="late")
        try:
            await visitor.wait_for("42 · by name")
            assert len(server.copies()) == 1
            assert server.process is not None
            server.process.terminate()  # SIGTERM, as a service manager stops it
            assert await visitor.ended() == 1
            assert "the server is shutting down" in visitor.text
            assert RESTORE in bytes(visitor.raw)
        finally:
            await visitor.close()
        assert await asyncio.to_thread(server.process.wait, 20) == 0
    finally:
        server.stop()
    assert server.copies() == [] and not list(server.tmp.glob("talent-serve-ssh-*"))
    assert any('user="late"' in line and '"server stopped"' in line for line in server.log_lines())
    assert "Stopped; every visitor's copy was deleted." in server.lines
