"""A time dimension published by month, quarter and year: linked by its sums."""

from itertools import product

import numpy as np
import pandas as pd
import pytest

from seire.disclosure import TOTAL, DisclosureError, audit_linked, protect, protect_linked
from tests.disclosure.independent import independently_checked, narrowed

DIMS = ["a", "b", "month"]
MONTHS = ["2025M11", "2025M12", "2026M01", "2026M02"]
# found by search: each table protected alone is safe, the two together are not
COUNTS = [0, 0, 0, 9, 0, 1, 0, 6, 0, 3, 2, 9, 0, 12, 2, 12, 3, 4, 6, 12, 1, 12, 6, 6]


def base():
    frame = pd.DataFrame(list(product("pqr", "xy", MONTHS)), columns=DIMS)
    frame["n"] = COUNTS
    return frame


def protected_alone(frame, table):
    """One aggregation protected as if it were the only table (years summed here)."""
    names = [entry.split(":")[0] for entry in table]
    agg = frame.assign(month=[m[:4] for m in frame.month]) if "month:year" in table else frame
    small = agg.groupby(names, as_index=False, sort=False).n.sum()
    out = protect(small, names, "n").assign(**{d: TOTAL for d in DIMS if d not in names})
    return out.assign(table=",".join(table))[["table", *DIMS, "n", "status"]]


def test_a_month_table_and_a_year_table_are_unsafe_together_and_protected_jointly():
    frame = base()
    monthly = protected_alone(frame, ("b", "month"))
    yearly = protected_alone(frame, ("a", "month:year"))
    assert independently_checked(monthly, frame, DIMS) == []
    assert independently_checked(yearly, frame, DIMS) == []
    union = pd.concat([monthly, yearly], ignore_index=True)
    shown = set(union[union.status == "published"][DIMS].itertuples(index=False))
    union.loc[union[DIMS].apply(tuple, axis=1).isin(shown), "status"] = "published"
    leaks = independently_checked(union, frame, DIMS)
    assert ("TOTAL", "y", "2025M11") in [key for key, _, _ in leaks]  # 1, narrowed to [0, 4]
    assert not audit_linked(union, frame, DIMS, "n", 5).ok.all()

    joint = protect_linked(frame, DIMS, "n", [("b", "month"), ("a", "month:year")])
    assert set(joint.table) == {"b,month", "a,month:year"}
    assert sorted(set(joint[joint.table == "a,month:year"].month)) == ["2025", "2026", TOTAL]
    assert independently_checked(joint, frame, DIMS) == []
    assert audit_linked(joint, frame, DIMS, "n", 5, threshold=5).ok.all()


def test_quarters_add_up_from_months_and_a_single_year_is_the_total():
    frame = base()
    out = protect_linked(frame, DIMS, "n", [("month:quarter",), ("a", "month:year")])
    quarters = out[out.table == "month:quarter"].set_index("month").n
    by_hand = {
        "2025Q4": frame[frame.month.isin(["2025M11", "2025M12"])].n.sum(),
        "2026Q1": frame[frame.month.isin(["2026M01", "2026M02"])].n.sum(),
        TOTAL: frame.n.sum(),
    }
    assert quarters.to_dict() == by_hand
    one_year = frame[frame.month.str.startswith("2026")]
    years = protect_linked(one_year, DIMS, "n", [("a", "month:year")])
    rows = years[years.a == TOTAL].set_index("month")
    assert rows.loc["2026", "n"] == rows.loc[TOTAL, "n"] == by_hand["2026Q1"]
    assert rows.loc["2026", "status"] == rows.loc[TOTAL, "status"]  # one cell, two names


def test_earlier_month_cells_are_held_when_quarters_are_published():
    frame = base()
    earlier = protect_linked(frame, DIMS, "n", [("b", "month")])
    later = protect_linked(frame, DIMS, "n", [("a", "month:quarter")], fixed=earlier)
    assert audit_linked(later, frame, DIMS, "n", 5, fixed=earlier).ok.all()
    union = pd.concat([earlier, later], ignore_index=True)
    assert independently_checked(union, frame, DIMS) == []


@pytest.mark.parametrize(
    ("labels", "table", "message", "row"),
    [
        (["2026M01", "June"], ("month:quarter",), "'June' is not a period code", 1),
        (["2026M01", "2026Q1"], ("month:year",), "not a mix of M, Q", None),
        (["2026Q1", "2026Q2"], ("month:week",), "the level must be one of", None),
        (["2026", "2027"], ("month:quarter",), "already coarser than a quarter", None),
    ],
)
def test_a_bad_time_dimension_is_refused_with_its_location(labels, table, message, row):
    frame = pd.DataFrame({"month": labels, "n": [3, 9]})
    with pytest.raises(DisclosureError) as error:
        protect_linked(frame, ["month"], "n", [table])
    assert message in str(error.value)
    assert error.value.row == row


HALF_YEAR = [f"2025M0{m}" for m in range(1, 7)]
Q1, Q2 = "month:total@2025M01..2025M03", "month:total@2025M04..2025M06"


def half_year():
    """Two small cells in the first quarter that the second quarter's counts dwarf."""
    frame = pd.DataFrame(list(product("pq", "xy", HALF_YEAR)), columns=DIMS)
    frame["n"] = [1, 0, 1, 4, 3, 5] + [3, 4, 2, 6, 5, 4] + [4, 3, 5, 6, 7, 3] + [5, 6, 4, 2, 7, 6]
    return frame


def test_quarterly_releases_then_a_half_year_release_are_protected_over_their_union():
    frame = half_year()
    # each release protected alone, over its own quarter or half year: safe one by one ...
    quarters = []
    for span in (Q1, Q2):
        months = frame[frame.month.between(*span.split("@")[1].split(".."))]
        alone = protect(months.groupby(["a", "b"], as_index=False).n.sum(), ["a", "b"], "n")
        label = span.split("@")[1]
        quarters.append(alone.assign(month=label, table=f"a,b,{span}"))
    half = protect(frame.groupby(["a", "b"], as_index=False).n.sum(), ["a", "b"], "n")
    half = half.assign(month=TOTAL, table="a,b")
    for release in [*quarters, half]:
        assert independently_checked(release, frame, DIMS) == []
    # ... but a reader subtracts the second quarter from the half year
    union = pd.concat([*quarters, half], ignore_index=True)
    leaks = [key for key, _, _ in independently_checked(union, frame, DIMS)]
    assert ("p", "x", "2025M01..2025M03") in leaks

    # Seire protects each release with everything published before held as equations
    first = protect_linked(frame, DIMS, "n", [("a", "b", Q1)])
    assert set(first.month) == {"2025M01..2025M03"}
    second = protect_linked(frame, DIMS, "n", [("a", "b", Q2)], fixed=first)
    before = pd.concat([first, second], ignore_index=True)
    third = protect_linked(frame, DIMS, "n", [("a", "b")], fixed=before)
    union = pd.concat([before, third], ignore_index=True)
    assert audit_linked(third, frame, DIMS, "n", 5, fixed=before).ok.all()
    assert independently_checked(union, frame, DIMS) == []
    assert (third.status != "published").any()  # the half year pays for the first quarter


def test_a_span_table_shows_the_periods_inside_and_the_span_total():
    frame = half_year()
    out = protect_linked(frame, DIMS, "n", [("month:quarter@2025M04..2025M06",)])
    assert list(out.month) == ["2025Q2", "2025M04..2025M06"]  # one cell, named twice
    assert out.n.tolist() == [frame[frame.month >= "2025M04"].n.sum()] * 2
    months = protect_linked(frame, DIMS, "n", [("b", "month@2025M02..2025M03")])
    assert sorted(set(months.month)) == ["2025M02", "2025M02..2025M03", "2025M03"]


@pytest.mark.parametrize(
    ("labels", "entry", "message"),
    [
        (["2025Q1", "2025Q2"], "month@2025M02..2025Q1", "cuts through 2025Q1"),
        (["2025M01", "2025M02"], "month:total", "needs a span"),
        (["2025M01", "2025M02"], "month@2025M05..2025M02", "ends before it starts"),
        (["2025M01", "2025M02"], "month@2025M01-2025M03", "is not a span of periods"),
    ],
)
def test_a_bad_span_is_refused_clearly(labels, entry, message):
    frame = pd.DataFrame({"month": labels, "n": [3, 9]})
    with pytest.raises(DisclosureError, match=message):
        protect_linked(frame, ["month"], "n", [(entry,)])


def year_to_date():
    """Three months of two groups; group p had 2 clients in March."""
    frame = pd.DataFrame(
        list(product("pq", ["2026M01", "2026M02", "2026M03"])), columns=["a", "month"]
    )
    frame["n"] = [20, 25, 2, 30, 40, 35]
    return frame


def ytd(month: str) -> tuple[str, str]:
    return ("a", f"month:total@2026M01..{month}")


def test_a_month_no_table_shows_is_protected_when_year_to_date_tables_give_it():
    frame, dims = year_to_date(), ["a", "month"]
    # year-to-date tables alone have no small cell, so protected one by one nothing is
    # withheld, and March is the difference of the last two: 2 for group p
    alone = [protect_linked(frame, dims, "n", [ytd(m)]) for m in ("2026M01", "2026M02", "2026M03")]
    assert all((table.status == "published").all() for table in alone)
    union = pd.concat(alone, ignore_index=True)
    assert narrowed(union, frame, dims, {"a": "p", "month": "2026M03"}) == (2, 2)

    # Seire's releases, each holding the ones before: March is a sensitive cell of the last
    released = pd.DataFrame()
    for month in ("2026M01", "2026M02", "2026M03"):
        fixed = released if len(released) else None
        release = protect_linked(frame, dims, "n", [ytd(month)], fixed=fixed)
        report = audit_linked(release, frame, dims, "n", 5, threshold=5, fixed=fixed)
        assert report.ok.all()
        released = pd.concat([released, release], ignore_index=True)
    derived = report[report.status == "derived"].set_index(["a", "month"])
    assert derived.loc[("p", "2026M03"), "sensitive"]
    assert not derived.loc[("q", "2026M03"), "sensitive"]  # 35: derived, not small
    low, high = narrowed(released, frame, dims, {"a": "p", "month": "2026M03"})
    assert low <= 0 and high >= 2 + 5  # the reader cannot tell March's 2 from 0 or 7
    assert independently_checked(released, frame, dims) == []


def test_monthly_year_to_date_releases_keep_every_small_month_and_pair_of_months_protected():
    # Each month a release of the year to date by county and gender; the others in a
    # month's county give a small month away unless it is protected where withheld too.
    rng = np.random.default_rng(3)
    months = [f"2026M{m:02d}" for m in range(1, 7)]
    frame = pd.DataFrame(list(product("pqrs", "fmu", months)), columns=["a", "b", "month"])
    frame["n"] = rng.poisson(np.where(frame.b == "u", 1.5, 8))
    dims, released = ["a", "b", "month"], pd.DataFrame()
    for month in months:
        fixed = released if len(released) else None
        table = ("a", "b", f"month:total@2026M01..{month}")
        release = protect_linked(frame, dims, "n", [table], fixed=fixed)
        assert audit_linked(release, frame, dims, "n", 5, threshold=5, fixed=fixed).ok.all()
        released = pd.concat([released, release], ignore_index=True)
    checked = 0
    for a, b, first in product([*"pqrs", None], [*"fmu", None], range(len(months))):
        for span in (months[first : first + 1], months[first : first + 2]):
            where = {"month": span} | ({"a": a} if a else {}) | ({"b": b} if b else {})
            n = frame[np.logical_and.reduce([frame[d].isin([v] if d != "month" else v)
                                             for d, v in where.items()])].n.sum()  # fmt: skip
            if 0 < n < 5:
                low, high = narrowed(released, frame, dims, where)
                assert low <= max(0, n - 5) + 1e-6 and high >= n + 5 - 1e-6, (where, n, low, high)
                checked += 1
    assert checked > 20


def test_a_month_earlier_releases_gave_away_does_not_block_the_next_release():
    frame = pd.DataFrame(list(product("pq", [f"2026M0{m}" for m in range(1, 5)])),
                         columns=["a", "month"])  # fmt: skip
    frame["n"] = [20, 25, 2, 30, 30, 40, 35, 33]
    dims = ["a", "month"]
    # released before Seire linked them: March of p (2) is their difference
    earlier = pd.concat(
        [protect_linked(frame, dims, "n", [ytd(m)]) for m in ("2026M02", "2026M03")]
    )
    assert narrowed(earlier, frame, dims, {"a": "p", "month": "2026M03"}) == (2, 2)
    # nothing withheld now can help March: April's release goes ahead, its audit clean
    april = protect_linked(frame, dims, "n", [ytd("2026M04")], fixed=earlier)
    assert audit_linked(april, frame, dims, "n", 5, threshold=5, fixed=earlier).ok.all()
    assert (april.status == "published").all()  # nor withholds anything in vain for it
