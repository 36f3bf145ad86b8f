"""The register's pages (analyst only): the list with its timeliness panel, one inquiry,
the form to record or edit one, and the answer's files.

Requester details are personal data: every look at the list or at an inquiry is recorded
in the audit log. Edits are checked against the version the form was opened from: when
someone saved in between, the second save is refused with a message and changes nothing.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from seire.access.audit import changes_between, record
from seire.access.roles import scope_for
from seire.inquiries import timeliness
from seire.inquiries.forms import FilterForm, InquiryForm
from seire.inquiries.models import AnswerFile, Inquiry

PAGE = 200  # rows shown; filters narrow the rest
AUDITED = ("requester_name", "organisation", "contact", "requester_type", "channel",
           "received_on", "legal_basis", "due_date", "assignee_id", "status", "status_reason",
           "closed_on", "question", "answer")  # fmt: skip
# Personal data: an edit is logged as changed without the old or new value.
PERSONAL = {"requester_name", "organisation", "contact"}


def require_analyst(user) -> None:
    """Raise PermissionDenied unless `user` is the analyst (the register is hers)."""
    if not scope_for(user).everything:
        raise PermissionDenied


def get_inquiry_for_user(user, pk: int) -> Inquiry:
    """The inquiry `pk` for the analyst; 403 for everyone else, 404 when there is none."""
    require_analyst(user)
    return get_object_or_404(Inquiry.objects.select_related("assignee"), pk=pk)


def filtered(form: FilterForm, today):
    inquiries = Inquiry.objects.select_related("assignee")
    if not form.is_valid():
        return inquiries
    data = form.cleaned_data
    if data["q"]:
        q = data["q"]
        inquiries = inquiries.filter(
            Q(requester_name__icontains=q)
            | Q(organisation__icontains=q)
            | Q(question__icontains=q)
            | Q(answer__icontains=q)
        )
    if data["status"]:
        inquiries = inquiries.filter(status=data["status"])
    if data["requester_type"]:
        inquiries = inquiries.filter(requester_type=data["requester_type"])
    if data["assignee"]:
        inquiries = inquiries.filter(assignee=data["assignee"])
    if data["year"]:
        inquiries = inquiries.filter(received_on__year=data["year"])
    if data["overdue"]:
        inquiries = inquiries.overdue(today)
    return inquiries


@require_GET
@login_required
def index(request: HttpRequest) -> HttpResponse:
    """The register: filters, the inquiries (overdue ones marked) and the timeliness panel."""
    require_analyst(request.user)
    today = timezone.localdate()
    form = FilterForm(request.GET or None)
    inquiries = filtered(form, today)
    total = inquiries.count()
    rows = list(inquiries[:PAGE])
    record(
        request.user,
        "view",
        object_type="inquiries.inquiry",
        summary=f"inquiry register ({len(rows)} of {total} shown)",
        changes={"filters": request.GET.urlencode()} if request.GET else None,
    )
    context = {
        "form": form,
        "inquiries": rows,
        "total": total,
        "shown": len(rows),
        "today": today,
        **timeliness.panel_context(today),
    }
    return render(request, "inquiries/index.html", context)


@require_GET
@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    inquiry = get_inquiry_for_user(request.user, pk)
    record(request.user, "view", inquiry)
    context = {
        "inquiry": inquiry,
        "today": timezone.localdate(),
        "files": inquiry.files.defer("content"),
        "related": inquiry.related.all(),
    }
    return render(request, "inquiries/detail.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def create(request: HttpRequest) -> HttpResponse:
    require_analyst(request.user)
    initial = {"received_on": timezone.localdate(), "assignee": request.user.pk}
    form = InquiryForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            inquiry = form.save(commit=False)
            inquiry.first_due = inquiry.due_date
            inquiry.save()
            form.save_m2m()
            record(request.user, "create", inquiry)
        messages.success(request, _("Inquiry %(ref)s recorded.") % {"ref": inquiry.reference})
        return redirect("inquiries:detail", pk=inquiry.pk)
    return render(request, "inquiries/form.html", {"form": form, "inquiry": None})


@require_http_methods(["GET", "POST"])
@login_required
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    inquiry = get_inquiry_for_user(request.user, pk)
    before = {name: getattr(inquiry, name) for name in AUDITED}
    form = InquiryForm(request.POST or None, instance=inquiry)
    if request.method == "POST" and form.is_valid():
        opened_from = form.cleaned_data.get("version")
        with transaction.atomic():
            # Compare and swap: the row moves to the next version only if nobody saved since
            # the form was opened; otherwise nothing is written.
            claimed = Inquiry.objects.filter(pk=pk, version=opened_from).update(
                version=F("version") + 1
            )
            if claimed:
                inquiry = form.save(commit=False)
                inquiry.version = opened_from + 1
                inquiry.save()
                form.save_m2m()
                after = {name: getattr(inquiry, name) for name in AUDITED}
                changes = changes_between(before, after)
                for name in PERSONAL & set(changes):  # the log says that, not what
                    changes[name] = ["…", "…"]
                record(request.user, "update", inquiry, changes=changes)
        if claimed:
            messages.success(request, _("Inquiry %(ref)s saved.") % {"ref": inquiry.reference})
            return redirect("inquiries:detail", pk=pk)
        current = Inquiry.objects.get(pk=pk)
        messages.error(
            request,
            _(
                "Someone else saved this inquiry after you opened it (now version %(version)s). "
                "Your changes were not saved: open it again, and make them on the current text."
            )
            % {"version": current.version},
        )
        return render(
            request,
            "inquiries/form.html",
            {"form": form, "inquiry": current, "conflict": True},
            status=409,
        )
    return render(request, "inquiries/form.html", {"form": form, "inquiry": inquiry})


@require_GET
@login_required
def answer_file(request: HttpRequest, pk: int, file_pk: int) -> HttpResponse:
    inquiry = get_inquiry_for_user(request.user, pk)
    attached = get_object_or_404(AnswerFile, pk=file_pk, inquiry=inquiry)
    record(request.user, "export", attached, summary=f"{inquiry.reference}: {attached.name}")
    response = HttpResponse(bytes(attached.content), content_type=attached.content_type)
    response["Content-Disposition"] = f'attachment; filename="{attached.name}"'
    return response
