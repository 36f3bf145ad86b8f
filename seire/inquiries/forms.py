"""The forms of the register: one inquiry (new or edited) and the list's filters.

A blank due date takes the one the legal basis implies (`deadlines.due_date`); an
extension needs its reason and a due date later than the one it extends. The hidden
`version` is the version the form was opened from: saving it over a newer one is refused.
"""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from seire.inquiries.models import Inquiry, RequesterType, Status
from seire.organisation.models import Responsibility

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def analysts():
    ids = (
        Responsibility.objects.current()
        .filter(role=Responsibility.Role.ANALYST)
        .values_list("person_id", flat=True)
    )
    return get_user_model().objects.filter(pk__in=ids, is_active=True).order_by("username")


class InquiryForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Inquiry
        fields = [
            "requester_name",
            "organisation",
            "contact",
            "requester_type",
            "channel",
            "received_on",
            "legal_basis",
            "due_date",
            "assignee",
            "status",
            "status_reason",
            "closed_on",
            "question",
            "answer",
            "related",
        ]
        widgets = {
            "received_on": DATE,
            "due_date": DATE,
            "closed_on": DATE,
            "question": forms.Textarea(attrs={"rows": 5}),
            "answer": forms.Textarea(attrs={"rows": 6}),
            "status_reason": forms.Textarea(attrs={"rows": 2}),
            "related": forms.SelectMultiple(attrs={"size": 5}),
        }
        help_texts = {
            "due_date": _(
                "Leave blank for the date the legal basis implies. For an extension, the new date."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["due_date"].required = False
        self.fields["assignee"].queryset = analysts()
        related = Inquiry.objects.order_by("-received_on", "-pk")
        if self.instance.pk:
            related = related.exclude(pk=self.instance.pk)
            self.fields["version"].initial = self.instance.version
        self.fields["related"].queryset = related
        self.fields["related"].label_from_instance = lambda i: i.reference
        self.previous_due = self.instance.due_date if self.instance.pk else None

    def clean(self):
        data = super().clean()
        received, basis = data.get("received_on"), data.get("legal_basis")
        if not data.get("due_date") and received and basis:
            data["due_date"] = self.instance.due_date = Inquiry(
                legal_basis=basis, received_on=received
            ).implied_due()
        if (
            data.get("status") == Status.EXTENDED
            and self.previous_due
            and data.get("due_date")
            and data["due_date"] <= self.previous_due
            and self.instance.status != Status.EXTENDED
        ):
            self.add_error(
                "due_date",
                _("An extension needs a due date later than %(date)s.")
                % {"date": self.previous_due.isoformat()},
            )
        return data


class FilterForm(forms.Form):
    """The register's filters (GET); every field optional."""

    q = forms.CharField(label=_("Search"), required=False)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("any")), *Status.choices]
    )
    requester_type = forms.ChoiceField(
        label=_("Requester type"), required=False, choices=[("", _("any")), *RequesterType.choices]
    )
    assignee = forms.ModelChoiceField(
        label=_("Assignee"), required=False, queryset=None, empty_label=_("anyone")
    )
    year = forms.IntegerField(label=_("Year received"), required=False, min_value=2000)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = analysts()
