"""Reading the sources for the engine: each source table once, the measures in numpy.

A `Side` is one numerator or denominator of one version. `scan(sides, tree)` reads every
source the sides count from once:

* a source whose sides all count or sum rows filtered in SQL gets one grouped query:
  a COUNT (and a SUM) per distinct filter, each a conditional aggregate
  (`COUNT(*) FILTER (WHERE …)`), grouped by the month of every date used, the unit and the
  breakdown fields;
* a source where some side needs the records themselves (distinct persons, a mean or a
  median, a condition on a derived field) gets one row fetch for all its sides: the
  columns they read and one integer whose bits say which of the sides' SQL conditions
  each record meets (`CASE WHEN … THEN 2^i ELSE 0 END + …`).

Rows come from the driver as they are; each column is coded once (`pandas.factorize`)
and only its distinct values are converted (Django's converters, periods, Python
conditions, derived fields). The measures are then taken with numpy for the total and
each breakdown at every depth of the org tree: counts and sums once per period × unit ×
label and summed up the tree; distinct persons, means and medians from the records at
each depth. Values are carried as integers of 1/10 000 (`UNIT`: the four places a
MetricValue keeps), so sums, means, medians and shares round exactly as Decimal would.
"""

import gc

from seire.metrics.scan.plan import Cells, Side
from seire.metrics.scan.queries import _scan_grouped, _scan_rows
from seire.metrics.scan.tree import Tree

__all__ = ["Cells", "Side", "Tree", "scan"]


def scan(sides: list[Side], tree: Tree) -> None:
    """Fill in the cells of every side, each source read once (see the module's doc)."""
    batches: dict[tuple, list[Side]] = {}
    for side in sides:
        key = (side.source.name, id(side) if side.alone else None)
        batches.setdefault(key, []).append(side)
    collecting = gc.isenabled()
    gc.disable()  # the fetched rows are hundreds of thousands of objects, none of them cyclic
    try:
        for batch in batches.values():
            if any(side.needs_rows for side in batch):
                _scan_rows(batch, tree)
            else:
                _scan_grouped(batch, tree)
    finally:
        if collecting:
            gc.enable()
    for side in sides:
        if side.cells is None:
            side.cells = Cells.empty()
