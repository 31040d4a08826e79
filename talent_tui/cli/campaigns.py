"""`talent campaigns …`: list, show, add, counter, brand-counter, reopen and the lifecycle steps.

Rich tables for people, `--json` for scripts (JSON only on stdout), errors on stderr with
exit code 1; a change that is not allowed says why and changes nothing.
"""

from __future__ import annotations

import shlex
from typing import Annotated, Any, Literal

import typer
from rich.table import Table
from rich.text import Text

from talent_tui.cli import common as cli
from talent_tui.cli.conflicts import YesOpt
from talent_tui.cli.dealkit import IdArg, day, read, run, today
from talent_tui.core.money import format_money
from talent_tui.core.text import printable
from talent_tui.store.kinds import Tab

campaigns_app = typer.Typer(help="Campaigns: offers, negotiation, lifecycle.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(campaigns_app, name="campaigns")


@campaigns_app.command("list")
def campaigns_list(
    creator: Annotated[str | None, typer.Option("--creator", help="Id or TikTok handle.")] = None,
    tab: Annotated[
        Tab | None, typer.Option("--tab", help="Only this tab.", case_sensitive=False)
    ] = None,
    as_json: cli.JsonOpt = False,
) -> None:
    """List campaigns: open ones soonest first, then finished ones most recent first."""
    from talent_tui.services import campaigns, roster

    def query(session: Any) -> list[campaigns.CampaignSummary]:
        creator_id = roster.find_creator(session, creator).id if creator is not None else None
        return campaigns.list_campaigns(session, creator_id, tab)

    rows = read(query)
    if as_json:
        cli.print_json([r.to_json() for r in rows])
        return
    if not rows:
        cli.err.print("No campaigns match.")
        return
    table = Table(box=None, header_style="bold")
    for column in ("ID", "Campaign", "Creator", "Brand", "Fee", "Status", "Next"):
        table.add_column(column, justify="right" if column in ("ID", "Fee") else "left")
    for r in rows:
        table.add_row(
            str(r.id),
            printable(r.name),
            printable(r.creator.name),
            printable(r.brand.name),
            format_money(r.fee_minor, r.currency),
            r.status.value.replace("_", " "),
            str(r.next_date or "—"),
        )
    cli.out.print(table)


@campaigns_app.command("show")
def campaigns_show(campaign_id: IdArg, as_json: cli.JsonOpt = False) -> None:
    """Terms, the whole offer history, deliverables, invoices and the audit trail."""
    from talent_tui.services import deals

    detail = read(lambda session: deals.campaign_detail(session, campaign_id, today()))
    if as_json:
        cli.print_json(detail.to_json())
        return
    _print_campaign(detail)


def _print_campaign(detail: Any) -> None:
    from talent_tui.store.models import Party

    out = cli.out
    summary = detail.summary
    out.print(
        Text.assemble(
            (printable(summary.name), "bold"),
            f"  #{summary.id}  {printable(summary.creator.name)} × {printable(summary.brand.name)}  ",
            (summary.status.value.replace("_", " "), "italic"),
        )
    )
    fit = detail.audience_fit
    out.print(
        f"Fee {format_money(summary.fee_minor, summary.currency)} · commission "
        f"{format_money(detail.commission_minor, summary.currency)}"
        + (f" · audience fit {fit:.0%}" if fit is not None else ""),
        highlight=False,
    )
    versions = Table(title="Offer history", header_style="bold", title_justify="left")
    versions.add_column("Term")
    for v in detail.versions:
        versions.add_column(f"v{v.version} {'us' if v.proposed_by is Party.MANAGER else 'brand'}")
    described = [v.terms.describe() for v in detail.versions]
    for term in described[0]:
        cells = []
        for v, terms in zip(detail.versions, described, strict=True):
            value = printable(terms[term])
            cells.append(Text(f"{value} *", "bold yellow") if term in v.changed else Text(value))
        versions.add_row(term, *cells)
    out.print(versions)
    if detail.deliverables:
        table = Table(title="Deliverables", header_style="bold", title_justify="left")
        for column in ("ID", "Kind", "Due", "Status", "Feedback"):
            table.add_column(column)
        for d in detail.deliverables:
            due = Text(str(d.due_on or "—")) + (Text(" overdue", "red") if d.overdue else "")
            table.add_row(str(d.id), printable(d.kind), due, d.status.value, str(len(d.feedback)))
        out.print(table)
    if detail.invoices:
        table = Table(title="Invoices", header_style="bold", title_justify="left")
        for column in ("ID", "Number", "Amount", "Issued", "Due", "Paid"):
            table.add_column(column)
        for i in detail.invoices:
            table.add_row(
                str(i.id),
                printable(i.number) or "—",
                format_money(i.amount_minor, i.currency),
                str(i.issued_on),
                str(i.due_on),
                str(i.paid_on or "—"),
            )
        out.print(table)
    table = Table(title="History", header_style="bold", title_justify="left")
    for column in ("When (UTC)", "Who", "What"):
        table.add_column(column)
    for e in detail.history:
        table.add_row(f"{e.at:%Y-%m-%d %H:%M}", printable(e.actor), printable(e.action))
    out.print(table)


FeeOpt = Annotated[str | None, typer.Option("--fee", help='e.g. 1500, "1,500.00 USD", ₩2000000')]
CurrencyOpt = Annotated[str | None, typer.Option("--currency", help="ISO code for --fee")]
UsageOpt = Annotated[str | None, typer.Option("--usage-days", help="Usage-rights window.")]
ExclusivityOpt = Annotated[str | None, typer.Option("--exclusivity-days")]
NetOpt = Annotated[str | None, typer.Option("--net-days", help="Payment due N days after.")]
UpfrontOpt = Annotated[str | None, typer.Option("--upfront-pct", help="Share paid upfront, 0-100.")]
DeliverablesOpt = Annotated[
    str | None, typer.Option("--deliverables", help='e.g. "2 videos + 1 story"')
]
RespondOpt = Annotated[str | None, typer.Option("--respond-by", help="YYYY-MM-DD")]
NoteOpt = Annotated[str, typer.Option("--note", help="Why, in a sentence.")]


def _propose(
    campaign_id: int,
    typed: dict[str, str | None],
    currency: str | None,
    note: str,
    side: Literal["manager", "brand"],
    yes: bool = False,
) -> None:
    """A new version of the terms: ours (`counter`, after the conflict check) or the brand's
    (`brand-counter`). `side` is the value of a `store.models.Party`."""
    from talent_tui.cli import conflicts as checks
    from talent_tui.services import deals
    from talent_tui.services.deals import conflicts
    from talent_tui.store.models import Party

    party = Party(side)
    if currency is not None and typed["fee"] is None:
        raise cli.fail("--currency goes with --fee")

    def change(session: Any, go_ahead: bool, seen: Any) -> tuple[str, list[Any]]:
        campaign = deals.get_campaign(session, campaign_id)
        changes = deals.parse_terms(typed, campaign.currency, currency)
        found: list[Any] = []
        if party is Party.MANAGER:
            offer, found = conflicts.counter(
                session, campaign_id, changes, cli.actor(), note, today(),
                go_ahead=go_ahead, seen=seen,
            )  # fmt: skip
        else:
            offer = deals.propose(session, campaign_id, changes, cli.actor(), party, note, today())
        return f"version {offer.version}: {format_money(offer.fee_minor, offer.currency)}", found

    summary, found = checks.checked(change, yes)
    who = "Counter-offer" if party is Party.MANAGER else "Brand's counter"
    cli.out.print(f"{who} recorded as {summary}.")
    if yes:
        checks.went_ahead(found)


@campaigns_app.command("counter")
def campaigns_counter(
    campaign_id: IdArg,
    fee: FeeOpt = None,
    currency: CurrencyOpt = None,
    usage_days: UsageOpt = None,
    exclusivity_days: ExclusivityOpt = None,
    net_days: NetOpt = None,
    upfront_pct: UpfrontOpt = None,
    deliverables: DeliverablesOpt = None,
    respond_by: RespondOpt = None,
    note: NoteOpt = "",
    yes: YesOpt = False,
) -> None:
    """Propose changed terms (a new version, proposed by us); the deal is then negotiating.

    The new terms are checked against the creator's other open deals first: clashes are shown
    and nothing is saved unless you confirm (or give --yes)."""
    typed = dict(
        fee=fee, usage_days=usage_days, exclusivity_days=exclusivity_days, net_days=net_days,
        upfront_pct=upfront_pct, deliverables=deliverables, respond_by=respond_by,
    )  # fmt: skip
    _propose(campaign_id, typed, currency, note, "manager", yes)


@campaigns_app.command("brand-counter")
def campaigns_brand_counter(
    campaign_id: IdArg,
    fee: FeeOpt = None,
    currency: CurrencyOpt = None,
    usage_days: UsageOpt = None,
    exclusivity_days: ExclusivityOpt = None,
    net_days: NetOpt = None,
    upfront_pct: UpfrontOpt = None,
    deliverables: DeliverablesOpt = None,
    respond_by: RespondOpt = None,
    note: NoteOpt = "",
) -> None:
    """Record the brand's counter (a new version, proposed by the brand)."""
    typed = dict(
        fee=fee, usage_days=usage_days, exclusivity_days=exclusivity_days, net_days=net_days,
        upfront_pct=upfront_pct, deliverables=deliverables, respond_by=respond_by,
    )  # fmt: skip
    _propose(campaign_id, typed, currency, note, "brand")


@campaigns_app.command("reopen")
def campaigns_reopen(
    campaign_id: IdArg,
    respond_by: Annotated[
        str, typer.Option("--respond-by", help="The new reply date, YYYY-MM-DD.")
    ],
    fee: FeeOpt = None,
    currency: CurrencyOpt = None,
    usage_days: UsageOpt = None,
    exclusivity_days: ExclusivityOpt = None,
    net_days: NetOpt = None,
    upfront_pct: UpfrontOpt = None,
    deliverables: DeliverablesOpt = None,
    note: NoteOpt = "",
) -> None:
    """Reopen an expired offer the brand sent again: a new version with a new reply date.

    The terms are the last version's unless given; the deal is an offer received again."""
    from talent_tui.services import deals

    if currency is not None and fee is None:
        raise cli.fail("--currency goes with --fee")
    reply = day(respond_by, "--respond-by")
    typed = dict(
        fee=fee, usage_days=usage_days, exclusivity_days=exclusivity_days, net_days=net_days,
        upfront_pct=upfront_pct, deliverables=deliverables,
    )  # fmt: skip

    def change(session: Any) -> str:
        campaign = deals.get_campaign(session, campaign_id)
        changes = deals.parse_terms(typed, campaign.currency, currency)
        offer = deals.reopen(session, campaign_id, reply, cli.actor(), today(), changes, note)
        return f"version {offer.version}: {format_money(offer.fee_minor, offer.currency)}"

    summary = run(change)
    cli.out.print(f"Reopened as {summary}, to answer by {reply}.")


# The values of the `store.models.CampaignStatus` members a command moves a campaign to.
MoveTo = Literal["reviewing", "declined", "in_production", "completed", "cancelled"]


def _move(campaign_id: int, status: MoveTo, reason: str = "") -> None:
    """Move a campaign to `status`, the value of a `store.models.CampaignStatus`."""
    from talent_tui.services import deals
    from talent_tui.store.models import CampaignStatus

    to = CampaignStatus(status)

    def change(session: Any) -> str:
        if to is CampaignStatus.DECLINED:
            campaign = deals.decline(session, campaign_id, reason, cli.actor())
        else:
            campaign = deals.transition(session, campaign_id, to, cli.actor(), reason)
        return campaign.name

    name = run(change)
    cli.out.print(f"{printable(name)}: {deals.STATUS_LABELS[to]}.")


@campaigns_app.command("review")
def campaigns_review(campaign_id: IdArg) -> None:
    """Mark a new offer as under review."""
    _move(campaign_id, "reviewing")


@campaigns_app.command("accept")
def campaigns_accept(campaign_id: IdArg, yes: YesOpt = False) -> None:
    """Accept the newest terms.

    They are checked against the creator's other open deals first: clashes are shown and
    nothing is accepted unless you confirm (or give --yes)."""
    from talent_tui.cli import conflicts as checks
    from talent_tui.services import deals
    from talent_tui.services.deals import conflicts
    from talent_tui.store.models import CampaignStatus

    def change(session: Any, go_ahead: bool, seen: Any) -> tuple[str, list[Any]]:
        campaign, found = conflicts.accept(
            session, campaign_id, cli.actor(), go_ahead=go_ahead, seen=seen
        )
        return campaign.name, found

    name, found = checks.checked(change, yes)
    cli.out.print(f"{printable(name)}: {deals.STATUS_LABELS[CampaignStatus.ACCEPTED]}.")
    if yes:
        checks.went_ahead(found)


@campaigns_app.command("decline")
def campaigns_decline(
    campaign_id: IdArg,
    reason: Annotated[str, typer.Option("--reason", help="Why (kept in the history).")],
) -> None:
    """Decline an offer, with a reason."""
    _move(campaign_id, "declined", reason)


@campaigns_app.command("start")
def campaigns_start(campaign_id: IdArg) -> None:
    """An accepted campaign goes into production."""
    _move(campaign_id, "in_production")


@campaigns_app.command("complete")
def campaigns_complete(campaign_id: IdArg) -> None:
    """A campaign in production is done."""
    _move(campaign_id, "completed")


@campaigns_app.command("cancel")
def campaigns_cancel(
    campaign_id: IdArg,
    reason: Annotated[str, typer.Option("--reason", help="Why (kept in the history).")] = "",
) -> None:
    """Cancel a campaign that has not completed."""
    _move(campaign_id, "cancelled", reason)


@campaigns_app.command("add")
def campaigns_add(
    creator: Annotated[str, typer.Option("--creator", help="Id or TikTok handle.")],
    brand: Annotated[str, typer.Option("--brand", help="Brand id or name.")],
    name: Annotated[str, typer.Option("--name", help="Campaign name.")],
    fee: Annotated[str, typer.Option("--fee", help='e.g. "1,500 USD" or 1500 with --currency')],
    currency: CurrencyOpt = None,
    respond_by: RespondOpt = None,
    usage_days: UsageOpt = None,
    usage_until: Annotated[
        str | None,
        typer.Option("--usage-until", help="YYYY-MM-DD: the last day of the usage rights."),
    ] = None,
    exclusivity_days: ExclusivityOpt = None,
    exclusivity_category: Annotated[
        str | None,
        typer.Option(
            "--exclusivity-category", help="e.g. beauty: what the creator may not promote."
        ),
    ] = None,
    exclusive_from: Annotated[
        str | None,
        typer.Option("--exclusive-from", help="YYYY-MM-DD (default: the day the offer came)."),
    ] = None,
    exclusive_until: Annotated[
        str | None,
        typer.Option("--exclusive-until", help="YYYY-MM-DD: the exclusivity's last day."),
    ] = None,
    net_days: NetOpt = None,
    upfront_pct: UpfrontOpt = None,
    deliverables: DeliverablesOpt = None,
    external_id: Annotated[
        str | None, typer.Option("--external-id", help="The brand's reference.")
    ] = None,
    as_json: cli.JsonOpt = False,
) -> None:
    """Record a new offer from a brand.

    Usage rights given in days end that many days from today (the day the offer came);
    exclusivity given in days runs from --exclusive-from (default today). The brand must
    exist: `talent brands add NAME` adds one."""
    from talent_tui.services import brands, campaigns, deals, roster

    typed = {
        "fee": fee, "usage_days": usage_days, "exclusivity_days": exclusivity_days,
        "net_days": net_days, "upfront_pct": upfront_pct, "deliverables": deliverables,
        "respond_by": respond_by, "usage_until": usage_until,
        "exclusivity_category": exclusivity_category, "exclusive_from": exclusive_from,
        "exclusive_until": exclusive_until,
    }  # fmt: skip

    def change(session: Any) -> campaigns.CampaignSummary:
        creator_row = roster.find_creator(session, creator)
        try:
            brand_row = brands.brand_for_offer(session, brand, cli.actor())
        except brands.BrandNotFound as exc:
            hint = f"talent brands add {shlex.quote(brand.strip())}"
            raise brands.BrandNotFound(f"{exc}; add it first: {hint}") from None
        except brands.BrandArchived as exc:
            hint = f"talent brands unarchive {shlex.quote(brand.strip())}"
            raise brands.BrandArchived(f"{exc}: {hint}") from None
        terms = deals.new_terms(typed, currency, today())
        campaign = deals.add_campaign(
            session, creator_row.id, brand_row.id, name, terms, cli.actor(), today(), external_id
        )
        added = campaigns.summary(session, campaign.id)
        assert added is not None  # just added, in this transaction
        return added

    added = run(change)
    if as_json:
        cli.print_json(added.to_json())
    else:
        cli.out.print(f"Added campaign {added.id}: {printable(added.name)}.")
