"""`manage.py rotate_token_keys`: re-encrypt every stored secret with the first key of KURATOR_TOKEN_KEYS,
so that the keys after it can be dropped (README, "Rotating the token keys")."""

from __future__ import annotations

from typing import Any

from cryptography.fernet import InvalidToken
from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import models
from django.db.models.functions import Cast
from django.utils.translation import gettext as _

from kurator.core import crypto


def encrypted_fields() -> list[tuple[type[models.Model], str]]:
    """Every encrypted column of every installed model, found through the app registry so that a secret
    added later by any app is rotated too."""
    return [
        (model, field.name)
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, crypto.EncryptedTextField)
    ]


def rotate_all() -> int:
    """How many values were re-encrypted. The stored text is read and written as it is in the database:
    going through the field would decrypt on reading and encrypt once more on writing."""
    rotated = 0
    for model, name in encrypted_fields():
        raw = Cast(name, output_field=models.TextField())
        rows = model._default_manager.alias(raw=raw).exclude(raw="").exclude(raw__isnull=True)
        for pk, stored in rows.values_list("pk", raw).iterator():
            try:
                renewed = crypto.rotate(stored)
            except InvalidToken as error:
                raise CommandError(
                    _("%(model)s #%(pk)s: its %(field)s cannot be decrypted with any of the keys given.")
                    % {"model": model._meta.label, "pk": pk, "field": name}
                ) from error
            # Only if nobody rewrote the value meanwhile (a token saved since is under the first key anyway).
            rotated += (
                model._default_manager.alias(raw=raw)
                .filter(pk=pk, raw=stored)
                .update(**{name: models.Value(renewed, output_field=models.TextField())})
            )
    return rotated


class Command(BaseCommand):
    help = "Re-encrypt every stored network token with the first key of KURATOR_TOKEN_KEYS."

    def handle(self, *args: Any, **options: Any) -> None:
        rotated = rotate_all()
        self.stdout.write(
            self.style.SUCCESS(_("Tokens re-encrypted with the first key: %(count)s.") % {"count": rotated})
        )
