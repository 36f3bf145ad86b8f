"""Frequency tables as linear systems: every published cell is a sum of base cells.

A table over dimensions `dims` is given by its base (finest, inner) cells. A published
aggregation is a subset of the dims; it publishes every cell of that subset with all its
marginal totals, labelled `TOTAL`. Each such cell is the sum of the base cells matching its
coordinates (a `TOTAL`, or a dimension the aggregation leaves out, matches everything), so a
cell is identified by its *key*: one label per dimension of the base, `TOTAL` where summed.
The same key published by two aggregations (say the grand total) is one cell.

A time dimension (labels are period codes such as `2026M03`, see `seire.periods`; its axis
is built in `axes.py`) may be published aggregated: a table entry `month:quarter` or
`month:year` shows quarters or years of the months, each an extra label of the dimension
with its own additivity equations (months → quarter → year → total), so tables at
different levels are linked.

A table may also count only a span of the time dimension (`period@2025M01..2025M06`: the
months inside and the span's total; `period:quarter@…` its quarters; `period:total@…` only
the span's total): releases over different but overlapping ranges are then aggregations of
one base, linked by the span's equation (its total is the sum of its periods).

>>> import pandas as pd
>>> frame = pd.DataFrame({"g": ["f", "m"], "n": [3, 9]})
>>> cube = build(frame, ["g"], "n", [("g",)])
>>> [(key, int(v)) for key, v in zip(cube.keys, cube.values)]
[(('f',), 3), (('m',), 9), (('TOTAL',), 12)]
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import product

import numpy as np
import pandas as pd
from scipy import sparse

from seire.disclosure.axes import (
    LEVELS,
    TOTAL,
    Axis,
    DisclosureError,
    Entry,
    parse_entry,
    time_axis,
)


@dataclass
class Cube:
    """Every cell of the base cube with all its margins, and which of them are published.

    `keys` lists the cells of the full cube (each dim's levels, then `TOTAL`) in row-major
    order; `values` their true values; `publishable` marks the cells of some published
    aggregation; `lines` (rows × cells) holds the additivity equations
    `sum(children) - parent = 0`, one per cell and summed dimension.
    """

    dims: tuple[str, ...]
    levels: dict[str, list]
    keys: list[tuple]
    index: dict[tuple, int]
    values: np.ndarray
    publishable: np.ndarray
    lines: sparse.csr_matrix
    tables: list[tuple[str, ...]] = field(default_factory=list)
    # per published aggregation, its rows in order: (labels as published, cell in `keys`)
    table_rows: list[list[tuple[tuple, int]]] = field(default_factory=list)
    axes: list = field(default_factory=list)

    @property
    def table_cells(self) -> list[list[int]]:
        """Per published aggregation, the indices of its cells in `keys`, in table order."""
        return [[cell for _, cell in rows] for rows in self.table_rows]

    def base_cells(self) -> np.ndarray:
        """The indices in `keys` of the base (finest) cells, in row-major order."""
        leaves = np.indices([len(a.leaves) for a in self.axes]).reshape(len(self.axes), -1)
        return np.ravel_multi_index(tuple(leaves), [len(a.labels) + 1 for a in self.axes])

    def attack_lines(self, known=None) -> tuple[sparse.csr_matrix, np.ndarray]:
        """The attacker's equations and the cells they leave out.

        When most cells of the cube are neither base cells nor published (linked tables:
        margins no table shows), the LP is smaller with one equation per published margin
        over its base cells (`cell - sum(base cells) = 0`) and the unpublished margins left
        out: they are sums of base cells and constrain nothing. Otherwise the additivity
        `lines`. `known` marks further cells that must keep their equations (published
        earlier, or sensitive). Returns (lines, unused cells)."""
        base = np.zeros(len(self.keys), dtype=bool)
        base[self.base_cells()] = True
        shown = self.publishable if known is None else self.publishable | known
        unused = ~base & ~shown
        if unused.sum() <= shown.sum():
            return self.lines, np.zeros(len(self.keys), dtype=bool)
        margins = np.flatnonzero(shown & ~base)
        members = sparse.csr_matrix(np.ones((1, 1)))
        for axis in self.axes:
            members = sparse.kron(members, sparse.csr_matrix(axis.matrix()), format="csr")
        rows = members[margins].tocoo()
        cells = self.base_cells()
        lines = sparse.csr_matrix(
            (
                np.concatenate([np.full(len(margins), -1.0), np.ones(rows.nnz)]),
                (
                    np.concatenate([np.arange(len(margins)), rows.row]),
                    np.concatenate([margins, cells[rows.col]]),
                ),
            ),
            shape=(len(margins), len(self.keys)),
        )
        return lines, unused

    def locate(self, labels, row: int | None = None) -> int:
        """The cell with these labels (one per dim, as strings; `TOTAL` or blank for a total;
        a quarter or year code on a time dim aggregated to it). Raises `DisclosureError`."""
        at = []
        for axis, label in zip(self.axes, labels, strict=True):
            text = TOTAL if pd.isna(label) or str(label).strip() == "" else str(label)
            position = axis.lookup.get(text)
            if position is None:
                raise DisclosureError(f"label {label!r} is not in the data", row, axis.name)
            at.append(position)
        sizes = [len(a.labels) + 1 for a in self.axes]
        return int(np.ravel_multi_index(at, sizes))

    def derivable(self, known: np.ndarray) -> np.ndarray:
        """Cells no table shows that a reader of the `known` cells (bool per cell) gets by
        difference (see `Axis.derive`): a period less periods inside it, for the same
        labels of the other dimensions."""
        shape = [len(a.labels) + 1 for a in self.axes]
        known = known.reshape(shape)
        out = np.zeros(shape, dtype=bool)
        for p, axis in enumerate(self.axes):
            for cell, whole, parts in axis.derived:
                given = known.take(whole, axis=p)
                for part in parts:
                    given = given & known.take(part, axis=p)
                index = [slice(None)] * len(shape)
                index[p] = cell
                out[tuple(index)] |= given
        return out.ravel()

    def line_list(self) -> list[tuple[int, list[int]]]:
        """The equations as (parent, children) among publishable cells only."""
        out = []
        lines = self.lines.tocsr()
        for r in range(lines.shape[0]):
            cells = lines.indices[lines.indptr[r] : lines.indptr[r + 1]]
            coefs = lines.data[lines.indptr[r] : lines.indptr[r + 1]]
            if self.publishable[cells].all():
                out.append((int(cells[coefs < 0][0]), [int(c) for c in cells[coefs > 0]]))
        return out


def _entry_of(entries: list[Entry], dim: str) -> Entry | None:
    return next((entry for entry in entries if entry.name == dim), None)


def table_name(table: tuple[str, ...]) -> str:
    """The `table` label of a published aggregation: its dims joined by commas."""
    return ",".join(table)


def check_frame(frame: pd.DataFrame, dims: list[str], value: str) -> pd.DataFrame:
    """Validate inner cells: columns present, values non-negative integers, no duplicates.

    Returns a copy with the value column as int64; raises `DisclosureError` located by row
    position and column.
    """
    if not dims:
        raise DisclosureError("at least one dimension is needed")
    if len(set(dims)) != len(dims):
        raise DisclosureError(f"a dimension is named twice: {', '.join(dims)}")
    for column in [*dims, value]:
        if column not in frame.columns:
            raise DisclosureError(
                f"column {column!r} is missing (columns: {', '.join(map(str, frame.columns))})",
                column=column,
            )
    if value in dims:
        raise DisclosureError(f"{value!r} is both a dimension and the value", column=value)
    frame = frame[[*dims, value]].reset_index(drop=True)
    numbers = []
    for position, raw in enumerate(frame[value]):
        number = _as_count(raw)
        if number is None:
            raise DisclosureError(
                f"{raw!r} is not a non-negative whole number", row=position, column=value
            )
        numbers.append(number)
    for dim in dims:
        for position, label in enumerate(frame[dim]):
            if pd.isna(label) or str(label).strip() == "":
                raise DisclosureError("the label is empty", row=position, column=dim)
            if str(label) == TOTAL:
                raise DisclosureError(
                    f"{TOTAL} is reserved for totals; the input holds inner cells only",
                    row=position,
                    column=dim,
                )
    frame[value] = np.array(numbers, dtype=np.int64)
    duplicated = frame.duplicated(subset=dims, keep="first")
    if duplicated.any():
        position = int(np.flatnonzero(duplicated.to_numpy())[0])
        first = int(
            np.flatnonzero((frame[dims] == frame.loc[position, dims]).all(axis=1).to_numpy())[0]
        )
        raise DisclosureError(
            f"duplicate coordinates (the same as row position {first})",
            row=position,
            column=",".join(dims),
        )
    return frame


def _as_count(raw) -> int | None:
    if isinstance(raw, bool | np.bool_):
        return None
    if isinstance(raw, int | np.integer):
        return int(raw) if raw >= 0 else None
    if isinstance(raw, float | np.floating):
        return int(raw) if np.isfinite(raw) and raw >= 0 and float(raw).is_integer() else None
    if isinstance(raw, str):
        text = raw.strip()
        return int(text) if text.isdigit() else None
    return None


def build(
    frame: pd.DataFrame,
    dims: list[str],
    value: str,
    publish: list[tuple[str, ...]],
    known: list[tuple[str, ...]] = (),
) -> Cube:
    """The full cube of `frame` with every margin, marking the cells of `publish`.

    Each published table is a tuple of entries `dim` or `dim:level` (see `parse_entry`);
    `known` lists tables published earlier, whose time levels the cube must also have.
    Combinations of labels missing from `frame` are base cells with value 0. Labels keep
    their order of first appearance; quarters and years are in time order.
    """
    dims = list(dims)
    frame = check_frame(frame, dims, value)
    tables = []
    wanted: dict[str, set] = {d: set() for d in dims}
    spans: dict[str, set] = {d: set() for d in dims}

    def want(entry: Entry) -> None:
        if entry.level in LEVELS:
            wanted[entry.name].add(entry.level)
        if entry.span is not None:
            spans[entry.name].add(entry.span)

    for table in publish:
        if isinstance(table, str):
            table = (table,)
        entries = [parse_entry(entry, dims) for entry in table]
        names = [entry.name for entry in entries]
        if not entries:
            raise DisclosureError("a published table names no dimension")
        if len(set(names)) != len(names):
            raise DisclosureError(f"a published table names a dimension twice: {table}")
        entries.sort(key=lambda entry: dims.index(entry.name))
        tables.append(entries)
        for entry in entries:
            want(entry)
    earlier = [[parse_entry(entry, dims) for entry in table] for table in known]
    for entries in earlier:
        for entry in entries:
            want(entry)
    axes = []
    for d in dims:
        leaves = list(pd.unique(frame[d]))
        if wanted[d] or spans[d]:
            axis = time_axis(d, leaves, frame, wanted[d], spans[d])
            shown = [axis.shown(_entry_of(entries, d)) for entries in [*tables, *earlier]]
            axis.derive(set().union(*shown))
        else:
            axis = Axis(d, leaves)
        axis.close()
        axes.append(axis)
    levels = {a.name: a.leaves for a in axes}
    shape = tuple(len(a.leaves) for a in axes)
    base = np.zeros(shape, dtype=np.int64)
    positions = tuple(
        pd.Categorical(frame[d], categories=levels[d]).codes.astype(np.int64) for d in dims
    )
    base[positions] = frame[value].to_numpy()
    full = base
    for p, axis in enumerate(axes):
        full = np.moveaxis(np.tensordot(axis.matrix(), full, axes=([1], [p])), 0, p)
    full_shape = full.shape
    keys = list(product(*([*a.labels, TOTAL] for a in axes)))
    index = {key: i for i, key in enumerate(keys)}
    values = full.ravel()
    strides = np.array([int(np.prod(full_shape[p + 1 :])) for p in range(len(dims))])

    publishable = np.zeros(len(keys), dtype=bool)
    table_rows = []
    for entries in tables:
        shown = {entry.name: entry for entry in entries}
        rows = []
        per_axis = [a.rows(shown.get(a.name)) for a in axes]
        for combo in product(*per_axis):
            cell = int(sum(i * s for (_, i), s in zip(combo, strides, strict=True)))
            rows.append((tuple(label for label, _ in combo), cell))
        publishable[[cell for _, cell in rows]] = True
        table_rows.append(rows)

    grid = np.indices(full_shape).reshape(len(dims), -1)
    rows_, cols, data = [], [], []
    n_rows = 0
    for p, axis in enumerate(axes):
        origins = np.flatnonzero(grid[p] == 0)  # one per combination of the other labels
        for parent, children in axis.lines:
            r = np.arange(n_rows, n_rows + len(origins))
            rows_.append(r)
            cols.append(origins + parent * strides[p])
            data.append(np.full(len(origins), -1.0))
            for child in children:
                rows_.append(r)
                cols.append(origins + child * strides[p])
                data.append(np.ones(len(origins)))
            n_rows += len(origins)
    lines = sparse.csr_matrix(
        (np.concatenate(data), (np.concatenate(rows_), np.concatenate(cols))),
        shape=(n_rows, len(keys)),
    )
    return Cube(
        dims=tuple(dims),
        levels=levels,
        keys=keys,
        index=index,
        values=values,
        publishable=publishable,
        lines=lines,
        tables=[tuple(str(e) for e in entries) for entries in tables],
        table_rows=table_rows,
        axes=axes,
    )
