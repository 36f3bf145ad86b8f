"""`POST /api/feedback/{survey_code}/responses`: feedback from kiosks and SMS gateways.

Public (no sign-in, no CSRF: machines post JSON) and limited per client address and per
invitation token (429 past the limit). The body is checked strictly (unknown keys, wrong
types), then by the same rules as the public form; every problem comes back at once with
its location, as django-ninja reports its own validation errors: 422
`{"detail": [{"type", "loc": ["body", "payload", "answers", "<question>"], "msg"}]}`.
An accepted response is stored before 201 is sent. With a `token`, the response belongs to
that invitation's episode (service, unit and period); a used token gives 409.
"""

import time
from datetime import date
from typing import Annotated, Literal

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone, translation
from ninja import Field, Router, Schema, Status
from pydantic import ConfigDict, StrictInt, StrictStr

from seire.feedback import limits
from seire.feedback.answers import (
    CONTACT,
    AlreadyAnsweredError,
    check_answers,
    period_for,
    store_response,
)
from seire.feedback.channels import find_invitation
from seire.feedback.models import MAX_TEXT, Survey
from seire.organisation.models import OrgUnit, Provider

router = Router(tags=["feedback"])

Code = Annotated[StrictStr, Field(max_length=40)]
Text = Annotated[StrictStr, Field(max_length=MAX_TEXT + 100)]  # over-long text: a 422 later


class ResponseIn(Schema):
    """One filled questionnaire. `answers` maps question codes to a scale point (a whole
    number), an option code, a list of option codes (multiple choice) or free text."""

    model_config = ConfigDict(strict=True, extra="forbid")

    language: Literal["et", "en", "ru"]
    channel: Literal["kiosk", "sms", "email", "paper", "link"] = "kiosk"
    unit: Code | None = Field(None, description="Code of the unit the feedback is about.")
    token: Annotated[StrictStr, Field(max_length=64)] | None = Field(
        None, description="The invitation token, when answering an invitation."
    )
    answers: dict[Code, StrictInt | Text | Annotated[list[Code], Field(max_length=50)]]
    contact: Annotated[StrictStr, Field(max_length=300)] = ""


class AcceptedOut(Schema):
    survey: str
    version: int
    submitted_on: date


class ProblemOut(Schema):
    type: str
    loc: list[str]
    msg: str


class ProblemsOut(Schema):
    detail: list[ProblemOut]


class DetailOut(Schema):
    detail: str


def _problem(where: list[str], message: str, kind: str = "value_error") -> dict:
    return {"type": kind, "loc": ["body", "payload", *where], "msg": str(message)}


SURVEY_TTL = 10.0  # seconds a process reuses a survey's current version and questions
_surveys: dict[str, tuple] = {}


def _survey(code: str) -> tuple:
    """(survey, current version or None, its questions in order); 404 for an unknown or
    inactive survey. Reused for SURVEY_TTL seconds (kiosks post to one survey all day) and
    dropped when a survey, version or question is saved in this process."""
    now = time.monotonic()
    cached = _surveys.get(code)
    if cached is None or now - cached[0] > SURVEY_TTL:
        survey = get_object_or_404(Survey.objects.select_related("service"), code=code, active=True)
        version = survey.current_version()
        questions = version.ordered_questions() if version else []
        cached = _surveys[code] = (now, survey, version, questions)
    return cached[1:]


def forget_surveys(**_kwargs) -> None:
    _surveys.clear()


@router.post(
    "/{survey_code}/responses",
    auth=None,
    response={201: AcceptedOut, 404: DetailOut, 409: DetailOut, 422: ProblemsOut, 429: DetailOut},
)
def post_feedback_response(request: HttpRequest, survey_code: str, payload: ResponseIn):
    """Store one response (201), or say what is wrong with it (422)."""
    if not limits.api_allowed(request, payload.token or ""):
        return Status(429, {"detail": "Too many submissions from this address: try later."})
    survey, version, questions = _survey(survey_code)
    if version is None:
        return Status(404, {"detail": "The survey has no published version."})
    problems = []
    invitation, unit, period = None, None, None
    if payload.token is not None:
        invitation = find_invitation(payload.token)
        if invitation is None or invitation.survey_id != survey.pk:
            problems.append(_problem(["token"], "No invitation to this survey has this token."))
        else:
            unit, period = invitation.episode.unit, period_for(invitation.episode.closed)
            if invitation.used_at is not None:
                return Status(409, {"detail": "This invitation has already been answered."})
    elif payload.unit is not None:
        unit = OrgUnit.objects.filter(code=payload.unit, active=True).first()
        today = timezone.localdate()
        if unit is None or not any(
            p.is_active_on(today)
            for p in Provider.objects.filter(unit=unit, service=survey.service)
        ):
            problems.append(
                _problem(
                    ["unit"], f"No active unit {payload.unit!r} delivers {survey.service.code}."
                )
            )
    with translation.override("en"):
        checked = check_answers(questions, payload.answers, payload.contact, strict=True)
    for code, message in checked.errors.items():
        problems.append(_problem([CONTACT] if code == CONTACT else ["answers", code], message))
    if problems:
        return Status(422, {"detail": problems})
    try:
        response = store_response(
            version,
            checked,
            channel=invitation.channel if invitation else payload.channel,
            language=payload.language,
            service=survey.service,
            unit=unit,
            period=period,
            invitation=invitation,
            questions=questions,
        )
    except AlreadyAnsweredError:
        return Status(409, {"detail": "This invitation has already been answered."})
    return Status(
        201,
        AcceptedOut(
            survey=survey.code, version=version.version, submitted_on=response.submitted_on
        ),
    )
