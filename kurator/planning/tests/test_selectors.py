"""Who sees which posts, rubrics, designer requests and submissions."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from kurator.planning.models import DesignerRequest
from kurator.planning.selectors import (
    designer_requests_for,
    posts_visible_to,
    rubrics_visible_to,
    submissions_awaiting,
)
from kurator.planning.services import post_create, rubric_create
from kurator.review.models import Submission

MSK = ZoneInfo("Europe/Moscow")


def _post(cast, by_key, page_key, title, **fields):
    north = cast["north"]
    return post_create(
        by=north[by_key],
        network=north.network,
        pages=[getattr(north, page_key)],
        title=title,
        planned_at=fields.pop("planned_at", datetime(2030, 3, 4, 12, tzinfo=MSK)),
        text="Текст",
        **fields,
    )


def test_overseers_see_every_post_of_their_network_and_coordinators_those_of_their_pages(cast):
    north = cast["north"]
    central = _post(cast, "coordinator", "central_page", "Central")
    branch = _post(cast, "branch_coordinator", "branch_page", "Branch")
    assert set(posts_visible_to(north["curator"], north.network)) == {central, branch}
    assert set(posts_visible_to(north["administration"])) == {central, branch}
    assert set(posts_visible_to(north["coordinator"])) == {central}
    assert set(posts_visible_to(north["branch_coordinator"])) == {branch}
    assert not posts_visible_to(cast["west"]["curator"]).exists()


def test_everyone_of_the_network_sees_its_rubrics_and_no_other_network_does(cast):
    north = cast["north"]
    rubric = rubric_create(by=north["curator"], network=north.network, name="Бюро изобретений", owner=north["member"])
    assert list(rubrics_visible_to(north["staff"])) == [rubric]
    assert not rubrics_visible_to(cast["west"]["curator"]).exists()


def test_a_designer_sees_requests_addressed_to_them(cast):
    north = cast["north"]
    post = _post(cast, "coordinator", "central_page", "Central")
    request = DesignerRequest.objects.create(
        post=post,
        requested_by=north["coordinator"],
        designer=north["designer"],
        description="Обложка",
        due_on=datetime(2030, 2, 20).date(),
    )
    assert list(designer_requests_for(north["designer"])) == [request]
    assert list(designer_requests_for(north["coordinator"])) == [request]
    assert not designer_requests_for(north["branch_coordinator"]).exists()


def test_the_curator_sees_pending_submissions_overdue_first(cast):
    north = cast["north"]
    now = datetime.now(MSK)
    later = _post(cast, "coordinator", "central_page", "Later", planned_at=now + timedelta(days=30))
    overdue = _post(cast, "coordinator", "central_page", "Overdue", planned_at=now + timedelta(days=40))
    for post, decide_by in ((later, None), (overdue, now - timedelta(hours=1))):
        Submission.objects.create(
            post=post,
            submitted_by=north["coordinator"],
            submitted_at=now,
            due_by=now,
            decide_by=decide_by,
            urgent=decide_by is not None,
        )
    assert [s.post for s in submissions_awaiting(north["curator"])] == [overdue, later]
    assert not submissions_awaiting(north["coordinator"]).exists()
