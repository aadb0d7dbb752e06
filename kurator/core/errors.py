"""Errors every service raises in the same way, so that views and the API show them alike."""

from django.core.exceptions import PermissionDenied, ValidationError

__all__ = ["PermissionDenied", "ValidationError", "require"]


def require(user: object, perm: str, obj: object | None = None) -> None:
    """Raise PermissionDenied unless the person holds `perm` on `obj` (rules predicates decide)."""
    if not user.has_perm(perm, obj):  # type: ignore[attr-defined]
        raise PermissionDenied
