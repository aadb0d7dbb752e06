"""Network tokens at rest (R-PUB-4): encrypted in the database, and the keys can be rotated without
losing a token (README, "Rotating the token keys")."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection as db

from kurator.core import crypto
from kurator.registry.models import PageConnection

OLD_KEY = Fernet.generate_key().decode()
NEW_KEY = Fernet.generate_key().decode()


@pytest.fixture
def keys(settings):
    """Set KURATOR_TOKEN_KEYS as an operator would, restarting the processes (the keys are read once)."""

    def use(*given: str) -> None:
        settings.KURATOR_TOKEN_KEYS = ",".join(given)
        crypto.fernet.cache_clear()

    yield use
    crypto.fernet.cache_clear()


def raw_column(pk: int, column: str = "token") -> str:
    with db.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {PageConnection._meta.db_table} WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def test_tokens_written_with_the_old_key_are_readable_with_only_the_new_key_after_rotation(cast, keys):
    north = cast["north"]
    keys(OLD_KEY)
    vk = PageConnection.objects.create(
        page=north.central_page, target="7001", token="vk1.a.old-secret", community_token="vk1.a.community-secret"
    )
    telegram = PageConnection.objects.create(page=north.branch_page, target="@branch_north", token="123:tg-secret")
    before = raw_column(vk.pk)

    keys(NEW_KEY, OLD_KEY)
    out = StringIO()
    call_command("rotate_token_keys", stdout=out)
    assert re.findall(r"\d+", out.getvalue()) == ["3"]  # two tokens and one community token
    assert raw_column(vk.pk) != before

    keys(NEW_KEY)
    vk.refresh_from_db()
    telegram.refresh_from_db()
    assert (vk.token, vk.community_token, telegram.token) == (
        "vk1.a.old-secret",
        "vk1.a.community-secret",
        "123:tg-secret",
    )


def test_without_rotation_the_old_key_cannot_be_dropped(cast, keys):
    from django.core.exceptions import ImproperlyConfigured

    keys(OLD_KEY)
    stored = PageConnection.objects.create(page=cast["north"].central_page, target="7001", token="vk1.a.secret")
    keys(NEW_KEY)
    with pytest.raises(ImproperlyConfigured):
        PageConnection.objects.get(pk=stored.pk)


def test_the_token_is_not_stored_in_plain_text(cast, keys):
    keys(OLD_KEY)
    stored = PageConnection.objects.create(
        page=cast["north"].central_page, target="7001", token="vk1.a.plain-secret", community_token="vk1.a.group"
    )
    for column in ("token", "community_token"):
        raw = raw_column(stored.pk, column)
        assert "secret" not in raw and "group" not in raw
        assert Fernet(OLD_KEY.encode()).decrypt(raw.encode()).decode().startswith("vk1.a.")
