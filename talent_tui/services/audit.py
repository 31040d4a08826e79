"""The change history: who changed what, when, in one shape, written in the caller's
transaction (so a change and its entry are committed together or not at all).

`before` and `after` are stored as JSON with sorted keys; dates and other values that JSON
does not know are written as their `str()`.
"""

from __future__ import annotations

import json
from typing import Any

from sqlmodel import Session

from talent_tui.store.models import AuditEntry


def to_json(value: Any) -> str | None:
    if value is None:
        return None
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def record(
    session: Session,
    actor: str,
    entity: str,
    entity_id: int,
    action: str,
    before: Any = None,
    after: Any = None,
) -> AuditEntry:
    """Add one history entry to the session (the caller commits it with the change)."""
    entry = AuditEntry(
        actor=actor,
        entity=entity,
        entity_id=entity_id,
        action=action,
        before=to_json(before),
        after=to_json(after),
    )
    session.add(entry)
    return entry
