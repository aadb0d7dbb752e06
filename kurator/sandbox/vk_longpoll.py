"""The Bots Long Poll: groups.getLongPollServer and the a_check server (failed 1, 2 and 3)."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from typing import Any

from django.urls import reverse

from kurator.sandbox import vk_events
from kurator.sandbox.models import (
    VkCommunity,
    VkEvent,
)
from kurator.sandbox.vk_core import (
    Call,
    community_by_group,
    require_admin,
)
from kurator.sandbox.vk_wall import publish_due_postponed_posts

LONGPOLL_MAX_WAIT = 90
LONGPOLL_STEP = 0.25
LONGPOLL_MAX_UPDATES = 100


def longpoll_key(community: VkCommunity) -> str:
    """One key per community, kept until rotated, so several readers of the same stream agree."""
    if not community.longpoll_key:
        community.longpoll_key = secrets.token_hex(20)
        community.save(update_fields=["longpoll_key"])
    return community.longpoll_key


def rotate_longpoll_key(community: VkCommunity) -> None:
    """The key "expires": clients then get failed 2 and ask groups.getLongPollServer again."""
    community.longpoll_key = secrets.token_hex(20)
    community.save(update_fields=["longpoll_key"])


def groups_get_long_poll_server(call: Call) -> dict[str, str]:
    community = community_by_group(call)
    require_admin(call, community)
    return {
        "key": longpoll_key(community),
        "server": call.site + reverse("sandbox:vk_longpoll", kwargs={"group_id": community.group_id}),
        "ts": str(vk_events.current_ts(community)),
    }


def long_poll_check(
    group_id: int, *, key: str, ts: str, wait: float, sleep: Callable[[float], None] = time.sleep
) -> dict[str, Any]:
    """act=a_check: the events after ts, waiting up to `wait` seconds for the first one.
    failed 1: ts is ahead of the stream (use the returned ts); failed 2: the key is wrong or expired;
    failed 3: events after ts are gone (new key and ts needed)."""
    community = VkCommunity.objects.filter(group_id=group_id).first()
    if community is None or not community.longpoll_key or key != community.longpoll_key:
        return {"failed": 2}
    latest = vk_events.current_ts(community)
    try:
        since = int(ts)
    except ValueError:
        return {"failed": 1, "ts": str(latest)}
    if since > latest or since < 0:
        return {"failed": 1, "ts": str(latest)}
    oldest = VkEvent.objects.filter(community=community).order_by("ts").values_list("ts", flat=True).first()
    if oldest is not None and since < oldest - 1:
        return {"failed": 3}
    deadline = time.monotonic() + max(0.0, min(wait, LONGPOLL_MAX_WAIT))
    while True:
        publish_due_postponed_posts(community)
        events = list(
            VkEvent.objects.filter(community=community, ts__gt=since)
            .select_related("community")
            .order_by("ts")[:LONGPOLL_MAX_UPDATES]
        )
        if events or time.monotonic() >= deadline:
            break
        sleep(LONGPOLL_STEP)
    return {
        "ts": str(events[-1].ts if events else since),
        "updates": [vk_events.event_json(event) for event in events],
    }
