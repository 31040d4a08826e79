"""App-wide messages: what a screen or widget says happened, for the app to act on.

Children post messages up; they do not reach into their parents or into other screens.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message


@dataclass
class DataChanged(Message):
    """Another process (or another screen) committed: screens that show data reload it."""


@dataclass
class JumpToCreator(Message):
    """Show this creator on the main screen (from the command palette, fit ranking, …)."""

    creator_id: int
    archived: bool = False
