"""`audit` intervals worked out by hand, and rounding to base 3 or 5."""

import pandas as pd

from seire.disclosure import TOTAL, audit, round_table


def protected_2x2(status_of_big):
    # f/young 4 is sensitive; the four inner cells are withheld, the margins published
    rows = []
    inner = {("f", "y"): 4, ("f", "o"): 6, ("m", "y"): 7, ("m", "o"): 20}
    for (s, a), v in inner.items():
        rows.append((s, a, v, "primary" if v == 4 else status_of_big))
    rows += [("f", TOTAL, 10, "published"), ("m", TOTAL, 27, "published")]
    rows += [(TOTAL, "y", 11, "published"), (TOTAL, "o", 26, "published")]
    rows += [(TOTAL, TOTAL, 37, "published")]
    return pd.DataFrame(rows, columns=["sex", "age", "n", "status"])


def test_the_interval_of_a_cell_in_a_suppressed_rectangle():
    # f/y = t, f/o = 10 - t, m/y = 11 - t, m/o = 16 + t, all >= 0: t in [0, 10]
    result = audit(protected_2x2("secondary"), ["sex", "age"], "n", protection=5)
    cell = result[(result.sex == "f") & (result.age == "y")].iloc[0]
    assert (cell.low, cell.high, bool(cell.ok)) == (0, 10, True)
    other = result[(result.sex == "m") & (result.age == "o")].iloc[0]
    assert (other.low, other.high) == (16, 26)


def test_a_too_narrow_interval_is_reported():
    result = audit(protected_2x2("secondary"), ["sex", "age"], "n", protection=7)
    assert list(result[~result.ok].n) == [4]  # 10 < 4 + 7


def test_a_published_small_cell_is_reported_when_the_threshold_is_given():
    frame = protected_2x2("secondary")
    frame.loc[frame.n == 4, "status"] = "published"
    assert audit(frame, ["sex", "age"], "n", protection=5).ok.all()
    result = audit(frame, ["sex", "age"], "n", protection=5, threshold=5)
    assert list(result[~result.ok].n) == [4]


def test_rounding_to_base_5_rounds_totals_independently_and_states_the_method():
    frame = pd.DataFrame({"g": ["f", "m", "x"], "n": [2, 2, 9]})
    out = round_table(frame, ["g"], "n", base=5)
    assert list(out.n) == [0, 0, 10, 15]  # 13 rounds to 15, not 0 + 0 + 10
    assert set(out.method) == {"rounded to base 5; totals rounded independently"}


def test_rounding_to_base_3():
    frame = pd.DataFrame({"g": ["f", "m", "x"], "n": [1, 2, 0]})
    assert list(round_table(frame, ["g"], "n", base=3).n) == [0, 3, 0, 3]
