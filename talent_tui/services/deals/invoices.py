"""Invoices of a deal (issuing, the due-date default from the payment terms, marking paid),
money outstanding and overdue per currency, and the manager's commission."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from talent_tui.core import money
from talent_tui.core.dates import days_after
from talent_tui.core.fields import MAX_INVOICE_NUMBER, MAX_LINE
from talent_tui.services import audit
from talent_tui.services.deals.offers import current_offer
from talent_tui.services.deals.states import (
    DealError,
    S,
    get_campaign,
    id_of,
    require_agreed,
    text,
)
from talent_tui.store.locks import for_change
from talent_tui.store.models import AuditEntry, Invoice

DEFAULT_NET_DAYS = 30  # when the terms say nothing about payment
ACTION_LENGTH: int = AuditEntry.__table__.c.action.type.length  # type: ignore[attr-defined]


class OverFee(DealError):
    """The invoices of a deal would add up to more than its agreed fee, and no reason was
    given (the form shows it beside its reason field)."""

    def __init__(self, message: str):
        super().__init__(message, "over_fee_reason")


def invoiced_minor(session: Session, campaign_id: int, currency: str) -> int:
    """What the deal's invoices in `currency` add up to, paid or not."""
    statement = select(Invoice.amount_minor).where(
        Invoice.campaign_id == campaign_id, Invoice.currency == currency
    )
    return sum(session.exec(statement))


def due_after(issued_on: date, net_days: int | None) -> date:
    """When an invoice issued on `issued_on` is due: after the terms' net days (30 when the
    terms do not say)."""
    return days_after(issued_on, DEFAULT_NET_DAYS if net_days is None else net_days)


def default_due_on(session: Session, campaign_id: int, issued_on: date) -> date:
    """`due_after` with the net days of the deal's current terms."""
    return due_after(issued_on, current_offer(session, get_campaign(session, campaign_id)).net_days)


def add_invoice(
    session: Session,
    campaign_id: int,
    amount: str,
    currency: str | None,
    issued_on: date,
    due_on: date | None,
    actor: str,
    number: str = "",
    over_fee_reason: str = "",
) -> Invoice:
    """Issue an invoice in the deal's currency; `due_on` None takes `default_due_on`.

    The deal's invoices never add up to more than its agreed fee unless `over_fee_reason`
    says why (an agreed extra, a late fee); the reason is kept in the history entry."""
    campaign = get_campaign(session, campaign_id)
    require_agreed(campaign, "invoices", (S.COMPLETED,))
    try:
        price = money.parse_money(amount, currency, default=campaign.currency)
    except money.MoneyError as exc:
        raise DealError(str(exc), "amount") from None
    if price.currency != campaign.currency:
        raise DealError(
            f"the deal is in {campaign.currency}; an invoice in {price.currency} would not add up",
            "amount",
        )
    if price.amount_minor <= 0:
        raise DealError("an invoice amount must be more than zero", "amount")
    reason = text(over_fee_reason, "the reason", max_len=MAX_LINE, field="over_fee_reason")
    invoiced = invoiced_minor(session, campaign_id, price.currency)
    over = invoiced + price.amount_minor > campaign.fee_minor
    if over and not reason:
        fee = money.format_money(campaign.fee_minor, campaign.currency)
        total = money.format_money(invoiced + price.amount_minor, price.currency)
        already = money.format_money(invoiced, price.currency)
        raise OverFee(
            f"the invoices would add up to {total}, more than the agreed fee of {fee} "
            f"({already} invoiced so far); say why to invoice over the fee"
        )
    if due_on is None:
        due_on = default_due_on(session, campaign_id, issued_on)
    if due_on < issued_on:
        raise DealError(f"due date {due_on} is before the issue date {issued_on}", "due")
    number = text(number, "the invoice number", max_len=MAX_INVOICE_NUMBER, field="number")
    if (
        number
        and session.exec(
            select(Invoice).where(Invoice.campaign_id == campaign_id, Invoice.number == number)
        ).first()
    ):
        raise DealError(f"this deal already has an invoice numbered {number!r}", "number")
    invoice = Invoice(
        campaign_id=campaign_id,
        number=number,
        amount_minor=price.amount_minor,
        currency=price.currency,
        issued_on=issued_on,
        due_on=due_on,
    )
    session.add(invoice)
    session.flush()
    after: dict[str, object] = {"amount": str(price), "due_on": due_on}
    action = f"invoice {invoice.number or invoice.id} issued"
    if over:  # the reason in full in `after`; the history line shows what fits its 200
        after["over_fee_reason"] = reason
        action += " over the fee: "
        room = ACTION_LENGTH - len(action)
        action += reason if len(reason) <= room else reason[: room - 1] + "…"
    audit.record(session, actor, "invoice", id_of(invoice), action, None, after)
    return invoice


def mark_paid(
    session: Session, invoice_id: int, paid_on: date, actor: str, today: date | None = None
) -> Invoice:
    invoice = for_change(session, Invoice, invoice_id)  # paid once, however many try at once
    if invoice is None:
        raise DealError(f"no invoice with id {invoice_id}")
    if paid_on < invoice.issued_on:
        raise DealError(f"paid {paid_on} is before the invoice was issued ({invoice.issued_on})")
    if today is not None and paid_on > today:
        raise DealError(f"paid {paid_on} is in the future (today is {today})")
    if invoice.paid_on is not None:
        raise DealError(f"invoice {invoice_id} was already paid on {invoice.paid_on}")
    invoice.paid_on = paid_on
    audit.record(
        session,
        actor,
        "invoice",
        invoice_id,
        f"invoice {invoice.number or invoice.id} paid",
        {"paid_on": None},
        {"paid_on": paid_on},
    )
    session.flush()
    return invoice


def invoices_of(session: Session, campaign_id: int) -> list[Invoice]:
    statement = (
        select(Invoice).where(Invoice.campaign_id == campaign_id).order_by(col(Invoice.issued_on))
    )
    return list(session.exec(statement))


def invoice_overdue(invoice: Invoice, today: date) -> bool:
    return invoice.paid_on is None and invoice.due_on < today


def commission_minor(fee_minor: int, commission_bp: int) -> int:
    """The manager's cut of a fee, rounded half up to the currency's minor unit."""
    return (fee_minor * commission_bp + 5_000) // 10_000


@dataclass(frozen=True)
class MoneyTotals:
    """Per currency, never added across currencies."""

    outstanding: dict[str, int]
    overdue: dict[str, int]


def invoice_totals(session: Session, today: date, campaign_id: int | None = None) -> MoneyTotals:
    statement = select(Invoice).where(col(Invoice.paid_on).is_(None))
    if campaign_id is not None:
        statement = statement.where(Invoice.campaign_id == campaign_id)
    outstanding: dict[str, int] = defaultdict(int)
    overdue: dict[str, int] = defaultdict(int)
    for invoice in session.exec(statement):
        outstanding[invoice.currency] += invoice.amount_minor
        if invoice_overdue(invoice, today):
            overdue[invoice.currency] += invoice.amount_minor
    return MoneyTotals(dict(sorted(outstanding.items())), dict(sorted(overdue.items())))


def format_totals(totals: dict[str, int]) -> str:
    if not totals:
        return "—"
    return " + ".join(money.format_money(amount, code) for code, amount in totals.items())
