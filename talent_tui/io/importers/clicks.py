"""Clicks: per day per tracking link (`link_code`), or per affiliate (`affiliate`, a handle)
when the platform gives no link, with impressions when known.

Columns: date, affiliate | link_code, clicks[, impressions, program]. A row is matched on
(affiliate, link, day): a re-import replaces that day's numbers that the file has (a file
without `impressions` leaves the stored impressions). `--program` is needed only
when a handle or a link code is in several programs and the row does not say which: a
`program` column (its name, slug or id, as `talent export clicks` writes it) says it per row. The days written go
through the click-spike review rule (services.affiliates.guard).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from sqlmodel import Session, col, select

from talent_tui.core import fields
from talent_tui.core.dates import today
from talent_tui.core.fields import FieldError, day, integer, text_of
from talent_tui.io.importers.base import (
    Counter,
    KindSpec,
    ParsedRows,
    RowError,
    apply,
    duplicates,
    gather,
    insert_many,
    present,
)
from talent_tui.services.affiliates import guard
from talent_tui.store.models import Affiliate, ClickDay, Program, TrackingLink

COLUMNS = ("date", "affiliate", "link_code", "clicks", "impressions", "program")
REQUIRED = ("date", "clicks")


def _parse(v: Mapping[str, Any]) -> dict[str, Any]:
    data = gather(
        {
            "day": lambda: fields.EventWindow(today()).check_day(
                "date", day(v, "date", required=True)
            ),
            "affiliate": lambda: (
                fields.creator_ref(v, "affiliate") if text_of(v, "affiliate") else None
            ),
            "link_code": lambda: fields.opt_text(v, "link_code", fields.MAX_LINK_CODE),
            "clicks": lambda: integer(v, "clicks"),
            "impressions": lambda: integer(v, "impressions", required=False),
            "program": lambda: fields.opt_text(v, "program", fields.MAX_NAME),
        }
    )
    if data["affiliate"] is None and data["link_code"] is None:
        raise FieldError("affiliate", "give the affiliate (a handle) or the link_code")
    return data


def _links(
    session: Session, program_id: int | None, codes: set[str]
) -> dict[str, list[TrackingLink]]:
    found: dict[str, list[TrackingLink]] = defaultdict(list)
    if not codes:
        return found
    query = select(TrackingLink).where(col(TrackingLink.code).in_(codes))
    if program_id is not None:
        query = query.where(TrackingLink.program_id == program_id)
    for link in session.exec(query):
        found[link.code].append(link)
    return found


def affiliates_by_handle(
    session: Session, program_id: int | None, handles: set[str]
) -> dict[str, list[Affiliate]]:
    found: dict[str, list[Affiliate]] = defaultdict(list)
    if not handles:
        return found
    query = select(Affiliate).where(col(Affiliate.handle).in_(handles))
    if program_id is not None:
        query = query.where(Affiliate.program_id == program_id)
    for affiliate in session.exec(query):
        found[affiliate.handle].append(affiliate)
    return found


def spec_for(program_id: int | None) -> KindSpec:
    """The clicks kind, for one program (or any, when each row says which by itself)."""

    def write(session: Session, rows: ParsedRows, source: str, errors: list[RowError]) -> Counter:
        counter = Counter()
        links = _links(session, program_id, {d["link_code"] for _, d in rows if d["link_code"]})
        people = affiliates_by_handle(
            session, program_id, {d["affiliate"] for _, d in rows if d["affiliate"]}
        )
        named: dict[str, int] = {}  # a program's name (lower case), slug and id -> its id
        if any(d["program"] for _, d in rows):
            for p_id, p_name, p_slug in session.exec(
                select(Program.id, Program.name, Program.slug)
            ):
                named.update({p_name.lower(): p_id, p_slug: p_id, str(p_id): p_id})
        resolved: list[tuple[Any, dict[str, Any], int, int, int | None]] = []
        for row, data in rows:
            program, affiliate_id, link_id = None, None, None
            if data["program"] is not None:
                program = named.get(data["program"].lower())
                if program is None or (program_id is not None and program != program_id):
                    why = "unknown program" if program is None else "not the --program given:"
                    errors.append(
                        RowError(source, row.number, "program", f"{why} {data['program']}")
                    )
                    continue
            if data["link_code"] is not None:
                candidates = [
                    c
                    for c in links.get(data["link_code"], [])
                    if program is None or c.program_id == program
                ]
                if not candidates:
                    errors.append(
                        RowError(
                            source, row.number, "link_code", f"unknown link {data['link_code']}"
                        )
                    )
                    continue
                if len(candidates) > 1:
                    errors.append(
                        RowError(
                            source,
                            row.number,
                            "link_code",
                            f"link {data['link_code']} is in several programs; give --program",
                        )
                    )
                    continue
                link = candidates[0]
                program, affiliate_id, link_id = link.program_id, link.affiliate_id, link.id
            if data["affiliate"] is not None:
                matches = [
                    a
                    for a in people.get(data["affiliate"], [])
                    if program is None or a.program_id == program
                ]
                if not matches:
                    errors.append(
                        RowError(
                            source,
                            row.number,
                            "affiliate",
                            f"unknown affiliate {data['affiliate']}"
                            + (" in this program" if program is not None or program_id else ""),
                        )
                    )
                    continue
                if len(matches) > 1:
                    errors.append(
                        RowError(
                            source,
                            row.number,
                            "affiliate",
                            f"{data['affiliate']} is in several programs; give --program",
                        )
                    )
                    continue
                if affiliate_id is not None and matches[0].id != affiliate_id:
                    errors.append(
                        RowError(
                            source,
                            row.number,
                            "affiliate",
                            f"link {data['link_code']} belongs to another affiliate",
                        )
                    )
                    continue
                program, affiliate_id = matches[0].program_id, matches[0].id
            assert program is not None and affiliate_id is not None
            resolved.append((row, data, program, affiliate_id, link_id))
        if errors:
            return counter
        ids = {r[3] for r in resolved}
        days = [r[1]["day"] for r in resolved]
        stored: dict[tuple[int, int | None, Any], ClickDay] = {}
        if ids:
            query = select(ClickDay).where(
                col(ClickDay.affiliate_id).in_(ids),
                col(ClickDay.day) >= min(days),
                col(ClickDay.day) <= max(days),
            )
            stored = {(c.affiliate_id, c.link_id, c.day): c for c in session.exec(query)}
        new: list[dict[str, Any]] = []
        for row, data, program, affiliate_id, link_id in resolved:
            values = {"clicks": data["clicks"], "impressions": data["impressions"]}
            found = stored.get((affiliate_id, link_id, data["day"]))
            if found is None:
                new.append(
                    {
                        "program_id": program,
                        "affiliate_id": affiliate_id,
                        "link_id": link_id,
                        "day": data["day"],
                        **values,
                    }
                )
                counter.new += 1
                continue
            # A file without an impressions column leaves a stored day's impressions as they
            # are (an empty cell in one that is there clears them).
            values = present(row, values)
            key = f"{data['affiliate'] or data['link_code']} {data['day'].isoformat()}"
            if counter.changed(row, key, found, values):
                apply(found, values)
                session.add(found)
        session.flush()
        insert_many(session.connection(), ClickDay.__table__, new)
        # The click-spike review rule on the days written (issue 16).
        guard.after_clicks(session, {(r[3], r[1]["day"]) for r in resolved}, today())
        return counter

    return KindSpec(
        columns=COLUMNS,
        required=REQUIRED,
        parse=_parse,
        write=write,
        check_rows=lambda rows, source: duplicates(
            rows, source, lambda d: (d["program"], d["affiliate"], d["link_code"], d["day"]), "date"
        ),
    )
