"""Background work of accounts: the notification bot's Telegram (kurator/accounts/telegram.py)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task


@db_task(retries=3, retry_delay=60)
def send_notification_telegram(notification_id: int) -> str:
    from kurator.accounts.telegram import deliver

    return deliver(notification_id)


@db_periodic_task(crontab(minute="*"))
def read_telegram_updates() -> int:
    """Links the people who pressed Start under their code; does nothing while no bot token is set."""
    from kurator.accounts.telegram import read_updates_now

    return read_updates_now()
