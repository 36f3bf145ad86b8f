"""`database_checksum()`: per table, row count and a hash of the rows."""

from django.contrib.auth import get_user_model
from django.utils import timezone

from seire.demo.checksum import database_checksum


def test_it_covers_the_project_tables_and_users(db):
    tables = database_checksum()
    assert {
        "auth_user",
        "organisation_orgunit",
        "organisation_agreement_services",
        "access_auditevent",
    } <= set(tables)
    assert "django_session" not in tables


def test_it_ignores_last_login_but_not_names(db):
    user = get_user_model().objects.create(username="ann")
    before = database_checksum()
    user.last_login = timezone.now()
    user.save()
    assert database_checksum() == before
    user.first_name = "Ann"
    user.save()
    assert database_checksum()["auth_user"] != before["auth_user"]
    assert database_checksum()["auth_user"][0] == 1
