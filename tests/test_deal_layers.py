"""The deal side's front ends only call services: no SQL in its command modules or screens,
and each command group registers itself only when asked."""

from __future__ import annotations

import importlib
import re
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
FRONT_ENDS = [ROOT / "cli" / f"{m}.py" for m in (*GROUPS, "dealkit")] + [
    ROOT / "screens" / f"{m}.py" for m in ("campaign", "dealflow", "interactions")
]
SQL = re.compile(r"\bselect\(|session\.(exec|execute|get|add|query)\(|\bsqlalchemy\b|\bsqlmodel\b")


@pytest.mark.parametrize("path", FRONT_ENDS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_no_sql_in_the_deal_front_ends(path: Path) -> None:
    hits = [
        f"{n}: {line.strip()}"
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if SQL.search(line)
    ]
    assert hits == []


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
