"""A batch of values as every channel (web grid, Excel, CSV, API) hands it to `services`.

A batch is `Cell`s, or the same cells given report by report: a `Report` is one unit ×
period's raw cells in a `Layout` that many reports may share (as a workbook's sheets do),
and `reports_of` groups cells into reports. A batch that is not written raises `Refused`
with every `Problem` found, each located (sheet and cell, row, field). After checking, a
cell is None (blank), `NA` (not applicable) or its number.
"""

from dataclasses import dataclass
from typing import NamedTuple

NA = "na"  # a parsed cell marked not applicable (a blank is None, a value its number)


@dataclass(frozen=True)
class Problem:
    """One reason a batch was refused: where (sheet and cell, row, field) and what."""

    where: str
    message: str
    code: str = ""  # "conflict" for a concurrent edit (the API answers 409 when all are)

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


class Refused(Exception):
    """A batch that was not written; `problems` says every reason found."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems[:10]))


class Cell(NamedTuple):
    """One value to save. `raw` is what the user typed: "" clears the cell, "na" marks it not
    applicable. `version` is the version the user saw (None: don't check, e.g. imports).
    (A named tuple: an import makes tens of thousands of them.)"""

    element: str
    combo: str
    unit: str
    period: str
    raw: object
    version: int | None = None
    where: str = ""


class Layout:
    """The cells of one or more reports in a batch, in order: (element code, combo code)
    each, and optionally where each lies in its report (an address such as "!C6", put after
    the report's `where`). A workbook's sheets share one layout, so each column is checked
    once however many reports there are."""

    __slots__ = ("cells", "suffixes")

    def __init__(self, cells: tuple[tuple[str, str], ...], suffixes: tuple[str, ...] = ()):
        self.cells = cells
        self.suffixes = suffixes


class Report(NamedTuple):
    """The cells a batch gives for one unit × period: `raws[i]` (what the user typed; see
    `Cell`) for `layout.cells[i]`. Either `where` + the layout's suffix or `wheres[i]` says
    where a cell is; `versions[i]` is the version the user saw (None: don't check);
    `positions[i]` is the cell's place in the batch (problems are listed in that order)."""

    unit: str
    period: str
    layout: Layout
    raws: list
    where: str = ""
    wheres: list | None = None
    versions: list | None = None
    positions: list | None = None

    def locate(self, i: int) -> str:
        if self.wheres is not None:
            return self.wheres[i]
        return self.where + self.layout.suffixes[i] if self.layout.suffixes else self.where


def reports_of(cells: list[Cell]) -> list[Report]:
    """`cells` grouped into reports (unit × period as given), in the order first met."""
    groups: dict[tuple, list[int]] = {}
    for number, cell in enumerate(cells):
        groups.setdefault((cell.unit, cell.period), []).append(number)
    layouts: dict[tuple, Layout] = {}
    reports = []
    for (unit, period), numbers in groups.items():
        members = [cells[n] for n in numbers]
        key = tuple((c.element, c.combo) for c in members)
        layout = layouts.get(key) or layouts.setdefault(key, Layout(key))
        versions = [c.version for c in members]
        reports.append(
            Report(
                unit,
                period,
                layout,
                [c.raw for c in members],
                wheres=[c.where for c in members],
                versions=versions if any(v is not None for v in versions) else None,
                positions=numbers,
            )
        )
    return reports
