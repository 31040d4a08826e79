"""What an affiliate is given: tracking links, promo codes and creatives (banners, text links).

The UTM rule (one place): a link's URL is its destination with `utm_source=<affiliate code>`
(the handle without its @), `utm_medium=affiliate` and `utm_campaign=<program slug>`; other
query parameters of the destination are kept, any utm_source/medium/campaign it had is
replaced. A link's short code is unique in its program (the affiliate's code and a number
when none is given); a promo code is unique in its program whatever its case.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import sqlalchemy as sa
from sqlmodel import Session, col, select

from talent_tui.core import fields
from talent_tui.services import audit
from talent_tui.services.affiliates.errors import AffiliateError
from talent_tui.store.models import (
    Affiliate,
    Creative,
    CreativeKind,
    Program,
    PromoCode,
    TrackingLink,
)

UTM_MEDIUM = "affiliate"
_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")


def check_url(text: str, name: str = "url") -> str:
    """An http(s) address with a host, on one line, within MAX_URL."""
    url = text.strip()
    if not url:
        raise AffiliateError(f"{name}: required", name)
    if len(url) > fields.MAX_URL:
        raise AffiliateError(f"{name}: longer than {fields.MAX_URL} characters", name)
    if any(ch.isspace() or not ch.isprintable() for ch in url):
        raise AffiliateError(f"{name}: no spaces or control characters in a URL", name)
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise AffiliateError(f"{name}: not an http(s) address: {url!r}", name)
    return url


def tracking_url(destination: str, affiliate_code: str, program_slug: str) -> str:
    """The destination with the program's UTM parameters (the rule in the module docstring)."""
    parts = urlsplit(destination)
    utm = {"utm_source": affiliate_code, "utm_medium": UTM_MEDIUM, "utm_campaign": program_slug}
    kept = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in utm]
    query = urlencode([*kept, *utm.items()])
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", query, parts.fragment))


def check_code(text: str, name: str, limit: int) -> str:
    code = text.strip()
    if not code:
        raise AffiliateError(f"{name}: required", name)
    if len(code) > limit:
        raise AffiliateError(f"{name}: longer than {limit} characters", name)
    if not _CODE.fullmatch(code):
        raise AffiliateError(
            f"{name}: letters, digits, '-' and '_' only, starting with a letter or digit: "
            f"{fields.visible(code)}",
            name,
        )
    return code


def add_link(
    session: Session,
    program: Program,
    affiliate: Affiliate,
    destination: str,
    actor: str,
    *,
    name: str | None = None,
    code: str | None = None,
) -> TrackingLink:
    url = check_url(destination, "url")
    if code is None:
        taken = set(
            session.exec(select(TrackingLink.code).where(TrackingLink.program_id == program.id))
        )
        number = 1
        base = affiliate.code[: fields.MAX_LINK_CODE - 4].replace(".", "-").strip("-_") or "link"
        while f"{base}-{number}" in taken:
            number += 1
        code = f"{base}-{number}"
    code = check_code(code, "code", fields.MAX_LINK_CODE)
    if session.exec(
        select(TrackingLink.id).where(
            TrackingLink.program_id == program.id, TrackingLink.code == code
        )
    ).first():
        raise AffiliateError(f"link code {code!r} is taken in this program", "code")
    try:
        label = fields.opt_text({"name": name or ""}, "name", fields.MAX_NAME)
    except fields.FieldError as exc:
        raise AffiliateError(f"name: {exc.message}", "name") from None
    assert program.id is not None and affiliate.id is not None
    link = TrackingLink(
        program_id=program.id,
        affiliate_id=affiliate.id,
        code=code,
        name=label,
        destination=url,
        url=tracking_url(url, affiliate.code, program.slug),
    )
    session.add(link)
    session.flush()
    assert link.id is not None
    audit.record(
        session, actor, "affiliate", affiliate.id, "link added", after={"code": code, "url": url}
    )
    return link


def add_code(
    session: Session,
    program: Program,
    affiliate: Affiliate,
    code_text: str,
    actor: str,
    *,
    discount: str | None = None,
    valid_from: date | None = None,
    valid_to: date | None = None,
) -> PromoCode:
    code = check_code(code_text, "code", fields.MAX_PROMO_CODE)
    key = code.lower()
    if session.exec(
        select(PromoCode.id).where(PromoCode.program_id == program.id, PromoCode.code_key == key)
    ).first():
        raise AffiliateError(f"promo code {code!r} is taken in this program (any case)", "code")
    discount_bp = None
    if discount is not None and discount.strip():
        try:
            discount_bp = fields.percent_to_bp("discount", discount)
        except fields.FieldError as exc:
            raise AffiliateError(f"discount: {exc.message}", "discount") from None
    if valid_from is not None and valid_to is not None and valid_to < valid_from:
        raise AffiliateError(f"valid to {valid_to} is before valid from {valid_from}", "to")
    assert program.id is not None and affiliate.id is not None
    promo = PromoCode(
        program_id=program.id,
        affiliate_id=affiliate.id,
        code=code,
        code_key=key,
        discount_bp=discount_bp,
        valid_from=valid_from,
        valid_to=valid_to,
    )
    session.add(promo)
    session.flush()
    audit.record(
        session,
        actor,
        "affiliate",
        affiliate.id,
        "promo code added",
        after={"code": code, "discount_bp": discount_bp},
    )
    return promo


_SIZE = re.compile(r"([0-9]{1,5})\s*[x×X]\s*([0-9]{1,5})")
MAX_PIXELS = 20_000  # a banner side, in pixels


def check_size(text: str) -> str:
    """A banner's size as "WIDTHxHEIGHT" in pixels ("300x250", "300 × 250" → "300x250"), each
    side from 1 to MAX_PIXELS."""
    found = _SIZE.fullmatch(text.strip())
    if found is None:
        raise AffiliateError(f"size: width x height in pixels, e.g. 300x250: not {text!r}", "size")
    width, height = int(found.group(1)), int(found.group(2))
    if not (0 < width <= MAX_PIXELS and 0 < height <= MAX_PIXELS):
        raise AffiliateError(
            f"size: each side from 1 to {MAX_PIXELS:,} pixels: not {text!r}", "size"
        )
    return f"{width}x{height}"


def add_creative(
    session: Session,
    program: Program,
    kind: str,
    name: str,
    actor: str,
    *,
    affiliate: Affiliate | None = None,
    size: str | None = None,
    text: str | None = None,
    path: str | None = None,
) -> Creative:
    """A banner needs a file path (and usually a size such as 300x250); a text link its text."""
    try:
        chosen = CreativeKind(kind.strip().lower())
    except ValueError:
        raise AffiliateError(f"unknown kind {kind!r} (banner or text)", "kind") from None
    try:
        label = fields.req_text({"name": name}, "name", fields.MAX_NAME)
        size_ = fields.opt_text({"size": size or ""}, "size", fields.MAX_SIZE)
        text_ = fields.opt_text({"text": text or ""}, "text", fields.MAX_LINE)
        path_ = fields.opt_text({"path": path or ""}, "path", fields.MAX_URL)
    except fields.FieldError as exc:
        raise AffiliateError(f"{exc.field}: {exc.message}", exc.field) from None
    if size_ is not None:
        size_ = check_size(size_)
    if chosen is CreativeKind.BANNER and path_ is None:
        raise AffiliateError("a banner needs a path (its file or URL)", "path")
    assert program.id is not None
    owner = (
        col(Creative.affiliate_id) == affiliate.id
        if affiliate is not None
        else col(Creative.affiliate_id).is_(None)
    )
    same = session.exec(
        select(Creative.id).where(
            Creative.program_id == program.id,
            sa.func.lower(Creative.name) == label.lower(),
            owner,
        )
    ).first()
    if same is not None:
        whose = f"{affiliate.handle}'s" if affiliate is not None else "the program's"
        raise AffiliateError(f"{whose} creatives have one named {label!r} already", "name")
    if chosen is CreativeKind.TEXT and text_ is None:
        raise AffiliateError("a text link needs its text", "text")
    creative = Creative(
        program_id=program.id,
        affiliate_id=affiliate.id if affiliate is not None else None,
        kind=chosen,
        name=label,
        size=size_,
        text=text_,
        path=path_,
    )
    session.add(creative)
    session.flush()
    assert creative.id is not None
    audit.record(
        session,
        actor,
        "program",
        program.id,
        "creative added",
        after={"kind": chosen.value, "name": label, "affiliate_id": creative.affiliate_id},
    )
    return creative


@dataclass(frozen=True)
class Given:
    """One resource given to an affiliate, as listings show it."""

    kind: str  # link | code | banner | text
    id: int
    affiliate: str | None  # handle; None for a program-wide creative
    code: str | None
    detail: str
    data: dict[str, object]

    def as_dict(self) -> dict[str, object]:
        return {"kind": self.kind, "id": self.id, "affiliate": self.affiliate, **self.data}


def _handles(session: Session, program_id: int) -> dict[int, str]:
    return {
        a_id: handle
        for a_id, handle in session.exec(
            select(Affiliate.id, Affiliate.handle).where(Affiliate.program_id == program_id)
        )
        if a_id is not None
    }


def links(session: Session, program_id: int, affiliate_id: int | None = None) -> list[Given]:
    handles = _handles(session, program_id)
    query = select(TrackingLink).where(TrackingLink.program_id == program_id)
    if affiliate_id is not None:
        query = query.where(TrackingLink.affiliate_id == affiliate_id)
    result = []
    for link in session.exec(query.order_by(col(TrackingLink.code))):
        assert link.id is not None
        data: dict[str, object] = {
            "code": link.code,
            "name": link.name,
            "destination": link.destination,
            "url": link.url,
        }
        result.append(
            Given("link", link.id, handles.get(link.affiliate_id), link.code, link.url, data)
        )
    return result


def codes(session: Session, program_id: int, affiliate_id: int | None = None) -> list[Given]:
    handles = _handles(session, program_id)
    query = select(PromoCode).where(PromoCode.program_id == program_id)
    if affiliate_id is not None:
        query = query.where(PromoCode.affiliate_id == affiliate_id)
    result = []
    for promo in session.exec(query.order_by(col(PromoCode.code_key))):
        assert promo.id is not None
        discount = fields.format_bp(promo.discount_bp) if promo.discount_bp is not None else ""
        window = " – ".join(d.isoformat() if d else "…" for d in (promo.valid_from, promo.valid_to))
        detail = " ".join(p for p in (discount, window if window != "… – …" else "") if p)
        data: dict[str, object] = {
            "code": promo.code,
            "discount_bp": promo.discount_bp,
            "valid_from": promo.valid_from.isoformat() if promo.valid_from else None,
            "valid_to": promo.valid_to.isoformat() if promo.valid_to else None,
        }
        result.append(
            Given("code", promo.id, handles.get(promo.affiliate_id), promo.code, detail, data)
        )
    return result


def creatives(session: Session, program_id: int, affiliate_id: int | None = None) -> list[Given]:
    """A program's creatives (with `affiliate_id`: the ones given to that affiliate and the
    program-wide ones)."""
    handles = _handles(session, program_id)
    query = select(Creative).where(Creative.program_id == program_id)
    if affiliate_id is not None:
        query = query.where(
            (col(Creative.affiliate_id) == affiliate_id) | col(Creative.affiliate_id).is_(None)
        )
    result = []
    for creative in session.exec(query.order_by(col(Creative.id))):
        assert creative.id is not None
        detail = creative.text or " ".join(p for p in (creative.size, creative.path) if p)
        data: dict[str, object] = {
            "name": creative.name,
            "size": creative.size,
            "text": creative.text,
            "path": creative.path,
        }
        handle = handles.get(creative.affiliate_id) if creative.affiliate_id else None
        result.append(Given(creative.kind.value, creative.id, handle, None, detail, data))
    return result


def given_to(session: Session, affiliate: Affiliate) -> list[Given]:
    """Everything an affiliate has been given: links, codes, then creatives."""
    assert affiliate.id is not None
    program_id = affiliate.program_id
    return [
        *links(session, program_id, affiliate.id),
        *codes(session, program_id, affiliate.id),
        *creatives(session, program_id, affiliate.id),
    ]
