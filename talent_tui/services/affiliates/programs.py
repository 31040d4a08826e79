"""Programs: an advertiser's (a brand's) affiliate program with its currency, base commission
rate (basis points), cookie, lock and payout windows, forbidden traffic sources, terms, and
the onboarding checklist the manager defines (empty by default)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlmodel import Session, col, select

from talent_tui.core import fields, money
from talent_tui.services import audit
from talent_tui.services.affiliates.errors import AffiliateError, gather_fields
from talent_tui.services.affiliates.lookup import find_program
from talent_tui.store.models import Affiliate, AffiliateStage, Brand, ChecklistItem, Program

DEFAULT_LOCK_DAYS = 30
DEFAULT_NET_DAYS = 30
DEFAULT_COOKIE_DAYS = 30


@dataclass(frozen=True)
class ProgramInput:
    """What a manager types for a new program; `rate` as a percentage ("10%", "12.5")."""

    name: str
    brand: str
    currency: str
    rate: str
    attribution_days: int = DEFAULT_COOKIE_DAYS
    lock_days: int = DEFAULT_LOCK_DAYS
    net_days: int = DEFAULT_NET_DAYS
    forbidden: str = ""
    terms: str = ""


@dataclass(frozen=True)
class ProgramView:
    id: int
    name: str
    slug: str
    brand: str
    brand_id: int
    currency: str
    rate_bp: int
    attribution_days: int
    lock_days: int
    net_days: int
    forbidden: list[str]
    terms: str
    checklist: list[str]
    stages: dict[str, int] = field(default_factory=dict)  # affiliates per stage

    @property
    def rate(self) -> str:
        return fields.format_bp(self.rate_bp)

    @property
    def affiliates(self) -> int:
        return sum(self.stages.values())

    def as_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "name": self.name,
            "slug": self.slug,
            "brand": self.brand,
            "currency": self.currency,
            "rate_bp": self.rate_bp,
            "rate": self.rate,
            "attribution_days": self.attribution_days,
            "lock_days": self.lock_days,
            "net_days": self.net_days,
            "forbidden_sources": self.forbidden,
            "terms": self.terms,
            "checklist": self.checklist,
            "affiliates": self.affiliates,
            "stages": self.stages,
        }


def slugify(name: str) -> str:
    """A program's name as its slug (the utm_campaign of its links): ASCII letters and digits
    in lower case, words joined by '-'."""
    ascii_text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[: fields.MAX_SLUG].strip("-") or "program"


def split_list(text: str) -> list[str]:
    """ "a; b;; c" → ["a", "b", "c"]: the manager's lists (forbidden sources, checklists)."""
    return [part.strip() for part in text.split(";") if part.strip()]


def _forbidden_list(text: str) -> list[str]:
    """The forbidden sources typed, each once: the rule ignores case, so "x; X" is one."""
    seen: set[str] = set()
    kept = []
    for term in split_list(_text("forbid", text, fields.MAX_FORBIDDEN)):
        if term.casefold() not in seen:
            seen.add(term.casefold())
            kept.append(term)
    return kept


def _days(value: int, name: str) -> int:
    if not 0 <= value <= fields.MAX_DAYS:
        raise AffiliateError(f"{name}: between 0 and {fields.MAX_DAYS} days, not {value}", name)
    return value


def _text(name: str, value: str, limit: int, *, required: bool = False) -> str:
    try:
        if required:
            return fields.req_text({name: value}, name, limit)
        return fields.opt_text({name: value}, name, limit) or ""
    except fields.FieldError as exc:
        raise AffiliateError(f"{name}: {exc.message}", name) from None


def _program_name(session: Session, text: str) -> str:
    name = _text("name", text, fields.MAX_NAME, required=True)
    # Every command finds a program by its id, name or slug (lookup.find_program): a name
    # that is a number, or another program's slug, would find the wrong program.
    if name.isascii() and name.isdigit():
        raise AffiliateError(
            f"a program's name cannot be a number ({name!r} reads as a program id)", "name"
        )
    taken = session.exec(
        select(Program.name).where(
            sa.or_(sa.func.lower(Program.name) == name.lower(), col(Program.slug) == name.lower())
        )
    ).first()
    if taken is not None:
        if taken.lower() == name.lower():
            raise AffiliateError(f"a program named {name!r} exists already", "name")
        raise AffiliateError(f"{name!r} is the short name (slug) of program {taken!r}", "name")
    return name


def _brand_of(session: Session, text: str) -> Brand:
    from talent_tui.services.brands import BrandNotFound, find_brand

    try:
        return find_brand(session, text)
    except BrandNotFound as exc:
        raise AffiliateError(str(exc), "brand") from None


def _currency(text: str) -> str:
    try:
        return money.normalize_currency(text)
    except money.MoneyError as exc:
        raise AffiliateError(f"currency: {exc}", "currency") from None


def _rate_bp(text: str) -> int:
    try:
        return fields.percent_to_bp("rate", text)
    except fields.FieldError as exc:
        raise AffiliateError(f"rate: {exc.message}", "rate") from None


def _terms(text: str) -> str:
    try:
        terms = fields.notes({"terms": text}, "terms")
    except fields.FieldError as exc:
        raise AffiliateError(f"terms: {exc.message}", "terms") from None
    if len(terms) > fields.MAX_TERMS:
        raise AffiliateError(f"terms: longer than {fields.MAX_TERMS:,} characters", "terms")
    return terms


def add_program(session: Session, data: ProgramInput, actor: str) -> Program:
    """Create a program; its slug is made from the name (unique: "-2" when taken). Every
    wrong field is named at once (AffiliateErrors), nothing stored."""
    found = gather_fields(
        {
            "name": lambda: _program_name(session, data.name),
            "brand": lambda: _brand_of(session, data.brand),
            "currency": lambda: _currency(data.currency),
            "rate": lambda: _rate_bp(data.rate),
            "cookie_days": lambda: _days(data.attribution_days, "cookie_days"),
            "lock_days": lambda: _days(data.lock_days, "lock_days"),
            "net_days": lambda: _days(data.net_days, "net_days"),
            "forbid": lambda: _forbidden_list(data.forbidden),
            "terms": lambda: _terms(data.terms),
        }
    )
    name, brand, currency, rate_bp = found["name"], found["brand"], found["currency"], found["rate"]
    forbidden, terms = found["forbid"], found["terms"]
    base = slug = slugify(name)
    number = 2
    while (
        session.exec(
            select(Program.id).where(
                sa.or_(col(Program.slug) == slug, sa.func.lower(Program.name) == slug)
            )
        ).first()
        is not None
    ):
        suffix = f"-{number}"
        slug = base[: fields.MAX_SLUG - len(suffix)] + suffix
        number += 1
    assert brand.id is not None
    program = Program(
        name=name,
        slug=slug,
        brand_id=brand.id,
        currency=currency,
        rate_bp=rate_bp,
        attribution_days=found["cookie_days"],
        lock_days=found["lock_days"],
        net_days=found["net_days"],
        forbidden_sources="; ".join(forbidden),
        terms=terms,
    )
    session.add(program)
    session.flush()
    assert program.id is not None
    audit.record(
        session,
        actor,
        "program",
        program.id,
        "program added",
        after={"name": name, "brand": brand.name, "currency": currency, "rate_bp": rate_bp},
    )
    return program


def checklist(session: Session, program_id: int) -> list[ChecklistItem]:
    return list(
        session.exec(
            select(ChecklistItem)
            .where(ChecklistItem.program_id == program_id)
            .order_by(col(ChecklistItem.position))
        )
    )


def set_checklist(session: Session, program_id: int, text: str, actor: str) -> list[str]:
    """Replace a program's checklist with the items of "item; item" (in that order). Items
    kept by label keep their ticks; items dropped lose theirs."""
    items = split_list(text)
    if len(items) > fields.MAX_CHECKLIST_ITEMS:
        raise AffiliateError(f"at most {fields.MAX_CHECKLIST_ITEMS} checklist items", "checklist")
    seen: set[str] = set()
    for item in items:
        _text("checklist", item, fields.MAX_CHECKLIST_ITEM, required=True)
        if item.lower() in seen:
            raise AffiliateError(f"checklist item {item!r} given twice", "checklist")
        seen.add(item.lower())
    existing = {row.label.lower(): row for row in checklist(session, program_id)}
    before = [row.label for row in existing.values()]
    for key, row in existing.items():
        if key not in seen:
            session.delete(row)
    session.flush()
    for position, item in enumerate(items, start=1):
        kept = existing.get(item.lower())
        if kept is None:
            session.add(ChecklistItem(program_id=program_id, position=position, label=item))
        else:
            kept.position, kept.label = position, item
            session.add(kept)
    session.flush()
    audit.record(session, actor, "program", program_id, "checklist set", before, items)
    return items


def _view(session: Session, program: Program, brand_name: str) -> ProgramView:
    assert program.id is not None
    counts = dict(
        session.execute(
            sa.select(col(Affiliate.stage), sa.func.count())
            .where(col(Affiliate.program_id) == program.id)
            .group_by(col(Affiliate.stage))
        ).all()
    )
    stages = {stage.value: int(counts.get(stage, 0)) for stage in AffiliateStage}
    return ProgramView(
        id=program.id,
        name=program.name,
        slug=program.slug,
        brand=brand_name,
        brand_id=program.brand_id,
        currency=program.currency,
        rate_bp=program.rate_bp,
        attribution_days=program.attribution_days,
        lock_days=program.lock_days,
        net_days=program.net_days,
        forbidden=split_list(program.forbidden_sources),
        terms=program.terms,
        checklist=[item.label for item in checklist(session, program.id)],
        stages=stages,
    )


def show_program(session: Session, ref: str) -> ProgramView:
    program = find_program(session, ref)
    brand = session.get(Brand, program.brand_id)
    return _view(session, program, brand.name if brand is not None else "")


def list_programs(session: Session) -> list[ProgramView]:
    rows = session.exec(
        select(Program, Brand)
        .join(Brand, col(Brand.id) == col(Program.brand_id))
        .where(col(Program.archived_at).is_(None))
        .order_by(sa.func.lower(Program.name))
    ).all()
    return [_view(session, program, brand.name) for program, brand in rows]


# ---- money terms and rules (issue 16) ---------------------------------------------------------


def set_forbidden(session: Session, program: Program, text: str, actor: str) -> list[str]:
    """The program's forbidden traffic sources ("brand keyword bidding; coupon sites"; empty
    for none), which the forbidden-source rule checks from the next import on; audited."""
    forbidden = _forbidden_list(text)
    before = split_list(program.forbidden_sources)
    if forbidden != before:
        assert program.id is not None
        program.forbidden_sources = "; ".join(forbidden)
        session.add(program)
        session.flush()
        audit.record(
            session,
            actor,
            "program",
            program.id,
            "forbidden sources set",
            {"forbidden": before},
            {"forbidden": forbidden},
        )
    return forbidden


def set_money_terms(
    session: Session,
    program: Program,
    actor: str,
    *,
    rate: str | None = None,
    lock_days: int | None = None,
    net_days: int | None = None,
) -> Program:
    """Change a program's base rate, lock days or net days; audited. Statements already
    built keep the rates and due dates they were built with."""
    assert program.id is not None
    before = {
        "rate_bp": program.rate_bp,
        "lock_days": program.lock_days,
        "net_days": program.net_days,
    }
    if rate is not None:
        try:
            program.rate_bp = fields.percent_to_bp("rate", rate)
        except fields.FieldError as exc:
            raise AffiliateError(f"rate: {exc.message}", "rate") from None
    if lock_days is not None:
        program.lock_days = _days(lock_days, "lock_days")
    if net_days is not None:
        program.net_days = _days(net_days, "net_days")
    session.add(program)
    session.flush()
    after = {
        "rate_bp": program.rate_bp,
        "lock_days": program.lock_days,
        "net_days": program.net_days,
    }
    audit.record(session, actor, "program", program.id, "money terms set", before, after)
    return program
