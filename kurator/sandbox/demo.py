"""The demo network's pages connected to the sandbox (issue 4 item 7).

For every VK or Telegram page of the demo registry, a sandbox community or channel with the page's own
short address, so that Kurator can later publish to it as to the real network; the tokens stay in the
sandbox's tables (the "Tokens" page shows them to the operator and the curator). Each community, channel,
token and bot belongs to the page's library network, so that only that network's people see it (R-ORG-1).
A few readers and posts with comments make the reader view look lived in. Safe to run again: only what is
missing is created, and what was made before networks were recorded is given its network."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import urlparse

from django.db import models, transaction
from django.db.models import Max
from django.utils import timezone

from kurator.accounts.models import User
from kurator.registry.models import Page
from kurator.sandbox import tg_service
from kurator.sandbox.choices import LedgerAction, Network, TgChatType, VkTokenKind
from kurator.sandbox.ledger import ledger_record
from kurator.sandbox.models import (
    Reader,
    TgBot,
    TgChat,
    TgMembership,
    TgMessage,
    VkCommunity,
    VkPost,
    VkToken,
)
from kurator.sandbox.reader_actions import (
    next_tg_message_id,
    next_vk_post_id,
    reader_comments_tg,
    reader_comments_vk,
)

FIRST_GROUP_ID = 220_000_001
FIRST_CHANNEL_ID = -1_002_200_000_001  # Telegram's channels and supergroups are "-100…"
FIRST_READER_VK_ID = 500_000_001
FIRST_READER_TG_ID = 700_000_001
FIRST_ADMIN_VK_ID = 100_000_001
FIRST_BOT_ID = 800_000_001

# Invented people: no real person's name.
DEMO_READERS = [
    "Анна Соколова",
    "Игорь Белов",
    "Мария Кузнецова",
    "Олег Тихонов",
    "Светлана Орлова",
    "Дмитрий Волков",
    "Екатерина Лебедева",
    "Павел Морозов",
    "Наталья Зайцева",
    "Виктор Ершов",
]

DEMO_POSTS = [
    "Новые поступления недели: современная проза, детективы и книги по краеведению уже ждут вас на полках. Приходите!",
    "В субботу в 12:00 — громкие чтения для детей и родителей. Вход свободный, запись не нужна.",
    "Напоминаем: в последний четверг месяца библиотека закрыта на санитарный день.",
]
DEMO_COMMENTS = [
    "Спасибо, обязательно придём!",
    "А можно забронировать книгу заранее?",
    "Отличная подборка, взяла почитать уже две.",
]


@dataclass
class SandboxDemoResult:
    communities: list[VkCommunity] = field(default_factory=list)
    channels: list[TgChat] = field(default_factory=list)
    created: int = 0
    connected: int = 0  # pages given a connection to their sandbox community or channel


def vk_screen_name(url: str) -> str | None:
    """`https://vk.com/<screen_name>` → the screen name; anything else → None."""
    parsed = urlparse(url)
    if parsed.hostname not in ("vk.com", "www.vk.com", "m.vk.com"):
        return None
    name = parsed.path.strip("/").split("/")[0]
    return name or None


def tg_username(url: str) -> str | None:
    """`https://t.me/<username>` → the username; anything else (invite links, posts) → None."""
    parsed = urlparse(url)
    if parsed.hostname not in ("t.me", "telegram.me"):
        return None
    parts = parsed.path.strip("/").split("/")
    name = parts[0] if parts else ""
    return name if re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{3,31}", name) else None


def _new_token(prefix: str) -> str:
    return prefix + secrets.token_hex(32)


def ensure_readers(count: int = len(DEMO_READERS)) -> list[Reader]:
    readers = []
    for i, name in enumerate(DEMO_READERS[:count]):
        reader, _created = Reader.objects.get_or_create(
            vk_id=FIRST_READER_VK_ID + i, defaults={"name": name, "tg_id": FIRST_READER_TG_ID + i}
        )
        readers.append(reader)
    return readers


def _claim(model: type[models.Model], network_id: int | None, **lookup: object) -> None:
    """Give objects that belong to no network yet to this one; never take one from another network."""
    if network_id is not None:
        model._default_manager.filter(network_id__isnull=True, **lookup).update(network_id=network_id)


def ensure_vk_community(screen_name: str, name: str, network_id: int | None = None) -> tuple[VkCommunity, bool]:
    """A community with its community token, both of the library network given (if any)."""
    existing = VkCommunity.objects.filter(screen_name=screen_name).first()
    if existing is not None:
        _claim(VkCommunity, network_id, pk=existing.pk)
        _claim(VkToken, network_id, community=existing)
        existing.refresh_from_db(fields=["network_id"])
        return existing, False
    last = VkCommunity.objects.aggregate(m=Max("group_id"))["m"]
    community = VkCommunity.objects.create(
        group_id=max(FIRST_GROUP_ID, (last or 0) + 1),
        name=name,
        screen_name=screen_name,
        members_count=300 + len(screen_name) * 37,
        confirmation_code=secrets.token_hex(4),
        network_id=network_id,
    )
    VkToken.objects.create(
        token=_new_token("vk1.a."),
        kind=VkTokenKind.COMMUNITY,
        community=community,
        label=name,
        network_id=network_id,
    )
    return community, True


def ensure_vk_admin_token(
    user_id: int, label: str, communities: list[VkCommunity], network_id: int | None = None
) -> VkToken:
    """An administrator's user token (here: the curator's) that administers the given communities."""
    token = VkToken.objects.filter(kind=VkTokenKind.USER, user_id=user_id).first()
    if token is None:
        token = VkToken.objects.create(
            token=_new_token("vk1.u."), kind=VkTokenKind.USER, user_id=user_id, label=label, network_id=network_id
        )
    else:
        _claim(VkToken, network_id, pk=token.pk)
        token.refresh_from_db(fields=["network_id"])
    token.admin_of.add(*communities)
    return token


def _bot_username(base: str) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9_]", "_", base)[:24].strip("_") or "kurator"
    return f"{cleaned}_bot"


def ensure_bot(base: str, first_name: str, network_id: int | None = None) -> TgBot:
    username = _bot_username(base)
    bot = TgBot.objects.filter(username=username).first()
    if bot is not None:
        _claim(TgBot, network_id, pk=bot.pk)
        bot.refresh_from_db(fields=["network_id"])
        return bot
    last = TgBot.objects.aggregate(m=Max("user_id"))["m"]
    user_id = max(FIRST_BOT_ID, (last or 0) + 1)
    return TgBot.objects.create(
        token=f"{user_id}:{secrets.token_urlsafe(26)}",
        user_id=user_id,
        username=username,
        first_name=first_name,
        network_id=network_id,
    )


def _next_chat_id() -> int:
    lowest = TgChat.objects.filter(chat_id__lt=-1_000_000_000_000).order_by("chat_id").first()
    return min(FIRST_CHANNEL_ID, lowest.chat_id - 1) if lowest else FIRST_CHANNEL_ID


def ensure_tg_channel(username: str, title: str, bot: TgBot, network_id: int | None = None) -> tuple[TgChat, bool]:
    """A channel with a linked discussion group, both administered by the bot and of the library network
    given (if any)."""
    channel = TgChat.objects.filter(type=TgChatType.CHANNEL, username=username).first()
    created = channel is None
    if channel is None:
        group = TgChat.objects.create(
            chat_id=_next_chat_id(),
            type=TgChatType.SUPERGROUP,
            title=f"{title}: обсуждение",
            member_count=40,
            network_id=network_id,
        )
        channel = TgChat.objects.create(
            chat_id=_next_chat_id(),
            type=TgChatType.CHANNEL,
            title=title,
            username=username,
            linked_chat=group,
            member_count=200 + len(username) * 23,
            network_id=network_id,
        )
    else:
        _claim(TgChat, network_id, pk__in=[channel.pk, channel.linked_chat_id])
        channel.refresh_from_db(fields=["network_id"])
    for chat in (channel, channel.linked_chat):
        if chat is not None:
            TgMembership.objects.get_or_create(bot=bot, chat=chat, defaults={"status": "administrator"})
    return channel, created


def seed_vk_posts(community: VkCommunity, readers: list[Reader]) -> int:
    """A few published posts with comments, likes and views, on a wall that has none yet."""
    if VkPost.objects.filter(community=community).exists():
        return 0
    now = timezone.now()
    created = 0
    for i, text in enumerate(DEMO_POSTS):
        post = VkPost.objects.create(
            community=community,
            post_id=next_vk_post_id(community),
            from_id=community.owner_id,
            text=text,
            date=now - timedelta(days=len(DEMO_POSTS) - i, hours=i),
            likes=5 + 3 * i,
            reposts=i,
            views=120 + 45 * i,
        )
        ledger_record(
            network=Network.VK,
            action=LedgerAction.CREATED,
            kind="post",
            place=community.owner_id,
            object_id=post.post_id,
            actor="demo",
        )
        created += 1
        if readers:
            reader_comments_vk(post, readers[i % len(readers)], DEMO_COMMENTS[i % len(DEMO_COMMENTS)])
            created += 1
    return created


def seed_tg_posts(channel: TgChat, bot: TgBot, readers: list[Reader]) -> int:
    """Channel posts, each forwarded automatically to the discussion group, with a comment under it."""
    if TgMessage.objects.filter(chat=channel).exists():
        return 0
    created = 0
    group = channel.linked_chat
    for i, text in enumerate(DEMO_POSTS):
        post = TgMessage.objects.create(
            chat=channel,
            message_id=next_tg_message_id(channel),
            from_bot=bot,
            sender_chat=channel,
            text=text,
            reactions={"👍": 4 + i, "❤": 2 + i} if i else {"👍": 3},
            views=90 + 30 * i,
        )
        # A few days of history, like the VK walls (the date is set on creation, so it is moved afterwards).
        TgMessage.objects.filter(pk=post.pk).update(date=timezone.now() - timedelta(days=len(DEMO_POSTS) - i, hours=i))
        post.refresh_from_db(fields=["date"])
        ledger_record(
            network=Network.TELEGRAM,
            action=LedgerAction.CREATED,
            kind="post",
            place=channel.chat_id,
            object_id=post.message_id,
            actor="demo",
        )
        created += 1
        if group is None:
            continue
        tg_service.forward_to_discussion(post)
        if readers:
            reader_comments_tg(post, readers[(i + 1) % len(readers)], DEMO_COMMENTS[(i + 1) % len(DEMO_COMMENTS)])
            created += 1
    return created


def connect_demo_pages(
    vk_pages: list[tuple[Page, VkCommunity]],
    tg_pages: list[tuple[Page, TgChat, TgBot]],
    admin_tokens: dict[int, VkToken],
    curators: dict[int, User],
) -> int:
    """Connect the demo networks' pages to their sandbox community or channel (issue 6: an approved post
    appears on its sandbox wall and channel), through the registry's service, as their curator would.
    A page that already has a connection keeps it, whatever a person has made of it since."""
    from kurator.accounts.demo import NETWORKS
    from kurator.registry.choices import ConnectionEndpoint, PublishingMode
    from kurator.registry.models import PageConnection
    from kurator.registry.services import connection_save, page_update

    demo_slugs = {spec.slug for spec in NETWORKS}
    wanted: list[tuple[Page, str, str, str]] = []
    for page, community in vk_pages:
        admin = admin_tokens.get(page.network_id)
        if admin is not None:
            own = community.community_tokens.filter(kind=VkTokenKind.COMMUNITY, revoked_at__isnull=True).first()
            wanted.append((page, str(community.group_id), admin.token, own.token if own else ""))
    for page, channel, bot in tg_pages:
        wanted.append((page, f"@{channel.username}", bot.token, ""))
    connected = 0
    for page, target, token, community_token in wanted:
        curator = curators.get(page.network_id)
        if curator is None or page.network.slug not in demo_slugs:
            continue
        if PageConnection.objects.filter(page=page).exists():
            continue
        connection_save(
            by=curator,
            page=page,
            endpoint=ConnectionEndpoint.SANDBOX,
            target=target,
            token=token,
            community_token=community_token,
        )
        if page.publishing_mode != PublishingMode.AUTOMATIC:
            page_update(by=curator, page=page, publishing_mode=PublishingMode.AUTOMATIC)
        connected += 1
    return connected


@transaction.atomic
def load_sandbox_demo() -> SandboxDemoResult:
    from kurator.accounts.choices import Role
    from kurator.accounts.models import RoleAssignment

    result = SandboxDemoResult()
    readers = ensure_readers()
    pages = Page.objects.filter(social_network__in=["vk", "telegram"]).select_related("network").order_by("pk")
    by_network: dict[int, list[VkCommunity]] = {}
    vk_pages: list[tuple[Page, VkCommunity]] = []
    tg_pages: list[tuple[Page, TgChat, TgBot]] = []
    for page in pages:
        if page.social_network == "vk":
            screen_name = vk_screen_name(page.url)
            if screen_name is None:
                continue
            community, created = ensure_vk_community(screen_name, page.name, page.network_id)
            result.communities.append(community)
            by_network.setdefault(page.network_id, []).append(community)
            vk_pages.append((page, community))
            result.created += int(created) + seed_vk_posts(community, readers)
        else:
            username = tg_username(page.url)
            if username is None:
                continue
            bot = ensure_bot(
                f"{page.network.slug}_library", str(page.network.short_name or page.network.name), page.network_id
            )
            channel, created = ensure_tg_channel(username, page.name, bot, page.network_id)
            result.channels.append(channel)
            tg_pages.append((page, channel, bot))
            result.created += int(created) + seed_tg_posts(channel, bot, readers)
    admin_tokens: dict[int, VkToken] = {}
    curators: dict[int, User] = {}
    for network_id in sorted({page.network_id for page in pages}):
        curator = (
            RoleAssignment.objects.filter(network_id=network_id, role=Role.CURATOR)
            .select_related("person")
            .order_by("pk")
            .first()
        )
        if curator is not None:
            curators[network_id] = curator.person
        if network_id in by_network:
            who = curator.person.get_short_name() if curator else str(network_id)
            admin_tokens[network_id] = ensure_vk_admin_token(
                FIRST_ADMIN_VK_ID + network_id, f"{who} (куратор)", by_network[network_id], network_id
            )
    result.connected = connect_demo_pages(vk_pages, tg_pages, admin_tokens, curators)
    return result
