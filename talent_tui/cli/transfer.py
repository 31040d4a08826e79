"""`talent import` and `talent export`: files in, files out."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from talent_tui.cli.common import (
    err,
    fail,
    open_db,
    out,
    print_json,
)
from talent_tui.core.text import printable

PROGRESS_THRESHOLD = 10_000


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
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from talent_tui.io import importers

    if kind not in importers.KINDS:
        raise fail(f"unknown import kind {kind!r} (one of: {', '.join(importers.KINDS)})")
    database = open_db()
    show_progress = not as_json and out.is_terminal
    try:
        rows = importers.read_rows(file, fmt)
        if show_progress and len(rows) > PROGRESS_THRESHOLD:
            columns = (
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
            )
            with Progress(*columns, console=err, transient=True) as progress:
                task = progress.add_task(f"Checking {file.name}", total=len(rows))

                def advance(done: int, total: int) -> None:
                    progress.update(task, completed=done)
                    if done == total:
                        progress.update(task, description="Writing", total=None)

                report = importers.import_source(database, kind, rows, file.name, dry_run, advance)
        else:
            report = importers.import_source(database, kind, rows, file.name, dry_run)
    except importers.ImportFailed as exc:
        if as_json:
            print_json(
                {
                    "ok": False,
                    "errors": [e.as_dict() for e in exc.errors[: importers.MAX_REPORTED_ERRORS]],
                    "total_errors": len(exc.errors),
                }
            )
        raise fail(str(exc)) from None
    if as_json:
        print_json({"ok": True, **report.as_dict()})
        return
    verb = "Would import" if dry_run else "Imported"
    rows_text = "1 row" if report.rows == 1 else f"{report.rows} rows"
    out.print(
        printable(
            f"{verb} {file.name} ({kind}): {rows_text}, "
            f"{report.new} new, {report.updated} updated, {report.unchanged} unchanged."
        ),
        markup=False,
        soft_wrap=True,
    )


def export_cmd(
    kind: Annotated[
        str, typer.Argument(help="creators, metrics, demographics, rates, brands or campaigns")
    ],
    fmt: Annotated[str, typer.Option("--format", "-f", help="csv or json")] = "csv",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write here instead of stdout.")
    ] = None,
) -> None:
    """Export in the exact columns `talent import` reads back."""
    from talent_tui.io import exporters

    if kind not in exporters.KINDS:
        raise fail(f"unknown export kind {kind!r} (one of: {', '.join(exporters.KINDS)})")
    if fmt not in exporters.FORMATS:
        raise fail(f"unknown format {fmt!r} (csv or json)")
    database = open_db()
    with database.session() as session:
        rows = exporters.export_rows(session, kind, fmt)
    text = exporters.render(kind, rows, fmt)
    if output is None:
        sys.stdout.write(text)
        return
    from talent_tui.io.files import OutputPathError, check_output_path, write_atomically

    try:
        target = check_output_path(output, database.path)
    except OutputPathError as exc:
        raise fail(str(exc)) from None
    try:
        write_atomically(target, text)
    except OSError as exc:
        raise fail(f"cannot write {output}: {exc.strerror or exc}") from None
    err.print(f"Wrote {len(rows)} {kind} row(s) to {output}.")


def register(app: typer.Typer) -> None:
    app.command("import")(import_cmd)
    app.command("export")(export_cmd)
