"""Files of the sandbox's Telegram: photos and videos uploaded, given by URL (fetched as Telegram fetches
them) or reused by file_id, kept as TgFile rows with the file in the media storage. A file_id names a
photo or a video, and Telegram refuses one sent as the other."""

from __future__ import annotations

import secrets
import struct
from typing import Any

import httpx
from django.core.files.base import ContentFile

from kurator.sandbox.models import TgFile
from kurator.sandbox.tg_errors import bad_request
from kurator.sandbox.video_probe import probe

PHOTO_MAX_BYTES = 10 * 1024 * 1024
VIDEO_MAX_BYTES = 50 * 1024 * 1024  # what a bot may upload to the cloud Bot API
# Telegram's file_ids begin by the kind of file: AgAC… a photo, BAAC… a video.
FILE_ID_PREFIX = {"photo": "AgACAgIAAx0C", "video": "BAACAgIAAx0C"}
DEFAULT_NAME = {"photo": "photo.jpg", "video": "video.mp4"}
VIDEO_SUFFIX = {"video/mp4": "mp4", "video/webm": "webm"}
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


def store_file(
    data: bytes, name: str = "photo.jpg", *, kind: str = "photo", content_type: str = "", hints: Any = None
) -> TgFile:
    """A new file. For a video, what the sender said (sendVideo's width, height, duration) stands where
    the file itself tells nothing."""
    if not data:
        raise bad_request("file must be non-empty")
    if len(data) > (VIDEO_MAX_BYTES if kind == "video" else PHOTO_MAX_BYTES):
        raise bad_request("file is too big")
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else DEFAULT_NAME[kind].rsplit(".", 1)[-1]
    tg_file = TgFile(
        file_id=FILE_ID_PREFIX[kind] + secrets.token_urlsafe(36),
        file_unique_id="AQAD" + secrets.token_urlsafe(12),
        kind=kind,
        size=len(data),
    )
    if kind == "video":
        info = probe(data, content_type)
        given = hints if isinstance(hints, dict) else {}
        tg_file.width, tg_file.height, tg_file.duration = info.filled(
            width=_given(given, "width"), height=_given(given, "height"), duration=_given(given, "duration")
        )
        tg_file.mime_type = info.mime_type
        # Named by what the content is, not by what the sender called it: the reader's page plays it.
        suffix = VIDEO_SUFFIX.get(info.mime_type, "mp4")
    else:
        tg_file.width, tg_file.height = image_size(data)
    tg_file.file.save(f"{kind}s/file_{secrets.token_hex(6)}.{suffix}", ContentFile(data), save=False)
    tg_file.save()
    return tg_file


def _given(hints: dict[str, Any], name: str) -> int:
    try:
        return max(0, int(hints.get(name) or 0))
    except (TypeError, ValueError):
        raise bad_request(f'field "{name}" must be a valid Number') from None


def fetch_url(url: str, *, kind: str = "photo", hints: Any = None) -> TgFile:
    """Telegram downloads a file given by URL itself; so does the sandbox."""
    try:
        response = httpx.get(url, timeout=URL_TIMEOUT, follow_redirects=True)
    except httpx.HTTPError as exc:
        raise bad_request("failed to get HTTP URL content") from exc
    if not response.is_success:
        raise bad_request("failed to get HTTP URL content")
    return store_file(
        response.content,
        url.rsplit("/", 1)[-1] or DEFAULT_NAME[kind],
        kind=kind,
        content_type=response.headers.get("content-type", ""),
        hints=hints,
    )


def _from_upload(upload: Any, kind: str, hints: Any) -> TgFile:
    name = getattr(upload, "name", "") or DEFAULT_NAME[kind]
    return store_file(upload.read(), name, kind=kind, content_type=getattr(upload, "content_type", ""), hints=hints)


def input_file(value: Any, uploads: dict[str, Any], *, kind: str = "photo", hints: Any = None) -> TgFile:
    """InputFile: an upload (the part itself or "attach://<name>"), a file_id, or an HTTP URL."""
    if hasattr(value, "read"):
        return _from_upload(value, kind, hints)
    text = "" if value is None else str(value).strip()
    if not text:
        raise bad_request(f"there is no {kind} in the request")
    if text.startswith("attach://"):
        upload = uploads.get(text[len("attach://") :])
        if upload is None:
            raise bad_request("wrong file identifier/HTTP URL specified")
        return _from_upload(upload, kind, hints)
    if text.startswith(("http://", "https://")):
        return fetch_url(text, kind=kind, hints=hints)
    existing = TgFile.objects.filter(file_id=text).first()
    if existing is None:
        raise bad_request("wrong file identifier/HTTP URL specified")
    if existing.kind != kind:
        raise bad_request("type of file mismatch")
    return existing


def photo_from(value: Any, uploads: dict[str, Any]) -> TgFile:
    return input_file(value, uploads, kind="photo")


def video_from(value: Any, uploads: dict[str, Any], hints: Any = None) -> TgFile:
    return input_file(value, uploads, kind="video", hints=hints)


def file_for_id(file_id: Any) -> TgFile:
    found = TgFile.objects.filter(file_id=str(file_id or "")).first()
    if found is None:
        raise bad_request("invalid file_id")
    return found
