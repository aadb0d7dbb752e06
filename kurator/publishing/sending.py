"""What one publication sends to its network, through the adapters of kurator.networks (R-PUB-5: the
real network's address or the built-in sandbox's, per page)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlparse

from django.conf import settings
from django.utils.translation import gettext as _

from kurator.networks.errors import PermanentError
from kurator.networks.telegram.client import TelegramClient, message_url
from kurator.networks.vk.client import VkClient, wall_post_url
from kurator.planning.choices import MediaKind
from kurator.planning.models import PostMedia
from kurator.publishing.models import Publication
from kurator.registry.choices import ConnectionEndpoint, SocialNetwork
from kurator.registry.models import PageConnection


@dataclass(frozen=True)
class Sent:
    external_id: str
    url: str


def api_base(connection: PageConnection) -> str:
    network = connection.page.social_network
    if connection.endpoint == ConnectionEndpoint.SANDBOX:
        suffix = "/vk/method" if network == SocialNetwork.VK else "/telegram"
        return settings.KURATOR_SANDBOX_URL.rstrip("/") + suffix
    return settings.KURATOR_VK_API_URL if network == SocialNetwork.VK else settings.KURATOR_TELEGRAM_API_URL


def _sandbox_reader_url(kind: str, name: str, post_id: int | str) -> str:
    return f"{settings.KURATOR_SANDBOX_URL.rstrip('/')}/{kind}/{name}/#post-{post_id}"


def post_text(publication: Publication) -> str:
    variant = publication.variant
    return (variant.text if variant is not None and variant.text else "") or publication.post.text


def parse_mode(publication: Publication) -> str | None:
    variant = publication.variant
    return (variant.parse_mode or None) if variant is not None else None


def _media(publication: Publication) -> list[PostMedia]:
    return list(publication.post.media.order_by("position", "pk"))


def _read(item: PostMedia) -> bytes:
    with item.file.open("rb") as handle:
        return handle.read()


def send(
    publication: Publication,
    connection: PageConnection,
    *,
    remember_media: Callable[[list[str]], None],
    pace: Callable[[int], None],
    publish_date: datetime | None = None,
) -> Sent:
    """Send one publication; raises the adapters' NetworkError subclasses. `remember_media` keeps what
    was uploaded, so that a retry posts the same photos and videos instead of uploading them again;
    `pace(n)` waits for room for n more requests on the token, for the uploads before the post."""
    network = connection.page.social_network
    if network == SocialNetwork.VK:
        if not publication.prepared_media:
            uploaded = upload_vk_media(publication, connection, pace=pace)
            if uploaded:
                remember_media(uploaded)
                publication.prepared_media = uploaded
                pace(1)  # the post itself, after the uploads took the moment it had reserved
        return _send_vk(publication, connection, publish_date)
    if network == SocialNetwork.TELEGRAM:
        return _send_telegram(publication, connection)
    raise PermanentError(
        message=_("Kurator does not publish to this network through its API; choose assisted publishing."),
        code=None,
    )


def _vk_group_id(connection: PageConnection) -> int:
    try:
        return abs(int(connection.target))
    except ValueError:
        raise PermanentError(
            message=_("The VK community of this page must be given by its numeric ID."), code=None
        ) from None


def _vk_public_url(connection: PageConnection, group_id: int, post_id: int) -> str:
    if connection.endpoint == ConnectionEndpoint.SANDBOX:
        return _sandbox_reader_url("vk", urlparse(connection.page.url).path.strip("/"), post_id)
    return wall_post_url(group_id, post_id)


# API calls each kind of file takes on VK: getWallUploadServer and saveWallPhoto for a photo; video.save
# for a video (its upload goes to an upload server, not to the API, and counts against no limit).
VK_UPLOAD_CALLS = {MediaKind.PHOTO: 2, MediaKind.VIDEO: 1}


def upload_vk_media(publication: Publication, connection: PageConnection, *, pace: Callable[[int], None]) -> list[str]:
    """VK's upload flows, item by item in the post's order: the attachments for wall.post. Each item's
    API calls are paced under the token's limit before it is uploaded."""
    media = _media(publication)
    if not media:
        return []
    group_id = _vk_group_id(connection)
    attachments = []
    with VkClient(base_url=api_base(connection), token=connection.token) as vk:
        for item in media:
            pace(VK_UPLOAD_CALLS[MediaKind(item.kind)])
            if item.kind == MediaKind.VIDEO:
                attachment = vk.upload_wall_video(
                    group_id=group_id,
                    filename=item.original_name,
                    data=_read(item),
                    content_type=item.content_type,
                    name=publication.post.title or item.original_name,
                )
            else:
                attachment = vk.upload_wall_photo(
                    group_id=group_id, filename=item.original_name, data=_read(item), content_type=item.content_type
                )
            attachments.append(attachment)
    return attachments


def _send_vk(publication: Publication, connection: PageConnection, publish_date: datetime | None = None) -> Sent:
    group_id = _vk_group_id(connection)
    with VkClient(base_url=api_base(connection), token=connection.token) as vk:
        post_id = vk.wall_post(
            group_id=group_id,
            message=post_text(publication),
            attachments=list(publication.prepared_media),
            guid=publication.guid,
            publish_date=int(publish_date.timestamp()) if publish_date else None,
        )
    return Sent(str(post_id), _vk_public_url(connection, group_id, post_id))


def find_on_vk_wall(publication: Publication, connection: PageConnection, *, since: datetime) -> Sent | None:
    """Read the wall back for a post made with this text since `since` (past VK's one-hour guid memory)."""
    group_id = _vk_group_id(connection)
    text = post_text(publication).strip()
    with VkClient(base_url=api_base(connection), token=connection.token) as vk:
        # A post handed over as postponed waits among the postponed ones until its time.
        for wall in ("all", "postponed"):
            for item in vk.wall_get(group_id=group_id, count=100, filter=wall):
                if (item.get("text") or "").strip() == text and int(item.get("date", 0)) >= since.timestamp() - 60:
                    return Sent(str(item["id"]), _vk_public_url(connection, group_id, int(item["id"])))
    return None


def vk_post_state(publication: Publication, connection: PageConnection) -> str:
    """Where a post handed to VK as postponed is now: "published", "postponed" or "missing"."""
    group_id = _vk_group_id(connection)
    wanted = int(publication.external_id)
    with VkClient(base_url=api_base(connection), token=connection.token) as vk:
        for wall, state in (("all", "published"), ("postponed", "postponed")):
            if any(int(item.get("id", 0)) == wanted for item in vk.wall_get(group_id=group_id, count=100, filter=wall)):
                return state
    return "missing"


def remove_vk_post(connection: PageConnection, external_id: str) -> None:
    with VkClient(base_url=api_base(connection), token=connection.token) as vk:
        vk.wall_delete(group_id=_vk_group_id(connection), post_id=int(external_id))


def _tg_public_url(connection: PageConnection, message: dict) -> str:
    chat = message.get("chat") or {}
    if connection.endpoint == ConnectionEndpoint.SANDBOX and chat.get("username"):
        return _sandbox_reader_url("telegram", chat["username"], message["message_id"])
    return message_url(chat, message["message_id"]) or ""


def _send_telegram(publication: Publication, connection: PageConnection) -> Sent:
    text, mode, media = post_text(publication), parse_mode(publication), _media(publication)
    with TelegramClient(base_url=api_base(connection), token=connection.token) as telegram:
        if not media:
            message = telegram.send_message(chat_id=connection.target, text=text, parse_mode=mode)
        elif len(media) == 1:
            item = media[0]
            upload = (item.original_name, _read(item), item.content_type)
            if item.kind == MediaKind.VIDEO:
                message = telegram.send_video(chat_id=connection.target, video=upload, caption=text, parse_mode=mode)
            else:
                message = telegram.send_photo(chat_id=connection.target, photo=upload, caption=text, parse_mode=mode)
        else:
            # An album mixes photos and videos in the post's order.
            messages = telegram.send_media_group(
                chat_id=connection.target,
                media=[(m.original_name, _read(m), m.content_type, str(m.kind)) for m in media],
                caption=text,
                parse_mode=mode,
            )
            message = messages[0]
    return Sent(str(message["message_id"]), _tg_public_url(connection, message))


def remove(publication: Publication, connection: PageConnection) -> None:
    """Take a published post off its page (wall.delete, deleteMessage)."""
    if connection.page.social_network == SocialNetwork.VK:
        with VkClient(base_url=api_base(connection), token=connection.token) as vk:
            vk.wall_delete(group_id=_vk_group_id(connection), post_id=int(publication.external_id))
        return
    with TelegramClient(base_url=api_base(connection), token=connection.token) as telegram:
        telegram.delete_message(chat_id=connection.target, message_id=int(publication.external_id))
