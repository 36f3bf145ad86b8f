"""The public releases API (no sign-in): `GET /api/public/releases`, one release, one table.

It reads the same stored cells as the pages and files, through the same embargo check
(`views_public.get_public_release`): before a release's time every operation answers 404.
A withheld cell comes with `value: null` and `suppressed: true`.
"""

from datetime import datetime
from typing import Annotated

from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from seire.publishing.models import Release
from seire.publishing.outputs import table_data, to_json
from seire.publishing.views_public import get_public_release, get_public_table

router = Router(tags=["public releases"], auth=None)


class Text(Schema):
    et: str
    en: str


class VersionOut(Schema):
    number: int
    published_at: datetime
    superseded: bool
    note: Text


class TableRef(Schema):
    code: str
    title: Text


class ReleaseOut(Schema):
    code: str
    title: Text
    summary: Text
    published_at: datetime
    version: int
    versions: list[VersionOut]
    tables: list[TableRef]


class ReleaseBrief(Schema):
    code: str
    title: Text
    published_at: datetime
    version: int


class Category(Schema):
    code: str
    label: Text


class DimensionOut(Schema):
    code: str
    label: Text
    categories: list[Category]


class MeasureOut(Schema):
    code: str
    label: Text


class CellOut(Schema):
    coordinates: dict[str, str]
    value: float | None
    status: str
    suppressed: bool


class TableOut(Schema):
    code: str
    title: Text
    measure: MeasureOut
    version: int
    published_at: datetime
    method: str
    symbol: str
    dimensions: list[DimensionOut]
    cells: list[CellOut]


class VersionQuery(Schema):
    version: Annotated[
        int | None, Field(description="A version number; empty: the current one.")
    ] = None


def _public(code: str, number: int | None = None):
    try:
        return get_public_release(code, number)
    except Http404:
        raise HttpError(404, "no such release") from None


@router.get("/releases", response=list[ReleaseBrief])
def list_public_releases(request: HttpRequest):
    now = timezone.now()
    out = []
    for release in Release.objects.public(now).order_by("-planned_at"):
        version = release.public_version(now)
        out.append(
            {
                "code": release.code,
                "title": {"et": release.title_et, "en": release.title_en},
                "published_at": release.planned_at,
                "version": version.number,
            }
        )
    return out


@router.get("/releases/{code}", response=ReleaseOut)
def get_public_release_detail(request: HttpRequest, code: str, query: Query[VersionQuery]):
    release, version = _public(code, query.version)
    now = timezone.now()
    tables = [
        {"code": t.code, "title": {"et": t.title_et, "en": t.title_en}}
        for t in release.tables.order_by("sort", "code")
        if version.cells.filter(table=t).exists()
    ]
    return {
        "code": release.code,
        "title": {"et": release.title_et, "en": release.title_en},
        "summary": {"et": release.summary_et, "en": release.summary_en},
        "published_at": release.planned_at,
        "version": version.number,
        "versions": [
            {
                "number": v.number,
                "published_at": max(v.published_at, release.planned_at),
                "superseded": v.is_superseded(now),
                "note": {"et": v.note_et, "en": v.note_en},
            }
            for v in release.public_versions(now)
        ],
        "tables": tables,
    }


@router.get("/releases/{code}/tables/{table}", response=TableOut)
def get_public_release_table(
    request: HttpRequest, code: str, table: str, query: Query[VersionQuery]
):
    try:
        _, version, found = get_public_table(code, table, query.version)
    except Http404:
        raise HttpError(404, "no such release or table") from None
    return to_json(table_data(found, version))
