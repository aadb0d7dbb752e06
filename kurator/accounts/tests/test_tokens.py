"""Personal API tokens: made by their owner, shown once, stored as a digest, revoked by their owner."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from kurator.accounts.models import ApiToken
from kurator.accounts.tokens import api_token_create, api_token_revoke, person_for_token
from kurator.core.errors import PermissionDenied, ValidationError
from kurator.core.models import AuditEvent
from kurator.core.testing.cast import PASSWORD


def test_a_new_token_is_returned_once_and_only_its_prefix_and_digest_are_stored(cast):
    person = cast["north"]["administration"]

    token, raw = api_token_create(person=person, name="export script")

    assert raw.startswith(f"kur_{token.prefix}_")
    assert len(raw) > 40
    stored = ApiToken.objects.get(pk=token.pk)
    assert stored.digest == ApiToken.digest_of(raw)
    assert raw not in {stored.name, stored.prefix, stored.digest}
    assert AuditEvent.objects.filter(verb="api_token.created", actor=person).exists()


def test_two_tokens_are_never_the_same(cast):
    person = cast["north"]["administration"]

    _first, raw1 = api_token_create(person=person, name="one")
    _second, raw2 = api_token_create(person=person, name="two")

    assert raw1 != raw2


def test_a_token_needs_a_name(cast):
    with pytest.raises(ValidationError) as caught:
        api_token_create(person=cast["north"]["administration"], name="   ")

    assert "name" in caught.value.message_dict


def test_a_live_token_finds_its_person_and_records_when_it_was_used(cast):
    person = cast["north"]["administration"]
    token, raw = api_token_create(person=person, name="script")

    assert person_for_token(raw) == person
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_last_used_is_written_at_most_once_a_minute(cast):
    token, raw = api_token_create(person=cast["north"]["administration"], name="busy script")
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        person_for_token(raw)
    with time_machine.travel(start + timedelta(seconds=30), tick=False):
        person_for_token(raw)
    token.refresh_from_db()
    assert token.last_used_at == start

    with time_machine.travel(start + timedelta(seconds=61), tick=False):
        person_for_token(raw)
    token.refresh_from_db()
    assert token.last_used_at == start + timedelta(seconds=61)


@pytest.mark.parametrize(
    "raw", ["", "kur_", "kur_abcdefgh_", "Bearer", "kur_abcdefgh_" + "x" * 300, "kur_zzzzzzzz_ключ"]
)
def test_an_unknown_or_malformed_token_finds_nobody(cast, raw):
    assert person_for_token(raw) is None


def test_a_revoked_token_finds_nobody(cast):
    person = cast["north"]["administration"]
    token, raw = api_token_create(person=person, name="old script")

    api_token_revoke(by=person, token=token)

    assert person_for_token(raw) is None
    assert AuditEvent.objects.filter(verb="api_token.revoked", actor=person).exists()


def test_a_token_of_a_person_whose_account_is_closed_finds_nobody(cast):
    person = cast["north"]["staff"]
    _token, raw = api_token_create(person=person, name="script")
    person.is_active = False
    person.save()

    assert person_for_token(raw) is None


def test_a_person_cannot_revoke_someone_elses_token(cast):
    token, raw = api_token_create(person=cast["north"]["staff"], name="mine")

    with pytest.raises(PermissionDenied):
        api_token_revoke(by=cast["north"]["administration"], token=token)

    assert person_for_token(raw) == cast["north"]["staff"]


def test_a_token_cannot_be_revoked_twice(cast):
    person = cast["north"]["staff"]
    token, _raw = api_token_create(person=person, name="mine")
    api_token_revoke(by=person, token=token)

    with pytest.raises(ValidationError):
        api_token_revoke(by=person, token=token)


# The tokens page ------------------------------------------------------------------------------


def logged_in(client, person):
    client.login(email=person.email, password=PASSWORD)
    return client


def test_the_tokens_page_needs_a_login(client, cast):
    response = client.get(reverse("accounts:api_tokens"))

    assert response.status_code == 302
    assert "login" in response["Location"]


def test_the_tokens_page_shows_a_new_token_once(client, cast):
    person = cast["north"]["staff"]
    logged_in(client, person)

    response = client.post(reverse("accounts:api_tokens"), {"name": "registry export"})

    assert response.status_code == 200
    token = ApiToken.objects.get(person=person)
    raw = response.context["created"]["raw"]
    assert person_for_token(raw) == person
    assert raw in response.content.decode()
    assert response["Cache-Control"] == "no-store"
    again = client.get(reverse("accounts:api_tokens"))
    assert raw not in again.content.decode()
    assert f"kur_{token.prefix}_" in again.content.decode()
    assert "registry export" in again.content.decode()


def test_the_tokens_page_lists_only_my_tokens(client, cast):
    api_token_create(person=cast["north"]["administration"], name="someone else's script")
    api_token_create(person=cast["north"]["staff"], name="my script")
    logged_in(client, cast["north"]["staff"])

    page = client.get(reverse("accounts:api_tokens")).content.decode()

    assert "my script" in page
    assert "someone else" not in page


def test_a_token_without_a_name_is_not_created_from_the_page(client, cast):
    person = cast["north"]["staff"]
    logged_in(client, person)

    response = client.post(reverse("accounts:api_tokens"), {"name": ""})

    assert response.status_code == 200
    assert response.context["created"] is None
    assert not ApiToken.objects.filter(person=person).exists()


def test_revoking_a_token_from_the_page_stops_it_at_once(client, cast):
    person = cast["north"]["staff"]
    token, raw = api_token_create(person=person, name="my script")
    logged_in(client, person)

    response = client.post(reverse("accounts:api_token_revoke", args=[token.pk]))

    assert response.status_code == 302
    assert person_for_token(raw) is None
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_someone_elses_token_cannot_be_revoked_from_the_page(client, cast):
    token, raw = api_token_create(person=cast["north"]["administration"], name="admin script")
    logged_in(client, cast["north"]["staff"])

    response = client.post(reverse("accounts:api_token_revoke", args=[token.pk]))

    assert response.status_code == 404
    assert person_for_token(raw) == cast["north"]["administration"]


def test_revoking_needs_a_post(client, cast):
    person = cast["north"]["staff"]
    token, raw = api_token_create(person=person, name="my script")
    logged_in(client, person)

    response = client.get(reverse("accounts:api_token_revoke", args=[token.pk]))

    assert response.status_code == 405
    assert person_for_token(raw) == person
