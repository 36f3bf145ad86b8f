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


# Linked tables with time levels: each published row is a sum of base cells found here.


def quarter_of(month: str) -> str:
    """2026M05 → 2026Q2, written out here rather than taken from seire.periods."""
    year, number = month.split("M")
    return f"{year}Q{(int(number) + 2) // 3}"


def contains(label: str, level: str | None, base_label: str) -> bool:
    """Does a published label (a leaf, a quarter, a year or TOTAL) cover a base label?"""
    if label == TOTAL:
        return True
    if ".." in label:  # a span of months, both ends included: 2025M01..2025M06
        first, last = label.split("..")
        return first <= base_label <= last
    if level == "quarter":
        return quarter_of(base_label) == label
    if level == "year":
        return base_label[:4] == label
    return base_label == label


def members(row, dims, levels, base_keys):
    """The base cells a published row sums."""
    return [
        i
        for i, key in enumerate(base_keys)
        if all(contains(str(row[d]), levels.get(d), k) for d, k in zip(dims, key, strict=True))
    ]


def levels_of(table: str) -> dict:
    out = {}
    for entry in table.split(","):
        name, _, level = entry.split("@")[0].partition(":")
        out[name] = level or None
    return out


def independently_checked(out, frame, dims, threshold=5, protection=5, value="n"):
    """The sensitive rows of `out` (rows of linked tables: `table`, dims, `value`, `status`)
    that are published or can be narrowed below ±protection by the union of its published
    rows, over the base cells of `frame` (each ≥ 0). Checks every value on the way."""
    base_keys = [tuple(r) for r in frame[dims].itertuples(index=False)]
    counts = frame[value].to_numpy()
    rows = []
    for _, row in out.iterrows():
        cells = members(row, dims, levels_of(row["table"]), base_keys)
        assert int(counts[cells].sum()) == row[value], (row.to_dict(), "value")
        vector = np.zeros(len(base_keys))
        vector[cells] = 1.0
        rows.append((vector, row[value], row["status"], tuple(row[dims])))
    a_eq = [v for v, _, s, _ in rows if s == "published"]
    b_eq = [n for _, n, s, _ in rows if s == "published"]
    bounds = [(0, None)] * len(base_keys)
    bad = []
    for vector, n, status, key in rows:
        if not 0 < n < threshold:
            assert status != "primary", key
            continue
        assert status == "primary", key
        low = linprog(vector, A_eq=a_eq or None, b_eq=b_eq or None, bounds=bounds)
        high = linprog(-vector, A_eq=a_eq or None, b_eq=b_eq or None, bounds=bounds)
        assert low.status == 0
        top = float("inf") if high.status == 3 else -high.fun
        if top < n + protection - 1e-6 or low.fun > max(0, n - protection) + 1e-6:
            bad.append((key, low.fun, top))
    return bad


def narrowed(out, frame, dims, where: dict, value="n") -> tuple[float, float]:
    """(low, high) of the sum of the base cells of `frame` whose labels are `where` ({dim:
    label, or a list of labels}), over non-negative base cells that give every published
    row of `out` its value: what a reader of `out` knows of a count no row shows."""
    base_keys = [tuple(r) for r in frame[dims].itertuples(index=False)]
    a_eq, b_eq = [], []
    for _, row in out[out.status == "published"].iterrows():
        vector = np.zeros(len(base_keys))
        vector[members(row, dims, levels_of(row["table"]), base_keys)] = 1.0
        a_eq.append(vector)
        b_eq.append(row[value])
    target = np.array(
        [
            all(
                key[dims.index(d)] in (labels if isinstance(labels, list) else [labels])
                for d, labels in where.items()
            )
            for key in base_keys
        ],
        dtype=float,
    )
    bounds = [(0, None)] * len(base_keys)
    low = linprog(target, A_eq=a_eq or None, b_eq=b_eq or None, bounds=bounds)
    high = linprog(-target, A_eq=a_eq or None, b_eq=b_eq or None, bounds=bounds)
    assert low.status == 0, low.message
    return low.fun, (float("inf") if high.status == 3 else -high.fun)
