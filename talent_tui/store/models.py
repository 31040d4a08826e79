"""The stored shape of talent's data: SQLModel tables and the enums behind every status.

Money is always an integer amount of minor units plus an ISO 4217 code. Timestamps are
timezone-aware UTC (stored naive-UTC, returned aware); deadlines are plain dates. Rates such
as engagement are fractions (0.045 means 4.5 %); a manager's commission is in basis points.
"""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime

import sqlalchemy as sa
from pydantic import ConfigDict
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel

from talent_tui.core import fields

# The enums live in store.kinds (importable without the ORM); re-exported here.
from talent_tui.store.kinds import TAB_OF_STATUS as TAB_OF_STATUS
from talent_tui.store.kinds import AdjustmentKind as AdjustmentKind
from talent_tui.store.kinds import AffiliateStage as AffiliateStage
from talent_tui.store.kinds import CampaignStatus as CampaignStatus
from talent_tui.store.kinds import ConversionStatus as ConversionStatus
from talent_tui.store.kinds import CreativeKind as CreativeKind
from talent_tui.store.kinds import Dimension as Dimension
from talent_tui.store.kinds import LineKind as LineKind
from talent_tui.store.kinds import ReviewRule as ReviewRule
from talent_tui.store.kinds import ReviewStatus as ReviewStatus
from talent_tui.store.kinds import RuleKind as RuleKind
from talent_tui.store.kinds import StatementStatus as StatementStatus
from talent_tui.store.kinds import Tab as Tab
from talent_tui.store.kinds import statuses_in as statuses_in


class Table(SQLModel):
    """The base of every table. Pydantic's validators and serializers for a model are built
    the first time one is needed (`defer_build`), not when the module is imported: table
    models are not validated on construction, so most commands never need them, and building
    them for every table took 60 ms of each command's start."""

    model_config = ConfigDict(defer_build=True)


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """A DateTime that only accepts aware datetimes, stores UTC and hands back aware UTC."""

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):  # noqa: ANN001
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; talent stores timezone-aware UTC only")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect):  # noqa: ANN001
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


def _enum(enum_cls: type[enum.Enum], length: int = 20) -> sa.Enum:
    return sa.Enum(
        enum_cls,
        native_enum=False,
        length=length,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


class Creator(Table, table=True):
    __tablename__ = "creators"

    id: int | None = Field(default=None, primary_key=True)
    # The roster's sorts and its live/archive split are served by partial indexes that
    # migration 0004 creates (ix_creators_roster_*, outside this metadata), not by `index=True`.
    name: str = Field(max_length=fields.MAX_NAME)
    tiktok_handle: str = Field(unique=True, index=True, max_length=fields.MAX_HANDLE)
    instagram_handle: str | None = Field(default=None, max_length=fields.MAX_HANDLE)
    youtube_handle: str | None = Field(default=None, max_length=fields.MAX_HANDLE)
    # Latest audience size and engagement, kept in step with the newest MetricSnapshot so the
    # roster can sort and page without touching the history.
    followers: int = Field(default=0)
    engagement_rate: float | None = Field(default=None)
    follower_growth_30d: float | None = Field(default=None)
    # Campaigns in the pending and active tabs, kept exact by triggers on `campaigns` (migration
    # 0004) so the roster can sort on it. Read it; never assign it (the ORM would write it).
    open_deals: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    niche: str | None = Field(default=None, index=True, max_length=fields.MAX_NICHE)
    tags: str = Field(default="", max_length=fields.MAX_TAGS, description="semicolon-separated")
    email: str | None = Field(default=None, max_length=fields.MAX_EMAIL)
    phone: str | None = Field(default=None, max_length=fields.MAX_PHONE)
    commission_bp: int = Field(default=0, description="manager's commission in basis points")
    notes: str = Field(default="")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    archived_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    # The manager responsible (team mode, migration 0009); NULL: unassigned. Served by the
    # partial indexes ix_creators_roster_manager_* (outside this metadata, see 0009).
    manager_id: int | None = Field(default=None, foreign_key="managers.id")


class MetricSnapshot(Table, table=True):
    __tablename__ = "metric_snapshots"
    __table_args__ = (sa.UniqueConstraint("creator_id", "captured_on"),)

    id: int | None = Field(default=None, primary_key=True)
    creator_id: int = Field(foreign_key="creators.id", ondelete="CASCADE", index=True)
    captured_on: date
    followers: int
    avg_views: int | None = None
    six_sec_view_rate: float | None = None
    completion_rate: float | None = None
    engagement_rate: float | None = None
    likes: int | None = None
    comments: int | None = None
    shares: int | None = None
    videos_posted: int | None = None


class AudienceSegment(Table, table=True):
    __tablename__ = "audience_segments"
    __table_args__ = (sa.UniqueConstraint("creator_id", "captured_on", "dimension", "bucket"),)

    id: int | None = Field(default=None, primary_key=True)
    creator_id: int = Field(foreign_key="creators.id", ondelete="CASCADE", index=True)
    captured_on: date
    dimension: Dimension = Field(sa_type=_enum(Dimension))
    bucket: str = Field(max_length=fields.MAX_BUCKET)
    share: float


class Rate(Table, table=True):
    __tablename__ = "rates"
    __table_args__ = (sa.UniqueConstraint("creator_id", "deliverable"),)

    id: int | None = Field(default=None, primary_key=True)
    creator_id: int = Field(foreign_key="creators.id", ondelete="CASCADE", index=True)
    deliverable: str = Field(max_length=fields.MAX_KIND)
    amount_minor: int
    currency: str = Field(max_length=3)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Brand(Table, table=True):
    __tablename__ = "brands"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, index=True, max_length=fields.MAX_NAME)
    contact_name: str | None = Field(default=None, max_length=fields.MAX_NAME)
    email: str | None = Field(default=None, max_length=fields.MAX_EMAIL)
    website: str | None = Field(default=None, max_length=fields.MAX_WEBSITE)
    category: str | None = Field(default=None, max_length=fields.MAX_CATEGORY)
    notes: str = Field(default="")
    archived_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class BrandTarget(Table, table=True):
    """A brand's target audience, in the same shape as a creator's AudienceSegment."""

    __tablename__ = "brand_targets"
    __table_args__ = (sa.UniqueConstraint("brand_id", "dimension", "bucket"),)

    id: int | None = Field(default=None, primary_key=True)
    brand_id: int = Field(foreign_key="brands.id", ondelete="CASCADE", index=True)
    dimension: Dimension = Field(sa_type=_enum(Dimension))
    bucket: str = Field(max_length=fields.MAX_BUCKET)
    share: float


class Campaign(Table, table=True):
    __tablename__ = "campaigns"
    __table_args__ = (
        sa.CheckConstraint("fee_minor >= 0", name="fee_not_negative"),
        sa.Index("ix_campaigns_creator_status", "creator_id", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    external_id: str | None = Field(
        default=None, unique=True, index=True, max_length=fields.MAX_EXTERNAL_ID
    )
    creator_id: int = Field(foreign_key="creators.id", ondelete="CASCADE", index=True)
    brand_id: int = Field(foreign_key="brands.id", index=True)
    name: str = Field(max_length=fields.MAX_NAME)
    fee_minor: int
    currency: str = Field(max_length=3)
    status: CampaignStatus = Field(sa_type=_enum(CampaignStatus), index=True)
    offer_received_on: date | None = None
    respond_by: date | None = None
    start_on: date | None = None
    end_on: date | None = None
    notes: str = Field(default="")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


# ---- deals: offers, deliverables, feedback, invoices, interactions, audit ---------------------


class Party(enum.StrEnum):
    """Who proposed a version of the terms."""

    BRAND = "brand"
    MANAGER = "manager"


class Offer(Table, table=True):
    """One version of a campaign's terms. Versions are never changed, only added."""

    __tablename__ = "offers"
    __table_args__ = (
        sa.UniqueConstraint("campaign_id", "version"),
        sa.CheckConstraint("fee_minor >= 0", name="offer_fee_not_negative"),
    )

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaigns.id", ondelete="CASCADE", index=True)
    version: int
    proposed_by: Party = Field(sa_type=_enum(Party))
    fee_minor: int
    currency: str = Field(max_length=3)
    deliverables: str = Field(default="", max_length=fields.MAX_DELIVERABLES)
    usage_days: int | None = None
    exclusivity_days: int | None = None
    # The exclusivity's category and window, and when the brand's usage rights end (dates,
    # inclusive): what the conflict check compares across a creator's deals.
    exclusivity_category: str | None = Field(default=None, max_length=fields.MAX_CATEGORY)
    exclusive_from: date | None = None
    exclusive_until: date | None = None
    usage_until: date | None = None
    net_days: int | None = None
    upfront_bp: int | None = None
    respond_by: date | None = None
    note: str = Field(default="")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    created_by: str = Field(default="", max_length=fields.MAX_ACTOR)


class DeliverableStatus(enum.StrEnum):
    PLANNED = "planned"
    DRAFT_SUBMITTED = "draft_submitted"
    CHANGES_REQUESTED = "changes_requested"
    APPROVED = "approved"
    POSTED = "posted"


class Deliverable(Table, table=True):
    __tablename__ = "deliverables"

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaigns.id", ondelete="CASCADE", index=True)
    kind: str = Field(max_length=fields.MAX_KIND)
    due_on: date | None = Field(default=None, index=True)
    status: DeliverableStatus = Field(
        default=DeliverableStatus.PLANNED, sa_type=_enum(DeliverableStatus)
    )
    post_url: str | None = Field(default=None, max_length=fields.MAX_URL)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Feedback(Table, table=True):
    """One round of the brand's creative feedback on a deliverable."""

    __tablename__ = "feedback"

    id: int | None = Field(default=None, primary_key=True)
    deliverable_id: int = Field(foreign_key="deliverables.id", ondelete="CASCADE", index=True)
    author: str = Field(max_length=fields.MAX_AUTHOR)
    text: str
    given_on: date
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Invoice(Table, table=True):
    __tablename__ = "invoices"
    __table_args__ = (sa.CheckConstraint("amount_minor >= 0", name="invoice_not_negative"),)

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaigns.id", ondelete="CASCADE", index=True)
    number: str = Field(default="", max_length=fields.MAX_INVOICE_NUMBER)
    amount_minor: int
    currency: str = Field(max_length=3)
    issued_on: date
    due_on: date = Field(index=True)
    paid_on: date | None = None
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class InteractionKind(enum.StrEnum):
    CALL = "call"
    EMAIL = "email"
    MEETING = "meeting"
    NOTE = "note"


class Interaction(Table, table=True):
    """A call, e-mail, meeting or note with a creator or a brand, maybe with a follow-up."""

    __tablename__ = "interactions"

    id: int | None = Field(default=None, primary_key=True)
    creator_id: int | None = Field(
        default=None, foreign_key="creators.id", ondelete="CASCADE", index=True
    )
    brand_id: int | None = Field(
        default=None, foreign_key="brands.id", ondelete="CASCADE", index=True
    )
    kind: InteractionKind = Field(sa_type=_enum(InteractionKind))
    summary: str
    happened_on: date
    follow_up_on: date | None = Field(default=None, index=True)
    follow_up_done: bool = False
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    created_by: str = Field(default="", max_length=fields.MAX_ACTOR)


class AuditEntry(Table, table=True):
    """Who changed what, when, with the values before and after (JSON)."""

    __tablename__ = "audit_entries"
    __table_args__ = (sa.Index("ix_audit_entity", "entity", "entity_id"),)

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    actor: str = Field(max_length=fields.MAX_ACTOR)
    entity: str = Field(max_length=40)
    entity_id: int
    action: str = Field(max_length=200)
    before: str | None = None
    after: str | None = None


# ---- affiliate programs (issue 15): programs, affiliates, their resources, clicks, orders ------


class Setting(Table, table=True):
    """Small per-database values talent keeps for itself (the key of the customer e-mail
    hashes). Never shown, never exported."""

    __tablename__ = "settings"

    key: str = Field(primary_key=True, max_length=60)
    value: str


class Program(Table, table=True):
    """An affiliate program an advertiser (a brand) runs. The base commission rate is in basis
    points (1000 = 10 %); lock and payout windows are in days."""

    __tablename__ = "programs"
    __table_args__ = (
        sa.CheckConstraint("rate_bp >= 0 AND rate_bp <= 10000", name="program_rate_in_range"),
    )

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, max_length=fields.MAX_NAME)
    slug: str = Field(unique=True, max_length=fields.MAX_SLUG)
    brand_id: int = Field(foreign_key="brands.id", index=True)
    currency: str = Field(max_length=3)
    rate_bp: int
    # The cookie window: how many days after a click a sale is still the affiliate's.
    attribution_days: int = Field(default=30)
    lock_days: int = Field(default=30)
    net_days: int = Field(default=30)
    forbidden_sources: str = Field(default="", max_length=fields.MAX_FORBIDDEN)
    terms: str = Field(default="")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    archived_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class ChecklistItem(Table, table=True):
    """One item of a program's onboarding checklist, in the manager's order."""

    __tablename__ = "checklist_items"
    __table_args__ = (sa.UniqueConstraint("program_id", "label"),)

    id: int | None = Field(default=None, primary_key=True)
    program_id: int = Field(foreign_key="programs.id", ondelete="CASCADE", index=True)
    position: int
    label: str = Field(max_length=fields.MAX_CHECKLIST_ITEM)


class Affiliate(Table, table=True):
    """A person or publisher in one program (the same person in two programs is two rows).
    `creator_id` is set when a roster creator has the affiliate's handle as TikTok handle;
    `code` is the handle without its @, the utm_source of the affiliate's links."""

    __tablename__ = "affiliates"
    __table_args__ = (
        sa.UniqueConstraint("program_id", "handle"),
        sa.Index("ix_affiliates_program_stage", "program_id", "stage"),
    )

    id: int | None = Field(default=None, primary_key=True)
    program_id: int = Field(foreign_key="programs.id", ondelete="CASCADE")
    handle: str = Field(index=True, max_length=fields.MAX_HANDLE)
    code: str = Field(max_length=fields.MAX_HANDLE)
    creator_id: int | None = Field(
        default=None, foreign_key="creators.id", ondelete="SET NULL", index=True
    )
    name: str | None = Field(default=None, max_length=fields.MAX_NAME)
    email: str | None = Field(default=None, max_length=fields.MAX_EMAIL)
    site: str | None = Field(default=None, max_length=fields.MAX_WEBSITE)
    stage: AffiliateStage = Field(sa_type=_enum(AffiliateStage))
    stage_since: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    notes: str = Field(default="")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # The manager responsible (team mode, migration 0009); NULL: unassigned.
    manager_id: int | None = Field(default=None, foreign_key="managers.id", index=True)


class StageChange(Table, table=True):
    """One dated move of an affiliate through the pipeline (the first has no `from_stage`)."""

    __tablename__ = "affiliate_stage_changes"

    id: int | None = Field(default=None, primary_key=True)
    affiliate_id: int = Field(foreign_key="affiliates.id", ondelete="CASCADE", index=True)
    from_stage: AffiliateStage | None = Field(default=None, sa_type=_enum(AffiliateStage))
    to_stage: AffiliateStage = Field(sa_type=_enum(AffiliateStage))
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    actor: str = Field(default="", max_length=fields.MAX_ACTOR)


class ChecklistTick(Table, table=True):
    __tablename__ = "checklist_ticks"
    __table_args__ = (sa.UniqueConstraint("affiliate_id", "item_id"),)

    id: int | None = Field(default=None, primary_key=True)
    affiliate_id: int = Field(foreign_key="affiliates.id", ondelete="CASCADE")
    item_id: int = Field(foreign_key="checklist_items.id", ondelete="CASCADE", index=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    actor: str = Field(default="", max_length=fields.MAX_ACTOR)


class TrackingLink(Table, table=True):
    """A tracking link given to an affiliate: its short code (unique in the program), where it
    leads, and the full URL with the UTM parameters services.affiliates.resources builds."""

    __tablename__ = "tracking_links"
    __table_args__ = (sa.UniqueConstraint("program_id", "code"),)

    id: int | None = Field(default=None, primary_key=True)
    program_id: int = Field(foreign_key="programs.id", ondelete="CASCADE")
    affiliate_id: int = Field(foreign_key="affiliates.id", ondelete="CASCADE", index=True)
    code: str = Field(max_length=fields.MAX_LINK_CODE)
    name: str | None = Field(default=None, max_length=fields.MAX_NAME)
    destination: str = Field(max_length=fields.MAX_URL)
    url: str = Field(max_length=2 * fields.MAX_URL)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class PromoCode(Table, table=True):
    """A promo code given to an affiliate; `code_key` (the code in lower case) is what makes
    it unique in the program, case-insensitively. Discount in basis points."""

    __tablename__ = "promo_codes"
    __table_args__ = (
        sa.UniqueConstraint("program_id", "code_key"),
        sa.CheckConstraint(
            "discount_bp IS NULL OR (discount_bp >= 0 AND discount_bp <= 10000)",
            name="promo_discount_in_range",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    program_id: int = Field(foreign_key="programs.id", ondelete="CASCADE")
    affiliate_id: int = Field(foreign_key="affiliates.id", ondelete="CASCADE", index=True)
    code: str = Field(max_length=fields.MAX_PROMO_CODE)
    code_key: str = Field(max_length=fields.MAX_PROMO_CODE)
    discount_bp: int | None = None
    valid_from: date | None = None
    valid_to: date | None = None
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Creative(Table, table=True):
    """A banner (a file path and a size) or a text link (its text), program-wide or assigned
    to one affiliate."""

    __tablename__ = "creatives"

    id: int | None = Field(default=None, primary_key=True)
    program_id: int = Field(foreign_key="programs.id", ondelete="CASCADE", index=True)
    affiliate_id: int | None = Field(
        default=None, foreign_key="affiliates.id", ondelete="CASCADE", index=True
    )
    kind: CreativeKind = Field(sa_type=_enum(CreativeKind))
    name: str = Field(max_length=fields.MAX_NAME)
    size: str | None = Field(default=None, max_length=fields.MAX_SIZE)
    text: str | None = Field(default=None, max_length=fields.MAX_LINE)
    path: str | None = Field(default=None, max_length=fields.MAX_URL)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ClickDay(Table, table=True):
    """Clicks (and impressions when known) of one day, per link, or per affiliate when the
    platform gives no link (`link_id` NULL). The importer keeps one row per (affiliate, link,
    day), so a re-import replaces the day's numbers."""

    __tablename__ = "click_days"
    __table_args__ = (
        # Covering the KPI sums (migration 0007): a period's clicks read from the index alone.
        sa.Index(
            "ix_click_days_program_day",
            "program_id",
            "day",
            "affiliate_id",
            "clicks",
            "impressions",
        ),
        sa.Index("ix_click_days_affiliate_day", "affiliate_id", "day"),
        sa.CheckConstraint("clicks >= 0", name="clicks_not_negative"),
    )

    id: int | None = Field(default=None, primary_key=True)
    program_id: int = Field(foreign_key="programs.id", ondelete="CASCADE")
    affiliate_id: int = Field(foreign_key="affiliates.id", ondelete="CASCADE")
    link_id: int | None = Field(
        default=None, foreign_key="tracking_links.id", ondelete="SET NULL", index=True
    )
    day: date
    clicks: int
    impressions: int | None = None


class Conversion(Table, table=True):
    """An order or lead: unique per program by order id (a re-import updates its status and
    refund). Amounts in the program's currency; the customer's e-mail only as a keyed hash
    (HMAC-SHA256, services.affiliates.conversions). `platform_rate_bp` and
    `platform_commission_minor` are what a platform (TikTok Shop) reported it paid."""

    __tablename__ = "conversions"
    __table_args__ = (
        sa.UniqueConstraint("program_id", "order_id"),
        # Covering the KPI sums (migration 0007): a period's conversions read from the index.
        sa.Index(
            "ix_conversions_program_time",
            "program_id",
            "occurred_at",
            "affiliate_id",
            "status",
            "amount_minor",
            "refund_minor",
        ),
        sa.Index("ix_conversions_affiliate_time", "affiliate_id", "occurred_at"),
        sa.CheckConstraint(
            "amount_minor >= 0 AND refund_minor >= 0 AND refund_minor <= amount_minor",
            name="conversion_amounts",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    program_id: int = Field(foreign_key="programs.id", ondelete="CASCADE")
    order_id: str = Field(max_length=fields.MAX_ORDER_ID)
    affiliate_id: int = Field(foreign_key="affiliates.id", ondelete="CASCADE")
    link_id: int | None = Field(default=None, foreign_key="tracking_links.id", ondelete="SET NULL")
    promo_code_id: int | None = Field(
        default=None, foreign_key="promo_codes.id", ondelete="SET NULL"
    )
    occurred_at: datetime = Field(sa_type=UTCDateTime)
    amount_minor: int
    refund_minor: int = Field(default=0)
    currency: str = Field(max_length=3)
    status: ConversionStatus = Field(sa_type=_enum(ConversionStatus))
    source: str | None = Field(default=None, max_length=fields.MAX_SOURCE)
    customer_hash: str | None = Field(default=None, max_length=64)
    platform_rate_bp: int | None = None
    platform_commission_minor: int | None = None
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ImportProfile(Table, table=True):
    """A saved column mapping for another network's export: `mapping` is JSON
    {their column (lower case): our column}."""

    __tablename__ = "import_profiles"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, max_length=fields.MAX_PROFILE_NAME)
    mapping: str
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


# ---- affiliate money (issue 16): commission rules, fraud review, statements, adjustments ----
# Every money and count column is a 64-bit integer (sa.BigInteger).


def _big(default: int | None = None, **kwargs: object) -> object:
    """A 64-bit integer column (money in minor units, or a count)."""
    return Field(default=default, sa_type=sa.BigInteger, **kwargs)  # type: ignore[arg-type]


class CommissionRule(Table, table=True):
    """One version of one of a program's commission rules (services.affiliates.commissions):
    a tier (`threshold` conversions in a month → `rate_bp` for all of them), a promotion
    (`rate_bp` for conversions occurring `starts_on`..`ends_on`, both included) or a bonus
    (`amount_minor` in `currency` once per affiliate and month whose count reaches
    `threshold`). Versions are never edited: a change closes the version in force
    (`valid_to`) and adds the next (`valid_from`), so what applied at any time can be read."""

    __tablename__ = "commission_rules"
    __table_args__ = (
        sa.Index("ix_commission_rules_program_kind", "program_id", "kind"),
        sa.CheckConstraint(
            "rate_bp IS NULL OR (rate_bp >= 0 AND rate_bp <= 10000)", name="rule_rate_in_range"
        ),
        sa.CheckConstraint(
            "amount_minor IS NULL OR amount_minor >= 0", name="rule_amount_not_negative"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    program_id: int = Field(foreign_key="programs.id", ondelete="CASCADE")
    kind: RuleKind = Field(sa_type=_enum(RuleKind))
    threshold: int | None = _big()  # type: ignore[assignment]
    rate_bp: int | None = None
    amount_minor: int | None = _big()  # type: ignore[assignment]
    currency: str | None = Field(default=None, max_length=3)
    starts_on: date | None = None
    ends_on: date | None = None
    valid_from: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    valid_to: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_by: str = Field(default="", max_length=fields.MAX_ACTOR)


class FraudThresholds(Table, table=True):
    """A program's fraud-review thresholds (services.affiliates.review); a program without a
    row uses the defaults. Factors are in hundredths (300 = 3×)."""

    __tablename__ = "fraud_thresholds"

    program_id: int = Field(primary_key=True, foreign_key="programs.id", ondelete="CASCADE")
    outlier_x100: int = Field(default=300)
    outlier_min_clicks: int = _big(100)  # type: ignore[assignment]
    spike_x100: int = Field(default=1000)
    spike_days: int = Field(default=30)
    too_fast_s: int = _big(10)  # type: ignore[assignment]
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_by: str = Field(default="", max_length=fields.MAX_ACTOR)


class ReviewFlag(Table, table=True):
    """What one fraud rule flagged, with the reason in words and the evidence (JSON), waiting
    for a person's decision. `key` is what it is about (the order id, the month "2026-03", the
    day "2026-03-14"): a rule flags the same thing once. The conversions it holds are in
    `review_holds`."""

    __tablename__ = "review_flags"
    __table_args__ = (
        sa.UniqueConstraint("program_id", "affiliate_id", "rule", "key"),
        sa.Index("ix_review_flags_status", "status", "program_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    program_id: int = Field(foreign_key="programs.id", ondelete="CASCADE")
    affiliate_id: int = Field(foreign_key="affiliates.id", ondelete="CASCADE", index=True)
    rule: ReviewRule = Field(sa_type=_enum(ReviewRule))
    key: str = Field(max_length=fields.MAX_ORDER_ID)
    reason: str = Field(max_length=fields.MAX_LINE)
    evidence: str = Field(default="{}")
    status: ReviewStatus = Field(default=ReviewStatus.OPEN, sa_type=_enum(ReviewStatus))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    decided_by: str | None = Field(default=None, max_length=fields.MAX_ACTOR)
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    decision_reason: str | None = Field(default=None, max_length=fields.MAX_LINE)


class ReviewHold(Table, table=True):
    """A conversion a review flag holds (a conversion may be held by several flags)."""

    __tablename__ = "review_holds"

    flag_id: int = Field(primary_key=True, foreign_key="review_flags.id", ondelete="CASCADE")
    conversion_id: int = Field(
        primary_key=True, foreign_key="conversions.id", ondelete="CASCADE", index=True
    )


class Statement(Table, table=True):
    """What a program owes an affiliate for a month, in one currency
    (services.affiliates.payouts): the conversions counted, commission, bonus, adjustments and
    total in minor units, when it is due, and whether it was paid. Built once: building the
    month again changes nothing. A total not above zero is `carried` (a negative one goes to
    the next statement as an adjustment, `carried_forward_minor`)."""

    __tablename__ = "statements"
    __table_args__ = (
        sa.UniqueConstraint("program_id", "affiliate_id", "currency", "month"),
        sa.Index("ix_statements_status_due", "status", "due_on"),
    )

    id: int | None = Field(default=None, primary_key=True)
    program_id: int = Field(foreign_key="programs.id", ondelete="CASCADE", index=True)
    affiliate_id: int = Field(foreign_key="affiliates.id", ondelete="CASCADE", index=True)
    currency: str = Field(max_length=3)
    month: date  # the first day of the month
    conversions: int = _big(0)  # type: ignore[assignment]
    tier_rate_bp: int
    commission_minor: int = _big(0)  # type: ignore[assignment]
    bonus_minor: int = _big(0)  # type: ignore[assignment]
    adjustments_minor: int = _big(0)  # type: ignore[assignment]
    total_minor: int = _big(0)  # type: ignore[assignment]
    carried_forward_minor: int = _big(0)  # type: ignore[assignment]
    due_on: date
    status: StatementStatus = Field(default=StatementStatus.OPEN, sa_type=_enum(StatementStatus))
    paid_on: date | None = None
    paid_by: str | None = Field(default=None, max_length=fields.MAX_ACTOR)
    reference: str | None = Field(default=None, max_length=fields.MAX_LINE)
    built_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    built_by: str = Field(default="", max_length=fields.MAX_ACTOR)


class StatementLine(Table, table=True):
    """One line of a statement: a conversion with its net amount, its rate and why that rate
    ("tier 2 from 10 conversions", "promotion 15 % 1–7 Mar"), a bonus, or an adjustment."""

    __tablename__ = "statement_lines"

    id: int | None = Field(default=None, primary_key=True)
    statement_id: int = Field(foreign_key="statements.id", ondelete="CASCADE", index=True)
    kind: LineKind = Field(sa_type=_enum(LineKind))
    conversion_id: int | None = Field(
        default=None, foreign_key="conversions.id", ondelete="SET NULL", index=True
    )
    adjustment_id: int | None = Field(
        default=None, foreign_key="adjustments.id", ondelete="SET NULL"
    )
    order_id: str | None = Field(default=None, max_length=fields.MAX_ORDER_ID)
    occurred_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    net_minor: int = _big(0)  # type: ignore[assignment]
    rate_bp: int | None = None
    why: str = Field(max_length=fields.MAX_LINE)
    amount_minor: int = _big(0)  # type: ignore[assignment]


class Adjustment(Table, table=True):
    """A change to what an affiliate is owed after the fact, with its reason: a refund or a
    reversal of a locked or paid conversion (negative), a conversion approved in review after
    its month was built, or a negative total carried forward. The affiliate's next statement
    consumes it (`statement_id`). `amount_minor` is NULL until it is priced: a late change
    to a conversion not yet on a statement is priced at the rate its statement gives it."""

    __tablename__ = "adjustments"
    __table_args__ = (
        sa.Index("ix_adjustments_open", "program_id", "affiliate_id", "statement_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    program_id: int = Field(foreign_key="programs.id", ondelete="CASCADE")
    affiliate_id: int = Field(foreign_key="affiliates.id", ondelete="CASCADE", index=True)
    currency: str = Field(max_length=3)
    kind: AdjustmentKind = Field(sa_type=_enum(AdjustmentKind))
    conversion_id: int | None = Field(
        default=None, foreign_key="conversions.id", ondelete="SET NULL", index=True
    )
    # A late refund: by how much the refund grew (the commission lost is priced from it).
    refund_delta_minor: int = _big(0)  # type: ignore[assignment]
    amount_minor: int | None = _big()  # type: ignore[assignment]
    reason: str = Field(max_length=fields.MAX_LINE)
    from_statement_id: int | None = Field(
        default=None, foreign_key="statements.id", ondelete="SET NULL"
    )
    statement_id: int | None = Field(default=None, foreign_key="statements.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    created_by: str = Field(default="", max_length=fields.MAX_ACTOR)


# ---- 64-bit integers on every store (issue 17; migration 0009_bigints) ----------------------
# Every integer column is 64-bit: BIGINT on PostgreSQL (whose `integer` is 32-bit), INTEGER on
# SQLite (already 64-bit; an id must stay `INTEGER PRIMARY KEY` to be the rowid). What may be
# stored is bounded by the field rules (core.fields), checked before the database. Applied to
# every table declared above, so no column is forgotten; a table declared below this line is
# declared with BIG_INTEGER itself.
BIG_INTEGER = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
for _table in SQLModel.metadata.tables.values():
    for _column in _table.columns:
        if type(_column.type) is sa.Integer:
            _column.type = BIG_INTEGER


# ---- team mode (issue 17): the managers who share one database ----------------------------


class Manager(Table, table=True):
    """A person of the agency: `name` is their PostgreSQL role (their login) in team mode, the
    `--as` name on SQLite. `role` is admin, manager or viewer (services.team says what each
    may do); a removed manager keeps their row (the history names them) with `removed_at`."""

    __tablename__ = "managers"
    __table_args__ = (
        sa.CheckConstraint("role IN ('admin', 'manager', 'viewer')", name="manager_role"),
    )

    id: int | None = Field(default=None, primary_key=True, sa_type=BIG_INTEGER)
    name: str = Field(unique=True, max_length=fields.MAX_ACTOR)
    role: str = Field(max_length=10)
    added_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    removed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
