"""The `talent` executable: the command line, able to open the TUI.

The only module that knows both front ends: it builds the command tree and hands it the
function that opens the app, so `cli` and the TUI stay independent of each other.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from talent_tui.store.db import Database


def open_tui(database: Database, actor: str | None) -> None:
    """Run the app; an app that ended on an error exits non-zero and says where the log is."""
    import sys

    from talent_tui.app import TalentApp
    from talent_tui.core.locations import log_path

    app = TalentApp(database, actor=actor)
    app.run()
    code = app.return_code or 0
    if code != 0:
        sys.stderr.write(f"talent stopped on an unexpected error; details are in {log_path()}\n")
        raise SystemExit(code)


def main() -> None:
    from talent_tui.cli.main import run

    run(open_tui)


if __name__ == "__main__":
    main()
