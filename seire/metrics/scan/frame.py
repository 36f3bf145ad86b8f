"""The measures of a fetched table (`_Frame`): periods, dense units, breakdown labels,
person keys and field values, each worked out once per distinct value; then counts, sums,
distinct persons, means and medians with numpy for the total and each breakdown at every
depth of the org tree."""

from datetime import date, datetime
from decimal import Decimal

import numpy as np
import pandas as pd

from seire.metrics.measures import UNIT, Groups, measured, split, totals, up_the_tree
from seire.metrics.scan.fetch import _Table
from seire.metrics.scan.plan import _AS_SQL, Cells, Side, _matches
from seire.metrics.scan.tree import Tree
from seire.metrics.sources import Field, period_key


def _recode(codes: np.ndarray, values: list, convert) -> tuple[np.ndarray, list]:
    """Codes of `convert(value)` (None or "": -1) from codes of values."""
    coded: dict = {}
    index = np.empty(len(values) + 1, dtype=np.int64)
    index[-1] = -1
    for i, value in enumerate(values):
        shown = convert(value)
        index[i] = -1 if shown is None or shown == "" else coded.setdefault(shown, len(coded))
    return index[codes], list(coded)


def _identity(value):
    return value


class _Periods(dict):
    """Month text ("2026-03"), a date or a stored period code → period of `frequency`."""

    def __init__(self, frequency: str):
        super().__init__()
        self.frequency = frequency

    def __missing__(self, value):
        month = value
        if isinstance(value, datetime):
            month = value.date()
        elif isinstance(value, str) and len(value) == 7 and value[4] == "-":
            month = date(int(value[:4]), int(value[5:7]), 1)
        period = self[value] = period_key(month, self.frequency)
        return period


def _as_units(value) -> int | None:
    """A number in 1/UNIT, rounded half to even (as Decimal.quantize would)."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        return int((value * UNIT).to_integral_value())
    if isinstance(value, float):
        return None if value != value else round(value * UNIT)
    return int(value) * UNIT


class _Frame:
    """A fetched table with what the measures read: periods per date and frequency, dense
    unit numbers, breakdown labels, person keys, and the values of fields (each worked
    out once per distinct input)."""

    def __init__(self, table: _Table, tree: Tree, dates: dict[str, int], unit: int):
        self.table, self.tree, self.dates = table, tree, dates
        self.units = tree.numbers(table.array(unit))
        self.units[table.columns[unit] == None] = -1  # noqa: E711 (elementwise)
        self.dims: dict[str, int] = {}
        self.raw: dict[str, int] = {}
        self.fields: dict[str, Field] = {}
        self.key: int | None = None
        self.complete = False  # whether the rows are all the source's records
        self._periods: dict = {}
        self._labels: dict = {}
        self._values: dict = {}

    def periods(self, date_col: str, frequency: str) -> tuple[np.ndarray, list]:
        if (date_col, frequency) not in self._periods:
            column = self.dates[date_col]
            if column in self.table.days:  # by month: a period is whole months
                codes, values = self._months(column)
            else:
                codes, values = self.table.coded(column)
            self._periods[(date_col, frequency)] = _recode(
                codes, values, _Periods(frequency).__getitem__
            )
        return self._periods[(date_col, frequency)]

    def _fine(self, date_col: str, frequency: str, dim: str | None) -> np.ndarray:
        """Each row's group of period × dense unit × label (-1: none)."""
        if (date_col, frequency, dim) not in self._periods:
            periods, _ = self.periods(date_col, frequency)
            units = len(self.tree.ids)
            label, width = np.zeros(self.table.size, np.int64), 1
            if dim is not None:
                label, shown = self.label(dim)
                width = max(1, len(shown))
            fine = (periods * units + self.units) * width + label
            missing = (periods < 0) | (self.units < 0) | (label < 0)
            self._periods[(date_col, frequency, dim)] = np.where(missing, -1, fine)
        return self._periods[(date_col, frequency, dim)]

    def _months(self, column: int) -> tuple[np.ndarray, list]:
        """A column of day numbers coded by month (the first day of each month between)."""
        numbers, present = self.table.day_numbers(column)
        months = numbers.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
        if not present.any():
            return np.full(self.table.size, -1, dtype=np.int64), []
        first, last = int(months[present].min()), int(months[present].max())
        codes = np.where(present, months - first, -1)
        found = np.arange(first, last + 1).astype("datetime64[M]").astype("datetime64[D]")
        return codes, found.astype(object).tolist()

    def label(self, dim: str) -> tuple[np.ndarray, list]:
        if dim not in self._labels:
            self._labels[dim] = _recode(*self.table.coded(self.dims[dim]), _identity)
        return self._labels[dim]

    # Field values, coded: (codes with -1 for null, the distinct values).
    def values(self, fld: Field) -> tuple[np.ndarray, list]:
        if fld.name not in self._values:
            if fld.vector is not None:
                result = fld.vector({n: self._array(n) for n in fld.needs}, self.complete)
                codes, uniques = pd.factorize(result)
                coded = (codes.astype(np.int64), [_plain(v) for v in uniques])
            elif fld.derive is not None:
                coded = self._derived(fld)
            else:
                coded = self.table.coded(self.raw[fld.name])
            self._values[fld.name] = coded
        return self._values[fld.name]

    def _array(self, name: str):
        """A needed field's values per row, for a vectorised field: dates as datetime64[D]
        (NaT for null), anything else as (codes, distinct values), -1 for null."""
        fld = self.fields[name]
        if fld.vector is None and fld.derive is None and self.raw[name] in self.table.days:
            numbers, present = self.table.day_numbers(self.raw[name])
            return np.where(present, numbers, np.iinfo(np.int64).min).astype("datetime64[D]")
        codes, values = self.values(fld)
        if fld.type == "date" and all(type(v) is date for v in values):
            return np.array([*values, None], dtype="datetime64[D]")[codes]
        return codes, values

    def _derived(self, fld: Field) -> tuple[np.ndarray, list]:
        """A derived field, worked out once per distinct combination of its inputs."""
        inputs = [self.values(self.fields[n]) for n in fld.needs]
        combined = np.zeros(self.table.size, dtype=np.int64)
        for codes, values in inputs:
            combined = combined * (len(values) + 1) + (codes + 1)
        combos, inverse = np.unique(combined, return_inverse=True)
        decoded = []  # each input's value in each combination, last input first
        for _, values in reversed(inputs):
            combos, code = np.divmod(combos, len(values) + 1)
            shown = [None, *values]
            decoded.append([shown[c] for c in code.tolist()])
        names = fld.needs[::-1]
        results = [
            fld.derive(dict(zip(names, row, strict=True))) for row in zip(*decoded, strict=True)
        ]
        return _coded_objects(results, inverse.reshape(-1))

    def condition(self, fld: Field, op: str, expected, as_sql: bool = False) -> np.ndarray:
        codes, values = self.values(fld)
        judge = _AS_SQL[op] if as_sql else (lambda v, x: _matches(v, op, x))
        met = [judge(v, expected) for v in values] + [judge(None, expected)]
        return np.array(met, dtype=bool)[codes]

    def numbers(self, fld: Field) -> tuple[np.ndarray, np.ndarray]:
        """The field's values in 1/UNIT and whether each row has one."""
        codes, values = self.values(fld)
        units = [_as_units(v) for v in values] + [None]
        present = np.array([u is not None for u in units], dtype=bool)[codes]
        numbers = np.array([0 if u is None else u for u in units], dtype=np.int64)[codes]
        return numbers, present

    def measure(self, side: Side, keep, weights=None, values=None) -> Cells:
        periods, period_list = self.periods(side.date_col, side.frequency)
        keep = keep & (periods >= 0) & (self.units >= 0)
        labels: list[tuple[np.ndarray | None, int, int]] = [(None, 1, 0)]  # codes, width, first
        names = [""]
        for dim in side.dims:
            codes, shown = self.label(dim)
            labels.append((codes, max(1, len(shown)), len(names)))
            names.extend(f"{dim}={v}" for v in shown)
        keys = None
        if side.measure == "distinct":
            keys = self.table.coded(self.key, nulls=False)[0]
        parts = []
        if side.measure in ("count", "sum"):  # per period × unit × label, then up the tree
            for dim, (_, width, first) in zip([None, *side.dims], labels, strict=True):
                fine = self._fine(side.date_col, side.frequency, dim)
                rows = keep & (fine >= 0)
                found, n, total = totals(
                    fine[rows],
                    None if weights is None else weights[rows],
                    None if values is None else values[rows],
                )
                fine_groups = Groups(*split(self.tree, width, found), width, len(period_list))
                for _, groups, count, amount in up_the_tree(fine_groups, n, total, self.tree):
                    result = count * UNIT if side.measure == "count" else amount
                    parts.append([*split(self.tree, width, groups), result, count])
                    parts[-1][2] += first
            labels = []
        for codes, width, first in labels:
            rows = np.flatnonzero(keep if codes is None else keep & (codes >= 0))
            if not len(rows):
                continue
            label = np.zeros(len(rows), np.int64) if codes is None else codes[rows]
            group = Groups(periods[rows], self.units[rows], label, width, len(period_list))
            for cells in measured(
                side.measure,
                group,
                self.tree,
                None if values is None else values[rows],
                None if keys is None else keys[rows],
            ):
                cells[2] += first
                parts.append(cells)
        if not parts:
            return Cells(period_list, names, *(np.zeros(0, np.int64) for _ in range(5)))
        columns = [np.concatenate(c) for c in zip(*parts, strict=True)]
        return Cells(period_list, names, *columns)


def _plain(value):
    """A numpy scalar as the Python value (nan: None)."""
    if isinstance(value, np.generic):
        value = value.item()
    return None if isinstance(value, float) and value != value else value


def _coded_objects(results: list, inverse: np.ndarray) -> tuple[np.ndarray, list]:
    """Codes and distinct values of `results[inverse]` (None: -1)."""
    index: dict = {}
    codes = np.empty(len(results) + 1, dtype=np.int64)
    codes[-1] = -1
    try:
        for i, result in enumerate(results):
            codes[i] = -1 if result is None else index.setdefault(result, len(index))
        return codes[inverse], list(index)
    except TypeError:  # an unhashable result: every one its own value
        values = [r for r in results if r is not None]
        position = np.cumsum([r is not None for r in results]) - 1
        codes[:-1] = np.where([r is None for r in results], -1, position)
        return codes[inverse], values
