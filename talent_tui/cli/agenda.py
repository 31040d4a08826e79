"""`talent agenda`: everything due across the roster, by date, overdue first, each with what
to do next."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table

from talent_tui.cli import common as cli
from talent_tui.cli.dealkit import read, today
from talent_tui.cli.team import AllOpt, keep
from talent_tui.core.text import printable


def register(app: typer.Typer) -> None:
    app.command("agenda")(agenda_cmd)


def agenda_cmd(
    days: Annotated[
        int, typer.Option("--days", min=0, max=3650, help="Days ahead (overdue always shows).")
    ] = 14,
    everything: AllOpt = False,
    as_json: cli.JsonOpt = False,
) -> None:
    """Everything due, by date, overdue first, with what to do next.

    Offers to answer, deliverables, campaigns to start or past their end, unpaid invoices,
    follow-ups, and usage rights ending within 30 days: what is due within --days days, and
    everything overdue (in red)."""
    from talent_tui.core.dates import days_after
    from talent_tui.services import agenda

    day = today()

    def query(session: Any) -> list[agenda.AgendaItem]:
        found = agenda.agenda(session, day, days)
        kept = keep(session, "creators", everything)  # team mode: the own roster's by default
        if kept is None:
            return found
        return [i for i in found if i.creator_id is None or i.creator_id in kept]

    items = read(query)
    if as_json:
        cli.print_json([i.to_json() for i in items])
        return
    if not items:
        cli.err.print(f"Nothing due in the next {days} days, and nothing overdue.")
        return
    late = agenda.overdue_count(items)
    cli.err.print(
        f"{len(items)} item(s) due by {days_after(day, days).isoformat()}"
        + (f", {late} overdue" if late else "")
        + "."
    )
    table = Table(box=None, header_style="bold")
    for column in ("Due", "Creator", "What", "Deal"):
        table.add_column(column, justify="right" if column == "Deal" else "left")
    for i in items:
        table.add_row(
            f"{i.due_on} late" if i.overdue else str(i.due_on),
            printable(i.creator or "—"),
            printable(i.what),
            f"#{i.campaign_id}" if i.campaign_id else "",
            style="red" if i.overdue else None,
        )
    cli.out.print(table)
