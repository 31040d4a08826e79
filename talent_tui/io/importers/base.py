"""The machinery every import kind shares: errors as file:row:field, reading CSV and JSON into
numbered rows, column checks, validation that collects every problem, and the driver that
writes one file in one transaction (all or nothing).

A kind (one module next to this one) supplies a `KindSpec`: its columns, a row parser built
from the field rules in `talent_tui.core.fields`, and a writer.

Streaming: a CSV file is read, decoded (UTF-8, with or without a BOM) and parsed as it is
imported, BATCH_ROWS rows at a time: each batch is parsed, checked and written inside the
one transaction the import is, so a bad row anywhere (row 900,000 too) still leaves nothing
written, and a dry run still rolls everything back. What is kept for the whole file is
bounded per row at most by a small lookup entry (the keys the whole-file checks have seen):
the first MAX_KEPT_ERRORS problems and the first MAX_REPORTED_CHANGES changed rows are kept
in detail, the rest only counted. A 1,000,000-row creators CSV imports in well under 400 MB.

`KindSpec.check_rows` is called once per batch with a `Batch`, whose `state` lives for the
whole file: the shared checks (`duplicates`, `check_shares`) keep what they have seen there,
so a duplicate in a later batch, or a group's shares split over batches, is still found.

Refused before anything is read: a path that is not a regular file (a directory, /dev/zero,
a pipe) and a CSV file with no line break in its first LINE_PROBE_BYTES (binary data); later,
a line longer than MAX_LINE_CHARS is refused before it is read whole.

JSON is parsed whole by the standard library, so a JSON file is limited to MAX_JSON_BYTES
(64 MB, about 200,000 creators); a larger one is refused with the advice to use CSV.
"""

from __future__ import annotations

import contextlib
import csv
import enum
import io
import itertools
import json
import sqlite3
import stat
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any, BinaryIO, NamedTuple

import sqlalchemy as sa
from sqlmodel import Session, col, select

from talent_tui.core import cells, fields
from talent_tui.core.errors import DomainError
from talent_tui.core.fields import FieldError, FieldErrors, enum_value
from talent_tui.store.models import Creator, Dimension

KINDS = ("creators", "metrics", "demographics", "rates", "brands", "campaigns")
MAX_REPORTED_ERRORS = 50
MAX_REPORTED_CHANGES = 1_000  # updated rows whose field changes the report lists
MAX_KEPT_ERRORS = 1_000  # problems kept in detail (the first, by row); the rest are counted
BATCH_ROWS = 5_000  # rows parsed, checked and written at a time
LINE_PROBE_BYTES = 1 << 20  # a CSV file needs a line break within its first megabyte
MAX_LINE_CHARS = 1 << 20  # and no line longer than this anywhere
MAX_JSON_BYTES = 64 << 20  # JSON is parsed whole: larger files are refused (use CSV)
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
    """Validation failed; nothing was written. `errors` holds the problems found (the first
    MAX_KEPT_ERRORS by row) and `total` counts them all."""

    def __init__(self, source: str, errors: list[RowError], total: int | None = None):
        self.source = source
        self.errors = errors
        self.total = len(errors) if total is None else total
        shown = "\n".join(str(e) for e in errors[:MAX_REPORTED_ERRORS])
        more = self.total - min(len(errors), MAX_REPORTED_ERRORS)
        tail = f"\n… and {more} more" if more > 0 else ""
        super().__init__(f"{self.total} error(s) in {source}; nothing was imported\n{shown}{tail}")


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
    # What else the import did to rows, counted by a kind's own key (the conversions kind:
    # orders held for review, late changes kept as adjustments); empty for most imports.
    notes: dict[str, int] = field(default_factory=dict)

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
            "notes": dict(self.notes),
        }


# --- reading files ------------------------------------------------------------------------


class SourceRow(NamedTuple):
    """One row of a file. A named tuple, not a dataclass: one is made per row of every import,
    and a frozen dataclass's construction costs three times as much (0.06 s a 100,000 rows)."""

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


def _megabytes(size: int) -> str:
    return f"{size / (1 << 20):,.0f} MB"


@contextmanager
def _open_regular(path: Path, fmt: str) -> Iterator[tuple[BinaryIO, int]]:
    """The file opened for reading, with its size: refused, before anything is read, when it is
    not a regular file (a directory, a device such as /dev/zero, a pipe), a JSON file over
    MAX_JSON_BYTES, or a CSV file with no line break in its first LINE_PROBE_BYTES."""
    source = path.name
    try:
        info = path.stat()
    except OSError as exc:
        raise _file_error(source, exc.strerror or str(exc)) from None
    if stat.S_ISDIR(info.st_mode):
        raise _file_error(source, "is a directory, not a file")
    if not stat.S_ISREG(info.st_mode):
        raise _file_error(
            source, "not a regular file (a device, pipe or socket); save the data to a file first"
        )
    if fmt == "json" and info.st_size > MAX_JSON_BYTES:
        raise _file_error(
            source,
            f"{_megabytes(info.st_size)} of JSON is over the {_megabytes(MAX_JSON_BYTES)} limit "
            "(JSON is read whole); export it as CSV, which is read row by row",
        )
    try:
        binary = path.open("rb")
    except OSError as exc:
        raise _file_error(source, exc.strerror or str(exc)) from None
    with binary:
        if fmt == "csv":
            try:
                head = binary.read(LINE_PROBE_BYTES + 1)
            except OSError as exc:
                raise _file_error(source, exc.strerror or str(exc)) from None
            probe = head[:LINE_PROBE_BYTES]
            if len(head) > LINE_PROBE_BYTES and b"\n" not in probe and b"\r" not in probe:
                raise _file_error(
                    source,
                    f"no line break in its first {_megabytes(LINE_PROBE_BYTES)}: "
                    "not a CSV file (binary data?)",
                )
            binary.seek(0)
        yield binary, info.st_size


def read_rows(path: Path, fmt: str | None = None) -> SourceRows:
    """Numbered rows from a CSV (UTF-8 with or without BOM, any newline) or a JSON list, all
    in memory (for small files such as the demo's; `import_file` streams a CSV instead)."""
    fmt = detect_format(path, fmt)
    if fmt == "json":
        return _read_json(path)
    with _open_regular(path, fmt) as (binary, _size):
        rows = CsvRows(path.name, _text(binary))
        return SourceRows(rows, rows.columns, rows.header_row)


def _text(binary: BinaryIO) -> io.TextIOWrapper:
    """Text decoded as it is read: UTF-8, with or without a BOM; csv handles the newlines."""
    return io.TextIOWrapper(binary, encoding="utf-8-sig", newline="")


def _read_json(path: Path) -> SourceRows:
    with _open_regular(path, "json") as (binary, _size):
        try:
            raw = binary.read()
        except OSError as exc:
            raise _file_error(path.name, exc.strerror or str(exc)) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _file_error(path.name, f"not UTF-8 text ({exc.reason})") from None
    del raw
    return _json_rows(path.name, text)


class CsvRows:
    """A CSV file's rows, read and decoded as they are iterated: the header is read at once
    (so columns are checked before any row), each later record when asked for. Rows are keyed
    by the header's (lower-cased) names; a row whose number of cells differs from the header's
    comes with a `problem`, so validation reports it with the others."""

    def __init__(self, source: str, stream: IO[str]):
        self.source = source
        self._reader = csv.reader(_bounded_lines(source, stream))
        self._line = 1  # the line the next record starts on
        header: list[str] | None = None
        for start, record in self._records():
            header = [name.strip().lower() for name in record]
            self.header_row = start
            break
        if header is None:
            raise _file_error(source, "empty file: no header row")
        first: dict[str, int] = {}
        for index, name in enumerate(header, start=1):
            if name and name in first:
                raise ImportFailed(
                    source,
                    [
                        RowError(
                            source,
                            self.header_row,
                            name,
                            f"duplicate column {name!r} (columns {first[name]} and {index})",
                        )
                    ],
                )
            first.setdefault(name, index)
        self._header = header
        self.columns = tuple(name for name in header if name)

    def _records(self) -> Iterator[tuple[int, list[str]]]:
        """Non-blank records with the line each starts on; bad CSV and bad UTF-8 refused."""
        reader = self._reader
        try:
            for record in reader:
                start, self._line = self._line, reader.line_num + 1
                if not _blank(record):
                    yield start, record
        except csv.Error as exc:
            raise self._bad_csv(exc) from None
        except UnicodeDecodeError as exc:
            raise self._not_utf8(exc) from None

    def _bad_csv(self, exc: csv.Error) -> ImportFailed:
        return ImportFailed(
            self.source, [RowError(self.source, self._line, "file", f"bad CSV: {exc}")]
        )

    def _not_utf8(self, exc: UnicodeDecodeError) -> ImportFailed:
        near = f" near line {self._line}" if self._line > 1 else ""
        return _file_error(self.source, f"not UTF-8 text ({exc.reason}){near}")

    def __iter__(self) -> Iterator[SourceRow]:
        """The rows after the header: `_records` and the making of each row in one loop (this
        runs once per row of every CSV import; a generator less is 0.03 s a 100,000 rows)."""
        header = self._header
        width = len(header)
        restore, quote = cells.restore, cells.QUOTE
        named = all(header)  # every column has a name: a row's dict is zip's
        reader = self._reader
        try:
            for record in reader:
                start, self._line = self._line, reader.line_num + 1
                if (not record or not record[0].strip()) and _blank(record):
                    continue
                # Undo the exporter's spreadsheet guard ("'=1+1" is "=1+1"): core.cells. Only
                # a cell that starts with the guard's quote can have it, so a record with no
                # quote in any cell (one look at the joined text) is taken as it is.
                if named and quote not in "".join(record):
                    values = dict(zip(header, record, strict=False))
                else:
                    values = {
                        n: restore(c) if c[:1] == quote else c
                        for n, c in zip(header, record, strict=False)
                        if n
                    }
                if len(record) == width:
                    yield SourceRow(start, values)
                else:
                    yield SourceRow(start, values, f"{len(record)} cells, header has {width}")
        except csv.Error as exc:
            raise self._bad_csv(exc) from None
        except UnicodeDecodeError as exc:
            raise self._not_utf8(exc) from None


def _blank(record: list[str]) -> bool:
    """A record with no cell but spaces (the first cell's look settles most)."""
    return not record or (not record[0].strip() and all(not cell.strip() for cell in record))


def _bounded_lines(source: str, stream: IO[str]) -> Iterator[str]:
    """The stream's lines, refusing one longer than MAX_LINE_CHARS (binary data past the first
    megabyte) before it is read whole: no line of a CSV file comes near it."""
    number = 0
    while True:
        try:
            line = stream.readline(MAX_LINE_CHARS + 1)
        except OSError as exc:
            raise _file_error(source, exc.strerror or str(exc)) from None
        if not line:
            return
        number += 1
        if len(line) > MAX_LINE_CHARS:
            raise ImportFailed(
                source,
                [
                    RowError(
                        source,
                        number,
                        "file",
                        f"line longer than {MAX_LINE_CHARS:,} characters: not a CSV file",
                    )
                ],
            )
        yield line


def csv_rows(source: str, text: str) -> SourceRows:
    """All rows of CSV `text` (see `CsvRows`)."""
    rows = CsvRows(source, io.StringIO(text, newline=""))
    return SourceRows(rows, rows.columns, rows.header_row)


class _JsonObject(dict[str, Any]):
    """A JSON object that remembers a key it was given twice (json keeps only the last)."""

    twice: str | None = None


class JsonNumber(float):
    """A JSON number with a fraction or an exponent: a float that reads as it was written
    (`str` gives "1e3", not "1000.0"), so a cell is judged on its text as in a CSV file
    (money refuses an exponent; a count takes 12.0 as 12)."""

    text: str

    def __new__(cls, text: str) -> JsonNumber:
        number = super().__new__(cls, text)
        number.text = text
        return number

    def __str__(self) -> str:
        return self.text


def _json_object(pairs: list[tuple[str, Any]]) -> _JsonObject:
    result = _JsonObject()
    for key, value in pairs:
        if key in result and result.twice is None:
            result.twice = key
        result[key] = value
    return result


def _json_rows(source: str, text: str) -> SourceRows:
    if not text.strip():
        raise _file_error(source, "empty file: expected a JSON list of objects")
    try:
        data = json.loads(text, object_pairs_hook=_json_object, parse_float=JsonNumber)
    except json.JSONDecodeError as exc:
        raise ImportFailed(
            source, [RowError(source, exc.lineno, "file", f"bad JSON: {exc.msg}")]
        ) from None
    except RecursionError:
        raise _file_error(source, "bad JSON: nested too deeply") from None
    except ValueError:  # an integer literal of more digits than Python converts (4,300)
        raise _file_error(source, "bad JSON: a number with thousands of digits") from None
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
        if isinstance(item, _JsonObject) and item.twice is not None:
            name = item.twice.strip().lower()
            raise ImportFailed(
                source, [RowError(source, index, name, f"duplicate key {item.twice!r}")]
            )
        values: dict[str, Any] = {}
        for key, value in item.items():
            name = str(key).strip().lower()
            if name in values:
                raise ImportFailed(
                    source, [RowError(source, index, name, f"duplicate key {name!r}")]
                )
            values[name] = value
        rows.append(SourceRow(index, values))
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
    notes: dict[str, int] = field(default_factory=dict)  # ImportReport.notes

    def note(self, key: str, count: int = 1) -> None:
        """Count `count` rows under `key` in the report's notes."""
        if count:
            self.notes[key] = self.notes.get(key, 0) + count

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

    def add(self, other: Counter) -> None:
        """Count another batch's rows in."""
        self.new += other.new
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.changes_total += other.changes_total
        for key, count in other.notes.items():
            self.note(key, count)
        room = MAX_REPORTED_CHANGES - len(self.changes)
        if room > 0:
            self.changes.extend(other.changes[:room])


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
    # Entered around writing the whole file, inside its transaction (and outside any
    # savepoint): the creators kind fills the search index once here (store.search_index).
    bulk: Callable[[Session], AbstractContextManager[Any]] | None = None
    # Called before the import's own use of the session between writes (a savepoint, the
    # final flush): a writer that leaves work running on the connection (the conversions
    # kind's store.bulk.MovingInserts) waits for it here.
    settle: Callable[[], None] | None = None


def differs(obj: Any, data: Mapping[str, Any]) -> bool:
    return any(getattr(obj, key) != value for key, value in data.items())


def apply(obj: Any, data: Mapping[str, Any]) -> None:
    for key, value in data.items():
        setattr(obj, key, value)


class CheckState:
    """What the whole-file checks remember from one batch of a file to the next: `memo` holds
    their lookups (keys seen, running sums), `finishers` what they report once every row has
    been seen."""

    def __init__(self) -> None:
        self.memo: dict[Any, Any] = {}
        self.finishers: dict[Any, Callable[[], list[RowError]]] = {}

    def finish(self) -> list[RowError]:
        return [error for report in self.finishers.values() for error in report()]


class Batch(list[tuple[SourceRow, dict[str, Any]]]):
    """One batch of parsed rows, as `KindSpec.check_rows` is given it while a file streams,
    with the file's `CheckState`."""

    def __init__(self, rows: Iterable[tuple[SourceRow, dict[str, Any]]], state: CheckState):
        super().__init__(rows)
        self.state = state


def _memo(rows: Any, key: Any, make: Callable[[], Any]) -> Any:
    """The file-wide memo entry `key` when `rows` is a streamed `Batch`, else a fresh one."""
    state = getattr(rows, "state", None)
    if state is None:
        return make()
    if key not in state.memo:
        state.memo[key] = make()
    return state.memo[key]


def duplicates(
    rows: list[tuple[SourceRow, dict[str, Any]]], source: str, key: Callable[[dict], Any], name: str
) -> list[RowError]:
    """A row whose key an earlier row of the file has (in an earlier batch too)."""
    seen: dict[Any, int] = _memo(rows, ("duplicates", name), dict)
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
    size = _in_list_size(session)
    for start in range(0, len(unique), size):
        chunk = unique[start : start + size]
        for obj in session.exec(select(model).where(col(column).in_(chunk))):
            found[getattr(obj, column.key)] = obj
    return found


def _in_list_size(session: Session) -> int:
    """How many keys one `IN (…)` lists: a batch's worth when SQLite allows that many bound
    values (32,766 since 3.32), else 500 (older SQLite allows 999; other databases)."""
    raw = session.connection().connection.driver_connection
    getlimit = getattr(raw, "getlimit", None)  # sqlite3, Python 3.11+
    if getlimit is None:
        return 500
    try:
        limit = int(getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER))
    except sqlite3.Error:
        return 500
    return max(500, min(BATCH_ROWS, limit - 100))


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


def insert_many(connection: sa.Connection, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    """Insert `rows` (dicts with the same keys, each a column of `table`) in one executemany
    of plain tuples: each column's bind processor (a UTC datetime's conversion, …) runs once
    per value, and once per run of the same object (every new row's `now`), instead of
    SQLAlchemy's per-row parameter handling (a third of a bulk insert's time). A column left
    out is stored as its constant default, else NULL (or the database's default); one with a
    computed default must be given."""
    if not rows:
        return
    dialect = connection.dialect
    if dialect.paramstyle != "qmark":  # SQLite's; another driver goes SQLAlchemy's way
        connection.execute(table.insert(), rows)
        return
    keys = list(rows[0])
    # A column left out with a constant default (open_deals = 0) gets it; a computed default
    # (a timestamp, …) must be given by the caller.
    constants = {
        c.name: c.default.arg
        for c in table.c
        if c.name not in keys and c.default is not None and c.default.is_scalar
    }
    missing = [
        c.name
        for c in table.c
        if c.name not in keys and c.default is not None and c.name not in constants
    ]
    if missing:
        raise ValueError(f"insert_many into {table.name}: no value for {', '.join(missing)}")
    if constants:
        rows = [{**row, **constants} for row in rows]
        keys = list(rows[0])
    converters = [
        (index, _same_object_once(process))
        for index, key in enumerate(keys)
        if (process := table.c[key].type.dialect_impl(dialect).bind_processor(dialect)) is not None
    ]
    width = len(keys)
    params = []
    for row in rows:
        if len(row) != width:
            raise ValueError("insert_many: every row needs the same keys")
        values = [row[key] for key in keys]
        for index, convert in converters:
            values[index] = convert(values[index])
        params.append(tuple(values))
    quote = dialect.identifier_preparer.quote
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        quote(table.name), ", ".join(map(quote, keys)), ", ".join("?" * width)
    )
    connection.exec_driver_sql(sql, params)


def _same_object_once(process: Callable[[Any], Any]) -> Callable[[Any], Any]:
    last: list[Any] = [object(), None]

    def convert(value: Any) -> Any:
        if value is not last[0]:
            last[0], last[1] = value, process(value)
        return last[1]

    return convert


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
    """Each group's shares sum to one. For a streamed file the sums run over every batch and
    are reported once the whole file has been read."""
    # group → [its first row's number, that row's dimension, the running sum of shares]
    groups: dict[Any, list[Any]] = _memo(rows, ("shares",), dict)
    for row, data in rows:
        entry = groups.get(group_key(data))
        if entry is None:
            groups[group_key(data)] = [row.number, data["dimension"].value, data["share"]]
        else:
            entry[2] += data["share"]

    def report() -> list[RowError]:
        return [
            RowError(
                source, number, "share", f"{dimension} shares sum to {total:.3f}, expected 1.0"
            )
            for number, dimension, total in groups.values()
            if not fields.shares_sum_to_one(total)
        ]

    state = getattr(rows, "state", None)
    if state is None:
        return report()
    state.finishers[("shares",)] = report
    return []


# --- the driver ---------------------------------------------------------------------------


def _check_columns(spec: KindSpec, rows: Iterable[SourceRow], source: str) -> list[RowError]:
    """Unknown and missing columns: from the CSV header (even with no rows after it), else
    from the keys the rows use (JSON, in memory), each reported on the first row that shows
    it."""
    columns: tuple[str, ...] | None = getattr(rows, "columns", None)
    first_seen: dict[str, int] = {}
    if columns is not None:
        header_row = getattr(rows, "header_row", 1)
        first_seen = dict.fromkeys(columns, header_row)
    else:
        listed = rows if isinstance(rows, list) else list(rows)
        if not listed:
            return []
        header_row = listed[0].number
        for row in listed:
            for name in row.values:
                first_seen.setdefault(name, row.number)
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


class _Problems:
    """Every problem counted; the first MAX_KEPT_ERRORS by row kept (memory stays bounded
    however many rows are bad)."""

    def __init__(self) -> None:
        self.kept: list[RowError] = []
        self.total = 0

    def extend(self, errors: Iterable[RowError]) -> None:
        for error in errors:
            self.total += 1
            self.kept.append(error)
        if len(self.kept) > 2 * MAX_KEPT_ERRORS:
            self._trim()

    def _trim(self) -> None:
        self.kept.sort(key=lambda e: e.row)
        del self.kept[MAX_KEPT_ERRORS:]

    def failure(self, source: str) -> ImportFailed:
        self._trim()
        return ImportFailed(source, self.kept, self.total)


def _parse(
    spec: KindSpec, rows: list[SourceRow], source: str
) -> tuple[list[tuple[SourceRow, dict[str, Any]]], list[RowError]]:
    """Parse a batch: the clean rows, and every problem found in the others."""
    clean: list[tuple[SourceRow, dict[str, Any]]] = []
    errors: list[RowError] = []
    for row in rows:
        if row.problem is not None:
            errors.append(RowError(source, row.number, "row", row.problem))
            continue
        try:
            clean.append((row, spec.parse(row.values)))
        except FieldError as exc:
            errors.append(RowError(source, row.number, exc.field, exc.message))
        except FieldErrors as exc:
            errors.extend(RowError(source, row.number, e.field, e.message) for e in exc.errors)
    return clean, errors


# Stands in the list a writer is given once the import is known to fail: the kinds then only
# look up references (unknown creators, brands), so those are reported in the same run.
_FAILING = RowError("", 0, "", "")


def _batches(rows: Iterable[SourceRow]) -> Iterator[list[SourceRow]]:
    iterator = iter(rows)
    while batch := list(itertools.islice(iterator, BATCH_ROWS)):
        yield batch


def _stream(
    session: Session,
    kind: str,
    rows: Iterable[SourceRow],
    source: str,
    done: Callable[[int], None] | None = None,
    spec: KindSpec | None = None,
) -> ImportReport:
    """Validate and write `rows` batch by batch in the caller's transaction; `done(n)` after
    each batch. Raises ImportFailed when any row is bad, after reading them all, so every
    problem is reported at once; the caller must then roll its transaction back. `spec`
    stands in for the kind's registered one (a kind whose columns depend on a program)."""
    spec = spec if spec is not None else spec_of(kind)
    problems = _Problems()
    problems.extend(_check_columns(spec, rows, source))
    if problems.total:
        raise problems.failure(source)
    state = CheckState()
    counter = Counter()
    count = 0
    bulk = spec.bulk(session) if spec.bulk is not None else contextlib.nullcontext()
    with bulk:
        for batch in _batches(rows):
            count += len(batch)
            clean, found = _parse(spec, batch, source)
            if spec.check_rows is not None:
                checked = spec.check_rows(Batch(clean, state), source)
                if checked:
                    bad = {error.row for error in checked}
                    clean = [item for item in clean if item[0].number not in bad]
                    found.extend(checked)
            if clean and not problems.total and not found:
                counter.add(spec.write(session, clean, source, found))
            elif clean:
                # Rows already failed: look up the clean ones only (unknown creators, brands),
                # in a savepoint; what the writer may still write is rolled back with the rest.
                sink = found or [_FAILING]
                mark = len(sink)
                if spec.settle is not None:
                    spec.settle()
                try:
                    with session.begin_nested():
                        spec.write(session, clean, source, sink)
                except sa.exc.IntegrityError:
                    pass
                found.extend(sink[mark:] if sink is not found else ())
            problems.extend(found)
            del batch, clean, found
            if done is not None:
                done(count)
        if spec.settle is not None:
            spec.settle()
        problems.extend(state.finish())
        if problems.total:
            raise problems.failure(source)
        session.flush()
    return ImportReport(
        kind=kind,
        source=source,
        rows=count,
        new=counter.new,
        updated=counter.updated,
        unchanged=counter.unchanged,
        changes=counter.changes,
        changes_total=counter.changes_total,
        notes=counter.notes,
    )


def validate(
    kind: str, rows: list[SourceRow], source: str, progress: ProgressCallback | None = None
) -> list[tuple[SourceRow, dict[str, Any]]]:
    """Parse every row (in memory) and run the kind's whole-file checks; raise ImportFailed
    listing every problem, or return the clean rows. Nothing is looked up or written."""
    spec = spec_of(kind)
    problems = _Problems()
    problems.extend(_check_columns(spec, rows, source))
    if problems.total:
        raise problems.failure(source)
    clean, errors = _parse(spec, list(rows), source)
    problems.extend(errors)
    if spec.check_rows is not None:
        problems.extend(spec.check_rows(clean, source))
    if progress is not None:
        progress(len(rows), len(rows))
    if problems.total:
        raise problems.failure(source)
    return clean


def import_rows(
    session: Session,
    kind: str,
    rows: list[SourceRow],
    source: str,
    progress: ProgressCallback | None = None,
    spec: KindSpec | None = None,
) -> ImportReport:
    """Validate and write `rows` in the caller's transaction. Raises ImportFailed on any error,
    listing the bad fields and the bad references (unknown creator, brand) together; the
    caller's transaction must then be rolled back. `progress(rows done, rows)`."""
    total = len(rows)
    done = None if progress is None else (lambda n: progress(n, total))
    return _stream(session, kind, rows, source, done, spec)


def import_file(
    database: Any,
    kind: str,
    path: Path,
    *,
    fmt: str | None = None,
    dry_run: bool = False,
    progress: ProgressCallback | None = None,
    spec: KindSpec | None = None,
    rename: Mapping[str, str] | None = None,
) -> ImportReport:
    """Import one file in one transaction; a dry run validates and counts, then rolls back.
    A CSV file is read as it is imported, so memory stays bounded at any size;
    `progress(bytes read, file size)` after each batch of rows. `spec` replaces the kind's
    registered spec; `rename` maps the file's column names (lower case) to the kind's."""
    fmt = detect_format(path, fmt)
    if fmt == "json":
        rows = _read_json(path)
        if rename:
            rows = SourceRows(Renamed(rows, rename, (spec or spec_of(kind)).columns), None)
        return import_source(database, kind, rows, path.name, dry_run, progress, spec)
    with _open_regular(path, fmt) as (binary, size):
        stream = _text(binary)
        rows_: CsvRows | Renamed = CsvRows(path.name, stream)
        if rename:
            rows_ = Renamed(rows_, rename, (spec or spec_of(kind)).columns)

        def done(_count: int) -> None:
            if progress is not None:
                progress(min(binary.tell(), size), size)

        return _in_transaction(
            database, lambda s: _stream(s, kind, rows_, path.name, done, spec), dry_run
        )


class Renamed:
    """Rows whose columns are renamed as another network's export needs (`--map "Their
    Column=our_column"`, lower-case keys). Their other columns are left out unless they are
    `known` ones (a network's export has many we do not read); missing columns are still
    reported from the CSV header."""

    def __init__(self, rows: Iterable[SourceRow], rename: Mapping[str, str], known: Iterable[str]):
        self._rows = rows
        self._rename = dict(rename)
        self._known = frozenset(known)
        columns = getattr(rows, "columns", None)
        self.columns = None if columns is None else tuple(self._names(columns))
        self.header_row = getattr(rows, "header_row", 1)

    def _names(self, names: Iterable[str]) -> Iterator[str]:
        for name in names:
            ours = self._rename.get(name, name)
            if ours in self._known:
                yield ours

    def __iter__(self) -> Iterator[SourceRow]:
        rename, known = self._rename, self._known
        for row in self._rows:
            values = {ours: v for k, v in row.values.items() if (ours := rename.get(k, k)) in known}
            yield SourceRow(row.number, values, row.problem)


def import_source(
    database: Any,
    kind: str,
    rows: list[SourceRow],
    source: str,
    dry_run: bool = False,
    progress: ProgressCallback | None = None,
    spec: KindSpec | None = None,
) -> ImportReport:
    """Import rows already read, in one transaction (rolled back for a dry run)."""
    return _in_transaction(
        database, lambda s: import_rows(s, kind, rows, source, progress, spec), dry_run
    )


def _in_transaction(
    database: Any, work: Callable[[Session], ImportReport], dry_run: bool
) -> ImportReport:
    with database.writer() as session, _page_cache(session):
        transaction = session.begin()
        try:
            report = work(session)
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


IMPORT_CACHE_KIB = 64 << 10  # SQLite's page cache while a file imports (its default: 2 MB)


@contextmanager
def _page_cache(session: Session) -> Iterator[None]:
    """A larger SQLite page cache on the import's connection while the import runs, its own
    size again afterwards: new rows go into a handful of indexes at scattered places, and with
    2 MB of cache a large import keeps reading back pages it just wrote (100,000 creators:
    the inserts take 40% less time with 64 MB). Other databases: nothing to do."""
    bind = session.bind
    raw = bind.connection.driver_connection if isinstance(bind, sa.Connection) else None
    if not isinstance(raw, sqlite3.Connection):
        yield
        return
    # Straight on the driver's connection: a PRAGMA here must not begin a transaction.
    before = int(raw.execute("PRAGMA cache_size").fetchone()[0])
    raw.execute(f"PRAGMA cache_size = {-IMPORT_CACHE_KIB}")
    try:
        yield
    finally:
        with contextlib.suppress(sqlite3.Error):
            raw.execute(f"PRAGMA cache_size = {before}")


ANALYZE_AFTER = 1_000  # rows; below this the planner's statistics are still good enough


def refresh_statistics(database: Any) -> None:
    """Let the planner see the new shape of the data (which index narrows a search). On
    PostgreSQL too: autovacuum gets there about a minute later, and until then a table that
    was empty has no statistics and the planner ignores the search's trigram indexes (a
    search right after importing 100,000 creators: 45 ms a keystroke instead of 6). A login
    that does not own a table is skipped for it, with a notice, not an error."""
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
