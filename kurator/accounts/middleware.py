"""Per-person language, and the mandatory second factor for owners and administrators (R-ORG-6)."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from kurator.accounts.access import access_of
from kurator.accounts.choices import TWO_FACTOR_ROLES


class LanguageMiddleware:
    """Russian unless the person chose English (R-ORG: Russian first). The choice is stored on the
    person, so it follows them to every device; before login the language cookie decides. The
    browser's Accept-Language is ignored on purpose: a librarian's borrowed English browser must not
    turn the workspace English."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = chosen_language(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language  # type: ignore[attr-defined]
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


def chosen_language(request: HttpRequest) -> str:
    available = {code for code, _name in settings.LANGUAGES}
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.language in available:
        return str(user.language)
    cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    return cookie if cookie in available else settings.LANGUAGE_CODE


def needs_second_factor(user: object) -> bool:
    return bool(access_of(user).roles & TWO_FACTOR_ROLES)


def has_second_factor(user: object) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


class RequireTwoFactorMiddleware:
    """A person whose role requires login confirmation cannot work until an authenticator app is set up."""

    ALWAYS_ALLOWED_PREFIXES = (
        "/accounts/",
        "/static/",
        "/i18n/",
        "/api/",
        "/health",
        "/sandbox/vk/",
        "/sandbox/telegram/",
    )

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and not request.path.startswith(self.ALWAYS_ALLOWED_PREFIXES)
            and needs_second_factor(user)
            and not has_second_factor(user)
        ):
            messages.warning(
                request,
                _(
                    "Your role requires login confirmation (regulation 003, § 2). Set up an authenticator app to continue."
                ),
            )
            return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)
