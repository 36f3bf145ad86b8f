"""Cubes built from episodes and statistics values, checked against hand-counted tables."""

from datetime import date

import pytest

from seire.collection.models import (
    Category,
    CategoryOption,
    DataElement,
    Dataset,
    DataValue,
    Disaggregation,
    Episode,
    OptionCombo,
)
from seire.publishing.cubes import NOT_REPORTED, CubeError, CubeSpec, build_cube


def episode(cast, n, unit, county, opened, client=None, closed=None, **fields):
    return Episode.objects.create(
        source_id=f"E{n}",
        client_key=client or f"K{n}",
        service=cast.vs,
        unit=unit,
        county=county,
        opened=opened,
        closed=closed,
        **fields,
    )


@pytest.fixture
def episodes(cast):
    h, t = cast.harju_vs, cast.tartu_vs
    episode(cast, 1, h, cast.harju, date(2026, 1, 5), gender="female", client="A")
    episode(cast, 2, h, cast.harju, date(2026, 1, 20), gender="female", client="A")
    episode(cast, 3, h, cast.harju, date(2026, 2, 3), gender="male", client="B")
    episode(cast, 4, t, cast.tartu, date(2026, 2, 9), gender="female", client="A",
            closed=date(2026, 3, 1))  # fmt: skip
    episode(cast, 5, t, None, date(2026, 3, 9), gender="", client="C", closed=date(2026, 3, 2 + 7))
    episode(cast, 6, t, cast.tartu, date(2025, 12, 31), gender="female", client="D")
    episode(cast, 7, t, cast.tartu, date(2027, 1, 1), gender="female", client="E")


def cells(frame, *dims):
    return {tuple(row[d] for d in dims): row["value"] for _, row in frame.iterrows()}


def test_it_counts_episodes_by_county_and_gender_with_zeros(cast, episodes):
    spec = CubeSpec("episodes", ("county", "gender"), period_from="2026Q1", period_to="2026Q1",
                    granularity="quarter")  # fmt: skip
    got = cells(build_cube(spec), "county", "gender")
    assert got[("HARJU", "female")] == 2
    assert got[("HARJU", "male")] == 1
    assert got[("TARTU", "female")] == 1
    assert got[("TARTU", "male")] == 0  # a zero is a cell, not a gap
    assert got[("TARTU", "other_unknown")] == 0
    assert got[(NOT_REPORTED, NOT_REPORTED)] == 1
    assert sum(got.values()) == 5  # 2025 and 2027 episodes are outside the range
    # full cross product: 2 counties + not reported × 3 genders + not reported
    assert len(got) == 3 * 4


def test_it_puts_episodes_in_months_of_their_opening(cast, episodes):
    spec = CubeSpec("episodes", ("period",), period_from="2026M01", period_to="2026M04")
    assert cells(build_cube(spec), "period") == {
        ("2026M01",): 2,
        ("2026M02",): 2,
        ("2026M03",): 1,
        ("2026M04",): 0,
    }


def test_it_counts_a_client_once_a_year_at_the_first_episode(cast, episodes):
    spec = CubeSpec("clients", ("period", "county"), period_from="2026M01", period_to="2026M03")
    got = cells(build_cube(spec), "period", "county")
    # A: January in Harju (not again in February in Tartu); B: February Harju; C: March.
    assert got[("2026M01", "HARJU")] == 1
    assert got[("2026M02", "HARJU")] == 1
    assert got[("2026M02", "TARTU")] == 0
    assert got[("2026M03", NOT_REPORTED)] == 1
    assert sum(got.values()) == 3


def test_it_counts_closed_episodes_by_closing_date(cast, episodes):
    spec = CubeSpec("closed_episodes", ("unit",), period_from="2026", period_to="2026",
                    granularity="year")  # fmt: skip
    assert cells(build_cube(spec), "unit") == {("TARTU-VS",): 2}


def test_it_filters_on_a_dimension_it_does_not_show(cast, episodes):
    spec = CubeSpec("episodes", ("county",), {"gender": ("female",)}, "2026", "2026", "year")
    assert cells(build_cube(spec), "county") == {
        ("HARJU",): 2,
        ("TARTU",): 1,
    }  # no female episode lacks a county, so "not reported" is not a category here


def test_it_sums_a_statistics_element_by_gender_without_the_total_column(cast):
    gender = Category.objects.create(code="gender", name_et="sugu", name_en="gender")
    female = CategoryOption.objects.create(category=gender, code="female", name_et="n", name_en="f")
    male = CategoryOption.objects.create(category=gender, code="male", name_et="m", name_en="m")
    dis = Disaggregation.objects.create(code="gender", name_et="Sugu", name_en="Gender")
    dis.categories.add(gender)
    combos = {}
    for code, opt in [("female", female), ("male", male), ("total", None)]:
        combos[code] = OptionCombo.objects.create(
            disaggregation=dis, code=code, name_et=code, name_en=code
        )
        if opt:
            combos[code].options.add(opt)
    ds = Dataset.objects.create(code="WSC_M", name_et="W", name_en="W", service=cast.wsc,
                                period_type="M")  # fmt: skip
    el = DataElement.objects.create(dataset=ds, code="CLIENTS", name_et="Kl", name_en="Cl",
                                    disaggregation=dis)  # fmt: skip
    for period, f, m in [("2026M01", 3, 1), ("2026M02", 4, 0)]:
        for code, v in [("female", f), ("male", m), ("total", f + m)]:
            DataValue.objects.create(element=el, combo=combos[code], unit=cast.tartu_wsc,
                                     period=period, value=v)  # fmt: skip
    spec = CubeSpec("values:WSC_M.CLIENTS", ("county", "gender"), {"county": ["TARTU"]},
                    "2026Q1", "2026Q1", "quarter")  # fmt: skip
    assert cells(build_cube(spec), "county", "gender") == {
        ("TARTU", "female"): 7,
        ("TARTU", "male"): 1,
    }
    total = CubeSpec("values:WSC_M.CLIENTS", ("service",), {}, "2026", "2026", "year")
    assert cells(build_cube(total), "service") == {("WSC",): 8}
    with pytest.raises(CubeError, match="cannot be broken down by crime_type"):
        build_cube(CubeSpec("values:WSC_M.CLIENTS", ("crime_type",), {}, "2026", "2026", "year"))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"dims": ()}, "dims: choose at least one dimension"),
        ({"dims": ("county", "county")}, "named twice"),
        ({"granularity": "week"}, "granularity: 'week' is not one of month, quarter, year"),
        ({"period_from": "2026M02", "granularity": "quarter"}, "does not start a quarter"),
        ({"period_to": "2026M13"}, "period_to: "),
        ({"period_from": "2027"}, "comes after"),
        ({"filters": {"period": ["2026M01"]}}, "filter periods with period_from"),
    ],
)
def test_it_refuses_a_malformed_spec_saying_where(kwargs, message):
    args = {"measure": "episodes", "dims": ("county",), "period_from": "2026M01",
            "period_to": "2026M12"} | kwargs  # fmt: skip
    with pytest.raises(CubeError, match=message):
        CubeSpec(**args)


def test_it_refuses_unknown_measures_and_filter_codes(cast):
    with pytest.raises(CubeError, match="measure: unknown measure 'victims'"):
        CubeSpec("victims", ("county",), {}, "2026", "2026", "year").check()
    with pytest.raises(CubeError, match="unknown gender code"):
        CubeSpec("episodes", ("county",), {"gender": ["f"]}, "2026", "2026", "year").check()
    with pytest.raises(CubeError, match="no statistics-table element X.Y"):
        CubeSpec("values:X.Y", ("county",), {}, "2026", "2026", "year").check()


def test_a_spec_survives_a_round_trip_and_is_hashable():
    spec = CubeSpec("episodes", ["county", "period"], {"gender": ["male", "female"]},
                    "2026M01", "2026M06")  # fmt: skip
    again = CubeSpec.from_dict(spec.to_dict())
    assert again == spec and hash(again) == hash(spec)


def test_it_builds_a_cube_with_a_few_queries_whatever_its_size(
    cast, episodes, django_assert_max_num_queries
):
    small = CubeSpec("episodes", ("county",), {}, "2026M01", "2026M01")
    large = CubeSpec("episodes", ("period", "county", "crime_type", "gender"), {}, "2026M01",
                     "2026M12")  # fmt: skip
    with django_assert_max_num_queries(8):
        build_cube(small)
    with django_assert_max_num_queries(8):
        frame = build_cube(large)
    assert len(frame) == 12 * 3 * 13 * 4  # months × counties × crime types × genders
