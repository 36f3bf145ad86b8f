"""Joint protection of linked tables from one base: county (15) × crime type (10) × gender
(3) × month (12) for one year, with three published aggregations:

* county × crime type, by year (`month:year`),
* county × gender, by quarter (`month:quarter`),
* crime type by month.

The months add up to quarters and to the year, so the three tables share cells and a
reader could difference them; `protect_linked` chooses the suppressions jointly and
`audit_linked` (the LP over the 5 400 base cells) checks every sensitive cell of the union.
Prints the time of each, the suppressed share of the published cells and the audit result.
SEIRE_BENCH_LINKED_TIME_LIMIT (seconds, default 60) bounds the MIP; after it the pattern is
completed greedily and still passes the audit.
"""

import os
import time
from itertools import product

import numpy as np
import pandas as pd

from seire.disclosure import audit_linked, protect_linked
from seire.disclosure.tables import build

DIMS = ["county", "crime_type", "gender", "month"]
PUBLISH = [("county", "crime_type", "month:year"), ("county", "gender", "month:quarter"),
           ("crime_type", "month")]  # fmt: skip


def base(seed=11) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    keys = list(
        product(
            [f"county{i}" for i in range(15)],
            [f"crime{i}" for i in range(10)],
            ["female", "male", "other"],
            [f"2026M{m:02d}" for m in range(1, 13)],
        )
    )
    frame = pd.DataFrame(keys, columns=DIMS)
    # monthly counts are small: most cells are 0–2, a few counties and crimes dominate
    county = rng.gamma(1.0, 1.0, 15)[np.arange(len(keys)) // 360]
    crime = rng.gamma(0.7, 1.0, 10)[(np.arange(len(keys)) // 36) % 10]
    gender = np.array([0.7, 0.27, 0.03])[(np.arange(len(keys)) // 12) % 3]
    frame["count"] = rng.poisson(1.2 * county * crime * gender * 3)
    return frame


def main() -> None:
    limit = float(os.environ.get("SEIRE_BENCH_LINKED_TIME_LIMIT", "60"))
    frame = base()
    started = time.perf_counter()
    out = protect_linked(frame, DIMS, "count", PUBLISH, time_limit=limit)
    protect_time = time.perf_counter() - started
    started = time.perf_counter()
    result = audit_linked(out, frame, DIMS, "count", protection=5, threshold=5)
    audit_time = time.perf_counter() - started
    # a cell shown by two tables (or under two names: 2026 is the total of a one-year base)
    # counts once
    cube = build(frame, DIMS, "count", PUBLISH)
    cell_of = [cell for rows in cube.table_rows for _, cell in rows]
    cells = out.assign(cell=cell_of).drop_duplicates(subset="cell")
    counts = cells["status"].value_counts()
    primary, secondary = counts.get("primary", 0), counts.get("secondary", 0)
    print(
        f"base {len(frame)} cells (15 x 10 x 3 x 12 months, {int(frame['count'].sum())} "
        f"records); published tables: {'; '.join(','.join(t) for t in PUBLISH)}"
    )
    print(f"{len(out)} published cells in the tables, {len(cells)} distinct")
    print(
        f"protect_linked: {protect_time:.1f} s (MIP time limit {limit:g} s); "
        f"audit_linked: {audit_time:.1f} s; protect/audit = {protect_time / audit_time:.2f}"
    )
    print(
        f"suppressed {primary + secondary} of {len(cells)} distinct cells "
        f"({(primary + secondary) / len(cells):.1%}): {primary} primary, {secondary} secondary "
        f"({secondary / len(cells):.1%})"
    )
    for table, part in out.groupby("table", sort=False):
        share = (part["status"] != "published").mean()
        print(f"  {table}: {len(part)} cells, {share:.1%} suppressed")
    bad = int((~result["ok"]).sum())
    print(
        f"union audit over the base cells: {len(result)} cells checked, "
        f"{'clean' if not bad else f'{bad} UNDER-PROTECTED'}"
    )


if __name__ == "__main__":
    main()
