"""A CSV import streams: it is read, checked and written batch by batch inside the one
transaction an import is, so a bad row late in a file still leaves nothing written, a dry run
writes nothing, checks that span the file (duplicates, shares) see every batch, and what the
import keeps (problems, detailed changes) is bounded. Files that are not CSV at all (no line
break, a device, a directory) and duplicated headers are refused before any row is read.

Batches are made small here (monkeypatching `BATCH_ROWS`) so small files span many of them;
how much memory a big import takes is measured by the benchmark (tests/bench/run.py), not here.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from talent_tui.cli import main as cli
from talent_tui.io import importers
from talent_tui.io.importers import base
from talent_tui.store.db import Database
from talent_tui.store.models import AudienceSegment, Creator


@pytest.fixture(autouse=True)
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(base, "BATCH_ROWS", 10)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def creators_csv(count: int, niche: str = "beauty", start: int = 0) -> str:
    rows = [f"Creator {n},@creator{n},{niche}" for n in range(start, start + count)]
    return "name,tiktok_handle,niche\n" + "\n".join(rows) + "\n"


def stored(database: Database) -> dict[str, str | None]:
    with database.session() as s:
        return {c.tiktok_handle: c.niche for c in s.exec(select(Creator))}


def run(*args: str):  # noqa: ANN201
    return CliRunner().invoke(cli.app, list(args), catch_exceptions=False)


# --- all or nothing, across batches ----------------------------------------------------------


def test_a_bad_row_late_in_the_file_leaves_nothing_written(
    database: Database, tmp_path: Path
) -> None:
    importers.import_file(database, "creators", write(tmp_path, "a.csv", creators_csv(5)))
    before = stored(database)
    lines = creators_csv(200, niche="food").splitlines()
    lines[190] = "Creator 189,@creator189,food,extra"  # line 191: one cell too many
    lines[195] = "Creator 194,@creator194"  # line 196: one cell short
    path = write(tmp_path, "late.csv", "\n".join(lines) + "\n")
    with pytest.raises(importers.ImportFailed) as caught:
        importers.import_file(database, "creators", path)
    assert [str(e) for e in caught.value.errors] == [
        "late.csv:191:row: 4 cells, header has 3",
        "late.csv:196:row: 2 cells, header has 3",
    ]
    # Earlier batches were written inside the transaction; all of it was rolled back.
    assert stored(database) == before


def test_dry_run_over_many_batches_counts_and_writes_nothing(
    database: Database, tmp_path: Path
) -> None:
    importers.import_file(database, "creators", write(tmp_path, "a.csv", creators_csv(15)))
    path = write(tmp_path, "b.csv", creators_csv(40, niche="food"))
    report = importers.import_file(database, "creators", path, dry_run=True)
    assert (report.rows, report.new, report.updated, report.dry_run) == (40, 25, 15, True)
    assert stored(database) == {f"@creator{n}": "beauty" for n in range(15)}


def test_a_duplicate_in_a_later_batch_is_found(database: Database, tmp_path: Path) -> None:
    text = creators_csv(30) + "Again,@creator3,food\n"
    with pytest.raises(importers.ImportFailed) as caught:
        importers.import_file(database, "creators", write(tmp_path, "d.csv", text))
    assert [str(e) for e in caught.value.errors] == ["d.csv:32:tiktok_handle: duplicate of row 5"]
    assert stored(database) == {}


COUNTRIES = "US GB DE FR ES IT NL BE SE NO DK FI PL PT IE AT CH CZ JP KR".split()


def test_shares_split_over_batches_are_summed_over_the_file(
    database: Database, tmp_path: Path
) -> None:
    importers.import_file(database, "creators", write(tmp_path, "c.csv", creators_csv(1)))
    header = "tiktok_handle,captured_on,dimension,bucket,share\n"
    buckets = [f"@creator0,2026-10-01,country,{c},0.05\n" for c in COUNTRIES]  # sums to 1.0
    report = importers.import_file(
        database, "demographics", write(tmp_path, "ok.csv", header + "".join(buckets))
    )
    assert report.new == 20
    short = [f"@creator0,2026-10-02,country,{c},0.05\n" for c in COUNTRIES[:19]]  # 0.95
    with pytest.raises(importers.ImportFailed) as caught:
        importers.import_file(
            database, "demographics", write(tmp_path, "bad.csv", header + "".join(short))
        )
    assert [str(e) for e in caught.value.errors] == [
        "bad.csv:2:share: country shares sum to 0.950, expected 1.0"
    ]
    with database.session() as s:
        assert len(s.exec(select(AudienceSegment)).all()) == 20  # only the first file's


# --- what is kept is bounded -------------------------------------------------------------------


def test_change_list_is_capped_but_counts_are_exact(
    database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(base, "MAX_REPORTED_CHANGES", 7)
    importers.import_file(database, "creators", write(tmp_path, "a.csv", creators_csv(45)))
    report = importers.import_file(
        database, "creators", write(tmp_path, "b.csv", creators_csv(45, niche="food"))
    )
    assert (report.updated, report.changes_total) == (45, 45)
    assert [c.key for c in report.changes] == [f"@creator{n}" for n in range(7)]
    assert report.as_dict()["changes_total"] == 45
    assert set(stored(database).values()) == {"food"}  # every row written, not only those listed


def test_kept_errors_are_capped_and_all_are_counted(
    database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(base, "MAX_KEPT_ERRORS", 4)
    text = "name,tiktok_handle,followers\n" + "".join(f"C{n},@c{n},lots\n" for n in range(30))
    with pytest.raises(importers.ImportFailed) as caught:
        importers.import_file(database, "creators", write(tmp_path, "e.csv", text))
    failed = caught.value
    assert failed.total == 30
    assert [(e.row, e.field) for e in failed.errors] == [(n, "followers") for n in (2, 3, 4, 5)]
    assert str(failed).startswith("30 error(s) in e.csv; nothing was imported")
    assert str(failed).endswith("… and 26 more")
    result = run(
        "--db", str(database.path), "import", "creators", str(tmp_path / "e.csv"), "--json"
    )
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["total_errors"] == 30 and len(data["errors"]) == 4
    assert stored(database) == {}


# --- reading as it goes ------------------------------------------------------------------------


class CountingText(io.StringIO):
    """A text stream that counts what is read from it and refuses to go past `limit`."""

    def __init__(self, text: str, limit: int):
        super().__init__(text, newline="")
        self.limit = limit
        self.taken = 0

    def read(self, size: int | None = -1) -> str:
        chunk = super().read(size)
        self.taken += len(chunk)
        if self.taken > self.limit:
            raise AssertionError(f"read {self.taken} characters, more than the {self.limit}")
        return chunk

    def readline(self, size: int | None = -1) -> str:
        line = super().readline(size)
        self.taken += len(line)
        if self.taken > self.limit:
            raise AssertionError(f"read {self.taken} characters, more than the {self.limit}")
        return line

    def __next__(self) -> str:
        line = self.readline()
        if not line:
            raise StopIteration
        return line


def test_csv_rows_are_read_as_they_are_asked_for() -> None:
    text = creators_csv(100_000)  # about 3 MB
    stream = CountingText(text, limit=20_000)
    rows = importers.CsvRows("big.csv", stream)
    assert rows.columns == ("name", "tiktok_handle", "niche")
    first = [row for _, row in zip(range(base.BATCH_ROWS), rows, strict=False)]
    assert [r.number for r in first] == list(range(2, 12))
    assert first[0].values == {"name": "Creator 0", "tiktok_handle": "@creator0", "niche": "beauty"}
    assert stream.taken < 1_000  # the header and one batch, not the file


def test_import_file_writes_batches_before_the_file_is_read(
    database: Database, tmp_path: Path
) -> None:
    path = write(tmp_path, "big.csv", creators_csv(20_000))  # about 600 KB
    size = path.stat().st_size
    seen: list[tuple[int, int]] = []
    report = importers.import_file(
        database, "creators", path, progress=lambda done, total: seen.append((done, total))
    )
    assert report.new == 20_000 and len(stored(database)) == 20_000
    assert len(seen) == 2_000  # one report per batch of 10 rows
    assert all(total == size for _, total in seen)
    assert seen[0][0] < 64 * 1024  # the first batch went through with a buffer's worth read
    assert seen[-1][0] == size


# --- refused before a row is read ----------------------------------------------------------------


def test_no_line_break_in_the_first_megabyte_is_refused(database: Database, tmp_path: Path) -> None:
    path = tmp_path / "blob.csv"
    path.write_bytes(b"name" + b"x" * (importers.LINE_PROBE_BYTES + 100_000) + b"\n@a\n")
    with pytest.raises(importers.ImportFailed) as caught:
        importers.import_file(database, "creators", path)
    [error] = caught.value.errors
    assert (error.source, error.row, error.field) == ("blob.csv", 0, "file")
    assert str(error) == "blob.csv: no line break in its first 1 MB: not a CSV file (binary data?)"
    result = run("--db", str(database.path), "import", "creators", str(path))
    assert result.exit_code == 1
    assert "blob.csv: no line break" in result.stderr and "Traceback" not in result.output
    assert stored(database) == {}


def test_a_small_file_without_a_final_line_break_is_fine(
    database: Database, tmp_path: Path
) -> None:
    report = importers.import_file(
        database, "creators", write(tmp_path, "n.csv", "name,tiktok_handle\nA,@ab")
    )
    assert report.new == 1 and stored(database) == {"@ab": None}


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("dir", "is a directory, not a file"),
        (
            "/dev/zero",
            "not a regular file (a device, pipe or socket); save the data to a file first",
        ),
    ],
)
def test_non_regular_inputs_are_refused(
    database: Database, tmp_path: Path, target: str, message: str
) -> None:
    path = Path(target) if target.startswith("/") else tmp_path / target
    if not target.startswith("/"):
        path.mkdir()
    with pytest.raises(importers.ImportFailed) as caught:
        importers.import_file(database, "creators", path, fmt="csv")
    assert [str(e) for e in caught.value.errors] == [f"{path.name}: {message}"]
    result = run("--db", str(database.path), "import", "creators", str(path), "--format", "csv")
    assert result.exit_code == 1
    assert f"{path.name}: {message}" in result.stderr and "Traceback" not in result.output


def test_a_duplicated_csv_header_is_refused_naming_the_column(
    database: Database, tmp_path: Path
) -> None:
    path = write(tmp_path, "dup.csv", "name,Name ,tiktok_handle\nA,B,@a\n")
    with pytest.raises(importers.ImportFailed) as caught:
        importers.import_file(database, "creators", path)
    assert [str(e) for e in caught.value.errors] == [
        "dup.csv:1:name: duplicate column 'name' (columns 1 and 2)"
    ]
    result = run("--db", str(database.path), "import", "creators", str(path))
    assert result.exit_code == 1 and "dup.csv:1:name: duplicate column" in result.stderr
    assert stored(database) == {}


def test_a_json_object_with_a_key_twice_is_refused(database: Database, tmp_path: Path) -> None:
    path = write(tmp_path, "dup.json", '[{"name": "A", "tiktok_handle": "@a", "NAME": "B"}]')
    with pytest.raises(importers.ImportFailed) as caught:
        importers.import_file(database, "creators", path)
    assert [str(e) for e in caught.value.errors] == ["dup.json:1:name: duplicate key 'name'"]
    assert stored(database) == {}


def test_json_over_the_limit_is_refused_with_advice(
    database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(base, "MAX_JSON_BYTES", 100)
    rows = [{"name": f"C{n}", "tiktok_handle": f"@c{n}"} for n in range(10)]
    path = write(tmp_path, "big.json", json.dumps(rows))
    with pytest.raises(importers.ImportFailed) as caught:
        importers.import_file(database, "creators", path)
    [error] = caught.value.errors
    assert error.row == 0 and "JSON is read whole" in error.message and "CSV" in error.message
    assert stored(database) == {}
    monkeypatch.setattr(base, "MAX_JSON_BYTES", 64 << 20)
    assert importers.import_file(database, "creators", path).new == 10


def test_bad_utf8_late_in_a_file_is_refused_and_nothing_written(
    database: Database, tmp_path: Path
) -> None:
    path = tmp_path / "late.csv"
    path.write_bytes(creators_csv(5_000).encode() + b"Bad \xff,@bad,food\n")
    with pytest.raises(importers.ImportFailed) as caught:
        importers.import_file(database, "creators", path)
    [error] = caught.value.errors
    assert error.row == 0 and error.message.startswith("not UTF-8 text (invalid start byte)")
    assert stored(database) == {}


# --- the CLI's plain-text report -----------------------------------------------------------------


def test_cli_text_lists_changes_readably_and_bounded(database: Database, tmp_path: Path) -> None:
    start = (
        "name,tiktok_handle,niche,notes\n"
        'Nora Quinn,@nora,fitness,"line one\nline two"\n'
        + "".join(f"C{n},@c{n},beauty,\n" for n in range(30))
    )
    importers.import_file(database, "creators", write(tmp_path, "a.csv", start))
    after = "name,tiktok_handle,niche,notes\nNora Quinn,@nora,fitness,\n" + "".join(
        f"C{n},@c{n},food,\n" for n in range(30)
    )
    path = write(tmp_path, "b.csv", after)
    dry = run("--db", str(database.path), "import", "creators", str(path), "--dry-run")
    assert dry.exit_code == 0, dry.output
    lines = dry.stdout.splitlines()
    assert lines[0] == "Would import b.csv (creators): 31 rows, 0 new, 31 updated, 0 unchanged."
    assert lines[1] == "  @nora: notes cleared"
    assert lines[2] == "  @c0: niche beauty → food"
    assert len(lines) == 1 + 20 + 2
    assert lines[-2] == "  … and 11 more (use --json for all)"
    assert lines[-1] == "Dry run: nothing was written."
    assert stored(database)["@c0"] == "beauty"

    real = run("--db", str(database.path), "import", "creators", str(path))
    assert real.exit_code == 0 and "nothing was written" not in real.stdout
    assert real.stdout.splitlines()[0].startswith("Imported b.csv")
    assert stored(database)["@c0"] == "food"

    # A multi-line value is shown on its change's line, its line break made visible.
    back = write(tmp_path, "c.csv", 'name,tiktok_handle,notes\nNora Quinn,@nora,"one\ntwo"\n')
    result = run("--db", str(database.path), "import", "creators", str(back))
    assert result.exit_code == 0
    [summary, change] = result.stdout.splitlines()
    assert change == "  @nora: notes set to one\u2424two"
    assert all(ch.isprintable() for ch in change)

    # A change that only turns a space into a line break does not print as no change.
    spaced = write(tmp_path, "d.csv", "name,tiktok_handle,notes\nNora Quinn,@nora,one two\n")
    result = run("--db", str(database.path), "import", "creators", str(spaced))
    assert result.stdout.splitlines()[1] == "  @nora: notes one\u2424two → one two"


def test_an_endless_line_after_the_first_megabyte_is_refused_unread(
    database: Database, tmp_path: Path
) -> None:
    path = tmp_path / "tail.csv"
    path.write_bytes(b"name,tiktok_handle\nA,@a\n" + b"x" * (base.MAX_LINE_CHARS + 10))
    with pytest.raises(importers.ImportFailed) as caught:
        importers.import_file(database, "creators", path)
    assert [str(e) for e in caught.value.errors] == [
        f"tail.csv:3:file: line longer than {base.MAX_LINE_CHARS:,} characters: not a CSV file"
    ]
    assert stored(database) == {}
