"""Audience segments per creator and day; each dimension's shares must sum to one."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from talent_tui.core.fields import (
    creator_ref,
    day,
)
from talent_tui.io.importers.base import (
    Counter,
    KindSpec,
    RowError,
    check_shares,
    duplicates,
    parse_segment,
    register,
    stored_for_creators,
)
from talent_tui.store.models import (
    AudienceSegment,
)


def _parse_demographic(v: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "tiktok_handle": creator_ref(v),
        "captured_on": day(v, "captured_on", required=True),
        **parse_segment(v),
    }


def _check_demographics(rows, source: str) -> list[RowError]:  # noqa: ANN001
    errors = duplicates(
        rows,
        source,
        lambda d: (d["tiktok_handle"], d["captured_on"], d["dimension"], d["bucket"]),
        "bucket",
    )
    return errors + check_shares(
        rows, source, lambda d: (d["tiktok_handle"], d["captured_on"], d["dimension"])
    )


def _write_demographics(session, rows, source, errors) -> Counter:  # noqa: ANN001
    counter = Counter()
    found = stored_for_creators(
        session,
        AudienceSegment,
        rows,
        source,
        errors,
        lambda s: (s.creator_id, s.captured_on, s.dimension, s.bucket),
    )
    if found is None:
        return counter
    ids, existing = found
    for row, data in rows:
        handle_text = data.pop("tiktok_handle")
        creator_id = ids[handle_text]
        key = (creator_id, data["captured_on"], data["dimension"], data["bucket"])
        segment = existing.get(key)
        if segment is None:
            session.add(AudienceSegment(creator_id=creator_id, **data))
            counter.new += 1
            continue
        name = (
            f"{handle_text} {data['captured_on'].isoformat()} "
            f"{data['dimension'].value}:{data['bucket']}"
        )
        if counter.changed(row, name, segment, {"share": data["share"]}):
            segment.share = data["share"]
    return counter


SPEC = KindSpec(
    columns=("tiktok_handle", "captured_on", "dimension", "bucket", "share"),
    required=("tiktok_handle", "captured_on", "dimension", "bucket", "share"),
    parse=_parse_demographic,
    write=_write_demographics,
    check_rows=_check_demographics,
)


register("demographics", SPEC)
