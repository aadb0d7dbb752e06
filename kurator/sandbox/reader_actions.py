"""What a reader does on the sandbox networks: comment, like, repost, write to the community, react.

A trainer acting as a reader (003 § 5.5) and the simulated readers both come through here, so every
action lands in three places at once, as on the real networks: the sandbox's own tables (what the reader
view shows), the ledger (the witness), and the events the network APIs deliver to Kurator (VK's Bots Long
Poll / Callback API events, Telegram's updates)."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone

from kurator.sandbox import tg_service, tg_updates, tg_wire, vk_events, vk_service, vk_wire
from kurator.sandbox.choices import LedgerAction, Network, TgChatType
from kurator.sandbox.ledger import ledger_record
from kurator.sandbox.models import (
    Reader,
    TgBot,
    TgChat,
    TgMembership,
    TgMessage,
    VkBan,
    VkComment,
    VkCommunity,
    VkMessage,
    VkPost,
)


class ReaderActionRefused(Exception):
    """The network would refuse this reader's action (a ban, a deleted post, a channel without comments)."""


def vk_actor(reader: Reader) -> str:
    """How the ledger names a reader: by their id on that network, as the network would."""
    return f"reader:{reader.vk_id}"


# --- identifiers ---------------------------------------------------------------------------------
# The sandbox numbers objects per community (VK) and per chat (Telegram), as the networks do. The
# community / chat row is locked while the next number is taken, so two writers never get the same one
# (called outside a transaction, the lock is brief and the unique constraints still catch a race).


@transaction.atomic
def next_vk_post_id(community: VkCommunity) -> int:
    VkCommunity.objects.select_for_update().filter(pk=community.pk).first()
    last = VkPost.objects.filter(community=community).aggregate(m=Max("post_id"))["m"] or 0
    return last + 1


@transaction.atomic
def next_tg_message_id(chat: TgChat) -> int:
    locked = TgChat.objects.select_for_update().get(pk=chat.pk)
    # The counter is trusted, but never below what the chat already holds (rows written by other paths).
    last = TgMessage.objects.filter(chat=chat).aggregate(m=Max("message_id"))["m"] or 0
    number = max(locked.next_message_id, last + 1)
    TgChat.objects.filter(pk=chat.pk).update(next_message_id=number + 1)
    return number


# --- VK ------------------------------------------------------------------------------------------


def _refuse_if_banned(community: VkCommunity, reader: Reader) -> None:
    ban = VkBan.objects.filter(community=community, user_id=reader.vk_id).first()
    if ban is not None and (ban.end_date is None or ban.end_date > timezone.now()):
        raise ReaderActionRefused("banned")


def _refuse_if_hidden(post: VkPost) -> None:
    if post.deleted_at is not None or post.postponed or post.date > timezone.now():
        raise ReaderActionRefused("no such post")


def reader_comments_vk(post: VkPost, reader: Reader, text: str, *, reply_to_comment: int | None = None) -> VkComment:
    """Through the sandbox's one write path for comments (numbered, ledgered, announced as wall_reply_new)."""
    _refuse_if_hidden(post)
    _refuse_if_banned(post.community, reader)
    return vk_service.create_comment(
        post=post, from_id=reader.vk_id, text=text, actor=vk_actor(reader), reply_to_comment=reply_to_comment
    )


@transaction.atomic
def reader_likes_vk(post: VkPost, reader: Reader) -> VkPost:
    _refuse_if_hidden(post)
    VkPost.objects.filter(pk=post.pk).update(likes=F("likes") + 1)
    post.refresh_from_db(fields=["likes"])
    community = post.community
    ledger_record(
        network=Network.VK,
        action=LedgerAction.CREATED,
        kind="like",
        place=community.owner_id,
        object_id=post.post_id,
        actor=vk_actor(reader),
    )
    vk_events.emit_like(community, liker_id=reader.vk_id, object_type="post", object_id=post.post_id)
    return post


@transaction.atomic
def reader_reposts_vk(post: VkPost, reader: Reader) -> VkPost:
    _refuse_if_hidden(post)
    VkPost.objects.filter(pk=post.pk).update(reposts=F("reposts") + 1)
    post.refresh_from_db(fields=["reposts"])
    community = post.community
    ledger_record(
        network=Network.VK,
        action=LedgerAction.CREATED,
        kind="repost",
        place=community.owner_id,
        object_id=post.post_id,
        actor=vk_actor(reader),
    )
    # VK's wall_repost object is the reader's new post, with the community's post in copy_history.
    vk_events.emit(
        community,
        "wall_repost",
        {
            "id": post.reposts,
            "owner_id": reader.vk_id,
            "from_id": reader.vk_id,
            "date": int(timezone.now().timestamp()),
            "post_type": "post",
            "text": "",
            "copy_history": [vk_wire.post_json(post)],
        },
    )
    return post


def reader_views_vk(post: VkPost, count: int = 1) -> None:
    """Views only grow a counter: neither VK nor the ledger records who looked."""
    VkPost.objects.filter(pk=post.pk).update(views=F("views") + count)


def reader_writes_vk(community: VkCommunity, reader: Reader, text: str) -> VkMessage:
    """Through the sandbox's one write path for incoming messages (the dialog becomes unanswered again,
    ledgered, announced as message_new)."""
    _refuse_if_banned(community, reader)
    return vk_service.receive_message(community, peer_id=reader.vk_id, text=text, actor=vk_actor(reader))


# --- Telegram ------------------------------------------------------------------------------------


def discussion_forward(channel_post: TgMessage) -> TgMessage | None:
    """The automatic forward of a channel post in the linked discussion group: comments reply to it."""
    forward = tg_service.comment_target(channel_post)
    return forward if forward is not None and forward.deleted_at is None else None


def reader_comments_tg(channel_post: TgMessage, reader: Reader, text: str) -> TgMessage:
    """A reply to the post's automatic forward in the discussion group; the group's bots get a "message"."""
    if channel_post.deleted_at is not None:
        raise ReaderActionRefused("no such post")
    forward = discussion_forward(channel_post)
    if forward is None:
        raise ReaderActionRefused("comments are off")
    return tg_service.reader_message(reader=reader, chat=forward.chat, text=text, reply_to=forward)


@transaction.atomic
def reader_reacts_tg(channel_post: TgMessage, emoji: str) -> TgMessage:
    """Channel reactions are anonymous: only the count per emoji changes (message_reaction_count)."""
    if channel_post.deleted_at is not None:
        raise ReaderActionRefused("no such post")
    post = tg_service.react(channel_post, emoji)
    ledger_record(
        network=Network.TELEGRAM,
        action=LedgerAction.CREATED,
        kind="reaction",
        place=channel_post.chat.chat_id,
        object_id=channel_post.message_id,
        actor="reader",  # anonymous, as in a channel
        payload={"emoji": emoji},
    )
    return post


def reader_views_tg(channel_post: TgMessage, count: int = 1) -> None:
    TgMessage.objects.filter(pk=channel_post.pk).update(views=F("views") + count)


def private_chat(bot: TgBot, reader: Reader) -> TgChat:
    """A reader's private chat with a bot: in Telegram its id is the reader's user id, the same for
    every bot, but each bot has a dialog of its own with the reader."""
    chat, _created = TgChat.objects.get_or_create(
        chat_id=reader.tg_id, dialog_bot=bot, defaults={"type": TgChatType.PRIVATE, "title": reader.name}
    )
    TgMembership.objects.get_or_create(bot=bot, chat=chat, defaults={"status": "member"})
    return chat


def _bot_status_in_private_chat(bot: TgBot, reader: Reader, chat: TgChat, status: str) -> None:
    """Blocking and restarting a bot change its place in the private chat, and the bot is told by
    my_chat_member, sent by the reader (not by a chat owner, as in a channel)."""
    member = TgMembership.objects.get(bot=bot, chat=chat)
    old_status = member.status
    if old_status == status:
        return
    member.status = status
    member.save(update_fields=["status"])
    tg_updates.emit_to(
        bot,
        "my_chat_member",
        {
            "chat": tg_wire.chat_json(chat),
            "from": tg_wire.user_json(reader),
            "date": tg_wire.unix(timezone.now()),
            "old_chat_member": tg_wire.chat_member_json(bot, member, old_status),
            "new_chat_member": tg_wire.chat_member_json(bot, member, status),
        },
    )


def reader_writes_tg(bot: TgBot, reader: Reader, text: str) -> TgMessage:
    """A message in the reader's private chat with the bot. Writing to a bot one blocked restarts it,
    as Telegram's "Restart" button does."""
    chat = private_chat(bot, reader)
    _bot_status_in_private_chat(bot, reader, chat, "member")
    return tg_service.reader_message(reader=reader, chat=chat, text=text)


def reader_blocks_tg(bot: TgBot, reader: Reader) -> None:
    """The reader blocks the bot: from now on the bot's messages to them fail with 403."""
    _bot_status_in_private_chat(bot, reader, private_chat(bot, reader), "kicked")
