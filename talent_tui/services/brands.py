"""Brands: adding, editing, archiving and listing them, and their target audiences (the same
shape as a creator's demographics).

Every change works inside the caller's transaction and writes its audit entry there. A
brand's name is unique whatever its case ("Acme" and "ACME" are one brand), so the lookup by
name (`find_brand`) always means one brand. An archived brand is kept with its campaigns and
history; it is left out of lists and of the brands a new offer can come from until it is
unarchived.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from talent_tui.core import fields
from talent_tui.core.errors import DomainError
from talent_tui.services import audit
from talent_tui.services.fit import DIMENSION_ORDER, brand_target
from talent_tui.store.models import Brand, BrandTarget, Campaign, Dimension

# The buckets creators' demographics use; a target in other buckets could never match anyone.
KNOWN_BUCKETS = {
    Dimension.GENDER: ("female", "male", "other"),
    Dimension.AGE: ("13-17", "18-24", "25-34", "35-44", "45-54", "55+"),
}

# Form and CLI fields, in display order: (field, label, hint).
FIELDS: tuple[tuple[str, str, str], ...] = (
    ("name", "Name", "required, unique"),
    ("contact_name", "Contact", "the person you deal with"),
    ("email", "Email", ""),
    ("website", "Website", "e.g. acme.com"),
    ("category", "Category", "e.g. beauty, fintech"),
    ("notes", "Notes", ""),
)
FIELD_NAMES = tuple(name for name, _, _ in FIELDS)
LABELS = {name: label for name, label, _ in FIELDS}

# The target audience as forms show it: one line per dimension, with an example.
TARGET_HINTS: tuple[tuple[Dimension, str], ...] = (
    (Dimension.GENDER, "female=0.6; male=0.4"),
    (Dimension.AGE, "18-24=45%; 25-34=55%"),
    (Dimension.COUNTRY, "US=0.7; CA=0.3"),
)


class BrandNotFound(DomainError, LookupError):
    pass


class BrandArchived(DomainError):
    """A new offer cannot come from an archived brand (unarchive it first)."""


class InvalidBrand(DomainError):
    """One message per field that is wrong, keyed by field name (a target dimension's field
    is the dimension's name: "gender", "age", "country")."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__(
            "; ".join(f"{LABELS.get(f, f).lower()}: {message}" for f, message in errors.items())
        )


class InvalidTarget(DomainError):
    pass


class BrandChanged(DomainError):
    """The brand was changed elsewhere after a form read it; saving would overwrite that.
    `fields` names what differs (field names, or a target's dimension)."""

    def __init__(self, name: str, changed: list[str]):
        self.fields = changed
        what = ", ".join(LABELS.get(f, f"target {f}").lower() for f in changed)
        super().__init__(
            f"{name} was changed elsewhere since this form opened ({what}); nothing was saved"
        )


# ---- finding a brand ----------------------------------------------------------------------


def named(session: Session, name: str) -> Brand | None:
    """The brand called `name`, whatever its case ("acme" finds "Acme", "ÉCLAT" finds
    "Éclat"), or None."""
    text = name.strip()
    if not text:
        return None
    brand = session.exec(select(Brand).where(sa.func.lower(Brand.name) == text.lower())).first()
    if brand is not None:
        return brand
    # SQLite's lower() folds ASCII letters only: compare the rest here (only when the quick
    # lookup found nothing, so a known name costs one indexed query).
    key = text.casefold()
    for brand_id, brand_name in session.exec(select(Brand.id, Brand.name)):
        if brand_name.casefold() == key:
            return session.get(Brand, brand_id)
    return None


def find_brand(session: Session, ref: str) -> Brand:
    """A brand by id ("7") or by name, case-insensitive: the one lookup every command and
    screen uses."""
    text = ref.strip()
    number = fields.row_id(text)
    brand = session.get(Brand, number) if number is not None else None
    if brand is None:
        brand = named(session, text)
    if brand is None:
        raise BrandNotFound(f"no brand with id or name {ref!r}")
    return brand


def get_brand(session: Session, brand_id: int) -> Brand:
    brand = session.get(Brand, brand_id)
    if brand is None:
        raise BrandNotFound(f"no brand with id {brand_id}")
    return brand


def brand_for_offer(session: Session, ref: str, actor: str, *, create: bool = False) -> Brand:
    """The brand a new offer comes from: found by id or name (any case). An archived brand is
    refused (BrandArchived); an unknown one is added with just its name when `create` (the
    offer form, after the user confirmed it), else refused (BrandNotFound)."""
    try:
        brand = find_brand(session, ref)
    except BrandNotFound:
        if not create or fields.row_id(ref) is not None:
            raise
        return add_brand(session, {"name": ref}, actor)
    if brand.archived_at is not None:
        raise BrandArchived(f"{brand.name} is archived; unarchive it to record a new offer from it")
    return brand


# ---- adding, editing, archiving -----------------------------------------------------------


def parse_category(values: Mapping[str, Any]) -> str | None:
    """A category is compared across brands and deals (exclusivity), so it is kept in lower
    case as a creator's niche is."""
    text = fields.opt_text(values, "category", fields.MAX_CATEGORY)
    if text is None:
        return None
    lowered = text.lower()
    if len(lowered) > fields.MAX_CATEGORY:
        raise fields.FieldError("category", f"longer than {fields.MAX_CATEGORY} characters")
    return lowered


_PARSERS = {
    "name": lambda v: fields.req_text(v, "name", fields.MAX_NAME),
    "contact_name": lambda v: fields.opt_text(v, "contact_name", fields.MAX_NAME),
    "email": fields.email,
    "website": lambda v: fields.opt_text(v, "website", fields.MAX_WEBSITE),
    "category": parse_category,
    "notes": fields.notes,
}


def parse_fields(values: Mapping[str, Any]) -> dict[str, Any]:
    """Every field checked (the same rules as an imported brand); raises InvalidBrand
    naming each bad one, so a form can show each problem beside its field."""
    data: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for name, parse in _PARSERS.items():
        try:
            data[name] = parse(values)
        except fields.FieldError as exc:
            errors[name] = exc.message
    if errors:
        raise InvalidBrand(errors)
    return data


def form_values(brand: Brand) -> dict[str, str]:
    """A brand as the text a form or `edit` starts from (round-trips through parse_fields)."""
    return {
        "name": brand.name,
        "contact_name": brand.contact_name or "",
        "email": brand.email or "",
        "website": brand.website or "",
        "category": brand.category or "",
        "notes": brand.notes,
    }


def check_name_free(session: Session, name: str, brand_id: int | None) -> None:
    """Refuse (InvalidBrand on "name") a name another brand has, whatever its case."""
    other = named(session, name)
    if other is not None and other.id != brand_id:
        state = " (archived)" if other.archived_at is not None else ""
        raise InvalidBrand(
            {"name": f"a brand named {other.name!r} already exists{state}, #{other.id}"}
        )


def _snapshot(brand: Brand) -> dict[str, Any]:
    return {name: getattr(brand, name) for name in FIELD_NAMES} | {"archived_at": brand.archived_at}


def add_brand(session: Session, values: Mapping[str, Any], actor: str) -> Brand:
    data = parse_fields(values)
    check_name_free(session, data["name"], None)
    brand = Brand(**data)
    session.add(brand)
    session.flush()
    assert brand.id is not None
    audit.record(session, actor, "brand", brand.id, "brand added", None, _snapshot(brand))
    session.flush()
    return brand


def edit_brand(
    session: Session, brand_id: int, changes: Mapping[str, str | None], actor: str
) -> list[str]:
    """Change the given fields (None or absent: unchanged; "" clears an optional one).
    Returns the names of the fields that changed (none: nothing is written)."""
    brand = get_brand(session, brand_id)
    unknown = set(changes) - set(FIELD_NAMES)
    if unknown:
        raise InvalidBrand({name: "unknown field" for name in sorted(unknown)})
    values = form_values(brand) | {k: v for k, v in changes.items() if v is not None}
    data = parse_fields(values)
    check_name_free(session, data["name"], brand_id)
    changed = [name for name in FIELD_NAMES if getattr(brand, name) != data[name]]
    if not changed:
        return []
    before = {name: getattr(brand, name) for name in changed}
    for name in changed:
        setattr(brand, name, data[name])
    after = {name: getattr(brand, name) for name in changed}
    what = ", ".join(LABELS[name].lower() for name in changed)
    audit.record(session, actor, "brand", brand_id, f"brand edited ({what})", before, after)
    session.flush()
    return changed


def archive_brand(session: Session, brand_id: int, actor: str) -> bool:
    """Archive a brand (kept with its campaigns and history). False when it already was."""
    brand = get_brand(session, brand_id)
    if brand.archived_at is not None:
        return False
    brand.archived_at = datetime.now(UTC)
    audit.record(session, actor, "brand", brand_id, "brand archived", None, brand.archived_at)
    session.flush()
    return True


def unarchive_brand(session: Session, brand_id: int, actor: str) -> bool:
    """Bring an archived brand back. False when it was not archived."""
    brand = get_brand(session, brand_id)
    if brand.archived_at is None:
        return False
    before = brand.archived_at
    brand.archived_at = None
    audit.record(session, actor, "brand", brand_id, "brand unarchived", before, None)
    session.flush()
    return True


# ---- listing ------------------------------------------------------------------------------


@dataclass(frozen=True)
class BrandRow:
    """A brand as lists show it: its fields, whether it is archived, how many campaigns it
    has and which dimensions of its target audience are set."""

    id: int
    name: str
    contact_name: str | None
    email: str | None
    website: str | None
    category: str | None
    notes: str
    archived_at: datetime | None
    campaigns: int
    target: tuple[str, ...]  # the dimensions set, in DIMENSION_ORDER

    @property
    def archived(self) -> bool:
        return self.archived_at is not None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "contact_name": self.contact_name,
            "email": self.email,
            "website": self.website,
            "category": self.category,
            "archived": self.archived,
            "archived_at": self.archived_at,
            "campaigns": self.campaigns,
            "target": list(self.target),
        }


def matches(brand: Brand, search: str) -> bool:
    """Whether a search (any case) is part of the brand's name, contact, email, website or
    category."""
    needle = search.strip().casefold()
    if not needle:
        return True
    texts = (brand.name, brand.contact_name, brand.email, brand.website, brand.category)
    return any(needle in text.casefold() for text in texts if text)


def list_brands(session: Session, search: str = "", include_archived: bool = False) -> list[Brand]:
    """Brands by name (any case); archived ones only when asked for."""
    statement = select(Brand)
    if not include_archived:
        statement = statement.where(col(Brand.archived_at).is_(None))
    rows = [b for b in session.exec(statement) if matches(b, search)]
    return sorted(rows, key=lambda b: (b.name.casefold(), b.id or 0))


def brand_rows(
    session: Session, search: str = "", include_archived: bool = False
) -> list[BrandRow]:
    """`list_brands` with each brand's campaign count and target dimensions."""
    brands = list_brands(session, search, include_archived)
    counts = dict(
        session.execute(
            sa.select(col(Campaign.brand_id), sa.func.count()).group_by(col(Campaign.brand_id))
        ).all()
    )
    dimensions: dict[int, set[str]] = {}
    for brand_id, dimension in session.execute(
        sa.select(col(BrandTarget.brand_id), col(BrandTarget.dimension)).distinct()
    ):
        dimensions.setdefault(brand_id, set()).add(Dimension(dimension).value)
    return [
        BrandRow(
            id=b.id or 0,
            name=b.name,
            contact_name=b.contact_name,
            email=b.email,
            website=b.website,
            category=b.category,
            notes=b.notes,
            archived_at=b.archived_at,
            campaigns=int(counts.get(b.id, 0)),
            target=tuple(d for d in DIMENSION_ORDER if d in dimensions.get(b.id or 0, ())),
        )
        for b in brands
    ]


# ---- target audience ----------------------------------------------------------------------


def parse_distribution(dimension: Dimension, text: str) -> dict[str, float]:
    """ "female=0.6; male=0.4" or "18-24=45%, 25-34=55%" -> {bucket: share}; shares sum to 1.
    An empty text clears the dimension."""
    result: dict[str, float] = {}
    for part in (p.strip() for p in text.replace(",", ";").split(";")):
        if not part:
            continue
        bucket, eq, raw = part.partition("=")
        bucket = bucket.strip()
        if not eq or not bucket:
            raise InvalidTarget(f"expected bucket=share, got {part!r}")
        try:
            bucket = fields.bucket({"bucket": bucket}, "bucket", dimension.value)
        except fields.FieldError as exc:
            raise InvalidTarget(exc.message) from None
        known = KNOWN_BUCKETS.get(dimension)
        if known is not None and bucket not in known:
            raise InvalidTarget(
                f"unknown {dimension.value} bucket {bucket!r} (one of: {', '.join(known)})"
            )
        try:  # the same rule as an imported share: 0.45 or 45%
            share = fields.fraction({"share": raw.strip()}, "share", required=True) or 0.0
        except fields.FieldError as exc:
            raise InvalidTarget(f"{bucket}: {exc.message}") from None
        if bucket in result:
            raise InvalidTarget(f"{bucket} given twice")
        result[bucket] = share
    if result and not fields.shares_sum_to_one(sum(result.values())):
        raise InvalidTarget(f"shares sum to {sum(result.values()):.3f}, expected 1.0")
    return result


def format_distribution(distribution: dict[str, float]) -> str:
    return "; ".join(f"{bucket}={share:g}" for bucket, share in distribution.items())


def parse_targets(texts: Mapping[str, str]) -> dict[Dimension, dict[str, float]]:
    """The target lines of a form ({"gender": "female=0.6; male=0.4", …}; a dimension left
    out is not changed, an empty line clears it); raises InvalidBrand naming each bad one."""
    parsed: dict[Dimension, dict[str, float]] = {}
    errors: dict[str, str] = {}
    for dimension in Dimension:
        if dimension.value in texts:
            try:
                parsed[dimension] = parse_distribution(dimension, texts[dimension.value])
            except InvalidTarget as exc:
                errors[dimension.value] = str(exc)
    if errors:
        raise InvalidBrand(errors)
    return parsed


def target_texts(session: Session, brand_id: int) -> dict[str, str]:
    """A brand's target audience as the lines a form starts from (one per dimension)."""
    target = brand_target(session, brand_id)
    return {d.value: format_distribution(target.get(d.value, {})) for d in Dimension}


def check_unchanged(session: Session, brand_id: int, expected: Mapping[str, str]) -> None:
    """Refuse (BrandChanged) when the brand no longer is what a form read (`form_values`
    and `target_texts`, for the names in `expected`): another window or program changed it."""
    brand = get_brand(session, brand_id)
    current = form_values(brand) | target_texts(session, brand_id)
    changed = [name for name, value in expected.items() if current.get(name, value) != value]
    if changed:
        raise BrandChanged(brand.name, changed)


def set_target(
    session: Session,
    brand_id: int,
    dimension: Dimension,
    distribution: dict[str, float],
    actor: str,
) -> bool:
    """Replace one dimension of a brand's target audience. False (and nothing written) when
    it is already exactly that."""
    get_brand(session, brand_id)
    before = brand_target(session, brand_id).get(dimension.value, {})
    if before == distribution:
        return False
    existing = session.exec(
        select(BrandTarget).where(
            BrandTarget.brand_id == brand_id, BrandTarget.dimension == dimension
        )
    ).all()
    for row in existing:
        session.delete(row)
    session.flush()
    for bucket, share in distribution.items():
        session.add(BrandTarget(brand_id=brand_id, dimension=dimension, bucket=bucket, share=share))
    audit.record(
        session, actor, "brand", brand_id, f"target {dimension.value} set", before, distribution
    )
    session.flush()
    return True


def set_targets(
    session: Session, brand_id: int, targets: Mapping[Dimension, dict[str, float]], actor: str
) -> list[Dimension]:
    """Set several dimensions at once (a form's target lines); returns those that changed."""
    return [d for d, dist in targets.items() if set_target(session, brand_id, d, dist, actor)]
