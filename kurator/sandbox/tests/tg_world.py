"""A small Telegram world for the sandbox's Telegram tests: one bot, a channel with its discussion
group (the bot administers both) and a reader."""

from __future__ import annotations

from dataclasses import dataclass

from kurator.sandbox.choices import TgChatType
from kurator.sandbox.models import Reader, TgBot, TgChat, TgMembership

TOKEN = "123456:AAH-sandbox_test_token"


@dataclass
class TgWorld:
    bot: TgBot
    channel: TgChat
    group: TgChat
    reader: Reader

    def url(self, method: str, token: str = TOKEN) -> str:
        return f"/sandbox/telegram/bot{token}/{method}"


def build_tg_world() -> TgWorld:
    bot = TgBot.objects.create(token=TOKEN, user_id=123456, username="library_sandbox_bot", first_name="Библиотека")
    group = TgChat.objects.create(
        chat_id=-1001000000002, type=TgChatType.SUPERGROUP, title="Библиотека № 1 — обсуждение", member_count=40
    )
    channel = TgChat.objects.create(
        chat_id=-1001000000001,
        type=TgChatType.CHANNEL,
        title="Библиотека № 1",
        username="library_one",
        member_count=1520,
        linked_chat=group,
    )
    TgMembership.objects.create(bot=bot, chat=channel)
    TgMembership.objects.create(bot=bot, chat=group)
    reader = Reader.objects.create(name="Анна Петрова", vk_id=900001, tg_id=700001)
    return TgWorld(bot=bot, channel=channel, group=group, reader=reader)
