"""Column mappings for other networks' exports: `--map "Their Column=our_column, …"`, and the
same mapping saved under a name (`talent import profiles save NAME --map …`) to reuse.

A mapping is {their column in lower case: our column}; their names are compared the way the
importer reads a header (trimmed, lower case)."""

from __future__ import annotations

import json
from collections.abc import Iterable

import sqlalchemy as sa
from sqlmodel import Session, col, select

from talent_tui.core import fields
from talent_tui.services import audit
from talent_tui.services.affiliates.errors import AffiliateError
from talent_tui.store.models import ImportProfile

BUILT_IN = ("tiktok-shop",)


def parse_map(text: str, ours: Iterable[str]) -> dict[str, str]:
    """ "Order Ref=order_id, Publisher=affiliate" → {"order ref": "order_id", …}; each of our
    columns at most once, each one a column we read."""
    allowed = tuple(ours)
    mapping: dict[str, str] = {}
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        theirs, eq, our = part.rpartition("=")
        theirs, our = theirs.strip().lower(), our.strip().lower()
        if not eq or not theirs or not our:
            raise AffiliateError(f"--map: expected Their Column=our_column, got {part!r}", "map")
        if our not in allowed:
            raise AffiliateError(
                f"--map: {our!r} is not a column we read (one of: {', '.join(allowed)})", "map"
            )
        if our in mapping.values():
            raise AffiliateError(f"--map: {our!r} is mapped twice", "map")
        if theirs in mapping:
            raise AffiliateError(f"--map: {theirs!r} is mapped twice", "map")
        mapping[theirs] = our
    if not mapping:
        raise AffiliateError("--map: no columns given", "map")
    return mapping


def save_profile(session: Session, name: str, mapping: dict[str, str], actor: str) -> ImportProfile:
    """Save (or replace) a named mapping."""
    try:
        key = fields.req_text({"name": name}, "name", fields.MAX_PROFILE_NAME).lower()
    except fields.FieldError as exc:
        raise AffiliateError(f"profile name: {exc.message}", "name") from None
    if key in BUILT_IN:
        raise AffiliateError(f"{key!r} is a built-in profile; choose another name", "name")
    profile = session.exec(select(ImportProfile).where(ImportProfile.name == key)).first()
    before = json.loads(profile.mapping) if profile is not None else None
    if profile is None:
        profile = ImportProfile(name=key, mapping="")
    profile.mapping = json.dumps(mapping, ensure_ascii=False, sort_keys=True)
    session.add(profile)
    session.flush()
    assert profile.id is not None
    audit.record(session, actor, "import_profile", profile.id, "profile saved", before, mapping)
    return profile


def load_profile(session: Session, name: str) -> dict[str, str]:
    profile = session.exec(
        select(ImportProfile).where(ImportProfile.name == name.strip().lower())
    ).first()
    if profile is None:
        saved = ", ".join(p.name for p in list_profiles(session)) or "none saved"
        raise AffiliateError(
            f"no import profile {name!r} (built in: {', '.join(BUILT_IN)}; saved: {saved})",
            "profile",
        )
    mapping: dict[str, str] = json.loads(profile.mapping)
    return mapping


def list_profiles(session: Session) -> list[ImportProfile]:
    return list(
        session.exec(select(ImportProfile).order_by(sa.func.lower(col(ImportProfile.name))))
    )
