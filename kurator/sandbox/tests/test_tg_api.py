"""The sandbox's Telegram Bot API, as a client sees it through HTTP (Django's test client)."""

from __future__ import annotations

import http.server
import json
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from kurator.sandbox import tg_updates
from kurator.sandbox.choices import FaultKind, TgChatType
from kurator.sandbox.connection import ConnectionReset
from kurator.sandbox.faults import inject
from kurator.sandbox.models import LedgerEntry, TgBot, TgChat, TgMembership, TgMessage, TgUpdate
from kurator.sandbox.tests.tg_world import TOKEN, build_tg_world
from kurator.sandbox.tests.vk_setup import MP4
from kurator.sandbox.tg_service import react, reader_message

# The smallest valid PNG (1×1), so photo sizes can be read back.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def world():
    return build_tg_world()


def call(client, world, method, *, token=TOKEN, json_body=None, **params):
    if json_body is not None:
        response = client.post(world.url(method, token), json_body, content_type="application/json")
    else:
        response = client.post(world.url(method, token), params)
    body = response.json()
    assert response.status_code == (200 if body["ok"] else body["error_code"])
    return body


def send(client, world, text="Здравствуйте!", chat=None, **extra):
    chat_id = (chat or world.channel).chat_id
    return call(client, world, "sendMessage", json_body={"chat_id": chat_id, "text": text, **extra})


# --- envelopes, tokens, methods -----------------------------------------------------------------


def test_get_me_answers_the_bot_as_a_user_with_any_method_case_and_http_verb(client, world):
    for path in ("getMe", "getme", "GETME"):
        body = client.get(world.url(path)).json()
        assert body["ok"] is True
        assert body["result"]["id"] == 123456
        assert body["result"]["is_bot"] is True
        assert body["result"]["username"] == "library_sandbox_bot"


def test_unknown_or_revoked_token_is_401_and_unknown_method_is_404(client, world):
    body = call(client, world, "getMe", token="999:unknown")
    assert body == {"ok": False, "error_code": 401, "description": "Unauthorized"}
    assert call(client, world, "sendSticker")["description"] == "Not Found"
    assert client.get("/sandbox/telegram/botnot-a-token/getMe").status_code == 404
    TgBot.objects.filter(pk=world.bot.pk).update(revoked_at=datetime.now(UTC))
    assert call(client, world, "getMe")["error_code"] == 401


def test_parameters_come_from_query_string_form_json_and_multipart(client, world):
    chat_id = world.channel.chat_id
    by_query = client.get(world.url("sendMessage") + f"?chat_id={chat_id}&text=query").json()
    by_form = client.post(world.url("sendMessage"), {"chat_id": chat_id, "text": "form"}).json()
    by_json = send(client, world, "json")
    by_multipart = client.post(
        world.url("sendMessage"),
        {"chat_id": str(chat_id), "text": "multipart"},  # the test client encodes multipart by default
    ).json()
    by_form_encoded = client.post(
        world.url("sendMessage"),
        f"chat_id={chat_id}&text=urlencoded",
        content_type="application/x-www-form-urlencoded",
    ).json()
    texts = [b["result"]["text"] for b in (by_query, by_form, by_json, by_multipart, by_form_encoded)]
    assert texts == ["query", "form", "json", "multipart", "urlencoded"]
    ids = [b["result"]["message_id"] for b in (by_query, by_form, by_json, by_multipart, by_form_encoded)]
    assert ids == sorted(ids) and len(set(ids)) == 5


def test_a_channel_post_is_signed_by_the_channel_and_can_be_addressed_by_username(client, world):
    result = call(client, world, "sendMessage", json_body={"chat_id": "@library_one", "text": "Новое в фонде"})[
        "result"
    ]
    assert result["chat"] == {
        "id": world.channel.chat_id,
        "type": "channel",
        "title": "Библиотека № 1",
        "username": "library_one",
    }
    assert result["sender_chat"]["id"] == world.channel.chat_id
    assert "from" not in result
    assert isinstance(result["date"], int)


# --- rights -------------------------------------------------------------------------------------


def test_chat_not_found_and_bot_not_in_chat_and_not_an_administrator(client, world):
    assert send(client, world, chat=TgChat(chat_id=-100999))["description"] == "Bad Request: chat not found"
    other = TgChat.objects.create(chat_id=-1001000000077, type=TgChatType.CHANNEL, title="Чужой канал")
    body = send(client, world, chat=other)
    assert (body["error_code"], body["description"]) == (403, "Forbidden: bot is not a member of the channel chat")
    TgMembership.objects.create(bot=world.bot, chat=other, status="member", can_post_messages=False)
    body = send(client, world, chat=other)
    assert (body["error_code"], body["description"]) == (
        403,
        "Forbidden: not enough rights to send text messages to the chat",
    )


# --- text limits and entities -------------------------------------------------------------------


def test_the_4096_limit_counts_the_text_after_html_parsing(client, world):
    text = "<b>" + "я" * 4096 + "</b>"  # 4103 characters of markup, 4096 of text
    body = send(client, world, text, parse_mode="HTML")
    assert body["ok"] is True
    assert body["result"]["entities"] == [{"type": "bold", "offset": 0, "length": 4096}]
    body = send(client, world, "я" * 4097)
    assert (body["error_code"], body["description"]) == (400, "Bad Request: message is too long")
    body = send(client, world, "\\." * 4096, parse_mode="MarkdownV2")  # 8192 characters, 4096 after parsing
    assert body["ok"] is True and body["result"]["text"] == "." * 4096


def test_html_entities_have_utf16_offsets_so_an_emoji_counts_twice(client, world):
    text = '👍 <b>Новинки</b> &amp; <i>встречи</i> <a href="https://lib.example/events">афиша</a>'
    result = send(client, world, text, parse_mode="HTML")["result"]
    assert result["text"] == "👍 Новинки & встречи афиша"
    assert result["entities"] == [
        {"type": "bold", "offset": 3, "length": 7},
        {"type": "italic", "offset": 13, "length": 7},
        {"type": "text_link", "offset": 21, "length": 5, "url": "https://lib.example/events"},
    ]


def test_html_pre_with_language_spoiler_and_blockquote(client, world):
    text = (
        '<pre><code class="language-python">print(1)</code></pre>'
        '<span class="tg-spoiler">s</span><tg-spoiler>t</tg-spoiler><blockquote>q</blockquote>'
    )
    result = send(client, world, text, parse_mode="HTML")["result"]
    assert result["text"] == "print(1)stq"
    assert result["entities"] == [
        {"type": "pre", "offset": 0, "length": 8, "language": "python"},
        {"type": "spoiler", "offset": 8, "length": 1},
        {"type": "spoiler", "offset": 9, "length": 1},
        {"type": "blockquote", "offset": 10, "length": 1},
    ]


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("<p>абзац</p>", 'Unsupported start tag "p" at byte offset 0'),
        ("1 < 2", 'Unsupported start tag "" at byte offset 2'),
        ("<b>жирный", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ('<span class="x">y</span>', 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
    ],
)
def test_invalid_html_is_refused_with_telegrams_words(client, world, text, error):
    body = send(client, world, text, parse_mode="HTML")
    assert (body["error_code"], body["description"]) == (400, f"Bad Request: can't parse entities: {error}")


def test_markdown_v2_entities_and_escapes(client, world):
    text = "*Жирный 👍* _курсив_ __подчёркнутый__ ~зачёркнутый~ ||спойлер|| `код` [ссылка](https://lib.example/a\\)b) 1\\.5\\!"
    result = send(client, world, text, parse_mode="MarkdownV2")["result"]
    assert result["text"] == "Жирный 👍 курсив подчёркнутый зачёркнутый спойлер код ссылка 1.5!"
    assert result["entities"] == [
        {"offset": 0, "length": 9, "type": "bold"},
        {"offset": 10, "length": 6, "type": "italic"},
        {"offset": 17, "length": 12, "type": "underline"},
        {"offset": 30, "length": 11, "type": "strikethrough"},
        {"offset": 42, "length": 7, "type": "spoiler"},
        {"offset": 50, "length": 3, "type": "code"},
        {"offset": 54, "length": 6, "type": "text_link", "url": "https://lib.example/a)b"},
    ]


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("Часы работы: 10-18.", "Character '-' is reserved and must be escaped with the preceding '\\'"),
        ("Встреча в 18:00.", "Character '.' is reserved and must be escaped with the preceding '\\'"),
        ("*жирный", "Can't find end of Bold entity at byte offset 0"),
        ("а _курсив", "Can't find end of Italic entity at byte offset 3"),
    ],
)
def test_invalid_markdown_v2_is_refused_with_telegrams_words(client, world, text, error):
    body = send(client, world, text, parse_mode="MarkdownV2")
    assert (body["error_code"], body["description"]) == (400, f"Bad Request: can't parse entities: {error}")


def test_an_empty_text_and_an_unknown_parse_mode_are_refused(client, world):
    assert send(client, world, "   ")["description"] == "Bad Request: message text is empty"
    assert send(client, world, "<b></b>", parse_mode="HTML")["description"] == "Bad Request: message text is empty"
    assert send(client, world, "x", parse_mode="BBCode")["description"] == "Bad Request: unsupported parse_mode"


def test_hashtags_mentions_links_and_commands_are_marked_as_telegram_finds_them(client, world):
    text = "👍 #бюроизобретений и #2024 для @library_one: https://lib.example/a. <code>#нет</code>"
    result = send(client, world, text, parse_mode="HTML")["result"]
    assert result["text"] == "👍 #бюроизобретений и #2024 для @library_one: https://lib.example/a. #нет"
    assert result["entities"] == [
        {"type": "hashtag", "offset": 3, "length": 16},  # a year alone is no hashtag
        {"type": "mention", "offset": 32, "length": 12},
        {"type": "url", "offset": 46, "length": 21},  # the full stop after a link is not part of it
        {"type": "code", "offset": 69, "length": 4},  # nothing is found inside code
    ]


def test_legacy_markdown_and_explicit_entities(client, world):
    result = send(client, world, "*Жирный* и _курсив_ [сайт](https://lib.example)", parse_mode="Markdown")["result"]
    assert result["text"] == "Жирный и курсив сайт"
    assert [(e["type"], e["offset"], e["length"]) for e in result["entities"]] == [
        ("bold", 0, 6),
        ("italic", 9, 6),
        ("text_link", 16, 4),
    ]
    assert send(client, world, "*без конца", parse_mode="Markdown")["description"] == (
        "Bad Request: can't parse entities: Can't find end of the entity starting at byte offset 0"
    )
    given = [{"type": "bold", "offset": 2, "length": 5}]
    assert send(client, world, "👍 Новинки", entities=given)["result"]["entities"] == given


def test_a_kicked_bot_and_a_bot_outside_a_group_get_telegrams_words(client, world):
    TgMembership.objects.filter(bot=world.bot, chat=world.channel).update(status="kicked")
    assert send(client, world)["description"] == "Forbidden: bot was kicked from the channel chat"
    TgMembership.objects.filter(bot=world.bot, chat=world.group).delete()
    assert send(client, world, chat=world.group)["description"] == (
        "Forbidden: bot is not a member of the supergroup chat"
    )


# --- flood limits -------------------------------------------------------------------------------


def test_more_than_30_messages_a_second_per_bot_get_429_with_retry_after(client, world):
    chats = [
        TgChat.objects.create(chat_id=-1002000000000 - n, type=TgChatType.SUPERGROUP, title=f"g{n}") for n in range(2)
    ]
    for chat in chats:
        TgMembership.objects.create(bot=world.bot, chat=chat)
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, 0, 500000, tzinfo=UTC), tick=False):
        for n in range(30):
            assert send(client, world, f"m{n}", chat=chats[n % 2])["ok"] is True
        body = send(client, world, "one too many", chat=chats[0])
    assert body == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 1",
        "parameters": {"retry_after": 1},
    }
    assert TgMessage.objects.filter(text="one too many").count() == 0
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, 1, 600000, tzinfo=UTC), tick=False):
        assert send(client, world, "next second", chat=chats[0])["ok"] is True


def test_more_than_20_messages_a_minute_in_one_chat_get_429(client, world):
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, 15, tzinfo=UTC), tick=True) as traveller:
        for n in range(20):
            assert send(client, world, f"пост {n}")["ok"] is True
            traveller.shift(1.1)  # slower than 30/s, so only the per-chat limit can bite
        body = send(client, world, "21st")
        assert body["error_code"] == 429
        assert body["parameters"]["retry_after"] > 20
        assert body["description"] == f"Too Many Requests: retry after {body['parameters']['retry_after']}"
        assert send(client, world, "elsewhere", chat=world.group)["ok"] is True


# --- photos, files, albums ----------------------------------------------------------------------


def test_send_photo_by_upload_then_by_file_id_and_get_file_downloads_it(client, world):
    upload = SimpleUploadedFile("cover.png", PNG, content_type="image/png")
    body = client.post(
        world.url("sendPhoto"),
        {"chat_id": world.channel.chat_id, "photo": upload, "caption": "<b>Обложка</b>", "parse_mode": "HTML"},
    ).json()
    photo = body["result"]["photo"]
    assert photo[0]["width"] == 1 and photo[0]["height"] == 1 and photo[0]["file_size"] == len(PNG)
    assert body["result"]["caption"] == "Обложка"
    assert body["result"]["caption_entities"] == [{"type": "bold", "offset": 0, "length": 7}]
    again = call(client, world, "sendPhoto", json_body={"chat_id": world.channel.chat_id, "photo": photo[0]["file_id"]})
    assert again["result"]["photo"][0]["file_unique_id"] == photo[0]["file_unique_id"]
    file_info = call(client, world, "getFile", file_id=photo[0]["file_id"])["result"]
    assert file_info["file_path"].startswith("photos/")
    download = client.get(f"/sandbox/telegram/file/bot{TOKEN}/{file_info['file_path']}")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PNG
    assert call(client, world, "getFile", file_id="nope")["description"] == "Bad Request: invalid file_id"
    assert client.get(f"/sandbox/telegram/file/bot{TOKEN}/photos/missing.png").status_code == 404


def test_a_caption_over_1024_characters_is_refused(client, world):
    body = call(
        client,
        world,
        "sendPhoto",
        chat_id=world.channel.chat_id,
        caption="б" * 1025,
        photo=SimpleUploadedFile("a.png", PNG),
    )
    assert (body["error_code"], body["description"]) == (400, "Bad Request: message caption is too long")
    body = call(
        client,
        world,
        "sendPhoto",
        chat_id=world.channel.chat_id,
        caption="<i>" + "б" * 1024 + "</i>",
        parse_mode="HTML",
        photo=SimpleUploadedFile("a.png", PNG),
    )
    assert body["ok"] is True


@pytest.fixture
def image_server():
    """A local HTTP server that serves the PNG, as a photo URL on the internet would."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(len(PNG)))
            self.end_headers()
            self.wfile.write(PNG)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_send_photo_by_url_fetches_and_stores_the_picture(client, world, image_server):
    body = call(client, world, "sendPhoto", chat_id=world.channel.chat_id, photo=f"{image_server}/cover.png")
    assert body["result"]["photo"][0]["file_size"] == len(PNG)


def test_send_media_group_takes_2_to_10_photos_uploaded_through_attach(client, world):
    media = [
        {"type": "photo", "media": "attach://one", "caption": "<b>Выставка</b>", "parse_mode": "HTML"},
        {"type": "photo", "media": "attach://two"},
    ]
    body = client.post(
        world.url("sendMediaGroup"),
        {
            "chat_id": world.channel.chat_id,
            "media": json.dumps(media),
            "one": SimpleUploadedFile("one.png", PNG),
            "two": SimpleUploadedFile("two.png", PNG),
        },
    ).json()
    assert body["ok"] is True
    album = body["result"]
    assert len(album) == 2
    assert album[0]["media_group_id"] == album[1]["media_group_id"]
    assert album[0]["caption"] == "Выставка" and "caption" not in album[1]
    file_id = album[0]["photo"][0]["file_id"]
    one = [{"type": "photo", "media": file_id}]
    assert (
        call(client, world, "sendMediaGroup", json_body={"chat_id": world.channel.chat_id, "media": []})["description"]
        == "Bad Request: there are no messages to send"
    )
    assert (
        call(client, world, "sendMediaGroup", json_body={"chat_id": world.channel.chat_id, "media": one})["description"]
        == "Bad Request: media must include 2-10 items"
    )
    assert (
        call(client, world, "sendMediaGroup", json_body={"chat_id": world.channel.chat_id, "media": one * 11})[
            "description"
        ]
        == "Bad Request: too many messages to send as an album"
    )
    assert call(client, world, "sendMediaGroup", json_body={"chat_id": world.channel.chat_id, "media": one * 10})["ok"]


# --- videos -------------------------------------------------------------------------------------


def test_send_video_by_upload_answers_a_video_object_and_the_ledger_keeps_it(client, world):
    body = client.post(
        world.url("sendVideo"),
        {
            "chat_id": world.channel.chat_id,
            "video": SimpleUploadedFile("clip.mp4", MP4, content_type="video/mp4"),
            "caption": "<b>Экскурсия</b> по залу",
            "parse_mode": "HTML",
        },
    ).json()

    assert body["ok"] is True
    message = body["result"]
    video = message["video"]
    assert (video["width"], video["height"], video["duration"]) == (320, 240, 3)
    assert (video["mime_type"], video["file_size"]) == ("video/mp4", len(MP4))
    assert video["file_id"].startswith("BAAC") and video["file_unique_id"]
    assert "photo" not in message and "text" not in message
    assert message["caption"] == "Экскурсия по залу"
    assert message["caption_entities"] == [{"type": "bold", "offset": 0, "length": 9}]
    stored = TgMessage.objects.get(chat=world.channel, message_id=message["message_id"])
    assert stored.video is not None and stored.photo is None
    entry = LedgerEntry.objects.get(kind="message", place=str(world.channel.chat_id))
    assert (entry.payload["method"], entry.payload["video"]) == ("sendVideo", video["file_id"])
    # The copy in the discussion group carries the video too, as on Telegram.
    forward = TgMessage.objects.get(chat=world.group, forward_of=stored)
    assert forward.video_id == stored.video_id


def test_a_video_is_sent_again_by_file_id_and_downloaded_through_get_file(client, world):
    first = call(client, world, "sendVideo", chat_id=world.channel.chat_id, video=SimpleUploadedFile("a.mp4", MP4))
    file_id = first["result"]["video"]["file_id"]

    again = call(client, world, "sendVideo", json_body={"chat_id": world.channel.chat_id, "video": file_id})
    file_info = call(client, world, "getFile", file_id=file_id)["result"]
    download = client.get(f"/sandbox/telegram/file/bot{TOKEN}/{file_info['file_path']}")

    assert again["result"]["video"]["file_unique_id"] == first["result"]["video"]["file_unique_id"]
    assert file_info["file_path"].startswith("videos/") and file_info["file_path"].endswith(".mp4")
    assert b"".join(download.streaming_content) == MP4


def test_a_photos_file_id_is_no_video_and_a_videos_is_no_photo(client, world):
    photo = call(client, world, "sendPhoto", chat_id=world.channel.chat_id, photo=SimpleUploadedFile("a.png", PNG))
    video = call(client, world, "sendVideo", chat_id=world.channel.chat_id, video=SimpleUploadedFile("a.mp4", MP4))

    as_video = call(
        client,
        world,
        "sendVideo",
        json_body={"chat_id": world.channel.chat_id, "video": photo["result"]["photo"][0]["file_id"]},
    )
    as_photo = call(
        client,
        world,
        "sendPhoto",
        json_body={"chat_id": world.channel.chat_id, "photo": video["result"]["video"]["file_id"]},
    )
    nothing = call(client, world, "sendVideo", chat_id=world.channel.chat_id)

    assert as_video["description"] == as_photo["description"] == "Bad Request: type of file mismatch"
    assert nothing["description"] == "Bad Request: there is no video in the request"


def test_what_the_file_does_not_say_comes_from_the_senders_width_height_and_duration(client, world):
    unreadable = b"\x00\x00\x00\x18ftypisom" + bytes(40)  # an MP4 header and nothing a player could read

    told = call(
        client,
        world,
        "sendVideo",
        chat_id=world.channel.chat_id,
        video=SimpleUploadedFile("a.mp4", unreadable),
        width="1280",
        height="720",
        duration="42",
    )["result"]["video"]
    untold = call(
        client, world, "sendVideo", chat_id=world.channel.chat_id, video=SimpleUploadedFile("b.mp4", unreadable)
    )["result"]["video"]

    assert (told["width"], told["height"], told["duration"]) == (1280, 720, 42)
    assert untold["width"] > 0 and untold["height"] > 0 and untold["duration"] == 0


def test_a_bot_without_the_right_to_post_cannot_send_a_video(client, world):
    TgMembership.objects.filter(bot=world.bot, chat=world.channel).update(can_post_messages=False)

    body = call(client, world, "sendVideo", chat_id=world.channel.chat_id, video=SimpleUploadedFile("a.mp4", MP4))

    assert (body["error_code"], body["description"]) == (403, "Forbidden: not enough rights to send videos to the chat")
    assert not TgMessage.objects.filter(chat=world.channel).exists()


def test_an_album_mixes_photos_and_videos_in_the_order_given(client, world):
    media = [
        {"type": "photo", "media": "attach://cover", "caption": "Выставка"},
        {"type": "video", "media": "attach://clip"},
    ]
    body = client.post(
        world.url("sendMediaGroup"),
        {
            "chat_id": world.channel.chat_id,
            "media": json.dumps(media),
            "cover": SimpleUploadedFile("cover.png", PNG),
            "clip": SimpleUploadedFile("clip.mp4", MP4, content_type="video/mp4"),
        },
    ).json()

    assert body["ok"] is True
    first, second = body["result"]
    assert "photo" in first and "video" not in first and first["caption"] == "Выставка"
    assert "video" in second and "photo" not in second and second["video"]["duration"] == 3
    assert first["media_group_id"] == second["media_group_id"]
    stored = list(TgMessage.objects.filter(chat=world.channel).order_by("message_id"))
    assert [(m.photo_id is not None, m.video_id is not None) for m in stored] == [(True, False), (False, True)]
    assert [e.payload["method"] for e in LedgerEntry.objects.filter(place=str(world.channel.chat_id))] == [
        "sendMediaGroup",
        "sendMediaGroup",
    ]


def test_an_album_still_refuses_documents(client, world):
    media = [{"type": "document", "media": "attach://a"}, {"type": "video", "media": "attach://b"}]

    body = call(client, world, "sendMediaGroup", chat_id=world.channel.chat_id, media=json.dumps(media))

    assert (
        body["description"] == "Bad Request: can't parse InputMedia: type \"document\" can't be used in sendMediaGroup"
    )


def test_a_videos_caption_is_edited_and_its_text_is_not(client, world):
    sent = call(client, world, "sendVideo", chat_id=world.channel.chat_id, video=SimpleUploadedFile("a.mp4", MP4))
    message_id = sent["result"]["message_id"]

    caption = call(
        client,
        world,
        "editMessageCaption",
        json_body={"chat_id": world.channel.chat_id, "message_id": message_id, "caption": "Подпись"},
    )["result"]
    text = call(
        client,
        world,
        "editMessageText",
        json_body={"chat_id": world.channel.chat_id, "message_id": message_id, "text": "Текст"},
    )

    assert caption["caption"] == "Подпись" and caption["video"]["file_id"] == sent["result"]["video"]["file_id"]
    assert text["description"] == "Bad Request: there is no text in the message to edit"


# --- edit and delete ----------------------------------------------------------------------------


def test_edit_text_and_caption_and_refuse_an_unchanged_edit(client, world):
    sent = send(client, world, "Черновик")["result"]
    edited = call(
        client,
        world,
        "editMessageText",
        json_body={
            "chat_id": world.channel.chat_id,
            "message_id": sent["message_id"],
            "text": "<b>Итог</b>",
            "parse_mode": "HTML",
        },
    )["result"]
    assert edited["text"] == "Итог" and "edit_date" in edited
    again = call(
        client,
        world,
        "editMessageText",
        json_body={
            "chat_id": world.channel.chat_id,
            "message_id": sent["message_id"],
            "text": "<b>Итог</b>",
            "parse_mode": "HTML",
        },
    )
    assert again["description"].startswith("Bad Request: message is not modified")
    photo = call(client, world, "sendPhoto", chat_id=world.channel.chat_id, photo=SimpleUploadedFile("a.png", PNG))
    caption = call(
        client,
        world,
        "editMessageCaption",
        json_body={"chat_id": world.channel.chat_id, "message_id": photo["result"]["message_id"], "caption": "Подпись"},
    )["result"]
    assert caption["caption"] == "Подпись"
    missing = call(
        client, world, "editMessageText", json_body={"chat_id": world.channel.chat_id, "message_id": 999, "text": "x"}
    )
    assert missing["description"] == "Bad Request: message to edit not found"


def test_delete_message_only_within_48_hours(client, world):
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=UTC), tick=False) as traveller:
        first = send(client, world, "Удалить сразу")["result"]["message_id"]
        second = send(client, world, "Удалить позже")["result"]["message_id"]
        assert call(client, world, "deleteMessage", chat_id=world.channel.chat_id, message_id=first)["result"] is True
        again = call(client, world, "deleteMessage", chat_id=world.channel.chat_id, message_id=first)
        assert again["description"] == "Bad Request: message to delete not found"
        traveller.shift(timedelta(hours=47, minutes=59))
        third = send(client, world, "Ещё один")["result"]["message_id"]
        traveller.shift(timedelta(minutes=2))
        old = call(client, world, "deleteMessage", chat_id=world.channel.chat_id, message_id=second)
        assert (old["error_code"], old["description"]) == (400, "Bad Request: message can't be deleted")
        assert call(client, world, "deleteMessage", chat_id=world.channel.chat_id, message_id=third)["ok"] is True


def test_every_send_edit_and_delete_is_in_the_ledger(client, world):
    sent = send(client, world, "Первый")["result"]["message_id"]
    call(
        client,
        world,
        "editMessageText",
        json_body={"chat_id": world.channel.chat_id, "message_id": sent, "text": "Второй"},
    )
    call(client, world, "deleteMessage", chat_id=world.channel.chat_id, message_id=sent)
    rows = list(
        LedgerEntry.objects.filter(network="telegram", place=str(world.channel.chat_id)).values_list(
            "action", "kind", "object_id", "actor"
        )
    )
    actor = TOKEN[:6] + "…"
    assert rows == [
        ("created", "message", str(sent), actor),
        ("edited", "message", str(sent), actor),
        ("deleted", "message", str(sent), actor),
    ]
    forward = LedgerEntry.objects.get(network="telegram", place=str(world.group.chat_id))
    assert (forward.action, forward.kind) == ("created", "forward")


# --- chats --------------------------------------------------------------------------------------


def test_get_chat_names_the_linked_discussion_group_and_member_count_is_the_subscribers(client, world):
    info = call(client, world, "getChat", chat_id="@library_one")["result"]
    assert info["id"] == world.channel.chat_id and info["linked_chat_id"] == world.group.chat_id
    group = call(client, world, "getChat", chat_id=world.group.chat_id)["result"]
    assert group["linked_chat_id"] == world.channel.chat_id
    assert call(client, world, "getChatMemberCount", chat_id=world.channel.chat_id)["result"] == 1520


def test_get_chat_member_and_administrators_show_the_bots_rights(client, world):
    me = call(client, world, "getChatMember", chat_id=world.channel.chat_id, user_id=world.bot.user_id)["result"]
    assert (me["status"], me["can_post_messages"], me["can_delete_messages"]) == ("administrator", True, True)
    reader = call(client, world, "getChatMember", chat_id=world.group.chat_id, user_id=world.reader.tg_id)["result"]
    assert reader["status"] == "member" and reader["user"]["first_name"] == "Анна Петрова"
    assert call(client, world, "getChatMember", chat_id=world.group.chat_id, user_id=5)["description"] == (
        "Bad Request: user not found"
    )
    admins = call(client, world, "getChatAdministrators", chat_id=world.channel.chat_id)["result"]
    assert [a["status"] for a in admins] == ["creator", "administrator"]
    TgMembership.objects.filter(bot=world.bot, chat=world.group).update(status="left")
    gone = call(client, world, "getChatMember", chat_id=world.group.chat_id, user_id=world.bot.user_id)["result"]
    assert gone["status"] == "left"


# --- discussion group, comments, reactions ------------------------------------------------------


def test_a_channel_post_is_forwarded_into_the_discussion_group_where_readers_comment(client, world):
    post_id = send(client, world, "Приходите на встречу")["result"]["message_id"]
    post = TgMessage.objects.get(chat=world.channel, message_id=post_id)
    forward = TgMessage.objects.get(chat=world.group, forward_of=post)
    assert forward.is_automatic_forward and forward.sender_chat == world.channel
    reader_message(reader=world.reader, chat=world.group, text="А во сколько?", reply_to=forward)
    updates = call(client, world, "getUpdates")["result"]
    # The bot's own channel post is not an update for it; the forward and the comment are.
    assert [list(u)[1] for u in updates] == ["message", "message"]
    auto = updates[0]["message"]
    assert auto["is_automatic_forward"] is True
    assert auto["from"]["id"] == 777000
    assert auto["sender_chat"]["id"] == world.channel.chat_id
    assert auto["forward_origin"] == {
        "type": "channel",
        "chat": auto["sender_chat"],
        "message_id": post_id,
        "date": auto["forward_origin"]["date"],
    }
    comment = updates[1]["message"]
    assert comment["from"] == {"id": 700001, "is_bot": False, "first_name": "Анна Петрова", "language_code": "ru"}
    assert comment["reply_to_message"]["message_id"] == forward.message_id
    assert comment["reply_to_message"]["forward_origin"]["message_id"] == post_id  # the comment's post
    assert comment["message_thread_id"] == forward.message_id
    assert comment["chat"]["id"] == world.group.chat_id


def test_editing_a_channel_post_edits_its_copy_in_the_discussion_group(client, world):
    post_id = send(client, world, "Встреча в 17:00")["result"]["message_id"]
    call(client, world, "getUpdates")  # read the forward
    offset = call(client, world, "getUpdates")["result"][-1]["update_id"] + 1
    call(
        client,
        world,
        "editMessageText",
        json_body={"chat_id": world.channel.chat_id, "message_id": post_id, "text": "Встреча в 18:00"},
    )
    edited = call(client, world, "getUpdates", offset=offset)["result"]
    assert [list(u)[1] for u in edited] == ["edited_message"]
    assert edited[0]["edited_message"]["text"] == "Встреча в 18:00"
    assert edited[0]["edited_message"]["is_automatic_forward"] is True
    assert "edit_date" in edited[0]["edited_message"]


def test_the_bot_answers_a_comment_in_the_group_and_a_reader_in_private(client, world):
    post_id = send(client, world, "Пост")["result"]["message_id"]
    forward = TgMessage.objects.get(chat=world.group, forward_of__message_id=post_id)
    comment = reader_message(reader=world.reader, chat=world.group, text="Где купить билет?", reply_to=forward)
    answer = send(
        client, world, "В кассе библиотеки", chat=world.group, reply_parameters={"message_id": comment.message_id}
    )["result"]
    assert answer["from"]["username"] == "library_sandbox_bot" and "sender_chat" not in answer
    assert answer["reply_to_message"]["text"] == "Где купить билет?"
    assert answer["reply_to_message"]["from"]["id"] == world.reader.tg_id
    assert answer["message_thread_id"] == forward.message_id  # the answer stays under the post
    missing = send(client, world, "x", chat=world.group, reply_to_message_id=9999)
    assert missing["description"] == "Bad Request: message to be replied not found"
    stranger = send(client, world, "Здравствуйте", chat=TgChat(chat_id=world.reader.tg_id))
    assert stranger["description"] == "Bad Request: chat not found"  # the reader never wrote to the bot
    private = TgChat.objects.create(
        chat_id=world.reader.tg_id, type=TgChatType.PRIVATE, title=world.reader.name, dialog_bot=world.bot
    )
    TgMembership.objects.create(bot=world.bot, chat=private, status="member")
    reader_message(reader=world.reader, chat=private, text="Продлите, пожалуйста, книгу")
    reply = send(client, world, "Продлили до 1 апреля", chat=private)["result"]
    assert reply["chat"] == {"id": world.reader.tg_id, "type": "private", "first_name": "Анна Петрова"}


def test_channel_posts_and_their_edits_reach_other_bots_and_reactions_arrive_as_counts(client, world):
    watcher = TgBot.objects.create(token="777:watcher", user_id=777, username="watcher_bot", first_name="W")
    TgMembership.objects.create(bot=watcher, chat=world.channel)
    post_id = send(client, world, "Пост")["result"]["message_id"]
    call(
        client,
        world,
        "editMessageText",
        json_body={"chat_id": world.channel.chat_id, "message_id": post_id, "text": "Пост!"},
    )
    post = TgMessage.objects.get(chat=world.channel, message_id=post_id)
    react(post, "👍", 1)  # not asked for: the default set has no reaction counts
    call(
        client,
        world,
        "getUpdates",
        token="777:watcher",
        allowed_updates=json.dumps(["channel_post", "message_reaction_count"]),
    )
    react(post, "👍", 1)
    react(post, "❤", 1)
    updates = call(client, world, "getUpdates", token="777:watcher")["result"]
    assert [list(u)[1] for u in updates] == [
        "channel_post",
        "edited_channel_post",
        "message_reaction_count",
        "message_reaction_count",
    ]
    assert updates[1]["edited_channel_post"]["text"] == "Пост!"
    assert updates[3]["message_reaction_count"]["reactions"] == [
        {"type": {"type": "emoji", "emoji": "👍"}, "total_count": 2},
        {"type": {"type": "emoji", "emoji": "❤"}, "total_count": 1},
    ]
    assert TgBot.objects.get(pk=watcher.pk).allowed_updates == ["channel_post", "message_reaction_count"]


# --- getUpdates ---------------------------------------------------------------------------------


def test_get_updates_offset_confirms_and_forgets_earlier_updates(client, world):
    for n in range(3):
        reader_message(reader=world.reader, chat=world.group, text=f"Вопрос {n}")
    first = call(client, world, "getUpdates")["result"]
    ids = [u["update_id"] for u in first]
    assert len(ids) == 3 and ids == sorted(ids)
    assert call(client, world, "getUpdates", limit=1)["result"][0]["update_id"] == ids[0]
    rest = call(client, world, "getUpdates", offset=ids[1])["result"]
    assert [u["update_id"] for u in rest] == ids[1:]
    assert TgUpdate.objects.filter(bot=world.bot, update_id=ids[0]).count() == 0  # confirmed: gone
    assert call(client, world, "getUpdates", offset=ids[2] + 1)["result"] == []
    assert TgUpdate.objects.filter(bot=world.bot).count() == 0


def test_get_updates_long_polls_up_to_the_timeout(client, world):
    started = time.monotonic()
    assert call(client, world, "getUpdates", timeout=1)["result"] == []
    assert 0.9 <= time.monotonic() - started < 4
    reader_message(reader=world.reader, chat=world.group, text="Здравствуйте")
    started = time.monotonic()
    assert len(call(client, world, "getUpdates", timeout=5)["result"]) == 1
    assert time.monotonic() - started < 2.5  # an update waiting: no waiting for the 5 s timeout


def test_updates_are_kept_24_hours(client, world):
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=UTC), tick=False) as traveller:
        reader_message(reader=world.reader, chat=world.group, text="Старое")
        traveller.shift(timedelta(hours=23))
        reader_message(reader=world.reader, chat=world.group, text="Свежее")
        traveller.shift(timedelta(hours=1, minutes=1))
        texts = [u["message"]["text"] for u in call(client, world, "getUpdates")["result"]]
    assert texts == ["Свежее"]


# --- webhooks -----------------------------------------------------------------------------------


@pytest.fixture
def webhook_receiver():
    """A local HTTP server standing for the bot's webhook: records requests; answers the statuses queued."""
    received: list[tuple[dict, dict]] = []
    statuses: list[int] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((dict(self.headers), json.loads(body)))
            self.send_response(statuses.pop(0) if statuses else 200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook", received, statuses
    server.shutdown()


def test_a_webhook_gets_updates_with_the_secret_header_and_get_updates_is_refused(
    client, world, webhook_receiver, django_capture_on_commit_callbacks
):
    url, received, _statuses = webhook_receiver
    body = call(client, world, "setWebhook", url=url, secret_token="s3cret_token-1")
    assert body == {"ok": True, "result": True, "description": "Webhook was set"}
    conflict = call(client, world, "getUpdates")
    assert conflict["error_code"] == 409
    assert conflict["description"].startswith("Conflict: can't use getUpdates method while webhook is active")
    with django_capture_on_commit_callbacks(execute=True):
        reader_message(reader=world.reader, chat=world.group, text="Вебхук?")
    headers, update = received[0]
    assert headers["X-Telegram-Bot-Api-Secret-Token"] == "s3cret_token-1"
    assert update["message"]["text"] == "Вебхук?"
    assert call(client, world, "getWebhookInfo")["result"]["pending_update_count"] == 0
    assert call(client, world, "setWebhook", url=url, secret_token="bad token!")["description"] == (
        "Bad Request: secret token contains unallowed characters"
    )
    assert call(client, world, "deleteWebhook")["description"] == "Webhook was deleted"
    assert call(client, world, "getUpdates")["result"] == []


def test_a_webhook_answering_non_2xx_is_retried_until_it_accepts(
    client, world, webhook_receiver, django_capture_on_commit_callbacks
):
    url, received, statuses = webhook_receiver
    call(client, world, "setWebhook", url=url)
    statuses.extend([500, 502])
    with django_capture_on_commit_callbacks(execute=True):
        reader_message(reader=world.reader, chat=world.group, text="Повторить")
    info = call(client, world, "getWebhookInfo")["result"]
    assert info["pending_update_count"] == 1
    assert info["last_error_message"] == "Wrong response from the webhook: 500 Internal Server Error"
    bot = TgBot.objects.get(pk=world.bot.pk)
    with pytest.raises(RuntimeError):  # the Huey task fails, so Huey retries it later
        tg_updates.deliver_webhook.call_local(bot.pk)  # 502
    tg_updates.deliver_webhook.call_local(bot.pk)
    assert [u["message"]["text"] for _, u in received] == ["Повторить"] * 3
    assert call(client, world, "getWebhookInfo")["result"]["pending_update_count"] == 0


def test_drop_pending_updates_forgets_what_waited(client, world):
    reader_message(reader=world.reader, chat=world.group, text="Старый вопрос")
    assert call(client, world, "deleteWebhook", drop_pending_updates="true")["description"] == (
        "Webhook is already deleted"
    )
    assert call(client, world, "getUpdates")["result"] == []


# --- faults -------------------------------------------------------------------------------------


def test_injected_rate_limit_and_server_errors(client, world):
    inject(network="telegram", kind=FaultKind.RATE_LIMIT, token=TOKEN, remaining=1, retry_after=7)
    body = send(client, world)
    assert body["parameters"] == {"retry_after": 7} and body["description"] == "Too Many Requests: retry after 7"
    inject(network="telegram", kind=FaultKind.SERVER_ERROR, place=world.channel.chat_id, remaining=1, status=502)
    assert send(client, world) == {"ok": False, "error_code": 502, "description": "Bad Gateway"}
    inject(network="telegram", kind=FaultKind.SERVER_ERROR, remaining=1)
    assert send(client, world)["description"] == "Internal Server Error"
    assert send(client, world)["ok"] is True
    assert TgMessage.objects.filter(chat=world.channel).count() == 1


def test_injected_token_revocation_and_lost_administrator_rights(client, world):
    inject(network="telegram", kind=FaultKind.LOSE_ADMIN, place=world.channel.chat_id, remaining=1)
    body = send(client, world)
    assert (body["error_code"], body["description"]) == (403, "Forbidden: bot is not a member of the channel chat")
    assert send(client, world)["error_code"] == 403  # the rights stay lost
    assert send(client, world, chat=world.group)["ok"] is True
    told = call(client, world, "getUpdates")["result"]
    change = next(u["my_chat_member"] for u in told if "my_chat_member" in u)
    assert change["chat"]["id"] == world.channel.chat_id
    assert (change["old_chat_member"]["status"], change["new_chat_member"]["status"]) == ("administrator", "left")
    assert change["new_chat_member"]["user"]["id"] == world.bot.user_id
    inject(network="telegram", kind=FaultKind.REVOKE_TOKEN, token=TOKEN, remaining=1)
    assert call(client, world, "getMe")["error_code"] == 401
    assert call(client, world, "getMe")["error_code"] == 401


def test_accept_then_time_out_stores_the_message_before_the_late_answer(client, world):
    inject(network="telegram", kind=FaultKind.ACCEPT_THEN_TIMEOUT, remaining=1, timeout_s=0.3)
    started = time.monotonic()
    body = send(client, world, "Принято, но ответ опоздал")
    assert time.monotonic() - started >= 0.3
    assert body["ok"] is True
    assert TgMessage.objects.filter(chat=world.channel, text="Принято, но ответ опоздал").count() == 1
    assert LedgerEntry.objects.filter(network="telegram", action="created", kind="message").count() == 1


def test_injected_latency_and_connection_reset(client, world):
    inject(network="telegram", kind=FaultKind.LATENCY, remaining=1, latency_ms=200)
    started = time.monotonic()
    assert call(client, world, "getMe")["ok"] is True
    assert time.monotonic() - started >= 0.2
    inject(network="telegram", kind=FaultKind.CONNECTION_RESET, remaining=1)
    with pytest.raises(ConnectionReset):
        client.get(world.url("getMe"))
    assert call(client, world, "getMe")["ok"] is True
