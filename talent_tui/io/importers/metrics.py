"""Metric snapshots, one per creator and day; the creator row then carries the newest one."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from talent_tui.core.fields import (
    creator_ref,
    day,
    fraction,
    integer,
)
from talent_tui.io.importers.base import (
    Counter,
    KindSpec,
    apply,
    duplicates,
    gather,
    present,
    register,
    stored_for_creators,
)
from talent_tui.services import metrics
from talent_tui.store.models import (
    MetricSnapshot,
)


def _parse_metric(v: Mapping[str, Any]) -> dict[str, Any]:
    return gather(
        {
            "tiktok_handle": lambda: creator_ref(v),
            "captured_on": lambda: day(v, "captured_on", required=True),
            "followers": lambda: integer(v, "followers"),
            "avg_views": lambda: integer(v, "avg_views", required=False),
            "six_sec_view_rate": lambda: fraction(v, "six_sec_view_rate"),
            "completion_rate": lambda: fraction(v, "completion_rate"),
            "engagement_rate": lambda: fraction(v, "engagement_rate"),
            "likes": lambda: integer(v, "likes", required=False),
            "comments": lambda: integer(v, "comments", required=False),
            "shares": lambda: integer(v, "shares", required=False),
            "videos_posted": lambda: integer(v, "videos_posted", required=False),
        }
    )


def _write_metrics(session, rows, source, errors) -> Counter:  # noqa: ANN001
    counter = Counter()
    found = stored_for_creators(
        session, MetricSnapshot, rows, source, errors, lambda s: (s.creator_id, s.captured_on)
    )
    if found is None:
        return counter
    ids, existing = found
    for row, data in rows:
        handle_text = data.pop("tiktok_handle")
        creator_id = ids[handle_text]
        snap = existing.get((creator_id, data["captured_on"]))
        if snap is None:
            session.add(MetricSnapshot(creator_id=creator_id, **data))
            counter.new += 1
            continue
        # A stored snapshot changes only in the columns the file has.
        data = present(row, data)
        key = f"{handle_text} {data['captured_on'].isoformat()}"
        if counter.changed(row, key, snap, data):
            apply(snap, data)
    session.flush()
    metrics.refresh_latest(session, set(ids.values()))
    return counter


SPEC = KindSpec(
    columns=(
        "tiktok_handle",
        "captured_on",
        "followers",
        "avg_views",
        "six_sec_view_rate",
        "completion_rate",
        "engagement_rate",
        "likes",
        "comments",
        "shares",
        "videos_posted",
    ),
    required=("tiktok_handle", "captured_on", "followers"),
    parse=_parse_metric,
    write=_write_metrics,
    check_rows=lambda rows, source: duplicates(
        rows, source, lambda d: (d["tiktok_handle"], d["captured_on"]), "captured_on"
    ),
)


register("metrics", SPEC)
