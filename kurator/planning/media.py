"""Uploaded images and video of a post (issue 5 item 2): the declared type, the size AND the content
are checked before anything is stored, so a disguised file (a program named photo.jpg, a web page named
a.png) is refused and never reaches the disk. Files are stored under generated names with the suffix of
what they really are, and served only as downloads of that type (see views.media_file)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from kurator.core.errors import PermissionDenied, ValidationError
from kurator.core.services import audit_record
from kurator.planning.choices import MediaKind, PostState
from kurator.planning.models import Post, PostMedia
from kurator.planning.services import can_plan_for

PHOTO_MAX_BYTES = 10 * 1024 * 1024
VIDEO_MAX_BYTES = 200 * 1024 * 1024
HEAD_BYTES = 64


@dataclass(frozen=True)
class FileType:
    content_type: str
    kind: str
    suffix: str
    suffixes: frozenset[str]  # the names this type may arrive under


TYPES = (
    FileType("image/jpeg", MediaKind.PHOTO, ".jpg", frozenset({".jpg", ".jpeg", ".jpe", ".jfif"})),
    FileType("image/png", MediaKind.PHOTO, ".png", frozenset({".png"})),
    FileType("image/gif", MediaKind.PHOTO, ".gif", frozenset({".gif"})),
    FileType("image/webp", MediaKind.PHOTO, ".webp", frozenset({".webp"})),
    FileType("video/mp4", MediaKind.VIDEO, ".mp4", frozenset({".mp4", ".m4v"})),
    FileType("video/webm", MediaKind.VIDEO, ".webm", frozenset({".webm"})),
)
BY_CONTENT_TYPE = {t.content_type: t for t in TYPES}
ALLOWED_NAMES = "JPEG, PNG, GIF, WebP, MP4, WebM"


def sniff(head: bytes) -> FileType | None:
    """What the first bytes say the file is (its magic number), whatever its name claims."""
    if head.startswith(b"\xff\xd8\xff"):
        return BY_CONTENT_TYPE["image/jpeg"]
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return BY_CONTENT_TYPE["image/png"]
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return BY_CONTENT_TYPE["image/gif"]
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return BY_CONTENT_TYPE["image/webp"]
    if head[4:8] == b"ftyp":
        return BY_CONTENT_TYPE["video/mp4"]
    if head.startswith(b"\x1a\x45\xdf\xa3") and b"webm" in head:
        return BY_CONTENT_TYPE["video/webm"]
    return None


def _read_head(upload: UploadedFile) -> bytes:
    upload.seek(0)
    head = upload.read(HEAD_BYTES)
    upload.seek(0)
    return head


def check_upload(upload: UploadedFile) -> FileType:
    """The file's real type, or a ValidationError that says plainly what is wrong with it."""
    name = upload.name or ""
    suffix = PurePath(name).suffix.lower()
    declared = (upload.content_type or "").split(";")[0].strip().lower()
    known = BY_CONTENT_TYPE.get(declared)
    if known is None and not any(suffix in t.suffixes for t in TYPES):
        raise ValidationError(
            {
                "file": _("“%(name)s” is not an image or a video we accept (%(types)s).")
                % {"name": name, "types": ALLOWED_NAMES}
            }
        )
    real = sniff(_read_head(upload))
    if real is None or (known is not None and known != real) or suffix not in real.suffixes:
        raise ValidationError(
            {
                "file": _(
                    "“%(name)s” is not what its name or type says: its content is not a %(types)s file. "
                    "It was not saved."
                )
                % {"name": name, "types": known.content_type if known else suffix or ALLOWED_NAMES}
            }
        )
    limit = PHOTO_MAX_BYTES if real.kind == MediaKind.PHOTO else VIDEO_MAX_BYTES
    if upload.size is None or upload.size > limit:
        raise ValidationError(
            {
                "file": _("“%(name)s” is %(size)s MB; a %(kind)s may be at most %(limit)s MB.")
                % {
                    "name": name,
                    "size": f"{(upload.size or 0) / 1024 / 1024:.1f}",
                    "kind": MediaKind(real.kind).label.lower(),
                    "limit": limit // 1024 // 1024,
                }
            }
        )
    return real


def _may_change(by: Any, post: Post) -> None:
    if not any(can_plan_for(by, v.page) for v in post.variants.select_related("page")):
        raise PermissionDenied
    if post.state in (PostState.PUBLISHED, PostState.WITHDRAWN):
        raise ValidationError(_("A published or withdrawn post cannot be changed here."))


@transaction.atomic
def media_add(*, by: Any, post: Post, upload: UploadedFile) -> PostMedia:
    """Checks first, stores after: a refused file leaves nothing behind (issue 5, "changes nothing")."""
    _may_change(by, post)
    real = check_upload(upload)
    original = upload.name or ""
    # Stored under a generated name with the suffix of the real type, never the one it arrived with.
    upload.name = f"upload{real.suffix}"
    media = PostMedia(
        post=post,
        kind=real.kind,
        file=upload,
        original_name=original[:255],
        content_type=real.content_type,
        size=upload.size or 0,
        position=post.media.count(),
    )
    media.save()
    audit_record(
        actor=by,
        verb="post.media_added",
        summary=_("File “%(name)s” attached to “%(title)s”") % {"name": original, "title": post.title},
        target=post,
        network_id=post.network_id,
    )
    return media


@transaction.atomic
def media_remove(*, by: Any, media: PostMedia) -> None:
    post = media.post
    _may_change(by, post)
    name = media.original_name
    media.file.delete(save=False)
    media.delete()
    audit_record(
        actor=by,
        verb="post.media_removed",
        summary=_("File “%(name)s” removed from “%(title)s”") % {"name": name, "title": post.title},
        target=post,
        network_id=post.network_id,
    )
