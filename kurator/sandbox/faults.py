"""Injected faults (issue 4 item 6), looked up once per API request by both network emulators.

A fault matches a request when its network matches and its token and place (community / chat) are
empty or equal. A fault that belongs to a library network (network_id) hits only the requests made with
that network's tokens or on its communities and chats, so that one network's curator cannot break
another's pages; a fault with none is the operator's and may hit the whole sandbox. The API layers decide
what each kind means on their wire: VK answers error 6 where Telegram answers 429, and so on."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F, Q, QuerySet

from kurator.sandbox.choices import Network
from kurator.sandbox.models import Fault, TgBot, TgChat, VkCommunity, VkToken


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
    owners: set[int | None] | None = None
    for fault in candidates:
        if fault.network_id is not None:
            if owners is None:  # looked up only when a network's own fault is active
                owners = {token_network(network, token), place_network(network, place)}
            if fault.network_id not in owners:
                continue
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


def token_network(network: str, token: str) -> int | None:
    """The library network a sandbox token (VK) or bot token (Telegram) belongs to; None: none or unknown."""
    if not token:
        return None
    owner = VkToken if network == Network.VK else TgBot
    return owner.objects.filter(token=token).values_list("network_id", flat=True).first()


def place_network(network: str, place: str | int) -> int | None:
    """The library network of a VK community (its owner id, or the positive group id) or a Telegram chat."""
    raw = str(place).strip()
    if not re.fullmatch(r"-?\d{1,18}", raw):  # anything else names no community or chat (and fits no column)
        return None
    if network == Network.VK:
        return VkCommunity.objects.filter(group_id=abs(int(raw))).values_list("network_id", flat=True).first()
    return TgChat.objects.filter(chat_id=int(raw)).values_list("network_id", flat=True).first()


def inject(
    *,
    network: str,
    kind: str,
    token: str = "",
    place: str | int = "",
    remaining: int | None = None,
    network_id: int | None = None,
    **params: object,
) -> Fault:
    """Switch a fault on. Whoever calls it has decided whose it is (network_id): services.fault_inject
    does that for people; tests and benchmarks call this directly."""
    return Fault.objects.create(
        network=network,
        kind=kind,
        token=token,
        place=str(place),
        remaining=remaining,
        network_id=network_id,
        params=params,
    )


def clear(*, network: str | None = None, among: QuerySet[Fault] | None = None) -> int:
    """Switch off the active faults (of one social network, if given), or only those of `among`."""
    qs = (Fault.objects.all() if among is None else among).filter(active=True)
    if network:
        qs = qs.filter(network=network)
    return qs.update(active=False)
