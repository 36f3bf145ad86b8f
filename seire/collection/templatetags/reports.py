"""Template helpers of the collection pages: `localname` and the provider's `my_reports`."""

from django import template
from django.utils import timezone
from django.utils.translation import get_language

from seire import periods
from seire.access.roles import scope_for
from seire.collection.forms import localised
from seire.collection.models import Dataset, Submission
from seire.collection.timeliness import State, board

register = template.Library()

# The order of "my reports": what needs the provider first.
URGENCY = {
    Submission.Status.RETURNED: 0,
    State.OVERDUE: 1,
    State.DUE: 2,
    Submission.Status.DRAFT: 3,
    Submission.Status.SUBMITTED: 4,
    Submission.Status.APPROVED: 5,
}


@register.filter
def localname(obj, attribute: str = "name") -> str:
    """An element's or option's name (or `counting_rule`) in the active language."""
    return localised(obj, get_language() or "et", attribute)


@register.inclusion_tag("collection/_my_reports.html", takes_context=True)
def my_reports(context, recent: int = 3, limit: int = 15):
    """The signed-in provider's reports of the last `recent` ended periods, most urgent
    first: returned, overdue, due, then those submitted and approved."""
    user = context["request"].user
    scope = scope_for(user)
    units = scope.entry_units()
    services = {sid for _path, sid in scope.entry_paths}
    datasets = Dataset.objects.filter(service__providers__unit__in=units).distinct()
    if not scope.everything and None not in services:
        datasets = datasets.filter(service__in=services)
    today = timezone.localdate()
    language = get_language() or "et"
    items = []
    for dataset in datasets.select_related("service").order_by("code"):
        last = periods.period_of(today, dataset.period_type).previous()
        codes = [last]
        for _step in range(recent - 1):
            codes.insert(0, codes[0].previous())
        for row in board(dataset, [str(p) for p in codes], units=units, today=today):
            for cell in row:
                if cell.state == State.NOT_EXPECTED:
                    continue
                status = cell.submission.status if cell.submission else Submission.Status.DRAFT
                # a draft is as urgent as its deadline (overdue, due); the rest by status
                urgency = URGENCY[cell.state if status == Submission.Status.DRAFT else status]
                items.append(
                    {
                        "dataset": dataset,
                        "cell": cell,
                        "status": Submission.Status(status).label,
                        "status_code": status,
                        "period_label": periods.parse(cell.period).label(language),
                        "urgency": urgency,
                    }
                )
    items.sort(key=lambda i: (i["urgency"], i["cell"].period, i["dataset"].code))
    return {"items": items[:limit], "more": max(0, len(items) - limit)}
