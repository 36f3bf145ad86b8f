"""The analyst's audit-trail search (page and CSV) and the staff second factor (TOTP)."""

import csv
import json

import segno
from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods
from django_otp import login as otp_login
from django_otp import match_token, user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from seire.access.audit import record
from seire.access.models import AuditEvent
from seire.access.roles import scope_for
from seire.collection.csv_format import neutralise

PAGE_SIZE = 50


class AuditSearchForm(forms.Form):
    who = forms.CharField(label=gettext_lazy("Who"), required=False, max_length=150)
    action = forms.ChoiceField(
        label=gettext_lazy("Action"),
        required=False,
        choices=[("", gettext_lazy("any"))] + list(AuditEvent.Action.choices),
    )
    object_type = forms.CharField(label=gettext_lazy("Object type"), required=False, max_length=100)
    object_id = forms.CharField(label=gettext_lazy("Object id"), required=False, max_length=100)
    date_from = forms.DateField(
        label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=gettext_lazy("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    text = forms.CharField(label=gettext_lazy("Text"), required=False, max_length=200)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError(_("The start date is after the end date."))
        return cleaned

    def filters(self) -> dict:
        """The filters given (for the audit record of the search itself)."""
        return {k: str(v) for k, v in self.cleaned_data.items() if v not in (None, "")}


def search_events(data: dict):
    """The events matching the cleaned form `data`, newest first."""
    events = AuditEvent.objects.all()
    if data.get("who"):
        events = events.filter(actor_name__icontains=data["who"])
    if data.get("action"):
        events = events.filter(action=data["action"])
    if data.get("object_type"):
        events = events.filter(object_type__icontains=data["object_type"])
    if data.get("object_id"):
        events = events.filter(object_id=data["object_id"])
    if data.get("date_from"):
        events = events.filter(at__date__gte=data["date_from"])
    if data.get("date_to"):
        events = events.filter(at__date__lte=data["date_to"])
    if data.get("text"):
        text = data["text"]
        events = events.filter(
            Q(summary__icontains=text)
            | Q(reason__icontains=text)
            | Q(actor_name__icontains=text)
            | Q(object_type__icontains=text)
            | Q(object_id__icontains=text)
        )
    return events.order_by("-at", "-id")


def _analyst_only(request) -> None:
    if not scope_for(request.user).everything:
        raise PermissionDenied


@require_GET
@login_required
def audit_search(request: HttpRequest) -> HttpResponse:
    """Search the audit trail (analysts only); every search is itself an audit event."""
    _analyst_only(request)
    form = AuditSearchForm(request.GET or None)
    valid = form.is_valid() if request.GET else True
    data = form.cleaned_data if request.GET and valid else {}
    page = None
    if valid:
        page = Paginator(search_events(data), PAGE_SIZE).get_page(request.GET.get("page"))
        page.object_list = list(page.object_list)  # before this search is itself recorded
        filters = form.filters() if request.GET else {}
        filters.pop("page", None)
        record(
            request.user,
            "view",
            object_type="access.auditevent",
            summary=_audit_summary("audit search", filters),
            changes={"filters": filters} if filters else {},
        )
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query.urlencode()}
    return render(request, "access/audit.html", context)


@require_GET
@login_required
def audit_csv(request: HttpRequest) -> HttpResponse:
    """The events of a search as CSV; cells that a spreadsheet would run are neutralised."""
    _analyst_only(request)
    form = AuditSearchForm(request.GET)
    if not form.is_valid():
        return render(request, "access/audit.html", {"form": form, "page": None}, status=400)
    events = search_events(form.cleaned_data)
    filters = form.filters()
    count = events.count()
    export = record(
        request.user,
        "export",
        object_type="access.auditevent",
        summary=_audit_summary(f"audit export of {count} events", filters),
        changes={"filters": filters} if filters else {},
    )
    # Streamed: seven years of the trail need not fit in memory. Only the events before the
    # export's own are in the file (and so the count recorded holds while others are added).
    rows = _csv_rows(events.filter(id__lt=export.id))
    response = StreamingHttpResponse(rows, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="seire-audit.csv"'
    return response


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_rows(events):
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(
        ["at", "actor", "action", "object_type", "object_id", "summary", "channel", "reason"]
        + ["changes"]
    )
    for event in events.iterator(chunk_size=2000):
        row = [
            event.at.isoformat(),
            event.actor_name,
            event.action,
            event.object_type,
            event.object_id,
            event.summary,
            event.channel,
            event.reason,
            json.dumps(event.changes, ensure_ascii=False) if event.changes else "",
        ]
        yield writer.writerow([neutralise(cell) for cell in row])


def _audit_summary(what: str, filters: dict) -> str:
    given = ", ".join(f"{key}={value}" for key, value in sorted(filters.items()))
    return f"{what}: {given}" if given else what


# -- the second factor ------------------------------------------------------------------------
class TokenForm(forms.Form):
    token = forms.CharField(
        label=gettext_lazy("Code from the authenticator app"),
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def clean_token(self):
        token = self.cleaned_data["token"].replace(" ", "")
        if not token.isdigit() or len(token) != 6:
            raise forms.ValidationError(_("Enter the 6 digits your authenticator app shows."))
        return token


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    safe = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if target and safe else "/"


@require_http_methods(["GET", "POST"])
@login_required
def otp_setup(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator app: a QR code (SVG, no script) and the key, then one code."""
    if user_has_device(request.user, confirmed=True):
        if not request.user.is_verified():
            return redirect(f"{_verify_url()}?next={_next_url(request)}")
        return render(request, "access/otp_setup.html", {"enrolled": True})
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=request.user, name="Seire", confirmed=False)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            device.confirmed = True
            device.save()
            otp_login(request, device)
            record(request.user, "update", request.user, summary="second factor enrolled")
            return redirect(_next_url(request))
        form.add_error("token", _("That code is not right. Check the clock of your phone."))
    qr = segno.make(device.config_url, error="m")
    context = {
        "form": form,
        "qr": qr.svg_data_uri(scale=5, border=2),
        "secret": _grouped(device.bin_key),
        "next": _next_url(request),
    }
    return render(request, "access/otp_setup.html", context)


def _grouped(key: bytes) -> str:
    from base64 import b32encode

    text = b32encode(key).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def _verify_url() -> str:
    from django.urls import reverse

    return reverse("access:otp_verify")


@require_http_methods(["GET", "POST"])
@login_required
def otp_verify(request: HttpRequest) -> HttpResponse:
    """The step after the password: a code from the enrolled authenticator app."""
    if not user_has_device(request.user, confirmed=True):
        return redirect("access:otp_setup")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(request.user, form.cleaned_data["token"])
        if device is not None:
            otp_login(request, device)
            record(request.user, "login", request.user, summary="second factor verified")
            return redirect(_next_url(request))
        record(None, "login_failed", summary=f"{request.user.get_username()}: second factor")
        form.add_error("token", _("That code is not right, or it has expired. Try the next one."))
    return render(request, "access/otp_verify.html", {"form": form, "next": _next_url(request)})
