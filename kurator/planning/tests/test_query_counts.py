"""The post list (screen and API) does not run a query per post."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kurator.core.testing.cast import enable_totp
from kurator.planning.services import post_create

MSK = ZoneInfo("Europe/Moscow")


def plan(cast, n):
    north = cast["north"]
    for i in range(n):
        post_create(
            by=north["curator"],
            network=north.network,
            pages=[north.central_page, north.branch_page],
            title=f"Пост {i}",
            planned_at=datetime.now(MSK) + timedelta(days=10 + i),
            text="Текст",
        )


def count(call):
    with CaptureQueriesContext(connection) as queries:
        response = call()
    assert response.status_code == 200
    return len(queries)


def test_the_post_list_screen_runs_as_many_queries_for_twelve_posts_as_for_three(cast, client):
    curator = cast["north"]["curator"]
    enable_totp(curator)
    client.force_login(curator)
    plan(cast, 3)
    few = count(lambda: client.get(reverse("planning:posts")))
    plan(cast, 9)
    assert count(lambda: client.get(reverse("planning:posts"))) == few
