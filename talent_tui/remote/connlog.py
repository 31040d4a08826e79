"""One line per SSH connection, appended to `serve-ssh.log` in the user log directory:
when it started (UTC), the address, the user name, how long it lasted and how it ended.

Names and reasons come from visitors (a user name is whatever their `ssh` sent), so they are
written through `core.text.printable`: a log read with `tail` cannot be made to drive the
terminal.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from talent_tui.core import locations
from talent_tui.core.text import printable

LOG_NAME = "serve-ssh.log"


def default_path() -> Path:
    return locations.log_dir() / LOG_NAME


class ConnectionLog:
    def __init__(self, path: Path, echo: TextIO | None = None) -> None:
        self.path = path
        self._file = path.open("a", encoding="utf-8")
        self._echo = echo

    def write(
        self, started: datetime, address: str, user: str | None, duration_s: float, ended: str
    ) -> None:
        line = (
            f"{started.astimezone(UTC).isoformat(timespec='seconds')} {printable(address)} "
            f"user={json.dumps(printable(user or '-'), ensure_ascii=False)} "
            f"duration={duration_s:.1f}s ended={json.dumps(printable(ended), ensure_ascii=False)}"
        )
        if self._file.closed:  # a connection that outlived the server's shutdown wait
            return
        self._file.write(line + "\n")
        self._file.flush()
        if self._echo is not None:
            self._echo.write(line + "\n")
            self._echo.flush()

    def close(self) -> None:
        self._file.close()
