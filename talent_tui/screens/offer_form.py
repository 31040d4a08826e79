"""A new incoming offer for one creator (`o` on the main screen): the brand, picked from a
list that narrows as you type, or a new brand added with the offer once you confirm it; the
campaign's name and the terms. Saved through the same services as `talent campaigns add`
(`deals.new_terms`, `deals.add_campaign`), so both accept and refuse the same values: a new
campaign in "offer received" with the brand's offer as version 1.
"""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.actions import SkipAction
from textual.binding import Binding
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from talent_tui.core.errors import DomainError
from talent_tui.core.text import printable
from talent_tui.screens.fields import FieldsForm, FormField, FormProblem
from talent_tui.screens.forms import ConfirmScreen
from talent_tui.services import brands, deals, roster
from talent_tui.widgets.inputs import after_typing

FIELDS = (
    FormField("brand", "Brand", "type to narrow, ↑ ↓ Enter to pick, or a new name"),
    FormField("name", "Campaign", "required"),
    FormField("fee", "Fee", "e.g. 1,500 USD, ₩2,000,000, 900 eur"),
    FormField("deliverables", "Deliverables", "e.g. 2 videos + 1 story"),
    FormField("usage", "Usage rights", "90 days, or the last day YYYY-MM-DD"),
    FormField("exclusivity_category", "Excl. category", "e.g. beauty (optional)"),
    FormField("exclusive_from", "Excl. from", "YYYY-MM-DD (default: today)"),
    FormField("exclusive_until", "Excl. until", "YYYY-MM-DD, or 30 days"),
    FormField("respond_by", "Respond by", "YYYY-MM-DD"),
)

# The service's name for a typed term → the form field it came from.
FIELD_OF_TERM = {
    "usage_days": "usage",
    "usage_until": "usage",
    "exclusivity_days": "exclusive_until",
    "exclusive_until": "exclusive_until",
}
NEW = "new"  # the option that adds the typed name as a new brand


def typed_terms(values: dict[str, str]) -> dict[str, str]:
    """The form's text as the typed terms `deals.new_terms` reads: one field each for the
    usage rights and the exclusivity's end takes days or a date (`deals.days_or_date`)."""
    usage_days, usage_until = deals.days_or_date(values["usage"])
    exclusivity_days, exclusive_until = deals.days_or_date(values["exclusive_until"])
    return {
        "fee": values["fee"],
        "deliverables": values["deliverables"],
        "usage_days": usage_days,
        "usage_until": usage_until,
        "exclusivity_category": values["exclusivity_category"],
        "exclusive_from": values["exclusive_from"],
        "exclusivity_days": exclusivity_days,
        "exclusive_until": exclusive_until,
        "respond_by": values["respond_by"],
    }


class BrandList(OptionList, can_focus=False):
    """The brands that match the brand field; driven from the field (↑ ↓ Enter)."""


class OfferForm(FieldsForm):
    """Dismisses with the new campaign's id (None when cancelled)."""

    CSS_PATH = "brands.tcss"
    BINDINGS = [
        # Priority (the field list would scroll instead); they act in the brand field only
        # and pass the key on elsewhere (SkipAction).
        Binding("down", "brand_next", "Next brand", show=False, priority=True),
        Binding("up", "brand_previous", "Previous brand", show=False, priority=True),
    ]

    def __init__(self, creator_id: int) -> None:
        super().__init__("New offer", FIELDS, self._save)
        self.creator_id = creator_id
        self.names: list[tuple[int, str]] = []  # live brands: (id, name), by name
        self._confirmed_new = ""  # a new brand's name (casefolded) the user said to add
        self._suggested_for = ""  # the brand field's text the list was made for

    def on_mount(self) -> None:
        self.mount(BrandList(id="offer-brands"), after=self.query_one("#error-brand"))
        self.load()

    @work(exit_on_error=False, thread=True, exclusive=True, group="load", name="Loading brands")
    def load(self) -> None:
        with self.app.database.session() as session:
            creator = roster.get_creator(session, self.creator_id).name
            names = [(b.id or 0, b.name) for b in brands.list_brands(session)]
        self.app.call_from_thread(self._loaded, creator, names)

    def _loaded(self, creator: str, names: list[tuple[int, str]]) -> None:
        if not self.is_attached:
            return
        self.names = names
        self.query_one("#form-title", Static).update(Text(printable(f"New offer for {creator}")))
        self._suggest(self.query_one("#field-brand", Input).value)

    # ---- the brand list -----------------------------------------------------------------

    @property
    def brand_list(self) -> BrandList:
        return self.query_one(BrandList)

    def _suggest(self, text: str) -> None:
        """List the brands whose name holds `text` (those starting with it first), and the
        typed name as a new brand when no brand has exactly that name."""
        self._suggested_for = text
        needle = text.strip().casefold()
        found = [(i, n) for i, n in self.names if needle in n.casefold()]
        found.sort(key=lambda item: not item[1].casefold().startswith(needle))
        options = [Option(Text(printable(name)), id=str(brand_id)) for brand_id, name in found]
        exact = any(name.casefold() == needle for _, name in found)
        if needle and not exact:
            label = Text("+ new brand ", "italic") + Text(printable(text.strip()), "bold")
            options.append(Option(label, id=NEW))
        brand_list = self.brand_list
        brand_list.clear_options()
        brand_list.add_options(options)
        if options:
            exact_at = next((i for i, (_, n) in enumerate(found) if n.casefold() == needle), 0)
            brand_list.highlighted = exact_at
        brand_list.set_class(bool(options) and self._on_brand(), "-shown")

    def _on_brand(self) -> bool:
        focused = self.focused
        return focused is not None and focused.id == "field-brand"

    @on(Input.Changed, "#field-brand")
    def brand_typed(self, event: Input.Changed) -> None:
        self._suggest(event.value)

    def on_descendant_focus(self) -> None:
        self.brand_list.set_class(self.brand_list.option_count > 0 and self._on_brand(), "-shown")

    def _move(self, step: int) -> None:
        brand_list = self.brand_list
        if not self._on_brand() or not brand_list.option_count:
            raise SkipAction()
        current = brand_list.highlighted or 0
        brand_list.highlighted = max(0, min(brand_list.option_count - 1, current + step))

    def action_brand_next(self) -> None:
        self._move(1)

    def action_brand_previous(self) -> None:
        self._move(-1)

    def _take_highlighted(self) -> None:
        """Put the highlighted brand's name in the field (a new name stays as typed)."""
        brand_list = self.brand_list
        index = brand_list.highlighted
        if index is None or not brand_list.option_count:
            return
        option = brand_list.get_option_at_index(index)
        if option.id and option.id != NEW:
            name = next((n for i, n in self.names if str(i) == option.id), None)
            field = self.query_one("#field-brand", Input)
            if name is not None and field.value != name:
                field.value = name
                field.cursor_position = len(name)

    @on(OptionList.OptionSelected, "#offer-brands")
    def brand_clicked(self, event: OptionList.OptionSelected) -> None:
        self._take_highlighted()
        self.query_one("#field-name", Input).focus()

    def action_submit_field(self) -> None:
        """Enter in the brand field takes the highlighted brand and moves on at once (the
        keys that follow belong to the next field); the brand is taken once the keys typed
        before Enter have reached the field."""
        if self._on_brand():
            self._take_after_typing()
        super().action_submit_field()

    @after_typing
    def _take_after_typing(self) -> None:
        field = self.query_one("#field-brand", Input)
        if field.value != self._suggested_for:  # the list lags behind what was typed
            self._suggest(field.value)
        self._take_highlighted()

    # ---- saving -------------------------------------------------------------------------

    def action_save(self) -> None:
        """The keys typed after Ctrl+S wait at once (FieldsForm.action_save holds them); the
        brand under the cursor is taken, then the form read, after the keys typed before."""
        if self._on_brand():
            self._take_after_typing()
        super().action_save()

    def _save(self, values: dict[str, str]) -> int:
        """Runs in the form's worker: read everything first, then the brand (a new one only
        once confirmed), then the campaign, in one transaction."""
        errors: dict[str, str] = {}
        brand_name = values["brand"].strip()
        if not brand_name:
            errors["brand"] = "required: pick a brand or type a new one"
        if not values["name"].strip():
            errors["name"] = "required"
        terms = None
        try:
            terms = deals.new_terms(typed_terms(values), received_on=self.app.today)
        except deals.TermsInvalid as exc:
            for term, message in exc.errors.items():
                errors.setdefault(FIELD_OF_TERM.get(term, term), message)
        if errors or terms is None:
            raise FormProblem(errors)
        create = brand_name.casefold() == self._confirmed_new
        app = self.app
        try:
            with app.database.transaction() as session:
                brand = brands.brand_for_offer(session, brand_name, app.actor, create=create)
                assert brand.id is not None
                campaign = deals.add_campaign(
                    session, self.creator_id, brand.id, values["name"], terms, app.actor, app.today
                )
                assert campaign.id is not None
                return campaign.id
        except brands.BrandNotFound:
            app.call_from_thread(self._ask_new_brand, brand_name)
            raise FormProblem({"brand": "no brand has this name yet"}) from None
        except brands.BrandArchived as exc:
            raise FormProblem(
                {"brand": f"{exc} (B opens the brands: a shows archived ones, u unarchives)"}
            ) from None
        except brands.InvalidBrand as exc:
            raise FormProblem({"brand": "; ".join(exc.errors.values())}) from None
        except deals.DealError as exc:
            field = FIELD_OF_TERM.get(exc.field, exc.field)
            raise FormProblem({field if field in values else "": str(exc)}) from None
        except DomainError as exc:
            raise FormProblem({"": str(exc)}) from None

    def _ask_new_brand(self, name: str) -> None:
        if not self.is_attached:
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self._confirmed_new = name.casefold()
                self.action_save()
            else:
                self.query_one("#field-brand", Input).focus()

        question = printable(f"Add “{name}” as a new brand?")
        detail = (
            "No brand has this name yet. y adds it with this offer (its contact details and "
            "target audience can follow in the brands screen, B); n goes back to the form."
        )
        self.app.push_screen(ConfirmScreen(question, detail, enter_confirms=True), answered)
