"""The permission helper: what each persona may see and edit."""

import pytest

from seire.access.roles import scope_for


def test_it_gives_a_provider_only_their_own_unit_to_edit(cast):
    paul = scope_for(cast.paul)
    assert paul.can_edit_unit(cast.harju_vs)
    assert not paul.can_edit_unit(cast.tartu_vs)
    assert not paul.can_edit_unit(cast.harju)  # the county above is not Paul's
    assert list(paul.entry_units()) == [cast.harju_vs]


def test_it_limits_a_provider_to_the_services_named_in_the_responsibility(cast):
    from seire.organisation.models import Responsibility

    Responsibility.objects.filter(person=cast.paul).update(service=cast.wsc)
    paul = scope_for(cast.paul)
    assert paul.can_edit_unit(cast.harju_vs, cast.wsc)
    assert not paul.can_edit_unit(cast.harju_vs, cast.vs)


def test_it_shows_a_service_owner_the_units_delivering_their_service(cast):
    olev = scope_for(cast.olev)
    visible = set(olev.visible_units())
    assert {cast.harju_vs, cast.tartu_vs, cast.harju, cast.estonia} <= visible
    assert cast.tartu_wsc not in visible
    assert olev.can_view_unit(cast.tartu_vs)
    assert not olev.can_view_unit(cast.tartu_wsc)
    assert not olev.can_edit_unit(cast.tartu_vs)  # owners read; providers enter data


def test_it_lets_owners_edit_only_their_own_services(cast):
    assert scope_for(cast.olev).can_edit_service(cast.vs)
    assert not scope_for(cast.olev).can_edit_service(cast.wsc)
    assert scope_for(cast.ann).can_edit_service(cast.wsc)


def test_it_gives_the_manager_read_only_access_to_everything(cast):
    mari = scope_for(cast.mari)
    assert mari.can_view_unit(cast.tartu_wsc)
    assert not mari.can_edit_unit(cast.tartu_wsc)
    assert set(mari.visible_services()) == {cast.vs, cast.wsc}


def test_it_gives_nothing_to_the_public_or_to_staff_without_a_role(cast):
    from django.contrib.auth.models import AnonymousUser

    for user in (AnonymousUser(), cast.rein):
        scope = scope_for(user)
        assert not scope.is_staff_member
        assert not scope.can_view_unit(cast.harju_vs)
        assert not scope.visible_units().exists()
        assert not scope.visible_services().exists()


def test_it_ignores_responsibilities_that_have_ended(cast):
    from datetime import date

    from seire.organisation.models import Responsibility

    Responsibility.objects.filter(person=cast.paul).update(end=date(2020, 12, 31))
    cast.paul.refresh_from_db()
    assert not scope_for(cast.paul).can_view_unit(cast.harju_vs)


@pytest.mark.parametrize(
    ("persona", "role"),
    [
        ("ann", "analyst"),
        ("olev", "service_owner"),
        ("mari", "manager"),
        ("paul", "provider"),
        ("rein", None),
    ],
)
def test_it_picks_the_home_page_role(cast, persona, role):
    assert scope_for(getattr(cast, persona)).primary_role == role
