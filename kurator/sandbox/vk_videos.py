"""The community video upload flow: video.save (an id and an upload address) → upload → attachment
"video<owner_id>_<video_id>". On VK the video exists from video.save on, but a post may attach it only
once its file has come; the sandbox refuses a video that never got one, as it refuses an unsaved photo.

video.save's `wallpost=1` (VK posts the video on the wall by itself once it is processed) is accepted and
does nothing here: Kurator posts the video itself, with the post's text."""

from __future__ import annotations

import secrets
from typing import Any

from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from kurator.sandbox.choices import LedgerAction
from kurator.sandbox.models import VkVideo
from kurator.sandbox.video_probe import probe
from kurator.sandbox.vk_core import (
    Call,
    community_by_group,
    invalid_param,
    lock_community,
    next_number,
    record,
    require_admin,
)
from kurator.sandbox.vk_photos import UPLOAD_SALT, UPLOAD_URL_MAX_AGE

TITLE_MAX = 128  # VK cuts a video's title to this many characters
VIDEO_SUFFIX = {"video/mp4": ".mp4", "video/webm": ".webm"}


def video_save(call: Call) -> dict[str, Any]:
    """video.save for a community (group_id): the sandbox has only community walls, so a video is always
    the community's (owner_id = -group_id). Its title defaults to "Video", as VK names untitled ones."""
    if not call.text("group_id").strip():
        raise invalid_param("group_id", "is undefined: the sandbox keeps videos of communities only")
    community = community_by_group(call)
    require_admin(call, community)
    title = (call.text("name").strip() or "Video")[:TITLE_MAX]
    description = call.text("description")
    with transaction.atomic():
        lock_community(community)
        video = VkVideo.objects.create(
            community=community,
            video_id=next_number(VkVideo.objects.filter(community=community), "video_id"),
            title=title,
            description=description,
            access_key=secrets.token_hex(9),
        )
        record(call, LedgerAction.CREATED, "video", community, video.video_id, payload={"title": title})
    # The address names the video and who saved it, for the ledger entry of the upload.
    key = signing.dumps(
        {"g": community.group_id, "v": video.video_id, "a": call.actor}, salt=UPLOAD_SALT, compress=True
    )
    return {
        "upload_url": call.site + reverse("sandbox:vk_upload", kwargs={"key": key}),
        "video_id": video.video_id,
        "owner_id": community.owner_id,
        "title": video.title,
        "description": video.description,
        "access_key": video.access_key,
    }


def video_for_upload_key(key: str) -> tuple[VkVideo, str] | None:
    """The video an upload address of video.save is for, and who saved it; None for a photo's address
    or a bad one."""
    try:
        data = signing.loads(key, salt=UPLOAD_SALT, max_age=UPLOAD_URL_MAX_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("g"), int) or not isinstance(data.get("v"), int):
        return None
    video = (
        VkVideo.objects.filter(community__group_id=data["g"], video_id=data["v"]).select_related("community").first()
    )
    return (video, str(data.get("a") or "")) if video is not None else None


def accept_video_upload(video: VkVideo, uploaded: Any, *, actor: str = "") -> dict[str, Any]:
    """The upload server's answer, as VK's: {size, video_id, owner_id, video_hash}. A second upload to
    the same address replaces the file: the video stays one."""
    data = uploaded.read()
    info = probe(data, getattr(uploaded, "content_type", "") or "")
    video.width, video.height, video.duration = info.filled()
    video.size = len(data)
    uploaded.seek(0)
    with transaction.atomic():
        if video.file:
            video.file.delete(save=False)
        video.file.save(f"{secrets.token_hex(8)}{VIDEO_SUFFIX.get(info.mime_type, '.mp4')}", uploaded, save=False)
        video.uploaded_at = timezone.now()
        video.save(update_fields=["file", "size", "width", "height", "duration", "uploaded_at"])
        record(
            actor, LedgerAction.EDITED, "video", video.community, video.video_id,
            payload={"file": video.file.name, "size": video.size},
        )  # fmt: skip
    return {
        "size": video.size,
        "video_id": video.video_id,
        "owner_id": video.community.owner_id,
        "video_hash": secrets.token_hex(16),
    }
