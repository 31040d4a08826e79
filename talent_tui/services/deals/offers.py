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
from talent_tui.core.dates import parse_iso_date
from talent_tui.core.fields import (
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

    def describe(self) -> dict[str, str]:
        """Readable value per term, for side-by-side views."""
        return {
            "fee": money.format_money(self.fee_minor, self.currency),
            "deliverables": self.deliverables or "—",
            "usage rights": _days(self.usage_days),
            "exclusivity": _days(self.exclusivity_days),
            "payment": _payment(self.net_days, self.upfront_bp),
            "respond by": self.respond_by.isoformat() if self.respond_by else "—",
        }


TERM_FIELDS = tuple(f.name for f in fields(Terms))


def _days(value: int | None) -> str:
    return "—" if value is None else f"{value} days"


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


def new_terms(typed: Mapping[str, str | None], fee_currency: str | None = None) -> Terms:
    """The terms of a new offer from what was typed: the fee names its currency (a code or a
    symbol, or `fee_currency`), and that becomes the deal's currency."""
    try:
        price = money.parse_money(typed.get("fee") or "", fee_currency)
    except money.MoneyError as exc:
        raise TermsInvalid({"fee": str(exc)}) from None
    rest = {k: v for k, v in typed.items() if k != "fee"}
    changes = parse_terms(rest, price.currency)
    return Terms(fee_minor=price.amount_minor, currency=price.currency, **changes)


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
