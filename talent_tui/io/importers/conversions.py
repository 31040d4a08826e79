"""Conversions (orders and leads) of one program.

Columns: order_id, affiliate | link_code | promo_code, occurred_at, amount[, refund, status,
source, customer_email]. `amount` and `refund` as people write money, in the program's
currency ("1,200.50", "$99", "99 USD"; another currency is refused). `occurred_at` is UTC
unless it carries an offset. The affiliate is named directly or through a link code or a
promo code of the program (when several are given they must agree). Order ids are unique
in the program: a re-import of an order updates its status and refund only (idempotent).
The customer's e-mail is stored only as a keyed hash (services.affiliates.conversions).

`spec_for(program, parse=…)` builds the kind for one program; a platform's export (the
TikTok Shop profile, tiktok_shop.py) supplies its own parser and the same writer.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, col, select

from talent_tui.core import fields, money
from talent_tui.core.fields import FieldError, FieldErrors, enum_value, text_of, timestamp
from talent_tui.io.importers.base import (
    Counter,
    KindSpec,
    ParsedRows,
    RowError,
    SourceRow,
    duplicates,
    insert_many,
    shown,
)
from talent_tui.io.importers.clicks import affiliates_by_handle
from talent_tui.services.affiliates.conversions import customer_hash, hash_key
from talent_tui.store.models import (
    Conversion,
    ConversionStatus,
    Program,
    PromoCode,
    TrackingLink,
    utcnow,
)

COLUMNS = (
    "order_id",
    "affiliate",
    "link_code",
    "promo_code",
    "occurred_at",
    "amount",
    "refund",
    "status",
    "source",
    "customer_email",
    "program",
)
REQUIRED = ("order_id", "occurred_at", "amount")
BULK_CHUNK = 5_000


@dataclass
class Skips:
    """Rows a platform's export has that are not conversions (TikTok Shop's Customer Unpaid):
    counted, never stored."""

    count: int = 0
    by_status: dict[str, int] = field(default_factory=dict)


_exponent = functools.lru_cache(maxsize=64)(money.exponent)
_PLAIN_AMOUNT = re.compile(r"(\d{1,15})(?:\.(\d{1,4}))?")


def money_in(v: Mapping[str, Any], name: str, currency: str, required: bool = True) -> int:
    """An amount as people write money, in `currency` (core.money.parse_money's rules); a
    plain "1234.50" (what platforms export) is read without the general parser."""
    text = text_of(v, name)
    if not text:
        if required:
            raise FieldError(name, "required")
        return 0
    plain = _PLAIN_AMOUNT.fullmatch(text)
    if plain is not None:
        digits = _exponent(currency)
        whole, part = plain.group(1), plain.group(2) or ""
        if len(part) <= digits:
            minor = int(whole) * 10**digits + int(part.ljust(digits, "0") or 0)
            if minor <= money.MAX_MINOR:
                return minor
    try:
        return money.parse_money(text, currency).amount_minor
    except money.MoneyError as exc:
        raise FieldError(name, str(exc)) from None


def customer_email(v: Mapping[str, Any], name: str = "customer_email") -> str | None:
    text = short_text(v, name, fields.MAX_EMAIL)
    if text is not None:
        local, at, domain = text.partition("@")
        if not at or not local or "." not in domain or len(text.split()) != 1:
            raise FieldError(name, f"not an email address: {fields.visible(text)}")
    return text


def cell(v: Mapping[str, Any], name: str) -> str:
    """A cell as trimmed text: a CSV cell straight away, anything else through text_of."""
    raw = v.get(name)
    if type(raw) is str:
        return raw.strip()
    return text_of(v, name)


def short_text(v: Mapping[str, Any], name: str, limit: int) -> str | None:
    """fields.opt_text, with a quick path for the usual cell (plain printable text within the
    limit); anything else goes through opt_text, which refuses it in its own words."""
    raw = v.get(name)
    if type(raw) is str:
        text = raw.strip()
        if len(text) <= limit and text.isprintable():
            return text or None
    return fields.opt_text(v, name, limit)


def standard_parser(program: Program) -> Callable[[Mapping[str, Any]], dict[str, Any]]:
    """The conversions columns, read field by field (every wrong field reported at once);
    written out rather than through `gather`, as this is the hot path of a large import."""
    currency = program.currency
    names = {program.name.lower(), program.slug, str(program.id)}
    statuses = {s.value: s for s in ConversionStatus}

    def parse(v: Mapping[str, Any]) -> dict[str, Any]:
        problems: list[FieldError] = []
        data: dict[str, Any] = {"platform_rate_bp": None, "platform_commission_minor": None}

        def attempt(key: str, read: Callable[[], Any]) -> None:
            try:
                data[key] = read()
            except FieldError as exc:
                problems.append(exc)

        attempt("order_id", lambda: fields.req_text(v, "order_id", fields.MAX_ORDER_ID))
        attempt(
            "affiliate",
            lambda: fields.creator_ref(v, "affiliate") if cell(v, "affiliate") else None,
        )
        attempt("link_code", lambda: short_text(v, "link_code", fields.MAX_LINK_CODE))
        attempt("promo_code", lambda: short_text(v, "promo_code", fields.MAX_PROMO_CODE))
        attempt("occurred_at", lambda: timestamp(v, "occurred_at"))
        attempt("amount_minor", lambda: money_in(v, "amount", currency))
        attempt("refund_minor", lambda: money_in(v, "refund", currency, required=False))
        status = cell(v, "status").lower()
        if not status:
            data["status"] = ConversionStatus.PENDING
        elif status in statuses:
            data["status"] = statuses[status]
        else:
            attempt("status", lambda: enum_value(v, "status", ConversionStatus))
        attempt("source", lambda: short_text(v, "source", fields.MAX_SOURCE))
        attempt("email", lambda: customer_email(v) if cell(v, "customer_email") else None)
        named = cell(v, "program")
        if named and named.lower() not in names:
            problems.append(FieldError("program", f"row is for {named!r}, not {program.name!r}"))
        if problems:
            raise FieldErrors(problems)
        return checked(data)

    return parse


def checked(data: dict[str, Any]) -> dict[str, Any]:
    """The checks every conversion parser shares: a reference, a refund within the amount."""
    if data["affiliate"] is None and data["link_code"] is None and data["promo_code"] is None:
        raise FieldError("affiliate", "give the affiliate, the link_code or the promo_code")
    if data["refund_minor"] > data["amount_minor"]:
        raise FieldError("refund", "larger than the amount")
    return data


def _by_code(session: Session, model: Any, column: Any, program_id: int, keys: set[str]) -> dict:
    if not keys:
        return {}
    query = select(model).where(model.program_id == program_id, col(column).in_(keys))
    return {getattr(obj, column.key): obj for obj in session.exec(query)}


def _resolve(
    session: Session, program_id: int, rows: ParsedRows, source: str, errors: list[RowError]
) -> list[tuple[SourceRow, dict[str, Any]]]:
    """Each row's affiliate (and link, promo code) ids, or an error naming the reference."""
    links = _by_code(
        session,
        TrackingLink,
        TrackingLink.code,
        program_id,
        {d["link_code"] for _, d in rows if d["link_code"]},
    )
    promos = _by_code(
        session,
        PromoCode,
        PromoCode.code_key,
        program_id,
        {d["promo_code"].lower() for _, d in rows if d["promo_code"]},
    )
    people = affiliates_by_handle(
        session, program_id, {d["affiliate"] for _, d in rows if d["affiliate"]}
    )
    resolved = []
    for row, data in rows:
        found: dict[str, int] = {}  # column → the affiliate id it names
        data["link_id"] = data["promo_code_id"] = None
        if data["link_code"]:
            link = links.get(data["link_code"])
            if link is None:
                errors.append(
                    RowError(source, row.number, "link_code", f"unknown link {data['link_code']}")
                )
                continue
            data["link_id"], found["link_code"] = link.id, link.affiliate_id
        if data["promo_code"]:
            promo = promos.get(data["promo_code"].lower())
            if promo is None:
                errors.append(
                    RowError(
                        source, row.number, "promo_code", f"unknown promo code {data['promo_code']}"
                    )
                )
                continue
            data["promo_code_id"], found["promo_code"] = promo.id, promo.affiliate_id
        if data["affiliate"]:
            matches = people.get(data["affiliate"], [])
            if not matches:
                errors.append(
                    RowError(
                        source,
                        row.number,
                        "affiliate",
                        f"unknown affiliate {data['affiliate']} in this program",
                    )
                )
                continue
            found["affiliate"] = matches[0].id  # type: ignore[assignment]
        ids = set(found.values())
        if len(ids) > 1:
            errors.append(
                RowError(
                    source,
                    row.number,
                    next(iter(found)),
                    f"{' and '.join(found)} name different affiliates",
                )
            )
            continue
        data["affiliate_id"] = ids.pop()
        resolved.append((row, data))
    return resolved


def spec_for(
    program: Program,
    parse: Callable[[Mapping[str, Any]], dict[str, Any]] | None = None,
    columns: tuple[str, ...] = COLUMNS,
    required: tuple[str, ...] = REQUIRED,
    skips: Skips | None = None,
) -> KindSpec:
    """The conversions kind for `program`; `parse` may return {"skip": status} for a row
    that is counted in `skips` and not stored."""
    assert program.id is not None
    program_id, currency = program.id, program.currency
    skipped = skips if skips is not None else Skips()

    def write(session: Session, rows: ParsedRows, source: str, errors: list[RowError]) -> Counter:
        counter = Counter()
        kept: ParsedRows = []
        for row, data in rows:
            if "skip" in data:
                if not errors:
                    skipped.count += 1
                    status = data["skip"]
                    skipped.by_status[status] = skipped.by_status.get(status, 0) + 1
                continue
            kept.append((row, data))
        resolved = _resolve(session, program_id, kept, source, errors)
        if errors:
            return counter
        key = hash_key(session)
        stored = _by_code(
            session,
            Conversion,
            Conversion.order_id,
            program_id,
            {d["order_id"] for _, d in resolved},
        )
        now = utcnow()
        new: list[dict[str, Any]] = []
        for row, data in resolved:
            existing = stored.get(data["order_id"])
            if existing is None:
                email = data["email"]
                new.append(
                    {
                        "program_id": program_id,
                        "order_id": data["order_id"],
                        "affiliate_id": data["affiliate_id"],
                        "link_id": data["link_id"],
                        "promo_code_id": data["promo_code_id"],
                        "occurred_at": data["occurred_at"],
                        "amount_minor": data["amount_minor"],
                        "refund_minor": data["refund_minor"],
                        "currency": currency,
                        "status": data["status"],
                        "source": data["source"],
                        "customer_hash": customer_hash(key, email) if email else None,
                        "platform_rate_bp": data["platform_rate_bp"],
                        "platform_commission_minor": data["platform_commission_minor"],
                        "created_at": now,
                        "updated_at": now,
                    }
                )
                counter.new += 1
                continue
            # A re-import changes what a platform changes later: the status and the refund.
            if data["refund_minor"] > existing.amount_minor:
                errors.append(RowError(source, row.number, "refund", "larger than the amount"))
                continue
            changes = {"status": data["status"], "refund_minor": data["refund_minor"]}
            if data["platform_commission_minor"] is not None:
                changes["platform_commission_minor"] = data["platform_commission_minor"]
            if counter.changed(
                row, data["order_id"], existing, changes, _NAMES, _formats(currency)
            ):
                for name, value in changes.items():
                    setattr(existing, name, value)
                existing.updated_at = now
                session.add(existing)
        if errors:
            return counter
        session.flush()
        table = Conversion.__table__
        for start in range(0, len(new), BULK_CHUNK):
            insert_many(session.connection(), table, new[start : start + BULK_CHUNK])
        return counter

    return KindSpec(
        columns=columns,
        required=required,
        parse=parse or standard_parser(program),
        write=write,
        check_rows=lambda rows, source: duplicates(
            rows,
            source,
            lambda d: ("skip", d["skip_n"]) if "skip" in d else d["order_id"],
            "order_id",
        ),
    )


_NAMES = {"refund_minor": "refund", "platform_commission_minor": "commission"}


def _formats(currency: str) -> dict[str, Callable[[Any, Any], str]]:
    def amount(minor: Any, _obj: Any) -> str:
        return money.format_money(minor, currency) if isinstance(minor, int) else shown(minor)

    return {"refund_minor": amount, "platform_commission_minor": amount}
