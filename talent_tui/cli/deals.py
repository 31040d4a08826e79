"""`talent deals due`: across all deals, what is overdue and what is due soon."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from talent_tui.cli import common as cli
from talent_tui.cli.dealkit import read, today
from talent_tui.core.text import printable

deals_app = typer.Typer(help="Across all deals: what is due.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(deals_app, name="deals")


@deals_app.command("due")
def deals_due(
    days: Annotated[int, typer.Option("--days", min=0, max=3650, help="Days ahead.")] = 7,
    as_json: cli.JsonOpt = False,
) -> None:
    """Overdue and due soon: offer replies, deliverables, invoices and follow-ups."""
    from talent_tui.services import deals

    items = read(lambda s: deals.due_items(s, today(), days))
    if as_json:
        cli.print_json([i.to_json() for i in items])
        return
    if not items:
        cli.err.print("Nothing due.")
        return
    table = Table(box=None, header_style="bold")
    for column in ("Due", "What", "Kind", "Campaign"):
        table.add_column(column)
    for i in items:
        due = Text(f"{i.due_on} overdue", "red") if i.overdue else Text(str(i.due_on))
        table.add_row(due, printable(i.label), i.kind, str(i.campaign_id or "—"))
    cli.out.print(table)
