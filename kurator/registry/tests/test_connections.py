"""Connecting a page to its network or to the sandbox (R-PUB-4, R-PUB-5): who may, what is kept, what
the page's screen shows, and that a token never comes back out of Kurator."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection as db
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from kurator.core.models import AuditEvent
from kurator.core.testing.cast import enable_totp
from kurator.core.testing.in_process import InProcessSandbox
from kurator.networks.http import use_transport
from kurator.registry.choices import ConnectionEndpoint, SocialNetwork, TokenStatus
from kurator.registry.models import Page, PageConnection
from kurator.registry.services import connection_remove, connection_save

TOKEN = "vk1.a.very-secret-token-0001"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def sandbox(settings) -> Iterator[None]:
    settings.KURATOR_SANDBOX_URL = "http://testserver/sandbox"
    with use_transport(InProcessSandbox()):
        yield


def login(client, person):
    enable_totp(person)
    client.force_login(person)


def connect(page: Page, by, **overrides) -> PageConnection:
    values = {"endpoint": ConnectionEndpoint.NETWORK, "target": "123456", "token": TOKEN}
    values.update(overrides)
    return connection_save(by=by, page=page, **values)


def test_the_page_coordinator_connects_the_page_and_the_token_is_stored_encrypted(cast):
    north = cast["north"]
    connection = connect(north.central_page, north["coordinator"], community_token="vk1.a.community-secret")

    with db.cursor() as cursor:
        cursor.execute(
            f"SELECT token, community_token FROM {PageConnection._meta.db_table} WHERE id = %s", [connection.pk]
        )
        raw_token, raw_community_token = cursor.fetchone()
    assert TOKEN not in raw_token and "secret" not in raw_community_token
    stored = PageConnection.objects.get(pk=connection.pk)
    assert (stored.token, stored.community_token, stored.updated_by) == (
        TOKEN,
        "vk1.a.community-secret",
        north["coordinator"],
    )


def test_the_audit_trail_says_a_page_was_connected_but_never_holds_the_token(cast):
    north = cast["north"]
    connect(north.central_page, north["coordinator"])
    connect(north.central_page, north["coordinator"], token="vk1.a.another-secret-token")

    events = AuditEvent.objects.filter(verb__startswith="page.connect")
    assert events.count() == 2
    for event in events:
        assert "secret" not in event.summary and "secret" not in str(event.data)
    assert events.get(verb="page.connection_changed").data["token_replaced"] is True


def test_an_empty_token_on_edit_keeps_the_stored_one_and_a_new_target_asks_for_a_new_check(cast):
    north = cast["north"]
    connection = connect(north.central_page, north["curator"])
    PageConnection.objects.filter(pk=connection.pk).update(
        status=TokenStatus.FAILING, problem="User authorization failed", failing_since=timezone.now()
    )

    connection = connect(north.central_page, north["curator"], target="club654321", token="")

    assert (connection.token, connection.target) == (TOKEN, "654321")
    assert (connection.status, connection.problem, connection.failing_since) == (TokenStatus.UNCHECKED, "", None)


def test_the_first_connection_needs_a_token(cast):
    north = cast["north"]
    with pytest.raises(ValidationError) as error:
        connect(north.central_page, north["curator"], token="  ")
    assert "token" in error.value.error_dict
    assert not PageConnection.objects.exists()


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("@branch_north", "@branch_north"),
        ("https://t.me/branch_north", "@branch_north"),
        ("-1001234567890", "-1001234567890"),
    ],
)
def test_a_telegram_channel_is_kept_as_its_username_or_its_numeric_id(cast, given, kept):
    north = cast["north"]
    connection = connect(north.branch_page, north["branch_coordinator"], target=given, token="123:bot-token")
    assert connection.target == kept


def test_a_vk_community_must_be_given_by_its_numeric_id(cast):
    north = cast["north"]
    with pytest.raises(ValidationError) as error:
        connect(north.central_page, north["curator"], target="https://vk.com/central_north")
    assert "numeric ID" in " ".join(error.value.error_dict["target"][0].messages)


def test_a_page_on_a_network_without_an_api_cannot_be_connected(cast):
    north = cast["north"]
    north.central_page.social_network = SocialNetwork.OK
    north.central_page.save()
    with pytest.raises(ValidationError):
        connect(north.central_page, north["curator"])


@pytest.mark.parametrize("who", ["curator", "administration", "coordinator", "page_admin"])
def test_the_network_overseers_and_the_page_people_may_connect_the_page(cast, who):
    north = cast["north"]
    assert connect(north.central_page, north[who]).pk


@pytest.mark.parametrize("who", ["designer", "head", "branch_coordinator", "member", "staff"])
def test_others_may_not_connect_the_page(cast, who):
    north = cast["north"]
    with pytest.raises(PermissionDenied):
        connect(north.central_page, north[who])


def test_another_network_curator_may_not_connect_the_page(cast):
    with pytest.raises(PermissionDenied):
        connect(cast["north"].central_page, cast["west"]["curator"])


def test_disconnecting_deletes_the_stored_tokens_and_is_recorded(cast):
    north = cast["north"]
    connect(north.central_page, north["coordinator"])
    with pytest.raises(PermissionDenied):
        connection_remove(by=north["branch_coordinator"], page=north.central_page)
    connection_remove(by=north["coordinator"], page=north.central_page)
    assert not PageConnection.objects.exists()
    assert AuditEvent.objects.filter(verb="page.disconnected").count() == 1


# --- The screens ----------------------------------------------------------------------------------


def test_the_page_screen_shows_a_failing_token_with_the_network_s_words_and_never_the_token(client, cast):
    north = cast["north"]
    connection = connect(north.central_page, north["coordinator"])
    PageConnection.objects.filter(pk=connection.pk).update(
        status=TokenStatus.FAILING,
        problem="User authorization failed: access_token was given to another ip address.",
        checked_at=timezone.now(),
        failing_since=timezone.now() - timedelta(days=1),
    )
    login(client, north["coordinator"])

    body = client.get(reverse("registry:page", args=[north.central_page.pk])).content.decode()

    assert 'data-testid="token-failing"' in body
    assert "access_token was given to another ip address" in body
    assert TOKEN not in body
    assert f"…{TOKEN[-4:]}" in body  # the hint that tells one token from another
    assert reverse("publishing:connection_check", args=[north.central_page.pk]) in body


def test_people_who_may_not_change_the_connection_see_it_without_its_buttons(client, cast):
    north = cast["north"]
    connect(north.central_page, north["coordinator"])
    login(client, north["designer"])

    body = client.get(reverse("registry:page", args=[north.central_page.pk])).content.decode()

    assert 'data-testid="page-connection"' in body
    assert reverse("publishing:connection_check", args=[north.central_page.pk]) not in body


def test_the_connection_form_saves_the_token_and_never_shows_it_back(client, cast):
    north = cast["north"]
    login(client, north["page_admin"])
    url = reverse("registry:page_connection", args=[north.central_page.pk])

    response = client.post(url, {"endpoint": "sandbox", "target": "7001", "token": TOKEN, "community_token": ""})

    assert response.status_code == 302
    assert PageConnection.objects.get(page=north.central_page).token == TOKEN
    form = client.get(url).content.decode()
    assert TOKEN not in form and f"…{TOKEN[-4:]}" in form
    client.post(url, {"endpoint": "sandbox", "target": "7002", "token": "", "community_token": ""})
    assert PageConnection.objects.get(page=north.central_page).token == TOKEN


def test_check_now_asks_the_sandbox_and_shows_that_the_token_works(client, cast, sandbox):
    from kurator.sandbox.tests.vk_setup import make_vk_world

    north = cast["north"]
    world = make_vk_world()
    connect(
        north.central_page,
        north["coordinator"],
        endpoint=ConnectionEndpoint.SANDBOX,
        target=str(world.community.group_id),
        token=world.user_token.token,
    )
    login(client, north["coordinator"])

    response = client.post(reverse("publishing:connection_check", args=[north.central_page.pk]), follow=True)

    assert PageConnection.objects.get(page=north.central_page).status == TokenStatus.WORKING
    shown = list(response.context["messages"])
    assert [m.level for m in shown] == [messages.SUCCESS]
    with translation.override("ru"):
        assert gettext("The token works: Kurator may publish on this page.") == shown[0].message


def test_check_now_shows_a_revoked_sandbox_token_as_failing(client, cast, sandbox):
    from kurator.sandbox.tests.vk_setup import make_vk_world
    from kurator.sandbox.vk_core import revoke_token

    north = cast["north"]
    world = make_vk_world()
    connect(
        north.central_page,
        north["coordinator"],
        endpoint=ConnectionEndpoint.SANDBOX,
        target=str(world.community.group_id),
        token=world.user_token.token,
    )
    revoke_token(world.user_token.token)
    login(client, north["coordinator"])

    body = client.post(
        reverse("publishing:connection_check", args=[north.central_page.pk]), follow=True
    ).content.decode()

    assert PageConnection.objects.get(page=north.central_page).status == TokenStatus.FAILING
    assert 'data-testid="token-failing"' in body
    assert world.user_token.token not in body
