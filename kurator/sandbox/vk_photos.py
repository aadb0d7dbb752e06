"""The wall photo upload flow: upload server → upload → photos.saveWallPhoto → attachment."""

from __future__ import annotations

import json
import secrets
from typing import Any

from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac

from kurator.sandbox import vk_wire
from kurator.sandbox.choices import LedgerAction
from kurator.sandbox.models import (
    VkCommunity,
    VkPhoto,
)
from kurator.sandbox.vk_core import (
    Call,
    VkError,
    community_by_group,
    invalid_param,
    lock_community,
    next_number,
    record,
    require_admin,
)

UPLOAD_URL_MAX_AGE = 24 * 3600


UPLOAD_SALT = "kurator.sandbox.vk.upload"


def photos_get_wall_upload_server(call: Call) -> dict[str, Any]:
    community = community_by_group(call)
    require_admin(call, community)
    key = signing.dumps({"g": community.group_id}, salt=UPLOAD_SALT, compress=True)
    upload_url = call.site + reverse("sandbox:vk_upload", kwargs={"key": key})
    return {"album_id": -14, "upload_url": upload_url, "user_id": call.token.user_id or 0}


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
