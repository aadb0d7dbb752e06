"""Links that leave the site: a notification's link in an e-mail or a Telegram message."""

from __future__ import annotations

from django.conf import settings


def absolute_url(url: str) -> str:
    """The site's address (KURATOR_SITE_URL) in front of a path; anything else as it is. Without the
    setting a path stays a path: Kurator cannot know the address people reach it at behind a proxy."""
    site = settings.KURATOR_SITE_URL
    if not site or not url.startswith("/") or url.startswith("//"):
        return url
    return site + url


def is_absolute(url: str) -> bool:
    return url.startswith(("https://", "http://"))
