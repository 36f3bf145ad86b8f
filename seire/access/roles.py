"""Who may see or edit what: the one permission helper every view and API operation uses.

`scope_for(user)` reads the user's current responsibilities once per request and answers
"may this user see/edit this service/unit?". Views fetch objects through the
`get_…_for_user` helpers, which raise PermissionDenied (403) for objects outside the scope.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from seire.organisation.models import OrgUnit, Responsibility, Service

Role = Responsibility.Role


@dataclass(frozen=True)
class Scope:
    """What one user may see and edit. Unit scopes are tree paths: a path covers its subtree."""

    roles: frozenset[str] = frozenset()
    owned_services: frozenset[int] = frozenset()  # service ids (service_owner)
    entry_paths: tuple[tuple[str, int | None], ...] = ()  # (unit path, service id or None)
    overview_paths: tuple[str, ...] = ()  # unit paths a manager may read ("" = everything)
    everything: bool = False  # analyst or superuser

    @property
    def is_staff_member(self) -> bool:
        return bool(self.roles) or self.everything

    @property
    def primary_role(self) -> str | None:
        """The role whose home page the user sees first (the widest one)."""
        for role in (Role.ANALYST, Role.SERVICE_OWNER, Role.MANAGER, Role.PROVIDER):
            if role in self.roles:
                return role
        return Role.ANALYST if self.everything else None

    # -- services ---------------------------------------------------------------------------
    def can_view_service(self, service: Service) -> bool:
        if self.everything or self.overview_paths or service.pk in self.owned_services:
            return True
        entry = any(sid in (None, service.pk) for _, sid in self.entry_paths)
        return entry and self._delivers(service)

    def can_edit_service(self, service: Service) -> bool:
        """Editing a service's definitions: its owners and the analyst."""
        return self.everything or service.pk in self.owned_services

    def _delivers(self, service: Service) -> bool:
        units = self.entry_units()
        return service.providers.filter(unit__in=units).exists()

    # -- units ------------------------------------------------------------------------------
    def can_view_unit(self, unit: OrgUnit, service: Service | None = None) -> bool:
        """Read access: analyst; manager over the subtree; owner over the units delivering
        an owned service (their ancestors and subtrees); provider over its own units."""
        if self.everything:
            return True
        if any(unit.path.startswith(p) for p in self.overview_paths):
            return True
        owner = self.owned_services and (service is None or service.pk in self.owned_services)
        if owner and any(_related(unit.path, p) for p in self._owned_paths()):
            return True
        return self.can_edit_unit(unit, service)

    def _owned_paths(self) -> list[str]:
        return list(
            OrgUnit.objects.filter(provisions__service__in=self.owned_services)
            .values_list("path", flat=True)
            .distinct()
        )

    def can_edit_unit(self, unit: OrgUnit, service: Service | None = None) -> bool:
        """Data entry for a unit: the analyst, or a provider of that unit (and service)."""
        if self.everything:
            return True
        return any(
            unit.path.startswith(path) and (sid is None or service is None or sid == service.pk)
            for path, sid in self.entry_paths
        )

    def entry_units(self) -> QuerySet[OrgUnit]:
        """The units this user enters data for (all units for the analyst)."""
        if self.everything:
            return OrgUnit.objects.all()
        return OrgUnit.objects.filter(_prefix_q(path for path, _ in self.entry_paths))

    def visible_units(self) -> QuerySet[OrgUnit]:
        """The units whose data this user may read (see `can_view_unit`)."""
        if self.everything or "" in self.overview_paths:
            return OrgUnit.objects.all()
        paths = [p for p, _ in self.entry_paths] + list(self.overview_paths)
        paths += self._owned_paths() if self.owned_services else []
        ancestors = {a for p in paths for a in _ancestor_paths(p)}
        return OrgUnit.objects.filter(_prefix_q(paths) | Q(path__in=ancestors))

    def visible_services(self) -> QuerySet[Service]:
        if self.everything or self.overview_paths:
            return Service.objects.all()
        entry = Service.objects.filter(providers__unit__in=self.entry_units())
        return Service.objects.filter(Q(pk__in=self.owned_services) | Q(pk__in=entry)).distinct()


def _related(path: str, other: str) -> bool:
    """True when one of two tree paths lies on the other's branch (ancestor, self or below)."""
    return path.startswith(other) or other.startswith(path)


def _ancestor_paths(path: str) -> list[str]:
    """ "EE/POHJA/HARJU/" → ["EE/", "EE/POHJA/"]"""
    codes = path.rstrip("/").split("/")
    return ["/".join(codes[:i]) + "/" for i in range(1, len(codes))]


def _prefix_q(paths) -> Q:
    q = Q(pk__in=[])
    for path in paths:
        q |= Q(path__startswith=path)
    return q


def scope_for(user) -> Scope:
    """The scope of `user`, cached on the user object for the rest of the request."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Scope()
    cached = getattr(user, "_seire_scope", None)
    if cached is not None:
        return cached
    rows = list(Responsibility.objects.current().filter(person=user).select_related("unit"))
    scope = Scope(
        roles=frozenset(r.role for r in rows),
        owned_services=frozenset(r.service_id for r in rows if r.role == Role.SERVICE_OWNER),
        entry_paths=tuple((r.unit.path, r.service_id) for r in rows if r.role == Role.PROVIDER),
        overview_paths=tuple(r.unit.path if r.unit else "" for r in rows if r.role == Role.MANAGER),
        everything=user.is_superuser or any(r.role == Role.ANALYST for r in rows),
    )
    user._seire_scope = scope
    return scope


def get_unit_for_user(user, pk: int, write: bool = False) -> OrgUnit:
    """The unit `pk` if `user` may read it (or edit it, with `write`); 404/403 otherwise."""
    unit = get_object_or_404(OrgUnit, pk=pk)
    scope = scope_for(user)
    allowed = scope.can_edit_unit(unit) if write else scope.can_view_unit(unit)
    if not allowed:
        raise PermissionDenied
    return unit


def get_service_for_user(user, code: str, write: bool = False) -> Service:
    service = get_object_or_404(Service, code=code)
    scope = scope_for(user)
    allowed = scope.can_edit_service(service) if write else scope.can_view_service(service)
    if not allowed:
        raise PermissionDenied
    return service
