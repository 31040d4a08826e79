"""A creator's metrics over time (a real chart), every key figure, and the audience bars."""

from __future__ import annotations

from datetime import date

from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Header, Static
from textual_plotext import PlotextPlot

from talent_tui.core.dates import days_before
from talent_tui.core.money import compact_number
from talent_tui.core.shares import format_share
from talent_tui.core.text import printable
from talent_tui.failures import Guarded
from talent_tui.services import fit, metrics, roster
from talent_tui.widgets.footer import KeysFooter

RANGES = {
    "3": ("3 months", 92),
    "6": ("6 months", 183),
    "y": ("12 months", 366),
    "0": ("all", None),
}


def bars(distribution: dict[str, float], width: int = 18, limit: int | None = None) -> Table:
    """Share of each bucket as a bar, biggest first for countries (limit), in order otherwise."""
    table = Table.grid(padding=(0, 1))
    table.add_column(style="dim", no_wrap=True)
    table.add_column(no_wrap=True)
    table.add_column(justify="right")
    items = list(distribution.items())
    if limit is not None:
        items = sorted(items, key=lambda kv: -kv[1])[:limit]
    for bucket, share in items:  # as stored (they sum to one), as the media kit shows them
        table.add_row(bucket, "█" * max(1, round(share * width)), format_share(share))
    return table


def day_ticks(days: list[int], count: int = 4) -> tuple[list[int], list[str]]:
    """Where to label the x axis of a chart drawn against day numbers (`date.toordinal()`),
    and the dates to write there. The plot library is never given dates: it turns them into
    timestamps and computes ticks outside the years Python can hold (a snapshot dated
    0001-01-01 or 9999-12-31, both accepted, made every redraw fail)."""
    low, high = min(days), max(days)
    if low == high:
        ticks = [low]
    else:
        ticks = sorted({low + round(i * (high - low) / (count - 1)) for i in range(count)})
    return ticks, [date.fromordinal(day).isoformat() for day in ticks]


AGE_ORDER = ("13-17", "18-24", "25-34", "35-44", "45-54", "55+")


class MetricsScreen(Guarded, Screen):
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("f", "metric('followers')", "Followers"),
        Binding("v", "metric('avg_views')", "Views"),
        Binding("e", "metric('engagement_rate')", "Engagement"),
        Binding("3", "range('3')", "3m"),
        Binding("6", "range('6')", "6m"),
        Binding("y", "range('y')", "1y"),
        Binding("0", "range('0')", "All"),
    ]

    def __init__(self, creator_id: int) -> None:
        super().__init__()
        self.creator_id = creator_id
        self.metric = "followers"
        self.range_key = "y"

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="◆")
        with Vertical(id="metrics-body"):
            yield Static(id="metrics-title")
            yield PlotextPlot(id="metrics-chart")
            with Horizontal(id="metrics-lower"):
                yield Static(id="metrics-figures")
                yield Static(id="metrics-audience")
        yield KeysFooter(compact=True)

    def on_mount(self) -> None:
        self.sub_title = "metrics"
        self.load()

    def action_metric(self, field: str) -> None:
        self.metric = field
        self.load()

    def action_range(self, key: str) -> None:
        self.range_key = key
        self.load()

    @work(exit_on_error=False, thread=True, exclusive=True, name="Loading the metrics")
    def load(self) -> None:
        label, days = RANGES[self.range_key]
        with self.app.database.session() as session:
            profile = roster.profile(session, self.creator_id)
            latest = profile.metrics.captured_on or self.app.today
            since = None if days is None else days_before(latest, days)
            points = metrics.history_points(session, self.creator_id, self.metric, since)
            audience = fit.creator_audience(session, self.creator_id)
        self.app.call_from_thread(self.show, profile, points, audience, label)

    def show(
        self,
        profile: roster.CreatorProfile,
        points: list[metrics.Point],
        audience: dict[str, dict[str, float]],
        range_label: str,
    ) -> None:
        if not self.is_attached:  # closed before its worker finished
            return
        name = metrics.METRIC_FIELDS[self.metric]
        self.query_one("#metrics-title", Static).update(
            Text.assemble(
                (printable(profile.name), "bold"),
                f"  {printable(profile.tiktok_handle)} · {name}, {range_label}",
            )
        )
        chart = self.query_one(PlotextPlot)
        plt = chart.plt
        plt.clear_data()
        plt.clear_figure()
        if points:
            scale = 100 if self.metric == "engagement_rate" else 1
            days = [p.day.toordinal() for p in points]
            plt.plot(days, [p.value * scale for p in points], marker="braille")
            plt.xticks(*day_ticks(days))
        plt.title(f"{name}{' (%)' if self.metric == 'engagement_rate' else ''}")
        chart.refresh()

        m = profile.metrics
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="dim")
        grid.add_column(justify="right")

        def pct(v: float | None, signed: bool = False) -> str:
            if v is None:
                return "—"
            return f"{v:+.1%}" if signed else f"{v:.1%}"

        grid.add_row("Followers", f"{m.followers:,}" if m.followers is not None else "—")
        grid.add_row("Avg views", compact_number(m.avg_views) if m.avg_views else "—")
        grid.add_row("6-sec view rate", pct(m.six_sec_view_rate))
        grid.add_row("Completion rate", pct(m.completion_rate))
        grid.add_row("Engagement rate", pct(m.engagement_rate))
        grid.add_row(
            "Growth 30/90d",
            f"{pct(m.follower_growth_30d, True)} / {pct(m.follower_growth_90d, True)}",
        )
        grid.add_row(
            "Eng. gr. 30/90d",
            f"{pct(m.engagement_growth_30d, True)} / {pct(m.engagement_growth_90d, True)}",
        )
        if m.split is not None:
            grid.add_row(
                "Like/comm/share",
                " / ".join(
                    format_share(v) for v in (m.split.likes, m.split.comments, m.split.shares)
                ),
            )
        grid.add_row("As of", m.captured_on.isoformat() if m.captured_on else "—")
        self.query_one("#metrics-figures", Static).update(grid)

        if not audience:
            self.query_one("#metrics-audience", Static).update(
                Text("No audience data yet.", style="dim")
            )
            return
        gender = audience.get("gender", {})
        age = audience.get("age", {})
        ordered_age = {k: age[k] for k in AGE_ORDER if k in age} | {
            k: v for k, v in age.items() if k not in AGE_ORDER
        }
        left = Table.grid()
        left.add_row(Text("Gender", style="bold"))
        left.add_row(bars(gender, 8))
        left.add_row(Text("Top countries", style="bold"))
        left.add_row(bars(audience.get("country", {}), 8, limit=4))
        right = Table.grid()
        right.add_row(Text("Age", style="bold"))
        right.add_row(bars(ordered_age, 8))
        demo = Table.grid(padding=(0, 2))
        demo.add_row(left, right)
        self.query_one("#metrics-audience", Static).update(demo)
