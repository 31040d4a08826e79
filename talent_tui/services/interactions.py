"""The interaction log: calls, e-mails, meetings and notes with one creator or one brand, and
the follow-ups they set (what is due, marking one done)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from talent_tui.core.dates import days_after, parse_iso_date
from talent_tui.core.errors import DomainError
from talent_tui.core.fields import MAX_LINE
from talent_tui.services import typed_text
from talent_tui.store.models import Brand, Creator, Interaction, InteractionKind

KINDS = ", ".join(k.value for k in InteractionKind)


class InteractionError(DomainError):
    """An interaction that cannot be logged; `field` names the typed field at fault."""

    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.field = field


def parse_kind(typed: str) -> InteractionKind:
    try:
        return InteractionKind(typed.strip().lower())
    except ValueError:
        raise InteractionError(f"unknown kind {typed!r} ({KINDS})", "kind") from None


def parse_follow_up(typed: str | None) -> date | None:
    """A typed follow-up date, or None when left empty."""
    if typed is None or not typed.strip():
        return None
    try:
        return parse_iso_date(typed)
    except ValueError as exc:
        raise InteractionError(str(exc), "follow_up") from None


def log_interaction(
    session: Session,
    kind: InteractionKind,
    summary: str,
    happened_on: date,
    actor: str,
    creator_id: int | None = None,
    brand_id: int | None = None,
    follow_up_on: date | None = None,
) -> Interaction:
    if (creator_id is None) == (brand_id is None):
        raise InteractionError("an interaction is with one creator or one brand")
    try:
        summary = typed_text.line(summary, "the summary", max_len=MAX_LINE)
    except typed_text.TextRefused as exc:
        raise InteractionError(str(exc), "summary") from None
    if not summary:
        raise InteractionError("a summary is required", "summary")
    if follow_up_on is not None and follow_up_on < happened_on:
        raise InteractionError(
            f"follow-up {follow_up_on} is before the interaction ({happened_on})", "follow_up"
        )
    item = Interaction(
        creator_id=creator_id,
        brand_id=brand_id,
        kind=kind,
        summary=summary,
        happened_on=happened_on,
        follow_up_on=follow_up_on,
        created_by=actor,
    )
    session.add(item)
    session.flush()
    return item


def interactions_of(
    session: Session, creator_id: int | None = None, brand_id: int | None = None
) -> list[Interaction]:
    statement = select(Interaction)
    if creator_id is not None:
        statement = statement.where(Interaction.creator_id == creator_id)
    if brand_id is not None:
        statement = statement.where(Interaction.brand_id == brand_id)
    statement = statement.order_by(col(Interaction.happened_on).desc(), col(Interaction.id).desc())
    return list(session.exec(statement))


def party_name(session: Session, creator_id: int | None, brand_id: int | None) -> str:
    """Whom a log is with: the creator's or the brand's name."""
    row = (
        session.get(Creator, creator_id)
        if creator_id is not None
        else session.get(Brand, brand_id)
        if brand_id is not None
        else None
    )
    if row is None:
        raise InteractionError("no such creator or brand")
    return row.name


@dataclass(frozen=True)
class FollowUp:
    interaction: Interaction
    due_on: date
    who: str


def follow_ups_due(session: Session, today: date, days: int = 7) -> Iterator[FollowUp]:
    horizon = days_after(today, days)
    statement = (
        select(Interaction, Creator.name, Brand.name)
        .outerjoin(Creator, col(Creator.id) == col(Interaction.creator_id))
        .outerjoin(Brand, col(Brand.id) == col(Interaction.brand_id))
        .where(
            col(Interaction.follow_up_on).is_not(None),
            col(Interaction.follow_up_on) <= horizon,
            col(Interaction.follow_up_done).is_(False),
        )
        .order_by(col(Interaction.follow_up_on))
    )
    for interaction, creator, brand in session.exec(statement):
        if interaction.follow_up_on is not None:
            yield FollowUp(interaction, interaction.follow_up_on, creator or brand or "?")


def complete_follow_up(session: Session, interaction_id: int) -> Interaction:
    item = session.get(Interaction, interaction_id)
    if item is None:
        raise InteractionError(f"no interaction with id {interaction_id}")
    if item.follow_up_on is None:
        raise InteractionError(f"interaction {interaction_id} has no follow-up to complete")
    item.follow_up_done = True
    session.flush()
    return item
