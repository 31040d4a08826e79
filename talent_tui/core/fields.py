"""Field rules: how one typed or imported value becomes a stored value, and its bounds.

Shared by the importers, the forms and the command line, so a value is accepted or refused
the same way wherever it is entered. Every parser raises `FieldError` naming the field.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Callable, Mapping
from datetime import date, datetime
from enum import Enum
from typing import Any, TypeVar

from talent_tui.core import config, money
from talent_tui.core.dates import parse_iso_date
from talent_tui.core.errors import DomainError
from talent_tui.core.labels import label

E = TypeVar("E", bound=Enum)

# Bounds. SQLite stores integers as signed 64-bit (at most 9.2 * 10**18); every bound below
# keeps a stored value far inside that, so a typo such as 1 followed by 25 zeros is a field
# error here, never an OverflowError from the database or a silently absurd number.
MAX_COUNT = 10**12  # followers, views, likes, …: a million times the largest account today
MAX_MINOR = money.MAX_MINOR  # money, in minor units (10**15: ten trillion dollars in cents)
MAX_DIGITS = 30  # longer digit strings are refused before they are converted at all
MAX_ID = 2**63 - 1  # row ids and limits: what a 64-bit integer column holds

# Text limits, in characters: the one set the forms, the command line, the importers and the
# models (`store.models`, Field(max_length=…)) share, so whatever one of them accepts the
# others accept too, and whatever is exported imports again.
MAX_NAME = 200  # a creator's, brand's, contact's or campaign's name
MAX_ACTOR = config.MAX_ACTOR  # who made a change, as written in the history (100)
MAX_NOTES = 10_000  # notes over several lines (creators, brands, campaigns)
MAX_HANDLE = 100  # the stored handle columns; each platform's own rule is far shorter
MAX_EXTERNAL_ID = 100  # a brand's reference for a campaign
MAX_NICHE = 60
MAX_CATEGORY = 60  # a brand's category; a deal's exclusivity category ("beauty", "fintech")
MAX_TAGS = 500  # all of a creator's tags, as stored ("a;b;c")
MAX_EMAIL = 200
MAX_PHONE = 60
MAX_WEBSITE = 300
MAX_URL = 500  # a posted deliverable's link
MAX_LINE = 500  # one line of typed text: a log summary, a reason, a note on a step
MAX_DELIVERABLES = 500  # what a deal's terms say is delivered
MAX_KIND = 40  # a rate card's deliverable type, a deal deliverable's kind
MAX_BUCKET = 40  # an audience bucket ("18-24", "female", "US")
MAX_INVOICE_NUMBER = 60
MAX_FEEDBACK = 2_000  # a brand's feedback on a deliverable
MAX_AUTHOR = 100  # who gave the feedback
MULTILINE_CONTROLS = frozenset("\n\t")


def _check_plain(name: str, text: str, *, multiline: bool = False) -> str:
    """Refuse control characters (an escape sequence such as ESC[31m would repaint the
    terminal; a NUL or a bell is never meant). Notes may hold newlines and tabs."""
    if text.isprintable():  # no character of category C* or Z* but the space: no control
        return text
    for ch in text:
        if unicodedata.category(ch) == "Cc" and not (multiline and ch in MULTILINE_CONTROLS):
            raise FieldError(name, f"contains a control character ({ch!r}); remove it")
    return text


class FieldErrors(DomainError):
    """Several fields of one row are wrong."""

    def __init__(self, errors: list[FieldError]):
        self.errors = errors
        super().__init__("; ".join(str(e) for e in errors))


class FieldError(DomainError):
    def __init__(self, field_name: str, message: str):
        super().__init__(message)
        self.field = field_name
        self.message = message


def text_of(values: Mapping[str, Any], name: str) -> str:
    """A cell as text. A JSON list, object or true/false is not a cell's value: refused (a
    number is its text)."""
    raw = values.get(name)
    if raw is None:
        return ""
    if isinstance(raw, bool):
        raise FieldError(name, f"expected a value, not {str(raw).lower()}")
    if isinstance(raw, (list, dict, tuple)):
        raise FieldError(name, "expected a single value, not a list or an object")
    return str(raw).strip()


def req_text(values: Mapping[str, Any], name: str, max_len: int = MAX_NAME) -> str:
    text = text_of(values, name)
    if not text:
        raise FieldError(name, "required")
    if len(text) > max_len:
        raise FieldError(name, f"longer than {max_len} characters")
    return _check_plain(name, text)


def opt_text(values: Mapping[str, Any], name: str, max_len: int = MAX_LINE) -> str | None:
    text = text_of(values, name)
    if len(text) > max_len:
        raise FieldError(name, f"longer than {max_len} characters")
    return _check_plain(name, text) or None


def notes(values: Mapping[str, Any], name: str = "notes") -> str:
    """Free text over several lines, bounded. Windows (CRLF) and old Mac (CR) line ends read
    as the newlines they are, so a file saved by another editor imports the same note."""
    text = text_of(values, name).replace("\r\n", "\n").replace("\r", "\n")
    if len(text) > MAX_NOTES:
        raise FieldError(name, f"longer than {MAX_NOTES:,} characters")
    return _check_plain(name, text, multiline=True)


# Handles, per platform: what each platform lets its users pick. Anything else (a space, a
# slash, an accent, a zero-width space that makes "@haeun\u200b.bakes" look like
# "@haeun.bakes") is refused, so one creator cannot be stored twice under look-alike handles.
PLATFORMS = {
    "tiktok_handle": "TikTok",
    "instagram_handle": "Instagram",
    "youtube_handle": "YouTube",
}
HANDLE_RULES = {
    "TikTok": "a TikTok handle has only letters, digits, _ and . (2 to 24 characters, "
    "not ending with .)",
    "Instagram": "an Instagram handle has only letters, digits, _ and . (at most 30, "
    "no . at the start or end, no ..)",
    "YouTube": "a YouTube handle has only letters, digits, _, - and . (3 to 30 characters)",
}
_WORD = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_.")


def _handle_fits(platform: str, body: str) -> bool:
    """`body` (lower case, without the @) follows the platform's rule."""
    if platform == "YouTube":
        return 3 <= len(body) <= 30 and all(ch in _WORD or ch == "-" for ch in body)
    if not body or not all(ch in _WORD for ch in body):
        return False
    if platform == "TikTok":
        return 2 <= len(body) <= 24 and not body.endswith(".")
    return (
        len(body) <= 30
        and not body.startswith(".")
        and not body.endswith(".")
        and (".." not in body)
    )


def visible(text: str) -> str:
    """`text` quoted, with every character one cannot see (zero-width, control, format,
    unusual spaces, combining marks) written as <U+200B>, so a message shows what is there."""
    shown = []
    for ch in text:
        category = unicodedata.category(ch)
        hidden = category in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp", "Mn", "Me") or (
            category == "Zs" and ch != " "
        )
        shown.append(f"<U+{ord(ch):04X}>" if hidden else ch)
    return "'" + "".join(shown) + "'"


def _odd_character(body: str, platform: str) -> str:
    """The first character the platform does not allow, named for the message."""
    allowed = _WORD | ({"-"} if platform == "YouTube" else set())
    for ch in body:
        if ch not in allowed:
            if ch.isprintable() and not ch.isspace():
                return f"; {ch!r} is not allowed"
            label = unicodedata.name(ch, "unnamed").lower()
            return f"; it holds an invisible character: U+{ord(ch):04X} ({label})"
    return ""


def loose_handle(text: str) -> str:
    """A handle as typed, normalised (lower case, one leading @) but not checked against a
    platform's rule: for finding a creator already stored, whatever its handle."""
    return "@" + text.strip().removeprefix("@").lower()


def handle(
    values: Mapping[str, Any], name: str, required: bool = True, platform: str | None = None
) -> str | None:
    """A handle for the platform the field names (`tiktok_handle` → TikTok), as "@name" in
    lower case; refused with the platform's rule otherwise."""
    text = text_of(values, name)
    if not text:
        if required:
            raise FieldError(name, "required")
        return None
    platform = platform or PLATFORMS.get(name, "TikTok")
    normalized = loose_handle(text)
    body = normalized[1:]
    if not _handle_fits(platform, body):
        raise FieldError(
            name, f"{HANDLE_RULES[platform]}: not {visible(text)}{_odd_character(body, platform)}"
        )
    return normalized


def creator_ref(values: Mapping[str, Any], name: str = "tiktok_handle") -> str:
    """The TikTok handle a row uses to name a creator already stored (rates, metrics,
    audiences, campaigns): normalised like a handle but not held to today's rule, so a creator
    stored before it stays reachable. A handle no creator has is reported as unknown."""
    text = text_of(values, name)
    if not text:
        raise FieldError(name, "required")
    normalized = loose_handle(text)
    body = normalized[1:]
    # isprintable() is False for every control, format and separator character but the
    # space: a printable body without spaces needs no look at each character.
    plain = body.isprintable() and " " not in body
    if (
        not body
        or len(normalized) > MAX_HANDLE
        or (
            not plain
            and any(ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf") for ch in body)
        )
    ):
        raise FieldError(name, f"{HANDLE_RULES['TikTok']}: not {visible(text)}")
    return normalized


def integer(values: Mapping[str, Any], name: str, required: bool = True) -> int | None:
    """A count: a whole number from 0 to MAX_COUNT ("12,300" and "12_300" are fine; any
    Unicode decimal digits, such as full-width ones, read as the digits they are)."""
    raw = values.get(name)
    if isinstance(raw, bool):
        raise FieldError(name, f"not a whole number: {raw!r}")
    if isinstance(raw, int):
        number = raw
    else:
        text = text_of(values, name)
        if not money.grouped_well(text.replace(" ", "")):
            raise FieldError(name, f"not a whole number: {raw!r} (group thousands as 12,300)")
        text = text.replace(",", "").replace("_", "").replace(" ", "")
        if not text:
            if required:
                raise FieldError(name, "required")
            return None
        if isinstance(raw, float) and raw.is_integer():
            text = str(int(raw))
        if len(text.lstrip("+-")) > MAX_DIGITS:
            raise FieldError(name, f"too large: at most {MAX_COUNT:,}")
        try:
            number = int(text)
        except ValueError:
            raise FieldError(name, f"not a whole number: {raw!r}") from None
    if number < 0:
        raise FieldError(name, f"must not be negative: {number}")
    if number > MAX_COUNT:
        raise FieldError(name, f"too large: at most {MAX_COUNT:,}")
    return number


def fraction(values: Mapping[str, Any], name: str, required: bool = False) -> float | None:
    """A rate as '4.5%' or as a fraction 0.045. A bare number above 1 is ambiguous: rejected."""
    raw = values.get(name)
    text = text_of(values, name).replace(" ", "")
    if not text:
        if required:
            raise FieldError(name, "required")
        return None
    if isinstance(raw, bool) or not money.written_plainly(text):
        raise FieldError(name, f"not a rate: {text!r} (write 4.5% or 0.045)")
    percent = text.endswith("%")
    try:
        number = float(text.rstrip("%")) if not isinstance(raw, (int, float)) else float(raw)
    except (ValueError, OverflowError):
        raise FieldError(name, f"not a rate: {raw!r} (write 4.5% or 0.045)") from None
    if not math.isfinite(number):
        raise FieldError(name, f"not a rate: {raw!r} (write 4.5% or 0.045)")
    if percent:
        number /= 100
    elif number > 1:
        raise FieldError(
            name, f"ambiguous rate {raw!r}: write {number}% or {number / 100:g} as a fraction"
        )
    if not 0 <= number <= 1:
        raise FieldError(name, f"rate out of range 0–100%: {raw!r}")
    return round(number, 6)


def percent_bp(values: Mapping[str, Any], name: str) -> int:
    """A percentage such as '15', '17.5' or '17.5%' as exact basis points (1750): at most two
    decimals (12.345 is refused, not cut), from 0 to 100."""
    from decimal import Decimal, InvalidOperation

    text = text_of(values, name).rstrip("%").strip()
    if not text:
        return 0
    if not money.written_plainly(text) or len(text) > MAX_DIGITS:
        raise FieldError(name, f"not a percentage: {values.get(name)!r} (write e.g. 15 or 17.5%)")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise FieldError(name, f"not a percentage: {values.get(name)!r}") from None
    if not number.is_finite() or not 0 <= number <= 100:
        raise FieldError(name, f"percentage out of range 0–100: {values.get(name)!r}")
    bp = number * 100
    if bp != bp.to_integral_value():
        raise FieldError(name, f"at most two decimals: {values.get(name)!r}")
    return int(bp)


# Audience shares (a creator's demographics, a brand's target): each dimension's shares must
# sum to 1, give or take rounding (six age buckets written to two decimals can miss by 0.02).
SHARE_TOLERANCE = 0.02


def user_assigned_country(code: str) -> bool:
    """ISO 3166-1 keeps AA, QM–QZ, XA–XZ and ZZ for private use: they name no country.
    XK is the exception talent accepts: it is the code in general use for Kosovo."""
    return (
        code in ("AA", "ZZ")
        or (code[0] == "Q" and "M" <= code[1] <= "Z")
        or (code[0] == "X" and code != "XK")
    )


def bucket(values: Mapping[str, Any], name: str, dimension: str) -> str:
    """An audience bucket: an ISO 3166 country code for "country" (upper case; the
    user-assigned codes such as ZZ refused), else a lower-case label such as "female" or
    "18-24"."""
    text = req_text(values, name, MAX_BUCKET)
    if dimension == "country":
        text = text.upper()
        if len(text) != 2 or not (text.isascii() and text.isalpha()):
            raise FieldError(name, f"not an ISO 3166 country code: {text!r}")
        if user_assigned_country(text):
            raise FieldError(
                name, f"{text} is a user-assigned code, not a country (use e.g. US, KR, GB)"
            )
        return text
    return _lower_within(name, text, MAX_BUCKET)


def _lower_within(name: str, text: str, limit: int) -> str:
    """Lower case, still within `limit` characters (a few letters grow: 'İ' becomes two)."""
    lowered = text.lower()
    if len(lowered) > limit:
        raise FieldError(name, f"longer than {limit} characters")
    return lowered


def shares_sum_to_one(total: float) -> bool:
    return abs(total - 1) <= SHARE_TOLERANCE


def day(values: Mapping[str, Any], name: str, required: bool = False) -> date | None:
    text = text_of(values, name)
    if not text:
        if required:
            raise FieldError(name, "required")
        return None
    try:
        return parse_iso_date(text)
    except ValueError as exc:
        raise FieldError(name, str(exc)) from None


# The kinds of deliverable, in the order a rate card lists them, each with how people write
# it (`labels.label`). A deal's deliverables are one of these (a rate card may also hold others
# it was given).
DELIVERABLE_KINDS: dict[str, str] = {
    kind: label(kind) for kind in ("video", "live", "story", "bundle", "ugc")
}


def deliverable_kind(text: str, name: str = "kind") -> str:
    """One of `DELIVERABLE_KINDS`, typed in any case ("UGC", "Video "); anything else is
    refused with the list."""
    typed = " ".join((text or "").split())
    kind = typed.lower()
    if kind in DELIVERABLE_KINDS:
        return kind
    allowed = ", ".join(DELIVERABLE_KINDS)
    if not kind:
        raise FieldError(name, f"a deliverable kind is required (one of: {allowed})")
    shown = typed if len(typed) <= MAX_KIND else typed[:MAX_KIND] + "…"
    raise FieldError(name, f"unknown deliverable kind {shown!r} (one of: {allowed})")


def deliverable_label(kind: str) -> str:
    """A deliverable kind as people write it: "Video", "UGC" (see `labels.label`)."""
    return label(kind)


def deliverable(values: Mapping[str, Any], name: str = "deliverable") -> str:
    """A rate card's deliverable type: "video", "live", "story"…, spaces collapsed, lower case."""
    text = " ".join(text_of(values, name).split()).lower()
    if not text:
        raise FieldError(name, "a deliverable type is required (e.g. video, live, story)")
    if len(text) > MAX_KIND:
        raise FieldError(name, f"deliverable type longer than {MAX_KIND} characters")
    return _check_plain(name, text)


def currency(values: Mapping[str, Any], name: str = "currency") -> str:
    try:
        return money.normalize_currency(text_of(values, name))
    except money.MoneyError as exc:
        raise FieldError(name, str(exc)) from None


def amount(values: Mapping[str, Any], name: str, code: str) -> int:
    raw = text_of(values, name)
    if not raw:
        raise FieldError(name, "required")
    try:
        minor = money.to_minor(raw, code)
    except money.MoneyError as exc:
        raise FieldError(name, str(exc)) from None
    if minor < 0:
        raise FieldError(name, f"must not be negative: {raw}")
    return minor


def amount_in_own_currency(
    values: Mapping[str, Any], name: str, currency_name: str = "currency"
) -> int:
    """An amount in the currency its row names. A bad currency is the currency column's
    error (reported there), so the amount is then not checked and reads as 0."""
    try:
        code = currency(values, currency_name)
    except FieldError:
        return 0
    return amount(values, name, code)


def enum_value(values: Mapping[str, Any], name: str, enum_cls: type[E]) -> E:
    text = text_of(values, name).lower().replace(" ", "_").replace("-", "_")
    try:
        return enum_cls(text)
    except ValueError:
        allowed = ", ".join(m.value for m in enum_cls)
        raise FieldError(name, f"unknown value {values.get(name)!r} (one of: {allowed})") from None


def tags(v: Mapping[str, Any]) -> str:
    parts = text_of(v, "tags").replace(",", ";").split(";")
    text = ";".join(t.strip().lower() for t in parts if t.strip())
    if len(text) > MAX_TAGS:
        raise FieldError("tags", f"longer than {MAX_TAGS} characters")
    return _check_plain("tags", text)


# One parser per creator field (keyed by the input column), so a form can report every field.
CREATOR_FIELD_PARSERS: dict[str, Callable[[Mapping[str, Any]], dict[str, Any]]] = {
    "name": lambda v: {"name": req_text(v, "name")},
    "tiktok_handle": lambda v: {"tiktok_handle": handle(v, "tiktok_handle")},
    "instagram_handle": lambda v: {
        "instagram_handle": handle(v, "instagram_handle", required=False)
    },
    "youtube_handle": lambda v: {"youtube_handle": handle(v, "youtube_handle", required=False)},
    "followers": lambda v: {"followers": integer(v, "followers", required=False)},
    "engagement_rate": lambda v: {"engagement_rate": fraction(v, "engagement_rate")},
    "niche": lambda v: {
        "niche": _lower_within("niche", opt_text(v, "niche", MAX_NICHE) or "", MAX_NICHE) or None
    },
    "tags": lambda v: {"tags": tags(v)},
    "email": lambda v: {"email": email(v)},
    "phone": lambda v: {"phone": opt_text(v, "phone", MAX_PHONE)},
    "commission_pct": lambda v: {"commission_bp": percent_bp(v, "commission_pct")},
    "notes": lambda v: {"notes": notes(v)},
}
# Import-only: the day a creator was archived (export writes it so a round trip keeps it).
ARCHIVED_ON = "archived_on"


def email(v: Mapping[str, Any]) -> str | None:
    text = opt_text(v, "email", MAX_EMAIL)
    if text is not None:
        local, at, domain = text.partition("@")
        if not at or not local or "." not in domain or any(ch.isspace() for ch in text):
            raise FieldError("email", f"not an email address: {text!r}")
    return text


def row_id(text: str) -> int | None:
    """`text` as a row id when it is one ("12"); None for anything else, including digits
    beyond what an id column can hold (so a lookup says "not found", not an overflow)."""
    text = text.strip()
    if not text.isascii() or not text.isdigit() or len(text) > 19:
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None


def actor_name(text: str) -> str:
    """Who made a change (`--as`, TALENT_AS): one line of at most MAX_ACTOR characters."""
    name = text.strip()
    if not name:
        raise FieldError("as", "a name is required")
    if len(name) > MAX_ACTOR:
        raise FieldError("as", f"longer than {MAX_ACTOR} characters")
    return _check_plain("as", name)


# ---- affiliate programs: the bounds of their fields (checked before the database) -------------
MAX_SLUG = 60  # a program's slug, the utm_campaign of its links
MAX_LINK_CODE = 40  # a tracking link's short code
MAX_PROMO_CODE = 40  # a promo code as customers type it
MAX_ORDER_ID = 100  # an order id as the tracking platform writes it
MAX_SOURCE = 100  # a traffic source as the platform reports it
MAX_CHECKLIST_ITEM = 120  # one onboarding checklist item
MAX_CHECKLIST_ITEMS = 50  # items in one program's checklist
MAX_FORBIDDEN = 1_000  # a program's forbidden traffic sources, as one "a; b" text
MAX_TERMS = 20_000  # a program's terms
MAX_SIZE = 40  # a banner's size ("300x250")
MAX_PROFILE_NAME = 60  # a saved import mapping's name
MAX_DAYS = 3_650  # cookie, lock and payout windows, in days


def percent_to_bp(name: str, text: str) -> int:
    """A percentage as people write it ("10%", "10", "12.75 %") as exact basis points (1275):
    at most two decimals, from 0 to 100. A commission or discount rate, never rounded."""
    from decimal import Decimal, InvalidOperation

    raw = text.strip().removesuffix("%").strip()
    if not raw:
        raise FieldError(name, "a percentage is required (e.g. 10%)")
    if len(raw) > MAX_DIGITS or not money.written_plainly(raw):
        raise FieldError(name, f"not a percentage: {text!r} (write e.g. 10% or 12.5%)")
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise FieldError(name, f"not a percentage: {text!r} (write e.g. 10% or 12.5%)") from None
    if not value.is_finite() or not 0 <= value <= 100:
        raise FieldError(name, f"percentage out of range 0–100%: {text!r}")
    if 0 < value < 1 and "%" not in text:
        # "0.1" is 0.1% here but 10% in a platform's export (a fraction): said with % only.
        fraction = format(value * 100, "f").rstrip("0").rstrip(".")
        raise FieldError(name, f"write it with %: {raw}% or {fraction}%?")
    scaled = value * 100
    if scaled != scaled.to_integral_value():
        raise FieldError(name, f"at most two decimals: {text!r}")
    return int(scaled)


def format_bp(bp: int) -> str:
    """Basis points as a percentage: 1000 → "10%", 1275 → "12.75%"."""
    whole, part = divmod(bp, 100)
    return f"{whole}%" if part == 0 else f"{whole}.{part:02d}".rstrip("0") + "%"


def timestamp(values: Mapping[str, Any], name: str, required: bool = True) -> datetime | None:
    """A moment as platforms export it, in UTC: "2026-10-03", "2026-10-03 14:05[:09]",
    "2026-10-03T14:05:09Z", "2026-10-03T23:05:09+09:00", "2026/10/03 14:05:09". A time
    without an offset is UTC; one with an offset is converted to UTC."""
    from datetime import UTC

    text = text_of(values, name)
    if not text:
        if required:
            raise FieldError(name, "required")
        return None
    candidate = text.replace("/", "-") if text[:4].isdigit() else text
    try:
        moment = datetime.fromisoformat(candidate)
    except ValueError:
        raise FieldError(
            name, f"not a date and time: {visible(text)} (write 2026-10-03 14:05:09, UTC)"
        ) from None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


# When an order or a click can have happened: from 2000 on (no affiliate platform exports
# earlier), and no later than the end of tomorrow, UTC (a platform's clock or time zone a
# few hours ahead is allowed; a year typed 2030 or a 1970 epoch-zero is not).
EARLIEST_EVENT = date(2000, 1, 1)


class EventWindow:
    """The moments an imported order or click may carry, as of `today` (see above)."""

    def __init__(self, today: date) -> None:
        from datetime import UTC, time, timedelta

        self.earliest = datetime.combine(EARLIEST_EVENT, time(), UTC)
        self.latest_day = today + timedelta(days=1)
        self.end = datetime.combine(today + timedelta(days=2), time(), UTC)

    def holds(self, moment: datetime) -> bool:
        return self.earliest <= moment < self.end

    def check_day(self, name: str, day: date | None) -> date | None:
        """`day` itself, or a FieldError naming `name` when it lies outside the window."""
        if day is None or EARLIEST_EVENT <= day <= self.latest_day:
            return day
        if day < EARLIEST_EVENT:
            raise FieldError(name, f"{day} is before {EARLIEST_EVENT} (a mistyped year?)")
        raise FieldError(name, f"{day} is in the future (after {self.latest_day}, UTC)")

    def check(self, name: str, moment: datetime | None) -> datetime | None:
        """`moment` itself, or a FieldError naming `name` when it lies outside the window."""
        if moment is None or self.holds(moment):
            return moment
        shown = f"{moment:%Y-%m-%d %H:%M:%S}"
        if moment < self.earliest:
            raise FieldError(name, f"{shown} is before {EARLIEST_EVENT} (a mistyped year?)")
        raise FieldError(
            name, f"{shown} UTC is in the future (after {self.latest_day}; a mistyped year?)"
        )
