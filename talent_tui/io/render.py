"""Rendering report and media-kit data (built by `services.reports`) as Markdown, CSV or a
standalone HTML page. Pure text out; the caller writes it (`io.files.write_atomically`).

CSV cells are spreadsheet-safe (`talent_tui.core.cells.safe_cell`): text that a spreadsheet
would run as a formula (a campaign named ``=2+2``) gets a leading ``'``; numbers, amounts and
signed percentages such as a growth of ``-3.2%`` are written as they are."""

from __future__ import annotations

import csv
import html
import io
from collections.abc import Callable, Iterable
from pathlib import Path

from talent_tui.core.cells import safe_cell
from talent_tui.core.labels import label
from talent_tui.core.money import compact_number, format_money, format_short, to_major
from talent_tui.core.shares import format_share
from talent_tui.core.text import printable
from talent_tui.services import deals
from talent_tui.services.metrics import CreatorMetrics
from talent_tui.services.reports import MediaKit, Report, ReportCampaign

MEDIA_KIT_FORMATS = ("md", "html")
REPORT_FORMATS = ("md", "csv", "html")


def _pct(value: float | None, signed: bool = False) -> str:
    if value is None:
        return "—"
    return f"{value:+.1%}" if signed else f"{value:.1%}"


# ---- the words of a media kit -------------------------------------------------------------


def kit_handles(kit: MediaKit) -> list[str]:
    p = kit.profile
    platforms = (
        ("TikTok", p.tiktok_handle),
        ("Instagram", p.instagram_handle),
        ("YouTube", p.youtube_handle),
    )
    return [f"{platform} {h}" for platform, h in platforms if h]


def kit_headline(m: CreatorMetrics) -> list[tuple[str, str]]:
    return [
        ("Followers", f"{m.followers:,}" if m.followers is not None else "—"),
        ("Avg views per video", compact_number(m.avg_views) if m.avg_views else "—"),
        ("Engagement rate", _pct(m.engagement_rate)),
        ("Follower growth, 30 days", _pct(m.follower_growth_30d, True)),
    ]


def kit_metrics(m: CreatorMetrics) -> list[tuple[str, str]]:
    lines = [
        ("6-second view rate", _pct(m.six_sec_view_rate)),
        ("Completion rate", _pct(m.completion_rate)),
        ("Follower growth, 90 days", _pct(m.follower_growth_90d, True)),
        ("Engagement growth, 30 days", _pct(m.engagement_growth_30d, True)),
    ]
    if m.split is not None:
        split = " / ".join(
            format_share(v) for v in (m.split.likes, m.split.comments, m.split.shares)
        )
        lines.append(("Likes / comments / shares", split))
    return lines


def kit_rates(kit: MediaKit) -> list[tuple[str, str]]:
    return [
        (
            label(r.deliverable),
            format_money(r.amount_minor, r.currency),
        )
        for r in kit.profile.rates
    ]


def kit_recent(kit: MediaKit) -> list[tuple[str, str, str]]:
    return [
        (c.name, c.brand, c.finished_on.isoformat() if c.finished_on else "") for c in kit.recent
    ]


# ---- the words of a report ----------------------------------------------------------------


def report_summary(report: Report) -> list[tuple[str, str]]:
    decided = report.won + report.lost
    win_rate = f" ({report.won / decided:.0%} won)" if decided else ""
    delivered = report.deliverables_on_time + report.deliverables_late
    overdue = report.deliverables_overdue
    lines = [
        ("Period", report.period),
        ("Campaigns", f"{report.won} won, {report.lost} lost, {report.open} open{win_rate}"),
        ("Revenue (completed)", deals.format_totals(report.revenue)),
    ]
    if report.management:  # the manager's cut never goes to an advertiser
        lines.append(("Manager's commission", deals.format_totals(report.commission)))
    lines += [
        ("Open pipeline", deals.format_totals(report.pipeline)),
        (
            "Deliverables on time",
            f"{report.deliverables_on_time} of {delivered} delivered"
            + (f", {overdue} overdue" if overdue else ""),
        ),
    ]
    m = report.creator_metrics
    if m is not None:
        lines += [
            ("Followers", f"{m.followers:,}" if m.followers is not None else "—"),
            ("Avg views", compact_number(m.avg_views) if m.avg_views else "—"),
            ("Engagement rate", _pct(m.engagement_rate)),
            ("Growth 30 days", _pct(m.follower_growth_30d, True)),
            ("Growth 90 days", _pct(m.follower_growth_90d, True)),
        ]
    return lines


CAMPAIGN_COLUMNS = ("id", "campaign", "creator", "brand", "status", "fee", "commission", "date")


def report_columns(report: Report) -> tuple[str, ...]:
    """The campaign table's columns: never the report's own subject (every row of a
    creator's report is that creator's), and the commission only for management."""
    return tuple(
        c
        for c in CAMPAIGN_COLUMNS
        if c != report.subject and (c != "commission" or report.management)
    )


# Read on a screen 80 columns wide, the management report's table (two more columns than the
# others: the creator and the commission) leaves out the id, the brand and the date (the
# period is in its summary; the CSV and the HTML keep all three).
SCREEN_LEFT_OUT = ("id", "brand", "date")


# Headers shortened on a screen where the word is wider than the column's figures.
SCREEN_HEADERS = {"commission": "Comm."}


def screen_columns(report: Report) -> tuple[str, ...]:
    """The campaign table's columns in the Markdown read on a screen (see SCREEN_LEFT_OUT)."""
    columns = report_columns(report)
    if report.management:
        columns = tuple(c for c in columns if c not in SCREEN_LEFT_OUT)
    return columns


def campaign_cells(row: ReportCampaign, money: Callable[[int, str], str]) -> dict[str, str | int]:
    """One campaign line as text; `money` writes its amounts (exact, or short for a table
    read on a screen)."""
    return {
        "id": row.id,
        "campaign": row.campaign,
        "creator": row.creator,
        "brand": row.brand,
        "status": row.status.value.replace("_", " "),
        "fee": money(row.fee_minor, row.currency),
        "currency": row.currency,
        "commission": ""
        if row.commission_minor is None
        else money(row.commission_minor, row.currency),
        "date": row.day.isoformat() if row.day else "",
    }


class CsvTables(str):
    """A CSV report: one table per file. `tables` maps each table's name to its CSV text
    (`summary`: section,key,value; `campaigns`: one row per campaign, amounts exact with
    their currency). As a str it is the campaigns table alone, never two tables in one file;
    `table_paths` names the files."""

    tables: dict[str, str]

    def __new__(cls, tables: dict[str, str]) -> CsvTables:
        made = super().__new__(cls, tables["campaigns"])
        made.tables = tables
        return made


def table_paths(path: Path, names: Iterable[str]) -> list[Path]:
    """Where each table of a CSV report goes when the user names `path`: `report.csv` (or
    `report`, or `report.md`) → `report-summary.csv`, `report-campaigns.csv`."""
    stem = path.stem if path.suffix.lower() in (".csv", ".md", ".html") else path.name
    return [path.with_name(f"{stem}-{name}.csv") for name in names]


def output_files(path: Path, text: str) -> list[tuple[Path, str]]:
    """The files to write for rendered `text` the user asked to save as `path`: that one
    file, or one per table of a CSV report (`table_paths`)."""
    if isinstance(text, CsvTables):
        return list(zip(table_paths(path, text.tables), text.tables.values(), strict=True))
    return [(path, text)]


def media_kit(kit: MediaKit, fmt: str) -> str:
    """The media kit as md, csv or html; control characters shown, never written raw."""
    return printable(_media_kit(kit, fmt), keep_newlines=True)


def _media_kit(kit: MediaKit, fmt: str) -> str:
    name, niche = kit.profile.name, kit.profile.niche
    handles, recent_rows = kit_handles(kit), kit_recent(kit)
    headline, key_metrics = kit_headline(kit.profile.metrics), kit_metrics(kit.profile.metrics)
    rates = kit_rates(kit)
    if fmt == "md":
        lines = [f"# {name}", "", " · ".join(handles + ([niche] if niche else []))]
        lines += ["", "## At a glance", ""] + [f"- **{k}:** {v}" for k, v in headline]
        lines += ["", "## Key metrics", ""] + [f"- {k}: {v}" for k, v in key_metrics]
        lines += ["", "## Rates", ""]
        lines += [f"- {k}: {v}" for k, v in rates] or ["- On request"]
        lines += ["", "## Audience", ""]
        for dimension, items in kit.audience.items():
            parts = ", ".join(f"{b} {format_share(s)}" for b, s in items)
            lines.append(f"- {dimension.capitalize()}: {parts}")
        if recent_rows:
            lines += ["", "## Recent campaigns", ""]
            lines += [f"- {name} for {brand} ({when})" for name, brand, when in recent_rows]
        lines += ["", f"_As of {kit.as_of.isoformat()}_", ""]
        return "\n".join(lines)
    if fmt == "html":
        e = html.escape
        sections = [
            _html_list("At a glance", headline, strong=True),
            _html_list("Key metrics", key_metrics),
            _html_list("Rates", rates or [("Rates", "on request")]),
        ]
        audience = "".join(
            f"<h3>{e(d.capitalize())}</h3>"
            + "".join(
                f'<div class="bar"><span class="label">{e(b)}</span>'
                f'<span class="fill" style="width:{s * 100:.0f}%"></span>'
                f'<span class="pct">{format_share(s)}</span></div>'
                for b, s in items
            )
            for d, items in kit.audience.items()
        )
        recent = "".join(f"<li>{e(n)} for {e(b)} ({e(w)})</li>" for n, b, w in recent_rows)
        subtitle = " · ".join(handles + ([niche] if niche else []))
        body = (
            f"<h1>{e(name)}</h1><p class=sub>{e(subtitle)}</p>"
            + "".join(sections)
            + f"<section><h2>Audience</h2>{audience}</section>"
            + (f"<section><h2>Recent campaigns</h2><ul>{recent}</ul></section>" if recent else "")
            + f"<p class=foot>As of {kit.as_of.isoformat()}</p>"
        )
        return _html_page(f"{name} — media kit", body)
    raise ValueError(f"unknown format {fmt!r}")


def _html_list(title: str, rows: list[tuple[str, str]], strong: bool = False) -> str:
    e = html.escape
    items = "".join(
        f"<tr><th>{e(k)}</th><td>{'<b>' if strong else ''}{e(v)}{'</b>' if strong else ''}</td></tr>"
        for k, v in rows
    )
    return f"<section><h2>{e(title)}</h2><table>{items}</table></section>"


CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;max-width:48rem;margin:2rem auto;
color:#111;line-height:1.4;padding:0 1rem}
h1{margin-bottom:0}.sub{color:#555;margin-top:.2rem}h2{border-bottom:1px solid #ddd;
padding-bottom:.2rem;margin-top:1.6rem}table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:.25rem .5rem;border-bottom:1px solid #eee;vertical-align:top}
td.num{text-align:right}.bar{display:flex;align-items:center;gap:.5rem;margin:.15rem 0}
.bar .label{width:6rem}.bar .fill{background:#4a6fd6;height:.8rem;display:inline-block}
.bar .pct{color:#555}.foot{color:#777;font-size:.85rem;margin-top:2rem}
@media print{body{margin:0;max-width:none}section{break-inside:avoid}}
"""


def _html_page(title: str, body: str) -> str:
    return (
        "<!doctype html>\n<html lang=en><head><meta charset=utf-8>"
        f"<title>{html.escape(title)}</title><style>{CSS}</style></head>"
        f"<body>{body}</body></html>\n"
    )


def report(report: Report, fmt: str) -> str:
    """The report as md, csv or html; control characters shown, never written raw. A CSV
    report is a `CsvTables` (one file per table)."""
    if fmt == "csv":
        tables = _report_csv(report)
        return CsvTables({name: printable(t, keep_newlines=True) for name, t in tables.items()})
    return printable(_report(report, fmt), keep_newlines=True)


def _report_csv(report: Report) -> dict[str, str]:
    summary = io.StringIO(newline="")
    writer = csv.writer(summary, lineterminator="\n")
    writer.writerow(["section", "key", "value"])
    for key, value in report_summary(report):
        writer.writerow(["summary", safe_cell(key), safe_cell(value)])
    for currency, amount in report.revenue.items():
        writer.writerow(["revenue_minor", safe_cell(currency), amount])
    for currency, amount in report.commission.items():
        writer.writerow(["commission_minor", safe_cell(currency), amount])

    campaigns = io.StringIO(newline="")
    writer = csv.writer(campaigns, lineterminator="\n")
    # Amounts exact, in the currency's own units, with the currency in a column of its own.
    columns: list[str] = []
    for column in report_columns(report):
        columns += [column, "currency"] if column == "fee" else [column]
    writer.writerow(columns)
    for row in report.campaigns:
        cells = campaign_cells(row, lambda minor, code: str(to_major(minor, code)))
        writer.writerow([safe_cell(cells[c]) for c in columns])
    return {"summary": summary.getvalue(), "campaigns": campaigns.getvalue()}


def _report(report: Report, fmt: str) -> str:
    summary = report_summary(report)
    columns = report_columns(report)
    if fmt == "md":
        columns = screen_columns(report)
        # Read on a screen (the app's preview is 80 columns wide): short amounts, exact in
        # the summary above, the CSV and the HTML.
        lines = [f"# {report.title}", ""] + [f"- **{k}:** {v}" for k, v in summary]
        lines += ["", "## Campaigns", ""]
        lines.append(
            "| " + " | ".join(SCREEN_HEADERS.get(c, c.capitalize()) for c in columns) + " |"
        )
        lines.append("|" + "---|" * len(columns))
        for row in report.campaigns:
            cells = campaign_cells(row, format_short)
            shown = (str(cells[c] or "—").replace("|", "\\|") for c in columns)
            lines.append("| " + " | ".join(shown) + " |")
        return "\n".join(lines) + "\n"
    if fmt == "html":
        e = html.escape
        head = "".join(f"<th>{e(c.capitalize())}</th>" for c in columns)
        rows = "".join(
            "<tr>" + "".join(f"<td>{e(str(cells[c] or '—'))}</td>" for c in columns) + "</tr>"
            for cells in (campaign_cells(r, format_money) for r in report.campaigns)
        )
        body = (
            f"<h1>{e(report.title)}</h1>"
            + _html_list("Summary", summary)
            + f"<section><h2>Campaigns</h2><table><tr>{head}</tr>{rows}</table></section>"
        )
        return _html_page(report.title, body)
    raise ValueError(f"unknown format {fmt!r}")
