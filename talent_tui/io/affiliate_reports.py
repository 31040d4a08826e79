"""Affiliate money on paper: the payment file of a month's statements, and the program and
management reports (services.affiliates.program_report) as md, csv or html.

Text is printable (control characters shown, never written raw); CSV cells are
spreadsheet-safe (core.cells: a handle such as "=1+1" is written "'=1+1"); amounts are exact
decimals in the currency's own units with the currency beside them, never summed across
currencies.
"""

from __future__ import annotations

import csv
import html
import io
from fractions import Fraction

from sqlmodel import Session

from talent_tui.core.cells import safe_cell
from talent_tui.core.money import format_money, to_major
from talent_tui.core.text import printable
from talent_tui.io.render import CsvTables, _html_list, _html_page
from talent_tui.services.affiliates import payouts
from talent_tui.services.affiliates.payouts import StatementView
from talent_tui.services.affiliates.program_report import ProgramReport
from talent_tui.store.models import Affiliate

PAYMENT_COLUMNS = (
    "statement_id",
    "program",
    "month",
    "affiliate",
    "name",
    "email",
    "currency",
    "amount",
    "due_on",
    "status",
    "paid_on",
    "reference",
)


def payment_file(session: Session, views: list[StatementView]) -> str:
    """One CSV row per statement: who to pay, how much (exact, in the currency's units),
    when it is due; carried and zero statements (nothing to pay) are left out."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(PAYMENT_COLUMNS)
    for v in payouts.payable(views):
        affiliate = session.get(Affiliate, v.affiliate_id)
        writer.writerow(
            [
                v.id,
                safe_cell(v.program),
                v.month_label,
                safe_cell(v.affiliate),
                safe_cell(affiliate.name if affiliate and affiliate.name else ""),
                safe_cell(affiliate.email if affiliate and affiliate.email else ""),
                v.currency,
                str(to_major(v.total_minor, v.currency)),
                v.due_on.isoformat(),
                "overdue" if v.overdue else v.status,
                v.paid_on.isoformat() if v.paid_on else "",
                safe_cell(v.reference or ""),
            ]
        )
    return printable(buffer.getvalue(), keep_newlines=True)


def _pct(value: Fraction | None) -> str:
    if value is None:
        return "—"
    tenths = (value * 1000 * 2 + 1) // 2  # half up, in tenths of a percent
    return f"{tenths / 10:.1f}%"


def summary(report: ProgramReport) -> list[tuple[str, str]]:
    cur = report.currency

    def m(minor: int | None) -> str:
        return format_money(minor, cur) if minor is not None else "—"

    rows = [
        ("Advertiser", report.advertiser),
        ("Period", report.period.label),
        ("Clicks", f"{report.clicks:,}"),
        ("Conversions", f"{report.conversions:,}"),
        ("Conversion rate", _pct(Fraction(report.conversions, report.clicks))
         if report.clicks else "—"),
        ("Revenue", m(report.revenue_minor)),
        ("AOV", m(report.aov_minor)),
        ("Commissions", m(report.commission_minor)),
        ("Bonuses", m(report.bonus_minor)),
        ("Adjustments", m(report.adjustments_minor)),
        ("Cost", m(report.cost_minor)),
        ("Paid", m(report.paid_minor)),
        ("Cost of sale", _pct(report.cost_of_sale)),
        ("ROI", _pct(report.roi)),
    ]  # fmt: skip
    if report.estimated_months:
        rows.append(
            (
                "Estimated",
                "statements not built yet for "
                + ", ".join(report.estimated_months)
                + " (pending orders counted as approved)",
            )
        )
    if report.management:
        t = report.timeliness
        rows += [
            ("Affiliates added", str(report.added)),
            ("Stage moves", ", ".join(f"{k} {v}" for k, v in report.stage_moves.items()) or "—"),
            ("Statements due", str(t.due)),
            ("Paid on time", str(t.on_time)),
            ("Paid late", f"{t.late}" + (f" ({t.late_days} days late in all)" if t.late else "")),
            ("Overdue", str(t.overdue)),
            ("Not due yet", str(t.not_due)),
            ("Nothing to pay (zero or carried)", str(t.carried)),
        ]
    return rows


class ReportTables(CsvTables):
    """A CSV program report: one file per table (summary, amounts, top, held), written by
    `render.output_files` as FILE-summary.csv, FILE-amounts.csv, …"""

    def __new__(cls, tables: dict[str, str]) -> ReportTables:
        made = str.__new__(cls, tables["summary"])
        made.tables = tables
        return made


TOP_COLUMNS = ("affiliate", "clicks", "conversions", "revenue", "cost")
HELD_COLUMNS = ("order_id", "affiliate", "occurred_at", "net", "status", "rules", "reasons")


def render(report: ProgramReport, fmt: str) -> str:
    """The report as md, csv (a `CsvTables`: summary, top, held) or html."""
    if fmt == "csv":
        tables = _csv(report)
        return ReportTables({name: printable(t, keep_newlines=True) for name, t in tables.items()})
    if fmt not in ("md", "html"):
        raise ValueError(f"unknown format {fmt!r} (md, csv or html)")
    return printable(_md(report) if fmt == "md" else _html(report), keep_newlines=True)


def _csv(report: ProgramReport) -> dict[str, str]:
    cur = report.currency

    def table(header: tuple[str, ...], rows: list[list[object]]) -> str:
        buffer = io.StringIO(newline="")
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow([safe_cell(c) if isinstance(c, str) else c for c in row])
        return buffer.getvalue()

    amounts = [
        ["revenue", str(to_major(report.revenue_minor, cur)), cur],
        ["commission", str(to_major(report.commission_minor, cur)), cur],
        ["bonus", str(to_major(report.bonus_minor, cur)), cur],
        ["adjustments", str(to_major(report.adjustments_minor, cur)), cur],
        ["cost", str(to_major(report.cost_minor, cur)), cur],
        ["paid", str(to_major(report.paid_minor, cur)), cur],
    ]
    return {
        "summary": table(("key", "value"), [[k, v] for k, v in summary(report)]),
        "amounts": table(("key", "amount", "currency"), amounts),  # type: ignore[arg-type]
        "top": table(
            (*TOP_COLUMNS, "currency"),
            [
                [
                    t.handle,
                    t.clicks,
                    t.conversions,
                    str(to_major(t.revenue_minor, cur)),
                    str(to_major(t.cost_minor, cur)),
                    cur,
                ]
                for t in report.top
            ],
        ),  # fmt: skip
        "held": table(
            (*HELD_COLUMNS, "currency"),
            [
                [
                    h.order_id,
                    h.affiliate,
                    h.occurred_at.isoformat(),
                    str(to_major(h.net_minor, cur)),
                    h.status,
                    h.rules,
                    h.reasons,
                    cur,
                ]
                for h in report.held
            ],
        ),  # fmt: skip
    }


def _md(report: ProgramReport) -> str:
    cur = report.currency

    def cell(text: object) -> str:
        return str(text).replace("|", "\\|")

    lines = [f"# {report.title}", ""] + [f"- **{k}:** {v}" for k, v in summary(report)]
    lines += ["", "## Top affiliates", ""]
    if report.top:
        lines += ["| Affiliate | Clicks | Conv. | Revenue | Cost |", "|---|---|---|---|---|"]
        lines += [
            f"| {cell(t.handle)} | {t.clicks:,} | {t.conversions:,} | "
            f"{format_money(t.revenue_minor, cur)} | {format_money(t.cost_minor, cur)} |"
            for t in report.top
        ]
    else:
        lines.append("No clicks or conversions in the period.")
    lines += ["", "## Held and rejected conversions", ""]
    if report.held:
        lines += [
            f"- {cell(h.order_id)} ({cell(h.affiliate)}, {h.occurred_at:%Y-%m-%d}, "
            f"{format_money(h.net_minor, cur)}): {h.status} — {cell(h.reasons)}"
            for h in report.held
        ]
    else:
        lines.append("None.")
    lines += ["", f"_As of {report.today.isoformat()}_", ""]
    return "\n".join(lines)


def _html(report: ProgramReport) -> str:
    e = html.escape
    cur = report.currency
    top = "".join(
        f"<tr><td>{e(t.handle)}</td><td class=num>{t.clicks:,}</td>"
        f"<td class=num>{t.conversions:,}</td><td class=num>"
        f"{e(format_money(t.revenue_minor, cur))}</td>"
        f"<td class=num>{e(format_money(t.cost_minor, cur))}</td></tr>"
        for t in report.top
    )
    held = "".join(
        f"<tr><td>{e(h.order_id)}</td><td>{e(h.affiliate)}</td>"
        f"<td>{h.occurred_at:%Y-%m-%d}</td><td class=num>{e(format_money(h.net_minor, cur))}"
        f"</td><td>{e(h.status)}</td><td>{e(h.reasons)}</td></tr>"
        for h in report.held
    )
    body = (
        f"<h1>{e(report.title)}</h1>"
        + _html_list("Summary", summary(report))
        + "<section><h2>Top affiliates</h2><table><tr><th>Affiliate</th><th>Clicks</th>"
        "<th>Conversions</th><th>Revenue</th><th>Cost</th></tr>"
        + top
        + "</table></section>"
        + "<section><h2>Held and rejected conversions</h2><table><tr><th>Order</th>"
        "<th>Affiliate</th><th>Date</th><th>Net</th><th>Status</th><th>Why</th></tr>"
        + held
        + "</table></section>"
        + f"<p class=foot>As of {report.today.isoformat()}</p>"
    )
    return _html_page(report.title, body)
