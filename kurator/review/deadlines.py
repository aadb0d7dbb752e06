"""Review deadlines in working days (R-REV-1, R-REV-2), on the production calendar of each page's
library and within its opening hours, and on the page's approval day (003 Appendix 1)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from kurator.core.workdays import Schedule, nth_opening_before, opening_at_or_after, weekly_opening_at_or_before
from kurator.registry.models import Library, Page
from kurator.registry.schedules import schedule_for

REVIEW_WORKING_DAYS = 5  # 003 § 5.6 and § 5.11: "не менее, чем за 5 рабочих дней"


@dataclass(frozen=True)
class Deadline:
    due_by: datetime  # the closing time of the day by which the curator must have the post
    library: Library  # whose working days count
    # The page whose approval day set the deadline; None: the plain 5-working-day rule did.
    approval_page: Page | None = None


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


class Schedules:
    """Each library's schedule read once, however many pages and posts ask for it."""

    def __init__(self) -> None:
        self._by_library: dict[int, Schedule] = {}

    def __call__(self, library: Library) -> Schedule:
        if library.pk not in self._by_library:
            self._by_library[library.pk] = schedule_for(library)
        return self._by_library[library.pk]


def page_deadline(page: Page, publish_at: datetime, schedules: Schedules | None = None) -> Deadline:
    """The last moment the curator may receive a post for one page.

    003 § 5.6 and § 5.11 ask for the content "не менее, чем за 5 рабочих дней до предполагаемой
    публикации, строго в рабочее время": the closing time of the 5th working day of the page's library
    before the publication day. Appendix 1 gives each page a «День согласования» and says no more; we
    read it as the weekday on which the curator reviews that page's plan. So for a page with such a day
    the deadline is the close of its last approval day that still lies at least 5 working days before
    publication: the curator then gets the post on the day they review the page, and the 5-day rule
    still holds, because the approval day is never later than the 5th working day. An approval day on
    which the library does not work (a holiday, a transferred day off, a closure) is held on its
    previous working day, as a weekly meeting is, rather than costing the coordinator a whole week.
    Submitting after this deadline is late unless the post is urgent (R-REV-2)."""
    library = library_of(page)
    schedule = (schedules or Schedules())(library)
    five_days_close = nth_working_day_close_before(publish_at, REVIEW_WORKING_DAYS, schedule)
    if page.approval_weekday is None:
        return Deadline(five_days_close, library)
    last_day = five_days_close.astimezone(ZoneInfo(schedule.time_zone)).date()
    _opens, closes = weekly_opening_at_or_before(last_day, page.approval_weekday, schedule)
    return Deadline(closes, library, approval_page=page)


def review_deadline(pages: Iterable[Page], publish_at: datetime, schedules: Schedules | None = None) -> Deadline:
    """The strictest deadline over the pages a post goes to: each library's own working days and each
    page's own approval day count (see page_deadline)."""
    schedules = schedules or Schedules()
    unique = {page.pk: page for page in pages}
    if not unique:
        raise ValueError("A post needs at least one page.")
    deadlines = [page_deadline(page, publish_at, schedules) for page in unique.values()]
    # On a tie the approval day is named: it is the rule a person can act on.
    return min(deadlines, key=lambda d: (d.due_by, d.approval_page is None))


def received_at(moment: datetime, library: Library) -> datetime:
    """When a submission counts as received: now during opening hours, else at the next opening
    (003 § 5.6: "строго в рабочее время")."""
    opens, _closes = opening_at_or_after(moment, schedule_for(library))
    return max(moment, opens)


def same_day_decision_by(received: datetime, library: Library) -> datetime:
    """An urgent post is decided within the working day it was received (R-REV-2)."""
    return opening_at_or_after(received, schedule_for(library))[1]
