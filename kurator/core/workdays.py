"""Working days and working time (R-REV-1, R-INT-2).

A day's status comes from three layers, the later winning: the official production calendar of the
country (the `holidays` package: public holidays and transferred days off and working Saturdays), the
installation-wide CalendarOverride rows, and the network's own rows. Working *time* adds a unit's
opening hours, time zone and local closures, given as a `Schedule`.

Core knows no domain: a Schedule is any object with the attributes below; registry turns libraries and
departments into one (`kurator.registry.schedules.schedule_for`).
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

import holidays
from django.db.models import Q

from kurator.core.choices import OverrideKind
from kurator.core.models import CalendarOverride

ONE_DAY = timedelta(days=1)
# Overrides are read in windows this wide: enough for a month of deadlines in one query, small enough
# that a long walk (a reply clock over the New Year holidays) costs a few more.
OVERRIDE_WINDOW_DAYS = 62
# A schedule that never opens would make the clocks walk forever.
SEARCH_HORIZON_DAYS = 2 * 366

# The holidays package's own name translations for the interface languages Kurator has.
HOLIDAY_NAME_LANGUAGES = {"ru": "ru", "en": "en_US"}


# --- the production calendar --------------------------------------------------------------------


@dataclass(frozen=True)
class ProductionYear:
    """One year of a country's official production calendar, as the `holidays` package publishes it."""

    country: str
    year: int
    weekend: frozenset[int]
    # Public holidays and the weekdays made days off by transfers (a holiday on a weekend is here too).
    days_off: frozenset[date]
    # Weekend days made working days by transfers (Russia's and Belarus's "working Saturdays").
    working_weekends: frozenset[date]

    def is_working_day(self, day: date) -> bool:
        if day.weekday() in self.weekend:
            return day in self.working_weekends
        return day not in self.days_off


def _holidays_for(country: str, year: int, language: str | None = None) -> holidays.HolidayBase:
    try:
        # Neighbouring years too: a transfer decree may move a day across the New Year.
        return holidays.country_holidays(country, years=[year - 1, year, year + 1], language=language)
    except NotImplementedError as error:
        raise ValueError(f"No production calendar for country {country!r}") from error


@functools.lru_cache(maxsize=64)
def production_year(country: str, year: int) -> ProductionYear:
    found = _holidays_for(country, year)
    return ProductionYear(
        country=country,
        year=year,
        weekend=frozenset(found.weekend),
        days_off=frozenset(d for d in found if d.year == year),
        working_weekends=frozenset(d for d in found.weekend_workdays if d.year == year),
    )


@dataclass(frozen=True)
class ProductionDay:
    """A day the production calendar treats differently from an ordinary weekday or weekend."""

    day: date
    working: bool
    name: str = ""


@functools.lru_cache(maxsize=32)
def _production_days(country: str, year: int, language: str | None) -> tuple[ProductionDay, ...]:
    found = _holidays_for(country, year, language)
    days = [ProductionDay(d, False, name) for d, name in found.items() if d.year == year]
    days += [ProductionDay(d, True) for d in production_year(country, year).working_weekends]
    return tuple(sorted(days, key=lambda d: d.day))


def production_calendar(country: str, year: int, *, language: str | None = None) -> list[ProductionDay]:
    """The days off (holidays, with their names in `language` when the package has it) and the
    transferred working days of one year, in date order."""
    return list(_production_days(country, year, HOLIDAY_NAME_LANGUAGES.get(language or "")))


# --- the production calendar with overrides ------------------------------------------------------


@dataclass(frozen=True)
class DayStatus:
    working: bool
    # A day off for a reason other than the weekly rest day: a holiday, a transfer or an override.
    # A unit that opens on weekends stays closed on such a day.
    holiday: bool
    shortened_by: timedelta = timedelta(0)


@dataclass
class WorkingCalendar:
    """A country's production calendar as one network sees it. Reads override rows a window at a time,
    so a caller that asks about many nearby days costs one query, not one per day."""

    country: str
    network_id: int | None = None
    _overrides: dict[date, tuple[str, int]] = field(default_factory=dict, repr=False)
    _loaded: tuple[date, date] | None = field(default=None, repr=False)

    def load(self, start: date, end: date) -> None:
        """Make sure the overrides of [start, end] are read (one query for whatever is missing)."""
        if start > end:
            start, end = end, start
        if self._loaded is None:
            missing = Q(date__range=(start, end))
            self._loaded = (start, end)
        else:
            lo, hi = self._loaded
            if lo <= start and end <= hi:
                return
            missing = Q(pk__in=[])
            if start < lo:
                missing |= Q(date__range=(start, lo - ONE_DAY))
            if end > hi:
                missing |= Q(date__range=(hi + ONE_DAY, end))
            self._loaded = (min(start, lo), max(end, hi))
        whose = Q(network_id__isnull=True)
        if self.network_id is not None:
            whose |= Q(network_id=self.network_id)
        rows = CalendarOverride.objects.filter(missing, whose, country=self.country).values_list(
            "date", "network_id", "kind", "shortened_by_minutes"
        )
        # The network's own decision wins over the installation's, whatever order the rows come in.
        for day, _network_id, kind, minutes in sorted(rows, key=lambda row: row[1] is not None):
            self._overrides[day] = (kind, minutes)

    def _ensure(self, day: date, forward: bool = True) -> None:
        if self._loaded is None or not self._loaded[0] <= day <= self._loaded[1]:
            window = timedelta(days=OVERRIDE_WINDOW_DAYS)
            self.load(day, day + window if forward else day - window)

    def status(self, day: date, *, forward: bool = True) -> DayStatus:
        self._ensure(day, forward)
        override = self._overrides.get(day)
        if override is not None:
            kind, minutes = override
            if kind == OverrideKind.NON_WORKING:
                return DayStatus(working=False, holiday=True)
            # A shortened day is a working day by definition (the pre-holiday day of the Labour Code).
            shortened = timedelta(minutes=minutes) if kind == OverrideKind.SHORTENED else timedelta(0)
            return DayStatus(working=True, holiday=False, shortened_by=shortened)
        calendar = production_year(self.country, day.year)
        if calendar.is_working_day(day):
            return DayStatus(working=True, holiday=False)
        return DayStatus(working=False, holiday=day in calendar.days_off)

    def is_working_day(self, day: date) -> bool:
        return self.status(day).working

    def is_weekend(self, day: date) -> bool:
        return day.weekday() in production_year(self.country, day.year).weekend

    def add_working_days(self, day: date, n: int) -> date:
        if n == 0:
            # As holidays.get_nth_working_day: the day itself when working, else the next working day.
            while not self.is_working_day(day):
                day += ONE_DAY
            return day
        step = ONE_DAY if n > 0 else -ONE_DAY
        self.load(day, day + step * (2 * abs(n) + 20))
        left = abs(n)
        while left:
            day += step
            if self.status(day, forward=n > 0).working:
                left -= 1
        return day

    def working_days_between(self, start: date, end: date) -> int:
        if start > end:
            return -self.working_days_between(end, start)
        self.load(start, end)
        days = (end - start).days
        return sum(self.status(start + ONE_DAY * i).working for i in range(1, days + 1))


def is_working_day(day: date, country: str, *, network_id: int | None = None) -> bool:
    """Whether `day` is a working day of the country's production calendar, as the network's
    overrides (or, with no network, the installation-wide ones) change it."""
    return WorkingCalendar(country, network_id).is_working_day(day)


def add_working_days(day: date, n: int, country: str, *, network_id: int | None = None) -> date:
    """The n-th working day after `day` (n > 0) or before it (n < 0); `day` itself is not counted.
    With n == 0: `day` when it is a working day, else the next working day."""
    return WorkingCalendar(country, network_id).add_working_days(day, n)


def working_days_between(start: date, end: date, country: str, *, network_id: int | None = None) -> int:
    """How many working days lie after `start` up to and including `end` (negative when end < start),
    so that add_working_days(start, n) == end implies working_days_between(start, end) == n."""
    return WorkingCalendar(country, network_id).working_days_between(start, end)


# --- working time of a unit ----------------------------------------------------------------------


class Schedule(Protocol):
    """What working time needs to know about a library or a department."""

    @property
    def country(self) -> str: ...

    @property
    def time_zone(self) -> str: ...

    @property
    def network_id(self) -> int | None: ...

    # Weekday (0 = Monday) → (opens, closes) in local time; a weekday missing here is a closed day.
    @property
    def hours(self) -> Mapping[int, tuple[time, time]]: ...

    def is_closed(self, day: date) -> bool:
        """A local closure (sanitary day, repairs) on `day`."""
        ...


@dataclass(frozen=True)
class SimpleSchedule:
    """A Schedule from plain values, for callers and tests that have no unit at hand."""

    country: str
    time_zone: str
    hours: Mapping[int, tuple[time, time]]
    network_id: int | None = None
    closed_days: frozenset[date] = frozenset()

    def is_closed(self, day: date) -> bool:
        return day in self.closed_days


def usual_hours(hours: Mapping[int, tuple[time, time]]) -> tuple[time, time] | None:
    """The hours a unit keeps on most of its days (the earliest weekday's on a tie)."""
    if not hours:
        return None
    counts = Counter(hours.values())
    return max(sorted(hours.items()), key=lambda item: counts[item[1]])[1]


class _Clock:
    """One schedule's opening intervals, day by day, with the overrides read in windows."""

    def __init__(self, schedule: Schedule) -> None:
        self.schedule = schedule
        self.zone = ZoneInfo(schedule.time_zone)
        self.calendar = WorkingCalendar(schedule.country, schedule.network_id)
        self.usual = usual_hours(schedule.hours)

    def local_date(self, instant: datetime) -> date:
        if instant.tzinfo is None or instant.utcoffset() is None:
            raise ValueError("Working time needs aware datetimes")
        return instant.astimezone(self.zone).date()

    def opening(self, day: date, *, forward: bool = True) -> tuple[datetime, datetime] | None:
        if self.schedule.is_closed(day):
            return None
        status = self.calendar.status(day, forward=forward)
        if status.holiday:
            return None
        hours = self.schedule.hours.get(day.weekday())
        if hours is None and status.working and self.calendar.is_weekend(day):
            # A transferred working Saturday (or a "working" override on a weekend) for a unit that is
            # normally closed that weekday: it works its usual hours, as people do on such days.
            hours = self.usual
        if hours is None:
            return None
        opens = datetime.combine(day, hours[0], tzinfo=self.zone)
        closes = datetime.combine(day, hours[1], tzinfo=self.zone) - status.shortened_by
        return (opens, closes) if opens < closes else None

    def days(self, first: date, *, forward: bool) -> Iterable[date]:
        if not self.schedule.hours:
            raise ValueError("The schedule has no opening hours at all")
        step = ONE_DAY if forward else -ONE_DAY
        for i in range(SEARCH_HORIZON_DAYS):
            yield first + step * i
        raise ValueError("No working time within two years of the start")


def opening_hours_on(day: date, schedule: Schedule) -> tuple[datetime, datetime] | None:
    """The aware instants a unit opens and closes on `day`, or None when it does not work that day."""
    return _Clock(schedule).opening(day)


def nth_opening_before(moment: datetime, n: int, schedule: Schedule) -> tuple[datetime, datetime]:
    """The opening interval of the n-th day the unit works, counting back from the day before
    `moment`'s local day; one calendar serves the whole walk (overrides are read in windows)."""
    clock = _Clock(schedule)
    found = 0
    for day in clock.days(clock.local_date(moment) - ONE_DAY, forward=False):
        opening = clock.opening(day, forward=False)
        if opening is not None:
            found += 1
            if found == n:
                return opening
    raise AssertionError("unreachable")  # pragma: no cover


def weekly_opening_at_or_before(last: date, weekday: int, schedule: Schedule) -> tuple[datetime, datetime]:
    """The opening interval of a unit's weekly day (0 = Monday) that falls latest but not after the
    local day `last`. A week whose weekday the unit does not work (a holiday, a closure, a day it never
    opens) holds that day on the unit's working day before it, so a day off never moves it later."""
    clock = _Clock(schedule)
    # A weekday just after `last` may fall on a day off and so be held on `last` or before it.
    first = last + ONE_DAY * ((weekday - last.weekday()) % 7)
    for week in range(SEARCH_HORIZON_DAYS // 7):
        held, opening = next(
            (d, o)
            for d in clock.days(first - ONE_DAY * (7 * week), forward=False)
            if (o := clock.opening(d, forward=False))
        )
        if held <= last:
            return opening
    raise ValueError("No working time within two years of the start")


def opening_at_or_after(moment: datetime, schedule: Schedule) -> tuple[datetime, datetime]:
    """The opening interval in which `moment` falls, or the next one: when something sent at `moment`
    counts as received by the unit ("строго в рабочее время")."""
    clock = _Clock(schedule)
    for day in clock.days(clock.local_date(moment), forward=True):
        opening = clock.opening(day, forward=True)
        if opening is not None and moment < opening[1]:
            return opening
    raise AssertionError("unreachable")  # pragma: no cover


def working_time_between(start: datetime, end: datetime, schedule: Schedule) -> timedelta:
    """The part of [start, end] that falls inside the unit's opening hours on its working days
    (negative when end is before start)."""
    if end < start:
        return -working_time_between(end, start, schedule)
    clock = _Clock(schedule)
    first, last = clock.local_date(start), clock.local_date(end)
    clock.calendar.load(first, last)
    total = timedelta(0)
    day = first
    while day <= last:
        opening = clock.opening(day)
        if opening is not None:
            opens, closes = max(opening[0], start), min(opening[1], end)
            if opens < closes:
                total += closes - opens
        day += ONE_DAY
    return total


def working_instant_after(start: datetime, duration: timedelta, schedule: Schedule) -> datetime:
    """The instant at which `duration` of working time has passed since `start` (in the unit's time
    zone). A clock that runs out exactly at closing time stops there, not at the next opening."""
    if duration < timedelta(0):
        return working_instant_before(start, -duration, schedule)
    clock = _Clock(schedule)
    if not duration:
        return start.astimezone(clock.zone)
    left = duration
    for day in clock.days(clock.local_date(start), forward=True):
        opening = clock.opening(day, forward=True)
        if opening is None or opening[1] <= start:
            continue
        opens = max(opening[0], start)
        if left <= opening[1] - opens:
            return (opens + left).astimezone(clock.zone)
        left -= opening[1] - opens
    raise AssertionError("unreachable")  # pragma: no cover


def working_instant_before(end: datetime, duration: timedelta, schedule: Schedule) -> datetime:
    """The latest instant from which `duration` of working time runs out at `end`: the mirror of
    working_instant_after, for "so many working hours before publication"."""
    if duration < timedelta(0):
        return working_instant_after(end, -duration, schedule)
    clock = _Clock(schedule)
    if not duration:
        return end.astimezone(clock.zone)
    left = duration
    for day in clock.days(clock.local_date(end), forward=False):
        opening = clock.opening(day, forward=False)
        if opening is None or opening[0] >= end:
            continue
        closes = min(opening[1], end)
        if left <= closes - opening[0]:
            return (closes - left).astimezone(clock.zone)
        left -= closes - opening[0]
    raise AssertionError("unreachable")  # pragma: no cover
