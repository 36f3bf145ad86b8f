"""The analyst's publishing pages: the release calendar with statuses, one release with its
tables, versions and the protected cells of the newest version, and the actions prepare,
publish and correct (POSTs). Releases and tables are defined in the admin."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from seire.access.roles import scope_for
from seire.publishing import services
from seire.publishing.models import Release
from seire.publishing.outputs import LEGEND, grid, table_data


def get_release_for_user(user, code: str) -> Release:
    """The release `code` for the analyst (publishing is hers); 403 for anyone else, 404
    when there is none."""
    if not scope_for(user).everything:
        raise PermissionDenied
    return get_object_or_404(Release, code=code)


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    if not scope_for(request.user).everything:
        raise PermissionDenied
    releases = Release.objects.prefetch_related("versions", "tables").order_by("-planned_at")
    return render(request, "publishing/index.html", {"releases": releases, "now": timezone.now()})


@login_required
@require_GET
def detail(request: HttpRequest, code: str) -> HttpResponse:
    release = get_release_for_user(request.user, code)
    versions = list(release.versions.order_by("-number"))
    newest = versions[0] if versions else None
    lang = "et" if (request.LANGUAGE_CODE or "et").startswith("et") else "en"
    previews = []
    if newest is not None:
        for table in release.tables.order_by("sort", "code"):
            if newest.cells.filter(table=table).exists():
                data = table_data(table, newest)
                previews.append({"table": table, "grid": grid(data, lang), "data": data})
    return render(
        request,
        "publishing/detail.html",
        {
            "release": release,
            "versions": versions,
            "newest": newest,
            "previews": previews,
            "legend": LEGEND[lang],
            "recipients": services.recipients(release),
            "now": timezone.now(),
        },
    )


def _act(request: HttpRequest, code: str, action) -> HttpResponse:
    release = get_release_for_user(request.user, code)
    try:
        message = action(release)
    except services.PublishingError as exc:
        for problem in exc.problems:
            messages.error(request, problem)
    else:
        messages.success(request, message)
    return redirect("publishing:detail", code=release.code)


@require_POST
@login_required
def prepare(request: HttpRequest, code: str) -> HttpResponse:
    def action(release):
        version = services.prepare(release, user=request.user)
        return _("Version %(number)s is prepared.") % {"number": version.number}

    return _act(request, code, action)


@require_POST
@login_required
def publish(request: HttpRequest, code: str) -> HttpResponse:
    def action(release):
        outcome = services.publish(release, user=request.user)
        if outcome.action == "embargoed":
            return _("Prepared; it will be published at its time by the scheduled task.")
        if outcome.action == "unchanged":
            return _("Already published; nothing changed.")
        return _("Published; %(count)s partner addresses notified.") % {"count": outcome.notified}

    return _act(request, code, action)


@require_POST
@login_required
def correct(request: HttpRequest, code: str) -> HttpResponse:
    def action(release):
        outcome = services.correct(
            release,
            note_et=request.POST.get("note_et", ""),
            note_en=request.POST.get("note_en", ""),
            user=request.user,
        )
        return _("Correction published as version %(number)s.") % {"number": outcome.version.number}

    return _act(request, code, action)
