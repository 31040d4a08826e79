"""The machinery every import kind shares: errors as file:row:field, reading CSV and JSON into
numbered rows, column checks, validation that collects every problem, and the driver that
writes one file in one transaction (all or nothing).

A kind (one module next to this one) supplies a `KindSpec`: its columns, a row parser built
from the field rules in `talent_tui.core.fields`, and a writer.
"""

from __future__ import annotations

import csv
import enum
import io
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from talent_tui.core import cells, fields
from talent_tui.core.errors import DomainError
from talent_tui.core.fields import FieldError, FieldErrors, enum_value
from talent_tui.store.models import Creator, Dimension

KINDS = ("creators", "metrics", "demographics", "rates", "brands", "campaigns")
MAX_REPORTED_ERRORS = 50
MAX_REPORTED_CHANGES = 50  # updated rows whose field changes the report lists
SHARE_TOLERANCE = fields.SHARE_TOLERANCE

ProgressCallback = Callable[[int, int], None]
ParsedRows = list[tuple["SourceRow", dict[str, Any]]]


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


@dataclass(frozen=True, slots=True)
class FieldChange:
    """One field of an updated row: its column name and its value before and after, as text."""

    field: str
    before: str
    after: str

    def __str__(self) -> str:
        return f"{self.field}: {self.before} → {self.after}"

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "before": self.before, "after": self.after}


@dataclass(frozen=True, slots=True)
class RowChanges:
    """What an import changed in one stored row, named by the row's key (handle, id, name)."""

    row: int
    key: str
    fields: tuple[FieldChange, ...]

    def __str__(self) -> str:
        return f"{self.key}: " + "; ".join(str(f) for f in self.fields)

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "key": self.key, "fields": [f.as_dict() for f in self.fields]}


@dataclass
class ImportReport:
    kind: str
    source: str
    rows: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    dry_run: bool = False
    # The first MAX_REPORTED_CHANGES updated rows and their changed fields; `changes_total`
    # counts every updated row that has them.
    changes: list[RowChanges] = field(default_factory=list)
    changes_total: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "file": self.source,
            "rows": self.rows,
            "new": self.new,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "dry_run": self.dry_run,
            "changes": [c.as_dict() for c in self.changes],
            "changes_total": self.changes_total,
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
            # Undo the exporter's spreadsheet guard ("'=1+1" is "=1+1"): core.cells.
            values = {n: cells.restore(c) for n, c in zip(header, record, strict=False) if n}
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
    except RecursionError:
        raise _file_error(source, "bad JSON: nested too deeply") from None
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


def shown(value: Any) -> str:
    """A stored value as the change summary writes it: empty values as "(empty)"."""
    if value is None or value == "":
        return "(empty)"
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)
    return str(value)


Shown = Callable[[Any, Any], str]  # (value, the row it belongs to, before or after) → text


@dataclass
class Counter:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    changes: list[RowChanges] = field(default_factory=list)
    changes_total: int = 0

    def changed(
        self,
        row: SourceRow,
        key: str,
        obj: Any,
        data: Mapping[str, Any],
        names: Mapping[str, str] | None = None,
        formats: Mapping[str, Shown] | None = None,
        extra: Iterable[FieldChange] = (),
    ) -> bool:
        """Compare `data` with the stored `obj` before it is applied: count the row as updated
        (noting which fields change) or unchanged. True when something changes."""
        names = names or {}
        formats = formats or {}
        after = _Merged(obj, data)
        found = [
            FieldChange(
                names.get(name, name),
                formats.get(name, _plain)(getattr(obj, name), obj),
                formats.get(name, _plain)(value, after),
            )
            for name, value in data.items()
            if getattr(obj, name) != value
        ]
        found.extend(extra)
        if not found:
            self.unchanged += 1
            return False
        self.updated += 1
        self.changes_total += 1
        if len(self.changes) < MAX_REPORTED_CHANGES:
            self.changes.append(RowChanges(row.number, key, tuple(found)))
        return True


class _Merged:
    """A stored row as it will be once `data` is applied (what an "after" value is shown
    with: a fee in the row's new currency)."""

    def __init__(self, obj: Any, data: Mapping[str, Any]):
        self._obj = obj
        self._data = data

    def __getattr__(self, name: str) -> Any:
        if name in self._data:
            return self._data[name]
        return getattr(self._obj, name)


def _plain(value: Any, _obj: Any) -> str:
    return shown(value)


def present(
    row: SourceRow, data: Mapping[str, Any], sources: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """The parsed fields whose column is in the row (a CSV header's column, a JSON object's
    key): what an import may change in a stored row. `sources` names the column a field is
    read from when the names differ (commission_bp ← commission_pct)."""
    sources = sources or {}
    return {name: value for name, value in data.items() if sources.get(name, name) in row.values}


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


def differs(obj: Any, data: Mapping[str, Any]) -> bool:
    return any(getattr(obj, key) != value for key, value in data.items())


def apply(obj: Any, data: Mapping[str, Any]) -> None:
    for key, value in data.items():
        setattr(obj, key, value)


def duplicates(
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
def by_key(session: Session, model: Any, column: Any, keys: Iterable[Any]) -> dict[Any, Any]:
    found: dict[Any, Any] = {}
    unique = list(dict.fromkeys(keys))
    for start in range(0, len(unique), 500):
        chunk = unique[start : start + 500]
        for obj in session.exec(select(model).where(col(column).in_(chunk))):
            found[getattr(obj, column.key)] = obj
    return found


def known_creators(
    session: Session, rows: list[tuple[SourceRow, dict[str, Any]]], source: str, errors: list
) -> dict[str, int]:
    handles = {data["tiktok_handle"] for _, data in rows}
    known = {
        c.tiktok_handle: c.id
        for c in by_key(session, Creator, Creator.tiktok_handle, handles).values()
    }
    for row, data in rows:
        if data["tiktok_handle"] not in known:
            errors.append(
                RowError(
                    source, row.number, "tiktok_handle", f"unknown creator {data['tiktok_handle']}"
                )
            )
    return known


def stored_for_creators(
    session: Session,
    model: Any,
    rows: ParsedRows,
    source: str,
    errors: list[RowError],
    key: Callable[[Any], Any],
) -> tuple[dict[str, int], dict[Any, Any]] | None:
    """For a kind that hangs off a creator (metrics, demographics, rates): each handle's
    creator id, and the `model` rows already stored for those creators keyed by `key(row)`.
    None when a handle names no creator (each such row is reported in `errors`)."""
    ids = known_creators(session, rows, source, errors)
    if errors:
        return None
    statement = select(model).where(col(model.creator_id).in_(set(ids.values())))
    return ids, {key(obj): obj for obj in session.exec(statement)}


def gather(parsers: Mapping[str, Callable[[], Any]]) -> dict[str, Any]:
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


def parse_segment(v: Mapping[str, Any]) -> dict[str, Any]:
    dimension = enum_value(v, "dimension", Dimension)
    name = fields.bucket(v, "bucket", dimension.value)
    share = fields.fraction(v, "share", required=True)
    return {"dimension": dimension, "bucket": name, "share": share}


def check_shares(rows, source: str, group_key: Callable[[dict], Any]) -> list[RowError]:  # noqa: ANN001
    groups: dict[Any, list[tuple[SourceRow, dict]]] = defaultdict(list)
    for row, data in rows:
        groups[group_key(data)].append((row, data))
    errors = []
    for members in groups.values():
        total = sum(data["share"] for _, data in members)
        if not fields.shares_sum_to_one(total):
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
    spec = spec_of(kind)
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
    spec = spec_of(kind)
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
        changes=counter.changes,
        changes_total=counter.changes_total,
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


# Filled by the kind modules as they are imported (see the package's __init__), in KINDS order.
SPECS: dict[str, KindSpec] = {}


def register(kind: str, spec: KindSpec) -> None:
    if kind not in KINDS:
        raise ValueError(f"{kind!r} is not one of the import kinds {KINDS}")
    SPECS[kind] = spec


def spec_of(kind: str) -> KindSpec:
    try:
        return SPECS[kind]
    except KeyError:
        raise ValueError(f"unknown import kind {kind!r} (one of: {', '.join(KINDS)})") from None
