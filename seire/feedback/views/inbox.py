"""The feedback inbox: owners see the items of their services, the analyst sees all.

Providers, managers and everyone else get 403: items are about the staff of units and are
for the people who decide on the service. The original (unredacted) text is the analyst's
only, and each look at it is audited.
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from seire.access.audit import record
from seire.access.roles import scope_for
from seire.feedback import crypto
from seire.feedback.forms_inbox import (
    ActionForm,
    BulkTriage,
    ForwardForm,
    InboxFilter,
    NoActionForm,
    ThemesForm,
)
from seire.feedback.items import Action, FeedbackItem, ThemeCorrection

Status = FeedbackItem.Status
PAGE = 200  # items shown at once; filters narrow the rest


def items_for_user(user) -> QuerySet[FeedbackItem]:
    """The items `user` may see: all for the analyst, their services' for an owner; 403 for
    anyone else."""
    scope = scope_for(user)
    if scope.everything:
        return FeedbackItem.objects.all()
    if scope.owned_services:
        return FeedbackItem.objects.filter(service_id__in=scope.owned_services)
    raise PermissionDenied


def get_item_for_user(user, pk: int) -> FeedbackItem:
    """The item `pk` if `user` may see (and so work on) it; 404 or 403 otherwise."""
    items = items_for_user(user)
    item = get_object_or_404(
        FeedbackItem.objects.select_related("service", "unit", "routed_to", "forwarded_to"),
        pk=pk,
    )
    if not items.filter(pk=item.pk).exists():
        raise PermissionDenied
    return item


def _filtered(request: HttpRequest, items: QuerySet, today) -> tuple[InboxFilter, QuerySet]:
    form = InboxFilter(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    status = data.get("status", "")
    if status == "":
        items = items.exclude(status=Status.CLOSED)
    elif status != "all":
        items = items.filter(status=status)
    if data.get("severity"):
        items = items.filter(severity=data["severity"])
    if data.get("theme"):
        # JSON containment is not portable to SQLite; the quoted code in the list's text is.
        items = items.filter(themes__icontains=f'"{data["theme"]}"')
    if data.get("overdue"):
        items = items.filter(due_on__lt=today).exclude(status=Status.CLOSED)
    if data.get("q"):
        items = items.filter(Q(text__icontains=data["q"]))
    return form, items


def _rows(items: QuerySet, today) -> list[dict]:
    return [
        {"item": item, "overdue": item.is_overdue(today)}
        for item in items.select_related("service", "unit", "routed_to")[:PAGE]
    ]


@require_http_methods(["GET", "POST"])
@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    """The list with filters and search; POST triages the ticked items at once (a plain
    form, or htmx swapping the table in place)."""
    visible = items_for_user(request.user)
    today = timezone.localdate()
    message = ""
    if request.method == "POST":
        ids = list(visible.exclude(status=Status.CLOSED).values_list("pk", flat=True))
        bulk = BulkTriage(request.POST, item_ids=ids)
        if bulk.is_valid():
            chosen = visible.filter(pk__in=bulk.cleaned_data["items"])
            count = chosen.update(status=bulk.cleaned_data["status"])
            record(request.user, "update", summary=f"feedback: {count} items triaged",
                   object_type="feedback.feedbackitem",
                   changes={"items": bulk.cleaned_data["items"],
                            "status": bulk.cleaned_data["status"]})  # fmt: skip
            message = _("%(count)s items updated.") % {"count": count}
        else:
            message = _("Tick at least one open item and choose the new status.")
        if not request.htmx:
            return redirect(f"{reverse('feedback:inbox')}?{request.GET.urlencode()}")
    form, items = _filtered(request, visible, today)
    context = {
        "form": form,
        "rows": _rows(items, today),
        "total": items.count(),
        "limit": PAGE,
        "message": message,
        "statuses": BulkTriage.base_fields["status"].choices,
        "query": request.GET.urlencode(),
    }
    template = "feedback/_inbox_table.html" if request.htmx else "feedback/inbox.html"
    return render(request, template, context)


def _done(request, item, summary: str, changes: dict) -> HttpResponse:
    record(request.user, "update", item, summary=summary, changes=changes)
    return redirect("feedback:item", pk=item.pk)


@require_http_methods(["GET", "POST"])
@login_required
def item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One item: its text, themes and history, with the forms to act on it. The POST's `op`
    says which form was sent (action, no_action, forward, themes)."""
    item = get_item_for_user(request.user, pk)
    scope = scope_for(request.user)
    today = timezone.localdate()
    forms = {
        "action": ActionForm(),
        "no_action": NoActionForm(),
        "forward": ForwardForm(),
        "themes": ThemesForm(initial={"themes": item.themes}),
    }
    if request.method == "POST":
        op = request.POST.get("op", "")
        if op == "quote":
            return _quote(request, item, scope)
        if op not in forms or (op == "themes" and not scope.everything):
            raise PermissionDenied
        if item.status == Status.CLOSED and op != "themes":
            forms[op] = None
        else:
            form = forms[op].__class__(request.POST)
            forms[op] = form
            if form.is_valid():
                return _apply(request, item, op, form.cleaned_data, today)
    context = {
        "item": item,
        "overdue": item.is_overdue(today),
        "actions": item.actions.select_related("by"),
        "forms": forms,
        "is_analyst": scope.everything,
        "closed": item.status == Status.CLOSED,
    }
    return render(request, "feedback/item.html", context, status=200)


def _quote(request, item: FeedbackItem, scope) -> HttpResponse:
    """The analyst marks the redacted text as a verbatim of the UX report (or unmarks it).
    A text whose redaction failed is never quoted."""
    if not scope.everything:
        raise PermissionDenied
    quoted = request.POST.get("quoted") == "1" and bool(item.text) and not item.needs_review
    with transaction.atomic():
        item.quoted = quoted
        item.save(update_fields=["quoted"])
        return _done(request, item, f"feedback item {item.pk}: quoted", {"quoted": quoted})


def _apply(request, item: FeedbackItem, op: str, data: dict, today) -> HttpResponse:
    with transaction.atomic():
        if op == "action":
            Action.objects.create(
                item=item,
                description=data["description"],
                planned_on=data["planned_on"],
                done_on=data["done_on"],
                by=request.user,
            )
            item.status = Status.CLOSED if data["close"] else Status.IN_PROGRESS
            item.closed_on = today if data["close"] else None
            item.save(update_fields=["status", "closed_on"])
            return _done(request, item, f"feedback item {item.pk}: action", {"op": op})
        if op == "no_action":
            item.no_action_reason = data["reason"]
            item.status, item.closed_on = Status.CLOSED, today
            item.save(update_fields=["no_action_reason", "status", "closed_on"])
            return _done(request, item, f"feedback item {item.pk}: no action", {"op": op})
        if op == "forward":
            item.forwarded_to, item.forward_note = data["partner"], data["note"]
            item.status = Status.FORWARDED
            item.save(update_fields=["forwarded_to", "forward_note", "status"])
            return _done(
                request,
                item,
                f"feedback item {item.pk}: forwarded",
                {"partner": item.forwarded_to_id},
            )
        corrected = sorted(data["themes"])
        ThemeCorrection.objects.create(
            item=item, coded=item.coded_themes, corrected=corrected, by=request.user, on=today
        )
        old = item.themes
        item.themes, item.themes_checked = corrected, True
        item.save(update_fields=["themes", "themes_checked"])
        return _done(
            request, item, f"feedback item {item.pk}: themes", {"themes": [old, corrected]}
        )


@require_GET
@login_required
def item_original(request: HttpRequest, pk: int) -> HttpResponse:
    """The text as the respondent wrote it: the analyst's only, and audited."""
    if not scope_for(request.user).everything:
        raise PermissionDenied
    item = get_object_or_404(FeedbackItem.objects.select_related("service"), pk=pk)
    originals = []
    for answer in item.response.answers.filter(question__type="text").select_related("question"):
        try:
            originals.append((answer.question, crypto.decrypt(answer.text_encrypted)))
        except crypto.InvalidToken:
            originals.append((answer.question, None))
    record(request.user, "view", item, summary=f"feedback item {item.pk}: original text")
    return render(request, "feedback/item_original.html", {"item": item, "originals": originals})
