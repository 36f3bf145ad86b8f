"""The keys each entry of the `metrics` file may have (with their types and help), the
patterns of its codes, and the keys that become `Metric` and `MetricVersion` fields."""

from seire.catalogue.loader import Field
from seire.metrics.definitions import MEASURES, OPERATORS
from seire.metrics.models import Metric, MetricVersion

METRIC_CODE = r"[A-Z][A-Z0-9_]*"
PERIOD = r"[0-9]{4}(M(0[1-9]|1[0-2])|Q[1-4])?"

FILE_FIELDS = {
    "description": Field(str, help="What the file defines (documentation; not stored)."),
    "reference": Field(str, help="Where the metrics come from (documentation; not stored)."),
    "metrics": Field(list, True, "The metrics."),
}
METRIC_FIELDS = {
    "code": Field(
        str, True, "Stable uppercase code (VS_CLIENTS).", pattern=METRIC_CODE, max_length=40
    ),
    "name_et": Field(str, True, "Name in Estonian.", max_length=200),
    "name_en": Field(str, True, "Name in English.", max_length=200),
    "purpose_et": Field(str, True, "Why the metric is watched, in Estonian."),
    "purpose_en": Field(str, True, "Why the metric is watched, in English."),
    "service": Field(str, help="Code of the owner service (VS); none for a shared metric."),
    "direction": Field(
        str,
        True,
        "higher, lower or neutral (which way is better).",
        choices=tuple(Metric.Direction.values),
    ),
    "unit_et": Field(str, True, "Unit of the value in Estonian (%, klienti).", max_length=40),
    "unit_en": Field(str, True, "Unit of the value in English (%, clients).", max_length=40),
    "related": Field(list, help="Codes of related metrics of this file (both ways)."),
    "version": Field(dict, help="The definition (the current version)."),
}
VERSION_FIELDS = {
    "number": Field(
        int, help="The version number at export (documentation; not compared).", minimum=1
    ),
    "effective_from": Field(
        str, help="First period the version applies to (2026Q1).", pattern=PERIOD
    ),
    "type": Field(str, True, "What is computed.", choices=tuple(MetricVersion.Type.values)),
    "numerator": Field(dict, True, "What is counted: source, measure, field, date, filter."),
    "denominator": Field(
        dict, help="What it is divided by (percent, ratio; {source: population} for a rate)."
    ),
    "frequency": Field(str, True, "M, Q or Y.", choices=tuple(MetricVersion.Frequency.values)),
    "breakdowns": Field(list, help="region, county, unit and the source's breakdowns."),
    "target": Field(float, help="The value aimed at (green at or beyond it)."),
    "amber": Field(float, help="Amber between it and the target; red beyond it."),
    "min_n": Field(int, help="Below this n the value is flagged 'n too small'.", minimum=0),
    "methodology_et": Field(str, True, "What counts and what does not, in Estonian."),
    "methodology_en": Field(str, True, "What counts and what does not, in English."),
    "limitations_et": Field(str, help="Limitations in Estonian."),
    "limitations_en": Field(str, help="Limitations in English."),
    "data_quality_et": Field(str, help="Data-quality notes in Estonian."),
    "data_quality_en": Field(str, help="Data-quality notes in English."),
    "reference": Field(str, help="Methodological or legal source.", max_length=300),
    "rationale": Field(str, help="Why this version (a change's reason)."),
}
SIDE_FIELDS = {
    "source": Field(str, True, "episodes, values, outcomes, assessments, submissions, population."),
    "measure": Field(
        str, help="count (default), distinct, sum, mean, median.", choices=tuple(sorted(MEASURES))
    ),
    "field": Field(str, help="The numeric field of sum, mean and median."),
    "date": Field(str, help="The date that puts a record in a period (opened, closed, period)."),
    "filter": Field(list, help="Conditions (field, op, value), all of which must hold."),
}
CONDITION_FIELDS = {
    "field": Field(str, True, "A field of the source."),
    "op": Field(
        str,
        help="eq (default), ne, in, not_in, lt, le, gt, ge, is_null, not_null, contains.",
        choices=tuple(OPERATORS),
    ),  # fmt: skip
    "value": Field(object, help="The value (a list for in and not_in)."),
}

VERSION_KEYS = (
    "effective_from", "type", "numerator", "denominator", "frequency", "breakdowns", "target",
    "amber", "min_n", "methodology_et", "methodology_en", "limitations_et", "limitations_en",
    "data_quality_et", "data_quality_en", "reference", "rationale",
)  # fmt: skip
METRIC_KEYS = ("name_et", "name_en", "purpose_et", "purpose_en", "service", "direction",
               "unit_et", "unit_en")  # fmt: skip
