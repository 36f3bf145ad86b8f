"""An independent check of protection, written from the definition with scipy's linprog.

The table is rebuilt from its inner cells with itertools (not seire.disclosure.tables); the
unknowns are the inner cells, each >= 0; every published cell (inner or a margin) is an
equation; a sensitive cell is protected when its maximum reaches value + p and its minimum
reaches max(0, value - p).
"""

from itertools import combinations, product

import numpy as np
from scipy.optimize import linprog

TOTAL = "TOTAL"


def all_cells(inner: dict[tuple, int], levels: list[list]) -> dict[tuple, int]:
    """Every cell (with TOTAL margins) and its value, summed from `inner`."""
    cells = {}
    d = len(levels)
    for key in product(*[[*ls, TOTAL] for ls in levels]):
        cells[key] = sum(
            v
            for inner_key, v in inner.items()
            if all(k in (TOTAL, ik) for k, ik in zip(key, inner_key, strict=False))
        )
    assert len(cells) == np.prod([len(ls) + 1 for ls in levels]) and d
    return cells


def interval(inner_keys, cells, published, cell):
    """(low, high) of `cell` over non-negative inner tables matching the published cells."""
    n = len(inner_keys)

    def row(key):
        return [
            1.0 if all(k in (TOTAL, ik) for k, ik in zip(key, inner, strict=False)) else 0.0
            for inner in inner_keys
        ]

    a_eq = [row(key) for key in published]
    b_eq = [cells[key] for key in published]
    c = np.array(row(cell))
    options = {"A_eq": a_eq or None, "b_eq": b_eq or None, "bounds": [(0, None)] * n}
    low = linprog(c, method="highs", **options)
    high = linprog(-c, method="highs", **options)
    assert low.status == 0, low.message
    return low.fun, (float("inf") if high.status == 3 else -high.fun)


def unprotected(cells, suppressed, threshold, protection, inner_keys):
    """The sensitive cells (0 < v < threshold) that are published or narrowed too much."""
    published = [k for k in cells if k not in suppressed]
    bad = []
    for key, v in cells.items():
        if not 0 < v < threshold:
            continue
        if key not in suppressed:
            bad.append(key)
            continue
        low, high = interval(inner_keys, cells, published, key)
        if high < v + protection - 1e-6 or low > max(0, v - protection) + 1e-6:
            bad.append(key)
    return bad


def optimum(cells, threshold, protection, inner_keys, limit=None):
    """The fewest suppressed cells that protect every sensitive cell, by enumeration."""
    sensitive = {k for k, v in cells.items() if 0 < v < threshold}
    if not sensitive:
        return 0
    others = [k for k in cells if k not in sensitive]
    for size in range(0, len(others) + 1):
        if limit is not None and size > limit:
            return None
        for extra in combinations(others, size):
            suppressed = sensitive | set(extra)
            if not quick_reject(cells, suppressed) and not unprotected(
                cells, suppressed, threshold, protection, inner_keys
            ):
                return len(suppressed)
    raise AssertionError("suppressing everything always protects")


def quick_reject(cells, suppressed):
    """A suppressed cell alone on a line of its table is disclosed by subtraction."""
    d = len(next(iter(cells)))
    for key in suppressed:
        for p in range(d):
            line = [k for k in cells if all(k[q] == key[q] for q in range(d) if q != p)]
            if sum(k in suppressed for k in line) == 1:
                return True
    return False
