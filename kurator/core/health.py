"""A worker heartbeat that /health reads: publishing later depends on a live worker."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.cache import cache
from django.utils import timezone

HEARTBEAT_KEY = "kurator:worker-heartbeat"
STALE_AFTER = timedelta(minutes=3)


def record_heartbeat() -> None:
    cache.set(HEARTBEAT_KEY, timezone.now().isoformat(), timeout=None)


def last_heartbeat() -> datetime | None:
    value = cache.get(HEARTBEAT_KEY)
    return datetime.fromisoformat(value) if value else None


def worker_is_alive() -> bool:
    beat = last_heartbeat()
    return beat is not None and timezone.now() - beat < STALE_AFTER
