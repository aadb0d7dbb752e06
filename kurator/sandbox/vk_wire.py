"""The sandbox's VK objects as VK API 5.199 writes them on the wire (networks.md §1.2, §1.7–§1.10).

Only the fields a client of the API can rely on are produced; anything VK adds for its own apps
(stickers, donut, copyright…) is left out rather than invented."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from kurator.sandbox.models import Reader, VkComment, VkCommunity, VkMessage, VkPhoto, VkPost, VkVideo

# "photo-123_45" or "photo-123_45_accesskey": type, owner id, media id.
ATTACHMENT_RE = re.compile(
    r"^(photo|video|audio|doc|page|note|poll|album|market|market_album|audio_playlist)(-?\d+)_(\d+)(?:_\w+)?$"
)
PHOTO_SIZES = ("s", "m", "x")


def unix(moment: datetime | None) -> int:
    return int(moment.timestamp()) if moment else 0


def attachment_list(attachments: str) -> list[str]:
    """VK takes list parameters as comma-separated strings."""
    return [item.strip() for item in attachments.split(",") if item.strip()]


def photo_json(photo: VkPhoto, *, site: str = "") -> dict[str, Any]:
    url = f"{site}{photo.file.url}" if photo.file else ""
    return {
        "id": photo.photo_id,
        "album_id": -14,  # VK's id for the "wall photos" album
        "owner_id": photo.community.owner_id,
        "date": unix(photo.saved_at),
        "text": "",
        "has_tags": False,
        "sizes": [{"type": size, "url": url, "width": photo.width, "height": photo.height} for size in PHOTO_SIZES],
    }


def video_json(video: VkVideo, *, site: str = "") -> dict[str, Any]:
    """A video as a wall post's attachment carries it. VK's "player" is its embedding page; the sandbox
    has none, so it points at the file itself. No preview images: the sandbox makes none."""
    data: dict[str, Any] = {
        "id": video.video_id,
        "owner_id": video.community.owner_id,
        "title": video.title,
        "description": video.description,
        "duration": video.duration,
        "width": video.width,
        "height": video.height,
        "date": unix(video.uploaded_at or video.created_at),
        "views": 0,
        "comments": 0,
        "access_key": video.access_key,
        "type": "video",
        "can_add": 1,
    }
    if video.file:
        data["player"] = f"{site}{video.file.url}"
    return data


def attachment_json(attachment: str, *, site: str = "") -> dict[str, Any]:
    if attachment.startswith(("http://", "https://")):
        return {"type": "link", "link": {"url": attachment, "title": "", "description": ""}}
    match = ATTACHMENT_RE.match(attachment)
    if not match:
        return {"type": "unknown", "unknown": {"value": attachment}}
    kind, owner_id, media_id = match.group(1), int(match.group(2)), int(match.group(3))
    if kind == "photo":
        photo = (
            VkPhoto.objects.filter(community__group_id=-owner_id, photo_id=media_id).select_related("community").first()
        )
        if photo is not None:
            return {"type": "photo", "photo": photo_json(photo, site=site)}
    if kind == "video":
        video = (
            VkVideo.objects.filter(community__group_id=-owner_id, video_id=media_id).select_related("community").first()
        )
        if video is not None:
            return {"type": "video", "video": video_json(video, site=site)}
    return {"type": kind, kind: {"id": media_id, "owner_id": owner_id}}


def post_json(post: VkPost, *, site: str = "") -> dict[str, Any]:
    """A wall post with the counters VK returns for metrics (networks.md §1.9). A queryset may annotate
    `comments_count`; otherwise it is counted here."""
    comments = getattr(post, "comments_count", None)
    if comments is None:
        comments = post.comments.filter(deleted_at__isnull=True).count()
    data: dict[str, Any] = {
        "id": post.post_id,
        "owner_id": post.community.owner_id,
        "from_id": post.from_id,
        "date": unix(post.date),
        "post_type": "postpone" if post.postponed else "post",
        "text": post.text,
        "attachments": [attachment_json(item, site=site) for item in attachment_list(post.attachments)],
        "comments": {"count": comments, "can_post": 1, "groups_can_post": True},
        "likes": {"count": post.likes, "user_likes": 0, "can_like": 1, "can_publish": 1, "repost_disabled": False},
        "reposts": {"count": post.reposts, "wall_count": post.reposts, "mail_count": 0, "user_reposted": 0},
        "views": {"count": post.views},
        "marked_as_ads": 0,
        "is_favorite": False,
        "post_source": {"type": "api"},
    }
    if post.created_by_id and post.created_by and post.created_by.user_id:
        data["created_by"] = post.created_by.user_id
    if post.edited_at:
        data["edited"] = unix(post.edited_at)
    return data


def comment_json(comment: VkComment) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": comment.comment_id,
        "from_id": comment.from_id,
        "post_id": comment.post.post_id,
        "owner_id": comment.community.owner_id,
        "parents_stack": [comment.reply_to_comment] if comment.reply_to_comment else [],
        "date": unix(comment.date),
        "text": comment.text,
        "likes": {"count": comment.likes, "user_likes": 0, "can_like": 1},
        "thread": {"count": 0, "items": [], "can_post": True, "show_reply_button": True},
    }
    if comment.reply_to_comment:
        data["reply_to_comment"] = comment.reply_to_comment
        parent = VkComment.objects.filter(community=comment.community, comment_id=comment.reply_to_comment).first()
        if parent is not None:
            data["reply_to_user"] = parent.from_id
    return data


def wall_reply_json(comment: VkComment) -> dict[str, Any]:
    """The object of wall_reply_* events: a comment plus the wall it is on."""
    return {**comment_json(comment), "post_owner_id": comment.community.owner_id}


def message_json(message: VkMessage) -> dict[str, Any]:
    return {
        "id": message.message_id,
        "conversation_message_id": message.message_id,
        "date": unix(message.date),
        "peer_id": message.peer_id,
        "from_id": message.community.owner_id if message.out else message.peer_id,
        "out": 1 if message.out else 0,
        "text": message.text,
        "random_id": message.random_id,
        "attachments": [],
        "fwd_messages": [],
        "important": False,
        "is_hidden": False,
    }


def group_json(community: VkCommunity) -> dict[str, Any]:
    return {
        "id": community.group_id,
        "name": community.name,
        "screen_name": community.screen_name,
        "is_closed": 0,
        "type": "group",
        "members_count": community.members_count,
        "photo_50": "",
        "photo_100": "",
        "photo_200": "",
    }


def user_json(reader: Reader) -> dict[str, Any]:
    first, _, last = reader.name.partition(" ")
    return {"id": reader.vk_id, "first_name": first, "last_name": last, "can_access_closed": True, "is_closed": False}
