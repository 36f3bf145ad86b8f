"""The audit of perturbative methods (rounding, cell-key): how far can a reader narrow a cell?

Rounding and cell-key perturbation publish every cell, each a little wrong. A reader knows,
for each published value, the range of true counts that could have produced it (rounding to
base b: within about ±b/2; cell-key: within ±max_noise, never a small published count), and
that the true table adds up and is whole and non-negative. `audit_ranges` finds, for every
sensitive cell (0 < count < threshold), the smallest and largest count of all whole,
non-negative base tables consistent with every published cell (a MIP per bound, HiGHS).

What it guarantees and what it does not: a cell with `low < high` cannot be recovered
exactly from what is published (the two tables reaching `low` and `high` are witnesses). No
protection interval is promised: `low`/`high` may lie closer to the count than ±protection;
the `within_protection` column says whether they happen to reach it.
"""

from __future__ import annotations

import highspy
import numpy as np
import pandas as pd
from scipy import sparse

from seire.disclosure.attacker import new_highs
from seire.disclosure.cellkey import PTable
from seire.disclosure.tables import DisclosureError, build


def rounding_range(base: int):
    """The true counts a published count could come from under `round_table(base=…)`."""

    def counts(published: int) -> tuple[int, int]:
        low = published - base // 2
        return max(0, low), low + base - 1

    return counts


def cell_key_range(ptable: PTable):
    """The true counts a published count could come from under `perturb(ptable=…)`."""

    def counts(published: int) -> tuple[int, int]:
        possible = [
            c
            for c in range(max(0, published - ptable.max_noise), published + ptable.max_noise + 1)
            if published in set(ptable.row(c)[0].tolist())
        ]
        if not possible:
            raise DisclosureError(f"{published} cannot be published by {ptable.describe()}")
        return min(possible), max(possible)

    return counts


def _membership(cube) -> sparse.csr_matrix:
    """Cells of the full cube × base cells: 1 where a base cell adds into the cell."""
    matrix = sparse.csr_matrix(np.ones((1, 1)))
    for axis in cube.axes:
        matrix = sparse.kron(matrix, sparse.csr_matrix(axis.matrix()), format="csr")
    return matrix


def audit_ranges(
    frame: pd.DataFrame,
    base: pd.DataFrame,
    dims: list[str],
    value: str,
    counts_of,
    threshold: int = 5,
    protection: float | None = None,
    time_limit: float = 10.0,
) -> pd.DataFrame:
    """Per sensitive published cell of `frame` (rows with `table`, dims, the published
    `value`): the true count, `low`/`high` over whole non-negative base tables consistent
    with every published cell (`counts_of(published) -> (low, high)` gives each cell's
    possible true counts), `exact` (low == high: recoverable) and `within_protection`
    (the range reaches ±protection). When a MIP stops at `time_limit`, the best table
    found so far gives the bound (still a witness, so `exact` stays sound)."""
    protection = float(threshold if protection is None else protection)
    for column in ["table", *dims, value]:
        if column not in frame.columns:
            raise DisclosureError(f"column {column!r} is missing", column=column)
    frame = frame.reset_index(drop=True)
    publish = [tuple(str(name).split(",")) for name in pd.unique(frame["table"])]
    cube = build(base, dims, value, publish)
    members = _membership(cube)
    lows, highs, cells = {}, {}, []
    for position, row in frame.iterrows():
        cell = cube.locate([row[d] for d in dims], position)
        try:
            published = int(row[value])
        except (TypeError, ValueError):
            raise DisclosureError(f"{row[value]!r} is not a count", position, value) from None
        low, high = counts_of(published)
        lows[cell], highs[cell] = max(lows.get(cell, low), low), min(highs.get(cell, high), high)
        cells.append(cell)
    order = sorted(lows)
    rows = members[order].tocsc()
    n = members.shape[1]
    highs_solver = new_highs()
    highs_solver.setOptionValue("time_limit", float(time_limit))
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = n, len(order)
    lp.col_cost_ = np.zeros(n)
    lp.col_lower_ = np.zeros(n)
    lp.col_upper_ = np.full(n, highspy.kHighsInf)
    lp.row_lower_ = np.array([lows[c] for c in order], dtype=float)
    lp.row_upper_ = np.array([highs[c] for c in order], dtype=float)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = rows.indptr.astype(np.int32)
    lp.a_matrix_.index_ = rows.indices.astype(np.int32)
    lp.a_matrix_.value_ = rows.data.astype(float)
    lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = n, len(order)
    lp.integrality_ = [highspy.HighsVarType.kInteger] * n
    highs_solver.passModel(lp)
    # the true table is feasible: a start, so a MIP stopped by the time limit has a table
    leaves = np.indices([len(a.leaves) for a in cube.axes]).reshape(len(cube.axes), -1)
    sizes = [len(a.labels) + 1 for a in cube.axes]
    true_base = cube.values[np.ravel_multi_index(tuple(leaves), sizes)].astype(float)
    records = []
    for cell in dict.fromkeys(cells):
        x = int(cube.values[cell])
        if not 0 < x < threshold:
            continue
        row = members[cell].toarray().ravel()
        bounds = []
        for sign in (1.0, -1.0):
            highs_solver.changeColsCost(n, np.arange(n, dtype=np.int32), sign * row)
            highs_solver.setSolution(n, np.arange(n, dtype=np.int32), true_base)
            highs_solver.run()
            solution = np.asarray(highs_solver.getSolution().col_value)
            if len(solution) != n:
                raise DisclosureError("the published cells are inconsistent with each other")
            bounds.append(int(round(float(row @ solution))))
        low, high = bounds
        records.append(
            (
                *cube.keys[cell],
                x,
                low,
                high,
                low == high,
                low <= max(0.0, x - protection) and high >= x + protection,
            )
        )
    columns = [*cube.dims, value, "low", "high", "exact", "within_protection"]
    return pd.DataFrame(records, columns=columns)
