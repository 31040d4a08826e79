"""A share (a part of a whole: 0.575 of the audience is 18-24) shown as a whole percent: the
one rule every screen, file and report uses, so the metrics screen and the media kit never
say 58% and 57% of the same audience.

The rule: half up, from the share's decimal value as written (the shortest decimal that is
the stored float, as `repr` gives it): 0.575 → 58%, 0.125 → 13%, 0.005 → 1%, 0.0049 → 0%.
Python's own `f"{share:.0%}"` rounds the binary float half to even, and 0.575 is stored as
0.57499999999999995559…, so it said 57%; a share rescaled by a total that is 1 give or take
a rounding error (0.575 / 0.9999999999999999) said 58%.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

_ONE = Decimal(1)
_HUNDRED = Decimal(100)


def share_percent(share: float) -> int:
    """`share` (0..1) as a whole percent, rounded half up (see the module)."""
    if not math.isfinite(share):
        raise ValueError(f"not a share: {share!r}")
    return int((Decimal(repr(share)) * _HUNDRED).quantize(_ONE, rounding=ROUND_HALF_UP))


def format_share(share: float | None) -> str:
    """ "58%" for 0.575; "—" when there is no share (or not a number)."""
    if share is None or not math.isfinite(share):
        return "—"
    return f"{share_percent(share)}%"
