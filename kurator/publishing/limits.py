"""Rate limits shared by every worker (R-PUB-3): a reservation of the earliest moment at which one more
request fits each limit of its token and chat.

Why not pyrate-limiter, which ARCHITECTURE.md names: its SQL buckets keep one table per key (a table per
Telegram chat, hundreds in a campaign) and it can only say "not now" or sleep, so a worker thread either
polls or blocks while other pages' posts wait. A reservation instead tells each publication *when* it may
go; the worker schedules it for that moment and takes the next one, so a campaign drains at the rate the
limits allow and in the order the posts arrived. The queue is a table (RateSlot) under a lock on its key
(RateKey), so processes on several machines agree through the database."""

from __future__ import annotations

import hashlib
import time
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from kurator.networks.telegram.limits import TELEGRAM_RATES
from kurator.networks.vk.limits import VK_RATES
from kurator.publishing.models import RateKey, RateSlot
from kurator.registry.choices import SocialNetwork

# Network clocks and ours drift by a few milliseconds and requests take different times to arrive: a
# little room keeps a request that was due at the edge of a window inside the network's own count.
WINDOW_MARGIN = 1.02
# A reservation of this publication made up to this long ago was never used for a request: it is
# replaced rather than counted twice when the publication comes back for its slot.
UNUSED_GRACE = timedelta(seconds=2)
# A job may run this much before the moment it was queued for (publishing.services sends within it).
DUE_TOLERANCE = timedelta(milliseconds=50)
# How often the queue's scheduler moves due jobs to the workers (Huey's scheduler interval, at least 1 s).
QUEUE_TICK = timedelta(seconds=1)


@dataclass(frozen=True)
class Limit:
    key: str
    count: int
    window: timedelta
    # Counts posts, not requests: each publication once per window, however many requests it takes.
    per_post: bool = False


def _fingerprint(secret: str) -> str:
    # Pages that share a token share its limit; the key must not reveal the token.
    return hashlib.sha256(secret.encode()).hexdigest()[:16]


def limits_for(social_network: str, token: str, target: str) -> list[Limit]:
    """The limits one post to this page counts against."""
    token_key = _fingerprint(token)
    if social_network == SocialNetwork.VK:
        per_token = VK_RATES["user_token_per_second"]
        per_wall = VK_RATES["wall_posts_per_day"]
        return [
            Limit(f"vk:token:{token_key}", per_token, timedelta(seconds=1)),
            # VK counts the posts a wall got: a retry after 5xx or error 6, a repeat with the same guid and
            # the photo uploads make none, so they must not use up the day (they pushed posts to the next).
            Limit(f"vk:wall:{target}", per_wall, timedelta(days=1), per_post=True),
        ]
    return [
        Limit(f"tg:bot:{token_key}", TELEGRAM_RATES["bot_per_second"], timedelta(seconds=1)),
        Limit(f"tg:chat:{token_key}:{target}", TELEGRAM_RATES["chat_per_minute"], timedelta(minutes=1)),
    ]


def _fits(ordered: list[float], moment: float, count: int, window: float, weight: int = 1) -> bool:
    """Whether `weight` more requests at `moment` keep every window of `window` seconds at ≤ count.
    The fullest window that contains `moment` starts at `moment` or at one of the slots just before it.
    `ordered` is sorted: a campaign reserves hundreds of slots ahead on one bot, and counting each window
    by a scan made every reservation cost a second of CPU."""
    first, last = bisect_right(ordered, moment - window), bisect_right(ordered, moment)
    for start in {*ordered[first:last], moment}:
        inside = bisect_left(ordered, start + window) - bisect_left(ordered, start) + weight
        if inside > count:
            return False
    return True


def earliest_fit(slots: list[float], earliest: float, count: int, window: float, weight: int = 1) -> float:
    """The first moment ≥ earliest that fits: either `earliest` itself or when some slot leaves a window."""
    ordered = sorted(slots)
    candidates = [earliest, *(x + window for x in ordered if x + window > earliest)]
    for moment in sorted(set(candidates)):
        if _fits(ordered, moment, count, window, weight):
            return moment
    return max(candidates)  # past the last slot's window only the weight itself counts


def _locked_keys(keys: list[str]) -> list[RateKey]:
    """The keys' rows, locked in a fixed order (so that two reservations cannot deadlock), created once."""
    held = list(RateKey.objects.select_for_update().filter(key__in=keys).order_by("key"))
    if len(held) < len(keys):
        known = {row.key for row in held}
        RateKey.objects.bulk_create([RateKey(key=key) for key in keys if key not in known], ignore_conflicts=True)
        held = list(RateKey.objects.select_for_update().filter(key__in=keys).order_by("key"))
    return held


def reserve(
    limits: list[Limit],
    *,
    earliest: datetime,
    publication_id: int,
    weight: int = 1,
    replace: bool = True,
    waiting_for: datetime | None = None,
) -> datetime:
    """Reserve and return the earliest moment ≥ `earliest` at which `weight` requests in a row fit every
    limit and every hold. With `replace`, this publication's unused reservation gives way to the new one:
    one made moments ago, or the one at `waiting_for`, the slot its job was queued for and ran after."""
    with transaction.atomic():
        keys = sorted({limit.key for limit in limits})
        held = _locked_keys(keys)
        in_line = False
        if replace:
            recent = Q(at__gte=earliest - UNUSED_GRACE)
            # However late busy workers bring the job back, the slot it waited for was never used: without
            # this it stayed counted as a request, and the job lost its place in line.
            unused = RateSlot.objects.filter(key__in=keys, publication_id=publication_id).filter(
                recent | Q(at=waiting_for) if waiting_for is not None else recent
            )
            # Back for a reservation whose time has come (the queue wakes once a second, so usually a little
            # late): it keeps its place in line. Only what is due by now counts, not the reservations made
            # after it, which will make room for it when their own time comes; counting them pushed every
            # late job behind all of them, and a campaign on one token went round in circles.
            in_line = unused.filter(at__lte=earliest + DUE_TOLERANCE).exists()
            unused.delete()
        moment = max([earliest] + [row.hold_until for row in held if row.hold_until])
        counted_once = {
            limit.key
            for limit in limits
            if limit.per_post
            and RateSlot.objects.filter(
                key=limit.key, publication_id=publication_id, at__gt=moment - limit.window
            ).exists()
        }
        limits = [limit for limit in limits if limit.key not in counted_once]
        keys = [key for key in keys if key not in counted_once]
        windows = {limit.key: limit.window * WINDOW_MARGIN for limit in limits}
        # Each key back as far as its own window: a bot's one second, not its chats' minute (a campaign's
        # minute of a bot is a thousand slots to read in each reservation, under the lock).
        within = Q()
        for key, window in windows.items():
            within |= Q(key=key, at__gt=moment - window)
        taken: dict[str, list[float]] = {key: [] for key in keys}
        counted = RateSlot.objects.filter(within) if windows else RateSlot.objects.none()
        if in_line:
            counted = counted.filter(at__lte=moment)
        for key, at in counted.values_list("key", "at"):
            taken[key].append(at.timestamp())
        point = moment.timestamp()
        for _round in range(50):  # each limit can only push the moment later, so this settles quickly
            moved = False
            for limit in limits:
                load = 1 if limit.per_post else min(weight, limit.count)
                fit = earliest_fit(taken[limit.key], point, limit.count, windows[limit.key].total_seconds(), load)
                if fit > point:
                    point, moved = fit, True
            if not moved:
                break
        moment = datetime.fromtimestamp(point, tz=earliest.tzinfo)
        RateSlot.objects.bulk_create(
            [
                RateSlot(key=limit.key, at=moment, publication_id=publication_id)
                for limit in limits
                for _ in range(1 if limit.per_post else weight)
            ]
        )
    return moment


def reserve_soon(
    limits: list[Limit],
    *,
    earliest: datetime,
    publication_id: int,
    waiting_for: datetime | None = None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], datetime] = timezone.now,
) -> tuple[datetime, datetime]:
    """reserve(), except that a slot less than a queue tick away is waited for here and then asked for again
    (so the request still counts against its window at the moment it is made): through the queue, whose
    scheduler wakes once a second, the job would come back up to a second late, and a campaign would drain a
    tick at a time. Nor does a request go before its slot, not even by milliseconds: with windows only 2%
    wider than the network's, a request sent early can be one too many in the network's window. Returns the
    slot and the time it is now: the slot is now, or still ahead (for the queue)."""
    slot = reserve(limits, earliest=earliest, publication_id=publication_id, waiting_for=waiting_for)
    now, patience = earliest, earliest + QUEUE_TICK
    while now < slot <= patience:
        sleep((slot - now).total_seconds())
        now = clock()
        slot = reserve(limits, earliest=now, publication_id=publication_id, waiting_for=slot)
    return slot, now


def pace(limits: list[Limit], *, publication_id: int, weight: int = 1) -> None:
    """Wait for room for `weight` requests made one after another right now (uploads before a post)."""
    moment = reserve(limits, earliest=timezone.now(), publication_id=publication_id, weight=weight, replace=False)
    delay = (moment - timezone.now()).total_seconds()
    if delay > 0:
        time.sleep(delay)


def hold(limits: list[Limit], *, until: datetime, only: str = "") -> None:
    """The network asked us to slow down (Telegram retry_after, VK error 6): nobody uses these keys
    before `until`. `only` narrows it to the keys starting with that prefix (e.g. one chat)."""
    keys = [limit.key for limit in limits if limit.key.startswith(only)]
    with transaction.atomic():
        for key in keys:
            row, _created = RateKey.objects.select_for_update().get_or_create(key=key)
            if row.hold_until is None or row.hold_until < until:
                row.hold_until = until
                row.save(update_fields=["hold_until"])


def forget_old_slots(*, now: datetime) -> int:
    """Slots older than the longest window count against nothing."""
    deleted, _ = RateSlot.objects.filter(at__lt=now - timedelta(days=1) * WINDOW_MARGIN).delete()
    return deleted
