"""Every open deal across the roster by stage, and everything due: one key from the roster."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Header, TabbedContent, TabPane

from talent_tui.core import money
from talent_tui.core.dates import short_day
from talent_tui.core.text import printable
from talent_tui.failures import Guarded
from talent_tui.services import deals
from talent_tui.widgets.footer import KeysFooter
from talent_tui.widgets.roster import fit
from talent_tui.widgets.tables import PlainTable


class DealFlowScreen(Guarded, Screen):
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("1", "pane('pane-pipeline')", "Pipeline"),
        Binding("2", "pane('pane-due')", "Due"),
        Binding("enter", "open", "Open", show=False),
        Binding("R", "report", "Period report"),
    ]
    _shown = False  # the data has been shown once

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="◆")
        with TabbedContent(id="flow-tabs"):
            with TabPane("Pipeline", id="pane-pipeline"):
                yield PlainTable(id="flow-pipeline", cursor_type="row")
            with TabPane("Due this week", id="pane-due"):
                yield PlainTable(id="flow-due", cursor_type="row")
        yield KeysFooter(compact=True)

    def on_mount(self) -> None:
        self.sub_title = "deal flow"
        self.query_one("#flow-pipeline", DataTable).add_columns(
            "Campaign", "Creator", "Fee", "Next"
        )
        self.query_one("#flow-due", DataTable).add_columns("Due", "What", "Kind")
        # Read here when it is quick (the screen's first frame then shows the data), else in
        # a worker; no loading overlay (a widget mounted and removed, a restyle each time).
        today = self.app.today
        try:
            stages, due = self.app.read_now(
                lambda session: (deals.deal_flow(session), deals.due_items(session, today))
            )
        except Exception:  # noqa: BLE001 - the worker reads again and reports what failed
            self.reload()
            return
        self.show(stages, due)

    def on_screen_resume(self) -> None:
        if self._shown:  # back from a deal: what changed there shows here (the first time,
            self.reload()  # on_mount has just asked)

    @work(exit_on_error=False, thread=True, exclusive=True, name="Loading the deal flow")
    def reload(self) -> None:
        today = self.app.today
        with self.app.database.session() as session:
            stages = deals.deal_flow(session)
            due = deals.due_items(session, today)
        self.app.call_from_thread(self.show, stages, due)

    def show(self, stages: list[deals.Stage], due: list[deals.DueItem]) -> None:
        if not self.is_attached:  # closed while loading
            return
        self._shown = True
        today = self.app.today
        table = self.query_one("#flow-pipeline", DataTable)
        table.clear()
        for stage in stages:
            label = f"{deals.STATUS_LABELS[stage.status].capitalize()} · {len(stage.deals)}"
            table.add_row(
                Text(label, style="bold reverse"), "", "", "", key=f"stage:{stage.status.value}"
            )
            for code, amount in stage.totals.items():  # one line per currency, never summed
                table.add_row(
                    Text(f"  total in {code}", style="dim"),
                    "",
                    Text(money.format_short(amount, code), style="bold"),
                    "",
                    key=f"total:{stage.status.value}:{code}",
                )
            for deal in stage.deals:
                when = short_day(deal.key_date, today) if deal.key_date else "—"
                late = deal.key_date is not None and deal.key_date < today
                table.add_row(
                    fit(printable(deal.name), 28),
                    fit(printable(f"{deal.creator} · {deal.brand}"), 26),
                    money.format_short(deal.fee_minor, deal.currency),
                    Text(when, style="bold red" if late else ""),
                    key=f"campaign:{deal.campaign_id}",
                )
        first_deal = next(
            (i for i, k in enumerate(table.rows) if str(k.value).startswith("campaign:")), None
        )
        if first_deal is not None:
            table.move_cursor(row=first_deal)  # Enter opens a deal straight away
        due_table = self.query_one("#flow-due", DataTable)
        due_table.clear()
        for item in due:
            when = short_day(item.due_on, today) + (" late" if item.overdue else "")
            key = (
                f"campaign:{item.campaign_id}" if item.campaign_id else f"{item.kind}:{item.ref_id}"
            )
            due_table.add_row(
                Text(when, style="bold red" if item.overdue else ""),
                fit(printable(item.label), 52),
                item.kind,
                key=f"{key}:{item.kind}:{item.ref_id}",
            )
        overdue = sum(1 for i in due if i.overdue)
        self.query_one("#flow-tabs", TabbedContent).get_tab("pane-due").label = (
            f"Due this week {len(due)}" + (f" ({overdue} late)" if overdue else "")
        )
        open_deals = sum(len(s.deals) for s in stages)
        self.query_one("#flow-tabs", TabbedContent).get_tab(
            "pane-pipeline"
        ).label = f"Pipeline {open_deals}"

    def action_report(self) -> None:
        from talent_tui.core.dates import parse_iso_date
        from talent_tui.io import render
        from talent_tui.screens.document import DocumentScreen
        from talent_tui.screens.fields import FieldsForm, FormField, FormProblem
        from talent_tui.services import reports

        today, app = self.app.today, self.app

        def submit(values: dict[str, str]) -> str:
            days = {}
            errors = {}
            for name in ("start", "end"):
                try:
                    days[name] = parse_iso_date(values[name])
                except ValueError as exc:
                    errors[name] = str(exc)
            if not errors and days["end"] < days["start"]:
                errors["end"] = "before the start"
            if errors:
                raise FormProblem(errors)
            return f"{days['start'].isoformat()} {days['end'].isoformat()}"

        def chosen(result: str | None) -> None:
            if not result:
                return
            start, end = (parse_iso_date(p) for p in result.split())

            def produce(fmt: str) -> str:
                with app.database.session() as session:
                    report = reports.build_report(session, today, start=start, end=end)
                return render.report(report, fmt)

            renderers = {fmt: (lambda f=fmt: produce(f)) for fmt in ("md", "csv", "html")}
            name = f"report-{start.isoformat()}-{end.isoformat()}.html"
            self.app.push_screen(DocumentScreen("period report", renderers, name))

        fields = [
            FormField("start", "From", "YYYY-MM-DD", today.replace(month=1, day=1).isoformat()),
            FormField("end", "To", "YYYY-MM-DD", today.isoformat()),
        ]
        self.app.push_screen(FieldsForm("Report for a period", fields, submit), chosen)

    def action_pane(self, pane: str) -> None:
        self.query_one("#flow-tabs", TabbedContent).active = pane
        table_id = "#flow-pipeline" if pane == "pane-pipeline" else "#flow-due"
        self.query_one(table_id, DataTable).focus()

    @on(DataTable.RowSelected)
    def chosen(self, event: DataTable.RowSelected) -> None:
        key = str(event.row_key.value or "")
        kind, _, rest = key.partition(":")
        if kind == "campaign":
            from talent_tui.screens.campaign import CampaignScreen

            campaign_id = int(rest.split(":")[0])
            self.app.push_screen(CampaignScreen(campaign_id))
        elif kind == "follow-up":
            self.notify("A follow-up: open the creator's log with l on the roster.")

    def action_open(self) -> None:
        focused = self.focused
        if isinstance(focused, DataTable) and focused.row_count:
            focused.action_select_cursor()
