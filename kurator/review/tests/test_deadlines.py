"""R-REV-1 and R-REV-2 on the real production calendars of Russia and Belarus (2025–2026)."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from kurator.core.testing.cast import enable_totp
from kurator.planning.choices import PostState
from kurator.planning.services import post_create
from kurator.review.choices import SubmissionState
from kurator.review.deadlines import review_deadline
from kurator.review.models import ReviewComment
from kurator.review.services import post_submit, submission_approve, submission_return

MSK, MINSK = ZoneInfo("Europe/Moscow"), ZoneInfo("Europe/Minsk")


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def plan(cast, net, page_key, when, **fields):
    network = cast[net]
    return post_create(
        by=network["curator"],
        network=network.network,
        pages=[getattr(network, page_key)],
        title="Новогодние каникулы в библиотеке",
        planned_at=when,
        text="Режим работы в праздники.",
        **fields,
    )


@pytest.mark.parametrize(
    ("net", "tz", "publish", "due"),
    [
        # Russia: 1–8 January are holidays and 9 January 2026 is a day off moved from 3 January;
        # 31 December 2025 is a day off moved from 4 January 2025.
        ("north", MSK, datetime(2026, 1, 13, 10, 0), datetime(2025, 12, 25, 18, 0)),
        # Russia: 4 November is a holiday, 3 November 2025 a day off moved from Saturday 1 November,
        # which therefore is a working day.
        ("north", MSK, datetime(2025, 11, 6, 12, 0), datetime(2025, 10, 29, 18, 0)),
        # Belarus: 1, 2 and 7 January are holidays; 31 December 2025 is an ordinary working day.
        ("west", MINSK, datetime(2026, 1, 12, 10, 0), datetime(2025, 12, 31, 18, 0)),
        # Belarus: 3 July is a holiday and Friday 4 July 2025 a day off moved to Saturday 12 July.
        ("west", MINSK, datetime(2025, 7, 8, 10, 0), datetime(2025, 6, 27, 18, 0)),
    ],
)
def test_the_review_deadline_is_five_working_days_of_the_library_before_publication(cast, net, tz, publish, due):
    page = cast[net].central_page
    assert review_deadline([page], publish.replace(tzinfo=tz)).due_by == due.replace(tzinfo=tz)


def test_a_submission_in_time_reaches_the_curator_and_notifies_them(cast):
    post = plan(cast, "north", "central_page", datetime(2026, 1, 13, 10, 0, tzinfo=MSK))
    submission = post_submit(by=cast["north"]["coordinator"], post=post, now=datetime(2025, 12, 25, 17, 0, tzinfo=MSK))
    assert submission.state == SubmissionState.PENDING
    post.refresh_from_db()
    assert post.state == PostState.SUBMITTED
    assert cast["north"]["curator"].notifications.filter(message__contains=post.title).exists()


def test_a_late_submission_is_refused_saying_by_when_it_was_due(cast):
    post = plan(cast, "north", "central_page", datetime(2026, 1, 13, 10, 0, tzinfo=MSK))
    with translation.override("ru"), pytest.raises(ValidationError) as error:
        post_submit(by=cast["north"]["coordinator"], post=post, now=datetime(2025, 12, 26, 9, 30, tzinfo=MSK))
    assert "25.12.2025 18:00" in " ".join(error.value.messages)
    post.refresh_from_db()
    assert post.state == PostState.DRAFT


def test_a_submission_after_closing_time_counts_from_the_next_opening(cast):
    # Sent at 19:00 on the due day: received at 09:00 the next working day, so too late.
    post = plan(cast, "north", "central_page", datetime(2026, 1, 13, 10, 0, tzinfo=MSK))
    with pytest.raises(ValidationError):
        post_submit(by=cast["north"]["coordinator"], post=post, now=datetime(2025, 12, 25, 19, 0, tzinfo=MSK))


def test_an_urgent_late_post_is_accepted_and_must_be_decided_the_same_working_day(cast):
    post = plan(cast, "west", "central_page", datetime(2026, 1, 12, 10, 0, tzinfo=MINSK), urgent=True)
    # Sent on Saturday 10 January 2026 (Belarus): received on Monday 12 January at opening.
    submission = post_submit(by=cast["west"]["coordinator"], post=post, now=datetime(2026, 1, 10, 11, 0, tzinfo=MINSK))
    assert submission.urgent
    assert submission.decide_by == datetime(2026, 1, 12, 18, 0, tzinfo=MINSK)


def test_a_variant_over_its_networks_limits_cannot_be_submitted(cast):
    post = plan(cast, "north", "branch_page", datetime(2026, 3, 20, 10, 0, tzinfo=MSK))  # a Telegram channel
    post.text = "ж" * 4097
    post.save()
    with pytest.raises(ValidationError) as error:
        post_submit(by=cast["north"]["branch_coordinator"], post=post, now=datetime(2026, 3, 2, 10, 0, tzinfo=MSK))
    assert "4096" in " ".join(error.value.messages)


def test_the_curator_returns_with_comments_then_approves_the_fixed_post(cast):
    north = cast["north"]
    post = plan(cast, "north", "central_page", datetime(2026, 3, 20, 10, 0, tzinfo=MSK))
    submission = post_submit(by=north["coordinator"], post=post, now=datetime(2026, 3, 2, 10, 0, tzinfo=MSK))
    variant = post.variants.get()
    with pytest.raises(ValidationError):
        submission_return(by=north["curator"], submission=submission, comments=[(None, "  ")])
    submission_return(by=north["curator"], submission=submission, comments=[(variant, "Добавьте часы работы 8 марта.")])
    post.refresh_from_db()
    assert post.state == PostState.RETURNED
    assert ReviewComment.objects.get().variant == variant
    assert north["coordinator"].notifications.exists() or north["curator"].notifications.exists()
    second = post_submit(by=north["coordinator"], post=post, now=datetime(2026, 3, 3, 10, 0, tzinfo=MSK))
    submission_approve(by=north["curator"], submission=second, now=datetime(2026, 3, 3, 12, 0, tzinfo=MSK))
    post.refresh_from_db()
    assert post.state == PostState.APPROVED
    assert [s.kind for s in second.steps.all()] == ["resubmitted", "approved"]


def test_only_the_curator_decides(cast):
    from django.core.exceptions import PermissionDenied

    north = cast["north"]
    enable_totp(north["coordinator"])
    post = plan(cast, "north", "central_page", datetime(2026, 3, 20, 10, 0, tzinfo=MSK))
    submission = post_submit(by=north["coordinator"], post=post, now=datetime(2026, 3, 2, 10, 0, tzinfo=MSK))
    with pytest.raises(PermissionDenied):
        submission_approve(by=north["coordinator"], submission=submission)
    with pytest.raises(PermissionDenied):
        submission_approve(by=cast["west"]["curator"], submission=submission)
