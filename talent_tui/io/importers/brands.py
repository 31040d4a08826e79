"""Brands, matched on their name whatever its case (as the brands service keeps names
unique), with their category, archive date and the audience they target."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, time
from typing import Any

from sqlmodel import select

from talent_tui.core.fields import (
    MAX_EMAIL,
    MAX_NAME,
    MAX_WEBSITE,
    FieldError,
    day,
    notes,
    opt_text,
    req_text,
    shares_sum_to_one,
)
from talent_tui.io.importers.base import (
    Counter,
    FieldChange,
    KindSpec,
    apply,
    duplicates,
    parse_segment,
    present,
    register,
)
from talent_tui.services.brands import parse_category
from talent_tui.store.models import (
    Brand,
    BrandTarget,
    Dimension,
)


def _target_from_text(text: str) -> list[dict[str, str]]:
    """CSV form of a brand's target audience: "gender:female=0.6; age:18-24=0.45; ..."."""
    items = []
    for index, part in enumerate((p.strip() for p in text.split(";")), start=1):
        if not part:
            continue
        key, eq, share = part.partition("=")
        dimension, colon, bucket = key.partition(":")
        if not eq or not colon:
            raise FieldError(f"target[{index}]", f"expected dimension:bucket=share, got {part!r}")
        items.append({"dimension": dimension.strip(), "bucket": bucket.strip(), "share": share})
    return items


def target_to_text(target: Iterable[tuple[str, str, float]]) -> str:
    return "; ".join(f"{d}:{b}={share!r}" for d, b, share in target)


def _parse_brand(v: Mapping[str, Any]) -> dict[str, Any]:
    target_raw = v.get("target") or []
    if isinstance(target_raw, str):
        target_raw = _target_from_text(target_raw)
    if not isinstance(target_raw, list):
        raise FieldError("target", "expected a list of {dimension, bucket, share}")
    target = []
    for index, item in enumerate(target_raw, start=1):
        if not isinstance(item, dict):
            raise FieldError(f"target[{index}]", "expected an object")
        try:
            target.append(parse_segment({str(k).lower(): val for k, val in item.items()}))
        except FieldError as exc:
            raise FieldError(f"target[{index}].{exc.field}", exc.message) from None
    seen: set[tuple[Dimension, str]] = set()
    for index, segment in enumerate(target, start=1):
        key = (segment["dimension"], segment["bucket"])
        if key in seen:
            raise FieldError(
                f"target[{index}]",
                f"{segment['dimension'].value}:{segment['bucket']} appears twice (buckets "
                "ignore case)",
            )
        seen.add(key)
    totals: dict[Dimension, float] = defaultdict(float)
    for segment in target:
        totals[segment["dimension"]] += segment["share"]
    for dimension, total in totals.items():
        if not shares_sum_to_one(total):
            raise FieldError("target", f"{dimension.value} shares sum to {total:.3f}, expected 1.0")
    data = {
        "name": req_text(v, "name"),
        "contact_name": opt_text(v, "contact_name", MAX_NAME),
        "email": opt_text(v, "email", MAX_EMAIL),
        "website": opt_text(v, "website", MAX_WEBSITE),
        "category": parse_category(v),
        "notes": notes(v),
        "target": target,
    }
    if ARCHIVED_ON in v:  # absent column: leave archiving alone
        archived_on = day(v, ARCHIVED_ON)
        data["archived_at"] = (
            datetime.combine(archived_on, time(), tzinfo=UTC) if archived_on else None
        )
    return data


def _target_shown(target: list[tuple[str, str, float]]) -> str:
    return target_to_text(sorted(target)) or "(empty)"


ARCHIVED_ON = "archived_on"
_SOURCES = {"archived_at": ARCHIVED_ON}


def _key(name: str) -> str:
    return name.casefold()


def _write_brands(session, rows, source, errors) -> Counter:  # noqa: ANN001
    counter = Counter()
    # Brands are few (hundreds): every stored one, keyed as the brands service compares names.
    existing = {_key(b.name): b for b in session.exec(select(Brand))}
    for row, data in rows:
        target = data.pop("target")
        brand = existing.get(_key(data["name"]))
        if brand is None:
            brand = Brand(**data)
            session.add(brand)
            session.flush()
            existing[_key(brand.name)] = brand
            session.add_all(BrandTarget(brand_id=brand.id, **t) for t in target)
            counter.new += 1
            continue
        data.pop("name")  # the stored brand keeps its name as written (the file's matched it)
        if (
            data.get("archived_at") is not None
            and brand.archived_at is not None
            and brand.archived_at.date() == data["archived_at"].date()
        ):
            del data["archived_at"]  # same day: keep the exact moment already stored
        # A stored brand changes only in the columns the file has (its target too).
        data = present(row, data, _SOURCES)
        extra = []
        current: list[BrandTarget] = []
        if "target" in row.values:
            current = list(
                session.exec(select(BrandTarget).where(BrandTarget.brand_id == brand.id))
            )
            stored = [(t.dimension.value, t.bucket, t.share) for t in current]
            wanted = [(t["dimension"].value, t["bucket"], t["share"]) for t in target]
            if sorted(stored) != sorted(wanted):
                extra.append(FieldChange("target", _target_shown(stored), _target_shown(wanted)))
            else:
                current = []
        if counter.changed(row, brand.name, brand, data, _SOURCES, extra=extra):
            apply(brand, data)
            if extra:
                for obj in current:
                    session.delete(obj)
                session.flush()
                session.add_all(BrandTarget(brand_id=brand.id, **t) for t in target)
    return counter


SPEC = KindSpec(
    columns=(
        "name",
        "contact_name",
        "email",
        "website",
        "category",
        "notes",
        "target",
        ARCHIVED_ON,
    ),
    required=("name",),
    parse=_parse_brand,
    write=_write_brands,
    check_rows=lambda rows, source: duplicates(rows, source, lambda d: _key(d["name"]), "name"),
)


register("brands", SPEC)
