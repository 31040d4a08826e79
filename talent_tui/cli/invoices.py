"""`talent invoices …`: issue an invoice, mark one paid, money outstanding per currency."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from talent_tui.cli import common as cli
from talent_tui.cli.dealkit import IdArg, day, read, run, today
from talent_tui.core.fields import MAX_ID

invoices_app = typer.Typer(help="Invoices per campaign.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(invoices_app, name="invoices")


@invoices_app.command("add")
def invoices_add(
    campaign_id: IdArg,
    amount: Annotated[str, typer.Argument(help='e.g. 1500, "1,500.00 USD"')],
    currency: Annotated[str | None, typer.Argument(help="Default: the campaign's")] = None,
    issued: Annotated[str | None, typer.Option("--issued", help="YYYY-MM-DD (today)")] = None,
    due: Annotated[str | None, typer.Option("--due", help="YYYY-MM-DD (issued + net days)")] = None,
    number: Annotated[str, typer.Option("--number", help="Invoice number.")] = "",
    over_fee_reason: Annotated[
        str,
        typer.Option(
            "--over-fee-reason",
            help="Why this invoice takes the deal's invoices past the agreed fee (kept in the history).",
            show_default=False,
        ),
    ] = "",
) -> None:
    """Issue an invoice for a campaign. A deal's invoices add up to at most its agreed fee,
    unless --over-fee-reason says why."""
    from talent_tui.services import deals

    issued_on = day(issued, "--issued") or today()
    due_on = day(due, "--due")

    def issue(session: Any) -> int:
        try:
            return deals.add_invoice(
                session,
                campaign_id,
                amount,
                currency,
                issued_on,
                due_on,
                cli.actor(),
                number,
                over_fee_reason,
            ).id
        except deals.OverFee as exc:  # nothing is written: the transaction is rolled back
            raise cli.fail(f"{exc} (--over-fee-reason TEXT)") from None

    invoice_id = run(issue)
    cli.out.print(f"Added invoice {invoice_id}.")


@invoices_app.command("paid")
def invoices_paid(
    invoice_id: Annotated[int, typer.Argument(help="Invoice id.", min=1, max=MAX_ID)],
    on: Annotated[str | None, typer.Option("--on", help="YYYY-MM-DD (default today)")] = None,
) -> None:
    """Mark an invoice paid."""
    from talent_tui.services import deals

    paid_on = day(on, "--on") or today()
    run(lambda s: deals.mark_paid(s, invoice_id, paid_on, cli.actor(), today()))
    cli.out.print(f"Invoice {invoice_id} paid on {paid_on}.")


@invoices_app.command("totals")
def invoices_totals(as_json: cli.JsonOpt = False) -> None:
    """Outstanding and overdue money, per currency (never added across currencies)."""
    from talent_tui.services import deals

    totals = read(lambda s: deals.invoice_totals(s, today()))
    if as_json:
        cli.print_json({"outstanding": totals.outstanding, "overdue": totals.overdue})
        return
    cli.out.print(f"Outstanding: {deals.format_totals(totals.outstanding)}")
    cli.out.print(f"Overdue:     {deals.format_totals(totals.overdue)}")
