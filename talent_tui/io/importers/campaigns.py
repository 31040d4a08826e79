"""Campaigns, matched on their external id; each new or changed set of terms is a brand offer."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from talent_tui.core import money
from talent_tui.core.fields import (
    MAX_EXTERNAL_ID,
    FieldError,
    FieldErrors,
    amount_in_own_currency,
    creator_ref,
    currency,
    day,
    enum_value,
    notes,
    req_text,
)
from talent_tui.io.importers.base import (
    Counter,
    FieldChange,
    KindSpec,
    RowError,
    SourceRow,
    apply,
    by_key,
    duplicates,
    gather,
    known_creators,
    present,
    register,
)
from talent_tui.services import audit, deals
from talent_tui.services.deals.states import id_of
from talent_tui.store.models import (
    Brand,
    Campaign,
    CampaignStatus,
    Creator,
    Offer,
    Party,
    utcnow,
)


def _parse_campaign(v: Mapping[str, Any]) -> dict[str, Any]:
    data = gather(
        {
            "external_id": lambda: req_text(v, "external_id", MAX_EXTERNAL_ID),
            "tiktok_handle": lambda: creator_ref(v),
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
    for _, data in rows:  # an export names a campaign without a stored id as talent-<its id>
        own = _OWN_ID.fullmatch(data["external_id"])
        if own and data["external_id"] not in existing:
            campaign = session.get(Campaign, int(own.group(1)))
            if campaign is not None and campaign.external_id is None:
                existing[data["external_id"]] = campaign
    now = utcnow()
    actor = f"import:{source}"
    created: list[Campaign] = []

    def creator_shown(creator_id: int, _campaign: Any) -> str:
        creator = session.get(Creator, creator_id)
        return creator.tiktok_handle if creator else str(creator_id)

    def brand_shown(brand_id: int, _campaign: Any) -> str:
        brand = session.get(Brand, brand_id)
        return brand.name if brand else str(brand_id)

    formats = {**_FORMATS, "creator_id": creator_shown, "brand_id": brand_shown}
    for row, data in rows:
        data["creator_id"] = ids[data.pop("tiktok_handle")]
        data["brand_id"] = brands[data.pop("brand")]
        campaign = existing.get(data["external_id"])
        if campaign is None:
            campaign = Campaign(**data, created_at=now, updated_at=now)
            session.add(campaign)
            created.append(campaign)
            counter.new += 1
            continue
        # A stored campaign changes only in the columns the file has.
        data = present(row, data, _SOURCES)
        refused = _refusals(campaign, data, row, source)
        if refused:
            errors.extend(refused)
            continue
        status = data.pop("status", campaign.status)
        extra = []
        if status != campaign.status:
            extra.append(FieldChange("status", campaign.status.value, CampaignStatus(status).value))
        if not counter.changed(row, campaign.external_id, campaign, data, _NAMES, formats, extra):
            continue
        if status != campaign.status:
            # The app's own step, with its history entry, before the other fields change.
            deals.transition(session, id_of(campaign), status, actor)
        before = _campaign_state(campaign)
        terms_changed = any(
            k in data and getattr(campaign, k) != data[k]
            for k in ("fee_minor", "currency", "respond_by")
        )
        if any(getattr(campaign, k) != v for k, v in data.items()):
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


_OWN_ID = re.compile(r"talent-([0-9]{1,18})")

# The column each field is read from, where the names differ; and how the summary shows it.
_SOURCES = {"fee_minor": "fee", "creator_id": "tiktok_handle", "brand_id": "brand"}
_NAMES = {"fee_minor": "fee", "creator_id": "creator", "brand_id": "brand"}
_FORMATS = {
    "fee_minor": lambda minor, campaign: money.format_money(minor, campaign.currency),
}


def _refusals(
    campaign: Campaign, data: dict[str, Any], row: SourceRow, source: str
) -> list[RowError]:
    """What a row may not do to a stored campaign: a status step the app would refuse, or
    dates that no longer fit together with the ones it leaves alone."""
    problems = []
    status = data.get("status", campaign.status)
    if status != campaign.status and status not in deals.TRANSITIONS[campaign.status]:
        message = str(deals.IllegalTransition(campaign, status)).replace(
            f"campaign {campaign.id}", f"campaign {campaign.external_id}", 1
        )
        problems.append(RowError(source, row.number, "status", message))

    def merged(name: str) -> Any:
        return data.get(name, getattr(campaign, name))

    start_on, end_on = merged("start_on"), merged("end_on")
    if start_on and end_on and end_on < start_on and ("start_on" in data or "end_on" in data):
        field_name = "end_on" if "end_on" in data else "start_on"
        problems.append(
            RowError(
                source, row.number, field_name, f"end_on {end_on} is before start_on {start_on}"
            )
        )
    received, respond_by = merged("offer_received_on"), merged("respond_by")
    if (
        received
        and respond_by
        and respond_by < received
        and ("respond_by" in data or "offer_received_on" in data)
    ):
        field_name = "respond_by" if "respond_by" in data else "offer_received_on"
        problems.append(
            RowError(
                source,
                row.number,
                field_name,
                f"respond_by {respond_by} is before offer_received_on {received}",
            )
        )
    return problems


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
