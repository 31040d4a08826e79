"""The `talent` executable: the command line, able to open the TUI.

The only module that knows both front ends: it builds the command tree and hands it the
function that opens the app, so `cli` and the TUI stay independent of each other.

Opening the app is what people do dozens of times a day, so `talent` (and `talent demo` on a
demo database already built) with nothing but `--db`/`--as` skips the command tree: when the
database is an up-to-date talent SQLite file, the app starts on it directly and reads its
first frame with the stdlib driver (see `app`); when it is a PostgreSQL URL whose schema is
at head, the same with plain psycopg, as the URL's login (who acts is decided first, as the
command line decides it). Anything else — a subcommand, `--help`, another URL, a new or older
file or schema, a server that cannot be reached, a login refused, `--as` not allowed, a bad
setting — takes the full command line, which opens, upgrades or refuses exactly as before.
"""

from __future__ import annotations

import gc
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

    from talent_tui.store.db import Database
    from talent_tui.store.handle import DatabaseFile, DatabaseServer


def open_tui(database: Database | DatabaseFile | DatabaseServer, actor: str | None) -> None:
    """Run the app; an app that ended on an error exits non-zero and says where the log is."""
    from talent_tui.app import TalentApp
    from talent_tui.core.locations import log_path

    app = TalentApp(database, actor=actor)
    app.run()
    code = app.return_code or 0
    if code != 0:
        sys.stderr.write(f"talent stopped on an unexpected error; details are in {log_path()}\n")
        raise SystemExit(code)


def quick_target(argv: list[str]) -> tuple[Path | DatabaseServer, str | None] | None:
    """The database file (or PostgreSQL database, connected) and actor when `argv` only
    opens the app on an up-to-date talent database (`[--db PATH|URL] [--as NAME] [demo]`);
    None when the full command line must run."""
    from talent_tui.core import locations
    from talent_tui.core.config import ConfigError, settings
    from talent_tui.core.fields import FieldError, actor_name
    from talent_tui.store.handle import current_file

    options: dict[str, str] = {}
    demo = False
    words = list(argv)
    while words:
        word = words.pop(0)
        name, equals, value = word.partition("=")
        if name in ("--db", "--as") and name not in options and not demo:
            if not equals:
                if not words:
                    return None
                value = words.pop(0)
            options[name] = value
        elif word == "demo" and not demo:
            demo = True
        else:
            return None
    try:
        settings()
        actor = actor_name(options["--as"]) if "--as" in options else None
    except (ConfigError, FieldError):
        return None  # the full command line says what is wrong
    db = options.get("--db")
    if demo and db is None:
        db = str(locations.demo_db_path())
    server = _current_server(db, actor, demo)
    if server is not None:
        return server
    quick = current_file(db)
    if quick is None or (demo and not _has_creators_in(quick.path)):
        return None  # `talent demo` loads the demo data first
    return quick.path, actor


def _current_server(
    db: str | None, as_name: str | None, demo: bool
) -> tuple[DatabaseServer, str] | None:
    """On a PostgreSQL URL at head (`--db`, else $TALENT_DB): the database and who acts, read
    on its first connection as `cli.common.acting` reads it (the login; `--as`/TALENT_AS only
    for an admin). None for anything else, and whenever the command line would refuse or
    complain (it then does)."""
    import os

    from talent_tui.core.config import settings
    from talent_tui.services import team
    from talent_tui.store.handle import current_server
    from talent_tui.store.pgurl import pg_url

    value = db if db is not None else settings().db
    if value is None or pg_url(value) is None:
        return None
    server = current_server(value)
    if server is None:
        return None
    # `--as` as given, else TALENT_AS: the same request as cli.common.acting makes
    requested = as_name or (os.environ.get("TALENT_AS") or "").strip() or None
    try:
        with server.reading() as connection:
            if demo and not _has_creators(connection):
                found = None  # `talent demo` loads the demo data first
            else:
                found = team.acting(connection, requested, settings().actor)
    except Exception:  # noqa: BLE001 - refused (--as) or failed: the full path says why
        found = None
    if found is None:
        server.close()
        return None
    return server, str(found.name)


def _has_creators(connection: object) -> bool:
    from talent_tui.store.plain import fetch_all

    return bool(fetch_all(connection, "SELECT 1 FROM creators LIMIT 1"))


def _has_creators_in(path: Path) -> bool:
    from talent_tui.store.sqlitefile import reading

    with reading(path) as connection:
        return _has_creators(connection)


def main() -> None:
    # No garbage collection until the first frame is up (the app turns it back on): start-up
    # allocates many long-lived objects and collecting them repeatedly only delays the frame.
    gc.disable()
    target = quick_target(sys.argv[1:])
    if target is not None:
        from pathlib import Path

        from talent_tui.store.handle import DatabaseFile

        where, actor = target
        open_tui(DatabaseFile(where) if isinstance(where, Path) else where, actor)
        return
    gc.enable()
    from talent_tui.cli.main import run

    run(open_tui)


if __name__ == "__main__":
    main()
