"""The forms of the metric pages: a change proposal as structured fields, and the decision.

`ProposalForm` edits a definition without JavaScript: selects for the type, frequency and
each side's source, measure, field and date, a fixed number of filter rows (field,
operator, value) per side, and checkboxes for the breakdowns. `definition()` turns the
cleaned form into the dict `seire.metrics.proposals.propose` checks; a filter value is
typed after the source's field (yes/no for a flag, a number, a comma-separated list for
"is one of"), so the definition check can name what does not fit.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from seire import periods
from seire.metrics.comparison import MEASURE_WORDS, OPERATOR_WORDS
from seire.metrics.models import MetricVersion
from seire.metrics.proposals import TEXTS
from seire.metrics.sources import SOURCES

SIDES = {"numerator": _("Numerator"), "denominator": _("Denominator")}
MIN_FILTER_ROWS = 3
YES = {"yes", "true", "jah", "да", "1"}
NO = {"no", "false", "ei", "нет", "0"}
NONE = [("", "—")]


def _names(attribute: str) -> list[tuple[str, str]]:
    """The union of one attribute (fields, dates, breakdowns) over all sources, sorted."""
    names = sorted({name for source in SOURCES.values() for name in getattr(source, attribute)})
    return [(name, name) for name in names]


def filter_rows(definition: dict) -> int:
    """Filter rows per side: room for two more conditions than the longest filter has."""
    longest = max(
        (len((definition.get(side) or {}).get("filter") or []) for side in SIDES), default=0
    )
    return max(MIN_FILTER_ROWS, longest + 2)


def initial_from(definition: dict) -> dict:
    """The form's initial data for a normalised definition."""
    initial = {name: definition.get(name) for name in ("type", "frequency", "breakdowns", "min_n")}
    initial.update(target=definition.get("target"), amber=definition.get("amber"))
    initial.update({name: definition.get(name, "") for name in TEXTS})
    for side in SIDES:
        spec = definition.get(side) or {}
        for key in ("source", "measure", "field", "date"):
            initial[f"{side}_{key}"] = spec.get(key) or ""
        for i, condition in enumerate(spec.get("filter") or []):
            value = condition.get("value")
            if isinstance(value, list):
                value = ", ".join(str(v) for v in value)
            elif isinstance(value, bool):
                value = "yes" if value else "no"
            initial[f"{side}_f{i}_field"] = condition.get("field")
            initial[f"{side}_f{i}_op"] = condition.get("op", "eq")
            initial[f"{side}_f{i}_value"] = "" if value is None else str(value)
    return initial


class ProposalForm(forms.Form):
    type = forms.ChoiceField(label=_("Type"), choices=MetricVersion.Type.choices)
    frequency = forms.ChoiceField(label=_("Frequency"), choices=MetricVersion.Frequency.choices)
    breakdowns = forms.MultipleChoiceField(
        label=_("Breakdowns"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[("region", "region"), ("county", "county"), ("unit", "unit")]
        + _names("breakdowns"),
    )
    target = forms.DecimalField(label=_("Target"), required=False, max_digits=12, decimal_places=3)
    amber = forms.DecimalField(
        label=_("Amber threshold"), required=False, max_digits=12, decimal_places=3
    )
    min_n = forms.IntegerField(label=_("Smallest n shown"), min_value=0, initial=10)
    methodology_et = forms.CharField(
        label=_("Methodology (Estonian)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    methodology_en = forms.CharField(
        label=_("Methodology (English)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    limitations_et = forms.CharField(
        label=_("Limitations (Estonian)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    limitations_en = forms.CharField(
        label=_("Limitations (English)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    rationale = forms.CharField(
        label=_("Rationale"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Why the definition should change, and what the change will show better."),
        error_messages={"required": _("Say why the definition should change.")},
    )

    def __init__(self, *args, rows: int = MIN_FILTER_ROWS, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = rows
        sources = [(name, name) for name in SOURCES]
        for side, title in SIDES.items():
            extra = [("population", "population")] if side == "denominator" else []
            self.fields[f"{side}_source"] = forms.ChoiceField(
                label=_("Source"),
                choices=NONE + sources + extra,
                required=side == "numerator",
            )
            self.fields[f"{side}_measure"] = forms.ChoiceField(
                label=_("Measure"),
                choices=list(MEASURE_WORDS.items()),
                initial="count",
                required=False,
            )
            self.fields[f"{side}_field"] = forms.ChoiceField(
                label=_("Numeric field (for sum, mean, median)"),
                choices=NONE + _names("fields"),
                required=False,
            )
            self.fields[f"{side}_date"] = forms.ChoiceField(
                label=_("Date that puts a record in a period"),
                choices=NONE + _names("dates"),
                required=False,
            )
            for i in range(rows):
                n = i + 1
                self.fields[f"{side}_f{i}_field"] = forms.ChoiceField(
                    label=_("%(side)s condition %(n)d: field") % {"side": title, "n": n},
                    choices=NONE + _names("fields"),
                    required=False,
                )
                self.fields[f"{side}_f{i}_op"] = forms.ChoiceField(
                    label=_("%(side)s condition %(n)d: operator") % {"side": title, "n": n},
                    choices=list(OPERATOR_WORDS.items()),
                    initial="eq",
                    required=False,
                )
                self.fields[f"{side}_f{i}_value"] = forms.CharField(
                    label=_("%(side)s condition %(n)d: value") % {"side": title, "n": n},
                    required=False,
                )

    def sides(self) -> list[dict]:
        """The bound fields of each side, grouped for the template."""
        return [
            {
                "name": side,
                "title": title,
                "source": self[f"{side}_source"],
                "measure": self[f"{side}_measure"],
                "field": self[f"{side}_field"],
                "date": self[f"{side}_date"],
                "filters": [
                    (
                        i + 1,
                        self[f"{side}_f{i}_field"],
                        self[f"{side}_f{i}_op"],
                        self[f"{side}_f{i}_value"],
                    )
                    for i in range(self.rows)
                ],
            }
            for side, title in SIDES.items()
        ]

    def clean(self):
        data = super().clean()
        for side in SIDES:
            for i in range(self.rows):
                if data.get(f"{side}_f{i}_value") and not data.get(f"{side}_f{i}_field"):
                    self.add_error(f"{side}_f{i}_field", _("Choose the field this value is for."))
        return data

    def definition(self) -> dict:
        """The proposed definition from the cleaned data (not yet checked)."""
        data = self.cleaned_data
        definition = {name: data.get(name) for name in ("type", "frequency", "min_n", *TEXTS)}
        definition["breakdowns"] = list(data.get("breakdowns") or [])
        for name in ("target", "amber"):
            definition[name] = str(data[name]) if data.get(name) is not None else None
        for side in SIDES:
            definition[side] = self._side(side)
        return definition

    def _side(self, side: str) -> dict | None:
        data = self.cleaned_data
        source_name = data.get(f"{side}_source")
        if not source_name:
            return None
        if source_name == "population":
            return {"source": "population"}
        source = SOURCES.get(source_name)
        conditions = []
        for i in range(self.rows):
            field = data.get(f"{side}_f{i}_field")
            if not field:
                continue
            op = data.get(f"{side}_f{i}_op") or "eq"
            raw = data.get(f"{side}_f{i}_value", "")
            target = source.field(field) if source else None
            kind = target.type if target else "str"
            if op in ("is_null", "not_null"):
                value = None
            elif op in ("in", "not_in"):
                value = [typed(part.strip(), kind) for part in raw.split(",") if part.strip()]
            else:
                value = typed(raw.strip(), kind)
            conditions.append({"field": field, "op": op, "value": value})
        return {
            "source": source_name,
            "measure": data.get(f"{side}_measure") or "count",
            "field": data.get(f"{side}_field") or None,
            "date": data.get(f"{side}_date") or None,
            "filter": conditions,
        }


def typed(text: str, kind: str):
    """A filter value as the field's type; text that does not parse is left as text, so the
    definition check says which condition does not fit.

    >>> typed("yes", "bool"), typed("3", "number"), typed("2.5", "number"), typed("x", "bool")
    (True, 3, 2.5, 'x')
    """
    if kind == "bool":
        if text.lower() in YES:
            return True
        if text.lower() in NO:
            return False
    elif kind == "number":
        try:
            return int(text)
        except ValueError:
            try:
                return float(text.replace(",", "."))
            except ValueError:
                pass
    return text


class AcceptForm(forms.Form):
    effective_from = forms.ChoiceField(
        label=_("Effective from"),
        help_text=_("The first period the new version counts."),
    )

    def __init__(self, *args, choices: list[str], language: str = "et", **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["effective_from"]
        field.choices = [(code, periods.parse(code).label(language)) for code in choices]


class RejectForm(forms.Form):
    comment = forms.CharField(
        label=_("Why the proposal is rejected"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Say why the proposal is rejected.")},
    )
