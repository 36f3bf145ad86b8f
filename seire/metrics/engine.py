"""The metric engine: every version × period × unit (up the org tree) × breakdown.

`compute` evaluates every metric together: each source table is read once for all of them
(`seire.metrics.scan`: one grouped query of conditional aggregates, or one row fetch with
a bit per side's filter), and the measures are taken with numpy for the total and each
breakdown at every depth of the org tree (a unit's records count for every unit above it;
a client counts once per unit), in the metric's frequency. Numerators and denominators are
then matched cell by cell and the values worked out on whole arrays, in integers of
1/10 000 so that they round as the stored four places do. Percent values carry a 95 %
Wilson interval; values whose denominator (or n) is below `min_n` are flagged `small_n` so
screens say "n too small" instead of a percent. Storing compares with the stored values:
only those gone or changed are deleted and only the new and changed inserted (with
`collection.bulk.insert_rows`, many rows to a statement), all in one transaction.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import cache

import numpy as np
from django.db import connections, router, transaction
from django.utils import timezone
from scipy.stats import norm

from seire.collection.bulk import insert_rows
from seire.metrics.measures import UNIT, divide
from seire.metrics.models import MetricValue, MetricVersion, Population
from seire.metrics.scan import Cells, Side, Tree, scan
from seire.metrics.scan.fetch import _month
from seire.stats import wilson_interval

__all__ = ["TOTAL", "Tree", "compute", "compute_version", "compute_versions", "evaluate"]
__all__ += ["evaluate_many", "_month"]

TOTAL = ""
_ROUNDED = Decimal("0.0001")


@dataclass
class Values:
    """A version's values as columns: period, unit id and breakdown of each, then the
    numbers in 1/UNIT (None where `missing`), n and the small-n flag."""

    period: list[str]
    unit: list[int]
    breakdown: list[str]
    numbers: dict[str, tuple[np.ndarray, np.ndarray | None]]  # name → (units, missing)
    n: np.ndarray
    small_n: np.ndarray

    NUMBERS = ("numerator", "denominator", "value", "low", "high")

    def __len__(self) -> int:
        return len(self.period)

    def column(self, name: str, kind) -> list:
        """The numbers of `name` as `kind` (float or Decimal), None where missing."""
        units, missing = self.numbers[name]
        if kind is float:
            shown = units / UNIT if units.dtype != object else [u / UNIT for u in units]
            out = np.asarray(shown, dtype=object)
        else:
            out = np.array([_decimal(u) for u in units.tolist()], dtype=object)
        if missing is not None:
            out[missing] = None
        return out.tolist()

    def rows(self, kind) -> list[tuple]:
        """(period, unit id, breakdown, numerator, denominator, value, low, high, n, small_n)
        of every value, the numbers as `kind`."""
        numbers = [self.column(name, kind) for name in self.NUMBERS]
        return list(
            zip(
                self.period,
                self.unit,
                self.breakdown,
                *numbers,
                self.n.tolist(),
                self.small_n.tolist(),
                strict=True,
            )
        )


def _decimal(units: int) -> Decimal:
    return Decimal(int(units)).scaleb(-4).quantize(_ROUNDED)


def population_cells(tree: Tree) -> dict[int, dict[int, int]]:
    """Population by year for every county and the units above it (total breakdown only)."""
    by_year: dict[int, dict[int, int]] = {}
    for county_id, year, count in Population.objects.values_list("county_id", "year", "count"):
        for ancestor in tree.up.get(county_id, [county_id]):
            year_counts = by_year.setdefault(year, {})
            year_counts[ancestor] = year_counts.get(ancestor, 0) + count
    return by_year


def compute_version(version: MetricVersion, first_period: str | None = None) -> int:
    """Recompute `version` from `first_period` on (everything when None); returns rows stored."""
    return compute_versions([version], first_period)[version.pk]


def compute_versions(
    versions: list[MetricVersion], first_period: str | None = None
) -> dict[int, int]:
    """`compute_version` of several versions, evaluated together (each source read once);
    {version pk: rows stored}."""
    values = _evaluate(list(versions), first_period)
    with transaction.atomic(using=router.db_for_write(MetricValue)):
        return {
            version.pk: _store(version, rows, first_period)
            for version, rows in zip(versions, values, strict=True)
        }


def compute(
    metric_codes: Iterable[str] | None = None, first_period: str | None = None, progress=None
) -> dict[str, int]:
    """Recompute the current version of every (or the named) metric(s): all are evaluated
    together (each source read once), then stored metric by metric in one transaction."""
    versions = MetricVersion.objects.select_related("metric").order_by("metric__code", "-version")
    if metric_codes:
        versions = versions.filter(metric__code__in=list(metric_codes))
    latest: dict[str, MetricVersion] = {}
    for v in versions:
        latest.setdefault(v.metric.code, v)
    values = dict(zip(latest, _evaluate(list(latest.values()), first_period), strict=True))
    result = {}
    items = latest.items() if progress is None else progress(list(latest.items()))
    with transaction.atomic(using=router.db_for_write(MetricValue)):
        for code, version in items:
            result[code] = _store(version, values.pop(code), first_period)
    return result


def _store(version: MetricVersion, values: Values, first_period: str | None) -> int:
    """Make the version's stored values (from `first_period` on) `values`; returns their
    number. The stored ones are read and compared: those gone or changed are deleted, the
    new and changed inserted (computed now) with the project's bulk writer from plain tuples
    (no model instances); a value computed again the same is left as it is, with the time
    it was computed."""
    connection = connections[router.db_for_write(MetricValue)]
    quote = connection.ops.quote_name
    table = quote(MetricValue._meta.db_table)
    names = ("period", "unit", "breakdown", *Values.NUMBERS, "n", "small_n")
    fields = [MetricValue._meta.get_field(name) for name in names]
    where, params = "version_id = %s", [version.pk]
    if first_period:
        stored = MetricValue.objects.filter(version=version).values_list("period", flat=True)
        replaced = sorted({p for p in stored.distinct() if not _before(p, first_period)})
        where += f" AND period IN ({', '.join(['%s'] * len(replaced))})" if replaced else " AND 0=1"
        params += replaced
    # SQLite keeps a decimal column's value as a REAL: a float of the four places is the
    # same number; other databases get exact Decimals.
    kind = float if connection.vendor == "sqlite" else Decimal
    new = values.rows(kind)
    columns = ", ".join(quote(f.column) for f in fields)
    with connection.cursor() as cursor:
        # In the order of the unique index, which is the order of `values`: when nothing
        # changed, one comparison of the two lists says so.
        order = "period, unit_id, breakdown"
        cursor.execute(f"SELECT {columns} FROM {table} WHERE {where} ORDER BY {order}", params)  # noqa: S608
        if cursor.fetchall() == new:
            return len(values)
        rows = {row[:3]: row for row in new}
        cursor.execute(f"SELECT id, {columns} FROM {table} WHERE {where}", params)  # noqa: S608
        gone = []
        for pk, *old in cursor.fetchall():
            key = tuple(old[:3])
            row = rows.get(key)
            if row is not None and tuple(old) == row:
                del rows[key]  # as it is
            else:
                gone.append((pk,))
        cursor.executemany(f"DELETE FROM {table} WHERE id = %s", gone)  # noqa: S608
    if rows:
        same = {"version": version.pk, "computed_at": timezone.now()}
        insert_rows(MetricValue, names, list(rows.values()), same)
    return len(values)


def evaluate(
    version: MetricVersion, first_period: str | None = None, tree: "Tree | None" = None
) -> list[MetricValue]:
    """The values of a definition, unsaved: `version` may be an unsaved MetricVersion, which
    is how a change proposal is computed side by side with the current version."""
    return evaluate_many([version], first_period, tree)[0]


def evaluate_many(
    versions: list[MetricVersion], first_period: str | None = None, tree: "Tree | None" = None
) -> list[list[MetricValue]]:
    """The values of several definitions (as `evaluate` each), reading each source once."""
    now = timezone.now()
    return [
        [_new_value(version, *row, now) for row in values.rows(Decimal)]
        for version, values in zip(versions, _evaluate(versions, first_period, tree), strict=True)
    ]


def _evaluate(
    versions: list[MetricVersion], first_period: str | None = None, tree: "Tree | None" = None
) -> list[Values]:
    tree = tree or Tree()
    planned = []
    for version in versions:
        breakdowns = [b for b in version.breakdowns if b not in ("region", "county", "unit")]
        numerator = Side(version.numerator, version.frequency, breakdowns)
        denominator = None
        if version.type != "rate_per_100k" and version.denominator:
            denominator = Side(version.denominator, version.frequency, breakdowns)
        planned.append((version, numerator, denominator))
    scan([s for _, n, d in planned for s in (n, d) if s is not None], tree)
    population = None
    if any(v.type == "rate_per_100k" for v in versions):
        population = population_cells(tree)
    return [
        _values(
            version,
            numerator.cells,
            denominator.cells if denominator is not None else None,
            population if version.type == "rate_per_100k" else None,
            first_period,
            tree,
        )
        for version, numerator, denominator in planned
    ]


def _values(version, numerator: Cells, denominator: Cells | None, population, first_period, tree):
    """The version's values: the numerator's and denominator's cells matched by period,
    unit and breakdown (a cell missing on one side is 0 there), then the value, interval,
    n and small-n flag of each, on whole arrays."""
    sides = [numerator] if denominator is None else [numerator, denominator]
    if population is not None:  # a rate is shown for the total only
        sides = [_only_total(numerator)]
    periods = sorted({p for side in sides for p in side.periods})
    labels = sorted({b for side in sides for b in side.labels})
    units = len(tree.ids)

    def keys(cells: Cells) -> np.ndarray:
        period = np.array([periods.index(p) for p in cells.periods], dtype=np.int64)
        label = np.array([labels.index(b) for b in cells.labels], dtype=np.int64)
        return (period[cells.period] * units + cells.unit) * len(labels) + label[cells.label]

    side_keys = [keys(side) if len(side.period) else np.zeros(0, np.int64) for side in sides]
    every = np.unique(np.concatenate(side_keys))
    rest, label = np.divmod(every, len(labels))
    period, unit = np.divmod(rest, units)
    if first_period:
        later = np.array([not _before(p, first_period) for p in periods], dtype=bool)
        chosen = later[period] if len(periods) else np.zeros(0, bool)
        every, period, unit, label = every[chosen], period[chosen], unit[chosen], label[chosen]
    matched = []
    for side, side_key in zip(sides, side_keys, strict=True):
        value = np.zeros(len(every), dtype=side.value.dtype if len(side.value) else np.int64)
        n = np.zeros(len(every), dtype=np.int64)
        at = np.searchsorted(every, side_key)
        inside = at < len(every)
        inside[inside] = every[at[inside]] == side_key[inside]
        value[at[inside]] = side.value[inside]
        n[at[inside]] = side.n[inside]
        matched.append((value, n))
    num, n = matched[0]
    den = None
    if denominator is not None:
        den, n = matched[1]
        if version.denominator.get("measure", "count") == "sum":
            n = np.where(den >= 0, den // UNIT, -(-den // UNIT))  # int(): towards zero
    elif population is not None:
        names = [periods[p] for p in period.tolist()]
        ids = tree.ids[unit].tolist()
        den = np.array(
            [
                (_population_for(population, p, u) or 0) * UNIT
                for p, u in zip(names, ids, strict=True)
            ],
            dtype=np.int64,
        )
        n = num // UNIT
    numbers = _numbers(version, num, den)
    return Values(
        period=[periods[p] for p in period.tolist()],
        unit=tree.ids[unit].tolist(),
        breakdown=[labels[b] for b in label.tolist()],
        numbers=numbers,
        n=n.astype(np.int64),
        small_n=n < version.min_n,
    )


def _only_total(cells: Cells) -> Cells:
    total = cells.label == cells.labels.index(TOTAL)
    return Cells(
        cells.periods,
        [TOTAL],
        cells.period[total],
        cells.unit[total],
        np.zeros(int(total.sum()), dtype=np.int64),
        cells.value[total],
        cells.n[total],
    )


def _numbers(version, num: np.ndarray, den: np.ndarray | None) -> dict:
    """numerator, denominator, value, low and high in 1/UNIT, each with where it is None."""
    nothing = np.ones(len(num), dtype=bool)
    zero = np.zeros(len(num), dtype=np.int64)
    out = {
        "numerator": (num, None),
        "denominator": (zero, nothing) if den is None else (den, None),
        "value": (zero, nothing),
        "low": (zero, nothing),
        "high": (zero, nothing),
    }
    kind = version.type
    if kind in ("count", "sum", "mean", "median"):
        out["value"] = (num, None)
        return out
    if den is None:
        return out
    shown = den != 0
    safe = np.where(shown, den, 1)
    scale = {"percent": 100, "ratio": 1, "rate_per_100k": 100_000}.get(kind)
    if scale is None:
        return out
    out["value"] = (_scaled(num, scale * UNIT, safe), ~shown)
    if kind == "percent" and version.numerator.get("measure", "count") in ("count", "distinct"):
        low, high = _wilson(num[shown] // UNIT, den[shown] // UNIT)
        for name, bound in (("low", low), ("high", high)):
            units = np.zeros(len(num), dtype=np.int64)
            units[shown] = bound
            out[name] = (units, ~shown)
    return out


def _scaled(num: np.ndarray, factor: int, den: np.ndarray) -> np.ndarray:
    """num × factor / den rounded half to even, exactly (Python integers if int64 would
    overflow)."""
    if num.dtype == object or den.dtype == object or np.abs(num).max(initial=0) >= 2**62 // factor:
        return np.array(
            [divide(int(a) * factor, int(b)) for a, b in zip(num, den, strict=True)], dtype=object
        )
    sign = np.where(den < 0, -1, 1)
    return divide(num * factor * sign, den * sign)


def _wilson(successes: np.ndarray, n: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The 95 % Wilson interval of each pair, in percent of 1/UNIT, as `wilson_interval`
    computes it (the same operations on whole arrays) and as Decimal would round it."""
    wrong = (n < 0) | (successes < 0) | (successes > n)
    if wrong.any():  # the error wilson_interval gives
        i = int(np.flatnonzero(wrong)[0])
        wilson_interval(int(successes[i]), int(n[i]))
    z = _z()
    with np.errstate(divide="ignore", invalid="ignore"):
        size = n.astype(float)
        p = successes / size
        denominator = 1 + z * z / size
        centre = (p + z * z / (2 * size)) / denominator
        half = z * np.sqrt(p * (1 - p) / size + z * z / (4 * size * size)) / denominator
    low = np.where(successes == 0, 0.0, np.maximum(0.0, centre - half))
    high = np.where(successes == n, 1.0, np.minimum(1.0, centre + half))
    low = np.where(n == 0, 0.0, low)
    high = np.where(n == 0, 1.0, high)
    return _rounded(100 * low), _rounded(100 * high)


@cache
def _z() -> float:
    return float(norm.ppf(1 - (1 - 0.95) / 2))


def _rounded(x: np.ndarray) -> np.ndarray:
    """Floats in 1/UNIT as Decimal(str(x)).quantize(0.0001) rounds them: half to even on
    the shortest decimal form (worked out so for the few that are near a half)."""
    scaled = x * UNIT
    units = np.rint(scaled).astype(np.int64)
    near = np.flatnonzero(np.abs(scaled - np.floor(scaled) - 0.5) < 1e-6)
    for i in near.tolist():
        units[i] = int(Decimal(str(float(x[i]))).quantize(_ROUNDED).scaleb(4))
    return units


VALUE_FIELDS = ("id", "version_id", "period", "unit_id", "breakdown", "numerator",
                "denominator", "value", "low", "high", "n", "small_n", "computed_at")  # fmt: skip


def _new_value(version: MetricVersion, *values) -> MetricValue:
    """MetricValue(version=version, …) from a row and the time: positional arguments take
    Django's fast path (thousands of values are made per metric)."""
    if tuple(f.attname for f in MetricValue._meta.concrete_fields) == VALUE_FIELDS:
        value = MetricValue(None, version.pk, *values)
    else:
        value = MetricValue(**dict(zip(VALUE_FIELDS[1:], (version.pk, *values), strict=True)))
    value._state.fields_cache["version"] = version  # as MetricValue(version=version) would
    return value


def _population_for(population, period: str, unit_id: int) -> int | None:
    year = int(period[:4])
    years = sorted(y for y in population if y <= year) or sorted(population)
    return population[years[-1]].get(unit_id) if years else None


@cache
def _before(period: str, first: str) -> bool:
    from seire import periods

    return periods.parse(period).end < periods.parse(first).start
