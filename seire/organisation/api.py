"""Organisation API: the units and services the caller may see."""

from datetime import date

from django.http import HttpRequest
from ninja import Router, Schema

from seire.access.roles import get_service_for_user, get_unit_for_user, scope_for

router = Router(tags=["organisation"])


class UnitOut(Schema):
    id: int
    code: str
    name_et: str
    name_en: str
    kind: str
    parent_id: int | None
    path: str


class ProvisionOut(Schema):
    service: str
    start: date
    end: date | None


class UnitDetailOut(UnitOut):
    provisions: list[ProvisionOut]


class ServiceOut(Schema):
    code: str
    name_et: str
    name_en: str


@router.get("/units", response=list[UnitOut])
def list_units(request: HttpRequest):
    """Every unit the caller may read, in tree order."""
    return list(scope_for(request.user).visible_units())


@router.get("/units/{unit_id}", response=UnitDetailOut)
def get_unit(request: HttpRequest, unit_id: int):
    unit = get_unit_for_user(request.user, unit_id)
    provisions = [
        ProvisionOut(service=p.service.code, start=p.start, end=p.end)
        for p in unit.provisions.select_related("service")
    ]
    return UnitDetailOut(**UnitOut.from_orm(unit).dict(), provisions=provisions)


@router.get("/services", response=list[ServiceOut])
def list_services(request: HttpRequest):
    return list(scope_for(request.user).visible_services())


@router.get("/services/{code}", response=ServiceOut)
def get_service(request: HttpRequest, code: str):
    return get_service_for_user(request.user, code)
