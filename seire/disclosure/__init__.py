"""Statistical disclosure control for frequency tables (pure: no Django).

* `protect(frame, dims, value, threshold=5, protection=None)`: primary suppression by the
  threshold rule and optimal secondary suppression (HiGHS), all cells with totals and a
  `status` column;
* `audit(frame, dims, value, protection)`: each suppressed cell's feasible interval by LP;
* `protect_linked` / `audit_linked`: several aggregations of one base cube, protected jointly,
  optionally with earlier published cells as fixed equations;
* `round_table(frame, dims, value, base=5)`: the alternative, rounding to base 3 or 5;
* `perturb(cells, dims, value, key, publish, ptable)`: cell-key perturbation (consistent noise
  per cell from record keys, `cellkey.py`), for long series and repeated releases;
* `audit_ranges`: for rounding and cell-key outputs, how far each small cell can be narrowed
  and whether any is recoverable exactly (they promise no protection interval);
* `GUARANTEES`: what each method's audit can and cannot guarantee, in words.

A published table entry may name a time dimension with a level, `month:quarter` or
`month:year` (`tables.py`): months, quarters and years are then linked by their sums; and a
span of it, `month@2025M01..2025M06` (`span_label`), for tables over fewer periods than the
base: releases over different ranges (quarters, then the year) are linked the same way.
A period no table shows that published tables give by difference (March from year-to-date
tables to February and to March) is protected and audited as a sensitive cell when small.

`METHODS` is the registry of methods by name.
"""

from seire.disclosure.axes import LEVELS, SPAN_TOTAL, TOTAL, DisclosureError, span_label
from seire.disclosure.cellkey import KEY_RANGE, PTable, cells_from_records, perturb, record_keys
from seire.disclosure.protect import (
    DEFAULT_THRESHOLD,
    audit,
    audit_linked,
    protect,
    protect_linked,
)
from seire.disclosure.ranges import audit_ranges, cell_key_range, rounding_range
from seire.disclosure.rounding import round_table

METHODS = {"suppression": protect, "rounding": round_table, "cell_key": perturb}

#: What the audit of each method proves, and what it does not (stated in outputs).
GUARANTEES = {
    "suppression": (
        "Proven by linear programming over everything published from the same data: no "
        "suppressed small count, nor that of a period no table shows but the tables give by "
        "difference, can be narrowed to less than ±protection."
    ),
    "rounding": (
        "Every count is within half the rounding base of the true one; the audit checks by "
        "integer programming that no small count can be recovered exactly. No protection "
        "interval is guaranteed: combining cells may narrow a count to less than ±protection."
    ),
    "cell_key": (
        "Every count is within ±max_noise of the true one, the same cell gets the same noise "
        "in every release and no count from 1 to small is published; the audit checks by "
        "integer programming that no small count can be recovered exactly. No protection "
        "interval is guaranteed: combining cells may narrow a count to less than ±protection."
    ),
}

__all__ = [
    "DEFAULT_THRESHOLD",
    "GUARANTEES",
    "KEY_RANGE",
    "LEVELS",
    "METHODS",
    "SPAN_TOTAL",
    "TOTAL",
    "DisclosureError",
    "PTable",
    "audit",
    "audit_linked",
    "audit_ranges",
    "cell_key_range",
    "cells_from_records",
    "perturb",
    "protect",
    "protect_linked",
    "record_keys",
    "round_table",
    "rounding_range",
    "span_label",
]
