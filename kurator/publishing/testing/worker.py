"""`python -m kurator.publishing.testing.worker [run_huey options]`: the production worker (`manage.py
run_huey`), started the way the fault tests and benchmarks need it, without a test hook in the code it runs.

Two things can be asked of it through the environment:

- time scaled down, so that a test waits seconds where production waits minutes:
  KURATOR_HARNESS_LEASE_S (services.LEASE), KURATOR_HARNESS_READ_TIMEOUT_S (how long the adapters wait
  for an answer), KURATOR_HARNESS_RETRY_BASE_S (services.RETRY_BASE, the first retry's backoff);
- a death at a chosen point, by SIGKILL to itself, as a power cut or the OOM killer would do it:
  KURATOR_HARNESS_KILL=before-send (the row is claimed, the network not yet called) or after-send (the
  network answered, the answer is not yet saved);
- a standby start: KURATOR_HARNESS_GO_FILE names a file the worker waits for, ready to consume, so that a
  test can replace a killed worker at once instead of waiting seconds for Python and Django to load."""

from __future__ import annotations

import os
import signal
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any


def _seconds(name: str) -> float | None:
    value = os.environ.get(name, "").strip()
    return float(value) if value else None


def scale_time() -> None:
    import httpx

    from kurator.networks import http
    from kurator.publishing import services

    lease = _seconds("KURATOR_HARNESS_LEASE_S")
    if lease is not None:
        services.LEASE = timedelta(seconds=lease)
    read_timeout = _seconds("KURATOR_HARNESS_READ_TIMEOUT_S")
    if read_timeout is not None:
        connect = http.DEFAULT_TIMEOUT.connect
        http.DEFAULT_TIMEOUT = httpx.Timeout(connect=connect, read=read_timeout, write=read_timeout, pool=connect)
    retry_base = _seconds("KURATOR_HARNESS_RETRY_BASE_S")
    if retry_base is not None:
        services.RETRY_BASE = timedelta(seconds=retry_base)


def die_at(point: str) -> None:
    from kurator.publishing import sending

    if point not in ("before-send", "after-send"):
        return
    real_send = sending.send

    def send(*args: Any, **kwargs: Any) -> Any:
        if point == "before-send":
            os.kill(os.getpid(), signal.SIGKILL)
        sent = real_send(*args, **kwargs)
        os.kill(os.getpid(), signal.SIGKILL)
        return sent

    sending.send = send  # type: ignore[assignment]


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kurator.settings")
    import django

    django.setup()
    scale_time()
    die_at(os.environ.get("KURATOR_HARNESS_KILL", ""))
    # Everything the consumer needs is imported before a standby worker waits for its turn.
    import huey.contrib.djhuey.management.commands.run_huey  # noqa: F401
    from django.core.management import execute_from_command_line
    from django.utils.module_loading import autodiscover_modules

    autodiscover_modules("tasks")
    go = os.environ.get("KURATOR_HARNESS_GO_FILE", "")
    while go and not Path(go).exists():
        time.sleep(0.02)

    execute_from_command_line(["manage.py", "run_huey", *sys.argv[1:]])


if __name__ == "__main__":
    main()
