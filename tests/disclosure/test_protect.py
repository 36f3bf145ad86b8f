"""`protect`: threshold rule, totals, and protection checked by an independent LP (linprog)."""

from itertools import product

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from seire.disclosure import TOTAL, DisclosureError, protect
from tests.disclosure.independent import all_cells, unprotected

# many small counts, some zeros, some large ones
COUNTS = st.sampled_from([0, 0, 1, 2, 3, 4, 5, 6, 8, 12, 20, 40])


@st.composite
def random_table(draw, dimensions, sizes):
    shape = [draw(st.sampled_from(sizes)) for _ in range(dimensions)]
    levels = [[f"d{d}l{i}" for i in range(n)] for d, n in enumerate(shape)]
    inner = {key: draw(COUNTS) for key in product(*levels)}
    return levels, inner


def as_frame(inner, dims):
    return pd.DataFrame([(*key, v) for key, v in inner.items()], columns=[*dims, "n"])


def check_protected(levels, inner, threshold=5, protection=None, time_limit=60.0):
    dims = [f"dim{d}" for d in range(len(levels))]
    out = protect(as_frame(inner, dims), dims, "n", threshold, protection, time_limit=time_limit)
    cells = all_cells(inner, levels)
    got = {tuple(row[:-2]): (row[-2], row[-1]) for row in out.itertuples(index=False)}
    # every cell with its totals, true values, primary exactly for the threshold rule
    assert set(got) == set(cells)
    for key, v in cells.items():
        assert got[key][0] == v
        assert (got[key][1] == "primary") == (0 < v < threshold)
    suppressed = {key for key, (_, status) in got.items() if status != "published"}
    p = threshold if protection is None else protection
    assert unprotected(cells, suppressed, threshold, p, list(inner)) == []
    return out


SETTINGS = settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(random_table(2, [2, 3, 4]))
def test_every_small_cell_of_a_2d_table_is_suppressed_and_protected(table):
    check_protected(*table)


@SETTINGS
@given(random_table(3, [2]))
def test_every_small_cell_of_a_3d_table_is_suppressed_and_protected(table):
    check_protected(*table)


@settings(max_examples=2, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_table(4, [2]))
def test_every_small_cell_of_a_4d_table_is_suppressed_and_protected(table):
    # a short optimisation budget: after it the greedy completion must still protect
    check_protected(*table, time_limit=3.0)


def test_a_larger_protection_interval_is_honoured():
    levels = [["a", "b", "c"], ["x", "y", "z"]]
    inner = dict(zip(product(*levels), [2, 9, 14, 7, 8, 30, 11, 12, 6], strict=False))
    out = check_protected(levels, inner, threshold=3, protection=10)
    assert (out.status == "primary").sum() == 1


def test_zeros_are_not_sensitive_and_a_table_without_small_cells_is_published_whole():
    frame = pd.DataFrame({"g": ["f", "m", "x"], "n": [0, 7, 9]})
    out = protect(frame, ["g"], "n")
    assert list(out.status) == ["published"] * 4
    assert out[out.g == TOTAL].n.item() == 16


def test_a_small_total_is_suppressed_too():
    levels = [["a", "b"], ["x", "y", "z"]]
    inner = dict(zip(product(*levels), [1, 0, 2, 10, 20, 30], strict=False))
    out = check_protected(levels, inner)
    status = dict(zip(zip(out.dim0, out.dim1, strict=False), out.status, strict=False))
    assert status[("a", TOTAL)] == "primary"  # 3 = 1 + 0 + 2


def test_missing_combinations_count_as_zero():
    frame = pd.DataFrame({"a": ["p", "q"], "b": ["x", "y"], "n": [10, 12]})
    out = protect(frame, ["a", "b"], "n")
    assert len(out) == 9
    assert out[(out.a == "p") & (out.b == "y")].n.item() == 0


@pytest.mark.parametrize(
    ("frame", "message", "row", "column"),
    [
        (pd.DataFrame({"a": ["x"], "m": [3]}), "column 'n' is missing", None, "n"),
        (pd.DataFrame({"a": ["x", "y"], "n": [3, -1]}), "not a non-negative", 1, "n"),
        (pd.DataFrame({"a": ["x", "y"], "n": [3, 2.5]}), "not a non-negative", 1, "n"),
        (pd.DataFrame({"a": ["x", "y"], "n": ["3", "many"]}), "not a non-negative", 1, "n"),
        (pd.DataFrame({"a": ["x", "y", "x"], "n": [3, 4, 5]}), "duplicate", 2, "a"),
        (pd.DataFrame({"a": ["x", TOTAL], "n": [3, 4]}), "reserved", 1, "a"),
    ],
)
def test_bad_input_is_refused_with_its_location(frame, message, row, column):
    with pytest.raises(DisclosureError) as error:
        protect(frame, ["a"], "n")
    assert message in str(error.value)
    assert error.value.row == row
    assert error.value.column == column


def test_the_library_does_not_import_django():
    import subprocess
    import sys

    code = (
        "import sys, seire.disclosure; "
        "assert not [m for m in sys.modules if m.startswith('django')], 'django imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)  # noqa: S603
