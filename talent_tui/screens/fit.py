"""Who fits a brand best: pick a brand, see the roster ranked by audience fit, with reasons.
The brand's target audience can be edited here too."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.markup import escape
from textual.screen import Screen
from textual.widgets import DataTable, Header, OptionList, Static
from textual.widgets.option_list import Option

from talent_tui.core.money import compact_number
from talent_tui.core.text import printable
from talent_tui.failures import Guarded
from talent_tui.messages import JumpToCreator
from talent_tui.screens.fields import FieldsForm, FormField, FormProblem
from talent_tui.services import brands, fit
from talent_tui.store.models import Dimension
from talent_tui.widgets.footer import KeysFooter
from talent_tui.widgets.roster import fit as fit_text
from talent_tui.widgets.tables import PlainTable


class FitScreen(Guarded, Screen):
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("t", "edit_target", "Edit target"),
        Binding("R", "report", "Brand report"),
        Binding("enter", "open", "Go to creator", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.brand_id: int | None = None
        self.ranked: list[fit.Ranked] = []

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="◆")
        with Horizontal(id="fit-body"):
            yield OptionList(id="fit-brands")
            with Vertical(id="fit-right"):
                yield Static(id="fit-target")
                yield PlainTable(id="fit-table", cursor_type="row")
                yield Static(id="fit-reason")
        yield KeysFooter(compact=True)

    def on_mount(self) -> None:
        self.sub_title = "who fits this brand best"
        self.query_one("#fit-table", DataTable).add_columns("Fit", "Creator", "Followers")
        self.load_brands()

    @work(
        exit_on_error=False, thread=True, exclusive=True, group="brands", name="Loading the brands"
    )
    def load_brands(self) -> None:
        with self.app.database.session() as session:
            rows = [(b.id, b.name) for b in brands.list_brands(session)]
        self.app.call_from_thread(self._show_brands, rows)

    def _show_brands(self, rows: list[tuple[int, str]]) -> None:
        if not self.is_attached:  # closed before its worker finished
            return
        options = self.query_one("#fit-brands", OptionList)
        options.clear_options()
        options.add_options(
            [Option(Text(printable(name)), id=str(brand_id)) for brand_id, name in rows]
        )
        if rows:
            options.highlighted = 0
        options.focus()

    @on(OptionList.OptionHighlighted, "#fit-brands")
    def brand_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self.brand_id = int(event.option.id or 0)
        self.rank(self.brand_id)

    @on(OptionList.OptionSelected, "#fit-brands")
    def brand_selected(self) -> None:
        self.query_one("#fit-table", DataTable).focus()

    @work(
        exit_on_error=False,
        thread=True,
        exclusive=True,
        group="rank",
        name="Ranking creators for the brand",
    )
    def rank(self, brand_id: int) -> None:
        with self.app.database.session() as session:
            target = fit.brand_target(session, brand_id)
            ranked = fit.rank_for_brand(session, brand_id)
        self.app.call_from_thread(self._show_rank, brand_id, target, ranked)

    def _show_rank(self, brand_id: int, target: dict, ranked: list[fit.Ranked]) -> None:  # noqa: ANN001
        if not self.is_attached:  # closed before its worker finished
            return
        if brand_id != self.brand_id:
            return
        self.ranked = ranked
        parts = [
            f"{dim}: {brands.format_distribution(target[dim])}"
            for dim in ("gender", "age", "country")
            if dim in target
        ]
        self.query_one("#fit-target", Static).update(
            Text(
                "Target  " + ("\n        ".join(parts) if parts else "none yet: press t to set it")
            )
        )
        table = self.query_one("#fit-table", DataTable)
        table.clear()
        for r in ranked:
            table.add_row(
                f"{r.fit.score:>3}", fit_text(printable(f"{r.name} {r.tiktok_handle}"), 34),
                compact_number(r.followers), key=str(r.creator_id),
            )  # fmt: skip
        self._show_reason()

    @on(DataTable.RowHighlighted, "#fit-table")
    def row_moved(self) -> None:
        self._show_reason()

    def _show_reason(self) -> None:
        table = self.query_one("#fit-table", DataTable)
        text = ""
        if table.row_count and self.ranked:
            index = min(table.cursor_row, len(self.ranked) - 1)
            text = self.ranked[index].fit.reason
        self.query_one("#fit-reason", Static).update(Text(text))

    @on(DataTable.RowSelected, "#fit-table")
    def creator_chosen(self, event: DataTable.RowSelected) -> None:
        creator_id = int(event.row_key.value or 0)
        self.app.pop_screen()
        self.app.post_message(JumpToCreator(creator_id))

    def action_open(self) -> None:
        table = self.query_one("#fit-table", DataTable)
        if table.has_focus and table.row_count:
            table.action_select_cursor()

    def action_report(self) -> None:
        brand_id = self.brand_id
        if brand_id is None:
            return
        from talent_tui.io import render
        from talent_tui.screens.document import DocumentScreen
        from talent_tui.services import reports

        today, app = self.app.today, self.app

        def produce(fmt: str) -> str:
            with app.database.session() as session:
                report = reports.build_report(session, today, brand_id=brand_id)
            return render.report(report, fmt)

        renderers = {fmt: (lambda f=fmt: produce(f)) for fmt in render.REPORT_FORMATS}
        self.app.push_screen(DocumentScreen("brand report", renderers, f"brand-{brand_id}.html"))

    def action_edit_target(self) -> None:
        if self.brand_id is not None:
            self.load_target(self.brand_id)

    @work(
        exit_on_error=False,
        thread=True,
        exclusive=True,
        group="target",
        name="Loading the target audience",
    )
    def load_target(self, brand_id: int) -> None:
        with self.app.database.session() as session:
            target = fit.brand_target(session, brand_id)
        self.app.call_from_thread(self._edit_target, brand_id, target)

    def _edit_target(self, brand_id: int, target: dict[str, dict[str, float]]) -> None:
        if not self.is_attached:  # closed before its worker finished
            return
        fields = [
            FormField(d.value, d.value.capitalize(), hint, brands.format_distribution(target.get(d.value, {})))
            for d, hint in (
                (Dimension.GENDER, "female=0.6; male=0.4"),
                (Dimension.AGE, "18-24=0.5; 25-34=0.5"),
                (Dimension.COUNTRY, "US=0.7; CA=0.3"),
            )
        ]  # fmt: skip

        def submit(values: dict[str, str]) -> str:
            parsed: dict[Dimension, dict[str, float]] = {}
            errors: dict[str, str] = {}
            for d in Dimension:
                try:
                    parsed[d] = brands.parse_distribution(d, values[d.value])
                except brands.InvalidTarget as exc:
                    errors[d.value] = str(exc)
            if errors:
                raise FormProblem(errors)
            with self.app.database.transaction() as session:
                for d, distribution in parsed.items():
                    brands.set_target(session, brand_id, d, distribution, self.app.actor)
            return "Target saved"

        def done(message: str | None) -> None:
            if message:
                self.notify(escape(message))
                self.rank(brand_id)

        self.app.push_screen(FieldsForm("Target audience", fields, submit), done)
