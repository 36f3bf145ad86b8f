"""The validation-rule expression parser: what it accepts, what it refuses, how it counts."""

import contextlib
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from seire.collection.expressions import ExpressionError, evaluate, modified_z, parse, references


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 + 2 * 3", 7),
        ("(1 + 2) * 3", 9),
        ("10 / 4", Decimal("2.5")),
        ("-2 + 5", 3),
        ("2 - 3 - 4", -5),
        ("A + B[female] * 2", 1 + 2 * 2),
        ("A[female.18-25]", 2),
        ("A[66+]", 2),
    ],
)
def test_it_evaluates_with_the_usual_precedence(text, expected):
    values = {"A": 1, "B": 2}
    lookup = lambda code, options: 2 if options else values[code]  # noqa: E731
    assert evaluate(parse(text), lookup) == Decimal(expected)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("1 +", "ends too early"),
        ("(1 + 2", "not closed"),
        ("1 + )", "position 5"),
        ("A[]", "bad option list"),
        ("A[a b]", "bad option list"),
        ("__import__('os')", "position 1"),
        ("A; B", "position 2"),
        ("1 2", "unexpected '2' at position 3"),
    ],
)
def test_it_refuses_malformed_expressions_with_a_position(text, message):
    with pytest.raises(ExpressionError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse(text)


def test_it_lists_the_cells_an_expression_reads():
    assert references(parse("A - A[female] - (B[male.0-17] * 2)")) == {
        ("A", ()),
        ("A", ("female",)),
        ("B", ("male", "0-17")),
    }


def test_it_gives_none_for_a_division_by_zero():
    assert evaluate(parse("A / B"), lambda code, options: 0) is None


@given(st.text(max_size=40))
def test_it_never_crashes_on_arbitrary_text(text):
    with contextlib.suppress(ExpressionError):
        evaluate(parse(text), lambda code, options: 1)


def test_it_computes_the_modified_z_score_like_an_independent_calculation():
    history = [12, 15, 11, 14, 13, 40, 12, 16]
    # Independent: median 13.5; |x - 13.5| = 1.5 1.5 2.5 .5 .5 26.5 1.5 2.5 → MAD 1.5
    assert modified_z(25, history) == pytest.approx(0.6745 * (25 - 13.5) / 1.5)
    assert modified_z(25, history[:3]) is None  # too little history
    assert modified_z(10, [10, 10, 10, 10]) is None  # flat and equal: nothing to flag
    assert modified_z(30, [10, 10, 10, 10]) == float("inf")
