"""Recomputing every metric vs. one raw grouped scan of each source and vs. pandas.

The targets (issue 4): a full recomputation of the metric set (`seire.metrics.engine.compute`:
every version × period × unit up the tree × breakdown, stored) takes at most 2× the time of
one raw `SELECT … GROUP BY` of each source table it reads (grouped by the same columns: the
month of each date used, the unit and the breakdown fields), and at most 0.2× the time of an
idiomatic pandas implementation of the same metrics (the tables read with `pd.read_sql`,
filters as masks, groupby, the org-tree roll-up as a merge, Wilson intervals vectorised).
All three are timed side by side in one run on a throwaway SQLite database seeded with the
large synthetic set (`seed(scale=10)`; SEIRE_BENCH_SCALE changes the scale, SEIRE_BENCH_DB
names an already seeded database to copy instead), median of several interleaved runs. The
pandas results are compared with the engine's stored values, so both are checked (and
tests/metrics/test_bench_pandas.py checks that they agree on a small seeded country).

A recomputation compares what it computed with what is stored and writes only the values
that changed (none, between the rounds here); the time of one recomputation into an empty
table, every value written, is printed as well, for information.

The metric set is the shipped catalogue; without one, `FALLBACK` defines ten representative
versions (counts, distinct counts, percents with filters, a median of a derived field).
"""

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCALE = float(os.environ.get("SEIRE_BENCH_SCALE", "10"))
REPEAT = 3
TARGET_RAW = 2.0
TARGET_PANDAS = 0.2

OPENED = {"source": "episodes", "measure": "count", "date": "opened"}
VS = {"field": "service", "op": "eq", "value": "VS"}
FALLBACK = [
    ("B_NEW", "count", {**OPENED, "filter": [VS]}, None, "M", ["region", "county", "gender"]),
    ("B_CLIENTS", "count", {**OPENED, "measure": "distinct", "filter": [VS]}, None, "Q",
     ["region", "county", "gender", "age_group", "crime_type"]),
    ("B_DV", "percent",
     {**OPENED, "filter": [VS, {"field": "crime_type", "op": "eq", "value": "domestic_violence"}]},
     {**OPENED, "filter": [VS]}, "Q", ["region", "county"]),
    ("B_POLICE", "percent",
     {**OPENED, "filter": [VS, {"field": "referral_source", "op": "eq", "value": "police"}]},
     {**OPENED, "filter": [VS]}, "Q", ["region", "county"]),
    ("B_WAIT", "median",
     {**OPENED, "measure": "median", "field": "days_to_first_contact", "filter": [VS]}, None,
     "Q", ["region"]),
    ("B_CONTACT_2WD", "percent",
     {**OPENED, "filter": [VS, {"field": "working_days_to_first_contact", "op": "le",
                                "value": 2}]},
     {**OPENED, "filter": [VS]}, "Q", ["region", "county"]),
    ("B_SAFETY", "percent",
     {"source": "episodes", "date": "closed", "filter": [VS, {"field": "safety_plan", "op": "eq",
                                                                "value": True}]},
     {"source": "episodes", "date": "closed", "filter": [VS]}, "Q", ["region", "county"]),
    ("B_WHO5", "percent",
     {"source": "outcomes", "date": "closed",
      "filter": [{"field": "instrument", "op": "eq", "value": "WHO5"},
                 {"field": "reliable", "op": "eq", "value": "improved"}]},
     {"source": "outcomes", "date": "closed",
      "filter": [{"field": "instrument", "op": "eq", "value": "WHO5"},
                 {"field": "change", "op": "not_null"}]}, "Q", ["service", "crime_type"]),
    ("B_VALUES", "sum",
     {"source": "values", "measure": "sum", "field": "value", "date": "period",
      "filter": [{"field": "combo", "op": "ne", "value": "total"}]}, None, "Q",
     ["region", "county", "combo"]),
    ("B_ON_TIME", "percent",
     {"source": "submissions", "date": "period",
      "filter": [{"field": "on_time", "op": "eq", "value": True}]},
     {"source": "submissions", "date": "period"}, "Q", ["service", "unit"]),
]  # fmt: skip


def main() -> None:
    from bench import on_throwaway_sqlite

    seeded = os.environ.get("SEIRE_BENCH_DB")
    on_throwaway_sqlite(__file__, lambda _database: run(seeded), copy=seeded)


def run(seeded: str | None) -> None:
    from django.core.management import call_command

    from seire.metrics.engine import _evaluate, compute
    from seire.metrics.models import MetricValue

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    if not seeded:
        from seire.demo.seed import seed

        seed(scale=SCALE)
    versions = _metric_set()
    print(_describe(versions, seeded, time.perf_counter() - started))

    def recompute():
        compute([v.metric.code for v in versions])

    times: dict[str, list[float]] = {"recompute": [], "evaluate": [], "raw": [], "pandas": []}
    scans = _raw_scans(versions)
    results = {}
    for round_ in range(REPEAT + 1):  # the first round warms the caches up and is not counted
        measured = {
            "recompute": _timed(recompute),
            "evaluate": _timed(lambda: _evaluate(versions)),
            "raw": _timed(lambda: [list(scan.all()) for scan in scans]),
            "pandas": _timed(lambda: results.update(pandas_metrics(versions))),
        }
        if round_:
            for name, seconds in measured.items():
                times[name].append(seconds)
    median = {name: statistics.median(t) for name, t in times.items()}
    stored = MetricValue.objects.filter(version__in=versions).count()
    MetricValue.objects.filter(version__in=versions).delete()
    anew = _timed(recompute)
    agree, total, example = _agreement(versions, results)
    print(
        f"full recomputation (evaluate and store {stored} values): {median['recompute']:.2f} s; "
        f"evaluating alone (reading, measuring, rolling up): {median['evaluate']:.2f} s"
    )
    print(
        f"recomputation into an empty table (every value written): {anew:.2f} s, "
        f"{anew / median['raw']:.2f} × the raw scans (one run, for information)"
    )
    print(
        f"raw grouped scans ({len(scans)} sources, one SELECT … GROUP BY each): "
        f"{median['raw']:.2f} s"
    )
    print(
        f"pandas (read_sql, masks, groupby, tree roll-up, Wilson): {median['pandas']:.2f} s; "
        f"it agrees with the engine on {agree} of {total} values{example}"
    )
    print(
        f"recompute / raw grouped scan = {median['recompute'] / median['raw']:.2f} "
        f"(target ≤ {TARGET_RAW:g})"
    )
    print(
        f"recompute / pandas = {median['recompute'] / median['pandas']:.2f} "
        f"(target ≤ {TARGET_PANDAS:g})"
    )


def _timed(function) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def _metric_set():
    """The current version of every catalogue metric; the fallback set without one."""
    from seire.metrics.models import Metric, MetricVersion
    from seire.metrics.recompute import current_versions

    versions = current_versions()
    if versions:
        return versions
    for code, type_, numerator, denominator, frequency, breakdowns in FALLBACK:
        metric = Metric.objects.create(code=code, name_et=code, name_en=code)
        MetricVersion.objects.create(
            metric=metric,
            type=type_,
            numerator=numerator,
            denominator=denominator,
            frequency=frequency,
            breakdowns=breakdowns,
        )
    return current_versions()


def _describe(versions, seeded, seconds) -> str:
    from seire.collection.models import DataValue, Episode, Submission
    from seire.metrics.models import Outcome

    counts = (
        f"{Episode.objects.count()} episodes, {Outcome.objects.count()} outcomes, "
        f"{DataValue.objects.count()} table values, {Submission.objects.count()} submissions"
    )
    where = f"copied from {seeded}" if seeded else f"seed(scale={SCALE:g})"
    fallback = versions and versions[0].metric.code.startswith("B_")
    kind = "bench's own set (no catalogue)" if fallback else "catalogue"
    return (
        f"synthetic set: {where}, ready in {seconds:.0f} s: {counts}; "
        f"{len(versions)} metrics ({kind})"
    )


# -- (b) one raw grouped scan of each source ---------------------------------------------------
def _raw_scans(versions) -> list:
    """For each source the metrics read: SELECT month of each date used, unit, breakdown
    fields, COUNT(*) … GROUP BY them — no filters, no measures (querysets, run when listed)."""
    from django.db.models import Count, F

    from seire.metrics.engine import _month
    from seire.metrics.sources import SOURCES

    used: dict[str, dict] = {}
    for version in versions:
        breakdowns = [b for b in version.breakdowns if b not in ("region", "county", "unit")]
        for side in (version.numerator, version.denominator):
            if not side or side["source"] == "population":
                continue
            source = SOURCES[side["source"]]
            entry = used.setdefault(source.name, {"dates": set(), "dims": set()})
            entry["dates"].add(source.dates[side["date"]])
            entry["dims"].update(source.fields[b].column for b in breakdowns if b in source.fields)
    scans = []
    for name, entry in sorted(used.items()):
        source = SOURCES[name]
        qs = source.queryset()
        # As the engine does: every grouping column an annotation, the months first in
        # GROUP BY (grouped by unit first, SQLite would walk the unit index).
        grouping = {f"_m{i}": _month(qs, col) for i, col in enumerate(sorted(entry["dates"]))}
        grouping["_u"] = F(source.unit)
        grouping.update({f"_d{i}": F(col) for i, col in enumerate(sorted(entry["dims"]))})
        scans.append(
            qs.annotate(**grouping)
            .values(*grouping)
            .annotate(n=Count("pk"))
            .order_by()
            .values_list(*grouping, "n")
        )
    return scans


# -- (c) the same metrics in pandas --------------------------------------------------------------
def pandas_metrics(versions) -> dict:
    """{metric code: DataFrame of period, unit, breakdown, value, n} for every version."""
    import pandas as pd

    frames = _Frames()
    tree = _tree_frame()
    out = {}
    for version in versions:
        dims = [b for b in version.breakdowns if b not in ("region", "county", "unit")]
        num = _side(frames, version.numerator, version.frequency, dims, tree)
        if version.type == "rate_per_100k":
            table = num[num.breakdown == ""].copy()
            table["den"] = _population(frames, table)
            table["n"] = table["num"].astype(int)
        elif version.denominator:
            den = _side(frames, version.denominator, version.frequency, dims, tree)
            den = den.rename(columns={"num": "den", "n": "n_den"})
            table = num.merge(den, on=["period", "unit", "breakdown"], how="outer")
            table[["num", "den"]] = table[["num", "den"]].fillna(0)
            table["n"] = table["n_den"].fillna(0).astype(int)
            if version.denominator.get("measure", "count") == "sum":
                table["n"] = table["den"].astype(int)
        else:
            table = num
        out[version.metric.code] = _values(version, table, pd)
    return out


def _values(version, table, pd):
    import numpy as np
    from scipy.stats import norm

    kind = version.type
    num = table["num"].astype(float)
    if kind in ("count", "sum", "mean", "median"):
        value = num
    else:
        den = table["den"].astype(float).replace(0, np.nan)
        scale = {"percent": 100.0, "ratio": 1.0, "rate_per_100k": 100_000.0}[kind]
        value = scale * num / den
    table = table.assign(value=value)
    if kind == "percent" and version.numerator.get("measure", "count") in ("count", "distinct"):
        z = norm.ppf(0.975)
        n, p = table["den"].astype(float), num / table["den"].astype(float)
        centre = (p + z * z / (2 * n)) / (1 + z * z / n)
        half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
        table["low"] = 100 * (centre - half).clip(lower=0)
        table["high"] = 100 * (centre + half).clip(upper=1)
    table["small_n"] = table["n"] < version.min_n
    return table[["period", "unit", "breakdown", "value", "n"]]


class _Frames:
    """The source tables, each read once with pd.read_sql, with the fields the metrics use."""

    def __init__(self):
        self._cache = {}

    def __getitem__(self, name):
        if name not in self._cache:
            self._cache[name] = getattr(self, f"_{name}")()
        return self._cache[name]

    @staticmethod
    def _read(sql):
        import pandas as pd
        from django.db import connection

        connection.ensure_connection()
        if connection.vendor == "sqlite":
            return pd.read_sql(sql, connection.connection)
        # What read_sql does, by hand: it warns on any DBAPI connection but sqlite3's.
        with connection.connection.cursor() as cursor:
            cursor.execute(sql)
            columns = [column[0] for column in cursor.description]
            return pd.DataFrame.from_records(cursor.fetchall(), columns=columns, coerce_float=True)

    def _episodes(self):
        import numpy as np
        import pandas as pd

        from seire.metrics.calendar import _holidays
        from seire.metrics.sources import REPEAT_DAYS

        df = self._read(
            "SELECT e.id, e.client_key, e.opened, e.closed, e.first_contact, "
            "e.referral_source, e.crime_type, e.gender, e.age_group, e.services_given, "
            "e.proactive_contact, e.needs_assessed, e.safety_plan, e.comparison_group, "
            "e.closure_reason, e.unit_id AS unit, s.code AS service, c.code AS county "
            "FROM collection_episode e JOIN organisation_service s ON s.id = e.service_id "
            "LEFT JOIN organisation_orgunit c ON c.id = e.county_id"
        )
        for column in ("opened", "closed", "first_contact"):
            df[column] = pd.to_datetime(df[column])
        for column in ("proactive_contact", "needs_assessed", "safety_plan", "comparison_group"):
            df[column] = df[column].astype(bool)
        df["key"] = df["client_key"]
        df["days_to_first_contact"] = (df.first_contact - df.opened).dt.days
        df["days_open"] = (df.closed - df.opened).dt.days
        years = range(df.opened.dt.year.min(), df.first_contact.dt.year.max() + 1)
        holidays = sorted(d for y in years for d in _holidays(int(y)))
        both = df.opened.notna() & df.first_contact.notna()
        start = df.loc[both, "opened"].values.astype("datetime64[D]") + 1
        end = df.loc[both, "first_contact"].values.astype("datetime64[D]") + 1
        working = np.busday_count(start, np.maximum(start, end), holidays=holidays)
        df["working_days_to_first_contact"] = pd.Series(working, index=df.index[both])
        # repeat_12m: another episode of the client opened within a year after this closed
        pairs = df[["id", "client_key", "closed"]].merge(
            df[["client_key", "opened"]].rename(columns={"opened": "later"}), on="client_key"
        )
        gap = (pairs.later - pairs.closed).dt.days
        repeated = pairs.loc[(gap > 0) & (gap <= REPEAT_DAYS), "id"].unique()
        df["repeat_12m"] = df.id.isin(repeated)
        return df

    def _outcomes(self):
        outcomes = self._read(
            "SELECT episode_id, instrument, intake, exit, change, reliable FROM metrics_outcome"
        )
        episodes = self["episodes"][
            ["id", "unit", "closed", "opened", "key", "service", "crime_type", "gender",
             "age_group"]
        ]  # fmt: skip
        return outcomes.merge(episodes, left_on="episode_id", right_on="id")

    def _values(self):
        return self._read(
            "SELECT v.unit_id AS unit, v.period, v.value, el.code AS element, "
            "d.code AS dataset, cb.code AS combo, s.code AS service "
            "FROM collection_datavalue v "
            "JOIN collection_dataelement el ON el.id = v.element_id "
            "JOIN collection_dataset d ON d.id = el.dataset_id "
            "JOIN collection_optioncombo cb ON cb.id = v.combo_id "
            "LEFT JOIN organisation_service s ON s.id = d.service_id "
            "WHERE v.status = 'value'"
        )

    def _submissions(self):
        import pandas as pd
        from django.conf import settings

        from seire import periods

        df = self._read(
            "SELECT sub.unit_id AS unit, sub.period, sub.status, sub.first_submitted_at, "
            "d.code AS dataset, s.code AS service, d.deadline_days "
            "FROM collection_submission sub JOIN collection_dataset d ON d.id = sub.dataset_id "
            "LEFT JOIN organisation_service s ON s.id = d.service_id"
        )
        ends = {p: pd.Timestamp(periods.parse(p).end) for p in df.period.unique()}
        deadline = df.period.map(ends) + pd.to_timedelta(df.deadline_days, unit="D")
        submitted = pd.to_datetime(df.first_submitted_at, utc=True).dt.tz_convert(
            settings.TIME_ZONE
        )
        df["on_time"] = submitted.dt.tz_localize(None).dt.normalize() <= deadline
        return df

    def _population(self):
        return self._read("SELECT county_id AS unit, year, count FROM metrics_population")

    def _root(self):
        return self._read(
            "SELECT id FROM organisation_orgunit WHERE parent_id IS NULL ORDER BY path LIMIT 1"
        ).id.iloc[0]

    def _feedback(self):
        import numpy as np
        import pandas as pd

        df = self._read(
            "SELECT r.period, r.submitted_on AS submitted, r.unit_id AS unit, r.channel, "
            "r.language, a.value, a.choices, q.code AS question, q.type AS question_type, "
            "sv.code AS survey, s.code AS service "
            "FROM feedback_answer a JOIN feedback_response r ON r.id = a.response_id "
            "JOIN feedback_question q ON q.id = a.question_id "
            "JOIN feedback_surveyversion v ON v.id = r.survey_version_id "
            "JOIN feedback_survey sv ON sv.id = v.survey_id "
            "JOIN organisation_service s ON s.id = r.service_id"
        )
        df["unit"] = df["unit"].fillna(self._root())  # a service-wide link: the country
        df["submitted"] = pd.to_datetime(df["submitted"])
        points = np.select([df.value >= 9, df.value <= 6], [100.0, -100.0], 0.0)
        df["nps_points"] = pd.Series(points, index=df.index).where(df.value.notna())
        return df

    def _feedback_invitations(self):
        import pandas as pd

        df = self._read(
            "SELECT i.channel, i.used_at, e.unit_id AS unit, e.closed, sv.code AS survey, "
            "s.code AS service FROM feedback_invitation i "
            "JOIN collection_episode e ON e.id = i.episode_id "
            "JOIN feedback_survey sv ON sv.id = i.survey_id "
            "JOIN organisation_service s ON s.id = sv.service_id"
        )
        df["closed"] = pd.to_datetime(df["closed"])
        df["answered"] = df.used_at.notna()
        return df

    def _feedback_items(self):
        import pandas as pd
        from django.utils import timezone

        df = self._read(
            "SELECT f.id, f.unit_id AS unit, f.status, f.severity, f.sentiment, f.urgent, "
            "f.low_rating, f.themes, f.received_on, f.due_on, f.closed_on, "
            "s.code AS service FROM feedback_feedbackitem f "
            "JOIN organisation_service s ON s.id = f.service_id"
        )
        done = self._read(
            "SELECT item_id AS id, MIN(done_on) AS first_action FROM feedback_action "
            "WHERE done_on IS NOT NULL GROUP BY item_id"
        )
        df = df.merge(done, on="id", how="left")
        df["unit"] = df["unit"].fillna(self._root())
        for column in ("received_on", "due_on", "closed_on", "first_action"):
            df[column] = pd.to_datetime(df[column])
        df["received"], df["closed"] = df.received_on, df.closed_on
        df["actioned"] = df.first_action.notna()
        df["days_to_action"] = (df.first_action - df.received_on).dt.days
        today = pd.Timestamp(timezone.localdate())
        df["overdue"] = (df.status != "closed") & (df.due_on < today)
        df["late"] = df.closed_on.fillna(today) > df.due_on
        return df

    def _inquiries(self):
        import pandas as pd

        df = self._read(
            "SELECT requester_type, legal_basis, channel, status, received_on, closed_on, "
            "due_date FROM inquiries_inquiry WHERE status IN ('answered', 'refused')"
        )
        df["unit"] = self._root()  # the analyst answers for the whole country
        for column in ("received_on", "closed_on", "due_date"):
            df[column] = pd.to_datetime(df[column])
        df["received"], df["closed"] = df.received_on, df.closed_on
        df["on_time"] = df.closed_on <= df.due_date
        df["days_to_answer"] = (df.closed_on - df.received_on).dt.days
        return df


def _tree_frame():
    import pandas as pd

    from seire.metrics.engine import Tree

    up = Tree().up
    return pd.DataFrame(
        [(unit, above) for unit, ancestors in up.items() for above in ancestors],
        columns=["unit", "ancestor"],
    )


def _mask(df, conditions):
    import numpy as np
    import pandas as pd

    from seire.metrics.sources import SOURCES  # noqa: F401 (the field names are the columns)

    keep = np.ones(len(df), dtype=bool)
    for c in conditions or []:
        column, op, value = df[c["field"]], c.get("op", "eq"), c.get("value")
        text = pd.api.types.is_string_dtype(column) or column.dtype == object
        blank = column.isna() | (column == "") if text else None
        if op == "eq":
            keep &= column == value
        elif op == "ne":
            keep &= column != value
        elif op == "in":
            keep &= column.isin(value)
        elif op == "not_in":
            keep &= ~column.isin(value)
        elif op in ("lt", "le", "gt", "ge"):
            keep &= getattr(column, op)(value)
        elif op == "contains":
            keep &= column.str.contains(f'"{value}"', regex=False).fillna(False)
        elif op == "is_null":
            keep &= blank if blank is not None else column.isna()
        elif op == "not_null":
            keep &= ~blank if blank is not None else column.notna()
    return keep


def _period(column, frequency):
    """Dates (or stored period codes) → period codes of `frequency`."""
    import pandas as pd

    from seire.metrics.sources import period_key

    if not pd.api.types.is_datetime64_any_dtype(column):  # stored period codes
        return column.map({p: period_key(p, frequency) for p in column.unique()})
    if frequency == "M":
        return column.dt.to_period("M").astype(str).str.replace("-", "M")
    if frequency == "Q":
        return column.dt.to_period("Q").astype(str)
    return column.dt.year.astype("Int64").astype(str)


def _side(frames, spec, frequency, dims, tree):
    import pandas as pd

    from seire.metrics.sources import SOURCES

    source = SOURCES[spec["source"]]
    measure, field = spec.get("measure", "count"), spec.get("field")
    date = spec["date"]
    df = frames[spec["source"]]
    keep = _mask(df, spec.get("filter")) & df[date].notna() & df["unit"].notna()
    if measure in ("mean", "median"):
        keep &= df[field].notna()
    dims = [d for d in dims if d in source.fields]
    wanted = [
        "unit",
        *dims,
        *([field] if field else []),
        *(["key"] if measure == "distinct" else []),
    ]
    rows = df.loc[keep, list(dict.fromkeys(wanted))].assign(
        period=_period(df.loc[keep, date], frequency)
    )
    rows = rows[rows.period.notna()].merge(tree, on="unit").drop(columns="unit")
    parts = []
    for label in [None, *dims]:
        part = rows if label is None else rows[rows[label].notna() & (rows[label] != "")]
        keys = ["period", "ancestor", *([label] if label else [])]
        groups = part.groupby(keys, sort=False)
        if measure == "count":
            result = groups.size().to_frame("num").assign(n=lambda t: t.num)
        elif measure == "sum":
            result = groups.agg(num=(field, "sum"), n=(field, "size"))
        elif measure == "distinct":
            result = groups["key"].nunique(dropna=False).to_frame("num").assign(n=lambda t: t.num)
        else:
            result = groups.agg(num=(field, measure), n=(field, "count"))
        result = result.reset_index()
        result["breakdown"] = "" if label is None else label + "=" + result[label].astype(str)
        parts.append(result[["period", "ancestor", "breakdown", "num", "n"]])
    return pd.concat(parts).rename(columns={"ancestor": "unit"})


def _population(frames, table):
    """Each row's population: its year's, else the latest year known at or before it (else
    the latest year known), summed over the counties below its unit."""
    population = frames["population"].merge(_tree_frame(), on="unit")
    by_year = population.groupby(["year", "ancestor"])["count"].sum()
    years = sorted(population.year.unique())

    def year_for(period):
        year = int(period[:4])
        earlier = [y for y in years if y <= year]
        return (earlier or years)[-1]

    chosen = table.period.map({p: year_for(p) for p in table.period.unique()})
    index = list(zip(chosen, table.unit, strict=True))
    return by_year.reindex(index).fillna(0).values


def _agreement(versions, results) -> tuple[int, int, str]:
    """How many stored values the pandas values match (value within 0.001 and n)."""
    import math

    from seire.metrics.models import MetricValue

    agree = total = 0
    example = ""
    for version in versions:
        frame = results.get(version.metric.code)
        if frame is None:
            continue
        theirs = {
            (p, int(u), b): (v, int(n))
            for p, u, b, v, n in frame[["period", "unit", "breakdown", "value", "n"]].itertuples(
                index=False
            )
        }
        for p, u, b, v, n in MetricValue.objects.filter(version=version).values_list(
            "period", "unit_id", "breakdown", "value", "n"
        ):
            total += 1
            other = theirs.get((p, u, b))
            same = other is not None and other[1] == n
            if same and v is None:
                same = other[0] is None or math.isnan(other[0])
            elif same:
                same = abs(float(v) - other[0]) < 1e-3
            agree += same
            if not same and not example:
                example = f" (first difference: {version.metric.code} {p} unit {u} {b!r}: "
                example += f"engine {v} n={n}, pandas {other})"
    return agree, total, example


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
