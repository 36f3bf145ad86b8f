"""The release workflow: prepare (compute and protect every table, store its cells),
publish at the planned time, correct (a new version; the old one is superseded) and notify
the partners on the release's distribution list.

Protection remembers: tables of one release counting the same data are protected jointly,
and every cell published before of the same data (any release, any version) is held as
known (`earlier_cells`), so no small count can be recovered by setting tables, releases or
versions against each other; a release that cannot be protected is refused, naming cells.

Each step is idempotent and runs in one transaction, so `seire publish --due` can run from
cron every few minutes: a release is published once, and its partners are e-mailed once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import pandas as pd
from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from seire.access.audit import record
from seire.disclosure import GUARANTEES
from seire.publishing.models import PublishedCell, Release, ReleaseTable, ReleaseVersion
from seire.publishing.protection import (
    METHOD_NAMES,
    SUPPRESSED,
    Earlier,
    data_key,
    protect_tables,
    table_range,
)

logger = logging.getLogger(__name__)


class PublishingError(Exception):
    """A release that cannot be prepared or published; `problems` says where and why."""

    def __init__(self, problems: list[str] | str):
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("; ".join(self.problems))


@dataclass
class Outcome:
    release: Release
    version: ReleaseVersion | None
    action: str  # "prepared", "published", "corrected", "embargoed", "unchanged"
    notified: int = 0


def latest_published(release: Release) -> ReleaseVersion | None:
    return release.versions.filter(published_at__isnull=False).order_by("-number").first()


def earlier_cells(tables: list[ReleaseTable]) -> list[Earlier]:
    """Every cell ever published (in any release, any version, superseded ones too) of a
    table counting the same base data as one of `tables`: what a reader already holds."""
    keys = {data_key(t) for t in tables}
    found = ReleaseTable.objects.filter(
        measure__in={t.measure for t in tables},
        cells__version__published_at__isnull=False,
    ).distinct()
    out = []
    for table in found:
        if data_key(table) not in keys:
            continue
        versions = ReleaseVersion.objects.filter(
            cells__table=table, published_at__isnull=False
        ).distinct()
        for version in versions:
            rows = [
                {
                    **c.coordinates,
                    "value": None if c.value is None else float(c.value),
                    "status": c.status,
                }  # fmt: skip
                for c in version.cells.filter(table=table).order_by("position")
            ]
            out.append(
                Earlier(
                    data_key(table),
                    tuple(table.dims),
                    pd.DataFrame(rows),
                    table.granularity,
                    table_range(table),
                )  # fmt: skip
            )
    return out


def compute(release: Release) -> dict:
    """{table: protected frame} for every table; raises `PublishingError` listing every
    table that cannot be built or protected (nothing is stored)."""
    tables = list(release.tables.order_by("sort", "code"))
    if not tables:
        raise PublishingError(f"release {release.code}: it has no tables")
    results, problems = protect_tables(tables, earlier_cells(tables))
    if problems:
        raise PublishingError(problems)
    return results


def _cells(version: ReleaseVersion, table: ReleaseTable, frame: pd.DataFrame):
    dims = list(table.dims)
    for position, row in enumerate(frame.itertuples(index=False)):
        data = row._asdict()
        status = str(data["status"])
        value = None
        if status not in SUPPRESSED:
            value = Decimal(str(data["value"])).quantize(Decimal("0.0001"))
        yield PublishedCell(
            version=version,
            table=table,
            position=position,
            coordinates={d: str(data[d]) for d in dims},
            value=value,
            status=status,
        )


def prepare(
    release: Release, *, note_et: str = "", note_en: str = "", user=None, now=None
) -> ReleaseVersion:
    """Compute, protect and store a new version of `release` (replacing a prepared version
    not yet published). A version after a published one is a correction and needs a note.
    Raises `PublishingError`; on error nothing changes."""
    now = now or timezone.now()
    if release.status == Release.Status.CANCELLED:
        raise PublishingError(f"release {release.code} is cancelled")
    previous = latest_published(release)
    if previous is not None and not (note_et.strip() and note_en.strip()):
        raise PublishingError(
            f"release {release.code} is already published: a correction needs a note "
            "in Estonian and in English"
        )
    results = compute(release)
    with transaction.atomic():
        release.versions.filter(published_at__isnull=True).delete()
        number = (previous.number if previous else 0) + 1
        cells = sum(len(f) for f in results.values())
        suppressed = sum(int(f["status"].isin(SUPPRESSED).sum()) for f in results.values())
        version = ReleaseVersion.objects.create(
            release=release,
            number=number,
            prepared_at=now,
            note_et=note_et.strip(),
            note_en=note_en.strip(),
            audit={
                "cells": cells,
                "suppressed": suppressed,
                "audit": "clean",
                "methods": {t.code: t.method for t in results},
                "guarantees": {t.method: GUARANTEES[METHOD_NAMES[t.method]] for t in results},
            },
        )
        for table, frame in results.items():
            PublishedCell.objects.bulk_create(_cells(version, table, frame), batch_size=1000)
        if release.status == Release.Status.PLANNED:
            release.status = Release.Status.PREPARED
            release.save(update_fields=["status"])
        summary = f"{release.code} v{number}: {cells} cells, {suppressed} suppressed"
        record(user, "prepare", version, channel="web" if user else "command", summary=summary)
    return version


def publish(release: Release, *, user=None, now=None, notify: bool = True) -> Outcome:
    """Publish `release` when its time has come: prepare it if needed, make the newest
    prepared version public, mark the one before superseded, e-mail the partners.

    Before its planned time the release is only prepared ("embargoed"). Publishing again
    changes nothing ("unchanged")."""
    now = now or timezone.now()
    pending = release.versions.filter(published_at__isnull=True).order_by("-number").first()
    if pending is None and latest_published(release) is None:
        pending = prepare(release, user=user, now=now)
    if pending is None:
        sent = notify_partners(latest_published(release), now=now) if notify else 0
        return Outcome(release, latest_published(release), "unchanged", sent)
    if release.planned_at > now:
        return Outcome(release, pending, "embargoed")
    with transaction.atomic():
        previous = latest_published(release)
        if previous is not None:
            previous.superseded_at = now
            previous.save(update_fields=["superseded_at"])
        pending.published_at = now
        pending.save(update_fields=["published_at"])
        release.status = Release.Status.PUBLISHED
        release.save(update_fields=["status"])
        record(user, "publish", pending, channel="web" if user else "command")
    sent = notify_partners(pending, now=now) if notify else 0
    return Outcome(release, pending, "corrected" if previous else "published", sent)


def correct(release: Release, *, note_et: str, note_en: str, user=None, now=None) -> Outcome:
    """Recompute a published release as a new version with a correction note and publish it
    at once; the version before stays readable, marked superseded."""
    now = now or timezone.now()
    if latest_published(release) is None:
        raise PublishingError(f"release {release.code} is not published yet: nothing to correct")
    prepare(release, note_et=note_et, note_en=note_en, user=user, now=now)
    return publish(release, user=user, now=now)


def publish_due(now: datetime | None = None) -> list[Outcome]:
    """The scheduled task: publish every release whose time has come (and e-mail the
    partners of any published version not yet announced). Safe to run again."""
    now = now or timezone.now()
    outcomes = []
    due = Release.objects.filter(
        status__in=[Release.Status.PLANNED, Release.Status.PREPARED], planned_at__lte=now
    ).order_by("planned_at", "code")
    for release in due:
        try:
            outcomes.append(publish(release, now=now))
        except PublishingError as exc:
            outcomes.append(Outcome(release, None, f"refused: {exc}"))
    for version in ReleaseVersion.objects.filter(
        published_at__lte=now, notified_at__isnull=True, release__planned_at__lte=now
    ).select_related("release"):
        outcomes.append(Outcome(version.release, version, "notified", notify_partners(version)))
    return outcomes


def recipients(release: Release) -> list[str]:
    """The e-mail addresses of the contacts of the partners on the distribution list."""
    from seire.organisation.models import Contact

    emails = Contact.objects.filter(partner__in=release.distribution.all()).exclude(email="")
    return sorted(set(emails.values_list("email", flat=True)))


def notify_partners(version: ReleaseVersion | None, now=None) -> int:
    """E-mail the distribution list once per version (Bcc, so partners do not see each
    other); returns the number of addresses written to (0 when already done)."""
    if version is None or version.notified_at is not None or version.published_at is None:
        return 0
    now = now or timezone.now()
    release = version.release
    if release.planned_at > now or version.published_at > now:
        return 0
    to = recipients(release)
    if to:
        base = settings.SEIRE_BASE_URL
        url = base + reverse("statistics:release", kwargs={"code": release.code})
        with translation.override("et"):
            body = render_to_string(
                "publishing/release_email.txt", {"release": release, "version": version, "url": url}
            )
        subject = f"Seire: {release.title_et} / {release.title_en}"
        if version.number > 1:
            subject = f"Seire (parandus / correction): {release.title_et} / {release.title_en}"
        message = EmailMessage(subject, body, to=[settings.DEFAULT_FROM_EMAIL], bcc=to)
        try:
            get_connection().send_messages([message])
        except OSError as exc:  # SMTP down: leave it unannounced, the next run retries
            logger.warning("release %s v%s: e-mail failed: %s", release.code, version.number, exc)
            return 0
    version.notified_at = now
    version.save(update_fields=["notified_at"])
    return len(to)
