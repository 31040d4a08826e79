"""`talent campaigns|deliverables|invoices|deals|log …`: the deal side of the command line.

Same conventions as cli.py: Rich tables for people, `--json` for scripts (JSON only on stdout),
errors on stderr with exit code 1; a change that is not allowed says why and changes nothing.
"""

from __future__ import annotations

import math
from datetime import date
from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from talent_tui.cli import common as cli
from talent_tui.store.models import (
    Brand,
    Campaign,
    CampaignStatus,
    DeliverableStatus,
    InteractionKind,
    Party,
    Tab,
)

campaigns_app = typer.Typer(help="Campaigns: offers, negotiation, lifecycle.", no_args_is_help=True)
deliverables_app = typer.Typer(help="What a campaign delivers, and feedback.", no_args_is_help=True)
invoices_app = typer.Typer(help="Invoices per campaign.", no_args_is_help=True)
deals_app = typer.Typer(help="Across all deals: what is due.", no_args_is_help=True)
log_app = typer.Typer(help="Calls, e-mails, meetings and notes; follow-ups.", no_args_is_help=True)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON only.")]
IdArg = Annotated[int, typer.Argument(help="Campaign id.", show_default=False)]


def register(app: typer.Typer) -> None:
    app.add_typer(campaigns_app, name="campaigns")
    app.add_typer(deliverables_app, name="deliverables")
    app.add_typer(invoices_app, name="invoices")
    app.add_typer(deals_app, name="deals")
    app.add_typer(log_app, name="log")


def _today() -> date:
    from talent_tui.core.dates import today

    return today()


def _day(text: str | None, option: str) -> date | None:
    from talent_tui.core.dates import parse_iso_date

    if text is None:
        return None
    try:
        return parse_iso_date(text)
    except ValueError as exc:
        raise cli.fail(f"{option}: {exc}") from None


def _run(change: Any) -> Any:
    """Run `change(session)` in one transaction; domain refusals become exit code 1."""
    from talent_tui.core.money import MoneyError
    from talent_tui.services import deals
    from talent_tui.services.roster import CreatorNotFound

    database = cli.open_db()
    try:
        with database.transaction() as session:
            return change(session)
    except (deals.DealError, MoneyError, CreatorNotFound) as exc:
        raise cli.fail(str(exc)) from None


# ---- campaigns ----------------------------------------------------------------------------


def _campaign_dict(session: Any, campaign: Campaign, full: bool = False) -> dict[str, Any]:
    from talent_tui.services import deals

    return deals.campaign_detail(session, campaign, _today(), full)


@campaigns_app.command("list")
def campaigns_list(
    creator: Annotated[str | None, typer.Option("--creator", help="Id or TikTok handle.")] = None,
    tab: Annotated[
        str | None, typer.Option("--tab", help="pending, active, completed or inactive")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """List campaigns: open ones soonest first, then finished ones most recent first."""
    from sqlmodel import col, select

    from talent_tui.core.money import format_money
    from talent_tui.services import roster
    from talent_tui.store.models import statuses_in

    if tab is not None and tab not in {t.value for t in Tab}:
        raise cli.fail(f"unknown tab {tab!r} (pending, active, completed or inactive)")
    database = cli.open_db()
    with database.session() as session:
        statement = select(Campaign)
        if creator is not None:
            try:
                creator_id = roster.find_creator(session, creator).id
            except roster.CreatorNotFound as exc:
                raise cli.fail(str(exc)) from None
            statement = statement.where(Campaign.creator_id == creator_id)
        if tab is not None:
            statement = statement.where(col(Campaign.status).in_(statuses_in(Tab(tab))))
        rows = [_campaign_dict(session, c) for c in session.exec(statement.order_by(Campaign.id))]
    # Open work soonest first, history most recent first (as in the app).
    open_rows = [r for r in rows if r["tab"] in ("pending", "active")]
    done_rows = [r for r in rows if r["tab"] not in ("pending", "active")]
    open_rows.sort(key=lambda r: (r["next_date"] or date.max, r["id"]))
    done_rows.sort(key=lambda r: (r["next_date"] or date.min, r["id"]), reverse=True)
    rows = open_rows + done_rows
    if as_json:
        cli.print_json(rows)
        return
    if not rows:
        cli.err.print("No campaigns match.")
        return
    table = Table(box=None, header_style="bold")
    for column in ("ID", "Campaign", "Creator", "Brand", "Fee", "Status", "Next"):
        table.add_column(column, justify="right" if column in ("ID", "Fee") else "left")
    for r in rows:
        table.add_row(
            str(r["id"]),
            r["name"],
            r["creator"]["name"],
            r["brand"]["name"],
            format_money(r["fee_minor"], r["currency"]),
            r["status"].replace("_", " "),
            str(r["next_date"] or "—"),
        )
    cli.out.print(table)


@campaigns_app.command("show")
def campaigns_show(campaign_id: IdArg, as_json: JsonOpt = False) -> None:
    """Terms, the whole offer history, deliverables, invoices and the audit trail."""
    from talent_tui.services import deals

    database = cli.open_db()
    with database.session() as session:
        try:
            campaign = deals.get_campaign(session, campaign_id)
        except deals.DealError as exc:
            raise cli.fail(str(exc)) from None
        data = _campaign_dict(session, campaign, full=True)
    if as_json:
        cli.print_json(data)
        return
    _print_campaign(data)


def _print_campaign(data: dict[str, Any]) -> None:
    from talent_tui.core.money import format_money

    out = cli.out
    out.print(
        Text.assemble(
            (data["name"], "bold"),
            f"  #{data['id']}  {data['creator']['name']} × {data['brand']['name']}  ",
            (data["status"].replace("_", " "), "italic"),
        )
    )
    fit = data["audience_fit"]
    out.print(
        f"Fee {format_money(data['fee_minor'], data['currency'])} · commission "
        f"{format_money(data['commission_minor'], data['currency'])}"
        + (f" · audience fit {fit:.0%}" if fit is not None else ""),
        highlight=False,
    )
    versions = Table(title="Offer history", header_style="bold", title_justify="left")
    versions.add_column("Term")
    for v in data["versions"]:
        versions.add_column(f"v{v['version']} {'us' if v['proposed_by'] == 'manager' else 'brand'}")
    for term in data["versions"][0]["terms"]:
        cells = []
        for v in data["versions"]:
            value = v["terms"][term]
            cells.append(Text(f"{value} *", "bold yellow") if term in v["changed"] else Text(value))
        versions.add_row(term, *cells)
    out.print(versions)
    if data["deliverables"]:
        table = Table(title="Deliverables", header_style="bold", title_justify="left")
        for column in ("ID", "Kind", "Due", "Status", "Feedback"):
            table.add_column(column)
        for d in data["deliverables"]:
            due = Text(str(d["due_on"] or "—")) + (Text(" overdue", "red") if d["overdue"] else "")
            table.add_row(str(d["id"]), d["kind"], due, d["status"], str(len(d["feedback"])))
        out.print(table)
    if data["invoices"]:
        table = Table(title="Invoices", header_style="bold", title_justify="left")
        for column in ("ID", "Number", "Amount", "Issued", "Due", "Paid"):
            table.add_column(column)
        for i in data["invoices"]:
            table.add_row(
                str(i["id"]),
                i["number"] or "—",
                format_money(i["amount_minor"], i["currency"]),
                str(i["issued_on"]),
                str(i["due_on"]),
                str(i["paid_on"] or "—"),
            )
        out.print(table)
    table = Table(title="History", header_style="bold", title_justify="left")
    for column in ("When (UTC)", "Who", "What"):
        table.add_column(column)
    for e in data["history"]:
        table.add_row(f"{e['at']:%Y-%m-%d %H:%M}", e["actor"], e["action"])
    out.print(table)


def _terms_changes(
    fee: str | None,
    currency: str | None,
    usage_days: int | None,
    exclusivity_days: int | None,
    net_days: int | None,
    upfront_pct: float | None,
    deliverables: str | None,
    respond_by: str | None,
    campaign: Campaign,
) -> dict[str, Any]:
    from talent_tui.core.money import parse_money

    changes: dict[str, Any] = {}
    if fee is not None:
        price = parse_money(fee, currency, default=campaign.currency)
        changes["fee_minor"], changes["currency"] = price.amount_minor, price.currency
    elif currency is not None:
        raise cli.fail("--currency goes with --fee")
    for name, value in (
        ("usage_days", usage_days),
        ("exclusivity_days", exclusivity_days),
        ("net_days", net_days),
        ("deliverables", deliverables),
    ):
        if value is not None:
            changes[name] = value
    if upfront_pct is not None:
        if not math.isfinite(upfront_pct):
            raise cli.fail(f"--upfront-pct: not a percentage: {upfront_pct}")
        changes["upfront_bp"] = round(upfront_pct * 100)
    if respond_by is not None:
        changes["respond_by"] = _day(respond_by, "--respond-by")
    return changes


FeeOpt = Annotated[str | None, typer.Option("--fee", help='e.g. 1500, "1,500.00 USD", ₩2000000')]
CurrencyOpt = Annotated[str | None, typer.Option("--currency", help="ISO code for --fee")]
UsageOpt = Annotated[int | None, typer.Option("--usage-days", help="Usage-rights window.")]
ExclusivityOpt = Annotated[int | None, typer.Option("--exclusivity-days")]
NetOpt = Annotated[int | None, typer.Option("--net-days", help="Payment due N days after.")]
UpfrontOpt = Annotated[
    float | None,
    typer.Option("--upfront-pct", min=0, max=100, help="Share paid upfront, 0-100."),
]
DeliverablesOpt = Annotated[
    str | None, typer.Option("--deliverables", help='e.g. "2 videos + 1 story"')
]
RespondOpt = Annotated[str | None, typer.Option("--respond-by", help="YYYY-MM-DD")]
NoteOpt = Annotated[str, typer.Option("--note", help="Why, in a sentence.")]


def _propose(campaign_id: int, side: Party, note: str, **options: Any) -> None:
    from talent_tui.core.money import format_money
    from talent_tui.services import deals

    def change(session: Any) -> str:
        campaign = deals.get_campaign(session, campaign_id)
        changes = _terms_changes(campaign=campaign, **options)
        offer = deals.propose(session, campaign_id, changes, cli.actor(), side, note, _today())
        return f"version {offer.version}: {format_money(offer.fee_minor, offer.currency)}"

    summary = _run(change)
    who = "Counter-offer" if side is Party.MANAGER else "Brand's counter"
    cli.out.print(f"{who} recorded as {summary}.")


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
) -> None:
    """Propose changed terms (a new version, proposed by us); the deal is then negotiating."""
    _propose(
        campaign_id, Party.MANAGER, note, fee=fee, currency=currency, usage_days=usage_days,
        exclusivity_days=exclusivity_days, net_days=net_days, upfront_pct=upfront_pct,
        deliverables=deliverables, respond_by=respond_by,
    )  # fmt: skip


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
    _propose(
        campaign_id, Party.BRAND, note, fee=fee, currency=currency, usage_days=usage_days,
        exclusivity_days=exclusivity_days, net_days=net_days, upfront_pct=upfront_pct,
        deliverables=deliverables, respond_by=respond_by,
    )  # fmt: skip


def _move(campaign_id: int, to: CampaignStatus, reason: str = "") -> None:
    from talent_tui.services import deals

    def change(session: Any) -> str:
        if to is CampaignStatus.ACCEPTED:
            campaign = deals.accept(session, campaign_id, cli.actor())
        elif to is CampaignStatus.DECLINED:
            campaign = deals.decline(session, campaign_id, reason, cli.actor())
        else:
            campaign = deals.transition(session, campaign_id, to, cli.actor(), reason)
        return campaign.name

    name = _run(change)
    cli.out.print(f"{name}: {deals.STATUS_LABELS[to]}.")


@campaigns_app.command("review")
def campaigns_review(campaign_id: IdArg) -> None:
    """Mark a new offer as under review."""
    _move(campaign_id, CampaignStatus.REVIEWING)


@campaigns_app.command("accept")
def campaigns_accept(campaign_id: IdArg) -> None:
    """Accept the newest terms."""
    _move(campaign_id, CampaignStatus.ACCEPTED)


@campaigns_app.command("decline")
def campaigns_decline(
    campaign_id: IdArg,
    reason: Annotated[str, typer.Option("--reason", help="Why (kept in the history).")],
) -> None:
    """Decline an offer, with a reason."""
    _move(campaign_id, CampaignStatus.DECLINED, reason)


@campaigns_app.command("start")
def campaigns_start(campaign_id: IdArg) -> None:
    """An accepted campaign goes into production."""
    _move(campaign_id, CampaignStatus.IN_PRODUCTION)


@campaigns_app.command("complete")
def campaigns_complete(campaign_id: IdArg) -> None:
    """A campaign in production is done."""
    _move(campaign_id, CampaignStatus.COMPLETED)


@campaigns_app.command("cancel")
def campaigns_cancel(
    campaign_id: IdArg,
    reason: Annotated[str, typer.Option("--reason", help="Why (kept in the history).")] = "",
) -> None:
    """Cancel a campaign that has not completed."""
    _move(campaign_id, CampaignStatus.CANCELLED, reason)


@campaigns_app.command("add")
def campaigns_add(
    creator: Annotated[str, typer.Option("--creator", help="Id or TikTok handle.")],
    brand: Annotated[str, typer.Option("--brand", help="Brand name.")],
    name: Annotated[str, typer.Option("--name", help="Campaign name.")],
    fee: Annotated[str, typer.Option("--fee", help='e.g. "1,500 USD" or 1500 with --currency')],
    currency: CurrencyOpt = None,
    respond_by: RespondOpt = None,
    usage_days: UsageOpt = None,
    exclusivity_days: ExclusivityOpt = None,
    net_days: NetOpt = None,
    upfront_pct: UpfrontOpt = None,
    deliverables: DeliverablesOpt = None,
    external_id: Annotated[
        str | None, typer.Option("--external-id", help="The brand's reference.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Record a new offer from a brand."""
    from sqlmodel import select

    from talent_tui.core.money import parse_money
    from talent_tui.services import deals, roster

    def change(session: Any) -> dict[str, Any]:
        creator_row = roster.find_creator(session, creator)
        brand_row = session.exec(select(Brand).where(Brand.name == brand)).first()
        if brand_row is None:
            raise deals.DealError(f"no brand named {brand!r}")
        price = parse_money(fee, currency)
        terms = deals.Terms(
            fee_minor=price.amount_minor,
            currency=price.currency,
            deliverables=deliverables or "",
            usage_days=usage_days,
            exclusivity_days=exclusivity_days,
            net_days=net_days,
            upfront_bp=None
            if upfront_pct is None or not math.isfinite(upfront_pct)
            else round(upfront_pct * 100),
            respond_by=_day(respond_by, "--respond-by"),
        )
        campaign = deals.add_campaign(
            session, creator_row.id, brand_row.id, name, terms, cli.actor(), _today(), external_id
        )
        return _campaign_dict(session, campaign)

    data = _run(change)
    if as_json:
        cli.print_json(data)
    else:
        cli.out.print(f"Added campaign {data['id']}: {data['name']}.")


# ---- deliverables ---------------------------------------------------------------------------


@deliverables_app.command("add")
def deliverables_add(
    campaign_id: IdArg,
    kind: Annotated[str, typer.Argument(help="video, story, live, …")],
    due: Annotated[str | None, typer.Option("--due", help="YYYY-MM-DD")] = None,
) -> None:
    """Add a deliverable to a campaign."""
    from talent_tui.services import deals

    due_on = _day(due, "--due")
    item = _run(lambda s: deals.add_deliverable(s, campaign_id, kind, due_on, cli.actor()).id)
    cli.out.print(f"Added deliverable {item}.")


@deliverables_app.command("status")
def deliverables_status(
    deliverable_id: Annotated[int, typer.Argument(help="Deliverable id.")],
    status: Annotated[
        str, typer.Argument(help="draft_submitted, changes_requested, approved or posted")
    ],
    url: Annotated[str, typer.Option("--url", help="The post's URL (for posted).")] = "",
) -> None:
    """Move a deliverable along: planned → draft submitted → (changes requested) → approved →
    posted."""
    from talent_tui.services import deals

    try:
        target = DeliverableStatus(status.replace("-", "_").replace(" ", "_"))
    except ValueError:
        allowed = ", ".join(s.value for s in DeliverableStatus)
        raise cli.fail(f"unknown status {status!r} (one of: {allowed})") from None
    _run(lambda s: deals.set_deliverable_status(s, deliverable_id, target, cli.actor(), url))
    cli.out.print(f"Deliverable {deliverable_id}: {target.value}.")


@deliverables_app.command("feedback")
def deliverables_feedback(
    deliverable_id: Annotated[int, typer.Argument(help="Deliverable id.")],
    text: Annotated[str, typer.Argument(help="What the brand said.")],
    author: Annotated[str, typer.Option("--author", help="Who said it.")] = "brand",
    on: Annotated[str | None, typer.Option("--on", help="YYYY-MM-DD (default today)")] = None,
) -> None:
    """Record a round of creative feedback on a deliverable."""
    from talent_tui.services import deals

    given = _day(on, "--on") or _today()
    _run(lambda s: deals.add_feedback(s, deliverable_id, author, text, given, cli.actor()))
    cli.out.print("Feedback recorded.")


# ---- invoices -------------------------------------------------------------------------------


@invoices_app.command("add")
def invoices_add(
    campaign_id: IdArg,
    amount: Annotated[str, typer.Argument(help='e.g. 1500, "1,500.00 USD"')],
    currency: Annotated[str | None, typer.Argument(help="Default: the campaign's")] = None,
    issued: Annotated[str | None, typer.Option("--issued", help="YYYY-MM-DD (today)")] = None,
    due: Annotated[str | None, typer.Option("--due", help="YYYY-MM-DD (issued + net days)")] = None,
    number: Annotated[str, typer.Option("--number", help="Invoice number.")] = "",
) -> None:
    """Issue an invoice for a campaign."""
    from datetime import timedelta

    from talent_tui.services import deals

    issued_on = _day(issued, "--issued") or _today()

    def change(session: Any) -> int:
        due_on = _day(due, "--due")
        if due_on is None:
            campaign = deals.get_campaign(session, campaign_id)
            net = deals.current_offer(session, campaign).net_days
            due_on = issued_on + timedelta(days=net if net is not None else 30)
        return deals.add_invoice(
            session, campaign_id, amount, currency, issued_on, due_on, cli.actor(), number
        ).id

    invoice_id = _run(change)
    cli.out.print(f"Added invoice {invoice_id}.")


@invoices_app.command("paid")
def invoices_paid(
    invoice_id: Annotated[int, typer.Argument(help="Invoice id.")],
    on: Annotated[str | None, typer.Option("--on", help="YYYY-MM-DD (default today)")] = None,
) -> None:
    """Mark an invoice paid."""
    from talent_tui.services import deals

    paid_on = _day(on, "--on") or _today()
    _run(lambda s: deals.mark_paid(s, invoice_id, paid_on, cli.actor(), _today()))
    cli.out.print(f"Invoice {invoice_id} paid on {paid_on}.")


@invoices_app.command("totals")
def invoices_totals(as_json: JsonOpt = False) -> None:
    """Outstanding and overdue money, per currency (never added across currencies)."""
    from talent_tui.services import deals

    database = cli.open_db()
    with database.session() as session:
        totals = deals.invoice_totals(session, _today())
    if as_json:
        cli.print_json({"outstanding": totals.outstanding, "overdue": totals.overdue})
        return
    cli.out.print(f"Outstanding: {deals.format_totals(totals.outstanding)}")
    cli.out.print(f"Overdue:     {deals.format_totals(totals.overdue)}")


# ---- across deals ---------------------------------------------------------------------------


@deals_app.command("due")
def deals_due(
    days: Annotated[int, typer.Option("--days", min=0, help="Look this many days ahead.")] = 7,
    as_json: JsonOpt = False,
) -> None:
    """Overdue and due soon: offer replies, deliverables, invoices and follow-ups."""
    from talent_tui.services import deals

    database = cli.open_db()
    with database.session() as session:
        items = deals.due_items(session, _today(), days)
    if as_json:
        cli.print_json(
            [
                {
                    "kind": i.kind,
                    "due_on": i.due_on,
                    "overdue": i.overdue,
                    "label": i.label,
                    "campaign_id": i.campaign_id,
                    "id": i.ref_id,
                }
                for i in items
            ]
        )
        return
    if not items:
        cli.err.print("Nothing due.")
        return
    table = Table(box=None, header_style="bold")
    for column in ("Due", "What", "Kind", "Campaign"):
        table.add_column(column)
    for i in items:
        due = Text(f"{i.due_on} overdue", "red") if i.overdue else Text(str(i.due_on))
        table.add_row(due, i.label, i.kind, str(i.campaign_id or "—"))
    cli.out.print(table)


@log_app.command("add")
def log_add(
    kind: Annotated[str, typer.Argument(help="call, email, meeting or note")],
    summary: Annotated[str, typer.Argument(help="What happened.")],
    creator: Annotated[str | None, typer.Option("--creator", help="Id or TikTok handle.")] = None,
    brand: Annotated[str | None, typer.Option("--brand", help="Brand name.")] = None,
    follow_up: Annotated[str | None, typer.Option("--follow-up", help="YYYY-MM-DD")] = None,
) -> None:
    """Log an interaction with a creator or a brand."""
    from sqlmodel import select

    from talent_tui.services import deals, roster

    try:
        kind_value = InteractionKind(kind)
    except ValueError:
        raise cli.fail(f"unknown kind {kind!r} (call, email, meeting or note)") from None
    follow_up_on = _day(follow_up, "--follow-up")

    def change(session: Any) -> int:
        creator_id = roster.find_creator(session, creator).id if creator else None
        brand_id = None
        if brand:
            row = session.exec(select(Brand).where(Brand.name == brand)).first()
            if row is None:
                raise deals.DealError(f"no brand named {brand!r}")
            brand_id = row.id
        return deals.log_interaction(
            session, kind_value, summary, _today(), cli.actor(), creator_id, brand_id, follow_up_on
        ).id

    cli.out.print(f"Logged interaction {_run(change)}.")


@log_app.command("list")
def log_list(
    creator: Annotated[str | None, typer.Option("--creator", help="Id or TikTok handle.")] = None,
    brand: Annotated[str | None, typer.Option("--brand", help="Brand name.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Interactions, newest first."""
    from sqlmodel import select

    from talent_tui.services import deals, roster

    database = cli.open_db()
    with database.session() as session:
        creator_id = brand_id = None
        try:
            if creator:
                creator_id = roster.find_creator(session, creator).id
        except roster.CreatorNotFound as exc:
            raise cli.fail(str(exc)) from None
        if brand:
            row = session.exec(select(Brand).where(Brand.name == brand)).first()
            if row is None:
                raise cli.fail(f"no brand named {brand!r}")
            brand_id = row.id
        items = deals.interactions_of(session, creator_id, brand_id)
        rows = [
            {
                "id": i.id,
                "kind": i.kind.value,
                "summary": i.summary,
                "happened_on": i.happened_on,
                "follow_up_on": i.follow_up_on,
                "follow_up_done": i.follow_up_done,
                "by": i.created_by,
            }
            for i in items
        ]
    if as_json:
        cli.print_json(rows)
        return
    table = Table(box=None, header_style="bold")
    for column in ("ID", "Date", "Kind", "Summary", "Follow up"):
        table.add_column(column)
    for r in rows:
        follow = "—" if r["follow_up_on"] is None else str(r["follow_up_on"])
        if r["follow_up_done"]:
            follow += " ✓"
        table.add_row(str(r["id"]), str(r["happened_on"]), r["kind"], r["summary"], follow)
    cli.out.print(table)


@log_app.command("done")
def log_done(interaction_id: Annotated[int, typer.Argument(help="Interaction id.")]) -> None:
    """Mark a follow-up as done."""
    from talent_tui.services import deals

    _run(lambda s: deals.complete_follow_up(s, interaction_id))
    cli.out.print("Follow-up done.")
