"""Payouts (`y` in the affiliates workspace): a program's statements for a month — affiliate,
currency, conversions, commission, bonus, adjustments, total, due date and status, overdue
ones in the theme's error colour — with totals per currency (never summed across
currencies).

`[` `]` the month before / after; b builds the month shown (refused before its conversions
have locked, with the day it becomes possible, as a notice); p pays the statement under the
cursor: a form asks the day paid (today unless changed) and a reference, checks them as the
payment would (nothing stored), then a confirmation names who gets what; Enter (or l) shows a
statement's lines: every conversion with its rate and why that rate, the bonuses, the
adjustments. Reads run in workers; the list is read again after a change here or elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static
from textual.worker import Worker

from talent_tui.core import money
from talent_tui.core.errors import DomainError
from talent_tui.core.text import printable
from talent_tui.failures import Guarded
from talent_tui.screens import money_forms
from talent_tui.screens.affiliate_common import _money, right
from talent_tui.screens.fields import FieldsForm, FormField, FormProblem
from talent_tui.screens.forms import ConfirmScreen
from talent_tui.services.affiliates import lookup, money_views, payouts
from talent_tui.services.affiliates.commissions import month_label
from talent_tui.widgets.footer import KeysFooter
from talent_tui.widgets.roster import fit
from talent_tui.widgets.tables import PlainTable

# At 80 columns: each column's width (DataTable adds one space each side).
COLUMNS = (
    ("Affiliate", 11),
    ("Cur", 3),
    ("Conv", 4),
    ("Comm.", 8),
    ("Bonus", 6),
    ("Adj.", 7),
    ("Total", 8),
    ("Due", 6),
    ("Status", 7),
)


@dataclass
class MonthData:
    program: str
    month: date
    possible_on: date
    statements: list[payouts.StatementView]


def _due(day: date, today: date) -> str:
    """ "15 Oct" this year, "Jan 27" (month and year) another year: six columns."""
    return f"{day.day} {day:%b}" if day.year == today.year else f"{day:%b %y}"


def status_cell(app: Any, view: payouts.StatementView) -> Text | str:  # noqa: ANN401
    if view.overdue:
        return money_forms.late(app, "overdue")
    return view.status


def totals_text(app: Any, views: list[payouts.StatementView]) -> Text:  # noqa: ANN401
    """Per currency: the total, what is left to pay, what is overdue (in the error colour)."""
    text = Text()
    if not views:
        return text
    all_ = payouts.totals(views).by_currency
    to_pay = payouts.totals([v for v in views if v.status == "open"]).by_currency
    late = payouts.totals([v for v in views if v.overdue]).by_currency
    for i, currency in enumerate(sorted(all_)):
        if i:
            text.append("\n")
        text.append(f"{currency}: total {money.format_money(all_[currency], currency)}")
        text.append(f" · to pay {money.format_money(to_pay.get(currency, 0), currency)}")
        if currency in late:
            text.append(" · ")
            text.append(
                money_forms.late(app, f"overdue {money.format_money(late[currency], currency)}")
            )
    return text


def start_payment(screen: Screen, view: payouts.StatementView, paid: Any) -> None:  # noqa: ANN401
    """The pay form for `view`, checked as the payment would be; then a confirmation; then
    the payment in a worker of `screen`. `paid()` runs after it is stored."""
    app = screen.app
    if view.status != "open":
        when = f" on {view.paid_on}" if view.paid_on else ""
        screen.notify(
            money_forms.plain(f"Statement #{view.id} is {view.status}{when}: nothing to pay.")
        )
        return
    amount = money.format_money(view.total_minor, view.currency)
    who = printable(view.affiliate)

    def submit(values: dict[str, str]) -> money_views.PaymentCheck:
        try:
            return money_views.check_payment(
                app.database,  # type: ignore[attr-defined]
                view.id,
                app.actor,  # type: ignore[attr-defined]
                today=app.today,  # type: ignore[attr-defined]
                paid_on=values["paid_on"],
                reference=values["reference"],
            )
        except DomainError as exc:
            name = money_forms.field_name(exc, values)
            raise FormProblem({name: money_forms.words(exc, name)}) from None

    def checked(check: money_views.PaymentCheck | None) -> None:
        if check is None:
            return
        s = check.statement
        ref = f", reference {s.reference}" if s.reference else ", no reference"

        def answered(yes: bool | None) -> None:
            if yes:
                pay_statement(screen, view.id, s.paid_on, s.reference, paid)

        app.push_screen(
            ConfirmScreen(
                printable(f"Pay {amount} to {who} for {view.month_label}?"),
                printable(f"Statement #{view.id} of {view.program}: paid on {s.paid_on}{ref}."),
            ),
            answered,
        )

    app.push_screen(
        FieldsForm(
            money_forms.plain(f"Pay #{view.id}: {amount} to {who} ({view.month_label})"),
            [
                FormField("paid_on", "Paid on", "YYYY-MM-DD", app.today.isoformat()),  # type: ignore[attr-defined]
                FormField("reference", "Reference", "the bank's reference"),
            ],
            submit,
        ),
        checked,
    )


def pay_statement(
    screen: Screen,
    statement_id: int,
    paid_on: date | None,
    reference: str | None,
    paid: Any,  # noqa: ANN401
) -> None:
    app = screen.app

    def work_() -> None:
        try:
            with app.database.transaction() as session:  # type: ignore[attr-defined]
                view = payouts.pay(
                    session,
                    statement_id,
                    app.actor,  # type: ignore[attr-defined]
                    today=app.today,  # type: ignore[attr-defined]
                    paid_on=paid_on,
                    reference=reference,
                )
        except DomainError as exc:
            app.call_from_thread(
                app.notify, money_forms.plain(str(exc)), severity="error", timeout=8
            )
            return
        message = (
            f"Paid #{view.id}: {money.format_money(view.total_minor, view.currency)} to "
            f"{view.affiliate} on {view.paid_on}"
        )
        app.call_from_thread(app.notify, money_forms.plain(printable(message)))
        app.call_from_thread(paid)

    screen.run_worker(
        work_, thread=True, group="pay", name="Paying a statement", exit_on_error=False
    )


class PayoutsScreen(Guarded, Screen):
    CSS_PATH = "affiliate_money.tcss"
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("b", "build", "Build"),
        Binding("p", "pay", "Pay"),
        Binding("l", "lines", "Lines"),
        Binding("left_square_bracket", "month(-1)", "Month before"),
        Binding("right_square_bracket", "month(1)", "Month after", show=False),
    ]

    def __init__(self, program_id: int, month: date | None = None) -> None:
        super().__init__()
        self.program_id = program_id
        self.month = month
        self.data: MonthData | None = None

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="◆")
        yield Static("", id="pay-head")
        yield PlainTable(id="pay-table", cursor_type="row")
        yield Static("", id="pay-totals")
        yield Static("", id="pay-status")
        yield KeysFooter(compact=True)

    def on_mount(self) -> None:
        self.sub_title = "payouts"
        table = self.query_one("#pay-table", DataTable)
        for label, width in COLUMNS:
            table.add_column(label, width=width)
        self.reading = money_forms.LatestRead(table)
        table.focus()
        self.reload()

    def refresh_data(self) -> None:
        self.reload()

    @on(Worker.StateChanged)
    def read_ended(self, event: Worker.StateChanged) -> None:
        self.reading.ended(event.worker)

    def on_unmount(self) -> None:
        self.reading.stop()  # keys held for a read of a screen now closed go on

    def reload(self) -> None:
        self.reading.start(self.read(self.month))

    @work(exit_on_error=False, thread=True, exclusive=True, group="payouts", name="Loading payouts")
    def read(self, month: date | None) -> None:
        today = self.app.today
        with self.app.database.session() as session:
            program = lookup.find_program(session, str(self.program_id))
            if month is None:
                month = money_views.opening_month(session, program, today)
            views = payouts.statements(
                session, program_id=self.program_id, month=month, today=today
            )
            data = MonthData(program.name, month, payouts.possible_on(program, month), views)
        self.app.call_from_thread(self.show, data)

    def show(self, data: MonthData) -> None:
        if not self.is_attached or (self.month is not None and data.month != self.month):
            return
        self.month = data.month
        self.data = data
        table = self.query_one("#pay-table", DataTable)
        before = self._view()
        table.clear()
        for v in data.statements:
            cur = v.currency
            due = _due(v.due_on, self.app.today)
            table.add_row(
                fit(printable(v.affiliate), COLUMNS[0][1]),
                cur,
                right(f"{v.conversions:,}"),
                right(_money(v.commission_minor, cur, COLUMNS[3][1])),
                right(_money(v.bonus_minor, cur, COLUMNS[4][1]) if v.bonus_minor else ""),
                right(
                    _money(v.adjustments_minor, cur, COLUMNS[5][1]) if v.adjustments_minor else ""
                ),
                right(_money(v.total_minor, cur, COLUMNS[6][1])),
                money_forms.late(self.app, due) if v.overdue else due,
                status_cell(self.app, v),
                key=f"statement:{v.id}",
            )
        ids = [v.id for v in data.statements]
        if before is not None and before.id in ids:
            table.move_cursor(row=ids.index(before.id))
        elif ids:
            table.move_cursor(row=0)
        label = month_label(data.month)
        if data.statements:
            overdue = sum(1 for v in data.statements if v.overdue)
            head = f"{data.program} · {label}: {len(data.statements)} statement(s)"
            if overdue:
                head += f", {overdue} overdue"
        elif data.possible_on <= self.app.today:
            head = f"{data.program} · {label}: not built yet · b builds it"
        else:
            head = f"{data.program} · {label}: can be built on or after {data.possible_on}"
        self.query_one("#pay-head", Static).update(Text(printable(head), no_wrap=True))
        self.query_one("#pay-totals", Static).update(totals_text(self.app, data.statements))
        self._status()

    @on(DataTable.RowHighlighted, "#pay-table")
    def highlighted(self, _event: DataTable.RowHighlighted) -> None:
        self._status()

    def _status(self) -> None:
        """The highlighted statement in full (its handle is cut in the table), or the keys."""
        v = self._view()
        if v is None:
            text = Text("[ ] month before / after · b build the month shown", no_wrap=True)
        elif v.status == "paid":
            text = Text(printable(f"#{v.id} {v.affiliate} · paid {v.paid_on} · Enter: lines"))
        else:
            text = Text(printable(f"#{v.id} {v.affiliate} · due {v.due_on} · "))
            text.append(money_forms.late(self.app, "overdue") if v.overdue else Text(v.status))
            text.append(" · p pay · Enter: lines")
        text.no_wrap = True
        self.query_one("#pay-status", Static).update(text)

    def _view(self) -> payouts.StatementView | None:
        table = self.query_one("#pay-table", DataTable)
        if self.data is None or not table.row_count:
            return None
        row = table.cursor_row
        return self.data.statements[row] if 0 <= row < len(self.data.statements) else None

    def action_month(self, step: int) -> None:
        if self.month is None:
            return
        self.month = money_views.step_month(self.month, step)
        self.reload()

    def action_build(self) -> None:
        """Build the month shown, in a worker; the table shows it is busy meanwhile."""
        if self.month is None:
            return
        self.reading.start(self.build(self.month))

    @work(exit_on_error=False, thread=True, group="payouts-build", name="Building statements")
    def build(self, month: date) -> None:
        app = self.app
        try:
            with app.database.transaction() as session:
                program = lookup.find_program(session, str(self.program_id))
                result = payouts.build(session, program, month, app.today, app.actor)
        except DomainError as exc:
            app.call_from_thread(
                self.notify,
                money_forms.plain(str(exc)),
                title="Not built",
                severity="warning",
                timeout=12,
            )
            return
        if result.built:
            message = (
                f"{result.month_label}: {result.built} statement(s) built, "
                f"{len(result.statements)} in all"
            )
        elif result.statements:
            message = f"{result.month_label} was built already: nothing changed"
        else:
            message = f"{result.month_label}: nothing to pay for this month"
        if result.late_words:  # shown under their own months ([ goes back)
            message += "\n" + result.late_words + " [ shows earlier months."
        app.call_from_thread(
            self.notify,
            money_forms.plain(printable(message, keep_newlines=True)),
            timeout=12 if result.late else 5,
        )
        app.call_from_thread(self._reload_if_open)

    def _reload_if_open(self) -> None:
        if self.is_attached:
            self.reload()

    def action_pay(self) -> None:
        view = self._view()
        if view is None:
            self.notify("No statement here to pay.", timeout=3)
            return
        start_payment(self, view, self._reload_if_open)

    @on(DataTable.RowSelected, "#pay-table")
    def selected(self, _event: DataTable.RowSelected) -> None:
        self.action_lines()

    def action_lines(self) -> None:
        view = self._view()
        if view is not None:
            self.app.push_screen(StatementScreen(view.id), lambda _: self._reload_if_open())


class StatementScreen(Guarded, Screen[None]):
    """One statement: its figures, and every line — each conversion with its rate and why,
    the bonuses, the adjustments; the highlighted line's reason in full below."""

    CSS_PATH = "affiliate_money.tcss"
    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("p", "pay", "Pay"),
    ]
    LINE_COLUMNS = (("When", 10), ("Order", 13), ("Net", 9), ("Rate", 6), ("Earns", 9), ("Why", 17))

    def __init__(self, statement_id: int) -> None:
        super().__init__()
        self.statement_id = statement_id
        self.view: payouts.StatementView | None = None

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="◆")
        yield Static("", id="statement-head")
        yield PlainTable(id="statement-lines", cursor_type="row")
        yield Static("", id="statement-why")
        yield KeysFooter(compact=True)

    def on_mount(self) -> None:
        self.sub_title = f"statement #{self.statement_id}"
        table = self.query_one("#statement-lines", DataTable)
        for label, width in self.LINE_COLUMNS:
            table.add_column(label, width=width)
        self.reading = money_forms.LatestRead(table)
        table.focus()
        self.reload()

    def refresh_data(self) -> None:
        self.reload()

    @on(Worker.StateChanged)
    def read_ended(self, event: Worker.StateChanged) -> None:
        self.reading.ended(event.worker)

    def on_unmount(self) -> None:
        self.reading.stop()  # keys held for a read of a screen now closed go on

    def reload(self) -> None:
        self.reading.start(self.read())

    @work(
        exit_on_error=False,
        thread=True,
        exclusive=True,
        group="statement",
        name="Loading a statement",
    )
    def read(self) -> None:
        with self.app.database.session() as session:
            view = payouts.show(session, self.statement_id, self.app.today)
        self.app.call_from_thread(self.show, view)

    def show(self, view: payouts.StatementView) -> None:
        if not self.is_attached:
            return
        self.view = view
        cur = view.currency
        m = lambda minor: money.format_money(minor, cur)  # noqa: E731
        if view.status == "paid":
            state = f"paid on {view.paid_on} by {view.paid_by or '?'}" + (
                f", ref {view.reference}" if view.reference else ""
            )
        elif view.overdue:
            state = f"OVERDUE since {view.due_on}"
        else:
            state = f"{view.status}, due {view.due_on}"
        head = Text(
            "\n".join(
                printable(line)
                for line in (
                    f"#{view.id} {view.affiliate} · {view.program} · {view.month_label} · "
                    f"{view.conversions} conversion(s)",
                    f"commission {m(view.commission_minor)} + bonus {m(view.bonus_minor)} + "
                    f"adjustments {m(view.adjustments_minor)} = {m(view.total_minor)}",
                    "",
                )
            )
        )
        head.append(money_forms.late(self.app, state) if view.overdue else Text(printable(state)))
        self.query_one("#statement-head", Static).update(head)
        table = self.query_one("#statement-lines", DataTable)
        table.clear()
        for i, line in enumerate(view.lines):
            when = line.occurred_at.date().isoformat() if line.occurred_at else line.kind
            table.add_row(
                when,
                fit(printable(line.order_id or ""), 13),
                right(
                    money.format_money(line.net_minor, cur, with_code=False)
                    if line.order_id
                    else ""
                ),
                right(line.rate),
                right(money.format_money(line.amount_minor, cur, with_code=False)),
                fit(printable(line.why), 17),
                key=f"line:{i}",
            )
        if view.lines:
            table.move_cursor(row=0)
        self._why()

    @on(DataTable.RowHighlighted, "#statement-lines")
    def highlighted(self, _event: DataTable.RowHighlighted) -> None:
        self._why()

    def _why(self) -> None:
        table = self.query_one("#statement-lines", DataTable)
        text = ""
        if (
            self.view is not None
            and self.view.lines
            and 0 <= table.cursor_row < len(self.view.lines)
        ):
            line = self.view.lines[table.cursor_row]
            what = line.order_id or line.kind
            text = f"{what}: {line.why}"
        self.query_one("#statement-why", Static).update(Text(printable(text)))

    def action_back(self) -> None:
        """Close; the screen below reads again (a payment made here shows there)."""
        self.dismiss(None)

    def action_pay(self) -> None:
        if self.view is not None:
            start_payment(self, self.view, self._reload_if_open)

    def _reload_if_open(self) -> None:
        if self.is_attached:
            self.reload()
