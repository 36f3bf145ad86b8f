"""Tests for seire.periods: reporting periods as codes (2026M03, 2026Q1, 2026)."""

import doctest
from datetime import date, datetime, timedelta
from itertools import pairwise

import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st

from seire import periods
from seire.periods import (
    KINDS,
    MAX_YEAR,
    MIN_YEAR,
    Period,
    PeriodError,
    parse,
    period_of,
    period_range,
)

# -- strategies ---------------------------------------------------------------------------

years = st.integers(min_value=MIN_YEAR, max_value=MAX_YEAR)
months = st.builds(Period, years, st.just("M"), st.integers(min_value=1, max_value=12))
quarters = st.builds(Period, years, st.just("Q"), st.integers(min_value=1, max_value=4))
whole_years = st.builds(Period, years, st.just("Y"), st.just(1))
any_period = st.one_of(months, quarters, whole_years)
kinds = st.sampled_from(KINDS)
days = st.dates(min_value=date(MIN_YEAR, 1, 1), max_value=date(MAX_YEAR, 12, 31))


# -- parsing and codes ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026M03", Period(2026, "M", 3)),
        ("2026m03", Period(2026, "M", 3)),
        ("  2026Q1\n", Period(2026, "Q", 1)),
        ("2026q4", Period(2026, "Q", 4)),
        ("2026", Period(2026, "Y", 1)),
        ("1900M01", Period(1900, "M", 1)),
        ("2999M12", Period(2999, "M", 12)),
    ],
)
def test_it_parses_valid_codes(text, expected):
    assert parse(text) == expected


@pytest.mark.parametrize("code", ["2026M03", "2026M12", "2026Q1", "2026"])
def test_it_gives_the_canonical_code_as_its_string(code):
    assert str(parse(code)) == code
    assert parse(code).code == code


def test_it_writes_lower_case_input_back_in_upper_case():
    assert str(parse("2026m07")) == "2026M07"
    assert str(parse("2026q3")) == "2026Q3"


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ("2026M13", "month must be 01–12"),
        ("2026M00", "month must be 01–12"),
        ("2026M3", "two digits"),
        ("2026M003", "two digits"),
        ("2026Q0", "quarter must be 1–4"),
        ("2026Q5", "quarter must be 1–4"),
        ("2026Q01", "quarter must be 1–4"),
        ("1899", "year must be 1900–2999"),
        ("3000M01", "year must be 1900–2999"),
        ("0000Q1", "year must be 1900–2999"),
        ("", "empty"),
        ("   ", "empty"),
        ("26M03", "not in a recognised form"),
        ("20260", "not in a recognised form"),
        ("2026-03", "not in a recognised form"),
        ("2026 M03", "not in a recognised form"),
        ("2026M", "not in a recognised form"),
        ("2026Y", "not in a recognised form"),
        ("2026H1", "not in a recognised form"),
        ("M032026", "not in a recognised form"),
        ("२०२६", "not in a recognised form"),  # Devanagari digits
        ("2026M0３", "not in a recognised form"),  # full-width digit
        ("2026M03x", "not in a recognised form"),
        ("2026\nM03", "not in a recognised form"),
    ],
)
def test_it_rejects_bad_strings_with_a_message_saying_what_is_wrong(bad, message):
    with pytest.raises(PeriodError) as caught:
        parse(bad)
    text = str(caught.value)
    assert message in text
    assert repr(bad.strip()) in text
    assert "expected e.g. 2026M03, 2026Q1 or 2026" in text


def test_it_words_the_month_error_exactly_as_documented():
    with pytest.raises(PeriodError) as caught:
        parse("2026M13")
    assert str(caught.value) == (
        "'2026M13' is not a period: month must be 01–12 (expected e.g. 2026M03, 2026Q1 or 2026)"
    )


@pytest.mark.parametrize("bad", [None, 2026, 2026.0, b"2026M03", ["2026"], date(2026, 3, 1)])
def test_it_rejects_values_that_are_not_strings(bad):
    with pytest.raises(PeriodError, match="expected text"):
        parse(bad)


def test_it_makes_period_error_a_value_error():
    with pytest.raises(ValueError):
        parse("nonsense")


@pytest.mark.parametrize(
    ("year", "kind", "number", "message"),
    [
        (2026, "M", 13, "month must be 1–12"),
        (2026, "M", 0, "month must be 1–12"),
        (2026, "Q", 5, "quarter must be 1–4"),
        (2026, "Y", 2, "number must be 1 for a year"),
        (2026, "W", 1, "kind must be one of"),
        (1899, "Y", 1, "year must be 1900–2999"),
        ("2026", "Y", 1, "year must be an int"),
        (True, "Y", 1, "year must be an int"),
        (2026, "M", 3.0, "number must be an int"),
    ],
)
def test_it_refuses_to_construct_an_invalid_period(year, kind, number, message):
    with pytest.raises(PeriodError, match=message):
        Period(year, kind, number)


def test_it_defaults_the_number_of_a_year_to_one():
    assert Period(2026, "Y") == parse("2026")


# -- dates ------------------------------------------------------------------------------


def test_it_ends_february_of_a_leap_year_on_the_29th():
    assert parse("2024M02").end == date(2024, 2, 29)
    assert parse("2024M02").days == 29


def test_it_ends_february_of_a_common_year_on_the_28th():
    assert parse("2026M02").end == date(2026, 2, 28)
    assert parse("1900M02").end == date(1900, 2, 28)  # century, not a leap year
    assert parse("2000M02").end == date(2000, 2, 29)  # divisible by 400, leap year


def test_it_ends_the_fourth_quarter_on_31_december():
    assert parse("2026Q4").start == date(2026, 10, 1)
    assert parse("2026Q4").end == date(2026, 12, 31)


@pytest.mark.parametrize(
    ("code", "start", "end"),
    [
        ("2026M01", date(2026, 1, 1), date(2026, 1, 31)),
        ("2026M04", date(2026, 4, 1), date(2026, 4, 30)),
        ("2026Q1", date(2026, 1, 1), date(2026, 3, 31)),
        ("2026Q2", date(2026, 4, 1), date(2026, 6, 30)),
        ("2026Q3", date(2026, 7, 1), date(2026, 9, 30)),
        ("2026", date(2026, 1, 1), date(2026, 12, 31)),
    ],
)
def test_it_knows_the_first_and_last_day_of_each_period(code, start, end):
    assert (parse(code).start, parse(code).end) == (start, end)


# -- navigation -------------------------------------------------------------------------


def test_it_steps_back_from_january_into_december_of_the_year_before():
    assert parse("2026M01").previous() == parse("2025M12")


def test_it_steps_forward_across_year_ends():
    assert parse("2025M12").next() == parse("2026M01")
    assert parse("2025Q4").next() == parse("2026Q1")
    assert parse("2026Q1").previous() == parse("2025Q4")
    assert parse("2026").next() == parse("2027")
    assert parse("2026").previous() == parse("2025")


def test_it_refuses_to_step_outside_the_supported_years():
    with pytest.raises(PeriodError, match="1900M01 has no previous period"):
        parse("1900M01").previous()
    with pytest.raises(PeriodError, match="2999Q4 has no next period"):
        parse("2999Q4").next()


def test_it_climbs_the_parent_chain_from_month_to_quarter_to_year_to_none():
    month = parse("2026M08")
    assert month.parent() == parse("2026Q3")
    assert month.parent().parent() == parse("2026")
    assert month.parent().parent().parent() is None


@pytest.mark.parametrize(
    ("month", "quarter"),
    [("2026M01", "2026Q1"), ("2026M03", "2026Q1"), ("2026M04", "2026Q2"), ("2026M12", "2026Q4")],
)
def test_it_puts_each_month_in_the_right_quarter(month, quarter):
    assert parse(month).parent() == parse(quarter)


def test_it_lists_the_months_of_a_quarter_a_year_and_a_month():
    assert [str(m) for m in parse("2026Q3").months()] == ["2026M07", "2026M08", "2026M09"]
    assert len(parse("2026").months()) == 12
    assert parse("2026M05").months() == [parse("2026M05")]


def test_it_tells_whether_one_period_contains_another():
    year, q1 = parse("2026"), parse("2026Q1")
    assert year.contains(q1)
    assert year.contains("2026M12")
    assert q1.contains("2026M03")
    assert not q1.contains("2026M04")
    assert not q1.contains(year)
    assert not year.contains("2027M01")
    assert q1.contains(q1)
    assert "2026M02" in q1


# -- ranges -----------------------------------------------------------------------------


def test_it_makes_an_inclusive_range_across_a_year_end():
    assert [str(p) for p in period_range("2025M11", "2026M02")] == [
        "2025M11",
        "2025M12",
        "2026M01",
        "2026M02",
    ]


def test_it_accepts_periods_as_well_as_codes_for_a_range():
    assert period_range(parse("2025Q4"), "2026Q1") == [parse("2025Q4"), parse("2026Q1")]
    assert period_range("2024", parse("2026")) == [parse("2024"), parse("2025"), parse("2026")]


def test_it_makes_a_one_item_range_when_both_ends_are_equal():
    assert period_range("2026Q2", "2026Q2") == [parse("2026Q2")]


def test_it_refuses_a_range_whose_ends_are_of_different_kinds():
    with pytest.raises(PeriodError, match="same kind"):
        period_range("2026Q1", "2026M03")


def test_it_refuses_a_range_that_runs_backwards():
    with pytest.raises(PeriodError, match="2026M03 comes after 2026M02"):
        period_range("2026M03", "2026M02")


def test_it_refuses_a_range_with_a_bad_code():
    with pytest.raises(PeriodError, match="month must be 01–12"):
        period_range("2026M01", "2026M13")


# -- period_of --------------------------------------------------------------------------


def test_it_finds_the_period_containing_a_date():
    day = date(2026, 3, 31)
    assert period_of(day, "M") == parse("2026M03")
    assert period_of(day, "Q") == parse("2026Q1")
    assert period_of(day, "Y") == parse("2026")
    assert period_of(date(2026, 4, 1), "Q") == parse("2026Q2")


def test_it_treats_a_datetime_as_its_date():
    assert period_of(datetime(2026, 12, 31, 23, 59), "Q") == parse("2026Q4")


def test_it_refuses_an_unknown_kind_in_period_of():
    with pytest.raises(PeriodError, match="unknown period kind 'W'"):
        period_of(date(2026, 1, 1), "W")


def test_it_refuses_a_date_outside_the_supported_years():
    with pytest.raises(PeriodError, match="1899-12-31 has no period"):
        period_of(date(1899, 12, 31), "M")


def test_it_refuses_something_that_is_not_a_date_in_period_of():
    with pytest.raises(TypeError):
        period_of("2026-01-01", "M")


# -- labels -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "lang", "label"),
    [
        ("2026M03", "et", "märts 2026"),
        ("2026Q1", "et", "2026 I kvartal"),
        ("2026Q4", "et", "2026 IV kvartal"),
        ("2026", "et", "2026"),
        ("2026M03", "en", "March 2026"),
        ("2026Q1", "en", "Q1 2026"),
        ("2026Q3", "en", "Q3 2026"),
        ("2026", "en", "2026"),
        ("2026M03", "ru", "март 2026"),
        ("2026Q1", "ru", "I квартал 2026"),
        ("2026Q2", "ru", "II квартал 2026"),
        ("2026", "ru", "2026"),
        ("2026M01", "et", "jaanuar 2026"),
        ("2026M12", "en", "December 2026"),
        ("2026M05", "ru", "май 2026"),
    ],
)
def test_it_labels_periods_in_three_languages(code, lang, label):
    assert parse(code).label(lang) == label


def test_it_labels_in_estonian_by_default():
    assert parse("2026M09").label() == "september 2026"


def test_it_refuses_an_unknown_label_language():
    with pytest.raises(ValueError, match="unknown label language 'fi'"):
        parse("2026").label("fi")


# -- ordering and identity --------------------------------------------------------------


def test_it_sorts_by_start_date_with_longer_periods_first():
    codes = ["2026M04", "2025Q4", "2026M02", "2026", "2026Q2", "2026Q1", "2026M01", "2025"]
    assert [str(p) for p in sorted(map(parse, codes))] == [
        "2025",
        "2025Q4",
        "2026",
        "2026Q1",
        "2026M01",
        "2026M02",
        "2026Q2",
        "2026M04",
    ]


def test_it_can_be_used_as_a_dictionary_key():
    totals = {parse("2026M03"): 1}
    totals[parse("2026m03")] += 1
    assert totals == {Period(2026, "M", 3): 2}


def test_it_shows_its_fields_in_its_repr():
    assert repr(parse("2026Q1")) == "Period(year=2026, kind='Q', number=1)"


def test_it_is_immutable():
    period = parse("2026")
    with pytest.raises(AttributeError):
        period.year = 2027


def test_it_passes_its_own_doctests():
    result = doctest.testmod(periods, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0


# -- properties -------------------------------------------------------------------------


@given(any_period)
def test_it_round_trips_every_period_through_its_code(period):
    assert parse(str(period)) == period
    assert parse(f" {str(period).lower()}\t") == period


@given(any_period)
def test_it_undoes_previous_with_next(period):
    assume(period.start.year > MIN_YEAR or period.number > 1)
    assert period.previous().next() == period
    assert period.previous() < period


@given(any_period)
def test_it_undoes_next_with_previous(period):
    assume(period.end.year < MAX_YEAR or period.end.month < 12)
    assert period.next().previous() == period
    assert period.next().start == period.end + timedelta(days=1)


@given(st.one_of(quarters, whole_years))
def test_it_tiles_a_quarter_or_year_with_its_months_exactly(period):
    parts = period.months()
    assert len(parts) == period.length
    assert parts[0].start == period.start
    assert parts[-1].end == period.end
    for before, after in pairwise(parts):
        assert after.start == before.end + timedelta(days=1)
    assert sum(part.days for part in parts) == period.days
    assert all(period.contains(part) for part in parts)


@given(any_period)
def test_it_finds_each_period_again_from_its_first_and_last_day(period):
    assert period_of(period.start, period.kind) == period
    assert period_of(period.end, period.kind) == period


@given(days, kinds)
def test_it_puts_every_day_inside_the_period_found_for_it(day, kind):
    period = period_of(day, kind)
    assert period.kind == kind
    assert period.start <= day <= period.end


@given(any_period)
def test_it_is_contained_in_every_ancestor(period):
    ancestor = period.parent()
    while ancestor is not None:
        assert ancestor.contains(period)
        assert ancestor.start <= period.start
        ancestor = ancestor.parent()


@given(st.one_of(st.tuples(months, months), st.tuples(quarters, quarters)))
def test_it_orders_periods_of_one_kind_chronologically(pair):
    a, b = pair
    assert (a < b) == (a.start < b.start)
    assert (a == b) == (a.start == b.start)


@given(any_period.filter(lambda p: p.year < MAX_YEAR - 60), st.integers(0, 60))
@example(parse(str(MAX_YEAR - 61)), 60)  # the latest year let through, sixty years on
def test_it_builds_ranges_of_consecutive_periods(first, steps):
    last = first
    for _ in range(steps):
        last = last.next()
    span = period_range(first, last)
    assert len(span) == steps + 1
    assert span[0] == first
    assert span[-1] == last
    for before, after in pairwise(span):
        assert before.next() == after
        assert after.start == before.end + timedelta(days=1)


@given(st.text(max_size=12))
def test_it_either_parses_text_or_raises_period_error(text):
    try:
        period = parse(text)
    except PeriodError:
        return
    assert str(period) == text.strip().upper()
