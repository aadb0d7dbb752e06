"""The demo network's VK and Telegram pages are connected to sandbox communities and channels (issue 4
item 7), with tokens, readers and a few posts, so that the reader view shows life from the first run."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from kurator.accounts.demo import OPERATOR_EMAIL
from kurator.accounts.models import User
from kurator.registry.models import Page
from kurator.sandbox.demo import load_sandbox_demo, tg_username, vk_screen_name
from kurator.sandbox.models import (
    LedgerEntry,
    Reader,
    TgBot,
    TgChat,
    TgMembership,
    TgMessage,
    VkComment,
    VkCommunity,
    VkPost,
    VkToken,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def test_every_demo_vk_and_telegram_page_has_its_sandbox_community_or_channel(demo):
    vk_pages = Page.objects.filter(social_network="vk")
    tg_pages = Page.objects.filter(social_network="telegram")
    assert vk_pages.exists() and tg_pages.exists()
    for page in vk_pages:
        community = VkCommunity.objects.get(screen_name=vk_screen_name(page.url))
        assert community.name == page.name
        assert VkToken.objects.filter(community=community, kind="community").count() == 1
        assert VkToken.objects.filter(kind="user", admin_of=community).exists()  # the curator's
        assert VkPost.objects.filter(community=community).exists()
        assert VkComment.objects.filter(community=community).exists()
    for page in tg_pages:
        channel = TgChat.objects.get(type="channel", username=tg_username(page.url))
        assert channel.linked_chat is not None and channel.linked_chat.type == "supergroup"
        for chat in (channel, channel.linked_chat):
            assert TgMembership.objects.filter(chat=chat, status="administrator").exists()
        forwarded = TgMessage.objects.filter(chat=channel.linked_chat, is_automatic_forward=True)
        assert forwarded.count() == TgMessage.objects.filter(chat=channel).count() > 0
        assert TgMessage.objects.filter(chat=channel.linked_chat, from_reader__isnull=False).exists()


def test_one_user_token_per_network_administers_all_its_communities(demo):
    user_tokens = VkToken.objects.filter(kind="user")
    assert user_tokens.count() == Page.objects.filter(social_network="vk").values("network").distinct().count()
    for token in user_tokens:
        assert token.admin_of.exists() and token.user_id


def test_loading_the_demo_again_creates_nothing_new(demo):
    counts = [m.objects.count() for m in (VkCommunity, VkToken, VkPost, TgChat, TgBot, TgMessage, Reader, LedgerEntry)]
    result = load_sandbox_demo()
    assert result.created == 0
    again = [m.objects.count() for m in (VkCommunity, VkToken, VkPost, TgChat, TgBot, TgMessage, Reader, LedgerEntry)]
    assert again == counts


def test_the_tokens_are_printed_nowhere(demo):
    for token in VkToken.objects.values_list("token", flat=True):
        assert token not in demo
    for token in TgBot.objects.values_list("token", flat=True):
        assert token not in demo


def test_the_operator_finds_the_tokens_on_the_sandbox_tokens_page(demo, client):
    client.force_login(User.objects.get(email=OPERATOR_EMAIL))
    page = client.get(reverse("sandbox:tokens")).content.decode()
    assert all(t in page for t in VkToken.objects.values_list("token", flat=True))
    assert all(t in page for t in TgBot.objects.values_list("token", flat=True))


def test_a_demo_wall_shows_life_to_a_reader(demo, client):
    client.force_login(User.objects.get(email=OPERATOR_EMAIL))
    community = VkCommunity.objects.order_by("pk").first()
    page = client.get(reverse("sandbox:vk_wall", args=[community.screen_name])).content.decode()
    assert page.count('data-testid="vk-post"') >= 3 and 'data-testid="comment"' in page


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://vk.com/zarechny_libraries", "zarechny_libraries"),
        ("https://vk.com/club123/", "club123"),
        ("https://ok.ru/zarechny", None),
    ],
)
def test_a_vk_page_link_gives_the_communitys_short_address(url, expected):
    assert vk_screen_name(url) == expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [("https://t.me/tochka_youthlib", "tochka_youthlib"), ("https://t.me/+AbCdEf", None), ("https://vk.com/x", None)],
)
def test_a_telegram_page_link_gives_the_channels_username(url, expected):
    assert tg_username(url) == expected
