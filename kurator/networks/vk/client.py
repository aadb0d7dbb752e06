"""A thin client of the VK API 5.199 (networks.md §1): form-encoded POSTs to <base_url>/<method>, the
token in `access_token`, VK's envelope read into a result or into a NetworkError by error code.

Only what publishing needs: wall posts (with `guid`, VK's own idempotency key, so that a resend after
an ambiguous failure within the hour finds the first post instead of making a second one), the wall
photo and community video upload flows, reading a wall back, and checking that a token may still post (R-PUB-4)."""

from __future__ import annotations

from collections.abc import Sequence
from types import TracebackType
from typing import Any

import httpx
from django.utils.translation import gettext as _

from kurator.networks.errors import AmbiguousError, NetworkError, PermanentError, TransientError
from kurator.networks.http import json_body, make_client, post, status_error, unreadable_answer

VK_API_VERSION = "5.199"

# Unknown / internal errors, too many requests per second, flood control (networks.md §1.3).
TRANSIENT_CODES = frozenset({1, 6, 9, 10})
# Invalid or revoked token, validation required, a community token where a user token is needed,
# expired token, token extension required: a person must give Kurator a new token.
TOKEN_CODES = frozenset({5, 17, 27, 1117, 3609})
# Permission / access denied: on a community's wall it means the token's owner is no longer an
# administrator there.
RIGHTS_CODES = frozenset({7, 15, 203})


def form_value(value: Any) -> str:
    """VK reads flags as 1/0 and lists as comma-separated strings (networks.md §1.1)."""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, list | tuple):
        return ",".join(str(item) for item in value)
    return str(value)


def names_community(params: dict[str, Any]) -> bool:
    owner_id = params.get("owner_id")
    return params.get("group_id") is not None or (isinstance(owner_id, int) and owner_id < 0)


def api_error(error: dict[str, Any], *, method: str, on_community: bool) -> NetworkError:
    try:
        code = int(error.get("error_code", 0))
    except (TypeError, ValueError):
        code = 0
    message = str(error.get("error_msg") or f"VK error {code}")
    token_problem = code in TOKEN_CODES or (on_community and code in RIGHTS_CODES)
    kind = TransientError if code in TRANSIENT_CODES else PermanentError
    return kind(message, code=code, token_problem=token_problem, method=method)


def wall_post_url(group_id: int, post_id: int) -> str:
    return f"https://vk.com/wall-{abs(group_id)}_{post_id}"


class VkClient:
    def __init__(self, *, base_url: str, token: str, timeout: httpx.Timeout | None = None) -> None:
        self.token = token
        self.http = make_client(base_url.rstrip("/") + "/", timeout=timeout)

    def call(self, method: str, *, read_only: bool = False, **params: Any) -> Any:
        """One API method; `read_only` says that sending it twice could duplicate nothing."""
        data = {name: form_value(value) for name, value in params.items() if value is not None}
        data.update(v=VK_API_VERSION, access_token=self.token)
        response = post(self.http, method, method=method, read_only=read_only, secret=self.token, data=data)
        return self._result(response, method=method, read_only=read_only, on_community=names_community(params))

    def _result(self, response: httpx.Response, *, method: str, read_only: bool, on_community: bool) -> Any:
        body = json_body(response)
        error = body.get("error") if isinstance(body, dict) else None
        # VK answers its errors with HTTP 200; a 5xx is the front end's, whatever it carries.
        if isinstance(error, dict) and response.status_code < 500:
            raise api_error(error, method=method, on_community=on_community)
        failed = status_error(response, method=method)
        if failed is not None:
            raise failed
        if not isinstance(body, dict) or "response" not in body:
            raise unreadable_answer(response, method=method, read_only=read_only)
        return body["response"]

    # --- the wall ----------------------------------------------------------------------------------

    def wall_post(
        self,
        *,
        group_id: int,
        message: str,
        attachments: Sequence[str] = (),
        guid: str,
        publish_date: int | None = None,
    ) -> int:
        """Post as the community; with `publish_date` in the future VK keeps it as a postponed post
        (R-PUB-7). A repeated `guid` within the hour returns the first post's id."""
        response = self.call(
            "wall.post",
            owner_id=-abs(group_id),
            from_group=1,
            message=message,
            attachments=list(attachments) or None,
            guid=guid,
            publish_date=publish_date,
        )
        try:
            return int(response["post_id"])
        except (TypeError, KeyError, ValueError):
            # VK said it worked but not which post it made: it may well exist.
            raise AmbiguousError("VK answered without a post_id", method="wall.post") from None

    def wall_edit(
        self,
        *,
        group_id: int,
        post_id: int,
        message: str,
        attachments: Sequence[str] = (),
        publish_date: int | None = None,
    ) -> None:
        # The attachments are always sent, empty or not: an edit makes the post exactly what we hold.
        self.call(
            "wall.edit",
            owner_id=-abs(group_id),
            post_id=post_id,
            message=message,
            attachments=list(attachments),
            publish_date=publish_date,
        )

    def wall_delete(self, *, group_id: int, post_id: int) -> None:
        self.call("wall.delete", owner_id=-abs(group_id), post_id=post_id)

    def wall_get(self, *, group_id: int, count: int = 100, filter: str = "all") -> list[dict[str, Any]]:
        response = self.call("wall.get", read_only=True, owner_id=-abs(group_id), count=count, filter=filter)
        return list(response.get("items", [])) if isinstance(response, dict) else []

    # --- communities -------------------------------------------------------------------------------

    def group(self, group_id_or_screen_name: str | int) -> dict[str, Any]:
        """The community as VK describes it to this token (`is_admin` comes only with a user token)."""
        raw = group_id_or_screen_name
        response = self.call("groups.getById", read_only=True, group_id=abs(raw) if isinstance(raw, int) else raw)
        # 5.199 wraps the list in {"groups": [...], "profiles": [...]}; older versions answered the list.
        groups = response.get("groups", []) if isinstance(response, dict) else response
        if not groups:
            raise PermanentError(f"VK found no community {raw}", method="groups.getById")
        return dict(groups[0])

    # --- photos and videos -------------------------------------------------------------------------
    # Each step of an upload may be repeated safely: a lost answer leaves at most an unused photo in the
    # community's hidden album of wall photos, or an unused video among its videos, never a second
    # post. Hence read_only=True.

    def upload_wall_photo(self, *, group_id: int, filename: str, data: bytes, content_type: str) -> str:
        """getWallUploadServer → multipart upload → saveWallPhoto; the attachment "photo<owner>_<id>"."""
        server = self.call("photos.getWallUploadServer", read_only=True, group_id=abs(group_id))
        method = "photos.upload"
        uploaded = self._upload(str(server["upload_url"]), "photo", filename, data, content_type, method=method)
        if uploaded.get("photo") in (None, "", "[]"):
            raise PermanentError("VK's upload server kept no photo from the upload", method=method)
        saved = self.call(
            "photos.saveWallPhoto",
            read_only=True,
            group_id=abs(group_id),
            photo=uploaded["photo"],
            server=uploaded["server"],
            hash=uploaded["hash"],
        )
        photo = saved[0]
        return f"photo{photo['owner_id']}_{photo['id']}"

    def upload_wall_video(self, *, group_id: int, filename: str, data: bytes, content_type: str, name: str) -> str:
        """video.save in the community (not posted by VK itself: wallpost=0) → multipart upload of
        "video_file" to the address it gives; the attachment "video<owner>_<id>" for wall.post."""
        saved = self.call(
            "video.save", read_only=True, group_id=abs(group_id), name=name, description="", wallpost=False
        )
        try:
            upload_url, owner_id, video_id = str(saved["upload_url"]), int(saved["owner_id"]), int(saved["video_id"])
        except (TypeError, KeyError, ValueError):
            raise PermanentError("VK answered video.save without an upload address", method="video.save") from None
        method = "video.upload"
        uploaded = self._upload(upload_url, "video_file", filename, data, content_type, method=method)
        try:
            # The upload server names the video it kept; it is the one video.save made.
            owner_id, video_id = int(uploaded.get("owner_id", owner_id)), int(uploaded.get("video_id", video_id))
        except (TypeError, ValueError):
            raise PermanentError("VK's upload server kept no video from the upload", method=method) from None
        return f"video{owner_id}_{video_id}"

    def _upload(
        self, upload_url: str, field: str, filename: str, data: bytes, content_type: str, *, method: str
    ) -> dict[str, Any]:
        """A multipart POST to an upload server: not an API method, and it answers without VK's envelope."""
        response = post(
            self.http,
            upload_url,
            method=method,
            read_only=True,
            secret=self.token,
            files={field: (filename, data, content_type)},
        )
        failed = status_error(response, method=method)
        if failed is not None:
            raise failed
        body = json_body(response)
        if not isinstance(body, dict):
            raise unreadable_answer(response, method=method, read_only=True)
        if body.get("error"):
            raise PermanentError(str(body["error"]), method=method)
        return body

    # --- lifetime ----------------------------------------------------------------------------------

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> VkClient:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.close()


def check_vk_token(client: VkClient, group_id: int) -> str | None:
    """None when the token may post on the community's wall; else why not, in VK's own words where VK
    gave any (R-PUB-4)."""
    try:
        group = client.group(group_id)
        if group.get("is_admin"):
            return None
        if "is_admin" not in group:
            # VK tells only a user token whether it administers the community; with any other token
            # a user-only method makes VK name the problem itself (error 27).
            client.wall_get(group_id=group_id, count=1)
    except NetworkError as error:
        return error.message
    return _("The token's owner is not an administrator of this VK community.")
