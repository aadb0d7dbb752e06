"""The content plan's calendar in headless Chromium (issue 5 item 9): a coordinator plans a week for
their page, sees the cadence and topic warnings, drags a post to another day and time, and a
published post refuses to move. Screenshots go to test-artifacts/screenshots/."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

from kurator.core.testing.cast import build_cast, enable_totp
from kurator.core.tests.test_browser import log_in, totp_code
from kurator.planning.choices import Cadence, PostState
from kurator.planning.models import Post
from kurator.planning.services import post_create, rubric_create

pytestmark = pytest.mark.browser

MSK = ZoneInfo("Europe/Moscow")
WEEK = "2027-03-01"  # Monday; 8 March, the next Monday, is a holiday


def drag(page: Page, source: str, day: str, time: str) -> None:
    """FullCalendar follows the mouse itself: press on the event, move over the target slot, release."""
    page.locator(source).first.scroll_into_view_if_needed()
    event = page.locator(source).first.bounding_box()
    column = page.locator(f'td.fc-timegrid-col[data-date="{day}"]').bounding_box()
    lane = page.locator(f'td.fc-timegrid-slot-lane[data-time="{time}"]').bounding_box()
    assert event and column and lane
    page.mouse.move(event["x"] + event["width"] / 2, event["y"] + 5)
    page.mouse.down()
    target_x, target_y = column["x"] + column["width"] / 2, lane["y"] + 5
    for step in range(1, 11):  # in steps, as a hand moves, so that FullCalendar sees a drag
        page.mouse.move(
            event["x"] + (target_x - event["x"]) * step / 10, event["y"] + 5 + (target_y - event["y"] - 5) * step / 10
        )
    page.mouse.up()


def test_a_coordinator_plans_a_week_sees_the_warnings_and_moves_a_post(live_server, page: Page, screenshot):
    # Given the coordinator of the central library's page with two posts planned in the week and a
    # weekly rubric due on Wednesday
    cast = build_cast()
    north = cast["north"]
    coordinator = north["coordinator"]
    secret = enable_totp(coordinator)
    first = post_create(
        by=coordinator,
        network=north.network,
        pages=[north.central_page],
        title="Новинки весны",
        planned_at=datetime(2027, 3, 1, 10, tzinfo=MSK),
    )
    published = post_create(
        by=coordinator,
        network=north.network,
        pages=[north.central_page],
        title="Уже вышел",
        planned_at=datetime(2027, 3, 5, 15, tzinfo=MSK),
    )
    rubric_create(
        by=north["curator"],
        network=north.network,
        name="Бюро изобретений",
        owner=coordinator,
        pages=[north.central_page],
        hashtag="бюроизобретений",
        cadence=Cadence.WEEKLY,
        weekday=2,
    )

    # When they log in and open the week of their page in the content plan
    log_in(page, live_server, coordinator.email)
    page.fill('input[name="code"]', totp_code(secret))
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    page.goto(f"{live_server.url}/plan/calendar/?page={north.central_page.pk}&view=week&start={WEEK}")

    # Then FullCalendar shows the week in Russian with the posts and the rubric slot, the plain list is hidden,, and the warnings say the week is short of posts and topics are missing
    expect(page.locator(".fc-timegrid")).to_be_visible()
    expect(page.locator(".fc-toolbar-title")).to_contain_text("2027")
    expect(page.locator(".fc-event", has_text="Новинки весны")).to_be_visible()
    expect(page.locator(".fc-event", has_text="#бюроизобретений")).to_be_visible()
    expect(page.locator('[data-testid="plan-list"]')).to_be_hidden()
    warnings = page.locator('[data-testid="warnings"]')
    expect(warnings.locator('li[data-kind="topics_missing"]')).to_have_count(1)
    expect(warnings.locator('li[data-kind="too_few"]')).to_have_count(0)  # two posts this week: enough
    screenshot(page, "week-planned")

    # When they drag the spring post from Monday 10:00 to Wednesday 12:00
    drag(page, '.fc-event:has-text("Новинки весны")', "2027-03-03", "12:00:00")

    # Then the move is saved and the message gives the new review deadline (5 working days ahead)
    expect(page.locator('[data-testid="calendar-message"] .alert-success')).to_be_visible()
    expect(page.locator('[data-testid="calendar-message"]')).to_contain_text(
        re.compile(r"2[45]\.02\.2027|2/2[45]/2027")
    )
    first.refresh_from_db()
    assert first.planned_at == datetime(2027, 3, 3, 12, tzinfo=MSK)
    screenshot(page, "post-moved")

    # When the other post is published meanwhile (the screen does not know yet) and they drag it
    Post.objects.filter(pk=published.pk).update(state=PostState.PUBLISHED)
    drag(page, '.fc-event:has-text("Уже вышел")', "2027-03-04", "12:00:00")

    # Then it goes back to its place and the message says why
    expect(page.locator('[data-testid="calendar-message"] .alert-danger')).to_be_visible()
    published.refresh_from_db()
    assert published.planned_at == datetime(2027, 3, 5, 15, tzinfo=MSK)
    screenshot(page, "published-refused")

    # When they look at the next week, which has no posts yet
    page.click(".fc-next-button")

    # Then the short week is a warning before it happens, and the address keeps the week for a reload
    expect(warnings.locator('li[data-kind="too_few"]')).to_have_count(1)
    expect(page).to_have_url(re.compile(r"view=week&start=2027-03-08"))
    screenshot(page, "next-week-warning")


def test_a_coordinator_turns_a_memorable_date_into_a_draft(live_server, page: Page, screenshot):
    # Given the starter set of memorable dates and a coordinator of the branch's page
    from kurator.planning.dates import load_starter_dates

    cast = build_cast()
    load_starter_dates()
    coordinator = cast["north"]["branch_coordinator"]
    secret = enable_totp(coordinator)
    log_in(page, live_server, coordinator.email)
    page.fill('input[name="code"]', totp_code(secret))
    page.click("main form button[type=submit]")
    page.wait_for_load_state()

    # When they open the memorable dates, the coming round anniversaries and every date's source show
    page.goto(f"{live_server.url}/plan/dates/")
    expect(page.locator("main")).to_contain_text("Указ Президента РФ от 27.05.1995 № 539")
    screenshot(page, "dates")

    # And when they make a draft of the Day of Libraries
    row = page.locator("tr", has_text="Общероссийский день библиотек").first
    row.get_by_role("button").click()
    page.wait_for_load_state()

    # Then a draft for 27 May at 10:00 exists on their page and its screen is open
    post = Post.objects.get(title="Общероссийский день библиотек")
    assert post.state == PostState.DRAFT
    assert post.planned_at.astimezone(MSK).timetuple()[1:5] == (5, 27, 10, 0)
    assert [v.page_id for v in post.variants.all()] == [cast["north"].branch_page.pk]
    expect(page).to_have_url(re.compile(rf"/plan/{post.pk}/$"))
    screenshot(page, "draft-opened")

    # And the month in the calendar shows the draft among the dates
    page.goto(f"{live_server.url}/plan/calendar/?view=month&start=2027-05-01")
    expect(page.locator(".fc-daygrid-event", has_text="Общероссийский день библиотек").first).to_be_visible()
    screenshot(page, "month")
    page.click(".fc-listMonth-button")
    expect(page.locator(".fc-list-event", has_text="Общероссийский день библиотек").first).to_be_visible()
    screenshot(page, "list")

    # And a click on a date in the calendar, once confirmed, makes a draft of it too
    page.click(".fc-dayGridMonth-button")
    expect(page.locator(".fc-dayGridMonth-button")).to_have_class(re.compile("fc-button-active"))
    page.wait_for_load_state("networkidle")  # the month's events are fetched again: click the final ones
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator(".fc-daygrid-event", has_text="Основана Императорская Публичная библиотека").first.click()
    expect(page).to_have_url(re.compile(r"/plan/\d+/$"))
    assert Post.objects.filter(title__startswith="Основана Императорская Публичная библиотека").count() == 1
