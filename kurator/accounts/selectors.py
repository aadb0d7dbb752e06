"""Reads of people, roles, absences and internships, scoped to what the person may see."""

from __future__ import annotations

from datetime import date

from django.db.models import Q, QuerySet

from kurator.accounts.access import access_of, active_assignments_q
from kurator.accounts.models import Absence, ApiToken, Internship, RoleAssignment, User
from kurator.registry.models import Network


def people_visible_to(user: object, network: Network | None = None) -> QuerySet[User]:
    access = access_of(user)
    qs = User.objects.select_related("network", "library", "department")
    if network is not None:
        qs = qs.filter(network=network)
    if access.is_operator:
        return qs
    return qs.filter(
        Q(id=access.user_id)
        | Q(network_id__in=access.overseen_network_ids)
        | (Q(network_id__in=access.network_ids) & Q(library_id__in=access.library_ids))
    )


def roles_visible_to(user: object, network: Network | None = None) -> QuerySet[RoleAssignment]:
    return RoleAssignment.objects.select_related("person", "network", "library", "department", "page").filter(
        person__in=people_visible_to(user, network)
    )


def active_roles_of(person: User, day: date) -> QuerySet[RoleAssignment]:
    return roles_visible_to(person).filter(active_assignments_q(day), person=person)


def absences_visible_to(user: object, network: Network | None = None) -> QuerySet[Absence]:
    return Absence.objects.select_related("person", "substitute").filter(person__in=people_visible_to(user, network))


def internships_visible_to(user: object, network: Network | None = None) -> QuerySet[Internship]:
    return Internship.objects.select_related("person", "mentor").filter(person__in=people_visible_to(user, network))


def tokens_of(user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(person=user)
