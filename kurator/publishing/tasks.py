"""Publishing's background work: the queue only carries "look at publication N (version V)"; the row
in the database decides what, if anything, happens (ARCHITECTURE.md, exactly once)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task


@db_task()
def publish(publication_id: int, version: int) -> str:
    from kurator.publishing.services import publication_run

    return publication_run(publication_id, version)


@db_task()
def prepare_media(publication_id: int, version: int) -> str:
    from kurator.publishing.services import publication_prepare_media

    return publication_prepare_media(publication_id, version)


@db_task(retries=5, retry_delay=30)
def remove_postponed(publication_id: int, external_id: str) -> str:
    from kurator.publishing.services import publication_remove_postponed

    return publication_remove_postponed(publication_id, external_id)


@db_task()
def check_postponed(publication_id: int, version: int) -> str:
    from kurator.publishing.services import publication_check_postponed

    return publication_check_postponed(publication_id, version)


@db_task(retries=3, retry_delay=60)
def remove(publication_id: int) -> str:
    from kurator.publishing.services import publication_remove

    return publication_remove(publication_id)


@db_periodic_task(crontab(minute="*"))
def sweep_publications() -> dict[str, int]:
    from kurator.publishing.services import sweep

    return sweep()


@db_periodic_task(crontab(minute="*/10"))
def check_tokens() -> int:
    from kurator.publishing.tokens import check_due_tokens

    return check_due_tokens()
