"""Imports: CSV or JSON files into the store, all or nothing.

Every kind goes through the same steps (`base`): read the file into numbered rows, validate
every row (collecting *all* errors as file:row:field) and write, inside one transaction; a CSV
file is streamed through these steps in batches, so its size does not decide the memory used
(JSON is read whole, up to `MAX_JSON_BYTES`). Each kind is one module here; importing it registers its spec. Rows are matched
on a natural key (a creator's TikTok handle, a campaign's external id, a brand's name), so
running the same import twice changes nothing the second time.
"""

from __future__ import annotations

from talent_tui.io.importers import (  # noqa: F401 - importing a kind registers it
    brands,
    campaigns,
    creators,
    demographics,
    metrics,
    rates,
)
from talent_tui.io.importers.affiliate import (
    AFFILIATE_KINDS,
    AffiliateImport,
    import_affiliate_file,
)
from talent_tui.io.importers.base import (
    ANALYZE_AFTER,
    BATCH_ROWS,
    KINDS,
    LINE_PROBE_BYTES,
    MAX_JSON_BYTES,
    MAX_KEPT_ERRORS,
    MAX_REPORTED_CHANGES,
    MAX_REPORTED_ERRORS,
    SHARE_TOLERANCE,
    SPECS,
    CsvRows,
    FieldChange,
    ImportFailed,
    ImportReport,
    KindSpec,
    ProgressCallback,
    RowChanges,
    RowError,
    SourceRow,
    SourceRows,
    csv_rows,
    detect_format,
    import_file,
    import_rows,
    import_source,
    read_rows,
    refresh_statistics,
    validate,
)
from talent_tui.io.importers.brands import target_to_text

__all__ = [
    "AFFILIATE_KINDS",
    "ANALYZE_AFTER",
    "AffiliateImport",
    "BATCH_ROWS",
    "KINDS",
    "LINE_PROBE_BYTES",
    "MAX_JSON_BYTES",
    "MAX_KEPT_ERRORS",
    "MAX_REPORTED_CHANGES",
    "MAX_REPORTED_ERRORS",
    "SHARE_TOLERANCE",
    "SPECS",
    "CsvRows",
    "FieldChange",
    "ImportFailed",
    "ImportReport",
    "KindSpec",
    "ProgressCallback",
    "RowChanges",
    "RowError",
    "SourceRow",
    "SourceRows",
    "csv_rows",
    "detect_format",
    "import_affiliate_file",
    "import_file",
    "import_rows",
    "import_source",
    "read_rows",
    "refresh_statistics",
    "target_to_text",
    "validate",
]
