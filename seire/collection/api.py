"""Collection API: machine submission and reading of statistics values.

`POST /api/collection/values` saves a batch through the same all-or-nothing path as the Excel
and CSV imports (channel "api"): 200 with the counts and new versions; 422 with every problem
when refused; 409 when the only problems are concurrent edits (the `version` sent is not the
stored one: read again and retry); 403 when the caller may not enter data for a unit named.
`GET /api/collection/values` returns one unit's values of a table for the caller's units.
"""

from typing import Annotated, Literal

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError
from pydantic import ConfigDict, StrictFloat, StrictInt, StrictStr

from seire import periods
from seire.access.roles import scope_for
from seire.collection.models import Dataset, DataValue
from seire.collection.services import Cell, Problem, Refused
from seire.collection.value_import import import_cells
from seire.organisation.models import OrgUnit

router = Router(tags=["collection"])

MAX_VALUES = 50_000


class ValueIn(Schema):
    """One cell: `value` is a number, a numeric string, "na" (not applicable) or null/""
    (clears the cell); `version` is the version read before (null: don't check)."""

    model_config = ConfigDict(strict=True, extra="forbid")

    unit: Annotated[str, Field(max_length=40)]
    period: Annotated[str, Field(max_length=7)]
    element: Annotated[str, Field(max_length=60)]
    combo: Annotated[str, Field(max_length=120)]
    value: StrictInt | StrictFloat | Annotated[StrictStr, Field(max_length=40)] | None
    version: StrictInt | None = None


class ValuesIn(Schema):
    model_config = ConfigDict(strict=True, extra="forbid")

    dataset: Annotated[str, Field(max_length=40)]
    values: Annotated[list[ValueIn], Field(min_length=1, max_length=MAX_VALUES)]


class SavedValue(Schema):
    unit: str
    period: str
    element: str
    combo: str
    version: int  # 0: the cell is now blank


class SaveOut(Schema):
    created: int
    updated: int
    cleared: int
    unchanged: int
    values: list[SavedValue]


class ProblemOut(Schema):
    where: str  # "values[3]": the 4th value of the request
    message: str


class RefusedOut(Schema):
    detail: Literal["refused", "conflict", "forbidden"]
    problems: list[ProblemOut]


class ValueOut(Schema):
    unit: str
    period: str
    element: str
    combo: str
    value: int | float | Literal["na"]
    version: int


@router.post(
    "/values",
    response={200: SaveOut, 403: RefusedOut, 409: RefusedOut, 422: RefusedOut},
)
def post_values(request: HttpRequest, payload: ValuesIn):
    """Save values all or nothing, with the same checks as the Excel and CSV imports."""
    dataset = get_object_or_404(Dataset, code=payload.dataset)
    cells = [
        Cell(v.element, v.combo, v.unit, v.period, v.value, v.version, where=f"values[{i}]")
        for i, v in enumerate(payload.values)
    ]
    forbidden = _forbidden(request.user, dataset, cells)
    if forbidden:
        return Status(403, _refused("forbidden", forbidden))
    try:
        result = import_cells(request.user, dataset, cells, "api")
    except Refused as refusal:
        if all(p.code == "conflict" for p in refusal.problems):
            return Status(409, _refused("conflict", refusal.problems))
        return Status(422, _refused("refused", refusal.problems))
    saved = SaveOut(
        created=result.created,
        updated=result.updated,
        cleared=result.cleared,
        unchanged=result.unchanged,
        values=[
            SavedValue(element=e, combo=c, unit=u, period=p, version=version)
            for (e, c, u, p), version in result.versions.items()
        ],
    )
    return Status(200, saved)


@router.get("/values", response=list[ValueOut])
def list_values(request: HttpRequest, dataset: str, unit: str, period: str | None = None):
    """The stored values of one unit in a table (one period, or all); 403 outside the
    caller's units."""
    table = get_object_or_404(Dataset, code=dataset)
    org_unit = get_object_or_404(OrgUnit, code=unit)
    if not scope_for(request.user).can_view_unit(org_unit, table.service):
        raise PermissionDenied
    rows = DataValue.objects.filter(element__dataset=table, unit=org_unit)
    if period:
        try:
            rows = rows.filter(period=str(periods.parse(period)))
        except periods.PeriodError as error:
            raise HttpError(422, str(error)) from None
    rows = rows.order_by("period", "element__sort", "element__code", "combo__sort")
    return [
        ValueOut(
            unit=org_unit.code,
            period=p,
            element=element,
            combo=combo,
            value="na" if status == DataValue.Status.NOT_APPLICABLE else _number(value),
            version=version,
        )
        for p, element, combo, value, status, version in rows.values_list(
            "period", "element__code", "combo__code", "value", "status", "version"
        )
    ]


def _forbidden(user, dataset: Dataset, cells: list[Cell]) -> list[Problem]:
    """A problem for the first cell of each existing unit the caller may not enter data for."""
    scope = scope_for(user)
    units = {u.code: u for u in OrgUnit.objects.filter(code__in={c.unit for c in cells})}
    allowed = {code: scope.can_edit_unit(u, dataset.service) for code, u in units.items()}
    problems, named = [], set()
    for cell in cells:
        if cell.unit in units and not allowed[cell.unit] and cell.unit not in named:
            named.add(cell.unit)
            problems.append(
                Problem(cell.where, _("you may not enter data for %(u)s") % {"u": cell.unit})
            )
    return problems


def _refused(detail: str, problems: list[Problem]) -> RefusedOut:
    return RefusedOut(
        detail=detail, problems=[ProblemOut(where=p.where, message=p.message) for p in problems]
    )


def _number(value):
    return int(value) if value == value.to_integral_value() else float(value)
