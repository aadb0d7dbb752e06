"""The content plan as a calendar (R-PLAN-2..5): the posts a person may see on the pages they chose,
the rubric slots still due, the memorable dates of the period, and the warnings of
kurator.planning.warnings.

Times are shown as the wall clock of each page's library (003 § 5.6 counts working time there), so the
feed gives FullCalendar local times without an offset and the page tells it not to convert them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from kurator.core.workdays import WorkingCalendar, production_calendar
from kurator.planning import services
from kurator.planning.choices import Cadence, PostState
from kurator.planning.dates import Occurrence, memorable_dates_visible_to, next_occurrence, occurrences_between
from kurator.planning.models import MemorableDate, Post, Rubric
from kurator.planning.selectors import posts_visible_to, rubrics_visible_to
from kurator.planning.services import can_plan_for
from kurator.planning.warnings import (
    PageInfo,
    PlannedItem,
    PlanWarning,
    month_of,
    plan_warnings,
    quarter_of,
    week_start,
    weeks_between,
)
from kurator.registry.models import Library, Network, Page
from kurator.registry.selectors import pages_visible_to

# Bootstrap's palette, so the calendar and the badges elsewhere agree.
STATE_COLOURS = {
    PostState.DRAFT: "#6c757d",
    PostState.SUBMITTED: "#0d6efd",
    PostState.RETURNED: "#fd7e14",
    PostState.APPROVED: "#198754",
    PostState.PUBLISHED: "#0f5132",
    PostState.WITHDRAWN: "#adb5bd",
}
RUBRIC_DUE_COLOUR = "#6f42c1"
RUBRIC_PAUSED_COLOUR = "#ced4da"
DATE_COLOUR = "#ffc107"
FIXED_STATES = (PostState.PUBLISHED, PostState.WITHDRAWN)  # nothing moves them on the calendar
MAX_RANGE_DAYS = 120  # a feed request wider than this is cut: FullCalendar never asks for more than ~6 weeks


def page_time_zone(page: Page) -> str:
    """The page's library's zone; the network's own page keeps the network's."""
    return page.library.time_zone if page.library is not None else page.network.time_zone


def page_info(page: Page) -> PageInfo:
    return PageInfo(page.pk, page.name, page_time_zone(page))


def post_url(post_id: int) -> str | None:
    """The editor's screen of the post, once it exists."""
    try:
        return reverse("planning:post", args=[post_id])
    except NoReverseMatch:
        return None


def plannable_pages(user: Any, network: Network) -> list[Page]:
    """The pages the person may plan for, in the registry's order."""
    return [p for p in pages_visible_to(user, network).filter(archived=False) if can_plan_for(user, p)]


def scope_pages(user: Any, network: Network, *, page: Page | None = None, library: Library | None = None) -> list[Page]:
    """The pages of one calendar: a page, a library's pages, or every page of the network the
    person may see (R-PLAN-2: per page, per library and network-wide)."""
    pages = pages_visible_to(user, network).filter(archived=False)
    if page is not None:
        pages = pages.filter(pk=page.pk)
    elif library is not None:
        pages = pages.filter(library=library)
    return list(pages)


# Periods ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    first: date
    last: date  # inclusive

    @classmethod
    def clipped(cls, first: date, last: date) -> Period:
        if last < first:
            last = first
        return cls(first, min(last, first + timedelta(days=MAX_RANGE_DAYS)))

    def window(self) -> tuple[datetime, datetime]:
        """Aware bounds wide enough for every time zone of Russia and Belarus (UTC+2 … UTC+12)."""
        starts = datetime.combine(self.first - timedelta(days=1), time.min, tzinfo=ZoneInfo("UTC"))
        ends = datetime.combine(self.last + timedelta(days=2), time.min, tzinfo=ZoneInfo("UTC"))
        return starts, ends

    def for_warnings(self) -> Period:
        """Whole weeks, months and quarters around the period: a rule about a quarter needs the
        whole quarter's posts even when one week is on the screen."""
        first = min(week_start(self.first), quarter_of(self.first)[0], month_of(self.first)[0])
        last = max(week_start(self.last) + timedelta(days=6), quarter_of(self.last)[1], month_of(self.last)[1])
        return Period(first, last)


# Posts ------------------------------------------------------------------------------------------


def posts_on(user: Any, network: Network, pages: Sequence[Page], period: Period) -> QuerySet[Post]:
    """The posts the person may see that go to one of the pages in the period (roughly: callers
    keep those whose local day falls inside)."""
    starts, ends = period.window()
    return (
        posts_visible_to(user, network)
        .filter(variants__page__in=[p.pk for p in pages], planned_at__gte=starts, planned_at__lt=ends)
        .distinct()
    )


def planned_items(posts: Iterable[Post], pages: Sequence[Page]) -> list[PlannedItem]:
    """One item per post and page in the scope; a withdrawn post is no longer in the plan."""
    wanted = {p.pk: p for p in pages}
    items = []
    for post in posts:
        if post.state == PostState.WITHDRAWN:
            continue
        for variant in post.variants.all():
            page = wanted.get(variant.page_id)
            if page is None:
                continue
            items.append(
                PlannedItem(
                    post_id=post.pk,
                    title=post.title,
                    page_id=page.pk,
                    planned_at=post.planned_at,
                    time_zone=page_time_zone(page),
                    topics=tuple(post.topics or ()),
                    partner=post.partner,
                )
            )
    return items


def warnings_for(user: Any, network: Network, pages: Sequence[Page], period: Period, today: date) -> list[PlanWarning]:
    posts = list(posts_on(user, network, pages, period.for_warnings()))
    return _warnings(pages, posts, period, today)


def _warnings(pages: Sequence[Page], posts: Sequence[Post], period: Period, today: date) -> list[PlanWarning]:
    items = planned_items(posts, pages)
    return plan_warnings([page_info(p) for p in pages], items, period.first, period.last, today)


def post_time_zone(post: Post, pages: Sequence[Page] = ()) -> str:
    """The zone a post is shown and moved in: its first page in the scope, else its first page."""
    wanted = {p.pk: p for p in pages}  # the scope's pages come with their network: no query per post
    variants = list(post.variants.all())
    chosen = next((wanted[v.page_id] for v in variants if v.page_id in wanted), variants[0].page if variants else None)
    return page_time_zone(chosen) if chosen is not None else post.network.time_zone


def can_move(user: Any, post: Post) -> bool:
    return post.state not in FIXED_STATES and any(can_plan_for(user, v.page) for v in post.variants.all())


@dataclass(frozen=True)
class PlannedPost:
    """A post as one calendar shows it."""

    post: Post
    local: datetime
    page_names: tuple[str, ...]
    movable: bool
    url: str | None

    @property
    def colour(self) -> str:
        return STATE_COLOURS.get(PostState(self.post.state), STATE_COLOURS[PostState.DRAFT])


def planned_posts(user: Any, posts: Iterable[Post], pages: Sequence[Page], period: Period) -> list[PlannedPost]:
    result = []
    wanted = {p.pk for p in pages}
    for post in posts:
        local = post.planned_at.astimezone(ZoneInfo(post_time_zone(post, pages)))
        if not period.first <= local.date() <= period.last:
            continue
        names = tuple(v.page.name for v in post.variants.all() if v.page_id in wanted)
        result.append(PlannedPost(post, local, names, can_move(user, post), post_url(post.pk)))
    return sorted(result, key=lambda p: (p.local.replace(tzinfo=None), p.post.pk))


def post_event(item: PlannedPost) -> dict[str, Any]:
    post = item.post
    return {
        "id": f"post-{post.pk}",
        "title": post.title,
        "start": item.local.replace(tzinfo=None).isoformat(timespec="minutes"),
        "allDay": False,
        "color": item.colour,
        "editable": item.movable,
        "url": item.url,
        "classNames": ["kurator-post", f"kurator-state-{post.state}"],
        "extendedProps": {
            "kind": "post",
            "post": post.pk,
            "state": post.state,
            "stateLabel": str(PostState(post.state).label),
            "pages": list(item.page_names),
            "partner": post.partner,
            "moveUrl": reverse("planning:calendar_move", args=[post.pk]),
            "zone": str(item.local.tzinfo),  # the wall clock shown is this zone's: a move comes back in it
        },
    }


# Rubric slots -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RubricSlot:
    """A day a rubric is due on (R-PLAN-1, R-PLAN-2: "slots can be left for rubrics")."""

    rubric: Rubric
    day: date
    paused: bool

    @property
    def title(self) -> str:
        label = f"{self.rubric.name} {self.rubric.hashtag}".strip()
        if self.paused:
            reason = self.rubric.pause_reason
            return _("%(rubric)s — paused: %(reason)s") % {"rubric": label, "reason": reason}
        return _("%(rubric)s — due") % {"rubric": label}


def _cadence_period(rubric: Rubric, day: date, anchor: date) -> tuple[date, date]:
    """The stretch of days one post of the rubric covers."""
    if rubric.cadence == Cadence.MONTHLY:
        return month_of(day)
    monday = week_start(day)
    if rubric.cadence == Cadence.FORTNIGHTLY:
        if ((monday - anchor).days // 7) % 2:
            monday -= timedelta(days=7)
        return monday, monday + timedelta(days=13)
    return monday, monday + timedelta(days=6)


def rubric_due_days(rubric: Rubric, first: date, last: date, anchor: date) -> list[date]:
    """The days in [first, last] a rubric is due: its weekday (Monday when it has none) of every
    week, of every other week counted from `anchor`, or of the first week of every month."""
    weekday = rubric.weekday if rubric.weekday is not None else 0
    days = []
    if rubric.cadence == Cadence.MONTHLY:
        month = first.replace(day=1)
        while month <= last:
            day = month + timedelta(days=(weekday - month.weekday()) % 7)
            days.append(day)
            month = month_of(month)[1] + timedelta(days=1)
    else:
        for monday in weeks_between(first, last):
            if rubric.cadence == Cadence.FORTNIGHTLY and ((monday - anchor).days // 7) % 2:
                continue
            days.append(monday + timedelta(days=weekday))
    return [d for d in days if first <= d <= last]


def is_paused_on(rubric: Rubric, day: date) -> bool:
    return rubric.paused and (rubric.paused_until is None or day <= rubric.paused_until)


def rubric_slots(
    user: Any, network: Network, pages: Sequence[Page], period: Period, today: date, posts: Iterable[Post]
) -> list[RubricSlot]:
    """Slots still open from today on: a slot whose cadence period already has a post of the rubric
    is filled and not shown; a paused rubric's slots show as paused, with the reason."""
    page_ids = [p.pk for p in pages]
    rubrics = rubrics_visible_to(user, network).filter(pages__in=page_ids).distinct()
    zone = ZoneInfo(network.time_zone)
    filled: dict[int, list[date]] = {}
    for post in posts:
        if post.rubric_id is not None and post.state != PostState.WITHDRAWN:
            filled.setdefault(post.rubric_id, []).append(post.planned_at.astimezone(zone).date())
    slots = []
    for rubric in rubrics:
        anchor = week_start(rubric.created_at.astimezone(zone).date())
        for day in rubric_due_days(rubric, max(period.first, today), period.last, anchor):
            starts, ends = _cadence_period(rubric, day, anchor)
            if any(starts <= d <= ends for d in filled.get(rubric.pk, [])):
                continue
            slots.append(RubricSlot(rubric, day, is_paused_on(rubric, day)))
    return sorted(slots, key=lambda s: (s.day, s.rubric.name))


def rubric_event(slot: RubricSlot) -> dict[str, Any]:
    return {
        "id": f"rubric-{slot.rubric.pk}-{slot.day.isoformat()}",
        "title": slot.title,
        "start": slot.day.isoformat(),
        "allDay": True,
        "editable": False,
        "color": RUBRIC_PAUSED_COLOUR if slot.paused else RUBRIC_DUE_COLOUR,
        "textColor": "#212529" if slot.paused else "#ffffff",
        "classNames": ["kurator-rubric", "kurator-rubric-paused" if slot.paused else "kurator-rubric-due"],
        "extendedProps": {"kind": "rubric", "rubric": slot.rubric.pk, "paused": slot.paused},
    }


# Memorable dates --------------------------------------------------------------------------------


def date_occurrences(user: Any, network: Network, period: Period) -> list[Occurrence]:
    return occurrences_between(memorable_dates_visible_to(user, network), period.first, period.last)


def date_event(occurrence: Occurrence) -> dict[str, Any]:
    return {
        "id": f"date-{occurrence.memorable.pk}-{occurrence.day.isoformat()}",
        "title": occurrence.label,
        "start": occurrence.day.isoformat(),
        "allDay": True,
        "editable": False,
        "color": DATE_COLOUR,
        "textColor": "#212529",
        "classNames": ["kurator-date"],
        "extendedProps": {
            "kind": "date",
            "date": occurrence.memorable.pk,
            "years": occurrence.years,
            "source": occurrence.memorable.source,
            "draftUrl": reverse("planning:date_draft", args=[occurrence.memorable.pk]),
        },
    }


# Days off --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DayOff:
    """A holiday or a transferred day off of the network's production calendar: the curator does not
    review on it, so a deadline moves past it (R-REV-1), and the coordinator plans around it."""

    day: date
    name: str


def days_off(network: Network, period: Period) -> list[DayOff]:
    calendar = WorkingCalendar(network.country, network.pk)
    calendar.load(period.first, period.last)
    names = {
        d.day: d.name
        for year in range(period.first.year, period.last.year + 1)
        for d in production_calendar(network.country, year, language=get_language())
    }
    found = []
    day = period.first
    while day <= period.last:
        if calendar.status(day).holiday:
            found.append(DayOff(day, names.get(day) or _("Day off")))
        day += timedelta(days=1)
    return found


def day_off_event(day_off: DayOff) -> dict[str, Any]:
    return {
        "id": f"off-{day_off.day.isoformat()}",
        "title": day_off.name,
        "start": day_off.day.isoformat(),
        "allDay": True,
        "display": "background",
        "color": "#f8d7da",
        "classNames": ["kurator-day-off"],
        "extendedProps": {"kind": "day_off"},
    }


# The whole calendar -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    posts: list[PlannedPost]
    slots: list[RubricSlot]
    dates: list[Occurrence]
    warnings: list[PlanWarning]
    days_off: list[DayOff]

    def events(self) -> list[dict[str, Any]]:
        return (
            [post_event(p) for p in self.posts]
            + [rubric_event(s) for s in self.slots]
            + [date_event(o) for o in self.dates]
            + [day_off_event(d) for d in self.days_off]
        )

    def days(self) -> list[tuple[date, list[object]]]:
        """Everything of the plan grouped by day, for the list that works without JavaScript."""
        by_day: dict[date, list[object]] = {}
        for day_off in self.days_off:
            by_day.setdefault(day_off.day, []).append(day_off)
        for occurrence in self.dates:
            by_day.setdefault(occurrence.day, []).append(occurrence)
        for slot in self.slots:
            by_day.setdefault(slot.day, []).append(slot)
        for post in self.posts:
            by_day.setdefault(post.local.date(), []).append(post)
        return sorted(by_day.items())


def plan_for(user: Any, network: Network, pages: Sequence[Page], period: Period, today: date) -> Plan:
    """One read of the posts around the period serves the calendar, the rubric slots (a monthly
    rubric's post may lie outside the week on screen) and the warnings (a quarter's topics)."""
    posts = list(posts_on(user, network, pages, period.for_warnings()))
    return Plan(
        posts=planned_posts(user, posts, pages, period),
        slots=rubric_slots(user, network, pages, period, today, posts),
        dates=date_occurrences(user, network, period),
        warnings=_warnings(pages, posts, period, today),
        days_off=days_off(network, period),
    )


# A date becomes a draft -------------------------------------------------------------------------

DRAFT_TIME = time(10, 0)  # a sensible morning hour of the library's day; the coordinator moves it as needed


def draft_from_date(*, by: Any, memorable: MemorableDate, network: Network, now: datetime | None = None) -> Post:
    """R-PLAN-5: a memorable date becomes a draft in one step — its title, its next occurrence at
    10:00 of the library's day, on the first page the person plans for."""
    pages = plannable_pages(by, network)
    if not pages:
        raise PermissionDenied
    page = pages[0]
    zone = ZoneInfo(page_time_zone(page))
    now = now or timezone.now()
    day = next_occurrence(memorable, now.astimezone(zone).date())
    planned_at = datetime.combine(day, DRAFT_TIME, tzinfo=zone)
    if planned_at <= now:
        planned_at = datetime.combine(next_occurrence(memorable, day + timedelta(days=1)), DRAFT_TIME, tzinfo=zone)
    title_max = Post._meta.get_field("title").max_length or 200
    return services.post_create(
        by=by,
        network=network,
        pages=[page],
        title=memorable.title[:title_max],
        planned_at=planned_at,
        text=memorable.description,
    )
