"""Background work of core: e-mailing notifications (the worker sends, the web request does not wait)."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.utils import translation
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from kurator.core.links import absolute_url
from kurator.core.models import Notification

log = logging.getLogger(__name__)


@db_task(retries=3, retry_delay=60)
def send_notification_email(notification_ids: list[int], subject: str) -> None:
    for note in Notification.objects.select_related("recipient").filter(pk__in=notification_ids):
        person = note.recipient
        if not person.email:
            continue
        with translation.override(getattr(person, "language", settings.LANGUAGE_CODE)):
            body = note.message + (f"\n\n{absolute_url(note.url)}" if note.url else "")
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [person.email])


@db_periodic_task(crontab(minute="*"))
def worker_heartbeat() -> None:
    """Proves to /health that a worker is alive and taking periodic jobs."""
    from kurator.core.health import record_heartbeat

    record_heartbeat()
