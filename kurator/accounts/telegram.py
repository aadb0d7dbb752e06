"""Notifications by Telegram (issue 5 item 6): a person links their Telegram with the installation's
notification bot, and every notification they get in Kurator also comes to that chat.

Linking: the person's profile shows a one-time code in a link https://t.me/<bot>?start=<code>; Telegram
opens the bot, the person presses Start and the bot receives "/start <code>". The worker reads the bot's
updates every minute (getUpdates; the bot needs no public address for a webhook) and links the chat the
code came from. A code works once, for an hour, and only its digest is stored.

Sending: `kurator.core.services.notify` hands each notification of a linked person to the worker after
commit; a refusal (the person blocked the bot) is kept on the person and shown on their profile, and
the link stays, so that unblocking the bot is all it takes to get notifications again."""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Coalesce
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kurator.accounts.models import TelegramLinkCode, User
from kurator.core.errors import ValidationError
from kurator.core.links import absolute_url, is_absolute
from kurator.core.models import Notification
from kurator.core.services import audit_record
from kurator.networks.errors import AmbiguousError, NetworkError, PermanentError, TransientError
from kurator.networks.telegram.client import TelegramClient

log = logging.getLogger(__name__)

CODE_LIFETIME = timedelta(hours=1)
CODE_BYTES = 12  # 16 characters of [A-Za-z0-9_-], what a t.me start parameter may carry
CODE_SHAPE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
USED_CODES_KEPT = timedelta(days=1)
TEXT_LIMIT = 4096  # sendMessage's limit, in characters after parsing; we send plain text
BATCHES_PER_RUN = 20  # 2,000 updates a minute is far beyond what people pressing Start produce
USERNAME_KEPT_S = 24 * 3600
READ_LOCK_S = 120


def enabled() -> bool:
    return bool(settings.KURATOR_NOTIFY_BOT_TOKEN)


def bot_client() -> TelegramClient:
    return TelegramClient(base_url=settings.KURATOR_TELEGRAM_API_URL, token=settings.KURATOR_NOTIFY_BOT_TOKEN)


def _token_key(prefix: str) -> str:
    # Keyed by the token, so that a new bot (a new token) is asked again, and the token stays out of the cache.
    return f"{prefix}:{hashlib.sha256(settings.KURATOR_NOTIFY_BOT_TOKEN.encode()).hexdigest()[:16]}"


def bot_username() -> str | None:
    """The bot's @username from getMe, kept a day; None when Telegram cannot tell us now."""
    if not enabled():
        return None
    key = _token_key("telegram:notify-bot:username")
    username = cache.get(key)
    if username:
        return str(username)
    try:
        with bot_client() as client:
            username = str(client.get_me().get("username") or "")
    except NetworkError as error:
        log.warning("The notification bot cannot be asked who it is: %s", error.message)
        return None
    if not username:
        return None
    cache.set(key, username, USERNAME_KEPT_S)
    return username


def start_link(username: str, code: str) -> str:
    return f"https://t.me/{username}?start={code}"


# --- linking --------------------------------------------------------------------------------------


@transaction.atomic
def telegram_link_code_issue(*, person: User) -> str:
    """A new one-time code for the person; the raw code is returned here and never stored."""
    # Only the newest code works: a link shown earlier (on another device, in a screenshot) stops working.
    TelegramLinkCode.objects.filter(person=person, used_at__isnull=True).delete()
    raw = secrets.token_urlsafe(CODE_BYTES)
    TelegramLinkCode.objects.create(person=person, digest=TelegramLinkCode.digest_of(raw))
    return raw


def _clear_link(person: User) -> None:
    person.telegram_chat_id = None
    person.telegram_linked_at = None
    person.telegram_failure = ""
    person.telegram_failure_at = None
    person.save(update_fields=["telegram_chat_id", "telegram_linked_at", "telegram_failure", "telegram_failure_at"])


@transaction.atomic
def telegram_link(*, code: str, chat_id: int, now: datetime | None = None) -> User | None:
    """The person whose live code this is, now linked to the chat; None for an unknown, expired or used code.

    The same code from the same chat again (the worker stopped after linking but before confirming the
    update) is no error: the person stays linked, and nothing is recorded twice."""
    now = now or timezone.now()
    if not CODE_SHAPE.match(code):
        return None
    link = (
        TelegramLinkCode.objects.select_for_update()
        .select_related("person")
        .filter(digest=TelegramLinkCode.digest_of(code))
        .first()
    )
    if link is None or not link.person.is_active:
        return None
    person = link.person
    if link.used_at is not None:
        return person if person.telegram_chat_id == chat_id else None
    if link.created_at < now - CODE_LIFETIME:
        return None
    link.used_at = now
    link.save(update_fields=["used_at"])
    # One chat reaches one person: a Telegram account linked to someone else before (a second login of
    # the same librarian, a shared phone) moves to whoever holds the code now.
    for other in User.objects.select_for_update().filter(telegram_chat_id=chat_id).exclude(pk=person.pk):
        _clear_link(other)
        with translation.override(other.language):
            summary = _("Telegram notifications unlinked: the Telegram account was linked to another person")
        audit_record(actor=None, verb="telegram.unlinked", summary=summary, target=other, network_id=other.network_id)
    person.telegram_chat_id = chat_id
    person.telegram_linked_at = now
    person.telegram_failure = ""
    person.telegram_failure_at = None
    person.save(update_fields=["telegram_chat_id", "telegram_linked_at", "telegram_failure", "telegram_failure_at"])
    with translation.override(person.language):
        summary = _("Telegram notifications linked")
    audit_record(actor=person, verb="telegram.linked", summary=summary, target=person, network_id=person.network_id)
    return person


@transaction.atomic
def telegram_unlink(*, person: User) -> None:
    """The person stops getting notifications in Telegram; the bot may stay in their chat list."""
    person = User.objects.select_for_update().get(pk=person.pk)
    if person.telegram_chat_id is None:
        raise ValidationError(_("Your Telegram is not linked."))
    _clear_link(person)
    audit_record(
        actor=person,
        verb="telegram.unlinked",
        summary=_("Telegram notifications unlinked"),
        target=person,
        network_id=person.network_id,
    )


def _language_of(sender: Any) -> str:
    """A stranger's language as their Telegram app says, when Kurator speaks it."""
    code = str(sender.get("language_code") or "") if isinstance(sender, dict) else ""
    available = {language for language, _name in settings.LANGUAGES}
    return code[:2] if code[:2] in available else settings.LANGUAGE_CODE


def _answer(client: TelegramClient, chat_id: int, text: str) -> None:
    try:
        client.send_message(chat_id=chat_id, text=text)
    except NetworkError as error:
        # The link is made either way; the answer is only a courtesy.
        log.warning("The notification bot could not answer a /start: %s", error.message)


def _handle(client: TelegramClient, update: dict[str, Any]) -> bool:
    """One update; True when it linked someone. Anything but "/start" in a private chat is left alone."""
    message = update.get("message")
    if not isinstance(message, dict):
        return False
    chat = message.get("chat")
    if not isinstance(chat, dict) or chat.get("type") != "private":
        return False
    command, _space, payload = str(message.get("text") or "").strip().partition(" ")
    if command.split("@", 1)[0] != "/start":
        return False
    try:
        chat_id = int(chat["id"])
    except (KeyError, TypeError, ValueError):
        return False
    code = payload.strip()
    person = telegram_link(code=code, chat_id=chat_id) if code else None
    with translation.override(person.language if person else _language_of(message.get("from"))):
        if person is not None:
            text = _(
                "Done: Kurator’s notifications for %(name)s will come to this chat. "
                "To stop them, unlink Telegram in your profile in Kurator."
            ) % {"name": person.full_name or person.email}
        elif code:
            text = _(
                "This link has expired or has already been used. "
                "Open your profile in Kurator and link Telegram again: each link works once, for an hour."
            )
        else:
            text = _(
                "This is Kurator’s notification bot. To get your notifications here, open your profile "
                "in Kurator and choose “Link Telegram”."
            )
    _answer(client, chat_id, text)
    return person is not None


def read_updates(client: TelegramClient) -> int:
    """Reads what people sent the bot and links those who sent a live code; returns how many.

    Every batch is confirmed by asking for the next one with offset = last update_id + 1; whatever this
    run does not confirm (it stopped on an error) comes again next minute."""
    now = timezone.now()
    TelegramLinkCode.objects.filter(created_at__lt=now - USED_CODES_KEPT).delete()
    linked = 0
    offset: int | None = None
    for _batch in range(BATCHES_PER_RUN):
        updates = client.get_updates(offset=offset, limit=100, timeout=0, allowed_updates=["message"])
        if not updates:
            return linked
        for update in updates:
            linked += _handle(client, update)
            offset = int(update["update_id"]) + 1
    client.get_updates(offset=offset, limit=1, timeout=0)  # confirms the last batch read
    return linked


def read_updates_now() -> int:
    """The worker's minute job: one reader at a time, even with workers on several machines (two
    getUpdates at once end each other with 409)."""
    if not enabled():
        return 0
    lock = _token_key("telegram:notify-bot:reading")
    if not cache.add(lock, 1, timeout=READ_LOCK_S):
        return 0
    try:
        with bot_client() as client:
            return read_updates(client)
    except PermanentError as error:
        log.error("The notification bot cannot read its updates (check KURATOR_NOTIFY_BOT_TOKEN): %s", error.message)
    except NetworkError as error:
        log.warning("The notification bot cannot read its updates now: %s", error.message)
    finally:
        cache.delete(lock)
    return 0


# --- sending --------------------------------------------------------------------------------------


def notification_text(note: Notification) -> str:
    """The notification as the person reads it in Telegram: its message, and its link when the link
    can be opened from outside (see KURATOR_SITE_URL). Called in the person's language."""
    text = note.message
    url = absolute_url(note.url) if note.url else ""
    if is_absolute(url):
        text = f"{text}\n\n" + _("Open in Kurator: %(url)s") % {"url": url}
    return text if len(text) <= TEXT_LIMIT else text[: TEXT_LIMIT - 1] + "…"


def _failed(person: User, error: NetworkError) -> None:
    now = timezone.now()
    User.objects.filter(pk=person.pk).update(
        telegram_failure=error.message[:300], telegram_failure_at=Coalesce(F("telegram_failure_at"), Value(now))
    )


def _reached(person: User) -> None:
    User.objects.filter(pk=person.pk, telegram_failure_at__isnull=False).update(
        telegram_failure="", telegram_failure_at=None
    )


def deliver(notification_id: int) -> str:
    """Sends one notification to its recipient's linked chat; says what happened, for the worker's log."""
    if not enabled():
        return "off"
    note = Notification.objects.select_related("recipient").filter(pk=notification_id).first()
    person = note.recipient if note is not None else None
    if note is None or person is None or person.telegram_chat_id is None or not person.is_active:
        return "not linked"
    with translation.override(person.language):
        text = notification_text(note)
    try:
        with bot_client() as client:
            client.send_message(chat_id=person.telegram_chat_id, text=text)
    except TransientError:
        raise  # the worker tries again a minute later
    except AmbiguousError as error:
        # Telegram has no idempotency key: sending again might make two messages; one may be lost instead.
        log.warning("Telegram notification %s: the answer was lost; not sent again: %s", note.pk, error.message)
        return "unknown"
    except PermanentError as error:
        log.warning("Telegram notification %s to person %s refused: %s", note.pk, person.pk, error.message)
        _failed(person, error)
        return "refused"
    _reached(person)
    return "sent"
