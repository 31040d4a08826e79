"""Recruiting from the roster: creators not yet in a program, ranked by how well their
audience fits the advertiser's target audience (services.fit, with its reasons)."""

from __future__ import annotations

from sqlmodel import Session, col, select

from talent_tui.services import fit
from talent_tui.store.models import Affiliate, Creator, Program


def suggest(session: Session, program: Program, limit: int = 20) -> list[fit.Ranked]:
    """Best fit first; creators already in the program (by creator or by handle) left out.
    Empty when the advertiser has no target audience."""
    taken_ids = set(
        session.exec(
            select(Affiliate.creator_id).where(
                Affiliate.program_id == program.id, col(Affiliate.creator_id).is_not(None)
            )
        )
    )
    taken_handles = set(
        session.exec(select(Affiliate.handle).where(Affiliate.program_id == program.id))
    )
    ranked = fit.rank_for_brand(session, program.brand_id)
    chosen = [
        r for r in ranked if r.creator_id not in taken_ids and r.tiktok_handle not in taken_handles
    ]
    return chosen[:limit]


def creator_handles(session: Session, handles: list[str]) -> dict[str, int]:
    """Roster creators by TikTok handle, for matching affiliates to the roster."""
    if not handles:
        return {}
    rows = session.exec(
        select(Creator.tiktok_handle, Creator.id).where(col(Creator.tiktok_handle).in_(handles))
    )
    return {handle: c_id for handle, c_id in rows if c_id is not None}
