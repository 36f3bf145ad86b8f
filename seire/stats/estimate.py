"""The `Estimate` every function of `seire.stats` returns, and how inputs are cleaned."""

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Estimate:
    """A value with its interval and the number of observations behind it.

    `value`, `low` and `high` are None when nothing can be said (n = 0, or a spread that is
    undefined); `low` and `high` alone are None when there is a value but no interval
    (e.g. a mean of one observation). When all three are given, low ≤ value ≤ high.

    >>> Estimate.nothing(0)
    Estimate(value=None, low=None, high=None, n=0)
    """

    value: float | None
    low: float | None
    high: float | None
    n: int

    @classmethod
    def nothing(cls, n: int) -> "Estimate":
        """No value and no interval from `n` observations."""
        return cls(None, None, None, n)


def _number(x, where: str) -> float | None:
    """`x` as a float; None for a missing value (None or NaN); ValueError otherwise."""
    if x is None:
        return None
    if isinstance(x, bool | str | bytes):
        raise ValueError(f"{where}: {x!r} is not a number")
    try:
        value = float(x)
    except (TypeError, ValueError):
        raise ValueError(f"{where}: {x!r} is not a number") from None
    if math.isnan(value):
        return None
    if math.isinf(value):
        raise ValueError(f"{where}: {x!r} is not a finite number")
    return value


def numbers(values: Iterable, name: str = "values") -> list[float]:
    """The numbers of `values` as floats, missing ones (None, NaN) left out.

    Raises ValueError naming the position of anything that is not a finite number.

    >>> numbers([1, None, 2.5, float("nan")])
    [1.0, 2.5]
    """
    if values is None:
        return []
    cleaned = []
    for i, x in enumerate(values):
        value = _number(x, f"{name}[{i}]")
        if value is not None:
            cleaned.append(value)
    return cleaned


def pairs(
    first: Sequence, second: Sequence, names: tuple[str, str] = ("before", "after")
) -> list[tuple[float, float]]:
    """The complete pairs of two equally long sequences (a pair with a missing side is left
    out); ValueError when the lengths differ or a value is not a finite number.

    >>> pairs([1, None, 3], [2, 5, None])
    [(1.0, 2.0)]
    """
    first = [] if first is None else list(first)
    second = [] if second is None else list(second)
    if len(first) != len(second):
        raise ValueError(
            f"{names[0]} and {names[1]} must be equally long, got {len(first)} and {len(second)}"
        )
    complete = []
    for i, (a, b) in enumerate(zip(first, second, strict=True)):
        x, y = _number(a, f"{names[0]}[{i}]"), _number(b, f"{names[1]}[{i}]")
        if x is not None and y is not None:
            complete.append((x, y))
    return complete


def check_confidence(confidence: float) -> None:
    """ValueError unless 0 < confidence < 1."""
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1, got {confidence!r}")
