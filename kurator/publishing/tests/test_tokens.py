"""Token checks against the built-in sandbox (R-PUB-4): a revoked token or lost administrator rights are
found before a post is due, shown on the connection and told to the page's people once; a network that
does not answer changes nothing; the demo's pages are connected to their sandbox walls and channels."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.utils import timezone

from kurator.accounts.models import User
from kurator.core.models import Notification
from kurator.core.testing.in_process import InProcessSandbox
from kurator.networks.http import use_transport
from kurator.planning.models import Post
from kurator.publishing import tokens
from kurator.publishing.choices import PublicationMode, PublicationState
from kurator.publishing.models import Publication
from kurator.publishing.tokens import check_connection, check_due_tokens, token_check
from kurator.registry.choices import ConnectionEndpoint, TokenStatus
from kurator.registry.models import Page, PageConnection
from kurator.sandbox import faults, tg_service
from kurator.sandbox.models import TgMembership
from kurator.sandbox.tests.tg_world import TgWorld, build_tg_world
from kurator.sandbox.tests.vk_setup import VkWorld, make_vk_world
from kurator.sandbox.vk_core import remove_admin_rights, revoke_token


@pytest.fixture
def sandbox(settings) -> Iterator[None]:
    """Every network client in the test talks to the sandbox inside this process."""
    settings.KURATOR_SANDBOX_URL = "http://testserver/sandbox"
    with use_transport(InProcessSandbox()):
        yield
    faults.clear()


@pytest.fixture
def vk(cast, sandbox) -> tuple[VkWorld, PageConnection]:
    world = make_vk_world()
    connection = PageConnection.objects.create(
        page=cast["north"].central_page,
        endpoint=ConnectionEndpoint.SANDBOX,
        target=str(world.community.group_id),
        token=world.user_token.token,
        community_token=world.community_token.token,
    )
    return world, connection


@pytest.fixture
def telegram(cast, sandbox) -> tuple[TgWorld, PageConnection]:
    world = build_tg_world()
    connection = PageConnection.objects.create(
        page=cast["north"].branch_page,
        endpoint=ConnectionEndpoint.SANDBOX,
        target=f"@{world.channel.username}",
        token=world.bot.token,
    )
    return world, connection


def told(person) -> int:
    return Notification.objects.filter(recipient=person).count()


def test_a_working_vk_token_is_recorded_as_working_and_clears_an_old_problem(vk):
    _world, connection = vk
    PageConnection.objects.filter(pk=connection.pk).update(
        status=TokenStatus.FAILING, problem="старая беда", failing_since=timezone.now() - timedelta(days=1)
    )
    connection.refresh_from_db()
    now = timezone.now()

    assert check_connection(connection, now=now) is None

    connection.refresh_from_db()
    assert (connection.status, connection.problem, connection.checked_at, connection.failing_since) == (
        TokenStatus.WORKING,
        "",
        now,
        None,
    )


def test_a_revoked_vk_token_marks_the_connection_failing_and_tells_the_coordinator_once(vk, cast):
    world, connection = vk
    coordinator = cast["north"]["coordinator"]
    revoke_token(world.user_token.token)

    problem = check_connection(connection)
    check_connection(PageConnection.objects.get(pk=connection.pk))  # the next round finds it again

    assert problem
    connection.refresh_from_db()
    assert connection.status == TokenStatus.FAILING
    assert connection.problem == problem
    assert connection.failing_since is not None
    assert told(coordinator) == 1
    assert world.user_token.token not in Notification.objects.get(recipient=coordinator).message


def test_lost_administrator_rights_in_the_vk_community_mark_the_token_failing(vk, cast):
    world, connection = vk
    remove_admin_rights(world.user_token.token, str(world.community.group_id))

    problem = check_connection(connection)

    assert problem
    connection.refresh_from_db()
    assert connection.status == TokenStatus.FAILING
    assert told(cast["north"]["coordinator"]) == 1


def test_a_token_that_works_again_clears_the_failure(vk):
    world, connection = vk
    revoke_token(world.user_token.token)
    assert check_connection(connection)
    world.user_token.refresh_from_db()
    type(world.user_token).objects.filter(pk=world.user_token.pk).update(revoked_at=None)

    assert check_connection(PageConnection.objects.get(pk=connection.pk)) is None

    connection.refresh_from_db()
    assert (connection.status, connection.problem, connection.failing_since) == (TokenStatus.WORKING, "", None)


def test_a_revoked_telegram_bot_token_marks_the_connection_failing_and_tells_the_page_coordinator(telegram, cast):
    world, connection = telegram
    tg_service.revoke(world.bot)

    assert check_connection(connection)

    connection.refresh_from_db()
    assert connection.status == TokenStatus.FAILING
    assert told(cast["north"]["branch_coordinator"]) == 1


def test_a_bot_that_is_no_longer_an_administrator_of_the_channel_fails_the_check(telegram):
    world, connection = telegram
    assert check_connection(connection) is None
    TgMembership.objects.filter(bot=world.bot, chat=world.channel).update(status="member")

    problem = check_connection(PageConnection.objects.get(pk=connection.pk))

    assert problem
    connection.refresh_from_db()
    assert connection.status == TokenStatus.FAILING


def test_a_network_that_does_not_answer_changes_nothing_and_tells_nobody(vk, cast):
    _world, connection = vk
    faults.inject(network="vk", kind="server_error")

    result = token_check(connection)

    assert not result.reached
    connection.refresh_from_db()
    assert (connection.status, connection.checked_at) == (TokenStatus.UNCHECKED, None)
    assert told(cast["north"]["coordinator"]) == 0


def test_the_token_never_appears_in_what_a_person_is_told(vk, cast):
    world, connection = vk
    revoke_token(world.user_token.token)
    check_connection(connection)
    connection.refresh_from_db()
    assert world.user_token.token not in connection.problem
    for note in Notification.objects.all():
        assert world.user_token.token not in note.message


# --- Which connections each round checks ----------------------------------------------------------


def _publication(page: Page, due_in: timedelta, state: str = PublicationState.SCHEDULED) -> Publication:
    now = timezone.now()
    author = User.objects.filter(network=page.network).first()
    post = Post.objects.create(network=page.network, title="Пост", text="Текст", planned_at=now + due_in, author=author)
    return Publication.objects.create(
        post=post,
        page=page,
        mode=PublicationMode.AUTOMATIC,
        state=state,
        due_at=now + due_in,
        next_attempt_at=now + due_in,
        guid=uuid.uuid4().hex,
    )


def _connect(page: Page, checked_ago: timedelta | None) -> PageConnection:
    now = timezone.now()
    return PageConnection.objects.create(
        page=page,
        target="7001" if page.social_network == "vk" else "@channel",
        token="secret-token",
        status=TokenStatus.WORKING if checked_ago is not None else TokenStatus.UNCHECKED,
        checked_at=now - checked_ago if checked_ago is not None else None,
    )


@pytest.fixture
def asked(monkeypatch) -> list[int]:
    """The pages whose tokens the round asked about (the network itself is not needed here)."""
    pages: list[int] = []

    def remember(connection: PageConnection, *, now=None) -> tokens.TokenCheck:
        pages.append(connection.page_id)
        return tokens.TokenCheck(reached=True, problem=None)

    monkeypatch.setattr(tokens, "token_check", remember)
    return pages


def test_every_connection_is_checked_when_not_checked_for_six_hours(cast, asked):
    north, west = cast["north"], cast["west"]
    _connect(north.central_page, checked_ago=None)
    _connect(north.branch_page, checked_ago=timedelta(hours=7))
    _connect(west.central_page, checked_ago=timedelta(hours=2))

    assert check_due_tokens() == 2
    assert sorted(asked) == sorted([north.central_page.pk, north.branch_page.pk])


def test_a_page_with_a_post_due_within_a_day_is_checked_every_hour_so_a_failure_shows_in_time(cast, asked):
    north, west = cast["north"], cast["west"]
    _connect(north.central_page, checked_ago=timedelta(hours=2))
    _publication(north.central_page, due_in=timedelta(hours=20))
    _connect(north.branch_page, checked_ago=timedelta(hours=2))
    _publication(north.branch_page, due_in=timedelta(hours=30))  # not yet: the routine round will do
    _connect(west.central_page, checked_ago=timedelta(minutes=30))
    _publication(west.central_page, due_in=timedelta(hours=1))  # checked a moment ago

    assert check_due_tokens() == 1
    assert asked == [north.central_page.pk]


def test_posts_already_published_or_cancelled_do_not_make_a_page_urgent(cast, asked):
    north = cast["north"]
    _connect(north.central_page, checked_ago=timedelta(hours=2))
    _publication(north.central_page, due_in=timedelta(hours=3), state=PublicationState.PUBLISHED)
    _publication(north.central_page, due_in=timedelta(hours=3), state=PublicationState.CANCELLED)

    assert check_due_tokens() == 0


def test_a_round_against_the_sandbox_records_each_answer(vk, telegram, cast):
    vk_world, vk_connection = vk
    revoke_token(vk_world.user_token.token)

    assert check_due_tokens() == 2

    vk_connection.refresh_from_db()
    assert vk_connection.status == TokenStatus.FAILING
    assert PageConnection.objects.get(page=cast["north"].branch_page).status == TokenStatus.WORKING
    assert check_due_tokens() == 0  # both were just checked


# --- The demo -------------------------------------------------------------------------------------


def test_the_demo_pages_are_connected_to_their_sandbox_walls_and_channels_and_their_tokens_work(db, sandbox):
    from kurator.accounts.demo import load_demo
    from kurator.registry.choices import PublishingMode, SocialNetwork
    from kurator.sandbox.demo import load_sandbox_demo
    from kurator.sandbox.models import TgChat, VkCommunity

    load_demo()
    first = load_sandbox_demo()
    api_pages = Page.objects.filter(social_network__in=[SocialNetwork.VK, SocialNetwork.TELEGRAM])
    connections = list(PageConnection.objects.select_related("page"))
    assert first.connected == len(connections) == api_pages.count() > 0

    for connection in connections:
        page = connection.page
        assert connection.endpoint == ConnectionEndpoint.SANDBOX
        assert page.publishing_mode == PublishingMode.AUTOMATIC
        if page.social_network == SocialNetwork.VK:
            assert VkCommunity.objects.filter(group_id=int(connection.target)).exists()
            assert connection.community_token
        else:
            assert TgChat.objects.filter(username=connection.target.lstrip("@")).exists()
        assert check_connection(connection) is None, page

    before = {c.pk: (c.target, c.token, c.community_token) for c in PageConnection.objects.all()}
    again = load_sandbox_demo()
    assert again.connected == 0
    assert {c.pk: (c.target, c.token, c.community_token) for c in PageConnection.objects.all()} == before
