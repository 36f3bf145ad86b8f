"""Statistical disclosure control for frequency tables (pure: no Django).

* `protect(frame, dims, value, threshold=5, protection=None)`: primary suppression by the
  threshold rule and optimal secondary suppression (HiGHS), all cells with totals and a
  `status` column;
* `audit(frame, dims, value, protection)`: each suppressed cell's feasible interval by LP;
* `protect_linked` / `audit_linked`: several aggregations of one base cube, protected jointly,
  optionally with earlier published cells as fixed equations;
* `round_table(frame, dims, value, base=5)`: the alternative, rounding to base 3 or 5.

`METHODS` is the registry of methods by name.
"""

from seire.disclosure.protect import (
    DEFAULT_THRESHOLD,
    audit,
    audit_linked,
    protect,
    protect_linked,
)
from seire.disclosure.rounding import round_table
from seire.disclosure.tables import TOTAL, DisclosureError

METHODS = {"suppression": protect, "rounding": round_table}

__all__ = [
    "DEFAULT_THRESHOLD",
    "METHODS",
    "TOTAL",
    "DisclosureError",
    "audit",
    "audit_linked",
    "protect",
    "protect_linked",
    "round_table",
]
