"""A post that is with the curator or approved, moved in the calendar (or in the editor): the new time
is checked against the review deadline as a submission is (R-REV-1, R-REV-2). Dates on the real
Russian production calendar: April 2027 has no holidays in Russia."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format

from kurator.core.choices import Weekday
from kurator.core.testing.api import api_as
from kurator.core.testing.cast import enable_totp
from kurator.planning.choices import PostState
from kurator.planning.models import Post
from kurator.planning.services import post_create, post_update
from kurator.review.choices import SubmissionState
from kurator.review.models import Submission
from kurator.review.services import post_submit, submission_approve

MSK = ZoneInfo("Europe/Moscow")
# Friday 16 April 2027, 10:00: the curator must have the post by Friday 9 April, 18:00.
PLANNED = datetime(2027, 4, 16, 10, tzinfo=MSK)
SUBMITTED_AT = datetime(2027, 4, 9, 17, tzinfo=MSK)  # an hour before that deadline


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def login(person) -> Client:
    if not person.authenticator_set.exists():
        enable_totp(person)
    person.language = "en"
    person.save(update_fields=["language"])
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(person)
    return client


def submitted(cast, **fields) -> Post:
    north = cast["north"]
    post = post_create(
        by=north["coordinator"],
        network=north.network,
        pages=[north.central_page],
        title="Библионочь",
        planned_at=PLANNED,
        text="Приглашаем на Библионочь.",
        **fields,
    )
    post_submit(by=north["coordinator"], post=post, now=SUBMITTED_AT)
    post.refresh_from_db()
    return post


def approved(cast) -> Post:
    post = submitted(cast)
    submission_approve(
        by=cast["north"]["curator"], submission=post.submissions.get(), now=datetime(2027, 4, 12, 11, tzinfo=MSK)
    )
    post.refresh_from_db()
    return post


def move(cast, post: Post, start: str):
    client = login(cast["north"]["coordinator"])
    return client.post(reverse("planning:calendar_move", args=[post.pk]), {"start": start})


def in_english(moment: datetime) -> str:
    return date_format(moment, "SHORT_DATETIME_FORMAT")


def test_a_submitted_post_moved_so_early_that_it_came_too_late_is_refused_saying_by_when_it_was_due(cast):
    post = submitted(cast)
    # Thursday 15 April needs the post by Thursday 8 April, 18:00: it came on the 9th.
    response = move(cast, post, "2027-04-15T10:00")
    assert response.status_code == 400
    message = response.json()["message"]
    assert "Too late for review" in message and in_english(datetime(2027, 4, 8, 18, tzinfo=MSK)) in message
    post.refresh_from_db()
    assert post.planned_at == PLANNED and post.state == PostState.SUBMITTED
    assert Submission.objects.get(post=post).due_by == datetime(2027, 4, 9, 18, tzinfo=MSK)


def test_a_submitted_post_moved_later_stays_with_the_curator_with_the_new_deadline(cast):
    post = submitted(cast)
    response = move(cast, post, "2027-04-19T10:00")
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["ok"] is True and data["state"] == PostState.SUBMITTED and data["late"] is False
    assert "stays with the curator" in data["message"]
    submission = Submission.objects.get(post=post)
    assert submission.state == SubmissionState.PENDING
    assert submission.due_by == datetime(2027, 4, 12, 18, tzinfo=MSK)  # Monday, 5 working days before the 19th


def test_an_approved_post_moved_within_the_rule_keeps_its_approval(cast):
    post = approved(cast)
    data = move(cast, post, "2027-04-16T15:30").json()
    assert data["ok"] is True and data["state"] == PostState.APPROVED
    assert "approval stands" in data["message"]
    post.refresh_from_db()
    assert post.state == PostState.APPROVED and post.planned_at == datetime(2027, 4, 16, 15, 30, tzinfo=MSK)


def test_an_approved_post_moved_too_early_is_refused_and_stays_approved_at_its_time(cast):
    post = approved(cast)
    response = move(cast, post, "2027-04-14T10:00")
    assert response.status_code == 400 and "Too late for review" in response.json()["message"]
    post.refresh_from_db()
    assert post.state == PostState.APPROVED and post.planned_at == PLANNED


def test_an_urgent_post_with_the_curator_may_move_earlier(cast):
    post = submitted(cast, urgent=True)
    response = move(cast, post, "2027-04-12T10:00")
    assert response.status_code == 200 and response.json()["state"] == PostState.SUBMITTED


def test_the_editor_refuses_the_same_move_changing_nothing(cast):
    post = submitted(cast)
    with pytest.raises(ValidationError, match="Too late for review"):
        post_update(
            by=cast["north"]["coordinator"], post=post, planned_at=datetime(2027, 4, 15, 10, tzinfo=MSK), title="Новое"
        )
    post.refresh_from_db()
    assert (post.planned_at, post.title) == (PLANNED, "Библионочь")


def test_a_post_made_urgent_as_it_moves_too_early_must_now_be_decided_the_same_working_day(cast):
    post = submitted(cast)
    post_update(
        by=cast["north"]["coordinator"], post=post, planned_at=datetime(2027, 4, 15, 10, tzinfo=MSK), urgent=True
    )
    submission = Submission.objects.get(post=post)
    assert submission.urgent and submission.decide_by is not None
    assert submission.state == SubmissionState.PENDING


def test_a_changed_text_still_sends_an_approved_post_back_to_draft(cast):
    post = approved(cast)
    post_update(by=cast["north"]["coordinator"], post=post, text="Другой текст.")
    post.refresh_from_db()
    assert post.state == PostState.DRAFT


def test_a_move_past_the_page_s_approval_day_is_refused_naming_the_day(cast):
    north = cast["north"]
    north.central_page.approval_weekday = Weekday.FRIDAY
    north.central_page.save(update_fields=["approval_weekday"])
    post = submitted(cast)  # Friday 9 April is the page's approval day too
    # Wednesday 21 April: 5 working days before is Wednesday 14 April, and its Friday before is the 9th.
    assert move(cast, post, "2027-04-21T10:00").status_code == 200
    # Thursday 15 April: 5 working days before is Thursday 8 April, and its Friday before is the 2nd.
    response = move(cast, post, "2027-04-15T10:00")
    assert response.status_code == 400
    message = response.json()["message"]
    assert in_english(datetime(2027, 4, 2, 18, tzinfo=MSK)) in message and north.central_page.name in message


def test_the_api_refuses_the_same_move_with_the_same_message(cast):
    post = submitted(cast)
    enable_totp(cast["north"]["coordinator"])
    client = api_as(cast["north"]["coordinator"], language="en")
    response = client.patch(f"/planning/posts/{post.pk}", {"planned_at": "2027-04-15T10:00:00+03:00"})
    assert response.status_code == 422, response.content
    assert "Too late for review" in response.content.decode()
    post.refresh_from_db()
    assert post.planned_at == PLANNED
