"""`make run`: the web server and the background worker together; Ctrl-C stops both."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _


def child_environment(host: str, port: str, environ: dict[str, str] | None = None) -> dict[str, str]:
    """The web server's and the worker's environment: unless told otherwise, the worker publishes the
    demo's sandbox pages to the sandbox of this very server, on whatever port it was given."""
    env = dict(os.environ if environ is None else environ)
    if not env.get("KURATOR_SANDBOX_URL"):
        reachable = "127.0.0.1" if host in ("", "0.0.0.0", "::", "[::]") else host
        env["KURATOR_SANDBOX_URL"] = f"http://{reachable}:{port}/sandbox"
    return env


class Command(BaseCommand):
    help = "Run the web server and the Huey worker together until Ctrl-C."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--port", default="8000")
        parser.add_argument("--host", default="127.0.0.1")

    def handle(self, *args: object, **options: Any) -> None:
        address = f"{options['host']}:{options['port']}"
        manage = [sys.executable, "manage.py"]
        env = child_environment(options["host"], str(options["port"]))
        children = [
            subprocess.Popen([*manage, "runserver", address, "--noreload"], env=env),
            subprocess.Popen([*manage, "run_huey", "--quiet"], env=env),
        ]
        time.sleep(2)  # let the servers print their banners first, so the logins stay in view
        self._print_welcome(address)
        stopping = False

        def stop(*_args: object) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        try:
            while not stopping and all(child.poll() is None for child in children):
                time.sleep(0.5)
        finally:
            for child in children:
                if child.poll() is None:
                    child.terminate()
            for child in children:
                try:
                    child.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    child.kill()
            self.stdout.write(_("Kurator stopped."))
        failed = [c for c in children if c.returncode not in (0, -signal.SIGTERM, None)]
        if failed and not stopping:
            self.stderr.write(_("A process stopped unexpectedly; see the messages above."))
            sys.exit(1)

    def _print_welcome(self, address: str) -> None:
        from kurator.accounts.demo import DEMO_PASSWORD, demo_login_table

        rows = demo_login_table()
        width = max(len(row.email) for row in rows)
        self.stdout.write("")
        self.stdout.write(_("Demo logins (password for everyone: %(password)s):") % {"password": DEMO_PASSWORD})
        for row in rows:
            self.stdout.write(f"  {row.email:<{width}}  {row.role}")
        self.stdout.write("")
        self.stdout.write(
            self.style.SUCCESS(_("Kurator is running on http://%(address)s/ (Ctrl-C stops it).") % {"address": address})
        )
