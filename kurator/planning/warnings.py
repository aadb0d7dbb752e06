"""Warnings about a content plan before they come true (R-PLAN-3, R-PLAN-4, R-PLAN-7).

Plain functions over `PlannedItem`s — a post as it stands on one page — so that the rules can be read
and tested without the database; kurator.planning.calendar builds the items from the posts a person
may see. Every period is counted in the page's library's own time zone: a post at 23:30 on Sunday in
Novosibirsk belongs to that week even though it is Sunday afternoon in Moscow."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kurator.planning.choices import Topic

MIN_POSTS_A_WEEK = 2  # 003 § 5.8: "не менее 2 …
MAX_POSTS_A_WEEK = 7  # … и не более 7 публикаций в неделю"
CLASH_WINDOW = timedelta(hours=1)  # two posts closer than this on one page hide each other in the feed


class WarningKind:
    TOO_FEW = "too_few"
    TOO_MANY = "too_many"
    TOPICS_MISSING = "topics_missing"
    PARTNER_PREDOMINATES = "partner_predominates"
    CLASH = "clash"


@dataclass(frozen=True)
class PlannedItem:
    """One post on one page: what the rules need to know about it."""

    post_id: int
    title: str
    page_id: int
    planned_at: datetime
    time_zone: str
    topics: tuple[str, ...] = ()
    partner: bool = False

    @property
    def local_day(self) -> date:
        return self.planned_at.astimezone(ZoneInfo(self.time_zone)).date()


@dataclass(frozen=True)
class PageInfo:
    page_id: int
    name: str
    time_zone: str


@dataclass(frozen=True)
class PlanWarning:
    kind: str
    page_id: int
    page_name: str
    starts: date  # the period the warning is about, inclusive
    ends: date
    message: str
    post_ids: tuple[int, ...] = field(default=())

    def as_json(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "page": self.page_id,
            "page_name": self.page_name,
            "starts": self.starts.isoformat(),
            "ends": self.ends.isoformat(),
            "message": self.message,
            "posts": list(self.post_ids),
        }


# Periods ----------------------------------------------------------------------------------------


def week_start(day: date) -> date:
    """Weeks run Monday to Sunday, as in the Russian and Belarusian calendars."""
    return day - timedelta(days=day.weekday())


def weeks_between(first: date, last: date) -> list[date]:
    """The Mondays of every week touching [first, last]."""
    monday, weeks = week_start(first), []
    while monday <= last:
        weeks.append(monday)
        monday += timedelta(days=7)
    return weeks


def quarter_of(day: date) -> tuple[date, date]:
    first_month = 3 * ((day.month - 1) // 3) + 1
    starts = date(day.year, first_month, 1)
    ends = date(day.year + (first_month == 10), (first_month + 2) % 12 + 1, 1) - timedelta(days=1)
    return starts, ends


def quarters_between(first: date, last: date) -> list[tuple[date, date]]:
    quarters, day = [], first
    while day <= last:
        quarter = quarter_of(day)
        quarters.append(quarter)
        day = quarter[1] + timedelta(days=1)
    return quarters


def month_of(day: date) -> tuple[date, date]:
    starts = day.replace(day=1)
    following = date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    return starts, following - timedelta(days=1)


def months_between(first: date, last: date) -> list[tuple[date, date]]:
    months, day = [], first.replace(day=1)
    while day <= last:
        month = month_of(day)
        months.append(month)
        day = month[1] + timedelta(days=1)
    return months


def _on_page_between(items: Iterable[PlannedItem], page_id: int, first: date, last: date) -> list[PlannedItem]:
    return [i for i in items if i.page_id == page_id and first <= i.local_day <= last]


def _period(first: date, last: date) -> str:
    return f"{date_format(first, 'SHORT_DATE_FORMAT')}–{date_format(last, 'SHORT_DATE_FORMAT')}"


# The rules --------------------------------------------------------------------------------------


def weekly_count_warnings(page: PageInfo, items: Sequence[PlannedItem], weeks: Iterable[date]) -> list[PlanWarning]:
    """R-PLAN-3 (003 § 5.8): from 2 to 7 posts in every week, Monday to Sunday, of the page."""
    warnings = []
    for monday in weeks:
        sunday = monday + timedelta(days=6)
        found = _on_page_between(items, page.page_id, monday, sunday)
        count = len(found)
        if count < MIN_POSTS_A_WEEK:
            kind = WarningKind.TOO_FEW
            message = ngettext(
                "%(count)s post in the week %(week)s: at least %(min)s are needed (003 § 5.8).",
                "%(count)s posts in the week %(week)s: at least %(min)s are needed (003 § 5.8).",
                count,
            )
        elif count > MAX_POSTS_A_WEEK:
            kind = WarningKind.TOO_MANY
            message = ngettext(
                "%(count)s post in the week %(week)s: no more than %(max)s are allowed (003 § 5.8).",
                "%(count)s posts in the week %(week)s: no more than %(max)s are allowed (003 § 5.8).",
                count,
            )
        else:
            continue
        text = message % {
            "count": count,
            "week": _period(monday, sunday),
            "min": MIN_POSTS_A_WEEK,
            "max": MAX_POSTS_A_WEEK,
        }
        warnings.append(
            PlanWarning(kind, page.page_id, page.name, monday, sunday, text, tuple(i.post_id for i in found))
        )
    return warnings


def missing_topics(items: Iterable[PlannedItem]) -> list[str]:
    """The topics of 003 Appendix 2 that none of the items covers, in the appendix's order."""
    covered = {topic for item in items for topic in item.topics}
    return [topic for topic in Topic.values if topic not in covered]


def topic_warnings(
    page: PageInfo, items: Sequence[PlannedItem], quarters: Iterable[tuple[date, date]]
) -> list[PlanWarning]:
    """R-PLAN-4: each topic of 003 Appendix 2 at least once a quarter on every page."""
    warnings = []
    for first, last in quarters:
        missing = missing_topics(_on_page_between(items, page.page_id, first, last))
        if not missing:
            continue
        names = ", ".join(str(Topic(t).label) for t in missing)
        text = ngettext(
            "%(count)s topic of Appendix 2 has no post in the quarter %(quarter)s: %(topics)s.",
            "%(count)s topics of Appendix 2 have no post in the quarter %(quarter)s: %(topics)s.",
            len(missing),
        ) % {"count": len(missing), "quarter": _period(first, last), "topics": names}
        warnings.append(PlanWarning(WarningKind.TOPICS_MISSING, page.page_id, page.name, first, last, text))
    return warnings


def partner_warnings(
    page: PageInfo, items: Sequence[PlannedItem], months: Iterable[tuple[date, date]]
) -> list[PlanWarning]:
    """R-PLAN-7 (003 § 3.9): partner material must not predominate — more partner posts than the
    page's own in a month is a warning."""
    warnings = []
    for first, last in months:
        found = _on_page_between(items, page.page_id, first, last)
        partner = [i for i in found if i.partner]
        own = len(found) - len(partner)
        if len(partner) <= own:
            continue
        text = _("Partner posts predominate in %(period)s: %(partner)s partner against %(own)s own (003 § 3.9).") % {
            "period": _period(first, last),
            "partner": len(partner),
            "own": own,
        }
        warnings.append(
            PlanWarning(
                WarningKind.PARTNER_PREDOMINATES,
                page.page_id,
                page.name,
                first,
                last,
                text,
                tuple(i.post_id for i in partner),
            )
        )
    return warnings


def clash_warnings(page: PageInfo, items: Sequence[PlannedItem]) -> list[PlanWarning]:
    """Two posts on one page less than an hour apart: the second buries the first in the feed."""
    on_page = sorted((i for i in items if i.page_id == page.page_id), key=lambda i: (i.planned_at, i.post_id))
    warnings = []
    for earlier, later in pairwise(on_page):
        if later.planned_at - earlier.planned_at >= CLASH_WINDOW:
            continue
        zone = ZoneInfo(page.time_zone)
        text = _("“%(first)s” at %(first_time)s and “%(second)s” at %(second_time)s are less than an hour apart.") % {
            "first": earlier.title,
            "first_time": date_format(earlier.planned_at.astimezone(zone), "SHORT_DATETIME_FORMAT"),
            "second": later.title,
            "second_time": date_format(later.planned_at.astimezone(zone), "SHORT_DATETIME_FORMAT"),
        }
        warnings.append(
            PlanWarning(
                WarningKind.CLASH,
                page.page_id,
                page.name,
                earlier.local_day,
                later.local_day,
                text,
                (earlier.post_id, later.post_id),
            )
        )
    return warnings


def plan_warnings(
    pages: Iterable[PageInfo], items: Sequence[PlannedItem], first: date, last: date, today: date
) -> list[PlanWarning]:
    """Every warning for the pages over [first, last]. Periods that ended before `today` are history,
    not warnings: only weeks, months and quarters still running or ahead are checked."""
    result: list[PlanWarning] = []
    by_page: dict[int, list[PlannedItem]] = defaultdict(list)
    for item in items:
        by_page[item.page_id].append(item)
    for page in pages:
        own = by_page.get(page.page_id, [])
        weeks = [w for w in weeks_between(first, last) if w + timedelta(days=6) >= today]
        quarters = [q for q in quarters_between(first, last) if q[1] >= today]
        months = [m for m in months_between(first, last) if m[1] >= today]
        result += weekly_count_warnings(page, own, weeks)
        result += topic_warnings(page, own, quarters)
        result += partner_warnings(page, own, months)
        result += [w for w in clash_warnings(page, own) if w.ends >= max(first, today) and w.starts <= last]
    return result
