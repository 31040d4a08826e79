"""The demo dataset: fictional creators, brands and campaigns loaded through the importers.

Dates in data/demo are written relative to the manifest's anchor day and shifted on load so
the demo always looks current: offers due next week stay due next week.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

from talent_tui.core import locations
from talent_tui.core.dates import today as local_today
from talent_tui.io import importers
from talent_tui.io.affiliate_demo import load_affiliate_demo
from talent_tui.io.importers import ImportReport, SourceRow
from talent_tui.store.db import Database

# Load order matters: rows refer to creators and brands loaded before them.
DEMO_FILES: tuple[tuple[str, str], ...] = (
    ("creators", "creators.csv"),
    ("brands", "brands.json"),
    ("metrics", "metrics.csv"),
    ("demographics", "demographics.csv"),
    ("rates", "rates.csv"),
    ("campaigns", "campaigns.csv"),
)
DATE_FIELDS = {
    "captured_on",
    "updated_on",
    "offer_received_on",
    "respond_by",
    "start_on",
    "end_on",
}


def demo_dir() -> Path:
    return locations.shipped_data_dir() / "demo"


def _shift(rows: list[SourceRow], days: int) -> list[SourceRow]:
    if days == 0:
        return rows
    shifted = []
    for row in rows:
        values = dict(row.values)
        for name in DATE_FIELDS & values.keys():
            text = str(values[name] or "").strip()
            if text:
                try:
                    values[name] = (date.fromisoformat(text) + timedelta(days=days)).isoformat()
                except ValueError:
                    pass  # leave it for the importer to report
        shifted.append(row._replace(values=values))
    return shifted


def load_demo(
    database: Database,
    *,
    today: date | None = None,
    progress: Callable[[str], None] | None = None,
) -> list[ImportReport]:
    """Import every demo file in one transaction, dates moved so the anchor day is `today`."""
    folder = demo_dir()
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    anchor = date.fromisoformat(manifest["anchor"])
    offset = ((today or local_today()) - anchor).days
    reports = []
    with database.transaction() as session:
        for kind, name in DEMO_FILES:
            if progress is not None:
                progress(kind)
            rows = _shift(importers.read_rows(folder / name), offset)
            reports.append(importers.import_rows(session, kind, rows, name))
        if progress is not None:
            progress("affiliates")
        reports.extend(load_affiliate_demo(session, today or local_today()))
    return reports
