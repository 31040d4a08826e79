"""Affiliates in a program: who they are, where they are in the pipeline, what they ticked.

Pipeline: prospect → contacted → applied → onboarding → active → paused → ended, plus
rejected. `MOVES` lists where each stage may go; `active` needs every checklist item of the
program ticked. Every move is dated (`StageChange`) and audited.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

import sqlalchemy as sa
from sqlmodel import Session, col, select

from talent_tui.core import fields
from talent_tui.services import audit
from talent_tui.services.affiliates.errors import AffiliateError
from talent_tui.services.affiliates.kpis import owner_clause
from talent_tui.services.affiliates.lookup import find_affiliate, new_handle
from talent_tui.services.affiliates.programs import checklist
from talent_tui.store.models import (
    Affiliate,
    AffiliateStage,
    ChecklistItem,
    ChecklistTick,
    Creator,
    StageChange,
    utcnow,
)

T = TypeVar("T")
S = AffiliateStage
MOVES: dict[AffiliateStage, tuple[AffiliateStage, ...]] = {
    S.PROSPECT: (S.CONTACTED, S.APPLIED, S.REJECTED),
    S.CONTACTED: (S.APPLIED, S.ONBOARDING, S.REJECTED, S.PROSPECT),
    S.APPLIED: (S.ONBOARDING, S.REJECTED),
    S.ONBOARDING: (S.ACTIVE, S.REJECTED, S.ENDED),
    S.ACTIVE: (S.PAUSED, S.ENDED),
    S.PAUSED: (S.ACTIVE, S.ENDED),
    S.ENDED: (S.ONBOARDING,),  # taken back: onboarded again before being active
    S.REJECTED: (S.PROSPECT,),  # a later approach starts over
}
PIPELINE = tuple(AffiliateStage)  # the board's columns, in this order


def parse_stage(text: str) -> AffiliateStage:
    try:
        return AffiliateStage(text.strip().lower())
    except ValueError:
        allowed = ", ".join(s.value for s in AffiliateStage)
        raise AffiliateError(f"unknown stage {text!r} (one of: {allowed})", "stage") from None


@dataclass(frozen=True)
class AffiliateInput:
    handle: str
    name: str | None = None
    email: str | None = None
    site: str | None = None
    stage: str = "prospect"
    notes: str = ""


def _field(parse: Callable[[], T], name: str) -> T:
    """A core.fields parser's value, its refusal named after the input `name`."""
    try:
        return parse()
    except fields.FieldError as exc:
        raise AffiliateError(f"{name}: {exc.message}", name) from None


def check_site(text: str | None) -> str | None:
    value = _field(
        lambda: fields.opt_text({"site": text or ""}, "site", fields.MAX_WEBSITE), "site"
    )
    if value is not None and any(ch.isspace() for ch in value):
        raise AffiliateError(f"site: no spaces in a site or channel: {value!r}", "site")
    return value


def add_affiliate(session: Session, program_id: int, data: AffiliateInput, actor: str) -> Affiliate:
    """Add an affiliate to a program, at `data.stage` (prospect by default). A roster creator
    whose TikTok handle is the affiliate's handle becomes the affiliate's creator."""
    handle = new_handle(data.handle)
    if session.exec(
        select(Affiliate.id).where(Affiliate.program_id == program_id, Affiliate.handle == handle)
    ).first():
        raise AffiliateError(f"{handle} is in this program already", "handle")
    stage = parse_stage(data.stage)
    name = _field(
        lambda: fields.opt_text({"name": data.name or ""}, "name", fields.MAX_NAME), "name"
    )
    email = _field(lambda: fields.email({"email": data.email or ""}), "email")
    site = check_site(data.site)
    notes = _field(lambda: fields.notes({"notes": data.notes}), "notes")
    creator = session.exec(select(Creator).where(Creator.tiktok_handle == handle)).first()
    if stage is S.ACTIVE and checklist(session, program_id):
        raise AffiliateError(
            "active needs every checklist item ticked: add the affiliate at onboarding, tick "
            "the items, then make them active",
            "stage",
        )
    affiliate = Affiliate(
        program_id=program_id,
        handle=handle,
        code=handle[1:],
        creator_id=creator.id if creator is not None else None,
        name=name or (creator.name if creator is not None else None),
        email=email or (creator.email if creator is not None else None),
        site=site,
        stage=stage,
        notes=notes,
    )
    session.add(affiliate)
    session.flush()
    assert affiliate.id is not None
    session.add(StageChange(affiliate_id=affiliate.id, to_stage=stage, actor=actor))
    audit.record(
        session,
        actor,
        "affiliate",
        affiliate.id,
        "affiliate added",
        after={"program_id": program_id, "handle": handle, "stage": stage.value},
    )
    session.flush()
    return affiliate


def missing_ticks(session: Session, affiliate: Affiliate) -> list[str]:
    """The program's checklist items this affiliate has not ticked, in checklist order."""
    ticked = set(
        session.exec(
            select(ChecklistTick.item_id).where(ChecklistTick.affiliate_id == affiliate.id)
        )
    )
    return [
        item.label for item in checklist(session, affiliate.program_id) if item.id not in ticked
    ]


def set_stage(
    session: Session, affiliate: Affiliate, target: AffiliateStage, actor: str
) -> StageChange:
    """Move an affiliate to `target` if `MOVES` allows it; active needs every item ticked."""
    current = affiliate.stage
    if target is current:
        raise AffiliateError(f"{affiliate.handle} is {current.value} already", "stage")
    if target not in MOVES[current]:
        allowed = ", ".join(s.value for s in MOVES[current])
        raise AffiliateError(
            f"{affiliate.handle} cannot go from {current.value} to {target.value} "
            f"(from {current.value}: {allowed})",
            "stage",
        )
    if target is S.ACTIVE:
        missing = missing_ticks(session, affiliate)
        if missing:
            raise AffiliateError(
                f"{affiliate.handle} cannot be active yet: not ticked: {'; '.join(missing)}",
                "stage",
            )
    now = utcnow()
    assert affiliate.id is not None
    change = StageChange(
        affiliate_id=affiliate.id, from_stage=current, to_stage=target, at=now, actor=actor
    )
    affiliate.stage = target
    affiliate.stage_since = now
    session.add(affiliate)
    session.add(change)
    assert affiliate.id is not None
    audit.record(
        session, actor, "affiliate", affiliate.id, "stage changed", current.value, target.value
    )
    session.flush()
    return change


def tick(session: Session, affiliate: Affiliate, item: str, actor: str) -> ChecklistItem:
    """Tick one checklist item (by its text, any case, or its number in the list)."""
    items = checklist(session, affiliate.program_id)
    if not items:
        raise AffiliateError("this program has no onboarding checklist", "item")
    text = item.strip()
    chosen = next((i for i in items if i.label.lower() == text.lower()), None)
    if (
        chosen is None
        and text.isascii()
        and text.isdigit()
        and len(text) <= 9
        and 1 <= int(text) <= len(items)
    ):
        chosen = items[int(text) - 1]
    if chosen is None:
        listed = "; ".join(i.label for i in items)
        raise AffiliateError(f"no checklist item {item!r} (items: {listed})", "item")
    done = session.exec(
        select(ChecklistTick).where(
            ChecklistTick.affiliate_id == affiliate.id, ChecklistTick.item_id == chosen.id
        )
    ).first()
    if done is not None:
        raise AffiliateError(f"{chosen.label!r} is ticked already", "item")
    assert affiliate.id is not None and chosen.id is not None
    session.add(ChecklistTick(affiliate_id=affiliate.id, item_id=chosen.id, actor=actor))
    audit.record(session, actor, "affiliate", affiliate.id, "checklist ticked", after=chosen.label)
    session.flush()
    return chosen


@dataclass(frozen=True)
class AffiliateRow:
    id: int
    program_id: int
    handle: str
    name: str | None
    email: str | None
    site: str | None
    stage: str
    stage_since: datetime
    creator_id: int | None
    ticked: int
    checklist: int

    def as_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "program_id": self.program_id,
            "handle": self.handle,
            "name": self.name,
            "email": self.email,
            "site": self.site,
            "stage": self.stage,
            "stage_since": self.stage_since.isoformat(),
            "creator_id": self.creator_id,
            "ticked": self.ticked,
            "checklist_items": self.checklist,
        }


def list_affiliates(
    session: Session,
    program_id: int | None = None,
    stage: AffiliateStage | None = None,
    *,
    limit: int | None = None,
    offset: int = 0,
    manager_id: int | None = None,
    unassigned: bool = False,
) -> list[AffiliateRow]:
    """Affiliates (of one program, at one stage), by program then handle; paged. Team mode:
    with `manager_id`, only that manager's (with `unassigned`, and nobody's)."""
    ticks = (
        sa.select(col(ChecklistTick.affiliate_id), sa.func.count().label("n"))
        .group_by(col(ChecklistTick.affiliate_id))
        .subquery()
    )
    items = (
        sa.select(col(ChecklistItem.program_id), sa.func.count().label("n"))
        .group_by(col(ChecklistItem.program_id))
        .subquery()
    )
    query = (
        sa.select(
            Affiliate,
            sa.func.coalesce(ticks.c.n, 0),
            sa.func.coalesce(items.c.n, 0),
        )
        .outerjoin(ticks, ticks.c.affiliate_id == col(Affiliate.id))
        .outerjoin(items, items.c.program_id == col(Affiliate.program_id))
        .order_by(col(Affiliate.program_id), col(Affiliate.handle))
        .offset(offset)
    )
    if program_id is not None:
        query = query.where(col(Affiliate.program_id) == program_id)
    if stage is not None:
        query = query.where(col(Affiliate.stage) == stage)
    if manager_id is not None:
        query = query.where(owner_clause(manager_id, unassigned))
    if limit is not None:
        query = query.limit(limit)
    rows = []
    for affiliate, ticked, total in session.execute(query).all():
        rows.append(
            AffiliateRow(
                id=affiliate.id,
                program_id=affiliate.program_id,
                handle=affiliate.handle,
                name=affiliate.name,
                email=affiliate.email,
                site=affiliate.site,
                stage=affiliate.stage.value,
                stage_since=affiliate.stage_since,
                creator_id=affiliate.creator_id,
                ticked=int(ticked),
                checklist=int(total),
            )
        )
    return rows


def history(session: Session, affiliate_id: int) -> list[StageChange]:
    """Every stage an affiliate went through, oldest first."""
    return list(
        session.exec(
            select(StageChange)
            .where(StageChange.affiliate_id == affiliate_id)
            .order_by(col(StageChange.at), col(StageChange.id))
        )
    )


def affiliate_of(session: Session, program_id: int, ref: str) -> Affiliate:
    """The affiliate by handle or id (re-exported for the callers of this module)."""
    return find_affiliate(session, program_id, ref)


@dataclass(frozen=True)
class RosterSide:
    """What talent knows of an affiliate who is a roster creator: audience size, engagement,
    and how well their audience fits the program's advertiser (services.fit)."""

    creator_id: int
    name: str
    followers: int
    engagement_rate: float | None
    fit_score: int | None
    fit_reason: str

    def as_dict(self) -> dict[str, object]:
        return {
            "creator_id": self.creator_id,
            "name": self.name,
            "followers": self.followers,
            "engagement_rate": self.engagement_rate,
            "fit": self.fit_score,
            "fit_reason": self.fit_reason,
        }

    def describe(self) -> str:
        engagement = "" if self.engagement_rate is None else f" · {self.engagement_rate:.1%} eng."
        fit = "" if self.fit_score is None else f" · fit {self.fit_score} ({self.fit_reason})"
        return f"roster: {self.followers:,} followers{engagement}{fit}"


def roster_side(session: Session, affiliate: Affiliate, brand_id: int) -> RosterSide | None:
    if affiliate.creator_id is None:
        return None
    from talent_tui.services import fit

    creator = session.get(Creator, affiliate.creator_id)
    if creator is None or creator.id is None:
        return None
    result = fit.fit_for(session, creator.id, brand_id)
    return RosterSide(
        creator.id,
        creator.name,
        creator.followers,
        creator.engagement_rate,
        result.score if result is not None else None,
        result.reason if result is not None else "",
    )
