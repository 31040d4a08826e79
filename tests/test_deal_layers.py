"""Each deal command group registers itself only when asked, and every deals module says what
it owns. (No SQL in the front ends: tests/test_hygiene.py.)"""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
import typer

ROOT = Path(__file__).resolve().parents[1] / "talent_tui"
GROUPS = {
    "campaigns": "campaigns",
    "deliverables": "deliverables",
    "invoices": "invoices",
    "deals": "deals",
    "log": "log",
}


@pytest.mark.parametrize(("module", "group"), GROUPS.items())
def test_each_group_registers_only_when_asked(module: str, group: str) -> None:
    imported = importlib.import_module(f"talent_tui.cli.{module}")
    untouched = typer.Typer()
    assert untouched.registered_groups == []  # importing changed nothing elsewhere
    app = typer.Typer()
    imported.register(app)
    assert [g.name for g in app.registered_groups] == [group]


def test_the_deals_package_says_what_each_module_owns() -> None:
    for path in sorted((ROOT / "services" / "deals").glob("*.py")):
        module = importlib.import_module(
            f"talent_tui.services.deals.{path.stem}".removesuffix(".__init__")
        )
        assert module.__doc__ and len(module.__doc__.split()) > 10, path.name
