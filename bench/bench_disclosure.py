"""Protecting a 15 × 10 × 5 × 3 table (counties × crime types × age groups × genders).

Synthetic Poisson counts with gamma-distributed means (many small cells), fixed seed; all
marginal totals. Prints the time of `protect` and of the independent-of-it LP `audit`, side
by side, their ratio, the suppressed cells (count and share) and whether the audit is clean.
SEIRE_BENCH_DISCLOSURE_SHAPE (e.g. "10x6x3x2") changes the shape.
"""

import os
import time
from itertools import product

import numpy as np
import pandas as pd

from seire.disclosure import audit, protect

NAMES = ["county", "crime_type", "age_group", "gender"]


def table(shape, seed=7):
    rng = np.random.default_rng(seed)
    keys = list(
        product(*[[f"{n}{i}" for i in range(s)] for n, s in zip(NAMES, shape, strict=False)])
    )
    frame = pd.DataFrame(keys, columns=NAMES[: len(shape)])
    frame["count"] = rng.poisson(rng.gamma(0.6, 4.0, size=len(keys)))
    return frame


def main() -> None:
    shape = [int(s) for s in os.environ.get("SEIRE_BENCH_DISCLOSURE_SHAPE", "15x10x5x3").split("x")]
    dims = NAMES[: len(shape)]
    frame = table(shape)
    started = time.perf_counter()
    out = protect(frame, dims, "count", time_limit=60.0)
    protect_time = time.perf_counter() - started
    started = time.perf_counter()
    result = audit(out, dims, "count", protection=5)
    audit_time = time.perf_counter() - started
    counts = out["status"].value_counts()
    suppressed = counts.get("primary", 0) + counts.get("secondary", 0)
    print(f"table {'x'.join(map(str, shape))}: {len(out)} cells with totals")
    print(
        f"protect: {protect_time:.1f} s; audit: {audit_time:.1f} s; "
        f"protect/audit = {protect_time / audit_time:.2f}"
    )
    print(
        f"suppressed {suppressed} ({suppressed / len(out):.1%}): "
        f"{counts.get('primary', 0)} primary, {counts.get('secondary', 0)} secondary "
        f"({counts.get('secondary', 0) / len(out):.1%} of cells)"
    )
    print(f"audit clean: {bool(result['ok'].all())}")


if __name__ == "__main__":
    main()
