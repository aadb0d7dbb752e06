"""Working days and working time on the real production calendars of Russia and Belarus, 2024–2026.

Every date below was checked against the `holidays` package (0.108) and the published calendars:
Russia — government decrees on transfers for 2024 (No. 1314), 2025 (No. 1335) and 2026; Belarus —
the Council of Ministers' transfer resolutions for 2024, 2025 and 2026.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kurator.core.models import CalendarOverride
from kurator.core.workdays import (
    SimpleSchedule,
    WorkingCalendar,
    add_working_days,
    is_working_day,
    opening_hours_on,
    production_calendar,
    usual_hours,
    working_days_between,
    working_instant_after,
    working_instant_before,
    working_time_between,
)

pytestmark = pytest.mark.django_db

MOSCOW = ZoneInfo("Europe/Moscow")
MINSK = ZoneInfo("Europe/Minsk")
YEKATERINBURG = ZoneInfo("Asia/Yekaterinburg")
UTC = ZoneInfo("UTC")
NINE_TO_SIX = {d: (time(9), time(18)) for d in range(5)}
H = timedelta(hours=1)


def moscow(*args: int) -> datetime:
    return datetime(*args, tzinfo=MOSCOW)


def schedule(country: str = "RU", tz: str = "Europe/Moscow", **kwargs) -> SimpleSchedule:
    return SimpleSchedule(country=country, time_zone=tz, hours=kwargs.pop("hours", NINE_TO_SIX), **kwargs)


# --- Russia -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2024, 4, 27), True),  # Saturday worked for Monday 29 April
        (date(2024, 4, 29), False),
        (date(2024, 4, 30), False),  # day off moved from Saturday 2 November
        (date(2024, 5, 10), False),  # day off moved from Saturday 6 January
        (date(2024, 11, 2), True),
        (date(2024, 12, 28), True),  # Saturday worked for Monday 30 December
        (date(2024, 12, 30), False),
        (date(2024, 12, 31), False),
    ],
)
def test_russia_2024_follows_the_transfers_of_the_decree(day: date, working: bool) -> None:
    assert is_working_day(day, "RU") is working


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2025, 11, 1), True),  # Saturday worked for Monday 3 November
        (date(2025, 11, 3), False),
        (date(2025, 11, 4), False),  # Unity Day
        (date(2025, 5, 2), False),
        (date(2025, 5, 8), False),
        (date(2025, 6, 13), False),  # day off moved from Saturday 8 March
        (date(2025, 3, 10), True),  # so the Monday after 8 March is worked
        (date(2025, 12, 31), False),
    ],
)
def test_russia_2025_follows_the_transfers_of_the_decree(day: date, working: bool) -> None:
    assert is_working_day(day, "RU") is working


def test_russia_2026_moves_holidays_that_fall_on_weekends_to_the_next_monday() -> None:
    assert not is_working_day(date(2026, 1, 9), "RU")  # moved from Saturday 3 January
    assert not is_working_day(date(2026, 3, 9), "RU")  # 8 March is a Sunday
    assert not is_working_day(date(2026, 5, 11), "RU")  # 9 May is a Saturday
    assert is_working_day(date(2026, 1, 12), "RU")


@pytest.mark.parametrize(("year", "total"), [(2024, 248), (2025, 247), (2026, 247)])
def test_a_russian_year_has_as_many_working_days_as_the_published_calendar(year: int, total: int) -> None:
    assert working_days_between(date(year - 1, 12, 31), date(year, 12, 31), "RU") == total


def test_may_2025_in_russia_has_eighteen_working_days() -> None:
    assert working_days_between(date(2025, 4, 30), date(2025, 5, 31), "RU") == 18


def test_an_ordinary_weekend_is_not_a_working_day() -> None:
    assert not is_working_day(date(2025, 6, 14), "RU")
    assert not is_working_day(date(2025, 6, 15), "BY")


# --- Belarus ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "saturday",
    [
        date(2024, 5, 18),
        date(2024, 11, 16),
        date(2025, 1, 11),
        date(2025, 4, 26),
        date(2025, 7, 12),
        date(2025, 12, 20),
        date(2026, 4, 25),
    ],
)
def test_belarus_works_its_transferred_saturdays(saturday: date) -> None:
    assert saturday.weekday() == 5
    assert is_working_day(saturday, "BY")
    assert not is_working_day(saturday, "RU")


@pytest.mark.parametrize(
    "day",
    [
        date(2024, 5, 13),  # Monday before Radunitsa, worked on 18 May
        date(2024, 5, 14),  # Radunitsa
        date(2024, 11, 7),  # October Revolution Day
        date(2024, 11, 8),  # worked on 16 November
        date(2025, 1, 6),  # worked on 11 January
        date(2025, 1, 7),  # Orthodox Christmas
        date(2025, 4, 28),  # worked on 26 April
        date(2025, 4, 29),  # Radunitsa
        date(2025, 7, 3),  # Independence Day
        date(2025, 7, 4),  # worked on 12 July
        date(2025, 11, 7),
        date(2025, 12, 25),  # Catholic Christmas
        date(2025, 12, 26),  # worked on 20 December
        date(2026, 1, 2),
        date(2026, 4, 20),  # worked on 25 April
        date(2026, 4, 21),  # Radunitsa
        date(2024, 3, 8),
    ],
)
def test_belarus_rests_on_its_holidays_and_transferred_days_off(day: date) -> None:
    assert not is_working_day(day, "BY")


def test_belarus_does_not_move_a_holiday_that_falls_on_a_weekend_while_russia_does() -> None:
    # 8 March 2026 is a Sunday: Russia rests on Monday the 9th, Belarus works.
    assert is_working_day(date(2026, 3, 9), "BY")
    assert not is_working_day(date(2026, 3, 9), "RU")


def test_the_belarusian_republican_subbotnik_is_not_a_working_day_of_the_calendar() -> None:
    # 20 April 2024 was the voluntary republican subbotnik, not a transfer: a plain Saturday.
    assert not is_working_day(date(2024, 4, 20), "BY")


def test_seventh_of_november_is_a_holiday_in_belarus_but_not_in_russia() -> None:
    assert not is_working_day(date(2025, 11, 7), "BY")
    assert is_working_day(date(2025, 11, 7), "RU")


# --- counting working days ----------------------------------------------------------------------


def test_counting_forward_skips_the_may_holidays_and_lands_on_the_working_saturday() -> None:
    assert add_working_days(date(2024, 4, 26), 1, "RU") == date(2024, 4, 27)
    assert add_working_days(date(2024, 4, 26), 2, "RU") == date(2024, 5, 2)


def test_counting_backward_lands_on_the_working_saturday_before_unity_day() -> None:
    assert add_working_days(date(2025, 11, 5), -1, "RU") == date(2025, 11, 1)


def test_counting_crosses_the_russian_new_year_holidays() -> None:
    assert add_working_days(date(2025, 12, 30), 1, "RU") == date(2026, 1, 12)
    assert add_working_days(date(2026, 1, 12), -1, "RU") == date(2025, 12, 30)


def test_five_working_days_before_a_publication_in_belarus_include_a_working_saturday() -> None:
    # Publication on Tuesday 15 July 2025: 14, 11, 10, 9 July and the working Saturday 12 July.
    assert add_working_days(date(2025, 7, 15), -5, "BY") == date(2025, 7, 9)
    assert add_working_days(date(2025, 7, 15), -5, "RU") == date(2025, 7, 8)


def test_zero_working_days_from_a_day_off_is_the_next_working_day() -> None:
    assert add_working_days(date(2025, 11, 2), 0, "RU") == date(2025, 11, 5)
    assert add_working_days(date(2025, 11, 5), 0, "RU") == date(2025, 11, 5)


def test_counting_and_adding_agree() -> None:
    start = date(2025, 12, 20)
    for n in (1, 3, 10, -4):
        assert working_days_between(start, add_working_days(start, n, "BY"), "BY") == n


def test_counting_reads_the_overrides_in_one_query(django_assert_num_queries) -> None:
    with django_assert_num_queries(1):
        add_working_days(date(2025, 4, 25), 10, "RU", network_id=1)
    with django_assert_num_queries(1):
        working_days_between(date(2025, 1, 1), date(2025, 12, 31), "RU", network_id=1)


def test_a_long_walk_reads_the_overrides_a_window_at_a_time(django_assert_max_num_queries) -> None:
    calendar = WorkingCalendar("RU")
    with django_assert_max_num_queries(3):
        # January after the 9th: 16, February: 20, March: 21 (the published monthly totals 17, 20, 21).
        assert calendar.add_working_days(date(2025, 1, 9), 60) == date(2025, 4, 3)


def test_an_unknown_country_is_refused() -> None:
    with pytest.raises(ValueError, match="ZZ"):
        is_working_day(date(2025, 1, 9), "ZZ")


# --- overrides ----------------------------------------------------------------------------------


def test_an_installation_wide_day_off_applies_to_every_network() -> None:
    CalendarOverride.objects.create(country="RU", date=date(2025, 5, 5), kind="non_working")
    assert not is_working_day(date(2025, 5, 5), "RU")
    assert not is_working_day(date(2025, 5, 5), "RU", network_id=7)
    assert is_working_day(date(2025, 5, 5), "BY")


def test_a_network_decision_beats_the_installation_wide_one_for_that_network_only() -> None:
    CalendarOverride.objects.create(country="RU", date=date(2025, 5, 5), kind="non_working")
    CalendarOverride.objects.create(network_id=7, country="RU", date=date(2025, 5, 5), kind="working")
    assert is_working_day(date(2025, 5, 5), "RU", network_id=7)
    assert not is_working_day(date(2025, 5, 5), "RU", network_id=8)
    assert not is_working_day(date(2025, 5, 5), "RU")


def test_a_network_decision_does_not_leak_to_other_networks() -> None:
    CalendarOverride.objects.create(network_id=7, country="BY", date=date(2025, 7, 12), kind="non_working")
    assert not is_working_day(date(2025, 7, 12), "BY", network_id=7)
    assert is_working_day(date(2025, 7, 12), "BY", network_id=8)


def test_a_working_sunday_decided_by_the_network_counts_as_a_working_day() -> None:
    CalendarOverride.objects.create(network_id=7, country="RU", date=date(2025, 11, 2), kind="working")
    assert add_working_days(date(2025, 10, 31), 2, "RU", network_id=7) == date(2025, 11, 2)
    assert add_working_days(date(2025, 10, 31), 2, "RU") == date(2025, 11, 5)


def test_a_shortened_day_is_still_a_working_day() -> None:
    CalendarOverride.objects.create(country="RU", date=date(2025, 3, 7), kind="shortened", shortened_by_minutes=60)
    assert is_working_day(date(2025, 3, 7), "RU")


# --- working time -------------------------------------------------------------------------------


def test_working_time_within_one_day_is_the_time_inside_opening_hours() -> None:
    assert working_time_between(moscow(2025, 6, 2, 10), moscow(2025, 6, 2, 15), schedule()) == 5 * H
    assert working_time_between(moscow(2025, 6, 2, 7), moscow(2025, 6, 2, 20), schedule()) == 9 * H


def test_working_time_skips_the_weekend() -> None:
    assert working_time_between(moscow(2025, 6, 6, 17), moscow(2025, 6, 9, 10), schedule()) == 2 * H


def test_working_time_counts_backwards_as_a_negative_span() -> None:
    assert working_time_between(moscow(2025, 6, 9, 10), moscow(2025, 6, 6, 17), schedule()) == -2 * H


def test_working_time_crosses_unity_day_and_counts_the_working_saturday_at_usual_hours() -> None:
    # Friday 31 October 17:00 → Wednesday 5 November 10:00: 1 h + Saturday 9 h + 1 h.
    assert working_time_between(moscow(2025, 10, 31, 17), moscow(2025, 11, 5, 10), schedule()) == 11 * H


def test_a_reply_clock_of_one_working_day_runs_through_the_working_saturday() -> None:
    due = working_instant_after(moscow(2025, 10, 31, 17, 30), 9 * H, schedule())
    assert due == moscow(2025, 11, 1, 17, 30)


def test_a_reply_clock_started_on_new_years_eve_waits_for_the_end_of_the_holidays() -> None:
    due = working_instant_after(moscow(2025, 12, 30, 17), 9 * H, schedule())
    assert due == moscow(2026, 1, 12, 17)


def test_a_clock_that_runs_out_at_closing_time_stops_there() -> None:
    assert working_instant_after(moscow(2025, 6, 2, 9), 9 * H, schedule()) == moscow(2025, 6, 2, 18)
    assert working_instant_before(moscow(2025, 6, 2, 18), 9 * H, schedule()) == moscow(2025, 6, 2, 9)


def test_a_clock_started_outside_hours_starts_at_the_next_opening() -> None:
    assert working_instant_after(moscow(2025, 6, 1, 23), H, schedule()) == moscow(2025, 6, 2, 10)


def test_five_working_days_before_a_publication_go_back_over_the_november_holidays() -> None:
    # Monday 10 November 10:00, 45 working hours back: 1 + 9 (7th) + 9 + 9 + 9 (1st, Saturday) + 8 (31 Oct).
    start = working_instant_before(moscow(2025, 11, 10, 10), 45 * H, schedule())
    assert start == moscow(2025, 10, 31, 10)


def test_a_shortened_day_closes_earlier() -> None:
    CalendarOverride.objects.create(country="RU", date=date(2025, 3, 7), kind="shortened", shortened_by_minutes=60)
    assert working_time_between(moscow(2025, 3, 7, 0), moscow(2025, 3, 8, 0), schedule()) == 8 * H
    assert opening_hours_on(date(2025, 3, 7), schedule()) == (moscow(2025, 3, 7, 9), moscow(2025, 3, 7, 17))
    # Friday 16:30 + 1 h: half an hour before the early close, the rest on Monday 10 March.
    assert working_instant_after(moscow(2025, 3, 7, 16, 30), H, schedule()) == moscow(2025, 3, 10, 9, 30)


def test_the_networks_own_shortening_wins_over_the_installations() -> None:
    CalendarOverride.objects.create(country="RU", date=date(2025, 3, 7), kind="shortened", shortened_by_minutes=60)
    CalendarOverride.objects.create(
        network_id=3, country="RU", date=date(2025, 3, 7), kind="shortened", shortened_by_minutes=120
    )
    day = (moscow(2025, 3, 7, 0), moscow(2025, 3, 8, 0))
    assert working_time_between(*day, schedule(network_id=3)) == 7 * H
    assert working_time_between(*day, schedule(network_id=4)) == 8 * H


def test_a_local_closure_stops_the_clock() -> None:
    closed = schedule(closed_days=frozenset({date(2025, 6, 3)}))
    assert working_time_between(moscow(2025, 6, 2, 0), moscow(2025, 6, 5, 0), closed) == 18 * H
    assert working_instant_after(moscow(2025, 6, 2, 17), 2 * H, closed) == moscow(2025, 6, 4, 10)


def test_a_unit_open_on_saturdays_works_them_unless_the_saturday_is_a_holiday() -> None:
    saturdays = schedule(hours={**NINE_TO_SIX, 5: (time(10), time(16))})
    assert working_time_between(moscow(2025, 6, 7, 0), moscow(2025, 6, 8, 0), saturdays) == 6 * H
    # 8 March 2025 (International Women's Day) fell on a Saturday.
    assert working_time_between(moscow(2025, 3, 8, 0), moscow(2025, 3, 9, 0), saturdays) == timedelta(0)


def test_a_unit_closed_on_mondays_does_not_work_them_even_on_working_days() -> None:
    tuesday_to_saturday = schedule(hours={d: (time(10), time(19)) for d in range(1, 6)})
    assert opening_hours_on(date(2025, 6, 2), tuesday_to_saturday) is None
    assert working_instant_after(moscow(2025, 6, 1, 12), H, tuesday_to_saturday) == moscow(2025, 6, 3, 11)


def test_the_same_instant_is_in_hours_in_yekaterinburg_but_not_yet_in_moscow() -> None:
    start, end = datetime(2025, 6, 2, 5, tzinfo=UTC), datetime(2025, 6, 2, 7, tzinfo=UTC)
    assert working_time_between(start, end, schedule(tz="Europe/Moscow")) == H  # 08:00–10:00 local
    assert working_time_between(start, end, schedule(tz="Asia/Yekaterinburg")) == 2 * H  # 10:00–12:00
    due = working_instant_after(datetime(2025, 6, 2, 13, tzinfo=UTC), H, schedule(tz="Asia/Yekaterinburg"))
    assert due == datetime(2025, 6, 3, 10, tzinfo=YEKATERINBURG)  # 18:00 there: closed until the morning


def test_minsk_and_moscow_share_the_clock_but_not_the_calendar() -> None:
    minsk = schedule(country="BY", tz="Europe/Minsk")
    start, end = datetime(2026, 3, 9, tzinfo=MINSK), datetime(2026, 3, 10, tzinfo=MINSK)
    assert working_time_between(start, end, minsk) == 9 * H
    assert working_time_between(start, end, schedule()) == timedelta(0)


def test_a_belarusian_reply_clock_skips_independence_day_and_its_bridge() -> None:
    minsk = schedule(country="BY", tz="Europe/Minsk")
    due = working_instant_after(datetime(2025, 7, 2, 17, tzinfo=MINSK), 2 * H, minsk)
    assert due == datetime(2025, 7, 7, 10, tzinfo=MINSK)


def test_the_answer_is_given_in_the_units_time_zone() -> None:
    due = working_instant_after(datetime(2025, 6, 2, 6, tzinfo=UTC), H, schedule(tz="Asia/Yekaterinburg"))
    assert due.utcoffset() == timedelta(hours=5)


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        working_time_between(datetime(2025, 6, 2, 9), datetime(2025, 6, 2, 10), schedule())


def test_a_unit_without_any_hours_is_refused_rather_than_searched_forever() -> None:
    with pytest.raises(ValueError, match="opening hours"):
        working_instant_after(moscow(2025, 6, 2, 9), H, schedule(hours={}))
    with pytest.raises(ValueError, match="opening hours"):
        working_instant_before(moscow(2025, 6, 2, 9), H, schedule(hours={}))
    assert working_time_between(moscow(2025, 6, 2), moscow(2025, 6, 9), schedule(hours={})) == timedelta(0)


def test_a_unit_closed_for_years_is_refused_rather_than_searched_forever() -> None:
    class AlwaysClosed(SimpleSchedule):
        def is_closed(self, day: date) -> bool:
            return True

    always_closed = AlwaysClosed(country="RU", time_zone="Europe/Moscow", hours=NINE_TO_SIX)
    with pytest.raises(ValueError, match="two years"):
        working_instant_after(moscow(2025, 6, 2, 9), H, always_closed)


def test_the_usual_hours_are_the_most_common_ones() -> None:
    assert usual_hours({0: (time(11), time(20)), 1: (time(9), time(18)), 2: (time(9), time(18))}) == (time(9), time(18))
    assert usual_hours({}) is None


def test_working_time_over_a_month_reads_the_overrides_once(django_assert_num_queries) -> None:
    with django_assert_num_queries(1):
        working_time_between(moscow(2025, 4, 25, 12), moscow(2025, 5, 20, 12), schedule(network_id=2))


@settings(max_examples=60, deadline=None)
@given(
    start=st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2026, 12, 1), timezones=st.just(MOSCOW)),
    minutes=st.integers(min_value=1, max_value=60 * 9 * 12),
    country=st.sampled_from(["RU", "BY"]),
)
def test_the_clock_and_the_measure_agree(start: datetime, minutes: int, country: str) -> None:
    unit = schedule(country=country)
    duration = timedelta(minutes=minutes)
    due = working_instant_after(start, duration, unit)
    assert working_time_between(start, due, unit) == duration
    assert working_time_between(working_instant_before(due, duration, unit), due, unit) == duration


# --- the production calendar as the screen shows it ---------------------------------------------


def test_the_production_calendar_lists_days_off_with_names_and_the_working_saturdays() -> None:
    days = production_calendar("RU", 2024, language="en")
    off = {d.day: d.name for d in days if not d.working}
    assert off[date(2024, 6, 12)] == "Russia Day"
    assert date(2024, 4, 29) in off
    assert [d.day for d in days if d.working] == [date(2024, 4, 27), date(2024, 11, 2), date(2024, 12, 28)]
    assert [d.day for d in days] == sorted(d.day for d in days)


def test_the_production_calendar_names_days_in_russian_for_russian_readers() -> None:
    names = {d.day: d.name for d in production_calendar("BY", 2025, language="ru")}
    assert names[date(2025, 7, 3)].startswith("День Независимости")
