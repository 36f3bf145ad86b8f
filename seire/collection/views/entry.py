"""Entering values: the grid page (its POST saves the whole form, no JavaScript needed),
the htmx save of one cell, and comments on values."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from seire.collection.forms import CommentForm, changed_cells, posted_key, stored_values
from seire.collection.models import ValueComment
from seire.collection.services import DatasetIndex, Refused, save_values
from seire.collection.views.report import (
    get_report_for_user,
    recheck,
    refusal,
    render_report,
    report_context,
)


@require_http_methods(["GET", "POST"])
@login_required
def grid(request: HttpRequest, dataset: str, unit: int, period: str) -> HttpResponse:
    """The report's grid; a POST saves the whole form (the path that needs no JavaScript)."""
    report = get_report_for_user(request, dataset, unit, period, write=request.method == "POST")
    if request.method == "GET":
        return render_report(request, report)
    index = DatasetIndex(report.dataset)
    stored = stored_values(report.dataset, report.unit, report.period)
    cells, raw, versions = changed_cells(index, stored, request.POST, report.unit, report.period)
    if not cells:
        messages.info(request, _("Nothing had changed, so nothing was saved."))
        return redirect(report.url())
    try:
        save_values(request.user, report.dataset, cells, "web")
    except Refused as refused:
        errors, general, fresh = refusal(report, refused, versions)
        return render_report(
            request, report, index=index, raw=raw, versions=fresh, errors=errors, problems=general
        )
    recheck(report)
    count = len(cells)
    messages.success(
        request,
        ngettext("%(count)d value saved.", "%(count)d values saved.", count) % {"count": count},
    )
    return redirect(report.url())


@require_POST
@login_required
def cell(request: HttpRequest, dataset: str, unit: int, period: str) -> HttpResponse:
    """Save one cell (htmx): the cell again, plus the checks and totals out of band."""
    report = get_report_for_user(request, dataset, unit, period, write=True)
    if not request.htmx:
        return redirect(report.url())
    key = posted_key(request.POST)
    index = DatasetIndex(report.dataset)
    stored = stored_values(report.dataset, report.unit, report.period)
    cells, raw, versions = changed_cells(
        index, stored, request.POST, report.unit, report.period, only=key
    )
    if key is None or key not in raw:
        return HttpResponseBadRequest("one cell, named v-<element>-<combo>, is expected")
    grid_kwargs: dict = {"saved": set()}
    results = None
    if cells:
        try:
            save_values(request.user, report.dataset, cells, "web")
        except Refused as refused:
            errors, _general, fresh = refusal(report, refused, versions)
            grid_kwargs.update(raw=raw, versions=fresh, errors=errors)
        else:
            grid_kwargs["saved"] = {key}
            results = recheck(report)
    context = report_context(request, report, index=index, results=results, **grid_kwargs)
    context["cell"] = next(
        c for b in context["blocks"] for r in b.rows for c in r.cells if c.key == key
    )
    return render(request, "collection/_cell_response.html", context)


@require_POST
@login_required
def comment(request: HttpRequest, dataset: str, unit: int, period: str) -> HttpResponse:
    """Add a comment to one value (the report's editors and reviewers)."""
    report = get_report_for_user(request, dataset, unit, period)
    if not (report.can_edit or report.can_review):
        raise PermissionDenied
    index = DatasetIndex(report.dataset)
    form = CommentForm(request.POST, index=index, language=get_language() or "et")
    if not form.is_valid():
        return render_report(request, report, index=index, comment_form=form)
    element, combo = form.element_and_combo()
    ValueComment.objects.create(
        element=element,
        combo=combo,
        unit=report.unit,
        period=report.period,
        author=request.user,
        text=form.cleaned_data["text"],
    )
    messages.success(request, _("Your comment was added."))
    return redirect(report.url() + "#comments")
