"""The worker's hourly pass over reminders and escalations (kurator.review.reminders)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(minute="7"))
def review_reminders() -> None:
    from kurator.review.reminders import send_reminders

    send_reminders()
