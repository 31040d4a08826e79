"""Exact money: integer minor units with an ISO 4217 code. Never floats.

Babel supplies the ISO 4217 list and each currency's minor-unit exponent (KRW has none,
USD two, BHD three); everything else here is decimal arithmetic on strings.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache

from talent_tui.core.errors import DomainError


class MoneyError(DomainError):
    """A money amount or currency that cannot be stored exactly."""


# The largest amount stored, in minor units: 10**15 (ten trillion dollars in cents, a
# quadrillion won). Far inside SQLite's signed 64-bit integers, so sums of many fees still fit.
MAX_MINOR = 10**15


@cache
def _iso_currencies() -> frozenset[str]:
    from babel.numbers import list_currencies

    return frozenset(list_currencies())


# ISO 4217 codes that are not money a fee can be paid in: "no currency" and testing (XXX,
# XTS), precious metals (XAU gold, XAG silver, XPT platinum, XPD palladium), accounting and
# bond-market units (XBA–XBD, XDR, XSU, XUA, and the withdrawn XEU, XFO, XFU, XRE), and fund
# codes (BOV, CHE, CHW, CLF, COU, MXV, USN, USS, UYI, UYW).
NOT_MONEY = {
    "XXX": "means no currency",
    "XTS": "is reserved for testing",
    "XAU": "is gold",
    "XAG": "is silver",
    "XPT": "is platinum",
    "XPD": "is palladium",
    **dict.fromkeys(("XBA", "XBB", "XBC", "XBD"), "is a bond-market unit"),
    **dict.fromkeys(("XDR", "XSU", "XUA", "XEU", "XFO", "XFU", "XRE"), "is an accounting unit"),
    **dict.fromkeys(
        ("BOV", "CHE", "CHW", "CLF", "COU", "MXV", "USN", "USS", "UYI", "UYW"), "is a fund code"
    ),
}


def _known_code(code: str) -> str:
    """Upper-case and check a code is in ISO 4217 at all (for amounts already stored)."""
    cleaned = (code or "").strip().upper()
    if len(cleaned) != 3 or not cleaned.isalpha() or cleaned not in _iso_currencies():
        raise MoneyError(f"unknown currency {code!r} (expected an ISO 4217 code such as USD)")
    return cleaned


def normalize_currency(code: str) -> str:
    """Upper-case and check an ISO 4217 code a fee can be paid in; raise MoneyError for
    anything unknown and for the codes that are not money (`NOT_MONEY`)."""
    cleaned = _known_code(code)
    if cleaned in NOT_MONEY:
        raise MoneyError(
            f"{cleaned} {NOT_MONEY[cleaned]}, not a currency a fee can be paid in "
            "(use a currency such as USD)"
        )
    return cleaned


@cache
def exponent(currency: str) -> int:
    """Number of minor-unit digits of a currency: 2 for USD, 0 for KRW."""
    from babel.numbers import get_currency_precision

    return get_currency_precision(_known_code(currency))


def grouped_well(text: str) -> bool:
    """Commas, if any, separate thousands: "1,234,567.50" but not "1,2,3" or "12,34"
    (a typo, or a decimal comma, read as a number it is not)."""
    if "," not in text:
        return True
    whole, _, decimals = text.lstrip("+-").partition(".")
    first, *groups = whole.split(",")
    return (
        "," not in decimals
        and 1 <= len(first) <= 3
        and first.isdigit()
        and all(len(g) == 3 and g.isdigit() for g in groups)
    )


def written_plainly(text: str) -> bool:
    """Whether a number is written as people write amounts and rates: ASCII digits, no
    exponent ("1e3": a typo or a spreadsheet's notation) and no "_" (Python's grouping), so
    "١٠", "１０", "1e1%" and "1_000" are refused wherever money or a rate is typed."""
    return text.isascii() and "_" not in text and "e" not in text.lower()


def to_minor(amount: str | int | Decimal, currency: str) -> int:
    """Convert a major-unit amount ("1200.50", "1,200.50") to exact minor units.

    More decimals than the currency has is an error, not a rounding; so are digits other
    than 0-9 (full-width "１０") and exponents ("1e3": a typo or a spreadsheet's notation,
    never how an amount is written; one too large to store says so first).
    """
    digits = exponent(currency)
    text = str(amount).strip()
    if not text.isascii():
        raise MoneyError(f"not an amount: {amount!r} (digits 0-9 only)")
    if "_" in text:
        raise MoneyError(f"not an amount: {amount!r} (group thousands with commas: 1,000)")
    if not grouped_well(text):
        raise MoneyError(f"not an amount: {amount!r} (group thousands as 1,234,567)")
    text = text.replace(",", "").replace("_", "")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise MoneyError(f"not an amount: {amount!r}") from None
    if not value.is_finite():
        raise MoneyError(f"not an amount: {amount!r}")
    # adjusted() is the exponent of the leading digit: refuse before scaling, which would
    # overflow the decimal context for an exponent such as 1e999999999.
    scaled = value.scaleb(digits) if value.adjusted() < 30 else None
    if scaled is None or abs(scaled) > MAX_MINOR:
        largest = format_money(MAX_MINOR, normalize_currency(currency))
        raise MoneyError(f"too large: {amount!r} (at most {largest})")
    if "e" in text.lower():
        raise MoneyError(f"not an amount: {amount!r} (write it in full, e.g. 1000 for 1e3)")
    if scaled != scaled.to_integral_value():
        raise MoneyError(f"{amount!r} has more decimals than {currency.upper()} allows ({digits})")
    return int(scaled)


def to_major(amount_minor: int, currency: str) -> Decimal:
    return Decimal(amount_minor).scaleb(-exponent(currency))


@dataclass(frozen=True, slots=True)
class Money:
    amount_minor: int
    currency: str

    def __str__(self) -> str:
        return format_money(self.amount_minor, self.currency)


def format_money(amount_minor: int, currency: str, *, with_code: bool = True) -> str:
    """ "1,250.00 USD", "1,500,000 KRW": grouped, the currency's own decimals, code last."""
    digits = exponent(currency)
    major = to_major(amount_minor, currency)
    text = f"{major:,.{digits}f}"
    return f"{text} {currency}" if with_code else text


def format_compact(amount_minor: int, currency: str) -> str:
    """Short form for narrow columns: "1.2K USD", "15M KRW"."""
    major = to_major(amount_minor, currency)
    if abs(major) < 10_000:
        return format_money(amount_minor, currency)
    return f"{compact_number(int(major))} {currency}"


def compact_number(value: int) -> str:
    """1234 -> "1.2K", 1_250_000 -> "1.25M"; exact below ten thousand."""
    magnitude = abs(value)
    if magnitude < 10_000:
        return f"{value:,}"
    for limit, suffix in ((1_000_000_000, "B"), (1_000_000, "M"), (1_000, "K")):
        if magnitude >= limit:
            scaled = value / limit
            text = f"{scaled:.2f}" if abs(scaled) < 10 else f"{scaled:.1f}"
            return text.rstrip("0").rstrip(".") + suffix
    return f"{value:,}"


def format_whole(amount_minor: int, currency: str) -> str:
    """Exact, without a decimal tail when the amount is whole: "12,050 USD", "1,499.50 USD"."""
    major = to_major(amount_minor, currency)
    if major == major.to_integral_value():
        return f"{int(major):,} {currency}"
    return format_money(amount_minor, currency)


def format_short(amount_minor: int, currency: str) -> str:
    """For table columns: "1,500 USD" when whole, "1,499.50 USD" otherwise, "2.5M KRW" when large.

    Never rounds a value below 100,000 major units, so a fee never reads as a different fee.
    """
    major = to_major(amount_minor, currency)
    if abs(major) >= 100_000:
        return f"{compact_number(int(major))} {currency}"
    if major == major.to_integral_value():
        return f"{int(major):,} {currency}"
    return format_money(amount_minor, currency)


# Symbols people type in front of amounts. "$" means US dollars unless a prefix says otherwise;
# "¥" is read as yen. Anything less certain must be written as an ISO code.
SYMBOLS = {
    "US$": "USD",
    "A$": "AUD",
    "C$": "CAD",
    "NZ$": "NZD",
    "HK$": "HKD",
    "S$": "SGD",
    "R$": "BRL",
    "$": "USD",
    "€": "EUR",
    "£": "GBP",
    "₩": "KRW",
    "¥": "JPY",
    "₹": "INR",
    "₫": "VND",
    "฿": "THB",
    "₱": "PHP",
    "₺": "TRY",
}


def parse_money(text: str, currency: str | None = None, *, default: str | None = None) -> Money:
    """Read an amount the way people type it: "1,200.50 USD", "USD 1200.5", "₩1,500,000",
    "1200 eur", "$99". `currency` is required: a text naming another one is an error.
    `default` is only a fallback: the text's own currency wins (a deal in KRW, a fee typed as
    "100 USD"). Stored exactly or not at all."""
    raw = (text or "").strip()
    if not raw:
        raise MoneyError("an amount is required")
    found: str | None = None
    rest = raw
    for symbol in sorted(SYMBOLS, key=len, reverse=True):
        if rest.startswith(symbol) or rest.endswith(symbol):
            found = SYMBOLS[symbol]
            rest = rest.removeprefix(symbol).removesuffix(symbol).strip()
            break
    words = rest.replace("\u00a0", " ").split()
    codes = [w for w in words if w.isalpha()]
    numbers = [w for w in words if not w.isalpha()]
    if len(codes) > 1 or len(numbers) != 1:
        raise MoneyError(f"not an amount: {text!r} (write e.g. 1,200.50 USD)")
    if codes:
        code = normalize_currency(codes[0])
        if found is not None and found != code:
            raise MoneyError(f"{text!r} names two currencies")
        found = code
    if currency:
        wanted = normalize_currency(currency)
        if found is not None and found != wanted:
            raise MoneyError(f"{text!r} is in {found}, not {wanted}")
        found = wanted
    if found is None and default:
        found = normalize_currency(default)
    if found is None:
        raise MoneyError(f"no currency in {text!r} (add a code such as USD, or a symbol)")
    number = numbers[0]
    if number.startswith("-"):
        raise MoneyError(f"must not be negative: {text!r}")
    return Money(to_minor(number, found), found)
