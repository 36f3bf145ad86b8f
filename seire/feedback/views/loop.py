"""Closed-loop pages: the metrics per service, the coder's quality, and "you said, we did".

The metrics page is for the analyst, the service owners (their services) and managers;
the coder's quality and the curation of public summaries are the analyst's. The public
"you said, we did" page of a service shows only the texts the analyst wrote.
"""

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from seire.access.audit import record
from seire.access.roles import scope_for
from seire.feedback import report
from seire.feedback.items import FeedbackItem, YouSaidWeDid
from seire.feedback.models import LANGUAGES, Invitation, in_language
from seire.feedback.views.public import page, public_language, public_page
from seire.organisation.models import Responsibility, Service


def _services_for(user):
    scope = scope_for(user)
    if scope.everything or Responsibility.Role.MANAGER in scope.roles:
        return Service.objects.filter(active=True)
    if scope.owned_services:
        return Service.objects.filter(pk__in=scope.owned_services)
    raise PermissionDenied


def _analyst(user) -> None:
    if not scope_for(user).everything:
        raise PermissionDenied


@require_GET
@login_required
def loop_metrics(request: HttpRequest) -> HttpResponse:
    """Per service: response rate, actioned, days to action, overdue, top themes and trend."""
    today = timezone.localdate()
    rows = []
    for service in _services_for(request.user).order_by("code"):
        items = FeedbackItem.objects.filter(service=service)
        invitations = Invitation.objects.filter(survey__service=service)
        if not items.exists() and not invitations.exists():
            continue
        top = report.top_themes(items)
        quarters, trend = report.theme_trend(items, [t for t, _n in top])
        rows.append(
            {
                "service": service,
                "rate": report.response_rate(invitations),
                "actioned": report.actioned(items),
                "days": report.days_to_action(items),
                "overdue": report.overdue(items, today),
                "top": top,
                "quarters": quarters[-4:],
                "trend": {t: counts[-4:] for t, counts in trend.items()},
            }
        )
    return render(request, "feedback/loop.html", {"rows": rows, "today": today})


@require_GET
@login_required
def coder(request: HttpRequest) -> HttpResponse:
    """The theme coder's precision and recall per theme, from the analyst's corrections."""
    _analyst(request.user)
    items = FeedbackItem.objects.all()
    checked = items.filter(corrections__isnull=False).distinct().count()
    context = {"quality": report.coder_quality(items), "checked": checked}
    return render(request, "feedback/coder.html", context)


class SummaryForm(forms.ModelForm):
    class Meta:
        model = YouSaidWeDid
        fields = ["items", "you_said_et", "we_did_et", "you_said_en", "we_did_en",
                  "you_said_ru", "we_did_ru"]  # fmt: skip
        widgets = {
            "items": forms.CheckboxSelectMultiple,
            **{
                f"{part}_{lang}": forms.Textarea(attrs={"rows": 2})
                for part in ("you_said", "we_did")
                for lang in LANGUAGES
            },
        }

    def __init__(self, *args, service: Service, **kwargs):
        super().__init__(*args, **kwargs)
        closed = FeedbackItem.objects.filter(service=service, status=FeedbackItem.Status.CLOSED)
        self.fields["items"].queryset = closed.filter(
            pk__in=list(closed.order_by("-closed_on", "pk").values_list("pk", flat=True)[:100])
        )
        self.fields["items"].label_from_instance = lambda item: (
            f"#{item.pk} {item.closed_on:%Y-%m-%d}: {item.text[:120] or item.severity}"
        )
        self.fields["items"].label = _("Closed items it answers")


@require_http_methods(["GET", "POST"])
@login_required
def curate(request: HttpRequest, code: str) -> HttpResponse:
    """The analyst picks closed items of a service and writes its public summary."""
    _analyst(request.user)
    service = get_object_or_404(Service, code=code)
    form = SummaryForm(request.POST or None, service=service)
    if request.method == "POST" and form.is_valid():
        entry = form.save(commit=False)
        entry.service, entry.published_on = service, timezone.localdate()
        entry.save()
        form.save_m2m()
        record(request.user, "create", entry, summary=f"you said, we did: {service.code}")
        return redirect("feedback:curate", code=service.code)
    entries = YouSaidWeDid.objects.filter(service=service)
    return render(
        request, "feedback/curate.html", {"service": service, "form": form, "entries": entries}
    )


@require_GET
@public_page
def we_did(request: HttpRequest, code: str) -> HttpResponse:
    """The public "you said, we did" page of a service, in et, en or ru (`?lang=`)."""
    service = get_object_or_404(Service, code=code, active=True)
    language = public_language(request)
    entries = [
        {
            "on": entry.published_on,
            "you_said": in_language(entry, "you_said", language),
            "we_did": in_language(entry, "we_did", language),
        }
        for entry in YouSaidWeDid.objects.filter(service=service, published=True)
    ]
    name = service.name_en if language == "en" else service.name_et
    return page(
        request, "feedback/we_did.html", {"service": service, "name": name, "entries": entries}
    )
