"""Issue 5's "Done when", literally, in the demo network (`manage.py load_demo`) and in Russian: a demo
coordinator plans next week's post for their page on the calendar and sees the cadence and topic
warnings; submits it on time; the demo curator returns it with a comment on a variant; the coordinator
sees the comment, fixes the text and submits again; the curator approves; the post shows «Утверждён».

"Next week" is the first week whose posts can still reach the curator on time (deadlines.review_deadline:
5 working days of the library and the page's approval day), computed here from the same functions. The
clock is frozen to a Wednesday morning in 2027 (time_machine patches the whole process, so the live
server's thread and the TOTP codes see the same clock). Screenshots go to test-artifacts/screenshots/."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import Page, expect

from kurator.accounts.demo import DEMO_PASSWORD
from kurator.accounts.models import User
from kurator.core.testing.browser import TIMEOUT_MS, VIEWPORT
from kurator.core.testing.cast import enable_totp
from kurator.core.tests.test_browser import MAIN_FORM_SUBMIT, totp_code
from kurator.planning.choices import PostState
from kurator.planning.models import Post
from kurator.registry.models import Page as SocialPage
from kurator.review.deadlines import library_of, received_at, review_deadline
from kurator.review.models import Submission

pytestmark = pytest.mark.browser

MSK = ZoneInfo("Europe/Moscow")
# A Wednesday morning, the library open: the demo's own posts (planned for the coming week at load time)
# are then already too late to submit, and the first week still on time is the empty one after them.
NOW = datetime(2027, 2, 3, 11, 0, tzinfo=MSK)
PAGE_URL = "https://vk.com/chekhov_library_zr"  # «ЦРБ им. А. П. Чехова» on VK, approval day Tuesday
TITLE = "Лыжня зовёт: книги о зимнем спорте"


def log_in_with_code(page: Page, live_server, email: str, secret: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill('input[name="login"]', email)
    page.fill('input[name="password"]', DEMO_PASSWORD)
    page.click(MAIN_FORM_SUBMIT)
    expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/$"))
    page.fill('input[name="code"]', totp_code(secret))
    page.click(MAIN_FORM_SUBMIT)
    expect(page).to_have_url(f"{live_server.url}/")


def first_week_on_time(page: SocialPage, now: datetime) -> tuple[datetime, datetime]:
    """The Monday noon of the first week whose posts can still be submitted on time, and its deadline."""
    received = received_at(now, library_of(page))
    monday = now.astimezone(MSK).date() - timedelta(days=now.astimezone(MSK).weekday())
    for _week in range(8):
        monday += timedelta(days=7)
        publish_at = datetime.combine(monday, time(12), tzinfo=MSK)
        deadline = review_deadline([page], publish_at)
        if received <= deadline.due_by:
            return publish_at, deadline.due_by
    raise AssertionError("no week within two months can be submitted on time")


@pytest.fixture
def frozen_clock():
    with time_machine.travel(NOW, tick=True):
        yield


def test_a_demo_coordinator_plans_next_week_and_the_demo_curator_approves_after_a_return(
    frozen_clock, live_server, browser, page: Page, screenshot
):
    # Given the demo network, loaded as `manage.py load_demo` loads it, and its people speaking Russian
    call_command("load_demo", verbosity=0)
    coordinator = User.objects.get(email="coordinator.central@demo.kurator.local")
    curator_user = User.objects.get(email="curator@demo.kurator.local")
    assert (coordinator.language, curator_user.language) == ("ru", "ru")
    coordinator_secret = enable_totp(coordinator, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    curator_secret = enable_totp(curator_user, "KRSXG5CTMVRXEZLUKRSXG5CTMVRXEZLU")
    vk_page = SocialPage.objects.get(url=PAGE_URL)
    publish_at, due_by = first_week_on_time(vk_page, timezone.now())
    monday = publish_at.date()
    assert not Post.objects.filter(variants__page=vk_page, planned_at__date__gte=monday).exists()
    assert not Post.objects.filter(title=TITLE).exists()

    # When the coordinator opens their page's week on the calendar
    log_in_with_code(page, live_server, coordinator.email, coordinator_secret)
    page.goto(f"{live_server.url}/plan/calendar/?page={vk_page.pk}&view=week&start={monday:%Y-%m-%d}")

    # Then the week is shown in Russian and the warnings say it is short of posts and topics are missing
    expect(page.locator(".fc-timegrid")).to_be_visible()
    expect(page.locator("h1")).to_contain_text("Контент-план")
    warnings = page.locator('[data-testid="warnings"]')
    expect(warnings.locator('li[data-kind="too_few"]')).to_have_count(1)
    expect(warnings.locator('li[data-kind="too_few"]')).to_contain_text(f"{monday:%d.%m.%Y}")
    expect(warnings.locator('li[data-kind="topics_missing"]')).to_have_count(1)
    screenshot(page, "1-calendar-week-warnings")

    # When they click the empty hour on Monday at noon, a new post opens for that time and page
    column = page.locator(f'td.fc-timegrid-col[data-date="{monday:%Y-%m-%d}"]').bounding_box()
    lane = page.locator('td.fc-timegrid-slot-lane[data-time="12:00:00"]').bounding_box()
    assert column and lane
    page.mouse.click(column["x"] + column["width"] / 2, lane["y"] + 5)
    expect(page).to_have_url(re.compile(rf"/plan/new/\?.*planned_at={monday:%Y-%m-%d}T12%3A00"))
    page.fill('input[name="title"]', TITLE)
    page.check(f'input[name="pages"][value="{vk_page.pk}"]')
    page.fill('input[name="planned_at"]', f"{monday:%Y-%m-%d}T12:00")
    page.fill('textarea[name="text"]', "Подборка книг о лыжах и коньках на абонементе.")
    expect(page.locator('[data-testid="preview"]')).to_contain_text("Подборка книг о лыжах")
    screenshot(page, "2-new-post")
    page.click('[data-testid="save"]')
    post = Post.objects.get(title=TITLE)
    post_url = f"{live_server.url}/plan/{post.pk}/"
    expect(page).to_have_url(post_url)
    assert post.planned_at == publish_at
    variant = post.variants.get()

    # And the calendar shows the post in its week, still one post short of the 003 § 5.8 minimum
    page.goto(f"{live_server.url}/plan/calendar/?page={vk_page.pk}&view=week&start={monday:%Y-%m-%d}")
    expect(page.locator(".fc-event", has_text=TITLE)).to_be_visible()
    expect(warnings.locator('li[data-kind="too_few"]')).to_contain_text("1")
    screenshot(page, "3-calendar-post-planned")

    # When they submit it: it is on time, before the deadline of the page's approval day
    page.goto(post_url)
    expect(page.locator('[data-testid="deadline"]')).to_contain_text(f"{due_by.astimezone(MSK):%d}")
    page.click('[data-testid="submit"]')
    expect(page.locator('[data-testid="steps"] li')).to_have_count(1)
    expect(page.locator('[data-testid="post-state"]')).to_have_text("На согласовании")
    submission = Submission.objects.get(post=post)
    assert submission.submitted_at <= submission.due_by == due_by and not submission.urgent
    screenshot(page, "4-submitted")

    # When the demo curator, in their own browser, returns it with a comment on the VK text
    curator_context = browser.new_context(locale="ru-RU", viewport=VIEWPORT, timezone_id="Europe/Moscow")
    curator_context.set_default_timeout(TIMEOUT_MS)
    curator = curator_context.new_page()
    log_in_with_code(curator, live_server, curator_user.email, curator_secret)
    curator.goto(f"{live_server.url}/plan/review/")
    expect(curator.locator('[data-testid="queue"]')).to_contain_text(TITLE)
    screenshot(curator, "5-curator-queue")
    curator.click(f'[data-testid="queue"] a:has-text("{TITLE}")')
    curator.click('[data-testid="return"]')
    curator.fill(f'textarea[name="variant_{variant.pk}"]', "Добавьте, где выдают лыжи напрокат.")
    curator.click('[data-testid="send-return"]')
    expect(curator.locator(f'[data-testid="thread-{variant.pk}"]')).to_contain_text("где выдают лыжи")
    screenshot(curator, "6-returned")

    # Then the coordinator sees the comment beside the VK text, fixes the text and submits again
    page.goto(post_url)
    expect(page.locator('[data-testid="post-state"]')).to_have_text("Возвращён с замечаниями")
    expect(page.locator(f'[data-testid="thread-{variant.pk}"]')).to_contain_text("где выдают лыжи")
    screenshot(page, "7-coordinator-sees-comment")
    page.click('[data-testid="edit"]')
    page.fill(
        f'textarea[name="v{variant.pk}-text"]',
        "Подборка книг о лыжах и коньках на абонементе. Лыжи напрокат — в спортзале ЦРБ.",
    )
    page.click('[data-testid="save"]')
    expect(page).to_have_url(post_url)
    page.click('[data-testid="submit"]')
    expect(page.locator('[data-testid="steps"] li')).to_have_count(3)
    expect(page.locator('[data-testid="post-state"]')).to_have_text("На согласовании")
    screenshot(page, "8-resubmitted")

    # And the curator approves it: the post shows «Утверждён» and the history has the fix
    curator.goto(post_url)
    curator.click('[data-testid="approve"]')
    expect(curator.locator('[data-testid="steps"] li')).to_have_count(4)
    expect(curator.locator('[data-testid="history"] ins', has_text="в спортзале ЦРБ")).to_have_count(1)
    expect(curator.locator('[data-testid="post-state"]')).to_have_text("Утверждён")
    screenshot(curator, "9-approved")
    page.goto(post_url)
    expect(page.locator('[data-testid="post-state"]')).to_have_text("Утверждён")
    screenshot(page, "10-coordinator-sees-approved")
    curator_context.close()
    post.refresh_from_db()
    assert post.state == PostState.APPROVED
