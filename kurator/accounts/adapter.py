from __future__ import annotations

import time
from typing import Any

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest


class KuratorAccountAdapter(DefaultAccountAdapter):
    """People are added by their network's administration, never by self-registration."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

    def is_reauthentication_required(self, *, app: str, **kwargs: Any) -> bool:
        """A person whose role demands 2FA is sent to set it up straight after logging in (R-ORG-6),
        then shown their recovery codes; asking for the password again on those steps only confuses.
        Within the re-authentication window after a full login (password, and the code if they had
        an authenticator) the login itself counts; later, allauth asks again as usual."""
        if app == "allauth.mfa" and self._logged_in_moments_ago():
            return False
        return super().is_reauthentication_required(app=app, **kwargs)

    def _logged_in_moments_ago(self) -> bool:
        from allauth.account.internal.flows.login import get_authentication_records

        request = self.request
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return False
        now = time.time()
        return any(
            r.get("method") == "password" and now - r.get("at", 0) < account_settings.REAUTHENTICATION_TIMEOUT
            for r in get_authentication_records(request, user)
        )
