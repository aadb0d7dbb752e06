"""Updates for the sandbox's Telegram bots: created when something happens in a chat, handed out by
getUpdates (offset confirmation, 24-hour retention) or POSTed to a webhook by a Huey task.

As on Telegram, a bot gets only the update types it allowed (remembered from its last getUpdates or
setWebhook call; empty means the default set), and an update is filtered when it is created, so a
change of allowed_updates does not touch updates already waiting."""

from __future__ import annotations

import logging
from datetime import timedelta
from functools import partial
from typing import Any

import httpx
from django.core.cache import cache
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from huey.contrib.djhuey import db_task
from huey.exceptions import RetryTask

from kurator.sandbox.models import TgBot, TgChat, TgUpdate
from kurator.sandbox.tg_wire import update_json

log = logging.getLogger(__name__)

RETENTION = timedelta(hours=24)
# The Bot API's default: everything except these three, which a bot must ask for by name.
OPT_IN_ONLY = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
PRESENT_STATUSES = ("administrator", "member", "creator")
WEBHOOK_TIMEOUT = httpx.Timeout(10.0, connect=5.0)
WEBHOOK_ATTEMPTS = 6


def wants(bot: TgBot, update_type: str) -> bool:
    allowed = bot.allowed_updates or []
    if allowed:
        return update_type in allowed
    return update_type not in OPT_IN_ONLY


def _next_update_id(bot: TgBot) -> int:
    TgBot.objects.filter(pk=bot.pk).update(next_update_id=F("next_update_id") + 1)
    return int(TgBot.objects.values_list("next_update_id", flat=True).get(pk=bot.pk)) - 1


def emit_to(bot: TgBot, update_type: str, obj: dict[str, Any]) -> TgUpdate | None:
    """One update for one bot, if it wants this type; its webhook is called once the data is committed."""
    if not wants(bot, update_type):
        return None
    with transaction.atomic():
        update = TgUpdate.objects.create(bot=bot, update_id=_next_update_id(bot), type=update_type, payload=obj)
    if bot.webhook_url:
        transaction.on_commit(partial(deliver_webhook, bot.pk))
    return update


def emit(chat: TgChat, update_type: str, obj: dict[str, Any], *, exclude: TgBot | None = None) -> list[TgUpdate]:
    """One update of `update_type` carrying `obj` for every bot present in `chat` that wants it (a bot
    never gets updates about its own messages, hence `exclude`)."""
    bots = TgBot.objects.filter(
        memberships__chat=chat, memberships__status__in=PRESENT_STATUSES, revoked_at__isnull=True
    ).distinct()
    created = []
    for bot in bots:
        if exclude is not None and bot.pk == exclude.pk:
            continue
        update = emit_to(bot, update_type, obj)
        if update is not None:
            created.append(update)
    return created


# --- getUpdates ---------------------------------------------------------------------------------


def forget_expired(bot: TgBot) -> None:
    TgUpdate.objects.filter(bot=bot, created_at__lt=timezone.now() - RETENTION).delete()


def confirm(bot: TgBot, offset: int) -> None:
    """offset = last update_id + 1 confirms everything before it; a negative offset keeps the last -offset."""
    if offset > 0:
        TgUpdate.objects.filter(bot=bot, update_id__lt=offset).delete()
    elif offset < 0:
        keep = list(
            TgUpdate.objects.filter(bot=bot, delivered_at__isnull=True)
            .order_by("-update_id")
            .values_list("update_id", flat=True)[:-offset]
        )
        if keep:
            TgUpdate.objects.filter(bot=bot, update_id__lt=min(keep)).delete()


def pending(bot: TgBot, *, offset: int = 0, limit: int = 100) -> list[TgUpdate]:
    qs = TgUpdate.objects.filter(bot=bot, delivered_at__isnull=True, created_at__gte=timezone.now() - RETENTION)
    if offset > 0:
        qs = qs.filter(update_id__gte=offset)
    return list(qs.order_by("update_id")[:limit])


def drop_pending(bot: TgBot) -> None:
    TgUpdate.objects.filter(bot=bot).delete()


# --- webhooks -----------------------------------------------------------------------------------


def last_webhook_error(bot: TgBot) -> dict[str, Any] | None:
    return cache.get(f"tg:webhook:error:{bot.pk}")


def post_update(bot: TgBot, update: TgUpdate) -> bool:
    """POST one update to the bot's webhook; True when the receiver answered 2xx."""
    headers = {"Content-Type": "application/json"}
    if bot.webhook_secret:
        headers["X-Telegram-Bot-Api-Secret-Token"] = bot.webhook_secret
    try:
        response = httpx.post(bot.webhook_url, json=update_json(update), headers=headers, timeout=WEBHOOK_TIMEOUT)
    except httpx.HTTPError as exc:
        error = f"Connection error: {exc.__class__.__name__}"
    else:
        if response.is_success:
            cache.delete(f"tg:webhook:error:{bot.pk}")
            return True
        error = f"Wrong response from the webhook: {response.status_code} {response.reason_phrase}"
    log.info("Sandbox Telegram webhook of bot %s: %s", bot.pk, error)
    cache.set(f"tg:webhook:error:{bot.pk}", {"date": int(timezone.now().timestamp()), "message": error}, 86400)
    return False


def deliver_pending(bot: TgBot) -> bool:
    """Deliver the bot's waiting updates in order; stop at the first refusal. True when none is left."""
    for update in pending(bot):
        if not post_update(bot, update):
            return False
        TgUpdate.objects.filter(pk=update.pk, delivered_at__isnull=True).update(delivered_at=timezone.now())
    return True


@db_task(retries=WEBHOOK_ATTEMPTS, retry_delay=15)
def deliver_webhook(bot_id: int) -> None:
    """Telegram retries a webhook that does not answer 2xx "a reasonable amount of attempts"."""
    bot = TgBot.objects.filter(pk=bot_id, revoked_at__isnull=True).first()
    if bot is None or not bot.webhook_url:
        return
    lock = f"tg:webhook:lock:{bot_id}"
    if not cache.add(lock, 1, timeout=120):
        raise RetryTask(delay=2)  # another delivery for this bot is running; keep updates in order
    try:
        delivered_all = deliver_pending(bot)
    finally:
        cache.delete(lock)
    if not delivered_all:
        raise RuntimeError(f"Webhook of bot {bot_id} refused an update; will retry.")
