"""The content plan's calendar through its views (R-PLAN-2..5): the feed shows only what the person
may see, drag and drop moves a post through the service and recomputes its review deadline, rubric
slots and memorable dates appear, and the page works as a plain list without JavaScript."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from kurator.core.testing.cast import enable_totp
from kurator.planning.calendar import Period, rubric_due_days
from kurator.planning.choices import Cadence, PostState
from kurator.planning.models import MemorableDate, Post, Rubric
from kurator.planning.services import post_create, rubric_create, rubric_pause
from kurator.review.deadlines import review_deadline

MSK = ZoneInfo("Europe/Moscow")
MINSK = ZoneInfo("Europe/Minsk")
WEEK = {"start": "2027-03-01", "end": "2027-03-08"}  # Monday 1 March to Sunday 7 March 2027


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def login(person) -> Client:
    enable_totp(person)
    person.language = "en"
    person.save(update_fields=["language"])
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(person)
    return client


def plan(cast, net="north", *, page="central_page", by="coordinator", title="Пост", when=None, **extra) -> Post:
    people = cast[net]
    zone = MSK if net == "north" else MINSK
    return post_create(
        by=people[by],
        network=people.network,
        pages=[getattr(people, page)],
        title=title,
        planned_at=when or datetime(2027, 3, 3, 10, tzinfo=zone),
        **extra,
    )


def feed(client: Client, **params) -> dict:
    response = client.get(reverse("planning:calendar_feed"), {**WEEK, **params})
    assert response.status_code == 200, response.content[:300]
    return response.json()


def titles(data: dict, kind: str = "post") -> list[str]:
    return sorted(e["title"] for e in data["events"] if e["extendedProps"]["kind"] == kind)


# Scoping --------------------------------------------------------------------------------------


def test_the_feed_never_shows_another_library_s_or_another_network_s_posts(cast):
    plan(cast, title="Центральная: новинки")
    plan(cast, page="branch_page", by="branch_coordinator", title="Филиал: клуб")
    plan(cast, "west", title="Запад: выставка", when=datetime(2027, 3, 3, 10, tzinfo=MINSK))
    assert titles(feed(login(cast["north"]["coordinator"]))) == ["Центральная: новинки"]
    assert titles(feed(login(cast["north"]["branch_coordinator"]))) == ["Филиал: клуб"]
    assert titles(feed(login(cast["north"]["curator"]))) == ["Филиал: клуб", "Центральная: новинки"]
    assert titles(feed(login(cast["west"]["curator"]))) == ["Запад: выставка"]


def test_a_page_of_another_network_cannot_be_asked_for_by_its_number(cast):
    plan(cast, "west", title="Запад: выставка", when=datetime(2027, 3, 3, 10, tzinfo=MINSK))
    client = login(cast["north"]["curator"])
    response = client.get(reverse("planning:calendar_feed"), {**WEEK, "page": cast["west"].central_page.pk})
    assert response.status_code == 404
    response = client.get(reverse("planning:calendar"), {"library": cast["west"].central.pk})
    assert response.status_code == 404


def test_the_curator_narrows_the_network_wide_plan_to_a_page_or_a_library(cast):
    plan(cast, title="Центральная: новинки")
    plan(cast, page="branch_page", by="branch_coordinator", title="Филиал: клуб")
    north = cast["north"]
    client = login(north["curator"])
    assert titles(feed(client, page=north.branch_page.pk)) == ["Филиал: клуб"]
    assert titles(feed(client, library=north.central.pk)) == ["Центральная: новинки"]


def test_posts_carry_their_state_colour_pages_and_local_wall_clock_time(cast):
    post = plan(cast, title="Новинки", when=datetime(2027, 3, 3, 7, 30, tzinfo=ZoneInfo("UTC")))
    event = next(e for e in feed(login(cast["north"]["coordinator"]))["events"] if e["id"] == f"post-{post.pk}")
    assert event["start"] == "2027-03-03T10:30"  # Moscow's wall clock, no offset: FullCalendar shows it as is
    assert event["color"] == "#6c757d" and event["editable"] is True
    assert event["extendedProps"]["pages"] == [cast["north"].central_page.name]
    assert event["extendedProps"]["moveUrl"] == reverse("planning:calendar_move", args=[post.pk])


def test_a_published_post_shows_but_cannot_be_dragged(cast):
    post = plan(cast, title="Вышел")
    Post.objects.filter(pk=post.pk).update(state=PostState.PUBLISHED)
    event = next(e for e in feed(login(cast["north"]["coordinator"]))["events"] if e["id"] == f"post-{post.pk}")
    assert event["editable"] is False


# Warnings in the feed -------------------------------------------------------------------------


def test_the_feed_returns_the_cadence_and_topic_warnings_of_the_week(cast):
    plan(cast, title="Один пост")
    data = feed(login(cast["north"]["coordinator"]))
    kinds = {(w["kind"], w["page"]) for w in data["warnings"]}
    page = cast["north"].central_page.pk
    assert ("too_few", page) in kinds and ("topics_missing", page) in kinds
    assert all(w["page"] == page for w in data["warnings"])  # the branch's page is not the coordinator's


# Drag and drop --------------------------------------------------------------------------------


def move(client: Client, post: Post, start: str):
    return client.post(reverse("planning:calendar_move", args=[post.pk]), {"start": start})


def test_dropping_a_post_moves_it_and_recomputes_its_review_deadline(cast):
    post = plan(cast, title="Новинки")
    response = move(login(cast["north"]["coordinator"]), post, "2027-03-05T14:00")
    assert response.status_code == 200, response.content
    data = response.json()
    post.refresh_from_db()
    assert post.planned_at == datetime(2027, 3, 5, 14, tzinfo=MSK)
    expected = review_deadline([cast["north"].central_page], post.planned_at).due_by
    assert expected == datetime(2027, 2, 26, 18, tzinfo=MSK)  # the 5th working day before Friday 5 March
    assert datetime.fromisoformat(data["deadline"]) == expected
    assert data["deadline_text"] and data["late"] is False and data["planned_at"] == "2027-03-05T14:00"
    assert {w["kind"] for w in data["warnings"]} >= {"too_few"}


def test_moving_later_across_a_holiday_pushes_the_deadline_past_it(cast):
    post = plan(cast, title="Праздничный", when=datetime(2027, 3, 3, 10, tzinfo=MSK))
    client = login(cast["north"]["coordinator"])
    data = move(client, post, "2027-03-12T10:00").json()
    # 8 March 2027 (Monday) is International Women's Day, a day off: the five days are 11, 10, 9, 5, 4 March.
    assert datetime.fromisoformat(data["deadline"]) == datetime(2027, 3, 4, 18, tzinfo=MSK)


def test_a_published_post_refuses_to_move_and_stays(cast):
    post = plan(cast, title="Вышел")
    Post.objects.filter(pk=post.pk).update(state=PostState.PUBLISHED)
    response = move(login(cast["north"]["coordinator"]), post, "2027-03-05T14:00")
    assert response.status_code == 400
    assert response.json()["ok"] is False and "published" in response.json()["message"]
    post.refresh_from_db()
    assert post.planned_at == datetime(2027, 3, 3, 10, tzinfo=MSK)


def test_someone_who_sees_the_post_but_does_not_plan_the_page_may_not_move_it(cast):
    post = plan(cast, title="Новинки")
    response = move(login(cast["north"]["head"]), post, "2027-03-05T14:00")
    assert response.status_code == 403
    post.refresh_from_db()
    assert post.planned_at == datetime(2027, 3, 3, 10, tzinfo=MSK)


def test_another_library_s_coordinator_does_not_even_find_the_post(cast):
    post = plan(cast, title="Новинки")
    assert move(login(cast["north"]["branch_coordinator"]), post, "2027-03-05T14:00").status_code == 404
    assert move(login(cast["west"]["curator"]), post, "2027-03-05T14:00").status_code == 404


def test_a_time_that_cannot_be_read_changes_nothing(cast):
    post = plan(cast, title="Новинки")
    response = move(login(cast["north"]["coordinator"]), post, "пятница")
    assert response.status_code == 400 and response.json()["ok"] is False
    post.refresh_from_db()
    assert post.planned_at == datetime(2027, 3, 3, 10, tzinfo=MSK)


# Moving a post that is with the curator or approved: test_moves_in_review.py.


# Rubric slots and memorable dates ---------------------------------------------------------------


def make_rubric(cast, **extra) -> Rubric:
    north = cast["north"]
    return rubric_create(
        by=north["curator"],
        network=north.network,
        name="Бюро изобретений",
        owner=north["coordinator"],
        pages=[north.central_page],
        hashtag="бюроизобретений",
        **extra,
    )


def test_a_weekly_rubric_shows_its_due_slot_until_a_post_of_it_is_planned(cast):
    rubric = make_rubric(cast, cadence=Cadence.WEEKLY, weekday=2)
    client = login(cast["north"]["coordinator"])
    slots = [e for e in feed(client)["events"] if e["extendedProps"]["kind"] == "rubric"]
    assert [(s["start"], s["extendedProps"]["paused"]) for s in slots] == [("2027-03-03", False)]
    assert "#бюроизобретений" in slots[0]["title"]
    plan(cast, title="Изобретение недели", rubric=rubric, when=datetime(2027, 3, 5, 12, tzinfo=MSK))
    assert titles(feed(client), "rubric") == []


def test_a_paused_rubric_shows_its_slots_as_paused_with_the_reason(cast):
    rubric = make_rubric(cast, cadence=Cadence.WEEKLY, weekday=0)
    rubric_pause(by=cast["north"]["curator"], rubric=rubric, reason="Автор в отпуске", until=date(2027, 3, 1))
    client = login(cast["north"]["coordinator"])
    slots = [e for e in feed(client)["events"] if e["extendedProps"]["kind"] == "rubric"]
    assert [s["extendedProps"]["paused"] for s in slots] == [True]
    assert "Автор в отпуске" in slots[0]["title"]
    march_8 = feed(client, start="2027-03-08", end="2027-03-15")
    assert [e["extendedProps"]["paused"] for e in march_8["events"] if e["extendedProps"]["kind"] == "rubric"] == [
        False
    ]


def test_rubric_cadences_give_their_days():
    rubric = Rubric(name="r", cadence=Cadence.FORTNIGHTLY, weekday=4)
    anchor = date(2027, 3, 1)
    assert rubric_due_days(rubric, date(2027, 3, 1), date(2027, 3, 31), anchor) == [
        date(2027, 3, 5),
        date(2027, 3, 19),
    ]
    rubric.cadence = Cadence.MONTHLY
    assert rubric_due_days(rubric, date(2027, 3, 1), date(2027, 4, 30), anchor) == [
        date(2027, 3, 5),
        date(2027, 4, 2),
    ]


def test_memorable_dates_of_the_starter_set_and_of_the_network_show_but_not_another_network_s(cast):
    MemorableDate.objects.create(network=None, month=3, day=3, title="Всемирный день писателя", year=None)
    MemorableDate.objects.create(network=cast["north"].network, month=3, day=4, title="День нашей ЦБС", year=1977)
    MemorableDate.objects.create(network=cast["west"].network, month=3, day=5, title="День западной ЦБС")
    data = feed(login(cast["north"]["coordinator"]))
    assert titles(data, "date") == ["Всемирный день писателя", "День нашей ЦБС — 50 years"]


# The page -------------------------------------------------------------------------------------


def test_the_calendar_page_lists_the_week_without_javascript(cast):
    plan(cast, title="Новинки марта")
    MemorableDate.objects.create(network=None, month=3, day=2, title="Всемирный день чтения")
    client = login(cast["north"]["coordinator"])
    response = client.get(reverse("planning:calendar"), {"view": "week", "start": "2027-03-03"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Новинки марта" in html and "Всемирный день чтения" in html
    assert 'data-testid="plan-list"' in html and "index.global.min.js" in html
    assert "start=2027-02-22" in html and "start=2027-03-08" in html  # previous and next weeks


def test_the_period_is_cut_to_a_sane_length():
    period = Period.clipped(date(2027, 1, 1), date(2030, 1, 1))
    assert (period.last - period.first).days == 120


def test_the_holidays_of_the_network_s_production_calendar_show_as_days_off(cast):
    client = login(cast["north"]["coordinator"])
    data = feed(client, start="2027-03-08", end="2027-03-15")
    off = [e for e in data["events"] if e["extendedProps"]["kind"] == "day_off"]
    assert [e["start"] for e in off] == ["2027-03-08"] and off[0]["display"] == "background"
    response = client.get(reverse("planning:calendar"), {"view": "week", "start": "2027-03-08"})
    assert 'data-testid="list-day-off"' in response.content.decode()


def test_the_feed_costs_the_same_number_of_queries_for_three_posts_or_twelve(cast):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    north = cast["north"]
    make_rubric(cast, cadence=Cadence.WEEKLY, weekday=2)
    client = login(north["curator"])
    for n in range(3):
        plan(cast, page="main_page", by="curator", title=f"Главная {n}", when=datetime(2027, 3, 1 + n, 10, tzinfo=MSK))
    with CaptureQueriesContext(connection) as few:
        feed(client)
    for n in range(9):
        page = ("central_page", "branch_page", "main_page")[n % 3]
        plan(cast, page=page, by="curator", title=f"Ещё {n}", when=datetime(2027, 3, 1 + n % 7, 12 + n, tzinfo=MSK))
    with CaptureQueriesContext(connection) as many:
        feed(client)
    assert len(many) == len(few)


def test_a_shared_post_moves_by_the_wall_clock_of_the_page_it_was_shown_on(cast):
    north = cast["north"]
    north.branch.time_zone = "Asia/Novosibirsk"
    north.branch.save()
    post = post_create(
        by=north["curator"],
        network=north.network,
        pages=[north.central_page, north.branch_page],
        title="Общий пост",
        planned_at=datetime(2027, 3, 3, 10, tzinfo=MSK),
    )
    client = login(north["curator"])
    event = next(e for e in feed(client, page=north.branch_page.pk)["events"] if e["id"] == f"post-{post.pk}")
    assert event["start"] == "2027-03-03T14:00" and event["extendedProps"]["zone"] == "Asia/Novosibirsk"
    response = client.post(
        reverse("planning:calendar_move", args=[post.pk]), {"start": "2027-03-04T14:00", "zone": "Asia/Novosibirsk"}
    )
    assert response.status_code == 200
    post.refresh_from_db()
    assert post.planned_at == datetime(2027, 3, 4, 10, tzinfo=MSK)
    # A zone that is none of the post's pages' is not trusted: the first page's zone is used.
    client.post(reverse("planning:calendar_move", args=[post.pk]), {"start": "2027-03-05T10:00", "zone": "Asia/Tokyo"})
    post.refresh_from_db()
    assert post.planned_at == datetime(2027, 3, 5, 10, tzinfo=MSK)
