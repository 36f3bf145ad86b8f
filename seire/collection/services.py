"""Saving values: the workflow every channel (web grid, Excel, CSV, API) goes through, so
each gets the same checks and the same audit trail.

`save_values` is all-or-nothing: every cell is checked first and any problem refuses the
whole batch with a list of located `Problem`s; only a clean batch is written, in one
transaction, with one audit event per unit and period listing each change old → new, and
`signals.data_changed` sent so that the metrics reading the table are recomputed once the
transaction commits.

`save_reports` is the same for cells given report by report (`Report`: a unit × period's
cells in a `Layout` that many reports share, as a workbook's sheets do), which is how a
national year (~30,000 cells) is checked and written quickly: each column checked once,
a report of whole numbers as a whole, the rows and audit events written in bulk.
`save_values` groups its cells into reports.

The steps live in their own modules: `batch` (what a batch is: cells, reports, problems),
`checking` (parsing and checking every cell before anything is written) and `writing`
(locks, rows, audit events). This module is the one the channels call, and it names the
parts of those they use.
"""

from datetime import date

from seire.access.roles import scope_for
from seire.collection.batch import NA, Cell, Layout, Problem, Refused, Report, reports_of
from seire.collection.checking import (
    DatasetIndex,
    check_period,
    check_reports,
    parse_value,
    plain_numbers,
)
from seire.collection.models import Dataset
from seire.collection.writing import LOCKED_STATUSES, SaveResult, cells_after, write

__all__ = [
    "LOCKED_STATUSES",
    "NA",
    "Cell",
    "DatasetIndex",
    "Layout",
    "Problem",
    "Refused",
    "Report",
    "SaveResult",
    "cells_after",
    "check_period",
    "parse_value",
    "plain_numbers",
    "reports_of",
    "save_reports",
    "save_values",
]


def save_values(
    user, dataset: Dataset, cells: list[Cell], channel: str, today: date | None = None
) -> SaveResult:
    """Check every cell, then write all of them or none. Raises `Refused`."""
    return save_reports(user, dataset, reports_of(cells), channel, today)


def save_reports(
    user,
    dataset: Dataset,
    reports: list[Report],
    channel: str,
    today: date | None = None,
    index: DatasetIndex | None = None,
) -> SaveResult:
    """`save_values` for cells given report by report (as a workbook's sheets give them):
    every cell checked (`checking.check_reports`), then all written or none
    (`writing.write`). Raises `Refused` listing every problem found."""
    index = index or DatasetIndex(dataset)
    scope = scope_for(user)
    checked = check_reports(dataset, reports, scope, index, today)
    return write(user, dataset, scope, checked, channel, index)
