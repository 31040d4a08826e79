"""Writing files atomically: a crash or a full disk never leaves half a file behind; and
refusing an output path that would destroy the database or is not a plain file."""

from __future__ import annotations

import fnmatch
import os
import stat
import tempfile
from pathlib import Path

from talent_tui.core.errors import DomainError


class OutputPathError(DomainError):
    """A user-chosen output path that talent will not write to; the message says why."""


# Files that belong to a SQLite database beside it: its journals and talent's copies of it.
_COMPANIONS = ("-wal", "-shm", "-journal")


def is_journal_of(target: Path, database: Path) -> bool:
    """`target` is the database itself or one of the journals SQLite keeps beside it."""
    target, database = target.expanduser().resolve(), database.expanduser().resolve()
    return target == database or (
        target.parent == database.parent
        and any(target.name == database.name + suffix for suffix in _COMPANIONS)
    )


def _is_database_file(target: Path, database: Path) -> bool:
    if is_journal_of(target, database):
        return True
    if target.parent != database.parent:
        return False
    name, base = target.name, database.name
    if name.startswith(base + ".bak-"):
        return True
    stem, suffix = os.path.splitext(base)
    return fnmatch.fnmatchcase(name, f"{stem}-backup-*{suffix}") or name.startswith(
        f"{base}-backup-"
    )


def check_output_path(path: Path, database_path: Path | None = None) -> Path:
    """The resolved `path` when talent may write a file there, else OutputPathError.

    Refused: the database file itself, its -wal/-shm/-journal files and its backups
    (`<name>.bak-*`, `<stem>-backup-*`), a directory, anything that exists and is not a
    regular file (a device, a FIFO, a socket), and a path whose folder does not exist.
    Paths are compared resolved (symlinks, relative paths, `./x`)."""
    path = Path(path)
    if not path.name or path.name in (".", ".."):
        raise OutputPathError(f"{path} is a folder, not a file name")
    try:
        target = path.expanduser().resolve()
    except (OSError, RuntimeError) as exc:
        raise OutputPathError(f"cannot use {path}: {exc}") from None
    if database_path is not None:
        database = Path(database_path).expanduser().resolve()
        if _is_database_file(target, database):
            raise OutputPathError(
                f"{path} is the database ({database}) or one of its own files; "
                "choose another name (nothing was written)"
            )
    if not target.parent.is_dir():
        raise OutputPathError(f"the folder {path.parent} does not exist")
    try:
        info = os.stat(target)
    except FileNotFoundError:
        return target
    except OSError as exc:
        raise OutputPathError(f"cannot use {path}: {exc.strerror or exc}") from None
    if stat.S_ISDIR(info.st_mode):
        raise OutputPathError(f"{path} is a folder, not a file name")
    if not stat.S_ISREG(info.st_mode):
        raise OutputPathError(f"{path} is not a regular file (a device, pipe or socket)")
    if _is_sqlite_file(target):
        raise OutputPathError(
            f"{path} is a database (a SQLite file); talent will not write over it "
            "(nothing was written)"
        )
    return target


def _is_sqlite_file(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return handle.read(16) == b"SQLite format 3\x00"
    except OSError:
        return False


def write_atomically(path: Path, text: str) -> None:
    """Write to a temporary file beside `path`, flush it to disk, then rename over `path`."""
    path = Path(path)
    directory = path.parent if str(path.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # an ordinary file, as the user's other files
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
