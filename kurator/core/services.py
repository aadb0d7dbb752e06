"""Writes every app uses: audit events and notifications."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone

from kurator.core.models import AuditEvent, Notification


def audit_record(
    *,
    actor: Any,
    verb: str,
    summary: str,
    target: models.Model | None = None,
    network_id: int | None = None,
    data: dict[str, object] | None = None,
) -> AuditEvent:
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        verb=verb,
        summary=summary,
        network_id=network_id,
        target_type=ContentType.objects.get_for_model(target) if target is not None else None,
        target_id=str(target.pk) if target is not None else "",
        data=data or {},
    )


def notify(*, recipients: Iterable[object], message: str, url: str = "", email_subject: str = "") -> list[Notification]:
    """One notification per distinct person; with a subject, an e-mail too; and a Telegram message to each
    person who linked Telegram (kurator/accounts/telegram.py). The worker sends both after commit."""
    from kurator.core.tasks import send_notification_email

    unique = {getattr(r, "pk", None): r for r in recipients if r is not None}
    unique.pop(None, None)
    created = Notification.objects.bulk_create(
        [Notification(recipient=person, message=message, url=url) for person in unique.values()]  # type: ignore[misc]
    )
    ids = [n.pk for n in created]  # both SQLite and PostgreSQL return the new keys
    if email_subject:
        transaction.on_commit(lambda: send_notification_email(ids, email_subject))
    if settings.KURATOR_NOTIFY_BOT_TOKEN and ids:
        from kurator.accounts.tasks import send_notification_telegram

        # One task per message: a retry after Telegram's "too many requests" resends only what failed.
        for pk in Notification.objects.filter(pk__in=ids, recipient__telegram_chat_id__isnull=False).values_list(
            "pk", flat=True
        ):
            transaction.on_commit(partial(send_notification_telegram, pk))
    return created


def notifications_mark_read(*, person: Any, ids: Iterable[int] | None = None) -> int:
    qs = Notification.objects.filter(recipient=person, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=timezone.now())
