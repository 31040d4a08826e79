"""Imports: CSV or JSON files into the store, all or nothing.

Every kind goes through the same three steps: read the file into numbered rows, validate
every row (collecting *all* errors as file:row:field), then write inside one transaction.
Rows are matched on a natural key (a creator's TikTok handle, a campaign's external id, a
brand's name), so running the same import twice changes nothing the second time.
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from talent_tui.core.errors import DomainError
from talent_tui.core.fields import (
    ARCHIVED_ON,
    CREATOR_FIELD_PARSERS,
    FieldError,
    FieldErrors,
    amount,
    currency,
    day,
    enum_value,
    fraction,
    handle,
    integer,
    opt_text,
    req_text,
    text_of,
)
from talent_tui.services import audit, metrics
from talent_tui.store.models import (
    AudienceSegment,
    Brand,
    BrandTarget,
    Campaign,
    CampaignStatus,
    Creator,
    Dimension,
    MetricSnapshot,
    Offer,
    Party,
    Rate,
    utcnow,
)

KINDS = ("creators", "metrics", "demographics", "rates", "brands", "campaigns")
MAX_REPORTED_ERRORS = 50
SHARE_TOLERANCE = 0.01

ProgressCallback = Callable[[int, int], None]


# --- errors and results -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RowError:
    """One problem, as file:row:field. Row 0 is the file as a whole (missing, not UTF-8, …)."""

    source: str
    row: int
    field: str
    message: str

    def __str__(self) -> str:
        if self.row == 0:
            return f"{self.source}: {self.message}"
        return f"{self.source}:{self.row}:{self.field}: {self.message}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "row": self.row,
            "field": self.field,
            "message": self.message,
        }


class ImportFailed(DomainError):
    """Validation failed; nothing was written. `errors` holds every problem found."""

    def __init__(self, source: str, errors: list[RowError]):
        self.source = source
        self.errors = errors
        shown = "\n".join(str(e) for e in errors[:MAX_REPORTED_ERRORS])
        more = len(errors) - MAX_REPORTED_ERRORS
        tail = f"\n… and {more} more" if more > 0 else ""
        super().__init__(f"{len(errors)} error(s) in {source}; nothing was imported\n{shown}{tail}")


@dataclass
class ImportReport:
    kind: str
    source: str
    rows: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    dry_run: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "file": self.source,
            "rows": self.rows,
            "new": self.new,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "dry_run": self.dry_run,
        }


# --- reading files ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SourceRow:
    number: int  # the CSV line the record starts on, or the 1-based index in a JSON list
    values: Mapping[str, Any]
    problem: str | None = None  # wrong with the row as a whole (e.g. its number of cells)


class SourceRows(list[SourceRow]):
    """The rows of a file, with its CSV header: columns are checked even when no row follows.
    `columns` is None for JSON, where each object names its own keys."""

    def __init__(
        self,
        rows: Iterable[SourceRow] = (),
        columns: tuple[str, ...] | None = None,
        header_row: int = 1,
    ):
        super().__init__(rows)
        self.columns = columns
        self.header_row = header_row


def _file_error(source: str, message: str, field_name: str = "file") -> ImportFailed:
    return ImportFailed(source, [RowError(source, 0, field_name, message)])


def detect_format(path: Path, explicit: str | None = None) -> str:
    if explicit is not None:
        fmt = explicit.strip().lower()
        if fmt not in ("csv", "json"):
            raise _file_error(path.name, f"unknown format {explicit!r} (csv or json)", "format")
        return fmt
    fmt = path.suffix.lstrip(".").lower()
    if fmt not in ("csv", "json"):
        raise _file_error(
            path.name, "not a .csv or .json file; give --format csv or --format json", "format"
        )
    return fmt


def read_rows(path: Path, fmt: str | None = None) -> SourceRows:
    """Numbered rows from a CSV (UTF-8 with or without BOM, any newline) or a JSON list."""
    fmt = detect_format(path, fmt)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise _file_error(path.name, exc.strerror or str(exc)) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _file_error(path.name, f"not UTF-8 text ({exc.reason})") from None
    if fmt == "json":
        return _json_rows(path.name, text)
    return csv_rows(path.name, text)


def csv_rows(source: str, text: str) -> SourceRows:
    """Rows keyed by the header's (lower-cased) names; a row whose number of cells differs
    from the header's is kept with a `problem`, so validation reports it with the others."""
    reader = csv.reader(io.StringIO(text, newline=""))
    header: list[str] | None = None
    header_row = 1
    rows: list[SourceRow] = []
    line = 1
    try:
        for record in reader:
            start, line = line, reader.line_num + 1
            if not record or all(not cell.strip() for cell in record):
                continue
            if header is None:
                header = [name.strip().lower() for name in record]
                header_row = start
                continue
            values = {name: cell for name, cell in zip(header, record, strict=False) if name}
            problem = None
            if len(record) != len(header):
                problem = f"{len(record)} cells, header has {len(header)}"
            rows.append(SourceRow(start, values, problem))
    except csv.Error as exc:
        raise ImportFailed(source, [RowError(source, line, "file", f"bad CSV: {exc}")]) from None
    if header is None:
        raise _file_error(source, "empty file: no header row")
    return SourceRows(rows, tuple(name for name in header if name), header_row)


def _json_rows(source: str, text: str) -> SourceRows:
    if not text.strip():
        raise _file_error(source, "empty file: expected a JSON list of objects")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportFailed(
            source, [RowError(source, exc.lineno, "file", f"bad JSON: {exc.msg}")]
        ) from None
    if isinstance(data, dict):
        for key in ("rows", "items", "data"):
            if isinstance(data.get(key), list):
                data = data[key]
                break
    if not isinstance(data, list):
        raise _file_error(source, "expected a JSON list of objects")
    rows = SourceRows()
    for index, item in enumerate(data, start=1):
        if not isinstance(item, dict):
            raise ImportFailed(source, [RowError(source, index, "row", "expected a JSON object")])
        rows.append(SourceRow(index, {str(k).strip().lower(): v for k, v in item.items()}))
    return rows


# --- the kinds ----------------------------------------------------------------------------


@dataclass
class Counter:
    new: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class KindSpec:
    columns: tuple[str, ...]
    required: tuple[str, ...]
    parse: Callable[[Mapping[str, Any]], dict[str, Any]]
    write: Callable[[Session, list[tuple[SourceRow, dict[str, Any]]], str, list[RowError]], Counter]
    check_rows: Callable[[list[tuple[SourceRow, dict[str, Any]]], str], list[RowError]] | None = (
        None
    )
    nested: tuple[str, ...] = field(default_factory=tuple)


def _parse_creator(v: Mapping[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    problems: list[FieldError] = []
    for parse in CREATOR_FIELD_PARSERS.values():
        try:
            data.update(parse(v))
        except FieldError as exc:
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
    return data


def _changed(obj: Any, data: Mapping[str, Any]) -> bool:
    return any(getattr(obj, key) != value for key, value in data.items())


def _apply(obj: Any, data: Mapping[str, Any]) -> None:
    for key, value in data.items():
        setattr(obj, key, value)


def _duplicates(
    rows: list[tuple[SourceRow, dict[str, Any]]], source: str, key: Callable[[dict], Any], name: str
) -> list[RowError]:
    seen: dict[Any, int] = {}
    errors = []
    for row, data in rows:
        k = key(data)
        if k in seen:
            errors.append(RowError(source, row.number, name, f"duplicate of row {seen[k]}"))
        else:
            seen[k] = row.number
    return errors


# Column defaults for creators written in bulk (the ORM would fill these one object at a time).
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


def _write_creators(session, rows, source, errors) -> Counter:  # noqa: ANN001
    counter = Counter()
    handles = [data["tiktok_handle"] for _, data in rows]
    existing = _by_key(session, Creator, Creator.tiktok_handle, handles)
    now = utcnow()
    fresh: list[dict[str, Any]] = []
    for _row, data in rows:
        if data["followers"] is None:
            data.pop("followers")
        creator = existing.get(data["tiktok_handle"])
        if creator is None:
            # New creators go in as one executemany: no ORM object per row.
            fresh.append({**_CREATOR_DEFAULTS, **data, "created_at": now, "updated_at": now})
            counter.new += 1
            continue
        if (
            "archived_at" in data
            and data["archived_at"] is not None
            and creator.archived_at is not None
            and creator.archived_at.date() == data["archived_at"].date()
        ):
            del data["archived_at"]  # same day: keep the exact moment already stored
        if _changed(creator, data):
            _apply(creator, data)
            creator.updated_at = now
            counter.updated += 1
        else:
            counter.unchanged += 1
    session.flush()
    table = Creator.__table__
    for start in range(0, len(fresh), BULK_CHUNK):
        session.connection().execute(table.insert(), fresh[start : start + BULK_CHUNK])
    return counter


def _by_key(session: Session, model: Any, column: Any, keys: Iterable[Any]) -> dict[Any, Any]:
    found: dict[Any, Any] = {}
    unique = list(dict.fromkeys(keys))
    for start in range(0, len(unique), 500):
        chunk = unique[start : start + 500]
        for obj in session.exec(select(model).where(col(column).in_(chunk))):
            found[getattr(obj, column.key)] = obj
    return found


def _creator_ids(
    session: Session, rows: list[tuple[SourceRow, dict[str, Any]]], source: str, errors: list
) -> dict[str, int]:
    handles = {data["tiktok_handle"] for _, data in rows}
    known = {
        c.tiktok_handle: c.id
        for c in _by_key(session, Creator, Creator.tiktok_handle, handles).values()
    }
    for row, data in rows:
        if data["tiktok_handle"] not in known:
            errors.append(
                RowError(
                    source, row.number, "tiktok_handle", f"unknown creator {data['tiktok_handle']}"
                )
            )
    return known


def _gather(parsers: Mapping[str, Callable[[], Any]]) -> dict[str, Any]:
    """Run each field parser; raise FieldErrors naming every failing field at once."""
    data: dict[str, Any] = {}
    problems: list[FieldError] = []
    for key, parse in parsers.items():
        try:
            data[key] = parse()
        except FieldError as exc:
            problems.append(exc)
    if problems:
        raise FieldErrors(problems)
    return data


def _parse_metric(v: Mapping[str, Any]) -> dict[str, Any]:
    return _gather(
        {
            "tiktok_handle": lambda: handle(v, "tiktok_handle"),
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
    ids = _creator_ids(session, rows, source, errors)
    if errors:
        return counter
    creator_ids = {ids[data["tiktok_handle"]] for _, data in rows}
    existing = {
        (s.creator_id, s.captured_on): s
        for s in session.exec(
            select(MetricSnapshot).where(col(MetricSnapshot.creator_id).in_(creator_ids))
        )
    }
    for _row, data in rows:
        creator_id = ids[data.pop("tiktok_handle")]
        snap = existing.get((creator_id, data["captured_on"]))
        if snap is None:
            session.add(MetricSnapshot(creator_id=creator_id, **data))
            counter.new += 1
        elif _changed(snap, data):
            _apply(snap, data)
            counter.updated += 1
        else:
            counter.unchanged += 1
    session.flush()
    refresh_latest_metrics(session, creator_ids)
    return counter


def refresh_latest_metrics(session: Session, creator_ids: Iterable[int]) -> None:
    """Copy each creator's newest snapshot, and the 30-day growth computed from the history,
    onto the creator row the roster sorts on."""
    latest = (
        sa.select(MetricSnapshot.followers, MetricSnapshot.engagement_rate)
        .where(MetricSnapshot.creator_id == Creator.id)
        .order_by(col(MetricSnapshot.captured_on).desc())
        .limit(1)
    )
    ids = list(creator_ids)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        session.exec(
            sa.update(Creator)
            .where(col(Creator.id).in_(chunk))
            .where(sa.exists().where(MetricSnapshot.creator_id == Creator.id))
            .values(
                followers=latest.with_only_columns(MetricSnapshot.followers).scalar_subquery(),
                engagement_rate=latest.with_only_columns(
                    MetricSnapshot.engagement_rate
                ).scalar_subquery(),
            )
        )
        history: dict[int, list[metrics.Point]] = {cid: [] for cid in chunk}
        rows = session.execute(
            sa.select(
                MetricSnapshot.creator_id, MetricSnapshot.captured_on, MetricSnapshot.followers
            )
            .where(col(MetricSnapshot.creator_id).in_(chunk))
            .order_by(MetricSnapshot.creator_id, MetricSnapshot.captured_on)
        )
        for creator_id, captured_on, followers in rows:
            history[creator_id].append(metrics.Point(captured_on, followers))
        growth = [
            {"cid": cid, "growth": metrics.growth(points, 30)} for cid, points in history.items()
        ]
        if growth:
            table = Creator.__table__
            session.connection().execute(
                table.update()
                .where(table.c.id == sa.bindparam("cid"))
                .values(follower_growth_30d=sa.bindparam("growth")),
                growth,
            )


def _parse_segment(v: Mapping[str, Any]) -> dict[str, Any]:
    dimension = enum_value(v, "dimension", Dimension)
    bucket = req_text(v, "bucket", 40)
    if dimension is Dimension.COUNTRY:
        bucket = bucket.upper()
        if len(bucket) != 2 or not bucket.isalpha():
            raise FieldError("bucket", f"not an ISO 3166 country code: {bucket!r}")
    else:
        bucket = bucket.lower()
    share = fraction(v, "share", required=True)
    return {"dimension": dimension, "bucket": bucket, "share": share}


def _check_shares(rows, source: str, group_key: Callable[[dict], Any]) -> list[RowError]:  # noqa: ANN001
    groups: dict[Any, list[tuple[SourceRow, dict]]] = defaultdict(list)
    for row, data in rows:
        groups[group_key(data)].append((row, data))
    errors = []
    for members in groups.values():
        total = sum(data["share"] for _, data in members)
        if abs(total - 1) > SHARE_TOLERANCE:
            first_row, first = members[0]
            errors.append(
                RowError(
                    source,
                    first_row.number,
                    "share",
                    f"{first['dimension'].value} shares sum to {total:.3f}, expected 1.0",
                )
            )
    return errors


def _parse_demographic(v: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "tiktok_handle": handle(v, "tiktok_handle"),
        "captured_on": day(v, "captured_on", required=True),
        **_parse_segment(v),
    }


def _check_demographics(rows, source: str) -> list[RowError]:  # noqa: ANN001
    errors = _duplicates(
        rows,
        source,
        lambda d: (d["tiktok_handle"], d["captured_on"], d["dimension"], d["bucket"]),
        "bucket",
    )
    return errors + _check_shares(
        rows, source, lambda d: (d["tiktok_handle"], d["captured_on"], d["dimension"])
    )


def _write_demographics(session, rows, source, errors) -> Counter:  # noqa: ANN001
    counter = Counter()
    ids = _creator_ids(session, rows, source, errors)
    if errors:
        return counter
    creator_ids = {ids[data["tiktok_handle"]] for _, data in rows}
    existing = {
        (s.creator_id, s.captured_on, s.dimension, s.bucket): s
        for s in session.exec(
            select(AudienceSegment).where(col(AudienceSegment.creator_id).in_(creator_ids))
        )
    }
    for _row, data in rows:
        creator_id = ids[data.pop("tiktok_handle")]
        key = (creator_id, data["captured_on"], data["dimension"], data["bucket"])
        segment = existing.get(key)
        if segment is None:
            session.add(AudienceSegment(creator_id=creator_id, **data))
            counter.new += 1
        elif segment.share != data["share"]:
            segment.share = data["share"]
            counter.updated += 1
        else:
            counter.unchanged += 1
    return counter


def _parse_rate(v: Mapping[str, Any]) -> dict[str, Any]:
    def stamp() -> datetime | None:
        updated_on = day(v, "updated_on")
        return datetime.combine(updated_on, time(), tzinfo=UTC) if updated_on else None

    def price() -> int:
        try:
            code = currency(v)
        except FieldError:
            return 0  # reported under "currency"
        return amount(v, "amount", code)

    return _gather(
        {
            "tiktok_handle": lambda: handle(v, "tiktok_handle"),
            "deliverable": lambda: req_text(v, "deliverable", 40).lower(),
            "amount_minor": price,
            "currency": lambda: currency(v),
            "updated_at": stamp,
        }
    )


def _write_rates(session, rows, source, errors) -> Counter:  # noqa: ANN001
    counter = Counter()
    ids = _creator_ids(session, rows, source, errors)
    if errors:
        return counter
    creator_ids = {ids[data["tiktok_handle"]] for _, data in rows}
    existing = {
        (r.creator_id, r.deliverable): r
        for r in session.exec(select(Rate).where(col(Rate.creator_id).in_(creator_ids)))
    }
    now = utcnow()
    for _row, data in rows:
        creator_id = ids[data.pop("tiktok_handle")]
        stamp = data.pop("updated_at") or now
        rate = existing.get((creator_id, data["deliverable"]))
        if rate is None:
            session.add(Rate(creator_id=creator_id, updated_at=stamp, **data))
            counter.new += 1
        elif _changed(rate, data):
            _apply(rate, data)
            rate.updated_at = stamp
            counter.updated += 1
        else:
            counter.unchanged += 1
    return counter


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
            target.append(_parse_segment({str(k).lower(): val for k, val in item.items()}))
        except FieldError as exc:
            raise FieldError(f"target[{index}].{exc.field}", exc.message) from None
    totals: dict[Dimension, float] = defaultdict(float)
    for segment in target:
        totals[segment["dimension"]] += segment["share"]
    for dimension, total in totals.items():
        if abs(total - 1) > SHARE_TOLERANCE:
            raise FieldError("target", f"{dimension.value} shares sum to {total:.3f}, expected 1.0")
    return {
        "name": req_text(v, "name"),
        "contact_name": opt_text(v, "contact_name", 200),
        "email": opt_text(v, "email", 200),
        "website": opt_text(v, "website", 300),
        "notes": text_of(v, "notes"),
        "target": target,
    }


def _write_brands(session, rows, source, errors) -> Counter:  # noqa: ANN001
    counter = Counter()
    existing = _by_key(session, Brand, Brand.name, [data["name"] for _, data in rows])
    for _row, data in rows:
        target = data.pop("target")
        brand = existing.get(data["name"])
        if brand is None:
            brand = Brand(**data)
            session.add(brand)
            session.flush()
            existing[brand.name] = brand
            session.add_all(BrandTarget(brand_id=brand.id, **t) for t in target)
            counter.new += 1
            continue
        changed = _changed(brand, data)
        _apply(brand, data)
        current = list(session.exec(select(BrandTarget).where(BrandTarget.brand_id == brand.id)))
        wanted = {(t["dimension"], t["bucket"]): t["share"] for t in target}
        if {(t.dimension, t.bucket): t.share for t in current} != wanted:
            for obj in current:
                session.delete(obj)
            session.flush()
            session.add_all(BrandTarget(brand_id=brand.id, **t) for t in target)
            changed = True
        if changed:
            counter.updated += 1
        else:
            counter.unchanged += 1
    return counter


def _parse_campaign(v: Mapping[str, Any]) -> dict[str, Any]:
    def fee() -> int:
        try:
            code = currency(v)
        except FieldError:
            return 0  # reported under "currency"
        return amount(v, "fee", code)

    data = _gather(
        {
            "external_id": lambda: req_text(v, "external_id", 100),
            "tiktok_handle": lambda: handle(v, "tiktok_handle"),
            "brand": lambda: req_text(v, "brand"),
            "name": lambda: req_text(v, "name"),
            "fee_minor": fee,
            "currency": lambda: currency(v),
            "status": lambda: enum_value(v, "status", CampaignStatus),
            "offer_received_on": lambda: day(v, "offer_received_on"),
            "respond_by": lambda: day(v, "respond_by"),
            "start_on": lambda: day(v, "start_on"),
            "end_on": lambda: day(v, "end_on"),
            "notes": lambda: text_of(v, "notes"),
        }
    )
    problems = []
    if data["start_on"] and data["end_on"] and data["end_on"] < data["start_on"]:
        problems.append(
            FieldError("end_on", f"{data['end_on']} is before start_on {data['start_on']}")
        )
    received, respond_by = data["offer_received_on"], data["respond_by"]
    if received and respond_by and respond_by < received:
        problems.append(
            FieldError("respond_by", f"{respond_by} is before offer_received_on {received}")
        )
    if problems:
        raise FieldErrors(problems)
    return data


def _write_campaigns(session, rows, source, errors) -> Counter:  # noqa: ANN001
    counter = Counter()
    ids = _creator_ids(session, rows, source, errors)
    brands = {
        b.name: b.id
        for b in _by_key(session, Brand, Brand.name, [d["brand"] for _, d in rows]).values()
    }
    for row, data in rows:
        if data["brand"] not in brands:
            errors.append(RowError(source, row.number, "brand", f"unknown brand {data['brand']!r}"))
    if errors:
        return counter
    existing = _by_key(session, Campaign, Campaign.external_id, [d["external_id"] for _, d in rows])
    now = utcnow()
    actor = f"import:{source}"
    created: list[Campaign] = []
    for _row, data in rows:
        data["creator_id"] = ids[data.pop("tiktok_handle")]
        data["brand_id"] = brands[data.pop("brand")]
        campaign = existing.get(data["external_id"])
        if campaign is None:
            campaign = Campaign(**data, created_at=now, updated_at=now)
            session.add(campaign)
            created.append(campaign)
            counter.new += 1
        elif _changed(campaign, data):
            before = _campaign_state(campaign)
            terms_changed = any(
                getattr(campaign, k) != data[k] for k in ("fee_minor", "currency", "respond_by")
            )
            _apply(campaign, data)
            campaign.updated_at = now
            if terms_changed:
                _add_brand_version(session, campaign, actor)
            audit.record(
                session,
                actor,
                "campaign",
                campaign.id,
                "updated by import",
                before,
                _campaign_state(campaign),
            )
            counter.updated += 1
        else:
            counter.unchanged += 1
    session.flush()
    for campaign in created:
        _add_brand_version(session, campaign, actor)
        audit.record(
            session,
            actor,
            "campaign",
            campaign.id,
            f"imported as {campaign.status.value}",
            None,
            _campaign_state(campaign),
        )
    return counter


def _campaign_state(campaign: Campaign) -> dict[str, Any]:
    return {
        "status": campaign.status.value,
        "fee_minor": campaign.fee_minor,
        "currency": campaign.currency,
        "respond_by": campaign.respond_by,
    }


def _add_brand_version(session: Session, campaign: Campaign, actor: str) -> None:
    """An imported campaign's terms are the brand's: a new offer version records them."""
    last = session.execute(
        sa.select(sa.func.max(Offer.version)).where(Offer.campaign_id == campaign.id)
    ).scalar()
    session.add(
        Offer(
            campaign_id=campaign.id,
            version=(last or 0) + 1,
            proposed_by=Party.BRAND,
            fee_minor=campaign.fee_minor,
            currency=campaign.currency,
            respond_by=campaign.respond_by,
            created_by=actor,
        )
    )


SPECS: dict[str, KindSpec] = {
    "creators": KindSpec(
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
        required=("name", "tiktok_handle"),
        parse=_parse_creator,
        write=_write_creators,
        check_rows=lambda rows, source: _duplicates(
            rows, source, lambda d: d["tiktok_handle"], "tiktok_handle"
        ),
    ),
    "metrics": KindSpec(
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
        check_rows=lambda rows, source: _duplicates(
            rows, source, lambda d: (d["tiktok_handle"], d["captured_on"]), "captured_on"
        ),
    ),
    "demographics": KindSpec(
        columns=("tiktok_handle", "captured_on", "dimension", "bucket", "share"),
        required=("tiktok_handle", "captured_on", "dimension", "bucket", "share"),
        parse=_parse_demographic,
        write=_write_demographics,
        check_rows=_check_demographics,
    ),
    "rates": KindSpec(
        columns=("tiktok_handle", "deliverable", "amount", "currency", "updated_on"),
        required=("tiktok_handle", "deliverable", "amount", "currency"),
        parse=_parse_rate,
        write=_write_rates,
        check_rows=lambda rows, source: _duplicates(
            rows, source, lambda d: (d["tiktok_handle"], d["deliverable"]), "deliverable"
        ),
    ),
    "brands": KindSpec(
        columns=("name", "contact_name", "email", "website", "notes", "target"),
        required=("name",),
        parse=_parse_brand,
        write=_write_brands,
        check_rows=lambda rows, source: _duplicates(rows, source, lambda d: d["name"], "name"),
    ),
    "campaigns": KindSpec(
        columns=(
            "external_id",
            "tiktok_handle",
            "brand",
            "name",
            "fee",
            "currency",
            "status",
            "offer_received_on",
            "respond_by",
            "start_on",
            "end_on",
            "notes",
        ),
        required=("external_id", "tiktok_handle", "brand", "name", "fee", "currency", "status"),
        parse=_parse_campaign,
        write=_write_campaigns,
        check_rows=lambda rows, source: _duplicates(
            rows, source, lambda d: d["external_id"], "external_id"
        ),
    ),
}


# --- the driver ---------------------------------------------------------------------------


def _check_columns(spec: KindSpec, rows: list[SourceRow], source: str) -> list[RowError]:
    """Unknown and missing columns: from the CSV header (even with no rows after it), else
    from the keys the rows use (JSON), each reported on the first row that shows it."""
    columns: tuple[str, ...] | None = getattr(rows, "columns", None)
    first_seen: dict[str, int] = {}
    if columns is not None:
        header_row = getattr(rows, "header_row", 1)
        first_seen = dict.fromkeys(columns, header_row)
    elif rows:
        header_row = rows[0].number
        for row in rows:
            for name in row.values:
                first_seen.setdefault(name, row.number)
    else:
        return []
    errors = []
    unknown = [name for name in first_seen if name not in spec.columns]
    if unknown:
        message = f"unknown column(s): {', '.join(sorted(unknown))}"
        errors.append(RowError(source, first_seen[unknown[0]], unknown[0], message))
    errors.extend(
        RowError(source, header_row, name, "missing column")
        for name in spec.required
        if name not in first_seen
    )
    return errors


def _check(
    kind: str, rows: list[SourceRow], source: str, progress: ProgressCallback | None = None
) -> tuple[list[tuple[SourceRow, dict[str, Any]]], list[RowError]]:
    """Parse every row: the clean ones, and every problem found in the others."""
    spec = _spec(kind)
    errors = _check_columns(spec, rows, source)
    if errors:
        return [], errors
    clean: list[tuple[SourceRow, dict[str, Any]]] = []
    total = len(rows)
    for index, row in enumerate(rows, start=1):
        if row.problem is not None:
            errors.append(RowError(source, row.number, "row", row.problem))
            continue
        try:
            clean.append((row, spec.parse(row.values)))
        except FieldError as exc:
            errors.append(RowError(source, row.number, exc.field, exc.message))
        except FieldErrors as exc:
            errors.extend(RowError(source, row.number, e.field, e.message) for e in exc.errors)
        if progress is not None and (index % 1000 == 0 or index == total):
            progress(index, total)
    if spec.check_rows is not None:
        errors.extend(spec.check_rows(clean, source))
    return clean, errors


def validate(
    kind: str, rows: list[SourceRow], source: str, progress: ProgressCallback | None = None
) -> list[tuple[SourceRow, dict[str, Any]]]:
    """Parse every row; raise ImportFailed listing every problem, or return the clean rows."""
    clean, errors = _check(kind, rows, source, progress)
    if errors:
        raise ImportFailed(source, sorted(errors, key=lambda e: e.row))
    return clean


def import_rows(
    session: Session,
    kind: str,
    rows: list[SourceRow],
    source: str,
    progress: ProgressCallback | None = None,
) -> ImportReport:
    """Validate and write `rows` in the caller's transaction. Raises ImportFailed on any error,
    listing the bad fields and the bad references (unknown creator, brand) together; the
    caller's transaction must then be rolled back."""
    spec = _spec(kind)
    clean, errors = _check(kind, rows, source, progress)
    counter = Counter()
    if clean and not errors:
        counter = spec.write(session, clean, source, errors)
    elif clean:
        # Rows already failed; still look up the clean ones so unknown creators and brands are
        # reported in the same run. Duplicates among them may clash: that is reported already.
        try:
            with session.begin_nested():
                spec.write(session, clean, source, errors)
        except sa.exc.IntegrityError:
            pass
    if errors:
        raise ImportFailed(source, sorted(errors, key=lambda e: e.row))
    session.flush()
    return ImportReport(
        kind=kind,
        source=source,
        rows=len(rows),
        new=counter.new,
        updated=counter.updated,
        unchanged=counter.unchanged,
    )


def import_file(
    database: Any,
    kind: str,
    path: Path,
    *,
    fmt: str | None = None,
    dry_run: bool = False,
    progress: ProgressCallback | None = None,
) -> ImportReport:
    """Import one file in one transaction; a dry run validates and counts, then rolls back."""
    return import_source(database, kind, read_rows(path, fmt), path.name, dry_run, progress)


def import_source(
    database: Any,
    kind: str,
    rows: list[SourceRow],
    source: str,
    dry_run: bool = False,
    progress: ProgressCallback | None = None,
) -> ImportReport:
    """Import rows already read, in one transaction (rolled back for a dry run)."""
    with database.writer() as session:
        transaction = session.begin()
        try:
            report = import_rows(session, kind, rows, source, progress)
        except BaseException:
            transaction.rollback()
            raise
        report.dry_run = dry_run
        if dry_run:
            transaction.rollback()
        else:
            transaction.commit()
    if not dry_run and report.new + report.updated >= ANALYZE_AFTER:
        refresh_statistics(database)
    return report


ANALYZE_AFTER = 1_000  # rows; below this the planner's statistics are still good enough


def refresh_statistics(database: Any) -> None:
    """Let SQLite's planner see the new shape of the data (which index narrows a search)."""
    if database.engine.dialect.name == "sqlite":
        with database.engine.begin() as connection:
            connection.exec_driver_sql("ANALYZE")


def _spec(kind: str) -> KindSpec:
    try:
        return SPECS[kind]
    except KeyError:
        raise ValueError(f"unknown import kind {kind!r} (one of: {', '.join(KINDS)})") from None
