"""A reader's actions land in the sandbox's tables, in the ledger, and in the events the APIs deliver."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from kurator.sandbox import reader_actions, tg_service
from kurator.sandbox.demo import ensure_bot, ensure_readers, ensure_tg_channel, ensure_vk_community
from kurator.sandbox.models import LedgerEntry, TgMessage, TgUpdate, VkBan, VkConversation, VkEvent, VkPost


@pytest.fixture
def reader(db):
    return ensure_readers(2)[0]


@pytest.fixture
def community(db):
    return ensure_vk_community("test_library", "Тестовая библиотека")[0]


@pytest.fixture
def post(community):
    return VkPost.objects.create(
        community=community, post_id=1, from_id=community.owner_id, text="Новые книги", date=timezone.now()
    )


@pytest.fixture
def bot(db):
    bot = ensure_bot("test_library", "Тестовая")
    bot.allowed_updates = ["message", "channel_post", "message_reaction_count"]
    bot.save()
    return bot


@pytest.fixture
def channel(bot):
    return ensure_tg_channel("test_channel", "Тестовый канал", bot)[0]


@pytest.fixture
def channel_post(channel, bot):
    post = TgMessage.objects.create(
        chat=channel, message_id=reader_actions.next_tg_message_id(channel), from_bot=bot, text="Анонс"
    )
    tg_service.forward_to_discussion(post)
    return post


def test_a_reader_comment_on_a_vk_wall_is_stored_ledgered_and_delivered_as_wall_reply_new(post, reader):
    comment = reader_actions.reader_comments_vk(post, reader, "А во сколько начало?")

    assert comment.from_id == reader.vk_id and comment.comment_id == 1
    entry = LedgerEntry.objects.get(kind="comment")
    assert (entry.network, entry.action, entry.place, entry.object_id) == ("vk", "created", "-220000001", "1")
    event = VkEvent.objects.get(type="wall_reply_new")
    assert event.object["text"] == "А во сколько начало?"
    assert event.object["post_id"] == post.post_id
    assert event.object["from_id"] == reader.vk_id


def test_comments_are_numbered_one_after_another_in_the_community(post, reader):
    ids = [reader_actions.reader_comments_vk(post, reader, f"№{i}").comment_id for i in range(3)]
    assert ids == [1, 2, 3]


def test_a_banned_reader_may_not_comment_or_write(post, reader, community):
    VkBan.objects.create(community=community, user_id=reader.vk_id, reason=1)

    with pytest.raises(reader_actions.ReaderActionRefused):
        reader_actions.reader_comments_vk(post, reader, "спам")
    with pytest.raises(reader_actions.ReaderActionRefused):
        reader_actions.reader_writes_vk(community, reader, "спам")
    assert not LedgerEntry.objects.exists()


def test_a_ban_that_has_ended_no_longer_stops_the_reader(post, reader, community):
    VkBan.objects.create(community=community, user_id=reader.vk_id, end_date=timezone.now() - timedelta(minutes=1))
    reader_actions.reader_comments_vk(post, reader, "Я снова здесь")
    assert post.comments.count() == 1


def test_a_postponed_post_cannot_be_commented_on(community, reader):
    later = VkPost.objects.create(
        community=community,
        post_id=7,
        from_id=community.owner_id,
        text="Завтра",
        date=timezone.now() + timedelta(days=1),
        postponed=True,
    )
    with pytest.raises(reader_actions.ReaderActionRefused):
        reader_actions.reader_comments_vk(later, reader, "?")


def test_a_like_counts_and_arrives_as_like_add(post, reader):
    reader_actions.reader_likes_vk(post, reader)
    reader_actions.reader_likes_vk(post, reader)

    post.refresh_from_db()
    assert post.likes == 2
    events = VkEvent.objects.filter(type="like_add")
    assert events.count() == 2
    assert events.first().object["object_id"] == post.post_id
    assert events.first().object["liker_id"] == reader.vk_id
    assert LedgerEntry.objects.filter(kind="like").count() == 2


def test_a_repost_counts_and_arrives_as_wall_repost_with_the_original(post, reader):
    reader_actions.reader_reposts_vk(post, reader)
    post.refresh_from_db()
    assert post.reposts == 1
    event = VkEvent.objects.get(type="wall_repost")
    assert event.object["copy_history"][0]["id"] == post.post_id


def test_a_message_to_the_community_reopens_the_dialog_and_arrives_as_message_new(community, reader):
    VkConversation.objects.create(community=community, peer_id=reader.vk_id, marked_answered=True)

    message = reader_actions.reader_writes_vk(community, reader, "Продлите, пожалуйста, книгу")

    assert not message.out and message.peer_id == reader.vk_id
    assert not VkConversation.objects.get(community=community, peer_id=reader.vk_id).marked_answered
    event = VkEvent.objects.get(type="message_new")
    assert event.object["message"]["text"] == "Продлите, пожалуйста, книгу"
    assert event.object["message"]["from_id"] == reader.vk_id
    assert LedgerEntry.objects.get(kind="message").place == str(community.owner_id)


def test_a_channel_comment_is_a_reply_to_the_automatic_forward_in_the_discussion_group(channel_post, reader, bot):
    comment = reader_actions.reader_comments_tg(channel_post, reader, "Спасибо!")

    forward = reader_actions.discussion_forward(channel_post)
    assert comment.chat == channel_post.chat.linked_chat
    assert comment.reply_to == forward
    update = TgUpdate.objects.filter(bot=bot, type="message").last()
    assert update.payload["text"] == "Спасибо!"
    assert update.payload["reply_to_message"]["is_automatic_forward"] is True
    assert update.payload["from"]["id"] == reader.tg_id
    entry = LedgerEntry.objects.get(network="telegram", kind="comment")
    assert entry.place == str(comment.chat.chat_id)


def test_a_channel_without_a_discussion_group_refuses_comments(bot, reader):
    lonely = ensure_tg_channel("lonely_channel", "Без обсуждения", bot)[0]
    lonely.linked_chat = None
    lonely.save()
    post = TgMessage.objects.create(chat=lonely, message_id=1, from_bot=bot, text="Пост")
    with pytest.raises(reader_actions.ReaderActionRefused):
        reader_actions.reader_comments_tg(post, reader, "?")


def test_a_reaction_adds_to_the_count_and_arrives_as_message_reaction_count(channel_post, bot):
    reader_actions.reader_reacts_tg(channel_post, "👍")
    reader_actions.reader_reacts_tg(channel_post, "👍")
    reader_actions.reader_reacts_tg(channel_post, "🔥")

    channel_post.refresh_from_db()
    assert channel_post.reactions == {"👍": 2, "🔥": 1}
    update = TgUpdate.objects.filter(bot=bot, type="message_reaction_count").last()
    assert {r["type"]["emoji"]: r["total_count"] for r in update.payload["reactions"]} == {"👍": 2, "🔥": 1}


def test_a_private_message_goes_to_the_bot_in_the_readers_own_chat(bot, reader):
    message = reader_actions.reader_writes_tg(bot, reader, "Как получить пароль?")

    assert message.chat.chat_id == reader.tg_id and message.chat.type == "private"
    update = TgUpdate.objects.get(bot=bot, type="message")
    assert update.payload["chat"]["type"] == "private"
    assert update.payload["text"] == "Как получить пароль?"
    assert LedgerEntry.objects.get(network="telegram", kind="message").place == str(reader.tg_id)
