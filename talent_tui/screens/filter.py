"""Pick a niche or a tag to narrow the roster to (or clear the filter)."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import Worker, WorkerState

from talent_tui.core.text import printable
from talent_tui.failures import Guarded
from talent_tui.services import roster
from talent_tui.widgets.footer import KeysFooter
from talent_tui.widgets.inputs import SafeInput

_ENDED = (WorkerState.SUCCESS, WorkerState.ERROR, WorkerState.CANCELLED)

# What the screen returns: ("niche", "food"), ("tag", "kfood"), ("clear", "") or None (cancel).
Choice = tuple[str, str]


class FilterScreen(Guarded, ModalScreen[Choice | None]):
    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        Binding("down", "to_list", "List", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.facets: roster.Facets | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="filter-box"):
            yield Static("Filter the roster by niche or tag", id="filter-title")
            yield SafeInput(placeholder="type to narrow", id="filter-search", select_on_focus=False)
            yield OptionList(id="filter-options")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one("#filter-options", OptionList).loading = True
        # Keys typed before the choices are read wait for them: "fitness" + Enter typed at
        # once would otherwise meet an empty list (Enter chose nothing, and the keys after it
        # went into the search box of a filter that stayed open).
        self.app.hold_keys(self)
        self.load()

    @on(Worker.StateChanged)
    def loaded(self, event: Worker.StateChanged) -> None:
        if event.worker.group == "filter-load" and event.worker.state in _ENDED:
            self.app.release_keys(self)

    def on_unmount(self) -> None:
        self.app.release_keys(self)

    @work(
        exit_on_error=False,
        thread=True,
        exclusive=True,
        group="filter-load",
        name="Loading the filter choices",
    )
    def load(self) -> None:
        with self.app.database.session() as session:
            facets = roster.facets(session)
        self.app.call_from_thread(self._loaded, facets)

    def _loaded(self, facets: roster.Facets) -> None:
        if not self.is_attached:  # closed before its worker finished
            return
        self.facets = facets
        self.query_one("#filter-options", OptionList).loading = False
        self._fill("")

    def _fill(self, text: str) -> None:
        options = self.query_one("#filter-options", OptionList)
        options.clear_options()
        if self.facets is None:
            return
        needle = text.strip().lstrip("#").lower()
        items: list[Option] = []
        if not needle:
            items.append(Option("All creators (no filter)", id="clear:"))
        for niche, count in self.facets.niches:
            if needle in niche.lower():
                items.append(
                    Option(Text(printable(f"niche  {niche}  ({count})")), id=f"niche:{niche}")
                )
        for tag, count in self.facets.tags:
            if needle in tag.lower():
                items.append(Option(Text(printable(f"tag    #{tag}  ({count})")), id=f"tag:{tag}"))
        options.add_options(items)
        if items:
            options.highlighted = 0

    @on(Input.Changed, "#filter-search")
    def narrow(self, event: Input.Changed) -> None:
        self._fill(event.value)

    @on(Input.Submitted, "#filter-search")
    def take_first(self) -> None:
        options = self.query_one("#filter-options", OptionList)
        if options.option_count:
            self._choose(options.get_option_at_index(options.highlighted or 0).id or "")

    @on(OptionList.OptionSelected, "#filter-options")
    def chosen(self, event: OptionList.OptionSelected) -> None:
        self._choose(event.option.id or "")

    def _choose(self, option_id: str) -> None:
        kind, _, value = option_id.partition(":")
        self.dismiss((kind, value))

    def action_to_list(self) -> None:
        self.query_one("#filter-options", OptionList).focus()

    def action_cancel(self) -> None:
        self.dismiss(None)
