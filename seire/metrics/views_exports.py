"""Downloads of metric values as CSV and XLSX (`metrics/<code>/values.csv|.xlsx`).

The same query and checks as `GET /api/metrics/{code}/values` (`exports.value_rows`):
403 outside the caller's metrics or units, 404 for an unknown metric, 422 with a plain-text
message for a malformed query. Every download is audited as an export.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from seire.access.audit import record
from seire.metrics import exports

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@require_GET
@login_required
def values_csv(request: HttpRequest, code: str) -> HttpResponse:
    return _download(request, code, "csv")


@require_GET
@login_required
def values_xlsx(request: HttpRequest, code: str) -> HttpResponse:
    return _download(request, code, "xlsx")


def _download(request: HttpRequest, code: str, kind: str) -> HttpResponse:
    period, unit, by = (request.GET.get(k) for k in ("period", "unit", "by"))
    try:
        result = exports.value_rows(request.user, code, period, unit, by)
    except exports.BadQuery as error:
        return HttpResponse(str(error), status=422, content_type="text/plain; charset=utf-8")
    if kind == "csv":
        response = HttpResponse(exports.to_csv(result), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(exports.to_xlsx(result), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{result.metric.code}-values.{kind}"'
    record(
        request.user,
        "export",
        result.metric,
        summary=f"{exports.describe(result.metric.code, period, unit, by)} as {kind.upper()}: "
        f"{len(result.rows)} rows",
        changes={"period": period or "", "unit": unit or "", "by": by or "", "format": kind},
    )
    return response
