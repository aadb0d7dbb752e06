"""Review deadlines in working days (R-REV-1, R-REV-2), on the production calendar of each page's
library and within its opening hours."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from kurator.core.workdays import Schedule, opening_hours_on
from kurator.registry.models import Library, Page
from kurator.registry.schedules import schedule_for

REVIEW_WORKING_DAYS = 5  # 003 § 5.6 and § 5.11: "не менее, чем за 5 рабочих дней"
SEARCH_DAYS = 120


@dataclass(frozen=True)
class Deadline:
    due_by: datetime  # the closing time of the 5th working day before publication
    library: Library


def library_of(page: Page) -> Library:
    """Whose working days count for a page: its library, or the central library for the network's own page."""
    if page.library is not None:
        return page.library
    central = Library.objects.filter(network_id=page.network_id).order_by("-is_central", "pk").first()
    if central is None:
        raise ValueError("The network has no library, so it has no working days.")
    return central


def nth_working_day_close_before(moment: datetime, n: int, schedule: Schedule) -> datetime:
    """The closing time of the n-th day the unit works, counting back from the day before `moment`'s
    local day (a day the library is closed, a holiday or a day off by transfer does not count)."""
    local_day = moment.astimezone(_zone(schedule)).date()
    day, found = local_day, 0
    for _step in range(SEARCH_DAYS):
        day -= timedelta(days=1)
        opening = opening_hours_on(day, schedule)
        if opening is not None:
            found += 1
            if found == n:
                return opening[1]
    raise ValueError("No working days found before the publication.")


def _zone(schedule: Schedule) -> ZoneInfo:
    return ZoneInfo(schedule.time_zone)


def review_deadline(pages: list[Page], publish_at: datetime) -> Deadline:
    """The strictest deadline over the pages a post goes to: each library's own working days count."""
    deadlines = []
    for library in {library_of(page).pk: library_of(page) for page in pages}.values():
        due = nth_working_day_close_before(publish_at, REVIEW_WORKING_DAYS, schedule_for(library))
        deadlines.append(Deadline(due, library))
    if not deadlines:
        raise ValueError("A post needs at least one page.")
    return min(deadlines, key=lambda d: d.due_by)


def received_at(moment: datetime, library: Library) -> datetime:
    """When a submission counts as received: now during opening hours, else at the next opening
    (003 § 5.6: "строго в рабочее время")."""
    return moment if _is_open(moment, library) else _next_opening(moment, library)


def _is_open(moment: datetime, library: Library) -> bool:
    schedule = schedule_for(library)
    opening = opening_hours_on(moment.astimezone(_zone(schedule)).date(), schedule)
    return opening is not None and opening[0] <= moment < opening[1]


def _next_opening(moment: datetime, library: Library) -> datetime:
    schedule = schedule_for(library)
    day = moment.astimezone(_zone(schedule)).date()
    for _step in range(SEARCH_DAYS):
        opening = opening_hours_on(day, schedule)
        if opening is not None and opening[0] > moment:
            return opening[0]
        day += timedelta(days=1)
    raise ValueError("The library does not open within four months.")


def same_day_decision_by(received: datetime, library: Library) -> datetime:
    """An urgent post is decided within the working day it was received (R-REV-2)."""
    schedule = schedule_for(library)
    opening = opening_hours_on(received.astimezone(_zone(schedule)).date(), schedule)
    assert opening is not None  # `received` is always within opening hours
    return opening[1]
