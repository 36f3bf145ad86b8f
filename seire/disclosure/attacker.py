"""The attacker's linear programs: how far can a reader move a cell, given what is published?

Variables are the deviations `z` of the cells of the full cube (base cells and every margin)
from their true values, `z >= -value` (non-negative tables), bound by the additivity lines
`sum(children) - parent = 0`. A published cell's deviation is 0; a cell published earlier
(`fixed`) is held at its earlier value. The largest upward move of cell k is `max z_k`, the
largest downward move `max -z_k`; its feasible interval is `[x_k - down, x_k + up]`. This
is the same as the LP over the base cells alone (margins are sums of base cells) but sparse.
Solved with HiGHS, re-using the basis from one cell to the next.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass

import highspy
import numpy as np
from scipy import sparse

INF = float("inf")


_quiet = False


def new_highs() -> highspy.Highs:
    """A silent single-threaded HiGHS (its banner, printed once per process, goes nowhere)."""
    global _quiet
    if _quiet:
        highs = highspy.Highs()
    else:
        sys.stdout.flush()
        saved = os.dup(1)
        try:
            with open(os.devnull, "w") as sink:
                os.dup2(sink.fileno(), 1)
                highs = highspy.Highs()
        finally:
            os.dup2(saved, 1)
            os.close(saved)
        _quiet = True
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("threads", 1)
    return highs


@dataclass
class Move:
    """The result of one attacker LP: the largest move and the certificate behind it."""

    size: float  # inf when unbounded
    reduced_costs: np.ndarray | None  # d = sign e_k - L^T y, per cell of the cube
    moved_cells: np.ndarray | None  # cells whose deviation is non-zero in the optimal table


class Attacker:
    """The LPs for one suppression pattern over the cells of `lines` (rows × cells).

    `known` marks the cells whose deviation is fixed (published now, or earlier), `shift`
    their deviation (0 for cells published now; earlier value - true value for `fixed`).
    """

    def __init__(self, lines, values, known, shift=None):
        self.lines = sparse.csr_matrix(lines)
        self.values = np.asarray(values, dtype=float)
        n = len(self.values)
        self.shift = np.zeros(n) if shift is None else np.asarray(shift, dtype=float)
        self.free = np.flatnonzero(~np.asarray(known))
        self.position = np.full(n, -1)
        self.position[self.free] = np.arange(len(self.free))
        rhs = -(self.lines @ np.where(known, self.shift, 0.0))
        reduced = self.lines[:, self.free].tocsr()
        counts = np.diff(reduced.indptr)
        if np.abs(rhs[counts == 0]).max(initial=0.0) > 1e-9:
            raise ValueError(
                "the published cells are inconsistent with each other: "
                "no non-negative table gives them all"
            )
        self.active_rows = np.flatnonzero(counts > 0)
        reduced = reduced[self.active_rows].tocsc()
        n_free = len(self.free)
        self.highs = new_highs()
        lp = highspy.HighsLp()
        lp.num_col_ = n_free
        lp.num_row_ = len(self.active_rows)
        lp.col_cost_ = np.zeros(n_free)
        lp.col_lower_ = -self.values[self.free]
        lp.col_upper_ = np.full(n_free, INF)
        lp.row_lower_ = rhs[self.active_rows]
        lp.row_upper_ = rhs[self.active_rows]
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = reduced.indptr.astype(np.int32)
        lp.a_matrix_.index_ = reduced.indices.astype(np.int32)
        lp.a_matrix_.value_ = reduced.data.astype(float)
        lp.a_matrix_.num_col_ = n_free
        lp.a_matrix_.num_row_ = len(self.active_rows)
        self.highs.passModel(lp)
        self.highs.setOptionValue("presolve", "off")
        self.highs.setOptionValue("simplex_strategy", 4)  # primal: hot starts after a cost change
        self.highs.run()
        if n_free and self.highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            raise ValueError(
                "the published cells are inconsistent with each other: "
                "no non-negative table gives them all"
            )
        self._costed = -1
        self.last_deviations = np.zeros(n)

    def move(self, cell: int, sign: int) -> Move:
        """Largest move of `cell` up (`sign=+1`) or down (`sign=-1`)."""
        column = self.position[cell]
        if column < 0:
            return Move(0.0, None, None)
        if self._costed >= 0 and self._costed != column:
            self.highs.changeColCost(int(self._costed), 0.0)
        self.highs.changeColCost(int(column), float(-sign))  # HiGHS minimises
        self._costed = column
        self.highs.run()
        status = self.highs.getModelStatus()
        if status in (
            highspy.HighsModelStatus.kUnbounded,
            highspy.HighsModelStatus.kUnboundedOrInfeasible,
        ):
            return Move(INF, None, None)
        if status != highspy.HighsModelStatus.kOptimal:
            self.highs.clearSolver()  # a numerical failure: solve again from scratch once
            self.highs.run()
            status = self.highs.getModelStatus()
            if status != highspy.HighsModelStatus.kOptimal:
                return Move(INF if "nbounded" in str(status) else 0.0, None, None)
        solution = self.highs.getSolution()
        size = -self.highs.getInfo().objective_function_value
        z = np.asarray(solution.col_value)
        deviations = np.zeros(len(self.values))
        deviations[self.free] = z
        self.last_deviations = deviations
        y = np.zeros(self.lines.shape[0])
        y[self.active_rows] = -np.asarray(solution.row_dual)
        reduced_costs = -(self.lines.T @ y)
        reduced_costs[cell] += sign
        moved = self.free[np.abs(z) > 1e-7]
        return Move(max(size, 0.0), reduced_costs, moved)
