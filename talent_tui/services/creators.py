"""Adding, editing, archiving and deleting creators, and their rate cards.

The same field rules as the importers (one definition in `core.fields`), but every field is
checked so a form can show each problem beside its field. Each function changes the database
inside the caller's transaction; callers wrap them in `Database.transaction()`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from talent_tui.core import fields, money
from talent_tui.core.errors import DomainError
from talent_tui.services import campaigns, roster
from talent_tui.services.roster import get_creator
from talent_tui.store.models import Campaign, Creator, Rate, utcnow

# Form and CLI fields, in display order: (field, label, hint)
FIELDS: tuple[tuple[str, str, str], ...] = (
    ("name", "Name", "required"),
    ("tiktok_handle", "TikTok", "@handle, required"),
    ("instagram_handle", "Instagram", "@handle"),
    ("youtube_handle", "YouTube", "@handle"),
    ("niche", "Niche", "e.g. beauty"),
    ("tags", "Tags", "separated by ; or ,"),
    ("followers", "Followers", "e.g. 12,300"),
    ("engagement_rate", "Engagement", "4.5% or 0.045"),
    ("email", "Email", ""),
    ("phone", "Phone", ""),
    ("commission_pct", "Commission %", "e.g. 15"),
    ("notes", "Notes", ""),
)
FIELD_NAMES = tuple(name for name, _, _ in FIELDS)


class InvalidCreator(DomainError):
    """One message per field that is wrong, keyed by field name."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("; ".join(f"{field}: {message}" for field, message in errors.items()))


class NotArchived(DomainError):
    pass


def parse_fields(values: Mapping[str, Any], stored: Creator | None = None) -> dict[str, Any]:
    """Check every field; raise InvalidCreator naming each bad one. Editing a `stored`
    creator keeps a handle it already has even when today's platform rule would refuse it
    (nothing stored changes unasked); any other handle must follow the rule."""
    data: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for parse in fields.CREATOR_FIELD_PARSERS.values():
        try:
            data.update(parse(values))
        except fields.FieldError as exc:
            kept = kept_handle(stored, exc.field, values)
            if kept is None:
                errors[exc.field] = exc.message
            else:
                data[exc.field] = kept
    if errors:
        raise InvalidCreator(errors)
    return data


def kept_handle(stored: Any, name: str, values: Mapping[str, Any]) -> str | None:
    """The handle `stored` already has in the handle field `name` when `values` gives it
    unchanged (told apart only by case or the @); None otherwise."""
    if stored is None or name not in fields.PLATFORMS:
        return None
    current = getattr(stored, name, None)
    typed = fields.text_of(values, name)
    if current and typed and fields.loose_handle(typed) == fields.loose_handle(current):
        return str(current)
    return None


def form_values(creator: Creator) -> dict[str, str]:
    """A creator as the text a form or `edit` starts from (round-trips through parse_fields)."""
    rate = creator.engagement_rate
    return {
        "name": creator.name,
        "tiktok_handle": creator.tiktok_handle,
        "instagram_handle": creator.instagram_handle or "",
        "youtube_handle": creator.youtube_handle or "",
        "niche": creator.niche or "",
        "tags": "; ".join(t for t in creator.tags.split(";") if t),
        "followers": f"{creator.followers:,}",
        "engagement_rate": "" if rate is None else f"{rate * 100:g}%",
        "email": creator.email or "",
        "phone": creator.phone or "",
        "commission_pct": f"{creator.commission_bp / 100:g}",
        "notes": creator.notes,
    }


@dataclass(frozen=True)
class CreatorDetail:
    """Everything about one creator, as `creators show` and `add`/`edit --json` report it:
    the stats panel's profile (handles, tags, latest metrics, rate card) plus the stored
    fields it leaves out and the campaign counts per tab."""

    profile: roster.CreatorProfile
    followers: int
    engagement_rate: float | None
    email: str | None
    phone: str | None
    notes: str
    archived_at: datetime | None
    campaigns: dict[str, int]  # tab name ("pending", "active", …) -> campaigns in it
    as_of: date

    @property
    def commission_pct(self) -> float:
        return self.profile.commission_bp / 100


def detail(session: Session, creator_id: int, today: date) -> CreatorDetail:
    creator = get_creator(session, creator_id)
    counts = campaigns.tab_counts(session, creator_id)
    return CreatorDetail(
        profile=roster.profile(session, creator_id),
        followers=creator.followers,
        engagement_rate=creator.engagement_rate,
        email=creator.email,
        phone=creator.phone,
        notes=creator.notes,
        archived_at=creator.archived_at,
        campaigns={tab.value: count for tab, count in counts.items()},
        as_of=today,
    )


def _check_handle_free(session: Session, handle: str, creator_id: int | None) -> None:
    statement = select(Creator).where(Creator.tiktok_handle == handle)
    other = session.exec(statement).first()
    if other is not None and other.id != creator_id:
        raise InvalidCreator({"tiktok_handle": f"{handle} already belongs to {other.name}"})


def handle_taken(exc: BaseException) -> bool:
    """`exc` (an IntegrityError) is the unique key on creators.tiktok_handle refusing a row.
    Once _check_handle_free (or an import's look-up) has found no creator with the handle,
    that means one the reader cannot see: on PostgreSQL, another manager's creator that
    row-level security hides from this login (the key spans the whole table)."""
    orig = getattr(exc, "orig", None)
    diag = getattr(orig, "diag", None)
    if diag is not None:  # psycopg: the unique index's name says which key
        return getattr(orig, "sqlstate", None) == "23505" and "tiktok_handle" in str(
            diag.constraint_name or ""
        )
    text = str(orig)
    return "UNIQUE constraint failed" in text and "creators.tiktok_handle" in text


def taken_message(handle: str) -> str:
    """The refusal for a handle of someone else's roster (see handle_taken)."""
    return (
        f"{handle} belongs to another manager's roster (you cannot see it here); "
        "an admin can assign it to you (talent creators assign)"
    )


def _flush_refusing_hidden(session: Session, handle: str) -> None:
    """Flush in a savepoint; a handle of another manager's roster is refused in words at the
    field (InvalidCreator), not as the database's error, and the caller's transaction stays
    usable."""
    try:
        with session.begin_nested():
            session.flush()
    except sa.exc.IntegrityError as exc:
        if not handle_taken(exc):
            raise
        raise InvalidCreator({"tiktok_handle": taken_message(handle)}) from None


def add_creator(session: Session, values: Mapping[str, Any]) -> Creator:
    data = parse_fields(values)
    _check_handle_free(session, data["tiktok_handle"], None)
    if data.get("followers") is None:
        data.pop("followers", None)
    creator = Creator(**data)
    session.add(creator)
    _flush_refusing_hidden(session, data["tiktok_handle"])
    return creator


class CreatorChanged(DomainError):
    """The creator was changed elsewhere after a form read it: saving would overwrite that.
    `current` is what is stored now (as form text); `fields` names the fields that differ."""

    def __init__(self, name: str, current: dict[str, str], changed: list[str]):
        self.current = current
        self.fields = changed
        labels = dict((field, label) for field, label, _ in FIELDS)
        what = ", ".join(labels.get(f, f) for f in changed)
        super().__init__(
            f"{name} was changed elsewhere since you opened this form ({what}); nothing was saved"
        )


def edit_creator(
    session: Session,
    creator_id: int,
    values: Mapping[str, Any],
    expected_values: Mapping[str, str] | None = None,
) -> Creator:
    """Apply `values` (all fields, as from a form) to a creator.

    `expected_values` is the version the caller started from, as `form_values` gave it: when
    the stored creator no longer matches it (another program or window changed a field the
    form would write), nothing is written and CreatorChanged says what changed. Values, not
    `updated_at`: a metrics import changes followers without touching it, and archiving
    touches it without changing any field a form writes."""
    creator = get_creator(session, creator_id)
    if expected_values is not None:
        current = form_values(creator)
        changed = [f for f in FIELD_NAMES if current[f] != expected_values.get(f, current[f])]
        if changed:
            raise CreatorChanged(creator.name, current, changed)
    data = parse_fields(values, creator)
    _check_handle_free(session, data["tiktok_handle"], creator.id)
    if data.get("followers") is None:
        data["followers"] = 0
    for key, value in data.items():
        setattr(creator, key, value)
    creator.updated_at = utcnow()
    _flush_refusing_hidden(session, data["tiktok_handle"])
    return creator


def update_fields(session: Session, creator_id: int, changes: Mapping[str, Any]) -> Creator:
    """Change only the given fields (the CLI's `edit --field value`)."""
    creator = get_creator(session, creator_id)
    unknown = set(changes) - set(FIELD_NAMES)
    if unknown:
        raise InvalidCreator({name: "unknown field" for name in sorted(unknown)})
    values = form_values(creator) | {k: v for k, v in changes.items() if v is not None}
    return edit_creator(session, creator_id, values)


def archive(session: Session, creator_id: int) -> Creator:
    creator = get_creator(session, creator_id)
    if creator.archived_at is None:
        creator.archived_at = datetime.now(UTC)
        creator.updated_at = utcnow()
    return creator


def restore(session: Session, creator_id: int) -> Creator:
    creator = get_creator(session, creator_id)
    if creator.archived_at is not None:
        creator.archived_at = None
        creator.updated_at = utcnow()
    return creator


@dataclass(frozen=True)
class DeleteSummary:
    name: str
    campaigns: int
    rates: int


def delete_summary(session: Session, creator_id: int) -> DeleteSummary:
    creator = get_creator(session, creator_id)

    def count(model: Any) -> int:
        statement = sa.select(sa.func.count()).select_from(model)
        return int(session.execute(statement.where(model.creator_id == creator_id)).scalar_one())

    return DeleteSummary(creator.name, count(Campaign), count(Rate))


def deletable(session: Session, creator_id: int) -> DeleteSummary:
    """The one rule for deleting: only an archived creator can be deleted for good. Returns
    what deleting would remove (for the question both front ends ask), or raises NotArchived."""
    creator = get_creator(session, creator_id)
    if creator.archived_at is None:
        raise NotArchived(
            f"{creator.name} is not archived; archive before deleting for good"
            " (x in the roster, or talent creators archive)"
        )
    return delete_summary(session, creator_id)


def delete(session: Session, creator_id: int) -> DeleteSummary:
    """Remove an archived creator and everything that hangs off it. Live creators refuse."""
    summary = deletable(session, creator_id)
    creator = get_creator(session, creator_id)
    session.delete(creator)
    session.flush()
    return summary


# ---- rate card ---------------------------------------------------------------------------


def normalize_deliverable(text: str) -> str:
    """Raises FieldError (a DomainError) when the type is empty, too long or not plain text."""
    return fields.deliverable({"deliverable": text})


def set_rate(
    session: Session,
    creator_id: int,
    deliverable: str,
    amount: str,
    currency: str | None = None,
) -> tuple[Rate, bool]:
    """Add or change the rate for a deliverable. Returns the rate and whether it is new."""
    get_creator(session, creator_id)
    kind = normalize_deliverable(deliverable)
    price = money.parse_money(amount, currency or None)
    rate = session.exec(
        select(Rate).where(Rate.creator_id == creator_id, Rate.deliverable == kind)
    ).first()
    created = rate is None
    if rate is None:
        rate = Rate(
            creator_id=creator_id, deliverable=kind, amount_minor=0, currency=price.currency
        )
        session.add(rate)
    rate.amount_minor = price.amount_minor
    rate.currency = price.currency
    rate.updated_at = utcnow()
    session.flush()
    return rate, created


def remove_rate(session: Session, creator_id: int, deliverable: str) -> bool:
    kind = normalize_deliverable(deliverable)
    rate = session.exec(
        select(Rate).where(Rate.creator_id == creator_id, Rate.deliverable == kind)
    ).first()
    if rate is None:
        return False
    session.delete(rate)
    session.flush()
    return True


def rates_of(session: Session, creator_id: int) -> list[Rate]:
    return list(
        session.exec(
            select(Rate).where(Rate.creator_id == creator_id).order_by(col(Rate.deliverable))
        )
    )
