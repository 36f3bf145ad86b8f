"""Signing in: the form, the audit of who signed in, and the django-axes lockout."""

from django.urls import reverse

from tests.conftest import PASSWORD


def test_it_signs_in_with_the_right_password_and_lands_on_the_home_page(client, cast):
    response = client.post(reverse("login"), {"username": "paul", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.get(reverse("home")).status_code == 200


def test_it_refuses_a_wrong_password_with_a_message(client, cast):
    response = client.post(reverse("login"), {"username": "paul", "password": "wrong"})
    assert response.status_code == 200
    assert response.context["form"].errors


def test_it_locks_an_account_after_five_failures_even_with_the_right_password(client, cast):
    for _ in range(5):
        client.post(reverse("login"), {"username": "paul", "password": "wrong"})
    response = client.post(reverse("login"), {"username": "paul", "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    # Another account from the same address is not locked by Paul's failures.
    response = client.post(reverse("login"), {"username": "pille", "password": PASSWORD})
    assert response.status_code == 302


def test_it_audits_sign_ins_and_failed_attempts_without_the_password(client, cast):
    from seire.access.models import AuditEvent

    client.post(reverse("login"), {"username": "paul", "password": "hunter2-wrong"})
    client.post(reverse("login"), {"username": "paul", "password": PASSWORD})
    actions = list(AuditEvent.objects.order_by("id").values_list("action", "actor_name"))
    assert actions == [("login_failed", ""), ("login", "paul")]
    assert not AuditEvent.objects.filter(summary__contains="hunter2").exists()
