"""`talent serve-ssh`: demos over SSH (see `talent_tui.remote`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from talent_tui.cli.common import EXIT_DATABASE, EXIT_USAGE, fail, options


def register(app: typer.Typer) -> None:
    app.command("serve-ssh")(serve_ssh)


def serve_ssh(
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[
        int, typer.Option("--port", min=0, max=65535, help="Port to listen on (0: any free one).")
    ] = 2222,
    max_sessions: Annotated[
        int, typer.Option("--max-sessions", help="Visitors at once; the next is told to try later.")
    ] = 8,
    max_per_address: Annotated[
        int, typer.Option("--max-per-address", help="Sessions at once from one address.")
    ] = 3,
    idle_timeout: Annotated[
        str, typer.Option("--idle-timeout", help="End a session after this long without a key.")
    ] = "10m",
    session_timeout: Annotated[
        str, typer.Option("--session-timeout", help="End a session after this long in all.")
    ] = "60m",
    max_input: Annotated[
        str,
        typer.Option("--max-input", help="Input a visitor may send within one second (bytes)."),
    ] = "16k",
    authorized_keys: Annotated[
        Path | None,
        typer.Option(
            "--authorized-keys",
            help="Admit only these public keys (OpenSSH authorized_keys format).",
            show_default=False,
        ),
    ] = None,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            help="Serve this database (path or URL) instead of demo copies; needs --authorized-keys.",
            show_default=False,
        ),
    ] = None,
    banner: Annotated[
        str | None,
        typer.Option(
            "--banner",
            help="Text shown before login (default: says it is a demo).",
            show_default=False,
        ),
    ] = None,
    no_banner: Annotated[bool, typer.Option("--no-banner", help="Show no banner.")] = False,
) -> None:
    """Demos over SSH: every visitor gets the app on a private throwaway copy of the demo data.

    `ssh -p PORT anyone@HOST` opens talent full-screen at the visitor's terminal size, on a
    copy made when they connect and deleted when they leave; no shell, commands, SFTP or
    forwarding. With --authorized-keys only those keys get in, and --db serves a real
    database, each visitor's changes recorded under their SSH user name. The host key is made
    once (0600, in the user data directory); every connection is logged.
    """
    from talent_tui.core.errors import DomainError
    from talent_tui.core.text import printable
    from talent_tui.remote.hub import ServeSettings
    from talent_tui.remote.limits import Limits, parse_duration, parse_size

    real_db = _served_database(db, authorized_keys)
    try:
        limits = Limits(
            max_sessions=max_sessions,
            max_per_address=max_per_address,
            idle_timeout_s=parse_duration(idle_timeout, "--idle-timeout"),
            session_timeout_s=parse_duration(session_timeout, "--session-timeout"),
            max_input_bytes=parse_size(max_input, "--max-input"),
        )
    except DomainError as exc:
        raise fail(str(exc), EXIT_USAGE) from None
    if authorized_keys is not None:
        _check_keys(authorized_keys)
    shown_banner = "" if no_banner else banner
    if shown_banner:
        shown_banner = printable(shown_banner) + "\n"
    settings = ServeSettings(
        host=host,
        port=port,
        limits=limits,
        authorized_keys=authorized_keys,
        real_db=real_db,
        banner=shown_banner,
    )
    from talent_tui.remote import server

    try:
        server.run(settings)
    except DomainError as exc:
        raise fail(str(exc)) from None
    except KeyboardInterrupt:  # Ctrl+C while the demo was being built, before serving
        raise typer.Exit(130) from None


def _served_database(db: str | None, authorized_keys: Path | None) -> str | None:
    """The real database to serve (checked, migrated once here so no visitor's app has to),
    or None for demo copies. Refused without --authorized-keys: a real database is never
    handed to anyone who can reach the port."""
    root_db = options().db
    if db is not None and root_db is not None and db != root_db:
        raise fail("--db is given twice with different values", EXIT_USAGE)
    chosen = db or root_db
    if chosen is None:
        return None
    if authorized_keys is None:
        raise fail(
            "--db serves a real database, so it needs --authorized-keys FILE (only those keys "
            "are let in). Without it, serve-ssh gives every visitor a copy of the demo data.",
            EXIT_USAGE,
        )
    from talent_tui.store import db as dbmod

    url = dbmod.resolve_url(chosen)
    path = dbmod.sqlite_path(url)
    if path is not None and not path.is_file():
        raise fail(f"no database at {path} (serve-ssh serves an existing database)")
    try:
        dbmod.open_database(chosen).dispose()
    except dbmod.DatabaseError as exc:
        raise fail(str(exc), EXIT_DATABASE) from None
    return str(path) if path is not None else url


def _check_keys(path: Path) -> None:
    import asyncssh

    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
        if not any(line.strip() and not line.lstrip().startswith("#") for line in lines):
            raise fail(f"--authorized-keys: {path} holds no key")
        keys = asyncssh.read_authorized_keys(str(path))
    except OSError as exc:
        raise fail(f"--authorized-keys: cannot read {path}: {exc.strerror or exc}") from None
    except (ValueError, asyncssh.KeyImportError) as exc:
        raise fail(f"--authorized-keys: {path} is not an authorized_keys file: {exc}") from None
    if not keys:
        raise fail(f"--authorized-keys: {path} holds no key")
