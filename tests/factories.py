"""Builders for tests about one rule: each makes just the rows the test needs, through the
same services the app uses (so the rows are valid), inside the caller's transaction.

    with database.transaction() as s:
        creator = factories.creator(s, followers=10_000)
        offer = factories.offer(s, creator, fee="1,500 USD")
"""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from typing import Any

from sqlmodel import Session

from talent_tui.core.money import parse_money
from talent_tui.services import creators, deals
from talent_tui.store.models import Brand, Campaign, Creator

_serial = itertools.count(1)
DAY = date(2026, 11, 1)


def creator(session: Session, **fields: Any) -> Creator:
    n = next(_serial)
    values: dict[str, Any] = {"name": f"Creator {n}", "tiktok_handle": f"@creator{n}"}
    values.update({k: str(v) for k, v in fields.items()})
    return creators.add_creator(session, values)


def brand(session: Session, name: str | None = None, **fields: Any) -> Brand:
    row = Brand(name=name or f"Brand {next(_serial)}", **fields)
    session.add(row)
    session.flush()
    return row


def offer(
    session: Session,
    creator_row: Creator | None = None,
    brand_row: Brand | None = None,
    *,
    fee: str = "1,000 USD",
    name: str | None = None,
    received_on: date = DAY,
    respond_in_days: int | None = 7,
    actor: str = "tester",
) -> Campaign:
    """A campaign in `offer_received`, with the brand's offer as version 1."""
    creator_row = creator_row or creator(session)
    brand_row = brand_row or brand(session)
    money = parse_money(fee)
    respond_by = received_on + timedelta(days=respond_in_days) if respond_in_days else None
    terms = deals.Terms(
        fee_minor=money.amount_minor, currency=money.currency, respond_by=respond_by
    )
    return deals.add_campaign(
        session,
        creator_row.id,
        brand_row.id,
        name or f"Campaign {next(_serial)}",
        terms,
        actor,
        received_on,
    )


def agreed_offer(session: Session, **kwargs: Any) -> Campaign:
    """A campaign whose offer was accepted and is in production (deliverables and invoices
    belong to it)."""
    from talent_tui.store.models import CampaignStatus

    campaign = offer(session, **kwargs)
    deals.accept(session, campaign.id, "tester")
    deals.transition(session, campaign.id, CampaignStatus.IN_PRODUCTION, "tester")
    return campaign
