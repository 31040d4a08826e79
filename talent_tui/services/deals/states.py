"""The campaign state machine: which state may follow which, moving a campaign along with
its audit entry, declining with a reason, and expiring offers whose respond-by date passed.

Also the refusals every deal rule raises (`DealError`, `IllegalTransition`) and the campaign
lookup they share.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from talent_tui.core import money
from talent_tui.core.config import settings
from talent_tui.core.errors import DomainError
from talent_tui.core.fields import MAX_NOTES
from talent_tui.services import audit, typed_text
from talent_tui.store.locks import for_change
from talent_tui.store.models import (
    TAB_OF_STATUS,
    Campaign,
    CampaignStatus,
    DeliverableStatus,
    Tab,
    statuses_in,
    utcnow,
)

S = CampaignStatus
D = DeliverableStatus

# The lifecycle. Anything not listed is refused. (Which tab a state shows in is TAB_OF_STATUS.)
# An expired offer comes back only when the brand sends it again, with a new respond-by date:
# `deals.reopen`, never a plain transition.
TRANSITIONS: dict[CampaignStatus, frozenset[CampaignStatus]] = {
    S.OFFER_RECEIVED: frozenset(
        {S.REVIEWING, S.NEGOTIATING, S.ACCEPTED, S.DECLINED, S.EXPIRED, S.CANCELLED}
    ),
    S.REVIEWING: frozenset({S.NEGOTIATING, S.ACCEPTED, S.DECLINED, S.EXPIRED, S.CANCELLED}),
    S.NEGOTIATING: frozenset({S.NEGOTIATING, S.ACCEPTED, S.DECLINED, S.EXPIRED, S.CANCELLED}),
    S.ACCEPTED: frozenset({S.IN_PRODUCTION, S.CANCELLED}),
    S.IN_PRODUCTION: frozenset({S.COMPLETED, S.CANCELLED}),
    S.COMPLETED: frozenset(),
    S.DECLINED: frozenset(),
    S.EXPIRED: frozenset(),
    S.CANCELLED: frozenset(),
}

STATUS_LABELS = {
    S.OFFER_RECEIVED: "offer received",
    S.REVIEWING: "reviewing",
    S.NEGOTIATING: "negotiating",
    S.ACCEPTED: "accepted",
    S.IN_PRODUCTION: "in production",
    S.COMPLETED: "completed",
    S.DECLINED: "declined",
    S.EXPIRED: "expired",
    S.CANCELLED: "cancelled",
}

# The states in which a deal has agreed terms: deliverables and invoices belong to these.
AGREED = (S.ACCEPTED, S.IN_PRODUCTION)
OPEN_STATUSES = statuses_in(Tab.PENDING) + statuses_in(Tab.ACTIVE)


class DealError(DomainError):
    """A change that is not allowed; nothing was written. `field` names the typed value at
    fault when there is one (a form shows the message next to it)."""

    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.field = field


class IllegalTransition(DealError):
    def __init__(self, campaign: Campaign, to: CampaignStatus):
        allowed = sorted(
            STATUS_LABELS[s] for s in TRANSITIONS[campaign.status] if s not in (to, S.EXPIRED)
        )
        where = STATUS_LABELS[campaign.status]
        options = ", ".join(allowed) if allowed else "nothing: it is final"
        if campaign.status is S.EXPIRED:
            options = "nothing, unless the brand sends it again: reopen it"
        super().__init__(
            f"campaign {campaign.id} is {where}; it cannot become {STATUS_LABELS[to]} "
            f"(it can become: {options})"
        )
        self.campaign_id = campaign.id
        self.current = campaign.status
        self.target = to


def default_actor() -> str:
    return settings().actor


def text(value: str, what: str, *, max_len: int = 500, field: str = "") -> str:
    """Typed text on a deal, trimmed; control characters or an endless text are a DealError."""
    try:
        return typed_text.line(value, what, max_len=max_len)
    except typed_text.TextRefused as exc:
        raise DealError(str(exc), field) from None


def tab_of(status: CampaignStatus) -> Tab:
    return TAB_OF_STATUS[status]


def get_campaign(session: Session, campaign_id: int) -> Campaign:
    """The campaign; in a transaction that writes, locked until it ends and read as it is now
    (`store.locks.for_change`), so the state checked next is the state changed."""
    campaign = for_change(session, Campaign, campaign_id)
    if campaign is None:
        raise DealError(f"no campaign with id {campaign_id}")
    return campaign


def id_of(row: Any) -> int:
    """The id of a row that has been flushed (SQLModel types every id as optional)."""
    if row.id is None:
        raise RuntimeError(f"{type(row).__name__} has no id: flush it first")
    return int(row.id)


def snapshot(campaign: Campaign) -> dict[str, Any]:
    """What the history keeps of a campaign before and after a change."""
    return {
        "status": campaign.status.value,
        "fee": money.format_money(campaign.fee_minor, campaign.currency),
        "respond_by": campaign.respond_by,
    }


def require_agreed(campaign: Campaign, what: str, also: tuple[CampaignStatus, ...] = ()) -> None:
    if campaign.status not in AGREED + also:
        raise DealError(
            f"campaign {campaign.id} is {STATUS_LABELS[campaign.status]}: {what} belong to "
            "accepted deals"
        )


def transition(
    session: Session,
    campaign_id: int,
    to: CampaignStatus,
    actor: str,
    reason: str = "",
) -> Campaign:
    campaign = get_campaign(session, campaign_id)
    if to not in TRANSITIONS[campaign.status]:
        raise IllegalTransition(campaign, to)
    reason = text(reason, "the reason", field="reason")
    before = snapshot(campaign)
    action = f"status: {STATUS_LABELS[campaign.status]} → {STATUS_LABELS[to]}"
    campaign.status = to
    campaign.updated_at = utcnow()
    if reason:
        action = f"{action} ({reason})"
        if to in (S.DECLINED, S.CANCELLED):
            # The reason is always in the history; it joins the notes only while they stay
            # within the notes limit (an export must import again).
            notes = (campaign.notes + "\n" if campaign.notes else "") + (
                f"{STATUS_LABELS[to].capitalize()}: {reason}"
            )
            if len(notes) <= MAX_NOTES:
                campaign.notes = notes
    audit.record(session, actor, "campaign", campaign_id, action, before, snapshot(campaign))
    session.flush()
    return campaign


def start_review(session: Session, campaign_id: int, actor: str) -> Campaign:
    return transition(session, campaign_id, S.REVIEWING, actor)


def decline(session: Session, campaign_id: int, reason: str, actor: str) -> Campaign:
    if not reason.strip():
        raise DealError("a reason is required to decline", "reason")
    return transition(session, campaign_id, S.DECLINED, actor, reason.strip())


def _overdue(today: date) -> Any:
    import sqlalchemy as sa

    from talent_tui.services.expiry import OVERDUE_SQL

    return (
        select(Campaign)
        .where(sa.text(OVERDUE_SQL).bindparams(today=today))
        .order_by(col(Campaign.id))
    )


def expire_overdue(session: Session, today: date, actor: str = "talent") -> list[int]:
    """Pending offers whose respond-by date has passed become expired. Returns their ids."""
    expired = []
    for campaign in session.exec(_overdue(today)):
        campaign_id = id_of(campaign)
        when = campaign.respond_by.isoformat() if campaign.respond_by else "?"
        transition(session, campaign_id, S.EXPIRED, actor, f"respond-by date {when} passed")
        expired.append(campaign_id)
    return expired


def expire_on_open(database: Any, today: date | None = None) -> list[int]:
    """The rule every front end follows when it opens a database: offers past their
    respond-by date expire, in one transaction, recorded as done by talent.

    A reader never waits for this: it looks first (a read), and only when something is due
    does it take the write lock, without waiting. When another talent is writing (or the
    file is read-only) nothing expires now; the next open does it."""
    from talent_tui.core.dates import today as local_today
    from talent_tui.services.expiry import any_overdue

    day = today or local_today()
    with database.reading() as connection:
        if not any_overdue(connection, day):
            return []
    done, expired = database.write_if_free(lambda session: expire_overdue(session, day))
    return expired if done and expired else []
