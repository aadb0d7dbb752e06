"""Personal API tokens: created and revoked by their owner, shown once, stored only as a SHA-256 digest.

A token reads ``kur_<prefix>_<secret>``: the prefix is kept in clear so that a person can tell their
tokens apart on the tokens page; the secret never leaves the response that created it."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kurator.accounts.models import ApiToken, User
from kurator.core.errors import PermissionDenied, ValidationError
from kurator.core.services import audit_record

TOKEN_SCHEME = "kur"
PREFIX_BYTES = 4  # 8 hex characters, shown on the tokens page
SECRET_BYTES = 32
MAX_TOKEN_LENGTH = 200  # anything longer is not one of ours; do not even hash it
LAST_USED_PRECISION = timedelta(minutes=1)  # one write a minute at most, however busy the client


def _raw_token() -> tuple[str, str]:
    prefix = secrets.token_hex(PREFIX_BYTES)
    return prefix, f"{TOKEN_SCHEME}_{prefix}_{secrets.token_urlsafe(SECRET_BYTES)}"


@transaction.atomic
def api_token_create(*, person: User, name: str) -> tuple[ApiToken, str]:
    """A new token for the person; the raw token is returned here and never again."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the token a name, so that you recognise it later.")})
    max_length = ApiToken._meta.get_field("name").max_length or 100
    if len(name) > max_length:
        raise ValidationError(
            {"name": _("The name is too long: at most %(count)d characters.") % {"count": max_length}}
        )
    if "\x00" in name:
        raise ValidationError({"name": _("The name contains a character that is not allowed.")})
    if not person.is_active:
        raise PermissionDenied
    prefix, raw = _raw_token()
    token = ApiToken.objects.create(person=person, name=name, prefix=prefix, digest=ApiToken.digest_of(raw))
    audit_record(
        actor=person,
        verb="api_token.created",
        summary=_("API token “%(name)s” (%(prefix)s…) created") % {"name": token.name, "prefix": token.prefix},
        target=person,
        network_id=person.network_id,
    )
    return token, raw


@transaction.atomic
def api_token_revoke(*, by: User, token: ApiToken) -> ApiToken:
    """A person revokes their own token; it stops working at once."""
    if token.person_id != by.pk:
        raise PermissionDenied
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is not None:
        raise ValidationError(_("This token is already revoked."))
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit_record(
        actor=by,
        verb="api_token.revoked",
        summary=_("API token “%(name)s” (%(prefix)s…) revoked") % {"name": token.name, "prefix": token.prefix},
        target=by,
        network_id=by.network_id,
    )
    return token


def looks_like_token(raw: str) -> bool:
    parts = raw.split("_", 2)
    return (
        len(raw) <= MAX_TOKEN_LENGTH
        and raw.isascii()
        and len(parts) == 3
        and parts[0] == TOKEN_SCHEME
        and len(parts[1]) == PREFIX_BYTES * 2
        and bool(parts[2])
    )


def person_for_token(raw: str | None) -> User | None:
    """The active person a live token belongs to, or None for anything else (unknown, revoked,
    malformed, or the person's account is closed)."""
    raw = (raw or "").strip()
    if not looks_like_token(raw):
        return None
    token = (
        ApiToken.objects.select_related("person")
        .filter(digest=ApiToken.digest_of(raw), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.person.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.person
