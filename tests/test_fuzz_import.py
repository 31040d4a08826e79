"""Fuzzing that reaches the database write.

Each property builds a *valid* import file (a valid header, a few valid rows that name
creators and brands the database has) for one kind and one format, then changes ONE thing:
one cell of one row (bounds, huge digit strings, non-finite floats, edge dates, empty and
blank cells, control and zero-width characters, formula-like cells, strings at their length
limit ±1, unknown codes, a key that duplicates another row's, JSON values of the wrong type)
or the file's shape (a missing required column, an unknown or doubled column, a row with a
cell too many or too few). An independent model of the documented rules (README "Importing
and exporting", `core/fields.py`) says what must happen:

- accepted: the import succeeds and the database, read back, holds what the file said,
  normalised as the rules say;
- refused: `ImportFailed`, naming the changed row and field, and every table row-identical to
  before (nothing half-written);
- where the rules leave it open (a handle's per-platform alphabet, a JSON number in a text
  column), either, with the same checks for whichever happened.

Never any other exception. A last property runs the same files through `talent import`
(CliRunner on `build_app()`): exit code 0 or 1, never 70, and no traceback.

Every example starts from a copy of one small database built once per process (a file copy
costs about a millisecond). 200 derandomized examples per property in CI; `--slow` runs 5,000
(see tests/conftest.py and the README's "Fuzzing" paragraph).
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import pytest
import typer.main
import typer.testing
from hypothesis import event, given
from hypothesis import note as hypothesis_note
from hypothesis import strategies as st
from sqlmodel import select
from typer.testing import CliRunner

from talent_tui.cli.main import build_app
from talent_tui.core import fields, money
from talent_tui.io import importers
from talent_tui.services import deals
from talent_tui.store import db as dbmod
from talent_tui.store import models as m

ROOT = Path(__file__).resolve().parents[1]
FORMATS = ("csv", "json")

# ---- the database every example starts from ---------------------------------------------

CREATORS = ("@ana", "@ben", "@cy", "@dee")  # @cy and @dee have no metric history
BRANDS = ("Acme", "Blue")
EXISTING_CAMPAIGN = "C-1"  # offer_received, for @ana and Acme
SEED_FILES = {
    "creators": (
        "name,tiktok_handle,followers,engagement_rate,niche\n"
        "Ana,@ana,1000,4.5%,food\nBen,@ben,2000,0.05,beauty\nCy,@cy,3000,,\nDee,@dee,0,,\n"
    ),
    "metrics": (
        "tiktok_handle,captured_on,followers\n@ana,2026-10-01,1000\n@ben,2026-10-01,2000\n"
    ),
    "demographics": (
        "tiktok_handle,captured_on,dimension,bucket,share\n"
        "@ana,2026-10-01,gender,female,0.6\n@ana,2026-10-01,gender,male,0.4\n"
    ),
    "rates": "tiktok_handle,deliverable,amount,currency\n@ana,video,1500,USD\n",
    "brands": "name,contact_name,target\nAcme,Jo,gender:female=1\nBlue,,\n",
    "campaigns": (
        "external_id,tiktok_handle,brand,name,fee,currency,status\n"
        "C-1,@ana,Acme,Launch,1000,USD,offer_received\n"
    ),
}


@pytest.fixture(scope="session")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("fuzz-template")
    path = folder / "template.db"
    database = dbmod.open_database(str(path))
    for kind, text in SEED_FILES.items():
        seed = folder / f"{kind}.csv"
        seed.write_text(text, encoding="utf-8")
        importers.import_file(database, kind, seed)
    with database.engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    database.dispose()
    return path


@dataclass
class Work:
    """One database file per test process, reset from the template before every example by
    SQLite's backup API (about a millisecond), and one engine kept open on it, as a
    long-running app would (its statement cache stays warm)."""

    template: Path
    folder: Path
    path: Path
    database: dbmod.Database
    pristine: dict[str, list[tuple[Any, ...]]]
    dirty: bool = False  # an import may have written since the last reset

    def __repr__(self) -> str:
        return f"Work({self.path})"

    def reset(self) -> None:
        if not self.dirty:
            return
        source = sqlite3.connect(self.template)
        target = sqlite3.connect(self.path)
        try:
            target.execute("PRAGMA synchronous=OFF")  # a scratch copy: no fsync needed
            source.backup(target)
            self.dirty = False
        finally:
            target.close()
            source.close()


@pytest.fixture(scope="session")
def work(template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Work]:
    folder = tmp_path_factory.mktemp("fuzz-work")
    path = folder / "work.db"
    shutil.copyfile(template, path)
    database = dbmod.open_database(str(path), migrate=False)
    yield Work(template, folder, path, database, dump(template))
    database.dispose()


def fresh_copy(template: Path, folder: Path) -> Path:
    """A private copy of the template (for a test that runs its own `talent` process)."""
    path = folder / "work.db"
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(template, path)
    return path


def dump(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in rowid order: what "nothing was written" compares."""
    with sqlite3.connect(path) as connection:
        names = [
            r[0]
            for r in connection.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_stat%'"
            )
        ]
        tables = {}
        for name in sorted(names):
            order = "" if name.endswith(("_data", "_idx", "_docsize", "_config")) else "ORDER BY 1"
            tables[name] = list(connection.execute(f'SELECT * FROM "{name}" {order}'))
    connection.close()
    return tables


# ---- the model of the rules ----------------------------------------------------------------

REFUSE = "refuse"
ACCEPT = "accept"
EITHER = "either"


@dataclass(frozen=True)
class Verdict:
    """What the rules say about one cell: its outcome and, when accepted, the stored value."""

    outcome: str
    value: Any = None
    why: str = ""


def refuse(why: str) -> Verdict:
    return Verdict(REFUSE, None, why)


class HugeInt:
    """A JSON integer of 5,000 digits (json.dumps cannot write one: Python's int-to-text
    limit is 4,300 digits, so it is spliced into the text)."""

    TEXT = "9" * 5000

    def __repr__(self) -> str:
        return "<5000-digit integer>"


HUGE = HugeInt()
NONSCALAR = object()  # a JSON list, object or boolean where a scalar was expected
SKIP = object()  # a stored value the check does not compare (e.g. a default kept)
CURRENCY_DIGITS = {"USD": 2, "EUR": 2, "GBP": 2, "KRW": 0, "JPY": 0, "BHD": 3}
NOT_MONEY_OR_UNKNOWN = ("ZZZ", "XXX", "XTS", "XAU", "US", "USDD", "U$D", "123", "€")
FORMULA_STARTS = "=+-@\t\r"


def note(text: str) -> None:
    """Hypothesis' note inside a property; printed (shown on failure) in a plain test."""
    try:
        hypothesis_note(text)
    except Exception:  # noqa: BLE001 - outside @given there is no build context
        print(text)


def cell_text(raw: Any) -> Any:
    """A cell as the rules read it: None is empty; JSON numbers as their text."""
    if raw is None:
        return ""
    if isinstance(raw, (bool, list, dict)):
        return NONSCALAR
    return str(raw).strip()


def has_control(text: str, allowed: str = "") -> bool:
    return any(unicodedata.category(ch) == "Cc" and ch not in allowed for ch in text)


def has_invisible(text: str) -> bool:
    """Zero-width, BOM and bidi controls: format characters a reader cannot see."""
    return any(unicodedata.category(ch) == "Cf" for ch in text)


def v_text(raw: Any, limit: int, required: bool, *, empty: Any = None, multiline=False) -> Verdict:
    text = cell_text(raw)
    if text is NONSCALAR:
        return refuse("a JSON list, object or true/false is not a cell's value")
    if multiline:  # Windows (CRLF) and old Mac (CR) line ends are newlines
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text:
        return refuse("required") if required else Verdict(ACCEPT, empty)
    if len(text) > limit:
        return refuse(f"longer than {limit}")
    if has_control(text, "\n\t" if multiline else ""):
        return refuse("control character")
    if not isinstance(raw, str):
        return Verdict(EITHER, text, "JSON number in a text column")
    return Verdict(ACCEPT, text)


# A handle every platform's rule accepts (TikTok 2-24 of [a-z0-9._] not ending with ".",
# Instagram up to 30 without a leading or trailing "." or "..", YouTube 3-30): the model
# predicts "stored" for these; other handles are left to the per-platform rules.
TIKTOK_SAFE = re.compile(r"[a-z0-9_]{3,24}")


def v_handle(raw: Any, required: bool) -> Verdict:
    text = cell_text(raw)
    if text is NONSCALAR:
        return refuse("a JSON list, object or true/false is not a handle")
    if not text:
        return refuse("required") if required else Verdict(ACCEPT, None)
    normal = "@" + text.removeprefix("@").lower()
    body = normal[1:]
    if not body or len(body) > 99:
        return refuse("empty or too long")
    if any(ch.isspace() for ch in body) or has_control(body):
        return refuse("space or control character")
    if has_invisible(body):
        # "@ana" and "@a\u200bna" print the same: a handle must not hide characters.
        return refuse("invisible character")
    if TIKTOK_SAFE.fullmatch(body) and isinstance(raw, str):
        return Verdict(ACCEPT, normal)
    return Verdict(EITHER, normal, "outside the common handle alphabet (per-platform rules)")


def v_count(raw: Any, required: bool) -> Verdict:
    if isinstance(raw, (bool, list, dict)):
        return refuse("not a number")
    if isinstance(raw, int):
        number = raw
    elif isinstance(raw, float):
        if raw != raw or raw in (float("inf"), float("-inf")) or not raw.is_integer():
            return refuse("not a whole number")
        number = int(raw)
    else:
        if not money.grouped_well(cell_text(raw).replace(" ", "")):
            return refuse("commas that do not group thousands")
        text = cell_text(raw).replace(",", "").replace("_", "").replace(" ", "")
        if not text:
            return refuse("required") if required else Verdict(ACCEPT, None)
        if len(text.lstrip("+-")) > fields.MAX_DIGITS:
            return refuse("too many digits")
        try:
            number = int(text)
        except ValueError:
            return refuse("not a whole number")
    if not 0 <= number <= fields.MAX_COUNT:
        return refuse("out of range")
    return Verdict(ACCEPT, number)


def v_rate(raw: Any, required: bool = False) -> Verdict:
    if isinstance(raw, (bool, list, dict)):
        return refuse("a JSON boolean/list is not a rate")
    if isinstance(raw, (int, float)):
        try:
            number = float(raw)
        except OverflowError:
            return refuse("too large")
        percent = False
    else:
        text = cell_text(raw).replace(" ", "")
        if not text:
            return refuse("required") if required else Verdict(ACCEPT, None)
        percent = text.endswith("%")
        try:
            number = float(text.rstrip("%"))
        except (ValueError, OverflowError):
            return refuse("not a rate")
    if number != number or number in (float("inf"), float("-inf")):
        return refuse("not finite")
    if percent:
        number /= 100
    elif number > 1:
        return refuse("ambiguous")
    if not 0 <= number <= 1:
        return refuse("out of range")
    return Verdict(ACCEPT, round(number, 6))


def v_percent_bp(raw: Any) -> Verdict:
    text = cell_text(raw)
    if text is NONSCALAR:
        return refuse("not a percentage")
    text = text.rstrip("%").strip()
    if not text:
        return Verdict(ACCEPT, 0)
    try:
        number = float(text)
    except ValueError:
        return refuse("not a percentage")
    if not 0 <= number <= 100:
        return refuse("out of range")
    return Verdict(ACCEPT, round(number * 100))


ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def v_date(raw: Any, required: bool) -> Verdict:
    text = cell_text(raw)
    if text is NONSCALAR:
        return refuse("not a date")
    if not text:
        return refuse("required") if required else Verdict(ACCEPT, None)
    if not ISO_DAY.fullmatch(text):
        return refuse("not YYYY-MM-DD")  # README: "Dates are YYYY-MM-DD"
    try:
        return Verdict(ACCEPT, date.fromisoformat(text))
    except ValueError:
        return refuse("no such day")


def v_currency(raw: Any) -> Verdict:
    text = cell_text(raw)
    if text is NONSCALAR:
        return refuse("not a code")
    code = text.upper()
    if code in CURRENCY_DIGITS:
        return Verdict(ACCEPT, code)
    if code in NOT_MONEY_OR_UNKNOWN or not code:
        return refuse("unknown or not money")
    return Verdict(EITHER, code, "a code this model does not know")


def v_amount(raw: Any, code: str | None) -> Verdict:
    if code is None or code not in CURRENCY_DIGITS:
        return Verdict(EITHER, SKIP, "the currency is wrong or unknown to the model")
    text = cell_text(raw)
    if text is NONSCALAR:
        return refuse("not an amount")
    if not text:
        return refuse("required")
    if not text.isascii():
        return refuse("digits 0-9 only")
    try:
        value = Decimal(text.replace(",", "").replace("_", ""))
    except InvalidOperation:
        return refuse("not an amount")
    if not value.is_finite() or value.adjusted() >= 30:
        return refuse("not finite or too large")
    if "e" in text.lower():
        return refuse("an exponent: written in full only")
    minor = value.scaleb(CURRENCY_DIGITS[code])
    if minor != minor.to_integral_value():
        return refuse("too many decimals")
    if not 0 <= minor <= fields.MAX_MINOR:
        return refuse("out of range")
    return Verdict(ACCEPT, int(minor))


def v_enum(raw: Any, enum_cls: type) -> Verdict:
    text = cell_text(raw)
    if text is NONSCALAR:
        return refuse("not a value")
    key = text.lower().replace(" ", "_").replace("-", "_")
    values = {member.value: member for member in enum_cls}
    return Verdict(ACCEPT, values[key]) if key in values else refuse("unknown value")


def v_bucket(raw: Any, dimension: Any) -> Verdict:
    base = v_text(raw, 40, True)
    if base.outcome == REFUSE:
        return base
    text = str(base.value)
    if dimension == m.Dimension.COUNTRY:
        code = text.upper()
        if len(code) != 2 or not (code.isascii() and code.isalpha()):
            return refuse("not a country code")
        if fields.user_assigned_country(code):
            return refuse("user-assigned code")
        return Verdict(base.outcome, code)
    return Verdict(base.outcome, text.lower())


def v_deliverable(raw: Any) -> Verdict:
    text = cell_text(raw)
    if text is NONSCALAR:
        return refuse("a JSON list, object or true/false is not a deliverable")
    text = " ".join(text.split()).lower()
    if not text:
        return refuse("required")
    if len(text) > 40:
        return refuse("too long")
    if has_control(text):
        return refuse("control character")
    return Verdict(ACCEPT if isinstance(raw, str) else EITHER, text)


def v_tags(raw: Any) -> Verdict:
    text = cell_text(raw)
    if text is NONSCALAR:
        return refuse("a JSON list, object or true/false is not a cell's value")
    joined = ";".join(t.strip().lower() for t in text.replace(",", ";").split(";") if t.strip())
    if len(joined) > 500:
        return refuse("too long")
    if has_control(joined):
        return refuse("control character")
    return Verdict(ACCEPT if isinstance(raw, str) else EITHER, joined)


def v_email(raw: Any) -> Verdict:
    base = v_text(raw, 200, False)
    if base.outcome == REFUSE or base.value is None:
        return base
    text = str(base.value)
    local, at, domain = text.partition("@")
    if not at or not local or "." not in domain or any(ch.isspace() for ch in text):
        return refuse("not an email address")
    return base


def v_niche(raw: Any) -> Verdict:
    base = v_text(raw, 60, False)
    if base.outcome == REFUSE or base.value is None:
        return base
    return Verdict(base.outcome, str(base.value).lower() or None)


# ---- the kinds: columns, valid rows, the rules a row and a file must follow ----------------

Row = dict[str, Any]


@dataclass
class Col:
    name: str
    rule: str  # which v_* applies (see `verdict`)
    required: bool = False
    limit: int | None = None  # longest text accepted, for the ±1 cells


@dataclass(repr=False)
class Kind:
    name: str
    cols: list[Col]
    rows: Callable[[], st.SearchStrategy[list[Row]]]

    def __repr__(self) -> str:
        return f"<{self.name}>"

    def col(self, name: str) -> Col:
        return next(c for c in self.cols if c.name == name)


def _model_limit(model: Any, column: str) -> int:
    return int(model.__table__.c[column].type.length)


NAMES = st.sampled_from(["Mina Park", "김하늘", "José Ñandú", "O'Brien, Jr.", 'Say "hi"', "ตั้ม"])
DAYS = ("2026-10-01", "2026-10-15", "2026-11-01")


@st.composite
def creator_rows(draw: st.DrawFn) -> list[Row]:
    fresh = [f"@fz.{n}" for n in range(6)]
    handles = draw(
        st.lists(st.sampled_from(list(CREATORS) + fresh), min_size=1, max_size=4, unique=True)
    )
    optional = draw(st.sets(st.sampled_from([c.name for c in CREATOR_KIND.cols if not c.required])))
    rows = []
    for handle in handles:
        row: Row = {"name": draw(NAMES), "tiktok_handle": handle}
        pool = {
            "instagram_handle": ["@insta.one", "", "mina_ig"],
            "youtube_handle": ["@yt.one", ""],
            "followers": ["12,300", "0", "500", ""],
            "engagement_rate": ["4.5%", "0.045", ""],
            "niche": ["food", "Beauty", ""],
            "tags": ["a;b", "", "Travel, food"],
            "email": ["mina@example.com", ""],
            "phone": ["+82 10 1234 5678", ""],
            "commission_pct": ["15", "17.5%", ""],
            "notes": ["line one\nline two", "", "tab\there"],
            "archived_on": ["", "2026-01-02"],
        }
        for name in sorted(optional):
            row[name] = draw(st.sampled_from(pool[name]))
        rows.append(row)
    return rows


@st.composite
def metric_rows(draw: st.DrawFn) -> list[Row]:
    keys = draw(
        st.lists(
            st.tuples(st.sampled_from(CREATORS), st.sampled_from(DAYS)),
            min_size=1,
            max_size=4,
            unique=True,
        )
    )
    optional = draw(st.sets(st.sampled_from([c.name for c in METRIC_KIND.cols if not c.required])))
    rows = []
    for handle, day in keys:
        row: Row = {
            "tiktok_handle": handle,
            "captured_on": day,
            "followers": draw(st.sampled_from(["1000", "12,300", "0"])),
        }
        for name in sorted(optional):
            pool = ["4.5%", "0.12", ""] if "rate" in name else ["10", "0", "1,000", ""]
            row[name] = draw(st.sampled_from(pool))
        rows.append(row)
    return rows


GROUPS = {
    "gender": [("female", "0.6"), ("male", "0.4")],
    "age": [("18-24", "50%"), ("25-34", "0.3"), ("35-44", "0.2")],
    "country": [("KR", "0.7"), ("us", "0.3")],
}


@st.composite
def demographic_rows(draw: st.DrawFn) -> list[Row]:
    groups = draw(
        st.lists(
            st.tuples(
                st.sampled_from(CREATORS), st.sampled_from(DAYS), st.sampled_from(sorted(GROUPS))
            ),
            min_size=1,
            max_size=2,
            unique=True,
        )
    )
    return [
        {"tiktok_handle": h, "captured_on": d, "dimension": dim, "bucket": b, "share": s}
        for h, d, dim in groups
        for b, s in GROUPS[dim]
    ]


@st.composite
def rate_rows(draw: st.DrawFn) -> list[Row]:
    keys = draw(
        st.lists(
            st.tuples(
                st.sampled_from(CREATORS), st.sampled_from(["video", "live", "story", "ugc bundle"])
            ),
            min_size=1,
            max_size=4,
            unique=True,
        )
    )
    dated = draw(st.booleans())
    rows = []
    for handle, deliverable in keys:
        row: Row = {
            "tiktok_handle": handle,
            "deliverable": deliverable,
            "amount": draw(st.sampled_from(["1500", "1,200", "99", "0"])),
            "currency": draw(st.sampled_from(sorted(CURRENCY_DIGITS))),
        }
        if dated:
            row["updated_on"] = draw(st.sampled_from(["2026-10-01", ""]))
        rows.append(row)
    return rows


@st.composite
def brand_rows(draw: st.DrawFn) -> list[Row]:
    names = draw(
        st.lists(
            st.sampled_from(["Acme", "Blue", "Nova", "Zest Co.", "브랜드"]),
            min_size=1,
            max_size=3,
            unique=True,
        )
    )
    optional = draw(
        st.sets(st.sampled_from(["contact_name", "email", "website", "notes", "target"]))
    )
    rows = []
    for name in names:
        row: Row = {"name": name}
        pool = {
            "contact_name": ["Jo Kim", ""],
            "email": ["jo@acme.test", ""],
            "website": ["https://acme.test", ""],
            "notes": ["likes\nearly calls", ""],
            "target": TARGETS_VALID,
        }
        for col_name in sorted(optional):
            row[col_name] = draw(st.sampled_from(pool[col_name]))
        rows.append(row)
    return rows


# A brand's target as CSV text: valid ones, and (for mutation) invalid ones.
TARGETS_VALID = [
    "",
    "gender:female=0.6; gender:male=0.4",
    "age:18-24=1",
    "country:KR=0.5; country:us=0.5",
]
TARGETS_INVALID = [
    "gender:female=0.6",  # sums to 0.6
    "country:ZZ=1",  # user-assigned code
    "gender=1",  # no bucket
    "gender:female=nan",
    "gender:female=inf",
    "planet:mars=1",
    "gender:=1",
    "gender:female=1e30",
    "gender:female=1; gender:female=0",  # duplicate bucket: either way, see `target_verdict`
]


@st.composite
def campaign_rows(draw: st.DrawFn) -> list[Row]:
    ids = draw(
        st.lists(
            st.sampled_from([EXISTING_CAMPAIGN, "X-1", "X-2", "X-3"]),
            min_size=1,
            max_size=3,
            unique=True,
        )
    )
    optional = draw(
        st.sets(st.sampled_from(["offer_received_on", "respond_by", "start_on", "end_on", "notes"]))
    )
    rows = []
    for external_id in ids:
        existing = external_id == EXISTING_CAMPAIGN
        row: Row = {
            "external_id": external_id,
            "tiktok_handle": "@ana" if existing else draw(st.sampled_from(CREATORS)),
            "brand": "Acme" if existing else draw(st.sampled_from(BRANDS)),
            "name": draw(NAMES),
            "fee": draw(st.sampled_from(["1000", "2,500", "0"])),
            "currency": draw(st.sampled_from(sorted(CURRENCY_DIGITS))),
            "status": "offer_received"
            if existing
            else draw(st.sampled_from([s.value for s in m.CampaignStatus])),
        }
        dates = {
            "offer_received_on": "2026-10-01",
            "respond_by": "2026-10-08",
            "start_on": "2026-11-01",
            "end_on": "2026-11-30",
            "notes": "n",
        }
        for name in sorted(optional):
            row[name] = draw(st.sampled_from([dates[name], ""]))
        rows.append(row)
    return rows


CREATOR_KIND = Kind(
    "creators",
    [
        Col("name", "text", True, _model_limit(m.Creator, "name")),
        Col("tiktok_handle", "handle", True, 100),
        Col("instagram_handle", "handle", False, 100),
        Col("youtube_handle", "handle", False, 100),
        Col("followers", "count"),
        Col("engagement_rate", "rate"),
        Col("niche", "niche", False, _model_limit(m.Creator, "niche")),
        Col("tags", "tags", False, _model_limit(m.Creator, "tags")),
        Col("email", "email", False, _model_limit(m.Creator, "email")),
        Col("phone", "text", False, _model_limit(m.Creator, "phone")),
        Col("commission_pct", "bp"),
        Col("notes", "notes", False, fields.MAX_NOTES),
        Col("archived_on", "date"),
    ],
    creator_rows,
)
METRIC_KIND = Kind(
    "metrics",
    [
        Col("tiktok_handle", "ref_creator", True, 100),
        Col("captured_on", "date", True),
        Col("followers", "count", True),
        Col("avg_views", "count"),
        Col("six_sec_view_rate", "rate"),
        Col("completion_rate", "rate"),
        Col("engagement_rate", "rate"),
        Col("likes", "count"),
        Col("comments", "count"),
        Col("shares", "count"),
        Col("videos_posted", "count"),
    ],
    metric_rows,
)
DEMOGRAPHIC_KIND = Kind(
    "demographics",
    [
        Col("tiktok_handle", "ref_creator", True, 100),
        Col("captured_on", "date", True),
        Col("dimension", "dimension", True),
        Col("bucket", "bucket", True, _model_limit(m.AudienceSegment, "bucket")),
        Col("share", "share", True),
    ],
    demographic_rows,
)
RATE_KIND = Kind(
    "rates",
    [
        Col("tiktok_handle", "ref_creator", True, 100),
        Col("deliverable", "deliverable", True, _model_limit(m.Rate, "deliverable")),
        Col("amount", "amount", True),
        Col("currency", "currency", True),
        Col("updated_on", "date"),
    ],
    rate_rows,
)
BRAND_KIND = Kind(
    "brands",
    [
        Col("name", "text", True, _model_limit(m.Brand, "name")),
        Col("contact_name", "text", False, _model_limit(m.Brand, "contact_name")),
        Col("email", "text", False, _model_limit(m.Brand, "email")),
        Col("website", "text", False, _model_limit(m.Brand, "website")),
        Col("category", "niche", False, fields.MAX_CATEGORY),  # kept in lower case
        Col("notes", "notes", False, fields.MAX_NOTES),
        Col("target", "target"),
        Col("archived_on", "date"),
    ],
    brand_rows,
)
CAMPAIGN_KIND = Kind(
    "campaigns",
    [
        Col("external_id", "text", True, _model_limit(m.Campaign, "external_id")),
        Col("tiktok_handle", "ref_creator", True, 100),
        Col("brand", "ref_brand", True, _model_limit(m.Brand, "name")),
        Col("name", "text", True, _model_limit(m.Campaign, "name")),
        Col("fee", "amount", True),
        Col("currency", "currency", True),
        Col("status", "status", True),
        Col("offer_received_on", "date"),
        Col("respond_by", "date"),
        Col("start_on", "date"),
        Col("end_on", "date"),
        Col("notes", "notes", False, fields.MAX_NOTES),
    ],
    campaign_rows,
)
KINDS = {
    k.name: k
    for k in (CREATOR_KIND, METRIC_KIND, DEMOGRAPHIC_KIND, RATE_KIND, BRAND_KIND, CAMPAIGN_KIND)
}


def test_the_model_knows_every_column_the_importers_read() -> None:
    for name, kind in KINDS.items():
        spec = importers.SPECS[name]
        assert [c.name for c in kind.cols] == list(spec.columns), name
        assert {c.name for c in kind.cols if c.required} == set(spec.required), name


def target_items(raw: Any) -> Any:
    """A brand's target as (dimension, bucket, share) items, or a Verdict refusing it."""
    if raw is None or raw == "" or raw == []:
        return []
    if isinstance(raw, str):
        items = []
        for part in (p.strip() for p in raw.split(";")):
            if not part:
                continue
            key, eq, share = part.partition("=")
            dimension, colon, bucket = key.partition(":")
            if not eq or not colon:
                return refuse("not dimension:bucket=share")
            items.append({"dimension": dimension.strip(), "bucket": bucket.strip(), "share": share})
        raw = items
    if not isinstance(raw, list):
        return refuse("not a list")
    out = []
    for item in raw:
        if not isinstance(item, dict):
            return refuse("not an object")
        item = {str(k).lower(): v for k, v in item.items()}
        dimension = v_enum(item.get("dimension"), m.Dimension)
        if dimension.outcome == REFUSE:
            return dimension
        bucket = v_bucket(item.get("bucket"), dimension.value)
        share = v_rate(item.get("share"), required=True)
        for part in (bucket, share):
            if part.outcome == REFUSE:
                return part
        out.append((dimension.value.value, bucket.value, share.value))
    totals: dict[str, float] = defaultdict(float)
    for dimension_name, _bucket, share_value in out:
        totals[dimension_name] += share_value
    if any(not fields.shares_sum_to_one(t) for t in totals.values()):
        return refuse("shares do not sum to one")
    return out


def verdict(kind: Kind, col: Col, row: Row) -> Verdict:
    """The model's verdict on one cell of `row` (a row as read: CSV text or JSON values)."""
    raw = row.get(col.name)
    rule = col.rule
    limit = col.limit or 10**9
    if rule == "text":
        return v_text(raw, limit, col.required, empty=None)
    if rule == "notes":
        return v_text(raw, limit, False, empty="", multiline=True)
    if rule == "niche":
        return v_niche(raw)
    if rule == "tags":
        return v_tags(raw)
    if rule == "email":
        return v_email(raw)
    if rule in ("handle", "ref_creator"):
        return v_handle(raw, col.required)
    if rule == "ref_brand":
        return v_text(raw, limit, True)
    if rule == "count":
        return v_count(raw, col.required)
    if rule == "rate":
        return v_rate(raw)
    if rule == "share":
        return v_rate(raw, required=True)
    if rule == "bp":
        return v_percent_bp(raw)
    if rule == "date":
        return v_date(raw, col.required)
    if rule == "currency":
        return v_currency(raw)
    if rule == "amount":
        code = v_currency(row.get("currency"))
        return v_amount(raw, code.value if code.outcome == ACCEPT else None)
    if rule == "status":
        return v_enum(raw, m.CampaignStatus)
    if rule == "dimension":
        return v_enum(raw, m.Dimension)
    if rule == "bucket":
        dimension = v_enum(row.get("dimension"), m.Dimension)
        if dimension.outcome == REFUSE:
            return Verdict(EITHER, SKIP)
        return v_bucket(raw, dimension.value)
    if rule == "deliverable":
        return v_deliverable(raw)
    if rule == "target":
        if not raw and not isinstance(raw, str) and raw != []:
            return Verdict(EITHER, [], "a JSON false, 0 or {} as no target")
        items = target_items(raw)
        if isinstance(items, Verdict):
            return items
        buckets = [(d, b) for d, b, _s in items]
        if len(set(buckets)) != len(buckets):
            return Verdict(EITHER, items, "a bucket twice")
        return Verdict(ACCEPT, items)
    raise AssertionError(f"no rule {rule}")


@dataclass
class Expected:
    """What importing a file must do: refused with an error at one of `where`, accepted
    with `stored` rows, or either (`open`)."""

    outcome: str
    where: set[tuple[int, str]] = field(default_factory=set)
    rows: list[tuple[int, Row, dict[str, Verdict]]] = field(default_factory=list)
    why: str = ""


def expect(kind: Kind, rows: list[tuple[int, Row]], columns: list[str]) -> Expected:
    """The model's verdict on a whole file: every cell, then the rules between rows."""
    refusals: set[tuple[int, str]] = set()
    open_cells: set[tuple[int, str]] = set()
    reasons = []
    parsed: list[tuple[int, Row, dict[str, Verdict]]] = []
    for number, row in rows:
        verdicts = {
            c.name: verdict(kind, c, row) for c in kind.cols if c.name in columns or c.required
        }
        bad = [name for name, v in verdicts.items() if v.outcome == REFUSE]
        refusals.update((number, name) for name in bad)
        open_cells.update((number, n) for n, v in verdicts.items() if v.outcome == EITHER)
        reasons += [f"row {number} {n}: {verdicts[n].why}" for n in bad]
        if not bad:
            parsed.append((number, row, verdicts))
    # Rules between rows, on the rows whose cells are all fine (as the importer does).
    between = relations(kind, parsed)
    for number, name, why in between:
        refusals.add((number, name))
        reasons.append(f"row {number} {name}: {why}")
    if refusals:
        return Expected(REFUSE, refusals, parsed, "; ".join(reasons))
    if open_cells:
        return Expected(EITHER, open_cells, parsed, f"open: {sorted(open_cells)}")
    return Expected(ACCEPT, set(), parsed)


def relations(
    kind: Kind, parsed: list[tuple[int, Row, dict[str, Verdict]]]
) -> list[tuple[int, str, str]]:
    found: list[tuple[int, str, str]] = []

    def duplicates(key: Callable[[dict[str, Verdict]], Any], name: str) -> None:
        seen: dict[Any, int] = {}
        for number, _row, v in parsed:
            k = key(v)
            if k in seen:
                found.append((number, name, f"duplicate of row {seen[k]}"))
            else:
                seen[k] = number

    def known(name: str, values: tuple[str, ...], message: str) -> None:
        for number, _row, v in parsed:
            if v[name].value not in values:
                found.append((number, name, message))

    def val(v: dict[str, Verdict], n: str) -> Any:
        return v[n].value if n in v else None

    if kind.name == "creators":
        duplicates(lambda v: val(v, "tiktok_handle"), "tiktok_handle")
        for number, _row, v in parsed:
            # An empty followers cell may start a new creator at 0, but not blank a stored
            # creator's count.
            stored = val(v, "tiktok_handle") in CREATORS
            if stored and "followers" in v and v["followers"].value is None:
                found.append((number, "followers", "empty count of a stored creator"))
    elif kind.name == "metrics":
        duplicates(lambda v: (val(v, "tiktok_handle"), val(v, "captured_on")), "captured_on")
        if not found:
            known("tiktok_handle", CREATORS, "unknown creator")
    elif kind.name == "rates":
        duplicates(lambda v: (val(v, "tiktok_handle"), val(v, "deliverable")), "deliverable")
        if not found:
            known("tiktok_handle", CREATORS, "unknown creator")
    elif kind.name == "demographics":
        duplicates(
            lambda v: tuple(
                val(v, n) for n in ("tiktok_handle", "captured_on", "dimension", "bucket")
            ),
            "bucket",
        )
        groups: dict[Any, list[tuple[int, float]]] = defaultdict(list)
        for number, _row, v in parsed:
            key = tuple(val(v, n) for n in ("tiktok_handle", "captured_on", "dimension"))
            groups[key].append((number, val(v, "share")))
        for members in groups.values():
            if not fields.shares_sum_to_one(sum(s for _n, s in members)):
                found.append((members[0][0], "share", "shares do not sum to one"))
        if not found:
            known("tiktok_handle", CREATORS, "unknown creator")
    elif kind.name == "brands":  # names are unique whatever their case
        duplicates(lambda v: _casefold(val(v, "name")), "name")
    elif kind.name == "campaigns":
        duplicates(lambda v: val(v, "external_id"), "external_id")
        for number, _row, v in parsed:
            start, end = val(v, "start_on"), val(v, "end_on")
            if start and end and end < start:
                found.append((number, "end_on", "end before start"))
            received, respond_by = val(v, "offer_received_on"), val(v, "respond_by")
            if received and respond_by and respond_by < received:
                found.append((number, "respond_by", "respond_by before received"))
        if not found:
            known("tiktok_handle", CREATORS, "unknown creator")
            for number, _row, v in parsed:
                if val(v, "brand") not in BRANDS:
                    found.append((number, "brand", "unknown brand"))
        if not found:
            for number, _row, v in parsed:
                if val(v, "external_id") == EXISTING_CAMPAIGN:
                    status = val(v, "status")
                    current = m.CampaignStatus.OFFER_RECEIVED
                    if status != current and status not in deals.TRANSITIONS[current]:
                        found.append((number, "status", "not a step the app allows"))
    return found


# ---- the one change ------------------------------------------------------------------------

CONTROL = ["\x1b[31m", "\x00", "\x07", "\x7f", "\x85", "\x1b]0;title\x07", "\r"]
INVISIBLE = ["\u200b", "\u200d", "\ufeff", "\u202e", "\u2066"]
FORMULAS = ["=1+1", "+cmd", "@x", "-1", "'=1+1", "''@x", '=HYPERLINK("http://x","y")', "\t=1"]
NUMBERS = [
    "0",
    "-1",
    "+5",
    str(fields.MAX_COUNT),
    str(fields.MAX_COUNT + 1),
    str(fields.MAX_MINOR),
    str(fields.MAX_MINOR + 1),
    str(2**63 - 1),
    str(2**63),
    str(-(2**63) - 1),
    "9" * 30,
    "9" * 31,
    "9" * 400,
    "9" * 5000,
    "1e30",
    "1e-30",
    "-0",
    "0.5",
    "1.5",
    "12.0",
    "1,200",
    "1_000",
    "12 300",
    "١٢٣",
    "１２３",
    "0x10",
    "nan",
    "NaN",
    "inf",
    "-inf",
    "Infinity",
    "1e999999999",
    "0e999999999",
    "4.5%",
    "0.045",
    "45",
    "100%",
    "101%",
    "-0.1%",
    "1%%",
    "5e-1",
]
DAYS_EDGE = [
    "0001-01-01",
    "9999-12-31",
    "2026-02-30",
    "2026-02-29",
    "2024-02-29",
    "0000-01-01",
    "10000-01-01",
    "2026-2-3",
    "20260101",
    "2026-W01-1",
    "2026-001",
    "2026-01-01T00:00",
    " 2026-01-01 ",
    "２０２６-01-01",
    "2026-13-01",
    "2026-00-10",
]
CODES = [
    "usd",
    " eur ",
    "KRW",
    "JPY",
    "BHD",
    "ZZZ",
    "XXX",
    "XTS",
    "XAU",
    "US",
    "USDD",
    "U$D",
    "123",
    "€",
]
WORDS = [
    "",
    " ",
    "  \t ",
    "x",
    "💥",
    "ǅ",
    "İstanbul",
    "ß",
    "Ａ",
    "a b",
    "a\u00a0b",
    "null",
    "None",
    "true",
    "[]",
    "{}",
    "'",
    '"',
    ",",
    ";",
    "\\",
    "%_",
    "'; DROP TABLE creators; --",
    "[bold]x[/",
    "<script>",
    "female",
    "KR",
    "kr",
    "XK",
    "ZZ",
    "gender",
    "age",
    "country",
    "offer_received",
    "In Production",
    "completed",
    "bogus",
]
HANDLES = [
    "@ANA",
    "ana",
    " @ben ",
    "@@ana",
    "@",
    "@a b",
    "@a\u200bna",
    "@\u202eana",
    "@nobody",
    "@ana.",
    "@" + "a" * 24,
    "@" + "a" * 25,
    "@안나",
    "@ＡＮＡ",
    "@ana\x1b[2J",
    "@-",
    "@=1+1",
]
TARGETS_JSON = [
    [{"dimension": "gender", "bucket": "female", "share": 1}],
    [{"Dimension": "age", "BUCKET": "18-24", "share": "100%"}],
    [{"dimension": "gender", "bucket": "female", "share": True}],
    [{"dimension": "country", "bucket": "ZZ", "share": 1}],
    [{"dimension": "gender", "bucket": "f" * 41, "share": 1}],
    [{"dimension": "gender", "bucket": "female", "share": float("nan")}],
    [
        {"dimension": "gender", "bucket": "female", "share": 0.5},
        {"dimension": "gender", "bucket": "FEMALE", "share": 0.5},
    ],
    [1],
    {"dimension": "gender"},
    [[]],
]
JSON_ONLY = [
    HUGE,
    None,
    True,
    False,
    0,
    -1,
    fields.MAX_COUNT,
    fields.MAX_COUNT + 1,
    2**63,
    10**30,
    10**400,
    0.5,
    12.0,
    1e30,
    float("nan"),
    float("inf"),
    [],
    ["a"],
    {},
    {"a": 1},
    [1, 2],
]


def valid_value(kind: Kind, col: Col) -> list[str]:
    """Values of `col` another row of the file might have (for duplicated keys)."""
    return {
        "tiktok_handle": list(CREATORS) + ["@ANA", "ana", " @ben "],
        "captured_on": list(DAYS),
        "deliverable": ["video", "VIDEO", " video ", "live"],
        "external_id": [EXISTING_CAMPAIGN, "X-1", "X-2"],
        "name": ["Acme", "acme", "Blue", "Mina Park"],
        "brand": ["Acme", "acme", "Nope", " Blue "],
        "bucket": ["female", "Male", "18-24", "KR", "us"],
        "dimension": ["gender", "age", "country", "Gender"],
        "status": [s.value for s in m.CampaignStatus],
    }.get(col.name, [])


@st.composite
def mutation(draw: st.DrawFn, kind: Kind, col: Col, base: Any, fmt: str) -> Any:
    """One new value for one cell: an edge of its rule, or something hostile."""
    base_text = str(base) if base not in (None, "") else "x"
    long = []
    if col.limit:
        filler = "a" if col.rule in ("handle", "ref_creator") else "é"
        for n in (col.limit - 1, col.limit, col.limit + 1):
            long.append(
                ("@" + filler * (n - 1)) if col.rule in ("handle", "ref_creator") else filler * n
            )
    generic = [
        st.sampled_from(NUMBERS),
        st.sampled_from(DAYS_EDGE),
        st.sampled_from(CODES),
        st.sampled_from(WORDS),
        st.sampled_from(FORMULAS),
        st.sampled_from(CONTROL).map(lambda c: base_text[:1] + c + base_text[1:]),
        st.sampled_from(INVISIBLE).map(lambda c: base_text[:1] + c + base_text[1:]),
        st.sampled_from([" ", "\t", "\n"]).map(lambda w: w + base_text + w),
        st.text(max_size=12),
    ]
    # Mostly the edges of this column's own rule; the rest anything hostile.
    own: list[st.SearchStrategy[Any]] = []
    if col.rule in ("count", "rate", "share", "bp", "amount"):
        own.append(st.sampled_from(NUMBERS))
    if col.rule == "date":
        own.append(st.sampled_from(DAYS_EDGE))
    if col.rule == "currency":
        own.append(st.sampled_from(CODES))
    if col.rule in ("handle", "ref_creator"):
        own.append(st.sampled_from(HANDLES))
    if col.rule in ("text", "notes", "niche", "tags", "email", "ref_brand", "deliverable"):
        own.append(st.sampled_from(WORDS + FORMULAS))
    if long:
        own.append(st.sampled_from(long))
    if valid_value(kind, col):
        own.append(st.sampled_from(valid_value(kind, col)))
    if col.rule == "target":
        own.append(st.sampled_from(TARGETS_VALID + TARGETS_INVALID))
        if fmt == "json":
            own.append(st.sampled_from(TARGETS_JSON))
    if fmt == "json":
        generic.append(st.sampled_from(JSON_ONLY))
        own.append(st.sampled_from(JSON_ONLY))
    if own and draw(st.integers(0, 2)) > 0:
        return draw(st.one_of(own))
    return draw(st.one_of(generic))


@dataclass
class FuzzFile:
    kind: Kind
    fmt: str
    columns: list[str]  # as written in the header / the keys of every JSON object
    rows: list[Row]  # what the file says, per row, before reading (CSV text or JSON values)
    change: str
    shape: str = ""  # a change to the file's shape rather than one cell
    changed_row: int | None = None  # index into rows

    def render(self) -> bytes:
        if self.fmt == "json":
            placeholder = "\ue000huge\ue000"
            objects = [
                {k: placeholder if v is HUGE else v for k, v in row.items()} for row in self.rows
            ]
            text = json.dumps(objects, ensure_ascii=False)
            return text.replace(f'"{placeholder}"', HugeInt.TEXT).encode("utf-8")
        buffer = io.StringIO()
        writer = csv.writer(buffer)  # "\r\n": a cell holding \r or \n is quoted
        header = list(self.columns)
        if self.shape == "double column":
            header.append(header[-1])
        writer.writerow(header)
        for index, row in enumerate(self.rows):
            cells = ["" if row.get(c) is None else str(row.get(c)) for c in self.columns]
            if self.shape == "double column":
                cells.append("" if row.get("__double") is None else str(row["__double"]))
            if index == self.changed_row and self.shape == "extra cell":
                cells.append("surplus")
            if index == self.changed_row and self.shape == "short row":
                cells = cells[:-1]
            writer.writerow(cells)
        return buffer.getvalue().encode("utf-8")

    def line_of(self, index: int) -> int:
        """The CSV line row `index` starts on (a quoted cell may span several lines)."""
        reader = csv.reader(io.StringIO(self.render().decode("utf-8"), newline=""))
        line = 1
        for position, _record in enumerate(reader):
            if position == index + 1:
                return line
            line = reader.line_num + 1
        raise AssertionError(f"no row {index}")

    def numbered(self) -> list[tuple[int, Row]]:
        """Rows as the importer numbers them and reads them (CSV: line numbers, text
        cells with the spreadsheet guard undone; JSON: 1-based)."""
        if self.fmt == "json":
            return [(i, row) for i, row in enumerate(self.rows, start=1)]
        reader = csv.reader(io.StringIO(self.render().decode("utf-8"), newline=""))
        starts = []
        line = 1
        for _record in reader:
            starts.append(line)
            line = reader.line_num + 1
        out = []
        for i, row in enumerate(self.rows):
            cells = ["" if row.get(c) is None else str(row.get(c)) for c in self.columns]
            if all(not cell.strip() for cell in cells):
                continue  # a blank line: skipped
            read: Row = {}
            for c in self.columns:
                text = "" if row.get(c) is None else str(row.get(c))
                if text.startswith("'") and text.lstrip("'")[:1] in tuple(FORMULA_STARTS):
                    text = text[1:]
                read[c] = text
            out.append((starts[i + 1], read))
        return out


@st.composite
def fuzz_files(draw: st.DrawFn, kind_name: str, fmt: str) -> FuzzFile:
    kind = KINDS[kind_name]
    rows = draw(kind.rows())
    columns = [c.name for c in kind.cols if any(c.name in r for r in rows)]
    for row in rows:  # every row names every column (CSV); JSON objects likewise
        for c in columns:
            row.setdefault(c, "")
    what = draw(st.sampled_from(["cell"] * 8 + ["missing column", "unknown column", "shape"]))
    if what == "missing column":
        name = draw(st.sampled_from([c.name for c in kind.cols if c.required]))
        if fmt == "json":
            index = draw(st.integers(0, len(rows) - 1))
            del rows[index][name]
            return FuzzFile(
                kind, fmt, columns, rows, f"row {index} without {name!r}", changed_row=index
            )
        columns.remove(name)
        return FuzzFile(kind, fmt, columns, rows, f"no column {name!r}")
    if what == "unknown column":
        name = draw(st.sampled_from(["extra", "Name2", "followers ", "id", "tiktok handle"]))
        if name.strip().lower() in importers.SPECS[kind_name].columns:
            name = "extra"
        columns.append(name)
        for row in rows:
            row[name] = "1"
        return FuzzFile(kind, fmt, columns, rows, f"unknown column {name!r}")
    if what == "shape" and fmt == "csv":
        shape = draw(st.sampled_from(["extra cell", "short row", "double column"]))
        if shape == "short row" and len(columns) < 2:
            shape = "extra cell"  # one cell fewer of one would be a blank line (skipped)
        index = draw(st.integers(0, len(rows) - 1))
        if shape == "double column":
            for row in rows:
                row["__double"] = row.get(columns[-1])
            col = kind.col(columns[-1])
            rows[index]["__double"] = draw(mutation(kind, col, rows[index][col.name], fmt))
        return FuzzFile(kind, fmt, columns, rows, f"{shape} at row {index}", shape, index)
    index = draw(st.integers(0, len(rows) - 1))
    col = kind.col(draw(st.sampled_from(columns)))
    value = draw(mutation(kind, col, rows[index][col.name], fmt))
    rows[index][col.name] = value
    return FuzzFile(
        kind, fmt, columns, rows, f"row {index} {col.name} = {value!r}", changed_row=index
    )


def file_expectation(f: FuzzFile) -> Expected:
    kind = f.kind
    header_row = 1
    if f.change.startswith("no column"):
        name = f.change.split("'")[1]
        # With no column left, the file has no header at all: a file error.
        return Expected(REFUSE, {(header_row, name), (0, "file")}, why="missing column")
    if f.change.startswith("unknown column"):
        name = f.change.split("'")[1].strip().lower()
        return Expected(REFUSE, {(header_row, name)}, why="unknown column")
    numbered = f.numbered()
    if f.fmt == "json" and any(v is HUGE for row in f.rows for v in row.values()):
        # Not a number any JSON reader here can hold: the file (or that row's field) is refused.
        number = (f.changed_row or 0) + 1
        name = f.change.split()[2] if f.change.startswith("row ") else "file"
        return Expected(REFUSE, {(0, "file"), (1, "file"), (number, name)}, why="5000 digits")
    if f.shape in ("extra cell", "short row"):
        assert f.changed_row is not None
        return Expected(REFUSE, {(f.line_of(f.changed_row), "row")}, why=f.shape)
    if f.shape == "double column":
        # A header naming a column twice: refused, or the file read one of its two values.
        last = f.columns[-1]
        first = expect(kind, numbered, f.columns)
        second = expect(
            kind,
            [(n, {**r, last: f.rows[i]["__double"]}) for i, (n, r) in enumerate(numbered)],
            f.columns,
        )
        if second.outcome == REFUSE:
            return Expected(REFUSE, second.where | {(1, last)}, why="double column, 2nd refused")
        where = {(1, last)} | first.where | second.where
        return Expected(EITHER, where, second.rows, why="double column")
    return expect(kind, numbered, f.columns)


# ---- reading back what was stored ------------------------------------------------------------


def stored_rows(database: dbmod.Database, kind: str) -> dict[Any, dict[str, Any]]:
    """The stored rows of a kind, keyed as the file keys them, with the file's column names."""
    out: dict[Any, dict[str, Any]] = {}
    with database.session() as s:
        handles = {c.id: c.tiktok_handle for c in s.exec(select(m.Creator))}
        brands = {b.id: b.name for b in s.exec(select(m.Brand))}
        if kind == "creators":
            for c in s.exec(select(m.Creator)):
                out[c.tiktok_handle] = {
                    **c.model_dump(),
                    "commission_pct": c.commission_bp,
                    "archived_on": c.archived_at.date() if c.archived_at else None,
                }
        elif kind == "metrics":
            for snap in s.exec(select(m.MetricSnapshot)):
                handle = handles[snap.creator_id]
                out[(handle, snap.captured_on)] = {**snap.model_dump(), "tiktok_handle": handle}
        elif kind == "demographics":
            for seg in s.exec(select(m.AudienceSegment)):
                key = (handles[seg.creator_id], seg.captured_on, seg.dimension, seg.bucket)
                out[key] = {**seg.model_dump(), "tiktok_handle": key[0]}
        elif kind == "rates":
            for rate in s.exec(select(m.Rate)):
                out[(handles[rate.creator_id], rate.deliverable)] = {
                    **rate.model_dump(),
                    "amount": rate.amount_minor,
                    "tiktok_handle": handles[rate.creator_id],
                    "updated_on": rate.updated_at.date(),
                }
        elif kind == "brands":
            targets: dict[int, list[tuple[str, str, float]]] = defaultdict(list)
            for t in s.exec(select(m.BrandTarget)):
                targets[t.brand_id].append((t.dimension.value, t.bucket, t.share))
            for b in s.exec(select(m.Brand)):
                out[b.name.casefold()] = {
                    **b.model_dump(),
                    "target": sorted(targets[b.id]),
                    "archived_on": b.archived_at.date() if b.archived_at else None,
                }
        elif kind == "campaigns":
            for c in s.exec(select(m.Campaign)):
                out[c.external_id] = {
                    **c.model_dump(),
                    "fee": c.fee_minor,
                    "tiktok_handle": handles[c.creator_id],
                    "brand": brands[c.brand_id],
                }
    return out


def key_of(kind: str, v: dict[str, Verdict]) -> Any:
    val = lambda n: v[n].value  # noqa: E731
    return {
        "creators": lambda: val("tiktok_handle"),
        "metrics": lambda: (val("tiktok_handle"), val("captured_on")),
        "demographics": lambda: tuple(
            val(n) for n in ("tiktok_handle", "captured_on", "dimension", "bucket")
        ),
        "rates": lambda: (val("tiktok_handle"), val("deliverable")),
        "brands": lambda: _casefold(val("name")),
        "campaigns": lambda: val("external_id"),
    }[kind]()


def _casefold(value: Any) -> Any:
    return value.casefold() if isinstance(value, str) else value


def same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return abs(a - b) <= 1e-9
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(
            x[:2] == y[:2] and abs(x[2] - y[2]) <= 1e-9
            for x, y in zip(sorted(a), sorted(b), strict=True)
        )
    return a == b


def check_stored(database: dbmod.Database, f: FuzzFile, expected: Expected) -> None:
    stored = stored_rows(database, f.kind.name)
    for number, row, verdicts in expected.rows:
        key = key_of(f.kind.name, verdicts)
        assert key in stored, f"row {number}: nothing stored under {key!r}"
        got = stored[key]
        for name, v in verdicts.items():
            if v.value is SKIP or name not in row:
                continue
            want = v.value
            if f.kind.name == "creators" and name == "followers" and want is None:
                continue  # an empty count keeps the stored one (or the default)
            if (
                f.kind.name == "rates"
                and name == "updated_on"
                and (want is None or got[name] == SEEDED_ON)
            ):
                # Stamped with today when empty; and it dates a change of amount or currency:
                # a row that changes neither keeps the stored date (a nightly re-run of the
                # same file changes nothing).
                continue
            if name == "target":
                want = sorted(want)
            if f.kind.name == "brands" and name == "name":
                # A stored brand keeps its name as written; the file's matched it.
                assert got[name].casefold() == want.casefold()
                continue
            assert same(got[name], want), (
                f"row {number} {name}: the file said {row[name]!r}, the rules make it "
                f"{want!r}, the database holds {got[name]!r}"
            )


# ---- the properties --------------------------------------------------------------------------

SEEDED_ON = datetime.now(UTC).date()  # the day the template's rates were stamped

ERRORS_OK = (importers.ImportFailed,)


def import_outcome(work: Work, f: FuzzFile) -> tuple[Expected, Path]:
    work.reset()
    path = work.folder / f"fuzz.{f.fmt}"
    path.write_bytes(f.render())
    expected = file_expectation(f)
    note(f"change: {f.change}")
    note(f"file:\n{path.read_bytes()[:3000]!r}")
    note(f"model: {expected.outcome} {expected.why} {sorted(expected.where)}")
    return expected, path


def run_import(database: dbmod.Database, kind: str, path: Path) -> Any:
    try:
        return importers.import_file(database, kind, path)
    except importers.ImportFailed as failed:
        return failed


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("kind", importers.KINDS)
@given(data=st.data())
def test_one_changed_cell_is_stored_as_the_rules_say_or_refused_cleanly(
    work: Work, kind: str, fmt: str, data: st.DataObject
) -> None:
    check_import(work, data.draw(fuzz_files(kind, fmt), label="file"))


def check_import(work: Work, f: FuzzFile) -> None:
    """The property: the import does what the model says, or refuses cleanly; nothing else."""
    kind = f.kind.name
    expected, path = import_outcome(work, f)
    database = work.database
    work.dirty = True
    result = run_import(database, kind, path)  # any other exception fails the property
    if isinstance(result, importers.ImportFailed):
        note(f"refused: {result}")
        assert expected.outcome != ACCEPT, f"refused a file the rules accept: {result}"
        assert result.errors
        named = {(e.row, e.field) for e in result.errors}
        for e in result.errors:
            assert e.source == path.name and isinstance(e.row, int) and e.field
        if expected.outcome == REFUSE:
            near = {(r, fld.split("[")[0].split(".")[0]) for r, fld in named}
            assert near & expected.where, (
                f"refused, but no error names {sorted(expected.where)}: {sorted(named)}"
            )
        else:
            assert {r for r, _ in named} & {r for r, _ in expected.where}, (
                f"refused, but no error names the changed row: {sorted(named)}"
            )
    else:
        note(f"imported: {result}")
        assert expected.outcome != REFUSE, (
            f"accepted a file the rules refuse ({expected.why}): {f.change}"
        )
        check_stored(database, f, expected)
    if isinstance(result, importers.ImportFailed):
        assert dump(work.path) == work.pristine, "refused, yet the database changed"
        work.dirty = False
    # --hypothesis-show-statistics: how many examples reached the write, how many were refused.
    refused = isinstance(result, importers.ImportFailed)
    try:
        event(f"model {expected.outcome}, importer {'refused' if refused else 'imported'}")
    except Exception:  # noqa: BLE001 - outside @given (the pinned cases)
        pass


# ---- files the property found wrong, pinned ----------------------------------------------
# Each is a file the property above generates (one changed cell of a valid file), kept as a
# fixed case so CI checks it on every run; tests/FUZZ_FINDINGS.md has the same reproductions. They
# fail until the importers are fixed, and must then pass unchanged.


def pinned(kind: str, fmt: str, rows: list[Row], change: str, index: int = 0) -> FuzzFile:
    columns = list(dict.fromkeys(c for row in rows for c in row))
    return FuzzFile(KINDS[kind], fmt, columns, rows, change, changed_row=index)


PINNED = {
    # F1: a 5,000-digit JSON number: ValueError from json.loads (Python's int-to-text limit),
    # not ImportFailed; `talent import` exits 70.
    "F1 json huge number": pinned(
        "metrics",
        "json",
        [{"tiktok_handle": "@ana", "captured_on": "2026-10-15", "followers": HUGE}],
        "row 0 followers = <5000-digit integer>",
    ),
    # F2: the newest snapshot of a creator dated in the first 30 days of year 1: the 30-day
    # growth computes `day - 30 days`, OverflowError.
    "F2 metrics first days of year 1": pinned(
        "metrics",
        "csv",
        [{"tiktok_handle": "@cy", "captured_on": "0001-01-01", "followers": "10"}],
        "row 0 captured_on = '0001-01-01'",
    ),
    # F3: a brand target naming one bucket twice (or two spellings of it): IntegrityError
    # from the brand_targets unique constraint, not ImportFailed.
    "F3 brand target bucket twice": pinned(
        "brands",
        "csv",
        [{"name": "Nova", "target": "gender:female=0.5; gender:Female=0.5"}],
        "row 0 target = 'gender:female=0.5; gender:Female=0.5'",
    ),
    # F4: an ISO week date "2026-W01-1" is 10 characters and date.fromisoformat reads it, so
    # it is stored as 2025-12-29; the rule is YYYY-MM-DD.
    "F4 iso week date": pinned(
        "campaigns",
        "csv",
        [
            {
                "external_id": "X-1",
                "tiktok_handle": "@ben",
                "brand": "Blue",
                "name": "Spring",
                "fee": "1000",
                "currency": "USD",
                "status": "reviewing",
                "start_on": "2026-W01-1",
            }
        ],
        "row 0 start_on = '2026-W01-1'",
    ),
    # F5: JSON `true` as a rate is stored as 100 % (a count refuses a boolean; a rate does not).
    "F5 json boolean rate": pinned(
        "creators",
        "json",
        [{"name": "Ana", "tiktok_handle": "@ana", "engagement_rate": True}],
        "row 0 engagement_rate = True",
    ),
    # F6: a handle with a zero-width space (or a bidi override) is accepted: "@a\u200bna" is a
    # second creator that prints exactly like @ana.
    "F6 invisible character in a handle": pinned(
        "creators",
        "csv",
        [{"name": "Ana", "tiktok_handle": "@a\u200bna"}],
        "row 0 tiktok_handle = '@a\\u200bna'",
    ),
}


@pytest.mark.parametrize("case", sorted(PINNED))
def test_pinned_fuzz_findings(work: Work, case: str) -> None:
    check_import(work, PINNED[case])


# ---- through the command line ---------------------------------------------------------------

runner = CliRunner()
CLI = build_app()


@pytest.fixture
def built_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """CliRunner turns the Typer app into a Click command on every call (two thirds of a
    call's time); the property builds it once."""
    command = typer.main.get_command(CLI)
    original = typer.testing._get_command
    monkeypatch.setattr(
        typer.testing, "_get_command", lambda app: command if app is CLI else original(app)
    )


@given(
    kind=st.sampled_from(importers.KINDS),
    fmt=st.sampled_from(FORMATS),
    data=st.data(),
)
def test_talent_import_exits_0_or_1_never_a_bug_or_a_traceback(
    built_once: None, work: Work, kind: str, fmt: str, data: st.DataObject
) -> None:
    f = data.draw(fuzz_files(kind, fmt), label="file")
    _expected, path = import_outcome(work, f)
    work.dirty = True
    result = runner.invoke(CLI, ["--db", str(work.path), "import", kind, str(path)])
    note(f"exit {result.exit_code}\nstdout: {result.stdout}\nstderr: {result.stderr}")
    # CliRunner catches what `talent` (cli.main.run) would report as a bug with exit code 70.
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"an unexpected {type(result.exception).__name__} ({result.exception}): talent exits 70"
    )
    assert result.exit_code in (0, 1)
    assert "Traceback" not in result.stdout + result.stderr
    if result.exit_code == 1:
        assert f"{path.name}:" in result.stderr or "missing column" in result.stderr
        assert dump(work.path) == work.pristine
        work.dirty = False


# A few of the same files through a real `talent` process (exit code 70 is only visible there).
SUBPROCESS_FILES = {
    "huge JSON number": (
        "metrics",
        "json",
        b'[{"tiktok_handle": "@ana", "captured_on": "2026-10-02", "followers": '
        + b"9" * 5000
        + b"}]",
    ),
    "first snapshot on 0001-01-01": (
        "metrics",
        "csv",
        b"tiktok_handle,captured_on,followers\n@cy,0001-01-01,10\n",
    ),
    "formula cells": ("creators", "csv", b"name,tiktok_handle,phone\n=1+1,@fz.f,+1 555\n"),
    "NUL in a cell": ("brands", "csv", b"name\nA\x00B\n"),
}


@pytest.mark.parametrize("case", sorted(SUBPROCESS_FILES))
def test_talent_process_exit_code_is_0_or_1(template: Path, tmp_path: Path, case: str) -> None:
    kind, fmt, content = SUBPROCESS_FILES[case]
    db_path = fresh_copy(template, tmp_path)
    path = tmp_path / f"case.{fmt}"
    path.write_bytes(content)
    before = dump(db_path)
    done = subprocess.run(
        [sys.executable, "-m", "talent_tui", "--db", str(db_path), "import", kind, str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        env=os.environ | {"PYTHONPATH": str(ROOT)},  # this checkout, installed or not
    )
    assert done.returncode in (0, 1), done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    if done.returncode == 1:
        assert dump(db_path) == before
