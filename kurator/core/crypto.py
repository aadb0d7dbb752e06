"""Secrets at rest (R-PUB-4): network tokens are stored encrypted with MultiFernet.

The keys come from KURATOR_TOKEN_KEYS (comma-separated Fernet keys, the first one encrypts, all of them
decrypt), independent of SECRET_KEY, so that rotating one does not touch the other. A single-machine
install without the variable gets a key generated once into the data directory, as SECRET_KEY does.
`manage.py rotate_token_keys` re-encrypts every stored secret with the first key, after which an old
key can be dropped from the list."""

from __future__ import annotations

from functools import cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models


def _keys_from_settings() -> list[str]:
    configured = [key.strip() for key in settings.KURATOR_TOKEN_KEYS.split(",") if key.strip()]
    if configured:
        return configured
    key_file = settings.DATA_DIR / "token_keys"
    if not key_file.exists():
        key_file.write_text(Fernet.generate_key().decode())
        key_file.chmod(0o600)
    return [key for key in key_file.read_text().split() if key]


@cache
def fernet() -> MultiFernet:
    try:
        return MultiFernet([Fernet(key) for key in _keys_from_settings()])
    except ValueError as error:
        raise ImproperlyConfigured(f"KURATOR_TOKEN_KEYS holds a key that is not a Fernet key: {error}") from error


def encrypt(plain: str) -> str:
    return fernet().encrypt(plain.encode()).decode()


def decrypt(stored: str) -> str:
    try:
        return fernet().decrypt(stored.encode()).decode()
    except InvalidToken as error:
        raise ImproperlyConfigured(
            "A stored token cannot be decrypted with KURATOR_TOKEN_KEYS: a key that was in use has been removed."
        ) from error


def rotate(stored: str) -> str:
    return fernet().rotate(stored.encode()).decode()


class EncryptedTextField(models.TextField):
    """Text kept encrypted in the database and plain in Python; empty stays empty."""

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        return decrypt(value) if value else value

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        return encrypt(value) if value else value
