"""A network whose VK and Telegram pages are connected to the built-in sandbox, reached in-process."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
from django.utils import timezone

from kurator.core.testing.in_process import InProcessSandbox
from kurator.networks.http import use_transport
from kurator.planning.models import Post
from kurator.planning.services import post_create
from kurator.registry.choices import ConnectionEndpoint
from kurator.registry.models import PageConnection
from kurator.review.services import post_submit, submission_approve
from kurator.sandbox.choices import TgChatType, VkTokenKind
from kurator.sandbox.models import TgBot, TgChat, TgMembership, VkCommunity, VkToken

MSK = ZoneInfo("Europe/Moscow")
VK_TOKEN = "vk1.a.publisher-user-token"
BOT_TOKEN = "424242:AAH-publisher-bot"


@dataclass
class Connected:
    cast: object
    vk_page: object
    tg_page: object
    community: VkCommunity
    channel: TgChat
    vk: PageConnection
    telegram: PageConnection

    def __getitem__(self, key: str):
        return self.cast["north"][key]


class AcceptThenTimeout(httpx.BaseTransport):
    """The network does the work, then the answer is lost on the way back (a read timeout)."""

    def __init__(self, inner: httpx.BaseTransport, methods: tuple[str, ...]) -> None:
        self.inner, self.methods, self.fired = inner, methods, 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        if request.url.path.rsplit("/", 1)[-1] in self.methods:
            response.read()
            self.fired += 1
            raise httpx.ReadTimeout("The read operation timed out", request=request)
        return response


@pytest.fixture
def in_process_sandbox(settings):
    settings.KURATOR_SANDBOX_URL = "http://testserver/sandbox"
    transport = InProcessSandbox()
    with use_transport(transport):
        yield transport


@pytest.fixture
def connected(cast, in_process_sandbox) -> Connected:
    north = cast["north"]
    community = VkCommunity.objects.create(group_id=7101, name="Центральная библиотека", screen_name="central_north")
    admin = VkToken.objects.create(token=VK_TOKEN, kind=VkTokenKind.USER, user_id=555001, label="admin")
    admin.admin_of.add(community)
    bot = TgBot.objects.create(token=BOT_TOKEN, user_id=424242, username="north_library_bot", first_name="ЦБС")
    channel = TgChat.objects.create(
        chat_id=-1001000007101, type=TgChatType.CHANNEL, title="Филиал", username="branch_north", member_count=300
    )
    TgMembership.objects.create(bot=bot, chat=channel)
    vk = PageConnection.objects.create(
        page=north.central_page, endpoint=ConnectionEndpoint.SANDBOX, target="7101", token=VK_TOKEN
    )
    telegram = PageConnection.objects.create(
        page=north.branch_page, endpoint=ConnectionEndpoint.SANDBOX, target="@branch_north", token=BOT_TOKEN
    )
    return Connected(cast, north.central_page, north.branch_page, community, channel, vk, telegram)


def at_noon_in(days: int) -> datetime:
    return datetime.combine(timezone.localdate() + timedelta(days=days), time(12), tzinfo=MSK)


def approved_post(connected: Connected, *, pages=None, when: datetime | None = None, text: str = "") -> Post:
    curator = connected["curator"]
    post = post_create(
        by=curator,
        network=connected.cast["north"].network,
        pages=pages or [connected.vk_page, connected.tg_page],
        title="Встреча с писателем",
        planned_at=when or at_noon_in(12),
        text=text or "Приглашаем на встречу с писателем в субботу в 15:00.",
    )
    submission = post_submit(by=curator, post=post)
    submission_approve(by=curator, submission=submission)
    post.refresh_from_db()
    return post
