"""The network the person is working in right now (the network switcher in the layout)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

SESSION_KEY = "kurator_network_id"


class CurrentNetworkMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.network = None  # type: ignore[attr-defined]
        if request.user.is_authenticated:
            from kurator.registry.selectors import networks_visible_to

            networks = networks_visible_to(request.user)
            chosen = request.session.get(SESSION_KEY)
            network = networks.filter(pk=chosen).first() if chosen else None
            if network is None:
                home = getattr(request.user, "network_id", None)
                network = (networks.filter(pk=home).first() if home else None) or networks.first()
            request.network = network  # type: ignore[attr-defined]
        # Dates and "today" on every screen follow the network's time zone, not the server's.
        if request.network is not None:  # type: ignore[attr-defined]
            timezone.activate(request.network.time_zone)  # type: ignore[attr-defined]
        else:
            timezone.deactivate()
        return self.get_response(request)
