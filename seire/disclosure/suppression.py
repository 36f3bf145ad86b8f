"""Secondary suppression: the fewest extra cells that protect every sensitive cell.

A master MIP (HiGHS) chooses binary suppression variables `x` (sensitive cells fixed to 1),
minimising the number of suppressed cells plus, as tie-break, a small weight on their total
value. Protection is added lazily as Benders-style cuts (Fischetti & Salazar): for a candidate
pattern the attacker LPs (`attacker.py`) are solved for every sensitive cell in both
directions; when a cell moves less than required, the LP's dual multipliers give a linear
inequality over `x` that every protecting pattern satisfies and the candidate violates. The
loop stops when no cell is under-protected, so the result always passes the audit.

The cut for a move of sign s of cell k needing size R: for any multipliers mu on the
published rows, `s C_k w = r·w + sum_i mu_i (C_i w)` with `r = s C_k - sum mu_i C_i`. With
`w >= -base` and r <= 0 the first term is at most `K = sum |r_j| base_j`; a published cell
contributes 0, a suppressed one at most `mu_i`·∞ (mu_i > 0) or `|mu_i| x_i` (mu_i < 0, the
cell can fall to 0). So `sum_i min(R-K, coef_i) x_i >= R-K` must hold.

Before the loop every sensitive cell gets the cuts of each additivity line it lies on (a
sibling, or the line's total, must be suppressed with enough room to move), which are the
same cuts for single-line multipliers and make the first candidates close to final.

When `time_limit` runs out, the loop continues greedily instead of by MIP: each violated cut
is satisfied by adding its cell with the best room per cost, until the audit is clean (it
always ends: suppressing every cell protects everything).
"""

from __future__ import annotations

import time

import highspy
import numpy as np

from seire.disclosure.attacker import INF, Attacker, new_highs

TOLERANCE = 1e-6


def requirements(values: np.ndarray, sensitive: np.ndarray, protection: float):
    """Upward and downward moves each sensitive cell needs: p, and min(x, p)."""
    up = np.where(sensitive, float(protection), 0.0)
    down = np.where(sensitive, np.minimum(values, float(protection)), 0.0)
    return up, down


class Master:
    """The suppression MIP with its cuts."""

    def __init__(self, values, sensitive, withheld, shown):
        """`withheld` cells are suppressed whatever it costs, `shown` ones never are."""
        n = len(values)
        self.n = n
        self.values = values.astype(float)
        self.cost = np.where(withheld, 0.0, 1.0 + self.values / (1.0 + self.values.sum()))
        self.highs = new_highs()
        self.highs.setOptionValue("mip_rel_gap", 1e-6)
        lower = np.where(sensitive | withheld, 1.0, 0.0)
        self.highs.addCols(
            n,
            self.cost,
            lower,
            np.where(shown & ~sensitive, 0.0, 1.0),
            0,
            np.array([], dtype=np.int32),
            np.array([], dtype=np.int32),
            np.array([], dtype=float),
        )
        self.highs.changeColsIntegrality(
            n,
            np.arange(n, dtype=np.int32),
            np.full(n, highspy.HighsVarType.kInteger, dtype=np.uint8),
        )
        self.lower = lower
        self.cuts: list[tuple[np.ndarray, np.ndarray]] = []

    def add_cut(self, cells: np.ndarray, coefs: np.ndarray) -> None:
        """Add `sum coefs_i x_cells_i >= 1` (coefficients already normalised, capped at 1)."""
        keep = coefs > 1e-9
        cells, coefs = cells[keep].astype(np.int32), np.minimum(coefs[keep], 1.0)
        if not len(cells):
            return
        self.cuts.append((cells, coefs))
        self.highs.addRows(
            1,
            np.array([1.0]),
            np.array([INF]),
            len(cells),
            np.array([0], dtype=np.int32),
            cells,
            coefs,
        )

    def solve(self, time_limit: float | None, start: np.ndarray | None) -> np.ndarray | None:
        """The cheapest pattern satisfying the cuts, or None if no solution within the time."""
        self.highs.setOptionValue("time_limit", float(time_limit) if time_limit else INF)
        if start is not None:
            self.highs.setSolution(self.n, np.arange(self.n, dtype=np.int32), start.astype(float))
        self.highs.run()
        status = self.highs.getModelStatus()
        if status not in (
            highspy.HighsModelStatus.kOptimal,
            highspy.HighsModelStatus.kTimeLimit,
            highspy.HighsModelStatus.kInterrupt,
        ):
            return None
        x = np.asarray(self.highs.getSolution().col_value)
        if len(x) != self.n or not np.isfinite(x).all():
            return None
        return x > 0.5

    def repair(self, x: np.ndarray) -> np.ndarray:
        """Greedily extend `x` until every cut holds (cheapest room per cost first)."""
        x = x.copy()
        for cells, coefs in self.cuts:
            covered = coefs[x[cells]].sum()
            if covered >= 1 - TOLERANCE:
                continue
            order = np.argsort(-(coefs / self.cost[cells]))
            for position in order:
                cell = cells[position]
                if not x[cell]:
                    x[cell] = True
                    covered += coefs[position]
                    if covered >= 1 - TOLERANCE:
                        break
        return x


def line_cuts(master: Master, lines, sensitive, values, up, down) -> None:
    """The necessary conditions on each additivity line through a sensitive cell."""
    for parent, children in lines:
        children = np.asarray(children)
        for k in children[sensitive[children]]:
            siblings = children[children != k]
            # up: the line's total rises, or siblings fall (each by at most its value)
            master.add_cut(
                np.append(siblings, parent),
                np.append(np.minimum(values[siblings] / up[k], 1.0), 1.0),
            )
            # down: the total falls (at most its value), or a sibling rises
            master.add_cut(
                np.append(siblings, parent),
                np.append(np.ones(len(siblings)), min(values[parent] / down[k], 1.0)),
            )
        if sensitive[parent]:
            master.add_cut(children, np.ones(len(children)))
            master.add_cut(children, np.minimum(values[children] / down[parent], 1.0))


def benders_cut(move, need, x, values, publishable, fixed, shift):
    """The cut (cells, normalised coefficients) from an attacker LP that fell short."""
    open_cells = np.flatnonzero(publishable & ~fixed & ~x)
    no_good = (open_cells, np.ones(len(open_cells)))
    d = move.reduced_costs
    if d is None:
        return no_good
    always = ~publishable & ~fixed
    if d[always].max(initial=0.0) > 1e-7:
        return no_good
    constant = float(np.maximum(-d[always], 0.0) @ values[always] + d[fixed] @ shift[fixed])
    rhs = need - constant
    decision = np.flatnonzero(publishable & ~fixed)
    room = np.where(d[decision] > 1e-9, INF, np.maximum(-d[decision], 0.0) * values[decision])
    at_candidate = constant + room[x[decision]].sum()
    if rhs <= 1e-6 or abs(at_candidate - move.size) > 1e-5 * (1 + need):
        return no_good
    return decision, np.minimum(room / rhs, 1.0)


def suppress(cube, sensitive, protection, fixed_shift=None, time_limit=60.0) -> np.ndarray:
    """A suppression pattern (bool per cell of `cube`) protecting every sensitive cell.

    Cells of the cube that no table publishes count as suppressed (for free); `fixed_shift`
    (NaN where not fixed) holds, for cells published earlier, earlier value - true value.
    """
    values = cube.values.astype(float)
    n = len(values)
    shift = np.full(n, np.nan) if fixed_shift is None else np.asarray(fixed_shift, float)
    fixed = ~np.isnan(shift)
    shift = np.where(fixed, shift, 0.0)
    publishable = cube.publishable
    up, down = requirements(values, sensitive, protection)
    master = Master(values, sensitive, ~publishable, fixed & (shift == 0))
    if not sensitive.any():
        return ~publishable
    moved_fixed = np.flatnonzero(fixed & (shift != 0))
    lines = [
        (parent, children)
        for parent, children in cube.line_list()
        if not np.isin([parent, *children], moved_fixed).any()
    ]
    line_cuts(master, lines, sensitive, values, up, down)
    attack, unused = cube.attack_lines(fixed | sensitive)
    started = time.monotonic()
    witnesses: dict[tuple[int, int], np.ndarray] = {}
    x = None
    while True:
        remaining = None if time_limit is None else time_limit - (time.monotonic() - started)
        if remaining is None or remaining > 0:
            candidate = master.solve(remaining, None if x is None else master.repair(x))
            x = master.repair(candidate if candidate is not None else master.lower > 0)
        else:
            x = master.repair(x if x is not None else master.lower > 0)
        x |= ~publishable
        attacker = Attacker(attack, values, (~x) | fixed | unused, shift)
        short = 0
        for cell in np.flatnonzero(sensitive):
            for sign, need in ((1, up[cell]), (-1, down[cell])):
                if need <= 0:
                    continue
                witness = witnesses.get((cell, sign))
                if witness is not None and x[witness].all():
                    continue
                move = attacker.move(cell, sign)
                if move.moved_cells is not None:
                    # the optimal table is a witness for every cell it moves far enough
                    deviations = attacker.last_deviations
                    for other in move.moved_cells[sensitive[move.moved_cells]]:
                        for s, needs in ((1, up), (-1, down)):
                            if s * deviations[other] >= needs[other] - TOLERANCE:
                                witnesses[(other, s)] = move.moved_cells
                if move.size >= need - TOLERANCE:
                    continue
                short += 1
                master.add_cut(*benders_cut(move, need, x, values, publishable, fixed, shift))
        if not short:
            return x
