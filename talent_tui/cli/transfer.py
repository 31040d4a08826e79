"""`talent import` and `talent export`: files in, files out."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer

from talent_tui.cli.common import (
    err,
    fail,
    flag,
    open_db,
    out,
    print_json,
    refuse,
    usage,
)
from talent_tui.core.text import printable

FileFormat = Literal["csv", "json"]  # what import reads and export writes (exporters.FORMATS)

if TYPE_CHECKING:
    from talent_tui.io.importers import FieldChange, ImportReport

PROGRESS_THRESHOLD = 128 << 10  # bytes (some thousands of rows): smaller files need no bar
CHANGES_SHOWN = 20  # changed rows the plain-text report lists; --json lists more


def import_cmd(
    kind: Annotated[
        str,
        typer.Argument(
            help="creators, metrics, demographics, rates, brands, campaigns, clicks or "
            "conversions (or: profiles save NAME --map …, profiles list)"
        ),
    ],
    file: Annotated[Path, typer.Argument(help="A .csv or .json file.", show_default=False)],
    profile_name: Annotated[
        str | None, typer.Argument(hidden=True, show_default=False)
    ] = None,  # `import profiles save NAME`
    fmt: Annotated[
        FileFormat | None, typer.Option("--format", help="Default: by the file's extension.")
    ] = None,
    dry_run: Annotated[bool, flag("--dry-run", help="Validate and report; write nothing.")] = False,
    as_json: Annotated[bool, flag("--json", help="Print the report as JSON only.")] = False,
    program: Annotated[
        str | None,
        typer.Option("--program", "-p", help="clicks, conversions: the program (name or id)."),
    ] = None,
    profile: Annotated[
        str | None,
        typer.Option("--profile", help="conversions: tiktok-shop, or a saved mapping's name."),
    ] = None,
    mapping: Annotated[
        str | None,
        typer.Option("--map", help='clicks, conversions: "Their Column=our_column, …"'),
    ] = None,
) -> None:
    """Import a file, all or nothing. Rows are matched on natural keys, so re-runs are safe."""
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeElapsedColumn

    from talent_tui.io import importers

    if kind == "profiles":
        from talent_tui.cli.affiliate_imports import profiles_cmd

        profiles_cmd(str(file), profile_name, mapping, as_json)
        return
    affiliate = kind in importers.AFFILIATE_KINDS
    if not affiliate and kind not in importers.KINDS:
        kinds = (*importers.KINDS, *importers.AFFILIATE_KINDS)
        raise usage(f"unknown import kind {kind!r} (one of: {', '.join(kinds)})")
    if profile_name is not None:
        raise usage(f"unexpected argument {profile_name!r}")
    if not affiliate and (program or profile or mapping):
        raise usage("--program, --profile and --map are for clicks and conversions")
    extra: dict = {}

    def run(progress: importers.ProgressCallback | None = None) -> importers.ImportReport:
        if not affiliate:
            return importers.import_file(
                database, kind, file, fmt=fmt, dry_run=dry_run, progress=progress
            )
        from talent_tui.core.errors import DomainError

        try:
            result = importers.import_affiliate_file(
                database,
                kind,
                file,
                program=program,
                profile=profile,
                mapping=mapping,
                fmt=fmt,
                dry_run=dry_run,
                progress=progress,
            )
        except importers.ImportFailed:
            raise
        except DomainError as exc:  # an unknown program or profile, a bad --map
            raise refuse(exc) from None
        extra.update(program=result.program, skipped=result.skipped)
        extra["skipped_by_status"] = result.skipped_by_status
        return result.report

    database = open_db()
    show_progress = not as_json and out.is_terminal and _size(file) > PROGRESS_THRESHOLD
    try:
        if show_progress:
            columns = (
                TextColumn("{task.description}"),
                BarColumn(),
                DownloadColumn(),
                TimeElapsedColumn(),
            )
            with Progress(*columns, console=err, transient=True) as progress:
                task = progress.add_task(
                    printable(f"Importing {file.name}"), total=_size(file) or None
                )

                def advance(done: int, total: int) -> None:
                    progress.update(task, completed=done, total=total)

                report = run(advance)
        else:
            report = run()
    except importers.ImportFailed as exc:
        if as_json:
            print_json(
                {
                    "ok": False,
                    "errors": [e.as_dict() for e in exc.errors[: importers.MAX_REPORTED_ERRORS]],
                    "total_errors": exc.total,
                }
            )
        raise fail(str(exc)) from None
    if as_json:
        print_json({"ok": True, **report.as_dict(), **extra})
        return
    verb = "Would import" if dry_run else "Imported"
    rows_text = "1 row" if report.rows == 1 else f"{report.rows} rows"
    lines = [
        f"{verb} {file.name} ({kind}): {rows_text}, "
        f"{report.new} new, {report.updated} updated, {report.unchanged} unchanged."
    ]
    if extra.get("skipped"):
        reasons = ", ".join(f"{n} {why}" for why, n in extra["skipped_by_status"].items())
        lines.append(f"Skipped {extra['skipped']} row(s) that are not orders yet ({reasons}).")
    if report.notes:
        from talent_tui.io.importers.conversions import note_lines

        lines.extend(note_lines(report.notes))
    lines.extend(change_lines(report))
    if dry_run:
        lines.append("Dry run: nothing was written.")
    for line in lines:
        out.print(printable(line), markup=False, soft_wrap=True)


def change_lines(report: ImportReport, limit: int = CHANGES_SHOWN) -> list[str]:
    """The changed fields of the first `limit` updated rows, one line each ("@nora: niche
    fitness → food; notes cleared"), then how many more there are."""
    lines = [
        f"  {row.key}: " + "; ".join(_change(f) for f in row.fields)
        for row in report.changes[:limit]
    ]
    more = report.changes_total - len(lines)
    if more > 0:
        listed = len(report.changes)
        hint = (
            "use --json for all"
            if listed == report.changes_total
            else (f"--json lists the first {listed}")
        )
        lines.append(f"  … and {more} more ({hint})")
    return lines


def _change(change: FieldChange) -> str:
    before, after = _one_line(change.before), _one_line(change.after)
    if change.after == "(empty)":
        return f"{change.field} cleared"
    if change.before == "(empty)":
        return f"{change.field} set to {after}"
    return f"{change.field} {before} → {after}"


def _one_line(value: str) -> str:
    """A value on one line with its line breaks and tabs visible (a change that only turns a
    space into a line break must not print as two identical values)."""
    return value.replace("\r\n", "\n").translate({0x0A: "\u2424", 0x0D: "\u240d", 0x09: "\u2409"})


def _size(file: Path) -> int:
    try:
        return file.stat().st_size
    except OSError:
        return 0


def export_cmd(
    kind: Annotated[
        str,
        typer.Argument(
            help="creators, metrics, demographics, rates, brands, campaigns, affiliates, "
            "conversions or clicks"
        ),
    ],
    fmt: Annotated[FileFormat, typer.Option("--format", "-f")] = "csv",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write here instead of stdout.")
    ] = None,
    program: Annotated[
        str | None,
        typer.Option("--program", "-p", help="clicks, conversions: only this program's."),
    ] = None,
) -> None:
    """Export in the exact columns `talent import` reads back."""
    from talent_tui.io import affiliate_exports, exporters

    if kind == "clicks" or program is not None:
        from talent_tui.cli.clicks import export_kind

        if kind not in affiliate_exports.KINDS:
            raise usage("--program is for clicks and conversions")
        export_kind(kind, fmt, output, program)
        return
    if kind in affiliate_exports.KINDS:
        from talent_tui.cli.affiliate_imports import export_affiliate_kind

        export_affiliate_kind(kind, fmt, output)
        return
    if kind not in exporters.KINDS:
        raise usage(f"unknown export kind {kind!r} (one of: {', '.join(exporters.KINDS)})")
    database = open_db()
    with database.session() as session:
        rows = exporters.export_rows(session, kind, fmt)
    text = exporters.render(kind, rows, fmt)
    if output is None:
        sys.stdout.write(printable(text, keep_newlines=True))
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
