"""Deliverables of an agreed deal (planned → draft submitted → changes requested → approved →
posted) and the rounds of creative feedback on each. A deliverable's kind is one of the rate
card's (`core.fields.DELIVERABLE_KINDS`); it can be edited until it is posted, and deleted
while it is still planned."""

from __future__ import annotations

import json
from datetime import date, datetime

from sqlmodel import Session, col, select

from talent_tui.core.fields import (
    MAX_AUTHOR,
    MAX_FEEDBACK,
    MAX_LINE,
    MAX_URL,
    FieldError,
    deliverable_kind,
)
from talent_tui.services import audit
from talent_tui.services.deals.states import (
    DealError,
    get_campaign,
    id_of,
    require_agreed,
)
from talent_tui.services.deals.states import (
    text as clean,
)
from talent_tui.store.locks import for_change
from talent_tui.store.models import (
    AuditEntry,
    Deliverable,
    DeliverableStatus,
    Feedback,
    utcnow,
)

D = DeliverableStatus

DELIVERABLE_FLOW: dict[DeliverableStatus, frozenset[DeliverableStatus]] = {
    D.PLANNED: frozenset({D.DRAFT_SUBMITTED}),
    D.DRAFT_SUBMITTED: frozenset({D.CHANGES_REQUESTED, D.APPROVED}),
    D.CHANGES_REQUESTED: frozenset({D.DRAFT_SUBMITTED}),
    D.APPROVED: frozenset({D.POSTED}),
    D.POSTED: frozenset(),
}


def _kind(typed: str) -> str:
    """One of the rate card's kinds (`fields.DELIVERABLE_KINDS`), typed in any case."""
    text = clean(typed, "the kind", max_len=MAX_LINE, field="kind")
    try:
        return deliverable_kind(text)
    except FieldError as exc:
        raise DealError(exc.message, "kind") from None


def add_deliverable(
    session: Session, campaign_id: int, kind: str, due_on: date | None, actor: str
) -> Deliverable:
    """Add a deliverable of one of the rate card's kinds (`fields.DELIVERABLE_KINDS`)."""
    require_agreed(get_campaign(session, campaign_id), "deliverables")
    kind = _kind(kind)
    deliverable = Deliverable(campaign_id=campaign_id, kind=kind, due_on=due_on)
    session.add(deliverable)
    session.flush()
    audit.record(
        session, actor, "deliverable", id_of(deliverable), f"added {kind}", None, {"due_on": due_on}
    )
    return deliverable


def get_deliverable(session: Session, deliverable_id: int) -> Deliverable:
    deliverable = for_change(session, Deliverable, deliverable_id)  # locked when writing
    if deliverable is None:
        raise DealError(f"no deliverable with id {deliverable_id}")
    return deliverable


def edit_deliverable(
    session: Session,
    deliverable_id: int,
    actor: str,
    *,
    kind: str | None = None,
    due_on: date | None = None,
    clear_due: bool = False,
) -> Deliverable:
    """Change a deliverable's kind and/or due date (`clear_due` removes the due date); what
    is not given stays. A posted deliverable is done and stays as it was posted."""
    deliverable = get_deliverable(session, deliverable_id)
    require_agreed(get_campaign(session, deliverable.campaign_id), "deliverables")
    if deliverable.status is D.POSTED:
        raise DealError(f"deliverable {deliverable_id} is posted; it can no longer be edited")
    before = {"kind": deliverable.kind, "due_on": deliverable.due_on}
    new_kind = deliverable.kind if kind is None else _kind(kind)
    new_due = None if clear_due else due_on or deliverable.due_on
    after = {"kind": new_kind, "due_on": new_due}
    if after == before:
        raise DealError("nothing to change: give a new kind or due date")
    deliverable.kind = new_kind
    deliverable.due_on = new_due
    deliverable.updated_at = utcnow()
    changed = ", ".join(
        f"{name.replace('_on', '')} {value or 'none'}"
        for name, value in after.items()
        if before[name] != value
    )
    audit.record(
        session, actor, "deliverable", deliverable_id, f"edited {before['kind']}: {changed}",
        before, after,
    )  # fmt: skip
    session.flush()
    return deliverable


def delete_deliverable(session: Session, deliverable_id: int, actor: str) -> Deliverable:
    """Delete a deliverable that is still planned (nothing was submitted for it yet). The
    history entry is the campaign's, so the deal's history keeps it once the row is gone."""
    deliverable = get_deliverable(session, deliverable_id)
    campaign = get_campaign(session, deliverable.campaign_id)
    require_agreed(campaign, "deliverables")
    if deliverable.status is not D.PLANNED:
        raise DealError(
            f"deliverable {deliverable_id} is {deliverable.status.value.replace('_', ' ')}; "
            "only a planned deliverable can be deleted"
        )
    kept = {
        "deliverable": deliverable_id,
        "kind": deliverable.kind,
        "due_on": deliverable.due_on,
        "created_at": deliverable.created_at,  # where its own history starts (see history_spans)
    }
    session.delete(deliverable)  # its feedback goes with it (ON DELETE CASCADE)
    audit.record(
        session, actor, "campaign", id_of(campaign),
        f"{DELETED}{deliverable_id} ({deliverable.kind})", kept, None,
    )  # fmt: skip
    session.flush()
    return deliverable


def set_deliverable_status(
    session: Session, deliverable_id: int, to: DeliverableStatus, actor: str, url: str = ""
) -> Deliverable:
    deliverable = get_deliverable(session, deliverable_id)
    if to not in DELIVERABLE_FLOW[deliverable.status]:
        allowed = ", ".join(s.value for s in DELIVERABLE_FLOW[deliverable.status]) or "nothing"
        raise DealError(
            f"deliverable {deliverable_id} is {deliverable.status.value}; it cannot become "
            f"{to.value} (it can become: {allowed})"
        )
    url = clean(url, "the post URL", max_len=MAX_URL, field="url")
    if to is D.POSTED and not url:
        raise DealError("a posted deliverable needs the post URL", "url")
    if url and (not url.lower().startswith(("http://", "https://")) or " " in url):
        raise DealError(f"not a web address: {url!r} (it starts with https://)", "url")
    before = {"status": deliverable.status.value}
    deliverable.status = to
    if url:
        deliverable.post_url = url
    deliverable.updated_at = utcnow()
    after = {"status": to.value, "post_url": deliverable.post_url}
    audit.record(
        session,
        actor,
        "deliverable",
        deliverable_id,
        f"{deliverable.kind}: {to.value}",
        before,
        after,
    )
    session.flush()
    return deliverable


def add_feedback(
    session: Session, deliverable_id: int, author: str, text: str, given_on: date, actor: str
) -> Feedback:
    deliverable = get_deliverable(session, deliverable_id)
    body = clean(text, "the feedback", max_len=MAX_FEEDBACK, field="text")
    if not body:
        raise DealError("feedback text is required", "text")
    item = Feedback(
        deliverable_id=deliverable_id,
        author=clean(author, "the author", max_len=MAX_AUTHOR, field="author") or "brand",
        text=body,
        given_on=given_on,
    )
    session.add(item)
    session.flush()
    audit.record(
        session,
        actor,
        "deliverable",
        deliverable_id,
        f"feedback from {item.author} on {deliverable.kind}",
        None,
        {"text": item.text, "given_on": given_on},
    )
    return item


DELETED = "deleted deliverable "  # how a deletion's history line starts (on the campaign)


def history_spans(
    session: Session, campaign_id: int
) -> list[tuple[int, datetime, datetime | None]]:
    """(deliverable id, from, until) of every deliverable the campaign has or had: the
    history entries of a deliverable are those with its id written in that span. SQLite may
    give a deleted deliverable's id to the next one (of any campaign), so an id alone could
    show another deliverable's history."""
    spans: list[tuple[int, datetime, datetime | None]] = [
        (id_of(d), d.created_at, None) for d in deliverables_of(session, campaign_id)
    ]
    deletions = session.exec(
        select(AuditEntry).where(
            AuditEntry.entity == "campaign",
            AuditEntry.entity_id == campaign_id,
            col(AuditEntry.action).startswith(DELETED),
        )
    )
    for entry in deletions:
        kept = json.loads(entry.before or "{}")
        if "deliverable" in kept and "created_at" in kept:
            spans.append(
                (int(kept["deliverable"]), datetime.fromisoformat(kept["created_at"]), entry.at)
            )
    return spans


def deliverables_of(session: Session, campaign_id: int) -> list[Deliverable]:
    statement = (
        select(Deliverable)
        .where(Deliverable.campaign_id == campaign_id)
        .order_by(col(Deliverable.due_on).is_(None), col(Deliverable.due_on), col(Deliverable.id))
    )
    return list(session.exec(statement))


def feedback_of(session: Session, deliverable_id: int) -> list[Feedback]:
    statement = (
        select(Feedback)
        .where(Feedback.deliverable_id == deliverable_id)
        .order_by(col(Feedback.given_on), col(Feedback.id))
    )
    return list(session.exec(statement))


def is_open(status: DeliverableStatus) -> bool:
    """Still to be approved or posted."""
    return status not in (D.APPROVED, D.POSTED)


def deliverable_overdue(deliverable: Deliverable, today: date) -> bool:
    return (
        is_open(deliverable.status)
        and deliverable.due_on is not None
        and deliverable.due_on < today
    )
