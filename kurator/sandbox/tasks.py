"""Background work of the sandbox: simulated readers, each minute, when the operator has switched them on
(KURATOR_SANDBOX_SIMULATION; off by default, so a production install stays quiet)."""

from __future__ import annotations

import time

from django.conf import settings
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

# The worker loads only `tasks` modules: these imports register the network emulators' own jobs with it
# (VK Callback API delivery, due postponed posts, pruning; Telegram webhook delivery).
from kurator.sandbox import tg_updates, vk_events  # noqa: F401


def simulation_enabled() -> bool:
    return bool(getattr(settings, "KURATOR_SANDBOX_SIMULATION", False))


def simulation_rate() -> int:
    """Reader actions per minute (KURATOR_SANDBOX_SIMULATION_RATE, default 6)."""
    return int(getattr(settings, "KURATOR_SANDBOX_SIMULATION_RATE", 6))


def simulate_one_minute(minute: int | None = None) -> int:
    """One minute of readers; the minute's number is the seed, so a minute can be replayed."""
    from kurator.sandbox.readers import simulate

    if not simulation_enabled():
        return 0
    seed = int(time.time() // 60) if minute is None else minute
    _plan, accepted = simulate(seed=seed, count=simulation_rate())
    return accepted


@db_periodic_task(crontab(minute="*"))
def simulated_readers() -> None:
    simulate_one_minute()
