"""The VK adapter against the built-in sandbox VK (R-PUB-2, R-PUB-4, R-PUB-5): what a post becomes on
the wall, and how each failure VK can answer reaches the publisher as transient, permanent or ambiguous."""

from __future__ import annotations

import time

import httpx
import pytest
import time_machine
from django.utils import translation

from kurator.networks.errors import AmbiguousError, PermanentError, TransientError
from kurator.networks.http import use_transport
from kurator.networks.tests.conftest import IMPATIENT
from kurator.networks.vk.client import VK_API_VERSION, VkClient, check_vk_token, wall_post_url
from kurator.sandbox import vk_core
from kurator.sandbox.choices import FaultKind, Network
from kurator.sandbox.faults import inject
from kurator.sandbox.models import LedgerEntry, VkPost, VkVideo
from kurator.sandbox.tests.vk_setup import MP4, PNG, VkWorld, make_vk_world

SANDBOX_VK = "http://testserver/sandbox/vk/method"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def lifted_rate_limit(monkeypatch):
    """The sandbox counts 3 requests a second per user token; most tests are about something else."""
    monkeypatch.setitem(vk_core.REQUESTS_PER_SECOND, "user", 1000)


@pytest.fixture
def world(db) -> VkWorld:
    return make_vk_world()


@pytest.fixture
def vk(world, in_process, lifted_rate_limit):
    with VkClient(base_url=SANDBOX_VK, token=world.user_token.token) as client:
        yield client


@pytest.fixture
def live_world(transactional_db) -> VkWorld:
    return make_vk_world()


@pytest.fixture
def live_vk(live_world, live_server, lifted_rate_limit):
    with VkClient(
        base_url=f"{live_server.url}/sandbox/vk/method", token=live_world.user_token.token, timeout=IMPATIENT
    ) as client:
        yield client


def client_for(token: str) -> VkClient:
    return VkClient(base_url=SANDBOX_VK, token=token)


# --- publishing -----------------------------------------------------------------------------------


def test_posting_to_a_community_returns_the_post_id_and_the_sandbox_keeps_one_post(vk, world):
    post_id = vk.wall_post(group_id=7001, message="Новинки недели", guid="pub-1-v1")

    post = VkPost.objects.get()
    assert post_id == post.post_id == 1
    assert (post.text, post.from_id, post.guid) == ("Новинки недели", -7001, "pub-1-v1")
    assert LedgerEntry.objects.filter(network=Network.VK, kind="post", key="pub-1-v1").count() == 1
    assert wall_post_url(7001, post_id) == "https://vk.com/wall-7001_1"


def test_a_repeated_guid_returns_the_first_post_id_and_creates_nothing(vk, world):
    first = vk.wall_post(group_id=7001, message="Однажды", guid="pub-2-v1")
    again = vk.wall_post(group_id=7001, message="Однажды", guid="pub-2-v1")

    assert first == again
    assert VkPost.objects.count() == 1
    assert LedgerEntry.objects.filter(kind="post").count() == 1


def test_an_uploaded_photo_becomes_an_attachment_that_the_post_carries(vk, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path

    attachment = vk.upload_wall_photo(group_id=7001, filename="cover.png", data=PNG, content_type="image/png")
    post_id = vk.wall_post(group_id=7001, message="С обложкой", attachments=[attachment], guid="pub-3-v1")
    [item] = vk.wall_get(group_id=7001)

    assert attachment == "photo-7001_1"
    assert VkPost.objects.get(post_id=post_id).attachments == attachment
    assert item["id"] == post_id
    assert item["attachments"][0]["type"] == "photo"
    assert (item["attachments"][0]["photo"]["owner_id"], item["attachments"][0]["photo"]["id"]) == (-7001, 1)


def test_an_uploaded_video_becomes_an_attachment_that_the_post_carries_next_to_a_photo(vk, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path

    video = vk.upload_wall_video(
        group_id=7001, filename="clip.mp4", data=MP4, content_type="video/mp4", name="Экскурсия по залу"
    )
    photo = vk.upload_wall_photo(group_id=7001, filename="cover.png", data=PNG, content_type="image/png")
    post_id = vk.wall_post(group_id=7001, message="Смотрите", attachments=[photo, video], guid="pub-5-v1")
    [item] = vk.wall_get(group_id=7001)

    assert video == "video-7001_1"
    stored = VkVideo.objects.get()
    assert (stored.title, stored.size, stored.duration) == ("Экскурсия по залу", len(MP4), 3)
    assert VkPost.objects.get(post_id=post_id).attachments == f"{photo},{video}"
    assert [a["type"] for a in item["attachments"]] == ["photo", "video"]
    assert (item["attachments"][1]["video"]["owner_id"], item["attachments"][1]["video"]["id"]) == (-7001, 1)


def test_the_video_upload_sends_video_save_with_wallpost_0_then_the_file_as_video_file(world):
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path.endswith("video.save"):
            return httpx.Response(
                200,
                json={
                    "response": {
                        "upload_url": "https://vu.mycdn.me/upload.do?id=77",
                        "video_id": 456239017,
                        "owner_id": -7001,
                        "title": "Экскурсия",
                        "access_key": "ab12",
                    }
                },
            )
        return httpx.Response(200, json={"size": 248, "video_id": 456239017, "owner_id": -7001, "video_hash": "f00d"})

    with use_transport(httpx.MockTransport(answer)), VkClient(base_url="https://api.vk.ru/method", token="T") as vk:
        attachment = vk.upload_wall_video(
            group_id=7001, filename="clip.mp4", data=MP4, content_type="video/mp4", name="Экскурсия"
        )

    save, upload = seen
    body = httpx.QueryParams(save.content.decode())
    assert (body["group_id"], body["name"], body["wallpost"]) == ("7001", "Экскурсия", "0")
    assert str(upload.url) == "https://vu.mycdn.me/upload.do?id=77"
    assert b'name="video_file"; filename="clip.mp4"' in upload.content
    assert attachment == "video-7001_456239017"


def test_an_upload_server_that_refuses_the_video_is_a_permanent_error(world):
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("video.save"):
            return httpx.Response(
                200, json={"response": {"upload_url": "https://vu.mycdn.me/up", "video_id": 1, "owner_id": -7001}}
            )
        return httpx.Response(200, json={"error": "invalid file"})

    with (
        use_transport(httpx.MockTransport(answer)),
        VkClient(base_url="https://api.vk.ru/method", token="T") as vk,
        pytest.raises(PermanentError) as raised,
    ):
        vk.upload_wall_video(group_id=7001, filename="a.mp4", data=MP4, content_type="video/mp4", name="x")

    assert (raised.value.method, raised.value.message) == ("video.upload", "invalid file")


def test_a_lost_answer_to_video_save_is_only_transient_it_posts_nothing(world):
    def answer(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    with (
        use_transport(httpx.MockTransport(answer)),
        VkClient(base_url="https://api.vk.ru/method", token="T") as vk,
        pytest.raises(TransientError),
    ):
        vk.upload_wall_video(group_id=7001, filename="a.mp4", data=MP4, content_type="video/mp4", name="x")


def test_a_video_in_a_community_the_token_does_not_administer_is_refused_as_a_token_problem(vk, world):
    with pytest.raises(PermanentError) as raised:
        vk.upload_wall_video(group_id=7002, filename="a.mp4", data=MP4, content_type="video/mp4", name="x")

    assert (raised.value.code, raised.value.token_problem, raised.value.method) == (15, True, "video.save")
    assert not VkVideo.objects.exists()


def test_a_postponed_post_waits_on_vk_and_an_edit_and_a_delete_reach_the_wall(vk, world):
    tomorrow = int(time.time()) + 86400
    post_id = vk.wall_post(group_id=7001, message="Завтра", guid="pub-4-v1", publish_date=tomorrow)
    vk.wall_edit(group_id=7001, post_id=post_id, message="Завтра, в 10:00", publish_date=tomorrow + 3600)

    post = VkPost.objects.get()
    assert post.postponed and post.text == "Завтра, в 10:00"
    assert [item["post_type"] for item in vk.wall_get(group_id=7001, filter="postponed")] == ["postpone"]

    vk.wall_delete(group_id=7001, post_id=post_id)

    assert VkPost.objects.get().deleted_at is not None
    assert vk.wall_get(group_id=7001) == []


def test_the_community_is_found_by_id_or_short_address_and_shows_the_token_is_an_administrator(vk, world):
    by_id = vk.group(7001)
    by_name = vk.group("gaidar_lib")

    assert by_id["id"] == by_name["id"] == 7001
    assert by_id["screen_name"] == "gaidar_lib"
    assert by_id["is_admin"] == 1
    assert vk.group(7002)["is_admin"] == 0


def test_every_call_names_api_5_199_and_carries_the_token_in_the_form_body(world):
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"response": {"post_id": 9}})

    with use_transport(httpx.MockTransport(answer)), VkClient(base_url="https://api.vk.ru/method", token="T") as vk:
        vk.wall_post(group_id=7001, message="x", attachments=["photo-7001_1", "photo-7001_2"], guid="g")

    [request] = seen
    assert request.url == "https://api.vk.ru/method/wall.post"
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    body = httpx.QueryParams(request.content.decode())
    assert body["v"] == VK_API_VERSION and body["access_token"] == "T"
    assert (body["owner_id"], body["from_group"], body["attachments"]) == ("-7001", "1", "photo-7001_1,photo-7001_2")
    assert "publish_date" not in body


# --- VK's errors ----------------------------------------------------------------------------------


def test_a_revoked_token_is_permanent_error_5_and_a_token_problem(vk, world):
    inject(network=Network.VK, kind=FaultKind.REVOKE_TOKEN, token=world.user_token.token, remaining=1)

    with pytest.raises(PermanentError) as raised:
        vk.wall_post(group_id=7001, message="x", guid="g")

    assert (raised.value.code, raised.value.token_problem) == (5, True)
    assert raised.value.message == "User authorization failed: user revoke access for this token."
    assert raised.value.kind == "permanent"
    assert not VkPost.objects.exists()


def test_a_community_token_cannot_post_error_27_is_a_token_problem(world, in_process):
    with client_for(world.community_token.token) as vk, pytest.raises(PermanentError) as raised:
        vk.wall_post(group_id=7001, message="x", guid="g")

    assert (raised.value.code, raised.value.token_problem) == (27, True)
    assert raised.value.message.startswith("Group authorization failed")


def test_lost_administrator_rights_are_error_15_and_a_token_problem(vk, world):
    inject(network=Network.VK, kind=FaultKind.LOSE_ADMIN, token=world.user_token.token, place=7001, remaining=1)

    with pytest.raises(PermanentError) as raised:
        vk.wall_post(group_id=7001, message="x", guid="g")

    assert (raised.value.code, raised.value.message, raised.value.token_problem) == (15, "Access denied", True)


def test_an_injected_rate_limit_is_transient_error_6(vk, world):
    inject(network=Network.VK, kind=FaultKind.RATE_LIMIT, remaining=1)

    with pytest.raises(TransientError) as raised:
        vk.wall_post(group_id=7001, message="x", guid="g")

    assert (raised.value.code, raised.value.token_problem, raised.value.retry_after) == (6, False, None)
    assert vk.wall_post(group_id=7001, message="x", guid="g") == 1  # the next second, it goes through


def test_a_fourth_request_in_one_second_on_a_user_token_is_transient_error_6(world, in_process):
    with time_machine.travel("2026-03-02 10:00:00 +0300", tick=False), client_for(world.user_token.token) as vk:
        for _ in range(3):
            vk.wall_get(group_id=7001)
        with pytest.raises(TransientError) as raised:
            vk.wall_get(group_id=7001)

    assert raised.value.code == 6
    assert raised.value.message == "Too many requests per second"


def test_the_daily_cap_is_permanent_error_214_with_vks_words(vk, world):
    world.community.daily_post_cap = 1
    world.community.save()
    vk.wall_post(group_id=7001, message="Первый", guid="g1")

    with pytest.raises(PermanentError) as raised:
        vk.wall_post(group_id=7001, message="Второй", guid="g2")

    assert raised.value.code == 214
    assert "1 posts a day" in raised.value.message
    assert not raised.value.token_problem


def test_a_captcha_is_permanent_error_14_because_a_person_must_solve_it(vk, world):
    inject(network=Network.VK, kind=FaultKind.CAPTCHA, remaining=1)

    with pytest.raises(PermanentError) as raised:
        vk.wall_post(group_id=7001, message="x", guid="g")

    assert (raised.value.code, raised.value.message, raised.value.token_problem) == (14, "Captcha needed", False)


def test_an_invalid_parameter_is_permanent_error_100_and_not_a_token_problem(vk, world):
    with pytest.raises(PermanentError) as raised:
        vk.wall_post(group_id=7001, message="   ", guid="g")

    assert raised.value.code == 100
    assert not raised.value.token_problem


def test_an_injected_server_error_is_transient_with_the_http_status(vk, world):
    inject(network=Network.VK, kind=FaultKind.SERVER_ERROR, remaining=1, status=502)

    with pytest.raises(TransientError) as raised:
        vk.wall_post(group_id=7001, message="x", guid="g")

    assert raised.value.code == 502
    assert not VkPost.objects.exists()


def test_an_unreadable_answer_to_a_post_is_ambiguous_and_to_a_read_transient():
    def proxy_page(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, text="<html>Проверка браузера…</html>")

    with use_transport(httpx.MockTransport(proxy_page)), VkClient(base_url="https://api.vk.ru/method", token="T") as vk:
        with pytest.raises(AmbiguousError):
            vk.wall_post(group_id=1, message="x", guid="g")
        with pytest.raises(TransientError):
            vk.wall_get(group_id=1)


def test_a_wrong_base_url_is_permanent_whether_redirected_or_not_found():
    def elsewhere(request: httpx.Request) -> httpx.Response:
        if request.url.host == "vk.example":
            return httpx.Response(301, headers={"location": "https://api.vk.ru/method/wall.post"})
        return httpx.Response(404, text="<h1>Not Found</h1>")

    with use_transport(httpx.MockTransport(elsewhere)):
        for base_url, status in (("http://vk.example/method", 301), ("https://proxy.example/vk", 404)):
            with VkClient(base_url=base_url, token="T") as vk, pytest.raises(PermanentError) as raised:
                vk.wall_post(group_id=1, message="x", guid="g")
            assert raised.value.code == status


# --- the wire: answers that never come, connections that drop -------------------------------------


def test_an_answer_that_never_comes_after_the_post_was_made_is_ambiguous(live_vk, live_world, held_answer):
    inject(network=Network.VK, kind=FaultKind.ACCEPT_THEN_TIMEOUT, remaining=1, timeout_s=held_answer)

    with pytest.raises(AmbiguousError) as raised:
        live_vk.wall_post(group_id=7001, message="Дошло?", guid="pub-5-v1")

    assert raised.value.message.startswith("ReadTimeout")
    assert raised.value.code is None
    assert VkPost.objects.get().guid == "pub-5-v1"  # VK did make it
    # The guid is what makes a resend safe: VK answers with the post it already has.
    assert live_vk.wall_post(group_id=7001, message="Дошло?", guid="pub-5-v1") == VkPost.objects.get().post_id
    assert VkPost.objects.count() == 1


def test_the_same_lost_answer_on_a_read_is_only_transient(live_vk, live_world, held_answer):
    inject(network=Network.VK, kind=FaultKind.ACCEPT_THEN_TIMEOUT, remaining=1, timeout_s=held_answer)

    with pytest.raises(TransientError) as raised:
        live_vk.wall_get(group_id=7001)

    assert raised.value.message.startswith("ReadTimeout")


def test_a_connection_reset_after_sending_a_post_is_ambiguous_and_on_a_read_transient(live_vk, live_world):
    inject(network=Network.VK, kind=FaultKind.CONNECTION_RESET, remaining=2)

    with pytest.raises(AmbiguousError):
        live_vk.wall_post(group_id=7001, message="x", guid="g")
    with pytest.raises(TransientError):
        live_vk.wall_get(group_id=7001)


def test_a_network_that_cannot_be_reached_is_transient_even_for_a_post(closed_port):
    with (
        VkClient(base_url=f"http://127.0.0.1:{closed_port}/method", token="secret-token") as vk,
        pytest.raises(TransientError) as raised,
    ):
        vk.wall_post(group_id=7001, message="x", guid="g")

    assert raised.value.message.startswith("ConnectError")
    assert "secret-token" not in str(raised.value)


# --- checking a token before a post is due (R-PUB-4) ----------------------------------------------


def test_an_administrators_token_passes_the_check(vk, world):
    assert check_vk_token(vk, 7001) is None


def test_a_revoked_token_fails_the_check_with_vks_words(vk, world):
    inject(network=Network.VK, kind=FaultKind.REVOKE_TOKEN, token=world.user_token.token, remaining=1)

    assert check_vk_token(vk, 7001) == "User authorization failed: user revoke access for this token."


def test_a_token_whose_owner_lost_administrator_rights_fails_the_check(vk, world):
    inject(network=Network.VK, kind=FaultKind.LOSE_ADMIN, token=world.user_token.token, place=7001, remaining=1)

    assert check_vk_token(vk, 7001) == "The token's owner is not an administrator of this VK community."


def test_a_community_token_fails_the_check_because_vk_posts_only_with_a_user_token(world, in_process):
    with client_for(world.community_token.token) as vk:
        problem = check_vk_token(vk, 7001)

    assert problem is not None and problem.startswith("Group authorization failed")


def test_an_unknown_community_fails_the_check(vk, world):
    problem = check_vk_token(vk, 999999)

    assert problem is not None and "group_ids" in problem
