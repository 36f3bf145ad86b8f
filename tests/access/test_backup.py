"""`seire backup` / `seire restore`: a round trip gives back every row (SQLite and PostgreSQL:
the PostgreSQL CI run runs this file against DATABASE_URL)."""

import gzip
import json

import pytest
from django.core import serializers
from django.core.management import call_command
from django.core.management.base import CommandError

from seire.access.audit import record
from seire.access.backup import backed_up_models
from seire.access.models import AuditEvent
from seire.organisation.models import OrgUnit, Service

pytestmark = pytest.mark.django_db(transaction=True)


def snapshot() -> dict:
    """Every backed-up row, by model, with its primary key."""
    return {
        model._meta.label_lower: sorted(
            json.dumps(row, sort_keys=True, default=str)
            for row in json.loads(
                serializers.serialize(
                    "json",
                    model._base_manager.all(),
                    use_natural_foreign_keys=True,
                )
            )
        )
        for model in backed_up_models()
    }


@pytest.fixture
def filled(cast):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tests.access.test_route_access import vs_feedback_response

    record(cast.ann, "update", cast.vs, changes={"name_et": ["a", "b"]}, reason="ümberkorraldus")
    vs_feedback_response(cast)
    TOTPDevice.objects.create(user=cast.ann, name="phone", confirmed=True)
    return cast


@pytest.mark.parametrize("name", ["seire.json", "seire.json.gz"])
def test_a_backup_restores_every_row(filled, tmp_path, capsys, name):
    before = snapshot()
    assert sum(len(rows) for rows in before.values()) > 20
    path = tmp_path / name
    call_command("backup", str(path))
    assert "rows written" in capsys.readouterr().out
    if name.endswith(".gz"):
        with gzip.open(path) as packed:
            assert packed.read(1) == b"["

    # Lose data (a wrong release, say), then restore over it.
    OrgUnit.objects.filter(code="TARTU-WSC").update(name_et="vale")
    Service.objects.filter(code="WSC").update(active=False)
    call_command("restore", str(path), "--replace")
    assert "rows restored" in capsys.readouterr().out
    assert snapshot() == before
    event = AuditEvent.objects.get(action="update")
    assert event.reason == "ümberkorraldus" and event.actor == filled.ann


def test_it_refuses_to_restore_over_data_without_replace(filled, tmp_path):
    path = tmp_path / "seire.json"
    call_command("backup", str(path))
    Service.objects.filter(code="WSC").update(active=False)
    with pytest.raises(CommandError, match="already holds data"):
        call_command("restore", str(path))
    assert not Service.objects.get(code="WSC").active


def test_a_damaged_backup_changes_nothing(filled, tmp_path):
    path = tmp_path / "seire.json"
    call_command("backup", str(path))
    text = path.read_text()
    path.write_text(text[: len(text) // 2])  # cut off half way
    before = snapshot()
    with pytest.raises(CommandError, match="could not be restored, nothing was changed"):
        call_command("restore", str(path), "--replace")
    assert snapshot() == before


def test_it_refuses_bad_paths(filled, tmp_path):
    (tmp_path / "old.json").write_text("[]")
    with pytest.raises(CommandError, match="exists"):
        call_command("backup", str(tmp_path / "old.json"))
    with pytest.raises(CommandError, match="must end with"):
        call_command("backup", str(tmp_path / "seire.txt"))
    with pytest.raises(CommandError, match="no such file"):
        call_command("restore", str(tmp_path / "missing.json"))
