"""The axes of a cube: a dimension's labels, and for a time dimension (period codes, see
`seire.periods`) its quarters, years and spans, with the additivity equations along it.

A published table entry is `dim`, `dim:quarter` / `dim:year` (a time dimension shown at a
coarser level), optionally limited to a span of the time dimension (`dim@2025M01..2025M06`,
or `dim:total@…` for the span's total only); see `Entry`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from seire import periods

TOTAL = "TOTAL"
#: Levels a time dimension (period codes, `seire.periods`) can be published at.
LEVELS = {"month": "M", "quarter": "Q", "year": "Y"}
#: The level of a table entry that shows only the total of its span.
SPAN_TOTAL = "total"
#: Joins the first and last period of a span: `2025M01..2025M06`.
SPAN = ".."


class DisclosureError(ValueError):
    """Bad input to a disclosure function, located by `row` (0-based position) and `column`."""

    def __init__(self, message: str, row: int | None = None, column: str | None = None):
        super().__init__(message)
        self.message = message
        self.row = row
        self.column = column


@dataclass(frozen=True)
class Entry:
    """One entry of a published table: the dimension `name`; for a time dimension, the
    `level` it is shown at (`quarter`, `year`, or `total`: the span's total only) and the
    `span` (`2025M01..2025M06`) it is limited to, whose total stands in for its `TOTAL`."""

    name: str
    level: str | None = None
    span: str | None = None

    def __str__(self) -> str:
        text = self.name if self.level is None else f"{self.name}:{self.level}"
        return text if self.span is None else f"{text}@{self.span}"


def span_label(first, last) -> str:
    """The span from period `first` to period `last` (codes or `Period`s), as a label."""
    return f"{first}{SPAN}{last}"


def parse_span(text: str) -> tuple:
    """(first day, last day) of a span label; raises `DisclosureError`."""
    first, dots, last = str(text).partition(SPAN)
    try:
        if not dots:
            raise periods.PeriodError(f"expected FIRST{SPAN}LAST")
        start, end = periods.parse(first).start, periods.parse(last).end
    except periods.PeriodError as exc:
        raise DisclosureError(f"{text!r} is not a span of periods: {exc}") from None
    if start > end:
        raise DisclosureError(f"{text!r} is not a span of periods: it ends before it starts")
    return start, end


def parse_entry(entry, dims: list[str]) -> Entry:
    """One entry of a published table: `dim`, `dim:level` for a time dimension whose base
    labels are period codes (`2026M03`) aggregated to `quarter` or `year`, either of them
    with `@FIRST..LAST` for a table over a span of the time dimension (see `Entry`)."""
    text, at, span = str(entry).partition("@")
    name, colon, level = text.partition(":")
    name, level, span = name.strip(), level.strip(), span.strip()
    if name not in dims:
        raise DisclosureError(f"a published table names an unknown dimension: {entry!r}")
    if colon and level not in LEVELS and level != SPAN_TOTAL:
        raise DisclosureError(
            f"{entry!r}: the level must be one of {', '.join(LEVELS)} (e.g. {name}:quarter)"
        )
    if level == SPAN_TOTAL and not at:
        raise DisclosureError(
            f"{entry!r}: the level {SPAN_TOTAL} needs a span (e.g. @2025M01..2025M06)"
        )
    if at:
        parse_span(span)
    return Entry(name, level or None, span or None)


def _leaves_label(leaves: list, members: frozenset) -> str:
    """A label for periods no table shows: `FIRST..LAST` when they follow one another in
    time, else the periods in time order joined by `+`."""
    ordered = sorted((periods.parse(str(leaves[i])) for i in members), key=lambda p: p.start)
    if len(ordered) == 1:
        return str(ordered[0])
    following = all(
        (later.start - earlier.end).days == 1
        for earlier, later in zip(ordered, ordered[1:], strict=False)
    )
    return span_label(ordered[0], ordered[-1]) if following else "+".join(map(str, ordered))


def time_axis(
    dim: str, leaves: list, frame: pd.DataFrame, wanted: set[str], spans: set[str] = frozenset()
) -> Axis:
    """An axis whose leaves are periods of one kind, grouped into the coarser `wanted` levels
    and into `spans` (labels `FIRST..LAST`; a span without leaves gets no cell).

    A group spanning every leaf is the axis total, one spanning a single leaf is that leaf,
    and one with the same leaves as a finer group is that group (the same cell, one name).
    """
    parsed = []
    for label in leaves:
        try:
            parsed.append(periods.parse(str(label)))
        except periods.PeriodError as exc:
            row = int(np.flatnonzero((frame[dim] == label).to_numpy())[0])
            raise DisclosureError(
                f"{dim} is aggregated in time, but {label!r} is not a period code ({exc})",
                row=row,
                column=dim,
            ) from None
    kinds = {p.kind for p in parsed}
    if len(kinds) > 1:
        raise DisclosureError(
            f"{dim} is aggregated in time, so its labels must be periods of one kind, "
            f"not a mix of {', '.join(sorted(kinds))}",
            column=dim,
        )
    kind = parsed[0].kind
    order = {"M": 0, "Q": 1, "Y": 2}
    axis = Axis(dim, list(leaves))
    total = axis.total
    groups: list[tuple[str, list]] = []  # (level, [(code, leaf indices)])
    for level in sorted(wanted, key=lambda name: order[LEVELS[name]]):
        if order[LEVELS[level]] < order[kind]:
            raise DisclosureError(
                f"{dim}:{level}: the labels of {dim} are already coarser than a {level} "
                f"(e.g. {parsed[0]})",
                column=dim,
            )
        members: dict[str, list[int]] = {}
        for i, period in sorted(enumerate(parsed), key=lambda item: item[1]):
            group = period
            while group.kind != LEVELS[level]:
                group = group.parent()
            members.setdefault(str(group), []).append(i)
        groups.append((level, list(members.items())))
    for level, members in groups:
        axis.level_rows[level] = [(code, axis.group(code, leaves)) for code, leaves in members]
    # quarters add up to their year; the groups of a level add up to the total
    for position, rows in enumerate(axis.level_rows.values()):
        cells = list(dict.fromkeys(cell for _, cell in rows))
        axis.add_line(total, cells)
        for coarser in list(axis.level_rows)[position + 1 :]:
            for _, parent in axis.level_rows[coarser]:
                inside = [c for c in cells if axis.leaf_set(c) <= axis.leaf_set(parent)]
                axis.add_line(parent, inside)
    for span in sorted(spans):
        start, end = parse_span(span)
        inside = [i for i, p in enumerate(parsed) if start <= p.start and p.end <= end]
        cut = [p for i, p in enumerate(parsed)
               if i not in inside and p.start <= end and start <= p.end]  # fmt: skip
        if cut:
            raise DisclosureError(
                f"{dim}@{span}: the span cuts through {cut[0]}; spans must hold whole periods",
                column=dim,
            )
        if inside:
            axis.group(span, inside)
    return axis


@dataclass
class Axis:
    """One dimension of the cube: its leaves (base labels), any groups of leaves (quarters,
    years), and the total, which is always the last index. `lines` are the additivity
    equations along it as (parent index, child indices)."""

    name: str
    leaves: list
    labels: list = field(default_factory=list)  # leaves, then groups; the total is not here
    members: list = field(default_factory=list)  # per label, its leaf indices
    lookup: dict = field(default_factory=dict)  # str(label) (and aliases) → index
    lines: list = field(default_factory=list)
    level_rows: dict = field(default_factory=dict)  # level → [(label, index)] published
    # (cell, whole, parts): a cell no table shows whose leaves are those of `whole` less
    # those of `parts`, all shown by tables (see `derive`)
    derived: list = field(default_factory=list)

    def __post_init__(self):
        self.labels = list(self.leaves)
        self.members = [[i] for i in range(len(self.leaves))]
        self.lookup = {str(label): i for i, label in enumerate(self.leaves)}
        self.lines = [(None, list(range(len(self.leaves))))]  # the total, patched in `close`

    @property
    def total(self) -> int:
        return -1  # placeholder until `close`; see `size`

    def add_label(self, code: str, leaf_indices: list[int]) -> int:
        self.labels.append(code)
        self.members.append(list(leaf_indices))
        self.lookup[code] = len(self.labels) - 1
        self.add_line(len(self.labels) - 1, leaf_indices)
        return len(self.labels) - 1

    def group(self, code: str, leaf_indices: list[int]) -> int:
        """The cell summing exactly the leaves `leaf_indices`, named `code`: another name of
        the leaf, the total or the group it already is, or else a new label."""
        leaves = frozenset(leaf_indices)
        if leaves == self.leaf_set(self.total):
            cell = self.total
        else:
            cell = next((i for i, m in enumerate(self.members) if frozenset(m) == leaves), None)
        if cell is None:
            return self.add_label(code, leaf_indices)
        self.alias(code, cell)
        return cell

    def alias(self, code: str, cell: int) -> None:
        self.lookup.setdefault(code, cell)

    def leaf_set(self, cell: int) -> frozenset:
        if cell == -1 or cell >= len(self.members):  # the total
            return frozenset(range(len(self.leaves)))
        return frozenset(self.members[cell])

    def add_line(self, parent: int, children: list[int]) -> None:
        children = [c for c in dict.fromkeys(children) if c != parent]
        if children and (parent, children) not in self.lines:
            self.lines.append((parent, children))

    def close(self) -> None:
        """Fix the total's index (after the last label) in the lines and the lookup."""
        size = len(self.labels)
        fix = lambda i: size if i in (None, -1) else i  # noqa: E731
        self.lines = [(fix(p), [fix(c) for c in children]) for p, children in self.lines]
        self.lookup = {k: fix(v) for k, v in self.lookup.items()}
        self.lookup[TOTAL] = size
        self.level_rows = {
            level: [(code, fix(cell)) for code, cell in rows]
            for level, rows in self.level_rows.items()
        }
        self.derived = [
            (fix(cell), fix(whole), [fix(part) for part in parts])
            for cell, whole, parts in self.derived
        ]

    def shown(self, entry: Entry | None) -> set[frozenset]:
        """The sets of leaves of the cells a table entry shows along this axis (before
        `close`; see `rows`): the total when the table leaves the dimension out."""
        everything = self.leaf_set(self.total)
        if entry is None:
            return {everything}
        if entry.span is not None and entry.span not in self.lookup:
            return set()  # (`rows` refuses it)
        outer = everything if entry.span is None else self.leaf_set(self.lookup[entry.span])
        if entry.level == SPAN_TOTAL:
            return {outer}
        if entry.level is None or entry.level not in self.level_rows:
            parts = [frozenset([i]) for i in range(len(self.leaves))]
        else:
            parts = [self.leaf_set(cell) for __, cell in self.level_rows[entry.level]]
        return {part for part in parts if part <= outer} | {outer}

    def derive(self, shown: set[frozenset]) -> None:
        """Cells for the periods a reader gets by difference and no table shows: a shown
        cell (`whole`, say the first quarter, or the year to date) less a shown cell inside
        it, less the shown cells inside what is left (January, February), gives the rest
        (March) whenever all of them are published for the same other labels.

        What is left is a cell only where shown cells do not tile it: a sum of shown cells
        is protected as its parts are. Each is recorded in `derived` as (cell, whole,
        parts); `cube.derivable` tells for which other labels it is derivable."""
        index = {self.leaf_set(i): i for i in range(len(self.labels))}
        index[self.leaf_set(self.total)] = self.total
        ordered = sorted(shown, key=lambda leaves: (-len(leaves), sorted(leaves)))
        for whole in ordered:
            for taken in (s for s in ordered if s < whole):
                rest, parts = whole - taken, [taken]
                for inside in (s for s in ordered if s <= rest):
                    if not any(inside & part for part in parts[1:]):
                        parts.append(inside)
                core = rest - frozenset().union(*parts[1:])
                if not core or core in shown:
                    continue
                if core not in index:
                    index[core] = self.group(_leaves_label(self.leaves, core), sorted(core))
                entry = (index[core], index[whole], [index[p] for p in parts])
                if entry not in self.derived:  # (each way to it: any may be published)
                    self.derived.append(entry)

    def matrix(self) -> np.ndarray:
        """(labels + total) × leaves: 1 where a leaf adds into the label."""
        out = np.zeros((len(self.labels) + 1, len(self.leaves)), dtype=np.int64)
        for i, leaves in enumerate(self.members):
            out[i, leaves] = 1
        out[-1, :] = 1
        return out

    def rows(self, entry: Entry | None) -> list[tuple]:
        """The (label, index) rows a table shows along this axis: every label of the entry's
        level and the total, or only the total when the table leaves the dimension out. A
        table over a span shows the labels inside it and the span's total instead."""
        size = len(self.labels)
        if entry is None:
            return [(TOTAL, size)]
        if entry.level is None or entry.level not in self.level_rows:
            rows = [(label, i) for i, label in enumerate(self.leaves)]
        else:
            rows = self.level_rows[entry.level]
        if entry.span is None:
            return [*rows, (TOTAL, size)]
        total = self.lookup.get(entry.span)
        if total is None:
            raise DisclosureError(
                f"{entry}: the data has no {self.name} in the span", column=self.name
            )
        if entry.level == SPAN_TOTAL:
            return [(entry.span, total)]
        inside = self.leaf_set(total)
        return [
            *((label, i) for label, i in rows if self.leaf_set(i) <= inside),
            (entry.span, total),
        ]
