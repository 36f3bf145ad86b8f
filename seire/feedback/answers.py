"""Checking a respondent's answers and storing them: one path for the form and the API.

`check_answers` applies the survey's rules (types, ranges, required questions, skip logic,
the contact field) and returns every problem at once, by question code. `store_response`
writes an accepted response in one transaction: it claims the invitation (single use),
encrypts free text and contact details, and keeps a redacted copy of the text in clear for
routing. If redaction fails, the encrypted original is stored and marked for the analyst.
A response with free text or a low rating also gets its inbox item (`seire.feedback.loop`).
"""

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from seire import periods
from seire.feedback import crypto, loop
from seire.feedback.models import Answer, Invitation, Question, Response, SurveyVersion
from seire.organisation.models import OrgUnit, Service
from seire.textscan import redact

logger = logging.getLogger(__name__)

MAX_CONTACT = 200  # characters: a phone number, an e-mail address, a time to call
CONTACT = "contact"  # where a problem with the contact field is reported


@dataclass
class Checked:
    """The outcome of `check_answers`: the answers to keep, or the problems by code."""

    answers: dict[str, Any] = field(default_factory=dict)
    wants_contact: bool = False
    contact: str = ""
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


def check_answers(
    questions: list[Question], raw: Mapping[str, Any], contact: str = "", *, strict: bool = False
) -> Checked:
    """Check raw answers ({question code: value}) against `questions` (in order).

    A question whose skip condition is not met is dropped with its answer, and is never
    required. The contact field counts only when a `contact_if` option was chosen; then it is
    required. With `strict` (the API), an answer to a question the survey does not have is a
    problem too. Messages are in the active language.
    """
    checked = Checked()
    for question in questions:
        if not question.is_shown(checked.answers):
            continue
        try:
            value = question.clean_answer(raw.get(question.code))
        except ValidationError as error:
            checked.errors[question.code] = " ".join(error.messages)
            continue
        if value is None:
            if question.required:
                checked.errors[question.code] = (
                    _("Write your answer.")
                    if question.type == Question.Type.TEXT
                    else _("Choose an answer.")
                )
            continue
        checked.answers[question.code] = value
        if question.contact_if and value == question.contact_if:
            checked.wants_contact = True
    if strict:
        codes = {q.code for q in questions}
        for code in raw:
            if code not in codes:
                checked.errors[code] = _("This survey has no question %(code)s.") % {"code": code}
    contact = (contact or "").strip()
    if checked.wants_contact:
        if not contact:
            checked.errors[CONTACT] = _("Tell us how to reach you, or choose not to be contacted.")
        elif len(contact) > MAX_CONTACT:
            checked.errors[CONTACT] = _(
                "Write at most %(max)s characters (you wrote %(count)s)."
            ) % {"max": MAX_CONTACT, "count": len(contact)}
        checked.contact = contact
    return checked


class AlreadyAnsweredError(Exception):
    """The invitation has been used: each link gives one response."""


def period_for(day: date) -> str:
    """The month a response counts in: "2026M03"."""
    return str(periods.period_of(day, "M"))


def store_response(
    version: SurveyVersion,
    checked: Checked,
    *,
    channel: str,
    language: str,
    service: Service,
    unit: OrgUnit | None,
    period: str | None = None,
    invitation: Invitation | None = None,
    questions: list[Question] | None = None,
) -> Response:
    """Store an accepted response (all of it or nothing) and return it.

    `period` defaults to the month of submission; `questions` are the version's (read again
    when not given). With an invitation, it is claimed first: raises AlreadyAnsweredError
    when it was used before (also by a concurrent request). Redaction, encryption, coding and
    routing are done before the transaction opens, so it only writes (SQLite takes its write
    lock at the start of a transaction).
    """
    assert checked.ok, checked.errors
    today = timezone.localdate()
    by_code = {q.code: q for q in (questions or version.questions.all())}
    response = Response(
        survey_version=version,
        service=service,
        unit=unit,
        period=period or period_for(today),
        channel=channel,
        language=language,
        submitted_on=today,
        wants_contact=checked.wants_contact,
        contact_encrypted=crypto.encrypt(checked.contact) if checked.wants_contact else "",
    )
    answers = [_answer(response, by_code[code], value) for code, value in checked.answers.items()]
    # The inbox item is made with the response: accepted means stored, coded and routed.
    item = loop.item_for_response(response, answers, {q.pk: q for q in by_code.values()}, today)
    with transaction.atomic():
        if invitation is not None:
            claimed = Invitation.objects.filter(pk=invitation.pk, used_at__isnull=True).update(
                used_at=timezone.now()
            )
            if not claimed:
                raise AlreadyAnsweredError
        response.save()
        for answer in answers:
            answer.response = response
        Answer.objects.bulk_create(answers)
        if item is not None:
            item.response = response
            item.save()
            loop.after_commit_notify(item)
    return response


def _answer(response: Response, question: Question, value) -> Answer:
    answer = Answer(response=response, question=question)
    if question.type == Question.Type.TEXT:
        answer.text_encrypted = crypto.encrypt(value)
        try:
            answer.text_redacted = redact(value).text
        except Exception as exc:  # never lose feedback: the analyst reads the original instead
            # Only the kind of error is logged: its message or traceback could quote the text.
            logger.error(
                "redaction failed (%s); answer to %s stored for review",
                type(exc).__name__,
                question.code,
            )
            answer.needs_review = True
    elif question.scale:
        answer.value = value
    else:
        answer.choices = value if isinstance(value, list) else [value]
    return answer
