"""Cubes: counts and sums over episodes and statistics values, by chosen dimensions.

A cube is described by a `CubeSpec` — a measure, up to four dimensions, filters, a period
range and a granularity — and built from the data by `build_cube` as a pandas frame of the
*inner* cells only (one column per dimension plus `value`), with a row for every
combination of the categories that exist, so a zero is published as a zero and not hidden.
`protected_cube` passes that frame through `seire.disclosure.protect`, which adds every
marginal total (labelled `TOTAL`) and a `status` column (published | primary | secondary).

The registries say what can be asked for:

* `DIMENSIONS`: county, region, crime_type, gender, age_group, service, unit, period.
* `MEASURES`: episodes, closed_episodes, clients, and `values:<DATASET>.<ELEMENT>` (the sum
  of a statistics-table element; resolved from the database by `measure_for`).

A blank episode field (gender not recorded, no county) is the category `not_reported`,
shown only when some record has it. Releases (`seire.publishing`) and inquiries build on
this module; it reads the database but writes nothing.

>>> spec = CubeSpec("episodes", ("county", "gender"), period_from="2026M01",
...                 period_to="2026M03", granularity="month")
>>> spec.filter_map, [str(p) for p in spec.periods()]
({}, ['2026M01', '2026M02', '2026M03'])
>>> CubeSpec("episodes", ("colour",), period_from="2026", period_to="2026")
Traceback (most recent call last):
...
seire.publishing.cubes.CubeError: dims: unknown dimension 'colour' (expected one of county, region, crime_type, gender, age_group, service, unit, period)
"""  # noqa: E501

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from itertools import product
from typing import Literal

import pandas as pd
from django.db import connections
from django.db.models import Count, Sum
from django.db.models.functions import Substr, TruncMonth

from seire import periods

__all__ = [
    "DIMENSIONS",
    "GRANULARITIES",
    "MAX_DIMS",
    "MEASURES",
    "NOT_REPORTED",
    "VALUES_PREFIX",
    "Category",
    "CubeError",
    "CubeSpec",
    "Dimension",
    "Measure",
    "build_cube",
    "build_keyed_cube",
    "categories",
    "category_label",
    "measure_for",
    "protected_cube",
    "values_measures",
]

Granularity = Literal["month", "quarter", "year"]

#: Granularity name → period kind of `seire.periods`.
GRANULARITIES: dict[str, str] = {"month": "M", "quarter": "Q", "year": "Y"}
#: The most dimensions a cube may have (the disclosure optimisation grows fast with more).
MAX_DIMS = 4
#: The category of a blank field (gender not recorded, episode without a county).
NOT_REPORTED = "not_reported"
NOT_REPORTED_LABELS = ("märkimata", "not reported")
#: Prefix of the measures that sum a statistics-table element: `values:WSC_MONTHLY.CLIENTS`.
VALUES_PREFIX = "values:"


class CubeError(ValueError):
    """A cube specification that cannot be built; `problems` lists each "field: what"."""

    def __init__(self, problems: list[str] | str):
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("; ".join(self.problems))


@dataclass(frozen=True)
class Category:
    code: str
    label_et: str
    label_en: str

    def label(self, lang: str = "et") -> str:
        return self.label_et if lang.startswith("et") else self.label_en


@dataclass(frozen=True)
class Dimension:
    """A way to break a cube down; `derivation_*` says where the category comes from."""

    name: str
    label_et: str
    label_en: str
    derivation_et: str
    derivation_en: str

    def label(self, lang: str = "et") -> str:
        return self.label_et if lang.startswith("et") else self.label_en


DIMENSIONS: dict[str, Dimension] = {
    d.name: d
    for d in (
        Dimension(
            "county",
            "maakond",
            "county",
            "Juhtumi maakond; statistikatabeli väärtusel üksuse maakond.",
            "The episode's county; for a statistics value, the county of the reporting unit.",
        ),
        Dimension(
            "region",
            "piirkond",
            "region",
            "Maakonna piirkond (organisatsioonipuus maakonna ülem).",
            "The region of the county (the county's parent in the org-unit tree).",
        ),
        Dimension(
            "crime_type",
            "kuriteo liik",
            "crime type",
            "Juhtumi kuriteo liik (koodiloend crime_type).",
            "The episode's crime type (code list crime_type).",
        ),
        Dimension(
            "gender",
            "sugu",
            "gender",
            "Juhtumi kliendi sugu; statistikatabelis soo jaotus.",
            "The client's gender on the episode; in a statistics table, its gender breakdown.",
        ),
        Dimension(
            "age_group",
            "vanuserühm",
            "age group",
            "Juhtumi kliendi vanuserühm; statistikatabelis vanuserühma jaotus.",
            "The client's age group on the episode; in a statistics table, its age breakdown.",
        ),
        Dimension(
            "service",
            "teenus",
            "service",
            "Juhtumi teenus; statistikatabeli teenus.",
            "The episode's service; the service of the statistics table.",
        ),
        Dimension(
            "unit",
            "üksus",
            "unit",
            "Teenust osutanud või aruande esitanud üksus.",
            "The unit that delivered the service or submitted the report.",
        ),
        Dimension(
            "period",
            "periood",
            "period",
            "Juhtumi avamise (suletud juhtumitel sulgemise) kuu, kvartal või aasta; "
            "statistikatabeli aruandeperiood.",
            "The month, quarter or year the episode was opened (closed, for closed "
            "episodes); the reporting period of a statistics value.",
        ),
    )
}

#: Dimensions a `values:` measure can offer (episodes offer them all).
VALUES_DIMS = ("county", "region", "gender", "age_group", "service", "unit", "period")
#: Dimensions whose categories come from a statistics table's disaggregation.
OPTION_DIMS = ("gender", "age_group", "crime_type")


@dataclass(frozen=True)
class Measure:
    """What a cube cell holds. `source` is "episodes" or "values"; `date` the date that puts
    a record in a period; `dataset`/`element` name the element a values measure sums."""

    name: str
    label_et: str
    label_en: str
    description_et: str
    description_en: str
    source: str = "episodes"
    date: str = "opened"
    dataset: str = ""
    element: str = ""
    period_kind: str = "M"  # the finest granularity the data has
    whole: bool = True  # whole numbers (counts) rather than decimals
    dims: tuple[str, ...] = tuple(DIMENSIONS)

    def label(self, lang: str = "et") -> str:
        return self.label_et if lang.startswith("et") else self.label_en

    def description(self, lang: str = "et") -> str:
        return self.description_et if lang.startswith("et") else self.description_en


MEASURES: dict[str, Measure] = {
    m.name: m
    for m in (
        Measure(
            "episodes",
            "avatud juhtumid",
            "episodes opened",
            "Perioodil avatud juhtumite arv.",
            "The number of episodes opened in the period.",
        ),
        Measure(
            "closed_episodes",
            "suletud juhtumid",
            "episodes closed",
            "Perioodil suletud juhtumite arv.",
            "The number of episodes closed in the period.",
            date="closed",
        ),
        Measure(
            "clients",
            "kliendid",
            "clients",
            "Erinevad kliendid (pseudonüümi järgi), kellel avati perioodil juhtum; klienti "
            "loetakse aastas üks kord, tema aasta esimese juhtumi järgi (kuu, maakond, "
            "liik jne), nii et kuud ja jaotused liituvad aasta kliendiarvuks.",
            "Distinct clients (by client key) with an episode opened in the period; a client "
            "counts once a year, at their first episode of that year (its month, county, "
            "crime type …), so months and breakdowns add up to the year's clients.",
        ),
    )
}


# -- the specification --------------------------------------------------------------------
@dataclass(frozen=True)
class CubeSpec:
    """A cube to build. Frozen and hashable; `filters` may be given as a dict and is kept as
    a sorted tuple of (dimension, codes) pairs. The constructor checks the shape (known
    dimensions, periods, granularity) and raises `CubeError`; `check()` also checks the
    measure and the filter codes against the database.

    The period range runs from the start of `period_from` to the end of `period_to`; both
    may be any period codes whose ends fall on `granularity` boundaries (for a yearly cube
    "2025".."2026" or "2025M01".."2026M12").
    """

    measure: str
    dims: tuple[str, ...]
    filters: tuple[tuple[str, tuple[str, ...]], ...] | Mapping = ()
    period_from: str = ""
    period_to: str = ""
    granularity: Granularity = "month"
    _periods: tuple = field(default=(), init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        dims = (self.dims,) if isinstance(self.dims, str) else tuple(self.dims)
        object.__setattr__(self, "dims", dims)
        raw = self.filters.items() if isinstance(self.filters, Mapping) else self.filters
        filters = []
        problems = []
        for item in raw:
            try:
                name, codes = item
            except (TypeError, ValueError):
                problems.append(f"filters: {item!r} is not a (dimension, codes) pair")
                continue
            codes = (codes,) if isinstance(codes, str) else tuple(str(c) for c in codes)
            filters.append((str(name), tuple(dict.fromkeys(codes))))
        object.__setattr__(self, "filters", tuple(sorted(filters)))
        problems += self._shape_problems()
        if problems:
            raise CubeError(problems)

    def _shape_problems(self) -> list[str]:
        problems = []
        known = ", ".join(DIMENSIONS)
        if not isinstance(self.measure, str) or not self.measure:
            problems.append("measure: choose a measure")
        if not self.dims:
            problems.append("dims: choose at least one dimension")
        if len(self.dims) > MAX_DIMS:
            problems.append(f"dims: at most {MAX_DIMS} dimensions, not {len(self.dims)}")
        for d in self.dims:
            if d not in DIMENSIONS:
                problems.append(f"dims: unknown dimension {d!r} (expected one of {known})")
        if len(set(self.dims)) != len(self.dims):
            problems.append("dims: a dimension is named twice")
        for name, codes in self.filters:
            if name not in DIMENSIONS:
                problems.append(f"filters: unknown dimension {name!r} (expected one of {known})")
            elif not codes:
                problems.append(f"filters: {name} lists no codes")
            elif name == "period":
                problems.append("filters: filter periods with period_from/period_to")
        if self.granularity not in GRANULARITIES:
            problems.append(
                f"granularity: {self.granularity!r} is not one of {', '.join(GRANULARITIES)}"
            )
            return problems
        kind = GRANULARITIES[self.granularity]
        ends = []
        for name in ("period_from", "period_to"):
            text = getattr(self, name)
            try:
                ends.append(periods.parse(str(text)))
            except periods.PeriodError as exc:
                problems.append(f"{name}: {exc}")
        if len(ends) == 2:
            first, last = ends
            start = periods.period_of(first.start, kind)
            stop = periods.period_of(last.end, kind)
            if start.start != first.start:
                problems.append(
                    f"period_from: {first} does not start a {self.granularity} (use e.g. {start})"
                )
            if stop.end != last.end:
                problems.append(
                    f"period_to: {last} does not end a {self.granularity} (use e.g. {stop})"
                )
            if first.start > last.end:
                problems.append(f"period_from: {first} comes after period_to {last}")
            elif not problems:
                object.__setattr__(self, "_periods", tuple(periods.period_range(start, stop)))
        return problems

    @property
    def filter_map(self) -> dict[str, tuple[str, ...]]:
        return dict(self.filters)

    @property
    def kind(self) -> str:
        """The period kind of the granularity: "M", "Q" or "Y"."""
        return GRANULARITIES[self.granularity]

    def periods(self) -> list[periods.Period]:
        """The periods of the range at the cube's granularity, in order."""
        return list(self._periods)

    @property
    def start(self) -> date:
        return self._periods[0].start

    @property
    def end(self) -> date:
        return self._periods[-1].end

    def check(self) -> Measure:
        """Check the measure and the filter codes against the database; return the measure.

        Raises `CubeError` listing every problem (measure unknown, a dimension the measure
        does not have, a period finer than its data, an unknown filter code).
        """
        try:
            measure = measure_for(self.measure)
        except CubeError as exc:
            raise CubeError([f"measure: {p}" for p in exc.problems]) from None
        problems = []
        for d in (*self.dims, *(name for name, _ in self.filters)):
            if d not in measure.dims:
                problems.append(
                    f"dims: {measure.name} cannot be broken down by {d} "
                    f"(it offers {', '.join(measure.dims)})"
                )
        if KIND_ORDER[self.kind] < KIND_ORDER[measure.period_kind]:
            problems.append(
                f"granularity: {measure.name} is reported by "
                f"{_GRANULARITY_OF[measure.period_kind]}, so the cube cannot be by "
                f"{self.granularity}"
            )
        if problems:
            raise CubeError(problems)
        for name, codes in self.filters:
            valid = {c.code for c in categories(name, measure)}
            unknown = [c for c in codes if c not in valid]
            if unknown:
                problems.append(f"filters: unknown {name} code(s) {', '.join(map(repr, unknown))}")
        if problems:
            raise CubeError(problems)
        return measure

    def to_dict(self) -> dict:
        """A JSON-ready form; `CubeSpec.from_dict` reads it back."""
        return {
            "measure": self.measure,
            "dims": list(self.dims),
            "filters": {name: list(codes) for name, codes in self.filters},
            "period_from": self.period_from,
            "period_to": self.period_to,
            "granularity": self.granularity,
        }

    @classmethod
    def from_dict(cls, data: Mapping) -> CubeSpec:
        if not isinstance(data, Mapping):
            raise CubeError("spec: expected an object with measure, dims, periods")
        unknown = set(data) - {"measure", "dims", "filters", "period_from", "period_to",
                               "granularity"}  # fmt: skip
        if unknown:
            raise CubeError(f"spec: unknown key(s) {', '.join(sorted(unknown))}")
        return cls(
            measure=data.get("measure", ""),
            dims=tuple(data.get("dims") or ()),
            filters=data.get("filters") or {},
            period_from=str(data.get("period_from", "")),
            period_to=str(data.get("period_to", "")),
            granularity=data.get("granularity", "month"),
        )


KIND_ORDER = {"M": 0, "Q": 1, "Y": 2}
_GRANULARITY_OF = {v: k for k, v in GRANULARITIES.items()}


# -- measures from the database -------------------------------------------------------------
def measure_for(name: str) -> Measure:
    """The measure `name`: one of `MEASURES` or `values:<DATASET>.<ELEMENT>`.

    Raises `CubeError` for an unknown name, a missing element or a percent element (percents
    do not add up)."""
    if name in MEASURES:
        return MEASURES[name]
    if not name.startswith(VALUES_PREFIX):
        raise CubeError(
            f"unknown measure {name!r} (expected one of {', '.join(MEASURES)} "
            f"or {VALUES_PREFIX}<DATASET>.<ELEMENT>)"
        )
    from seire.collection.models import DataElement

    dataset, _, element = name[len(VALUES_PREFIX) :].partition(".")
    found = (
        DataElement.objects.select_related("dataset", "disaggregation")
        .filter(dataset__code=dataset, code=element)
        .first()
    )
    if found is None:
        raise CubeError(f"no statistics-table element {dataset}.{element}")
    if found.value_type == DataElement.ValueType.PERCENT:
        raise CubeError(f"{dataset}.{element} is a percent: percents cannot be added up")
    return _values_measure(found)


def _values_measure(element) -> Measure:
    from seire.collection.models import DataElement

    cats = set(element.disaggregation.categories.values_list("code", flat=True))
    dims = tuple(d for d in VALUES_DIMS if d not in OPTION_DIMS or d in cats)
    ds = element.dataset
    return Measure(
        name=f"{VALUES_PREFIX}{ds.code}.{element.code}",
        label_et=f"{element.name_et} ({ds.name_et})",
        label_en=f"{element.name_en} ({ds.name_en})",
        description_et=element.counting_rule_et or f"Statistikatabeli {ds.code} väärtuste summa.",
        description_en=element.counting_rule_en or f"The sum of statistics table {ds.code}.",
        source="values",
        date="period",
        dataset=ds.code,
        element=element.code,
        period_kind=ds.period_type,
        whole=element.value_type == DataElement.ValueType.COUNT,
        dims=dims,
    )


def values_measures() -> list[Measure]:
    """Every summable statistics-table element as a measure (for pickers)."""
    from seire.collection.models import DataElement

    elements = (
        DataElement.objects.select_related("dataset", "disaggregation")
        .exclude(value_type=DataElement.ValueType.PERCENT)
        .order_by("dataset__code", "sort", "code")
    )
    return [_values_measure(e) for e in elements]


# -- categories -------------------------------------------------------------------------------
def _units_of_kind(kind: str) -> list[Category]:
    from seire.organisation.models import OrgUnit

    return [
        Category(u.code, u.name_et, u.name_en)
        for u in OrgUnit.objects.filter(kind=kind).order_by("path")
    ]


def _vocabulary(name: str) -> list[Category]:
    from seire.collection import vocabulary

    return [Category(o.code, o.name_et, o.name_en) for o in vocabulary.options(name)]


def _options(name: str) -> list[Category]:
    from seire.collection.models import CategoryOption

    return [
        Category(o.code, o.name_et, o.name_en)
        for o in CategoryOption.objects.filter(category__code=name).order_by("sort", "code")
    ]


def categories(dim: str, measure: Measure | None = None) -> list[Category]:
    """The categories `dim` can take for `measure`, in display order (periods excluded).

    Counties and regions come from the org-unit tree, crime types, genders and age groups
    from the code lists (a statistics table's own options for a values measure), services
    and units from the database. `not_reported` is always a valid code of an episode field.
    """
    from seire.organisation.models import OrgUnit, Service

    values = measure is not None and measure.source == "values"
    if dim in ("county", "region"):
        found = _units_of_kind(dim)
    elif dim in OPTION_DIMS:
        found = _options(dim) if values else _vocabulary(dim)
    elif dim == "service":
        found = [Category(s.code, s.name_et, s.name_en) for s in Service.objects.order_by("code")]
    elif dim == "unit":
        found = [
            Category(u.code, u.name_et, u.name_en)
            for u in OrgUnit.objects.exclude(kind__in=("country", "region")).order_by("path")
        ]
    else:
        return []
    if not values:
        found.append(Category(NOT_REPORTED, *NOT_REPORTED_LABELS))
    return found


def category_label(dim: str, code: str, lang: str = "et", measure: Measure | None = None) -> str:
    """The label of a category (a period's label for `period`; the code when unknown)."""
    from seire import disclosure

    if code == disclosure.TOTAL:
        return {"et": "kokku", "ru": "итого"}.get(lang[:2], "total")
    if dim == "period":
        try:
            return periods.parse(code).label(lang[:2] if lang[:2] in periods.LANGUAGES else "en")
        except periods.PeriodError:
            return code
    for c in categories(dim, measure):
        if c.code == code:
            return c.label(lang)
    return code


# -- building ---------------------------------------------------------------------------------
def _month_expr(qs, column: str):
    """The month of a date column in SQL (ISO text "2026-03" on SQLite, else a date)."""
    if connections[qs.db].vendor == "sqlite":
        return Substr(column, 1, 7)
    return TruncMonth(column)


def _period_of_month(value, kind: str) -> str:
    if isinstance(value, str):
        value = date(int(value[:4]), int(value[5:7]), 1)
    elif hasattr(value, "date") and callable(value.date):
        value = value.date()
    return str(periods.period_of(value, kind))


class _Units:
    """Org-unit lookups from one query: id → code, and id → its county / region code."""

    def __init__(self):
        from seire.organisation.models import OrgUnit

        rows = list(OrgUnit.objects.values_list("id", "code", "kind", "parent_id"))
        self.code = {i: c for i, c, _, _ in rows}
        self.kind = {i: k for i, _, k, _ in rows}
        self.parent = {i: p for i, _, _, p in rows}

    def up(self, unit_id, kind: str) -> str:
        seen = 0
        while unit_id is not None and seen < 64:
            if self.kind.get(unit_id) == kind:
                return self.code[unit_id]
            unit_id = self.parent.get(unit_id)
            seen += 1
        return NOT_REPORTED

    def ids_under(self, codes: Iterable[str], kind: str) -> list[int]:
        wanted = set(codes)
        return [i for i in self.code if self.up(i, kind) in wanted]


def build_cube(spec: CubeSpec) -> pd.DataFrame:
    """The inner cells of the cube: one column per dimension (in `spec.dims` order) and
    `value`, one row for every combination of categories (zeros included), sorted in
    category order. Counts are integers; sums of decimal elements are floats.

    Categories are the filter's codes when a dimension is filtered; otherwise counties,
    regions and code lists are complete (plus `not_reported` when some record has it) and
    services and units are those that occur in the data of the range. Raises `CubeError`.
    """
    measure = spec.check()
    if measure.source == "values":
        frame, observed = _values_frame(spec, measure)
    else:
        frame, observed = _episodes_frame(spec, measure)
    return _complete(spec, measure, frame, observed)


def build_keyed_cube(spec: CubeSpec, secret: str) -> pd.DataFrame:
    """`build_cube` for cell-key perturbation: the inner cells (`value`, the count) with
    `cell_key`, the sum of the record keys of their records modulo `KEY_RANGE` (a record is
    an episode; for `clients`, a client in a year). Only episode counts have records: a
    `values:` measure raises `CubeError`."""
    from seire.disclosure import cellkey

    measure = spec.check()
    if measure.source != "episodes":
        raise CubeError(
            f"measure: {measure.name} sums reported values, which have no records to key; "
            "cell-key perturbation needs an episode count"
        )
    frame, observed = _episodes_frame(spec, measure, records=True)
    keys = cellkey.record_keys(frame.pop("_record"), secret)
    counts = _complete(spec, measure, frame, observed)
    summed = _complete(spec, measure, frame.assign(value=keys), observed)
    return counts.assign(cell_key=summed["value"].to_numpy() % cellkey.KEY_RANGE)


def _episodes_frame(
    spec: CubeSpec, measure: Measure, records: bool = False
) -> tuple[pd.DataFrame, dict]:
    """The episodes' categories and counts; with `records`, one row per record and its id
    in `_record`."""
    from seire.collection.models import Episode

    units = _Units()
    date_col = measure.date
    qs = Episode.objects.filter(**{f"{date_col}__gte": spec.start, f"{date_col}__lte": spec.end})
    for name, codes in spec.filters:
        qs = _filter_episodes(qs, name, codes, units)
    columns = {
        "county": "county_id",
        "region": "county_id",
        "service": "service__code",
        "unit": "unit_id",
        "crime_type": "crime_type",
        "gender": "gender",
        "age_group": "age_group",
    }
    needed = list(dict.fromkeys(columns[d] for d in spec.dims if d != "period"))
    month = _month_expr(qs, date_col)
    if measure.name == "clients":
        # A client counts once a year: at their first episode of the year (by date, then id).
        rows = list(
            qs.annotate(_month=month)
            .order_by(date_col, "id")
            .values_list("client_key", "_month", *needed)
        )
        raw = pd.DataFrame(rows, columns=["client_key", "_month", *needed])
        if len(raw):
            raw["_year"] = [str(m)[:4] for m in raw["_month"]]
            raw = raw.drop_duplicates(["client_key", "_year"], keep="first")
        raw["_n"] = 1
        raw["_record"] = [
            f"client:{k}:{y}" for k, y in zip(raw["client_key"], raw.get("_year", []), strict=True)
        ]
    elif records:
        rows = list(qs.annotate(_month=month).values_list("id", "_month", *needed).order_by())
        raw = pd.DataFrame(rows, columns=["_id", "_month", *needed])
        raw["_n"] = 1
        raw["_record"] = [f"episode:{i}" for i in raw["_id"]]
    else:
        rows = list(
            qs.annotate(_month=month)
            .values("_month", *needed)
            .annotate(_n=Count("id"))
            .values_list("_month", *needed, "_n")
            .order_by()
        )
        raw = pd.DataFrame(rows, columns=["_month", *needed, "_n"])
    frame = pd.DataFrame(index=raw.index)
    for d in spec.dims:
        if d == "period":
            lookup = {m: _period_of_month(m, spec.kind) for m in set(raw["_month"])}
            frame[d] = raw["_month"].map(lookup)
        elif d == "county":
            frame[d] = raw["county_id"].map(lambda i: units.up(i, "county"))
        elif d == "region":
            frame[d] = raw["county_id"].map(lambda i: units.up(i, "region"))
        elif d == "unit":
            frame[d] = raw["unit_id"].map(lambda i: units.code.get(i, NOT_REPORTED))
        else:
            frame[d] = raw[columns[d]].map(lambda v: v or NOT_REPORTED)
    frame["value"] = raw["_n"]
    if records:
        frame["_record"] = raw["_record"]
    observed = {d: list(dict.fromkeys(frame[d])) for d in spec.dims}
    return frame, observed


def _filter_episodes(qs, name: str, codes: tuple[str, ...], units: _Units):
    real = [c for c in codes if c != NOT_REPORTED]
    blank = NOT_REPORTED in codes
    if name in ("county", "region"):
        ids = units.ids_under(real, name) if real else []
        q = qs.filter(county_id__in=ids)
        if blank:
            missing = [i for i in units.code if units.up(i, name) == NOT_REPORTED]
            q = q | qs.filter(county__isnull=True) | qs.filter(county_id__in=missing)
        return q
    if name == "service":
        return qs.filter(service__code__in=real)
    if name == "unit":
        return qs.filter(unit__code__in=real)
    column = name
    q = qs.filter(**{f"{column}__in": real})
    if blank:
        q = q | qs.filter(**{column: ""})
    return q


def _values_frame(spec: CubeSpec, measure: Measure) -> tuple[pd.DataFrame, dict]:
    from seire.collection.models import Dataset, DataValue, OptionCombo

    units = _Units()
    stored = [
        str(p)
        for p in periods.period_range(
            periods.period_of(spec.start, measure.period_kind),
            periods.period_of(spec.end, measure.period_kind),
        )
    ]
    qs = DataValue.objects.filter(
        status=DataValue.Status.VALUE,
        element__dataset__code=measure.dataset,
        element__code=measure.element,
        period__in=stored,
    )
    option_dims = [d for d in OPTION_DIMS if d in spec.dims or d in spec.filter_map]
    combos: dict[int, dict[str, str]] = {}
    for combo in OptionCombo.objects.filter(
        disaggregation__dataelement__dataset__code=measure.dataset,
        disaggregation__dataelement__code=measure.element,
    ).prefetch_related("options__category"):
        combos[combo.id] = {o.category.code: o.code for o in combo.options.all()}
    # Breakdown combos when a category is asked for; otherwise the total column, so a
    # value entered both in its breakdown and as a total is not counted twice.
    if option_dims:
        chosen = [
            i
            for i, opts in combos.items()
            if all(d in opts for d in option_dims)
            and all(opts[d] in spec.filter_map[d] for d in option_dims if d in spec.filter_map)
        ]
    else:
        chosen = [i for i, opts in combos.items() if not opts]
    qs = qs.filter(combo_id__in=chosen)
    for name in ("county", "region"):
        if name in spec.filter_map:
            qs = qs.filter(unit_id__in=units.ids_under(spec.filter_map[name], name))
    if "unit" in spec.filter_map:
        qs = qs.filter(unit__code__in=spec.filter_map["unit"])
    if "service" in spec.filter_map:
        qs = qs.filter(element__dataset__service__code__in=spec.filter_map["service"])
    rows = list(
        qs.values("period", "unit_id", "combo_id")
        .annotate(_v=Sum("value"))
        .values_list("period", "unit_id", "combo_id", "_v")
        .order_by()
    )
    raw = pd.DataFrame(rows, columns=["period", "unit_id", "combo_id", "_v"])
    service = Dataset.objects.filter(code=measure.dataset).values_list("service__code", flat=True)
    raw["_service"] = service.first()
    frame = pd.DataFrame(index=raw.index)
    for d in spec.dims:
        if d == "period":
            lookup = {p: str(_coarsen(p, spec.kind)) for p in set(raw["period"])}
            frame[d] = raw["period"].map(lookup)
        elif d in ("county", "region"):
            frame[d] = raw["unit_id"].map(lambda i, d=d: units.up(i, d))
        elif d == "unit":
            frame[d] = raw["unit_id"].map(units.code)
        elif d == "service":
            frame[d] = raw["_service"]
        else:
            frame[d] = raw["combo_id"].map(lambda i, d=d: combos[i][d])
    frame["value"] = raw["_v"].map(lambda v: float(v) if isinstance(v, Decimal) else v)
    observed = {d: list(dict.fromkeys(frame[d])) for d in spec.dims}
    return frame, observed


def _coarsen(code: str, kind: str) -> periods.Period:
    p = periods.parse(code)
    return periods.period_of(p.start, kind)


def _complete(
    spec: CubeSpec, measure: Measure, frame: pd.DataFrame, observed: dict
) -> pd.DataFrame:
    """Sum to the cube's cells and add a zero for every missing combination."""
    axes = []
    for d in spec.dims:
        if d == "period":
            axes.append([str(p) for p in spec.periods()])
        elif d in spec.filter_map:
            axes.append(list(spec.filter_map[d]))
        elif d in ("service", "unit"):
            order = [c.code for c in categories(d, measure)]
            seen = set(observed[d])
            axes.append([c for c in order if c in seen] + sorted(seen - set(order)))
        else:
            listed = [c.code for c in categories(d, measure) if c.code != NOT_REPORTED]
            extra = [c for c in observed[d] if c not in listed]
            axes.append(listed + sorted(extra))
    dims = list(spec.dims)
    if len(frame):
        summed = frame.groupby(dims, sort=False)["value"].sum()
    else:
        summed = pd.Series(dtype=float)
    if len(dims) == 1:
        index = pd.Index(axes[0], name=dims[0])
    else:
        index = pd.MultiIndex.from_tuples(list(product(*axes)), names=dims)
    values = summed.reindex(index, fill_value=0) if len(summed) else pd.Series(0, index=index)
    out = values.rename("value").reset_index()
    out["value"] = out["value"].astype("int64" if measure.whole else "float64")
    return out


def protected_cube(
    spec: CubeSpec, threshold: int = 5, protection: int | None = None
) -> pd.DataFrame:
    """`build_cube(spec)` protected by `seire.disclosure.protect`: every cell including the
    totals (`TOTAL`), the true `value` and a `status` (published | primary | secondary).
    Suppressed values must be blanked by whoever shows the frame."""
    from seire import disclosure

    frame = build_cube(spec)
    return disclosure.protect(
        frame, list(spec.dims), "value", threshold=threshold, protection=protection
    )
