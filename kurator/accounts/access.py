"""What one person may see and do, computed once per request from their roles, headships and
substitutions (R-ORG-4, R-ORG-5). Selectors and rules predicates read it; nothing else decides access."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Q
from django.utils import timezone

from kurator.accounts.choices import Role, Scope

NETWORK_OVERSEERS = frozenset({Role.ADMINISTRATION, Role.CURATOR})
PAGE_ROLES = frozenset({Role.COORDINATOR, Role.PAGE_ADMIN, Role.PAGE_OWNER})


@dataclass(frozen=True)
class Access:
    user_id: int | None = None
    is_operator: bool = False
    network_ids: frozenset[int] = frozenset()
    admin_network_ids: frozenset[int] = frozenset()
    curator_network_ids: frozenset[int] = frozenset()
    registry_network_ids: frozenset[int] = frozenset()
    library_ids: frozenset[int] = frozenset()
    headed_library_ids: frozenset[int] = frozenset()
    page_ids: frozenset[int] = frozenset()
    coordinated_page_ids: frozenset[int] = frozenset()  # pages they coordinate or own (not only administer)
    roles: frozenset[str] = frozenset()
    substituting_for: tuple[int, ...] = field(default=())

    @property
    def overseen_network_ids(self) -> frozenset[int]:
        return self.admin_network_ids | self.curator_network_ids

    def oversees(self, network_id: int | None) -> bool:
        return self.is_operator or network_id in self.overseen_network_ids

    def administers(self, network_id: int | None) -> bool:
        return self.is_operator or network_id in self.admin_network_ids

    def curates(self, network_id: int | None) -> bool:
        return self.is_operator or network_id in self.curator_network_ids

    def sees_network(self, network_id: int | None) -> bool:
        return self.is_operator or network_id in self.network_ids

    def sees_library(self, library_id: int | None, network_id: int) -> bool:
        if self.is_operator or network_id in self.registry_network_ids:
            return True
        return network_id in self.network_ids and library_id in self.library_ids

    def heads_library(self, library_id: int | None) -> bool:
        return library_id in self.headed_library_ids


ANONYMOUS = Access()


def active_assignments_q(day: date) -> Q:
    return Q(starts_on__lte=day) & (Q(ends_on__isnull=True) | Q(ends_on__gte=day))


def compute_access(user: Any, day: date | None = None) -> Access:
    from kurator.accounts.models import Absence, RoleAssignment
    from kurator.registry.models import Department, Library

    if not getattr(user, "is_authenticated", False):
        return ANONYMOUS
    if getattr(user, "is_superuser", False):
        return Access(user_id=user.pk, is_operator=True)  # type: ignore[attr-defined]
    day = day or timezone.localdate()
    substituted = list(
        Absence.objects.filter(substitute=user, starts_on__lte=day, ends_on__gte=day).values_list(
            "person_id", flat=True
        )
    )
    holders = [user.pk, *substituted]  # type: ignore[attr-defined]
    assignments = list(
        RoleAssignment.objects.filter(active_assignments_q(day), person_id__in=holders).values(
            "role",
            "scope",
            "network_id",
            "library_id",
            "department_id",
            "department__library_id",
            "page_id",
            "page__library_id",
        )
    )
    # An absent person keeps access to their own pages; only the substitute gains theirs.
    network_ids = {user.network_id} if user.network_id else set()  # type: ignore[attr-defined]
    admin, curator, registry, libraries, pages, coordinated, roles = set(), set(), set(), set(), set(), set(), set()
    if user.library_id:  # type: ignore[attr-defined]
        libraries.add(user.library_id)  # type: ignore[attr-defined]
    for a in assignments:
        roles.add(a["role"])
        network_ids.add(a["network_id"])
        if a["role"] == Role.ADMINISTRATION:
            admin.add(a["network_id"])
        elif a["role"] == Role.CURATOR:
            curator.add(a["network_id"])
        if a["scope"] == Scope.NETWORK and a["role"] in (Role.ADMINISTRATION, Role.CURATOR, Role.DESIGNER):
            registry.add(a["network_id"])
        for key in ("library_id", "department__library_id", "page__library_id"):
            if a[key]:
                libraries.add(a[key])
        if a["page_id"]:
            pages.add(a["page_id"])
            if a["role"] in (Role.COORDINATOR, Role.PAGE_OWNER):
                coordinated.add(a["page_id"])
    headed_libraries = set(Library.objects.filter(head=user).values_list("id", flat=True))
    libraries |= headed_libraries | set(Department.objects.filter(head=user).values_list("library_id", flat=True))
    network_ids |= set(Library.objects.filter(id__in=headed_libraries).values_list("network_id", flat=True))
    return Access(
        user_id=user.pk,  # type: ignore[attr-defined]
        network_ids=frozenset(network_ids),
        admin_network_ids=frozenset(admin),
        curator_network_ids=frozenset(curator),
        registry_network_ids=frozenset(registry),
        library_ids=frozenset(libraries),
        headed_library_ids=frozenset(headed_libraries),
        page_ids=frozenset(pages),
        coordinated_page_ids=frozenset(coordinated),
        roles=frozenset(roles),
        substituting_for=tuple(substituted),
    )


def access_of(user: Any) -> Access:
    """The person's access, computed once and kept on the user object for the rest of the request."""
    cached = getattr(user, "_kurator_access", None)
    if cached is None:
        cached = compute_access(user)
        with contextlib.suppress(AttributeError):  # AnonymousUser has __slots__-like behaviour in some setups
            user._kurator_access = cached  # type: ignore[attr-defined]
    return cached


def forget_access(user: object) -> None:
    if hasattr(user, "_kurator_access"):
        del user._kurator_access  # type: ignore[attr-defined]
