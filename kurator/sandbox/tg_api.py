"""The Telegram-compatible Bot API: /sandbox/telegram/bot<token>/<method> and the file download
/sandbox/telegram/file/bot<token>/<file_path> (issue 4 item 2, R-PUB-6).

Thin views: read the parameters the way the Bot API does (query string, urlencoded, JSON or multipart;
method names in any case), apply injected faults, call tg_service, and write the envelope
{"ok": true, "result": …} or {"ok": false, "error_code", "description"[, "parameters"]} with the HTTP
status equal to error_code. No Kurator login and no CSRF token: clients authenticate by the bot token."""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.views.decorators.csrf import csrf_exempt

from kurator.sandbox import tg_service as svc
from kurator.sandbox import tg_updates
from kurator.sandbox.choices import FaultKind, Network, TgChatType
from kurator.sandbox.connection import ConnectionReset, reset_connection
from kurator.sandbox.faults import faults_for
from kurator.sandbox.models import TgBot, TgFile
from kurator.sandbox.tg_errors import TgError, bad_request
from kurator.sandbox.tg_files import file_for_id
from kurator.sandbox.tg_wire import FILE_PREFIX, chat_full_json, file_json, me_json, message_json, update_json

log = logging.getLogger(__name__)
TOKEN_SHAPE = re.compile(r"^\d+:[A-Za-z0-9_-]+$")
SECRET_SHAPE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
POLL_STEP_S = 0.25
MAX_POLL_S = 50

Params = dict[str, Any]
Handler = Callable[[TgBot, Params, dict[str, Any]], Any]


# --- envelopes ----------------------------------------------------------------------------------


def ok(result: Any, description: str | None = None) -> JsonResponse:
    body: dict[str, Any] = {"ok": True, "result": result}
    if description:
        body["description"] = description
    return JsonResponse(body, json_dumps_params={"ensure_ascii": False})


def failure(error: TgError) -> JsonResponse:
    body: dict[str, Any] = {"ok": False, "error_code": error.code, "description": error.description}
    if error.retry_after is not None:
        body["parameters"] = {"retry_after": error.retry_after}
    return JsonResponse(body, status=error.code, json_dumps_params={"ensure_ascii": False})


# --- parameters ---------------------------------------------------------------------------------


def request_params(request: HttpRequest) -> Params:
    """Query string first, the body over it: JSON (typed values) or a form (strings, JSON inside)."""
    params: Params = dict(request.GET.items())
    if request.method != "POST":
        return params
    if request.content_type == "application/json":
        try:
            body = json.loads(request.body or b"{}")
        except ValueError:
            raise bad_request("can't parse JSON encoded request") from None
        if isinstance(body, dict):
            params.update(body)
    else:
        params.update(request.POST.items())
    return params


def json_param(value: Any) -> Any:
    """Arrays and objects come JSON-serialized in forms and as values in JSON bodies."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def int_param(params: Params, name: str, default: int) -> int:
    value = params.get(name)
    if value in (None, ""):
        return default
    try:
        return int(value)
    except (TypeError, ValueError):
        raise bad_request(f'field "{name}" must be a valid Number') from None


def bool_param(params: Params, name: str) -> bool:
    value = params.get(name)
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in {"true", "1"}


def reply_to_param(params: Params) -> Any:
    reply = json_param(params.get("reply_parameters"))
    if isinstance(reply, dict) and reply.get("message_id"):
        return reply["message_id"]
    return params.get("reply_to_message_id")


def uploads_of(request: HttpRequest) -> dict[str, Any]:
    return dict(request.FILES.items())


# --- methods ------------------------------------------------------------------------------------


def get_me(bot: TgBot, params: Params, uploads: dict[str, Any]) -> Any:
    return me_json(bot)


def send_message(bot: TgBot, params: Params, uploads: dict[str, Any]) -> Any:
    chat = svc.chat_for(bot, params.get("chat_id"))
    msg = svc.send_message(
        bot=bot,
        chat=chat,
        text=params.get("text"),
        parse_mode=params.get("parse_mode"),
        entities=json_param(params.get("entities")),
        reply_to=reply_to_param(params),
    )
    return message_json(msg)


def send_photo(bot: TgBot, params: Params, uploads: dict[str, Any]) -> Any:
    chat = svc.chat_for(bot, params.get("chat_id"))
    msg = svc.send_photo(
        bot=bot,
        chat=chat,
        photo=uploads.get("photo") or params.get("photo"),
        uploads=uploads,
        caption=params.get("caption"),
        parse_mode=params.get("parse_mode"),
        caption_entities=json_param(params.get("caption_entities")),
        reply_to=reply_to_param(params),
    )
    return message_json(msg)


def send_video(bot: TgBot, params: Params, uploads: dict[str, Any]) -> Any:
    chat = svc.chat_for(bot, params.get("chat_id"))
    msg = svc.send_video(
        bot=bot,
        chat=chat,
        video=uploads.get("video") or params.get("video"),
        uploads=uploads,
        caption=params.get("caption"),
        parse_mode=params.get("parse_mode"),
        caption_entities=json_param(params.get("caption_entities")),
        reply_to=reply_to_param(params),
        hints={name: params.get(name) for name in ("width", "height", "duration")},
    )
    return message_json(msg)


def send_media_group(bot: TgBot, params: Params, uploads: dict[str, Any]) -> Any:
    chat = svc.chat_for(bot, params.get("chat_id"))
    messages = svc.send_media_group(
        bot=bot, chat=chat, media=json_param(params.get("media")), uploads=uploads, reply_to=reply_to_param(params)
    )
    return [message_json(msg) for msg in messages]


def edit_message_text(bot: TgBot, params: Params, uploads: dict[str, Any]) -> Any:
    chat = svc.chat_for(bot, params.get("chat_id"))
    msg = svc.edit_message_text(
        bot=bot,
        chat=chat,
        message_id=params.get("message_id"),
        text=params.get("text"),
        parse_mode=params.get("parse_mode"),
        entities=json_param(params.get("entities")),
    )
    return message_json(msg)


def edit_message_caption(bot: TgBot, params: Params, uploads: dict[str, Any]) -> Any:
    chat = svc.chat_for(bot, params.get("chat_id"))
    msg = svc.edit_message_caption(
        bot=bot,
        chat=chat,
        message_id=params.get("message_id"),
        caption=params.get("caption"),
        parse_mode=params.get("parse_mode"),
        entities=json_param(params.get("caption_entities")),
    )
    return message_json(msg)


def delete_message(bot: TgBot, params: Params, uploads: dict[str, Any]) -> Any:
    chat = svc.chat_for(bot, params.get("chat_id"))
    svc.delete_message(bot=bot, chat=chat, message_id=params.get("message_id"))
    return True


def get_chat(bot: TgBot, params: Params, uploads: dict[str, Any]) -> Any:
    return chat_full_json(svc.chat_for(bot, params.get("chat_id")))


def get_chat_member_count(bot: TgBot, params: Params, uploads: dict[str, Any]) -> Any:
    return svc.member_count(svc.chat_for(bot, params.get("chat_id")))


def get_chat_member(bot: TgBot, params: Params, uploads: dict[str, Any]) -> Any:
    chat = svc.chat_for(bot, params.get("chat_id"))
    return svc.chat_member(chat, params.get("user_id"))


def get_chat_administrators(bot: TgBot, params: Params, uploads: dict[str, Any]) -> Any:
    chat = svc.chat_for(bot, params.get("chat_id"))
    if chat.type == TgChatType.PRIVATE:
        raise bad_request("there are no administrators in the private chat")
    return svc.chat_administrators(chat)


def get_file(bot: TgBot, params: Params, uploads: dict[str, Any]) -> Any:
    return file_json(file_for_id(params.get("file_id")))


def _remember_allowed_updates(bot: TgBot, params: Params) -> None:
    if "allowed_updates" not in params:
        return  # not given: the previous setting stays, as on Telegram
    allowed = json_param(params.get("allowed_updates"))
    bot.allowed_updates = [str(kind) for kind in allowed] if isinstance(allowed, list) else []
    bot.save(update_fields=["allowed_updates"])


def get_updates(bot: TgBot, params: Params, uploads: dict[str, Any]) -> Any:
    if bot.webhook_url:
        raise TgError(
            409,
            "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
        )
    offset = int_param(params, "offset", 0)
    limit = min(max(int_param(params, "limit", 100), 1), 100)
    timeout = min(max(int_param(params, "timeout", 0), 0), MAX_POLL_S)
    _remember_allowed_updates(bot, params)
    tg_updates.forget_expired(bot)
    tg_updates.confirm(bot, offset)
    # A newer getUpdates ends an older long poll with 409, as Telegram does with two pollers.
    poll_key = f"tg:poll:{bot.pk}"
    cache.add(poll_key, 0, timeout=None)
    generation = cache.incr(poll_key)
    deadline = time.monotonic() + timeout
    while True:
        found = tg_updates.pending(bot, offset=offset if offset > 0 else 0, limit=limit)
        if found or time.monotonic() >= deadline:
            return [update_json(update) for update in found]
        time.sleep(POLL_STEP_S)
        if cache.get(poll_key) != generation:
            raise TgError(
                409,
                "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
            )


def set_webhook(bot: TgBot, params: Params, uploads: dict[str, Any]) -> Any:
    url = str(params.get("url") or "").strip()
    if not url:
        return delete_webhook(bot, params, uploads)
    if not url.startswith(("http://", "https://")):
        raise bad_request("bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443")
    secret = str(params.get("secret_token") or "")
    if secret and not SECRET_SHAPE.match(secret):
        raise bad_request("secret token contains unallowed characters")
    if bool_param(params, "drop_pending_updates"):
        tg_updates.drop_pending(bot)
    _remember_allowed_updates(bot, params)
    bot.webhook_url, bot.webhook_secret = url, secret
    bot.save(update_fields=["webhook_url", "webhook_secret"])
    tg_updates.deliver_webhook(bot.pk)  # whatever waited is sent to the new address
    return ok(True, "Webhook was set")


def delete_webhook(bot: TgBot, params: Params, uploads: dict[str, Any]) -> Any:
    if bool_param(params, "drop_pending_updates"):
        tg_updates.drop_pending(bot)
    if not bot.webhook_url:
        return ok(True, "Webhook is already deleted")
    bot.webhook_url, bot.webhook_secret = "", ""
    bot.save(update_fields=["webhook_url", "webhook_secret"])
    return ok(True, "Webhook was deleted")


def get_webhook_info(bot: TgBot, params: Params, uploads: dict[str, Any]) -> Any:
    info: dict[str, Any] = {
        "url": bot.webhook_url,
        "has_custom_certificate": False,
        "pending_update_count": len(tg_updates.pending(bot)),
    }
    if bot.webhook_url:
        info["max_connections"] = 40
        if bot.allowed_updates:
            info["allowed_updates"] = bot.allowed_updates
        error = tg_updates.last_webhook_error(bot)
        if error:
            info["last_error_date"], info["last_error_message"] = error["date"], error["message"]
    return info


METHODS: dict[str, tuple[str, Handler]] = {
    name.lower(): (name, handler)
    for name, handler in [
        ("getMe", get_me),
        ("sendMessage", send_message),
        ("sendPhoto", send_photo),
        ("sendVideo", send_video),
        ("sendMediaGroup", send_media_group),
        ("editMessageText", edit_message_text),
        ("editMessageCaption", edit_message_caption),
        ("deleteMessage", delete_message),
        ("getChat", get_chat),
        ("getChatMemberCount", get_chat_member_count),
        ("getChatMembersCount", get_chat_member_count),  # the old name still answers
        ("getChatMember", get_chat_member),
        ("getChatAdministrators", get_chat_administrators),
        ("getFile", get_file),
        ("getUpdates", get_updates),
        ("setWebhook", set_webhook),
        ("deleteWebhook", delete_webhook),
        ("getWebhookInfo", get_webhook_info),
    ]
}
SENDING = {
    "sendMessage",
    "sendPhoto",
    "sendVideo",
    "sendMediaGroup",
    "editMessageText",
    "editMessageCaption",
    "deleteMessage",
}


# --- faults -------------------------------------------------------------------------------------


def _place_of(bot: TgBot, params: Params) -> str:
    chat = svc.find_chat(params.get("chat_id"), bot)
    return str(chat.chat_id) if chat else ""


def apply_faults(request: HttpRequest, bot: TgBot, name: str, params: Params) -> tuple[HttpResponse | None, float]:
    """Act on the injected faults that hit this call: an answer to give instead, and for
    accept_then_timeout the seconds to wait after doing the work. Every fault that was counted
    down takes effect, even when another one decides the answer."""
    place = _place_of(bot, params)
    delay_after = 0.0
    answer: HttpResponse | None = None
    for fault in faults_for(network=Network.TELEGRAM, token=bot.token, place=place, method=name):
        p = fault.params
        if fault.kind == FaultKind.LATENCY:
            time.sleep(float(p.get("latency_ms", p.get("ms", 1000))) / 1000)
        elif fault.kind == FaultKind.REVOKE_TOKEN:
            svc.revoke(bot)
            answer = answer or failure(TgError(401, "Unauthorized"))
        elif fault.kind == FaultKind.LOSE_ADMIN:
            chat = svc.find_chat(params.get("chat_id"), bot)
            if chat is not None:
                svc.lose_admin(bot, chat)
        elif fault.kind == FaultKind.RATE_LIMIT:
            wait = int(p.get("retry_after", 5))
            answer = answer or failure(TgError(429, f"Too Many Requests: retry after {wait}", retry_after=wait))
        elif fault.kind == FaultKind.SERVER_ERROR:
            status = int(p.get("status", 500))
            text = "Bad Gateway" if status == 502 else "Internal Server Error"
            answer = answer or failure(TgError(status, text))
        elif fault.kind == FaultKind.CONNECTION_RESET:
            answer = answer or reset_connection(request)
        elif fault.kind == FaultKind.ACCEPT_THEN_TIMEOUT and name in SENDING:
            delay_after = float(p.get("timeout_s", 35))
    return answer, (0.0 if answer is not None else delay_after)


# --- views --------------------------------------------------------------------------------------


@csrf_exempt
def method(request: HttpRequest, token: str, method: str) -> HttpResponse:
    if not TOKEN_SHAPE.match(token):
        return failure(TgError(404, "Not Found"))
    known = METHODS.get(method.lower())
    try:
        bot = svc.bot_for_token(token)
        if known is None:
            return failure(TgError(404, "Not Found"))
        name, handler = known
        params = request_params(request)
        early, delay_after = apply_faults(request, bot, name, params)
        if early is not None:
            return early
        bot.refresh_from_db()
        if bot.revoked_at is not None:
            raise TgError(401, "Unauthorized")
        result = handler(bot, params, uploads_of(request))
    except TgError as error:
        return failure(error)
    except ConnectionReset:
        raise  # no socket to drop (the test client): let the caller see the reset
    except Exception:
        # Telegram answers its own failures in its envelope too; the traceback stays in our log.
        log.exception("Sandbox Telegram method %s failed", method)
        return failure(TgError(500, "Internal Server Error"))
    if delay_after:
        # The message is stored and in the ledger; the client just never hears so within its timeout.
        time.sleep(delay_after)
    return result if isinstance(result, HttpResponse) else ok(result)


@csrf_exempt
def file(request: HttpRequest, token: str, file_path: str) -> HttpResponseBase:
    try:
        svc.bot_for_token(token)
    except TgError as error:
        return failure(error)
    found = TgFile.objects.filter(file=FILE_PREFIX + file_path).first()
    if found is None or ".." in file_path:
        return failure(TgError(404, "Not Found"))
    return FileResponse(found.file.open("rb"))
