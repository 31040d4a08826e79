"""`talent affiliates …`: affiliates in programs, their pipeline, KPIs, and recruiting."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table

from talent_tui.cli import common as cli
from talent_tui.cli.common import JsonOpt, ProgramOpt
from talent_tui.cli.refusals import refused
from talent_tui.cli.team import AllOpt, keep
from talent_tui.core.text import printable

affiliates_app = typer.Typer(
    help="Affiliates: pipeline, checklist, KPIs, recruiting.", no_args_is_help=True
)


def register(app: typer.Typer) -> None:
    from talent_tui.cli.team import affiliates_assign  # team mode (issue 17)

    affiliates_app.command("assign")(affiliates_assign)
    app.add_typer(affiliates_app, name="affiliates")


@affiliates_app.command("add")
@refused
def affiliates_add(
    handle: Annotated[
        str, typer.Argument(help="@handle (a roster creator's TikTok handle links them).")
    ],
    program: ProgramOpt = None,
    name: Annotated[str | None, typer.Option("--name")] = None,
    email: Annotated[str | None, typer.Option("--email")] = None,
    site: Annotated[str | None, typer.Option("--site", help="Site or channel URL.")] = None,
    stage: Annotated[str, typer.Option("--stage", help="Pipeline stage.")] = "prospect",
) -> None:
    """Add an affiliate to a program."""
    from talent_tui.services.affiliates import lookup, members

    cli.choice("--stage", members.parse_stage, stage)
    database = cli.open_db()
    with database.transaction() as session:
        chosen = lookup.find_program(session, program)
        assert chosen.id is not None
        data = members.AffiliateInput(handle, name, email, site, stage)
        affiliate = members.add_affiliate(session, chosen.id, data, cli.actor())
        roster = " (a roster creator)" if affiliate.creator_id else ""
        line = f"Added {affiliate.handle} to {chosen.name} as {affiliate.stage.value}{roster}."
    cli.out.print(printable(line))


@affiliates_app.command("stage")
@refused
def affiliates_stage(
    handle: Annotated[str, typer.Argument(help="The affiliate's handle.")],
    stage: Annotated[
        str,
        typer.Argument(
            help="prospect, contacted, applied, onboarding, active, paused, ended, rejected"
        ),
    ],
    program: ProgramOpt = None,
) -> None:
    """Move an affiliate to another stage (active needs every checklist item ticked)."""
    from talent_tui.services.affiliates import lookup, members

    wanted = cli.choice("STAGE", members.parse_stage, stage)
    database = cli.open_db()
    with database.transaction() as session:
        chosen = lookup.find_program(session, program)
        assert chosen.id is not None
        affiliate = lookup.find_affiliate(session, chosen.id, handle)
        change = members.set_stage(session, affiliate, wanted, cli.actor())
        assert change.from_stage is not None
        line = f"{affiliate.handle}: {change.from_stage.value} → {change.to_stage.value}."
    cli.out.print(printable(line))


@affiliates_app.command("tick")
@refused
def affiliates_tick(
    handle: Annotated[str, typer.Argument(help="The affiliate's handle.")],
    item: Annotated[str, typer.Argument(help="The checklist item (its text or number).")],
    program: ProgramOpt = None,
) -> None:
    """Tick one onboarding checklist item for an affiliate."""
    from talent_tui.services.affiliates import lookup, members

    database = cli.open_db()
    with database.transaction() as session:
        chosen = lookup.find_program(session, program)
        assert chosen.id is not None
        affiliate = lookup.find_affiliate(session, chosen.id, handle)
        ticked = members.tick(session, affiliate, item, cli.actor())
        missing = members.missing_ticks(session, affiliate)
        line = f"{affiliate.handle}: ticked {ticked.label!r}; " + (
            f"{len(missing)} to go." if missing else "checklist complete."
        )
    cli.out.print(printable(line))


@affiliates_app.command("list")
@refused
def affiliates_list(
    program: Annotated[
        str | None, typer.Option("--program", "-p", help="Program name, slug or id.")
    ] = None,
    stage: Annotated[str | None, typer.Option("--stage", help="Only this stage.")] = None,
    everything: AllOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Affiliates (of one program, at one stage)."""
    from talent_tui.services.affiliates import lookup, members

    chosen = cli.choice("--stage", members.parse_stage, stage) if stage is not None else None
    database = cli.open_db()
    with database.session() as session:
        program_id = None
        if program is not None:
            program_id = lookup.find_program(session, program).id
        rows = members.list_affiliates(session, program_id, chosen)
        kept = keep(session, "affiliates", everything)  # team mode: own ones by default
        if kept is not None:
            rows = [r for r in rows if r.id in kept]
    if as_json:
        cli.print_json([r.as_dict() for r in rows])
        return
    if not rows:
        cli.out.print("No affiliates.")
        return
    table = Table("program", "handle", "name", "stage", "since", "checklist")
    for r in rows:
        table.add_row(
            str(r.program_id),
            printable(r.handle),
            printable(r.name or ""),
            r.stage,
            r.stage_since.date().isoformat(),
            f"{r.ticked}/{r.checklist}" if r.checklist else "",
        )
    cli.out.print(table)


@affiliates_app.command("show")
@refused
def affiliates_show(
    handle: Annotated[str, typer.Argument(help="The affiliate's handle.")],
    program: ProgramOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """An affiliate: stage history, checklist, and what they were given."""
    from talent_tui.services.affiliates import lookup, members, programs, resources

    database = cli.open_db()
    with database.session() as session:
        chosen = lookup.find_program(session, program)
        assert chosen.id is not None
        a = lookup.find_affiliate(session, chosen.id, handle)
        missing = set(members.missing_ticks(session, a))
        data: dict[str, Any] = {
            "handle": a.handle,
            "program": chosen.name,
            "name": a.name,
            "email": a.email,
            "site": a.site,
            "stage": a.stage.value,
            "creator_id": a.creator_id,
            "roster": (
                side.as_dict()
                if (side := members.roster_side(session, a, chosen.brand_id)) is not None
                else None
            ),
            "history": [
                {
                    "from": c.from_stage.value if c.from_stage else None,
                    "to": c.to_stage.value,
                    "at": c.at.isoformat(),
                    "by": c.actor,
                }
                for c in members.history(session, a.id or 0)
            ],
            "checklist": [
                {"item": i.label, "ticked": i.label not in missing}
                for i in programs.checklist(session, chosen.id)
            ],
            "given": [g.as_dict() for g in resources.given_to(session, a)],
        }
    if as_json:
        cli.print_json(data)
        return
    lines = [f"{data['handle']}  {data['name'] or ''}  ({data['program']}: {data['stage']})"]
    if side is not None:
        lines.append(f"  {side.describe()}")
    lines += [
        f"  {h['at'][:10]}  {h['from'] or '·'} → {h['to']}  {h['by']}" for h in data["history"]
    ]
    lines += [f"  [{'x' if c['ticked'] else ' '}] {c['item']}" for c in data["checklist"]]
    lines += [
        f"  {g['kind']}: {g.get('code') or g.get('name')}  {g.get('url') or ''}"
        for g in data["given"]
    ]
    for line in lines:
        cli.out.print(printable(line), soft_wrap=True)


def _money(minor: int | None, currency: str) -> str:
    from talent_tui.core.money import format_money

    return "" if minor is None else format_money(minor, currency, with_code=False)


@affiliates_app.command("kpis")
@refused
def affiliates_kpis(
    program: ProgramOpt = None,
    month: Annotated[str | None, typer.Option("--month", help="YYYY-MM")] = None,
    quarter: Annotated[str | None, typer.Option("--quarter", help="YYYY-Qn")] = None,
    start: Annotated[str | None, typer.Option("--from", help="First day, YYYY-MM-DD.")] = None,
    end: Annotated[str | None, typer.Option("--to", help="Last day, YYYY-MM-DD.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Clicks, conversions, revenue, AOV, commission and EPC per affiliate for a period."""
    from talent_tui.core.dates import today
    from talent_tui.services.affiliates import kpis, lookup

    database = cli.open_db()
    period = kpis.choose_period(today(), month, quarter, start, end)
    with database.session() as session:
        chosen = lookup.find_program(session, program)
        result = kpis.program_kpis(session, chosen, period)
        name = chosen.name
    if as_json:
        cli.print_json([k.as_dict() for k in result.rows])
        return
    cur = result.currency
    # CTR only when the platform gave impressions (a column of blanks otherwise).
    with_ctr = result.total.impressions > 0
    rows = []
    for k in [*result.rows, result.total]:
        rate = "" if k.conversion_rate is None else f"{k.conversion_rate:.1%}"
        ctr = [] if not with_ctr else ["" if k.ctr is None else f"{k.ctr:.1%}"]
        figures = (k.revenue_minor, k.aov_minor, k.commission_minor, k.epc_minor)
        rows.append(
            (
                printable(k.handle or "total"),
                f"{k.clicks:,}",
                *ctr,
                f"{k.conversions:,}",
                rate,
                *(_money(m, cur) for m in figures),
            )
        )
    headers = ["clicks", *(["CTR"] if with_ctr else []), "conv", "rate"]
    headers += [f"revenue {cur}", "AOV", "commission", "EPC"]
    table = cli.fitted_table(
        [("affiliate", False)] + [(h, True) for h in headers],
        rows,
        names=("affiliate",),
        title=printable(f"{name} · {period.label}"),
    )
    cli.out.print(table)
    prev = result.total.previous
    if prev is not None:
        change = kpis.trend(result.total.revenue_minor, prev.revenue_minor)
        words = "no revenue before" if change is None else f"{change:+.1%}"
        cli.out.print(
            f"Revenue vs {result.previous_period.label}: {_money(prev.revenue_minor, cur)} "
            f"→ {_money(result.total.revenue_minor, cur)} {cur} ({words}); clicks "
            f"{prev.clicks:,} → {result.total.clicks:,}; conversions {prev.conversions:,} → "
            f"{result.total.conversions:,}."
        )


@affiliates_app.command("suggest")
@refused
def affiliates_suggest(
    program: ProgramOpt = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=1000)] = 20,
    as_json: JsonOpt = False,
) -> None:
    """Roster creators not yet in the program, by fit with the advertiser's audience."""
    from talent_tui.services.affiliates import lookup, suggest

    database = cli.open_db()
    with database.session() as session:
        chosen = lookup.find_program(session, program)
        ranked = suggest.suggest(session, chosen, limit)
    rows = [
        {
            "creator_id": r.creator_id,
            "handle": r.tiktok_handle,
            "name": r.name,
            "followers": r.followers,
            "fit": r.fit.score,
            "reason": r.fit.reason,
        }
        for r in ranked
    ]
    if as_json:
        cli.print_json(rows)
        return
    if not rows:
        cli.out.print("No suggestions (does the advertiser have a target audience?).")
        return
    table = Table("fit", "handle", "name", "followers", "reason")
    for r in rows:
        table.add_row(
            str(r["fit"]),
            printable(r["handle"]),
            printable(r["name"]),
            f"{r['followers']:,}",
            printable(r["reason"]),
        )
    cli.out.print(table)
