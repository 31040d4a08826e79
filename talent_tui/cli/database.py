"""`talent db …`: where the database lives, migrations, backups and checks."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from talent_tui.cli.common import (
    EXIT_INPUT,
    JsonOpt,
    fail,
    open_db,
    options,
    out,
    print_json,
    refuse,
)

if TYPE_CHECKING:
    from talent_tui.store import db as dbmod

db_app = typer.Typer(help="Where the database lives, and its schema.", no_args_is_help=True)


@db_app.command("path")
def db_path() -> None:
    """Print the database in use (after --db and $TALENT_DB); a URL without its password."""
    from talent_tui.store import db as dbmod

    out.print(dbmod.describe_url(dbmod.resolve_url(options().db)), soft_wrap=True, markup=False)


@db_app.command("migrate")
def db_migrate() -> None:
    """Bring the database schema up to date, after copying the file aside (talent also does
    this by itself when it opens an older database)."""
    from talent_tui.store import db as dbmod

    try:
        database = dbmod.open_database(options().db, migrate=False)
        before = dbmod.current_revision(database)
        backup = dbmod.upgrade(database)
    except dbmod.DatabaseError as exc:
        raise refuse(exc) from None
    if before == dbmod.SCHEMA_HEAD:
        out.print(f"{database.describe()} is up to date (schema {before}).", soft_wrap=True)
        return
    out.print(
        f"{database.describe()}: schema {before or 'none'} → {dbmod.SCHEMA_HEAD}.", soft_wrap=True
    )
    if backup:
        out.print(f"The previous file is kept at {backup}", soft_wrap=True)


@db_app.command("backup")
def db_backup(
    target: Annotated[
        Path | None, typer.Argument(help="Where to write the copy (default: beside it, dated).")
    ] = None,
) -> None:
    """A consistent copy of the database, safe while talent is open (SQLite's backup API; on
    PostgreSQL pg_dump's custom format, for pg_restore)."""
    from datetime import UTC, datetime

    from talent_tui.store import db as dbmod

    database = open_db()
    path = database.path
    if path is None:
        _backup_postgres(database, target)
        return
    if target is None:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        target = path.with_name(f"{path.stem}-backup-{stamp}{path.suffix}")
    from talent_tui.io.files import OutputPathError, check_output_path, is_journal_of

    if is_journal_of(target, path):
        raise fail(f"{target} is the database or one of its journals; choose another name")
    if target.is_file():  # a backup never replaces a file, a copy of its own or not
        raise fail(f"{target} already exists; choose another name")
    try:
        check_output_path(target)
    except OutputPathError as exc:
        raise fail(str(exc)) from None
    try:
        dbmod.backup_sqlite(database, target)
    except dbmod.DatabaseError as exc:
        raise fail(str(exc)) from None
    out.print(f"Backed up {path} to {target}", soft_wrap=True)


def _backup_postgres(database: dbmod.Database, target: Path | None) -> None:
    """pg_dump of a PostgreSQL database (`store.pgtools.dump`); without pg_dump, a refusal
    that says what to install."""
    from talent_tui.io.files import OutputPathError, check_output_path
    from talent_tui.store import db as dbmod
    from talent_tui.store import pgtools

    if not pgtools.is_postgres(database.url):
        raise fail("backups are for SQLite and PostgreSQL databases; use your server's tools")
    if target is None:
        target = Path(pgtools.default_dump_name(database.url))
    if target.is_file():
        raise fail(f"{target} already exists; choose another name")
    try:
        check_output_path(target)
    except OutputPathError as exc:
        raise fail(str(exc)) from None
    try:
        program = pgtools.dump(database.url, target)
    except dbmod.DatabaseError as exc:
        raise fail(str(exc)) from None
    out.print(
        f"Backed up {database.describe()} to {target} with {program} (custom format: restore "
        "it with pg_restore)",
        soft_wrap=True,
        markup=False,
    )


@db_app.command("check")
def db_check(
    as_json: JsonOpt = False,
) -> None:
    """Integrity and foreign-key checks, and every table's rows (on PostgreSQL: every foreign
    key and CHECK constraint tested against the rows). Exit code 1 when something is wrong."""
    from talent_tui.store import db as dbmod

    database = open_db()
    report = dbmod.check(database)
    if as_json:
        print_json(
            {
                "ok": report.ok,
                "store": report.how,
                "integrity": report.integrity,
                "foreign_keys": report.foreign_keys,
                "rows": report.rows,
            }
        )
    else:
        label = "Constraints" if report.how == "postgresql" else "Integrity"
        for line in report.integrity[:20]:
            out.print(f"{label}: {line}", soft_wrap=True, markup=False)
        if report.foreign_keys:
            for line in report.foreign_keys[:50]:
                out.print(f"Foreign key: {line}")
        else:
            out.print("Foreign keys: ok")
        if report.rows:
            counts = ", ".join(f"{table} {n:,}" for table, n in report.rows.items() if n)
            out.print(f"Rows: {counts or 'none'}", soft_wrap=True, markup=False)
        out.print(
            "All good." if report.ok else "Problems found: restore a backup (talent db backup)."
        )
    if not report.ok:
        raise typer.Exit(EXIT_INPUT)


def register(app: typer.Typer) -> None:
    app.add_typer(db_app, name="db")


# ---- talent db copy (team mode, issue 17): kept apart from the commands above ---------------


@db_app.command("copy")
def db_copy(
    to: Annotated[
        str,
        typer.Option(
            "--to", help="The target: a PostgreSQL URL, or a new SQLite file (never overwritten)."
        ),
    ],
    replace: Annotated[
        bool,
        typer.Option(
            "--replace", help="Delete the target database's rows first (a URL only).", metavar=""
        ),
    ] = False,
    owner: Annotated[
        str | None,
        typer.Option(
            "--owner",
            help="Team mode: add NAME as the team's admin, responsible for every copied "
            "creator and affiliate that has nobody (a URL only).",
        ),
    ] = None,
) -> None:
    """Copy every table into another database, in one transaction, counts checked.

    A solo SQLite file into the team's PostgreSQL database (--to URL), or back into a new
    SQLite file (--to PATH)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from talent_tui.cli.common import err
    from talent_tui.store import copy as copymod
    from talent_tui.store import db as dbmod

    try:
        source = dbmod.open_database(options().db, migrate=False)
    except dbmod.DatabaseError as exc:
        raise refuse(exc) from None
    bar = Progress(
        TextColumn("{task.description:<24}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=err,
        transient=True,
    )
    tasks: dict[str, object] = {}
    taken: list[tuple[int, int]] = []

    def make_owner(connection: object) -> None:
        """`team add NAME --role admin --take-unassigned`, in the copy's transaction."""
        from sqlmodel import Session

        from talent_tui.cli.common import acting
        from talent_tui.services import team

        assert owner is not None
        session = Session(bind=connection)  # type: ignore[arg-type]
        try:
            who = acting(session)
            added = team.add(session, who, owner, "admin")
            taken.append(team.take_unassigned(session, who, added.name))
            session.flush()
        except team.TeamError as exc:
            raise copymod.CopyError(f"--owner {owner}: {exc}; nothing was copied") from None

    def shown(table: str, done: int, total: int) -> None:
        if total < copymod.BATCH:  # a small table: no bar worth drawing
            return
        if table not in tasks:
            tasks[table] = bar.add_task(table, total=total)
        bar.update(tasks[table], completed=done)  # type: ignore[arg-type]

    try:
        if dbmod.is_url(to):
            if dbmod.sqlite_path(to) is not None:
                raise fail("--to: give a SQLite target as a file path (it must not exist yet)")
            target = dbmod.open_database(to)
            then = make_owner if owner is not None else None
            try:
                with bar:
                    counts = copymod.copy_database(
                        source, target, replace=replace, progress=shown, then=then
                    )
            finally:
                target.dispose()
        else:
            if replace or owner:
                raise fail(
                    "--replace and --owner are for a database URL; a copy into a new file "
                    "keeps who was responsible for what"
                )
            path = Path(to).expanduser()
            with copymod.new_sqlite_file(path) as target, bar:
                counts = copymod.copy_database(source, target, progress=shown)
    except dbmod.DatabaseError as exc:
        raise refuse(exc) from None
    finally:
        source.dispose()
    where = dbmod.describe_url(to) if dbmod.is_url(to) else str(Path(to).expanduser())
    for count in counts:
        out.print(f"{count.table:<26} {count.rows:>10,}")
    total = sum(c.rows for c in counts)
    out.print(
        f"Copied {total:,} rows in {len(counts)} tables from {source.describe()} to {where}; "
        "every table's count checked. The source was not changed.",
        soft_wrap=True,
    )
    if taken:
        out.print(
            f"{owner} is on the team as admin, responsible for {taken[0][0]} creator(s) and "
            f"{taken[0][1]} affiliate(s).",
            soft_wrap=True,
        )
