"""A throwaway PostgreSQL server for the tests, from the machine's own binaries.

`initdb` into a new temporary folder, `pg_ctl start` on a free port (TCP on 127.0.0.1 and a
unix socket in that folder), trust authentication (it only listens locally and lives for one
test run), `fsync` off (nothing in it outlives the run). As root it runs as the unprivileged
user `postgres` (`runuser -u postgres --`), which PostgreSQL requires; the folder is given to
that user. Stopping removes the folder.

Used by tests/conftest.py (when $TALENT_TEST_PG is not set it starts one per test session) and
by .ci/run as a script:

    python tests/pgserver.py start DIR   # prints the URL; DIR is made and holds the server
    python tests/pgserver.py stop DIR    # stops it and removes DIR

The binaries are found on $PATH, else in the newest /usr/lib/postgresql/*/bin, or in
$TALENT_PG_BIN.
"""

from __future__ import annotations

import contextlib
import glob
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

SERVICE_USER = "postgres"


class PgServerError(RuntimeError):
    """No PostgreSQL server could be started (the message says why and what to install)."""


def bin_dir() -> Path:
    """Where initdb and pg_ctl are."""
    override = os.environ.get("TALENT_PG_BIN")
    if override:
        if not (Path(override) / "initdb").is_file():
            raise PgServerError(
                f"cannot start a PostgreSQL server for the tests: TALENT_PG_BIN={override} "
                "holds no initdb"
            )
        return Path(override)
    found = shutil.which("pg_ctl")
    if found and shutil.which("initdb"):
        return Path(found).parent

    def version(path: str) -> tuple[int, ...]:
        number = Path(path).parent.name
        return tuple(int(p) for p in number.split(".") if p.isdigit())

    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=version)
    if not candidates:
        raise PgServerError(
            "cannot start a PostgreSQL server for the tests: initdb and pg_ctl were not found "
            "(not on PATH, not in /usr/lib/postgresql/*/bin). Install the PostgreSQL server "
            "(e.g. apt-get install postgresql), or set TALENT_PG_BIN to the folder holding "
            "them, or point TALENT_TEST_PG at a server of your own "
            "(postgresql+psycopg://USER@HOST:PORT/postgres, allowed to create databases)."
        )
    return Path(candidates[-1]).parent


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _as_service_user() -> list[str]:
    """The command prefix that runs a binary as `postgres` when we are root (PostgreSQL
    refuses to run as root)."""
    if os.geteuid() != 0:
        return []
    try:
        pwd.getpwnam(SERVICE_USER)
    except KeyError:
        raise PgServerError(
            f"cannot start a PostgreSQL server for the tests as root: there is no user "
            f"{SERVICE_USER!r} to run it as (PostgreSQL refuses to run as root). Create one, "
            "or run the tests as an ordinary user."
        ) from None
    runuser = shutil.which("runuser")
    if runuser is None:
        raise PgServerError("cannot start a PostgreSQL server as root: `runuser` is missing")
    return [runuser, "-u", SERVICE_USER, "--"]


class PgServer:
    """One server in one folder; `start()` returns its URL, `stop()` removes everything."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = Path(root) if root is not None else Path(tempfile.mkdtemp(prefix="talent-pg-"))
        self.data = self.root / "data"
        self.port: int | None = None

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://{SERVICE_USER}@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*_as_service_user(), *args],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=self.root,
        )

    def start(self) -> str:
        binaries = bin_dir()
        self.root.mkdir(parents=True, exist_ok=True)
        self.root.chmod(0o700)
        if os.geteuid() == 0:
            entry = pwd.getpwnam(SERVICE_USER)
            os.chown(self.root, entry.pw_uid, entry.pw_gid)
        made = self._run(
            str(binaries / "initdb"),
            "-D",
            str(self.data),
            "-U",
            SERVICE_USER,
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C",
            "--no-sync",
        )
        if made.returncode != 0:
            raise PgServerError(f"initdb failed:\n{made.stdout}{made.stderr}")
        last = ""
        for _ in range(3):  # the free port may be taken between choosing it and listening
            self.port = _free_port()
            options = (
                f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 "
                "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
                "-c max_connections=300"
            )
            started = self._run(
                str(binaries / "pg_ctl"),
                "-D",
                str(self.data),
                "-l",
                str(self.root / "server.log"),
                "-w",
                "-t",
                "60",
                "-o",
                options,
                "start",
            )
            if started.returncode == 0:
                return self.url
            last = started.stdout + started.stderr + self.log_tail()
        raise PgServerError(f"pg_ctl start failed:\n{last}")

    def log_tail(self) -> str:
        with contextlib.suppress(OSError):
            return (self.root / "server.log").read_text(errors="replace")[-2000:]
        return ""

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            with contextlib.suppress(PgServerError, OSError, subprocess.SubprocessError):
                self._run(
                    str(bin_dir() / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop"
                )
        shutil.rmtree(self.root, ignore_errors=True)


class Databases:
    """Fresh databases on one server for the tests: `create(template)` makes one (a copy of
    `template` when given: CREATE DATABASE … TEMPLATE copies the files, ~10 ms, so a
    migrated or demo-filled database per test is cheap) and returns its URL; `drop(url)`
    removes it, closing whatever is still connected. `take(template)` and `drop_soon(url)` do
    the same on a background thread, ahead of the test and after it. Names carry the process id, so several
    test processes (xdist workers, or two runs) can share a server."""

    def __init__(self, server_url: str) -> None:
        import sqlalchemy as sa

        self.server_url = server_url
        self.admin = sa.create_engine(
            server_url, isolation_level="AUTOCOMMIT", poolclass=sa.NullPool
        )
        self.counter = itertools.count(1)  # next() is atomic: names are unique across threads
        # `take` and `drop_soon`: one background thread that copies the next database of each
        # template while a test runs, and drops the used ones.
        self._background = ThreadPoolExecutor(1, thread_name_prefix="pg-databases")
        self._ready: dict[str, Future[str]] = {}

    def url_of(self, name: str) -> str:
        from sqlalchemy.engine import make_url

        return make_url(self.server_url).set(database=name).render_as_string(hide_password=False)

    def create(self, template: str | None = None, name: str | None = None) -> str:
        name = name or f"t{os.getpid()}_{next(self.counter)}"
        copy = f" TEMPLATE {template} STRATEGY FILE_COPY" if template else ""
        with self.admin.connect() as connection:
            connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            connection.exec_driver_sql(f"CREATE DATABASE {name}{copy}")
        return self.url_of(name)

    def drop(self, url: str) -> None:
        from sqlalchemy.engine import make_url

        name = make_url(url).database
        with self.admin.connect() as connection:
            connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    def take(self, template: str) -> str:
        """A fresh copy of `template`, as `create(template)` makes it, but made ahead: the
        copy for the next call starts on the background thread at once, so a test waits for
        none (CREATE DATABASE after a DROP takes ~70 ms, more on a busy machine)."""
        ready = self._ready.pop(template, None)
        url = ready.result() if ready is not None else self.create(template)
        self._ready[template] = self._background.submit(self.create, template)
        return url

    def drop_soon(self, url: str) -> None:
        """`drop(url)` on the background thread (the database is no test's any more)."""
        self._background.submit(self.drop, url)

    def dispose(self) -> None:
        self._background.shutdown(wait=True)
        for ready in self._ready.values():
            with contextlib.suppress(Exception):
                self.drop(ready.result())
        self._ready.clear()
        self.admin.dispose()


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] not in ("start", "stop"):
        print("usage: pgserver.py start|stop DIR", file=sys.stderr)
        return 2
    command, folder = argv
    server = PgServer(Path(folder))
    if command == "stop":
        server.stop()
        return 0
    try:
        print(server.start())
    except PgServerError as exc:
        server.stop()
        print(f"pgserver: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
