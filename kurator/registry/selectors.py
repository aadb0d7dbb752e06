"""Reads of the organisation and the page registry, always scoped to what the person may see."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from kurator.accounts.access import access_of
from kurator.registry.models import Closure, Department, Library, Network, Page, WorkingHours


def networks_visible_to(user: object) -> QuerySet[Network]:
    access = access_of(user)
    if access.is_operator:
        return Network.objects.all()
    return Network.objects.filter(id__in=access.network_ids)


def libraries_visible_to(user: object, network: Network | None = None) -> QuerySet[Library]:
    access = access_of(user)
    qs = Library.objects.select_related("network", "head")
    if network is not None:
        qs = qs.filter(network=network)
    if access.is_operator:
        return qs
    return qs.filter(
        Q(network_id__in=access.registry_network_ids)
        | (Q(network_id__in=access.network_ids) & Q(id__in=access.library_ids))
    )


def departments_visible_to(user: object, network: Network | None = None) -> QuerySet[Department]:
    libraries = libraries_visible_to(user, network)
    return Department.objects.select_related("library", "library__network", "head").filter(library__in=libraries)


def pages_visible_to(user: object, network: Network | None = None) -> QuerySet[Page]:
    access = access_of(user)
    qs = Page.objects.select_related("network", "library")
    if network is not None:
        qs = qs.filter(network=network)
    if access.is_operator:
        return qs
    return qs.filter(
        Q(network_id__in=access.registry_network_ids)
        | (Q(network_id__in=access.network_ids) & (Q(library_id__in=access.library_ids) | Q(id__in=access.page_ids)))
    )


def hours_of(unit: Library | Department) -> QuerySet[WorkingHours]:
    return unit.hours.order_by("weekday")


def closures_visible_to(user: object, network: Network | None = None) -> QuerySet[Closure]:
    return Closure.objects.select_related("library", "department").filter(
        library__in=libraries_visible_to(user, network)
    )


def get_visible_or_404(queryset: QuerySet, **lookup: object):  # type: ignore[no-untyped-def]
    """One object from an already scoped queryset; anything outside the scope is "not found", never
    "forbidden", so that other networks' objects do not even show that they exist."""
    from django.shortcuts import get_object_or_404

    return get_object_or_404(queryset, **lookup)
