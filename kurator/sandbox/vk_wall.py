"""Walls: posts (guid, postponed posts, the daily cap), comments (guid), and reach statistics."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from kurator.sandbox import vk_events, vk_wire
from kurator.sandbox.choices import LedgerAction, VkTokenKind
from kurator.sandbox.models import (
    VkComment,
    VkCommunity,
    VkPhoto,
    VkPost,
    VkVideo,
)
from kurator.sandbox.vk_core import (
    Call,
    VkError,
    access_denied,
    community_by_owner,
    invalid_param,
    lock_community,
    may_manage,
    next_number,
    record,
    require_admin,
    unix_to_datetime,
)

# VK's limits (networks.md §1.6).
GUID_WINDOW = timedelta(hours=1)
MAX_MEDIA_PER_POST = 10


def validate_attachments(attachments: str) -> None:
    items = vk_wire.attachment_list(attachments)
    links = [item for item in items if item.startswith(("http://", "https://"))]
    if len(links) > 1:
        raise invalid_param("attachments", "is invalid: only one link is allowed")
    media = 0
    for item in items:
        if item in links:
            continue
        match = vk_wire.ATTACHMENT_RE.match(item)
        if not match:
            raise invalid_param("attachments", "is invalid")
        kind, owner_id, media_id = match.group(1), int(match.group(2)), int(match.group(3))
        media += kind in ("photo", "video")
        # A photo or a video of a sandbox community must be one of that community's own; media of
        # owners the sandbox does not keep (real VK's) pass unchecked.
        if kind not in ("photo", "video") or not VkCommunity.objects.filter(group_id=-owner_id).exists():
            continue
        if kind == "photo":
            if not VkPhoto.objects.filter(community__group_id=-owner_id, photo_id=media_id).exists():
                raise invalid_param("attachments", "is invalid: photo not found")
            continue
        video = VkVideo.objects.filter(community__group_id=-owner_id, video_id=media_id).first()
        if video is None:
            raise invalid_param("attachments", "is invalid: video not found")
        if video.uploaded_at is None:
            raise invalid_param("attachments", "is invalid: video file was not uploaded")
    if media > MAX_MEDIA_PER_POST:
        raise invalid_param("attachments", "is invalid: too many attachments")


def posts_today(community: VkCommunity) -> int:
    return VkPost.objects.filter(community=community, created_at__gte=timezone.now() - timedelta(days=1)).count()


def wall_post(call: Call) -> dict[str, int]:
    community = community_by_owner(call)
    require_admin(call, community)
    if call.optional_integer("post_id") is not None:
        return publish_postponed_post(call, community)
    message, attachments = call.text("message"), call.text("attachments")
    if not message.strip() and not attachments.strip():
        raise invalid_param("message", "is empty or invalid")
    validate_attachments(attachments)
    guid = call.text("guid").strip()[:100]
    publish_date = call.optional_integer("publish_date")
    now = timezone.now()
    postponed = publish_date is not None and unix_to_datetime(publish_date) > now
    with transaction.atomic():
        lock_community(community)
        if guid:
            first = (
                VkPost.objects.filter(community=community, guid=guid, created_at__gte=now - GUID_WINDOW)
                .order_by("created_at", "pk")
                .first()
            )
            if first is not None:
                return {"post_id": first.post_id}  # VK creates nothing for a repeated guid
        if posts_today(community) >= community.daily_post_cap:
            raise VkError(214, f"Access to adding post denied: you can only add {community.daily_post_cap} posts a day")
        post = VkPost.objects.create(
            community=community,
            post_id=next_number(VkPost.objects.filter(community=community), "post_id"),
            from_id=community.owner_id if call.flag("from_group") else (call.token.user_id or community.owner_id),
            text=message,
            attachments=attachments,
            date=unix_to_datetime(publish_date) if postponed and publish_date else now,
            postponed=postponed,
            guid=guid,
            created_by=call.token,
        )
        record(
            call, LedgerAction.CREATED, "post", community, post.post_id, key=guid,
            payload={"text": message, "attachments": attachments, "postponed": postponed},
        )  # fmt: skip
        if postponed:
            vk_events.emit(community, "wall_schedule_post_new", vk_wire.post_json(post, site=call.site))
        else:
            vk_events.emit_wall_post_new(post, site=call.site)
    return {"post_id": post.post_id}


def publish_postponed_post(call: Call, community: VkCommunity) -> dict[str, int]:
    """wall.post with post_id: the postponed post goes out now (with a new text, if one is given)."""
    post = VkPost.objects.filter(community=community, post_id=call.integer("post_id"), deleted_at__isnull=True).first()
    if post is None:
        raise invalid_param("post_id", "is invalid")
    if not post.postponed:
        return {"post_id": post.post_id}
    with transaction.atomic():
        if not VkPost.objects.filter(pk=post.pk, postponed=True).update(postponed=False, date=timezone.now()):
            return {"post_id": post.post_id}  # someone else published it a moment ago
        post.refresh_from_db()
        if "message" in call.params or "attachments" in call.params:
            validate_attachments(call.text("attachments", post.attachments))
            post.text = call.text("message", post.text)
            post.attachments = call.text("attachments", post.attachments)
            post.save(update_fields=["text", "attachments"])
        record(call, LedgerAction.EDITED, "post", community, post.post_id, payload={"published": True})
        vk_events.emit_wall_post_new(post, site=call.site)
    return {"post_id": post.post_id}


def publish_due_postponed_posts(community: VkCommunity | None = None) -> int:
    """VK publishes a postponed post by itself when its time comes; the sandbox does it on the minute
    (Huey) and whenever someone reads the wall or polls for events."""
    due = VkPost.objects.filter(postponed=True, deleted_at__isnull=True, date__lte=timezone.now())
    if community is not None:
        due = due.filter(community=community)
    published = 0
    for post in due.select_related("community"):
        with transaction.atomic():
            if VkPost.objects.filter(pk=post.pk, postponed=True).update(postponed=False):
                post.postponed = False
                record(
                    "sandbox", LedgerAction.EDITED, "post", post.community, post.post_id, payload={"published": True}
                )
                vk_events.emit_wall_post_new(post)
                published += 1
    return published


def live_post(community: VkCommunity, post_id: int) -> VkPost:
    post = VkPost.objects.filter(community=community, post_id=post_id, deleted_at__isnull=True).first()
    if post is None:
        raise invalid_param("post_id", "is invalid")
    return post


def wall_edit(call: Call) -> dict[str, int]:
    community = community_by_owner(call)
    require_admin(call, community)
    post = live_post(community, call.integer("post_id"))
    message = call.text("message", post.text)
    attachments = call.text("attachments", post.attachments)
    if not message.strip() and not attachments.strip():
        raise invalid_param("message", "is empty or invalid")
    validate_attachments(attachments)
    publish_date = call.optional_integer("publish_date")
    with transaction.atomic():
        post.text, post.attachments, post.edited_at = message, attachments, timezone.now()
        if post.postponed and publish_date is not None:
            post.date = unix_to_datetime(publish_date)
        post.save(update_fields=["text", "attachments", "edited_at", "date"])
        record(
            call,
            LedgerAction.EDITED,
            "post",
            community,
            post.post_id,
            payload={"text": message, "attachments": attachments},
        )
    return {"post_id": post.post_id}


def wall_delete(call: Call) -> int:
    community = community_by_owner(call)
    require_admin(call, community)
    post = VkPost.objects.filter(community=community, post_id=call.integer("post_id")).first()
    if post is None:
        raise invalid_param("post_id", "is invalid")
    with transaction.atomic():
        if VkPost.objects.filter(pk=post.pk, deleted_at__isnull=True).update(deleted_at=timezone.now()):
            record(call, LedgerAction.DELETED, "post", community, post.post_id)
    return 1


def visible_posts(community: VkCommunity) -> QuerySet[VkPost]:
    publish_due_postponed_posts(community)
    return (
        VkPost.objects.filter(community=community, deleted_at__isnull=True)
        .select_related("community", "created_by")
        .annotate(comments_count=Count("comments", filter=Q(comments__deleted_at__isnull=True)))
        .order_by("-date", "-post_id")  # Meta.ordering is dropped in aggregate queries
    )


def wall_get(call: Call) -> dict[str, Any]:
    community = (
        community_by_owner(call)
        if call.text("owner_id")
        else VkCommunity.objects.filter(screen_name=call.text("domain")).first()
    )
    if community is None:
        raise invalid_param("owner_id")
    posts = visible_posts(community)
    wanted = call.text("filter", "all")
    if wanted == "postponed":
        require_admin(call, community)
        posts = posts.filter(postponed=True)
    elif wanted == "suggests":
        posts = posts.none()
    else:
        posts = posts.filter(postponed=False)
        if wanted == "owner":
            posts = posts.filter(from_id=community.owner_id)
        elif wanted == "others":
            posts = posts.exclude(from_id=community.owner_id)
    offset, count = call.integer("offset", 0), call.count(20, 100)
    items = [vk_wire.post_json(post, site=call.site) for post in posts[offset : offset + count]]
    return {"count": posts.count(), "items": items}


def wall_get_by_id(call: Call) -> dict[str, Any]:
    """posts="-<gid>_<pid>,…"; posts that do not exist or were deleted are left out, as on VK."""
    items = []
    for ref in vk_wire.attachment_list(call.text("posts")):
        owner, _, pid = ref.partition("_")
        try:
            owner_id, post_id = int(owner), int(pid)
        except ValueError:
            raise invalid_param("posts", "is invalid") from None
        community = VkCommunity.objects.filter(group_id=-owner_id).first() if owner_id < 0 else None
        if community is None:
            continue
        post = visible_posts(community).filter(post_id=post_id).first()
        if post is None or (post.postponed and not may_manage(call.token, community)):
            continue
        items.append(vk_wire.post_json(post, site=call.site))
    if not call.text("posts").strip():
        raise invalid_param("posts")
    return {"items": items}


def wall_get_comments(call: Call) -> dict[str, Any]:
    community = community_by_owner(call)
    post = live_post(community, call.integer("post_id"))
    comments = post.comments.filter(deleted_at__isnull=True).select_related("community", "post")
    comments = (
        comments.order_by("-comment_id") if call.text("sort", "asc") == "desc" else comments.order_by("comment_id")
    )
    offset, count = call.integer("offset", 0), call.count(10, 100)
    total = comments.count()
    return {
        "count": total,
        "items": [vk_wire.comment_json(comment) for comment in comments[offset : offset + count]],
        "current_level_count": total,
        "can_post": True,
        "show_reply_button": True,
        "groups_can_post": True,
    }


def commenter_id(call: Call, community: VkCommunity) -> int:
    """A community token always answers as the community; a user token as the community only with
    from_group and administrator rights, otherwise as the person."""
    if call.token.kind == VkTokenKind.COMMUNITY:
        require_admin(call, community)
        return community.owner_id
    from_group = call.integer("from_group", 0)
    if from_group:
        if from_group != community.group_id:
            raise invalid_param("from_group", "is invalid")
        require_admin(call, community)
        return community.owner_id
    if not call.token.user_id:
        raise access_denied()
    return int(call.token.user_id)


def create_comment(
    *,
    post: VkPost,
    from_id: int,
    text: str,
    actor: str,
    reply_to_comment: int | None = None,
    guid: str = "",
) -> VkComment:
    """One write path for comments, from the API and from readers: numbered per community, ledgered,
    announced as wall_reply_new. A repeated guid within an hour returns the first comment."""
    community = post.community
    with transaction.atomic():
        lock_community(community)
        if guid:
            first = (
                VkComment.objects.filter(post=post, guid=guid, date__gte=timezone.now() - GUID_WINDOW)
                .order_by("comment_id")
                .first()
            )
            if first is not None:
                return first
        comment = VkComment.objects.create(
            community=community,
            post=post,
            comment_id=next_number(VkComment.objects.filter(community=community), "comment_id"),
            from_id=from_id,
            text=text,
            reply_to_comment=reply_to_comment,
            guid=guid,
        )
        record(
            actor, LedgerAction.CREATED, "comment", community, comment.comment_id, key=guid,
            payload={"post_id": post.post_id, "from_id": from_id, "text": text},
        )  # fmt: skip
        vk_events.emit_wall_reply_new(comment)
    return comment


def wall_create_comment(call: Call) -> dict[str, Any]:
    community = community_by_owner(call)
    post = live_post(community, call.integer("post_id"))
    if post.postponed:
        raise VkError(212, "Access to post comments denied")
    message = call.text("message")
    if not message.strip() and not call.text("attachments").strip():
        raise invalid_param("message", "is empty or invalid")
    reply_to = call.optional_integer("reply_to_comment")
    if reply_to is not None and not post.comments.filter(comment_id=reply_to, deleted_at__isnull=True).exists():
        raise invalid_param("reply_to_comment", "is invalid")
    comment = create_comment(
        post=post,
        from_id=commenter_id(call, community),
        text=message,
        actor=call.actor,
        reply_to_comment=reply_to,
        guid=call.text("guid").strip()[:100],
    )
    return {"comment_id": comment.comment_id, "parents_stack": [reply_to] if reply_to else []}


def wall_delete_comment(call: Call) -> int:
    community = community_by_owner(call)
    require_admin(call, community)
    comment = (
        VkComment.objects.filter(community=community, comment_id=call.integer("comment_id"))
        .select_related("post", "community")
        .first()
    )
    if comment is None:
        raise VkError(211, "Access to wall's comment denied")
    with transaction.atomic():
        if VkComment.objects.filter(pk=comment.pk, deleted_at__isnull=True).update(deleted_at=timezone.now()):
            record(
                call,
                LedgerAction.DELETED,
                "comment",
                community,
                comment.comment_id,
                payload={"post_id": comment.post.post_id},
            )
            vk_events.emit_wall_reply_delete(comment, deleter_id=call.token.user_id or community.owner_id)
    return 1


STATS_MAX_POSTS = 30
SUBSCRIBER_SHARE_OF_REACH = 0.8  # the sandbox has no audience model: a fixed share of the views


def stats_get_post_reach(call: Call) -> list[dict[str, int]]:
    """Reach per post for an administrator; the sandbox derives it from the post's views."""
    community = community_by_owner(call)
    require_admin(call, community)
    try:
        post_ids = [int(item) for item in vk_wire.attachment_list(call.text("post_ids"))]
    except ValueError:
        raise invalid_param("post_ids", "is invalid") from None
    if not post_ids or len(post_ids) > STATS_MAX_POSTS:
        raise invalid_param("post_ids", "is invalid")
    posts = {
        p.post_id: p for p in VkPost.objects.filter(community=community, post_id__in=post_ids, deleted_at__isnull=True)
    }
    return [
        {
            "post_id": post_id,
            "reach_total": post.views,
            "reach_subscribers": round(post.views * SUBSCRIBER_SHARE_OF_REACH),
            "reach_viral": post.views - round(post.views * SUBSCRIBER_SHARE_OF_REACH),
            "reach_ads": 0,
            "links": 0,
            "to_group": 0,
            "join_group": 0,
            "report": 0,
            "hide": 0,
            "unsubscribe": 0,
        }
        for post_id in post_ids
        if (post := posts.get(post_id)) is not None
    ]
