"""On 2-D tables small enough to enumerate, the suppression count is (nearly) optimal."""

from itertools import product

import numpy as np
import pandas as pd

from seire.disclosure import protect
from tests.disclosure.independent import all_cells, optimum, unprotected


def test_the_count_matches_the_enumerated_optimum():
    rng = np.random.default_rng(2026)
    matches, cases = 0, 0
    for _ in range(12):
        rows, cols = int(rng.integers(2, 4)), 2 + int(rng.integers(0, 2))
        levels = [[f"r{i}" for i in range(rows)], [f"c{j}" for j in range(cols)]]
        inner = {k: int(rng.choice([0, 1, 2, 3, 4, 6, 8, 12])) for k in product(*levels)}
        frame = pd.DataFrame([(*k, v) for k, v in inner.items()], columns=["a", "b", "n"])
        out = protect(frame, ["a", "b"], "n")
        cells = all_cells(inner, levels)
        suppressed = {(r.a, r.b) for r in out.itertuples() if r.status != "published"}
        assert unprotected(cells, suppressed, 5, 5, list(inner)) == []
        best = optimum(cells, 5, 5, list(inner), limit=len(suppressed))
        assert best is not None and len(suppressed) <= 1.2 * best
        matches += len(suppressed) == best
        cases += 1
    assert matches >= 0.8 * cases
