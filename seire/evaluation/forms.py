"""The analysis-plan form: what an impact evaluation will look at, written before it runs."""

from django import forms
from django.utils.translation import gettext_lazy as _

from seire.evaluation.models import AnalysisPlan, Instrument


class PlanForm(forms.ModelForm):
    subgroups = forms.MultipleChoiceField(
        label=_("Subgroups"),
        choices=AnalysisPlan.SUBGROUPS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = AnalysisPlan
        fields = (
            "title",
            "service",
            "first_period",
            "last_period",
            "instrument",
            "timepoints",
            "primary_outcome",
            "subgroups",
            "minimum_n",
            "rationale",
        )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["instrument"].queryset = Instrument.objects.filter(kind=Instrument.Kind.SCORE)
