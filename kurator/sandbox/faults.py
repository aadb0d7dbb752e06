"""Injected faults (issue 4 item 6), looked up once per API request by both network emulators.

A fault matches a request when its network matches and its token and place (community / chat) are
empty or equal. The API layers decide what each kind means on their wire: VK answers error 6 where
Telegram answers 429, and so on."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import F, Q

from kurator.sandbox.models import Fault


@dataclass(frozen=True)
class ActiveFault:
    kind: str
    params: dict


def faults_for(*, network: str, token: str = "", place: str = "", method: str = "") -> list[ActiveFault]:
    """The faults that hit this request, in the order they were injected; each use counts down its
    `remaining`, and a fault whose count reaches zero switches itself off."""
    candidates = (
        Fault.objects.filter(network=network, active=True)
        .filter(Q(token="") | Q(token=token))
        .filter(Q(place="") | Q(place=str(place)))
        .order_by("created_at", "id")
    )
    hits = []
    for fault in candidates:
        wanted_method = fault.params.get("method")
        if wanted_method and wanted_method != method:
            continue
        if fault.remaining is not None:
            with transaction.atomic():
                used = Fault.objects.filter(pk=fault.pk, active=True, remaining__gt=0).update(
                    remaining=F("remaining") - 1
                )
                if not used:
                    continue
                Fault.objects.filter(pk=fault.pk, remaining=0).update(active=False)
        hits.append(ActiveFault(fault.kind, dict(fault.params)))
    return hits


def inject(
    *, network: str, kind: str, token: str = "", place: str | int = "", remaining: int | None = None, **params: object
) -> Fault:
    return Fault.objects.create(
        network=network, kind=kind, token=token, place=str(place), remaining=remaining, params=params
    )


def clear(*, network: str | None = None) -> int:
    qs = Fault.objects.filter(active=True)
    if network:
        qs = qs.filter(network=network)
    return qs.update(active=False)
