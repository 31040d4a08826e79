"""The domain layer must not pull in the UI frameworks: TUI and CLI sit on top of it."""

from __future__ import annotations

import json
import subprocess
import sys

DOMAIN_MODULES = [
    "talent_tui.models",
    "talent_tui.db",
    "talent_tui.money",
    "talent_tui.dates",
    "talent_tui.locations",
    "talent_tui.metrics",
    "talent_tui.roster",
    "talent_tui.campaigns",
    "talent_tui.importers",
    "talent_tui.demo",
    "talent_tui.creators",
    "talent_tui.exporters",
    "talent_tui.deals",
    "talent_tui.fit",
    "talent_tui.brands",
    "talent_tui.reports",
]


def test_domain_imports_neither_textual_nor_typer() -> None:
    code = (
        "import importlib, json, sys\n"
        f"for name in {DOMAIN_MODULES!r}:\n"
        "    importlib.import_module(name)\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    loaded = json.loads(result.stdout)
    for framework in ("textual", "typer", "click"):
        offenders = [m for m in loaded if m == framework or m.startswith(framework + ".")]
        assert offenders == [], f"domain layer imported {framework}: {offenders[:5]}"
    assert "talent_tui.roster" in loaded  # the check really imported the domain


def test_widgets_do_not_talk_to_the_database() -> None:
    code = (
        "import importlib, json, sys\n"
        "importlib.import_module('talent_tui.widgets.roster')\n"
        "importlib.import_module('talent_tui.widgets.stats')\n"
        "importlib.import_module('talent_tui.widgets.campaigns')\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    loaded = json.loads(result.stdout)
    assert "talent_tui.db" not in loaded


def test_import_linter_contracts_hold() -> None:
    from pathlib import Path

    from importlinter.cli import lint_imports

    pyproject = Path(__file__).resolve().parents[1] / "pyproject.toml"
    assert lint_imports(config_filename=str(pyproject)) == 0
