"""The disclosure step of a release table: its cube, protected by the table's method.

Every method is a function `(frame, table, fixed) -> frame` in `METHODS` (a registry:
cell suppression, rounding to base 3 or 5). Each returns every cell including the totals
(`TOTAL`), the value to publish and a `status`: `published`, `primary` or `secondary`
(suppressed; their value must never leave) or `rounded`. All the mathematics is in
`seire.disclosure`; this module only chooses and calls it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from itertools import product

import pandas as pd

from seire.publishing.cubes import MAX_DIMS, CubeError, CubeSpec, build_cube

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


def still_true(earlier: pd.DataFrame | None, frame: pd.DataFrame, dims: list[str]):
    """The earlier published cells whose value the new data still gives: the equations a
    reader of the earlier version holds about the same (corrected) data. A cell whose value
    the correction changed was wrong, so it says nothing about the corrected data."""
    if earlier is None or not len(earlier):
        return None
    now = all_cells(frame, dims)
    now = now.assign(**{d: now[d].astype(str) for d in dims})
    old = earlier[earlier["status"].isin(["published"])].copy()
    old = old.assign(**{d: old[d].astype(str) for d in dims})
    joined = old.merge(now, on=dims, suffixes=("_old", ""))
    same = joined[joined["value_old"].astype(float) == joined["value"].astype(float)]
    if not len(same):
        return None
    return same[[*dims, "value"]].drop_duplicates(subset=dims).assign(status="published")


@dataclass(frozen=True, eq=False)
class Earlier:
    """Cells published before over `dims` (suppressed ones without a value) from a table
    whose cube had the data key `key` (see `data_key`)."""

    key: tuple
    dims: tuple[str, ...]
    cells: pd.DataFrame


def data_key(table) -> tuple:
    """What a table counts, whatever its dimensions: tables with the same key are
    aggregations of the same base data."""
    filters = tuple(sorted((k, tuple(v)) for k, v in (table.filters or {}).items()))
    return (table.measure, filters, table.period_from, table.period_to, table.granularity)


def _widen(earlier: pd.DataFrame, dims: list[str], base_dims: list[str]) -> pd.DataFrame:
    """Earlier cells of a table over `dims` as cells of the base (`TOTAL` elsewhere)."""
    from seire import disclosure

    missing = {d: disclosure.TOTAL for d in base_dims if d not in dims}
    return earlier.assign(**missing)[[*base_dims, "value", "status"]]


def suppress_linked(
    base: pd.DataFrame, base_dims: list[str], tables: list, earlier: list[Earlier] | None = None
) -> dict:
    """Protect `tables` — aggregations of one base cube with the same threshold and
    protection — jointly, so that no small cell can be recovered by setting one table
    against another (they share their margins). `earlier`: cells published before; those
    of the same base data that the data still gives are held as equations. Returns
    {table: its cells with status}. Raises `ProtectionError` naming the tables and cells
    when no pattern protects them."""
    from seire import disclosure

    first = tables[0]
    protection = first.protection if first.protection is not None else first.threshold
    key = data_key(first)
    parts = [
        _widen(e.cells, list(e.dims), base_dims)
        for e in earlier or ()
        if e.key == key and set(e.dims) <= set(base_dims) and len(e.cells)
    ]
    old = pd.concat(parts, ignore_index=True) if parts else None
    fixed = still_true(old, base, base_dims)
    names = {t: ",".join(d for d in base_dims if d in t.dims) for t in tables}
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
    return {
        t: out[out["table"] == names[t]][[*t.dims, "value", "status"]].reset_index(drop=True)
        for t in tables
    }


def _suppress(frame: pd.DataFrame, table, earlier: list[Earlier] | None) -> pd.DataFrame:
    return suppress_linked(frame, list(table.dims), [table], earlier)[table]


def _rounding(base: int) -> Callable:
    def method(frame: pd.DataFrame, table, fixed) -> pd.DataFrame:
        from seire import disclosure

        try:
            rounded = disclosure.round_table(frame, list(table.dims), "value", base=base)
        except disclosure.DisclosureError as exc:
            raise ProtectionError(f"table {table.code}: {exc.message}") from None
        return rounded.drop(columns="method").assign(status="rounded")

    return method


METHODS: dict[str, Callable] = {
    "suppress": _suppress,
    "round3": _rounding(3),
    "round5": _rounding(5),
}


def _link_key(table) -> tuple:
    """Tables with the same key are aggregations of one cube and are protected together."""
    protection = table.protection if table.protection is not None else table.threshold
    filters = tuple(sorted((k, tuple(v)) for k, v in (table.filters or {}).items()))
    return (table.measure, filters, table.period_from, table.period_to, table.granularity,
            table.threshold, protection)  # fmt: skip


def protect_tables(tables: list, earlier: list[Earlier] | None = None) -> tuple[dict, list[str]]:
    """Protect every table of a release: tables suppressed from the same cube (same measure,
    filters, periods and settings) jointly over the union of their dimensions (when that
    has at most `MAX_DIMS`), every other table on its own. `earlier`: everything published
    before (see `Earlier`). Returns ({table: cells}, problems); a table with a problem has no
    cells."""
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
    for group in groups.values():
        dims = list(dict.fromkeys(d for t in group for d in t.dims))
        batches = [group] if len(group) > 1 and len(dims) <= MAX_DIMS else [[t] for t in group]
        for batch in batches:
            try:
                if len(batch) == 1:
                    results[batch[0]] = protect_table(batch[0], earlier)
                    continue
                for table in batch:  # each definition checked on its own, located
                    table.spec().check()
                first = batch[0]
                spec = CubeSpec(first.measure, tuple(dims), first.filters or {},
                                first.period_from, first.period_to, first.granularity)  # fmt: skip
                _require_counts(spec, ", ".join(t.code for t in batch))
                results.update(suppress_linked(build_cube(spec), dims, batch, earlier))
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
    before, held as equations where they are about the same data.

    Raises `CubeError` for a broken definition and `ProtectionError` when the cells cannot be
    protected."""
    spec = table.spec()
    _require_counts(spec, table.code)
    frame = build_cube(spec)
    try:
        method = METHODS[table.method]
    except KeyError:
        raise ProtectionError(f"table {table.code}: unknown method {table.method!r}") from None
    return method(frame, table, earlier)
