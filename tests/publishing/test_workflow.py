"""Preparing, publishing, embargo, correcting and announcing a release."""

import time_machine
from django.core import mail

from seire.publishing import services
from seire.publishing.models import PublishedCell, Release
from tests.publishing.conftest import AFTER, BEFORE


def test_it_only_prepares_a_release_before_its_time(release):
    outcome = services.publish(release, now=BEFORE)
    assert outcome.action == "embargoed"
    release.refresh_from_db()
    assert release.status == Release.Status.PREPARED
    assert release.public_version(BEFORE) is None
    assert not mail.outbox


def test_it_publishes_at_its_time_and_tells_the_partners_once(release):
    services.publish(release, now=BEFORE)
    outcomes = services.publish_due(AFTER)
    assert [o.action for o in outcomes] == ["published"]
    release.refresh_from_db()
    assert release.status == Release.Status.PUBLISHED
    assert release.public_version(AFTER).number == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].bcc == ["piret@politsei.example"]
    assert "Victim support Q1 2026" in mail.outbox[0].body
    assert services.publish_due(AFTER) == []  # idempotent: nothing due, nobody mailed again
    assert len(mail.outbox) == 1


def test_it_stores_suppressed_cells_without_their_value(release):
    version = services.publish(release, now=AFTER).version
    cells = PublishedCell.objects.filter(version=version)
    withheld = cells.filter(status__in=["primary", "secondary"])
    assert withheld.exists()
    assert not withheld.exclude(value=None).exists()
    assert not cells.filter(status="published", value=None).exists()
    assert cells.filter(table__code="gender-rounded", status="rounded").count() == 4


def test_a_correction_makes_a_new_version_and_supersedes_the_old(release, cast):
    with time_machine.travel(AFTER, tick=False):
        services.publish(release)
    later = AFTER.replace(day=20)
    with time_machine.travel(later, tick=False):
        outcome = services.correct(
            release, note_et="Parandatud maakonnad.", note_en="Counties corrected."
        )
    assert outcome.action == "corrected"
    first, second = release.versions.order_by("number")
    assert second.number == 2 and second.note_en == "Counties corrected."
    assert first.superseded_at == later and second.superseded_at is None
    assert release.public_version(later) == second
    assert list(release.public_versions(later)) == [second, first]
    assert first.cells.exists()  # the old version stays readable
    assert len(mail.outbox) == 2 and "correction" in mail.outbox[1].subject


def test_it_refuses_a_correction_without_a_note(release):
    services.publish(release, now=AFTER)
    try:
        services.correct(release, note_et="", note_en="", now=AFTER)
    except services.PublishingError as exc:
        assert "needs a note" in str(exc)
    else:
        raise AssertionError("a correction without a note was accepted")
    assert release.versions.count() == 1


def test_it_refuses_a_broken_table_saying_which(release):
    table = release.tables.get(code="county-gender")
    table.dims = ["county", "colour"]
    table.save()
    try:
        services.publish(release, now=AFTER)
    except services.PublishingError as exc:
        assert "table county-gender: dims: unknown dimension 'colour'" in str(exc)
    else:
        raise AssertionError("a broken table was published")
    assert not release.versions.exists()


def test_it_refuses_a_correction_that_earlier_cells_would_undo_naming_the_cell(release):
    # Version 1 went out with a threshold of 2, so counts of 2–4 were published. Raising
    # the threshold cannot take them back: a correction that would hide them is refused.
    suppressed = release.tables.filter(method="suppress")  # one data: protected together
    suppressed.update(threshold=2)
    table = release.tables.get(code="month-gender")
    v1 = services.publish(release, now=AFTER).version
    small = v1.cells.filter(table=table, status="published", value__gte=2, value__lt=5)
    assert small.exists()
    suppressed.update(threshold=5)
    try:
        services.correct(release, note_et="Lävend 5.", note_en="Threshold 5.", now=AFTER)
    except services.PublishingError as exc:
        message = str(exc)
    else:
        raise AssertionError("the correction was published")
    assert "month-gender" in message  # linked with the quarterly tables of the same data
    cell = small.first().coordinates
    assert f"period={cell['period']}" in message and f"gender={cell['gender']}" in message
    assert release.versions.count() == 1  # nothing changed
    release.refresh_from_db()
    assert release.public_version(AFTER) == v1


def test_a_correction_does_not_reveal_a_small_cell_through_the_old_version(release, cast):
    from seire.collection.models import Episode
    from seire.publishing.cubes import build_cube
    from seire.publishing.protection import all_cells

    first = services.publish(release, now=AFTER).version
    Episode.objects.filter(source_id__in=["P0", "P1", "P2"]).update(gender="other_unknown")
    second = services.correct(release, note_et="Sugu.", note_en="Sugu.", now=AFTER).version
    leaks = []
    for table in release.tables.filter(method="suppress"):
        dims = list(table.dims)
        true = {
            tuple(str(r[d]) for d in dims): r["value"]
            for _, r in all_cells(build_cube(table.spec()), dims).iterrows()
        }
        old = {
            tuple(c.coordinates[d] for d in dims): c.value for c in first.cells.filter(table=table)
        }
        for cell in second.cells.filter(table=table, status="primary"):
            key = tuple(cell.coordinates[d] for d in dims)
            if old.get(key) is not None and float(old[key]) == true[key]:
                leaks.append((table.code, key))  # the old version shows the small count
    assert leaks == []
    assert second.superseded_at is None and second.audit["audit"] == "clean"


def test_tables_of_one_cube_never_publish_a_cell_the_other_withholds(release):
    # county × gender and crime type × county share the county totals and the grand total:
    # a total withheld in one and published in the other would undo the suppression.
    version = services.publish(release, now=AFTER).version
    a = {
        (c.coordinates["county"],): c.value is None
        for c in version.cells.filter(table__code="county-gender")
        if c.coordinates["gender"] == "TOTAL"
    }
    b = {
        (c.coordinates["county"],): c.value is None
        for c in version.cells.filter(table__code="crime-county")
        if c.coordinates["crime_type"] == "TOTAL"
    }
    assert a.keys() == b.keys() and a == b


def test_a_new_release_remembers_what_other_releases_published_of_the_same_data(release):
    from seire.publishing.models import ReleaseTable

    # Release 1 published gender by month with a threshold of 2 (small counts are out).
    for table in release.tables.exclude(code="month-gender"):
        table.delete()
    release.tables.update(threshold=2)
    services.publish(release, now=AFTER)
    # Release 2 would withhold them now: that would pretend to protect what is public.
    again = Release.objects.create(
        code="vs-2026q1-again", title_et="Uuesti", title_en="Again", planned_at=AFTER
    )
    ReleaseTable.objects.create(release=again, code="g", title_et="g", title_en="g",
                                measure="episodes", dims=["gender", "period"],
                                period_from="2026M01", period_to="2026M03",
                                granularity="month")  # fmt: skip
    try:
        services.publish(again, now=AFTER)
    except services.PublishingError as exc:
        assert "table g: earlier published cells already narrow" in str(exc)
    else:
        raise AssertionError("the second release ignored what the first published")
    # Other data (another measure) is not held against it.
    ReleaseTable.objects.filter(release=again).update(measure="closed_episodes")
    assert services.publish(again, now=AFTER).action == "published"
