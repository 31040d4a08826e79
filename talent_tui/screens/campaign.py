"""One campaign: its current terms, the offer versions side by side, deliverables with their
feedback, invoices, and the history. Every negotiation step is a key away."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

from rich.cells import cell_len
from rich.table import Table
from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.markup import escape
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static, TabbedContent, TabPane

from talent_tui.core import money
from talent_tui.core.dates import parse_iso_date, short_day
from talent_tui.core.errors import DomainError
from talent_tui.core.fields import (
    DELIVERABLE_KINDS,
    FieldError,
    deliverable_kind,
    deliverable_label,
)
from talent_tui.core.text import printable
from talent_tui.failures import Guarded
from talent_tui.screens.fields import FieldsForm, FormField, FormProblem
from talent_tui.services import deals
from talent_tui.services.deals import conflicts
from talent_tui.services.deals.pipeline import DeliverableView
from talent_tui.store.models import CampaignStatus, DeliverableStatus, Party
from talent_tui.widgets.footer import KeysFooter
from talent_tui.widgets.roster import fit as fit_cells
from talent_tui.widgets.tables import PlainTable

S = CampaignStatus

# The keys of lifecycle actions, and the state each one leads to.
MOVES = {
    "review": S.REVIEWING,
    "accept": S.ACCEPTED,
    "decline": S.DECLINED,
    "start": S.IN_PRODUCTION,
    "complete": S.COMPLETED,
    "cancel": S.CANCELLED,
    "counter": S.NEGOTIATING,
    "brand_counter": S.NEGOTIATING,
}


def parse_terms(values: dict[str, str], currency: str) -> dict[str, Any]:
    """The terms form's text → term changes, read by the one service parser
    (`deals.parse_terms`); refusals become a FormProblem naming each bad field."""
    typed = {name: values.get(name, "") for name in deals.TYPED_TERMS}
    try:
        return deals.parse_terms(typed, currency)
    except deals.TermsInvalid as exc:
        raise FormProblem(dict(exc.errors)) from None


def versions_table(versions: list[deals.Version]) -> Table:
    table = Table(box=None, header_style="bold", pad_edge=False, expand=False)
    table.add_column("Term", style="dim")
    for v in versions:
        side = "brand" if v.proposed_by is Party.BRAND else "us"
        table.add_column(f"v{v.version} {side}")
    described = [{k: printable(t) for k, t in v.terms.describe().items()} for v in versions]
    for term in described[0]:
        cells = []
        for v, terms in zip(versions, described, strict=True):
            changed = term in v.changed
            cells.append(
                Text(
                    terms[term] + (" *" if changed else ""), style="bold reverse" if changed else ""
                )
            )
        table.add_row(term, *cells)
    table.add_row("by", *[Text(printable(v.created_by)) for v in versions])
    table.add_row("note", *[Text(printable(v.note)) for v in versions])
    return table


# The deal's tabs, in the order of their keys 1-4.
PANES = ("pane-offers", "pane-deliverables", "pane-invoices", "pane-history")

# The history table's first two columns: the time, and who (cut beyond WHO_MAX cells: an
# import's "import:campaigns.csv" took 22 and cut what happened).
WHEN_WIDTH = 16
WHO_MAX = 12


class CampaignScreen(Guarded, Screen):
    # The footer shows the steps a deal takes most (only those it can take now, see
    # check_action) and fits 80 columns; every key is in `?`.
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("a", "accept", "Accept"),
        Binding("d", "decline", "Decline"),
        Binding("c", "counter", "Counter"),
        Binding("b", "brand_counter", "Brand ctr"),
        Binding("v", "review", "Review", show=False),
        Binding("p", "start", "Start"),
        Binding("o", "complete", "Complete"),
        Binding("x", "cancel", "Cancel deal", show=False),
        Binding("r", "reopen", "Reopen"),
        Binding("n", "add_deliverable", "Deliverable"),
        Binding("e", "edit_deliverable", "Edit"),
        Binding("D", "delete_deliverable", "Delete"),
        Binding("s", "advance_deliverable", "Status", show=False),
        Binding("f", "feedback", "Feedback", show=False),
        Binding("i", "add_invoice", "Invoice"),
        Binding("m", "mark_paid", "Paid", show=False),
        Binding("l", "brand_log", "Brand log", show=False),
        Binding("ctrl+r,f5", "refresh", "Refresh", show=False),
        Binding("1", "show_pane(0)", "Offers", show=False),
        Binding("2", "show_pane(1)", "Deliverables", show=False),
        Binding("3", "show_pane(2)", "Invoices", show=False),
        Binding("4", "show_pane(3)", "History", show=False),
    ]

    def __init__(self, campaign_id: int) -> None:
        super().__init__()
        self.campaign_id = campaign_id
        self.data: deals.CampaignDetail | None = None

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="◆")
        with Vertical(id="deal-body"):
            yield Static(id="deal-title")
            yield Static(id="deal-terms")
            with TabbedContent(id="deal-tabs"):
                with TabPane("Offers", id="pane-offers"), VerticalScroll(id="offers-scroll"):
                    yield Static(id="deal-versions")
                with TabPane("Deliverables", id="pane-deliverables"):
                    yield PlainTable(id="deal-deliverables", cursor_type="row")
                    yield Static(id="deal-feedback")
                with TabPane("Invoices", id="pane-invoices"):
                    yield PlainTable(id="deal-invoices", cursor_type="row")
                    yield Static(id="deal-invoice-totals")
                with TabPane("History", id="pane-history"):
                    yield PlainTable(id="deal-history", cursor_type="row")
        yield KeysFooter(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one("#deal-deliverables", DataTable).add_columns(
            "Kind", "Due", "Status", "Feedback"
        )
        self.query_one("#deal-invoices", DataTable).add_columns(
            "Number", "Amount", "Issued", "Due", "Paid"
        )
        self.query_one("#deal-history", DataTable).add_columns("When (UTC)", "Who", "What")
        # Read here when it is quick (the screen's first frame then shows the deal), else in
        # a worker; no loading overlay (a widget mounted and removed, a restyle each time).
        today = self.app.today
        try:
            data = self.app.read_now(
                lambda session: deals.campaign_detail(session, self.campaign_id, today)
            )
        except Exception:  # noqa: BLE001 - the worker reads again and reports what failed
            self.reload()
            return
        self.show(data)

    @property
    def actor(self) -> str:
        return self.app.actor

    @work(exit_on_error=False, thread=True, exclusive=True, group="deal", name="Loading the deal")
    def reload(self) -> None:
        with self.app.database.session() as session:
            data = deals.campaign_detail(session, self.campaign_id, self.app.today)
        self.app.call_from_thread(self.show, data)

    def show(self, data: deals.CampaignDetail) -> None:
        if not self.is_attached:  # closed while loading
            return
        self.data = data
        summary = data.summary
        title = Text()
        title.append(printable(summary.name), style="bold")
        title.append(f"  {printable(summary.creator.name)} × {printable(summary.brand.name)}  ")
        title.append(deals.STATUS_LABELS[summary.status], style="reverse")
        self.query_one("#deal-title", Static).update(title)
        self.sub_title = f"campaign {summary.id}"

        terms = {k: printable(v) for k, v in data.terms.describe().items()}
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="dim")
        grid.add_column()
        grid.add_column(style="dim")
        grid.add_column()
        fit = data.audience_fit
        commission = money.format_money(data.commission_minor, summary.currency)
        grid.add_row("Fee", terms["fee"], "Commission", commission)
        grid.add_row("Deliverables", Text(terms["deliverables"]), "Respond by", terms["respond by"])
        usage, exclusivity = _windows(data, self.app.today)
        grid.add_row("Usage", usage, "Exclusivity", exclusivity)
        grid.add_row(
            "Payment", terms["payment"], "Audience fit", "—" if fit is None else f"{fit:.0%}"
        )
        self.query_one("#deal-terms", Static).update(grid)
        self.query_one("#deal-versions", Static).update(versions_table(data.versions))

        table = self.query_one("#deal-deliverables", DataTable)
        table.clear()
        for d in data.deliverables:
            due = str(d.due_on or "—")
            due_cell = Text(
                due + (" overdue" if d.overdue else ""), style="bold red" if d.overdue else ""
            )
            table.add_row(
                printable(deliverable_label(d.kind)), due_cell, d.status.value.replace("_", " "), str(len(d.feedback)),
                key=str(d.id),
            )  # fmt: skip
        self._show_feedback()

        invoices = self.query_one("#deal-invoices", DataTable)
        invoices.clear()
        for i in data.invoices:
            invoices.add_row(
                printable(i.number) or f"#{i.id}",
                money.format_money(i.amount_minor, i.currency),
                str(i.issued_on),
                Text(str(i.due_on), style="bold red" if i.overdue else ""),
                str(i.paid_on or "—"),
                key=str(i.id),
            )
        totals = data.totals
        self.query_one("#deal-invoice-totals", Static).update(
            f"Outstanding {deals.format_totals(totals.outstanding)} · "
            f"overdue {deals.format_totals(totals.overdue)}"
        )

        self._show_history()
        self.refresh_bindings()

    def _show_history(self) -> None:
        """Newest first; "What" gets the width the time and "Who" leave, and wraps rather than
        being cut."""
        if self.data is None:
            return
        history = self.query_one("#deal-history", DataTable)
        entries = [(printable(e.actor), printable(e.action), e.at) for e in self.data.history]
        who_width = min(max([cell_len("Who"), *(cell_len(who) for who, _, _ in entries)]), WHO_MAX)
        # The table's width (the whole screen's but the body's padding, before it is first
        # laid out), less each column's padding and room for a scrollbar.
        width = history.size.width or self.app.size.width - 2
        padding = 2 * history.cell_padding * 3
        what_width = max(width - WHEN_WIDTH - who_width - padding - 2, 20)
        history.clear(columns=True)
        history.add_column("When (UTC)", width=WHEN_WIDTH)
        history.add_column("Who", width=who_width)
        history.add_column("What", width=what_width)
        for who, what, at in reversed(entries):
            history.add_row(
                f"{at:%Y-%m-%d %H:%M}",
                fit_cells(who, who_width),
                Text(what, overflow="fold"),
                height=None,
            )

    def on_resize(self, _event: events.Resize) -> None:
        self._show_history()

    def action_show_pane(self, index: int) -> None:
        self.query_one("#deal-tabs", TabbedContent).active = PANES[index]

    def _show_feedback(self) -> None:
        if self.data is None:
            return
        table = self.query_one("#deal-deliverables", DataTable)
        text = ""
        if table.row_count:
            row_key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
            item = next(d for d in self.data.deliverables if str(d.id) == row_key.value)
            lines = [f"{f.given_on} {f.author}: {f.text}" for f in item.feedback]
            text = "\n".join(lines) or "No feedback yet."
            if item.post_url:
                text += f"\nPosted: {item.post_url}"
        self.query_one("#deal-feedback", Static).update(Text(printable(text, keep_newlines=True)))

    @on(DataTable.RowHighlighted, "#deal-deliverables")
    def deliverable_moved(self) -> None:
        self._show_feedback()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Only the steps this deal can take are offered (and shown in the footer)."""
        if self.data is None:
            return True
        status = self.data.status
        if action in MOVES:
            return MOVES[action] in deals.TRANSITIONS[status]
        if action in ("edit_deliverable", "delete_deliverable"):
            return status in deals.AGREED and self._on_deliverables()
        if action == "reopen":
            return status is S.EXPIRED
        if action in ("add_deliverable", "advance_deliverable", "feedback"):
            return status in deals.AGREED
        if action in ("add_invoice", "mark_paid"):
            return status in (*deals.AGREED, S.COMPLETED)
        return True

    # ---- lifecycle --------------------------------------------------------------------------

    def _change(self, do: Any, message: str) -> None:
        self.apply_change(do, message)

    @work(exit_on_error=False, thread=True, group="deal-change", name="Saving the change")
    def apply_change(self, do: Any, message: str) -> None:
        try:
            with self.app.database.transaction() as session:
                do(session)
        except DomainError as exc:
            self.app.call_from_thread(self.notify, escape(str(exc)), severity="error", timeout=6)
            return
        self.app.call_from_thread(self.notify, message)
        self.app.call_from_thread(self.reload_if_open)

    def action_refresh(self) -> None:
        self.reload()
        self.notify("Refreshed", timeout=2)

    def refresh_data(self) -> None:
        """Another process changed the database (see TalentApp.on_data_changed)."""
        self.reload_if_open()

    def reload_if_open(self) -> None:
        """After a change: show it, unless the screen was closed meanwhile."""
        if self.is_attached:
            self.reload()

    def action_review(self) -> None:
        self._change(lambda s: deals.start_review(s, self.campaign_id, self.actor), "Under review")

    def _confirm(self, question: str, do: Any, message: str, detail: str = "") -> None:
        from talent_tui.screens.forms import ConfirmScreen

        def answered(yes: bool | None) -> None:
            if yes:
                self._change(do, message)

        self.app.push_screen(ConfirmScreen(escape(question), detail), answered)

    def action_accept(self) -> None:
        self.check_accept()

    @work(exit_on_error=False, thread=True, exclusive=True, group="deal-check",
          name="Checking the deal against the creator's other deals")  # fmt: skip
    def check_accept(self) -> None:
        """The conflict check first (a read), then the question, listing what it found."""
        with self.app.database.session() as session:
            found = conflicts.check(session, self.campaign_id)
        self.app.call_from_thread(self._confirm_accept, found)

    def _confirm_accept(self, found: list[conflicts.Conflict]) -> None:
        if not self.is_attached or self.data is None:
            return
        fee = self.data.terms.describe()["fee"]
        question = f"Accept the newest terms ({fee})?"
        if found:
            question += f" They clash with the creator's other deals ({len(found)}):"
        self._confirm(
            question,
            # Accepted only if the check finds nothing beyond what the question listed.
            lambda s: conflicts.accept(s, self.campaign_id, self.actor, seen=found),
            f"Accepted despite {len(found)} conflict(s)" if found else "Accepted",
            conflict_lines(found),
        )

    def action_start(self) -> None:
        self._change(
            lambda s: deals.transition(s, self.campaign_id, S.IN_PRODUCTION, self.actor),
            "In production",
        )

    def action_complete(self) -> None:
        open_items = [d for d in self.data.deliverables if d.open] if self.data else []
        warning = f" {len(open_items)} deliverable(s) are not approved yet." if open_items else ""
        self._confirm(
            f"Mark this campaign completed?{warning}",
            lambda s: deals.transition(s, self.campaign_id, S.COMPLETED, self.actor),
            "Completed",
        )

    def _reason_form(self, title: str, to: CampaignStatus) -> None:
        def submit(values: dict[str, str]) -> str:
            reason = values["reason"].strip()
            if not reason:
                raise FormProblem({"reason": "say why (it is kept in the history)"})
            with _refusals_beside(values, "reason"), self.app.database.transaction() as session:
                if to is S.DECLINED:
                    deals.decline(session, self.campaign_id, reason, self.actor)
                else:
                    deals.transition(session, self.campaign_id, to, self.actor, reason)
            return deals.STATUS_LABELS[to].capitalize()

        self._form(title, [FormField("reason", "Reason", "kept in the history")], submit)

    def action_decline(self) -> None:
        self._reason_form("Decline this offer", S.DECLINED)

    def action_cancel(self) -> None:
        self._reason_form("Cancel this campaign", S.CANCELLED)

    def _form(self, title: str, fields: list[FormField], submit: Any) -> FieldsForm:
        def done(message: str | None) -> None:
            if message:
                self.notify(escape(message))
                self.reload()

        form = FieldsForm(title, fields, submit)
        self.app.push_screen(form, done)
        return form

    def _terms_form(self, side: Party) -> None:
        if self.data is None:
            return
        terms = self.data.terms
        fields = [
            *_term_fields(terms),
            FormField("respond_by", "Respond by", "YYYY-MM-DD", _text(terms.respond_by)),
            FormField("note", "Note", "why, in a sentence"),
        ]
        currency = terms.currency
        opened = self.data.version  # the version the form shows; a newer one is not overwritten
        # Our counter is checked against the creator's other deals as it would stand; the
        # conflicts the user has been shown and gone ahead with (see `_ask_to_go_ahead`).
        seen: list[conflicts.Conflict] = []

        def submit(values: dict[str, str]) -> str:
            changes = parse_terms(values, currency)
            found: list[conflicts.Conflict] = []
            with _refusals_beside(values):
                try:
                    with self.app.database.transaction() as session:
                        offer, found = save(session, changes, values["note"])
                except conflicts.ConflictsFound as stopped:
                    self.app.call_from_thread(self._ask_to_go_ahead, form, stopped.conflicts, seen)
                    raise FormProblem(
                        {"": "Not saved yet: it clashes with the creator's other deals."}
                    ) from None
            who = "Counter-offer" if side is Party.MANAGER else "Brand's counter"
            despite = f" despite {len(found)} conflict(s)" if found else ""
            return f"{who} saved as version {offer.version}{despite}"

        def save(session: Any, changes: dict[str, Any], note: str) -> tuple[Any, list[Any]]:
            now = max((v.version for v in deals.versions(session, self.campaign_id)), default=1)
            if now != opened:
                raise FormProblem(
                    {
                        "": f"The terms changed elsewhere since you opened this form (now "
                        f"version {now}); nothing was saved. Esc, then look at them."
                    }
                )
            if side is Party.MANAGER:
                return conflicts.counter(
                    session, self.campaign_id, changes, self.actor, note, self.app.today,
                    seen=list(seen),
                )  # fmt: skip
            offer = deals.propose(
                session, self.campaign_id, changes, self.actor, side, note, self.app.today
            )
            return offer, []

        title = (
            "Propose changes (our counter-offer)"
            if side is Party.MANAGER
            else "Record the brand's counter"
        )
        form = self._form(title, fields, submit)

    def _ask_to_go_ahead(
        self, form: FieldsForm, found: list[conflicts.Conflict], seen: list[conflicts.Conflict]
    ) -> None:
        """The counter the form holds clashes with the creator's other deals: say how, and on
        yes save it again, having seen them (a new clash found meanwhile asks again)."""
        from talent_tui.screens.forms import ConfirmScreen

        def answered(yes: bool | None) -> None:
            if yes and form.is_attached:
                seen[:] = found
                form.action_save()

        if form.is_attached:
            question = (
                f"This counter clashes with the creator's other deals ({len(found)}). "
                "Save it anyway?"
            )
            self.app.push_screen(ConfirmScreen(question, conflict_lines(found)), answered)

    def action_counter(self) -> None:
        self._terms_form(Party.MANAGER)

    def action_brand_counter(self) -> None:
        self._terms_form(Party.BRAND)

    def action_reopen(self) -> None:
        """The brand sent an expired offer again: a new reply date, the terms as they were
        unless changed here."""
        if self.data is None or self.data.status is not S.EXPIRED:
            return
        terms = self.data.terms
        currency = terms.currency
        fields = [
            FormField("respond_by", "Respond by", "YYYY-MM-DD, the new reply date"),
            *_term_fields(terms),
            FormField("note", "Note", "e.g. the brand sent it again"),
        ]

        def submit(values: dict[str, str]) -> str:
            changes = parse_terms(values, currency)
            respond_by = changes.pop("respond_by", None)
            with _refusals_beside(values), self.app.database.transaction() as session:
                offer = deals.reopen(
                    session, self.campaign_id, respond_by, self.actor, self.app.today, changes,
                    values["note"],
                )  # fmt: skip
            return f"Reopened as version {offer.version}: an offer to answer by {respond_by}"

        self._form("Reopen the offer (the brand sent it again)", fields, submit)

    # ---- deliverables and invoices ------------------------------------------------------------

    def _selected(self, table_id: str) -> int | None:
        table = self.query_one(table_id, DataTable)
        if not table.row_count:
            return None
        row_key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
        return int(str(row_key.value))

    def _on_deliverables(self) -> bool:
        """The deliverables tab is showing and has a row (edit and delete act on it)."""
        tabs = self.query_one("#deal-tabs", TabbedContent)
        return tabs.active == "pane-deliverables" and bool(
            self.query_one("#deal-deliverables", DataTable).row_count
        )

    @on(TabbedContent.TabActivated, "#deal-tabs")
    def tab_changed(self) -> None:
        self.refresh_bindings()  # edit and delete are offered on the deliverables tab

    def _deliverable_form(
        self, title: str, kind: str, due: str, save: Any, done_message: str
    ) -> None:
        """The add and edit form of a deliverable: kind (one of the rate card's) and due date."""

        def submit(values: dict[str, str]) -> str:
            typed = values["due"].strip()
            errors: dict[str, str] = {}
            try:
                deal_kind = deliverable_kind(values["kind"])
            except FieldError as exc:
                errors["kind"] = exc.message
            try:
                day = _typed_day(values, "due")
            except FormProblem as problem:
                errors |= problem.errors
            if errors:
                raise FormProblem(errors)
            with _refusals_beside(values, "kind"), self.app.database.transaction() as session:
                save(session, deal_kind, day, not typed)
            return done_message

        self.query_one("#deal-tabs", TabbedContent).active = "pane-deliverables"
        kinds = ", ".join(DELIVERABLE_KINDS)
        self._form(
            title,
            [FormField("kind", "Kind", kinds, kind), FormField("due", "Due", "YYYY-MM-DD", due)],
            submit,
        )

    def action_add_deliverable(self) -> None:
        self._deliverable_form(
            "Add a deliverable",
            "",
            "",
            lambda s, kind, due, _empty: deals.add_deliverable(
                s, self.campaign_id, kind, due, self.actor
            ),
            "Deliverable added",
        )

    def _selected_deliverable(self) -> DeliverableView | None:
        deliverable_id = self._selected("#deal-deliverables")
        if deliverable_id is None or self.data is None:
            self.notify("No deliverable selected", severity="warning")
            return None
        return next((d for d in self.data.deliverables if d.id == deliverable_id), None)

    def action_edit_deliverable(self) -> None:
        item = self._selected_deliverable()
        if item is None:
            return
        if item.status is DeliverableStatus.POSTED:
            self.notify("This deliverable is posted; it stays as it was.", severity="warning")
            return
        label = deliverable_label(item.kind)

        def save(session: Any, kind: str, due: date | None, no_due: bool) -> None:
            deals.edit_deliverable(
                session, item.id, self.actor, kind=kind, due_on=due, clear_due=no_due
            )

        self._deliverable_form(
            f"Edit the {printable(label)} deliverable",
            printable(item.kind),
            _text(item.due_on),
            save,
            "Deliverable changed",
        )

    def action_delete_deliverable(self) -> None:
        item = self._selected_deliverable()
        if item is None:
            return
        if item.status is not DeliverableStatus.PLANNED:
            self.notify(
                f"Only a planned deliverable can be deleted; this one is "
                f"{item.status.value.replace('_', ' ')}.",
                severity="warning",
            )
            return
        due = f", due {item.due_on}" if item.due_on else ""
        self._confirm(
            f"Delete the {printable(deliverable_label(item.kind))} deliverable{due}?",
            lambda s: deals.delete_deliverable(s, item.id, self.actor),
            "Deliverable deleted",
        )

    def action_advance_deliverable(self) -> None:
        deliverable_id = self._selected("#deal-deliverables")
        if deliverable_id is None or self.data is None:
            self.notify("No deliverable selected", severity="warning")
            return
        item = next(d for d in self.data.deliverables if d.id == deliverable_id)
        current = item.status
        options = sorted(s.value for s in deals.DELIVERABLE_FLOW[current])
        if not options:
            self.notify("This deliverable is posted; nothing follows.", severity="warning")
            return

        def submit(values: dict[str, str]) -> str:
            text = values["status"].strip().lower().replace(" ", "_")
            try:
                target = DeliverableStatus(text)
            except ValueError:
                raise FormProblem({"status": f"one of: {', '.join(options)}"}) from None
            with _refusals_beside(values, "status"), self.app.database.transaction() as session:
                deals.set_deliverable_status(
                    session, deliverable_id, target, self.actor, values["url"]
                )
            return f"{deliverable_label(item.kind)}: {target.value.replace('_', ' ')}"

        self._form(
            f"{deliverable_label(item.kind)} is {current.value.replace('_', ' ')}: next status",
            [
                FormField("status", "Status", " or ".join(options), options[0]),
                FormField("url", "Post URL", "when posted"),
            ],
            submit,
        )

    def action_feedback(self) -> None:
        deliverable_id = self._selected("#deal-deliverables")
        if deliverable_id is None:
            self.notify("Add a deliverable first (n)", severity="warning")
            return
        today = self.app.today

        def submit(values: dict[str, str]) -> str:
            with _refusals_beside(values, "text"), self.app.database.transaction() as session:
                deals.add_feedback(
                    session, deliverable_id, values["author"], values["text"], today, self.actor
                )
            return "Feedback recorded"

        self._form(
            "Creative feedback",
            [
                FormField("author", "From", "", "brand"),
                FormField("text", "Feedback", "what they said"),
            ],
            submit,
        )

    def action_add_invoice(self) -> None:
        if self.data is None:
            return
        today = self.app.today
        currency = self.data.summary.currency
        due_default = deals.due_after(today, self.data.terms.net_days)

        def submit(values: dict[str, str]) -> str:
            errors: dict[str, str] = {}
            days: dict[str, Any] = {}
            for name in ("issued", "due"):
                try:
                    days[name] = _typed_day(values, name, required=True)
                except FormProblem as problem:
                    errors |= problem.errors
            if errors:
                raise FormProblem(errors)
            with _refusals_beside(values, "amount"), self.app.database.transaction() as session:
                deals.add_invoice(
                    session, self.campaign_id, values["amount"], None,
                    days["issued"], days["due"], self.actor, values["number"],
                    values["over_fee_reason"],
                )  # fmt: skip
            return "Invoice added"

        self.query_one("#deal-tabs", TabbedContent).active = "pane-invoices"
        self._form(
            "Issue an invoice",
            [
                FormField("amount", "Amount", f"e.g. 1,500 {currency}"),
                FormField("number", "Number", "your reference"),
                FormField("issued", "Issued", "YYYY-MM-DD", today.isoformat()),
                FormField("due", "Due", "YYYY-MM-DD", due_default.isoformat()),
                FormField("over_fee_reason", "Over fee?", "why, if past the agreed fee"),
            ],
            submit,
        )

    def action_brand_log(self) -> None:
        if self.data is None:
            return
        from talent_tui.screens.interactions import InteractionsScreen

        self.app.push_screen(InteractionsScreen(brand_id=self.data.summary.brand.id))

    def action_mark_paid(self) -> None:
        invoice_id = self._selected("#deal-invoices")
        if invoice_id is None:
            self.notify("No invoice selected", severity="warning")
            return
        today = self.app.today
        self._confirm(
            "Mark the selected invoice paid today?",
            lambda s: deals.mark_paid(s, invoice_id, today, self.actor, today),
            "Marked paid",
        )


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _term_fields(terms: deals.Terms) -> list[FormField]:
    """The terms a counter-offer or a reopened offer may change, filled with `terms`."""
    upfront = "" if terms.upfront_bp is None else f"{terms.upfront_bp / 100:g}"
    return [
        FormField("fee", "Fee", "e.g. 1,500 USD", money.format_money(terms.fee_minor, terms.currency)),
        FormField("deliverables", "Deliverables", "2 videos + 1 story", terms.deliverables),
        FormField("usage_days", "Usage days", "usage-rights window", _text(terms.usage_days)),
        FormField("exclusivity_days", "Exclusivity", "days", _text(terms.exclusivity_days)),
        FormField("net_days", "Net days", "payment due after", _text(terms.net_days)),
        FormField("upfront_pct", "Upfront %", "share paid upfront", upfront),
    ]  # fmt: skip


def _windows(data: deals.CampaignDetail, today: date) -> tuple[str, str]:
    """The usage rights and the exclusivity as the terms grid shows them: the days, and the
    dates (the conflict check's) when the terms give them: "90 days, to 29 Jan 2027",
    "beauty, 1 Nov to 30 Nov"."""
    terms, windows = data.terms, data.windows

    def days(value: int | None) -> list[str]:
        return [] if value is None else [f"{value} days"]

    usage = days(terms.usage_days)
    if windows.usage_until is not None:
        usage.append(f"to {short_day(windows.usage_until, today)}")
    category = windows.exclusivity_category
    exclusivity = [fit_cells(printable(category), 16)] if category else []
    start, end = windows.exclusive_from, windows.exclusive_until
    if start is not None or end is not None:
        span = " to ".join(short_day(d, today) for d in (start, end) if d is not None)
        exclusivity.append(span if start and end else f"from {span}" if start else f"to {span}")
    else:
        exclusivity.extend(days(terms.exclusivity_days))
    return ", ".join(usage) or "—", ", ".join(exclusivity) or "—"


MAX_LISTED = 3  # conflicts listed in a question; the rest are counted (at 80×24 it must fit)


def conflict_lines(found: list[conflicts.Conflict]) -> str:
    """The conflicts, one paragraph each, for a confirmation."""
    lines = [f"• {printable(c.message)}" for c in found[:MAX_LISTED]]
    if len(found) > MAX_LISTED:
        lines.append(f"…and {len(found) - MAX_LISTED} more (talent conflicts lists them all)")
    return "\n".join(lines)


def _typed_day(values: dict[str, str], name: str, required: bool = False) -> date | None:
    """A date typed in field `name`; a FormProblem beside the field when it is not one."""
    typed = values[name].strip()
    if not typed:
        if required:
            raise FormProblem({name: "a date is required (YYYY-MM-DD)"})
        return None
    try:
        return parse_iso_date(typed)
    except ValueError as exc:
        raise FormProblem({name: str(exc)}) from None


@contextmanager
def _refusals_beside(values: dict[str, str], default: str = "") -> Iterator[None]:
    """A refusal from a service becomes a FormProblem shown next to the field it names (or
    `default`, or the form's status line), so the form stays open and nothing is stored."""
    try:
        yield
    except deals.TermsInvalid as exc:
        raise FormProblem(dict(exc.errors)) from None
    except DomainError as exc:
        field = getattr(exc, "field", "") or default
        raise FormProblem({field if field in values else "": str(exc)}) from None
