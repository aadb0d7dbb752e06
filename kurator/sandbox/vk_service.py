"""The sandbox VK's behaviour, written from VK's documentation (networks.md §1): tokens and their kinds,
rate limits, the methods, idempotency keys, postponed posts and the Bots Long Poll.

Plain functions: the views in vk_api.py only read the HTTP request and write the envelope. Every
create, edit and delete is written to the ledger with its idempotency key, and every change a
community would hear about becomes an event (vk_events.emit)."""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from django.core import signing
from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone
from django.utils.crypto import salted_hmac

from kurator.sandbox import vk_events, vk_wire
from kurator.sandbox.choices import LedgerAction, Network, VkTokenKind
from kurator.sandbox.ledger import ledger_record, token_hint
from kurator.sandbox.models import (
    Fault,
    Reader,
    VkBan,
    VkComment,
    VkCommunity,
    VkConversation,
    VkEvent,
    VkMessage,
    VkPhoto,
    VkPost,
    VkToken,
)

# VK's limits (networks.md §1.5, §1.6, §1.8). Module constants so that tests of other behaviour can lift them.
REQUESTS_PER_SECOND = {VkTokenKind.USER: 3, VkTokenKind.COMMUNITY: 20}
GUID_WINDOW = timedelta(hours=1)
RANDOM_ID_WINDOW = timedelta(hours=1)
RANDOM_ID_LAST_MESSAGES = 100
MESSAGE_MAX_LENGTH = 9000
MAX_MEDIA_PER_POST = 10
LONGPOLL_MAX_WAIT = 90
LONGPOLL_STEP = 0.25
LONGPOLL_MAX_UPDATES = 100
UPLOAD_URL_MAX_AGE = 24 * 3600
BAN_REASONS = range(0, 5)  # 0 other, 1 spam, 2 insulting participants, 3 obscene language, 4 off-topic


class VkError(Exception):
    """An API error as VK reports it: a code, VK's own text and, for captcha, extra fields."""

    def __init__(self, code: int, message: str, **extra: Any) -> None:
        super().__init__(f"[{code}] {message}")
        self.code = code
        self.message = message
        self.extra = extra


def invalid_param(name: str, problem: str = "is undefined") -> VkError:
    return VkError(100, f"One of the parameters specified was missing or invalid: {name} {problem}")


def access_denied() -> VkError:
    return VkError(15, "Access denied")


@dataclass
class Call:
    """One API call: the authorised token, the merged parameters, and this server's address (for
    upload and long-poll URLs, which VK hands out as absolute addresses)."""

    token: VkToken
    params: dict[str, str]
    site: str = ""
    actor: str = field(init=False)

    def __post_init__(self) -> None:
        self.actor = token_hint(self.token.token)

    def text(self, name: str, default: str = "") -> str:
        return self.params.get(name, default)

    def integer(self, name: str, default: int | None = None) -> int:
        raw = self.params.get(name, "").strip()
        if raw == "":
            if default is None:
                raise invalid_param(name)
            return default
        try:
            return int(raw)
        except ValueError:
            raise invalid_param(name, "not integer") from None

    def optional_integer(self, name: str) -> int | None:
        return self.integer(name) if self.params.get(name, "").strip() else None

    def flag(self, name: str) -> bool:
        return self.params.get(name, "").strip() not in ("", "0", "false")

    def count(self, default: int, maximum: int) -> int:
        return max(0, min(self.integer("count", default), maximum))


# --- Tokens ---------------------------------------------------------------------------------------


def authorize(raw_token: str) -> VkToken:
    """Error 5 with VK's wording for a missing, unknown or revoked token."""
    if not raw_token:
        raise VkError(5, "User authorization failed: no access_token passed.")
    token = VkToken.objects.select_related("community").filter(token=raw_token).first()
    if token is None:
        raise VkError(5, "User authorization failed: invalid access_token (4).")
    if token.revoked_at is not None:
        raise VkError(5, "User authorization failed: user revoke access for this token.")
    return token


def check_token_kind(token: VkToken, kinds: frozenset[str]) -> None:
    """Error 27: a user-only method with a community token (VK's own text), or the reverse."""
    if token.kind in kinds:
        return
    if token.kind == VkTokenKind.COMMUNITY:
        raise VkError(27, "Group authorization failed: method is unavailable with group auth.")
    raise VkError(27, "Group authorization failed: method is available only with group auth.")


def over_rate_limit(token: VkToken) -> bool:
    """Requests counted per token and calendar second in the shared cache, so every process agrees."""
    key = f"sandbox:vk:rps:{token.pk}:{int(time.time())}"
    cache.add(key, 0, timeout=3)
    try:
        used = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=3)
        used = 1
    return used > REQUESTS_PER_SECOND.get(VkTokenKind(token.kind), 3)


def check_rate_limit(token: VkToken) -> None:
    if over_rate_limit(token):
        raise VkError(6, "Too many requests per second")


def revoke_token(raw_token: str) -> None:
    VkToken.objects.filter(token=raw_token, revoked_at__isnull=True).update(revoked_at=timezone.now())


def remove_admin_rights(raw_token: str, place: str) -> None:
    token = VkToken.objects.filter(token=raw_token).first()
    community = community_for_place(place)
    if token is not None and community is not None:
        token.admin_of.remove(community)


# --- Communities and rights -----------------------------------------------------------------------


def community_for_place(place: str) -> VkCommunity | None:
    try:
        return VkCommunity.objects.filter(group_id=abs(int(place))).first()
    except ValueError:
        return None


def community_by_owner(call: Call) -> VkCommunity:
    """The sandbox has only community walls: owner_id is the negative group id."""
    owner_id = call.integer("owner_id")
    community = VkCommunity.objects.filter(group_id=-owner_id).first() if owner_id < 0 else None
    if community is None:
        raise access_denied()
    return community


def community_by_group(call: Call, name: str = "group_id") -> VkCommunity:
    """group_id may be a number or a short address; a community token means its own community."""
    raw = call.text(name).strip().lstrip("-")
    if not raw:
        if call.token.kind == VkTokenKind.COMMUNITY and call.token.community is not None:
            return call.token.community
        raise invalid_param(name)
    query = Q(group_id=int(raw)) if raw.isdigit() else Q(screen_name=raw.removeprefix("club"))
    community = VkCommunity.objects.filter(query).first()
    if community is None:
        raise invalid_param(name, "is invalid")
    return community


def may_manage(token: VkToken, community: VkCommunity) -> bool:
    if token.kind == VkTokenKind.COMMUNITY:
        return token.community_id == community.pk
    return token.admin_of.filter(pk=community.pk).exists()


def require_admin(call: Call, community: VkCommunity) -> None:
    if not may_manage(call.token, community):
        raise access_denied()


def lock_community(community: VkCommunity) -> VkCommunity:
    """Serialise writes per community (numbering, guid and random_id checks) inside a transaction."""
    return VkCommunity.objects.select_for_update().get(pk=community.pk)


def next_number(queryset: QuerySet[Any], field_name: str) -> int:
    return (queryset.aggregate(last=Max(field_name))["last"] or 0) + 1


def record(
    call_or_actor: Call | str,
    action: str,
    kind: str,
    community: VkCommunity,
    object_id: int | str,
    *,
    key: str | int = "",
    payload: dict[str, Any] | None = None,
) -> None:
    actor = call_or_actor.actor if isinstance(call_or_actor, Call) else call_or_actor
    ledger_record(
        network=Network.VK,
        action=action,
        kind=kind,
        place=community.owner_id,
        object_id=object_id,
        actor=actor,
        key=str(key) if key not in ("", 0, "0") else "",
        payload=payload,
    )


# --- Wall -------------------------------------------------------------------------------------------


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
        on_sandbox_wall = kind == "photo" and VkCommunity.objects.filter(group_id=-owner_id).exists()
        if on_sandbox_wall and not VkPhoto.objects.filter(community__group_id=-owner_id, photo_id=media_id).exists():
            raise invalid_param("attachments", "is invalid: photo not found")
    if media > MAX_MEDIA_PER_POST:
        raise invalid_param("attachments", "is invalid: too many attachments")


def posts_today(community: VkCommunity) -> int:
    return VkPost.objects.filter(community=community, created_at__gte=timezone.now() - timedelta(days=1)).count()


def unix_to_datetime(value: int) -> datetime:
    return datetime.fromtimestamp(value, tz=UTC)


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


# --- Groups ---------------------------------------------------------------------------------------


def groups_ban(call: Call) -> int:
    community = community_by_group(call)
    require_admin(call, community)
    user_id = call.integer("owner_id") if call.text("owner_id") else call.integer("user_id")
    reason = call.integer("reason", 0)
    if reason not in BAN_REASONS:
        raise invalid_param("reason", "is invalid")
    end_date = call.integer("end_date", 0)
    comment = call.text("comment")[:300]
    with transaction.atomic():
        _ban, created = VkBan.objects.update_or_create(
            community=community,
            user_id=user_id,
            defaults={
                "reason": reason,
                "comment": comment,
                "end_date": unix_to_datetime(end_date) if end_date else None,
            },
        )
        record(
            call, LedgerAction.CREATED if created else LedgerAction.EDITED, "ban", community, user_id,
            payload={"reason": reason, "end_date": end_date, "comment": comment},
        )  # fmt: skip
        vk_events.emit(
            community,
            "user_block",
            {
                "admin_id": call.token.user_id or 0,
                "user_id": user_id,
                "unblock_date": end_date,
                "reason": reason,
                "comment": comment,
            },
        )
    return 1


def groups_unban(call: Call) -> int:
    community = community_by_group(call)
    require_admin(call, community)
    user_id = call.integer("owner_id") if call.text("owner_id") else call.integer("user_id")
    with transaction.atomic():
        removed, _ = VkBan.objects.filter(community=community, user_id=user_id).delete()
        if removed:
            record(call, LedgerAction.DELETED, "ban", community, user_id)
            vk_events.emit(
                community, "user_unblock", {"admin_id": call.token.user_id or 0, "user_id": user_id, "by_end_date": 0}
            )
    return 1


def groups_get_by_id(call: Call) -> dict[str, Any]:
    names = vk_wire.attachment_list(call.text("group_ids") or call.text("group_id"))
    if not names:
        if call.token.community is None:
            raise invalid_param("group_ids")
        return {"groups": [vk_wire.group_json(call.token.community)], "profiles": []}
    groups = []
    for name in names:
        raw = name.lstrip("-")
        community = VkCommunity.objects.filter(
            Q(group_id=int(raw)) if raw.isdigit() else Q(screen_name=raw.removeprefix("club"))
        ).first()
        if community is None:
            raise invalid_param("group_ids", "is invalid")
        groups.append(vk_wire.group_json(community))
    return {"groups": groups, "profiles": []}


def groups_get_members(call: Call) -> dict[str, Any]:
    """The sandbox's readers are every community's members."""
    community_by_group(call)
    readers = Reader.objects.order_by("vk_id")
    offset, count = call.integer("offset", 0), call.count(1000, 1000)
    page = list(readers[offset : offset + count])
    items: list[Any] = (
        [vk_wire.user_json(reader) for reader in page] if call.text("fields") else [r.vk_id for r in page]
    )
    return {"count": readers.count(), "items": items}


def groups_get_callback_confirmation_code(call: Call) -> dict[str, str]:
    community = community_by_group(call)
    require_admin(call, community)
    return {"code": vk_events.confirmation_code(community)}


# Community token rights as VK names them (the sandbox's community tokens have them all).
COMMUNITY_TOKEN_PERMISSIONS = [(4, "photos"), (4096, "messages"), (131072, "docs"), (262144, "manage")]


def groups_get_token_permissions(call: Call) -> dict[str, Any]:
    """How an adapter checks a community token's rights (networks.md §1.11)."""
    return {
        "mask": sum(bit for bit, _ in COMMUNITY_TOKEN_PERMISSIONS),
        "permissions": [{"setting": bit, "name": name} for bit, name in COMMUNITY_TOKEN_PERMISSIONS],
    }


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


# --- Messages -------------------------------------------------------------------------------------


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


# --- Photos ---------------------------------------------------------------------------------------

UPLOAD_SALT = "kurator.sandbox.vk.upload"


def photos_get_wall_upload_server(call: Call) -> dict[str, Any]:
    community = community_by_group(call)
    require_admin(call, community)
    key = signing.dumps({"g": community.group_id}, salt=UPLOAD_SALT, compress=True)
    return {"album_id": -14, "upload_url": f"{call.site}/sandbox/vk/upload/{key}", "user_id": call.token.user_id or 0}


def upload_hash_signature(upload_hash: str) -> str:
    return salted_hmac(UPLOAD_SALT, upload_hash).hexdigest()[:32]


def community_for_upload_key(key: str) -> VkCommunity | None:
    try:
        data = signing.loads(key, salt=UPLOAD_SALT, max_age=UPLOAD_URL_MAX_AGE)
    except signing.BadSignature:
        return None
    return VkCommunity.objects.filter(group_id=data.get("g")).first()


def image_size(head: bytes) -> tuple[int, int]:
    """Width and height from a PNG or GIF header (no imaging library in the sandbox); 0×0 otherwise."""
    if head[:8] == b"\x89PNG\r\n\x1a\n" and len(head) >= 24:
        return int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")
    if head[:6] in (b"GIF87a", b"GIF89a") and len(head) >= 10:
        return int.from_bytes(head[6:8], "little"), int.from_bytes(head[8:10], "little")
    return 0, 0


def accept_upload(community: VkCommunity, uploaded: Any) -> dict[str, Any]:
    """The upload server's answer: {server, photo, hash}, where photo is a JSON string the client hands
    back unchanged to photos.saveWallPhoto."""
    head = uploaded.read(32)
    uploaded.seek(0)
    width, height = image_size(head)
    upload_hash = secrets.token_hex(16)
    photo = VkPhoto(community=community, upload_hash=upload_hash, width=width, height=height)
    photo.file.save(f"{upload_hash}{suffix_of(uploaded.name)}", uploaded, save=True)
    photo_field = json.dumps([{"photo": upload_hash, "sizes": [], "kid": upload_hash[:8]}])
    return {"server": 1, "photo": photo_field, "hash": upload_hash_signature(upload_hash)}


def suffix_of(name: str) -> str:
    suffix = "." + name.rsplit(".", 1)[-1].lower() if "." in (name or "") else ".jpg"
    return suffix if suffix in (".jpg", ".jpeg", ".png", ".gif", ".webp") else ".jpg"


def photos_save_wall_photo(call: Call) -> list[dict[str, Any]]:
    community = community_by_group(call)
    require_admin(call, community)
    try:
        listed = json.loads(call.text("photo") or "[]")
        upload_hash = listed[0]["photo"]
    except (ValueError, LookupError, TypeError):
        raise invalid_param("photo", "is undefined") from None
    if call.text("hash") != upload_hash_signature(upload_hash):
        raise VkError(121, "Invalid hash")
    photo = VkPhoto.objects.filter(community=community, upload_hash=upload_hash).select_related("community").first()
    if photo is None:
        raise invalid_param("photo", "is invalid")
    with transaction.atomic():
        lock_community(community)
        photo.refresh_from_db()
        if photo.photo_id is None:
            photo.photo_id = next_number(VkPhoto.objects.filter(community=community), "photo_id")
            photo.saved_at = timezone.now()
            photo.save(update_fields=["photo_id", "saved_at"])
            record(call, LedgerAction.CREATED, "photo", community, photo.photo_id, payload={"file": photo.file.name})
    return [vk_wire.photo_json(photo, site=call.site)]


# --- Bots Long Poll -------------------------------------------------------------------------------


def longpoll_key(community: VkCommunity) -> str:
    """One key per community, kept until rotated, so several readers of the same stream agree."""
    if not community.longpoll_key:
        community.longpoll_key = secrets.token_hex(20)
        community.save(update_fields=["longpoll_key"])
    return community.longpoll_key


def rotate_longpoll_key(community: VkCommunity) -> None:
    """The key "expires": clients then get failed 2 and ask groups.getLongPollServer again."""
    community.longpoll_key = secrets.token_hex(20)
    community.save(update_fields=["longpoll_key"])


def groups_get_long_poll_server(call: Call) -> dict[str, str]:
    community = community_by_group(call)
    require_admin(call, community)
    return {
        "key": longpoll_key(community),
        "server": f"{call.site}/sandbox/vk/longpoll/{community.group_id}",
        "ts": str(vk_events.current_ts(community)),
    }


def long_poll_check(
    group_id: int, *, key: str, ts: str, wait: float, sleep: Callable[[float], None] = time.sleep
) -> dict[str, Any]:
    """act=a_check: the events after ts, waiting up to `wait` seconds for the first one.
    failed 1: ts is ahead of the stream (use the returned ts); failed 2: the key is wrong or expired;
    failed 3: events after ts are gone (new key and ts needed)."""
    community = VkCommunity.objects.filter(group_id=group_id).first()
    if community is None or not community.longpoll_key or key != community.longpoll_key:
        return {"failed": 2}
    latest = vk_events.current_ts(community)
    try:
        since = int(ts)
    except ValueError:
        return {"failed": 1, "ts": str(latest)}
    if since > latest or since < 0:
        return {"failed": 1, "ts": str(latest)}
    oldest = VkEvent.objects.filter(community=community).order_by("ts").values_list("ts", flat=True).first()
    if oldest is not None and since < oldest - 1:
        return {"failed": 3}
    deadline = time.monotonic() + max(0.0, min(wait, LONGPOLL_MAX_WAIT))
    while True:
        publish_due_postponed_posts(community)
        events = list(
            VkEvent.objects.filter(community=community, ts__gt=since)
            .select_related("community")
            .order_by("ts")[:LONGPOLL_MAX_UPDATES]
        )
        if events or time.monotonic() >= deadline:
            break
        sleep(LONGPOLL_STEP)
    return {
        "ts": str(events[-1].ts if events else since),
        "updates": [vk_events.event_json(event) for event in events],
    }


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
