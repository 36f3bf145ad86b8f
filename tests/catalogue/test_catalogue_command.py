"""`seire catalogue load [--dir D]` and `seire catalogue export --dir D`."""

from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from seire.organisation.models import OrgUnit, Service

BROKEN = Path(__file__).parent / "broken"


def test_it_loads_the_shipped_catalogue_and_reports_counts(db, capsys):
    call_command("catalogue", "load")
    assert "units: 20 created, 0 updated, 0 unchanged" in capsys.readouterr().out
    call_command("catalogue", "load")
    assert "services: 0 created, 0 updated, 11 unchanged" in capsys.readouterr().out


def test_it_exits_with_the_problems_of_a_bad_file(db):
    path = BROKEN / "unknown_parent" / "organisation.yaml"
    with pytest.raises(CommandError) as error:
        call_command("catalogue", "load", "--dir", str(path.parent))
    assert "nothing changed" in str(error.value)
    assert f"{path}:9: unknown parent 'NOWHERE'" in str(error.value)
    assert not OrgUnit.objects.exists()


def test_it_exports_to_a_directory(db, tmp_path):
    call_command("catalogue", "load")
    Service.objects.filter(code="VS").update(name_en="Victim support")
    call_command("catalogue", "export", "--dir", str(tmp_path))
    text = (tmp_path / "organisation.yaml").read_text(encoding="utf-8")
    assert "name_en: Victim support\n" in text
    assert "code: IDA-VIRU\n" in text


def test_export_requires_a_directory(db):
    with pytest.raises(CommandError):
        call_command("catalogue", "export")
