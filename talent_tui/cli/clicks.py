"""`talent clicks …`: click days as imported (per day per tracking link, or per affiliate), and
the export of click days or conversions of one program (`talent export clicks -p P`)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from talent_tui.cli import common as cli
from talent_tui.cli.common import JsonOpt
from talent_tui.cli.refusals import refused
from talent_tui.core.text import printable

clicks_app = typer.Typer(help="Clicks per day, as imported.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(clicks_app, name="clicks")


@clicks_app.command("list")
@refused
def clicks_list(
    program: Annotated[
        str | None, typer.Option("--program", "-p", help="Program name, slug or id.")
    ] = None,
    affiliate: Annotated[
        str | None, typer.Option("--affiliate", "-a", help="The affiliate's handle.")
    ] = None,
    start: Annotated[str | None, typer.Option("--from", help="First day, YYYY-MM-DD.")] = None,
    end: Annotated[
        str | None, typer.Option("--to", help="Last day, YYYY-MM-DD (included).")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=100_000)] = 1000,
    as_json: JsonOpt = False,
) -> None:
    """Click days by program, day, affiliate and link (at most --limit of them)."""
    from talent_tui.core.dates import parse_iso_date
    from talent_tui.services.affiliates import clicks, lookup

    days = {}
    for name, text in (("--from", start), ("--to", end)):
        if text is not None:
            try:
                days[name] = parse_iso_date(text)
            except ValueError as exc:
                raise cli.usage(f"{name}: {exc}") from None
    if "--from" in days and "--to" in days and days["--to"] < days["--from"]:
        raise cli.usage(f"--to {days['--to']} is before --from {days['--from']}")
    database = cli.open_db()
    with database.session() as session:
        program_id = lookup.find_program(session, program).id if program else None
        affiliate_id, handle = None, None
        if affiliate is not None:
            if program_id is not None:
                affiliate_id = lookup.find_affiliate(session, program_id, affiliate).id
            else:
                handle = lookup.handle_of(affiliate, "affiliate")
                if not lookup.programs_of_handle(session, handle):
                    raise cli.fail(printable(f"no affiliate {affiliate!r} in any program"))
        where = clicks.ClickFilter(
            program_id=program_id,
            affiliate_id=affiliate_id,
            handle=handle,
            start=days.get("--from"),
            end=days.get("--to"),
        )
        rows = clicks.page(session, where, limit=limit)
        total = clicks.count(session, where) if len(rows) == limit else len(rows)
    if as_json:
        cli.print_json([r.as_dict() for r in rows])
        return
    if not rows:
        cli.out.print("No click days.")
        return
    table = Table("program", "date", "affiliate", "link", "clicks", "impressions")
    for r in rows:
        table.add_row(
            printable(r.program),
            r.day.isoformat(),
            printable(r.affiliate),
            printable(r.link_code or ""),
            f"{r.clicks:,}",
            "" if r.impressions is None else f"{r.impressions:,}",
        )
    cli.out.print(table)
    if total > len(rows):
        cli.err.print(f"Showing {len(rows):,} of {total:,} click days (--limit).")


def export_kind(kind: str, fmt: str, output: Path | None, program: str | None) -> None:
    """`talent export clicks|conversions [--program P]`: the rows of one program (or of
    all), spreadsheet-safe CSV or JSON, to stdout or a file that is not the database."""
    from talent_tui.core.errors import DomainError
    from talent_tui.io import affiliate_exports
    from talent_tui.services.affiliates import lookup

    if fmt not in ("csv", "json"):
        raise cli.usage(f"unknown format {fmt!r} (csv or json)")
    if program is not None and kind not in ("clicks", "conversions"):
        raise cli.usage("--program is for clicks and conversions")
    database = cli.open_db()
    target = None
    if output is not None:
        from talent_tui.io.files import OutputPathError, check_output_path

        try:  # refused before anything is read: the database itself, a folder, …
            target = check_output_path(output, database.path)
        except OutputPathError as exc:
            raise cli.fail(str(exc)) from None
    with database.session() as session:
        try:
            program_id = lookup.find_program(session, program).id if program else None
        except DomainError as exc:
            raise cli.refuse(exc) from None
        text, count = affiliate_exports.render(
            kind, affiliate_exports.rows(session, kind, program_id), fmt
        )
    if target is None:
        sys.stdout.write(printable(text, keep_newlines=True))
        return
    from talent_tui.io.files import write_atomically

    try:
        write_atomically(target, text)
    except OSError as exc:
        raise cli.fail(f"cannot write {output}: {exc.strerror or exc}") from None
    cli.err.print(printable(f"Wrote {count} {kind} row(s) to {output}."))
