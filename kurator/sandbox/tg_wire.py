"""The sandbox's Telegram objects as the Bot API writes them on the wire: Message, Chat, ChatFullInfo,
User, PhotoSize, Video, File, Update. Written from the Bot API's "Available types" section; fields that are
absent in a real answer are left out here too (clients tell "absent" from "null")."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from kurator.sandbox.choices import TgChatType
from kurator.sandbox.models import Reader, TgBot, TgChat, TgFile, TgMembership, TgMessage, TgUpdate

FILE_PREFIX = "sandbox/telegram/"
# Automatic forwards into a discussion group come "from" Telegram's service account, as on Telegram.
TELEGRAM_SERVICE_USER = {"id": 777000, "is_bot": False, "first_name": "Telegram"}


def unix(moment: datetime) -> int:
    return int(moment.timestamp())


def user_json(who: TgBot | Reader) -> dict[str, Any]:
    if isinstance(who, TgBot):
        return {"id": int(who.user_id), "is_bot": True, "first_name": who.first_name, "username": who.username}
    return {"id": int(who.tg_id), "is_bot": False, "first_name": who.name, "language_code": "ru"}


def me_json(bot: TgBot) -> dict[str, Any]:
    """getMe: a User with the bot-only capability flags."""
    return {
        **user_json(bot),
        "can_join_groups": True,
        "can_read_all_group_messages": False,
        "supports_inline_queries": False,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }


def chat_json(chat: TgChat) -> dict[str, Any]:
    data: dict[str, Any] = {"id": int(chat.chat_id), "type": chat.type}
    if chat.type == TgChatType.PRIVATE:
        data["first_name"] = chat.title or str(chat.chat_id)
    else:
        data["title"] = chat.title
    if chat.username:
        data["username"] = chat.username
    return data


def linked_chat_id(chat: TgChat) -> int | None:
    """A channel names its discussion group, and the group names its channel."""
    if chat.linked_chat_id:
        return int(chat.linked_chat.chat_id)  # type: ignore[union-attr]
    linked_from = TgChat.objects.filter(linked_chat=chat).first()
    return int(linked_from.chat_id) if linked_from else None


def chat_full_json(chat: TgChat) -> dict[str, Any]:
    """getChat answers a ChatFullInfo (Bot API 7.3+): the Chat plus fields clients require."""
    data = {
        **chat_json(chat),
        "accent_color_id": 0,
        "max_reaction_count": 11,
        "accepted_gift_types": {
            "unlimited_gifts": False,
            "limited_gifts": False,
            "unique_gifts": False,
            "premium_subscription": False,
            "gifts_from_channels": False,
        },
    }
    linked = linked_chat_id(chat)
    if linked is not None and chat.type != TgChatType.PRIVATE:
        data["linked_chat_id"] = linked
    return data


def file_path(file: TgFile) -> str:
    """The path getFile hands out and the download address takes: the stored name minus our folder."""
    name = file.file.name or ""
    return name[len(FILE_PREFIX) :] if name.startswith(FILE_PREFIX) else name


def photo_sizes_json(file: TgFile) -> list[dict[str, Any]]:
    # Telegram lists several sizes of one photo; the sandbox keeps only the original, so the list has one.
    return [
        {
            "file_id": file.file_id,
            "file_unique_id": file.file_unique_id,
            "width": int(file.width),
            "height": int(file.height),
            "file_size": int(file.size),
        }
    ]


def video_json(file: TgFile) -> dict[str, Any]:
    """Video. The sandbox makes no thumbnail and keeps no original file name: Telegram leaves out
    "thumbnail" and "file_name" when it has none."""
    return {
        "file_id": file.file_id,
        "file_unique_id": file.file_unique_id,
        "width": int(file.width),
        "height": int(file.height),
        "duration": int(file.duration),
        "mime_type": file.mime_type or "video/mp4",
        "file_size": int(file.size),
    }


def file_json(file: TgFile) -> dict[str, Any]:
    return {
        "file_id": file.file_id,
        "file_unique_id": file.file_unique_id,
        "file_size": int(file.size),
        "file_path": file_path(file),
    }


def _sender(msg: TgMessage) -> dict[str, Any]:
    data: dict[str, Any] = {}
    if msg.is_automatic_forward:
        data["from"] = dict(TELEGRAM_SERVICE_USER)
    elif msg.chat.type != TgChatType.CHANNEL:
        # In a channel a post has no "from": it is signed by the channel itself (sender_chat).
        if msg.from_bot_id:
            data["from"] = user_json(msg.from_bot)  # type: ignore[arg-type]
        elif msg.from_reader_id:
            data["from"] = user_json(msg.from_reader)  # type: ignore[arg-type]
    if msg.chat.type == TgChatType.CHANNEL:
        data["sender_chat"] = chat_json(msg.chat)
    elif msg.sender_chat_id:
        data["sender_chat"] = chat_json(msg.sender_chat)  # type: ignore[arg-type]
    return data


def _forward_origin(original: TgMessage) -> dict[str, Any]:
    return {
        "type": "channel",
        "chat": chat_json(original.chat),
        "message_id": int(original.message_id),
        "date": unix(original.date),
    }


def discussion_thread(msg: TgMessage) -> int | None:
    """In a discussion group, the comments under a post (and the answers to them) form a thread named
    by the post's automatic forward: Telegram sends it as message_thread_id."""
    node = msg.reply_to
    for _ in range(100):
        if node is None:
            return None
        if node.is_automatic_forward:
            return int(node.message_id)
        node = node.reply_to
    return None


def message_json(msg: TgMessage, *, with_reply: bool = True) -> dict[str, Any]:
    data: dict[str, Any] = {"message_id": int(msg.message_id)}
    if msg.chat.type == TgChatType.SUPERGROUP and (thread := discussion_thread(msg)) is not None:
        data["message_thread_id"] = thread
    data.update(_sender(msg))
    data["chat"] = chat_json(msg.chat)
    data["date"] = unix(msg.date)
    if msg.forward_of_id:
        data["forward_origin"] = _forward_origin(msg.forward_of)  # type: ignore[arg-type]
    if msg.is_automatic_forward:
        data["is_automatic_forward"] = True
    if with_reply and msg.reply_to_id and msg.reply_to.deleted_at is None:  # type: ignore[union-attr]
        # Telegram nests the replied-to message one level deep only.
        data["reply_to_message"] = message_json(msg.reply_to, with_reply=False)  # type: ignore[arg-type]
    if msg.edited_at:
        data["edit_date"] = unix(msg.edited_at)
    if msg.media_group_id:
        data["media_group_id"] = msg.media_group_id
    if msg.photo_id or msg.video_id:
        if msg.photo_id:
            data["photo"] = photo_sizes_json(msg.photo)  # type: ignore[arg-type]
        else:
            data["video"] = video_json(msg.video)  # type: ignore[arg-type]
        if msg.caption:
            data["caption"] = msg.caption
            if msg.entities:
                data["caption_entities"] = msg.entities
    else:
        data["text"] = msg.text
        if msg.entities:
            data["entities"] = msg.entities
    return data


def reaction_count_json(msg: TgMessage, at: datetime) -> dict[str, Any]:
    """MessageReactionCountUpdated: anonymous reactions as totals, which is how channels report them."""
    reactions = [
        {"type": {"type": "emoji", "emoji": emoji}, "total_count": int(count)}
        for emoji, count in sorted(msg.reactions.items(), key=lambda item: -int(item[1]))
        if int(count) > 0
    ]
    return {"chat": chat_json(msg.chat), "message_id": int(msg.message_id), "date": unix(at), "reactions": reactions}


# The chat's owner as a bot sees them in ChatMemberUpdated.from (the sandbox has no owner accounts).
CHAT_OWNER_USER = {"id": 1000001, "is_bot": False, "first_name": "Владелец"}


def chat_member_json(bot: TgBot, membership: TgMembership, status: str) -> dict[str, Any]:
    """ChatMember of the bot: an administrator with its rights, or a plain status (member, left, kicked)."""
    data: dict[str, Any] = {"status": status, "user": user_json(bot)}
    if status == "administrator":
        data.update(
            can_be_edited=False,
            is_anonymous=False,
            can_manage_chat=True,
            can_delete_messages=bool(membership.can_delete_messages),
            can_manage_video_chats=False,
            can_restrict_members=False,
            can_promote_members=False,
            can_change_info=False,
            can_invite_users=True,
            can_post_stories=False,
            can_edit_stories=False,
            can_delete_stories=False,
        )
        if membership.chat.type == TgChatType.CHANNEL:
            data.update(can_post_messages=bool(membership.can_post_messages), can_edit_messages=True)
    elif status == "kicked":
        data["until_date"] = 0
    return data


def owner_member_json() -> dict[str, Any]:
    return {"status": "creator", "user": dict(CHAT_OWNER_USER), "is_anonymous": False}


def my_chat_member_json(membership: TgMembership, old_status: str, new_status: str, at: datetime) -> dict[str, Any]:
    """ChatMemberUpdated for my_chat_member: how a bot learns it lost its place in a chat."""
    return {
        "chat": chat_json(membership.chat),
        "from": dict(CHAT_OWNER_USER),
        "date": unix(at),
        "old_chat_member": chat_member_json(membership.bot, membership, old_status),
        "new_chat_member": chat_member_json(membership.bot, membership, new_status),
    }


def update_json(update: TgUpdate) -> dict[str, Any]:
    return {"update_id": int(update.update_id), update.type: update.payload}
