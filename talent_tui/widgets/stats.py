"""The stats-and-rates panel: a creator's headline figures, 12-month trend and rate card."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Sparkline, Static

from talent_tui.core import labels
from talent_tui.core.money import compact_number, format_money
from talent_tui.core.shares import format_share
from talent_tui.core.text import printable
from talent_tui.failures import Guarded
from talent_tui.services.metrics import EngagementSplit
from talent_tui.services.roster import CreatorProfile, RateLine


def percent(value: float | None, *, signed: bool = False) -> str:
    if value is None:
        return "—"
    return f"{value:+.1%}" if signed else f"{value:.2%}"


def rate(value: float | None) -> str:
    return format_share(value)


SPLIT_STYLES = (("likes", "magenta"), ("comments", "cyan"), ("shares", "yellow"))


def split_bar(split: EngagementSplit | None, width: int) -> Text:
    """Likes / comments / shares as one stacked bar with the shares written after it."""
    if split is None:
        return Text("Engagement split: no likes/comments/shares yet", style="dim")
    values = (split.likes, split.comments, split.shares)
    legend = "  ".join(
        f"{name[0].upper()}{format_share(v)}"
        for (name, _), v in zip(SPLIT_STYLES, values, strict=True)
    )
    bar_width = max(10, width - len(legend) - 3)
    cells = [round(v * bar_width) for v in values]
    cells[0] += bar_width - sum(cells)
    text = Text()
    for (_name, color), n in zip(SPLIT_STYLES, cells, strict=True):
        text.append("█" * max(0, n), style=color)
    text.append("  ")
    for (name, color), v in zip(SPLIT_STYLES, values, strict=True):
        text.append(f"{name[0].upper()}", style=f"bold {color}")
        text.append(f"{format_share(v)} ")
    return text


class SplitBar(Guarded, Static):
    """The engagement split, drawn to whatever width the panel gives it."""

    split: EngagementSplit | None = None

    def show(self, split: EngagementSplit | None) -> None:
        self.split = split
        self.refresh()

    def render(self) -> Text:
        return split_bar(self.split, self.content_size.width or 56)


class Figure(Guarded, Static):
    """A label over a value."""

    def show(self, label: str, value: str) -> None:
        text = Text()
        text.append(label, style="dim")
        text.append("\n")
        text.append(value, style="bold")
        self.update(text)


def rate_card(rates: list[RateLine], columns: int = 2) -> Table | Text:
    if not rates:
        return Text("No rate card yet.", style="dim italic")
    table = Table.grid(padding=(0, 1), expand=False)
    for _ in range(columns):
        table.add_column(style="dim")
        table.add_column(justify="right")
        table.add_column(width=1)
    cells: list[str | Text] = []
    for line in rates:
        # Text, never a str: a table reads a str as markup ("[/b]" in a rate's name).
        cells += [
            Text(printable(labels.label(line.deliverable))),
            Text(format_money(line.amount_minor, line.currency)),
            "",
        ]
    while len(cells) % (3 * columns):
        cells += ["", "", ""]
    for start in range(0, len(cells), 3 * columns):
        table.add_row(*cells[start : start + 3 * columns])
    return table


class StatsPanel(Guarded, Vertical):
    """Shows one CreatorProfile; the screen calls `show`."""

    def compose(self) -> ComposeResult:
        yield Static(id="stats-title")
        with Horizontal(id="figures"):
            yield Figure(id="fig-followers", classes="figure")
            yield Figure(id="fig-views", classes="figure")
            yield Figure(id="fig-er", classes="figure")
            yield Figure(id="fig-growth", classes="figure")
        with Horizontal(id="figures2"):
            yield Figure(id="fig-6s", classes="figure")
            yield Figure(id="fig-completion", classes="figure")
            yield Figure(id="fig-growth90", classes="figure")
            yield Figure(id="fig-er-growth", classes="figure")
        yield SplitBar(id="split")
        with Horizontal(id="trend"):
            yield Static("Followers, 12 mo", id="trend-label")
            yield Sparkline([], id="trend-line")
        yield Static(id="rates-title", classes="section-title")
        yield Static(id="rates")

    def show(self, profile: CreatorProfile) -> None:
        markup = "[b]$name[/b]  [$accent]$handle[/]"
        if profile.niche:
            markup += " [dim]· $niche[/]"
        if profile.archived:
            markup += "  [i dim]archived[/]"
        title = Content.from_markup(
            markup,
            name=printable(profile.name),
            handle=printable(profile.tiktok_handle),
            niche=printable(profile.niche or ""),
        )
        self.query_one("#stats-title", Static).update(title)

        m = profile.metrics
        followers = f"{m.followers:,}" if m.followers is not None else "—"
        views = compact_number(m.avg_views) if m.avg_views is not None else "—"
        self.query_one("#fig-followers", Figure).show("Followers", followers)
        self.query_one("#fig-views", Figure).show("Avg views", views)
        self.query_one("#fig-er", Figure).show("Engagement", percent(m.engagement_rate))
        self.query_one("#fig-growth", Figure).show(
            "30-day growth", percent(m.follower_growth_30d, signed=True)
        )

        self.query_one("#fig-6s", Figure).show("6-sec views", rate(m.six_sec_view_rate))
        self.query_one("#fig-completion", Figure).show("Completion", rate(m.completion_rate))
        self.query_one("#fig-growth90", Figure).show(
            "90-day growth", percent(m.follower_growth_90d, signed=True)
        )
        self.query_one("#fig-er-growth", Figure).show(
            "Eng. gr. 30/90d",
            f"{percent(m.engagement_growth_30d, signed=True)}/"
            f"{percent(m.engagement_growth_90d, signed=True)}",
        )
        self.query_one("#split", SplitBar).show(m.split)

        sparkline = self.query_one("#trend-line", Sparkline)
        trend = [float(v) for v in m.followers_trend]
        sparkline.data = trend if len(trend) >= 2 else []
        label = "Followers, 12 mo" if len(trend) >= 2 else "Followers: no history yet"
        self.query_one("#trend-label", Static).update(label)

        self.query_one("#rates-title", Static).update("Rate card")
        self.query_one("#rates", Static).update(rate_card(profile.rates))
