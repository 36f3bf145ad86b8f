"""The change-proposal pages: lists, the "propose a change" form, the proposal with its
side-by-side definitions and backtest and the analyst's decision, and version history.

Every view fetches its metric or proposal through `get_metric_for_user` /
`get_proposal_for_user`; the workflow functions check the same permissions again, so a
crafted POST is refused even where a page would not have offered the form.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from seire import periods
from seire.access.roles import scope_for
from seire.metrics import proposals
from seire.metrics.comparison import side_by_side
from seire.metrics.definitions import DefinitionError
from seire.metrics.forms import AcceptForm, ProposalForm, RejectForm, filter_rows, initial_from
from seire.metrics.models import ChangeProposal, Metric
from seire.metrics.sources import SOURCES


def _language() -> str:
    return (get_language() or "et")[:2]


def _can_read(user, metric: Metric) -> bool:
    scope = scope_for(user)
    if not scope.is_staff_member:
        return False
    return metric.service is None or scope.can_view_service(metric.service)


def get_metric_for_user(user, code: str, write: bool = False) -> Metric:
    """The metric `code` if `user` may read it (or propose changes to it, with `write`)."""
    metric = get_object_or_404(Metric.objects.select_related("service"), code=code)
    allowed = proposals.can_propose(user, metric) if write else _can_read(user, metric)
    if not allowed:
        raise PermissionDenied
    return metric


def get_proposal_for_user(user, pk: int, decide: bool = False) -> ChangeProposal:
    """The proposal `pk` if `user` may read its metric (and decide it, with `decide`)."""
    proposal = get_object_or_404(
        ChangeProposal.objects.select_related(
            "metric__service", "base_version", "created_version", "proposed_by", "decided_by"
        ),
        pk=pk,
    )
    allowed = proposals.can_decide(user) if decide else _can_read(user, proposal.metric)
    if not allowed:
        raise PermissionDenied
    return proposal


def _visible_proposals(user) -> QuerySet[ChangeProposal]:
    scope = scope_for(user)
    if not scope.is_staff_member:
        raise PermissionDenied
    qs = ChangeProposal.objects.select_related("metric", "proposed_by", "decided_by")
    if scope.everything:
        return qs
    services = scope.visible_services()
    return qs.filter(Q(metric__service__in=services) | Q(metric__service__isnull=True))


@require_GET
@login_required
def proposal_list(request: HttpRequest) -> HttpResponse:
    """Every proposal the user may see: open ones first."""
    items = _visible_proposals(request.user).order_by("-status", "-proposed_at")
    return render(request, "metrics/proposals/list.html", {"proposals": items, "metric": None})


@require_GET
@login_required
def metric_proposals(request: HttpRequest, code: str) -> HttpResponse:
    metric = get_metric_for_user(request.user, code)
    items = metric.proposals.select_related("metric", "proposed_by", "decided_by")
    context = {
        "proposals": items.order_by("-status", "-proposed_at"),
        "metric": metric,
        "can_propose": proposals.can_propose(request.user, metric),
    }
    return render(request, "metrics/proposals/list.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def propose(request: HttpRequest, code: str) -> HttpResponse:
    """The current definition as a form; a valid, checked POST stores the proposal."""
    metric = get_metric_for_user(request.user, code, write=True)
    current = proposals.definition_of(metric.current_version())
    rows = filter_rows(current)
    form = ProposalForm(request.POST or None, initial=initial_from(current), rows=rows)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            proposal = proposals.propose(
                request.user, metric, form.definition(), form.cleaned_data["rationale"]
            )
        except (DefinitionError, proposals.Refused) as refused:
            problems = refused.messages
        else:
            messages.success(request, _("Your proposal was saved. The analyst will decide on it."))
            return redirect("metrics:proposal", pk=proposal.pk)
    context = {"metric": metric, "form": form, "problems": problems, "sources": SOURCES.values()}
    return render(request, "metrics/proposals/new.html", context)


def _detail(request, proposal, accept_form=None, reject_form=None, problems=()) -> HttpResponse:
    language = _language()
    scope = scope_for(request.user)
    stale = proposal.is_open and proposal.metric.current_version() != proposal.base_version
    can_decide = proposals.can_decide(request.user) and proposal.is_open
    if can_decide and not stale:
        choices = proposals.effective_choices(proposal)
        # The period in progress by default: a change usually applies from now on.
        now = str(periods.period_of(timezone.localdate(), proposal.definition["frequency"]))
        default = now if now in choices else (choices[0] if choices else None)
        accept_form = accept_form or AcceptForm(
            choices=choices, language=language, initial={"effective_from": default}
        )
    if can_decide:
        reject_form = reject_form or RejectForm()
    # The decision forms are at the foot of a long page: their errors go to the summary too.
    problems = list(problems) + [
        f"{form[name].label}: {error}"
        for form in (accept_form, reject_form)
        if form is not None and form.is_bound
        for name, errors in form.errors.items()
        for error in errors
    ]
    context = {
        "proposal": proposal,
        "metric": proposal.metric,
        "lines": side_by_side(proposals.definition_of(proposal.base_version), proposal.definition),
        "backtest": proposals.backtest(proposal, units=scope.visible_units()),
        "stale": stale,
        "accept_form": accept_form if can_decide and not stale else None,
        "reject_form": reject_form if can_decide else None,
        "problems": problems,
    }
    return render(request, "metrics/proposals/detail.html", context)


@require_GET
@login_required
def proposal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, get_proposal_for_user(request.user, pk))


@require_POST
@login_required
def accept(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = get_proposal_for_user(request.user, pk, decide=True)
    language = _language()
    form = AcceptForm(
        request.POST, choices=proposals.effective_choices(proposal), language=language
    )
    if not form.is_valid():
        return _detail(request, proposal, accept_form=form)
    try:
        version = proposals.accept(request.user, proposal, form.cleaned_data["effective_from"])
    except proposals.Refused as refused:
        proposal.refresh_from_db()
        return _detail(request, proposal, accept_form=form, problems=refused.messages)
    except DefinitionError as error:
        return _detail(request, proposal, accept_form=form, problems=error.messages)
    messages.success(
        request,
        _("Accepted: version %(v)d is effective from %(p)s.")
        % {"v": version.version, "p": periods.parse(version.effective_from).label(language)},
    )
    return redirect("metrics:history", code=proposal.metric.code)


@require_POST
@login_required
def reject(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = get_proposal_for_user(request.user, pk, decide=True)
    form = RejectForm(request.POST)
    if not form.is_valid():
        return _detail(request, proposal, reject_form=form)
    try:
        proposals.reject(request.user, proposal, form.cleaned_data["comment"])
    except proposals.Refused as refused:
        proposal.refresh_from_db()
        return _detail(request, proposal, reject_form=form, problems=refused.messages)
    messages.success(request, _("The proposal was rejected."))
    return redirect("metrics:proposal", pk=proposal.pk)


@require_GET
@login_required
def history(request: HttpRequest, code: str) -> HttpResponse:
    """Every version of the metric, newest first, with who made it, when and why."""
    metric = get_metric_for_user(request.user, code)
    versions = metric.versions.select_related("created_by", "proposal__proposed_by").order_by(
        "-version"
    )
    context = {
        "metric": metric,
        "versions": versions,
        "language": _language(),
        "can_propose": proposals.can_propose(request.user, metric),
        "open_count": metric.proposals.filter(status=ChangeProposal.Status.PROPOSED).count(),
    }
    return render(request, "metrics/proposals/history.html", context)
