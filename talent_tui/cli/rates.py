"""`talent rates …`: a creator's rate card."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from talent_tui.cli.common import (
    JsonOpt,
    fail,
    open_db,
    out,
    print_json,
    refuse,
    resolve_creator,
)
from talent_tui.core.text import printable

rates_app = typer.Typer(help="A creator's rate card.", no_args_is_help=True)


@rates_app.command("set")
def rates_set(
    creator: Annotated[str, typer.Argument(help="Id or TikTok handle.")],
    deliverable: Annotated[str, typer.Argument(help="video, live, story, bundle, ugc, ...")],
    amount: Annotated[str, typer.Argument(help='e.g. 1200.50, "1,200.50 USD" or ₩1500000')],
    currency: Annotated[
        str | None, typer.Argument(help="ISO code, unless AMOUNT names one", show_default=False)
    ] = None,
) -> None:
    """Add or change a creator's rate for one deliverable type."""
    from talent_tui.core.errors import DomainError
    from talent_tui.core.money import format_money
    from talent_tui.services import creators

    database = open_db()
    try:
        with database.transaction() as session:
            creator_id = resolve_creator(session, creator)
            rate, created = creators.set_rate(session, creator_id, deliverable, amount, currency)
            text = format_money(rate.amount_minor, rate.currency)
            kind = rate.deliverable
    except DomainError as exc:
        raise refuse(exc) from None
    out.print(f"{'Added' if created else 'Set'} {kind} rate: {text}.")


@rates_app.command("remove")
def rates_remove(
    creator: Annotated[str, typer.Argument(help="Id or TikTok handle.")],
    deliverable: Annotated[str, typer.Argument(help="The deliverable type to remove.")],
) -> None:
    """Remove a creator's rate for one deliverable type."""
    from talent_tui.core.errors import DomainError
    from talent_tui.services import creators

    database = open_db()
    try:
        with database.transaction() as session:
            creator_id = resolve_creator(session, creator)
            removed = creators.remove_rate(session, creator_id, deliverable)
    except DomainError as exc:
        raise refuse(exc) from None
    if not removed:
        raise fail(f"no {deliverable!r} rate to remove")
    out.print(printable(f"Removed the {deliverable} rate."))


@rates_app.command("list")
def rates_list(
    creator: Annotated[str, typer.Argument(help="Id or TikTok handle.")],
    as_json: JsonOpt = False,
) -> None:
    """A creator's rate card."""
    from talent_tui.core.money import format_money
    from talent_tui.services import creators

    database = open_db()
    with database.session() as session:
        rates = creators.rates_of(session, resolve_creator(session, creator))
    if as_json:
        print_json(
            [
                {
                    "deliverable": r.deliverable,
                    "amount_minor": r.amount_minor,
                    "currency": r.currency,
                    "updated_at": r.updated_at.isoformat(),
                }
                for r in rates
            ]
        )
        return
    table = Table(box=None, header_style="bold")
    table.add_column("Deliverable")
    table.add_column("Rate", justify="right")
    for r in rates:
        table.add_row(printable(r.deliverable), format_money(r.amount_minor, r.currency))
    out.print(table)


def register(app: typer.Typer) -> None:
    app.add_typer(rates_app, name="rates")
