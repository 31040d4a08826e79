"""The affiliate kinds' driver: `talent import clicks|conversions FILE [--program P]
[--profile NAME] [--map "Their Column=our_column,…"]`.

These kinds depend on a program (its currency, its link and promo codes), so they are not in
`base.KINDS` (the kinds every export and round trip covers): this driver resolves the program
and the column mapping, builds the kind's spec, and hands it to `base.import_file`, so the
import is the same all-or-nothing, streamed, file:row:field import as every other.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from talent_tui.io.importers import clicks, conversions, tiktok_shop
from talent_tui.io.importers.base import ImportReport, KindSpec, ProgressCallback, import_file
from talent_tui.services.affiliates import profiles
from talent_tui.services.affiliates.errors import AffiliateError
from talent_tui.services.affiliates.lookup import find_program

AFFILIATE_KINDS = ("clicks", "conversions")
COLUMNS = {"clicks": clicks.COLUMNS, "conversions": conversions.COLUMNS}


@dataclass
class AffiliateImport:
    report: ImportReport
    program: str | None = None
    skipped: int = 0
    skipped_by_status: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.report.as_dict(),
            "program": self.program,
            "skipped": self.skipped,
            "skipped_by_status": self.skipped_by_status,
        }


def column_map(database: Any, kind: str, profile: str | None, mapping: str | None) -> dict:
    """The renaming a saved profile and --map give (--map wins for a column both name)."""
    result: dict[str, str] = {}
    if profile and profile.strip().lower() != tiktok_shop.NAME:
        with database.session() as session:
            result.update(profiles.load_profile(session, profile))
    if mapping:
        result.update(profiles.parse_map(mapping, COLUMNS[kind]))
    return result


def import_affiliate_file(
    database: Any,
    kind: str,
    path: Path,
    *,
    program: str | None = None,
    profile: str | None = None,
    mapping: str | None = None,
    fmt: str | None = None,
    dry_run: bool = False,
    progress: ProgressCallback | None = None,
) -> AffiliateImport:
    if kind not in AFFILIATE_KINDS:
        raise ValueError(f"not an affiliate kind: {kind!r}")
    tiktok = profile is not None and profile.strip().lower() == tiktok_shop.NAME
    if tiktok and kind != "conversions":
        raise AffiliateError("the tiktok-shop profile reads conversions (orders)", "profile")
    rename = column_map(database, kind, profile, mapping)
    chosen = None
    if program or kind == "conversions":  # conversions: the only program when none is named
        with database.session() as session:
            chosen = find_program(session, program)
            session.expunge(chosen)
    skips = conversions.Skips()
    spec: KindSpec
    if kind == "clicks":
        spec = clicks.spec_for(chosen.id if chosen is not None else None)
    elif tiktok:
        assert chosen is not None
        spec = tiktok_shop.spec(chosen, skips)
    else:
        assert chosen is not None
        spec = conversions.spec_for(chosen, skips=skips)
    with fewer_collections():
        report = import_file(
            database,
            kind,
            path,
            fmt=fmt,
            dry_run=dry_run,
            progress=progress,
            spec=spec,
            rename=rename or None,
        )
    return AffiliateImport(
        report,
        chosen.name if chosen is not None else None,
        skips.count,
        dict(skips.by_status),
    )


GC_THRESHOLD = (20_000, 20, 20)  # while a file imports (Python's defaults: 700, 10, 10)


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Python's cyclic garbage collector runs less often while a file imports; its thresholds
    are put back afterwards. Each batch keeps a few objects per row alive until it is written
    (the row, its parsed fields), so with the default thresholds the collector ran a full
    collection of every object in the process every batch or two and found nothing to free:
    0.2 s of a 100,000-row import of conversions (10%). Nothing here makes cycles and a batch
    is bounded (base.BATCH_ROWS), so what is left uncollected for a while is small. The
    thresholds are the process's: another thread is collected less often meanwhile too."""
    before = gc.get_threshold()
    gc.set_threshold(
        *(max(ours, theirs) for ours, theirs in zip(GC_THRESHOLD, before, strict=False))
    )
    try:
        yield
    finally:
        gc.set_threshold(*before)
