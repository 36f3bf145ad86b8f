"""The demo country publishes a monthly and a yearly release; both are public, and no
output of theirs gives a value for a withheld cell."""

import csv
import io

import pytest
from pyaxis import pyaxis

from seire.demo.seed import seed
from seire.publishing.models import Release


@pytest.fixture
def demo(db):
    seed(seed=1, years=2, scale=0.05)


def test_the_demo_publishes_a_monthly_and_a_yearly_release(demo, client, tmp_path):
    public = list(Release.objects.public().order_by("code"))
    assert [r.code for r in public] == ["vs-2024", "vs-2025m11"]
    for release in public:
        assert client.get(f"/statistics/{release.code}/").status_code == 200
        version = release.public_version()
        assert version.notified_at is not None  # the demo e-mails nobody
        for table in release.tables.all():
            cells = {
                tuple(c.coordinates[d] for d in table.dims): c.status
                for c in version.cells.filter(table=table)
            }
            assert cells, table.code
            base = f"/statistics/{release.code}/tables/{table.code}"
            text = client.get(f"{base}.csv").content.decode("utf-8-sig")
            for row in csv.DictReader(io.StringIO(text)):
                key = tuple(row[d] for d in table.dims)
                assert (row["value"] == "") == (cells[key] in ("primary", "secondary"))
            path = tmp_path / f"{table.code}.px"
            path.write_bytes(client.get(f"{base}.px").content)
            frame = pyaxis.parse(str(path), encoding="utf-8", lang="en")["DATA"]
            assert frame["DATA"].isna().sum() == sum(
                s in ("primary", "secondary") for s in cells.values()
            )
            api = client.get(f"/api/public/releases/{release.code}/tables/{table.code}").json()
            assert all(
                (c["value"] is None) == (c["status"] in ("primary", "secondary"))
                for c in api["cells"]
            )
