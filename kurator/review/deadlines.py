"""Review deadlines in working days (R-REV-1, R-REV-2), on the production calendar of each page's
library and within its opening hours."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from kurator.core.workdays import Schedule, nth_opening_before, opening_at_or_after
from kurator.registry.models import Library, Page
from kurator.registry.schedules import schedule_for

REVIEW_WORKING_DAYS = 5  # 003 § 5.6 and § 5.11: "не менее, чем за 5 рабочих дней"


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
    return nth_opening_before(moment, n, schedule)[1]


def review_deadline(pages: list[Page], publish_at: datetime) -> Deadline:
    """The strictest deadline over the pages a post goes to: each library's own working days count."""
    libraries = {library.pk: library for library in map(library_of, pages)}
    if not libraries:
        raise ValueError("A post needs at least one page.")
    deadlines = [
        Deadline(nth_working_day_close_before(publish_at, REVIEW_WORKING_DAYS, schedule_for(library)), library)
        for library in libraries.values()
    ]
    return min(deadlines, key=lambda d: d.due_by)


def received_at(moment: datetime, library: Library) -> datetime:
    """When a submission counts as received: now during opening hours, else at the next opening
    (003 § 5.6: "строго в рабочее время")."""
    opens, _closes = opening_at_or_after(moment, schedule_for(library))
    return max(moment, opens)


def same_day_decision_by(received: datetime, library: Library) -> datetime:
    """An urgent post is decided within the working day it was received (R-REV-2)."""
    return opening_at_or_after(received, schedule_for(library))[1]
