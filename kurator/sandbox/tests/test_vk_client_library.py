"""The sandbox VK driven by code we did not write: the `vk_api` package (11.10.1) from PyPI, against a
live server. vk_api hard-codes https://api.vk.ru/method/<name>, so its requests session carries a
transport adapter that sends that host's calls to the sandbox instead (networks.md §1.12)."""

from __future__ import annotations

import io
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
import requests
import vk_api
from requests.adapters import HTTPAdapter
from vk_api.bot_longpoll import VkBotEventType, VkBotLongPoll
from vk_api.exceptions import ApiError, ApiHttpError

from kurator.sandbox import vk_service
from kurator.sandbox.choices import FaultKind, Network
from kurator.sandbox.faults import inject
from kurator.sandbox.models import LedgerEntry, VkEvent, VkPost
from kurator.sandbox.tests.vk_setup import MP4, PNG, CallbackServer, VkWorld, make_vk_world

VK_HOST = "https://api.vk.ru/method/"


class SandboxRedirect(HTTPAdapter):
    """Rewrites vk_api's fixed VK address to the sandbox's, leaving everything else as sent."""

    def __init__(self, sandbox_method_url: str) -> None:
        super().__init__()
        self.sandbox_method_url = sandbox_method_url

    def send(self, request: requests.PreparedRequest, **kwargs):  # type: ignore[no-untyped-def]
        request.url = (request.url or "").replace(VK_HOST, self.sandbox_method_url, 1)
        kwargs.setdefault("timeout", 10)
        return super().send(request, **kwargs)


@pytest.fixture
def world(transactional_db) -> VkWorld:
    return make_vk_world()


@pytest.fixture
def session(live_server) -> Iterator[requests.Session]:
    http = requests.Session()
    http.mount("https://api.vk.ru/", SandboxRedirect(f"{live_server.url}/sandbox/vk/method/"))
    yield http
    http.close()


def vk_for(token: str, session: requests.Session) -> vk_api.VkApi:
    return vk_api.VkApi(token=token, session=session, api_version="5.199")


def test_vk_api_posts_to_a_sandbox_wall_and_reads_the_post_back(world, session):
    api = vk_for(world.user_token.token, session).get_api()

    posted = api.wall.post(owner_id=world.owner_id, from_group=1, message="Привет от vk_api")
    read = api.wall.getById(posts=f"{world.owner_id}_{posted['post_id']}")

    assert posted == {"post_id": 1}
    assert read["items"][0]["text"] == "Привет от vk_api"
    assert read["items"][0]["likes"]["count"] == 0
    assert read["items"][0]["views"]["count"] == 0


def test_vk_api_with_a_repeated_guid_gets_the_first_post_id_and_the_ledger_shows_one_post(world, session):
    api = vk_for(world.user_token.token, session).get_api()

    first = api.wall.post(owner_id=world.owner_id, message="Однажды", guid="pub-7-v1")
    again = api.wall.post(owner_id=world.owner_id, message="Однажды", guid="pub-7-v1")

    assert first == again
    assert VkPost.objects.count() == 1
    assert LedgerEntry.objects.filter(network=Network.VK, kind="post", key="pub-7-v1").count() == 1


def test_vk_api_sends_a_community_message(world, session):
    vk_service.receive_message(world.community, peer_id=world.reader.vk_id, text="Здравствуйте")
    api = vk_for(world.community_token.token, session).get_api()

    message_id = api.messages.send(peer_id=world.reader.vk_id, message="Добрый день!", random_id=4242)
    again = api.messages.send(peer_id=world.reader.vk_id, message="Добрый день!", random_id=4242)
    history = api.messages.getHistory(peer_id=world.reader.vk_id)

    assert message_id == again == 2
    assert history["count"] == 2


def test_vk_api_raises_api_error_6_when_the_rate_limit_is_injected(world, session):
    vk = vk_for(world.user_token.token, session)
    # vk_api's own handler sleeps and retries error 6 forever; without it the error reaches the caller.
    del vk.error_handlers[6]
    inject(network=Network.VK, kind=FaultKind.RATE_LIMIT, remaining=1)

    with pytest.raises(ApiError) as raised:
        vk.method("wall.post", {"owner_id": world.owner_id, "message": "x"})

    assert raised.value.code == 6
    assert raised.value.error["error_msg"] == "Too many requests per second"
    assert not VkPost.objects.exists()


def test_vk_api_retries_error_6_by_itself_and_then_succeeds(world, session):
    inject(network=Network.VK, kind=FaultKind.RATE_LIMIT, remaining=1)

    posted = vk_for(world.user_token.token, session).method("wall.post", {"owner_id": world.owner_id, "message": "x"})

    assert posted == {"post_id": 1}


def test_vk_api_sees_errors_5_and_27_as_api_errors(world, session):
    with pytest.raises(ApiError) as unknown:
        vk_for("nobody", session).method("wall.post", {"owner_id": world.owner_id, "message": "x"})
    with pytest.raises(ApiError) as wrong_kind:
        vk_for(world.community_token.token, session).method("wall.post", {"owner_id": world.owner_id, "message": "x"})

    assert unknown.value.code == 5
    assert wrong_kind.value.code == 27


def test_vk_api_sees_an_injected_server_error_as_an_http_error(world, session):
    inject(network=Network.VK, kind=FaultKind.SERVER_ERROR, remaining=1, status=502)

    with pytest.raises(ApiHttpError) as raised:
        vk_for(world.user_token.token, session).method("wall.post", {"owner_id": world.owner_id, "message": "x"})

    assert raised.value.response.status_code == 502


def test_an_injected_connection_reset_drops_the_connection_without_an_answer(world, session):
    inject(network=Network.VK, kind=FaultKind.CONNECTION_RESET, remaining=1)

    with pytest.raises(requests.exceptions.ConnectionError) as raised:
        vk_for(world.user_token.token, session).method("wall.post", {"owner_id": world.owner_id, "message": "x"})
    assert "without response" in str(raised.value)

    assert not VkPost.objects.exists()


def test_accept_then_timeout_leaves_the_post_created_while_the_client_gives_up(world, live_server):
    inject(network=Network.VK, kind=FaultKind.ACCEPT_THEN_TIMEOUT, remaining=1, timeout_s=1.0)
    started = time.monotonic()

    with pytest.raises(httpx.ReadTimeout):
        httpx.post(
            f"{live_server.url}/sandbox/vk/method/wall.post",
            data={
                "access_token": world.user_token.token,
                "v": "5.199",
                "owner_id": world.owner_id,
                "message": "x",
                "guid": "g",
            },
            timeout=0.3,
        )

    assert VkPost.objects.get().guid == "g"
    assert LedgerEntry.objects.filter(kind="post", key="g").count() == 1
    # Let the held answer finish before the live server and its database connection go away.
    time.sleep(max(0.0, 1.2 - (time.monotonic() - started)))


def test_vk_bot_long_poll_receives_a_readers_message(world, session):
    group = vk_for(world.community_token.token, session)
    longpoll = VkBotLongPoll(group, group_id=world.community.group_id, wait=3)
    received = []

    def poll() -> None:
        received.extend(longpoll.check())

    listener = threading.Thread(target=poll)
    started = time.monotonic()
    listener.start()
    time.sleep(0.5)  # the poll is now waiting on the server
    vk_service.receive_message(world.community, peer_id=world.reader.vk_id, text="Продлите, пожалуйста, книгу")
    listener.join(timeout=10)

    [event] = received
    assert event.type == VkBotEventType.MESSAGE_NEW
    assert event.message.text == "Продлите, пожалуйста, книгу"
    assert event.from_user and event.group_id == world.community.group_id
    assert time.monotonic() - started < 3  # answered when the event came, not at the end of the wait


def test_vk_bot_long_poll_renews_an_expired_key_and_keeps_its_place(world, session):
    group = vk_for(world.community_token.token, session)
    longpoll = VkBotLongPoll(group, group_id=world.community.group_id, wait=0)
    vk_service.rotate_longpoll_key(world.community)
    vk_service.receive_message(world.community, peer_id=world.reader.vk_id, text="После смены ключа")

    first = longpoll.check()  # failed 2: vk_api asks for a new key, keeping ts
    second = longpoll.check()

    assert first == []
    assert [event.message.text for event in second] == ["После смены ключа"]


def test_vk_upload_puts_a_photo_on_the_wall(world, session, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    vk = vk_for(world.user_token.token, session)
    cover = io.BytesIO(PNG)
    cover.name = "cover.png"

    [photo] = vk_api.VkUpload(vk).photo_wall(cover, group_id=world.community.group_id)
    posted = vk.method(
        "wall.post",
        {"owner_id": world.owner_id, "message": "С фото", "attachments": f"photo{photo['owner_id']}_{photo['id']}"},
    )
    [item] = vk.method("wall.getById", {"posts": f"{world.owner_id}_{posted['post_id']}"})["items"]

    assert (photo["owner_id"], photo["id"]) == (world.owner_id, 1)
    assert item["attachments"][0]["photo"]["sizes"][0]["url"].startswith("http://")


def test_vk_upload_puts_a_community_video_on_the_wall(world, session, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    vk = vk_for(world.user_token.token, session)
    clip = io.BytesIO(MP4)
    clip.name = "clip.mp4"

    video = vk_api.VkUpload(vk).video(clip, name="Экскурсия", group_id=world.community.group_id, wallpost=0)
    posted = vk.method(
        "wall.post",
        {
            "owner_id": world.owner_id,
            "message": "С видео",
            "attachments": f"video{video['owner_id']}_{video['video_id']}",
        },
    )
    [item] = vk.method("wall.getById", {"posts": f"{world.owner_id}_{posted['post_id']}"})["items"]

    assert (video["owner_id"], video["video_id"], video["size"]) == (world.owner_id, 1, len(MP4))
    assert item["attachments"][0]["type"] == "video"
    assert (item["attachments"][0]["video"]["title"], item["attachments"][0]["video"]["duration"]) == ("Экскурсия", 3)


def test_a_message_sent_through_the_api_reaches_the_callback_server(world, session):
    callback = CallbackServer()
    try:
        world.community.callback_url = callback.url
        world.community.callback_secret = "s3cret"
        world.community.save()

        vk_for(world.community_token.token, session).method(
            "messages.send", {"peer_id": world.reader.vk_id, "message": "Ответ библиотеки", "random_id": 1}
        )
    finally:
        callback.close()

    [body] = callback.received
    assert (body["type"], body["object"]["text"], body["secret"]) == ("message_reply", "Ответ библиотеки", "s3cret")
    assert body["event_id"] == VkEvent.objects.get().event_id
    assert VkEvent.objects.get().delivered_at is not None
