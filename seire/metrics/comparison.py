"""Two metric definitions side by side, field by field, in plain words.

The proposal page shows the current and the proposed definition as lines of plain fields
(type, each side's source, measure, field, date and filter, frequency, thresholds, texts),
each marked when the proposal changes it.
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from seire.metrics.models import MetricVersion

OPERATOR_WORDS = {
    "eq": "=",
    "ne": "≠",
    "lt": "<",
    "le": "≤",
    "gt": ">",
    "ge": "≥",
    "in": gettext_lazy("is one of"),
    "not_in": gettext_lazy("is none of"),
    "is_null": gettext_lazy("is empty"),
    "not_null": gettext_lazy("is not empty"),
    "contains": gettext_lazy("contains"),
}
MEASURE_WORDS = {
    "count": gettext_lazy("number of records"),
    "distinct": gettext_lazy("number of distinct persons"),
    "sum": gettext_lazy("sum"),
    "mean": gettext_lazy("mean"),
    "median": gettext_lazy("median"),
}
SIDE_LINES = (
    ("source", gettext_lazy("source")),
    ("measure", gettext_lazy("measure")),
    ("field", gettext_lazy("field")),
    ("date", gettext_lazy("period by date")),
    ("filter", gettext_lazy("filter")),
)


@dataclass
class Line:
    """One plain field of two definitions: `section` groups the numerator's and
    denominator's lines; `changed` says whether the proposal changes it."""

    section: str
    label: str
    old: str
    new: str

    @property
    def changed(self) -> bool:
        return self.old != self.new


def condition_text(condition: dict) -> str:
    """ "crime_type = domestic_violence", "services_given contains legal", "closed is empty" """
    op = condition.get("op", "eq")
    words = f"{condition.get('field')} {OPERATOR_WORDS.get(op, op)}"
    if op in ("is_null", "not_null"):
        return words
    value = condition.get("value")
    if isinstance(value, bool):
        value = _("yes") if value else _("no")
    elif isinstance(value, list):
        value = ", ".join(str(v) for v in value)
    return f"{words} {value}"


def _side_text(spec: dict | None, key: str) -> str:
    if not spec:
        return ""
    value = spec.get(key)
    if key == "measure":
        return str(MEASURE_WORDS.get(value, value or "")) if spec["source"] != "population" else ""
    if key == "filter":
        return _(" and ").join(condition_text(c) for c in value or [])
    return str(value or "")


def _choice(choices, value) -> str:
    return str(choices(value).label) if value in choices.values else str(value or "")


def side_by_side(old: dict, new: dict) -> list[Line]:
    """The plain fields of two normalised definitions (`old` may be {}), in reading order,
    leaving out the fields that are empty in both."""
    lines = [
        Line(
            "",
            _("Type"),
            _choice(MetricVersion.Type, old.get("type")),
            _choice(MetricVersion.Type, new["type"]),
        ),
    ]
    for side, section in (("numerator", _("Numerator")), ("denominator", _("Denominator"))):
        for key, label in SIDE_LINES:
            lines.append(
                Line(
                    section, str(label), _side_text(old.get(side), key), _side_text(new[side], key)
                )
            )
    frequency = MetricVersion.Frequency
    plain = [
        (
            _("Frequency"),
            _choice(frequency, old.get("frequency")),
            _choice(frequency, new["frequency"]),
        ),
        (_("Breakdowns"), ", ".join(old.get("breakdowns") or []), ", ".join(new["breakdowns"])),
        (_("Target"), old.get("target") or "", new["target"] or ""),
        (_("Amber threshold"), old.get("amber") or "", new["amber"] or ""),
        (_("Smallest n shown"), str(old.get("min_n", "")), str(new["min_n"])),
        (_("Methodology (Estonian)"), old.get("methodology_et", ""), new["methodology_et"]),
        (_("Methodology (English)"), old.get("methodology_en", ""), new["methodology_en"]),
        (_("Limitations (Estonian)"), old.get("limitations_et", ""), new["limitations_et"]),
        (_("Limitations (English)"), old.get("limitations_en", ""), new["limitations_en"]),
    ]
    lines += [Line("", str(label), a, b) for label, a, b in plain]
    # A line empty on both sides says nothing (e.g. every line of an absent denominator).
    return [line for line in lines if line.old or line.new]
