"""`talent programs …`: affiliate programs (add, list, show) and their onboarding checklist."""

from __future__ import annotations

from pathlib import Path
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


# ---- commission rules and fraud thresholds (issue 16) -----------------------------------------


def _program_in(session, ref: str):  # noqa: ANN001, ANN202
    from talent_tui.services.affiliates import lookup

    return lookup.find_program(session, ref)


@programs_app.command("tier")
@refused
def programs_tier(
    program: Annotated[str, typer.Argument(help="Program name, slug or id.")],
    start: Annotated[
        int, typer.Option("--from", help="From this many conversions in a month.", min=1)
    ],
    rate: Annotated[
        str | None, typer.Option("--rate", help="The tier's rate for all of them, e.g. 12%.")
    ] = None,
    remove: Annotated[bool, cli.flag("--remove", help="Remove the tier from N.")] = False,
) -> None:
    """Set (or --remove) a commission tier: from N conversions in a month, R% on all of them."""
    from talent_tui.core.fields import format_bp
    from talent_tui.services.affiliates import commissions

    if (rate is None) == (not remove):
        raise cli.usage("give --rate R% to set the tier, or --remove to remove it")
    database = cli.open_db()
    with database.transaction() as session:
        chosen = _program_in(session, program)
        rule = commissions.set_tier(session, chosen, start, rate, cli.actor())
        name = chosen.name
    if rule is None:
        cli.out.print(printable(f"{name}: tier from {start} conversions removed."))
    else:
        assert rule.rate_bp is not None
        cli.out.print(
            printable(f"{name}: from {start} conversions a month, {format_bp(rule.rate_bp)}.")
        )


@programs_app.command("promo")
@refused
def programs_promo(
    program: Annotated[str, typer.Argument(help="Program name, slug or id.")],
    rate: Annotated[
        str | None, typer.Option("--rate", help="The promotion's rate, e.g. 20%.")
    ] = None,
    start: Annotated[
        str | None, typer.Option("--from", help="First day, YYYY-MM-DD (UTC).")
    ] = None,
    end: Annotated[str | None, typer.Option("--to", help="Last day, YYYY-MM-DD, included.")] = None,
    remove: Annotated[
        int | None, typer.Option("--remove", help="Remove the promotion with this id.", min=1)
    ] = None,
) -> None:
    """Add a promotion: conversions from --from to --to (both included) earn the greater of
    their tier rate and R%."""
    from talent_tui.core.fields import format_bp
    from talent_tui.services.affiliates import commissions

    database = cli.open_db()
    if remove is not None:
        if rate or start or end:
            raise cli.usage("--remove takes only the promotion's id")
        with database.transaction() as session:
            chosen = _program_in(session, program)
            commissions.remove_rule(session, chosen, remove, cli.actor())
            name = chosen.name
        cli.out.print(printable(f"{name}: promotion #{remove} removed."))
        return
    if not (rate and start and end):
        raise cli.usage("a promotion needs --rate, --from and --to")
    with database.transaction() as session:
        chosen = _program_in(session, program)
        rule = commissions.add_promotion(session, chosen, rate, start, end, cli.actor())
        assert rule.rate_bp is not None
        line = (
            f"{chosen.name}: promotion #{rule.id}, {format_bp(rule.rate_bp)} for conversions "
            f"{rule.starts_on} to {rule.ends_on}."
        )
    cli.out.print(printable(line))


@programs_app.command("bonus")
@refused
def programs_bonus(
    program: Annotated[str, typer.Argument(help="Program name, slug or id.")],
    at: Annotated[int, typer.Option("--at", help="At this many conversions in a month.", min=1)],
    amount: Annotated[
        str | None, typer.Option("--amount", help='Paid once per month, e.g. "100 USD".')
    ] = None,
    remove: Annotated[bool, cli.flag("--remove", help="Remove the bonus at N.")] = False,
) -> None:
    """Set (or --remove) a bonus paid once per affiliate and month reaching N conversions."""
    from talent_tui.core.money import format_money
    from talent_tui.services.affiliates import commissions

    if (amount is None) == (not remove):
        raise cli.usage('give --amount "100 USD" to set the bonus, or --remove to remove it')
    database = cli.open_db()
    with database.transaction() as session:
        chosen = _program_in(session, program)
        rule = commissions.set_bonus(session, chosen, at, amount, cli.actor())
        name, currency = chosen.name, chosen.currency
    if rule is None:
        cli.out.print(printable(f"{name}: bonus at {at} conversions removed."))
    else:
        assert rule.amount_minor is not None
        paid = format_money(rule.amount_minor, currency)
        cli.out.print(printable(f"{name}: {paid} bonus at {at} conversions a month."))


@programs_app.command("fraud")
@refused
def programs_fraud(
    program: Annotated[str, typer.Argument(help="Program name, slug or id.")],
    outlier_x: Annotated[
        str | None, typer.Option("--outlier-x", help="Conversion rate above X× the median.")
    ] = None,
    outlier_min_clicks: Annotated[
        int | None, typer.Option("--outlier-min-clicks", help="…with at least N clicks.")
    ] = None,
    spike_x: Annotated[
        str | None, typer.Option("--spike-x", help="A day's clicks above X× the median.")
    ] = None,
    spike_days: Annotated[
        int | None, typer.Option("--spike-days", help="…of the D days before.")
    ] = None,
    too_fast_s: Annotated[
        int | None, typer.Option("--too-fast-s", help="Order within S seconds of its click.")
    ] = None,
    forbid: Annotated[
        str | None,
        typer.Option("--forbid", help='Forbidden traffic sources: "a; b" ("" for none).'),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Show or set a program's fraud-review thresholds and forbidden sources (checked from
    the next import on)."""
    from talent_tui.services.affiliates import programs, review

    database = cli.open_db()
    numbers = (outlier_x, outlier_min_clicks, spike_x, spike_days, too_fast_s)
    changing = any(v is not None for v in numbers) or forbid is not None
    with database.transaction() if changing else database.session() as session:
        chosen = _program_in(session, program)
        assert chosen.id is not None
        if forbid is not None:
            programs.set_forbidden(session, chosen, forbid, cli.actor())
        if any(v is not None for v in numbers):
            limits = review.set_thresholds(
                session,
                chosen,
                cli.actor(),
                outlier_x=outlier_x,
                outlier_min_clicks=outlier_min_clicks,
                spike_x=spike_x,
                spike_days=spike_days,
                too_fast_s=too_fast_s,
            )
        else:
            limits = review.thresholds(session, chosen.id)
        name = chosen.name
        forbidden = programs.split_list(chosen.forbidden_sources)
    if as_json:
        cli.print_json(limits.as_dict() | {"forbidden": forbidden})
        return
    data = limits.as_dict()
    cli.out.print(
        printable(
            f"{name}: outlier above {data['outlier_x']}× the median with ≥ "
            f"{data['outlier_min_clicks']} clicks · click spike above {data['spike_x']}× the "
            f"median of {data['spike_days']} days · too fast within {data['too_fast_s']} s · "
            f"forbidden sources: {'; '.join(forbidden) or '(none)'}"
        ),
        soft_wrap=True,
    )


@programs_app.command("rules")
@refused
def programs_rules(
    program: Annotated[str, typer.Argument(help="Program name, slug or id.")],
    as_json: JsonOpt = False,
) -> None:
    """A program's money rules in force: base rate, tiers, promotions, bonuses, lock and net
    days, fraud thresholds."""
    from talent_tui.services.affiliates import money_terms

    database = cli.open_db()
    with database.session() as session:
        chosen = _program_in(session, program)
        view = money_terms.money_rules(session, chosen)
    if as_json:
        cli.print_json(view.as_dict())
        return
    for line in view.lines():
        cli.out.print(printable(line), soft_wrap=True)


@programs_app.command("terms")
@refused
def programs_terms(
    program: Annotated[str, typer.Argument(help="Program name, slug or id.")],
    rate: Annotated[str | None, typer.Option("--rate", help="Base rate, e.g. 10%.")] = None,
    lock_days: Annotated[int | None, typer.Option("--lock-days")] = None,
    net_days: Annotated[int | None, typer.Option("--net-days")] = None,
) -> None:
    """Change a program's base rate, lock days or payout net days (statements already built
    keep theirs)."""
    from talent_tui.services.affiliates import money_terms, programs

    if rate is None and lock_days is None and net_days is None:
        raise cli.usage("give --rate, --lock-days or --net-days")
    database = cli.open_db()
    with database.transaction() as session:
        chosen = _program_in(session, program)
        programs.set_money_terms(
            session, chosen, cli.actor(), rate=rate, lock_days=lock_days, net_days=net_days
        )
        view = money_terms.money_rules(session, chosen)
    cli.out.print(printable(view.lines()[0]), soft_wrap=True)


@programs_app.command("report")
@refused
def programs_report(
    program: Annotated[str, typer.Argument(help="Program name, slug or id.")],
    month: Annotated[str | None, typer.Option("--month", "-m", help="YYYY-MM.")] = None,
    quarter: Annotated[str | None, typer.Option("--quarter", help="YYYY-Qn.")] = None,
    start: Annotated[str | None, typer.Option("--from", help="First day, YYYY-MM-DD.")] = None,
    end: Annotated[str | None, typer.Option("--to", help="Last day, YYYY-MM-DD.")] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="md, csv or html.")] = "md",
    management: Annotated[
        bool,
        cli.flag("--management", help="Add pipeline movement and payout timeliness."),
    ] = False,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="File to write.")] = None,
) -> None:
    """A program's report for a period: clicks, conversions, revenue, AOV, commissions and
    bonuses, cost of sale, ROI, top affiliates, held and rejected conversions."""
    from talent_tui.cli.insights import _write
    from talent_tui.core.dates import today
    from talent_tui.io import affiliate_reports
    from talent_tui.services.affiliates import program_report

    if fmt not in ("md", "csv", "html"):
        raise cli.usage(f"--format: md, csv or html, not {fmt!r}")
    database = cli.open_db()
    with database.session() as session:
        chosen = _program_in(session, program)
        period = program_report.choose_period(today(), month, quarter, start, end)
        report = program_report.build_report(
            session, chosen, period, today(), management=management
        )
    _write(output, affiliate_reports.render(report, fmt), database)
