"""`talent payouts …`: statements per affiliate and month, paid on time."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from talent_tui.cli import common as cli
from talent_tui.cli.common import JsonOpt
from talent_tui.cli.refusals import refused
from talent_tui.core.text import printable

payouts_app = typer.Typer(help="Affiliate statements and payouts.", no_args_is_help=True)

MonthOpt = Annotated[str, typer.Option("--month", "-m", help="YYYY-MM.")]


def register(app: typer.Typer) -> None:
    app.add_typer(payouts_app, name="payouts")


def _table(views: list) -> Table:  # noqa: ANN001 - list of payouts.StatementView
    """Narrow enough for 80 columns: commission, bonus and adjustments are in `show`."""
    from talent_tui.core.money import format_money

    rows = [
        (
            str(v.id),
            v.month_label,
            printable(v.program),
            printable(v.affiliate),
            str(v.conversions),
            format_money(v.total_minor, v.currency),
            v.due_on.isoformat(),
            Text("overdue", style="bold red") if v.overdue else Text(v.status),
        )
        for v in views
    ]
    columns = [("id", True), ("month", False), ("program", False), ("affiliate", False)]
    columns += [("conv", True), ("total", True), ("due", False), ("status", False)]
    # the affiliate's name first: it says who is paid
    return cli.fitted_table(columns, rows, names=("affiliate", "program"))


def _totals(views: list, label: str = "Total") -> None:  # noqa: ANN001
    from talent_tui.services.affiliates import payouts

    sums = payouts.totals(views).lines()
    if sums:
        cli.out.print(f"{label}: " + " · ".join(sums))


@payouts_app.command("build")
@refused
def payouts_build(
    program: Annotated[str, typer.Option("--program", "-p", help="Program name, slug or id.")],
    month: MonthOpt,
    as_json: JsonOpt = False,
) -> None:
    """Build a month's statements: one per affiliate and currency (refused until the month's
    last day + lock days; building again changes nothing)."""
    from talent_tui.core.dates import today
    from talent_tui.services.affiliates import lookup, payouts

    database = cli.open_db()
    with database.transaction() as session:
        chosen = lookup.find_program(session, program)
        result = payouts.build(session, chosen, payouts.parse_month(month), today(), cli.actor())
        name = chosen.name
    if as_json:
        cli.print_json(result.as_dict())
        return
    kept = len(result.statements) - result.built
    cli.out.print(
        printable(
            f"{name} {result.month_label}: {result.built} statement(s) built"
            + (f", {kept} already built (unchanged)." if kept else ".")
        )
    )
    if result.late_words:
        cli.out.print(printable(result.late_words))
    if result.statements:
        cli.out.print(_table(result.statements))
        _totals([v for v in result.statements if v.status == "open"])


@payouts_app.command("list")
@refused
def payouts_list(
    program: Annotated[
        str | None, typer.Option("--program", "-p", help="Program name, slug or id.")
    ] = None,
    month: Annotated[str | None, typer.Option("--month", "-m", help="YYYY-MM.")] = None,
    status: Annotated[
        str | None, typer.Option("--status", help="open, paid, overdue, carried or zero.")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=100_000)] = 1000,
    as_json: JsonOpt = False,
) -> None:
    """Statements, newest month first; overdue ones in red; totals per currency."""
    from talent_tui.core.dates import today
    from talent_tui.services.affiliates import lookup, payouts

    wanted = cli.choice("--status", payouts.parse_status, status) if status else None
    database = cli.open_db()
    with database.session() as session:
        program_id = lookup.find_program(session, program).id if program else None
        views = payouts.statements(
            session,
            program_id=program_id,
            month=payouts.parse_month(month) if month else None,
            status=wanted,
            today=today(),
            limit=limit,
        )
    if as_json:
        cli.print_json({"statements": [v.as_dict() | {"month": v.month_label,
                        "program": v.program, "overdue": v.overdue} for v in views]})  # fmt: skip
        return
    if not views:
        cli.out.print("No statements.")
        return
    cli.out.print(_table(views))
    # the statements listed may span months: a carried total is already in the next one
    _totals([v for v in views if v.status == "open"], "To pay")


@payouts_app.command("pay")
@refused
def payouts_pay(
    statement_id: Annotated[int, typer.Argument(help="The statement's id.", min=1)],
    paid_on: Annotated[
        str | None, typer.Option("--paid-on", help="YYYY-MM-DD (default: today).")
    ] = None,
    reference: Annotated[
        str | None, typer.Option("--reference", help="The payment's reference.")
    ] = None,
) -> None:
    """Mark a statement paid (refused if it was paid already, with when and by whom)."""
    from talent_tui.core.dates import today
    from talent_tui.core.money import format_money
    from talent_tui.services.affiliates import payouts

    database = cli.open_db()
    with database.transaction() as session:
        view = payouts.pay(
            session, statement_id, cli.actor(), today=today(), paid_on=paid_on, reference=reference
        )
    amount = format_money(view.total_minor, view.currency)
    cli.out.print(
        printable(f"Statement #{view.id} ({view.affiliate}, {view.month_label}): {amount} paid "
                  f"on {view.paid_on}" + (f", ref {view.reference}." if view.reference else "."))
    )  # fmt: skip


@payouts_app.command("show")
@refused
def payouts_show(
    statement_id: Annotated[int, typer.Argument(help="The statement's id.", min=1)],
    as_json: JsonOpt = False,
) -> None:
    """A statement: every conversion with its rate and why that rate, bonuses, adjustments."""
    from talent_tui.core.dates import today
    from talent_tui.core.money import format_money
    from talent_tui.services.affiliates import payouts

    database = cli.open_db()
    with database.session() as session:
        view = payouts.show(session, statement_id, today())
    if as_json:
        cli.print_json(view.as_full_dict())
        return
    cur = view.currency
    state = "OVERDUE" if view.overdue else view.status
    head = (
        f"Statement #{view.id} · {view.program} · {view.affiliate} · {view.month_label} · {state}"
    )
    cli.out.print(Text(printable(head), style="bold red" if view.overdue else "bold"))
    table = Table("order", "day", "net", "rate", "amount", "why")
    for line in view.lines:
        table.add_row(
            printable(line.order_id or line.kind),
            line.occurred_at.strftime("%m-%d") if line.occurred_at else "",
            # a bonus has no net; an order refunded in full has 0.00
            format_money(line.net_minor, cur, with_code=False)
            if line.kind == "conversion" or line.net_minor
            else "",
            line.rate,
            format_money(line.amount_minor, cur, with_code=False),
            printable(line.why),
        )
    cli.out.print(table)
    rows = [
        ("conversions", str(view.conversions)),
        ("commission", format_money(view.commission_minor, cur)),
        ("bonus", format_money(view.bonus_minor, cur)),
        ("adjustments", format_money(view.adjustments_minor, cur)),
        ("total", format_money(view.total_minor, cur)),
        ("due", view.due_on.isoformat()),
    ]
    if view.carried_forward_minor:
        rows.append(("carried forward", format_money(view.carried_forward_minor, cur)))
    if view.paid_on:
        rows.append(("paid", f"{view.paid_on} by {view.paid_by} ref {view.reference or '—'}"))
    for label, value in rows:
        cli.out.print(printable(f"  {label}: {value}"))


@payouts_app.command("export")
@refused
def payouts_export(
    month: MonthOpt,
    output: Annotated[Path, typer.Option("--output", "-o", help="The payment file (CSV).")],
    program: Annotated[
        str | None, typer.Option("--program", "-p", help="Program name, slug or id.")
    ] = None,
    status: Annotated[
        str, typer.Option("--status", help="Which statements: open (default), paid, all.")
    ] = "open",
) -> None:
    """A payment file for a month: one row per statement, spreadsheet-safe."""
    from talent_tui.core.dates import today
    from talent_tui.io import affiliate_reports
    from talent_tui.io.files import OutputPathError, check_output_path, write_atomically
    from talent_tui.services.affiliates import lookup, payouts

    status = status.strip().lower()
    if status not in ("open", "paid", "all"):
        raise cli.usage(f"--status: open, paid or all, not {status!r}")
    database = cli.open_db()
    with database.session() as session:
        program_id = lookup.find_program(session, program).id if program else None
        views = payouts.statements(
            session,
            program_id=program_id,
            month=payouts.parse_month(month),
            status=None if status == "all" else status,
            today=today(),
        )
        text = affiliate_reports.payment_file(session, views)
    try:
        target = check_output_path(output, database.path)
    except OutputPathError as exc:
        raise cli.fail(str(exc)) from None
    try:
        write_atomically(target, text)
    except OSError as exc:
        raise cli.fail(f"cannot write {output}: {exc.strerror or exc}") from None
    rows = len(payouts.payable(views))  # a statement with nothing to pay has no row
    cli.err.print(printable(f"Wrote {rows} statement(s) to {output}."), soft_wrap=True)
