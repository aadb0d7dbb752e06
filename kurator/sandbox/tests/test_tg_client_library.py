"""The sandbox's Telegram driven by code we did not write: python-telegram-bot 22 against a live server,
pointed at the sandbox with base_url / base_file_url exactly as a deployment would (networks.md §2.6)."""

from __future__ import annotations

import asyncio
import http.server
import json
import threading
import time
import warnings
from datetime import timedelta

import httpx
import pytest
import telegram
from telegram.error import BadRequest, Forbidden, InvalidToken, RetryAfter

from kurator.sandbox.choices import FaultKind
from kurator.sandbox.faults import inject
from kurator.sandbox.models import LedgerEntry, TgMessage
from kurator.sandbox.tests.tg_world import TOKEN, build_tg_world
from kurator.sandbox.tests.vk_setup import MP4
from kurator.sandbox.tg_service import comment_target, reader_message

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


@pytest.fixture
def world(live_server, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return build_tg_world()


def make_bot(live_server, token: str = TOKEN) -> telegram.Bot:
    return telegram.Bot(
        token,
        base_url=live_server.url + "/sandbox/telegram/bot",
        base_file_url=live_server.url + "/sandbox/telegram/file/bot",
    )


def test_python_telegram_bot_posts_formats_uploads_and_deletes(live_server, world):
    channel = world.channel.chat_id

    async def scenario() -> dict:
        seen: dict = {}
        async with make_bot(live_server) as bot:
            me = await bot.get_me()
            seen["me"] = (me.id, me.is_bot, me.username)
            message = await bot.send_message(channel, "<b>Новинки</b> 👍 <i>недели</i>", parse_mode="HTML")
            seen["text"] = message.text
            seen["entities"] = [(e.type, e.offset, e.length) for e in message.entities]
            seen["sender_chat"] = message.sender_chat.id
            with pytest.raises(BadRequest) as too_long:
                await bot.send_message(channel, "я" * 4097)
            seen["too_long"] = too_long.value.message
            with pytest.raises(BadRequest) as bad_markup:
                await bot.send_message(channel, "Часы: 10-18", parse_mode="MarkdownV2")
            seen["bad_markup"] = bad_markup.value.message
            photo = await bot.send_photo(channel, PNG, caption="Обложка")
            seen["caption"] = photo.caption
            tg_file = await bot.get_file(photo.photo[-1].file_id)
            seen["downloaded"] = bytes(await tg_file.download_as_bytearray())
            album = await bot.send_media_group(
                channel, [telegram.InputMediaPhoto(PNG, caption="Выставка"), telegram.InputMediaPhoto(PNG)]
            )
            seen["album"] = [(m.media_group_id, m.caption) for m in album]
            seen["deleted"] = await bot.delete_message(channel, message.message_id)
            chat = await bot.get_chat(channel)
            seen["linked"] = chat.linked_chat_id
            seen["members"] = await bot.get_chat_member_count(channel)
            rights = await bot.get_chat_member(channel, me.id)
            seen["rights"] = (rights.status, rights.can_post_messages)
            seen["admins"] = [a.status for a in await bot.get_chat_administrators(channel)]
        return seen

    seen = asyncio.run(scenario())
    assert seen["me"] == (123456, True, "library_sandbox_bot")
    assert seen["text"] == "Новинки 👍 недели"
    assert seen["entities"] == [("bold", 0, 7), ("italic", 11, 6)]  # 👍 counts as two UTF-16 units
    assert seen["sender_chat"] == channel
    assert seen["too_long"] == "Message is too long"  # PTB strips "Bad Request: " and capitalizes
    assert seen["bad_markup"].startswith("Can't parse entities: character '-' is reserved")
    assert seen["caption"] == "Обложка"
    assert seen["downloaded"] == PNG
    assert len(seen["album"]) == 2 and seen["album"][0][0] == seen["album"][1][0]
    assert seen["album"][0][1] == "Выставка"
    assert seen["deleted"] is True
    assert seen["linked"] == world.group.chat_id
    assert seen["members"] == 1520
    assert seen["rights"] == ("administrator", True)
    assert seen["admins"] == ["creator", "administrator"]
    kinds = list(LedgerEntry.objects.filter(place=str(channel)).values_list("action", flat=True).order_by("id"))
    assert kinds == ["created"] * 4 + ["deleted"]


def test_python_telegram_bot_sends_a_video_and_an_album_of_a_photo_and_a_video(live_server, world):
    channel = world.channel.chat_id

    async def scenario() -> dict:
        seen: dict = {}
        async with make_bot(live_server) as bot:
            message = await bot.send_video(channel, MP4, caption="<i>Экскурсия</i>", parse_mode="HTML")
            video = message.video
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # PTB 22 warns that duration becomes a timedelta
                duration = video.duration
            seen["video"] = (video.width, video.height, duration, video.mime_type, video.file_size)
            seen["caption"] = message.caption
            tg_file = await bot.get_file(video.file_id)
            seen["downloaded"] = bytes(await tg_file.download_as_bytearray())
            album = await bot.send_media_group(
                channel, [telegram.InputMediaPhoto(PNG, caption="Фото и видео"), telegram.InputMediaVideo(MP4)]
            )
            seen["album"] = [(bool(m.photo), m.video is not None, m.media_group_id) for m in album]
        return seen

    seen = asyncio.run(scenario())

    assert seen["video"] == (320, 240, 3, "video/mp4", len(MP4))
    assert seen["caption"] == "Экскурсия"
    assert seen["downloaded"] == MP4
    (photo, photo_video, group), (video_photo, video, same_group) = seen["album"]
    assert (photo, photo_video, video_photo, video) == (True, False, False, True)
    assert group == same_group


def test_python_telegram_bot_reads_comments_with_get_updates_and_honours_retry_after(live_server, world):
    bot_url = make_bot(live_server)

    async def post() -> int:
        async with make_bot(live_server) as bot:
            return (await bot.send_message(world.channel.chat_id, "Обсудим книгу месяца?")).message_id

    post_id = asyncio.run(post())
    forward = comment_target(TgMessage.objects.get(chat=world.channel, message_id=post_id))
    reader_message(reader=world.reader, chat=world.group, text="Я за «Мастера и Маргариту»", reply_to=forward)

    async def read() -> dict:
        seen: dict = {}
        async with bot_url as bot:
            updates = await bot.get_updates(timeout=1)
            seen["first"] = [(u.update_id, u.message.is_automatic_forward, u.message.text) for u in updates]
            comment = updates[-1].message
            seen["reply_to"] = comment.reply_to_message.message_id
            seen["author"] = comment.from_user.first_name
            again = await bot.get_updates(offset=updates[-1].update_id + 1, timeout=0)
            seen["after_offset"] = again
        return seen

    seen = asyncio.run(read())
    assert [text for _, _, text in seen["first"]] == ["Обсудим книгу месяца?", "Я за «Мастера и Маргариту»"]
    assert seen["first"][0][1] is True  # the automatic forward of the post into the discussion group
    assert seen["reply_to"] == forward.message_id
    assert seen["author"] == "Анна Петрова"
    assert seen["after_offset"] == ()

    inject(network="telegram", kind=FaultKind.RATE_LIMIT, remaining=1, retry_after=9, method="sendMessage")

    async def limited() -> dict:
        seen: dict = {}
        async with make_bot(live_server) as bot:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # PTB 22 warns that retry_after becomes a timedelta
                with pytest.raises(RetryAfter) as retry:
                    await bot.send_message(world.channel.chat_id, "Сразу")
                seen["retry_after"] = retry.value.retry_after
            await asyncio.to_thread(
                inject, network="telegram", kind=FaultKind.LOSE_ADMIN, place=world.channel.chat_id, remaining=1
            )
            with pytest.raises(Forbidden) as forbidden:
                await bot.send_message(world.channel.chat_id, "Без прав")
            seen["forbidden"] = forbidden.value.message
            told = [u.my_chat_member for u in await bot.get_updates() if u.my_chat_member]
            seen["told"] = [(m.old_chat_member.status, m.new_chat_member.status, m.chat.id) for m in told]
        return seen

    seen = asyncio.run(limited())
    assert seen["retry_after"] in (9, timedelta(seconds=9))
    assert seen["forbidden"] == "Forbidden: bot is not a member of the channel chat"
    assert seen["told"] == [("administrator", "left", world.channel.chat_id)]  # my_chat_member, parsed by PTB


def test_python_telegram_bot_sees_an_unknown_token_as_invalid(live_server, world):
    async def scenario() -> None:
        async with make_bot(live_server, "42:not-a-real-token"):
            pass

    with pytest.raises(InvalidToken):
        asyncio.run(scenario())


def test_an_injected_connection_reset_reaches_the_client_as_a_transport_error(live_server, world):
    inject(network="telegram", kind=FaultKind.CONNECTION_RESET, remaining=1)
    with pytest.raises(httpx.TransportError):
        httpx.post(f"{live_server.url}/sandbox/telegram/bot{TOKEN}/getMe", timeout=5)
    assert httpx.post(f"{live_server.url}/sandbox/telegram/bot{TOKEN}/getMe", timeout=5).json()["ok"] is True


def _poll(url: str, results: list, **params: object) -> None:
    started = time.monotonic()
    response = httpx.post(url, json=params, timeout=15)
    results.append((time.monotonic() - started, response.status_code, response.json()))


def test_a_long_poll_returns_as_soon_as_an_update_arrives_and_a_second_poller_ends_the_first(live_server, world):
    url = f"{live_server.url}/sandbox/telegram/bot{TOKEN}/getUpdates"
    results: list = []
    waiting = threading.Thread(target=_poll, args=(url, results), kwargs={"timeout": 10})
    waiting.start()
    time.sleep(0.6)
    reader_message(reader=world.reader, chat=world.group, text="Есть кто?")
    waiting.join(timeout=10)
    elapsed, status, body = results[0]
    assert status == 200 and body["result"][0]["message"]["text"] == "Есть кто?"
    assert 0.5 < elapsed < 7  # woke soon after the update, before the 10 s timeout (slack for busy machines)

    confirm = body["result"][0]["update_id"] + 1
    first = threading.Thread(target=_poll, args=(url, results), kwargs={"timeout": 10, "offset": confirm})
    first.start()
    time.sleep(0.6)
    _poll(url, results, timeout=0, offset=confirm)
    first.join(timeout=10)
    # Both answers come within a poll step of each other, in either order.
    first_answer = next(r for r in results[1:] if r[1] == 409)
    second_answer = next(r for r in results[1:] if r[1] == 200)
    assert second_answer[1:] == (200, {"ok": True, "result": []})
    assert first_answer[1] == 409
    assert first_answer[2]["description"].startswith("Conflict: terminated by other getUpdates request")


def test_a_live_webhook_receives_channel_discussion_updates_with_the_secret_header(live_server, world):
    received: list = []

    class Hook(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((self.headers.get("X-Telegram-Bot-Api-Secret-Token"), json.loads(body)))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    try:

        async def scenario() -> None:
            async with make_bot(live_server) as bot:
                assert await bot.set_webhook(f"http://127.0.0.1:{server.server_address[1]}/tg", secret_token="hook-1")
                await bot.send_message(world.channel.chat_id, "Пост с обсуждением")
                info = await bot.get_webhook_info()
                assert info.pending_update_count == 0

        asyncio.run(scenario())
    finally:
        server.shutdown()
    assert [secret for secret, _ in received] == ["hook-1"]
    update = received[0][1]["message"]
    assert update["is_automatic_forward"] is True and update["text"] == "Пост с обсуждением"
