"""Pages connected to the sandbox, with the sandbox's communities, channels and tokens to match, and posts
approved on them. Posts are created as drafts with their variants and then approved in one save: publishing
follows the post's state (publishing/apps.py) and arms one Publication per variant, as after a curator's
approval, without the review screens' per-post work that would dominate seeding thousands of them.

Every name and number comes from one counter, so that many seedings share a database without clashing."""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from kurator.accounts.models import User
from kurator.planning.choices import PostState
from kurator.planning.models import Post, PostVariant
from kurator.registry.choices import ConnectionEndpoint, PublishingMode, SocialNetwork, TokenStatus
from kurator.registry.models import Network, Page, PageConnection
from kurator.sandbox.choices import TgChatType, VkTokenKind
from kurator.sandbox.models import TgBot, TgChat, TgMembership, VkCommunity, VkToken

_numbers = itertools.count(1)
_run = uuid.uuid4().hex[:6]  # databases outlive a process only in benchmarks, which start empty


def _next() -> int:
    return next(_numbers)


@dataclass
class Newsroom:
    """A library network with one author: whose posts they are does not matter to publishing."""

    network: Network
    author: User


def newsroom() -> Newsroom:
    n = _next()
    network = Network.objects.create(name=f"ЦБС стенда {_run}-{n}", slug=f"harness-{_run}-{n}")
    author = User.objects.create_user(
        email=f"author-{_run}-{n}@harness.test", password=None, full_name="Автор Стенда", network=network
    )
    return Newsroom(network, author)


def _connect(page: Page, *, target: str, token: str, checked: bool) -> PageConnection:
    # A recent check keeps the worker's periodic token round (every ten minutes) from asking the sandbox
    # about every page in the middle of a measurement; the fault tests leave them unchecked.
    return PageConnection.objects.create(
        page=page,
        endpoint=ConnectionEndpoint.SANDBOX,
        target=target,
        token=token,
        status=TokenStatus.WORKING if checked else TokenStatus.UNCHECKED,
        checked_at=timezone.now() if checked else None,
    )


def vk_token(label: str = "admin") -> str:
    """A new administrator's user token on the sandbox VK."""
    n = _next()
    token = f"vk1.a.harness-{_run}-{label}-{n}"
    VkToken.objects.create(token=token, kind=VkTokenKind.USER, user_id=900_000 + n, label=f"{label} {n}")
    return token


def vk_pages(room: Newsroom, tokens: list[str], count: int, *, checked: bool = False) -> list[Page]:
    """`count` VK communities, dealt round the administrators' `tokens` (each administers its share)."""
    pages = []
    for i in range(count):
        n = _next()
        token = tokens[i % len(tokens)]
        screen_name = f"harness_{_run}_{n}"
        community = VkCommunity.objects.create(
            group_id=70_000_000 + n, name=f"Библиотека {n}", screen_name=screen_name, daily_post_cap=1000
        )
        VkToken.objects.get(token=token).admin_of.add(community)
        page = Page.objects.create(
            network=room.network,
            name=f"Библиотека {n} ВКонтакте",
            social_network=SocialNetwork.VK,
            url=f"https://vk.com/{screen_name}",
            publishing_mode=PublishingMode.AUTOMATIC,
        )
        _connect(page, target=str(community.group_id), token=token, checked=checked)
        pages.append(page)
    return pages


def telegram_bot(label: str = "bot") -> str:
    """A new bot on the sandbox Telegram; its token."""
    n = _next()
    user_id = 800_000_000 + n
    token = f"{user_id}:AAH-harness-{_run}-{label}-{n}"
    TgBot.objects.create(token=token, user_id=user_id, username=f"harness_{_run}_{n}_bot", first_name="ЦБС")
    return token


def telegram_channels(room: Newsroom, bot_token: str, count: int, *, checked: bool = False) -> list[Page]:
    """`count` channels, each with the bot as an administrator that may post."""
    bot = TgBot.objects.get(token=bot_token)
    pages = []
    for _i in range(count):
        n = _next()
        username = f"harness_{_run}_{n}"
        channel = TgChat.objects.create(
            chat_id=-1_002_000_000_000 - n, type=TgChatType.CHANNEL, title=f"Филиал {n}", username=username
        )
        TgMembership.objects.create(bot=bot, chat=channel)
        page = Page.objects.create(
            network=room.network,
            name=f"Филиал {n} в Telegram",
            social_network=SocialNetwork.TELEGRAM,
            url=f"https://t.me/{username}",
            publishing_mode=PublishingMode.AUTOMATIC,
        )
        _connect(page, target=f"@{username}", token=bot_token, checked=checked)
        pages.append(page)
    return pages


def marker(post_id: int, page_id: int) -> str:
    """Written into each variant's text, so that the ledger tells which variant a network post is."""
    return f"[{post_id}/{page_id}]"


def approve(room: Newsroom, pages: list[Page], *, at: datetime, title: str = "Акция в библиотеках") -> Post:
    """One post on all `pages`, due `at`, approved; its publications are armed by the approval, in one
    transaction as in the review service, so that a running sweeper sees the post only once it is armed."""
    with transaction.atomic():
        return _approved_post(room, pages, at=at, title=title)


def _approved_post(room: Newsroom, pages: list[Page], *, at: datetime, title: str) -> Post:
    post = Post.objects.create(
        network=room.network,
        title=title,
        text="Приглашаем в библиотеку.",
        planned_at=at,
        author=room.author,
        state=PostState.DRAFT,
    )
    PostVariant.objects.bulk_create(
        [PostVariant(post=post, page=page, text=f"{title}: приглашаем. {marker(post.pk, page.pk)}") for page in pages]
    )
    post.state = PostState.APPROVED
    post.save()
    return post
