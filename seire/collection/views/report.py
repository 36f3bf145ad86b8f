"""One report (dataset × unit × period) as the signed-in user may see it, the one permission
helper that fetches it, and the context every report page and fragment is rendered from."""

from collections import Counter
from dataclasses import dataclass
from datetime import date
from functools import cached_property

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from seire import periods
from seire.access.roles import Scope, scope_for
from seire.collection.forms import CommentForm, build_grid, cell_key, localised, stored_values
from seire.collection.models import Dataset, Submission, ValueComment, Violation
from seire.collection.services import LOCKED_STATUSES, DatasetIndex, Refused, check_period
from seire.collection.timeliness import expected_units
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
            ) % {"status": self.status_label}
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


def report_context(request, report: Report, *, index=None, results=None, **grid) -> dict:
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
        "cell_errors": [
            (c.key, f"{localised(c.element, language)}, {localised(c.combo, language)}", c.error)
            for block in blocks
            for row in block.rows
            for c in row.cells
            if c.error
        ],
        "problems": problems,
        "comments": comments,
        "comment_form": comment_form or CommentForm(index=index, language=language),
        "can_comment": report.can_edit or report.can_review,
    }


def render_report(request, report: Report, **kwargs) -> HttpResponse:
    return render(request, "collection/grid.html", report_context(request, report, **kwargs))


def recheck(report: Report):
    """Run the rules on what is now stored and keep the violation work queue in step."""
    results = run_rules(report.dataset, report.unit, report.period)
    record_violations(report.dataset, report.unit, report.period, results)
    return results


def refusal(report: Report, refused: Refused, versions: dict[str, int]):
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
