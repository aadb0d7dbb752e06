from __future__ import annotations

from django.http import HttpRequest


def workspace(request: HttpRequest) -> dict[str, object]:
    """What the base layout needs on every page: the network switcher, navigation and notifications."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from kurator.accounts.access import access_of
    from kurator.accounts.middleware import has_second_factor, needs_second_factor
    from kurator.registry.selectors import networks_visible_to

    access = access_of(user)
    network = getattr(request, "network", None)
    return {
        # Until login confirmation is set up every link would lead back to the setup page: hide them.
        "must_set_up_second_factor": needs_second_factor(user) and not has_second_factor(user),
        "current_network": network,
        "switchable_networks": list(networks_visible_to(user))
        if access.is_operator or len(access.network_ids) > 1
        else [],
        "access": access,
        "unread_notifications": user.notifications.filter(read_at__isnull=True).count(),
        "can_oversee": network is not None and access.oversees(network.pk),
        "can_administer": network is not None and access.administers(network.pk),
        "can_curate": network is not None and access.curates(network.pk),
    }
