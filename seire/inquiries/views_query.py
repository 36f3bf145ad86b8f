"""The query builder's pages: build a table for an inquiry's answer, preview it (htmx swaps
the preview in; without JavaScript the same GET shows the whole page), download it, attach
it to the answer, and rerun the stored query on newer data.

Every table passes the disclosure settings of the inquiry's requester type (see
`query.SETTINGS`); the unprotected view an internal requester may get is recorded in the
audit log each time it is shown or written.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from seire.access.audit import record
from seire.inquiries import query
from seire.inquiries.models import AnswerFile, Inquiry
from seire.inquiries.views import get_inquiry_for_user


def _form(inquiry: Inquiry, data=None, initial=None) -> query.QueryForm:
    return query.QueryForm(data, initial=initial, requester_type=inquiry.requester_type)


def _table(request, inquiry: Inquiry, form: query.QueryForm, purpose: str) -> query.Table:
    """The form's table; an unprotected one is recorded in the audit log."""
    settings = query.SETTINGS[inquiry.requester_type]
    table = query.run(
        form.cleaned_data["spec"], protected=form.protected, threshold=settings.threshold
    )
    if not table.protected:
        record(
            request.user,
            "view" if purpose == "preview" else "export",
            inquiry,
            summary=f"{inquiry.reference}: unprotected counts ({purpose})",
            changes={"query": table.stored_spec()},
        )
    return table


def _query_string(request) -> str:
    params = request.GET.copy()
    params.pop("format", None)
    return params.urlencode()


@require_GET
@login_required
def query_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The builder; with a query in the URL, its preview (alone for an htmx request)."""
    inquiry = get_inquiry_for_user(request.user, pk)
    bound = "measure" in request.GET
    if bound:
        form = _form(inquiry, request.GET)
    else:
        form = _form(inquiry, initial=query.initial_from(inquiry.query_spec, timezone.localdate()))
    context = {"inquiry": inquiry, "form": form, "table": None, "query_string": ""}
    if bound and form.is_valid():
        table = _table(request, inquiry, form, "preview")
        context.update(
            table=table,
            grid=query.grid(table, get_language() or "et"),
            query_string=_query_string(request),
        )
    template = "inquiries/_preview.html" if request.htmx else "inquiries/query.html"
    # htmx swaps only 2xx answers: its preview carries the errors with a 200.
    failed = bound and form.errors and not request.htmx
    return render(request, template, context, status=400 if failed else 200)


@require_GET
@login_required
def export(request: HttpRequest, pk: int) -> HttpResponse:
    """The table as a file (`format` csv or xlsx); a bad query goes back to the builder."""
    inquiry = get_inquiry_for_user(request.user, pk)
    kind = request.GET.get("format", "csv")
    form = _form(inquiry, request.GET)
    if kind not in query.FORMATS or not form.is_valid():
        url = reverse("inquiries:query", args=[pk])
        return redirect(f"{url}?{_query_string(request)}" if request.GET else url)
    table = _table(request, inquiry, form, "download")
    name, content_type, data = _file(inquiry, table, kind)
    record(request.user, "export", inquiry, summary=f"{inquiry.reference}: {name}")
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _file(inquiry: Inquiry, table: query.Table, kind: str, suffix: str = ""):
    content_type, extension = query.FORMATS[kind]
    lang = get_language() or "et"
    spec = table.spec
    name = (
        f"{inquiry.reference}-{spec.measure.replace(':', '-')}-{spec.period_from}-{spec.period_to}"
    )
    name = f"{name}{suffix}.{extension}"
    return name, content_type, query.render_file(table, kind, lang, inquiry.reference)


def _attach(request, inquiry: Inquiry, table: query.Table, suffix: str = "") -> None:
    for kind in query.FORMATS:
        name, content_type, data = _file(inquiry, table, kind, suffix)
        AnswerFile.objects.create(
            inquiry=inquiry,
            name=name,
            content_type=content_type,
            content=data,
            query_spec=table.stored_spec(),
            protected=table.protected,
            created_by=request.user,
        )
    # Not a version bump: the edit form does not hold the query, so no edit is overwritten.
    Inquiry.objects.filter(pk=inquiry.pk).update(query_spec=table.stored_spec())
    record(
        request.user,
        "update",
        inquiry,
        summary=f"{inquiry.reference}: answer table attached (CSV, XLSX)",
        changes={"query": table.stored_spec()},
    )


@require_POST
@login_required
def attach(request: HttpRequest, pk: int) -> HttpResponse:
    """Attach the table (CSV and XLSX) to the answer and store its query with it."""
    inquiry = get_inquiry_for_user(request.user, pk)
    form = _form(inquiry, request.POST)
    if not form.is_valid():
        messages.error(request, _("The query has problems: correct them and preview again."))
        return render(
            request,
            "inquiries/query.html",
            {"inquiry": inquiry, "form": form, "table": None},
            status=400,
        )
    _attach(request, inquiry, _table(request, inquiry, form, "attached"))
    messages.success(request, _("The table was attached to the answer as CSV and XLSX."))
    return redirect("inquiries:detail", pk=pk)


@require_POST
@login_required
def rerun(request: HttpRequest, pk: int) -> HttpResponse:
    """Run the stored query again on today's data and attach the new table."""
    inquiry = get_inquiry_for_user(request.user, pk)
    stored = inquiry.query_spec or {}
    settings = query.SETTINGS[inquiry.requester_type]
    try:
        spec = query.cubes().CubeSpec.from_dict(stored.get("cube"))
        spec.check()
    except query.cubes().CubeError as exc:
        messages.error(request, _("The stored query cannot be run: %(why)s") % {"why": exc})
        return redirect("inquiries:detail", pk=pk)
    # The requester type decides, not what was stored: an answer to an external requester
    # is protected even if the inquiry was once recorded as internal.
    protected = not (settings.may_unprotect and stored.get("protected") is False)
    table = query.run(spec, protected=protected, threshold=settings.threshold)
    if not protected:
        record(
            request.user,
            "export",
            inquiry,
            summary=f"{inquiry.reference}: unprotected counts (rerun)",
            changes={"query": table.stored_spec()},
        )
    _attach(request, inquiry, table, suffix=f"-{timezone.localdate().isoformat()}")
    messages.success(request, _("The query was run again and the new table attached."))
    return redirect("inquiries:detail", pk=pk)
