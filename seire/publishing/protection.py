"""The disclosure step of a release table: its cube, protected by the table's method.

Cell suppression protects the tables of one data key together (`protect_tables`); the other
methods are functions `(frame, table, fixed) -> frame` in `METHODS` (a registry: rounding to
base 3 or 5, cell-key perturbation), each with `counts_of` for the audit of exact recovery.
Each returns every cell including the totals (`TOTAL`), the value to publish and a
`status`: `published`, `primary` or `secondary` (suppressed; their value must never leave),
`rounded` or `perturbed`. All the mathematics is in `seire.disclosure`; this module only
chooses and calls it.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass
from itertools import product

import pandas as pd
from django.conf import settings

from seire import periods
from seire.disclosure import LEVELS, SPAN_TOTAL, span_label
from seire.publishing.cubes import MAX_DIMS, CubeError, CubeSpec, build_cube, build_keyed_cube

SUPPRESSED = ("primary", "secondary")


class ProtectionError(Exception):
    """A table that cannot be protected; `problems` says which cells and why."""

    def __init__(self, problems: list[str] | str):
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("; ".join(self.problems))


def all_cells(frame: pd.DataFrame, dims: list[str]) -> pd.DataFrame:
    """The inner cells with every marginal total (`TOTAL`), true values (no protection)."""
    from seire import disclosure

    parts = []
    for keep in product((True, False), repeat=len(dims)):
        kept = [d for d, k in zip(dims, keep, strict=True) if k]
        if kept:
            part = frame.groupby(kept, sort=False, as_index=False)["value"].sum()
        else:
            part = pd.DataFrame({"value": [frame["value"].sum()]})
        for d, k in zip(dims, keep, strict=True):
            if not k:
                part[d] = disclosure.TOTAL
        parts.append(part[[*dims, "value"]])
    return pd.concat(parts, ignore_index=True)


def still_true(
    earlier: pd.DataFrame | None,
    frame: pd.DataFrame,
    dims: list[str],
    known: list[tuple[str, ...]] = (),
):
    """The earlier published cells whose value the new data still gives: the equations a
    reader of the earlier version holds about the same (corrected) data. A cell whose value
    the correction changed was wrong, so it says nothing about the corrected data. Cells
    withheld earlier come too (without a value): a small one among them must stay protected.
    `known` names the time levels of the earlier tables (e.g. `("period:quarter", "gender")`)."""
    from seire import disclosure
    from seire.disclosure.tables import build

    if earlier is None or not len(earlier):
        return None
    cube = build(frame[[*dims, "value"]], dims, "value", [], known)
    old = earlier.reset_index(drop=True)
    keep, withheld = [], []
    for position, row in old.iterrows():
        try:
            cell = cube.locate([row[d] for d in dims], position)
        except disclosure.DisclosureError:
            continue  # a category the data no longer has: nothing about the data now
        if row["status"] != "published":
            withheld.append(position)
        elif float(row["value"]) == float(cube.values[cell]):
            keep.append(position)
    if not keep and not withheld:
        return None
    same = old.loc[keep, [*dims, "value", "table"]].assign(status="published")
    hidden = old.loc[withheld, [*dims, "table"]].assign(value=None, status="primary")
    return pd.concat([same, hidden], ignore_index=True).drop_duplicates(subset=dims)


@dataclass(frozen=True, eq=False)
class Earlier:
    """Cells published before over `dims` (suppressed ones without a value) from a table
    whose cube had the data key `key` (see `data_key`), the given `granularity` and counted
    the days `period_range` (first, last)."""

    key: tuple
    dims: tuple[str, ...]
    cells: pd.DataFrame
    granularity: str = "month"
    period_range: tuple = ()


def table_range(table) -> tuple:
    """The first and last day a table counts (its period codes when they do not parse)."""
    try:
        spec = table.spec()
    except CubeError:
        return (table.period_from, table.period_to)
    return (spec.start, spec.end)


def data_key(table) -> tuple:
    """What a table counts, whatever its dimensions, granularity and period range: tables
    with the same key are aggregations of the same base data (months add up to quarters,
    years and any span, so a year's table is linked to the quarters published before)."""
    filters = tuple(sorted((k, tuple(v)) for k, v in (table.filters or {}).items()))
    return (table.measure, filters)


def earlier_from(tables: dict) -> list[Earlier]:
    """The cells of protected `tables` ({table: cells}) as `Earlier` cells, for the tables
    protected after them (suppressed values dropped)."""
    out = []
    for table, cells in tables.items():
        shown = cells.assign(value=cells["value"].where(~cells["status"].isin(SUPPRESSED)))
        out.append(
            Earlier(
                data_key(table), tuple(table.dims), shown, table.granularity, table_range(table)
            )  # fmt: skip
        )
    return out


GRANULARITY_ORDER = {"month": 0, "quarter": 1, "year": 2}


def span_of(period_range: tuple, hull: tuple) -> str | None:
    """The span label (`2025M01..2025M06`) of a table counting `period_range` over a base
    counting `hull`; None when they are the same days."""
    if tuple(period_range) == tuple(hull):
        return None
    first, last = period_range
    return span_label(periods.period_of(first, "M"), periods.period_of(last, "M"))


def _entries(
    dims, granularity: str, base_dims: list[str], base_granularity: str, span: str | None
) -> str:
    """A table's name over the base: its entries in the base's order, `period:quarter` when
    coarser than the base, limited to its `span` of the base's periods (`period@…`, or
    `period:total@…` when the table does not show the period)."""
    entries = []
    for d in base_dims:
        if d == "period" and (d in dims or span):
            entry = d if granularity == base_granularity else f"{d}:{granularity}"
            entry = entry if d in dims else f"{d}:{SPAN_TOTAL}"
            entries.append(entry if span is None else f"{entry}@{span}")
        elif d in dims:
            entries.append(d)
    return ",".join(entries)


def _widen(
    earlier: pd.DataFrame, dims: list[str], base_dims: list[str], span: str | None
) -> pd.DataFrame:
    """Earlier cells of a table over `dims` as cells of the base (`TOTAL` elsewhere; the
    period's total is the table's `span` when it counted fewer periods than the base)."""
    from seire import disclosure

    cells = earlier.assign(**{d: disclosure.TOTAL for d in base_dims if d not in dims})
    if span is not None:
        cells["period"] = cells["period"].replace(disclosure.TOTAL, span)
    return cells[[*base_dims, "value", "status"]]


def base_granularity(tables: list, earlier: list[Earlier] | None = None) -> str:
    """The finest granularity among the tables (and earlier tables) that show the period."""
    key = data_key(tables[0])
    shown = [t.granularity for t in tables if "period" in t.dims]
    shown += [e.granularity for e in earlier or () if e.key == key and "period" in e.dims]
    return min(shown, key=GRANULARITY_ORDER.get) if shown else tables[0].granularity


def suppress_linked(
    base: pd.DataFrame,
    base_dims: list[str],
    tables: list,
    earlier: list[Earlier] | None = None,
    granularity: str | None = None,
    hull: tuple | None = None,
) -> dict:
    """Protect `tables` — aggregations of one base cube with the same threshold and
    protection — jointly, so that no small cell can be recovered by setting one table
    against another (they share their margins; months add up to quarters and years).
    `base` is at `granularity` (default: the first table's); a table by a coarser period
    publishes `period:quarter` or `period:year`; `hull` (default: the first table's range)
    is the first and last day `base` counts, and a table or earlier table counting fewer
    days covers a span of its periods. `earlier`: cells published before; those of the same
    base data that the data still gives are held as equations (of a table over dimensions
    the base lacks, its margins over the base's dimensions). Returns
    {table: its cells with status}. Raises `ProtectionError` naming the tables and cells
    when no pattern protects them."""
    from seire import disclosure

    first = tables[0]
    granularity = granularity or first.granularity
    protection = first.protection if first.protection is not None else first.threshold
    key = data_key(first)
    hull = hull or table_range(first)
    parts = []
    for e in earlier or ():
        if e.key != key or not len(e.cells):
            continue
        cells, dims = e.cells, [d for d in e.dims if d in base_dims]
        outside = [d for d in e.dims if d not in base_dims]
        if outside:  # a table over more dimensions: its margins over the base's are held
            cells = cells[(cells[outside] == disclosure.TOTAL).all(axis=1)].drop(columns=outside)
        span = span_of(e.period_range or hull, hull)
        name = _entries(dims, e.granularity, base_dims, granularity, span)
        parts.append(_widen(cells, dims, base_dims, span).assign(table=name))
    old = pd.concat(parts, ignore_index=True) if parts else None
    known = (
        [tuple(name.split(",")) for name in dict.fromkeys(old["table"]) if name] if parts else []
    )
    fixed = still_true(old, base, base_dims, known)
    spans = {t: span_of(table_range(t), hull) for t in tables}
    names = {t: _entries(t.dims, t.granularity, base_dims, granularity, spans[t]) for t in tables}
    publish = [tuple(name.split(",")) for name in dict.fromkeys(names.values())]
    codes = ", ".join(t.code for t in tables)
    label = f"table {codes}" if len(tables) == 1 else f"tables {codes}"
    try:
        out = disclosure.protect_linked(
            base,
            base_dims,
            "value",
            publish,
            threshold=first.threshold,
            protection=protection,
            fixed=fixed,
        )
        report = disclosure.audit_linked(
            out, base, base_dims, "value", protection=protection, fixed=fixed
        )
    except disclosure.DisclosureError as exc:
        raise ProtectionError(f"{label}: {exc.message}") from None
    bad = report[~report["ok"].astype(bool)]
    if len(bad):
        cells = [", ".join(f"{d}={row[d]}" for d in base_dims) for _, row in bad.iterrows()]
        raise ProtectionError(
            [
                f"{label}: cell ({c}) could be narrowed below ±{protection:g} "
                "from what is published"
                for c in cells
            ]
        )
    results = {}
    for t in tables:
        cells = out[out["table"] == names[t]][[*t.dims, "value", "status"]]
        if spans[t] is not None and "period" in t.dims:  # the span's total is the table's
            cells = cells.assign(period=cells["period"].replace(spans[t], disclosure.TOTAL))
        results[t] = cells.reset_index(drop=True)
    return results


def _suppress_group(tables: list, earlier: list[Earlier] | None) -> dict:
    """Suppress `tables` (one data key and settings) jointly over the union of their
    dimensions, widened by the dimensions of earlier tables of the same data when the base
    stays within `MAX_DIMS`, at the finest granularity any of them shows."""
    for table in tables:  # each definition checked on its own, located
        table.spec().check()
    first = tables[0]
    codes = ", ".join(t.code for t in tables)
    dims = list(dict.fromkeys(d for t in tables for d in t.dims))
    key = data_key(first)
    mine = [e for e in earlier or () if e.key == key]
    ranges = {table_range(first)} | {e.period_range for e in mine if e.period_range}
    if len(ranges) > 1 and "period" not in dims:  # linked to other ranges through the months
        if len(dims) == MAX_DIMS:
            raise ProtectionError(
                f"table {codes}: the same data was published before over other periods; "
                f"to protect it together with them it may have at most {MAX_DIMS - 1} "
                "dimensions besides the period"
            )
        dims.append("period")
    extra = list(dict.fromkeys(d for e in mine for d in e.dims if d not in dims))
    if len(dims) + len(extra) <= MAX_DIMS:
        dims += extra
    hull = (min(start for start, _ in ranges), max(end for _, end in ranges))
    granularity = first.granularity
    if "period" in dims:
        granularity = _aligned(base_granularity(tables, earlier), ranges)
    kind = LEVELS[granularity]
    spec = CubeSpec(first.measure, tuple(dims), first.filters or {},
                    str(periods.period_of(hull[0], kind)), str(periods.period_of(hull[1], kind)),
                    granularity)  # fmt: skip
    _require_counts(spec, codes)
    return suppress_linked(build_cube(spec), dims, tables, earlier, granularity, hull)


def _aligned(granularity: str, ranges: set[tuple]) -> str:
    """`granularity`, or months when a period range does not start and end on its bounds."""
    kind = LEVELS[granularity]
    for start, end in ranges:
        if periods.period_of(start, kind).start != start or periods.period_of(end, kind).end != end:
            return "month"
    return granularity


def _rounding(base: int) -> Callable:
    def method(frame: pd.DataFrame, table, fixed) -> pd.DataFrame:
        from seire import disclosure

        try:
            rounded = disclosure.round_table(frame, list(table.dims), "value", base=base)
        except disclosure.DisclosureError as exc:
            raise ProtectionError(f"table {table.code}: {exc.message}") from None
        return rounded.drop(columns="method").assign(status="rounded")

    method.counts_of = disclosure_range("rounding", base)
    return method


#: The cell-key method's parameters, stated in the methodology note of every table using it.
CELL_KEY_PTABLE = {"max_noise": 2, "variance": 1.0, "small": 2}


def cell_key_secret() -> str:
    """The secret of the record keys, derived from the pseudonym key (so it never changes
    between releases: the same cell gets the same noise in every release)."""
    return hmac.new(
        settings.PSEUDONYM_KEY.encode(), b"seire.publishing.cell-key", hashlib.sha256
    ).hexdigest()


def _cell_key(frame: pd.DataFrame, table, fixed) -> pd.DataFrame:
    from seire import disclosure

    try:
        out = disclosure.perturb(
            frame,
            list(table.dims),
            "value",
            "cell_key",
            ptable=disclosure.PTable(**CELL_KEY_PTABLE),
        )
    except disclosure.DisclosureError as exc:
        raise ProtectionError(f"table {table.code}: {exc.message}") from None
    return out[[*table.dims, "value", "status"]]


def disclosure_range(method: str, base: int = 5) -> Callable:
    """The true counts a published count may come from, for `audit_ranges`."""
    from seire import disclosure

    if method == "rounding":
        return disclosure.rounding_range(base)
    return disclosure.cell_key_range(disclosure.PTable(**CELL_KEY_PTABLE))


_cell_key.counts_of = disclosure_range("cell_key")

#: A release table's method → its name in `seire.disclosure.GUARANTEES`.
METHOD_NAMES = {"suppress": "suppression", "round3": "rounding", "round5": "rounding",
                "cell_key": "cell_key"}  # fmt: skip

METHODS: dict[str, Callable] = {
    "round3": _rounding(3),
    "round5": _rounding(5),
    "cell_key": _cell_key,
}


def _link_key(table) -> tuple:
    """Tables with the same key are aggregations of one cube and are protected together."""
    protection = table.protection if table.protection is not None else table.threshold
    return (*data_key(table), *table_range(table), table.threshold, protection)


def protect_tables(tables: list, earlier: list[Earlier] | None = None) -> tuple[dict, list[str]]:
    """Protect every table of a release: tables suppressed from the same data (same measure,
    filters, period range — whatever their granularity — and settings) jointly over the
    union of their dimensions (when that has at most `MAX_DIMS`), every other table on its
    own. Each group holds everything published before (`earlier`, see `Earlier`) and the
    groups protected before it (tables of the same data over other ranges or settings) as
    equations. Returns ({table: cells}, problems); a table with a problem has no cells."""
    results: dict = {}
    problems: list[str] = []
    groups: dict[tuple, list] = {}
    for table in tables:
        if table.method == "suppress":
            groups.setdefault(_link_key(table), []).append(table)
            continue
        try:
            results[table] = protect_table(table, earlier)
        except CubeError as exc:
            problems += [f"table {table.code}: {p}" for p in exc.problems]
        except ProtectionError as exc:
            problems += exc.problems
    held = list(earlier or ())
    for group in groups.values():  # in table order; each holds the groups protected before
        dims = list(dict.fromkeys(d for t in group for d in t.dims))
        batches = [group] if len(dims) <= MAX_DIMS else [[t] for t in group]
        for batch in batches:
            try:
                protected = _suppress_group(batch, held)
                results.update(protected)
                held += earlier_from(protected)
            except CubeError as exc:
                problems += [f"table {batch[0].code}: {p}" for p in exc.problems]
            except ProtectionError as exc:
                problems += exc.problems
    return results, problems


def _require_counts(spec: CubeSpec, codes: str) -> None:
    if not spec.check().whole:
        raise ProtectionError(
            f"table {codes}: {spec.measure} is not a count; only counts can be published"
        )


def protect_table(table, earlier: list[Earlier] | None = None) -> pd.DataFrame:
    """Build `table`'s cube and protect it with its method. `earlier`: cells published
    before, held as equations where they are about the same data (suppression).

    Rounded and perturbed tables are audited for exact recovery (`audit_ranges`): a table
    in which a small count could be recovered exactly from its published values is refused.
    Raises `CubeError` for a broken definition and `ProtectionError` when the cells cannot be
    protected."""
    if table.method == "suppress":
        return _suppress_group([table], earlier)[table]
    try:
        method = METHODS[table.method]
    except KeyError:
        raise ProtectionError(f"table {table.code}: unknown method {table.method!r}") from None
    spec = table.spec()
    _require_counts(spec, table.code)
    if table.method == "cell_key":
        frame = build_keyed_cube(spec, cell_key_secret())
    else:
        frame = build_cube(spec)
    out = method(frame, table, earlier)
    _refuse_recoverable(table, frame, out, method.counts_of)
    return out


def _refuse_recoverable(table, frame: pd.DataFrame, out: pd.DataFrame, counts_of) -> None:
    from seire import disclosure

    dims = list(table.dims)
    published = out.assign(table=",".join(dims))
    try:
        report = disclosure.audit_ranges(
            published, frame[[*dims, "value"]], dims, "value", counts_of, table.threshold
        )
    except disclosure.DisclosureError as exc:
        raise ProtectionError(f"table {table.code}: {exc.message}") from None
    pinned = report[report["exact"]]
    if len(pinned):
        raise ProtectionError(
            [
                f"table {table.code}: cell ({', '.join(f'{d}={row[d]}' for d in dims)}) can "
                "be recovered exactly from the published values"
                for _, row in pinned.iterrows()
            ]
        )
