"""Calendar helpers: today's date (overridable for tests and demos) and short date labels."""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime, timedelta

from talent_tui.core.config import settings


def today() -> date:
    """The user's local calendar date. Deadlines are dates, so local is what the user means.
    TALENT_TODAY=YYYY-MM-DD pins it (for scripted demos and tests)."""
    return settings().today or datetime.now().astimezone().date()


_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def days_before(day: date, days: int) -> date:
    """`day` minus `days`, or the first day there is (1 January of year 1) when that is
    earlier."""
    if days >= day.toordinal():
        return date.min
    return day - timedelta(days=days)


def days_after(day: date, days: int) -> date:
    """`day` plus `days`, or the last day there is (31 December 9999) when that is later."""
    if days >= date.max.toordinal() - day.toordinal():
        return date.max
    return day + timedelta(days=days)


def parse_iso_date(text: str) -> date:
    """Strict YYYY-MM-DD; raises ValueError with a readable message otherwise, saying what is
    wrong with a date in the right form that does not exist ("2026-02-30")."""
    value = text.strip()
    if not _ISO_DAY.fullmatch(value):  # also what fromisoformat would read: 2026-W01-1
        raise ValueError(f"not a date in YYYY-MM-DD form: {text!r}")
    try:
        return date.fromisoformat(value)
    except ValueError:
        pass
    year, month, day = (int(part) for part in value.split("-"))
    if year == 0:
        raise ValueError(f"no such date: {value} (there is no year 0)") from None
    if not 1 <= month <= 12:
        raise ValueError(f"no such date: {value} (the month is 01 to 12)") from None
    last = calendar.monthrange(year, month)[1]
    raise ValueError(
        f"no such date: {value} ({calendar.month_name[month]} {year} has {last} days)"
    ) from None


def short_day(day: date, today_: date) -> str:
    """'3 Dec' within the current year, '3 Dec 2025' otherwise."""
    if day.year == today_.year:
        return f"{day.day} {day:%b}"
    return f"{day.day} {day:%b %Y}"


def relative_days(day: date, today_: date) -> str:
    delta = (day - today_).days
    if delta == 0:
        return "today"
    if delta == 1:
        return "tomorrow"
    if delta == -1:
        return "yesterday"
    if delta > 0:
        return f"in {delta} days"
    return f"{-delta} days ago"
