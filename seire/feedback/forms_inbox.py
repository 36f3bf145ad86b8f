"""Forms of the inbox: bulk triage, an action, "no action", forwarding, and theme checks."""

from django import forms
from django.utils.translation import gettext_lazy as _

from seire.feedback.items import FeedbackItem, Severity
from seire.organisation.models import Partner
from seire.textscan import load_codebook

OPEN = [s for s in FeedbackItem.Status if s != FeedbackItem.Status.CLOSED]


def theme_choices() -> list[tuple[str, str]]:
    return [(t, t.replace("_", " ")) for t in load_codebook()]


class InboxFilter(forms.Form):
    """The inbox's filters (GET); every field is optional."""

    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("open")), ("all", _("all")), *FeedbackItem.Status.choices],
    )
    severity = forms.ChoiceField(
        label=_("Severity"), required=False, choices=[("", _("any")), *Severity.choices]
    )
    theme = forms.ChoiceField(label=_("Theme"), required=False)
    overdue = forms.BooleanField(label=_("Only overdue"), required=False)
    q = forms.CharField(label=_("Search the text"), required=False, max_length=100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["theme"].choices = [("", _("any")), *theme_choices()]


class BulkTriage(forms.Form):
    items = forms.TypedMultipleChoiceField(coerce=int, label=_("Items"))
    status = forms.ChoiceField(
        label=_("New status"),
        choices=[
            (FeedbackItem.Status.TRIAGED, _("triaged")),
            (FeedbackItem.Status.IN_PROGRESS, _("in progress")),
        ],
    )

    def __init__(self, *args, item_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["items"].choices = [(pk, str(pk)) for pk in item_ids]


class ActionForm(forms.Form):
    description = forms.CharField(
        label=_("What was done or is planned"), widget=forms.Textarea(attrs={"rows": 3})
    )
    planned_on = forms.DateField(
        label=_("Planned date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    done_on = forms.DateField(
        label=_("Done date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    close = forms.BooleanField(label=_("Close the item"), required=False)

    def clean(self):
        data = super().clean()
        if data.get("close") and not data.get("done_on"):
            self.add_error("done_on", _("Give the date it was done to close the item."))
        if not data.get("planned_on") and not data.get("done_on"):
            self.add_error("planned_on", _("Give a planned date or the date it was done."))
        return data


class NoActionForm(forms.Form):
    reason = forms.CharField(
        label=_("Why no action is needed"),
        widget=forms.Textarea(attrs={"rows": 3}),
        min_length=10,
    )


class ForwardForm(forms.Form):
    partner = forms.ModelChoiceField(label=_("Partner"), queryset=Partner.objects.all())
    note = forms.CharField(
        label=_("Note to the partner"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class ThemesForm(forms.Form):
    themes = forms.MultipleChoiceField(
        label=_("Themes"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["themes"].choices = theme_choices()
