"""The plan's warnings (R-PLAN-3, R-PLAN-4, R-PLAN-7 and clashes) as plain functions: no database."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils import translation

from kurator.planning.choices import Topic
from kurator.planning.warnings import (
    PageInfo,
    PlannedItem,
    WarningKind,
    clash_warnings,
    missing_topics,
    partner_warnings,
    plan_warnings,
    quarter_of,
    topic_warnings,
    weekly_count_warnings,
    weeks_between,
)

MOSCOW = "Europe/Moscow"
PAGE = PageInfo(1, "Центральная", MOSCOW)
OTHER = PageInfo(2, "Филиал", MOSCOW)


def at(day: date, hour: int = 10, minute: int = 0, zone: str = MOSCOW) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZoneInfo(zone))


def item(n: int, when: datetime, page: PageInfo = PAGE, **extra) -> PlannedItem:
    return PlannedItem(
        post_id=n, title=f"Пост {n}", page_id=page.page_id, planned_at=when, time_zone=page.time_zone, **extra
    )


def kinds(warnings) -> list[str]:
    return [w.kind for w in warnings]


# 2 to 7 posts a week (003 § 5.8) ----------------------------------------------------------------

MONDAY = date(2027, 3, 1)


def test_a_week_with_one_post_is_too_few_and_says_the_minimum():
    warnings = weekly_count_warnings(PAGE, [item(1, at(MONDAY))], [MONDAY])
    assert kinds(warnings) == [WarningKind.TOO_FEW]
    assert "2" in warnings[0].message and warnings[0].starts == MONDAY and warnings[0].ends == date(2027, 3, 7)


def test_an_empty_week_is_too_few():
    assert kinds(weekly_count_warnings(PAGE, [], [MONDAY])) == [WarningKind.TOO_FEW]


def test_two_and_seven_posts_a_week_are_both_fine():
    two = [item(n, at(MONDAY + timedelta(days=n))) for n in range(2)]
    seven = [item(n, at(MONDAY + timedelta(days=n))) for n in range(7)]
    assert weekly_count_warnings(PAGE, two, [MONDAY]) == []
    assert weekly_count_warnings(PAGE, seven, [MONDAY]) == []


def test_eight_posts_a_week_are_too_many_and_name_the_posts():
    eight = [item(n, at(MONDAY + timedelta(days=n % 7), hour=9 + n)) for n in range(8)]
    warnings = weekly_count_warnings(PAGE, eight, [MONDAY])
    assert kinds(warnings) == [WarningKind.TOO_MANY]
    assert set(warnings[0].post_ids) == set(range(8))


def test_posts_of_another_page_do_not_count_for_this_one():
    other = [item(n, at(MONDAY + timedelta(days=n)), page=OTHER) for n in range(3)]
    assert kinds(weekly_count_warnings(PAGE, other, [MONDAY])) == [WarningKind.TOO_FEW]


def test_a_week_across_the_new_year_holidays_is_one_week_from_monday_to_sunday():
    # 28.12.2026 is a Monday; 1–8 January are public holidays in Russia, yet the week is still Mon–Sun.
    monday = date(2026, 12, 28)
    posts = [item(1, at(date(2026, 12, 30))), item(2, at(date(2027, 1, 2)))]
    assert weeks_between(date(2026, 12, 31), date(2027, 1, 3)) == [monday]
    assert weekly_count_warnings(PAGE, posts, [monday]) == []
    # The next week, all holidays, still needs its two posts.
    assert kinds(weekly_count_warnings(PAGE, posts, [date(2027, 1, 4)])) == [WarningKind.TOO_FEW]


def test_a_week_with_the_may_holidays_counts_a_post_on_the_holiday_itself():
    monday = date(2027, 5, 3)  # the week after 1 May; 3 May 2027 is a day off by transfer
    posts = [item(1, at(date(2027, 5, 3))), item(2, at(date(2027, 5, 9)))]
    assert weekly_count_warnings(PAGE, posts, [monday]) == []


def test_the_week_is_counted_in_the_library_s_time_zone():
    novosibirsk = PageInfo(3, "Новосибирск", "Asia/Novosibirsk")
    # Sunday 23:30 in Novosibirsk is Sunday 19:30 in Moscow, but Monday 00:30 there is still Sunday in Moscow.
    late_sunday = item(1, at(date(2027, 3, 7), 23, 30, "Asia/Novosibirsk"), page=novosibirsk)
    early_monday = item(2, at(date(2027, 3, 8), 0, 30, "Asia/Novosibirsk"), page=novosibirsk)
    assert late_sunday.local_day == date(2027, 3, 7)
    assert early_monday.local_day == date(2027, 3, 8)
    assert early_monday.planned_at.astimezone(ZoneInfo(MOSCOW)).date() == date(2027, 3, 7)
    warnings = weekly_count_warnings(novosibirsk, [late_sunday, early_monday], [MONDAY, date(2027, 3, 8)])
    assert [(w.starts, len(w.post_ids)) for w in warnings] == [(MONDAY, 1), (date(2027, 3, 8), 1)]


# Appendix 2 topics per quarter (R-PLAN-4) -------------------------------------------------------


def test_topics_missing_this_quarter_are_listed_in_the_appendix_s_order():
    q = quarter_of(date(2027, 5, 15))
    assert q == (date(2027, 4, 1), date(2027, 6, 30))
    posts = [item(1, at(date(2027, 4, 5)), topics=("hours_changes", "e_library"))]
    missing = missing_topics(posts)
    assert missing[0] == Topic.VIRTUAL_ENROLMENT and "hours_changes" not in missing and len(missing) == 9
    warnings = topic_warnings(PAGE, posts, [q])
    assert kinds(warnings) == [WarningKind.TOPICS_MISSING]
    assert str(Topic.VIRTUAL_ENROLMENT.label) in warnings[0].message


def test_a_quarter_covering_every_topic_has_no_topic_warning():
    posts = [item(n, at(date(2027, 4, 1) + timedelta(days=n)), topics=(t,)) for n, t in enumerate(Topic.values)]
    assert topic_warnings(PAGE, posts, [quarter_of(date(2027, 4, 1))]) == []


def test_a_topic_covered_in_the_previous_quarter_is_still_missing_in_this_one():
    posts = [item(n, at(date(2027, 3, 1) + timedelta(days=n)), topics=(t,)) for n, t in enumerate(Topic.values)]
    assert kinds(topic_warnings(PAGE, posts, [quarter_of(date(2027, 4, 1))])) == [WarningKind.TOPICS_MISSING]


# Partner posts must not predominate (R-PLAN-7, 003 § 3.9) ----------------------------------------

MARCH = (date(2027, 3, 1), date(2027, 3, 31))


def test_more_partner_posts_than_own_in_a_month_is_a_warning():
    posts = [
        item(1, at(date(2027, 3, 2)), partner=True),
        item(2, at(date(2027, 3, 3)), partner=True),
        item(3, at(date(2027, 3, 4))),
    ]
    warnings = partner_warnings(PAGE, posts, [MARCH])
    assert kinds(warnings) == [WarningKind.PARTNER_PREDOMINATES]
    assert warnings[0].post_ids == (1, 2)


def test_as_many_partner_posts_as_own_do_not_predominate():
    posts = [item(1, at(date(2027, 3, 2)), partner=True), item(2, at(date(2027, 3, 3)))]
    assert partner_warnings(PAGE, posts, [MARCH]) == []


# Clashes ------------------------------------------------------------------------------------------


def test_two_posts_on_one_page_less_than_an_hour_apart_clash():
    posts = [item(1, at(MONDAY, 10, 0)), item(2, at(MONDAY, 10, 40)), item(3, at(MONDAY, 12, 0))]
    with translation.override("ru"):  # times as the library reads them: 24 hours
        warnings = clash_warnings(PAGE, posts)
    assert kinds(warnings) == [WarningKind.CLASH]
    assert warnings[0].post_ids == (1, 2)
    assert "10:00" in warnings[0].message and "10:40" in warnings[0].message


def test_posts_an_hour_apart_or_on_different_pages_do_not_clash():
    assert clash_warnings(PAGE, [item(1, at(MONDAY, 10)), item(2, at(MONDAY, 11))]) == []
    assert clash_warnings(PAGE, [item(1, at(MONDAY, 10)), item(2, at(MONDAY, 10, 5), page=OTHER)]) == []


# All together -----------------------------------------------------------------------------------


def test_periods_already_over_are_history_not_warnings():
    today = date(2027, 3, 10)
    warnings = plan_warnings([PAGE], [], date(2027, 2, 22), date(2027, 3, 21), today)
    weeks = [w.starts for w in warnings if w.kind == WarningKind.TOO_FEW]
    assert weeks == [date(2027, 3, 8), date(2027, 3, 15)]  # not the weeks of 22 February and 1 March
    assert [w.starts for w in warnings if w.kind == WarningKind.TOPICS_MISSING] == [date(2027, 1, 1)]


def test_a_clash_outside_the_period_on_screen_is_not_shown_with_it():
    posts = [item(1, at(date(2027, 3, 20), 10)), item(2, at(date(2027, 3, 20), 10, 30))]
    shown = plan_warnings([PAGE], posts, MONDAY, date(2027, 3, 7), date(2027, 2, 1))
    assert WarningKind.CLASH not in kinds(shown)
    later = plan_warnings([PAGE], posts, date(2027, 3, 15), date(2027, 3, 21), date(2027, 2, 1))
    assert WarningKind.CLASH in kinds(later)


def test_warnings_are_given_as_json_for_the_feed():
    warning = weekly_count_warnings(PAGE, [], [MONDAY])[0]
    data = warning.as_json()
    assert data["kind"] == "too_few" and data["page"] == 1 and data["starts"] == "2027-03-01"
