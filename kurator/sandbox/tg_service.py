"""What the sandbox's Telegram does: sending, editing and deleting messages as a bot, the flood limits,
the rights of a bot in a chat, files, channel posts forwarded into their discussion group, readers'
comments and reactions. The API view (tg_api) only parses requests and writes envelopes; the reader's
pages call `reader_message` and `react` here, so that every path records the same ledger and updates.

Texts of errors are Telegram's own (English, untranslated): adapters match on them."""

from __future__ import annotations

import math
import secrets
import time
from datetime import timedelta
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from kurator.sandbox.choices import LedgerAction, Network, TgChatType
from kurator.sandbox.ledger import DIALOG_KEY, ledger_record, token_hint
from kurator.sandbox.models import Reader, TgBot, TgChat, TgMembership, TgMessage
from kurator.sandbox.tg_entities import EntityParseError, parse, utf16_length, with_detected
from kurator.sandbox.tg_errors import TgError, bad_request
from kurator.sandbox.tg_files import input_file, photo_from, video_from
from kurator.sandbox.tg_updates import emit, emit_to
from kurator.sandbox.tg_wire import (
    CHAT_OWNER_USER,
    chat_member_json,
    message_json,
    my_chat_member_json,
    owner_member_json,
    reaction_count_json,
    user_json,
)

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
ALBUM_MIN, ALBUM_MAX = 2, 10
ALBUM_KINDS = ("photo", "video")
BOT_PER_SECOND = 30
CHAT_PER_MINUTE = 20
DELETE_WINDOW = timedelta(hours=48)


# --- tokens, chats, rights ----------------------------------------------------------------------


def bot_for_token(token: str) -> TgBot:
    bot = TgBot.objects.filter(token=token).first()
    if bot is None or bot.revoked_at is not None:
        raise TgError(401, "Unauthorized")
    return bot


def find_chat(chat_id: Any, bot: TgBot | None) -> TgChat | None:
    """A chat by its numeric id or by "@username", as chat_id accepts both. A user's id names that
    user's private dialog with `bot`: every bot has its own under the same id (see TgChat)."""
    if chat_id is None or chat_id == "":
        return None
    value = str(chat_id).strip()
    groups = TgChat.objects.exclude(type=TgChatType.PRIVATE)
    if value.startswith("@"):
        return groups.filter(username__iexact=value[1:]).first()
    try:
        number = int(value)
    except ValueError:
        return None
    found = groups.filter(chat_id=number).first()
    if found is None and bot is not None:
        found = TgChat.objects.filter(type=TgChatType.PRIVATE, chat_id=number, dialog_bot=bot).first()
    return found


def chat_for(bot: TgBot, chat_id: Any) -> TgChat:
    if chat_id is None or chat_id == "":
        raise bad_request("chat_id is empty")
    chat = find_chat(chat_id, bot)
    if chat is None:
        raise bad_request("chat not found")
    if chat.type == TgChatType.PRIVATE and not membership(bot, chat):
        raise bad_request("chat not found")  # a bot knows only the users who wrote to it
    return chat


def membership(bot: TgBot, chat: TgChat) -> TgMembership | None:
    return TgMembership.objects.filter(bot=bot, chat=chat).first()


def _chat_kind(chat: TgChat) -> str:
    return "channel" if chat.type == TgChatType.CHANNEL else "supergroup"


def check_can_send(bot: TgBot, chat: TgChat, what: str = "text messages") -> None:
    """403 when the bot is not in the chat, or is in a channel without the right to post."""
    member = membership(bot, chat)
    if chat.type == TgChatType.PRIVATE:
        if member is None or member.status == "kicked":
            raise TgError(403, "Forbidden: bot was blocked by the user")
        return
    if member is None or member.status == "left":
        raise TgError(403, f"Forbidden: bot is not a member of the {_chat_kind(chat)} chat")
    if member.status == "kicked":
        raise TgError(403, f"Forbidden: bot was kicked from the {_chat_kind(chat)} chat")
    if chat.type == TgChatType.CHANNEL and not (member.status == "administrator" and member.can_post_messages):
        raise TgError(403, f"Forbidden: not enough rights to send {what} to the chat")


def lose_admin(bot: TgBot, chat: TgChat) -> None:
    """The lose_admin fault: an owner removed the bot from the chat; the bot is told by my_chat_member."""
    member = membership(bot, chat)
    if member is None or member.status == "left":
        return
    old_status = member.status
    member.status = "left"
    member.save(update_fields=["status"])
    emit_to(bot, "my_chat_member", my_chat_member_json(member, old_status, "left", timezone.now()))


def revoke(bot: TgBot) -> None:
    """The revoke_token fault: as after BotFather's /revoke, the token stops working at once."""
    TgBot.objects.filter(pk=bot.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())


# --- flood limits -------------------------------------------------------------------------------


def _take(key: str, count: int, limit: int, window_s: int, now: float) -> int | None:
    """Count `count` sends in a fixed window; None if they fit, else the seconds until the window ends."""
    window = int(now // window_s)
    cache_key = f"tg:flood:{key}:{window_s}:{window}"
    cache.add(cache_key, 0, timeout=window_s + 1)
    try:
        used = cache.incr(cache_key, count)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, count, timeout=window_s + 1)
        used = count
    if used <= limit:
        return None
    cache.decr(cache_key, count)
    return max(1, math.ceil((window + 1) * window_s - now))


def check_flood(bot: TgBot, chat: TgChat, count: int = 1) -> None:
    """About 30 messages a second per bot and 20 a minute per group or channel; beyond that, 429."""
    now = time.time()
    wait = _take(f"bot:{bot.pk}", count, BOT_PER_SECOND, 1, now)
    if wait is None and chat.type != TgChatType.PRIVATE:
        wait = _take(f"chat:{chat.chat_id}", count, CHAT_PER_MINUTE, 60, now)
        if wait is not None:
            cache.decr(f"tg:flood:bot:{bot.pk}:1:{int(now)}", count)
    if wait is not None:
        raise TgError(429, f"Too Many Requests: retry after {wait}", retry_after=wait)


# --- text and entities --------------------------------------------------------------------------


def parsed_text(text: Any, parse_mode: Any, entities: Any, *, limit: int, too_long: str) -> tuple[str, list[dict]]:
    """Parse the markup, then measure: Telegram's limits count the text after entity parsing."""
    raw = "" if text is None else str(text)
    try:
        parsed = parse(raw, parse_mode if parse_mode else None)
    except EntityParseError as exc:
        raise bad_request(f"can't parse entities: {exc}") from exc
    except ValueError as exc:
        raise bad_request("unsupported parse_mode") from exc
    result_entities = parsed.entities
    if not parse_mode and isinstance(entities, list):
        length = utf16_length(parsed.text)
        given = [
            e for e in entities if isinstance(e, dict) and 0 <= e.get("offset", -1) < length and e.get("length", 0) > 0
        ]
        result_entities = with_detected(parsed.text, given)
    if len(parsed.text) > limit:
        raise bad_request(too_long)
    return parsed.text, result_entities


# --- messages -----------------------------------------------------------------------------------


def _allocate_message_id(chat: TgChat) -> int:
    TgChat.objects.filter(pk=chat.pk).update(next_message_id=F("next_message_id") + 1)
    return int(TgChat.objects.values_list("next_message_id", flat=True).get(pk=chat.pk)) - 1


def _reply_target(chat: TgChat, reply_to_message_id: Any) -> TgMessage | None:
    if reply_to_message_id in (None, "", 0, "0"):
        return None
    try:
        target = TgMessage.objects.filter(chat=chat, message_id=int(reply_to_message_id), deleted_at=None).first()
    except (TypeError, ValueError):
        raise bad_request("invalid reply_to_message_id") from None
    if target is None:
        raise bad_request("message to be replied not found")
    return target


def _record(action: str, msg: TgMessage, actor: str, method: str, kind: str = "message") -> None:
    payload: dict[str, Any] = {
        "method": method,
        "text": msg.text,
        "caption": msg.caption,
        "photo": msg.photo.file_id if msg.photo_id else "",  # type: ignore[union-attr]
        "video": msg.video.file_id if msg.video_id else "",  # type: ignore[union-attr]
        "media_group_id": msg.media_group_id,
    }
    if msg.chat.dialog_bot_id is not None:
        # The place, a user's id, is the same in every bot's dialog with them: the ledger tells the
        # dialogs apart, and so which network's an entry is, by the bot's user id.
        payload[DIALOG_KEY] = msg.chat.dialog_bot.user_id  # type: ignore[union-attr]
    ledger_record(
        network=Network.TELEGRAM,
        action=action,
        kind=kind,
        place=str(msg.chat.chat_id),
        object_id=msg.message_id,
        actor=actor,
        payload=payload,
    )


def _announce_new(msg: TgMessage, *, by: TgBot | None) -> None:
    """Updates for a new message, and the automatic forward of a channel post into its discussion group."""
    update_type = "channel_post" if msg.chat.type == TgChatType.CHANNEL else "message"
    emit(msg.chat, update_type, message_json(msg), exclude=by)
    if msg.chat.type == TgChatType.CHANNEL and msg.chat.linked_chat_id:
        forward_to_discussion(msg)


def forward_to_discussion(post: TgMessage) -> TgMessage:
    """Telegram copies each channel post into the linked group; readers comment by replying to the copy."""
    group = post.chat.linked_chat
    assert group is not None
    forward = TgMessage.objects.create(
        chat=group,
        message_id=_allocate_message_id(group),
        sender_chat=post.chat,
        text=post.text,
        caption=post.caption,
        entities=post.entities,
        photo=post.photo,
        video=post.video,
        media_group_id=post.media_group_id,
        forward_of=post,
        is_automatic_forward=True,
    )
    _record(LedgerAction.CREATED, forward, "telegram", "automatic_forward", kind="forward")
    emit(group, "message", message_json(forward))
    return forward


def parsed_caption(caption: Any, parse_mode: Any, entities: Any) -> tuple[str, list[dict]]:
    return parsed_text(caption, parse_mode, entities, limit=CAPTION_LIMIT, too_long="message caption is too long")


def _post_message(bot: TgBot, chat: TgChat, method: str, **fields: Any) -> TgMessage:
    """A bot's new message in the chat, under the next message id, ledgered and announced to readers."""
    with transaction.atomic():
        msg = TgMessage.objects.create(chat=chat, message_id=_allocate_message_id(chat), from_bot=bot, **fields)
        _record(LedgerAction.CREATED, msg, token_hint(bot.token), method)
        _announce_new(msg, by=bot)
    return msg


def send_message(
    *, bot: TgBot, chat: TgChat, text: Any, parse_mode: Any = None, entities: Any = None, reply_to: Any = None
) -> TgMessage:
    check_can_send(bot, chat)
    body, found = parsed_text(text, parse_mode, entities, limit=TEXT_LIMIT, too_long="message is too long")
    if not body:
        raise bad_request("message text is empty")
    target = _reply_target(chat, reply_to)
    check_flood(bot, chat)
    return _post_message(bot, chat, "sendMessage", text=body, entities=found, reply_to=target)


def send_photo(
    *,
    bot: TgBot,
    chat: TgChat,
    photo: Any,
    uploads: dict[str, Any],
    caption: Any = None,
    parse_mode: Any = None,
    caption_entities: Any = None,
    reply_to: Any = None,
) -> TgMessage:
    check_can_send(bot, chat, "photos")
    body, found = parsed_caption(caption, parse_mode, caption_entities)
    target = _reply_target(chat, reply_to)
    check_flood(bot, chat)
    tg_file = photo_from(photo, uploads)
    return _post_message(bot, chat, "sendPhoto", caption=body, entities=found, photo=tg_file, reply_to=target)


def send_video(
    *,
    bot: TgBot,
    chat: TgChat,
    video: Any,
    uploads: dict[str, Any],
    caption: Any = None,
    parse_mode: Any = None,
    caption_entities: Any = None,
    reply_to: Any = None,
    hints: dict[str, Any] | None = None,
) -> TgMessage:
    """sendVideo; `hints` are the sender's width, height and duration, used where the file says nothing."""
    check_can_send(bot, chat, "videos")
    body, found = parsed_caption(caption, parse_mode, caption_entities)
    target = _reply_target(chat, reply_to)
    check_flood(bot, chat)
    tg_file = video_from(video, uploads, hints)
    return _post_message(bot, chat, "sendVideo", caption=body, entities=found, video=tg_file, reply_to=target)


def send_media_group(
    *, bot: TgBot, chat: TgChat, media: Any, uploads: dict[str, Any], reply_to: Any = None
) -> list[TgMessage]:
    if media is None or media == "":
        raise bad_request('parameter "media" is required')
    if not isinstance(media, list):
        raise bad_request("can't parse media JSON object")
    if not media:
        raise bad_request("there are no messages to send")
    if len(media) > ALBUM_MAX:
        raise bad_request("too many messages to send as an album")
    if len(media) < ALBUM_MIN:
        # The documentation's own rule (2-10 items); the real server's words for one item are unverified.
        raise bad_request("media must include 2-10 items")
    # An album mixes photos and videos freely; documents and audio go only in albums of their own kind,
    # which the sandbox does not keep.
    for item in media:
        if not isinstance(item, dict) or item.get("type") not in ALBUM_KINDS:
            kind = item.get("type") if isinstance(item, dict) else ""
            raise bad_request(f"can't parse InputMedia: type \"{kind}\" can't be used in sendMediaGroup")
    kinds = {item["type"] for item in media}
    check_can_send(bot, chat, "videos" if kinds == {"video"} else "photos")
    items = [
        parsed_caption(item.get("caption"), item.get("parse_mode"), item.get("caption_entities")) for item in media
    ]
    target = _reply_target(chat, reply_to)
    check_flood(bot, chat, len(media))
    files = [input_file(item.get("media"), uploads, kind=item["type"], hints=item) for item in media]
    group_id = str(secrets.randbelow(10**17) + 10**17)
    sent = []
    with transaction.atomic():
        for (body, found), tg_file in zip(items, files, strict=True):
            msg = TgMessage.objects.create(
                chat=chat,
                message_id=_allocate_message_id(chat),
                from_bot=bot,
                caption=body,
                entities=found,
                photo=tg_file if tg_file.kind == "photo" else None,
                video=tg_file if tg_file.kind == "video" else None,
                media_group_id=group_id,
                reply_to=target,
            )
            _record(LedgerAction.CREATED, msg, token_hint(bot.token), "sendMediaGroup")
            sent.append(msg)
        for msg in sent:
            _announce_new(msg, by=bot)
    return sent


def _own_message(bot: TgBot, chat: TgChat, message_id: Any, missing: str) -> TgMessage:
    if message_id in (None, ""):
        raise bad_request("message identifier is not specified")
    try:
        msg = TgMessage.objects.filter(chat=chat, message_id=int(message_id), deleted_at=None).first()
    except (TypeError, ValueError):
        raise bad_request(missing) from None
    if msg is None:
        raise bad_request(missing)
    return msg


def _check_can_edit(bot: TgBot, chat: TgChat, msg: TgMessage) -> None:
    check_can_send(bot, chat)
    # In a channel any administrator with can_post_messages may edit posts; elsewhere only one's own.
    if chat.type != TgChatType.CHANNEL and msg.from_bot_id != bot.pk:
        raise bad_request("message can't be edited")
    if chat.type == TgChatType.CHANNEL and msg.from_bot_id is None and msg.from_reader_id is not None:
        raise bad_request("message can't be edited")


def _announce_edit(msg: TgMessage, by: TgBot) -> None:
    update_type = "edited_channel_post" if msg.chat.type == TgChatType.CHANNEL else "edited_message"
    emit(msg.chat, update_type, message_json(msg), exclude=by)
    # The discussion group's copy follows the post, as on Telegram.
    for forward in TgMessage.objects.filter(forward_of=msg, is_automatic_forward=True, deleted_at=None):
        forward.text, forward.caption, forward.entities = msg.text, msg.caption, msg.entities
        forward.edited_at = msg.edited_at
        forward.save(update_fields=["text", "caption", "entities", "edited_at"])
        emit(forward.chat, "edited_message", message_json(forward))


def edit_message_text(
    *, bot: TgBot, chat: TgChat, message_id: Any, text: Any, parse_mode: Any = None, entities: Any = None
) -> TgMessage:
    msg = _own_message(bot, chat, message_id, "message to edit not found")
    _check_can_edit(bot, chat, msg)
    if msg.photo_id or msg.video_id:
        raise bad_request("there is no text in the message to edit")
    body, found = parsed_text(text, parse_mode, entities, limit=TEXT_LIMIT, too_long="message is too long")
    if not body:
        raise bad_request("message text is empty")
    if body == msg.text and found == msg.entities:
        raise bad_request(
            "message is not modified: specified new message content and reply markup are exactly the same as a "
            "current content and reply markup of the message"
        )
    with transaction.atomic():
        msg.text, msg.entities, msg.edited_at = body, found, timezone.now()
        msg.save(update_fields=["text", "entities", "edited_at"])
        _record(LedgerAction.EDITED, msg, token_hint(bot.token), "editMessageText")
        _announce_edit(msg, bot)
    return msg


def edit_message_caption(
    *, bot: TgBot, chat: TgChat, message_id: Any, caption: Any, parse_mode: Any = None, entities: Any = None
) -> TgMessage:
    msg = _own_message(bot, chat, message_id, "message to edit not found")
    _check_can_edit(bot, chat, msg)
    if not (msg.photo_id or msg.video_id):
        raise bad_request("there is no caption in the message to edit")
    body, found = parsed_caption(caption, parse_mode, entities)
    if body == msg.caption and found == msg.entities:
        raise bad_request(
            "message is not modified: specified new message content and reply markup are exactly the same as a "
            "current content and reply markup of the message"
        )
    with transaction.atomic():
        msg.caption, msg.entities, msg.edited_at = body, found, timezone.now()
        msg.save(update_fields=["caption", "entities", "edited_at"])
        _record(LedgerAction.EDITED, msg, token_hint(bot.token), "editMessageCaption")
        _announce_edit(msg, bot)
    return msg


def delete_message(*, bot: TgBot, chat: TgChat, message_id: Any) -> None:
    """Only messages younger than 48 hours; a channel's own posts with can_post_messages, anything else
    with can_delete_messages (a bot may always delete its own messages in a group)."""
    check_can_send(bot, chat)
    msg = _own_message(bot, chat, message_id, "message to delete not found")
    if timezone.now() - msg.date >= DELETE_WINDOW:
        raise bad_request("message can't be deleted")
    member = membership(bot, chat)
    is_admin = member is not None and member.status == "administrator"
    own = msg.from_bot_id == bot.pk or (chat.type == TgChatType.CHANNEL and msg.from_reader_id is None)
    may = (
        (own and (chat.type != TgChatType.CHANNEL or (is_admin and member.can_post_messages)))  # type: ignore[union-attr]
        or (is_admin and member.can_delete_messages)  # type: ignore[union-attr]
    )
    if not may:
        raise bad_request("message can't be deleted")
    with transaction.atomic():
        msg.deleted_at = timezone.now()
        msg.save(update_fields=["deleted_at"])
        _record(LedgerAction.DELETED, msg, token_hint(bot.token), "deleteMessage")


def chat_member(chat: TgChat, user_id: Any) -> dict[str, Any]:
    """getChatMember: a bot's membership with its rights, or a reader (readers are plain members)."""
    try:
        wanted = int(user_id)
    except (TypeError, ValueError):
        raise bad_request("user not found") from None
    if wanted == CHAT_OWNER_USER["id"] and chat.type != TgChatType.PRIVATE:
        return owner_member_json()
    bot = TgBot.objects.filter(user_id=wanted).first()
    if bot is not None:
        member = membership(bot, chat)
        if member is None:
            return {"status": "left", "user": user_json(bot)}
        return chat_member_json(bot, member, member.status)
    reader = Reader.objects.filter(tg_id=wanted).first()
    if reader is None:
        raise bad_request("user not found")
    return {"status": "member", "user": user_json(reader)}


def chat_administrators(chat: TgChat) -> list[dict[str, Any]]:
    """getChatAdministrators: the owner and the bots that administer the chat."""
    admins = [
        chat_member_json(member.bot, member, "administrator")
        for member in TgMembership.objects.filter(chat=chat, status="administrator").select_related("bot", "chat")
    ]
    return [owner_member_json(), *admins]


def member_count(chat: TgChat) -> int:
    if chat.type == TgChatType.PRIVATE:
        return 2
    return int(chat.member_count)


# --- what readers do (called by the reader's pages and the simulated readers) -------------------


def reader_message(*, reader: Reader, chat: TgChat, text: str, reply_to: TgMessage | None = None) -> TgMessage:
    """A reader writes in a discussion group (a comment: reply to the automatic forward of a post) or
    in a private chat with a bot. Bots present in the chat get a "message" update."""
    if reply_to is not None and reply_to.chat_id != chat.pk:
        raise ValueError("A reply must be in the same chat.")
    with transaction.atomic():
        msg = TgMessage.objects.create(
            chat=chat,
            message_id=_allocate_message_id(chat),
            from_reader=reader,
            text=text,
            reply_to=reply_to,
        )
        _record(
            LedgerAction.CREATED, msg, f"reader:{reader.tg_id}", "reader", kind="comment" if reply_to else "message"
        )
        emit(chat, "message", message_json(msg))
    return msg


def comment_target(post: TgMessage) -> TgMessage | None:
    """The discussion group's copy of a channel post: the message readers' comments reply to."""
    return TgMessage.objects.filter(forward_of=post, is_automatic_forward=True).order_by("message_id").first()


def react(message: TgMessage, emoji: str, delta: int = 1) -> TgMessage:
    """An anonymous reaction added (delta > 0) or taken back (delta < 0). Bots that opted in to
    message_reaction_count get the new totals, as channels report reactions."""
    with transaction.atomic():
        msg = TgMessage.objects.select_for_update().get(pk=message.pk)
        counts = dict(msg.reactions or {})
        counts[emoji] = max(0, int(counts.get(emoji, 0)) + int(delta))
        if counts[emoji] == 0:
            del counts[emoji]
        msg.reactions = counts
        msg.save(update_fields=["reactions"])
        emit(msg.chat, "message_reaction_count", reaction_count_json(msg, timezone.now()))
    return msg
