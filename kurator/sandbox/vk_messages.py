"""Community messages: random_id deduplication per dialog, conversations and the unanswered filter."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from kurator.sandbox import vk_events, vk_wire
from kurator.sandbox.choices import LedgerAction
from kurator.sandbox.models import (
    Reader,
    VkCommunity,
    VkConversation,
    VkMessage,
)
from kurator.sandbox.vk_core import (
    Call,
    VkError,
    access_denied,
    invalid_param,
    lock_community,
    next_number,
    record,
)

# VK's limits (networks.md §1.8).
RANDOM_ID_WINDOW = timedelta(hours=1)
RANDOM_ID_LAST_MESSAGES = 100
MESSAGE_MAX_LENGTH = 9000


def message_community(call: Call) -> VkCommunity:
    community = call.token.community
    if community is None:
        raise access_denied()
    if call.text("group_id") and call.integer("group_id") != community.group_id:
        raise access_denied()
    return community


def peer_of(call: Call) -> int:
    return call.integer("peer_id") if call.text("peer_id") else call.integer("user_id")


def send_message(call: Call, community: VkCommunity, peer_id: int) -> VkMessage:
    text = call.text("message")
    if not text.strip() and not call.text("attachment").strip():
        raise invalid_param("message", "is empty or invalid")
    if len(text) > MESSAGE_MAX_LENGTH:
        raise VkError(914, "Message is too long")
    if "random_id" not in call.params:
        raise invalid_param("random_id", "is a required parameter")
    random_id = call.integer("random_id")
    if not Reader.objects.filter(vk_id=peer_id).exists():
        raise VkError(901, "Can't send messages for users without permission")
    with transaction.atomic():
        lock_community(community)
        if random_id:
            # Checked "in the given dialog over the last hour, but no more than the last 100 messages".
            recent = VkMessage.objects.filter(community=community, peer_id=peer_id).order_by("-message_id")
            recent_ids = list(recent.values_list("pk", flat=True)[:RANDOM_ID_LAST_MESSAGES])
            first = (
                VkMessage.objects.filter(
                    pk__in=recent_ids, out=True, random_id=random_id, date__gte=timezone.now() - RANDOM_ID_WINDOW
                )
                .order_by("message_id")
                .first()
            )
            if first is not None:
                return first
        message = VkMessage.objects.create(
            community=community,
            peer_id=peer_id,
            message_id=next_number(VkMessage.objects.filter(community=community), "message_id"),
            out=True,
            text=text,
            random_id=random_id,
        )
        VkConversation.objects.get_or_create(community=community, peer_id=peer_id)
        record(
            call,
            LedgerAction.CREATED,
            "message",
            community,
            message.message_id,
            key=random_id,
            payload={"peer_id": peer_id, "text": text},
        )
        vk_events.emit_message_reply(message)
    return message


def messages_send(call: Call) -> Any:
    community = message_community(call)
    if call.text("peer_ids"):
        results: list[dict[str, Any]] = []
        for raw in vk_wire.attachment_list(call.text("peer_ids"))[:100]:
            try:
                message = send_message(call, community, int(raw))
                results.append(
                    {
                        "peer_id": int(raw),
                        "message_id": message.message_id,
                        "conversation_message_id": message.message_id,
                    }
                )
            except VkError as error:
                results.append({"peer_id": int(raw), "error": {"code": error.code, "description": error.message}})
        return results
    return send_message(call, community, peer_of(call)).message_id


def receive_message(community: VkCommunity, *, peer_id: int, text: str, actor: str = "") -> VkMessage:
    """A reader writes to the community (simulated readers, a trainer acting as a reader, tests): the
    dialog becomes unanswered again and the community hears message_new."""
    with transaction.atomic():
        lock_community(community)
        message = VkMessage.objects.create(
            community=community,
            peer_id=peer_id,
            message_id=next_number(VkMessage.objects.filter(community=community), "message_id"),
            out=False,
            text=text,
        )
        conversation, _ = VkConversation.objects.get_or_create(community=community, peer_id=peer_id)
        if conversation.marked_answered:
            conversation.marked_answered = False
            conversation.save(update_fields=["marked_answered"])
        record(
            actor or f"reader:{peer_id}",
            LedgerAction.CREATED,
            "message",
            community,
            message.message_id,
            payload={"peer_id": peer_id, "text": text},
        )
        vk_events.emit_message_new(message)
    return message


def conversation_json(conversation: VkConversation, last: VkMessage, unread: int) -> dict[str, Any]:
    last_out = (
        VkMessage.objects.filter(community=conversation.community, peer_id=conversation.peer_id, out=True).aggregate(
            last=Max("message_id")
        )["last"]
        or 0
    )
    data: dict[str, Any] = {
        "peer": {"id": conversation.peer_id, "type": "user", "local_id": conversation.peer_id},
        "last_message_id": last.message_id,
        "last_conversation_message_id": last.message_id,
        "in_read": last.message_id,
        "out_read": last_out,
        "is_marked_unread": False,
        "important": False,
        "unanswered": is_unanswered(conversation, last),
        "can_write": {"allowed": True},
    }
    if unread:
        data["unread_count"] = unread
    return data


def is_unanswered(conversation: VkConversation, last: VkMessage) -> bool:
    return not last.out and not conversation.marked_answered


def unread_in(conversation: VkConversation) -> int:
    """The sandbox keeps no read marks: the reader's messages after the community's last answer count as unread."""
    dialog = VkMessage.objects.filter(community=conversation.community, peer_id=conversation.peer_id)
    last_out = dialog.filter(out=True).aggregate(last=Max("message_id"))["last"] or 0
    return dialog.filter(out=False, message_id__gt=last_out).count()


def messages_get_conversations(call: Call) -> dict[str, Any]:
    community = message_community(call)
    wanted = call.text("filter", "all")
    rows = []
    for conversation in VkConversation.objects.filter(community=community).select_related("community"):
        last = (
            VkMessage.objects.filter(community=community, peer_id=conversation.peer_id).order_by("-message_id").first()
        )
        if last is None:
            continue
        unread = unread_in(conversation)
        if wanted == "unread" and not unread:
            continue
        if wanted == "unanswered" and not is_unanswered(conversation, last):
            continue
        if wanted in ("important", "archive"):
            continue
        rows.append((last.message_id, conversation, last, unread))
    rows.sort(key=lambda row: row[0], reverse=True)
    offset, count = call.integer("offset", 0), call.count(20, 200)
    items = [
        {"conversation": conversation_json(conversation, last, unread), "last_message": vk_wire.message_json(last)}
        for _, conversation, last, unread in rows[offset : offset + count]
    ]
    answer: dict[str, Any] = {"count": len(rows), "unread_count": sum(1 for row in rows if row[3]), "items": items}
    if call.flag("extended"):
        peers = [item["conversation"]["peer"]["id"] for item in items]
        answer["profiles"] = [vk_wire.user_json(reader) for reader in Reader.objects.filter(vk_id__in=peers)]
        answer["groups"] = [vk_wire.group_json(community)]
    return answer


def messages_get_history(call: Call) -> dict[str, Any]:
    community = message_community(call)
    messages = VkMessage.objects.filter(community=community, peer_id=peer_of(call)).select_related("community")
    messages = messages.order_by("message_id") if call.flag("rev") else messages.order_by("-message_id")
    offset, count = call.integer("offset", 0), call.count(20, 200)
    return {"count": messages.count(), "items": [vk_wire.message_json(m) for m in messages[offset : offset + count]]}


def messages_mark_as_answered_conversation(call: Call) -> int:
    community = message_community(call)
    conversation = VkConversation.objects.filter(community=community, peer_id=peer_of(call)).first()
    if conversation is None:
        raise invalid_param("peer_id", "is invalid")
    conversation.marked_answered = call.integer("answered", 1) != 0
    conversation.save(update_fields=["marked_answered"])
    return 1
