"""The one base class for refusals that are the user's to fix.

A `DomainError` is an expected outcome: a bad value, a step the rules forbid, a name that
matches nothing. Front ends show its message as it is (next to the field, as a notice, or on
stderr with exit code 1) and never a traceback. Anything else that escapes a service is a
bug: the TUI logs its traceback and says where; the CLI exits non-zero.
"""

from __future__ import annotations


class DomainError(ValueError):
    """A refusal in words the user can act on."""
