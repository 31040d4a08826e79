"""Finding a program (by id, name or slug) and an affiliate in it (by handle or id)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session, col, select

from talent_tui.core import fields
from talent_tui.services.affiliates.errors import (
    AffiliateError,
    AffiliateNotFound,
    ProgramNotFound,
)
from talent_tui.store.models import Affiliate, Program


def find_program(session: Session, ref: str | None) -> Program:
    """A program by id ("3"), name (any case) or slug; with no reference (None or blank), the
    database's only program, or an error naming them when there are several."""
    text = (ref or "").strip()
    if not text:
        return _only_program(session)
    number = fields.row_id(text)
    program = session.get(Program, number) if number is not None else None
    if program is None and text:
        program = session.exec(
            select(Program).where(
                sa.or_(
                    sa.func.lower(Program.name) == text.lower(), col(Program.slug) == text.lower()
                )
            )
        ).first()
    if program is None:
        raise ProgramNotFound(f"no program with id, name or slug {ref!r}", "program")
    return program


def _only_program(session: Session) -> Program:
    found = list(session.exec(select(Program).order_by(col(Program.name)).limit(6)))
    if len(found) == 1:
        return found[0]
    if not found:
        raise ProgramNotFound("no programs yet: add one with `talent programs add`", "program")
    names = ", ".join(p.name for p in found[:5]) + (", …" if len(found) > 5 else "")
    raise ProgramNotFound(f"there are several programs: give --program (one of {names})", "program")


def handle_of(text: str, name: str = "handle") -> str:
    """An affiliate's handle as stored: "@name" in lower case, one token, within the bound.
    Outside publishers are not held to TikTok's rule; a roster creator matches by equality."""
    try:
        return fields.creator_ref({name: text}, name)
    except fields.FieldError as exc:
        raise AffiliateError(f"{name}: {exc.message}", name) from None


_HANDLE_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_.-")
NEW_HANDLE_RULE = (
    "an affiliate's handle has only letters, digits, _, . and - (not starting or ending"
    " with . or -)"
)


def new_handle(text: str, name: str = "handle") -> str:
    """The handle of an affiliate being added: `handle_of`, and held to what a TikTok handle
    or a publisher's name can be (its link codes are made from it); an affiliate stored
    before is still found by `handle_of` whatever its handle."""
    handle = handle_of(text, name)
    body = handle[1:]
    if not set(body) <= _HANDLE_CHARS or body[0] in ".-" or body[-1] in ".-":
        odd = next((ch for ch in body if ch not in _HANDLE_CHARS), None)
        why = "" if odd is None else f" ({fields.visible(odd)} is not allowed)"
        raise AffiliateError(f"{name}: {NEW_HANDLE_RULE}: not {fields.visible(text)}{why}", name)
    return handle


def find_affiliate(session: Session, program_id: int, ref: str) -> Affiliate:
    """An affiliate of the program by handle ("@name" or "name") or id."""
    text = ref.strip()
    number = fields.row_id(text)
    if number is not None:
        found = session.get(Affiliate, number)
        if found is not None and found.program_id == program_id:
            return found
    key = handle_of(text) if text else ""
    affiliate = session.exec(
        select(Affiliate).where(Affiliate.program_id == program_id, Affiliate.handle == key)
    ).first()
    if affiliate is None:
        raise AffiliateNotFound(f"no affiliate {ref!r} in this program", "handle")
    return affiliate


def programs_of_handle(session: Session, handle: str) -> list[Affiliate]:
    """Every program membership of a handle (the same person can be in several programs)."""
    return list(
        session.exec(
            select(Affiliate).where(Affiliate.handle == handle).order_by(col(Affiliate.program_id))
        )
    )
