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


def people_without_second_factor(user: object, network: Network, day: date) -> QuerySet[User]:
    """People whose role requires login confirmation (R-ORG-6) but who have not set it up yet."""
    from allauth.mfa.models import Authenticator

    from kurator.accounts.choices import TWO_FACTOR_ROLES

    holders = RoleAssignment.objects.filter(active_assignments_q(day), network=network, role__in=list(TWO_FACTOR_ROLES))
    return (
        people_visible_to(user, network)
        .filter(is_active=True, pk__in=holders.values("person_id"))
        .exclude(pk__in=Authenticator.objects.filter(type=Authenticator.Type.TOTP).values("user_id"))
    )
