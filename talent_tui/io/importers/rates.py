"""Rate cards: one amount per creator and deliverable."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, time
from typing import Any

from talent_tui.core import money
from talent_tui.core.fields import (
    amount_in_own_currency,
    creator_ref,
    currency,
    day,
    deliverable,
)
from talent_tui.io.importers.base import (
    Counter,
    KindSpec,
    apply,
    duplicates,
    gather,
    register,
    shown,
    stored_for_creators,
)
from talent_tui.store.models import (
    Rate,
    utcnow,
)


def _parse_rate(v: Mapping[str, Any]) -> dict[str, Any]:
    def stamp() -> datetime | None:
        updated_on = day(v, "updated_on")
        return datetime.combine(updated_on, time(), tzinfo=UTC) if updated_on else None

    return gather(
        {
            "tiktok_handle": lambda: creator_ref(v),
            "deliverable": lambda: deliverable(v),
            "amount_minor": lambda: amount_in_own_currency(v, "amount"),
            "currency": lambda: currency(v),
            "updated_at": stamp,
        }
    )


def _write_rates(session, rows, source, errors) -> Counter:  # noqa: ANN001
    counter = Counter()
    found = stored_for_creators(
        session, Rate, rows, source, errors, lambda r: (r.creator_id, r.deliverable)
    )
    if found is None:
        return counter
    ids, existing = found
    now = utcnow()
    for row, data in rows:
        handle_text = data.pop("tiktok_handle")
        creator_id = ids[handle_text]
        stamp = data.pop("updated_at") or now
        rate = existing.get((creator_id, data["deliverable"]))
        if rate is None:
            session.add(Rate(creator_id=creator_id, updated_at=stamp, **data))
            counter.new += 1
            continue
        # Every other column of a rate is required: the row names all of it.
        key = f"{handle_text} {shown(data['deliverable'])}"
        if counter.changed(row, key, rate, data, _NAMES, _FORMATS):
            apply(rate, data)
            rate.updated_at = stamp
    return counter


_NAMES = {"amount_minor": "amount"}
_FORMATS = {"amount_minor": lambda minor, rate: money.format_money(minor, rate.currency)}


SPEC = KindSpec(
    columns=("tiktok_handle", "deliverable", "amount", "currency", "updated_on"),
    required=("tiktok_handle", "deliverable", "amount", "currency"),
    parse=_parse_rate,
    write=_write_rates,
    check_rows=lambda rows, source: duplicates(
        rows, source, lambda d: (d["tiktok_handle"], d["deliverable"]), "deliverable"
    ),
)


register("rates", SPEC)
