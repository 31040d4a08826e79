"""`talent deals due`: across all deals, what is overdue and what is due soon."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from talent_tui.cli import common as cli
from talent_tui.cli.dealkit import read, today
from talent_tui.cli.team import AllOpt, keep
from talent_tui.core.text import printable

deals_app = typer.Typer(help="Across all deals: what is due.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(deals_app, name="deals")


@deals_app.command("due")
def deals_due(
    days: Annotated[int, typer.Option("--days", min=0, max=3650, help="Days ahead.")] = 7,
    everything: AllOpt = False,
    as_json: cli.JsonOpt = False,
) -> None:
    """Overdue and due soon: offer replies, deliverables, invoices and follow-ups."""
    from talent_tui.services import deals

    def query(session: Any) -> list[Any]:
        found = deals.due_items(session, today(), days)
        deals_kept = keep(session, "campaigns", everything)  # team mode: own roster's
        if deals_kept is None:
            return found
        notes_kept = keep(session, "interactions", everything) or set()
        return [
            i
            for i in found
            if (
                i.campaign_id in deals_kept if i.campaign_id is not None else i.ref_id in notes_kept
            )
        ]

    items = read(query)
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
