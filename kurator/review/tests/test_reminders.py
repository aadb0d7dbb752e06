"""Reminders reach the right people once a day; overdue reviews escalate to the administration."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from kurator.core.models import Notification
from kurator.planning.models import DesignerRequest, Rubric
from kurator.planning.services import post_create
from kurator.review.reminders import (
    escalate_overdue_reviews,
    remind_designer_requests,
    remind_review_deadlines,
    remind_rubric_owners,
)
from kurator.review.services import post_submit

MSK = ZoneInfo("Europe/Moscow")


def plan(cast, when, **fields):
    north = cast["north"]
    return post_create(
        by=north["curator"],
        network=north.network,
        pages=[north.central_page],
        title="Неделя книги",
        text="Анонс.",
        planned_at=when,
        **fields,
    )


def told(email):
    return list(Notification.objects.filter(recipient__email=email).values_list("message", flat=True))


def test_the_coordinator_hears_of_an_approaching_review_deadline_once_a_day(cast):
    # Publication on Friday 20 March 2026: the curator must have it by Friday 13 March, 18:00.
    plan(cast, datetime(2026, 3, 20, 10, 0, tzinfo=MSK))
    now = datetime(2026, 3, 13, 9, 0, tzinfo=MSK)
    assert remind_review_deadlines(now) >= 1
    assert any("Неделя книги" in m for m in told("coordinator@north.test"))
    assert remind_review_deadlines(now) == 0  # not again the same day
    assert not told("coordinator@west.test")


def test_no_reminder_while_the_deadline_is_far(cast):
    plan(cast, datetime(2026, 3, 20, 10, 0, tzinfo=MSK))
    assert remind_review_deadlines(datetime(2026, 3, 5, 9, 0, tzinfo=MSK)) == 0


def test_a_designer_request_due_tomorrow_reminds_the_designer(cast):
    north = cast["north"]
    post = plan(cast, datetime(2026, 3, 20, 10, 0, tzinfo=MSK))
    DesignerRequest.objects.create(
        post=post,
        requested_by=north["coordinator"],
        designer=north["designer"],
        description="Обложка",
        due_on=date(2026, 3, 12),
    )
    assert remind_designer_requests(date(2026, 3, 11)) >= 1
    assert any("Неделя книги" in m for m in told("designer@north.test"))


def test_a_rubric_owner_is_reminded_when_the_rubric_is_due(cast):
    north = cast["north"]
    Rubric.objects.create(
        network=north.network, name="Бюро изобретений", owner=north["member"], cadence="weekly", weekday=2
    )
    assert remind_rubric_owners(date(2026, 3, 10)) == 1  # Tuesday; due on Wednesday
    assert any("Бюро изобретений" in m for m in told("member@north.test"))


def test_an_urgent_post_left_undecided_escalates_to_the_administration(cast):
    north = cast["north"]
    post = plan(cast, datetime(2026, 3, 11, 15, 0, tzinfo=MSK), urgent=True)
    post_submit(by=north["coordinator"], post=post, now=datetime(2026, 3, 10, 10, 0, tzinfo=MSK))
    assert escalate_overdue_reviews(datetime(2026, 3, 10, 12, 0, tzinfo=MSK)) == 0  # the day is not over
    assert escalate_overdue_reviews(datetime(2026, 3, 10, 19, 0, tzinfo=MSK)) >= 1
    assert any("Неделя книги" in m for m in told("administration@north.test"))
