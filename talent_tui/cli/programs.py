"""`talent programs …`: affiliate programs (add, list, show) and their onboarding checklist."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from talent_tui.cli import common as cli
from talent_tui.cli.common import JsonOpt
from talent_tui.cli.refusals import refused
from talent_tui.core.text import printable

programs_app = typer.Typer(help="Affiliate programs of an advertiser.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(programs_app, name="programs")


@programs_app.command("add")
@refused
def programs_add(
    name: Annotated[str, typer.Argument(help="The program's name.")],
    brand: Annotated[str, typer.Option("--brand", help="The advertiser: a brand's name or id.")],
    currency: Annotated[str, typer.Option("--currency", help="ISO code, e.g. USD.")],
    rate: Annotated[str, typer.Option("--rate", help="Base commission, e.g. 10% or 12.5%.")],
    lock_days: Annotated[int, typer.Option("--lock-days", help="Days before a sale locks.")] = 30,
    net_days: Annotated[int, typer.Option("--net-days", help="Payout terms in days.")] = 30,
    attribution_days: Annotated[
        int, typer.Option("--cookie-days", help="Cookie window in days.")
    ] = 30,
    forbid: Annotated[
        str, typer.Option("--forbid", help='Forbidden traffic sources: "a; b".')
    ] = "",
    terms: Annotated[str, typer.Option("--terms", help="The program's terms.")] = "",
) -> None:
    """Create an affiliate program for an advertiser."""
    from talent_tui.services.affiliates import programs

    database = cli.open_db()
    data = programs.ProgramInput(
        name, brand, currency, rate, attribution_days, lock_days, net_days, forbid, terms
    )
    with database.transaction() as session:
        program = programs.add_program(session, data, cli.actor())
        line = f"Added program {program.name} (#{program.id}, {program.slug})."
    cli.out.print(printable(line))


@programs_app.command("list")
@refused
def programs_list(as_json: JsonOpt = False) -> None:
    """Every program, with its affiliates per stage."""
    from talent_tui.services.affiliates import programs

    database = cli.open_db()
    with database.session() as session:
        views = programs.list_programs(session)
    if as_json:
        cli.print_json([v.as_dict() for v in views])
        return
    if not views:
        cli.out.print("No programs yet: talent programs add NAME --brand B --currency C --rate 10%")
        return
    table = Table("id", "program", "advertiser", "rate", "cur", "affiliates", "active")
    for v in views:
        table.add_row(
            str(v.id),
            printable(v.name),
            printable(v.brand),
            v.rate,
            v.currency,
            str(v.affiliates),
            str(v.stages.get("active", 0)),
        )
    cli.out.print(table)


@programs_app.command("show")
@refused
def programs_show(
    program: Annotated[str, typer.Argument(help="Program name, slug or id.")],
    as_json: JsonOpt = False,
) -> None:
    """A program: terms, windows, forbidden sources, checklist, affiliates per stage."""
    from talent_tui.services.affiliates import programs

    database = cli.open_db()
    with database.session() as session:
        view = programs.show_program(session, program)
    if as_json:
        cli.print_json(view.as_dict())
        return
    lines = [
        f"{view.name}  #{view.id}  ({view.slug})",
        f"  advertiser: {view.brand}",
        f"  base rate: {view.rate} · currency {view.currency}",
        f"  cookie {view.attribution_days} d · lock {view.lock_days} d · net {view.net_days} d",
        f"  forbidden sources: {'; '.join(view.forbidden) or '(none)'}",
        f"  checklist: {'; '.join(view.checklist) or '(empty)'}",
        "  affiliates: "
        + ", ".join(f"{stage} {n}" for stage, n in view.stages.items() if n)
        + ("(none)" if not view.affiliates else ""),
    ]
    if view.terms:
        lines.append(f"  terms: {view.terms}")
    for line in lines:
        cli.out.print(printable(line), soft_wrap=True)


@programs_app.command("checklist")
@refused
def programs_checklist(
    program: Annotated[str, typer.Argument(help="Program name, slug or id.")],
    items: Annotated[str, typer.Argument(help='The items in order: "item; item" ("" clears).')],
) -> None:
    """Set a program's onboarding checklist (kept items keep their ticks)."""
    from talent_tui.services.affiliates import lookup, programs

    database = cli.open_db()
    with database.transaction() as session:
        chosen = lookup.find_program(session, program)
        assert chosen.id is not None
        saved = programs.set_checklist(session, chosen.id, items, cli.actor())
        name = chosen.name
    if saved:
        cli.out.print(printable(f"{name}: checklist set ({len(saved)} items)."))
    else:
        cli.out.print(printable(f"{name}: checklist cleared."))
