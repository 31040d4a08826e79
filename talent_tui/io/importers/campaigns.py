"""Campaigns, matched on their external id; each new or changed set of terms is a brand offer."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from talent_tui.core.fields import (
    FieldError,
    FieldErrors,
    amount_in_own_currency,
    currency,
    day,
    enum_value,
    handle,
    notes,
    req_text,
)
from talent_tui.io.importers.base import (
    Counter,
    KindSpec,
    RowError,
    apply,
    by_key,
    differs,
    duplicates,
    gather,
    known_creators,
    register,
)
from talent_tui.services import audit
from talent_tui.store.models import (
    Brand,
    Campaign,
    CampaignStatus,
    Offer,
    Party,
    utcnow,
)


def _parse_campaign(v: Mapping[str, Any]) -> dict[str, Any]:
    data = gather(
        {
            "external_id": lambda: req_text(v, "external_id", 100),
            "tiktok_handle": lambda: handle(v, "tiktok_handle"),
            "brand": lambda: req_text(v, "brand"),
            "name": lambda: req_text(v, "name"),
            "fee_minor": lambda: amount_in_own_currency(v, "fee"),
            "currency": lambda: currency(v),
            "status": lambda: enum_value(v, "status", CampaignStatus),
            "offer_received_on": lambda: day(v, "offer_received_on"),
            "respond_by": lambda: day(v, "respond_by"),
            "start_on": lambda: day(v, "start_on"),
            "end_on": lambda: day(v, "end_on"),
            "notes": lambda: notes(v),
        }
    )
    problems = []
    if data["start_on"] and data["end_on"] and data["end_on"] < data["start_on"]:
        problems.append(
            FieldError("end_on", f"{data['end_on']} is before start_on {data['start_on']}")
        )
    received, respond_by = data["offer_received_on"], data["respond_by"]
    if received and respond_by and respond_by < received:
        problems.append(
            FieldError("respond_by", f"{respond_by} is before offer_received_on {received}")
        )
    if problems:
        raise FieldErrors(problems)
    return data


def _write_campaigns(session, rows, source, errors) -> Counter:  # noqa: ANN001
    counter = Counter()
    ids = known_creators(session, rows, source, errors)
    brands = {
        b.name: b.id
        for b in by_key(session, Brand, Brand.name, [d["brand"] for _, d in rows]).values()
    }
    for row, data in rows:
        if data["brand"] not in brands:
            errors.append(RowError(source, row.number, "brand", f"unknown brand {data['brand']!r}"))
    if errors:
        return counter
    existing = by_key(session, Campaign, Campaign.external_id, [d["external_id"] for _, d in rows])
    now = utcnow()
    actor = f"import:{source}"
    created: list[Campaign] = []
    for _row, data in rows:
        data["creator_id"] = ids[data.pop("tiktok_handle")]
        data["brand_id"] = brands[data.pop("brand")]
        campaign = existing.get(data["external_id"])
        if campaign is None:
            campaign = Campaign(**data, created_at=now, updated_at=now)
            session.add(campaign)
            created.append(campaign)
            counter.new += 1
        elif differs(campaign, data):
            before = _campaign_state(campaign)
            terms_changed = any(
                getattr(campaign, k) != data[k] for k in ("fee_minor", "currency", "respond_by")
            )
            apply(campaign, data)
            campaign.updated_at = now
            if terms_changed:
                _add_brand_version(session, campaign, actor)
            audit.record(
                session,
                actor,
                "campaign",
                campaign.id,
                "updated by import",
                before,
                _campaign_state(campaign),
            )
            counter.updated += 1
        else:
            counter.unchanged += 1
    session.flush()
    for campaign in created:
        _add_brand_version(session, campaign, actor)
        audit.record(
            session,
            actor,
            "campaign",
            campaign.id,
            f"imported as {campaign.status.value}",
            None,
            _campaign_state(campaign),
        )
    return counter


def _campaign_state(campaign: Campaign) -> dict[str, Any]:
    return {
        "status": campaign.status.value,
        "fee_minor": campaign.fee_minor,
        "currency": campaign.currency,
        "respond_by": campaign.respond_by,
    }


def _add_brand_version(session: Session, campaign: Campaign, actor: str) -> None:
    """An imported campaign's terms are the brand's: a new offer version records them."""
    last = session.execute(
        sa.select(sa.func.max(Offer.version)).where(Offer.campaign_id == campaign.id)
    ).scalar()
    session.add(
        Offer(
            campaign_id=campaign.id,
            version=(last or 0) + 1,
            proposed_by=Party.BRAND,
            fee_minor=campaign.fee_minor,
            currency=campaign.currency,
            respond_by=campaign.respond_by,
            created_by=actor,
        )
    )


SPEC = KindSpec(
    columns=(
        "external_id",
        "tiktok_handle",
        "brand",
        "name",
        "fee",
        "currency",
        "status",
        "offer_received_on",
        "respond_by",
        "start_on",
        "end_on",
        "notes",
    ),
    required=("external_id", "tiktok_handle", "brand", "name", "fee", "currency", "status"),
    parse=_parse_campaign,
    write=_write_campaigns,
    check_rows=lambda rows, source: duplicates(
        rows, source, lambda d: d["external_id"], "external_id"
    ),
)


register("campaigns", SPEC)
