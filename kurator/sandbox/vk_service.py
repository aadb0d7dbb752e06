"""The sandbox VK's behaviour, written from VK's documentation (networks.md §1): the method table
(which function serves each method, with which token kinds) and where an injected fault lands.

Plain functions: the views in vk_api.py only read the HTTP request and write the envelope. Every
create, edit and delete is written to the ledger with its idempotency key, and every change a
community would hear about becomes an event (vk_events.emit). The methods live in vk_wall,
vk_groups, vk_messages, vk_photos, vk_videos and vk_longpoll; the names other modules use are re-exported here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kurator.sandbox.choices import Network, VkTokenKind
from kurator.sandbox.models import Fault, VkToken
from kurator.sandbox.vk_core import (
    Call,
    VkError,
    authorize,
    check_rate_limit,
    check_token_kind,
    remove_admin_rights,
    revoke_token,
)
from kurator.sandbox.vk_groups import (
    groups_ban,
    groups_get_by_id,
    groups_get_callback_confirmation_code,
    groups_get_members,
    groups_get_token_permissions,
    groups_unban,
)
from kurator.sandbox.vk_longpoll import (
    groups_get_long_poll_server,
    long_poll_check,
    rotate_longpoll_key,
)
from kurator.sandbox.vk_messages import (
    messages_get_conversations,
    messages_get_history,
    messages_mark_as_answered_conversation,
    messages_send,
    receive_message,
)
from kurator.sandbox.vk_photos import (
    accept_upload,
    community_for_upload_key,
    photos_get_wall_upload_server,
    photos_save_wall_photo,
)
from kurator.sandbox.vk_videos import accept_video_upload, video_for_upload_key, video_save
from kurator.sandbox.vk_wall import (
    create_comment,
    publish_due_postponed_posts,
    stats_get_post_reach,
    wall_create_comment,
    wall_delete,
    wall_delete_comment,
    wall_edit,
    wall_get,
    wall_get_by_id,
    wall_get_comments,
    wall_post,
)

# What vk_api.py, the reader's actions and the tests use from here.
__all__ = [
    "METHODS",
    "Call",
    "VkError",
    "accept_upload",
    "accept_video_upload",
    "authorize",
    "check_rate_limit",
    "check_token_kind",
    "community_for_upload_key",
    "create_comment",
    "fault_place",
    "long_poll_check",
    "publish_due_postponed_posts",
    "receive_message",
    "remove_admin_rights",
    "revoke_token",
    "rotate_longpoll_key",
    "video_for_upload_key",
]

# --- The method table -----------------------------------------------------------------------------

USER = frozenset({VkTokenKind.USER})
COMMUNITY = frozenset({VkTokenKind.COMMUNITY})
BOTH = USER | COMMUNITY


@dataclass(frozen=True)
class Method:
    handler: Callable[[Call], Any]
    token_kinds: frozenset[str]


# Token kinds per VK's schema (networks.md §1.4); messages and events are the community token's work.
METHODS: dict[str, Method] = {
    "wall.post": Method(wall_post, USER),
    "wall.edit": Method(wall_edit, USER),
    "wall.delete": Method(wall_delete, USER),
    "wall.get": Method(wall_get, USER),
    "wall.getById": Method(wall_get_by_id, USER),
    "wall.getComments": Method(wall_get_comments, USER),
    "wall.createComment": Method(wall_create_comment, BOTH),
    "wall.deleteComment": Method(wall_delete_comment, USER),
    "groups.ban": Method(groups_ban, USER),
    "groups.unban": Method(groups_unban, USER),
    "groups.getById": Method(groups_get_by_id, BOTH),
    "groups.getMembers": Method(groups_get_members, BOTH),
    "groups.getLongPollServer": Method(groups_get_long_poll_server, COMMUNITY),
    "groups.getCallbackConfirmationCode": Method(groups_get_callback_confirmation_code, BOTH),
    "groups.getTokenPermissions": Method(groups_get_token_permissions, COMMUNITY),
    "stats.getPostReach": Method(stats_get_post_reach, USER),
    "messages.send": Method(messages_send, COMMUNITY),
    "messages.getConversations": Method(messages_get_conversations, COMMUNITY),
    "messages.getHistory": Method(messages_get_history, COMMUNITY),
    "messages.markAsAnsweredConversation": Method(messages_mark_as_answered_conversation, COMMUNITY),
    "photos.getWallUploadServer": Method(photos_get_wall_upload_server, USER),
    "photos.saveWallPhoto": Method(photos_save_wall_photo, USER),
    "video.save": Method(video_save, USER),
}


def fault_place(params: dict[str, str], raw_token: str) -> str:
    """Where a call lands, as the ledger writes it: the community's owner id "-<group_id>". A fault
    injected with the positive group id is honoured too."""
    group_id = None
    for name in ("group_id", "owner_id"):
        raw = params.get(name, "").strip()
        if raw.lstrip("-").isdigit() and (name == "group_id" or raw.startswith("-")):
            group_id = abs(int(raw))
            break
    if group_id is None and params.get("posts", "").startswith("-"):
        head = params["posts"].split("_", 1)[0]
        group_id = abs(int(head)) if head.lstrip("-").isdigit() else None
    if group_id is None and raw_token:
        group_id = (
            VkToken.objects.filter(token=raw_token, kind=VkTokenKind.COMMUNITY)
            .values_list("community__group_id", flat=True)
            .first()
        )
    if group_id is None:
        return ""
    if Fault.objects.filter(network=Network.VK, active=True, place=str(group_id)).exists():
        return str(group_id)
    return str(-group_id)
