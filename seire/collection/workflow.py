"""The submission workflow: draft → submitted → approved, or returned → resubmitted.

Providers submit their own units' reports; hard validation rules block a submission, soft
ones need an explanation. Analysts (and the owner of the service) approve or return with a
comment; only the analyst reopens an approved report, with a reason. Every step is audited,
and a step taken on a stale page (the submission's `version` moved on) is refused.
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from seire.access.audit import record
from seire.access.roles import scope_for
from seire.collection.models import Dataset, Submission, Violation
from seire.collection.services import Problem, Refused, check_period
from seire.collection.signals import data_changed
from seire.collection.validation import record_violations, run_rules
from seire.organisation.models import OrgUnit

S = Submission.Status


def get_submission(dataset: Dataset, unit: OrgUnit, period: str) -> Submission:
    """The unit's submission for the period, created as a draft the first time."""
    submission, _created = Submission.objects.get_or_create(
        dataset=dataset, unit=unit, period=period
    )
    return submission


def _step(
    user,
    submission: Submission,
    allowed_from: set[str],
    to: str,
    version: int | None,
    action: str,
    comment: str = "",
) -> Submission:
    with transaction.atomic():
        current = Submission.objects.select_for_update().get(pk=submission.pk)
        if version is not None and current.version != version:
            raise Refused(
                [
                    Problem(
                        "",
                        _("the report was changed meanwhile (now %(s)s): reload the page")
                        % {"s": current.get_status_display()},
                    )
                ]
            )
        if current.status not in allowed_from:
            raise Refused(
                [
                    Problem(
                        "",
                        _("a %(s)s report cannot be %(a)s")
                        % {"s": current.get_status_display(), "a": action},
                    )
                ]
            )
        old = current.status
        now = timezone.now()
        current.status = to
        current.version += 1
        if to == S.SUBMITTED:
            current.submitted_at, current.submitted_by = now, user
            current.first_submitted_at = current.first_submitted_at or now
        elif to in (S.APPROVED, S.RETURNED):
            current.decided_at, current.decided_by = now, user
        if comment:
            current.comment = comment
        current.save()
        # Timeliness metrics read submissions: recompute them once this commits.
        data_changed.send(Submission, dataset=current.dataset.code, periods=[current.period])
        record(
            user,
            "update",
            current,
            changes={"status": [old, to]},
            reason=comment,
            summary=f"{current} {action}",
        )
    return current


def submit(
    user,
    submission: Submission,
    version: int | None = None,
    explanations: dict[int, str] | None = None,
) -> Submission:
    """Submit for approval. Refused while a hard rule is broken or a soft one unexplained."""
    scope = scope_for(user)
    if not scope.can_edit_unit(submission.unit, submission.dataset.service):
        raise PermissionDenied
    check_period(submission.dataset, submission.period)
    results = run_rules(submission.dataset, submission.unit, submission.period)
    violations = record_violations(submission.dataset, submission.unit, submission.period, results)
    explanations = explanations or {}
    problems = []
    for violation in violations:
        if violation.status != Violation.Status.OPEN:
            continue
        message = violation.rule.message
        if violation.rule.importance == "hard":
            problems.append(Problem(violation.rule.code, message))
        elif explanations.get(violation.pk, "").strip():
            violation.status, violation.comment = (
                Violation.Status.EXPLAINED,
                explanations[violation.pk],
            )
            violation.save(update_fields=["status", "comment"])
        else:
            problems.append(
                Problem(violation.rule.code, _("%(m)s Explain it to submit.") % {"m": message})
            )
    if problems:
        raise Refused(problems)
    return _step(user, submission, {S.DRAFT, S.RETURNED}, S.SUBMITTED, version, _("submitted"))


def _check_reviewer(user, submission: Submission) -> None:
    scope = scope_for(user)
    if not (scope.everything or submission.dataset.service_id in scope.owned_services):
        raise PermissionDenied


def approve(user, submission: Submission, version: int | None = None) -> Submission:
    _check_reviewer(user, submission)
    return _step(user, submission, {S.SUBMITTED}, S.APPROVED, version, _("approved"))


def return_for_changes(
    user, submission: Submission, comment: str, version: int | None = None
) -> Submission:
    _check_reviewer(user, submission)
    if not comment.strip():
        raise Refused([Problem("comment", _("say what should be changed"))])
    return _step(user, submission, {S.SUBMITTED}, S.RETURNED, version, _("returned"), comment)


def reopen(user, submission: Submission, reason: str, version: int | None = None) -> Submission:
    """Unlock an approved (or submitted) report; only the analyst, and only with a reason."""
    if not scope_for(user).everything:
        raise PermissionDenied
    if not reason.strip():
        raise Refused([Problem("reason", _("give the reason for reopening"))])
    return _step(
        user, submission, {S.APPROVED, S.SUBMITTED}, S.RETURNED, version, _("reopened"), reason
    )
