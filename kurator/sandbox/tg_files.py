"""Files of the sandbox's Telegram: photos uploaded, given by URL (fetched as Telegram fetches them) or
reused by file_id, kept as TgFile rows with the picture in the media storage."""

from __future__ import annotations

import secrets
import struct
from typing import Any

import httpx
from django.core.files.base import ContentFile

from kurator.sandbox.models import TgFile
from kurator.sandbox.tg_errors import bad_request

PHOTO_MAX_BYTES = 10 * 1024 * 1024
URL_TIMEOUT = httpx.Timeout(10.0, connect=5.0)


def image_size(data: bytes) -> tuple[int, int]:
    """Width and height of a PNG, GIF or JPEG, read from its header (0, 0 when unknown)."""
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        width, height = struct.unpack("<HH", data[6:10])
        return int(width), int(height)
    if data[:2] == b"\xff\xd8":
        i = 2
        while i + 9 < len(data):
            if data[i] != 0xFF:
                i += 1
                continue
            marker = data[i + 1]
            if marker in (0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF):
                height, width = struct.unpack(">HH", data[i + 5 : i + 9])
                return int(width), int(height)
            (segment,) = struct.unpack(">H", data[i + 2 : i + 4])
            i += 2 + segment
    return 0, 0


def store_file(data: bytes, name: str = "photo.jpg") -> TgFile:
    if not data:
        raise bad_request("file must be non-empty")
    if len(data) > PHOTO_MAX_BYTES:
        raise bad_request("file is too big")
    width, height = image_size(data)
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else "jpg"
    tg_file = TgFile(
        file_id="AgACAgIAAx0C" + secrets.token_urlsafe(36),
        file_unique_id="AQAD" + secrets.token_urlsafe(12),
        size=len(data),
        width=width,
        height=height,
    )
    tg_file.file.save(f"photos/file_{secrets.token_hex(6)}.{suffix}", ContentFile(data), save=False)
    tg_file.save()
    return tg_file


def fetch_url(url: str) -> TgFile:
    """Telegram downloads a photo given by URL itself; so does the sandbox."""
    try:
        response = httpx.get(url, timeout=URL_TIMEOUT, follow_redirects=True)
    except httpx.HTTPError as exc:
        raise bad_request("failed to get HTTP URL content") from exc
    if not response.is_success:
        raise bad_request("failed to get HTTP URL content")
    return store_file(response.content, url.rsplit("/", 1)[-1] or "photo.jpg")


def photo_from(value: Any, uploads: dict[str, Any]) -> TgFile:
    """InputFile: an upload (the part itself or "attach://<name>"), a file_id, or an HTTP URL."""
    if hasattr(value, "read"):
        return store_file(value.read(), getattr(value, "name", "") or "photo.jpg")
    text = "" if value is None else str(value).strip()
    if not text:
        raise bad_request("there is no photo in the request")
    if text.startswith("attach://"):
        upload = uploads.get(text[len("attach://") :])
        if upload is None:
            raise bad_request("wrong file identifier/HTTP URL specified")
        return store_file(upload.read(), getattr(upload, "name", "") or "photo.jpg")
    if text.startswith(("http://", "https://")):
        return fetch_url(text)
    existing = TgFile.objects.filter(file_id=text).first()
    if existing is None:
        raise bad_request("wrong file identifier/HTTP URL specified")
    return existing


def file_for_id(file_id: Any) -> TgFile:
    found = TgFile.objects.filter(file_id=str(file_id or "")).first()
    if found is None:
        raise bad_request("invalid file_id")
    return found
