"""Cell-key perturbation: consistent noise per cell, for long series and repeated releases.

The ABS cell-key method. Every record gets a *record key*, a whole number in
[0, KEY_RANGE) derived from a secret and the record's id (HMAC-SHA256), so it is the same in
every run and unguessable without the secret. A cell's *cell key* is the sum of the record
keys of its records modulo KEY_RANGE — so the same records give the same key in every table
and release, and a total's key follows from its parts' keys. The published value is the true
count plus a perturbation looked up in a *ptable* by (count, cell key / KEY_RANGE):

* zeros stay zero; no published count lies strictly between 0 and `small + 1` (with the
  default `small=2`, no 1 or 2 is ever published — Statistics Estonia's 2021 census rule);
* the perturbation is at most `max_noise` either way and has mean 0 for every count
  (unbiased); for counts well above `small` its variance is `variance`;
* the same cell gets the same noise wherever and whenever it is published, so a reader
  cannot average the noise away over releases; totals are perturbed on their own, so tables
  need not add up.

What it cannot promise: no protection interval. A reader knows each true count lies within
±`max_noise` of the published one and can combine cells; `audit_ranges` computes how far
that narrows each small count and whether any is pinned exactly.

>>> table = PTable(max_noise=2, variance=1.0, small=2)
>>> [table.perturb(0, 0.9), table.perturb(1, 0.1), table.perturb(1, 0.9)]
[0, 0, 3]
>>> round(abs(table.mean(40) - 40), 9), round(table.var(40), 6)
(0.0, 1.0)
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pandas as pd

from seire.disclosure.tables import DisclosureError, build, table_name

KEY_RANGE = 2**32


def record_keys(ids, secret: str | bytes) -> np.ndarray:
    """The record key of each id: HMAC-SHA256(secret, str(id)), first 4 bytes, as int64."""
    if not secret:
        raise DisclosureError("cell-key perturbation needs a secret (none was given)")
    key = secret.encode() if isinstance(secret, str) else secret
    return np.array(
        [
            int.from_bytes(hmac.new(key, str(i).encode(), hashlib.sha256).digest()[:4], "big")
            for i in ids
        ],
        dtype=np.int64,
    )


def cells_from_records(
    records: pd.DataFrame, dims: list[str], id_column: str, secret: str | bytes
) -> pd.DataFrame:
    """Count `records` (one row per record) into inner cells: the dims, `count` and
    `cell_key` (the sum of the cell's record keys modulo KEY_RANGE)."""
    missing = [c for c in [*dims, id_column] if c not in records.columns]
    if missing:
        raise DisclosureError(f"column {missing[0]!r} is missing", column=missing[0])
    if records[id_column].duplicated().any():
        position = int(np.flatnonzero(records[id_column].duplicated().to_numpy())[0])
        raise DisclosureError("the record id is repeated", row=position, column=id_column)
    keyed = records[dims].assign(count=1, cell_key=record_keys(records[id_column], secret))
    out = keyed.groupby(dims, sort=False, as_index=False).agg(
        count=("count", "sum"), cell_key=("cell_key", "sum")
    )
    out["cell_key"] = out["cell_key"] % KEY_RANGE
    return out


@dataclass(frozen=True)
class PTable:
    """The perturbation table: for each count, the possible published counts and their
    probabilities (a discretised normal around the count, kept ≥ 0 and out of
    1…`small`, tilted so its mean is the count)."""

    max_noise: int = 2
    variance: float = 1.0
    small: int = 2
    _sigma: float = field(default=0.0, init=False, repr=False, compare=False)

    def __post_init__(self):
        if int(self.max_noise) != self.max_noise or self.max_noise < 1:
            raise DisclosureError(f"max_noise must be a whole number ≥ 1: {self.max_noise}")
        if int(self.small) != self.small or self.small < 0:
            raise DisclosureError(f"small must be a whole number ≥ 0: {self.small}")
        if self.small > self.max_noise:
            raise DisclosureError(
                f"small ({self.small}) may not exceed max_noise ({self.max_noise}): a count "
                "of 1 could not be moved out of the small values"
            )
        limit = self.max_noise * (self.max_noise + 1) / 3  # the variance of a uniform
        if not 0 < self.variance < limit:
            raise DisclosureError(
                f"the variance must be above 0 and below {limit:g} for max_noise "
                f"{self.max_noise}: {self.variance}"
            )
        object.__setattr__(self, "_sigma", self._calibrate())

    def _calibrate(self) -> float:
        steps = np.arange(-self.max_noise, self.max_noise + 1)
        low, high = 1e-3, 1e3
        for _ in range(200):
            sigma = (low * high) ** 0.5
            weights = np.exp(-(steps**2) / (2 * sigma**2))
            if (weights * steps**2).sum() / weights.sum() < self.variance:
                low = sigma
            else:
                high = sigma
        return (low * high) ** 0.5

    def row(self, count: int) -> tuple[np.ndarray, np.ndarray]:
        """(published counts, their probabilities) for a true `count`."""
        return _row(self, min(int(count), self.small + 2 * self.max_noise + 1), int(count))

    def perturb(self, count: int, fraction: float) -> int:
        """The published count for a true `count` and a cell key `fraction` in [0, 1)."""
        outputs, probabilities = self.row(count)
        position = int(np.searchsorted(np.cumsum(probabilities), fraction, side="right"))
        return int(outputs[min(position, len(outputs) - 1)])

    def mean(self, count: int) -> float:
        outputs, probabilities = self.row(count)
        return float(outputs @ probabilities)

    def var(self, count: int) -> float:
        outputs, probabilities = self.row(count)
        return float(((outputs - count) ** 2) @ probabilities)

    def describe(self) -> str:
        return (
            f"cell-key perturbation: noise at most ±{self.max_noise}, variance "
            f"{self.variance:g}, no published count from 1 to {self.small}, zeros kept"
        )


@lru_cache(maxsize=512)
def _row(table: PTable, shape_count: int, count: int) -> tuple[np.ndarray, np.ndarray]:
    """The row for `count`; counts above `shape_count` share its shape (shifted)."""
    if count == 0:
        return np.array([0]), np.array([1.0])
    shift = count - shape_count
    c = shape_count
    outputs = np.array(
        [
            o
            for o in range(max(0, c - table.max_noise), c + table.max_noise + 1)
            if o == 0 or o > table.small
        ]  # fmt: skip
    )
    if len(outputs) == 1 or outputs.min() >= c or outputs.max() <= c:
        return outputs + shift, (outputs == c).astype(float)
    base = np.exp(-((outputs - c) ** 2) / (2 * table._sigma**2))
    # exponential tilting: the λ for which the mean is exactly the count
    low, high = -50.0, 50.0
    for _ in range(200):
        tilt = (low + high) / 2
        weights = base * np.exp(tilt * (outputs - c))
        if (weights * outputs).sum() / weights.sum() < c:
            low = tilt
        else:
            high = tilt
    weights = base * np.exp((low + high) / 2 * (outputs - c))
    return outputs + shift, weights / weights.sum()


def perturb(
    cells: pd.DataFrame,
    dims: list[str],
    value: str,
    key: str = "cell_key",
    publish: list[tuple[str, ...]] | None = None,
    ptable: PTable | None = None,
) -> pd.DataFrame:
    """Publish `cells` (inner cells with a count and a cell key, see `cells_from_records`)
    by cell-key perturbation: one row per published cell with `table`, the dims (`TOTAL`
    where summed), the perturbed `value`, `status` ("perturbed") and `method`. `publish`
    lists aggregations as for `protect_linked` (default: the whole table); a cell shown in
    several tables has one published value."""
    ptable = ptable or PTable()
    if key not in cells.columns:
        raise DisclosureError(f"column {key!r} (the cell key) is missing", column=key)
    keys = pd.to_numeric(cells[key], errors="coerce")
    bad = keys.isna() | (keys < 0) | (keys >= KEY_RANGE) | (keys % 1 != 0)
    if bad.any():
        position = int(np.flatnonzero(bad.to_numpy())[0])
        raise DisclosureError(
            f"a cell key is a whole number from 0 to {KEY_RANGE - 1}", row=position, column=key
        )
    publish = [tuple(dims)] if publish is None else [tuple(t) for t in publish]
    cube = build(cells, dims, value, publish)
    key_cube = build(cells[[*dims]].assign(**{value: keys.astype(np.int64)}), dims, value, publish)
    fractions = (key_cube.values % KEY_RANGE) / KEY_RANGE
    published = np.array(
        [ptable.perturb(int(v), f) for v, f in zip(cube.values, fractions, strict=True)]
    )
    records = [
        (table_name(table), *labels, int(published[cell]), "perturbed")
        for table, rows in zip(cube.tables, cube.table_rows, strict=True)
        for labels, cell in rows
    ]
    out = pd.DataFrame(records, columns=["table", *cube.dims, value, "status"])
    out["method"] = ptable.describe()
    out.attrs["method"] = ptable.describe()
    return out
