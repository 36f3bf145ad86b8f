"""The submission steps on the report page: submit, approve, return for changes, reopen.

Each is a POST naming the submission version the page showed; the workflow refuses a step
from a stale page or one the report's state does not allow, and the page is shown again
with the reasons (nothing changed)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from seire.collection import workflow
from seire.collection.forms import posted_version
from seire.collection.models import Submission
from seire.collection.services import Problem, Refused
from seire.collection.validation import record_violations, run_rules
from seire.collection.views.report import Report, get_report_for_user, render_report


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
        }
        return render_report(request, report, problems=refused.problems, explanations=explanations)
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
    return render_report(request, report, problems=[problem])


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
