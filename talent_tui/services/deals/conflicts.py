"""The conflict check: what a deal would clash with among its creator's other open deals
(pending and active), read from each deal's current terms (its newest offer version). It runs
before a manager accepts or counters a deal, and lists every open conflict across the roster.

What the check reads of a deal (all dates inclusive):

- its **exclusivity**: when the terms name an `exclusivity_category`, the window
  `exclusive_from`..`exclusive_until`; a missing bound is open (an exclusivity without an end
  date runs on), so a vague exclusivity is flagged rather than missed;
- its **category**: the exclusivity category, else its brand's category;
- its **dates**: `start_on`..`end_on`, else the exclusivity window, else unknown (open);
- its **usage rights**: from its start (`start_on`, else `exclusive_from`) until `usage_until`.

Categories are compared trimmed and case-insensitively. Two deals with the same brand never
conflict (a brand's exclusivity does not shut out the brand itself). For two open deals A and B
of one creator with different brands, one conflict at most is reported, the first that holds:

- **exclusivity overlap** (a): A and B are both exclusive in the same category and their
  windows overlap; the creator has promised the same category to two brands at once.
- **inside an exclusivity** (b): B is in the category A is exclusive in, and B's dates fall in
  A's window (or the other way round); B's work would break A's exclusivity.
- **usage into an exclusivity** (c): B's brand holds usage rights in the category A is
  exclusive in until a day inside A's window (or the other way round), though B's own dates do
  not reach it: B's ads with the creator would still run while A has the exclusivity.

And for one pending deal on its own:

- **usage extended** (d): the newest terms are the brand's and give it usage rights until a
  later day than any earlier version did: accepting them grants more than was on the table
  before. (Our own counter with longer usage is a choice, not a warning.)

A deal whose current terms name no category and whose brand has none is never compared.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from talent_tui.services import audit
from talent_tui.services.deals.offers import accept as accept_terms
from talent_tui.services.deals.offers import offers as versions_of
from talent_tui.services.deals.offers import propose
from talent_tui.services.deals.states import (
    OPEN_STATUSES,
    STATUS_LABELS,
    TRANSITIONS,
    DealError,
    S,
    get_campaign,
    id_of,
)
from talent_tui.store.models import (
    Brand,
    Campaign,
    CampaignStatus,
    Creator,
    Offer,
    Party,
    Tab,
    statuses_in,
)

PENDING = frozenset(statuses_in(Tab.PENDING))

# The kinds of conflict, as `Conflict.kind` and `talent conflicts --json` name them.
OVERLAP = "exclusivity-overlap"
INSIDE = "inside-exclusivity"
USAGE_INTO = "usage-into-exclusivity"
USAGE_EXTENDED = "usage-extended"


@dataclass(frozen=True)
class Windows:
    """The dated terms the conflict check compares, as one offer version states them."""

    exclusivity_category: str | None = None
    exclusive_from: date | None = None
    exclusive_until: date | None = None
    usage_until: date | None = None

    @classmethod
    def of(cls, offer: Offer) -> Windows:
        return cls(
            offer.exclusivity_category,
            offer.exclusive_from,
            offer.exclusive_until,
            offer.usage_until,
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "exclusivity_category": self.exclusivity_category,
            "exclusive_from": self.exclusive_from,
            "exclusive_until": self.exclusive_until,
            "usage_until": self.usage_until,
        }

    def exclusivity_text(self) -> str:
        """ "beauty, 2026-12-01 to 2027-02-28", or "—" when there is none."""
        if not self.exclusivity_category:
            return "—"
        return f"{self.exclusivity_category}, {Span(self.exclusive_from, self.exclusive_until)}"


@dataclass(frozen=True)
class Span:
    """Days from `start` to `end`, inclusive; None is open on that side."""

    start: date | None
    end: date | None

    def overlap(self, other: Span) -> Span | None:
        start = max(self.start or date.min, other.start or date.min)
        end = min(self.end or date.max, other.end or date.max)
        if start > end:
            return None
        return Span(None if start == date.min else start, None if end == date.max else end)

    def __str__(self) -> str:
        if self.start and self.end:
            return f"{self.start.isoformat()} to {self.end.isoformat()}"
        if self.start:
            return f"from {self.start.isoformat()} on"
        if self.end:
            return f"until {self.end.isoformat()}"
        return "no dates set"


@dataclass(frozen=True)
class Deal:
    """One deal as the check reads it: the campaign and its current terms."""

    campaign_id: int
    name: str
    creator_id: int
    creator: str
    brand_id: int
    brand: str
    brand_category: str | None
    status: CampaignStatus
    start_on: date | None
    end_on: date | None
    windows: Windows

    @property
    def label(self) -> str:
        return f"#{self.campaign_id} {self.name} ({self.brand}, {STATUS_LABELS[self.status]})"

    @property
    def exclusive_in(self) -> str | None:
        return _norm(self.windows.exclusivity_category)

    @property
    def category(self) -> str | None:
        return self.exclusive_in or _norm(self.brand_category)

    @property
    def exclusivity(self) -> Span:
        return Span(self.windows.exclusive_from, self.windows.exclusive_until)

    @property
    def dates(self) -> Span:
        if self.start_on or self.end_on:
            return Span(self.start_on, self.end_on)
        if self.exclusive_in:
            return self.exclusivity
        return Span(None, None)

    @property
    def usage(self) -> Span | None:
        until = self.windows.usage_until
        if until is None:
            return None
        return Span(self.start_on or self.windows.exclusive_from, until)


def _norm(category: str | None) -> str | None:
    cleaned = (category or "").strip().casefold()
    return cleaned or None


@dataclass(frozen=True)
class Conflict:
    """One conflict: what clashes (`kind`), the deal it is about and the other deal (None for
    a deal on its own), the category, the days it concerns, and a sentence saying it."""

    kind: str
    campaign_id: int
    other_id: int | None
    creator_id: int
    creator: str
    category: str | None
    start: date | None
    end: date | None
    message: str

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "creator": self.creator,
            "creator_id": self.creator_id,
            "campaign_id": self.campaign_id,
            "other_campaign_id": self.other_id,
            "category": self.category,
            "from": self.start,
            "until": self.end,
            "message": self.message,
        }


class ConflictsFound(DealError):
    """The change would leave conflicts the user has not seen; nothing was written. Show
    `conflicts`, and go ahead by passing them as `seen`."""

    def __init__(self, conflicts: list[Conflict]):
        lines = "; ".join(c.message for c in conflicts)
        super().__init__(f"{len(conflicts)} conflict(s) with the creator's other deals: {lines}")
        self.conflicts = conflicts


# ---- the rules --------------------------------------------------------------------------------


def _conflict(
    kind: str, a: Deal, b: Deal | None, category: str | None, span: Span, text: str
) -> Conflict:
    return Conflict(
        kind,
        a.campaign_id,
        None if b is None else b.campaign_id,
        a.creator_id,
        a.creator,
        category,
        span.start,
        span.end,
        text,
    )


def _inside(b: Deal, a: Deal) -> Conflict | None:
    """(b), then (c): deal `b` works, or its brand's usage runs, inside `a`'s exclusivity."""
    category = a.exclusive_in
    if category is None or b.category != category:
        return None
    within = b.dates.overlap(a.exclusivity)
    if within is not None:
        when = "has no dates set" if b.dates == Span(None, None) else f"runs {b.dates}"
        return _conflict(
            INSIDE,
            b,
            a,
            category,
            within,
            f"{b.label} {when}, inside the {category} exclusivity of {a.label}, {a.exclusivity}",
        )
    usage = b.usage
    into = usage.overlap(a.exclusivity) if usage is not None else None
    if usage is not None and into is not None:
        return _conflict(
            USAGE_INTO,
            b,
            a,
            category,
            into,
            f"{b.brand}'s usage rights ({b.label}) run {usage}, into the {category} "
            f"exclusivity of {a.label}, {a.exclusivity}",
        )
    return None


def between(a: Deal, b: Deal) -> Conflict | None:
    """The conflict of two deals of one creator, if any (the first of the rules that holds)."""
    if a.campaign_id == b.campaign_id or a.brand_id == b.brand_id:
        return None
    if a.exclusive_in is not None and a.exclusive_in == b.exclusive_in:
        both = a.exclusivity.overlap(b.exclusivity)
        if both is not None:
            return _conflict(
                OVERLAP,
                a,
                b,
                a.exclusive_in,
                both,
                f"{a.label} and {b.label} are both exclusive in {a.exclusive_in}: "
                f"{a.exclusivity} and {b.exclusivity} overlap ({both})",
            )
    return _inside(a, b) or _inside(b, a)


def extended_usage(deal: Deal, history: list[Offer]) -> Conflict | None:
    """(d): the brand's newest version gives it usage rights later than any earlier one."""
    if deal.status not in PENDING or len(history) < 2 or history[-1].proposed_by is Party.MANAGER:
        return None
    now = history[-1].usage_until
    earlier = [o.usage_until for o in history[:-1] if o.usage_until is not None]
    if now is None or not earlier or now <= max(earlier):
        return None
    return _conflict(
        USAGE_EXTENDED,
        deal,
        None,
        deal.category,
        Span(max(earlier), now),
        f"{deal.label}: the brand's version {history[-1].version} gives usage rights until "
        f"{now.isoformat()}, later than any earlier version (until {max(earlier).isoformat()})",
    )


# ---- reading deals ----------------------------------------------------------------------------


def current_terms() -> Any:
    """The join condition of a campaign and its current terms: its newest offer version."""
    newer = aliased(Offer)
    return sa.and_(
        col(Offer.campaign_id) == col(Campaign.id),
        ~sa.exists().where(
            col(newer.campaign_id) == col(Offer.campaign_id),
            col(newer.version) > col(Offer.version),
        ),
    )


def _deals(session: Session, *where: Any) -> list[Deal]:
    statement = (
        select(Campaign, Creator.name, Brand, Offer)
        .join(Creator, col(Creator.id) == col(Campaign.creator_id))
        .join(Brand, col(Brand.id) == col(Campaign.brand_id))
        .outerjoin(Offer, current_terms())
        .where(*where)
        .order_by(col(Creator.name), col(Creator.id), col(Campaign.id))
    )
    result = []
    for campaign, creator, brand, offer in session.exec(statement):
        result.append(
            Deal(
                id_of(campaign),
                campaign.name,
                campaign.creator_id,
                creator,
                campaign.brand_id,
                brand.name,
                brand.category,
                campaign.status,
                campaign.start_on,
                campaign.end_on,
                Windows() if offer is None else Windows.of(offer),
            )
        )
    return result


def check(session: Session, campaign_id: int) -> list[Conflict]:
    """The conflicts of one deal, as its current terms stand, with its creator's other open
    deals (and rule (d) on its own versions)."""
    campaign = get_campaign(session, campaign_id)
    deals = _deals(
        session,
        col(Campaign.creator_id) == campaign.creator_id,
        sa.or_(col(Campaign.id) == campaign_id, col(Campaign.status).in_(OPEN_STATUSES)),
    )
    subject = next(d for d in deals if d.campaign_id == campaign_id)
    found = [c for other in deals if (c := between(subject, other)) is not None]
    own = extended_usage(subject, versions_of(session, campaign_id))
    return found + ([own] if own is not None else [])


def open_conflicts(session: Session, creator_id: int | None = None) -> list[Conflict]:
    """Every conflict among open deals, creator by creator (or one creator's)."""
    where: list[Any] = [
        col(Campaign.status).in_(OPEN_STATUSES),
        col(Creator.archived_at).is_(None),
    ]
    if creator_id is not None:
        where.append(col(Campaign.creator_id) == creator_id)
    by_creator: dict[int, list[Deal]] = defaultdict(list)
    for deal in _deals(session, *where):
        by_creator[deal.creator_id].append(deal)
    pending = [col(Campaign.status).in_(PENDING), *where[1:]]
    own: dict[int, list[Conflict]] = defaultdict(list)
    for conflict in _own(session, [d for ds in by_creator.values() for d in ds], *pending):
        own[conflict.creator_id].append(conflict)
    found: list[Conflict] = []
    for creator, deals in by_creator.items():
        for i, a in enumerate(deals):
            found.extend(c for b in deals[i + 1 :] if (c := between(a, b)) is not None)
        found.extend(own[creator])
    return found


def _own(session: Session, deals: list[Deal], *where: Any) -> list[Conflict]:
    """Rule (d) for each of `deals`, reading the versions of the campaigns `where` selects."""
    history: dict[int, list[Offer]] = defaultdict(list)
    statement = (
        select(Offer)
        .join(Campaign, col(Campaign.id) == col(Offer.campaign_id))
        .join(Creator, col(Creator.id) == col(Campaign.creator_id))
        .where(*where)
        .order_by(col(Offer.campaign_id), col(Offer.version))
    )
    for offer in session.exec(statement):
        history[offer.campaign_id].append(offer)
    return [c for d in deals if (c := extended_usage(d, history[d.campaign_id])) is not None]


# ---- going ahead ------------------------------------------------------------------------------


def _stop_unless_seen(
    session: Session, campaign_id: int, go_ahead: bool, seen: Collection[Conflict]
) -> list[Conflict]:
    """The deal's conflicts now; ConflictsFound when one was not seen (unless go_ahead)."""
    found = check(session, campaign_id)
    if not go_ahead and any(c not in seen for c in found):
        raise ConflictsFound(found)
    return found


def _record_despite(
    session: Session, campaign_id: int, actor: str, what: str, found: list[Conflict]
) -> None:
    """The history says a change was made despite conflicts, and which."""
    if not found:
        return
    others = sorted({f"#{c.other_id}" for c in found if c.other_id is not None})
    note = f" (with {', '.join(others)})" if others else ""
    kinds = ", ".join(sorted({c.kind.replace("-", " ") for c in found}))
    audit.record(
        session,
        actor,
        "campaign",
        campaign_id,
        f"{what} despite {len(found)} conflict(s): {kinds}{note}"[:200],
        None,
        {"conflicts": [c.message for c in found]},
    )


def accept(
    session: Session,
    campaign_id: int,
    actor: str,
    *,
    go_ahead: bool = False,
    seen: Collection[Conflict] = (),
) -> tuple[Campaign, list[Conflict]]:
    """Accept the newest terms (`offers.accept`) after the conflict check: refused with
    ConflictsFound, nothing written, when it finds a conflict not in `seen` (unless
    `go_ahead`). Returns the campaign and the conflicts accepted despite."""
    campaign = get_campaign(session, campaign_id)
    found = []  # when it cannot be accepted at all, offers.accept says why
    if S.ACCEPTED in TRANSITIONS[campaign.status]:
        found = _stop_unless_seen(session, campaign_id, go_ahead, seen)
    accepted = accept_terms(session, campaign_id, actor)
    _record_despite(session, campaign_id, actor, "accepted", found)
    return accepted, found


def counter(
    session: Session,
    campaign_id: int,
    changes: dict[str, Any],
    actor: str,
    note: str = "",
    today: date | None = None,
    *,
    go_ahead: bool = False,
    seen: Collection[Conflict] = (),
) -> tuple[Offer, list[Conflict]]:
    """Our counter-offer (`offers.propose`), checked as it would stand: the new version is
    written, checked, and the whole change refused (rolled back by the caller's transaction)
    with ConflictsFound when a conflict is not in `seen` (unless `go_ahead`)."""
    offer = propose(session, campaign_id, changes, actor, Party.MANAGER, note, today)
    found = _stop_unless_seen(session, campaign_id, go_ahead, seen)
    _record_despite(session, campaign_id, actor, f"version {offer.version} proposed", found)
    return offer, found
