"""The kinds behind every status: plain enums, importable without the ORM (the first frame
of the TUI and the command line's option parsing use them before SQLAlchemy is loaded)."""

from __future__ import annotations

import enum


class Dimension(enum.StrEnum):
    """The axes of an audience: who follows a creator, or whom a brand wants to reach."""

    GENDER = "gender"
    AGE = "age"
    COUNTRY = "country"


class CampaignStatus(enum.StrEnum):
    OFFER_RECEIVED = "offer_received"
    REVIEWING = "reviewing"
    NEGOTIATING = "negotiating"
    ACCEPTED = "accepted"
    IN_PRODUCTION = "in_production"
    COMPLETED = "completed"
    DECLINED = "declined"
    EXPIRED = "expired"
    CANCELLED = "cancelled"


class Tab(enum.StrEnum):
    """The four campaign lists of the main screen; each status belongs to exactly one."""

    PENDING = "pending"
    ACTIVE = "active"
    COMPLETED = "completed"
    INACTIVE = "inactive"


TAB_OF_STATUS: dict[CampaignStatus, Tab] = {
    CampaignStatus.OFFER_RECEIVED: Tab.PENDING,
    CampaignStatus.REVIEWING: Tab.PENDING,
    CampaignStatus.NEGOTIATING: Tab.PENDING,
    CampaignStatus.ACCEPTED: Tab.ACTIVE,
    CampaignStatus.IN_PRODUCTION: Tab.ACTIVE,
    CampaignStatus.COMPLETED: Tab.COMPLETED,
    CampaignStatus.DECLINED: Tab.INACTIVE,
    CampaignStatus.EXPIRED: Tab.INACTIVE,
    CampaignStatus.CANCELLED: Tab.INACTIVE,
}


def statuses_in(tab: Tab) -> list[CampaignStatus]:
    return [status for status, owner in TAB_OF_STATUS.items() if owner is tab]


# ---- affiliate programs -----------------------------------------------------------------------


class AffiliateStage(enum.StrEnum):
    """Where an affiliate is in a program's recruiting and onboarding pipeline."""

    PROSPECT = "prospect"
    CONTACTED = "contacted"
    APPLIED = "applied"
    ONBOARDING = "onboarding"
    ACTIVE = "active"
    PAUSED = "paused"
    ENDED = "ended"
    REJECTED = "rejected"


class ConversionStatus(enum.StrEnum):
    """An order or lead as the tracking platform reports it; `reversed` counts for nothing."""

    PENDING = "pending"
    APPROVED = "approved"
    REVERSED = "reversed"
    HELD = "held"


class CreativeKind(enum.StrEnum):
    BANNER = "banner"
    TEXT = "text"
