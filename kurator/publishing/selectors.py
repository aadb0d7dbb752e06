"""Reads of publishing, always scoped to what the person may see."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Q, QuerySet
from django.utils import timezone

from kurator.accounts.access import access_of
from kurator.core.health import worker_is_alive
from kurator.publishing.choices import ACTIVE_STATES, PublicationState
from kurator.publishing.models import Publication
from kurator.registry.models import Network
from kurator.registry.selectors import pages_visible_to

STALLED_AFTER = timedelta(minutes=5)


def publications_visible_to(user: object, network: Network | None = None) -> QuerySet[Publication]:
    """Overseers see their networks' publications; others those of the pages they may see."""
    access = access_of(user)
    qs = Publication.objects.select_related("post", "page", "page__library", "settled_by")
    if network is not None:
        qs = qs.filter(page__network=network)
    if access.is_operator:
        return qs
    return qs.filter(Q(page__network_id__in=access.overseen_network_ids) | Q(page__in=pages_visible_to(user, network)))


@dataclass
class Board:
    """The "publishing today" board: one list per thing a person may need to do or know."""

    day: date
    waiting_for_limits: list[Publication] = field(default_factory=list)
    due: list[Publication] = field(default_factory=list)
    retrying: list[Publication] = field(default_factory=list)
    sending: list[Publication] = field(default_factory=list)
    needs_a_person: list[Publication] = field(default_factory=list)
    failed: list[Publication] = field(default_factory=list)
    published: list[Publication] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(len(getattr(self, name)) for name in BOARD_COLUMNS)


BOARD_COLUMNS = ("needs_a_person", "failed", "sending", "retrying", "waiting_for_limits", "due", "published")


def day_window(day: date, time_zone: str) -> tuple[datetime, datetime]:
    zone = ZoneInfo(time_zone)
    start = datetime.combine(day, time.min, tzinfo=zone)
    return start, start + timedelta(days=1)


def board_for(publications: QuerySet[Publication], *, day: date, time_zone: str) -> Board:
    start, end = day_window(day, time_zone)
    board = Board(day=day)
    stuck = (PublicationState.UNCONFIRMED, PublicationState.HELD, PublicationState.HANDOFF)
    # What needs a person stays on the board whatever day it was due; the rest is the day's.
    chosen = publications.filter(Q(due_at__gte=start, due_at__lt=end) | Q(state__in=stuck)).exclude(
        state=PublicationState.CANCELLED
    )
    for publication in chosen.order_by("due_at", "pk"):
        board_column(board, publication).append(publication)
    return board


def board_column(board: Board, publication: Publication) -> list[Publication]:
    state = publication.state
    if state in (PublicationState.UNCONFIRMED, PublicationState.HELD, PublicationState.HANDOFF):
        return board.needs_a_person
    if state == PublicationState.FAILED:
        return board.failed
    if state == PublicationState.PUBLISHED:
        return board.published
    if state == PublicationState.SENDING:
        return board.sending
    if state == PublicationState.RETRY_WAIT:
        return board.retrying
    if publication.next_attempt_at > publication.due_at + timedelta(seconds=1):
        return board.waiting_for_limits
    return board.due


def publishing_stalled(*, now: datetime | None = None) -> bool:
    """Publishing has stopped when no worker runs, or when posts are overdue by minutes."""
    now = now or timezone.now()
    overdue = Publication.objects.filter(state__in=ACTIVE_STATES, next_attempt_at__lt=now - STALLED_AFTER)
    if not overdue.exists():
        return False
    long_overdue = overdue.filter(next_attempt_at__lt=now - 3 * STALLED_AFTER).exists()
    return long_overdue or not worker_is_alive()
