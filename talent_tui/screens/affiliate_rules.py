"""A program's commission rules (`r` in the affiliates workspace): the terms (base rate, lock,
net and cookie days), the tiers, promotions and bonuses in force, and the fraud thresholds.

Enter (or e) edits the rule under the cursor; t, o and b add a tier, a promotion and a bonus;
d removes the tier, promotion or bonus under the cursor after a confirmation; m and f edit
the terms and the fraud thresholds. Every change goes through the services in one
transaction (a new version of the rule, the one before closed, audited): a statement already
built keeps the rates it was built with. A refused value is named beside its field and
nothing is stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static
from textual.worker import Worker

from talent_tui.core import fields, money
from talent_tui.core.errors import DomainError
from talent_tui.core.text import printable
from talent_tui.failures import Guarded
from talent_tui.screens import money_forms
from talent_tui.screens.fields import FieldsForm, FormField
from talent_tui.screens.forms import ConfirmScreen
from talent_tui.services.affiliates import (
    commissions,
    lookup,
    money_terms,
    money_views,
    programs,
    review,
)
from talent_tui.widgets.footer import KeysFooter
from talent_tui.widgets.roster import fit
from talent_tui.widgets.tables import PlainTable


@dataclass
class RulesData:
    rules: money_terms.MoneyRules
    cookie_days: int


def _heading(text: str, key: str) -> tuple[tuple[Text, str, str], str]:
    return (Text(text, style="bold reverse"), "", ""), key


class RulesScreen(Guarded, Screen):
    CSS_PATH = "affiliate_money.tcss"
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("e", "edit", "Edit"),
        Binding("t", "add_tier", "Tier"),
        Binding("o", "add_promotion", "Promo"),
        Binding("b", "add_bonus", "Bonus"),
        Binding("d,delete", "remove", "Remove"),
        Binding("m", "terms", "Terms", show=False),
        Binding("f", "fraud", "Fraud", show=False),
    ]

    def __init__(self, program_id: int) -> None:
        super().__init__()
        self.program_id = program_id
        self.data: RulesData | None = None
        self._last_row = 1
        self._select_after: str | None = None  # the row of the rule just saved

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="◆")
        yield Static("", id="rules-head")
        yield PlainTable(id="rules-table", cursor_type="row")
        yield Static("", id="rules-status")
        yield KeysFooter(compact=True)

    def on_mount(self) -> None:
        self.sub_title = "commission rules"
        table = self.query_one("#rules-table", DataTable)
        for label, width in (("Rule", 19), ("In force", 33), ("", 20)):
            table.add_column(label, width=width)
        self.reading = money_forms.LatestRead(table)
        table.focus()
        self.reload()

    def refresh_data(self) -> None:
        """Another process committed (the app's watcher): read the rules again."""
        self.reload()

    @on(Worker.StateChanged)
    def read_ended(self, event: Worker.StateChanged) -> None:
        self.reading.ended(event.worker)

    def on_unmount(self) -> None:
        self.reading.stop()  # keys held for a read of a screen now closed go on

    def reload(self) -> None:
        self.reading.start(self.read())

    @work(exit_on_error=False, thread=True, exclusive=True, group="rules", name="Loading rules")
    def read(self) -> None:
        with self.app.database.session() as session:
            program = lookup.find_program(session, str(self.program_id))
            data = RulesData(money_terms.money_rules(session, program), program.attribution_days)
        self.app.call_from_thread(self.show, data)

    def show(self, data: RulesData) -> None:
        if not self.is_attached:
            return
        self.data = data
        r = data.rules
        self.query_one("#rules-head", Static).update(
            Text(
                printable(
                    f"{r.name} · {r.currency} · rules in force (built statements keep theirs)"
                ),
                no_wrap=True,
            )
        )
        table = self.query_one("#rules-table", DataTable)
        key = _cursor_key(table)
        table.clear()
        rows: list[tuple[tuple[Any, ...], str]] = [_heading("Terms (m)", "head:terms")]
        rows += [
            (("Base rate", _bp(r.rate_bp), "without a tier"), "terms"),
            (("Lock days", f"{r.lock_days} days", "then approved"), "terms:lock"),
            (("Net days", f"{r.net_days} days", "due after a build"), "terms:net"),
            (("Cookie days", f"{data.cookie_days} days", "after a click"), "terms:cookie"),
        ]
        rows.append(_heading("Tiers (t)", "head:tiers"))
        for t in r.tiers:
            rows.append(
                (
                    (f"Tier #{t['id']}", f"from {t['from']} conversions: {t['rate']}", ""),
                    f"tier:{t['id']}",
                )
            )
        rows.append(_heading("Promotions (o)", "head:promotions"))
        for p in r.promotions:
            rows.append(
                (
                    (f"Promotion #{p['id']}", f"{p['rate']} from {p['from']} to {p['to']}", ""),
                    f"promo:{p['id']}",
                )
            )
        rows.append(_heading("Bonuses (b)", "head:bonuses"))
        for b in r.bonuses:
            rows.append(
                (
                    (
                        f"Bonus #{b['id']}",
                        f"{b['amount']} at {b['at']} conversions",
                        "once a month",
                    ),
                    f"bonus:{b['id']}",
                )
            )
        f = r.fraud
        rows.append(_heading("Fraud checks (f)", "head:fraud"))
        rows += [
            (
                (
                    "Outlier",
                    f"{f['outlier_x']}× the median rate",
                    f"≥ {f['outlier_min_clicks']} clicks",
                ),
                "fraud:outlier",
            ),
            (
                ("Click spike", f"{f['spike_x']}× the day median", f"over {f['spike_days']} days"),
                "fraud:spike",
            ),
            (("Too fast", f"≤ {f['too_fast_s']} s from click to order", ""), "fraud:fast"),
            (
                ("Forbidden", fit(printable("; ".join(r.forbidden) or "(no source)"), 33), ""),
                "fraud:forbid",
            ),
        ]
        for cells, row_key in rows:
            table.add_row(*cells, key=row_key)
        keys = [k for _, k in rows]
        if self._select_after in keys:  # the rule just saved
            key, self._select_after = self._select_after, None
        if key in keys:
            table.move_cursor(row=keys.index(key))
        else:  # a new version has a new id: the cursor stays where it was
            table.move_cursor(row=min(self._last_row, len(keys) - 1) if key else 1)
        self._last_row = table.cursor_row
        self._status()

    def _status(self, text: str = "") -> None:
        if not text:
            text = "Enter edit · t o b add tier/promo/bonus · d remove · m terms · f fraud"
        self.query_one("#rules-status", Static).update(Text(text, no_wrap=True))

    def _key(self) -> str:
        return _cursor_key(self.query_one("#rules-table", DataTable)) or ""

    def _rule(self, kind: str, rule_id: int) -> dict[str, object] | None:
        if self.data is None:
            return None
        found = {"tier": self.data.rules.tiers, "promo": self.data.rules.promotions}.get(
            kind, self.data.rules.bonuses
        )
        return next((r for r in found if r["id"] == rule_id), None)

    # ---- keys ---------------------------------------------------------------------------

    @on(DataTable.RowHighlighted, "#rules-table")
    def highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._last_row = event.cursor_row

    @on(DataTable.RowSelected, "#rules-table")
    def selected(self, _event: DataTable.RowSelected) -> None:
        self.action_edit()

    def action_edit(self) -> None:
        key = self._key()
        kind, _, rest = key.partition(":")
        if kind == "terms" or key == "head:terms":
            self.action_terms()
        elif kind == "fraud" or key == "head:fraud":
            self.action_fraud()
        elif key == "head:tiers":
            self.action_add_tier()
        elif key == "head:promotions":
            self.action_add_promotion()
        elif key == "head:bonuses":
            self.action_add_bonus()
        elif kind in ("tier", "promo", "bonus") and rest.isdigit():
            rule = self._rule(kind, int(rest))
            if rule is not None:
                {"tier": self._tier_form, "promo": self._promo_form, "bonus": self._bonus_form}[
                    kind
                ](rule)

    def _form(self, title: str, fields: list[FormField], do: Any) -> None:  # noqa: ANN401
        def submit(values: dict[str, str]) -> str:
            return money_forms.save(self.app, values, lambda session: do(session, values))

        def done(message: str | None) -> None:
            if message:
                self.notify(money_forms.plain(message))
                if self.is_attached:
                    self.reload()

        self.app.push_screen(FieldsForm(title, fields, submit), done)

    def _program(self, session: Any) -> Any:  # noqa: ANN401
        return lookup.find_program(session, str(self.program_id))

    def action_terms(self) -> None:
        if self.data is None:
            return
        r, actor = self.data.rules, self.app.actor

        def do(session: Any, values: dict[str, str]) -> str:  # noqa: ANN401
            names = ("lock_days", "net_days", "cookie_days")
            money_forms.check(values, {"rate": money_forms.percent} | dict.fromkeys(names, _count))
            days = {n: _count(values[n]) for n in names}
            program = self._program(session)
            rate_bp = fields.percent_to_bp("rate", values["rate"])
            changed = {
                "rate": values["rate"] if rate_bp != program.rate_bp else None,
                "lock_days": days["lock_days"] if days["lock_days"] != program.lock_days else None,
                "net_days": days["net_days"] if days["net_days"] != program.net_days else None,
            }
            cookie = days["cookie_days"] != program.attribution_days
            if not any(v is not None for v in changed.values()) and not cookie:
                return "Nothing changed"
            if any(v is not None for v in changed.values()):
                programs.set_money_terms(session, program, actor, **changed)  # type: ignore[arg-type]
            if cookie:
                money_views.set_cookie_days(session, program, days["cookie_days"], actor)
            return (
                f"{program.name}: base {_bp(program.rate_bp)}, lock {program.lock_days} d, "
                f"net {program.net_days} d, cookie {program.attribution_days} d"
            )

        self._form(
            money_forms.plain(f"Terms of {printable(r.name)}"),
            [
                FormField("rate", "Base rate", "10% (two decimals at most)", _bp(r.rate_bp)),
                FormField("lock_days", "Lock days", "30", str(r.lock_days)),
                FormField("net_days", "Net days", "30", str(r.net_days)),
                FormField("cookie_days", "Cookie days", "30", str(self.data.cookie_days)),
            ],
            do,
        )

    def action_fraud(self) -> None:
        if self.data is None:
            return
        f, actor = self.data.rules.fraud, self.app.actor

        def do(session: Any, values: dict[str, str]) -> str:  # noqa: ANN401
            names = ("outlier_min_clicks", "spike_days", "too_fast_s")
            money_forms.check(
                values,
                {
                    "outlier_x": lambda t: review.parse_factor(t, "outlier-x"),
                    "spike_x": lambda t: review.parse_factor(t, "spike-x"),
                }
                | dict.fromkeys(names, _count),
            )
            counts = {n: _count(values[n]) for n in names}
            program = self._program(session)
            programs.set_forbidden(session, program, values["forbid"], actor)
            review.set_thresholds(
                session,
                program,
                actor,
                outlier_x=values["outlier_x"],
                outlier_min_clicks=counts["outlier_min_clicks"],
                spike_x=values["spike_x"],
                spike_days=counts["spike_days"],
                too_fast_s=counts["too_fast_s"],
            )
            return f"{program.name}: fraud thresholds saved"

        self._form(
            "Fraud thresholds",
            [
                FormField("outlier_x", "Outlier ×", "3 (× the median rate)", str(f["outlier_x"])),
                FormField("outlier_min_clicks", "Min. clicks", "100", str(f["outlier_min_clicks"])),
                FormField("spike_x", "Spike ×", "10 (× the day median)", str(f["spike_x"])),
                FormField("spike_days", "Spike days", "30 (7 to 365)", str(f["spike_days"])),
                FormField("too_fast_s", "Too fast, s", "10", str(f["too_fast_s"])),
                FormField(
                    "forbid",
                    "Forbidden",
                    "sources: keyword bidding; coupon sites",
                    "; ".join(self.data.rules.forbidden),
                ),
            ],
            do,
        )

    def action_add_tier(self) -> None:
        self._tier_form(None)

    def _tier_form(self, rule: dict[str, object] | None) -> None:
        actor = self.app.actor
        old_from = int(str(rule["from"])) if rule else None

        def do(session: Any, values: dict[str, str]) -> str:  # noqa: ANN401
            money_forms.check(values, {"from": _count, "rate": money_forms.percent})
            n = _count(values["from"])
            program = self._program(session)
            new = commissions.set_tier(session, program, n, values["rate"], actor)
            self._select_after = f"tier:{new.id}" if new else None
            if old_from is not None and old_from != n:
                commissions.set_tier(session, program, old_from, None, actor)
            assert new is not None
            return f"Tier from {n} conversions: {_bp(new.rate_bp or 0)} (for statements built from now)"

        self._form(
            "Edit tier" if rule else "New tier",
            [
                FormField(
                    "from",
                    "From",
                    "conversions in the month, e.g. 40",
                    str(rule["from"]) if rule else "",
                ),
                FormField(
                    "rate", "Rate", "14% (two decimals at most)", str(rule["rate"]) if rule else ""
                ),
            ],
            do,
        )

    def action_add_promotion(self) -> None:
        self._promo_form(None)

    def _promo_form(self, rule: dict[str, object] | None) -> None:
        actor = self.app.actor
        old_id = int(str(rule["id"])) if rule else None

        def do(session: Any, values: dict[str, str]) -> str:  # noqa: ANN401
            day = money_forms.day
            money_forms.check(values, {"rate": money_forms.percent, "from": day, "to": day})
            program = self._program(session)
            if old_id is not None:
                commissions.remove_rule(session, program, old_id, actor)
            new = commissions.add_promotion(
                session,
                program,
                values["rate"],
                values["from"].strip(),
                values["to"].strip(),
                actor,
            )
            self._select_after = f"promo:{new.id}"
            return f"Promotion {_bp(new.rate_bp or 0)} from {new.starts_on} to {new.ends_on}"

        self._form(
            "Edit promotion" if rule else "New promotion",
            [
                FormField("rate", "Rate", "18%", str(rule["rate"]) if rule else ""),
                FormField(
                    "from", "From", "YYYY-MM-DD (UTC, included)", str(rule["from"]) if rule else ""
                ),
                FormField("to", "To", "YYYY-MM-DD (included)", str(rule["to"]) if rule else ""),
            ],
            do,
        )

    def action_add_bonus(self) -> None:
        self._bonus_form(None)

    def _bonus_form(self, rule: dict[str, object] | None) -> None:
        if self.data is None:
            return
        actor, currency = self.app.actor, self.data.rules.currency
        old_at = int(str(rule["at"])) if rule else None

        def do(session: Any, values: dict[str, str]) -> str:  # noqa: ANN401
            money_forms.check(
                values, {"at": _count, "amount": lambda t: money.parse_money(t, currency)}
            )
            n = _count(values["at"])
            program = self._program(session)
            new = commissions.set_bonus(session, program, n, values["amount"], actor)
            self._select_after = f"bonus:{new.id}" if new else None
            if old_at is not None and old_at != n:
                commissions.set_bonus(session, program, old_at, None, actor)
            assert new is not None
            return (
                f"Bonus at {n} conversions: {money.format_money(new.amount_minor or 0, currency)}"
            )

        amount = ""
        if rule:
            amount = money.format_money(int(str(rule["amount_minor"])), currency, with_code=False)
        self._form(
            "Edit bonus" if rule else "New bonus",
            [
                FormField(
                    "at", "At", "conversions in the month, e.g. 50", str(rule["at"]) if rule else ""
                ),
                FormField("amount", "Amount", f"100 {currency}", amount),
            ],
            do,
        )

    def action_remove(self) -> None:
        kind, _, rest = self._key().partition(":")
        rule = (
            self._rule(kind, int(rest))
            if kind in ("tier", "promo", "bonus") and rest.isdigit()
            else None
        )
        if rule is None:
            self.notify("Put the cursor on a tier, promotion or bonus to remove it.", timeout=3)
            return
        what = {"tier": "tier", "promo": "promotion", "bonus": "bonus"}[kind]
        described = str(self.query_one("#rules-table", DataTable).get_row(self._key())[1])
        rule_id, actor = int(rest), self.app.actor

        def answered(yes: bool | None) -> None:
            if yes:
                self.remove_rule(rule_id, what, actor)

        self.app.push_screen(
            ConfirmScreen(
                f"Remove {what} #{rule_id}: {described}?",
                "Statements already built keep it; the next builds will not use it.",
            ),
            answered,
        )

    @work(exit_on_error=False, thread=True, group="rules-change", name="Removing a rule")
    def remove_rule(self, rule_id: int, what: str, actor: str) -> None:
        try:
            with self.app.database.transaction() as session:
                commissions.remove_rule(session, self._program(session), rule_id, actor)
        except DomainError as exc:
            self.app.call_from_thread(
                self.notify, money_forms.plain(str(exc)), severity="error", timeout=6
            )
            return
        self.app.call_from_thread(self.notify, f"Removed {what} #{rule_id}")
        self.app.call_from_thread(self._reload_if_open)

    def _reload_if_open(self) -> None:
        if self.is_attached:
            self.reload()


def _count(text: str) -> int:
    return money_forms.count(text)


def _bp(bp: int) -> str:
    return fields.format_bp(bp)


def _cursor_key(table: DataTable) -> str | None:
    if not table.row_count:
        return None
    try:
        return str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)
    except Exception:  # noqa: BLE001 - no row under the cursor
        return None
