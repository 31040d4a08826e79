"""Where things live: no SQL in the front ends, one module per import kind, one module per
command group, rendering outside the services."""

from __future__ import annotations

import re
from pathlib import Path

import talent_tui

ROOT = Path(talent_tui.__file__).resolve().parent
SQL = re.compile(r"\bselect\(|session\.exec\b|\bsqlalchemy\b|\bsqlite3\b|\bsa\.")


def _front_end_files() -> list[Path]:
    return sorted([*(ROOT / "cli").glob("*.py"), *(ROOT / "screens").glob("*.py")])


def test_front_ends_hold_no_sql() -> None:
    offenders = []
    for path in _front_end_files():
        name = str(path.relative_to(ROOT))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if SQL.search(line.split("#")[0]):
                offenders.append(f"{name}:{number}: {line.strip()}")
    assert offenders == []
    assert len(_front_end_files()) > 10  # the scan really saw the front ends


def test_each_import_kind_is_its_own_module() -> None:
    from talent_tui.io import importers

    for kind in importers.KINDS:
        module = importers.SPECS[kind].parse.__module__
        assert module == f"talent_tui.io.importers.{kind}", kind


def test_services_render_nothing() -> None:
    for path in (ROOT / "services").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "import html" not in text and "import csv" not in text, path.name


def test_each_command_group_registers_itself() -> None:
    from talent_tui.cli import brands, insights
    from talent_tui.cli.main import build_app

    names = {c.name for c in build_app().registered_commands}
    groups = {g.name for g in build_app().registered_groups}
    assert {"fit", "metrics", "mediakit", "report"} <= names
    assert "brands" in groups
    assert not hasattr(insights, "brands_app") and hasattr(brands, "register")
