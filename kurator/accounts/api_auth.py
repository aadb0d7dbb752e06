"""Who is calling the JSON API: a personal token (``Authorization: Bearer kur_…``), or, for the
browser and the docs page, the logged-in session (with Django's CSRF check on writes)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext as _
from ninja.errors import AuthorizationError
from ninja.security import HttpBearer, SessionAuth

from kurator.accounts.middleware import has_second_factor, needs_second_factor
from kurator.accounts.models import User
from kurator.accounts.tokens import person_for_token


def _speak_their_language(request: HttpRequest, person: User) -> None:
    """API answers (error messages, labels) in the person's own language, as the pages are."""
    available = {code for code, _name in settings.LANGUAGES}
    language = person.language if person.language in available else settings.LANGUAGE_CODE
    translation.activate(language)
    request.LANGUAGE_CODE = language  # type: ignore[attr-defined]


def _require_second_factor(person: User) -> None:
    # R-ORG-6: a person whose role needs login confirmation cannot work until it is set up, through
    # the API neither (a token made before the role was given must not get round it).
    if needs_second_factor(person) and not has_second_factor(person):
        raise AuthorizationError(
            message=_(
                "Your role requires login confirmation (regulation 003, § 2). "
                "Set up an authenticator app in Kurator before using the API."
            )
        )


class TokenAuth(HttpBearer):
    """A personal API token, made on the "API tokens" page."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        person = person_for_token(token)
        if person is None:
            return None
        _speak_their_language(request, person)
        _require_second_factor(person)
        # The token's person is the request's person: history records and permission checks see them.
        request.user = person
        return person


class BrowserSessionAuth(SessionAuth):
    """The logged-in person in the browser. Ninja checks the CSRF token on unsafe methods."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        _require_second_factor(user)
        return user


api_auth = [TokenAuth(), BrowserSessionAuth()]
