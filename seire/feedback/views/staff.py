"""The staff's feedback pages: public links with QR posters and texts, and one response.

Links and posters are for staff who may see the survey's service (and, per unit, the unit).
A response's original free text and contact details are the analyst's only; each look is
recorded in the audit log.
"""

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from seire.access.audit import record
from seire.access.roles import scope_for
from seire.feedback import channels, crypto
from seire.feedback.models import LANGUAGES, Response, Survey
from seire.organisation.models import OrgUnit


def get_survey_for_user(user, code: str, unit_code: str | None = None):
    """The survey `code` (and the unit `unit_code` delivering it) if `user` may see them."""
    survey = get_object_or_404(Survey.objects.select_related("service"), code=code)
    scope = scope_for(user)
    if not scope.can_view_service(survey.service):
        raise PermissionDenied
    unit = None
    if unit_code is not None:
        unit = get_object_or_404(
            OrgUnit, code=unit_code, provisions__service=survey.service, active=True
        )
        if not scope.can_view_unit(unit, survey.service):
            raise PermissionDenied
    return survey, unit


def get_response_for_analyst(user, pk: int) -> Response:
    """The response `pk` for the analyst; 403 for everyone else (its originals are hers)."""
    if not scope_for(user).everything:
        raise PermissionDenied
    return get_object_or_404(
        Response.objects.select_related("survey_version__survey", "service", "unit"), pk=pk
    )


@dataclass
class Link:
    survey: Survey
    unit: OrgUnit | None
    url: str


def _staff(request: HttpRequest) -> None:
    if not scope_for(request.user).is_staff_member:
        raise PermissionDenied


@require_GET
@login_required
def links(request: HttpRequest) -> HttpResponse:
    """The public links (per service and per unit) of the surveys the user may see."""
    _staff(request)
    scope = scope_for(request.user)
    today = timezone.localdate()
    surveys = []
    for survey in Survey.objects.filter(active=True).select_related("service"):
        if not scope.can_view_service(survey.service):
            continue
        units = [
            p.unit
            for p in survey.service.providers.select_related("unit").order_by("unit__path")
            if p.is_active_on(today)
            and p.unit.active
            and scope.can_view_unit(p.unit, survey.service)
        ]
        service_link = channels.absolute(channels.survey_path(survey))
        surveys.append(
            {
                "survey": survey,
                "name": survey.name_in(get_language() or "et"),
                "link": Link(survey, None, service_link),
                "units": [
                    Link(survey, u, channels.absolute(channels.survey_path(survey, u)))
                    for u in dict.fromkeys(units)
                ],
                "messages": [
                    {
                        "language": lang,
                        **channels.message(service_link, lang, "sms"),
                        "email": channels.message(service_link, lang, "email"),
                    }
                    for lang in LANGUAGES
                ],
            }
        )
    return render(request, "feedback/links.html", {"surveys": surveys})


@require_GET
@login_required
def poster(request: HttpRequest, code: str, unit: str | None = None) -> HttpResponse:
    """A printable A4 page with the survey's QR code and link (for a waiting room)."""
    survey, place = get_survey_for_user(request.user, code, unit)
    url = channels.absolute(channels.survey_path(survey, place))
    names = [(lang, survey.name_in(lang)) for lang in LANGUAGES]
    context = {
        "survey": survey,
        "unit": place,
        "url": url,
        "qr": channels.qr_svg(url),
        "names": names,
    }
    return render(request, "feedback/poster.html", context)


@require_GET
@login_required
def response_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One response with its original text and contact details, for the analyst (audited)."""
    response = get_response_for_analyst(request.user, pk)
    answers = []
    for answer in response.answers.select_related("question").order_by("question__sort"):
        question = answer.question
        labels = dict(question.choices_in("en" if request.LANGUAGE_CODE == "en" else "et"))
        answers.append(
            {
                "question": question,
                "value": answer.value,
                "choices": [labels.get(c, c) for c in answer.choices],
                "redacted": answer.text_redacted,
                "original": _readable(answer.text_encrypted),
                "needs_review": answer.needs_review,
            }
        )
    contact = _readable(response.contact_encrypted) if response.wants_contact else ""
    record(
        request.user,
        "view",
        response,
        summary=f"feedback response {response.pk}: original text and contact details",
    )
    context = {"response": response, "answers": answers, "contact": contact}
    return render(request, "feedback/response_detail.html", context)


def _readable(token: str) -> str | None:
    """The decrypted text; None when the key cannot read it (the key was changed)."""
    try:
        return crypto.decrypt(token)
    except crypto.InvalidToken:
        return None
