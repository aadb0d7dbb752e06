"""A thin client of the Telegram Bot API (networks.md §2): POSTs to <base_url>/bot<token>/<method>, JSON
bodies (multipart when files go along), the envelope {"ok", "result"} / {"ok": false, "error_code",
"description", "parameters"} read into a result or into a NetworkError.

Telegram has no idempotency key: a send whose answer is lost is an AmbiguousError, and publishing must
read back or ask a person instead of sending again (R-PUB-2)."""

from __future__ import annotations

import json
import re
from types import TracebackType
from typing import Any

import httpx
from django.utils.translation import gettext as _

from kurator.networks.errors import NetworkError, PermanentError, TransientError
from kurator.networks.http import json_body, make_client, post, status_error, unreadable_answer

# Unauthorized (a wrong or revoked token), Forbidden (the bot left, was removed or lost its rights),
# Not Found in Telegram's own envelope (a token of the wrong shape: the method names are ours and exist).
TOKEN_CODES = frozenset({401, 403, 404})
USERNAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{3,}$")

Upload = tuple[str, bytes, str]  # file name, content, content type
ALBUM_KINDS = ("photo", "video")  # InputMediaPhoto, InputMediaVideo: the two an album may mix


def form_value(value: Any) -> str:
    """Multipart fields are strings; arrays and objects go JSON-serialized, as the Bot API reads them."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple | dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def api_error(body: dict[str, Any], *, status: int, method: str) -> NetworkError:
    try:
        code = int(body.get("error_code") or status)
    except (TypeError, ValueError):
        code = status
    description = str(body.get("description") or f"Telegram error {code}")
    parameters = body.get("parameters")
    retry_after = parameters.get("retry_after") if isinstance(parameters, dict) else None
    if code == 429 or code >= 500:
        wait = float(retry_after) if isinstance(retry_after, int | float) else None
        return TransientError(description, code=code, retry_after=wait, method=method)
    return PermanentError(description, code=code, token_problem=code in TOKEN_CODES, method=method)


def message_url(chat: dict[str, Any] | str, message_id: int) -> str | None:
    """The public link of a message; None for a chat without a username (a private channel), whose
    links only its members can open."""
    username = chat.get("username") if isinstance(chat, dict) else chat
    username = str(username or "").lstrip("@")
    return f"https://t.me/{username}/{message_id}" if USERNAME.match(username) else None


class TelegramClient:
    def __init__(self, *, base_url: str, token: str, timeout: httpx.Timeout | None = None) -> None:
        self.token = token
        self.http = make_client(f"{base_url.rstrip('/')}/bot{token}/", timeout=timeout)

    def call(
        self, method: str, *, read_only: bool = False, files: dict[str, Upload] | None = None, **params: Any
    ) -> Any:
        """One Bot API method; `read_only` says that sending it twice could duplicate nothing."""
        fields = {name: value for name, value in params.items() if value is not None}
        request: dict[str, Any] = (
            {"files": files, "data": {name: form_value(value) for name, value in fields.items()}}
            if files
            else {"json": fields}
        )
        response = post(self.http, method, method=method, read_only=read_only, secret=self.token, **request)
        return self._result(response, method=method, read_only=read_only)

    def _result(self, response: httpx.Response, *, method: str, read_only: bool) -> Any:
        body = json_body(response)
        if isinstance(body, dict) and body.get("ok") is True and "result" in body:
            return body["result"]
        if isinstance(body, dict) and body.get("ok") is False:
            raise api_error(body, status=response.status_code, method=method)
        failed = status_error(response, method=method)
        if failed is not None:
            raise failed
        raise unreadable_answer(response, method=method, read_only=read_only)

    # --- reading -----------------------------------------------------------------------------------

    def get_me(self) -> dict[str, Any]:
        return dict(self.call("getMe", read_only=True))

    def get_chat(self, chat_id: int | str) -> dict[str, Any]:
        return dict(self.call("getChat", read_only=True, chat_id=chat_id))

    def get_chat_member(self, chat_id: int | str, user_id: int) -> dict[str, Any]:
        return dict(self.call("getChatMember", read_only=True, chat_id=chat_id, user_id=user_id))

    def get_updates(
        self,
        *,
        offset: int | None = None,
        limit: int | None = None,
        timeout: int = 0,
        allowed_updates: list[str] | None = None,
    ) -> list[dict[str, Any]]:
        """Updates waiting for the bot, oldest first. Asking with offset = last update_id + 1 confirms
        everything before it, so an answer lost on the way only means the same updates come again."""
        result = self.call(
            "getUpdates", read_only=True, offset=offset, limit=limit, timeout=timeout, allowed_updates=allowed_updates
        )
        return [dict(update) for update in result] if isinstance(result, list) else []

    # --- sending -----------------------------------------------------------------------------------

    def send_message(self, *, chat_id: int | str, text: str, parse_mode: str | None = None) -> dict[str, Any]:
        return dict(self.call("sendMessage", chat_id=chat_id, text=text, parse_mode=parse_mode))

    def send_photo(
        self, *, chat_id: int | str, photo: Upload, caption: str = "", parse_mode: str | None = None
    ) -> dict[str, Any]:
        return dict(
            self.call(
                "sendPhoto",
                files={"photo": photo},
                chat_id=chat_id,
                caption=caption or None,
                parse_mode=parse_mode if caption else None,
            )
        )

    def send_video(
        self, *, chat_id: int | str, video: Upload, caption: str = "", parse_mode: str | None = None
    ) -> dict[str, Any]:
        """A video post; supports_streaming lets readers start watching before it has all come."""
        return dict(
            self.call(
                "sendVideo",
                files={"video": video},
                chat_id=chat_id,
                caption=caption or None,
                parse_mode=parse_mode if caption else None,
                supports_streaming=True,
            )
        )

    def send_media_group(
        self,
        *,
        chat_id: int | str,
        media: list[tuple[str, bytes, str, str]],
        caption: str = "",
        parse_mode: str | None = None,
    ) -> list[dict[str, Any]]:
        """An album of 2–10 photos and videos, mixed as they come, each (file name, content, content type,
        "photo" | "video"): an InputMediaPhoto or an InputMediaVideo. Telegram shows the first item's
        caption as the album's."""
        files: dict[str, Upload] = {}
        items: list[dict[str, Any]] = []
        for number, (filename, data, content_type, kind) in enumerate(media):
            if kind not in ALBUM_KINDS:
                raise ValueError(f"An album takes photos and videos, not {kind!r}.")
            name = f"file{number}"
            files[name] = (filename, data, content_type)
            item: dict[str, Any] = {"type": kind, "media": f"attach://{name}"}
            if kind == "video":
                item["supports_streaming"] = True
            if number == 0 and caption:
                item["caption"] = caption
                if parse_mode:
                    item["parse_mode"] = parse_mode
            items.append(item)
        return list(self.call("sendMediaGroup", files=files, chat_id=chat_id, media=items))

    def edit_message_text(
        self, *, chat_id: int | str, message_id: int, text: str, parse_mode: str | None = None
    ) -> dict[str, Any]:
        result = self.call("editMessageText", chat_id=chat_id, message_id=message_id, text=text, parse_mode=parse_mode)
        return result if isinstance(result, dict) else {}

    def edit_message_caption(
        self, *, chat_id: int | str, message_id: int, caption: str, parse_mode: str | None = None
    ) -> dict[str, Any]:
        result = self.call(
            "editMessageCaption", chat_id=chat_id, message_id=message_id, caption=caption, parse_mode=parse_mode
        )
        return result if isinstance(result, dict) else {}

    def delete_message(self, *, chat_id: int | str, message_id: int) -> None:
        self.call("deleteMessage", chat_id=chat_id, message_id=message_id)

    # --- lifetime ----------------------------------------------------------------------------------

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> TelegramClient:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.close()


def check_telegram_token(client: TelegramClient, chat_id: int | str) -> str | None:
    """None when the bot's token works and the bot may post in the chat; else why not, in Telegram's
    own words where Telegram gave any (R-PUB-4)."""
    try:
        me = client.get_me()
        chat = client.get_chat(chat_id)
        member = client.get_chat_member(chat_id, int(me["id"]))
    except NetworkError as error:
        return error.message
    status = member.get("status")
    if status == "creator":
        return None
    if status != "administrator":
        return _("The bot is not an administrator of this chat.")
    if chat.get("type") == "channel" and not member.get("can_post_messages"):
        return _("The bot may not post messages in this channel.")
    return None
