"""Where things live: one module per import kind, one module per command group, rendering
outside the services. (No SQL in the front ends: tests/test_hygiene.py.)"""

from __future__ import annotations

from pathlib import Path

import talent_tui

ROOT = Path(talent_tui.__file__).resolve().parent


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
