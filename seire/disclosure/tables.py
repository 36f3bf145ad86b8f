"""Frequency tables as linear systems: every published cell is a sum of base cells.

A table over dimensions `dims` is given by its base (finest, inner) cells. A published
aggregation is a subset of the dims; it publishes every cell of that subset with all its
marginal totals, labelled `TOTAL`. Each such cell is the sum of the base cells matching its
coordinates (a `TOTAL`, or a dimension the aggregation leaves out, matches everything), so a
cell is identified by its *key*: one label per dimension of the base, `TOTAL` where summed.
The same key published by two aggregations (say the grand total) is one cell.

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

TOTAL = "TOTAL"


class DisclosureError(ValueError):
    """Bad input to a disclosure function, located by `row` (0-based position) and `column`."""

    def __init__(self, message: str, row: int | None = None, column: str | None = None):
        super().__init__(message)
        self.message = message
        self.row = row
        self.column = column


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
    # per published aggregation, the indices of its cells in `keys`, in table order
    table_cells: list[list[int]] = field(default_factory=list)

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
) -> Cube:
    """The full cube of `frame` with every margin, marking the cells of `publish`.

    Combinations of labels missing from `frame` are base cells with value 0. Labels keep
    their order of first appearance.
    """
    dims = list(dims)
    frame = check_frame(frame, dims, value)
    for table in publish:
        unknown = [d for d in table if d not in dims]
        if unknown or not table:
            raise DisclosureError(f"a published table names unknown dimensions: {table}")
    levels = {d: list(pd.unique(frame[d])) for d in dims}
    shape = tuple(len(levels[d]) for d in dims)
    base = np.zeros(shape, dtype=np.int64)
    positions = tuple(
        pd.Categorical(frame[d], categories=levels[d]).codes.astype(np.int64) for d in dims
    )
    base[positions] = frame[value].to_numpy()
    full = base
    for axis in range(len(dims)):
        full = np.concatenate([full, full.sum(axis=axis, keepdims=True)], axis=axis)
    full_shape = full.shape
    keys = list(product(*([*levels[d], TOTAL] for d in dims)))
    index = {key: i for i, key in enumerate(keys)}
    values = full.ravel()

    tables = [tuple(d for d in dims if d in set(t)) for t in publish]
    publishable = np.zeros(len(keys), dtype=bool)
    table_cells = []
    grid = np.indices(full_shape).reshape(len(dims), -1)
    for table in tables:
        inside = np.ones(len(keys), dtype=bool)
        for p, d in enumerate(dims):
            if d not in table:
                inside &= grid[p] == shape[p]
        cells = np.flatnonzero(inside)
        publishable[cells] = True
        table_cells.append([int(c) for c in cells])

    rows, cols, data = [], [], []
    strides = np.array([int(np.prod(full_shape[p + 1 :])) for p in range(len(dims))])
    n_rows = 0
    for p in range(len(dims)):
        parents = np.flatnonzero(grid[p] == shape[p])
        for r, parent in enumerate(parents, start=n_rows):
            rows.append(r)
            cols.append(parent)
            data.append(-1.0)
            for level in range(shape[p]):
                rows.append(r)
                cols.append(parent - (shape[p] - level) * strides[p])
                data.append(1.0)
        n_rows += len(parents)
    lines = sparse.csr_matrix((data, (rows, cols)), shape=(n_rows, len(keys)))
    return Cube(
        dims=tuple(dims),
        levels=levels,
        keys=keys,
        index=index,
        values=values,
        publishable=publishable,
        lines=lines,
        tables=tables,
        table_cells=table_cells,
    )
