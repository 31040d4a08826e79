"""Creators, matched on their TikTok handle. New ones go in as one bulk insert per batch, and
the search index is filled once for all of them when the file is written
(`store.search_index`), not row by row by its trigger."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, time
from typing import Any

import sqlalchemy as sa

from talent_tui.core.fields import (
    ARCHIVED_ON,
    CREATOR_FIELD_PARSERS,
    PLATFORMS,
    FieldError,
    FieldErrors,
    creator_ref,
    day,
    loose_handle,
    text_of,
)
from talent_tui.io.importers.base import (
    Counter,
    KindSpec,
    RowError,
    SourceRow,
    apply,
    by_key,
    duplicates,
    insert_many,
    present,
    register,
)
from talent_tui.services import creators
from talent_tui.store.models import (
    Creator,
    utcnow,
)
from talent_tui.store.search_index import deferred_insert_indexing

# Parsed data's key for the handles today's platform rule refuses: {field: (handle, message)}.
# Such a handle is fine on a stored creator that already has it (a file exported before the
# rule imports again unchanged); anywhere else it is the row's error (see _write_creators).
_REFUSED = "_refused_handles"
EMPTY_FOLLOWERS = "empty: a creator has a number of followers (write 0 if it is unknown)"


def _parse_creator(v: Mapping[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    problems: list[FieldError] = []
    refused: dict[str, tuple[str, str]] = {}
    for column, parse in CREATOR_FIELD_PARSERS.items():
        if column not in v and column not in _REQUIRED:
            # An absent column parses to its empty value, which is the column's default for a
            # new creator (_CREATOR_DEFAULTS) and left alone on a stored one: skip it.
            continue
        try:
            data.update(parse(v))
        except FieldError as exc:
            if exc.field in PLATFORMS and _loose_ok(v, exc.field):
                loose = loose_handle(text_of(v, exc.field))
                data[exc.field] = loose
                refused[exc.field] = (loose, exc.message)
            else:
                problems.append(exc)
    if ARCHIVED_ON in v:  # absent column: leave archiving alone
        try:
            archived_on = day(v, ARCHIVED_ON)
            data["archived_at"] = (
                datetime.combine(archived_on, time(), tzinfo=UTC) if archived_on else None
            )
        except FieldError as exc:
            problems.append(exc)
    if problems:
        raise FieldErrors(problems)
    if refused:
        data[_REFUSED] = refused
    return data


def _loose_ok(v: Mapping[str, Any], name: str) -> bool:
    """A refused handle that could still name a stored creator's handle."""
    try:
        creator_ref(v, name)
    except FieldError:
        return False
    return True


def _handle_errors(
    row: SourceRow, data: dict[str, Any], creator: Creator | None, source: str
) -> list[RowError]:
    """The refused handles of a row that are not the ones its stored creator already has."""
    refused: dict[str, tuple[str, str]] = data.pop(_REFUSED, {})
    return [
        RowError(source, row.number, name, message)
        for name, (loose, message) in refused.items()
        if creator is None or getattr(creator, name) != loose
    ]


_REQUIRED = ("name", "tiktok_handle")  # parsed even when absent: refused as missing
_CREATOR_DEFAULTS = {
    "instagram_handle": None,
    "youtube_handle": None,
    "followers": 0,
    "engagement_rate": None,
    "follower_growth_30d": None,
    "niche": None,
    "tags": "",
    "email": None,
    "phone": None,
    "commission_bp": 0,
    "notes": "",
    "archived_at": None,
}
BULK_CHUNK = 5_000
# The column each field is read from, where the names differ.
_SOURCES = {"commission_bp": "commission_pct", "archived_at": "archived_on"}
_FORMATS = {"commission_bp": lambda bp, _creator: f"{bp / 100:g}%"}


def _write_creators(session, rows, source, errors) -> Counter:  # noqa: ANN001
    counter = Counter()
    handles = [data["tiktok_handle"] for _, data in rows]
    existing = by_key(session, Creator, Creator.tiktok_handle, handles)
    now = utcnow()
    fresh: list[dict[str, Any]] = []
    fresh_rows: list[SourceRow] = []  # the file's row of each
    for row, data in rows:
        creator = existing.get(data["tiktok_handle"])
        refused = _handle_errors(row, data, creator, source)
        if "followers" in data and data["followers"] is None:
            data.pop("followers")
            if creator is not None and "followers" in row.values:
                # The column is there but the cell is empty: a stored creator always has a
                # follower count, and an empty cell must neither keep nor zero it quietly.
                refused.append(RowError(source, row.number, "followers", EMPTY_FOLLOWERS))
        if refused:
            errors.extend(refused)
            continue
        if creator is None:
            # New creators go in as one executemany: no ORM object per row.
            fresh.append({**_CREATOR_DEFAULTS, **data, "created_at": now, "updated_at": now})
            fresh_rows.append(row)
            counter.new += 1
            continue
        if (
            "archived_at" in data
            and data["archived_at"] is not None
            and creator.archived_at is not None
            and creator.archived_at.date() == data["archived_at"].date()
        ):
            del data["archived_at"]  # same day: keep the exact moment already stored
        # A stored creator changes only in the columns the file has; the others stay as they are.
        data = present(row, data, _SOURCES)
        if counter.changed(row, creator.tiktok_handle, creator, data, _SOURCES, _FORMATS):
            apply(creator, data)
            creator.updated_at = now
    session.flush()
    table = Creator.__table__
    for start in range(0, len(fresh), BULK_CHUNK):
        chunk = fresh[start : start + BULK_CHUNK]
        try:
            with session.begin_nested():
                insert_many(session.connection(), table, chunk)
        except sa.exc.IntegrityError as exc:
            if not creators.handle_taken(exc):
                raise
            errors.extend(_hidden_handles(session, table, chunk, fresh_rows[start:], source))
    return counter


def _hidden_handles(session, table, chunk, rows, source) -> list[RowError]:  # noqa: ANN001
    """The rows of a refused batch whose handle belongs to a creator this login cannot see
    (team mode on PostgreSQL: another manager's, hidden by row-level security; the unique
    key spans the whole table). Found row by row, each in a savepoint: only when a batch was
    refused; the import fails with them, so nothing of it is written."""
    found = []
    for values, row in zip(chunk, rows, strict=False):
        try:
            with session.begin_nested():
                insert_many(session.connection(), table, [values])
        except sa.exc.IntegrityError as exc:
            if not creators.handle_taken(exc):
                raise
            message = creators.taken_message(values["tiktok_handle"])
            found.append(RowError(source, row.number, "tiktok_handle", message))
    return found


SPEC = KindSpec(
    columns=(
        "name",
        "tiktok_handle",
        "instagram_handle",
        "youtube_handle",
        "followers",
        "engagement_rate",
        "niche",
        "tags",
        "email",
        "phone",
        "commission_pct",
        "notes",
        "archived_on",
    ),
    required=_REQUIRED,
    parse=_parse_creator,
    write=_write_creators,
    check_rows=lambda rows, source: duplicates(
        rows, source, lambda d: d["tiktok_handle"], "tiktok_handle"
    ),
    # Never updates a row it inserted (a handle appears once per file), as the index needs.
    bulk=lambda session: deferred_insert_indexing(session.connection()),
)


register("creators", SPEC)
