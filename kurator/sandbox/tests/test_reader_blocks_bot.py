"""A reader blocks a bot and starts it again, as in Telegram: the bot is told by my_chat_member, and its
messages to the reader fail with Telegram's 403 while it is blocked."""

from __future__ import annotations

import pytest

from kurator.sandbox import reader_actions, tg_service
from kurator.sandbox.demo import ensure_bot, ensure_readers
from kurator.sandbox.models import TgUpdate
from kurator.sandbox.tg_errors import TgError


@pytest.fixture
def reader(db):
    return ensure_readers(1)[0]


@pytest.fixture
def bot(db):
    return ensure_bot("notify_test", "Уведомления")


def test_a_blocked_bot_is_told_and_its_messages_to_the_reader_fail_with_403(bot, reader):
    chat = reader_actions.private_chat(bot, reader)

    reader_actions.reader_blocks_tg(bot, reader)

    update = TgUpdate.objects.get(bot=bot, type="my_chat_member")
    assert update.payload["chat"]["id"] == reader.tg_id
    assert update.payload["from"]["id"] == reader.tg_id
    assert (update.payload["old_chat_member"]["status"], update.payload["new_chat_member"]["status"]) == (
        "member",
        "kicked",
    )
    with pytest.raises(TgError) as refused:
        tg_service.send_message(bot=bot, chat=chat, text="Новое уведомление")
    assert (refused.value.code, refused.value.description) == (403, "Forbidden: bot was blocked by the user")


def test_writing_to_a_blocked_bot_restarts_it_and_it_may_answer_again(bot, reader):
    reader_actions.reader_blocks_tg(bot, reader)

    message = reader_actions.reader_writes_tg(bot, reader, "/start")
    answer = tg_service.send_message(bot=bot, chat=message.chat, text="Снова здесь")

    statuses = [u.payload["new_chat_member"]["status"] for u in TgUpdate.objects.filter(type="my_chat_member")]
    assert statuses == ["kicked", "member"]
    assert answer.text == "Снова здесь"
    assert TgUpdate.objects.filter(bot=bot, type="message").get().payload["text"] == "/start"
