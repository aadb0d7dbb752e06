"""Load or bring up to date the starter set of memorable dates that ships with Kurator (R-PLAN-5).
Safe to run on every start: a date already there is kept once, updated if its text changed."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from kurator.planning.dates import load_starter_dates


class Command(BaseCommand):
    help = "Load the starter set of literary and library memorable dates (each with its source)."

    def handle(self, *args: Any, **options: Any) -> None:
        created, updated = load_starter_dates()
        if options["verbosity"]:
            self.stdout.write(
                _("Memorable dates: %(created)s added, %(updated)s updated.") % {"created": created, "updated": updated}
            )
