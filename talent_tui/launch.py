"""The `talent` executable: the command line, able to open the TUI.

The only module that knows both front ends: it builds the command tree and hands it the
function that opens the app, so `cli` and the TUI stay independent of each other.

Opening the app is what people do dozens of times a day, so `talent` (and `talent demo` on a
demo database already built) with nothing but `--db`/`--as` skips the command tree: when the
database is an up-to-date talent SQLite file, the app starts on it directly and reads its
first frame with the stdlib driver (see `app`). Anything else — a subcommand, `--help`, a URL,
a new or older file, a bad setting — takes the full command line, which opens, upgrades or
refuses exactly as before.
"""

from __future__ import annotations

import gc
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

    from talent_tui.store.db import Database
    from talent_tui.store.handle import DatabaseFile


def open_tui(database: Database | DatabaseFile, actor: str | None) -> None:
    """Run the app; an app that ended on an error exits non-zero and says where the log is."""
    from talent_tui.app import TalentApp
    from talent_tui.core.locations import log_path

    app = TalentApp(database, actor=actor)
    app.run()
    code = app.return_code or 0
    if code != 0:
        sys.stderr.write(f"talent stopped on an unexpected error; details are in {log_path()}\n")
        raise SystemExit(code)


def quick_target(argv: list[str]) -> tuple[Path, str | None] | None:
    """The database file and actor when `argv` only opens the app on an up-to-date talent
    file (`[--db PATH] [--as NAME] [demo]`); None when the full command line must run."""
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
    quick = current_file(db)
    if quick is None or (demo and not _has_creators(quick.path)):
        return None  # `talent demo` loads the demo data first
    return quick.path, actor


def _has_creators(path: Path) -> bool:
    from talent_tui.store.sqlitefile import reading

    with reading(path) as connection:
        return connection.execute("SELECT 1 FROM creators LIMIT 1").fetchone() is not None


def main() -> None:
    # No garbage collection until the first frame is up (the app turns it back on): start-up
    # allocates many long-lived objects and collecting them repeatedly only delays the frame.
    gc.disable()
    target = quick_target(sys.argv[1:])
    if target is not None:
        from talent_tui.store.handle import DatabaseFile

        path, actor = target
        open_tui(DatabaseFile(path), actor)
        return
    gc.enable()
    from talent_tui.cli.main import run

    run(open_tui)


if __name__ == "__main__":
    main()
