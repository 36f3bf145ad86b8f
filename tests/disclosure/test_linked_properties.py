"""Property tests: random base cubes, 2–4 published aggregations (some in time levels).

Every published cell is checked against an independent computation: its value is summed from
the base cells here, and its feasible interval is found by scipy's `linprog` over the base
cells (each ≥ 0), with every published cell of every table as an equation — nothing from
`seire.disclosure` but the output under test. SEIRE_FUZZ=N runs N times more examples.
"""

import os
from itertools import product

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from seire.disclosure import audit_linked, protect_linked
from tests.disclosure.independent import independently_checked

FUZZ = int(os.environ.get("SEIRE_FUZZ", "1"))
COUNTS = st.sampled_from([0, 0, 0, 1, 1, 2, 3, 4, 6, 9, 15])


@st.composite
def linked_case(draw):
    sizes = [draw(st.integers(2, 3)), draw(st.integers(1, 3))]
    months = [f"2026M{m:02d}" for m in range(1, draw(st.sampled_from([3, 4, 6])) + 1)]
    labels = [[f"a{i}" for i in range(sizes[0])], [f"b{i}" for i in range(sizes[1])], months]
    keys = list(product(*labels))
    frame = pd.DataFrame(keys, columns=["a", "b", "month"])
    frame["n"] = [draw(COUNTS) for _ in keys]
    pool = [("a", "b"), ("a", "month"), ("a", "month:quarter"), ("b", "month:quarter"),
            ("a", "b", "month:year"), ("month",), ("b",), ("a", "b", "month")]  # fmt: skip
    chosen = draw(st.lists(st.sampled_from(pool), min_size=2, max_size=4, unique=True))
    return frame, chosen


@st.composite
def plain_case(draw):
    dims = ["p", "q", "r", "s"]
    labels = [[f"{d}{i}" for i in range(draw(st.integers(2, 3 if d == "p" else 2)))] for d in dims]
    keys = list(product(*labels))
    frame = pd.DataFrame(keys, columns=dims)
    frame["n"] = [draw(COUNTS) for _ in keys]
    pool = [("p", "q"), ("p", "r"), ("q", "r", "s"), ("p", "s"), ("r", "s"), ("p", "q", "r")]
    chosen = draw(st.lists(st.sampled_from(pool), min_size=2, max_size=4, unique=True))
    return frame, chosen


def _settings(examples):
    return settings(
        max_examples=examples * FUZZ,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


@_settings(8)
@given(linked_case())
def test_every_sensitive_cell_of_random_linked_tables_with_time_levels_is_protected(case):
    frame, publish = case
    dims = ["a", "b", "month"]
    out = protect_linked(frame, dims, "n", publish, time_limit=5.0)
    assert independently_checked(out, frame, dims) == []
    assert audit_linked(out, frame, dims, "n", 5, threshold=5).ok.all()


@_settings(4)
@given(plain_case())
def test_every_sensitive_cell_of_random_4d_linked_tables_is_protected(case):
    frame, publish = case
    dims = ["p", "q", "r", "s"]
    out = protect_linked(frame, dims, "n", publish, time_limit=5.0)
    assert set(out.table) == {",".join(t) for t in publish}
    assert independently_checked(out, frame, dims) == []
