"""The collection pages: one report's data-entry grid with its submission steps, and the
status board of who has reported what.

Every report view fetches its report through `get_report_for_user`, which answers 403 for
a unit outside the user's scope before anything else; values are written only through
`services.save_values` and steps only through `workflow`, so the web grid gets the same
checks, version conflicts and audit trail as Excel, CSV and the API.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import date
from functools import cached_property

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from seire import periods
from seire.access.roles import Scope, scope_for
from seire.collection import workflow
from seire.collection.forms import (
    BoardForm,
    CommentForm,
    build_grid,
    cell_key,
    changed_cells,
    posted_key,
    posted_version,
    stored_values,
)
from seire.collection.models import Dataset, Submission, ValueComment, Violation
from seire.collection.services import (
    LOCKED_STATUSES,
    DatasetIndex,
    Problem,
    Refused,
    check_period,
    save_values,
)
from seire.collection.timeliness import board, expected_units, summary
from seire.collection.validation import record_violations, run_rules
from seire.organisation.models import OrgUnit

S = Submission.Status


@dataclass
class Report:
    """One unit's report for one dataset and period, as the signed-in user may see it."""

    dataset: Dataset
    unit: OrgUnit
    period: str
    scope: Scope
    submission: Submission | None
    today: date

    @cached_property
    def can_edit(self) -> bool:
        return self.scope.can_edit_unit(self.unit, self.dataset.service)

    @property
    def can_review(self) -> bool:
        """Approve or return: the analyst and the owners of the dataset's service."""
        return self.scope.everything or self.dataset.service_id in self.scope.owned_services

    @property
    def can_reopen(self) -> bool:
        return self.scope.everything

    @property
    def status(self) -> str:
        return self.submission.status if self.submission else S.DRAFT

    @property
    def status_label(self) -> str:
        return S(self.status).label

    @property
    def version(self) -> int:
        """The submission version a step must name (a draft not yet stored starts at 1)."""
        return self.submission.version if self.submission else 1

    @property
    def locked_reason(self) -> str:
        """Why the values cannot be changed now, or "" when they can."""
        if self.status in LOCKED_STATUSES:
            return _(
                "The report is %(status)s: values can change only after it is returned or reopened."
            ) % {"status": self.status_label}  # noqa: E501
        if not self.scope.everything and self.dataset.locks_on(self.period) < self.today:
            return _("The period locked on %(date)s: ask the analyst to reopen it.") % {
                "date": self.dataset.locks_on(self.period).isoformat()
            }
        return ""

    @property
    def editable(self) -> bool:
        return self.can_edit and not self.locked_reason

    @property
    def deadline(self) -> date:
        return self.dataset.deadline(self.period)

    @property
    def label(self) -> str:
        return periods.parse(self.period).label(get_language() or "et")

    def url(self, name: str = "grid") -> str:
        return reverse(f"collection:{name}", args=[self.dataset.code, self.unit.pk, self.period])


def get_report_for_user(
    request: HttpRequest, dataset_code: str, unit_pk: int, period: str, write: bool = False
) -> Report:
    """The report if the user may read it (or enter its data, with `write`).

    403 for a unit outside the user's scope (checked first, so outsiders learn nothing
    more); 404 for an unknown table, a period that is not one of the table's or has not
    started, or a unit that did not provide the service then."""
    unit = get_object_or_404(OrgUnit, pk=unit_pk)
    dataset = Dataset.objects.select_related("service").filter(code=dataset_code).first()
    scope = scope_for(request.user)
    service = dataset.service if dataset else None
    allowed = scope.can_edit_unit(unit, service) if write else scope.can_view_unit(unit, service)
    if not allowed:
        raise PermissionDenied
    if dataset is None:
        raise Http404
    try:
        period = check_period(dataset, period)
    except ValueError as error:
        raise Http404(str(error)) from None
    if not expected_units(dataset, period, units=[unit]):
        raise Http404
    submission = Submission.objects.filter(dataset=dataset, unit=unit, period=period).first()
    return Report(dataset, unit, period, scope, submission, timezone.localdate())


# -- the grid ---------------------------------------------------------------------------


def _context(request, report: Report, *, index=None, results=None, **grid) -> dict:
    """Everything the grid page and its fragments show. `grid` passes raw values, versions,
    errors and saved keys on to `build_grid`; `problems`, `explanations`, `comment_form`
    show a refused step or comment back."""
    index = index or DatasetIndex(report.dataset)
    if results is None:
        results = run_rules(report.dataset, report.unit, report.period)
    comments = ValueComment.objects.filter(
        element__dataset=report.dataset, unit=report.unit, period=report.period
    ).select_related("author", "element", "combo")
    problems = grid.pop("problems", [])
    explanations = grid.pop("explanations", {})
    comment_form = grid.pop("comment_form", None)
    blocks = build_grid(
        index,
        stored_values(report.dataset, report.unit, report.period),
        results,
        comments=Counter(cell_key(c.element_id, c.combo_id) for c in comments),
        **grid,
    )
    failing = [r for r in results if not r.passed]
    explained = dict(
        Violation.objects.filter(
            rule__dataset=report.dataset,
            unit=report.unit,
            period=report.period,
            status=Violation.Status.EXPLAINED,
        ).values_list("rule_id", "comment")
    )
    language = get_language() or "et"
    return {
        "report": report,
        "blocks": blocks,
        "hard": [r for r in failing if r.hard],
        "soft": [r for r in failing if not r.hard],
        "to_explain": [
            (r, explanations.get(r.rule.code, ""))
            for r in failing
            if not r.hard and r.rule.pk not in explained
        ],
        "explained": explained,
        "cell_errors": [(key, message) for key, message in grid.get("errors", {}).items()],
        "problems": problems,
        "comments": comments,
        "comment_form": comment_form or CommentForm(index=index, language=language),
        "can_comment": report.can_edit or report.can_review,
    }


def _render(request, report: Report, **kwargs) -> HttpResponse:
    return render(request, "collection/grid.html", _context(request, report, **kwargs))


def _recheck(report: Report):
    """Run the rules on what is now stored and keep the violation work queue in step."""
    results = run_rules(report.dataset, report.unit, report.period)
    record_violations(report.dataset, report.unit, report.period, results)
    return results


def _refusal(report: Report, refused: Refused, versions: dict[str, int]):
    """Cell errors by key, general problems, and versions brought up to date for the cells
    that were changed by someone else, so that saving again (after being told) goes through."""
    errors, general = {}, []
    for problem in refused.problems:
        if problem.where:
            errors[problem.where] = (errors.get(problem.where, "") + " " + problem.message).strip()
        else:
            general.append(problem)
    current = stored_values(report.dataset, report.unit, report.period)
    fresh = dict(versions)
    for key in errors:
        element_id, combo_id = (int(part) for part in key.split("-"))
        value = current.get((element_id, combo_id))
        fresh[key] = value.version if value else 0
    return errors, general, fresh


@require_http_methods(["GET", "POST"])
@login_required
def grid(request: HttpRequest, dataset: str, unit: int, period: str) -> HttpResponse:
    """The report's grid; a POST saves the whole form (the path that needs no JavaScript)."""
    report = get_report_for_user(request, dataset, unit, period, write=request.method == "POST")
    if request.method == "GET":
        return _render(request, report)
    index = DatasetIndex(report.dataset)
    stored = stored_values(report.dataset, report.unit, report.period)
    cells, raw, versions = changed_cells(index, stored, request.POST, report.unit, report.period)
    if not cells:
        messages.info(request, _("Nothing had changed, so nothing was saved."))
        return redirect(report.url())
    try:
        save_values(request.user, report.dataset, cells, "web")
    except Refused as refused:
        errors, general, fresh = _refusal(report, refused, versions)
        return _render(
            request, report, index=index, raw=raw, versions=fresh, errors=errors, problems=general
        )
    _recheck(report)
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
            errors, _general, fresh = _refusal(report, refused, versions)
            grid_kwargs.update(raw=raw, versions=fresh, errors=errors)
        else:
            grid_kwargs["saved"] = {key}
            results = _recheck(report)
    context = _context(request, report, index=index, results=results, **grid_kwargs)
    context["cell"] = next(
        c for b in context["blocks"] for r in b.rows for c in r.cells if c.key == key
    )
    return render(request, "collection/_cell_response.html", context)


# -- submission steps -------------------------------------------------------------------


def _step(request, report: Report, step, done: str) -> HttpResponse:
    """Take a workflow step; a refused one shows the page again with the reasons."""
    try:
        step()
    except Refused as refused:
        report.submission = Submission.objects.filter(
            pk=getattr(report.submission, "pk", None)
        ).first()
        explanations = {
            k.removeprefix("explain-"): v
            for k, v in request.POST.items()
            if k.startswith("explain-")
        }  # noqa: E501
        return _render(request, report, problems=refused.problems, explanations=explanations)
    messages.success(request, done)
    return redirect(report.url())


@require_POST
@login_required
def submit(request: HttpRequest, dataset: str, unit: int, period: str) -> HttpResponse:
    report = get_report_for_user(request, dataset, unit, period, write=True)
    report.submission = workflow.get_submission(report.dataset, report.unit, report.period)
    violations = record_violations(
        report.dataset,
        report.unit,
        report.period,
        run_rules(report.dataset, report.unit, report.period),
    )
    explanations = {v.pk: request.POST.get(f"explain-{v.rule.code}", "") for v in violations}
    version = posted_version(request.POST.get("version"))
    return _step(
        request,
        report,
        lambda: workflow.submit(request.user, report.submission, version, explanations),
        _("The report was submitted. Thank you!"),
    )


def _reviewed_report(request, dataset, unit, period, may) -> Report:
    """The report for a reviewer's step: 403 unless `may(report)`."""
    report = get_report_for_user(request, dataset, unit, period)
    if not may(report):
        raise PermissionDenied
    return report


def _nothing_submitted(request, report: Report) -> HttpResponse:
    problem = Problem("", _("Nothing has been submitted for this period yet."))
    return _render(request, report, problems=[problem])


@require_POST
@login_required
def approve(request: HttpRequest, dataset: str, unit: int, period: str) -> HttpResponse:
    report = _reviewed_report(request, dataset, unit, period, lambda r: r.can_review)
    if report.submission is None:
        return _nothing_submitted(request, report)
    version = posted_version(request.POST.get("version"))
    return _step(
        request,
        report,
        lambda: workflow.approve(request.user, report.submission, version),
        _("The report was approved."),
    )


@require_POST
@login_required
def return_for_changes(request: HttpRequest, dataset: str, unit: int, period: str) -> HttpResponse:
    report = _reviewed_report(request, dataset, unit, period, lambda r: r.can_review)
    if report.submission is None:
        return _nothing_submitted(request, report)
    version = posted_version(request.POST.get("version"))
    comment = request.POST.get("comment", "")
    return _step(
        request,
        report,
        lambda: workflow.return_for_changes(request.user, report.submission, comment, version),
        _("The report was returned to the provider for changes."),
    )


@require_POST
@login_required
def reopen(request: HttpRequest, dataset: str, unit: int, period: str) -> HttpResponse:
    report = _reviewed_report(request, dataset, unit, period, lambda r: r.can_reopen)
    if report.submission is None:
        return _nothing_submitted(request, report)
    version = posted_version(request.POST.get("version"))
    reason = request.POST.get("reason", "")
    return _step(
        request,
        report,
        lambda: workflow.reopen(request.user, report.submission, reason, version),
        _("The report was reopened: its values can be changed again."),
    )


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
        return _render(request, report, index=index, comment_form=form)
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


# -- the status board -------------------------------------------------------------------


@require_GET
@login_required
def status_board(request: HttpRequest) -> HttpResponse:
    """Units × periods of one statistics table: on time, late, overdue, due, not expected."""
    scope = scope_for(request.user)
    if not scope.is_staff_member:
        raise PermissionDenied
    services = scope.visible_services().order_by("code")
    datasets = (
        Dataset.objects.filter(service__in=services)
        .select_related("service")
        .order_by("service__code", "code")
    )
    visible = scope.visible_units()
    regions = visible.filter(kind__in=[OrgUnit.Kind.REGION, OrgUnit.Kind.COUNTY])
    form = BoardForm(request.GET or None, datasets=datasets, services=services, regions=regions)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    service = data.get("service")
    candidates = datasets.filter(service=service) if service else datasets
    dataset = data.get("dataset")
    if dataset is None or not candidates.filter(pk=dataset.pk).exists():
        dataset = candidates.first()
    context = {"form": form, "dataset": dataset, "rows": [], "stats": None}
    if dataset is not None:
        today = timezone.localdate()
        codes = form.chosen_periods(dataset, today)
        whole_service = scope.everything or "" in scope.overview_paths
        units = None if whole_service or dataset.service_id in scope.owned_services else visible
        region = data.get("region")
        if region is not None:
            units = (units if units is not None else OrgUnit.objects).filter(
                path__startswith=region.path
            )
        rows = board(dataset, codes, units=units, today=today)
        language = get_language() or "et"
        context.update(
            periods=[(code, periods.parse(code).label(language)) for code in codes],
            started={c for c in codes if periods.parse(c).start <= today},
            rows=rows,
            stats=summary(rows),
        )
    return render(request, "collection/status_board.html", context)
