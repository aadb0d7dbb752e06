"""Community events for the Bots Long Poll and the Callback API (networks.md §1.10).

Every event is a row (VkEvent) numbered by `ts` within its community, so a long-poll client can ask
"what after ts?" across restarts, and the Callback API delivery is a Huey task that marks the row
delivered only when the server answers the plain string "ok"."""

from __future__ import annotations

import logging
import secrets
from datetime import timedelta
from typing import Any

import httpx
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from kurator.sandbox import vk_wire
from kurator.sandbox.models import VkComment, VkCommunity, VkEvent, VkMessage

logger = logging.getLogger(__name__)

API_VERSION = "5.199"
# A callback server that does not answer quickly is treated as failing, as VK does.
CALLBACK_TIMEOUT = httpx.Timeout(5.0, connect=3.0)
TS_ATTEMPTS = 5
EVENTS_KEPT = timedelta(days=7)


def current_ts(community: VkCommunity) -> int:
    return VkEvent.objects.filter(community=community).aggregate(last=Max("ts"))["last"] or 0


def new_event_id() -> str:
    """VK's event ids are 40 hexadecimal characters."""
    return secrets.token_hex(20)


def emit(community: VkCommunity, type: str, obj: dict[str, Any]) -> VkEvent:
    """Record an event (next ts in the community, a fresh event_id) and, when the community has a
    Callback API address, deliver it there once the surrounding transaction commits."""
    for attempt in range(TS_ATTEMPTS):
        try:
            # A savepoint, so that losing the race for a ts does not break the caller's transaction.
            with transaction.atomic():
                event = VkEvent.objects.create(
                    community=community,
                    ts=current_ts(community) + 1,
                    event_id=new_event_id(),
                    type=type,
                    object=obj,
                )
            break
        except IntegrityError:
            if attempt == TS_ATTEMPTS - 1:
                raise
    if community.callback_url:
        transaction.on_commit(lambda: deliver_callback_event(event.pk))
    return event


def event_json(event: VkEvent) -> dict[str, Any]:
    """An event as the Bots Long Poll lists it in `updates` (the Callback API adds `secret`)."""
    return {
        "type": event.type,
        "object": event.object,
        "group_id": event.community.group_id,
        "event_id": event.event_id,
        "v": API_VERSION,
    }


# --- The objects of the common events, so that every caller builds them alike -------------------


def emit_wall_post_new(post: Any, *, site: str = "") -> VkEvent:
    return emit(post.community, "wall_post_new", vk_wire.post_json(post, site=site))


def emit_wall_reply_new(comment: VkComment) -> VkEvent:
    return emit(comment.community, "wall_reply_new", vk_wire.wall_reply_json(comment))


def emit_wall_reply_delete(comment: VkComment, *, deleter_id: int) -> VkEvent:
    obj = {
        "owner_id": comment.community.owner_id,
        "id": comment.comment_id,
        "deleter_id": deleter_id,
        "post_id": comment.post.post_id,
    }
    return emit(comment.community, "wall_reply_delete", obj)


def emit_message_new(message: VkMessage) -> VkEvent:
    client_info = {
        "button_actions": ["text", "vkpay", "open_app", "location", "open_link", "callback", "intent_subscribe"],
        "keyboard": True,
        "inline_keyboard": True,
        "carousel": True,
        "lang_id": 0,
    }
    return emit(
        message.community, "message_new", {"message": vk_wire.message_json(message), "client_info": client_info}
    )


def emit_message_reply(message: VkMessage) -> VkEvent:
    return emit(message.community, "message_reply", vk_wire.message_json(message))


def emit_like(
    community: VkCommunity, *, liker_id: int, object_type: str, object_id: int, post_id: int = 0, added: bool = True
) -> VkEvent:
    """like_add / like_remove: object_type is post, comment, photo…; post_id is set for a comment's like."""
    obj = {
        "liker_id": liker_id,
        "object_type": object_type,
        "object_owner_id": community.owner_id,
        "object_id": object_id,
        "thread_reply_id": 0,
        "post_id": post_id,
    }
    return emit(community, "like_add" if added else "like_remove", obj)


# --- Callback API -------------------------------------------------------------------------------


class CallbackNotAccepted(Exception):
    """The callback server did not answer "ok": Huey retries the delivery later."""


def callback_body(event: VkEvent) -> dict[str, Any]:
    body = event_json(event)
    if event.community.callback_secret:
        body["secret"] = event.community.callback_secret
    return body


@db_task(retries=3, retry_delay=10)
def deliver_callback_event(event_pk: int) -> bool:
    """POST one event to the community's Callback API address; delivered only on the answer "ok"."""
    event = VkEvent.objects.select_related("community").filter(pk=event_pk).first()
    if event is None or event.delivered_at is not None or not event.community.callback_url:
        return False
    try:
        with httpx.Client(timeout=CALLBACK_TIMEOUT) as client:
            answer = client.post(event.community.callback_url, json=callback_body(event))
    except httpx.HTTPError as exc:
        raise CallbackNotAccepted(f"{event.community.callback_url}: {exc}") from exc
    if answer.status_code != 200 or answer.text.strip() != "ok":
        raise CallbackNotAccepted(f"{event.community.callback_url} answered {answer.status_code} {answer.text[:100]!r}")
    VkEvent.objects.filter(pk=event.pk, delivered_at__isnull=True).update(delivered_at=timezone.now())
    return True


def confirmation_code(community: VkCommunity) -> str:
    """The code groups.getCallbackConfirmationCode returns; made on first use, then kept."""
    community.refresh_from_db(fields=["confirmation_code"])  # another request may have made it
    if not community.confirmation_code:
        community.confirmation_code = secrets.token_hex(4)
        community.save(update_fields=["confirmation_code"])
    return community.confirmation_code


def confirm_callback_server(community: VkCommunity) -> bool:
    """VK's check of a new callback address: it sends type=confirmation and expects the community's
    confirmation code as the whole answer."""
    if not community.callback_url:
        return False
    body: dict[str, Any] = {"type": "confirmation", "group_id": community.group_id}
    if community.callback_secret:
        body["secret"] = community.callback_secret
    try:
        with httpx.Client(timeout=CALLBACK_TIMEOUT) as client:
            answer = client.post(community.callback_url, json=body)
    except httpx.HTTPError:
        logger.info("Callback API confirmation to %s failed", community.callback_url, exc_info=True)
        return False
    return answer.status_code == 200 and answer.text.strip() == confirmation_code(community)


@db_periodic_task(crontab(minute="*"))
def publish_due_postponed_posts_task() -> int:
    """Postponed posts go out on time even when nobody is reading the wall."""
    from kurator.sandbox.vk_service import publish_due_postponed_posts

    return publish_due_postponed_posts()


def prune_old_events(kept: timedelta = EVENTS_KEPT) -> int:
    """VK keeps events for a while only; a long-poll client further behind gets failed 3. Each
    community keeps its newest event, so its ts never goes back."""
    cutoff = timezone.now() - kept
    pruned = 0
    for community_id, newest in VkEvent.objects.values_list("community").annotate(newest=Max("ts")):
        pruned += VkEvent.objects.filter(community_id=community_id, created_at__lt=cutoff, ts__lt=newest).delete()[0]
    return pruned


@db_periodic_task(crontab(minute="17", hour="*"))
def prune_old_events_task() -> int:
    return prune_old_events()
