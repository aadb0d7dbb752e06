"""Planning and review over the JSON API: posts carry their review deadline and warnings; writes go
through the services (403, 422 with the message); the curator returns and approves."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from kurator.core.testing.api import api_as
from kurator.core.testing.cast import enable_totp
from kurator.planning.models import Post
from kurator.planning.services import rubric_create
from kurator.review.models import ReviewComment

MSK = ZoneInfo("Europe/Moscow")


@pytest.fixture
def coordinator(cast):
    enable_totp(cast["north"]["coordinator"])
    return api_as(cast["north"]["coordinator"], language="en")


@pytest.fixture
def curator(cast):
    enable_totp(cast["north"]["curator"])
    return api_as(cast["north"]["curator"], language="en")


def in_days(days: int) -> str:
    return datetime.combine(timezone.localdate() + timedelta(days=days), time(12), tzinfo=MSK).isoformat()


def test_a_planned_post_comes_back_with_its_review_deadline_and_no_warnings(cast, coordinator):
    north = cast["north"]
    response = coordinator.post(
        "/planning/posts",
        {
            "page_ids": [north.central_page.pk],
            "title": "Новинки",
            "text": "Новые книги",
            "planned_at": in_days(30),
            "topics": ["book_selections"],
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["review_deadline"] is not None and body["review_deadline"] < body["planned_at"]
    assert body["warnings"] == [] and body["variants"][0]["problems"] == []
    assert body["author"]["id"] == north["coordinator"].pk


def test_a_variant_over_its_limits_is_a_warning_and_cannot_be_submitted(cast, curator):
    north = cast["north"]
    created = curator.post(
        "/planning/posts",
        {"page_ids": [north.branch_page.pk], "title": "Длинный", "text": "я" * 5000, "planned_at": in_days(30)},
    ).json()
    assert any("Telegram accepts at most 4096" in w for w in created["warnings"])
    response = curator.post(f"/planning/posts/{created['id']}/submit")
    assert response.status_code == 422
    assert "Telegram accepts at most 4096" in str(response.json()["detail"])


def test_a_late_submission_is_refused_with_the_date_it_was_due(cast, coordinator):
    north = cast["north"]
    created = coordinator.post(
        "/planning/posts",
        {"page_ids": [north.central_page.pk], "title": "Срочно", "text": "т", "planned_at": in_days(1)},
    ).json()
    response = coordinator.post(f"/planning/posts/{created['id']}/submit")
    assert response.status_code == 422
    assert "had to receive the post by" in str(response.json()["detail"])


def test_a_designer_cannot_plan_a_post_and_another_networks_page_is_no_such_page(cast, coordinator):
    north, west = cast["north"], cast["west"]
    body = {"title": "Чужое", "text": "т", "planned_at": in_days(30)}
    designer = api_as(north["designer"], language="en")
    assert designer.post("/planning/posts", {**body, "page_ids": [north.central_page.pk]}).status_code == 403
    assert coordinator.post("/planning/posts", {**body, "page_ids": [west.central_page.pk]}).status_code == 422


def test_the_curator_returns_with_a_comment_on_a_variant_and_approves_the_resubmission(cast, coordinator, curator):
    north = cast["north"]
    created = coordinator.post(
        "/planning/posts",
        {"page_ids": [north.central_page.pk], "title": "Встреча", "text": "т", "planned_at": in_days(30)},
    ).json()
    submitted = coordinator.post(f"/planning/posts/{created['id']}/submit").json()
    submission_id = submitted["submission"]["id"]
    assert submitted["state"] == "submitted"
    variant_id = created["variants"][0]["id"]
    returned = curator.post(
        f"/planning/submissions/{submission_id}/return",
        {"comments": [{"variant_id": variant_id, "text": "Добавьте время"}]},
    )
    assert returned.status_code == 200 and returned.json()["state"] == "returned"
    assert ReviewComment.objects.get().variant_id == variant_id
    patched = coordinator.patch(
        f"/planning/posts/{created['id']}",
        {"variants": [{"page_id": north.central_page.pk, "text": "Встреча в 12:00"}]},
    )
    assert patched.json()["variants"][0]["effective_text"] == "Встреча в 12:00"
    again = coordinator.post(f"/planning/posts/{created['id']}/submit").json()
    assert coordinator.post(f"/planning/submissions/{again['submission']['id']}/approve").status_code == 403
    approved = curator.post(f"/planning/submissions/{again['submission']['id']}/approve")
    assert approved.json()["state"] == "approved"
    assert Post.objects.get().state == "approved"


def test_rubrics_are_listed_with_their_next_due_day(cast, coordinator):
    north = cast["north"]
    rubric_create(by=north["curator"], network=north.network, name="Бюро", owner=north["member"], weekday=2)
    items = coordinator.get("/planning/rubrics").json()["items"]
    assert items[0]["name"] == "Бюро"
    assert datetime.fromisoformat(items[0]["next_due"]).weekday() == 2


def test_the_coordinator_answers_the_curators_comment_in_its_thread(cast, coordinator, curator):
    north = cast["north"]
    created = coordinator.post(
        "/planning/posts",
        {"page_ids": [north.central_page.pk], "title": "Встреча", "text": "т", "planned_at": in_days(30)},
    ).json()
    submission_id = coordinator.post(f"/planning/posts/{created['id']}/submit").json()["submission"]["id"]
    variant_id = created["variants"][0]["id"]
    question = curator.post(
        f"/planning/submissions/{submission_id}/comments", {"text": "Кто ведущий?", "variant_id": variant_id}
    )
    assert question.status_code == 201
    answer = coordinator.post(
        f"/planning/submissions/{submission_id}/comments", {"text": "Иванова", "parent_id": question.json()["id"]}
    )
    assert answer.status_code == 201
    assert answer.json()["variant_id"] == variant_id and answer.json()["parent_id"] == question.json()["id"]
    designer = api_as(north["designer"], language="en")
    assert designer.post(f"/planning/submissions/{submission_id}/comments", {"text": "?"}).status_code == 403
