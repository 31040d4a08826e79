"""Where talent keeps things: the user's database, the demo database, the shipped data."""

from __future__ import annotations

from pathlib import Path

from platformdirs import user_data_dir, user_log_dir

APP_NAME = "talent"


def data_home() -> Path:
    """The per-user data directory (created on demand, private to the user)."""
    path = Path(user_data_dir(APP_NAME, appauthor=False))
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def default_db_path() -> Path:
    return data_home() / "talent.db"


def demo_db_path() -> Path:
    """The demo lives in its own file so it can never touch the user's real data."""
    return data_home() / "demo.db"


def shipped_data_dir() -> Path:
    """The `data/` folder: inside the installed package, or at the top of a source checkout."""
    here = Path(__file__).resolve().parents[1]  # the talent_tui package
    for candidate in (here / "data", here.parent / "data"):
        if (candidate / "demo" / "manifest.json").is_file():
            return candidate
    raise FileNotFoundError(
        "talent's data folder is missing (looked in "
        f"{here / 'data'} and {here.parent / 'data'}); reinstall the package"
    )


def log_dir() -> Path:
    """Where talent writes its log (tracebacks of unexpected errors), private to the user."""
    path = Path(user_log_dir(APP_NAME, appauthor=False))
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def log_path() -> Path:
    return log_dir() / "talent.log"
