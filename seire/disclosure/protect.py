"""`protect`, `audit` and their linked-table forms: the public API of seire.disclosure.

>>> import pandas as pd
>>> frame = pd.DataFrame(
...     {"sex": ["f", "f", "m", "m"], "age": ["young", "old"] * 2, "n": [2, 10, 11, 12]}
... )
>>> out = protect(frame, ["sex", "age"], "n")
>>> sorted(out.status.value_counts().items())
[('primary', 1), ('published', 5), ('secondary', 3)]
>>> bool(audit(out, ["sex", "age"], "n", protection=5).ok.all())
True
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from seire.disclosure.attacker import Attacker
from seire.disclosure.suppression import TOLERANCE, suppress
from seire.disclosure.tables import TOTAL, Cube, DisclosureError, build, table_name

DEFAULT_THRESHOLD = 5
PUBLISHED, PRIMARY, SECONDARY = "published", "primary", "secondary"
DERIVED = "derived"  # (audit) a period no table shows, given by difference of shown ones


def sensitive_cells(values: np.ndarray, threshold: int) -> np.ndarray:
    """The threshold rule: a non-zero count below `threshold` is sensitive (zeros are not)."""
    return (values > 0) & (values < threshold)


def _check_parameters(threshold, protection):
    if int(threshold) != threshold or threshold < 1:
        raise DisclosureError(f"the threshold must be a whole number of at least 1: {threshold}")
    protection = threshold if protection is None else protection
    if protection < 0:
        raise DisclosureError(f"the protection must not be negative: {protection}")
    return int(threshold), float(protection)


def protect(
    frame: pd.DataFrame,
    dims: list[str],
    value: str,
    threshold: int = DEFAULT_THRESHOLD,
    protection: float | None = None,
    time_limit: float | None = 60.0,
) -> pd.DataFrame:
    """Protect one frequency table by cell suppression.

    `frame` holds the inner cells (one row per combination of the `dims` labels; missing
    combinations count 0). Returns every cell including all marginal totals (labelled
    `TOTAL`): the dims, the true `value` (blank the suppressed ones before publishing) and
    `status`: `published`, `primary` (sensitive: 0 < value < threshold) or `secondary`
    (suppressed so that no sensitive cell can be narrowed to less than ±`protection`, which
    defaults to the threshold). `time_limit` (seconds) bounds the optimisation; after it the
    pattern is completed greedily, still protecting every sensitive cell.
    """
    out = protect_linked(
        frame, dims, value, [tuple(dims)], threshold, protection, time_limit=time_limit
    )
    return out.drop(columns="table")


def protect_linked(
    base: pd.DataFrame,
    dims: list[str],
    value: str,
    publish: list[tuple[str, ...]],
    threshold: int = DEFAULT_THRESHOLD,
    protection: float | None = None,
    fixed: pd.DataFrame | None = None,
    time_limit: float | None = 60.0,
) -> pd.DataFrame:
    """Protect several tables aggregated from one base cube, jointly.

    `base` holds the finest cells; `publish` lists aggregations (each a subset of `dims`),
    each published with all its totals. Sensitive cells are the published cells below the
    threshold, and the periods no table shows that they would give by difference (see
    `Axis.derive`); suppression is chosen so that the LP audit over the base cells (every
    published cell an equation, base cells ≥ 0) protects every sensitive cell. `fixed` holds
    cells published earlier from the same base (the dims, `TOTAL` where summed, and the value;
    a `status` other than `published` or an empty value marks a cell that was withheld);
    they are equations the reader already has. Returns one row per published cell:
    `table` (the aggregation's dims joined by commas), the dims (`TOTAL` where summed or
    left out), `value` and `status`. A cell shared by several tables (e.g. the grand total)
    has the same status in each. Raises `DisclosureError` if earlier releases already pin a
    sensitive cell so that no suppression can protect it (a derived period they already
    give away is left as it is: nothing withheld now would help).
    """
    threshold, protection = _check_parameters(threshold, protection)
    dims = list(dims)
    cube = build(base, dims, value, [tuple(t) for t in publish], _known_tables(fixed))
    shift = _fixed_shift(cube, fixed, value) if fixed is not None else None
    # a small cell an earlier release withheld must stay protected, whatever is shown now,
    # and so must a period no table shows that the tables give by difference
    withheld = _withheld_earlier(cube, fixed, value)
    derived = _derived(cube, withheld, shift)
    small = sensitive_cells(cube.values, threshold)
    sensitive = (cube.publishable | withheld | derived) & small
    if shift is not None and sensitive.any():
        # (a derived period earlier releases alone give is beyond help: not refused for it)
        sensitive &= ~_refuse_unprotectable(cube, sensitive, protection, shift, derived)
    suppressed = suppress(cube, sensitive, protection, shift, time_limit)
    status = np.where(sensitive, PRIMARY, np.where(suppressed, SECONDARY, PUBLISHED))
    return _cells_frame(cube, value, status)


def _known_tables(fixed: pd.DataFrame | None) -> list[tuple[str, ...]]:
    """The tables of earlier cells (their `table` column), for their time levels."""
    if fixed is None or "table" not in fixed.columns:
        return []
    return [tuple(str(name).split(",")) for name in pd.unique(fixed["table"]) if str(name)]


def _cells_frame(cube: Cube, value: str, status: np.ndarray) -> pd.DataFrame:
    records = []
    for table, rows in zip(cube.tables, cube.table_rows, strict=True):
        name = table_name(table)
        for labels, cell in rows:
            records.append((name, *labels, int(cube.values[cell]), str(status[cell])))
    return pd.DataFrame(records, columns=["table", *cube.dims, value, "status"])


def _fixed_shift(cube: Cube, fixed: pd.DataFrame, value: str) -> np.ndarray:
    """Per cube cell: earlier published value - true value (NaN where not published earlier)."""
    missing = [c for c in [*cube.dims, value] if c not in fixed.columns]
    if missing:
        raise DisclosureError(f"the earlier cells lack the columns {', '.join(missing)}")
    shift = np.full(len(cube.keys), np.nan)
    fixed = fixed.reset_index(drop=True)
    for position, row in fixed.iterrows():
        if "status" in fixed.columns and row["status"] != PUBLISHED:
            continue
        if pd.isna(row[value]) or str(row[value]).strip() == "":
            continue
        try:
            cell = cube.locate([row[d] for d in cube.dims], position)
        except DisclosureError as exc:
            raise DisclosureError(
                f"earlier cell {exc.message.replace('in the data', 'in the base data')}",
                position,
                exc.column,
            ) from None
        try:
            number = float(row[value])
        except (TypeError, ValueError):
            raise DisclosureError(
                f"earlier cell value {row[value]!r} is not a number", position, value
            ) from None
        shift[cell] = number - cube.values[cell]
    return shift


def _withheld_earlier(cube: Cube, fixed: pd.DataFrame | None, value: str) -> np.ndarray:
    """Per cube cell: did an earlier release withhold it (a status other than `published`,
    or no value)? Cells whose labels are not in the data any more are skipped."""
    withheld = np.zeros(len(cube.keys), dtype=bool)
    if fixed is None:
        return withheld
    for position, row in fixed.reset_index(drop=True).iterrows():
        blank = value not in fixed.columns or pd.isna(row[value]) or str(row[value]).strip() == ""
        if ("status" in fixed.columns and row["status"] != PUBLISHED) or blank:
            try:
                withheld[cube.locate([row[d] for d in cube.dims], position)] = True
            except DisclosureError:
                continue
    return withheld


def _derived(cube: Cube, withheld: np.ndarray, shift: np.ndarray | None) -> np.ndarray:
    """The periods no table shows that the cells of the tables now and before (whatever
    their status: what is withheld is for the LP to weigh) give by difference."""
    earlier = withheld if shift is None else withheld | ~np.isnan(shift)
    return cube.derivable(cube.publishable | earlier)


def _pinned_earlier(cube, cells, protection, shift) -> dict[int, tuple[float, float]]:
    """{cell: (low, high)} of the `cells` that earlier releases alone (everything new
    withheld) narrow to less than ±`protection`; raises `DisclosureError` when the earlier
    cells do not fit the base."""
    fixed = ~np.isnan(shift)
    try:
        lines, unused = cube.attack_lines(fixed | cells)
        attacker = Attacker(lines, cube.values, fixed | unused, np.where(fixed, shift, 0.0))
    except ValueError as exc:
        raise DisclosureError(f"earlier published cells do not fit the base data: {exc}") from None
    pinned = {}
    for cell in np.flatnonzero(cells):
        x = cube.values[cell]
        high = x + attacker.move(cell, 1).size if not fixed[cell] else x + shift[cell]
        low = x - attacker.move(cell, -1).size if not fixed[cell] else x + shift[cell]
        if high < x + protection - TOLERANCE or low > max(0.0, x - protection) + TOLERANCE:
            pinned[cell] = (low, high)
    return pinned


def _refuse_unprotectable(cube, sensitive, protection, shift, derived) -> np.ndarray:
    """Earlier releases alone (everything new withheld) must leave each sensitive cell room;
    returns the derived periods they already narrow (nothing withheld now can help)."""
    pinned = _pinned_earlier(cube, sensitive, protection, shift)
    problems = []
    for cell, (low, high) in pinned.items():
        if not derived[cell]:
            label = ", ".join(f"{d}={k}" for d, k in zip(cube.dims, cube.keys[cell], strict=False))
            problems.append(f"{label} (value {cube.values[cell]}) is pinned to [{low:g}, {high:g}]")
    if problems:
        raise DisclosureError(
            "earlier published cells already narrow these sensitive cells below the "
            "protection interval, whatever is withheld now: " + "; ".join(problems)
        )
    given = np.zeros(len(cube.keys), dtype=bool)
    given[list(pinned)] = True
    return given & derived


def audit(
    frame: pd.DataFrame,
    dims: list[str],
    value: str,
    protection: float | None = None,
    threshold: int | None = None,
) -> pd.DataFrame:
    """Feasible interval of every suppressed cell of a protected table, by LP.

    `frame` is what `protect` returns (all cells, true values, `status`). For each cell not
    published, `low` and `high` are the minimum and maximum of the cell over all
    non-negative tables that give every published cell its value and add up. A primary
    cell is `ok` when `high >= value + protection` and `low <= max(0, value - protection)`
    (`protection` defaults to the threshold, else 5). With `threshold`, any cell below it is
    treated as sensitive whatever its status, so a published small cell is reported not ok.
    """
    frame = _check_status(frame, [*dims, value, "status"])
    inner = frame[~(frame[list(dims)].astype(str) == TOTAL).any(axis=1)]
    cube = build(inner[[*dims, value]], dims, value, [tuple(dims)])
    status = _statuses(cube, frame, dims, value)
    return _audit_cube(cube, status, value, protection, threshold)


def audit_linked(
    frame: pd.DataFrame,
    base: pd.DataFrame,
    dims: list[str],
    value: str,
    protection: float | None = None,
    threshold: int | None = None,
    fixed: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """`audit` for the output of `protect_linked`: intervals over the base cells.

    Every published cell of every table of `frame` (and of `fixed`, earlier releases) is an
    equation over the base cells of `base`, which are ≥ 0. A period no table shows that the
    tables give by difference (March from the first quarter, January and February; see
    `Axis.derive`) is audited too, with the status `derived`: sensitive when it is small,
    unless earlier releases alone already narrow it (nothing published now could help).
    """
    frame = _check_status(frame, ["table", *dims, value, "status"])
    publish = [tuple(str(name).split(",")) for name in pd.unique(frame["table"])]
    cube = build(base, dims, value, publish, _known_tables(fixed))
    status = _statuses(cube, frame, dims, value)
    shift = _fixed_shift(cube, fixed, value) if fixed is not None else None
    withheld = _withheld_earlier(cube, fixed, value)
    status = np.where(withheld & (status == ""), "earlier", status)
    derived = _derived(cube, withheld, shift) & (status == "")
    if shift is not None and derived.any():  # what earlier releases alone give is not audited
        small = sensitive_cells(cube.values, threshold or DEFAULT_THRESHOLD)
        pinned = _pinned_earlier(cube, derived & small, _protection(protection, threshold), shift)
        derived[list(pinned)] = False
    status = np.where(derived, DERIVED, status)
    return _audit_cube(cube, status, value, protection, threshold, shift)


def _protection(protection: float | None, threshold: int | None) -> float:
    """The audit's protection: as given, else the threshold, else the default threshold."""
    if protection is not None:
        return protection
    return DEFAULT_THRESHOLD if threshold is None else threshold


def _check_status(frame, columns):
    for column in columns:
        if column not in frame.columns:
            raise DisclosureError(f"column {column!r} is missing", column=column)
    bad = ~frame["status"].isin([PUBLISHED, PRIMARY, SECONDARY])
    if bad.any():
        position = int(np.flatnonzero(bad.to_numpy())[0])
        raise DisclosureError(
            f"status {frame['status'].iloc[position]!r} is not one of "
            f"{PUBLISHED}, {PRIMARY}, {SECONDARY}",
            row=position,
            column="status",
        )
    return frame.reset_index(drop=True)


def _statuses(cube: Cube, frame: pd.DataFrame, dims, value) -> np.ndarray:
    """The status of each cube cell from `frame`; its values must agree with the cube."""
    status = np.full(len(cube.keys), "", dtype=object)
    for position, (_, row) in enumerate(frame.iterrows()):
        cell = cube.locate([row[d] for d in dims], position)
        if not cube.publishable[cell]:
            raise DisclosureError("these coordinates are not a cell of the table", position)
        published = row[value]
        if not (pd.isna(published) or str(published).strip() == ""):
            try:
                number = float(published)
            except ValueError:
                raise DisclosureError(f"{published!r} is not a number", position, value) from None
            if number != cube.values[cell]:
                raise DisclosureError(
                    f"value {published} differs from {cube.values[cell]}, the sum of the "
                    "original cells",
                    position,
                    value,
                )
        elif row["status"] == PUBLISHED:
            raise DisclosureError("a published cell has no value", position, value)
        if status[cell] and status[cell] != row["status"]:
            raise DisclosureError("the cell appears twice with different statuses", position)
        status[cell] = row["status"]
    if (cube.publishable & (status == "")).any():
        cell = int(np.flatnonzero(cube.publishable & (status == ""))[0])
        raise DisclosureError(f"the cell {cube.keys[cell]} is missing")
    return status


def _audit_cube(cube, status, value, protection, threshold, shift=None):
    protection = _protection(protection, threshold)
    published = status == PUBLISHED
    earlier = status == "earlier"  # withheld by an earlier release, not shown now
    derived = status == DERIVED  # no table shows it; the published cells give it by difference
    small = sensitive_cells(cube.values, DEFAULT_THRESHOLD if threshold is None else threshold)
    sensitive = (status == PRIMARY) | ((earlier | derived) & small)
    if threshold is not None:
        sensitive |= cube.publishable & small
    fixed = np.zeros(len(cube.keys), bool) if shift is None else ~np.isnan(shift)
    try:
        lines, unused = cube.attack_lines(fixed | sensitive)
        known = published | fixed | unused
        attacker = Attacker(lines, cube.values, known, np.where(fixed, shift, 0.0))
    except ValueError as exc:
        raise DisclosureError(str(exc)) from None
    records = []
    for cell in np.flatnonzero((cube.publishable | earlier | derived) & (~published | sensitive)):
        x = float(cube.values[cell])
        if published[cell] or fixed[cell]:
            low = high = x + (shift[cell] if fixed[cell] else 0.0)
        else:
            low = x - attacker.move(cell, -1).size
            high = x + attacker.move(cell, 1).size
        need_low = max(0.0, x - protection) if sensitive[cell] else None
        need_high = x + protection if sensitive[cell] else None
        ok = not sensitive[cell] or (high >= need_high - TOLERANCE and low <= need_low + TOLERANCE)
        records.append(
            (
                *cube.keys[cell],
                int(x),
                status[cell],
                bool(sensitive[cell]),
                round(low, 6),
                round(high, 6) if np.isfinite(high) else float("inf"),
                need_low,
                need_high,
                bool(ok),
            )
        )
    columns = [*cube.dims, value, "status", "sensitive", "low", "high"]
    return pd.DataFrame(records, columns=[*columns, "needed_low", "needed_high", "ok"])
