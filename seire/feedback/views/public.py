"""The public feedback pages: no login, no cookie but CSRF's, nothing stored about the visitor.

Every page has the quick exit, is in the language of `?lang=` (et, en or ru; otherwise the
browser's, else Estonian; never a cookie), is not cached or indexed, and sends no referrer.
A flood gets a polite 429 page; a wrong or used link a polite 404 or 410 page.
"""

from collections.abc import Callable
from functools import wraps

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_GET, require_http_methods

from seire.feedback import limits
from seire.feedback.answers import AlreadyAnsweredError, period_for, store_response
from seire.feedback.channels import find_invitation
from seire.feedback.forms import SurveyForm
from seire.feedback.models import LANGUAGES, Invitation, Survey, SurveyVersion
from seire.organisation.models import OrgUnit, Provider, Service

LANGUAGE_NAMES = {"et": "Eesti", "en": "English", "ru": "Русский"}
QUICK_EXIT_URL = "https://www.ilm.ee/"  # a neutral site: the weather


def public_language(request: HttpRequest) -> str:
    """The language asked for with ?lang= (also a form field), else the browser's, else et."""
    asked = request.GET.get("lang") or request.POST.get("lang")
    if asked in LANGUAGES:
        return asked
    browser = (getattr(request, "LANGUAGE_CODE", "") or "")[:2]
    return browser if browser in LANGUAGES else "et"


def public_page(view: Callable) -> Callable:
    """Render `view` in the public language, answer a 404 politely, and keep the page out of
    caches, search engines and other sites' referrer logs."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        language = public_language(request)
        request.public_language = language
        with translation.override(language):
            try:
                response = view(request, *args, **kwargs)
            except Http404:
                response = page(request, "feedback/not_found.html", status=404)
        add_never_cache_headers(response)
        response["Content-Language"] = language
        # Other sites get no referrer; "no-referrer" would also blank the Origin of the
        # form's own POST (Origin: null), which the CSRF check refuses.
        response["Referrer-Policy"] = "same-origin"
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    return wrapper


def page(request: HttpRequest, template: str, context: dict | None = None, status: int = 200):
    """A public page with what the public base template needs."""
    language = request.public_language
    base = request.path
    links = [
        {"code": code, "name": name, "url": f"{base}?lang={code}", "current": code == language}
        for code, name in LANGUAGE_NAMES.items()
    ]
    context = {
        "lang": language,
        "languages": links,
        "quick_exit_url": QUICK_EXIT_URL,
        **(context or {}),
    }
    return render(request, template, context, status=status)


def _current(survey: Survey) -> SurveyVersion:
    version = survey.current_version()
    if version is None:
        raise Http404
    return version


@public_page
@require_http_methods(["GET", "POST"])
def survey_form(request: HttpRequest, code: str, unit: str | None = None) -> HttpResponse:
    """The public link of a survey, for its service or (with `unit`) one unit delivering it."""
    survey = get_object_or_404(Survey.objects.select_related("service"), code=code, active=True)
    place = None
    if unit is not None:
        place = get_object_or_404(OrgUnit, code=unit, active=True)
        today = timezone.localdate()
        delivers = any(
            p.is_active_on(today)
            for p in Provider.objects.filter(unit=place, service=survey.service)
        )
        if not delivers:
            raise Http404
    return _answer(request, survey, _current(survey), service=survey.service, unit=place)


@public_page
@require_http_methods(["GET", "POST"])
def invitation_form(request: HttpRequest, token: str) -> HttpResponse:
    """A one-time invitation: the survey once, then a polite "already answered" page."""
    invitation = find_invitation(token)
    if invitation is None or not invitation.survey.active:
        raise Http404
    if invitation.used_at is not None:
        return page(request, "feedback/already_answered.html", status=410)
    episode = invitation.episode
    return _answer(
        request,
        invitation.survey,
        _current(invitation.survey),
        service=episode.service,
        unit=episode.unit,
        invitation=invitation,
        token=token,
    )


def _answer(
    request: HttpRequest,
    survey: Survey,
    version: SurveyVersion,
    *,
    service: Service,
    unit: OrgUnit | None,
    invitation: Invitation | None = None,
    token: str = "",
) -> HttpResponse:
    language = request.public_language
    questions = version.ordered_questions()
    form = SurveyForm(questions, language, request.POST or None)
    if request.method == "POST":
        if not limits.form_allowed(request, token):
            response = page(request, "feedback/too_many.html", status=429)
            response["Retry-After"] = str(3600 - timezone.now().minute * 60)
            return response
        if form.is_valid():
            if not form.is_spam:
                try:
                    store_response(
                        version,
                        form.checked,
                        channel=invitation.channel if invitation else "link",
                        language=language,
                        service=service,
                        unit=unit,
                        period=period_for(invitation.episode.closed) if invitation else None,
                        invitation=invitation,
                    )
                except AlreadyAnsweredError:
                    return page(request, "feedback/already_answered.html", status=410)
            thanks = f"{reverse('feedback:thanks')}?lang={language}"
            return HttpResponseRedirect(thanks, status=303)
    context = {
        "survey": survey,
        "name": survey.name_in(language),
        "intro": survey.intro_in(language),
        "form": form,
        "items": form.items(),
        "action": f"{request.path}?lang={language}",
    }
    return page(request, "feedback/form.html", context)


@public_page
@require_GET
def thanks(request: HttpRequest) -> HttpResponse:
    return page(request, "feedback/thanks.html")
