"""Reporting periods written as short codes.

Seire reports on three kinds of period, each with one canonical spelling:

* monthly ``2026M03`` (kind ``"M"``, month 01–12, always two digits),
* quarterly ``2026Q1`` (kind ``"Q"``, quarter 1–4),
* yearly ``2026`` (kind ``"Y"``).

Years run from 1900 to 2999. This module is plain Python (standard library only) so it can
be used anywhere: models, imports, templates, the command line.

>>> p = parse("2026m03")
>>> p
Period(year=2026, kind='M', number=3)
>>> str(p), p.start, p.end
('2026M03', datetime.date(2026, 3, 1), datetime.date(2026, 3, 31))
>>> str(p.parent()), str(p.parent().parent())
('2026Q1', '2026')
>>> p.label("et"), p.label("en"), p.label("ru")
('märts 2026', 'March 2026', 'март 2026')
>>> [str(q) for q in period_range("2025Q4", "2026Q2")]
['2025Q4', '2026Q1', '2026Q2']
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Literal, cast

__all__ = [
    "KINDS",
    "LANGUAGES",
    "MAX_YEAR",
    "MIN_YEAR",
    "Kind",
    "Period",
    "PeriodError",
    "parse",
    "period_of",
    "period_range",
]

Kind = Literal["M", "Q", "Y"]

#: The period kinds, shortest first: month, quarter, year.
KINDS: tuple[Kind, ...] = ("M", "Q", "Y")

#: The earliest and latest year a period may fall in (inclusive).
MIN_YEAR = 1900
MAX_YEAR = 2999

#: Months in one period of each kind.
_LENGTH: dict[str, int] = {"M": 1, "Q": 3, "Y": 12}
#: How many periods of each kind make up a year.
_PER_YEAR: dict[str, int] = {"M": 12, "Q": 4, "Y": 1}

_EXPECTED = "(expected e.g. 2026M03, 2026Q1 or 2026)"

# ASCII digits only: ``\d`` would also accept e.g. Arabic-Indic digits, which int() parses.
_CODE = re.compile(r"([0-9]{4})(?:([MQ])([0-9]+))?", re.IGNORECASE)

_ROMAN = ("I", "II", "III", "IV")

_MONTHS: dict[str, tuple[str, ...]] = {
    "et": (
        "jaanuar",
        "veebruar",
        "märts",
        "aprill",
        "mai",
        "juuni",
        "juuli",
        "august",
        "september",
        "oktoober",
        "november",
        "detsember",
    ),
    "en": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
    "ru": (
        "январь",
        "февраль",
        "март",
        "апрель",
        "май",
        "июнь",
        "июль",
        "август",
        "сентябрь",
        "октябрь",
        "ноябрь",
        "декабрь",
    ),
}

#: Label patterns per language for months, quarters and years.
_LABELS: dict[str, dict[str, str]] = {
    "et": {"M": "{month} {year}", "Q": "{year} {roman} kvartal", "Y": "{year}"},
    "en": {"M": "{month} {year}", "Q": "Q{number} {year}", "Y": "{year}"},
    "ru": {"M": "{month} {year}", "Q": "{roman} квартал {year}", "Y": "{year}"},
}

#: Languages :meth:`Period.label` understands.
LANGUAGES: tuple[str, ...] = tuple(_LABELS)


class PeriodError(ValueError):
    """A text is not a valid period code, or periods were combined in an invalid way.

    It is a :class:`ValueError`, so callers that already catch ``ValueError`` (form
    validation, import parsers) handle it without changes.
    """


def _check_year(year: int, what: str) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise PeriodError(f"{what}: year must be {MIN_YEAR}–{MAX_YEAR}")


@dataclass(frozen=True, order=True)
class Period:
    """One month, quarter or year.

    Build one with :func:`parse` (from a code), :func:`period_of` (from a date) or directly:
    ``Period(2026, "Q", 1)``. ``number`` is the month (1–12) for ``"M"``, the quarter (1–4)
    for ``"Q"`` and always 1 for ``"Y"``. Invalid combinations raise :class:`PeriodError`.

    Periods are immutable and hashable, so they can be dictionary keys. They sort by start
    date, and periods starting on the same day sort longest first, so a year comes right
    before its first quarter, which comes right before its first month. For periods of one
    kind this is plain chronological order.

    >>> [str(p) for p in sorted(map(parse, ["2026M04", "2026M02", "2026", "2026Q2", "2026Q1"]))]
    ['2026', '2026Q1', '2026M02', '2026Q2', '2026M04']
    >>> Period(2026, "M", 13)
    Traceback (most recent call last):
    ...
    seire.periods.PeriodError: Period(year=2026, kind='M', number=13) is not a period: month must be 1–12
    """  # noqa: E501

    # Sort key, compared before the public fields: (first month counted from year 0,
    # minus length in months). Derived in __post_init__, hidden from init and repr.
    _sort_key: tuple[int, int] = field(init=False, repr=False)
    year: int
    kind: Kind
    number: int = 1

    def __post_init__(self) -> None:
        what = f"Period(year={self.year!r}, kind={self.kind!r}, number={self.number!r})"
        what += " is not a period"
        if type(self.year) is not int:
            raise PeriodError(f"{what}: year must be an int")
        if self.kind not in KINDS:
            raise PeriodError(f"{what}: kind must be one of 'M', 'Q' or 'Y'")
        if type(self.number) is not int:
            raise PeriodError(f"{what}: number must be an int")
        _check_year(self.year, what)
        if self.kind == "M" and not 1 <= self.number <= 12:
            raise PeriodError(f"{what}: month must be 1–12")
        if self.kind == "Q" and not 1 <= self.number <= 4:
            raise PeriodError(f"{what}: quarter must be 1–4")
        if self.kind == "Y" and self.number != 1:
            raise PeriodError(f"{what}: number must be 1 for a year")
        object.__setattr__(self, "_sort_key", (self._index_of_first_month(), -self.length))

    # -- basic facts -------------------------------------------------------------------

    @property
    def code(self) -> str:
        """The canonical code: ``2026M03``, ``2026Q1`` or ``2026``.

        >>> Period(2026, "M", 3).code, Period(2026, "Q", 1).code, Period(2026, "Y").code
        ('2026M03', '2026Q1', '2026')
        """
        if self.kind == "M":
            return f"{self.year}M{self.number:02d}"
        if self.kind == "Q":
            return f"{self.year}Q{self.number}"
        return str(self.year)

    def __str__(self) -> str:
        return self.code

    @property
    def length(self) -> int:
        """How many months the period spans: 1, 3 or 12.

        >>> parse("2026Q2").length
        3
        """
        return _LENGTH[self.kind]

    def _first_month(self) -> int:
        return (self.number - 1) * self.length + 1

    def _index_of_first_month(self) -> int:
        return self.year * 12 + self._first_month() - 1

    @property
    def start(self) -> date:
        """The first day of the period.

        >>> parse("2026Q2").start
        datetime.date(2026, 4, 1)
        """
        return date(self.year, self._first_month(), 1)

    @property
    def end(self) -> date:
        """The last day of the period, inclusive (leap years are taken into account).

        >>> parse("2024M02").end, parse("2026Q4").end, parse("2026").end
        (datetime.date(2024, 2, 29), datetime.date(2026, 12, 31), datetime.date(2026, 12, 31))
        """
        last_month = self._first_month() + self.length - 1
        return date(self.year, last_month, calendar.monthrange(self.year, last_month)[1])

    @property
    def days(self) -> int:
        """How many days the period spans, both ends included.

        >>> parse("2024M02").days, parse("2025").days
        (29, 365)
        """
        return (self.end - self.start).days + 1

    # -- navigation --------------------------------------------------------------------

    def parent(self) -> Period | None:
        """The next larger period containing this one: month → quarter → year → ``None``.

        >>> str(parse("2026M05").parent()), str(parse("2026Q2").parent()), parse("2026").parent()
        ('2026Q2', '2026', None)
        """
        if self.kind == "M":
            return Period(self.year, "Q", (self.number - 1) // 3 + 1)
        if self.kind == "Q":
            return Period(self.year, "Y", 1)
        return None

    def _shift(self, steps: int) -> Period:
        per_year = _PER_YEAR[self.kind]
        index = self.year * per_year + self.number - 1 + steps
        year, offset = divmod(index, per_year)
        _check_year(year, f"{self.code} has no {'next' if steps > 0 else 'previous'} period")
        return Period(year, self.kind, offset + 1)

    def previous(self) -> Period:
        """The period of the same kind just before this one.

        Raises :class:`PeriodError` before the first supported year (1900).

        >>> str(parse("2026M01").previous()), str(parse("2026Q1").previous())
        ('2025M12', '2025Q4')
        """
        return self._shift(-1)

    def next(self) -> Period:
        """The period of the same kind just after this one.

        Raises :class:`PeriodError` after the last supported year (2999).

        >>> str(parse("2025M12").next()), str(parse("2026").next())
        ('2026M01', '2027')
        """
        return self._shift(1)

    def months(self) -> list[Period]:
        """The monthly periods inside this one, in order (a month gives just itself).

        >>> [str(m) for m in parse("2026Q2").months()]
        ['2026M04', '2026M05', '2026M06']
        """
        first = self._first_month()
        return [Period(self.year, "M", m) for m in range(first, first + self.length)]

    def contains(self, other: Period | str) -> bool:
        """Whether ``other`` (a period or a code) lies wholly inside this period.

        A period contains itself. Periods that merely overlap do not contain each other.

        >>> year = parse("2026")
        >>> year.contains("2026Q3"), year.contains(year), parse("2026Q3").contains("2026")
        (True, True, False)
        """
        other = _as_period(other)
        return self.start <= other.start and other.end <= self.end

    def __contains__(self, other: Period | str) -> bool:
        """``"2026M03" in parse("2026Q1")`` is the same as :meth:`contains`."""
        return self.contains(other)

    # -- display -----------------------------------------------------------------------

    def label(self, lang: str = "et") -> str:
        """A human-readable name in Estonian (``"et"``), English (``"en"``) or Russian (``"ru"``).

        Month names are in the nominative case; Estonian and Russian ones are lower case.
        An unknown language raises :class:`ValueError`.

        >>> [parse(c).label("et") for c in ("2026M03", "2026Q1", "2026")]
        ['märts 2026', '2026 I kvartal', '2026']
        >>> [parse(c).label("en") for c in ("2026M03", "2026Q1", "2026")]
        ['March 2026', 'Q1 2026', '2026']
        >>> [parse(c).label("ru") for c in ("2026M03", "2026Q1", "2026")]
        ['март 2026', 'I квартал 2026', '2026']
        """
        try:
            patterns = _LABELS[lang]
        except (KeyError, TypeError):
            known = ", ".join(repr(code) for code in LANGUAGES)
            raise ValueError(f"unknown label language {lang!r} (expected one of {known})") from None
        month = _MONTHS[lang][self.number - 1] if self.kind == "M" else ""
        roman = _ROMAN[self.number - 1] if self.kind == "Q" else ""
        return patterns[self.kind].format(
            year=self.year, number=self.number, month=month, roman=roman
        )


def parse(text: str) -> Period:
    """Read a period code; surrounding whitespace and lower-case ``m``/``q`` are accepted.

    Returns the :class:`Period`. Anything else — a month without two digits (``2026M3``),
    month 00 or 13, quarter 0 or 5, a year outside 1900–2999, other separators, empty text,
    or a value that is not a string — raises :class:`PeriodError` saying what is wrong.

    >>> parse(" 2026q1 ")
    Period(year=2026, kind='Q', number=1)
    >>> parse("2026M13")
    Traceback (most recent call last):
    ...
    seire.periods.PeriodError: '2026M13' is not a period: month must be 01–12 (expected e.g. 2026M03, 2026Q1 or 2026)
    """  # noqa: E501
    if not isinstance(text, str):
        raise PeriodError(
            f"{text!r} is not a period: expected text, got {type(text).__name__} {_EXPECTED}"
        )
    stripped = text.strip()

    def fail(reason: str) -> PeriodError:
        return PeriodError(f"{stripped!r} is not a period: {reason} {_EXPECTED}")

    if not stripped:
        raise fail("it is empty")
    match = _CODE.fullmatch(stripped)
    if match is None:
        raise fail("it is not in a recognised form")
    year_text, kind_text, number_text = match.groups()
    year = int(year_text)
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise fail(f"year must be {MIN_YEAR}–{MAX_YEAR}")
    if kind_text is None:
        return Period(year, "Y", 1)
    kind = cast(Kind, kind_text.upper())
    number = int(number_text)
    if kind == "M":
        if len(number_text) != 2:
            raise fail("month must be written with two digits, 01–12")
        if not 1 <= number <= 12:
            raise fail("month must be 01–12")
    else:
        if len(number_text) != 1 or not 1 <= number <= 4:
            raise fail("quarter must be 1–4")
    return Period(year, kind, number)


def _as_period(value: Period | str) -> Period:
    return value if isinstance(value, Period) else parse(value)


def period_range(first: Period | str, last: Period | str) -> list[Period]:
    """All periods from ``first`` to ``last``, both included, in order.

    Both ends may be periods or codes and must be of the same kind. Returns a one-item list
    when they are equal. Raises :class:`PeriodError` if the kinds differ, if ``first`` comes
    after ``last``, or if either code is invalid.

    >>> [str(p) for p in period_range("2025M11", "2026M02")]
    ['2025M11', '2025M12', '2026M01', '2026M02']
    >>> period_range("2026Q1", "2026M03")
    Traceback (most recent call last):
    ...
    seire.periods.PeriodError: cannot make a range from 2026Q1 to 2026M03: both ends must be of the same kind
    """  # noqa: E501
    start, stop = _as_period(first), _as_period(last)
    if start.kind != stop.kind:
        raise PeriodError(
            f"cannot make a range from {start} to {stop}: both ends must be of the same kind"
        )
    if start > stop:
        raise PeriodError(f"cannot make a range from {start} to {stop}: {start} comes after {stop}")
    per_year = _PER_YEAR[start.kind]
    first_index = start.year * per_year + start.number - 1
    last_index = stop.year * per_year + stop.number - 1
    return [
        Period(index // per_year, start.kind, index % per_year + 1)
        for index in range(first_index, last_index + 1)
    ]


def period_of(day: date, kind: Kind) -> Period:
    """The period of the given kind (``"M"``, ``"Q"`` or ``"Y"``) that contains ``day``.

    A :class:`~datetime.datetime` counts as its date. Raises :class:`PeriodError` for an
    unknown kind or a date outside 1900–2999, and :class:`TypeError` if ``day`` is not a date.

    >>> str(period_of(date(2026, 3, 31), "M")), str(period_of(date(2026, 3, 31), "Q"))
    ('2026M03', '2026Q1')
    >>> str(period_of(date(2026, 3, 31), "Y"))
    '2026'
    """
    if not isinstance(day, date):
        raise TypeError(f"period_of() needs a date, got {type(day).__name__} {day!r}")
    if kind not in KINDS:
        raise PeriodError(f"unknown period kind {kind!r} (expected one of 'M', 'Q' or 'Y')")
    _check_year(day.year, f"{day.isoformat()} has no period")
    number = (day.month - 1) // _LENGTH[kind] + 1
    return Period(day.year, kind, number)
