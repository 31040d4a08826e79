"""Conversions (orders and leads) of one program.

Columns: order_id, affiliate | link_code | promo_code, occurred_at, amount[, refund, status,
source, customer_email]. `amount` and `refund` as people write money, in the program's
currency ("1,200.50", "$99", "99 USD"; another currency is refused). `occurred_at` is UTC
unless it carries an offset. The affiliate is named directly or through a link code or a
promo code of the program (when several are given they must agree). Order ids are unique
in the program: a re-import of an order updates its status and refund only, each only when
the file has its column (GIVEN; idempotent).
The customer's e-mail is stored only as a keyed hash (services.affiliates.conversions).
Issue 16's money rules (services.affiliates.guard): a re-import leaves a locked or paid order
as stored (a later refund or reversal becomes an adjustment), and once the file is written
the review rules run (an optional `clicked_at` column feeds the too-fast rule); a status a
review flag holds is kept, and the report's notes say what became of such orders (NOTES).

`spec_for(program, parse=…)` builds the kind for one program; a platform's export (the
TikTok Shop profile, tiktok_shop.py) supplies its own parser and the same writer.

Speed (a 100,000-row export imports at about half the speed of a bare sqlite3 script doing
the same, tests/bench/conversions_floor.py): a row is read by a quick path (`quick_parser`)
that takes only the usual cells and gives exactly what the careful field-by-field parser
gives; any other row goes to the careful one, which reports every wrong field. The
program's affiliates, links and promo codes are read once into dicts; new conversions are
written with one executemany of plain tuples (`insert_conversions`), re-imported orders with
one executemany of updates (`update_conversions`), each batch in the import's transaction.
"""

from __future__ import annotations

import contextlib
import functools
import operator
import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlmodel import Session

from talent_tui.core import fields, money
from talent_tui.core.dates import today
from talent_tui.core.fields import FieldError, FieldErrors, enum_value, text_of, timestamp
from talent_tui.io.importers.base import (
    Counter,
    KindSpec,
    ParsedRows,
    RowError,
    SourceRow,
    duplicates,
    shown,
)
from talent_tui.services.affiliates import guard
from talent_tui.services.affiliates.conversions import customer_hash, hash_key
from talent_tui.store.bulk import MovingInserts
from talent_tui.store.models import (
    Conversion,
    ConversionStatus,
    Program,
    utcnow,
)
from talent_tui.store.plain import fetch_all

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
    "clicked_at",
    "program",
)
REQUIRED = ("order_id", "occurred_at", "amount")
CACHE_LIMIT = 10_000  # distinct cells of a column whose reading the quick path remembers


@dataclass
class Skips:
    """Rows a platform's export has that are not conversions (TikTok Shop's Customer Unpaid):
    counted, never stored."""

    count: int = 0
    by_status: dict[str, int] = field(default_factory=dict)


_exponent = functools.lru_cache(maxsize=64)(money.exponent)
# What platforms export: "1234.50" or "1,234.50" (ASCII digits; anything else goes through
# core.money.parse_money, which reads it in its own words).
_GROUPED = re.compile(r"[0-9]{1,3}(?:,[0-9]{3}){1,4}")
_MAX_WHOLE_DIGITS = 15


def plain_minor(text: str, digits: int) -> int | None:
    """A plain amount — ASCII digits, commas grouping thousands, a point and no more decimals
    than the currency's `digits` ("1234.50", "1,234.50", "12") — in minor units, never rounded;
    None for any other text (and for an amount over money.MAX_MINOR). Written without a
    regular expression for the usual ungrouped cell: this runs once or twice per imported
    order."""
    whole, point, part = text.partition(".")
    if point and not (0 < len(part) <= digits and part.isascii() and part.isdigit()):
        return None
    if "," in whole:
        if _GROUPED.fullmatch(whole) is None:
            return None
        whole = whole.replace(",", "")
    elif not (0 < len(whole) <= _MAX_WHOLE_DIGITS and whole.isascii() and whole.isdigit()):
        return None
    minor = int(whole) * 10**digits + (int(part.ljust(digits, "0")) if part else 0)
    return minor if minor <= money.MAX_MINOR else None


def money_in(v: Mapping[str, Any], name: str, currency: str, required: bool = True) -> int:
    """An amount as people write money, in `currency` (core.money.parse_money's rules); a
    plain amount (what platforms export, `plain_minor`) is read without the general parser,
    to the same minor units."""
    text = text_of(v, name)
    if not text:
        if required:
            raise FieldError(name, "required")
        return 0
    minor = plain_minor(text, _exponent(currency))
    if minor is not None:
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


def careful_parser(program: Program) -> Callable[[Mapping[str, Any]], dict[str, Any]]:
    """The conversions columns, read field by field: every wrong field of a row is reported
    at once (FieldErrors). `standard_parser` runs it on a row its quick path does not take."""
    currency = program.currency
    names = {program.name.lower(), program.slug, str(program.id)}
    window = fields.EventWindow(today())

    def parse(v: Mapping[str, Any]) -> dict[str, Any]:
        problems: list[FieldError] = []
        data: dict[str, Any] = {"platform_rate_bp": None, "platform_commission_minor": None}

        def attempt(key: str, read: Callable[[], Any]) -> None:
            try:
                data[key] = read()
            except FieldError as exc:
                problems.append(exc)

        attempt("order_id", lambda: fields.req_text(v, "order_id", fields.MAX_ORDER_ID))
        attempt("affiliate", lambda: _affiliate(v, "affiliate"))
        attempt("link_code", lambda: short_text(v, "link_code", fields.MAX_LINK_CODE))
        attempt("promo_code", lambda: short_text(v, "promo_code", fields.MAX_PROMO_CODE))
        attempt("occurred_at", lambda: window.check("occurred_at", timestamp(v, "occurred_at")))
        attempt("amount_minor", lambda: money_in(v, "amount", currency))
        attempt("refund_minor", lambda: money_in(v, "refund", currency, required=False))
        attempt("status", lambda: _status(v, "status"))
        attempt("source", lambda: short_text(v, "source", fields.MAX_SOURCE))
        attempt("email", lambda: customer_email(v) if cell(v, "customer_email") else None)
        if cell(v, "clicked_at"):
            attempt("clicked_at", lambda: window.check("clicked_at", timestamp(v, "clicked_at")))
            click, order = data.get("clicked_at"), data.get("occurred_at")
            if click is not None and order is not None and click > order:
                problems.append(
                    FieldError(
                        "clicked_at", f"{_moment(click)} is after the order ({_moment(order)})"
                    )
                )
        named = cell(v, "program")
        if named and named.lower() not in names:
            problems.append(FieldError("program", f"row is for {named!r}, not {program.name!r}"))
        if problems:
            raise FieldErrors(problems)
        return checked(data)

    return parse


def _moment(moment: datetime) -> str:
    """A moment to the second, with its fraction when it has one (a click 0.5 s after)."""
    text = f"{moment:%Y-%m-%d %H:%M:%S}"
    return text + f".{moment.microsecond:06d}".rstrip("0") if moment.microsecond else text


def checked(data: dict[str, Any]) -> dict[str, Any]:
    """The checks every conversion parser shares: a reference, a refund within the amount."""
    if data["affiliate"] is None and data["link_code"] is None and data["promo_code"] is None:
        raise FieldError("affiliate", "give the affiliate, the link_code or the promo_code")
    if data["refund_minor"] > data["amount_minor"]:
        raise FieldError("refund", "larger than the amount")
    return data


_MISSING = object()


def _affiliate(v: Mapping[str, Any], name: str) -> str | None:
    """The affiliate's handle, or None for an empty cell."""
    return fields.creator_ref(v, name) if cell(v, name) else None


_STATUSES = {s.value: s for s in ConversionStatus}


def _status(v: Mapping[str, Any], name: str) -> ConversionStatus:
    """The status in any case; an empty cell is pending."""
    text = cell(v, name).lower()
    if not text:
        return ConversionStatus.PENDING
    if text in _STATUSES:
        return _STATUSES[text]
    return enum_value(v, name, ConversionStatus)


def _short(limit: int) -> Callable[[Mapping[str, Any], str], str | None]:
    return lambda v, name: short_text(v, name, limit)


def quick_parser(program: Program) -> Callable[[Mapping[str, Any]], dict[str, Any] | None]:
    """A conversions row read quickly, or None when it is not a usual one (a JSON number, a
    wrong field, an odd character, a date with slashes): the caller then reads it with
    `careful_parser`, which reports what is wrong. What it returns is exactly what the careful
    parser returns for the row: the columns with few distinct cells (handles, codes, statuses,
    sources) are read by the careful parser's own field readers and remembered per cell
    text; the others are read inline, taking only what the careful readers take alike."""
    currency = program.currency
    names = {program.name.lower(), program.slug, str(program.id)}
    readers: dict[str, Callable[[Mapping[str, Any], str], Any]] = {
        "affiliate": _affiliate,
        "link_code": _short(fields.MAX_LINK_CODE),
        "promo_code": _short(fields.MAX_PROMO_CODE),
        "status": _status,
        "source": _short(fields.MAX_SOURCE),
    }
    memory: dict[str, dict[str, Any]] = {name: {} for name in readers}
    affiliates, links, promos, statuses, sources = (memory[name] for name in readers)
    fromisoformat = datetime.fromisoformat
    max_order, max_email = fields.MAX_ORDER_ID, fields.MAX_EMAIL
    digits = _exponent(currency)
    within = fields.EventWindow(today()).holds

    def remembered(v: Mapping[str, Any], name: str) -> Any:
        """The careful reader's value for the cell, remembered for a text cell (or none)."""
        raw = v.get(name)
        value = readers[name](v, name)  # raises FieldError for a wrong cell
        cache = memory[name]
        if (raw is None or type(raw) is str) and len(cache) < CACHE_LIMIT:
            cache[raw] = value
        return value

    def amount_of(raw: Any) -> int | None:
        """A plain amount cell in minor units (`plain_minor`); None for another."""
        return plain_minor(raw.strip(), digits) if type(raw) is str else None

    def parse(v: Mapping[str, Any]) -> dict[str, Any] | None:
        get = v.get
        order = get("order_id")
        when = get("occurred_at")
        if type(order) is not str or type(when) is not str:
            return None
        order = order.strip()
        if not order or len(order) > max_order or not order.isprintable():
            return None
        when = when.strip()
        if "/" in when:
            return None
        moment = None
        if len(when) == 19 and when[10] in " T":  # "2026-10-03 14:05:09": UTC, read as such
            try:  # (quicker than .replace(tzinfo=UTC))
                moment = fromisoformat(when + "+00:00")
            except ValueError:
                moment = None
            if moment is not None and moment.tzinfo is not UTC:
                moment = None
        if moment is None:
            try:
                moment = fromisoformat(when)
            except ValueError:
                return None
            moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
        if not within(moment):
            return None
        amount = amount_of(get("amount"))
        refund = get("refund")
        refund = 0 if refund is None or refund == "" else amount_of(refund)
        if amount is None or refund is None or refund > amount:
            return None
        if get("clicked_at"):  # a click time: the careful reader takes it
            return None
        email = get("customer_email")
        if email is not None:
            if type(email) is not str:
                return None
            email = email.strip() or None
            if email is not None:
                local, at, domain = email.partition("@")
                if not (
                    local
                    and at
                    and "." in domain
                    and len(email) <= max_email
                    and email.isprintable()
                    and " " not in email
                ):
                    return None
        named = get("program")
        if named is not None:
            if type(named) is not str:
                return None
            named = named.strip()
            if named and named.lower() not in names:
                return None
        try:
            # A cell seen before: its value at once (only text cells and None are remembered).
            affiliate = affiliates.get(get("affiliate"), _MISSING)
            link = links.get(get("link_code"), _MISSING)
            promo = promos.get(get("promo_code"), _MISSING)
            status = statuses.get(get("status"), _MISSING)
            source = sources.get(get("source"), _MISSING)
            if affiliate is _MISSING:
                affiliate = remembered(v, "affiliate")
            if link is _MISSING:
                link = remembered(v, "link_code")
            if promo is _MISSING:
                promo = remembered(v, "promo_code")
            if status is _MISSING:
                status = remembered(v, "status")
            if source is _MISSING:
                source = remembered(v, "source")
        except (FieldError, TypeError):  # a wrong cell; a JSON list or object
            return None
        if affiliate is None and link is None and promo is None:
            return None
        return {
            "platform_rate_bp": None,
            "platform_commission_minor": None,
            "order_id": order,
            "affiliate": affiliate,
            "link_code": link,
            "promo_code": promo,
            "occurred_at": moment,
            "amount_minor": amount,
            "refund_minor": refund,
            "status": status,
            "source": source,
            "email": email,
        }

    return parse


def standard_parser(program: Program) -> Callable[[Mapping[str, Any]], dict[str, Any]]:
    """The conversions columns: the quick path for a usual row, else the careful parser
    (which raises FieldErrors naming every wrong field)."""
    quick, careful = quick_parser(program), careful_parser(program)

    def parse(v: Mapping[str, Any]) -> dict[str, Any]:
        data = quick(v)
        return data if data is not None else careful(v)

    return parse


# --- writing ----------------------------------------------------------------------------


class Stored(NamedTuple):
    """What a re-import compares with: an order already stored in the program."""

    id: int
    amount_minor: int
    status: ConversionStatus
    refund_minor: int
    platform_commission_minor: int | None


class Known:
    """One program's affiliates (by handle), links (by code) and promo codes (by code in lower
    case), read once for the whole import, and whether it had any conversion when it began."""

    def __init__(self, session: Session, program_id: int):
        # Plain SQL on the session's connection: four statements that SQLAlchemy would first
        # compile, in a command that runs once.
        self.program_id = program_id
        key = (program_id,)
        self.people: dict[str, int] = dict(
            fetch_all(session, "SELECT handle, id FROM affiliates WHERE program_id = ?", key)
        )
        self.links: dict[str, tuple[int, int]] = {
            c: (i, a)
            for c, i, a in fetch_all(
                session,
                "SELECT code, id, affiliate_id FROM tracking_links WHERE program_id = ?",
                key,
            )
        }
        self.promos: dict[str, tuple[int, int]] = {
            c: (i, a)
            for c, i, a in fetch_all(
                session,
                "SELECT code_key, id, affiliate_id FROM promo_codes WHERE program_id = ?",
                key,
            )
        }
        # An order of the file is stored before this import only if the program had any; the
        # file's own orders are unique in it (the duplicates check), so none of a later batch
        # is one an earlier batch inserted.
        self.had_conversions = bool(
            fetch_all(session, "SELECT 1 FROM conversions WHERE program_id = ? LIMIT 1", key)
        )

    def resolve(self, rows: ParsedRows, source: str, errors: list[RowError]) -> ParsedRows:
        """Each row's affiliate (and link, promo code) ids, or an error naming the reference."""
        links, promos, people = self.links, self.promos, self.people
        resolved = []
        for item in rows:
            row, data = item
            code, key, handle = data["link_code"], data["promo_code"], data["affiliate"]
            # The usual row names one of them, and a known one: its ids at once.
            if key is None and handle is None and code in links:
                data["link_id"], data["affiliate_id"] = links[code]
                data["promo_code_id"] = None
                resolved.append(item)
                continue
            if code is None and key is None and handle in people:
                data["link_id"] = data["promo_code_id"] = None
                data["affiliate_id"] = people[handle]
                resolved.append(item)
                continue
            found: dict[str, int] = {}  # column → the affiliate id it names
            link_id = promo_id = None
            code = data["link_code"]
            if code:
                link = links.get(code)
                if link is None:
                    errors.append(RowError(source, row.number, "link_code", f"unknown link {code}"))
                    continue
                link_id, found["link_code"] = link
            code = data["promo_code"]
            if code:
                promo = promos.get(code.lower())
                if promo is None:
                    errors.append(
                        RowError(source, row.number, "promo_code", f"unknown promo code {code}")
                    )
                    continue
                promo_id, found["promo_code"] = promo
            handle = data["affiliate"]
            if handle:
                person = people.get(handle)
                if person is None:
                    errors.append(
                        RowError(
                            source,
                            row.number,
                            "affiliate",
                            f"unknown affiliate {handle} in this program",
                        )
                    )
                    continue
                found["affiliate"] = person
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
            data["link_id"], data["promo_code_id"], data["affiliate_id"] = (
                link_id,
                promo_id,
                ids.pop(),
            )
            resolved.append(item)
        return resolved

    def stored(self, session: Session, rows: ParsedRows) -> dict[str, Stored]:
        """The orders of `rows` already stored in the program, by order id."""
        if not self.had_conversions or not rows:
            return {}
        order_ids = [data["order_id"] for _, data in rows]
        table = Conversion.__table__
        c = table.c
        found: dict[str, Stored] = {}
        step = 500
        connection = session.connection()
        for start in range(0, len(order_ids), step):
            query = sa.select(
                c.order_id,
                c.id,
                c.amount_minor,
                c.status,
                c.refund_minor,
                c.platform_commission_minor,
            ).where(
                c.program_id == self.program_id, c.order_id.in_(order_ids[start : start + step])
            )
            for order_id, *rest in connection.execute(query):
                found[order_id] = Stored(*rest)
        return found


@dataclass(frozen=True)
class Target:
    """What one import writes every conversion with: the program, its currency, this
    database's customer-hash key, the import's moment (created_at / updated_at), and whether
    its rows may carry a platform's rate and commission (the standard columns never do)."""

    program_id: int
    currency: str
    key: bytes
    now: datetime
    platform_figures: bool = True


_PLATFORM = ("platform_rate_bp", "platform_commission_minor")  # last in _INSERTED
_INSERTED = (
    "program_id",
    "order_id",
    "affiliate_id",
    "link_id",
    "promo_code_id",
    "occurred_at",
    "amount_minor",
    "refund_minor",
    "currency",
    "status",
    "source",
    "customer_hash",
    "created_at",
    "updated_at",
    *_PLATFORM,
)


def _stamper(dialect: sa.Dialect) -> Callable[[datetime], Any]:
    """A UTC datetime as the `conversions` table's datetime columns store it on `dialect`:
    for SQLite the text SQLAlchemy writes ("2026-10-03 14:05:09.000000", checked against the
    column's own conversion once), made by isoformat, which is quicker; else the datetime."""
    if dialect.paramstyle != "qmark":
        return lambda moment: moment
    column = Conversion.__table__.c.occurred_at
    process = column.type.dialect_impl(dialect).bind_processor(dialect)
    assert process is not None

    def quick(moment: datetime) -> Any:
        text = moment.isoformat(" ", "microseconds")
        return text[:-6] if text.endswith("+00:00") else process(moment)

    sample = datetime(2026, 1, 2, 3, 4, 5, 60, tzinfo=UTC)
    return quick if quick(sample) == process(sample) else process


def inserted_columns(target: Target) -> tuple[str, ...]:
    """The columns an import's new conversions are written with: without the platform's,
    left NULL, when the import's rows never carry them (two parameters fewer a row, 10% of
    the insert)."""
    return _INSERTED if target.platform_figures else _INSERTED[: -len(_PLATFORM)]


def insert_conversions(
    connection: sa.Connection,
    target: Target,
    rows: ParsedRows,
    moving: MovingInserts | None = None,
) -> None:
    """The one place new conversions are stored. `rows` are parsed and resolved (each data
    dict has the order, affiliate_id, link_id, promo_code_id, amounts, status, source, email
    and the platform's figures), none of them stored yet: all are inserted as plain tuples of
    `inserted_columns`, with one executemany, or through `moving` (SQLite, store.bulk: the
    caller goes on while SQLite puts them into the table). The customer's e-mail is kept only
    as its keyed hash."""
    if not rows:
        return
    dialect = connection.dialect
    stamp = _stamper(dialect)
    now = stamp(target.now)
    program_id, currency, key = target.program_id, target.currency, target.key
    fields_of = operator.itemgetter(
        "order_id",
        "affiliate_id",
        "link_id",
        "promo_code_id",
        "occurred_at",
        "amount_minor",
        "refund_minor",
        "status",
        "source",
        "email",
        "platform_rate_bp",
        "platform_commission_minor",
    )
    figures = target.platform_figures
    params = []
    for _, data in rows:
        (
            order,
            affiliate,
            link,
            promo,
            moment,
            amount,
            refund,
            status,
            origin,
            email,
            rate,
            paid,
        ) = fields_of(data)
        values = (
            program_id,
            order,
            affiliate,
            link,
            promo,
            stamp(moment),
            amount,
            refund,
            currency,
            status,  # a StrEnum member is its value as text, bound as such
            origin,
            customer_hash(key, email) if email else None,
            now,
            now,
        )
        if figures:
            values += (rate, paid)
        elif rate is not None or paid is not None:
            raise ValueError("a platform's figures in an import that does not store them")
        params.append(values)
    columns = inserted_columns(target)
    table = Conversion.__table__
    if moving is not None:
        moving.add(params)
    elif dialect.paramstyle == "qmark":  # SQLite: straight to the driver
        quote = dialect.identifier_preparer.quote
        sql = "INSERT INTO {} ({}) VALUES ({})".format(
            quote(table.name), ", ".join(map(quote, columns)), ", ".join("?" * len(columns))
        )
        connection.exec_driver_sql(sql, params)
    else:
        connection.execute(table.insert(), [dict(zip(columns, p, strict=True)) for p in params])


# What a re-import may change in a stored order, each from the column the standard parser
# reads it from: a row whose file has no such column leaves the field as stored (README).
GIVEN = {"status": "status", "refund_minor": "refund"}


class Again(NamedTuple):
    """A row of the file naming an order already stored: `given` holds the fields a
    re-import may change (GIVEN) whose column the row has, with the file's values."""

    row: SourceRow
    data: dict[str, Any]
    stored: Stored
    given: dict[str, Any]


def given_fields(row: SourceRow, data: Mapping[str, Any], sources: Mapping[str, str]) -> dict:
    """The fields of `sources` (field → the column it is read from) whose column is in the
    row (a CSV header's column, a JSON object's key), with the parsed values; a platform's
    commission only when the row has one."""
    values = row.values
    given = {name: data[name] for name, column in sources.items() if column in values}
    if given.get("platform_commission_minor", 0) is None:
        del given["platform_commission_minor"]
    return given


# Keys of ImportReport.notes (what a re-import did besides updating) and how the summary says
# them: for one order, for more ("{n}" is the count).
NOTES = {
    "claimed": (
        "1 order named under another affiliate: it stays with its affiliate, flagged as a "
        "duplicate claim for review (held unless locked)",
        "{n} orders named under another affiliate: they stay with their affiliates, flagged "
        "as duplicate claims for review (held unless locked)",
    ),
    "kept_held": (
        "1 order kept held: a review flag holds it, whatever status the file says",
        "{n} orders kept held: review flags hold them, whatever status the file says",
    ),
    "released": (
        "1 held order reversed by the platform: it earns nothing, its review flag no longer "
        "holds it",
        "{n} held orders reversed by the platform: they earn nothing, their review flags no "
        "longer hold them",
    ),
    "kept_reversed": (
        "1 order kept reversed: rejected in review, whatever status the file says",
        "{n} orders kept reversed: rejected in review, whatever status the file says",
    ),
    "adjusted": (
        "1 late change kept as an adjustment of the affiliate's next statement (the order "
        "is locked or paid)",
        "{n} late changes kept as adjustments of the affiliates' next statements (the orders "
        "are locked or paid)",
    ),
    "locked": (
        "1 locked or paid order left as stored: the file's other status or refund is ignored",
        "{n} locked or paid orders left as stored: the files' other statuses or refunds are "
        "ignored",
    ),
}


def note_lines(notes: Mapping[str, int]) -> list[str]:
    """The report's notes (ImportReport.notes) as sentences, in NOTES order."""
    lines = []
    for key, (one, more) in NOTES.items():
        count = notes.get(key, 0)
        if count:
            lines.append((one if count == 1 else more.format(n=f"{count:,}")) + ".")
    lines.extend(f"{n:,} {key}." for key, n in notes.items() if key not in NOTES)
    return lines


def update_conversions(
    connection: sa.Connection,
    target: Target,
    rows: list[Again],
    counter: Counter,
    source: str,
    errors: list[RowError],
    pinned: Mapping[int, ConversionStatus] | None = None,
) -> None:
    """The one place a re-imported order changes the stored one. Only what a platform changes
    later is taken from the file, and only from the columns the row has (`Again.given`): the
    status, the refund, and a platform's commission; the rest of the stored order stays.
    `pinned`: the status review keeps an order in (guard.review_pins), whatever the file
    says. A refund over the stored amount is an error (in `errors`, nothing written); each
    changed order is counted (with its changes) in `counter`, an unchanged one too; the
    changed ones are written with one executemany for each set of changed columns."""
    formats = _formats(target.currency)
    pinned = pinned or {}
    changed: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row, data, stored, given in rows:
        refund = given.get("refund_minor")
        if refund is not None and refund > stored.amount_minor:
            errors.append(RowError(source, row.number, "refund", "larger than the amount"))
            continue
        changes = dict(given)
        keep = pinned.get(stored.id)
        said = changes.get("status")
        if keep is ConversionStatus.HELD and said is ConversionStatus.REVERSED:
            # the platform took the order back: it earns nothing whatever review decides, so
            # it leaves review's holds (review.reapply_program_holds releases it)
            counter.note("released")
        elif keep is not None:
            if said is not None and said != keep:
                counter.note("kept_held" if keep is ConversionStatus.HELD else "kept_reversed")
            if said is not None or keep != stored.status:
                changes["status"] = keep
        if counter.changed(row, data["order_id"], stored, changes, _NAMES, formats):
            values = {k: v for k, v in changes.items() if getattr(stored, k) != v}
            key = tuple(sorted(values))
            changed.setdefault(key, []).append(
                {"_id": stored.id, "_now": target.now, **{f"_{k}": values[k] for k in key}}
            )
    if errors or not changed:
        return
    c = Conversion.__table__.c
    for names, params in changed.items():
        statement = (
            sa.update(Conversion.__table__)
            .where(c.id == sa.bindparam("_id"))
            .values(
                {name: sa.bindparam(f"_{name}") for name in names}
                | {"updated_at": sa.bindparam("_now")}
            )
        )
        connection.execute(statement, params)


def spec_for(
    program: Program,
    parse: Callable[[Mapping[str, Any]], dict[str, Any]] | None = None,
    columns: tuple[str, ...] = COLUMNS,
    required: tuple[str, ...] = REQUIRED,
    skips: Skips | None = None,
    given: Mapping[str, str] = GIVEN,
) -> KindSpec:
    """The conversions kind for `program`; `parse` may return {"skip": status} for a row
    that is counted in `skips` and not stored. `given` names the column `parse` reads each
    field a re-import may change from (GIVEN's fields, and a platform's commission)."""
    assert program.id is not None
    program_id, currency = program.id, program.currency
    skipped = skips if skips is not None else Skips()
    known: list[Known] = []  # read by the first batch
    targets: list[Target] = []  # made by the first batch that writes
    span: list[datetime] = []  # when the file's orders occurred
    clicks: dict[str, datetime] = {}  # order id → its click's time, when the file gives it
    # SQLite: new orders go in through store.bulk.MovingInserts, made by the first batch that
    # inserts. A batch's move runs while the next batch is read and parsed; anything else
    # that uses the connection waits for it first (`settle`).
    moving: list[MovingInserts] = []

    def settle() -> None:
        if moving:
            moving[0].wait()

    @contextmanager
    def reviewed(session: Session) -> Iterator[None]:
        """Once the whole file is written: the review rules (issue 16)."""
        try:
            yield
        except BaseException:
            if moving:
                with contextlib.suppress(Exception):  # the error on its way out comes first
                    moving.pop().close()
            raise
        if moving:
            moving.pop().close()
        guard.after_conversions(
            session,
            session.get(Program, program_id),
            today(),
            first=min(span) if span else None,
            last=max(span) if span else None,
            click_times=clicks,
        )

    def write(session: Session, rows: ParsedRows, source: str, errors: list[RowError]) -> Counter:
        # The last batch's move may still run: every use of the connection below waits for
        # it first (settle; the insert's own add waits too), and a batch of new orders uses
        # it only to insert, so resolving and preparing its rows overlap the move.
        counter = Counter()
        kept = [item for item in rows if "skip" not in item[1]]
        if len(kept) != len(rows) and not errors:
            for _, data in rows:
                if "skip" in data:
                    skipped.count += 1
                    status = data["skip"]
                    skipped.by_status[status] = skipped.by_status.get(status, 0) + 1
        if not known:
            settle()
            known.append(Known(session, program_id))
        program_known = known[0]
        resolved = program_known.resolve(kept, source, errors)
        if errors:
            return counter
        if not targets:
            settle()
            key, now = hash_key(session), utcnow()
            targets.append(Target(program_id, currency, key, now, parse is not None))
        target = targets[0]
        if program_known.had_conversions:  # stored() reads the program's orders
            settle()
        stored = program_known.stored(session, resolved)
        new: ParsedRows = resolved
        again: list[Again] = []
        if stored:
            new = []
            for item in resolved:
                found = stored.get(item[1]["order_id"])
                if found is None:
                    new.append(item)
                else:
                    row, data = item
                    again.append(Again(row, data, found, given_fields(row, data, given)))
        pinned: dict[int, ConversionStatus] = {}
        if again:  # a locked or paid order is left as stored: a late change is an adjustment
            settle()  # (update_conversions below writes only when `again` has orders)
            seen = guard.reimports(
                session,
                session.get(Program, program_id),
                [
                    (
                        a.stored.id,
                        a.data["affiliate_id"],
                        a.given.get("status", a.stored.status),
                        a.given.get("refund_minor", a.stored.refund_minor),
                    )
                    for a in again
                    if a.given.get("refund_minor", 0) <= a.stored.amount_minor  # else refused
                ],
                today(),
            )
            counter.note("claimed", len(seen.claimed))
            counter.note("adjusted", len(seen.adjusted))
            counter.note("released", len(seen.released))
            counter.note("locked", len(seen.ignored - seen.adjusted))
            if seen.frozen:
                # A late change kept as an adjustment is said so, not counted as unchanged.
                counter.unchanged += len(seen.frozen - seen.adjusted - seen.released)
                again = [a for a in again if a.stored.id not in seen.frozen]
            pinned = guard.review_pins(session, [a.stored.id for a in again])
        if resolved:  # what the review rules look at once the file is written
            moments = [d["occurred_at"] for _, d in resolved]
            span.extend((min(moments), max(moments)))
            clicks.update(
                (d["order_id"], d["clicked_at"]) for _, d in resolved if d.get("clicked_at")
            )
        connection = session.connection()
        update_conversions(connection, target, again, counter, source, errors, pinned)
        if errors:
            return counter
        if new and not moving:
            made = MovingInserts.for_connection(
                connection, Conversion.__table__.name, inserted_columns(target)
            )
            moving.extend([made] if made is not None else [])
        insert_conversions(connection, target, new, moving[0] if moving else None)
        counter.new += len(new)
        return counter

    return KindSpec(
        columns=columns,
        required=required,
        parse=parse or standard_parser(program),
        write=write,
        bulk=reviewed,
        settle=settle,
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
