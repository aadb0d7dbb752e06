from __future__ import annotations

from django.http import HttpRequest


def publishing_banner(request: HttpRequest) -> dict[str, object]:
    """Everyone at work sees it when publishing has stalled (ARCHITECTURE.md): posts would go out late."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from kurator.publishing.selectors import publishing_stalled

    return {"publishing_stalled": publishing_stalled()}
