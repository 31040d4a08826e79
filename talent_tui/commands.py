"""Command palette (Ctrl+P): jump to any creator by name or handle."""

from __future__ import annotations

import asyncio
from functools import partial

from textual.command import CommandPalette, DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.fuzzy import Matcher

from talent_tui.core.text import printable
from talent_tui.messages import JumpToCreator
from talent_tui.services import roster


class CreatorCommands(Provider):
    """Searches the roster in a thread so a large roster never blocks typing."""

    def _jump(self, creator_id: int) -> None:
        self.app.post_message(JumpToCreator(creator_id))

    def _find(self, text: str, limit: int) -> list[roster.RosterRow]:
        with self.app.database.session() as session:
            return roster.search_names(session, text, limit=limit)

    async def discover(self) -> Hits:
        rows = await asyncio.to_thread(self._find, "", 10)
        for row in rows:
            # Content(...), never a str: the palette reads a str as markup, and a name such
            # as "Bad [/b] Name" must be shown as written, not end the app.
            yield DiscoveryHit(
                Content(f"Go to {printable(row.name)}"),
                partial(self._jump, row.id),
                text=f"Go to {row.name}",
                help=Content(printable(row.tiktok_handle)),
            )

    async def search(self, query: str) -> Hits:
        text = query.strip()
        if not text:
            return
        matcher = self.matcher(text)
        rows = await asyncio.to_thread(self._find, text, 20)
        for row in rows:
            label = printable(f"{row.name} {row.tiktok_handle}")
            score = matcher.match(label)
            yield Hit(
                max(score, 0.01),  # the database already matched it; keep it listed
                _highlight(matcher, label),
                partial(self._jump, row.id),
                text=label,
                help="Go to creator",
            )


def _highlight(matcher: Matcher, label: str) -> Content:
    """The label as plain text with the matched letters styled. (Matcher.highlight parses
    its argument as markup, so a name with "[/b]" in it would end the app.)"""
    content = Content(label)
    _score, offsets = matcher.fuzzy_search.match(matcher.query, label)
    for offset in offsets:
        if not label[offset].isspace():
            content = content.stylize(matcher.match_style, offset, offset + 1)
    return content


class TalentPalette(CommandPalette):
    """Textual's palette, safe to page through while its results are still arriving.

    Textual 8.2's OptionList raises KeyError on Page Up/Down when options were added but not
    laid out yet (`OptionList.add_options([...]); action_page_down()` → KeyError: 0); in the
    palette that is PageDown pressed while typing. Paging then does nothing, as with no options.
    """

    def _action_command_list(self, action: str) -> None:
        try:
            super()._action_command_list(action)
        except KeyError:
            if action not in ("page_up", "page_down"):
                raise
