"""Review in headless Chromium (issue 5 item 9): the coordinator sees the live preview and submits; the
curator returns the post with a comment on a variant; the coordinator answers, fixes and submits again;
the curator approves. Screenshots of each step go to test-artifacts/screenshots/."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from kurator.core.testing.browser import TIMEOUT_MS, VIEWPORT
from kurator.core.testing.cast import build_cast, enable_totp
from kurator.core.tests.test_browser import MAIN_FORM_SUBMIT, log_in, totp_code
from kurator.planning.services import post_create

pytestmark = pytest.mark.browser

MSK = ZoneInfo("Europe/Moscow")


def log_in_with_code(page: Page, live_server, email: str, secret: str) -> None:
    log_in(page, live_server, email)
    expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/$"))
    page.fill('input[name="code"]', totp_code(secret))
    page.click(MAIN_FORM_SUBMIT)
    expect(page).to_have_url(f"{live_server.url}/")


def test_a_curator_returns_a_post_with_a_comment_on_a_variant_and_approves_it_after_the_fix(
    live_server, browser, page: Page, screenshot
):
    # Given a post for the central library's VK page, planned a month ahead
    cast = build_cast()
    north = cast["north"]
    coordinator_secret = enable_totp(north["coordinator"], "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    curator_secret = enable_totp(north["curator"], "KRSXG5CTMVRXEZLUKRSXG5CTMVRXEZLU")
    # Each works in their own browser, logged in once (a login code cannot be used twice).
    curator_context = browser.new_context(locale="ru-RU", viewport=VIEWPORT, timezone_id="Europe/Moscow")
    curator_context.set_default_timeout(TIMEOUT_MS)
    curator = curator_context.new_page()
    when = datetime.combine(timezone.localdate() + timedelta(days=30), time(12), tzinfo=MSK)
    post = post_create(
        by=north["coordinator"],
        network=north.network,
        pages=[north.central_page],
        title="Встреча с писателем",
        planned_at=when,
        text="Приглашаем на встречу с писателем.",
    )
    variant = post.variants.get()
    post_url = f"{live_server.url}/plan/{post.pk}/"

    # When the coordinator starts a new post, the preview shows it on the page they choose as they type
    log_in_with_code(page, live_server, "coordinator@north.test", coordinator_secret)
    page.goto(f"{live_server.url}/plan/new/")
    page.check(f'input[name="pages"][value="{north.central_page.pk}"]')
    page.fill('textarea[name="text"]', "Новые книги на абонементе: https://example.org/new")
    expect(page.locator(f'[data-testid="preview-{north.central_page.pk}"] a')).to_have_text("https://example.org/new")
    screenshot(page, "new-post")

    # When the coordinator types a text too long for VK, the preview says so at once
    page.goto(f"{post_url}edit/")
    page.fill(f'textarea[name="v{variant.pk}-text"]', "я" * 17000)
    expect(page.locator('[data-testid="preview"] [data-testid="problems"]')).to_contain_text("16384")
    screenshot(page, "preview-over-the-limit")
    # …and a text that fits shows as it will look, without problems
    page.fill(f'textarea[name="v{variant.pk}-text"]', "")
    expect(page.locator('[data-testid="preview"] [data-testid="problems"]')).to_have_count(0)
    expect(page.locator('[data-testid="preview"]')).to_contain_text("Приглашаем на встречу с писателем.")

    # and submits the post from its page
    page.goto(post_url)
    page.click('[data-testid="submit"]')
    expect(page.locator('[data-testid="steps"] li')).to_have_count(1)
    screenshot(page, "submitted")

    # When the curator opens the post from the list of posts to review and returns it with a comment on the VK text
    log_in_with_code(curator, live_server, "curator@north.test", curator_secret)
    curator.goto(f"{live_server.url}/plan/review/")
    expect(curator.locator('[data-testid="queue"]')).to_contain_text("Встреча с писателем")
    screenshot(curator, "queue")
    curator.click('[data-testid="queue"] a:has-text("Встреча с писателем")')
    curator.click('[data-testid="return"]')
    curator.fill(f'textarea[name="variant_{variant.pk}"]', "Укажите время встречи.")
    screenshot(curator, "return-form")
    curator.click('[data-testid="send-return"]')
    expect(curator.locator(f'[data-testid="thread-{variant.pk}"]')).to_contain_text("Укажите время встречи.")
    screenshot(curator, "returned")

    # Then the coordinator sees the comment beside the VK text, answers it, fixes the text and submits again
    page.goto(post_url)
    thread = page.locator(f'[data-testid="thread-{variant.pk}"]')
    thread.locator("summary").first.click()
    thread.locator("textarea").first.fill("Добавила: в 12:00.")
    thread.locator("form button").first.click()
    expect(page.locator(f'[data-testid="thread-{variant.pk}"]')).to_contain_text("Добавила: в 12:00.")
    page.click('[data-testid="edit"]')
    page.fill(f'textarea[name="v{variant.pk}-text"]', "Приглашаем на встречу с писателем в 12:00.")
    page.click('[data-testid="save"]')
    expect(page).to_have_url(post_url)
    page.click('[data-testid="submit"]')
    expect(page.locator('[data-testid="steps"] li')).to_have_count(3)
    screenshot(page, "resubmitted")

    # And the curator approves it; the history shows the fixed text
    curator.goto(post_url)
    curator.click('[data-testid="approve"]')
    expect(curator.locator('[data-testid="steps"] li')).to_have_count(4)
    expect(curator.locator('[data-testid="history"] ins', has_text="в 12:00.")).to_have_count(1)
    screenshot(curator, "approved")
    curator_context.close()
    post.refresh_from_db()
    assert post.state == "approved"
