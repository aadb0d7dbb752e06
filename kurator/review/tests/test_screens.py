"""Review through the screens (R-REV-1..4): submit in time or be told by when it was due, the curator's
queue, return with per-variant comments, answers in threads, resubmit, approve, joint editing, and
deleting a published post only for a reason of 003 § 5.10."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from kurator.core.models import Notification
from kurator.core.testing.cast import enable_totp
from kurator.planning.choices import PostState
from kurator.planning.services import post_create
from kurator.review.choices import StepKind, SubmissionState
from kurator.review.deadlines import review_deadline
from kurator.review.models import ReviewComment, ReviewStep, Submission

MSK = ZoneInfo("Europe/Moscow")


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def login(person) -> Client:
    """English as their language: the Russian catalogue is checked by the translation tests."""
    if not person.authenticator_set.exists():
        enable_totp(person)
    person.language = "en"
    person.save(update_fields=["language"])
    client = Client()
    client.force_login(person)
    return client


def in_days(days: int) -> datetime:
    return datetime.combine(timezone.localdate() + timedelta(days=days), time(12), tzinfo=MSK)


def planned(cast, when, **extra):
    north = cast["north"]
    # The curator plans a post for two pages (VK and Telegram); the central page's coordinator works on it.
    return post_create(
        by=north["curator"],
        network=north.network,
        pages=[north.central_page, north.branch_page],
        title="Встреча с писателем",
        planned_at=when,
        text="Приглашаем на встречу с писателем в субботу.",
        **extra,
    )


def test_a_late_submission_is_refused_with_the_date_it_was_due(cast):
    north = cast["north"]
    post = planned(cast, in_days(2))
    client = login(north["coordinator"])
    response = client.post(reverse("planning:post_submit", args=[post.pk]), follow=True)
    deadline = review_deadline([north.central_page, north.branch_page], post.planned_at)
    due = date_format(deadline.due_by.astimezone(MSK), "SHORT_DATETIME_FORMAT")
    html = response.content.decode()
    assert "Too late for review" in html
    assert due in html
    post.refresh_from_db()
    assert post.state == PostState.DRAFT and not post.submissions.exists()


def test_an_urgent_late_post_goes_through_and_shows_as_urgent_in_the_curators_queue(cast):
    north = cast["north"]
    post = planned(cast, in_days(2), urgent=True)
    login(north["coordinator"]).post(reverse("planning:post_submit", args=[post.pk]))
    assert post.submissions.get().urgent
    html = login(north["curator"]).get(reverse("planning:review_queue")).content.decode()
    assert "Встреча с писателем" in html and "urgent" in html


def test_the_curator_returns_with_a_comment_per_variant_the_coordinator_answers_fixes_and_resubmits_and_the_curator_approves(
    cast,
):
    north = cast["north"]
    post = planned(cast, in_days(30))
    coordinator, curator = login(north["coordinator"]), login(north["curator"])
    vk = post.variants.get(page=north.central_page)

    assert coordinator.post(reverse("planning:post_submit", args=[post.pk])).status_code == 302
    submission = Submission.objects.get(post=post)
    queue = curator.get(reverse("planning:review_queue")).content.decode()
    assert reverse("planning:post", args=[post.pk]) in queue

    form = curator.get(reverse("planning:submission_return", args=[submission.pk])).content.decode()
    assert f"variant_{vk.pk}" in form
    response = curator.post(
        reverse("planning:submission_return", args=[submission.pk]),
        {"comment": "", f"variant_{vk.pk}": "Для ВКонтакте короче и с датой."},
    )
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.state == PostState.RETURNED
    comment = ReviewComment.objects.get()
    assert comment.variant == vk

    # The coordinator sees the comment beside that variant and answers in the thread.
    page = coordinator.get(reverse("planning:post", args=[post.pk])).content.decode()
    assert f'data-testid="thread-{vk.pk}"' in page and "Для ВКонтакте короче и с датой." in page
    coordinator.post(
        reverse("planning:comment_add", args=[submission.pk]),
        {"text": "Сократила, дату добавила.", "parent": comment.pk},
    )
    reply = ReviewComment.objects.get(parent=comment)
    assert reply.variant == vk and reply.author == north["coordinator"]
    assert Notification.objects.filter(recipient=north["curator"], message__contains="Сократила").exists()

    # …fixes the VK text and submits again.
    edit = {
        "title": post.title,
        "text": post.text,
        "planned_at": timezone.localtime(post.planned_at, MSK).strftime("%Y-%m-%dT%H:%M"),
        "direction": post.direction,
        "pages": [north.central_page.pk, north.branch_page.pk],
        f"v{vk.pk}-text": "Встреча с писателем 14 марта, 12:00.",
        f"v{vk.pk}-parse_mode": "",
        "mentions-TOTAL_FORMS": "0",
        "mentions-INITIAL_FORMS": "0",
    }
    assert coordinator.post(reverse("planning:post_edit", args=[post.pk]), edit).status_code == 302
    assert coordinator.post(reverse("planning:post_submit", args=[post.pk])).status_code == 302
    second = Submission.objects.filter(post=post).latest("id")
    assert second.state == SubmissionState.PENDING
    assert second.steps.get().kind == StepKind.RESUBMITTED

    assert curator.post(reverse("planning:submission_approve", args=[second.pk])).status_code == 302
    post.refresh_from_db()
    assert post.state == PostState.APPROVED
    page = curator.get(reverse("planning:post", args=[post.pk])).content.decode()
    assert "Встреча с писателем 14 марта, 12:00.</ins>" in page  # the history shows the fix


def test_the_curator_edits_jointly_while_the_post_is_submitted_and_the_step_is_recorded(cast):
    north = cast["north"]
    post = planned(cast, in_days(30))
    login(north["coordinator"]).post(reverse("planning:post_submit", args=[post.pk]))
    curator = login(north["curator"])
    edit = {
        "title": "Встреча с писателем (уточнено)",
        "text": post.text,
        "planned_at": timezone.localtime(post.planned_at, MSK).strftime("%Y-%m-%dT%H:%M"),
        "direction": post.direction,
        "pages": [north.central_page.pk, north.branch_page.pk],
        "mentions-TOTAL_FORMS": "0",
        "mentions-INITIAL_FORMS": "0",
    }
    assert "Edit jointly" in curator.get(reverse("planning:post", args=[post.pk])).content.decode()
    assert curator.post(reverse("planning:post_edit", args=[post.pk]), edit).status_code == 302
    step = ReviewStep.objects.get(kind=StepKind.EDITED)
    assert step.by == north["curator"]
    assert Notification.objects.filter(recipient=north["coordinator"], message__contains="edited").exists()
    page = login(north["coordinator"]).get(reverse("planning:post", args=[post.pk])).content.decode()
    assert "edited jointly" in page and "Встреча с писателем (уточнено)</ins>" in page


def test_a_published_post_is_deleted_only_by_the_curator_for_a_listed_reason_with_the_coordinators_agreement(cast):
    north = cast["north"]
    post = planned(cast, in_days(30))
    login(north["coordinator"]).post(reverse("planning:post_submit", args=[post.pk]))
    curator = login(north["curator"])
    curator.post(reverse("planning:submission_approve", args=[post.submissions.get().pk]))
    post.state = PostState.PUBLISHED
    post.save()
    url = reverse("planning:post_delete_published", args=[post.pk])
    form = curator.get(url).content.decode()
    assert "Edit instead" in form and "Gross spelling, punctuation or factual errors" in form
    assert login(north["coordinator"]).get(url).status_code == 403

    refused = curator.post(url, {"reason": "errors", "cannot_edit": "on"}).content.decode()
    assert "agreed with the page&#x27;s coordinator" in refused
    curator.post(url, {"reason": "errors", "cannot_edit": "on", "coordinator_agreed": "on"})
    post.refresh_from_db()
    assert post.state == PostState.WITHDRAWN
    step = ReviewStep.objects.get(kind=StepKind.DELETED)
    assert "Gross spelling" in step.note and str(north["coordinator"]) in step.note
