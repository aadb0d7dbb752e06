"""`manage.py load_demo`: the demo networks, people and pages (see kurator/accounts/demo.py)."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from kurator.accounts.demo import DEMO_DOMAIN, DEMO_PASSWORD, demo_login_table, load_demo
from kurator.planning.demo import load_planning_demo
from kurator.sandbox.demo import load_sandbox_demo


class Command(BaseCommand):
    help = "Load the demo library networks, pages and people (safe to run again: only what is missing is created)."

    def handle(self, *args: Any, **options: Any) -> None:
        result = load_demo()
        load_sandbox_demo()  # the demo's VK and Telegram pages, connected to sandbox communities and channels
        call_command("load_memorable_dates", verbosity=0)  # the starter set of literary and library dates
        load_planning_demo()  # the working group's rubrics and a week of posts, through the planning services
        if options["verbosity"] == 0:
            return  # `make run` prints the logins itself, once the server is up
        names = ", ".join(str(network) for network in result.networks)
        if result.total_created:
            self.stdout.write(
                self.style.SUCCESS(
                    _("Demo data loaded: %(networks)s (%(count)s records created).")
                    % {"networks": names, "count": result.total_created}
                )
            )
        else:
            self.stdout.write(
                self.style.SUCCESS(_("Demo data is already in place: %(networks)s.") % {"networks": names})
            )
        self.stdout.write("")
        self.stdout.write(_("Demo logins (password for everyone: %(password)s):") % {"password": DEMO_PASSWORD})
        rows = [(_("E-mail"), _("Role"), _("What they see"))]
        rows += [(row.email, row.role, row.sees) for row in demo_login_table()]
        email_width = max(len(r[0]) for r in rows)
        role_width = max(len(r[1]) for r in rows)
        sees_width = max(len(r[2]) for r in rows)
        for i, (email, role, sees) in enumerate(rows):
            self.stdout.write(f"  {email:<{email_width}}  {role:<{role_width}}  {sees}")
            if i == 0:
                self.stdout.write(f"  {'-' * email_width}  {'-' * role_width}  {'-' * sees_width}")
        self.stdout.write("")
        self.stdout.write(
            _(
                "Every other demo person signs in the same way: their e-mail is on %(domain)s. "
                "Curators, coordinators, page administrators and owners set up two-factor authentication "
                "at their first login."
            )
            % {"domain": DEMO_DOMAIN}
        )
