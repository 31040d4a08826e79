"""Preview of a media kit or a report (rendered Markdown), saved to a file with one key (a
CSV report to one file per table: `report-summary.csv`, `report-campaigns.csv`)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.markup import escape
from textual.screen import Screen
from textual.widgets import Header, Markdown

from talent_tui.failures import Guarded
from talent_tui.io.files import OutputPathError, check_output_path, write_atomically
from talent_tui.io.render import output_files
from talent_tui.screens.fields import FieldsForm, FormField, FormProblem
from talent_tui.widgets.footer import KeysFooter

# format -> function producing the file's text
Renderers = dict[str, Callable[[], str]]


class DocumentScreen(Guarded, Screen):
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("w", "save", "Save as file"),
    ]

    def __init__(self, title: str, renderers: Renderers, default_name: str) -> None:
        super().__init__()
        self.doc_title = title
        self.renderers = renderers
        self.default_name = default_name

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="◆")
        with VerticalScroll(id="doc-scroll"):
            yield Markdown(id="doc")
        yield KeysFooter(compact=True)

    def on_mount(self) -> None:
        self.sub_title = self.doc_title
        self.query_one("#doc-scroll").loading = True
        self.render_preview()

    @work(exit_on_error=False, thread=True, exclusive=True, name="Rendering the preview")
    def render_preview(self) -> None:
        text = self.renderers["md"]()
        self.app.call_from_thread(self._show, text)

    def _show(self, text: str) -> None:
        if not self.is_attached:  # closed before its worker finished
            return
        self.query_one("#doc-scroll").loading = False
        self.query_one("#doc", Markdown).update(text)
        self.query_one("#doc-scroll").focus()

    def action_save(self) -> None:
        formats = ", ".join(self.renderers)

        def submit(values: dict[str, str]) -> str:
            fmt = values["format"].strip().lower()
            if fmt not in self.renderers:
                raise FormProblem({"format": f"one of: {formats}"})
            raw = values["path"].strip()
            if not raw:
                raise FormProblem({"path": "where to write it"})
            if any(ch < " " for ch in raw):
                raise FormProblem({"path": "not a usable file name (control character)"})
            database_path = self.app.database.path  # type: ignore[attr-defined]
            try:
                path = Path(raw).expanduser()
                if raw.endswith(("/", os.sep)) or path.is_dir():
                    raise OutputPathError(f"{raw} is a folder, not a file name")
                if not path.suffix:  # only a name without an extension gets one
                    path = path.with_name(f"{path.name}.{fmt}")
                files = output_files(path, self.renderers[fmt]())
                targets = [(check_output_path(p, database_path), body) for p, body in files]
                for target, body in targets:
                    write_atomically(target, body)
            except OutputPathError as exc:
                raise FormProblem({"path": str(exc)}) from None
            except OSError as exc:
                raise FormProblem({"path": f"cannot write {path}: {exc.strerror or exc}"}) from None
            except ValueError:  # a NUL in the path: no file system takes it
                raise FormProblem({"path": "not a usable file name"}) from None
            return "Wrote " + " and ".join(str(target) for target, _ in targets)

        def done(message: str | None) -> None:
            if message:
                self.notify(escape(message), timeout=6)

        fields = [
            FormField("format", "Format", formats, "html" if "html" in self.renderers else "md"),
            FormField("path", "File", "path to write", str(Path.cwd() / self.default_name)),
        ]
        self.app.push_screen(FieldsForm(f"Save {self.doc_title}", fields, submit), done)
