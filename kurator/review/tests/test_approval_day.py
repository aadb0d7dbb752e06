"""The page's approval day of the registry (003 Appendix 1) in review: the curator must have a page's post
by the page's last approval day that is still at least 5 working days before publication (R-REV-1),
on the real production calendars of Russia and Belarus."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation

from kurator.core.choices import Weekday
from kurator.core.testing.api import api_as
from kurator.core.testing.cast import enable_totp
from kurator.planning.choices import PostState
from kurator.planning.services import post_create
from kurator.review.deadlines import review_deadline
from kurator.review.services import post_submit

MSK, MINSK = ZoneInfo("Europe/Moscow"), ZoneInfo("Europe/Minsk")


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def reviewed_on(page, weekday: int | None):
    page.approval_weekday = weekday
    page.save(update_fields=["approval_weekday"])
    return page


def plan(cast, when, *pages, **fields):
    north = cast["north"]
    return post_create(
        by=north["curator"],
        network=north.network,
        pages=list(pages) or [north.central_page],
        title="Рождественские чтения",
        planned_at=when,
        text="Приглашаем на чтения.",
        **fields,
    )


# Tuesday 13 January 2026 in Moscow: the plain 5-working-day deadline is Thursday 25 December 2025, 18:00.
AFTER_NEW_YEAR = datetime(2026, 1, 13, 10, 0, tzinfo=MSK)


@pytest.mark.parametrize(
    ("weekday", "due"),
    [
        (Weekday.WEDNESDAY, datetime(2025, 12, 24, 18, 0, tzinfo=MSK)),  # the Wednesday before the 25th
        (Weekday.THURSDAY, datetime(2025, 12, 25, 18, 0, tzinfo=MSK)),  # the 5th working day itself
        (Weekday.FRIDAY, datetime(2025, 12, 19, 18, 0, tzinfo=MSK)),  # Friday the 26th would be too late
        (None, datetime(2025, 12, 25, 18, 0, tzinfo=MSK)),  # no approval day: the 5-working-day rule alone
    ],
)
def test_the_deadline_is_the_last_approval_day_at_least_five_working_days_before_publication(cast, weekday, due):
    page = reviewed_on(cast["north"].central_page, weekday)
    deadline = review_deadline([page], AFTER_NEW_YEAR)
    assert deadline.due_by == due
    assert deadline.approval_page == (page if weekday is not None else None)


def test_an_approval_day_on_a_holiday_is_held_on_the_working_day_before_it_even_a_transferred_saturday(cast):
    # Russia 2025: Tuesday 4 November is a holiday, Monday 3 November a day off moved from Saturday
    # 1 November, which is a working day. Publication on Wednesday 12 November: the 5th working day
    # before it is Wednesday 5 November, and the Tuesday before that is the holiday.
    page = reviewed_on(cast["north"].central_page, Weekday.TUESDAY)
    deadline = review_deadline([page], datetime(2025, 11, 12, 10, 0, tzinfo=MSK))
    assert deadline.due_by == datetime(2025, 11, 1, 18, 0, tzinfo=MSK)


def test_an_approval_day_held_early_for_a_holiday_counts_when_it_falls_on_the_fifth_working_day(cast):
    # Publication on Tuesday 11 November 2025: the 5th working day before it is Saturday 1 November, the
    # day on which the review of Tuesday 4 November is held; so not the Tuesday a week earlier.
    page = reviewed_on(cast["north"].central_page, Weekday.TUESDAY)
    deadline = review_deadline([page], datetime(2025, 11, 11, 10, 0, tzinfo=MSK))
    assert deadline.due_by == datetime(2025, 11, 1, 18, 0, tzinfo=MSK)


def test_in_belarus_a_friday_approval_day_made_a_day_off_moves_back_past_independence_day(cast):
    # Belarus 2025: Thursday 3 July is a holiday and Friday 4 July a day off moved to Saturday 12 July.
    # Publication on Tuesday 15 July: the 5th working day before it is Wednesday 9 July; its Friday
    # before is 4 July, a day off, and the working day before that is Wednesday 2 July.
    page = reviewed_on(cast["west"].central_page, Weekday.FRIDAY)
    deadline = review_deadline([page], datetime(2025, 7, 15, 10, 0, tzinfo=MINSK))
    assert deadline.due_by == datetime(2025, 7, 2, 18, 0, tzinfo=MINSK)


def test_a_post_for_two_pages_takes_the_stricter_page_s_approval_day(cast):
    north = cast["north"]
    reviewed_on(north.central_page, Weekday.MONDAY)
    deadline = review_deadline([north.branch_page, north.central_page], AFTER_NEW_YEAR)
    assert deadline.due_by == datetime(2025, 12, 22, 18, 0, tzinfo=MSK)
    assert deadline.approval_page == north.central_page


def test_a_submission_after_the_approval_day_is_refused_naming_the_day_and_the_page(cast):
    north = cast["north"]
    reviewed_on(north.central_page, Weekday.WEDNESDAY)
    post = plan(cast, AFTER_NEW_YEAR)
    # In time for the 5-working-day rule (Thursday 25 December), but after Wednesday's review.
    with translation.override("ru"), pytest.raises(ValidationError) as error:
        post_submit(by=north["coordinator"], post=post, now=datetime(2025, 12, 25, 10, 0, tzinfo=MSK))
    message = " ".join(error.value.messages)
    assert "24.12.2025 18:00" in message and north.central_page.name in message
    post.refresh_from_db()
    assert post.state == PostState.DRAFT


def test_a_submission_on_the_approval_day_reaches_the_curator_with_that_deadline(cast):
    north = cast["north"]
    reviewed_on(north.central_page, Weekday.WEDNESDAY)
    post = plan(cast, AFTER_NEW_YEAR)
    submission = post_submit(by=north["coordinator"], post=post, now=datetime(2025, 12, 24, 17, 0, tzinfo=MSK))
    assert submission.due_by == datetime(2025, 12, 24, 18, 0, tzinfo=MSK)


def test_an_urgent_post_may_still_come_after_the_approval_day(cast):
    north = cast["north"]
    reviewed_on(north.central_page, Weekday.WEDNESDAY)
    post = plan(cast, AFTER_NEW_YEAR, urgent=True)
    submission = post_submit(by=north["coordinator"], post=post, now=datetime(2025, 12, 25, 10, 0, tzinfo=MSK))
    assert submission.urgent and submission.decide_by == datetime(2025, 12, 25, 18, 0, tzinfo=MSK)


def test_the_post_page_shows_the_deadline_by_the_approval_day_and_the_day_itself(cast):
    north = cast["north"]
    reviewed_on(north.central_page, Weekday.WEDNESDAY)
    post = plan(cast, AFTER_NEW_YEAR)
    person = north["coordinator"]
    enable_totp(person)
    person.language = "en"
    person.save(update_fields=["language"])
    client = Client()
    client.force_login(person)
    html = client.get(reverse("planning:post", args=[post.pk])).content.decode()
    assert "24 December 2025, 18:00" in html
    assert f"the approval day of “{north.central_page.name}”" in html
    assert 'data-testid="approval-days">Wednesday<' in html


def test_the_api_gives_the_deadline_by_the_approval_day(cast):
    north = cast["north"]
    reviewed_on(north.central_page, Weekday.WEDNESDAY)
    post = plan(cast, AFTER_NEW_YEAR)
    enable_totp(north["coordinator"])
    body = api_as(north["coordinator"], language="en").get(f"/planning/posts/{post.pk}").json()
    assert datetime.fromisoformat(body["review_deadline"]) == datetime(2025, 12, 24, 18, 0, tzinfo=MSK)
