"""A reader's private chats with the bots of two networks, as on Telegram: the chat id is the reader's
user id for every bot, but each bot has a dialog of its own, with its own messages and message ids."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.urls import reverse

from kurator.core.testing.cast import enable_totp
from kurator.sandbox import reader_actions, tg_service
from kurator.sandbox.choices import TgChatType
from kurator.sandbox.demo import ensure_bot, ensure_readers, ensure_tg_channel
from kurator.sandbox.ledger import DIALOG_KEY
from kurator.sandbox.models import LedgerEntry, TgBot, TgChat, TgMembership, TgMessage, TgUpdate
from kurator.sandbox.tg_errors import TgError

pytestmark = pytest.mark.django_db


@pytest.fixture
def reader():
    return ensure_readers(1)[0]


@pytest.fixture
def north():
    return ensure_bot("north_library", "Север")


@pytest.fixture
def west():
    return ensure_bot("west_library", "Запад")


def call(client, bot: TgBot, method: str, **params):
    response = client.post(f"/sandbox/telegram/bot{bot.token}/{method}", params, content_type="application/json")
    return response.json()


def texts_of_updates(client, bot: TgBot) -> list[str]:
    body = call(client, bot, "getUpdates")
    assert body["ok"] is True
    return [update["message"]["text"] for update in body["result"] if "message" in update]


def test_a_reader_writes_to_norths_bot_and_wests_bot_does_not_get_it_from_get_updates(client, reader, north, west):
    reader_actions.reader_writes_tg(west, reader, "Западу")  # the reader knows both bots

    reader_actions.reader_writes_tg(north, reader, "Северу")

    assert texts_of_updates(client, west) == ["Западу"]
    assert texts_of_updates(client, north) == ["Северу"]


def test_each_bot_sees_only_its_own_dialogs_messages(client, reader, north, west):
    reader_actions.reader_writes_tg(north, reader, "Северу")
    reader_actions.reader_writes_tg(west, reader, "Западу")

    sent = call(client, north, "sendMessage", chat_id=reader.tg_id, text="Ответ севера")["result"]

    # On the wire both dialogs are the same private chat: the reader's id.
    assert sent["chat"] == {"id": reader.tg_id, "type": "private", "first_name": reader.name}
    north_dialog = TgChat.objects.get(chat_id=reader.tg_id, dialog_bot=north)
    west_dialog = TgChat.objects.get(chat_id=reader.tg_id, dialog_bot=west)
    assert list(north_dialog.messages.values_list("text", flat=True)) == ["Северу", "Ответ севера"]
    assert list(west_dialog.messages.values_list("text", flat=True)) == ["Западу"]
    assert not TgUpdate.objects.filter(bot=west, payload__text="Ответ севера").exists()
    assert north_dialog.type == west_dialog.type == TgChatType.PRIVATE
    # A reply names a message of the bot's own dialog, never one of the other bot's.
    answer = call(client, west, "sendMessage", chat_id=reader.tg_id, text="Ответ запада", reply_to_message_id=1)
    assert answer["result"]["reply_to_message"]["text"] == "Западу"


def test_message_ids_in_two_dialogs_with_the_same_reader_do_not_collide_or_cross(client, reader, north, west):
    reader_actions.reader_writes_tg(north, reader, "Северу")
    reader_actions.reader_writes_tg(west, reader, "Западу")
    north_sent = call(client, north, "sendMessage", chat_id=reader.tg_id, text="Север отвечает")["result"]
    west_sent = call(client, west, "sendMessage", chat_id=reader.tg_id, text="Запад отвечает")["result"]
    assert north_sent["message_id"] == west_sent["message_id"] == 2  # counted per dialog, as on Telegram

    edited = call(client, west, "editMessageText", chat_id=reader.tg_id, message_id=2, text="Запад исправил")
    deleted = call(client, north, "deleteMessage", chat_id=reader.tg_id, message_id=2)
    not_its_own = call(client, west, "editMessageText", chat_id=reader.tg_id, message_id=1, text="Чужое")

    assert edited["ok"] is True and deleted["ok"] is True
    assert not_its_own["description"] == "Bad Request: message can't be edited"  # the reader's, in west's dialog
    north_two = TgMessage.objects.get(chat__dialog_bot=north, message_id=2)
    west_two = TgMessage.objects.get(chat__dialog_bot=west, message_id=2)
    assert (north_two.text, north_two.edited_at, north_two.deleted_at is not None) == ("Север отвечает", None, True)
    assert (west_two.text, west_two.deleted_at) == ("Запад исправил", None)
    assert TgMessage.objects.get(chat__dialog_bot=north, message_id=1).text == "Северу"
    entries = LedgerEntry.objects.filter(place=str(reader.tg_id), action="deleted")
    assert [entry.payload[DIALOG_KEY] for entry in entries] == [north.user_id]


def test_a_bot_the_reader_never_wrote_to_does_not_find_the_chat_another_bot_has_with_them(client, reader, north, west):
    reader_actions.reader_writes_tg(north, reader, "Северу")

    body = call(client, west, "sendMessage", chat_id=reader.tg_id, text="Здравствуйте")

    assert body["description"] == "Bad Request: chat not found"
    assert call(client, west, "getChat", chat_id=reader.tg_id)["description"] == "Bad Request: chat not found"


def test_a_reader_who_blocks_one_bot_still_gets_the_other_bots_messages(reader, north, west):
    north_dialog = reader_actions.reader_writes_tg(north, reader, "Северу").chat
    west_dialog = reader_actions.reader_writes_tg(west, reader, "Западу").chat

    reader_actions.reader_blocks_tg(west, reader)

    with pytest.raises(TgError) as refused:
        tg_service.send_message(bot=west, chat=west_dialog, text="Запад")
    assert refused.value.code == 403
    assert tg_service.send_message(bot=north, chat=north_dialog, text="Север").text == "Север"
    assert not TgUpdate.objects.filter(bot=north, type="my_chat_member").exists()


def test_the_reader_view_shows_only_that_bots_dialog(cast, client, north, west):
    network_id = cast["north"].network.pk
    TgBot.objects.filter(pk=north.pk).update(network_id=network_id)
    channel = ensure_tg_channel("channel_north", "Канал севера", north, network_id)[0]
    person = cast["north"]["page_admin"]
    enable_totp(person)
    client.force_login(person)
    url = reverse("sandbox:tg_channel", args=[channel.username])
    reader = client.get(url).context["reader"]
    reader_actions.reader_writes_tg(north, reader, "Письмо северу")
    reader_actions.reader_writes_tg(west, reader, "Письмо западу")
    tg_service.send_message(bot=west, chat=TgChat.objects.get(dialog_bot=west), text="Ответ запада")

    response = client.get(url)

    assert [m.text for m in response.context["private"]] == ["Письмо северу"]
    page = response.content.decode()
    assert "Письмо северу" in page and "Письмо западу" not in page and "Ответ запада" not in page


def test_the_migration_splits_a_shared_private_chat_into_one_dialog_per_bot(reader, north, west):
    shared = TgChat.objects.create(chat_id=reader.tg_id, type=TgChatType.PRIVATE, title=reader.name, next_message_id=5)
    TgMembership.objects.create(bot=north, chat=shared, status="member")
    TgMembership.objects.create(bot=west, chat=shared, status="kicked")
    for number, (bot, text, reply_to) in enumerate(
        [(None, "Северу", None), (north, "Ответ севера", None), (west, "Запад пишет", None), (None, "Западу", 3)],
        start=1,
    ):
        TgMessage.objects.create(
            chat=shared,
            message_id=number,
            from_bot=bot,
            from_reader=None if bot else reader,
            text=text,
            reply_to=TgMessage.objects.filter(chat=shared, message_id=reply_to).first(),
        )
    migration = importlib.import_module("kurator.sandbox.migrations.0004_split_shared_private_chats")

    migration.split(apps, None)

    north_dialog = TgChat.objects.get(chat_id=reader.tg_id, dialog_bot=north)
    west_dialog = TgChat.objects.get(chat_id=reader.tg_id, dialog_bot=west)
    assert north_dialog.pk == shared.pk
    assert list(north_dialog.messages.values_list("text", flat=True)) == ["Северу", "Ответ севера"]
    assert list(west_dialog.messages.values_list("text", flat=True)) == ["Запад пишет", "Западу"]
    assert TgMembership.objects.get(bot=west).chat == west_dialog
    assert TgMembership.objects.get(bot=west).status == "kicked"
    assert west_dialog.next_message_id == 5
