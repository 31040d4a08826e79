"""`talent review …`: conversions the fraud rules hold, waiting for a person's decision."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from talent_tui.cli import common as cli
from talent_tui.cli.common import JsonOpt
from talent_tui.cli.refusals import refused
from talent_tui.cli.team import AllOpt, scope
from talent_tui.core.text import printable

review_app = typer.Typer(help="Fraud review: held conversions and decisions.", no_args_is_help=True)

ReasonOpt = Annotated[str, typer.Option("--reason", help="Why (kept in the history).")]


def register(app: typer.Typer) -> None:
    app.add_typer(review_app, name="review")


@review_app.command("list")
@refused
def review_list(
    program: Annotated[
        str | None, typer.Option("--program", "-p", help="Program name, slug or id.")
    ] = None,
    status: Annotated[
        str, typer.Option("--status", help="open, approved, rejected or all.")
    ] = "open",
    limit: Annotated[int, typer.Option("--limit", min=1, max=100_000)] = 500,
    everything: AllOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """The review queue: each flag with its rule, why in words, the orders it holds. In team
    mode the flags on your own affiliates; --all: everyone's your role may see."""
    from talent_tui.core.money import format_money
    from talent_tui.services.affiliates import lookup, review

    wanted = cli.choice("--status", review.parse_status, status)
    database = cli.open_db()
    with database.session() as session:
        program_id = lookup.find_program(session, program).id if program else None
        manager_id, unassigned = scope(session, everything)  # team mode: own ones by default
        views = review.queue(
            session,
            program_id=program_id,
            status=wanted,
            manager_id=manager_id,
            unassigned=unassigned,
            limit=limit,
        )
    if as_json:
        cli.print_json({"flags": [v.as_dict() for v in views]})
        return
    if not views:
        cli.out.print("Nothing waits in review." if wanted == "open" else "No flags.")
        return
    table = Table("id", "affiliate", "held", "status", "why (rule: reason)")
    for v in views:
        table.add_row(
            str(v.id),
            printable(v.affiliate),
            f"{len(v.orders)} · {format_money(v.held_minor, v.currency)}",
            v.status,
            printable(v.reason),
        )
    cli.out.print(table)


def _decide(flag_id: int, approve: bool, reason: str) -> None:
    from talent_tui.core.dates import today
    from talent_tui.services.affiliates import review

    database = cli.open_db()
    with database.transaction() as session:
        # team mode: a manager decides the flags on their own and unassigned affiliates
        manager_id, unassigned = scope(session, True)
        view = review.decide(
            session,
            flag_id,
            approve,
            reason,
            cli.actor(),
            today(),
            manager_id=manager_id,
            unassigned=unassigned,
        )
    verb = "approved: released" if approve else "rejected: reversed"
    orders = ", ".join(view.orders) or "no conversion held"
    cli.out.print(printable(f"Flag #{view.id} {verb} ({orders})."), soft_wrap=True)


@review_app.command("approve")
@refused
def review_approve(
    flag_id: Annotated[int, typer.Argument(help="The flag's id (review list).", min=1)],
    reason: ReasonOpt,
) -> None:
    """Approve a flag: its conversions count again (once no other flag holds them)."""
    _decide(flag_id, True, reason)


@review_app.command("reject")
@refused
def review_reject(
    flag_id: Annotated[int, typer.Argument(help="The flag's id (review list).", min=1)],
    reason: ReasonOpt,
) -> None:
    """Reject a flag: its conversions are reversed and earn nothing."""
    _decide(flag_id, False, reason)
