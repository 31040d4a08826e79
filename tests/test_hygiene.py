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


# ---- no SQL in the front ends ----------------------------------------------------------------

SQL_MODULES = ("sqlalchemy", "sqlite3")
QUERY_CALLS = {"exec", "execute", "exec_driver_sql", "query", "scalars", "scalar"}


def _front_end_files() -> list[Path]:
    import talent_tui

    root = Path(talent_tui.__file__).resolve().parent
    files = [*sorted((root / "screens").rglob("*.py")), *sorted((root / "widgets").rglob("*.py"))]
    files += sorted((root / "cli").rglob("*.py"))
    files += [root / name for name in ("app.py", "commands.py", "messages.py", "failures.py")]
    return files


def _sql_in(path: Path) -> list[str]:
    """Where a front-end module imports a database library or builds/runs a query itself."""
    import ast

    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        where = f"{path.parent.name}/{path.name}:{getattr(node, 'lineno', 0)}"
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] in SQL_MODULES:
                    found.append(f"{where} import {alias.name}")
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if module.split(".")[0] in SQL_MODULES:
                found.append(f"{where} from {module} import …")
            if module == "sqlmodel" and any(
                a.name in ("select", "col", "func") for a in node.names
            ):
                found.append(
                    f"{where} from sqlmodel import {', '.join(a.name for a in node.names)}"
                )
        elif isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name) and func.id == "select":
                found.append(f"{where} select(…)")
            if isinstance(func, ast.Attribute) and func.attr in QUERY_CALLS:
                owner = func.value
                name = owner.id if isinstance(owner, ast.Name) else getattr(owner, "attr", "")
                if "session" in name or "conn" in name or "engine" in name:
                    found.append(f"{where} {name}.{func.attr}(…)")
            if isinstance(func, ast.Attribute) and func.attr == "get":
                owner = func.value
                if isinstance(owner, ast.Name) and "session" in owner.id:
                    found.append(f"{where} {owner.id}.get(…)")
    return found


def test_screens_widgets_and_cli_contain_no_sql() -> None:
    files = _front_end_files()
    assert len(files) > 20  # the scan found the front ends
    offenders = [hit for path in files for hit in _sql_in(path)]
    assert offenders == [], "SQL belongs in services/store:\n" + "\n".join(offenders)


def test_the_sql_scan_finds_sql(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import sqlite3\nfrom sqlalchemy import text\nfrom sqlmodel import select\n"
        "def f(session):\n    session.exec(select(X))\n    return session.get(X, 1)\n",
        encoding="utf-8",
    )
    hits = _sql_in(sample)
    assert len(hits) == 6, hits
