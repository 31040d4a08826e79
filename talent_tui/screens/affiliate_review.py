"""The review queue (`v` in the affiliates workspace): conversions the fraud and compliance
rules hold for a person's decision, oldest first, across the programs; under the list, the
highlighted flag's rule, its reason in words, its evidence and the orders it holds.

a approves (releases the orders into the commission count), r rejects (reverses them), each
with a reason asked in a small form; s shows the decided flags too; p (P backwards) narrows
the queue to one program, cycling every program → each program with flags → every program.
The list is read in a worker and read again after a decision and when another process
commits (the app's watcher), so a decision made elsewhere shows up.

Team mode: the flags on the acting manager's own affiliates by default, like the affiliates
workspace (the app's one mine/all choice, TalentApp.team_scope); `w` here flips it for the
whole app, and a `w` pressed on another screen is followed when this one shows again.
"""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static
from textual.worker import Worker

from talent_tui.core import money
from talent_tui.core.text import printable
from talent_tui.failures import Guarded
from talent_tui.screens import money_forms
from talent_tui.screens.affiliate_common import right
from talent_tui.screens.fields import FieldsForm, FormField
from talent_tui.services.affiliates import review
from talent_tui.widgets.footer import KeysFooter
from talent_tui.widgets.roster import fit
from talent_tui.widgets.tables import PlainTable

COLUMNS = (("#", 4), ("Program", 11), ("Affiliate", 15), ("Rule", 16), ("Held", 11), ("State", 8))


def _words(value: object) -> str:
    """A piece of evidence in words: a list joined with commas, a record (a claim: program
    and affiliate) as its values, "@nora in Glow"."""
    if isinstance(value, list):
        return ", ".join(_words(v) for v in value)
    if isinstance(value, dict):
        if set(value) == {"program", "affiliate"}:
            return f"{value['affiliate']} in {value['program']}"
        return " ".join(_words(v) for v in value.values())
    text = str(value)
    if len(text) == 25 and text.endswith("+00:00") and text[10] in " T":  # a moment, UTC
        return f"{text[:10]} {text[11:19]} UTC"
    return text


def evidence_words(flag: review.FlagView) -> str:
    """The evidence as `key: value` pairs, in the order the rule wrote them."""
    return " · ".join(
        f"{str(key).replace('_', ' ')}: {_words(value)}" for key, value in flag.evidence.items()
    )


class ReviewScreen(Guarded, Screen):
    CSS_PATH = "affiliate_money.tcss"
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("a", "decide(True)", "Approve"),
        Binding("r", "decide(False)", "Reject"),
        Binding("s", "show_all", "Open/all"),
        Binding("p", "program(1)", "Program"),
        Binding("P", "program(-1)", "Program before", show=False),
        Binding("w", "toggle_mine", "Mine/all", show=False),
    ]

    def __init__(self, program_id: int | None = None) -> None:
        super().__init__()
        self.program_id = program_id
        self.status = "open"
        self.flags: list[review.FlagView] = []
        # The programs `p` cycles through (those with flags the team filter keeps), by name.
        self.programs: list[tuple[int, str]] = []
        self.scope: tuple[int | None, bool] = (None, False)  # the team filter last read

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="◆")
        yield PlainTable(id="review-queue", cursor_type="row")
        yield Static("", id="review-detail")
        yield Static("", id="review-status")
        yield KeysFooter(compact=True)

    def on_mount(self) -> None:
        self._title()
        table = self.query_one("#review-queue", DataTable)
        for label, width in COLUMNS:
            table.add_column(label, width=width)
        self.reading = money_forms.LatestRead(table)
        table.focus()
        self.reload()

    def _title(self) -> None:
        """The title says whose flags these are in team mode (`w`: mine / all)."""
        label = self.app.team_label()
        self.sub_title = f"review queue · {label}" if label else "review queue"

    def refresh_data(self) -> None:
        """Another process committed (a decision from the command line): read again."""
        self.reload()

    def on_screen_resume(self) -> None:
        """Back from a form or another screen: `w` may have been pressed there."""
        self._title()
        if hasattr(self, "reading") and self.app.team_scope() != self.scope:
            self.reload()  # (not before on_mount, which reads first)

    def action_toggle_mine(self) -> None:
        """Team mode: the flags on the acting manager's own affiliates, or on all their role
        allows (the app's one choice: the roster, the deal flow and the affiliates follow)."""
        if self.app.toggle_team_view():
            self._title()
            self.reload()

    def action_program(self, step: int) -> None:
        """Every program → each program with flags, by name → every program (`P` back)."""
        choices: list[int | None] = [None, *(id_ for id_, _ in self.programs)]
        at = choices.index(self.program_id) if self.program_id in choices else 0
        self.program_id = choices[(at + step) % len(choices)]
        self.reload()

    @on(Worker.StateChanged)
    def read_ended(self, event: Worker.StateChanged) -> None:
        self.reading.ended(event.worker)

    def on_unmount(self) -> None:
        self.reading.stop()  # keys held for a read of a screen now closed go on

    def reload(self) -> None:
        self.scope = self.app.team_scope()
        self.reading.start(self.read(self.status, self.program_id, self.scope))

    @work(exit_on_error=False, thread=True, exclusive=True, group="review", name="Loading review")
    def read(self, status: str, program_id: int | None, scope: tuple[int | None, bool]) -> None:
        manager_id, unassigned = scope
        with self.app.database.session() as session:
            flags = review.queue(
                session,
                program_id=program_id,
                status=status,
                manager_id=manager_id,
                unassigned=unassigned,
            )
            programs = review.flagged_programs(
                session, manager_id=manager_id, unassigned=unassigned, including=program_id
            )
        self.app.call_from_thread(self.show, (status, program_id, scope), flags, programs)

    def show(
        self,
        asked: tuple[str, int | None, tuple[int | None, bool]],
        flags: list[review.FlagView],
        programs: list[tuple[int, str]],
    ) -> None:
        if not self.is_attached or asked != (self.status, self.program_id, self.scope):
            return  # closed, or something else was asked meanwhile (its read follows)
        status = self.status
        self.programs = programs
        self.flags = flags
        table = self.query_one("#review-queue", DataTable)
        before = self._flag()
        table.clear()
        for f in flags:
            held = money.format_money(f.held_minor, f.currency) if f.orders else ""
            table.add_row(
                right(str(f.id)),
                fit(printable(f.program), COLUMNS[1][1]),
                fit(printable(f.affiliate), COLUMNS[2][1]),
                f.rule_name,
                right(held),
                f.status,
                key=f"flag:{f.id}",
            )
        ids = [f.id for f in flags]
        if before is not None and before.id in ids:
            table.move_cursor(row=ids.index(before.id))
        elif ids:
            table.move_cursor(row=0)
        self._detail()
        open_count = sum(1 for f in flags if f.status == "open")
        what = "open" if status == "open" else "in all"
        where = self._program_words()
        text = (
            f"{len(flags)} flag(s) {what}"
            + (f", {open_count} open" if status != "open" else "")
            + f" · {where} · p program · s open/all"
        )
        if not flags:
            text = (
                "Nothing waits for review" if status == "open" else "No review flags yet"
            ) + f" · {where} · p program · s open/all"
        self.query_one("#review-status", Static).update(Text(printable(text), no_wrap=True))

    def _program_words(self) -> str:
        """Which program the queue shows, for the status line."""
        if self.program_id is None:
            return "every program"
        name = dict(self.programs).get(self.program_id, f"#{self.program_id}")
        return fit(printable(name), 24)

    def _flag(self) -> review.FlagView | None:
        table = self.query_one("#review-queue", DataTable)
        if not table.row_count or not self.flags:
            return None
        row = table.cursor_row
        return self.flags[row] if 0 <= row < len(self.flags) else None

    @on(DataTable.RowHighlighted, "#review-queue")
    def highlighted(self, _event: DataTable.RowHighlighted) -> None:
        self._detail()

    def _detail(self) -> None:
        f = self._flag()
        if f is None:
            self.query_one("#review-detail", Static).update("")
            return
        lines = [
            f"#{f.id} {f.rule_name} · {f.affiliate} · {f.program}",
            f"Why: {f.reason.removeprefix(f.rule_name + ': ')}",
            f"Evidence: {evidence_words(f)}",
            ("Holds: " if f.status == "open" else "Orders: ")
            + f"{', '.join(f.orders) or 'nothing now'}"
            + (f" ({money.format_money(f.held_minor, f.currency)})" if f.orders else ""),
        ]
        if f.decided_at is not None:
            lines.append(
                f"{f.status.capitalize()} on {f.decided_at.date()} by {f.decided_by}: "
                f"{f.decision_reason or ''}"
            )
        self.query_one("#review-detail", Static).update(
            Text("\n".join(printable(line) for line in lines))
        )

    def action_show_all(self) -> None:
        self.status = "all" if self.status == "open" else "open"
        self.reload()

    def action_decide(self, approve: bool) -> None:
        f = self._flag()
        if f is None:
            self.notify("Nothing to decide here.", timeout=3)
            return
        if f.status != "open":
            self.notify(
                money_forms.plain(
                    f"#{f.id} was already {f.status} by {f.decided_by or 'someone'}."
                ),
                timeout=4,
            )
            return
        flag_id, actor, today = f.id, self.app.actor, self.app.today
        verb = "Approve" if approve else "Reject"
        effect = "releases" if approve else "reverses"
        held = f"{effect} {len(f.orders)} order(s)" if f.orders else "holds nothing now"

        # Team mode: what the acting person may change (a manager: their own affiliates and
        # the unassigned ones), whatever the view shows; services.team.Acting.owner_filter.
        acting = self.app.acting
        manager_id, unassigned = acting.owner_filter(True) if acting is not None else (None, False)

        def submit(values: dict[str, str]) -> str:
            def do(session: object) -> str:
                from sqlmodel import Session

                assert isinstance(session, Session)
                done = review.decide(
                    session,
                    flag_id,
                    approve,
                    values["reason"],
                    actor,
                    today,
                    manager_id=manager_id,
                    unassigned=unassigned,
                )
                return f"#{done.id} {done.status}: {done.rule_name}, {done.affiliate}"

            return money_forms.save(self.app, values, do)

        def done(message: str | None) -> None:
            if message:
                self.notify(money_forms.plain(message))
                if self.is_attached:
                    self.reload()

        self.app.push_screen(
            FieldsForm(
                money_forms.plain(
                    printable(f"{verb} #{flag_id} ({f.rule_name}, {f.affiliate}): {held}")
                ),
                [FormField("reason", "Reason", "why, in a few words")],
                submit,
            ),
            done,
        )
