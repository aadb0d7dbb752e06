"""Libraries and departments as working-time schedules."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from kurator.core.models import CalendarOverride
from kurator.core.workdays import working_instant_after, working_time_between
from kurator.registry.models import Closure, WorkingHours
from kurator.registry.schedules import schedule_for

H = timedelta(hours=1)
MOSCOW = ZoneInfo("Europe/Moscow")


def test_a_department_without_its_own_hours_keeps_its_librarys(cast) -> None:
    north = cast["north"]
    schedule = schedule_for(north.central_dept)
    assert schedule.hours == {d: (time(9), time(18)) for d in range(5)}
    assert (schedule.country, schedule.time_zone, schedule.network_id) == ("RU", "Europe/Moscow", north.network.pk)


def test_a_department_with_its_own_hours_uses_only_them(cast) -> None:
    dept = cast["north"].central_dept
    WorkingHours.objects.create(department=dept, weekday=5, opens=time(10), closes=time(16))
    assert schedule_for(dept).hours == {5: (time(10), time(16))}
    assert 5 not in schedule_for(dept.library).hours


def test_time_zone_and_country_come_from_the_library(cast) -> None:
    west = cast["west"]
    west.branch.time_zone = "Asia/Yekaterinburg"
    west.branch.save()
    schedule = schedule_for(west.branch_dept)
    assert (schedule.country, schedule.time_zone, schedule.network_id) == ("BY", "Asia/Yekaterinburg", west.network.pk)


def test_a_library_wide_closure_closes_all_its_departments(cast) -> None:
    north = cast["north"]
    Closure.objects.create(
        library=north.central, starts_on=date(2025, 6, 3), ends_on=date(2025, 6, 4), reason="Санитарные дни"
    )
    assert schedule_for(north.central).is_closed(date(2025, 6, 3))
    assert schedule_for(north.central_dept).is_closed(date(2025, 6, 4))
    assert not schedule_for(north.central_dept).is_closed(date(2025, 6, 5))
    assert not schedule_for(north.branch_dept).is_closed(date(2025, 6, 3))


def test_a_department_closure_leaves_the_library_open(cast) -> None:
    north = cast["north"]
    Closure.objects.create(
        library=north.central,
        department=north.central_dept,
        starts_on=date(2025, 6, 3),
        ends_on=date(2025, 6, 3),
        reason="Ремонт",
    )
    assert schedule_for(north.central_dept).is_closed(date(2025, 6, 3))
    assert not schedule_for(north.central).is_closed(date(2025, 6, 3))


def test_a_reply_clock_of_a_department_honours_closures_and_its_networks_shortened_day(cast) -> None:
    north = cast["north"]
    Closure.objects.create(
        library=north.central, starts_on=date(2025, 3, 6), ends_on=date(2025, 3, 6), reason="Санитарный день"
    )
    CalendarOverride.objects.create(
        network_id=north.network.pk, country="RU", date=date(2025, 3, 7), kind="shortened", shortened_by_minutes=60
    )
    schedule = schedule_for(north.central_dept)
    # Wednesday 17:00 + 9 h: 1 h on Wednesday, Thursday closed, 8 h on the shortened Friday.
    due = working_instant_after(datetime(2025, 3, 5, 17, tzinfo=MOSCOW), 9 * H, schedule)
    assert due == datetime(2025, 3, 7, 17, tzinfo=MOSCOW)
    other = schedule_for(cast["north"].branch_dept)
    assert (
        working_time_between(datetime(2025, 3, 7, tzinfo=MOSCOW), datetime(2025, 3, 8, tzinfo=MOSCOW), other) == 8 * H
    )


def test_a_schedule_is_read_in_a_few_queries(cast, django_assert_max_num_queries) -> None:
    dept = cast["north"].central_dept
    with django_assert_max_num_queries(4):
        schedule = schedule_for(dept)
    with django_assert_max_num_queries(0):
        schedule.is_closed(date(2025, 6, 3))
