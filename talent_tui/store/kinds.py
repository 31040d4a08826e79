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


# ---- affiliate money (issue 16) ---------------------------------------------------------------


class RuleKind(enum.StrEnum):
    """A program's commission rule: a tier (a rate from N conversions in a month), a
    promotion (a rate in a date window) or a bonus (an amount at N conversions in a month)."""

    TIER = "tier"
    PROMO = "promo"
    BONUS = "bonus"


class ReviewRule(enum.StrEnum):
    """The compliance and fraud rules that hold a conversion for a person's decision."""

    DUPLICATE_ORDER = "duplicate_order"
    SELF_REFERRAL = "self_referral"
    FORBIDDEN_SOURCE = "forbidden_source"
    RATE_OUTLIER = "rate_outlier"
    CLICK_SPIKE = "click_spike"
    TOO_FAST = "too_fast"


class ReviewStatus(enum.StrEnum):
    """A review flag waits (`open`) until a person approves (releases) or rejects (reverses)."""

    OPEN = "open"
    APPROVED = "approved"
    REJECTED = "rejected"


class StatementStatus(enum.StrEnum):
    """A statement is `open` until paid; one whose total is below zero is `carried` (nothing
    is paid; the negative total goes to the affiliate's next statement); one whose total is
    exactly zero is `zero` (nothing to pay, nothing carried)."""

    OPEN = "open"
    PAID = "paid"
    CARRIED = "carried"
    ZERO = "zero"


class LineKind(enum.StrEnum):
    """A line of a statement: a conversion's commission, a bonus, or an adjustment."""

    CONVERSION = "conversion"
    BONUS = "bonus"
    ADJUSTMENT = "adjustment"


class AdjustmentKind(enum.StrEnum):
    """Why a statement is adjusted: a refund or a reversal of a conversion after it locked or
    was paid, a conversion approved in review after its month was built, or a negative total
    carried forward from an earlier statement."""

    REFUND = "refund"
    REVERSAL = "reversal"
    APPROVAL = "approval"
    CARRIED = "carried"
