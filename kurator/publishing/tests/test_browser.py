"""Publishing as a trainee sees it in headless Chromium (issue 4 and issue 6, "Done when"): an approved
post appears at its minute on the sandbox wall and channel, once; a revoked token and a rate limit
injected from the sandbox's faults page show up on the board in the network's own words.
Screenshots of each step go to test-artifacts/screenshots/."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from kurator.core.testing.cast import build_cast, enable_totp
from kurator.planning.choices import PostState
from kurator.planning.models import Post, PostVariant
from kurator.publishing import services
from kurator.publishing.models import Publication
from kurator.registry.choices import ConnectionEndpoint
from kurator.registry.models import PageConnection
from kurator.sandbox.demo import ensure_bot, ensure_tg_channel, ensure_vk_admin_token, ensure_vk_community
from kurator.sandbox.models import LedgerEntry
from kurator.sandbox.tests.test_reader_browser import log_in

pytestmark = pytest.mark.browser


def approve_now(network, pages, author, title: str, text: str) -> Post:
    """An approved post due this minute (review itself is shown by the review browser test)."""
    post = Post.objects.create(network=network, title=title, text=text, planned_at=timezone.now(), author=author)
    for page in pages:
        PostVariant.objects.create(post=post, page=page)
    post.state = PostState.APPROVED
    post.save()
    return post


def the_worker_runs(post: Post) -> list[str]:
    """What the Huey worker does at the minute (the tests' queue may already have run it at approval),
    run here so that the test knows when it is done; the publications' states after it."""
    for publication in Publication.objects.filter(post=post):
        services.publication_run(publication.pk, publication.version)
    return [p.state for p in Publication.objects.filter(post=post).order_by("page__social_network")]


def test_a_trainee_sees_an_approved_post_appear_once_and_the_errors_of_injected_faults(
    live_server, page: Page, screenshot, settings
):
    # Given the central library's VK page and the branch's channel, connected to the sandbox
    cast = build_cast()
    north = cast["north"]
    settings.KURATOR_SANDBOX_URL = f"{live_server.url}/sandbox"
    network_id = north.network.pk
    community = ensure_vk_community("central_north", "Центральная библиотека", network_id)[0]
    token = ensure_vk_admin_token(100_000_901, "куратор", [community], network_id).token
    bot = ensure_bot("north_library", "ЦБС Север", network_id)
    channel = ensure_tg_channel("branch_north", "Филиал — новости", bot, network_id)[0]
    for page_, target, secret in (
        (north.central_page, str(community.group_id), token),
        (north.branch_page, f"@{channel.username}", bot.token),
    ):
        PageConnection.objects.create(page=page_, endpoint=ConnectionEndpoint.SANDBOX, target=target, token=secret)
    secret = enable_totp(north["curator"])
    curator = north["curator"]

    # When a post approved for both pages comes due and the worker runs
    post = approve_now(
        north.network,
        [north.central_page, north.branch_page],
        curator,
        "Книжная ярмарка",
        "В субботу — книжная ярмарка во дворе библиотеки. Приходите!",
    )
    assert the_worker_runs(post) == ["published", "published"]

    # Then the curator sees both published on the board and follows the link to the sandbox wall
    log_in(page, live_server, "curator@north.test", secret)
    page.goto(f"{live_server.url}/publishing/")
    published = page.locator('[data-testid="column-published"]')
    expect(published.locator("tbody tr")).to_have_count(2)
    screenshot(page, "board-published")
    with page.expect_popup() as wall:
        published.locator("tr", has_text="Центральная").get_by_role("link", name="открыть на странице").click()
    expect(wall.value.locator("body")).to_contain_text("книжная ярмарка во дворе")
    screenshot(wall.value, "on-the-wall")
    page.goto(f"{live_server.url}/sandbox/telegram/{channel.username}/")
    expect(page.locator("body")).to_contain_text("книжная ярмарка во дворе")
    screenshot(page, "in-the-channel")
    assert (
        LedgerEntry.objects.filter(action="created", kind__in=("post", "message"), actor__startswith="")
        .filter(payload__text="В субботу — книжная ярмарка во дворе библиотеки. Приходите!")
        .count()
        == 2
    )

    # When the curator revokes the VK token and limits the channel on the sandbox's faults page
    page.goto(f"{live_server.url}/sandbox/faults/")
    form = page.locator('[data-testid="inject-form"]')
    form.locator('select[name="network"]').select_option("vk")
    form.locator('select[name="kind"]').select_option("revoke_token")
    form.locator('input[name="token"]').fill(token)
    form.locator("button[type=submit]").click()
    form = page.locator('[data-testid="inject-form"]')
    form.locator('select[name="network"]').select_option("telegram")
    form.locator('select[name="kind"]').select_option("rate_limit")
    form.locator('input[name="token"]').fill(bot.token)
    form.locator('input[name="count"]').fill("1")
    form.locator('input[name="retry_after"]').fill("30")
    form.locator("button[type=submit]").click()
    expect(page.locator('[data-testid="fault"]')).to_have_count(2)
    screenshot(page, "faults-injected")
    second = approve_now(
        north.network, [north.central_page, north.branch_page], curator, "Часы работы", "Меняются часы работы."
    )
    assert the_worker_runs(second) == ["retry_wait", "failed"]  # Telegram, VK

    # Then the board shows the VK failure in VK's words and the channel waiting for Telegram's limit
    page.goto(f"{live_server.url}/publishing/")
    failed = page.locator('[data-testid="column-failed"]')
    expect(failed).to_contain_text("User authorization failed")
    retrying = page.locator('[data-testid="column-retrying"]')
    expect(retrying).to_contain_text("429")
    screenshot(page, "board-failed-and-retrying")
    failed.get_by_role("link", name="Не опубликован").click()
    expect(page.locator('[data-testid="network-error"]')).to_contain_text("5: User authorization failed")
    expect(page.locator('[data-testid="error-meaning"]')).to_contain_text("Токен больше не работает")
    expect(page.get_by_role("button", name="Отправить сейчас")).to_be_visible()
    screenshot(page, "failed-publication")
    # and nothing of the second post reached the sandbox
    assert not LedgerEntry.objects.filter(payload__text="Меняются часы работы.").exists()
    # and the token's trouble reached the page's coordinator
    assert north["coordinator"].notifications.filter(message__contains="User authorization failed").exists()
