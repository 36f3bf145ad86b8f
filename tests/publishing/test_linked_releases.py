"""Releases over time and across granularities: the union of everything published is
audited, by an independent LP over the base cells (scipy's linprog)."""

from datetime import date

import pandas as pd

from seire.collection.models import Episode
from seire.publishing import services
from seire.publishing.cubes import CubeSpec, build_cube
from seire.publishing.models import Release, ReleaseTable
from seire.publishing.protection import protect_tables
from tests.disclosure.independent import independently_checked, narrowed
from tests.publishing.conftest import AFTER, PLANNED

DIMS = ["county", "gender", "crime_type", "period"]
QUARTER_TABLES = {"county-gender", "crime-county"}


def base_cells() -> pd.DataFrame:
    """The finest cells of the release's data: county × gender × crime type × month."""
    spec = CubeSpec("episodes", tuple(DIMS), period_from="2026M01", period_to="2026M03",
                    granularity="month")  # fmt: skip
    return build_cube(spec)


def as_rows(version, status_of=None) -> pd.DataFrame:
    """A version's suppressed tables as rows of linked tables over the base dims (a table
    over fewer months than the first quarter covers a span of them: its total is the span)."""
    rows = []
    for cell in version.cells.filter(table__method="suppress").select_related("table"):
        table = cell.table
        entries = [
            "period:quarter" if d == "period" and table.granularity == "quarter" else d
            for d in DIMS
            if d in table.dims
        ]
        coords = {d: cell.coordinates.get(d, "TOTAL") for d in DIMS}
        if "period" not in table.dims:
            coords["period"] = "TOTAL"
        if (table.period_from, table.period_to) != ("2026M01", "2026M03"):
            span = f"{table.period_from}..{table.period_to}"
            if "period" not in table.dims:
                entries.append("period:total")
            entries = [f"{e}@{span}" if e.startswith("period") else e for e in entries]
            coords["period"] = coords["period"].replace("TOTAL", span)
        value = None if cell.value is None else int(cell.value)
        rows.append({"table": ",".join(entries), **coords, "value": value,
                     "status": cell.status})  # fmt: skip
    return pd.DataFrame(rows)


def with_truth(rows: pd.DataFrame, base: pd.DataFrame) -> pd.DataFrame:
    """Rows whose value is the true one now (withheld cells get theirs for the check); a
    published value the correction changed is dropped: it was about other data."""
    from tests.disclosure.independent import levels_of, members

    keys = [tuple(r) for r in base[DIMS].itertuples(index=False)]
    counts = base["value"].to_numpy()
    out = []
    for _, row in rows.iterrows():
        true = int(counts[members(row, DIMS, levels_of(row["table"]), keys)].sum())
        if row["status"] == "published" and row["value"] != true:
            continue
        out.append({**row.to_dict(), "value": true})
    return pd.DataFrame(out)


def test_month_and_quarter_tables_of_one_release_share_their_cells(release):
    version = services.publish(release, now=AFTER).version
    monthly = {
        c.coordinates["gender"]: c.status
        for c in version.cells.filter(table__code="month-gender")
        if c.coordinates["period"] == "TOTAL"
    }
    quarterly = {
        c.coordinates["gender"]: c.status
        for c in version.cells.filter(table__code="county-gender")
        if c.coordinates["county"] == "TOTAL"
    }
    assert monthly == quarterly  # Q1 by gender is the sum of the months: one cell
    rows = with_truth(as_rows(version), base_cells())
    assert independently_checked(rows, base_cells(), DIMS, value="value") == []


def test_a_correction_of_one_cell_is_audited_clean_with_the_version_before(release):
    first = services.publish(release, now=AFTER).version
    # one episode was recorded in the wrong county: one inner cell moves
    moved = Episode.objects.order_by("id").first()
    other = Episode.objects.exclude(county=moved.county).first()
    Episode.objects.filter(pk=moved.pk).update(county=other.county, unit=other.unit)
    second = services.correct(release, note_et="Maakond.", note_en="County.", now=AFTER).version
    assert second.number == 2 and second.audit["audit"] == "clean"
    base = base_cells()
    union = pd.concat(
        [with_truth(as_rows(first), base), with_truth(as_rows(second), base)], ignore_index=True
    )
    # every small count of either version, withheld in it, stays protected by the union
    assert independently_checked(union, base, DIMS, value="value") == []


def test_a_correction_that_the_version_before_would_undo_is_refused_naming_the_cell(release):
    """Why a correction of data alone is always protectable: a changed cell's every line
    has another changed cell (its parent, or the sibling it moved to), so the unchanged
    cells of the version before never pin it; the refusal comes from a rule that changed."""
    for table in release.tables.filter(method="suppress"):
        table.threshold = 3
        table.save(update_fields=["threshold"])
    first = services.publish(release, now=AFTER).version
    shown = first.cells.filter(table__method="suppress", status="published",
                               value__gte=3, value__lt=5).select_related("table")  # fmt: skip
    assert shown.exists()
    release.tables.filter(method="suppress").update(threshold=5)
    Episode.objects.filter(pk=Episode.objects.order_by("id").first().pk).update(
        crime_type="other_violence"
    )  # and one cell corrected
    try:
        services.correct(release, note_et="Lävend.", note_en="Threshold.", now=AFTER)
    except services.PublishingError as exc:
        message = str(exc)
    else:
        raise AssertionError("the correction was published")
    assert "is pinned to" in message
    named = [c for c in shown if all(f"{d}={v}" in message for d, v in c.coordinates.items())]
    assert named  # located: a small count the version before showed, and its interval
    assert all(c.table.code in message for c in named)
    assert release.versions.count() == 1


def test_a_cell_key_table_states_its_method_and_keeps_its_noise_across_versions(release):
    ReleaseTable.objects.filter(release=release, code="gender-rounded").update(
        method="cell_key", measure="episodes"
    )
    first = services.publish(release, now=AFTER).version
    cells = {
        c.coordinates["gender"]: (c.value, c.status)
        for c in first.cells.filter(table__code="gender-rounded")
    }
    truth = Episode.objects.values_list("gender", flat=True)
    for gender, (value, status) in cells.items():
        n = len(truth) if gender == "TOTAL" else sum(g == gender for g in truth)
        assert status == "perturbed" and abs(int(value) - n) <= 2 and int(value) not in (1, 2)
    second = services.correct(release, note_et="Sama.", note_en="Same.", now=AFTER).version
    again = {
        c.coordinates["gender"]: (c.value, c.status)
        for c in second.cells.filter(table__code="gender-rounded")
    }
    assert again == cells  # same records, same cell keys, same noise
    assert second.audit["methods"]["gender-rounded"] == "cell_key"
    assert "recovered exactly" in second.audit["guarantees"]["cell_key"]

    from seire.publishing.outputs import method_text

    table = release.tables.get(code="gender-rounded")
    assert "±2" in method_text(table, "en") and "variance 1" in method_text(table, "en")
    assert "does not guarantee a protection interval" in method_text(table, "en")
    assert "±2" in method_text(table, "et")


def monthly_release(month: str) -> Release:
    """A release of one month's episodes by crime type and county."""
    release = Release.objects.create(code=f"vs-{month}", title_et=month, title_en=month,
                                     planned_at=PLANNED)  # fmt: skip
    ReleaseTable.objects.create(release=release, code="crime-county", title_et="Kuriteod",
                                title_en="Crimes", measure="episodes",
                                dims=["crime_type", "county"], period_from=month,
                                period_to=month, granularity="month")  # fmt: skip
    return release


def test_monthly_releases_then_the_quarter_are_protected_over_their_union(release):
    base = base_cells()
    months = [monthly_release(m) for m in ("2026M01", "2026M02", "2026M03")]
    versions = [services.publish(m, now=AFTER).version for m in months]
    monthly = pd.concat([with_truth(as_rows(v), base) for v in versions], ignore_index=True)
    assert independently_checked(monthly, base, DIMS, value="value") == []

    # the quarter protected on its own: months and quarter set against each other leak
    tables = list(release.tables.order_by("sort"))
    alone, problems = protect_tables(tables)
    assert problems == []
    alone_rows = []
    for table, cells in alone.items():
        if table.method != "suppress":
            continue
        entries = ["period:quarter" if d == "period" and table.granularity == "quarter" else d
                   for d in DIMS if d in table.dims]  # fmt: skip
        for _, cell in cells.iterrows():
            coords = {d: str(cell[d]) if d in table.dims else "TOTAL" for d in DIMS}
            alone_rows.append({"table": ",".join(entries), **coords,
                               "value": int(cell["value"]), "status": cell["status"]})  # fmt: skip
    leaks = independently_checked(
        pd.concat([monthly, pd.DataFrame(alone_rows)], ignore_index=True), base, DIMS,
        value="value",
    )  # fmt: skip
    assert leaks, "the data should make the unlinked quarter unsafe"  # months ↔ quarter

    # Seire holds the months published before: the union stays safe
    quarter = services.publish(release, now=AFTER).version
    union = pd.concat([monthly, with_truth(as_rows(quarter), base)], ignore_index=True)
    assert independently_checked(union, base, DIMS, value="value") == []


def test_an_earlier_table_over_more_dimensions_still_pins_its_margins():
    from seire.publishing.protection import Earlier, ProtectionError, data_key, suppress_linked

    table = ReleaseTable(pk=1, code="county-gender", measure="episodes", dims=["county", "gender"],
                         period_from="2026M01", period_to="2026M03", granularity="quarter",
                         threshold=5)  # fmt: skip
    base = pd.DataFrame({"county": ["harju", "harju", "tartu", "tartu"],
                         "gender": ["female", "male", "female", "male"],
                         "value": [40, 22, 30, 3]})  # fmt: skip
    # a wide table published before showed Tartu men (3) as a margin, at threshold 2
    wide = pd.DataFrame([
        {"county": "tartu", "gender": "male", "crime_type": "TOTAL", "age_group": "TOTAL",
         "unit": "TOTAL", "value": 3.0, "status": "published"},
        {"county": "tartu", "gender": "male", "crime_type": "other_violence",
         "age_group": "26-35", "unit": "T1", "value": None, "status": "primary"},
    ])  # fmt: skip
    earlier = Earlier(data_key(table), ("county", "gender", "crime_type", "age_group", "unit"),
                      wide, "quarter", (date(2026, 1, 1), date(2026, 3, 31)))  # fmt: skip
    assert suppress_linked(base, ["county", "gender"], [table])  # alone: it suppresses the 3
    try:
        suppress_linked(base, ["county", "gender"], [table], [earlier])
    except ProtectionError as exc:
        assert "county=tartu, gender=male" in str(exc)
    else:
        raise AssertionError("a count the wide table showed was taken as protected")


def year_to_date_release(month: str) -> Release:
    """A release of the episodes by gender from January to `month`."""
    release = Release.objects.create(code=f"vs-ytd-{month}", title_et=month, title_en=month,
                                     planned_at=PLANNED)  # fmt: skip
    ReleaseTable.objects.create(release=release, code="gender-ytd", title_et="Sugu",
                                title_en="Gender", measure="episodes", dims=["gender"],
                                period_from="2026M01", period_to=month,
                                granularity="month")  # fmt: skip
    return release


def test_year_to_date_releases_do_not_give_away_a_small_month(cast):
    counts = {"female": (10, 12, 11), "male": (6, 7, 2)}  # 2 men in March
    Episode.objects.bulk_create(
        Episode(source_id=f"Y{gender}{month}{i}", client_key=f"Y{gender}{month}{i}",
                service=cast.vs, unit=cast.harju_vs, county=cast.harju,
                opened=date(2026, month, 10), crime_type="domestic_violence", gender=gender,
                age_group="26-35")
        for gender, by_month in counts.items()
        for month, n in enumerate(by_month, start=1)
        for i in range(n)
    )  # fmt: skip
    base = base_cells()
    february, march = (year_to_date_release(m) for m in ("2026M02", "2026M03"))
    released = pd.concat(
        [with_truth(as_rows(services.publish(r, now=AFTER).version), base)
         for r in (february, march)],
        ignore_index=True,
    )  # fmt: skip
    # no cell of either table is small; March is their difference, 2 for men
    assert set(released.status) != {"published"}  # Seire withheld something for March
    low, high = narrowed(released, base, DIMS, {"gender": "male", "period": "2026M03"}, "value")
    assert low <= 0 and high >= 2 + 5
    assert independently_checked(released, base, DIMS, value="value") == []
