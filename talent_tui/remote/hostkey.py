"""The server's host key: generated once (Ed25519), kept private (0600), reused.

A visitor's `ssh` remembers the key the first time; a new key on every start would make
every later connection look like an attack. The file lives in the user data directory next
to the database, created with mode 0600 (never wider, not even for an instant) and refused
when someone made it readable by others, as OpenSSH refuses a private key that is.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import asyncssh

from talent_tui.core import locations
from talent_tui.core.errors import DomainError

KEY_NAME = "ssh_host_ed25519_key"


class HostKeyError(DomainError):
    """The host key file cannot be read, written or trusted."""


def default_path() -> Path:
    return locations.data_home() / KEY_NAME


def load_or_create(path: Path | None = None) -> tuple[asyncssh.SSHKey, bool]:
    """The host key at `path` (default: the user data directory) and whether it was just
    made. A new key is written with O_EXCL and mode 0600, so two servers starting at once
    cannot both write one, and the file is never readable by others."""
    path = path or default_path()
    created = False
    if not path.exists():
        key = asyncssh.generate_private_key("ssh-ed25519", comment="talent serve-ssh")
        data = key.export_private_key()
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another server wrote it a moment ago: read theirs
        except OSError as exc:
            raise HostKeyError(f"cannot write the host key {path}: {exc.strerror}") from None
        else:
            try:
                os.write(fd, data)
                os.fsync(fd)
            finally:
                os.close(fd)
            created = True
    try:
        mode = path.stat().st_mode
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise HostKeyError(
                f"the host key {path} is readable by other users (mode {stat.S_IMODE(mode):o}); "
                f"run `chmod 600 {path}` or delete it to have a new one made"
            )
        return asyncssh.read_private_key(path), created
    except (OSError, asyncssh.KeyImportError, ValueError) as exc:
        raise HostKeyError(f"cannot read the host key {path}: {exc}") from None


def fingerprint(key: asyncssh.SSHKey) -> str:
    """The SHA256 fingerprint `ssh` shows when it first meets the key."""
    return str(key.get_fingerprint("sha256"))
