"""The sources a metric can count from, with their real fields.

Each `Source` names its model, the path to the unit that delivered the record, the dates
that can put a record in a period, the fields a filter may use (with their types) and the
breakdowns it offers. Fields with a `column` are filtered in SQL; derived fields (`derive`)
are computed in Python after the one query, once per distinct input. A field may also say
how numpy works it out for all the fetched rows at once (`vector`, from the arrays of its
`needs`): the engine then uses that when it has the rows anyway. `SOURCES` is a registry:
a new source (feedback, inquiries) registers itself the same way.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import numpy as np
from django.db.models import DateField, Exists, Func, OuterRef, QuerySet, TextField
from django.db.models.functions import Cast

from seire import periods


@dataclass(frozen=True)
class Field:
    name: str
    type: str  # "str" | "bool" | "number" | "date" | "list"
    column: str | None = None  # ORM path; None for a derived field
    derive: Callable[[dict], object] | None = None
    needs: tuple[str, ...] = ()  # columns a derived (or vectorised) field reads
    # ({name in needs: per row, dates as a datetime64[D] array (NaT for null), anything
    # else as (codes, distinct values) with -1 for null}, whether the rows are all the
    # source's records) → the field per row (a float array with NaN for null, or bool)
    vector: Callable[[dict], np.ndarray] | None = None


@dataclass
class Source:
    name: str
    queryset: Callable[[], QuerySet]
    unit: str  # ORM path of the delivering unit's id
    dates: dict[str, str]  # date name → ORM path (a date, or a period string for "period")
    fields: dict[str, Field] = field(default_factory=dict)
    breakdowns: tuple[str, ...] = ()
    key: str | None = None  # ORM path of the person key, for distinct counts

    def field(self, name: str) -> Field | None:
        return self.fields.get(name)


SOURCES: dict[str, Source] = {}


def register(source: Source) -> Source:
    SOURCES[source.name] = source
    return source


def _fields(*items: Field) -> dict[str, Field]:
    return {f.name: f for f in items}


def _days(start: str, end: str):
    def derive(row):
        a, b = row.get(start), row.get(end)
        return (b - a).days if isinstance(a, date) and isinstance(b, date) else None

    return derive


def _days_vector(start: str, end: str):
    def vector(columns, complete):
        a, b = columns[start], columns[end]
        days = (b - a).astype(np.int64).astype(float)
        days[np.isnat(a) | np.isnat(b)] = np.nan
        return days

    return vector


def _working_days(start: str, end: str):
    def derive(row):
        from seire.metrics.calendar import working_days_between

        a, b = row.get(start), row.get(end)
        return working_days_between(a, b) if isinstance(a, date) and isinstance(b, date) else None

    return derive


def _working_days_vector(start: str, end: str):
    """`working_days_between` with numpy: the weekdays after start up to and including end
    that are not public holidays (0 when end ≤ start)."""

    def vector(columns, complete):
        from seire.metrics.calendar import _holidays

        a, b = columns[start], columns[end]
        days = np.full(len(a), np.nan)
        both = ~(np.isnat(a) | np.isnat(b))
        if both.any():
            first = a[both] + np.timedelta64(1, "D")
            last = np.maximum(first, b[both] + np.timedelta64(1, "D"))
            years = range(first.min().astype(object).year, last.max().astype(object).year + 1)
            holidays = sorted(day for year in years for day in _holidays(year))
            days[both] = np.busday_count(first, last, holidays=holidays)
        return days

    return vector


REPEAT_DAYS = 365


class _DaysAfter(Func):
    """A date `days` later, natively (Django's date + timedelta is a Python function on
    SQLite, called for every row)."""

    output_field = DateField()

    def __init__(self, expression, days: int):
        super().__init__(expression)
        self.days = int(days)

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(
            compiler, connection, template=f"date(%(expressions)s, '+{self.days} days')"
        )

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template=f"(%(expressions)s + {self.days})")


def _episodes():
    from seire.collection.models import Episode

    # `repeat_12m`: the client opened another episode (any service) within a year of closing
    # this one. An alias, so the subquery runs only for a definition that filters on it.
    later = Episode.objects.filter(
        client_key=OuterRef("client_key"),
        opened__gt=OuterRef("closed"),
        opened__lte=_DaysAfter(OuterRef("closed"), REPEAT_DAYS),
    )
    return Episode.objects.alias(repeat_12m=Exists(later))


def _repeat_vector(columns, complete: bool):
    """`repeat_12m` for fetched episodes at once: for each, the first episode of the same
    client opened after it closed (among all episodes: the fetched ones when they are all,
    else read for this; found by one sorted search) opened at most REPEAT_DAYS later."""
    (mine, keys), opened, closed = columns["client_key"], columns["opened"], columns["closed"]
    theirs = mine
    if not complete:  # the other episodes' clients as codes of the fetched ones (or -1)
        their_keys, opened = _every_opening()
        index = {key: code for code, key in enumerate(keys)}
        theirs = np.array([index.get(key, -1) for key in their_keys], dtype=np.int64)
    offset, span = np.int64(1 << 31), np.int64(1 << 32)  # day numbers made positive; per key
    openings = (theirs >= 0) & ~np.isnat(opened)
    ordered = np.sort(theirs[openings] * span + opened[openings].astype(np.int64) + offset)
    known = (mine >= 0) & ~np.isnat(closed)
    if not len(ordered) or not known.any():
        return np.zeros(len(closed), dtype=bool)
    target = mine * span + np.where(known, closed.astype(np.int64) + offset, 0)
    at = np.searchsorted(ordered, target, side="right")
    later = ordered[np.minimum(at, len(ordered) - 1)]
    same = (at < len(ordered)) & (later // span == mine)
    return known & same & (later - target <= REPEAT_DAYS)


def _every_opening() -> tuple[np.ndarray, np.ndarray]:
    """The client key and opening day (datetime64) of every episode with both."""
    import pandas as pd
    from django.db import connections, router

    from seire.collection.models import Episode

    query = Episode.objects.filter(client_key__isnull=False, opened__isnull=False)
    query = query.annotate(day=Cast("opened", TextField()))  # the driver would parse each
    compiler = (
        query.values_list("client_key", "day")
        .order_by()
        .query.get_compiler(router.db_for_read(Episode))
    )
    sql, params = compiler.as_sql()
    with connections[compiler.using].cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    keys = np.array([key for key, _ in rows], dtype=object)
    codes, days = pd.factorize(np.array([day for _, day in rows], dtype=object))
    return keys, np.array([str(d) for d in days], dtype="datetime64[D]")[codes]


register(
    Source(
        name="episodes",
        queryset=_episodes,
        unit="unit_id",
        dates={"opened": "opened", "closed": "closed", "first_contact": "first_contact"},
        key="client_key",
        fields=_fields(
            Field("service", "str", "service__code"),
            Field("crime_type", "str", "crime_type"),
            Field("gender", "str", "gender"),
            Field("age_group", "str", "age_group"),
            Field("referral_source", "str", "referral_source"),
            Field("closure_reason", "str", "closure_reason"),
            Field("county", "str", "county__code"),
            Field("services_given", "list", "services_given"),
            Field("proactive_contact", "bool", "proactive_contact"),
            Field("needs_assessed", "bool", "needs_assessed"),
            Field("safety_plan", "bool", "safety_plan"),
            Field("comparison_group", "bool", "comparison_group"),
            Field(
                "repeat_12m",
                "bool",
                "repeat_12m",
                needs=("client_key", "opened", "closed"),
                vector=_repeat_vector,
            ),
            Field("opened", "date", "opened"),
            Field("closed", "date", "closed"),
            Field("first_contact", "date", "first_contact"),
            Field(
                "days_to_first_contact",
                "number",
                derive=_days("opened", "first_contact"),
                needs=("opened", "first_contact"),
                vector=_days_vector("opened", "first_contact"),
            ),
            Field(
                "working_days_to_first_contact",
                "number",
                derive=_working_days("opened", "first_contact"),
                needs=("opened", "first_contact"),
                vector=_working_days_vector("opened", "first_contact"),
            ),
            Field(
                "days_open",
                "number",
                derive=_days("opened", "closed"),
                needs=("opened", "closed"),
                vector=_days_vector("opened", "closed"),
            ),
        ),
        breakdowns=("service", "gender", "age_group", "crime_type", "referral_source"),
    )
)


def _values():
    from seire.collection.models import DataValue

    return DataValue.objects.filter(status="value")


register(
    Source(
        name="values",
        queryset=_values,
        unit="unit_id",
        dates={"period": "period"},
        fields=_fields(
            Field("dataset", "str", "element__dataset__code"),
            Field("element", "str", "element__code"),
            Field("combo", "str", "combo__code"),
            Field("option", "list", "combo__options__code"),
            Field("service", "str", "element__dataset__service__code"),
            Field("value", "number", "value"),
        ),
        breakdowns=("combo", "service"),
    )
)


def _outcomes():
    from seire.metrics.models import Outcome

    return Outcome.objects.all()


register(
    Source(
        name="outcomes",
        queryset=_outcomes,
        unit="episode__unit_id",
        dates={"closed": "episode__closed", "opened": "episode__opened"},
        key="episode__client_key",
        fields=_fields(
            Field("instrument", "str", "instrument"),
            Field("intake", "number", "intake"),
            Field("exit", "number", "exit"),
            Field("change", "number", "change"),
            Field("reliable", "str", "reliable"),
            Field("service", "str", "episode__service__code"),
            Field("crime_type", "str", "episode__crime_type"),
            Field("gender", "str", "episode__gender"),
            Field("age_group", "str", "episode__age_group"),
        ),
        breakdowns=("service", "crime_type", "gender", "age_group"),
    )
)


def _assessments():
    from seire.collection.models import Assessment

    return Assessment.objects.all()


register(
    Source(
        name="assessments",
        queryset=_assessments,
        unit="episode__unit_id",
        dates={"assessed_on": "assessed_on", "closed": "episode__closed"},
        key="episode__client_key",
        fields=_fields(
            Field("instrument", "str", "instrument"),
            Field("timepoint", "str", "timepoint"),
            Field("service", "str", "episode__service__code"),
            Field("crime_type", "str", "episode__crime_type"),
        ),
        breakdowns=("service", "crime_type"),
    )
)


def _submissions():
    from seire.collection.models import Submission

    return Submission.objects.all()


def _on_time(row) -> bool | None:
    from datetime import timedelta

    from django.utils import timezone

    submitted, period, days = (
        row.get("first_submitted_at"),
        row.get("period"),
        row.get("deadline_days"),
    )
    if period is None or days is None:
        return None
    deadline = periods.parse(period).end + timedelta(days=days)
    return submitted is not None and timezone.localtime(submitted).date() <= deadline


register(
    Source(
        name="submissions",
        queryset=_submissions,
        unit="unit_id",
        dates={"period": "period"},
        fields=_fields(
            Field("dataset", "str", "dataset__code"),
            Field("service", "str", "dataset__service__code"),
            Field("status", "str", "status"),
            Field("period", "str", "period"),
            Field("first_submitted_at", "date", "first_submitted_at"),
            Field("deadline_days", "number", "dataset__deadline_days"),
            Field(
                "on_time",
                "bool",
                derive=_on_time,
                needs=("period", "first_submitted_at", "deadline_days"),
            ),
        ),
        breakdowns=("service", "dataset"),
    )
)


def period_key(value, frequency: str) -> str | None:
    """The period of `frequency` holding `value` (a date or a period code), or None."""
    if value is None:
        return None
    if isinstance(value, date):
        return str(periods.period_of(value, frequency))
    period = periods.parse(value)
    while period is not None and period.kind != frequency:
        period = period.parent()
    return str(period) if period is not None else None
