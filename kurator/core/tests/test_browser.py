"""The real pages in headless Chromium: login with the second factor, the registry's scope, the language switch.

Each test builds the cast itself (`build_cast()`): the live server runs in another thread and sees only
committed rows, so these tests use `live_server` (with `transactional_db`) rather than the `cast` fixture.
Screenshots of the meaningful steps go to test-artifacts/screenshots/.
"""

from __future__ import annotations

import re
import time

import pytest
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import Page, expect

from kurator.accounts.models import User
from kurator.core.testing.cast import PASSWORD, build_cast, current_totp_code, enable_totp

pytestmark = pytest.mark.browser

MAIN_NAV = "#mainnav .navbar-nav.me-auto .nav-link"
REGISTRY_PAGE_NAMES = '[data-testid="registry"] tbody tr td:first-child a'
MAIN_FORM_SUBMIT = "main form button[type=submit]"  # not the log-out button hidden in the user menu


def russian(message: str) -> str:
    """What the Russian interface says for `message` — the project's catalogue decides, as on the server."""
    with translation.override("ru"):
        return gettext(message)


def totp_code(secret: str) -> str:
    """The current code, but never one about to expire: the server accepts only the current period."""
    from allauth.mfa import app_settings

    if app_settings.TOTP_PERIOD - time.time() % app_settings.TOTP_PERIOD < 2:
        time.sleep(2)
    return current_totp_code(secret)


def log_in(page: Page, live_server, email: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill('input[name="login"]', email)
    page.fill('input[name="password"]', PASSWORD)
    page.click(MAIN_FORM_SUBMIT)
    page.wait_for_load_state()


def open_user_menu(page: Page) -> None:
    # Bootstrap's dropdown script is deferred: a click before it has run opens nothing.
    page.wait_for_load_state("load")
    page.click('[data-testid="user-menu"]')
    expect(page.locator('[data-testid="user-menu"] + .dropdown-menu')).to_be_visible()


def log_out(page: Page) -> None:
    open_user_menu(page)
    page.click('#mainnav form[action="/accounts/logout/"] button')
    expect(page).to_have_url(re.compile(r"/accounts/login/"))


def registry_page_names(page: Page) -> set[str]:
    return set(page.locator(REGISTRY_PAGE_NAMES).all_inner_texts())


def expect_russian_workspace(page: Page) -> None:
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    nav = page.locator(MAIN_NAV)
    expect(nav.first).to_have_text(russian("Content plan"))
    expect(page.locator(MAIN_NAV, has_text=russian("Registry"))).to_have_count(1)


def test_a_curator_sets_up_two_factor_at_first_login_and_sees_the_whole_network_in_the_registry(
    live_server, page: Page, screenshot
):
    # Given a curator of "north" who has never set up an authenticator app
    cast = build_cast()

    # When they log in (the login page is Russian before anyone is known)
    page.goto(f"{live_server.url}/accounts/login/")
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    screenshot(page, "login")
    log_in(page, live_server, "curator@north.test")

    # Then they are asked to set up an authenticator app before anything else
    expect(page).to_have_url(re.compile(r"/accounts/2fa/totp/activate/$"))
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    screenshot(page, "asked-to-set-up-2fa")

    # and they read the secret off the page, as they would type it into the app, and give the current code
    secret = page.locator("#authenticator_secret").input_value()
    assert re.fullmatch(r"[A-Z2-7]{16,}", secret)
    page.fill('input[name="code"]', totp_code(secret))
    page.click(MAIN_FORM_SUBMIT)

    # Then the app is set up and they are in the workspace, with the Russian navigation
    expect(page).not_to_have_url(re.compile(r"/accounts/2fa/totp/activate/$"))
    expect_russian_workspace(page)
    screenshot(page, "after-setting-up-2fa")

    # When they open the page registry from the navigation (Registry → Pages)
    page.wait_for_load_state("load")  # Bootstrap's deferred script opens the dropdown
    page.locator(MAIN_NAV, has_text=russian("Registry")).click()
    page.get_by_role("link", name=russian("Pages"), exact=True).click()
    expect(page).to_have_url(re.compile(r"/registry/$"))

    # Then every page of "north" is listed, and none of "west"
    north, west = cast["north"], cast["west"]
    expect(page.locator(REGISTRY_PAGE_NAMES)).to_have_count(3)
    assert registry_page_names(page) == {north.main_page.name, north.central_page.name, north.branch_page.name}
    assert not registry_page_names(page) & {west.main_page.name, west.central_page.name, west.branch_page.name}
    expect_russian_workspace(page)
    screenshot(page, "registry")


def test_a_coordinator_with_an_authenticator_gives_the_code_and_sees_only_their_librarys_pages(
    live_server, page: Page, screenshot
):
    # Given the coordinator of the central library's page in "north", with an authenticator app
    cast = build_cast()
    secret = enable_totp(cast["north"]["coordinator"])

    # When they log in, the code is asked for
    log_in(page, live_server, "coordinator@north.test")
    expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/$"))
    screenshot(page, "code-asked")
    page.fill('input[name="code"]', totp_code(secret))
    page.click(MAIN_FORM_SUBMIT)
    expect(page).to_have_url(f"{live_server.url}/")
    expect_russian_workspace(page)
    screenshot(page, "home")

    # Then the registry shows their library's page only: not the branch's, not the network's main page, not west's
    page.goto(f"{live_server.url}/registry/")
    expect(page.locator(REGISTRY_PAGE_NAMES)).to_have_count(1)
    assert registry_page_names(page) == {cast["north"].central_page.name}
    screenshot(page, "registry")


def test_a_librarian_switches_the_interface_to_english_and_back_and_the_choice_follows_them_to_the_next_login(
    live_server, page: Page, screenshot
):
    # Given a librarian (no role that needs a second factor) in the Russian interface
    build_cast()
    log_in(page, live_server, "staff@north.test")
    expect_russian_workspace(page)
    screenshot(page, "russian")

    # When they choose English in their menu
    open_user_menu(page)
    screenshot(page, "menu")
    page.click('[data-testid="switch-language-en"]')

    # Then the navigation is English, on the page they were on
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator(MAIN_NAV).first).to_have_text("Content plan")
    expect(page.locator(MAIN_NAV, has_text="Registry")).to_have_count(1)
    screenshot(page, "english")

    assert User.objects.get(email="staff@north.test").language == "en"

    # When they log out and come back in a browser that knows nothing of the choice (no language cookie)
    log_out(page)
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/accounts/login/")
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    log_in(page, live_server, "staff@north.test")

    # Then the interface is English again as soon as they are known: the choice is kept on the person
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator(MAIN_NAV).first).to_have_text("Content plan")

    # When they switch back to Russian, the interface is Russian again, also at the next login
    open_user_menu(page)
    page.click('[data-testid="switch-language-ru"]')
    expect_russian_workspace(page)
    assert User.objects.get(email="staff@north.test").language == "ru"
    log_out(page)
    page.context.clear_cookies()
    log_in(page, live_server, "staff@north.test")
    expect_russian_workspace(page)
    screenshot(page, "russian-again")


def test_a_page_administrator_without_an_authenticator_cannot_reach_the_registry_until_they_set_one_up(
    live_server, page: Page, screenshot
):
    # Given a page administrator who has no authenticator app yet, logged in with the password
    cast = build_cast()
    log_in(page, live_server, "page_admin@north.test")
    expect(page).to_have_url(re.compile(r"/accounts/2fa/totp/activate/$"))

    # When they go to the registry anyway, they are sent back to set the app up, with the reason
    page.goto(f"{live_server.url}/registry/")
    expect(page).to_have_url(re.compile(r"/accounts/2fa/totp/activate/$"))
    expect(page.locator(".alert-warning")).to_have_count(1)
    expect(page.locator('[data-testid="registry"]')).to_have_count(0)
    screenshot(page, "sent-back")

    # When they set it up, the registry opens
    secret = page.locator("#authenticator_secret").input_value()
    page.fill('input[name="code"]', totp_code(secret))
    page.click(MAIN_FORM_SUBMIT)
    expect(page).not_to_have_url(re.compile(r"/accounts/2fa/totp/activate/$"))
    page.goto(f"{live_server.url}/registry/")
    expect(page.locator('[data-testid="registry"]')).to_be_visible()
    assert cast["north"].central_page.name in registry_page_names(page)
    screenshot(page, "registry")
