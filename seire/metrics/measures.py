"""The engine's measures on coded rows, with numpy: a group is period × unit × label.

Counts and sums are taken once per period × unit × label and summed up the org tree
(`up_the_tree`); distinct persons, means and medians from the rows at every depth of the
tree (`measured`). Values are integers of 1/UNIT (the four places a MetricValue keeps), and
means, medians and shares are rounded half to even as Decimal would (`divide`). The tree
is passed in (`seire.metrics.scan.Tree`): `ids` (dense number → unit id) and `above` (for
every depth, dense number → the dense number of its unit at that depth, -1 for none).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from seire.metrics.scan import Tree

UNIT = 10_000  # values are integers of 1/UNIT
_BINS = 4_000_000  # above this many period × unit × label cells, group by sorting instead


@dataclass
class Groups:
    """Rows' periods, dense units and labels; a group is period × unit × label."""

    period: np.ndarray
    unit: np.ndarray
    label: np.ndarray
    width: int  # labels
    periods: int

    def at(self, tree: Tree, above: np.ndarray, unit: np.ndarray | None = None):
        """(rows with a unit at this depth, their group numbers)."""
        ancestor = above[self.unit if unit is None else unit]
        rows = np.flatnonzero(ancestor >= 0)
        units = len(tree.ids)
        return rows, (self.period[rows] * units + ancestor[rows]) * self.width + self.label[rows]

    def split(self, tree: Tree, groups: np.ndarray) -> list[np.ndarray]:
        """Group numbers → [period, dense unit, label]."""
        return split(tree, self.width, groups)


def measured(measure: str, group: Groups, tree: Tree, values, keys):
    """[period, unit, label, value, n] arrays for the groups of the rows at every depth
    (distinct keys, means and medians; counts and sums see `_Frame.measure`)."""
    if keys is not None:
        yield from _distinct(group, tree, keys)
        return
    for above in tree.above:
        rows, groups = group.at(tree, above)
        if not len(rows):
            continue
        found, n, result = _central(measure, groups, values[rows])
        yield [*group.split(tree, found), result, n]


def _rolled_up(group: Groups, tree: Tree, weights=None, values=None):
    """(depth, groups, rows, sum of values or None) at every depth with rows: per period ×
    unit × label once, then summed up the tree."""
    units = len(tree.ids)
    fine = (group.period * units + group.unit) * group.width + group.label
    found, n, total = totals(fine, weights, values)
    period, unit, label = group.split(tree, found)
    yield from up_the_tree(Groups(period, unit, label, group.width, group.periods), n, total, tree)


def up_the_tree(up: Groups, n, total, tree: Tree):
    """The groups of period × unit × label `up` (with their rows and sums) summed at every
    depth of the tree: (depth, groups, rows, sum of values or None)."""
    for depth, above in enumerate(tree.above):
        rows, groups = up.at(tree, above)
        if len(rows):
            yield (depth, *totals(groups, n[rows], None if total is None else total[rows]))


def split(tree: Tree, width: int, groups: np.ndarray) -> list[np.ndarray]:
    """Group numbers → [period, dense unit, label]."""
    rest, label = np.divmod(groups, width)
    period, unit = np.divmod(rest, len(tree.ids))
    return [period, unit, label]


def totals(groups, weights, values):
    """(the groups, rows per group, sum of values per group or None)."""
    if groups.max(initial=0) < _BINS:
        n = np.bincount(groups, weights).astype(np.int64)
        found = np.flatnonzero(n)
        total = None
        if values is not None:
            total = _exact_sum(groups, values, len(n))[found]
        return found, n[found], total
    found, inverse = np.unique(groups, return_inverse=True)
    n = np.bincount(inverse, weights).astype(np.int64)
    total = None if values is None else _exact_sum(inverse, values, len(found))
    return found, n, total


def _exact_sum(groups, values, size):
    """Sums of integer values per group: float bincount while exact, else integers."""
    if np.abs(values).sum(dtype=np.float64) < 2**52:
        return np.rint(np.bincount(groups, values, minlength=size)).astype(np.int64)
    total = np.zeros(size, dtype=object)
    np.add.at(total, groups, values.astype(object))
    return total


def _distinct(group: Groups, tree: Tree, keys):
    """Distinct keys per group at every depth. A key in one row only counts 1 wherever that
    row counts: those rows are counted like rows (once, then up the tree); the rows of the
    other keys are made distinct pairs of group and key at each depth."""
    single = np.bincount(keys)[keys] == 1
    ones = {depth: (g, n) for depth, g, n, _ in _rolled_up(_subset(group, single), tree)}
    others = np.flatnonzero(~single)
    rest = _subset(group, ~single)
    width = int(keys.max(initial=0)) + 1
    for depth, above in enumerate(tree.above):
        parts = [ones[depth]] if depth in ones else []
        rows, groups = rest.at(tree, above)
        if len(rows):
            theirs = keys[others[rows]]
            if int(groups.max()) < 2**62 // width:
                found = pd.unique(groups * width + theirs) // width
            else:
                found = np.unique(np.c_[groups, theirs], axis=0)[:, 0]
            parts.append(totals(found, None, None)[:2])
        if not parts:
            continue
        found, n, _ = totals(
            np.concatenate([g for g, _ in parts]), np.concatenate([n for _, n in parts]), None
        )
        yield [*group.split(tree, found), n * UNIT, n]


def _subset(group: Groups, rows) -> Groups:
    return Groups(
        group.period[rows], group.unit[rows], group.label[rows], group.width, group.periods
    )


def _central(measure: str, groups, values):
    """(groups, n, mean or median in 1/UNIT, rounded half to even)."""
    order = np.lexsort((values, groups))
    groups, values = groups[order], values[order]
    starts = np.flatnonzero(np.r_[True, groups[1:] != groups[:-1]])
    n = np.diff(np.r_[starts, len(groups)])
    if measure == "mean":
        return groups[starts], n, divide(np.add.reduceat(values, starts), n)
    twice = values[starts + (n - 1) // 2] + values[starts + n // 2]
    return groups[starts], n, divide(twice, 2)


def divide(a, b):
    """a / b rounded half to even (integers or integer arrays, b > 0)."""
    q, r = divmod(a, b) if isinstance(a, int) else np.divmod(a, b)
    up = (2 * r > b) | ((2 * r == b) & (q % 2 == 1))
    return q + up if isinstance(a, int) else q + up.astype(np.int64)
