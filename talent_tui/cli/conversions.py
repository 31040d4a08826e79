"""`talent conversions …`: orders imported from tracking platforms."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from talent_tui.cli import common as cli
from talent_tui.cli.common import JsonOpt
from talent_tui.cli.refusals import refused
from talent_tui.core.text import printable

conversions_app = typer.Typer(help="Orders imported from tracking platforms.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(conversions_app, name="conversions")


@conversions_app.command("mismatches")
@refused
def conversions_mismatches(
    program: Annotated[
        str | None, typer.Option("--program", "-p", help="Program name, slug or id.")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=100_000)] = 1000,
    as_json: JsonOpt = False,
) -> None:
    """Orders whose platform commission is off its own rate by more than one minor unit."""
    from talent_tui.core.fields import format_bp
    from talent_tui.core.money import format_money
    from talent_tui.services.affiliates import conversions, lookup

    database = cli.open_db()
    with database.session() as session:
        program_id = lookup.find_program(session, program).id if program else None
        rows = conversions.mismatches(session, program_id, limit=limit)
    if as_json:
        cli.print_json([m.as_dict() for m in rows])
        return
    if not rows:
        cli.out.print("No mismatches: every platform commission matches its rate.")
        return
    table = Table("program", "order", "affiliate", "net", "rate", "expected", "actual", "diff")
    for m in rows:
        cur = m.currency
        table.add_row(
            printable(m.program),
            printable(m.order_id),
            printable(m.affiliate),
            format_money(m.amount_minor - m.refund_minor, cur),
            format_bp(m.rate_bp),
            format_money(m.expected_minor, cur, with_code=False),
            format_money(m.actual_minor, cur, with_code=False),
            format_money(m.difference_minor, cur, with_code=False),
        )
    cli.out.print(table)
