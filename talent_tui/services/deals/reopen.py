"""Reopening an expired offer: the brand sent it again. The deal gets a new offer version (the
brand's, its terms copied from the last version unless changed, with a new respond-by date)
and is an offer received once more.

An expired offer is otherwise final (`states.TRANSITIONS`): this is its one way back, and it
always takes a new respond-by date, so the offer cannot expire again the moment it reopens.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlmodel import Session

from talent_tui.core.fields import MAX_LINE
from talent_tui.services import audit
from talent_tui.services.deals.offers import (
    TERM_FIELDS,
    check_respond_by,
    check_terms,
    current_offer,
    follow_windows,
    terms_of,
)
from talent_tui.services.deals.states import (
    STATUS_LABELS,
    DealError,
    S,
    get_campaign,
    id_of,
    snapshot,
    text,
)
from talent_tui.store.models import Offer, Party, utcnow

MAX_ACTION = 200  # AuditEntry.action

# What a version is, besides its terms: never copied from the version before.
_OWN = frozenset(
    {"id", "campaign_id", "version", "proposed_by", "note", "created_at", "created_by"}
)


def reopen(
    session: Session,
    campaign_id: int,
    respond_by: date | None,
    actor: str,
    today: date,
    changes: dict[str, Any] | None = None,
    note: str = "",
) -> Offer:
    """The brand sent an expired offer again: a new version of the terms (the last version's,
    with `changes`; parse them with `parse_terms`) answerable until `respond_by`, which is
    required and may not be before `today`; the campaign is an offer received again."""
    campaign = get_campaign(session, campaign_id)
    if campaign.status is not S.EXPIRED:
        raise DealError(
            f"campaign {campaign_id} is {STATUS_LABELS[campaign.status]}: only an expired offer "
            "can be reopened"
        )
    if respond_by is None:
        raise DealError("a new respond-by date is required to reopen an offer", "respond_by")
    check_respond_by(respond_by, today)
    changes = dict(changes or {})
    unknown = set(changes) - set(TERM_FIELDS)
    if unknown:
        raise DealError(f"unknown term(s): {', '.join(sorted(unknown))}")
    note = text(note, "the note", max_len=MAX_LINE, field="note")
    last = current_offer(session, campaign)
    was = terms_of(last).describe()
    # Every column of the last version is copied (the conflict check's windows too), then
    # the changes and the new reply date.
    terms = {name: getattr(last, name) for name in Offer.model_fields if name not in _OWN} | changes
    terms["respond_by"] = respond_by
    # Changed usage or exclusivity days move their end dates, as a counter's do.
    follow_windows(terms_of(last), terms, changes, campaign.offer_received_on or today)
    check_terms(terms)
    offer = Offer(
        campaign_id=campaign_id,
        version=last.version + 1,
        proposed_by=Party.BRAND,
        note=note,
        created_by=actor,
        **terms,
    )
    session.add(offer)
    before = snapshot(campaign)
    campaign.status = S.OFFER_RECEIVED
    campaign.fee_minor, campaign.currency = offer.fee_minor, offer.currency
    campaign.respond_by = respond_by
    campaign.updated_at = utcnow()
    now = terms_of(offer).describe()
    changed = {k: v for k, v in now.items() if was[k] != v}
    summary = ", ".join(f"{k} {was[k]} → {v}" for k, v in changed.items())
    action = f"reopened: the brand sent the offer again as version {offer.version} ({summary})"
    audit.record(
        session,
        actor,
        "campaign",
        id_of(campaign),
        action if len(action) <= MAX_ACTION else action[: MAX_ACTION - 2] + "…)",
        before | {"terms": was},
        snapshot(campaign) | {"changed": changed},
    )
    session.flush()
    return offer
