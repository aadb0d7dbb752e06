"""Notifications by Telegram (issue 5 item 6): a person links their Telegram with a one-time code from
their profile, and their notifications come to that chat, in their language, until they unlink it or
block the bot (then their profile says so). Driven against the sandbox's Telegram Bot API in-process."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from kurator.accounts import telegram
from kurator.accounts.models import TelegramLinkCode, User
from kurator.accounts.tasks import read_telegram_updates
from kurator.core.models import AuditEvent, Notification
from kurator.core.services import notify
from kurator.core.testing.cast import enable_totp
from kurator.core.testing.in_process import InProcessSandbox
from kurator.networks.http import use_transport
from kurator.planning.services import post_create
from kurator.review.services import post_submit, submission_approve
from kurator.sandbox.models import Reader, TgMessage
from kurator.sandbox.reader_actions import reader_blocks_tg, reader_writes_tg
from kurator.sandbox.tests.tg_world import TOKEN, TgWorld, build_tg_world

MSK = ZoneInfo("Europe/Moscow")
SITE = "https://smm.library.test"


@pytest.fixture
def world(db, settings) -> Iterator[TgWorld]:
    """The sandbox's bot serves as the installation's notification bot."""
    settings.KURATOR_NOTIFY_BOT_TOKEN = TOKEN
    settings.KURATOR_TELEGRAM_API_URL = "http://testserver/sandbox/telegram"
    settings.KURATOR_SITE_URL = SITE
    world = build_tg_world()
    with use_transport(InProcessSandbox()):
        yield world


@pytest.fixture
def second_reader(db) -> Reader:
    return Reader.objects.create(name="Борис Смирнов", vk_id=900002, tg_id=700002)


def press_start(world: TgWorld, reader: Reader, code: str) -> None:
    """The reader opens the bot's t.me link with the code and presses Start; the worker's minute passes."""
    reader_writes_tg(world.bot, reader, f"/start {code}")
    read_telegram_updates.call_local()


def link(world: TgWorld, person: User, reader: Reader) -> None:
    press_start(world, reader, telegram.telegram_link_code_issue(person=person))
    person.refresh_from_db()
    assert person.telegram_chat_id == reader.tg_id


def bot_says(world: TgWorld, reader: Reader) -> list[str]:
    return list(
        TgMessage.objects.filter(chat__chat_id=reader.tg_id, from_bot=world.bot)
        .order_by("message_id")
        .values_list("text", flat=True)
    )


def submit_a_post(cast, title: str = "Новогодние каникулы в библиотеке"):
    north = cast["north"]
    post = post_create(
        by=north["curator"],
        network=north.network,
        pages=[north.central_page],
        title=title,
        planned_at=datetime(2026, 1, 13, 10, 0, tzinfo=MSK),
        text="Режим работы в праздники.",
    )
    return post_submit(by=north["coordinator"], post=post, now=datetime(2025, 12, 25, 17, 0, tzinfo=MSK))


def logged_in(client, person: User):
    enable_totp(person)
    client.force_login(person)
    return client


# --- linking ---------------------------------------------------------------------------------------


def test_a_person_links_telegram_by_pressing_start_under_the_code_their_profile_shows(cast, world, client):
    curator = cast["north"]["curator"]
    logged_in(client, curator)

    shown = client.post(reverse("accounts:telegram"))
    link_url = re.search(r"https://t\.me/library_sandbox_bot\?start=([A-Za-z0-9_-]+)", shown.content.decode())
    assert link_url is not None and shown["Cache-Control"] == "no-store"
    press_start(world, world.reader, link_url.group(1))

    curator.refresh_from_db()
    assert curator.telegram_chat_id == world.reader.tg_id
    with translation.override(curator.language):
        assert bot_says(world, world.reader) == [
            _(
                "Done: Kurator’s notifications for %(name)s will come to this chat. "
                "To stop them, unlink Telegram in your profile in Kurator."
            )
            % {"name": curator.full_name}
        ]
    assert AuditEvent.objects.filter(verb="telegram.linked", actor=curator).count() == 1
    profile = client.get(reverse("accounts:person", args=[curator.pk])).content.decode()
    assert 'data-testid="telegram-card"' in profile
    assert str(world.reader.tg_id) not in profile  # the chat is personal data: the screens say "linked" only


def test_an_expired_code_links_nothing_and_the_bot_says_how_to_get_a_new_one(cast, world):
    curator = cast["north"]["curator"]
    code = telegram.telegram_link_code_issue(person=curator)
    TelegramLinkCode.objects.update(created_at=datetime.now(MSK) - timedelta(minutes=61))

    press_start(world, world.reader, code)

    curator.refresh_from_db()
    assert curator.telegram_chat_id is None
    with translation.override("ru"):  # a stranger to Kurator is answered in their Telegram app's language
        assert bot_says(world, world.reader) == [
            _(
                "This link has expired or has already been used. "
                "Open your profile in Kurator and link Telegram again: each link works once, for an hour."
            )
        ]


def test_a_used_code_links_nobody_else(cast, world, second_reader):
    curator = cast["north"]["curator"]
    code = telegram.telegram_link_code_issue(person=curator)
    press_start(world, world.reader, code)

    press_start(world, second_reader, code)

    curator.refresh_from_db()
    assert curator.telegram_chat_id == world.reader.tg_id
    assert not User.objects.filter(telegram_chat_id=second_reader.tg_id).exists()


def test_only_the_newest_code_of_a_person_works(cast, world):
    curator = cast["north"]["curator"]
    first = telegram.telegram_link_code_issue(person=curator)
    telegram.telegram_link_code_issue(person=curator)

    press_start(world, world.reader, first)

    curator.refresh_from_db()
    assert curator.telegram_chat_id is None


def test_a_start_without_a_code_or_with_a_stranger_code_links_nothing_and_confirms_every_update(cast, world):
    reader_writes_tg(world.bot, world.reader, "/start")
    reader_writes_tg(world.bot, world.reader, "/start not-a-code-of-ours")
    reader_writes_tg(world.bot, world.reader, "Здравствуйте!")

    read_telegram_updates.call_local()

    assert not User.objects.filter(telegram_chat_id__isnull=False).exists()
    assert len(bot_says(world, world.reader)) == 2  # the greeting is not answered
    with telegram.bot_client() as client:
        assert client.get_updates() == []  # all three were confirmed


def test_a_telegram_account_linked_by_a_second_person_leaves_the_first(cast, world):
    north = cast["north"]
    link(world, north["curator"], world.reader)

    link(world, north["coordinator"], world.reader)

    north["curator"].refresh_from_db()
    assert north["curator"].telegram_chat_id is None


# --- sending ---------------------------------------------------------------------------------------


def test_a_submitted_posts_notification_reaches_the_curators_linked_telegram_chat(
    cast, world, django_capture_on_commit_callbacks
):
    curator = cast["north"]["curator"]
    link(world, curator, world.reader)

    with django_capture_on_commit_callbacks(execute=True):
        submit_a_post(cast)

    note = Notification.objects.get(recipient=curator)
    assert note.url.startswith("/")
    with translation.override(curator.language):
        expected = f"{note.message}\n\n" + _("Open in Kurator: %(url)s") % {"url": SITE + note.url}
    assert bot_says(world, world.reader)[-1] == expected


def test_the_telegram_message_is_in_the_recipients_language(cast, world, django_capture_on_commit_callbacks):
    curator = cast["north"]["curator"]
    User.objects.filter(pk=curator.pk).update(language="en")
    link(world, curator, world.reader)

    with translation.override("ru"), django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[curator], message="Пост на согласовании", url="/planning/posts/1/")

    assert bot_says(world, world.reader)[-1] == f"Пост на согласовании\n\nOpen in Kurator: {SITE}/planning/posts/1/"


def test_a_person_without_a_linked_telegram_gets_no_telegram_message(cast, world, django_capture_on_commit_callbacks):
    north = cast["north"]
    link(world, north["curator"], world.reader)
    submission = submit_a_post(cast)
    said_before = len(bot_says(world, world.reader))
    last_before = Notification.objects.order_by("-pk").values_list("pk", flat=True).first()

    with django_capture_on_commit_callbacks(execute=True):
        submission_approve(by=north["curator"], submission=submission)

    # The coordinator who submitted and the curator who wrote the post are both told; only the curator
    # linked Telegram, so only the curator's notifications go out, and only to the curator's chat.
    told = Notification.objects.filter(pk__gt=last_before)
    assert {north["coordinator"].pk, north["curator"].pk} <= set(told.values_list("recipient", flat=True))
    curators = list(told.filter(recipient=north["curator"]).order_by("pk").values_list("message", flat=True))
    assert [text.split("\n")[0] for text in bot_says(world, world.reader)[said_before:]] == curators
    assert not TgMessage.objects.filter(from_bot=world.bot).exclude(chat__chat_id=world.reader.tg_id).exists()


def test_unlinking_stops_the_telegram_messages(cast, world, client, django_capture_on_commit_callbacks):
    curator = cast["north"]["curator"]
    link(world, curator, world.reader)
    said_before = bot_says(world, world.reader)

    answer = logged_in(client, curator).post(reverse("accounts:telegram_unlink"))
    with django_capture_on_commit_callbacks(execute=True):
        submit_a_post(cast)

    assert answer.status_code == 302
    curator.refresh_from_db()
    assert curator.telegram_chat_id is None
    assert bot_says(world, world.reader) == said_before
    assert AuditEvent.objects.filter(verb="telegram.unlinked", actor=curator).count() == 1


def test_a_bot_blocked_by_the_person_keeps_the_link_and_the_profile_says_why_nothing_arrives(
    cast, world, client, django_capture_on_commit_callbacks, caplog
):
    curator = cast["north"]["curator"]
    link(world, curator, world.reader)
    reader_blocks_tg(world.bot, world.reader)

    with django_capture_on_commit_callbacks(execute=True):
        submit_a_post(cast)

    curator.refresh_from_db()
    assert curator.telegram_chat_id == world.reader.tg_id  # nothing is unlinked behind the person's back
    assert curator.telegram_failure == "Forbidden: bot was blocked by the user"
    assert "Forbidden: bot was blocked by the user" in caplog.text
    logged_in(client, curator)
    for screen in (reverse("accounts:person", args=[curator.pk]), reverse("accounts:telegram")):
        page = client.get(screen).content.decode()
        with translation.override(curator.language):
            assert _("Telegram notifications do not reach you:") in page
        assert "Forbidden: bot was blocked by the user" in page


def test_after_the_person_unblocks_the_bot_the_next_notification_arrives_and_the_warning_goes(
    cast, world, django_capture_on_commit_callbacks
):
    curator = cast["north"]["curator"]
    link(world, curator, world.reader)
    reader_blocks_tg(world.bot, world.reader)
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[curator], message="Первое")
    reader_writes_tg(world.bot, world.reader, "Я снова здесь")

    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[curator], message="Второе")

    curator.refresh_from_db()
    assert (curator.telegram_failure, curator.telegram_failure_at) == ("", None)
    assert bot_says(world, world.reader)[-1] == "Второе"


def test_a_link_is_left_out_when_the_site_address_is_not_configured(cast, settings):
    settings.KURATOR_SITE_URL = ""
    note = Notification(recipient=cast["north"]["curator"], message="Пост одобрен", url="/planning/posts/1/")

    assert telegram.notification_text(note) == "Пост одобрен"


def test_without_a_bot_token_nothing_is_read_sent_or_offered(cast, settings, client):
    settings.KURATOR_NOTIFY_BOT_TOKEN = ""
    curator = cast["north"]["curator"]
    User.objects.filter(pk=curator.pk).update(telegram_chat_id=700001)

    assert read_telegram_updates.call_local() == 0
    assert telegram.deliver(notify(recipients=[curator], message="Пост одобрен")[0].pk) == "off"
    page = logged_in(client, curator).get(reverse("accounts:telegram")).content.decode()
    assert 'data-testid="telegram-off"' in page
