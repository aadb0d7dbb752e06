"""`manage.py simulate_readers --seed 42 --rate 30 --minutes 5 [--network vk|telegram] [--once N]`."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from kurator.sandbox.readers import current_targets, plan_activity, play_one, simulate


class Command(BaseCommand):
    help = (
        "Simulated readers on the sandbox pages: views, likes, reposts, questions, requests, praise, "
        "complaints, insults and spam, in Russian, at RATE actions a minute, reproducible from SEED."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=42, help="The same seed gives the same actions.")
        parser.add_argument("--rate", type=float, default=30, help="Actions per minute.")
        parser.add_argument("--minutes", type=float, default=5, help="How long to run.")
        parser.add_argument("--network", choices=["vk", "telegram"], help="Only this network.")
        parser.add_argument("--once", type=int, metavar="N", help="Carry out N actions at once and stop.")

    def handle(self, *args: Any, **options: Any) -> None:
        seed, network = options["seed"], options["network"]
        if options["once"] is not None:
            plan, accepted = simulate(seed=seed, count=options["once"], network=network)
            self._report(len(plan), accepted)
            return
        rate = max(options["rate"], 0.01)
        count = int(rate * options["minutes"])
        plan = plan_activity(seed=seed, count=count, targets=current_targets(network))
        if not plan:
            self.stdout.write(_("No sandbox pages or readers yet: run `manage.py load_demo` first."))
            return
        interval = 60.0 / rate
        started = time.monotonic()
        accepted = 0
        for i, action in enumerate(plan):
            # Keep to the schedule rather than sleeping a fixed time: slow writes must not lower the rate.
            delay = started + i * interval - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            accepted += play_one(action)
            if options["verbosity"] > 1:
                self.stdout.write(f"{action.kind:<12} {action.target:<28} {action.text}")
        self._report(len(plan), accepted)

    def _report(self, planned: int, accepted: int) -> None:
        if not planned:
            self.stdout.write(_("No sandbox pages or readers yet: run `manage.py load_demo` first."))
            return
        self.stdout.write(
            self.style.SUCCESS(
                _("Simulated readers: %(accepted)s of %(planned)s actions accepted.")
                % {"accepted": accepted, "planned": planned}
            )
        )
