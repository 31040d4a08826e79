"""The domain layer must not pull in the UI frameworks: TUI and CLI sit on top of it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path


def _domain_modules() -> list[str]:
    """Every module of the layers below the front ends, found on disk (no hand-kept list)."""
    import talent_tui

    root = Path(talent_tui.__file__).resolve().parent
    names = []
    for package in ("core", "store", "services", "io"):
        for path in sorted((root / package).rglob("*.py")):
            relative = path.relative_to(root).with_suffix("")
            if "migrations" in relative.parts:
                continue  # Alembic scripts run inside Alembic, not as imports
            parts = [p for p in relative.parts if p != "__init__"]
            names.append(".".join(["talent_tui", *parts]))
    return names


DOMAIN_MODULES = _domain_modules()


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
    assert "talent_tui.services.roster" in loaded  # the check really imported the domain


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
    assert "talent_tui.store.db" not in loaded


def test_import_linter_contracts_hold() -> None:
    from importlinter.cli import lint_imports

    pyproject = Path(__file__).resolve().parents[1] / "pyproject.toml"
    assert lint_imports(config_filename=str(pyproject)) == 0
