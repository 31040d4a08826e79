"""The `talent` command: opens the TUI, or runs a subcommand for scripts.

Human output is Rich tables on stdout; `--json` prints JSON and nothing else on stdout;
errors go to stderr with a non-zero exit code. Every subcommand calls the same domain
services the TUI uses.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from talent_tui import db as dbmod
from talent_tui import locations

app = typer.Typer(
    name="talent",
    help="Run a roster of social-media creators: stats, rates, campaigns and money.",
    no_args_is_help=False,
    add_completion=False,
    rich_markup_mode="rich",
)
creators_app = typer.Typer(help="List and inspect creators.", no_args_is_help=True)
db_app = typer.Typer(help="Where the database lives, and its schema.", no_args_is_help=True)
app.add_typer(creators_app, name="creators")
app.add_typer(db_app, name="db")

out = Console(highlight=False)
err = Console(stderr=True, highlight=False)

EXIT_INPUT = 1  # bad input, not found, invalid file
EXIT_DATABASE = 2  # the database cannot be opened


class State:
    db: str | None = None


state = State()


def fail(message: str, code: int = EXIT_INPUT) -> typer.Exit:
    err.print(f"[bold red]error:[/] {message}", markup=True, soft_wrap=True)
    return typer.Exit(code)


def open_db(db: str | None = None) -> dbmod.Database:
    try:
        return dbmod.open_database(db if db is not None else state.db)
    except dbmod.DatabaseError as exc:
        raise fail(str(exc), EXIT_DATABASE) from None


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


@app.callback(invoke_without_command=True)
def main_callback(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            help="Database file or SQLAlchemy URL (default: $TALENT_DB, else the user data dir).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Open talent on your database (or run a subcommand)."""
    state.db = db
    if ctx.invoked_subcommand is None:
        database = open_db()
        run_tui(database)


def run_tui(database: dbmod.Database) -> None:
    from talent_tui.app import TalentApp

    TalentApp(database).run()


@app.command()
def demo(
    reset: Annotated[
        bool, typer.Option("--reset", help="Throw the demo database away and rebuild it.")
    ] = False,
    no_open: Annotated[
        bool, typer.Option("--no-open", help="Only load the demo data; print where.")
    ] = False,
) -> None:
    """Open talent on demo data (a separate database; never your real one)."""
    from talent_tui import demo as demo_mod
    from talent_tui import roster

    target = state.db or dbmod.path_to_url(locations.demo_db_path())
    path = dbmod.sqlite_path(dbmod.resolve_url(target))
    if reset and path is not None:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    database = open_db(target)
    with database.session() as session:
        empty = roster.count_creators(session) == 0
    if empty:
        with err.status("Loading demo data…"):
            try:
                reports = demo_mod.load_demo(database)
            except Exception as exc:  # noqa: BLE001 - reported, nothing was written
                raise fail(f"could not load the demo data: {exc}") from None
        loaded = ", ".join(f"{r.new} {r.kind}" for r in reports)
        err.print(f"Loaded demo data: {loaded}.")
    elif reset:
        raise fail(f"--reset works on SQLite files only; {database.describe()} was not emptied")
    if no_open:
        out.print(f"Demo database: {database.describe()}")
        return
    run_tui(database)


@creators_app.command("list")
def creators_list(
    search: Annotated[str, typer.Option("--search", "-s", help="Text in the name or handle.")] = "",
    limit: Annotated[int | None, typer.Option("--limit", help="At most this many rows.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON only.")] = False,
) -> None:
    """List creators (archived ones are left out)."""
    from talent_tui import roster
    from talent_tui.money import compact_number

    database = open_db()
    with database.session() as session:
        rows = roster.list_creators(session, search=search, limit=limit)
    if as_json:
        print_json([row.as_dict() for row in rows])
        return
    if not rows:
        err.print("No creators match." if search else "No creators yet. Try `talent demo`.")
        return
    table = Table(box=None, header_style="bold")
    table.add_column("ID", justify="right")
    table.add_column("Name")
    table.add_column("TikTok")
    table.add_column("Followers", justify="right")
    table.add_column("Eng.", justify="right")
    for row in rows:
        rate = f"{row.engagement_rate:.2%}" if row.engagement_rate is not None else "—"
        table.add_row(str(row.id), row.name, row.tiktok_handle, compact_number(row.followers), rate)
    out.print(table)


@app.command("import")
def import_cmd(
    kind: Annotated[
        str, typer.Argument(help="creators, metrics, demographics, rates, brands or campaigns")
    ],
    file: Annotated[Path, typer.Argument(help="A .csv or .json file.", show_default=False)],
    fmt: Annotated[
        str | None, typer.Option("--format", help="csv or json (default: by extension)")
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Validate and report; write nothing.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON only.")] = False,
) -> None:
    """Import a file, all or nothing. Rows are matched on natural keys, so re-runs are safe."""
    from talent_tui import importers

    if kind not in importers.KINDS:
        raise fail(f"unknown import kind {kind!r} (one of: {', '.join(importers.KINDS)})")
    database = open_db()
    try:
        report = importers.import_file(database, kind, file, fmt=fmt, dry_run=dry_run)
    except importers.ImportFailed as exc:
        if as_json:
            print_json(
                {
                    "ok": False,
                    "errors": [e.__dict__ for e in exc.errors[: importers.MAX_REPORTED_ERRORS]],
                    "total_errors": len(exc.errors),
                }
            )
        raise fail(str(exc)) from None
    if as_json:
        print_json({"ok": True, **report.as_dict()})
        return
    verb = "Would import" if dry_run else "Imported"
    out.print(
        f"{verb} {report.rows} {kind} row(s) from {file.name}: "
        f"{report.new} new, {report.updated} updated, {report.unchanged} unchanged."
    )


@db_app.command("path")
def db_path() -> None:
    """Print the database in use (after --db and $TALENT_DB)."""
    url = dbmod.resolve_url(state.db)
    path = dbmod.sqlite_path(url)
    out.print(str(path) if path is not None else url, soft_wrap=True)


@db_app.command("migrate")
def db_migrate() -> None:
    """Bring the database schema up to date (also done automatically on open)."""
    database = open_db()
    out.print(f"{database.describe()} is at schema {dbmod.current_revision(database)}.")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
