"""The Telegram adapter against the built-in sandbox Bot API (R-PUB-2, R-PUB-4, R-PUB-5): what a post
becomes in a channel, and how each failure reaches the publisher. Telegram has no idempotency key, so a
lost answer to a send must stay ambiguous."""

from __future__ import annotations

import httpx
import pytest
from django.utils import translation

from kurator.networks.errors import AmbiguousError, PermanentError, TransientError
from kurator.networks.http import use_transport
from kurator.networks.telegram.client import TelegramClient, check_telegram_token, message_url
from kurator.networks.tests.conftest import IMPATIENT
from kurator.sandbox.choices import FaultKind, Network
from kurator.sandbox.faults import inject
from kurator.sandbox.models import LedgerEntry, TgMembership, TgMessage
from kurator.sandbox.reader_actions import reader_writes_tg
from kurator.sandbox.tests.tg_world import TOKEN, TgWorld, build_tg_world
from kurator.sandbox.tests.vk_setup import MP4, PNG

SANDBOX_TG = "http://testserver/sandbox/telegram"
CHANNEL = -1001000000001


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def world(db, settings, tmp_path) -> TgWorld:
    settings.MEDIA_ROOT = tmp_path
    return build_tg_world()


@pytest.fixture
def tg(world, in_process):
    with TelegramClient(base_url=SANDBOX_TG, token=TOKEN) as client:
        yield client


@pytest.fixture
def live_world(transactional_db) -> TgWorld:
    return build_tg_world()


@pytest.fixture
def live_tg(live_world, live_server):
    with TelegramClient(base_url=f"{live_server.url}/sandbox/telegram", token=TOKEN, timeout=IMPATIENT) as client:
        yield client


def channel_messages() -> list[TgMessage]:
    return list(TgMessage.objects.filter(chat__chat_id=CHANNEL, deleted_at__isnull=True).order_by("message_id"))


# --- publishing -----------------------------------------------------------------------------------


def test_a_text_post_lands_in_the_channel_once_with_a_public_link(tg, world):
    message = tg.send_message(chat_id=CHANNEL, text="<b>Новинки</b> недели", parse_mode="HTML")

    [stored] = channel_messages()
    assert message["message_id"] == stored.message_id
    assert (message["text"], stored.text) == ("Новинки недели", "Новинки недели")
    assert LedgerEntry.objects.filter(network=Network.TELEGRAM, kind="message", action="created").count() == 1
    assert message_url(message["chat"], message["message_id"]) == f"https://t.me/library_one/{stored.message_id}"


def test_a_photo_post_carries_its_caption(tg, world):
    message = tg.send_photo(chat_id="@library_one", photo=("cover.png", PNG, "image/png"), caption="Обложка")

    assert message["caption"] == "Обложка"
    assert message["photo"][0]["width"] == 2
    assert channel_messages()[0].photo is not None


def test_an_album_is_one_message_per_photo_with_the_caption_on_the_first(tg, world):
    album = tg.send_media_group(
        chat_id=CHANNEL,
        media=[("a.png", PNG, "image/png", "photo"), ("b.png", PNG, "image/png", "photo")],
        caption="<i>Фотоотчёт</i>",
        parse_mode="HTML",
    )

    assert len(album) == 2 and len(channel_messages()) == 2
    assert album[0]["media_group_id"] == album[1]["media_group_id"]
    assert album[0]["caption"] == "Фотоотчёт" and "caption" not in album[1]


def test_a_video_post_carries_its_caption_and_the_video_telegram_describes(tg, world):
    message = tg.send_video(
        chat_id="@library_one", video=("clip.mp4", MP4, "video/mp4"), caption="<b>Экскурсия</b>", parse_mode="HTML"
    )

    assert message["caption"] == "Экскурсия"
    assert (message["video"]["width"], message["video"]["height"], message["video"]["duration"]) == (320, 240, 3)
    [stored] = channel_messages()
    assert stored.video is not None and stored.photo is None
    assert LedgerEntry.objects.get(kind="message").payload["method"] == "sendVideo"


def test_an_album_mixes_a_photo_and_a_video_in_their_order(tg, world):
    album = tg.send_media_group(
        chat_id=CHANNEL,
        media=[("a.png", PNG, "image/png", "photo"), ("b.mp4", MP4, "video/mp4", "video")],
        caption="Фото и видео",
    )

    assert len(album) == 2 and album[0]["media_group_id"] == album[1]["media_group_id"]
    assert "photo" in album[0] and "video" in album[1]
    assert album[0]["caption"] == "Фото и видео"
    assert [(m.photo_id is not None, m.video_id is not None) for m in channel_messages()] == [
        (True, False),
        (False, True),
    ]


def test_a_lost_answer_to_send_video_is_ambiguous():
    def answer(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    with (
        use_transport(httpx.MockTransport(answer)),
        TelegramClient(base_url="https://api.telegram.org", token="1:T") as tg,
        pytest.raises(AmbiguousError),
    ):
        tg.send_video(chat_id=CHANNEL, video=("a.mp4", MP4, "video/mp4"))


def test_an_edit_and_a_delete_reach_the_channel(tg, world):
    text = tg.send_message(chat_id=CHANNEL, text="Черновик")
    photo = tg.send_photo(chat_id=CHANNEL, photo=("c.png", PNG, "image/png"), caption="Было")

    edited = tg.edit_message_text(chat_id=CHANNEL, message_id=text["message_id"], text="Исправлено")
    recaptioned = tg.edit_message_caption(chat_id=CHANNEL, message_id=photo["message_id"], caption="Стало")
    tg.delete_message(chat_id=CHANNEL, message_id=text["message_id"])

    assert edited["text"] == "Исправлено" and "edit_date" in edited
    assert recaptioned["caption"] == "Стало"
    assert [m.message_id for m in channel_messages()] == [photo["message_id"]]


def test_the_bot_reads_who_it_is_and_how_it_stands_in_the_channel(tg, world):
    me = tg.get_me()
    chat = tg.get_chat(CHANNEL)
    member = tg.get_chat_member(CHANNEL, me["id"])

    assert me["is_bot"] and me["username"] == "library_sandbox_bot"
    assert (chat["type"], chat["username"]) == ("channel", "library_one")
    assert (member["status"], member["can_post_messages"]) == ("administrator", True)


def test_the_bot_reads_a_private_message_once_and_confirms_it_with_the_next_offset(tg, world):
    reader_writes_tg(world.bot, world.reader, "/start abc")
    reader_writes_tg(world.bot, world.reader, "Спасибо")

    first = tg.get_updates(allowed_updates=["message"])
    again = tg.get_updates()
    after = tg.get_updates(offset=first[-1]["update_id"] + 1)

    assert [u["message"]["text"] for u in first] == ["/start abc", "Спасибо"]
    assert first[0]["message"]["chat"] == {"id": 700001, "type": "private", "first_name": "Анна Петрова"}
    assert again == first  # nothing is confirmed until an offset past it is asked for
    assert after == [] and tg.get_updates() == []


def test_a_chat_without_a_username_has_no_public_link():
    assert message_url({"id": -1001, "type": "channel", "title": "Закрытый"}, 5) is None
    assert message_url("-1001000000001", 5) is None
    assert message_url("@library_one", 5) == "https://t.me/library_one/5"


def test_uploads_go_as_multipart_with_attach_references_and_other_calls_as_json():
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"ok": True, "result": [{"message_id": 1}]})

    with (
        use_transport(httpx.MockTransport(answer)),
        TelegramClient(base_url="https://api.telegram.org", token="1:T") as tg,
    ):
        tg.send_media_group(
            chat_id=CHANNEL, media=[("a.jpg", b"a", "image/jpeg", "photo"), ("b.mp4", b"b", "video/mp4", "video")]
        )
        tg.call("getMe", read_only=True)

    album, me = seen
    assert str(album.url) == "https://api.telegram.org/bot1:T/sendMediaGroup"
    assert album.headers["content-type"].startswith("multipart/form-data")
    assert b'"media": "attach://file0"' in album.content and b'"type": "video"' in album.content
    assert b'name="file1"; filename="b.mp4"' in album.content
    assert b'"type": "video", "media": "attach://file1", "supports_streaming": true' in album.content
    assert me.headers["content-type"] == "application/json"


# --- Telegram's errors ----------------------------------------------------------------------------


def test_an_unknown_token_is_permanent_401_and_a_token_problem(world, in_process):
    with TelegramClient(base_url=SANDBOX_TG, token="999:unknown") as tg, pytest.raises(PermanentError) as raised:
        tg.send_message(chat_id=CHANNEL, text="x")

    assert (raised.value.code, raised.value.message, raised.value.token_problem) == (401, "Unauthorized", True)


def test_a_bot_that_is_no_administrator_gets_403_a_token_problem(tg, world):
    TgMembership.objects.filter(chat=world.channel).update(status="member")

    with pytest.raises(PermanentError) as raised:
        tg.send_message(chat_id=CHANNEL, text="x")

    assert raised.value.code == 403 and raised.value.token_problem
    assert raised.value.message == "Forbidden: not enough rights to send text messages to the chat"
    assert not channel_messages()


def test_too_many_requests_is_transient_with_telegrams_retry_after(tg, world):
    inject(network=Network.TELEGRAM, kind=FaultKind.RATE_LIMIT, remaining=1, retry_after=7)

    with pytest.raises(TransientError) as raised:
        tg.send_message(chat_id=CHANNEL, text="x")

    assert (raised.value.code, raised.value.retry_after) == (429, 7.0)
    assert raised.value.message == "Too Many Requests: retry after 7"
    assert not channel_messages()


def test_the_channel_flood_limit_is_transient_with_the_seconds_to_wait(tg, world):
    for number in range(20):
        tg.send_message(chat_id=CHANNEL, text=f"Пост {number}")

    with pytest.raises(TransientError) as raised:
        tg.send_message(chat_id=CHANNEL, text="Двадцать первый")

    assert raised.value.code == 429
    assert raised.value.retry_after is not None and 0 < raised.value.retry_after <= 60


def test_an_injected_server_error_is_transient(tg, world):
    inject(network=Network.TELEGRAM, kind=FaultKind.SERVER_ERROR, remaining=1, status=502)

    with pytest.raises(TransientError) as raised:
        tg.send_message(chat_id=CHANNEL, text="x")

    assert (raised.value.code, raised.value.message) == (502, "Bad Gateway")


def test_a_text_telegram_refuses_is_permanent_400_and_not_a_token_problem(tg, world):
    with pytest.raises(PermanentError) as raised:
        tg.send_message(chat_id=CHANNEL, text="я" * 4097)

    assert raised.value.code == 400 and not raised.value.token_problem
    assert raised.value.message.startswith("Bad Request:")


# --- the wire: answers that never come, connections that drop -------------------------------------


def test_an_answer_that_never_comes_after_the_message_was_sent_is_ambiguous(live_tg, live_world, held_answer):
    inject(network=Network.TELEGRAM, kind=FaultKind.ACCEPT_THEN_TIMEOUT, remaining=1, timeout_s=held_answer)

    with pytest.raises(AmbiguousError) as raised:
        live_tg.send_message(chat_id=CHANNEL, text="Дошло?")

    assert raised.value.message.startswith("ReadTimeout")
    assert [m.text for m in channel_messages()] == ["Дошло?"]  # Telegram did send it
    assert TOKEN not in str(raised.value)


def test_a_slow_answer_to_a_read_is_only_transient(live_tg, live_world, held_answer):
    inject(network=Network.TELEGRAM, kind=FaultKind.LATENCY, remaining=1, latency_ms=held_answer * 1000)

    with pytest.raises(TransientError) as raised:
        live_tg.get_chat(CHANNEL)

    assert raised.value.message.startswith("ReadTimeout")


def test_a_connection_reset_after_sending_is_ambiguous_and_on_a_read_transient(live_tg, live_world):
    inject(network=Network.TELEGRAM, kind=FaultKind.CONNECTION_RESET, remaining=2)

    with pytest.raises(AmbiguousError):
        live_tg.send_message(chat_id=CHANNEL, text="x")
    with pytest.raises(TransientError):
        live_tg.get_me()


def test_a_bot_api_server_that_cannot_be_reached_is_transient_even_for_a_send(closed_port):
    with (
        TelegramClient(base_url=f"http://127.0.0.1:{closed_port}", token=TOKEN) as tg,
        pytest.raises(TransientError) as raised,
    ):
        tg.send_message(chat_id=CHANNEL, text="x")

    assert raised.value.code is None
    assert TOKEN not in str(raised.value)


# --- checking a token before a post is due (R-PUB-4) ----------------------------------------------


def test_a_bot_that_administers_the_channel_passes_the_check(tg, world):
    assert check_telegram_token(tg, CHANNEL) is None
    assert check_telegram_token(tg, "@library_one") is None


def test_a_revoked_token_fails_the_check_with_telegrams_words(tg, world):
    inject(network=Network.TELEGRAM, kind=FaultKind.REVOKE_TOKEN, token=TOKEN, remaining=1)

    assert check_telegram_token(tg, CHANNEL) == "Unauthorized"


def test_a_bot_removed_from_the_channel_fails_the_check(tg, world):
    inject(network=Network.TELEGRAM, kind=FaultKind.LOSE_ADMIN, place=CHANNEL, remaining=1)

    assert check_telegram_token(tg, CHANNEL) == "The bot is not an administrator of this chat."


def test_an_administrator_without_the_right_to_post_fails_the_check(tg, world):
    TgMembership.objects.filter(chat=world.channel).update(can_post_messages=False)

    assert check_telegram_token(tg, CHANNEL) == "The bot may not post messages in this channel."


def test_an_unknown_chat_fails_the_check_with_telegrams_words(tg, world):
    assert check_telegram_token(tg, -1009999999999) == "Bad Request: chat not found"
