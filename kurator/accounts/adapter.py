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
        """A person whose role demands 2FA is sent to set it up straight after logging in (R-ORG-6);
        asking for the password a second time there only confuses. Setting up the *first* authenticator
        within minutes of a password login therefore needs no re-entry; everything else does."""
        if app == "allauth.mfa" and self._first_authenticator_right_after_login():
            return False
        return super().is_reauthentication_required(app=app, **kwargs)

    def _first_authenticator_right_after_login(self) -> bool:
        from allauth.account.internal.flows.login import get_authentication_records
        from allauth.mfa.models import Authenticator

        request = self.request
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or Authenticator.objects.filter(user=user).exists():
            return False
        records = get_authentication_records(request, user)
        return any(
            r.get("method") == "password" and time.time() - r.get("at", 0) < account_settings.REAUTHENTICATION_TIMEOUT
            for r in records
        )
