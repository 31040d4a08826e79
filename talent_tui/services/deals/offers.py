"""Offers and negotiation: the terms on the table (`Terms`), every version of them, reading
terms from what people type (the one parser the forms and the command line share), a counter
from either side, accepting the newest terms, and a new campaign with its first offer."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field, fields
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlmodel import Session, col, select

from talent_tui.core import money
from talent_tui.core.dates import days_after, days_before, parse_iso_date
from talent_tui.core.fields import (
    MAX_CATEGORY,
    MAX_DELIVERABLES,
    MAX_EXTERNAL_ID,
    MAX_LINE,
    MAX_NAME,
)
from talent_tui.services import audit
from talent_tui.services.deals.states import (
    TRANSITIONS,
    DealError,
    IllegalTransition,
    S,
    get_campaign,
    id_of,
    snapshot,
    text,
    transition,
)
from talent_tui.store.models import Campaign, Offer, Party, utcnow

MAX_TERM_DAYS = 3650  # usage, exclusivity and payment windows: at most ten years


@dataclass(frozen=True)
class Terms:
    """What is on the table: the fee and the conditions around it."""

    fee_minor: int
    currency: str
    deliverables: str = ""
    usage_days: int | None = None
    exclusivity_days: int | None = None
    net_days: int | None = None
    upfront_bp: int | None = None
    respond_by: date | None = None
    # The windows the conflict check compares (dates, inclusive): what a new offer said, with
    # the dates its days imply (see `settle_windows`); kept as they are by later versions.
    exclusivity_category: str | None = None
    exclusive_from: date | None = None
    exclusive_until: date | None = None
    usage_until: date | None = None

    def describe(self) -> dict[str, str]:
        """Readable value per term, for side-by-side views."""
        return {
            "fee": money.format_money(self.fee_minor, self.currency),
            "deliverables": self.deliverables or "—",
            # An end date the usage's days imply is left out: the days say it.
            "usage rights": _window(
                None, self.usage_days, None, self.usage_until if self.usage_days is None else None
            ),
            "exclusivity": _window(
                self.exclusivity_category,
                self.exclusivity_days,
                self.exclusive_from,
                self.exclusive_until,
            ),
            "payment": _payment(self.net_days, self.upfront_bp),
            "respond by": self.respond_by.isoformat() if self.respond_by else "—",
        }


TERM_FIELDS = tuple(f.name for f in fields(Terms))


def _days(value: int | None) -> str:
    return "—" if value is None else f"{value} days"


def _window(category: str | None, days: int | None, start: date | None, end: date | None) -> str:
    """ "30 days", "beauty, 30 days, 2026-11-01 to 2026-11-30", "90 days, until 2027-01-29"."""
    parts = [category] if category else []
    if days is not None:
        parts.append(_days(days))
    if start is not None and end is not None:
        parts.append(f"{start.isoformat()} to {end.isoformat()}")
    elif end is not None:
        parts.append(f"until {end.isoformat()}")
    return ", ".join(parts) or "—"


def _payment(net_days: int | None, upfront_bp: int | None) -> str:
    parts = []
    if upfront_bp:
        parts.append(f"{upfront_bp / 100:g}% upfront")
    if net_days is not None:
        parts.append(f"net {net_days}")
    return ", ".join(parts) or "—"


# ---- reading typed terms -----------------------------------------------------------------


class TermsInvalid(DealError):
    """Typed terms that cannot be stored; `errors` maps each bad field to why."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{name.replace('_', ' ')}: {e}" for name, e in errors.items()))
        self.errors = errors


# The typed fields, by the name forms and options use.
TYPED_TERMS = (
    "fee",
    "deliverables",
    "usage_days",
    "exclusivity_days",
    "net_days",
    "upfront_pct",
    "respond_by",
)


def _whole_days(raw: str) -> int:
    if not money.grouped_well(raw.strip()):
        raise ValueError(f"not a whole number of days: {raw!r}")
    cleaned = raw.replace(",", "").replace("_", "")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(f"not a whole number of days: {raw!r}") from None
    if not value.is_finite() or value != value.to_integral_value():
        raise ValueError(f"not a whole number of days: {raw!r}")
    if value < 0 or value > MAX_TERM_DAYS:
        raise ValueError(f"between 0 and {MAX_TERM_DAYS} days")
    return int(value)


def _upfront_bp(raw: str) -> int:
    cleaned = raw.removesuffix("%").strip()
    if not money.written_plainly(cleaned):
        raise ValueError(f"not a percentage: {raw!r} (write e.g. 30%)")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(f"not a percentage: {raw!r}") from None
    if not value.is_finite() or not 0 <= value <= 100:
        raise ValueError("a percentage between 0 and 100")
    bp = value * 100
    if bp != bp.to_integral_value():
        raise ValueError("at most two decimals (e.g. 12.5)")
    return int(bp)


def _deliverables(raw: str) -> str:
    return text(raw, "deliverables", max_len=MAX_DELIVERABLES)


# Typed name → (term, reader, value when left empty) for every term but the fee.
_OPTIONAL_TERMS: dict[str, tuple[str, Callable[[str], Any], Any]] = {
    "deliverables": ("deliverables", _deliverables, ""),
    "usage_days": ("usage_days", _whole_days, None),
    "exclusivity_days": ("exclusivity_days", _whole_days, None),
    "net_days": ("net_days", _whole_days, None),
    "upfront_pct": ("upfront_bp", _upfront_bp, None),
    "respond_by": ("respond_by", parse_iso_date, None),
}


def parse_terms(
    typed: Mapping[str, str | None], deal_currency: str, fee_currency: str | None = None
) -> dict[str, Any]:
    """Typed terms → term changes for `propose` or `Terms(...)`; a field that is absent or
    None is not changed, an empty optional field clears the term. The fee is in the deal's
    currency (typed without a code, or with that code); a fee naming another currency is
    refused, so the terms, the accepted fee and the invoices stay in one currency
    (`fee_currency` is a code given apart from the fee, as `--currency`). Raises
    TermsInvalid naming every bad field, so nothing half-read is stored."""
    unknown = set(typed) - set(TYPED_TERMS)
    if unknown:
        raise DealError(f"unknown term(s): {', '.join(sorted(unknown))}")
    errors: dict[str, str] = {}
    changes: dict[str, Any] = {}
    given = {k: v.strip() for k, v in typed.items() if v is not None}
    if "fee" in given:
        try:
            price = money.parse_money(given["fee"], fee_currency, default=deal_currency)
            if price.currency != deal_currency:
                raise money.MoneyError(
                    f"the deal is in {deal_currency}; write the fee in {deal_currency}"
                )
            changes["fee_minor"], changes["currency"] = price.amount_minor, price.currency
        except money.MoneyError as exc:
            errors["fee"] = str(exc)
    for name, (term, read, empty) in _OPTIONAL_TERMS.items():
        if name in given:
            try:
                changes[term] = read(given[name]) if given[name] else empty
            except (ValueError, DealError) as exc:
                errors[name] = str(exc)
    if errors:
        raise TermsInvalid(errors)
    return changes


# Typed terms only a new offer takes (a counter keeps them as they were): the exclusivity's
# category and window and the day the usage rights end.
WINDOW_TERMS = ("exclusivity_category", "exclusive_from", "exclusive_until", "usage_until")


def _category(raw: str) -> str:
    """Compared with brands' categories (kept in lower case), so lower case too."""
    lowered = text(raw, "the exclusivity category", max_len=MAX_CATEGORY).lower()
    if len(lowered) > MAX_CATEGORY:  # a few letters grow in lower case ("İ")
        raise DealError(f"the exclusivity category is longer than {MAX_CATEGORY} characters")
    return lowered


_WINDOW_READERS: dict[str, Callable[[str], Any]] = {
    "exclusivity_category": _category,
    "exclusive_from": parse_iso_date,
    "exclusive_until": parse_iso_date,
    "usage_until": parse_iso_date,
}


def days_or_date(raw: str) -> tuple[str, str]:
    """One typed field that takes either: "90", "90 days" -> ("90", ""); "2027-01-31" ->
    ("", "2027-01-31"); "" -> ("", ""). Each part is then read by its own rule."""
    cleaned = raw.strip()
    if len(cleaned) >= 5 and cleaned[:4].isdigit() and cleaned[4] == "-":
        return "", cleaned
    for unit in ("days", "day", "d"):
        if cleaned.lower().endswith(unit) and cleaned[: -len(unit)].strip():
            return cleaned[: -len(unit)].strip(), ""
    return cleaned, ""


def new_terms(
    typed: Mapping[str, str | None],
    fee_currency: str | None = None,
    received_on: date | None = None,
) -> Terms:
    """The terms of a new offer from what was typed: the fee names its currency (a code or a
    symbol, or `fee_currency`), and that becomes the deal's currency. Besides TYPED_TERMS it
    takes WINDOW_TERMS. Raises TermsInvalid naming every bad field, a respond-by date before
    `received_on` among them (so a form shows it with the others, not after they are fixed)."""
    errors: dict[str, str] = {}
    changes: dict[str, Any] = {}
    try:
        price = money.parse_money(typed.get("fee") or "", fee_currency)
    except money.MoneyError as exc:
        errors["fee"] = str(exc)
        price = None
    rest = {k: v for k, v in typed.items() if k != "fee" and k not in WINDOW_TERMS}
    try:
        changes = parse_terms(rest, price.currency if price else "USD")
    except TermsInvalid as exc:
        errors.update(exc.errors)
    respond_by = (typed.get("respond_by") or "").strip()
    if respond_by and "respond_by" not in errors:
        try:  # parsed again: parse_terms names its errors but returns nothing when one fails
            check_respond_by(parse_iso_date(respond_by), received_on)
        except (ValueError, DealError) as exc:
            errors["respond_by"] = str(exc)
    for name, read in _WINDOW_READERS.items():
        raw = (typed.get(name) or "").strip()
        if raw:
            try:
                changes[name] = read(raw)
            except (ValueError, DealError) as exc:
                errors[name] = str(exc)
    if errors or price is None:
        raise TermsInvalid(errors)
    return Terms(fee_minor=price.amount_minor, currency=price.currency, **changes)


def settle_windows(terms: dict[str, Any], received_on: date) -> None:
    """The one rule for a new offer's usage-rights and exclusivity windows (dates inclusive),
    filled in `terms` (a dict of Terms fields):

    - Usage rights given in days only end on the last of those days counted from the day the
      offer was received (received_on + days - 1); an end date given is kept as written.
      It may not be before the offer was received.
    - An exclusivity window starts on `exclusive_from`, else on the day the offer was
      received (or, given as days and an end date, that many days before the end). Given in
      days it ends on the last of them; given by its end date its days are counted. Days and
      dates that disagree, an end before the start or before the offer was received, and a
      category with no window are refused. Zero days is no window.
    """
    usage_days, usage_until = terms.get("usage_days"), terms.get("usage_until")
    if usage_until is None and usage_days:
        terms["usage_until"] = days_after(received_on, usage_days - 1)
    elif usage_until is not None and usage_until < received_on:
        raise DealError(
            f"usage rights end on {usage_until}, before the offer was received ({received_on})",
            "usage_until",
        )
    category = terms.get("exclusivity_category") or None
    start, end = terms.get("exclusive_from"), terms.get("exclusive_until")
    days = terms.get("exclusivity_days") or None
    if days is None and end is None:
        if category or start is not None:
            raise DealError(
                "give the exclusivity's length in days or its end date", "exclusivity_days"
            )
        return
    if start is None:
        start = days_before(end, days - 1) if end is not None and days else received_on
    if end is None:
        assert days is not None
        end = days_after(start, days - 1)
    if end < start:
        raise DealError(
            f"the exclusivity ends on {end}, before it starts ({start})", "exclusive_until"
        )
    if end < received_on:
        raise DealError(
            f"the exclusivity ends on {end}, before the offer was received ({received_on})",
            "exclusive_until",
        )
    counted = (end - start).days + 1
    if days is not None and days != counted:
        raise DealError(
            f"{days} exclusivity days from {start} end on {days_after(start, days - 1)}, not {end}",
            "exclusive_until",
        )
    if counted > MAX_TERM_DAYS:
        raise DealError(
            f"the exclusivity runs {counted} days; at most {MAX_TERM_DAYS}", "exclusive_until"
        )
    terms.update(exclusive_from=start, exclusive_until=end, exclusivity_days=counted)


def check_terms(terms: dict[str, Any]) -> None:
    """The bounds every stored version obeys, however it was entered (normalizes currency)."""
    fee = terms["fee_minor"]
    if fee is None or fee < 0:
        raise DealError("fee must be zero or more", "fee")
    terms["currency"] = money.normalize_currency(terms["currency"])
    if fee > money.MAX_MINOR:
        largest = money.format_money(money.MAX_MINOR, terms["currency"])
        raise DealError(f"fee is too large (at most {largest})", "fee")
    for name in ("usage_days", "exclusivity_days", "net_days"):
        value = terms.get(name)
        if value is not None and (value < 0 or value > MAX_TERM_DAYS):
            raise DealError(f"{name.replace('_', ' ')} must be between 0 and {MAX_TERM_DAYS}", name)
    upfront = terms.get("upfront_bp")
    if upfront is not None and not (isinstance(upfront, int) and 0 <= upfront <= 10_000):
        raise DealError("upfront share must be between 0% and 100%", "upfront_pct")
    terms["deliverables"] = text(
        terms.get("deliverables") or "",
        "deliverables",
        max_len=MAX_DELIVERABLES,
        field="deliverables",
    )


def check_respond_by(respond_by: date | None, today: date | None) -> None:
    """A reply date already past would expire the offer the next time talent opens."""
    if respond_by is not None and today is not None and respond_by < today:
        raise DealError(
            f"respond-by date {respond_by} is in the past (today is {today})", "respond_by"
        )


def follow_windows(
    before: Terms, terms: dict[str, Any], changes: Mapping[str, Any], start: date | None
) -> None:
    """A counter that changes a window's days moves its end date with them (the window keeps
    its start; a window that had none starts on `start`, the day the offer was received), so
    the dates the conflict check reads never contradict the days on the table. Zero days
    clears the window's dates."""
    if "usage_days" in changes and "usage_until" not in changes:
        days = terms.get("usage_days")
        if not days:
            terms["usage_until"] = None
        elif before.usage_days and before.usage_until is not None:
            first = days_before(before.usage_until, before.usage_days - 1)
            terms["usage_until"] = days_after(first, days - 1)
        elif before.usage_until is None and start is not None:
            terms["usage_until"] = days_after(start, days - 1)
    if "exclusivity_days" in changes and "exclusive_until" not in changes:
        days = terms.get("exclusivity_days")
        if not days:
            terms["exclusive_from"] = terms["exclusive_until"] = None
        else:
            opens = before.exclusive_from or start
            if opens is not None:
                terms["exclusive_from"] = opens
                terms["exclusive_until"] = days_after(opens, days - 1)


# ---- versions ------------------------------------------------------------------------------


def terms_of(offer: Offer) -> Terms:
    return Terms(**{name: getattr(offer, name) for name in TERM_FIELDS})


def offers(session: Session, campaign_id: int) -> list[Offer]:
    statement = select(Offer).where(Offer.campaign_id == campaign_id).order_by(col(Offer.version))
    return list(session.exec(statement))


def current_offer(session: Session, campaign: Campaign) -> Offer:
    """The newest version of the terms (created from the campaign if it has none yet)."""
    versions = offers(session, id_of(campaign))
    if versions:
        return versions[-1]
    offer = Offer(
        campaign_id=id_of(campaign),
        version=1,
        proposed_by=Party.BRAND,
        fee_minor=campaign.fee_minor,
        currency=campaign.currency,
        respond_by=campaign.respond_by,
        created_by="talent",
    )
    session.add(offer)
    session.flush()
    return offer


@dataclass(frozen=True)
class Version:
    """One offer version with the terms that changed since the one before it."""

    version: int
    proposed_by: Party
    created_by: str
    created_at: datetime
    note: str
    terms: Terms
    changed: frozenset[str] = field(default_factory=frozenset)


def versions(session: Session, campaign_id: int) -> list[Version]:
    result: list[Version] = []
    previous: Terms | None = None
    for offer in offers(session, campaign_id):
        terms = terms_of(offer)
        changed: frozenset[str] = frozenset()
        if previous is not None:
            before, after = previous.describe(), terms.describe()
            changed = frozenset(k for k in after if after[k] != before[k])
        result.append(
            Version(
                offer.version,
                offer.proposed_by,
                offer.created_by,
                offer.created_at,
                offer.note,
                terms,
                changed,
            )
        )
        previous = terms
    return result


# ---- changes -------------------------------------------------------------------------------


def propose(
    session: Session,
    campaign_id: int,
    changes: dict[str, Any],
    actor: str,
    side: Party = Party.MANAGER,
    note: str = "",
    today: date | None = None,
) -> Offer:
    """Record a new version of the terms: ours (a counter-offer) or the brand's counter.
    Fields not in `changes` carry over from the current version."""
    campaign = get_campaign(session, campaign_id)
    if S.NEGOTIATING not in TRANSITIONS[campaign.status]:
        raise IllegalTransition(campaign, S.NEGOTIATING)
    unknown = set(changes) - set(TERM_FIELDS)
    if unknown:
        raise DealError(f"unknown term(s): {', '.join(sorted(unknown))}")
    note = text(note, "the note", max_len=MAX_LINE, field="note")
    current = current_offer(session, campaign)
    was = terms_of(current).describe()
    terms = asdict(terms_of(current)) | dict(changes)
    follow_windows(terms_of(current), terms, changes, campaign.offer_received_on or today)
    check_terms(terms)
    if "respond_by" in changes:
        check_respond_by(changes["respond_by"], today)
    now = Terms(**terms).describe()
    if now == was:
        raise DealError("nothing changed: give at least one new term")
    offer = Offer(
        campaign_id=campaign_id,
        version=current.version + 1,
        proposed_by=side,
        note=note,
        created_by=actor,
        **terms,
    )
    session.add(offer)
    before = snapshot(campaign)
    campaign.fee_minor, campaign.currency = offer.fee_minor, offer.currency
    if offer.respond_by is not None:
        campaign.respond_by = offer.respond_by
    who = "our counter-offer" if side is Party.MANAGER else "brand's counter"
    if campaign.status is not S.NEGOTIATING:
        campaign.status = S.NEGOTIATING
    campaign.updated_at = utcnow()
    changed = {k: v for k, v in now.items() if was[k] != v}
    summary = ", ".join(f"{k} {was[k]} → {v}" for k, v in changed.items())
    audit.record(
        session,
        actor,
        "campaign",
        campaign_id,
        f"version {offer.version}: {who} ({summary})",
        before | {"terms": was},
        snapshot(campaign) | {"changed": changed},
    )
    session.flush()
    return offer


def accept(session: Session, campaign_id: int, actor: str) -> Campaign:
    """Accept the newest terms: they become the campaign's fee."""
    campaign = get_campaign(session, campaign_id)
    if S.ACCEPTED not in TRANSITIONS[campaign.status]:
        raise IllegalTransition(campaign, S.ACCEPTED)
    offer = current_offer(session, campaign)
    campaign.fee_minor, campaign.currency = offer.fee_minor, offer.currency
    return transition(session, campaign_id, S.ACCEPTED, actor, f"terms of version {offer.version}")


OWN_ID_PREFIX = "talent-"


def own_external_id(session: Session, campaign_id: int, taken: set[str] | None = None) -> str:
    """The external id talent gives a campaign made in the app or with `campaigns add`:
    `talent-<id>`, or `talent-<id>-2`, … when an imported campaign already holds that one. It
    is what an export writes, so importing the export matches the campaign instead of copying
    it. `taken` is a set of ids known to be in use (else the database is asked)."""
    candidate, suffix = f"{OWN_ID_PREFIX}{campaign_id}", 1
    while (
        candidate in taken
        if taken is not None
        else session.exec(select(Campaign.id).where(Campaign.external_id == candidate)).first()
        is not None
    ):
        suffix += 1
        candidate = f"{OWN_ID_PREFIX}{campaign_id}-{suffix}"
    return candidate


def add_campaign(
    session: Session,
    creator_id: int,
    brand_id: int,
    name: str,
    terms: Terms,
    actor: str,
    received_on: date,
    external_id: str | None = None,
) -> Campaign:
    name = text(name, "the campaign name", max_len=MAX_NAME, field="name")
    if not name:
        raise DealError("a campaign name is required", "name")
    data = asdict(terms)
    check_terms(data)
    check_respond_by(data["respond_by"], received_on)
    settle_windows(data, received_on)
    if external_id is not None:
        external_id = text(
            external_id, "the external id", max_len=MAX_EXTERNAL_ID, field="external_id"
        )
        if not external_id:
            raise DealError("the external id is empty (leave it out instead)", "external_id")
        taken = session.exec(select(Campaign.id).where(Campaign.external_id == external_id)).first()
        if taken is not None:
            raise DealError(
                f"campaign #{taken} already has the external id {external_id!r}", "external_id"
            )
    campaign = Campaign(
        external_id=external_id,
        creator_id=creator_id,
        brand_id=brand_id,
        name=name,
        fee_minor=data["fee_minor"],
        currency=data["currency"],
        status=S.OFFER_RECEIVED,
        offer_received_on=received_on,
        respond_by=data["respond_by"],
    )
    session.add(campaign)
    session.flush()
    if campaign.external_id is None:
        campaign.external_id = own_external_id(session, id_of(campaign))
    campaign_id = id_of(campaign)
    session.add(
        Offer(campaign_id=campaign_id, version=1, proposed_by=Party.BRAND, created_by=actor, **data)
    )
    audit.record(
        session, actor, "campaign", campaign_id, "offer received", None, snapshot(campaign)
    )
    session.flush()
    return campaign
