"""The sandbox VK as a client sees it over HTTP (Django's test client): envelopes, tokens, limits,
idempotency keys, postponed posts, uploads, the Bots Long Poll, the Callback API, faults and the ledger."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from kurator.sandbox import vk_core, vk_events, vk_service
from kurator.sandbox.choices import FaultKind, Network, VkTokenKind
from kurator.sandbox.connection import ConnectionReset
from kurator.sandbox.faults import inject
from kurator.sandbox.models import LedgerEntry, VkBan, VkEvent, VkPost, VkToken, VkVideo
from kurator.sandbox.tests.vk_setup import ADMIN_VK_ID, MP4, PNG, CallbackServer, VkWorld, make_vk_world


@pytest.fixture
def world(db) -> VkWorld:
    return make_vk_world()


@pytest.fixture(autouse=True)
def generous_rate_limits(monkeypatch):
    """Most tests make many calls in one second; the rate-limit tests put VK's real figures back."""
    monkeypatch.setattr(vk_core, "REQUESTS_PER_SECOND", {VkTokenKind.USER: 1000, VkTokenKind.COMMUNITY: 1000})


@pytest.fixture
def vk_rate_limits(monkeypatch):
    monkeypatch.setattr(vk_core, "REQUESTS_PER_SECOND", {VkTokenKind.USER: 3, VkTokenKind.COMMUNITY: 20})


def vk(client: Client, method: str, token: VkToken | str | None, **params: Any) -> dict[str, Any]:
    """A call as vk_api makes it: POST form body with v and access_token."""
    data = {key: str(value) for key, value in params.items()}
    data.setdefault("v", "5.199")
    if token is not None:
        data["access_token"] = token.token if isinstance(token, VkToken) else token
    answer = client.post(f"/sandbox/vk/method/{method}", data)
    assert answer.status_code == 200, answer.content
    return answer.json()


def error_code(answer: dict[str, Any]) -> int | None:
    return answer.get("error", {}).get("error_code")


def post(client: Client, world: VkWorld, **params: Any) -> dict[str, Any]:
    params.setdefault("owner_id", world.owner_id)
    params.setdefault("from_group", 1)
    return vk(client, "wall.post", world.user_token, **params)


def ledger(kind: str, action: str = "created") -> list[LedgerEntry]:
    return list(LedgerEntry.objects.filter(network=Network.VK, kind=kind, action=action))


# --- Envelopes and parameters ---------------------------------------------------------------------


def test_wall_post_answers_the_post_id_and_the_ledger_witnesses_the_new_post(client, world):
    answer = post(client, world, message="Новые поступления недели")

    assert answer == {"response": {"post_id": 1}}
    [entry] = ledger("post")
    assert (entry.place, entry.object_id, entry.actor) == ("-7001", "1", "vk1.a.…")
    assert VkPost.objects.get().from_id == -7001


def test_parameters_from_the_query_string_and_the_form_body_are_merged(client, world):
    answer = client.post(
        f"/sandbox/vk/method/wall.post?v=5.199&access_token={world.user_token.token}",
        {"owner_id": world.owner_id, "message": "Из тела запроса"},
    ).json()

    assert answer == {"response": {"post_id": 1}}
    assert VkPost.objects.get().text == "Из тела запроса"


def test_multipart_bodies_are_read_like_forms(client, world):
    answer = client.post(
        "/sandbox/vk/method/wall.post",
        {"owner_id": str(world.owner_id), "message": "multipart", "access_token": world.user_token.token},
        format="multipart",
    ).json()

    assert answer["response"]["post_id"] == 1


def test_get_requests_work_like_post_requests(client, world):
    post(client, world, message="Пост")
    answer = client.get(
        "/sandbox/vk/method/wall.getById",
        {"posts": "-7001_1", "v": "5.199", "access_token": world.user_token.token},
    ).json()

    assert answer["response"]["items"][0]["text"] == "Пост"


def test_the_token_may_come_in_an_authorization_bearer_header(client, world):
    answer = client.post(
        "/sandbox/vk/method/wall.post",
        {"owner_id": world.owner_id, "message": "С заголовком", "v": "5.199"},
        headers={"Authorization": f"Bearer {world.user_token.token}"},
    ).json()

    assert answer == {"response": {"post_id": 1}}


def test_a_json_body_is_ignored_as_vk_ignores_it(client, world):
    body = {"owner_id": world.owner_id, "message": "JSON", "access_token": world.user_token.token, "v": "5.199"}
    without_token = client.post("/sandbox/vk/method/wall.post", body, content_type="application/json").json()
    with_token_in_query = client.post(
        f"/sandbox/vk/method/wall.post?access_token={world.user_token.token}", body, content_type="application/json"
    ).json()

    assert without_token["error"]["error_code"] == 5
    assert without_token["error"]["error_msg"] == "User authorization failed: no access_token passed."
    assert with_token_in_query["error"]["error_code"] == 100
    assert "owner_id" in with_token_in_query["error"]["error_msg"]
    assert not VkPost.objects.exists()


def test_an_unknown_method_is_error_3_and_method_names_are_case_sensitive(client, world):
    unknown = vk(client, "wall.postSomething", world.user_token, owner_id=world.owner_id)
    wrong_case = vk(client, "Wall.post", world.user_token, owner_id=world.owner_id, message="x")

    assert unknown["error"]["error_code"] == 3
    assert unknown["error"]["error_msg"] == "Unknown method passed."
    assert wrong_case["error"]["error_code"] == 3


def test_errors_echo_the_request_parameters_without_the_token(client, world):
    answer = vk(client, "wall.post", world.user_token, owner_id=world.owner_id)

    assert answer["error"]["error_code"] == 100
    assert answer["error"]["request_params"] == [
        {"key": "method", "value": "wall.post"},
        {"key": "oauth", "value": "1"},
        {"key": "v", "value": "5.199"},
        {"key": "owner_id", "value": "-7001"},
    ]
    assert world.user_token.token not in json.dumps(answer)


def test_a_call_without_v_is_accepted(client, world):
    answer = client.post(
        "/sandbox/vk/method/wall.post",
        {"owner_id": world.owner_id, "message": "Без версии", "access_token": world.user_token.token},
    ).json()

    assert answer == {"response": {"post_id": 1}}


def test_the_api_needs_no_csrf_token_and_no_kurator_login(world):
    strict = Client(enforce_csrf_checks=True)

    answer = strict.post(
        "/sandbox/vk/method/wall.post",
        {"owner_id": world.owner_id, "message": "Без CSRF", "access_token": world.user_token.token, "v": "5.199"},
    )

    assert answer.json() == {"response": {"post_id": 1}}


def test_api_errors_come_back_with_http_200(client, world):
    answer = client.post("/sandbox/vk/method/wall.post", {"v": "5.199"})

    assert answer.status_code == 200
    assert answer.json()["error"]["error_code"] == 5


# --- Tokens ---------------------------------------------------------------------------------------


def test_an_unknown_token_is_error_5_with_vks_wording(client, world):
    answer = vk(client, "wall.post", "not-a-token", owner_id=world.owner_id, message="x")

    assert answer["error"]["error_code"] == 5
    assert answer["error"]["error_msg"] == "User authorization failed: invalid access_token (4)."


def test_a_revoked_token_is_error_5_with_vks_wording(client, world):
    world.user_token.revoked_at = timezone.now()
    world.user_token.save()

    answer = post(client, world, message="x")

    assert answer["error"]["error_code"] == 5
    assert answer["error"]["error_msg"] == "User authorization failed: user revoke access for this token."
    assert not VkPost.objects.exists()


@pytest.mark.parametrize(
    "method",
    [
        "wall.post",
        "wall.edit",
        "wall.delete",
        "wall.get",
        "wall.getById",
        "wall.deleteComment",
        "groups.ban",
        "groups.unban",
        "photos.getWallUploadServer",
        "photos.saveWallPhoto",
        "video.save",
    ],
)
def test_user_only_methods_refuse_a_community_token_with_error_27(client, world, method):
    answer = vk(client, method, world.community_token, owner_id=world.owner_id, group_id=7001, posts="-7001_1")

    assert answer["error"]["error_code"] == 27
    assert answer["error"]["error_msg"] == "Group authorization failed: method is unavailable with group auth."


@pytest.mark.parametrize(
    "method",
    [
        "messages.send",
        "messages.getConversations",
        "messages.getHistory",
        "messages.markAsAnsweredConversation",
        "groups.getLongPollServer",
    ],
)
def test_community_methods_refuse_a_user_token_with_error_27(client, world, method):
    answer = vk(client, method, world.user_token, peer_id=800001, group_id=7001, message="x", random_id=1)

    assert answer["error"]["error_code"] == 27


def test_a_user_token_acts_only_on_communities_it_administers(client, world):
    answer = vk(client, "wall.post", world.user_token, owner_id=world.other.owner_id, message="Чужая стена")

    assert answer["error"]["error_code"] == 15
    assert answer["error"]["error_msg"] == "Access denied"
    assert not VkPost.objects.exists()


# --- Limits ---------------------------------------------------------------------------------------


def test_a_user_token_gets_error_6_beyond_three_requests_a_second(client, world, vk_rate_limits):
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, 0, 100000, tzinfo=UTC), tick=False):
        answers = [vk(client, "wall.get", world.user_token, owner_id=world.owner_id) for _ in range(4)]
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, 1, 100000, tzinfo=UTC), tick=False):
        next_second = vk(client, "wall.get", world.user_token, owner_id=world.owner_id)

    assert [error_code(answer) for answer in answers] == [None, None, None, 6]
    assert answers[3]["error"]["error_msg"] == "Too many requests per second"
    assert "response" in next_second


def test_a_community_token_gets_error_6_beyond_twenty_requests_a_second(client, world, vk_rate_limits):
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, 0, 100000, tzinfo=UTC), tick=False):
        answers = [vk(client, "groups.getById", world.community_token) for _ in range(21)]

    assert [error_code(answer) for answer in answers].count(None) == 20
    assert error_code(answers[-1]) == 6


def test_rate_limits_are_counted_per_token(client, world, vk_rate_limits):
    second_admin = VkToken.objects.create(token="vk1.a.second-admin", kind=VkTokenKind.USER, user_id=500200)
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, 0, 100000, tzinfo=UTC), tick=False):
        for _ in range(3):
            vk(client, "wall.get", world.user_token, owner_id=world.owner_id)
        other = vk(client, "wall.get", second_admin, owner_id=world.owner_id)

    assert "response" in other


def test_the_daily_wall_post_cap_is_error_214(client, world):
    world.community.daily_post_cap = 2
    world.community.save()

    answers = [post(client, world, message=f"Пост {n}") for n in range(3)]

    assert error_code(answers[2]) == 214
    assert answers[2]["error"]["error_msg"] == "Access to adding post denied: you can only add 2 posts a day"
    assert VkPost.objects.count() == 2


def test_the_default_daily_cap_is_fifty_posts_and_it_frees_up_a_day_later(client, world):
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=UTC)):
        for n in range(50):
            assert "response" in post(client, world, message=f"Пост {n}")
        refused = post(client, world, message="Пятьдесят первый")
    with time_machine.travel(datetime(2026, 3, 3, 9, 1, tzinfo=UTC)):
        next_day = post(client, world, message="На следующий день")

    assert refused["error"]["error_msg"] == "Access to adding post denied: you can only add 50 posts a day"
    assert "response" in next_day


# --- Wall: idempotency, postponed posts, edits and reads --------------------------------------------


def test_a_repeated_guid_within_an_hour_returns_the_first_post_and_creates_nothing(client, world):
    first = post(client, world, message="Один раз", guid="publication-42-v1")
    again = post(client, world, message="Один раз", guid="publication-42-v1")

    assert again == first
    assert VkPost.objects.count() == 1
    [entry] = ledger("post")
    assert entry.key == "publication-42-v1"


def test_a_guid_older_than_an_hour_no_longer_protects(client, world):
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=UTC)):
        first = post(client, world, message="Утром", guid="g-1")
    with time_machine.travel(datetime(2026, 3, 2, 10, 1, tzinfo=UTC)):
        later = post(client, world, message="Утром", guid="g-1")

    assert later["response"]["post_id"] != first["response"]["post_id"]


def test_publish_date_makes_a_postponed_post_that_the_wall_does_not_show(client, world):
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=UTC)):
        tomorrow = int(datetime(2026, 3, 3, 9, 0, tzinfo=UTC).timestamp())
        post(client, world, message="Завтра", publish_date=tomorrow)
        wall = vk(client, "wall.get", world.user_token, owner_id=world.owner_id)
        postponed = vk(client, "wall.get", world.user_token, owner_id=world.owner_id, filter="postponed")

    assert wall["response"] == {"count": 0, "items": []}
    assert postponed["response"]["items"][0]["post_type"] == "postpone"
    assert postponed["response"]["items"][0]["date"] == tomorrow


def test_wall_post_with_post_id_publishes_a_postponed_post_now(client, world):
    later = int((timezone.now() + timedelta(days=1)).timestamp())
    post_id = post(client, world, message="Отложенный", publish_date=later)["response"]["post_id"]

    published = post(client, world, post_id=post_id)
    wall = vk(client, "wall.get", world.user_token, owner_id=world.owner_id)

    assert published == {"response": {"post_id": post_id}}
    assert [item["id"] for item in wall["response"]["items"]] == [post_id]
    assert [e.payload for e in ledger("post", "edited")] == [{"published": True}]
    assert list(VkEvent.objects.values_list("type", flat=True)) == ["wall_schedule_post_new", "wall_post_new"]


def test_a_postponed_post_goes_out_by_itself_when_its_time_comes(client, world):
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=UTC)):
        post(client, world, message="В полдень", publish_date=int(datetime(2026, 3, 2, 12, 0, tzinfo=UTC).timestamp()))
    with time_machine.travel(datetime(2026, 3, 2, 12, 0, 5, tzinfo=UTC)):
        wall = vk(client, "wall.get", world.user_token, owner_id=world.owner_id)

    assert wall["response"]["items"][0]["text"] == "В полдень"
    assert wall["response"]["items"][0]["post_type"] == "post"


def test_the_minute_task_publishes_due_postponed_posts_and_announces_them(client, world):
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=UTC)):
        post(client, world, message="К открытию", publish_date=int(datetime(2026, 3, 2, 10, 0, tzinfo=UTC).timestamp()))
    with time_machine.travel(datetime(2026, 3, 2, 10, 0, 30, tzinfo=UTC)):
        vk_events.publish_due_postponed_posts_task()

    assert VkPost.objects.get().postponed is False
    assert [e.payload for e in ledger("post", "edited")] == [{"published": True}]
    assert VkEvent.objects.last().type == "wall_post_new"


def test_wall_edit_and_wall_delete_are_ledgered(client, world):
    post_id = post(client, world, message="Черновик")["response"]["post_id"]

    edited = vk(client, "wall.edit", world.user_token, owner_id=world.owner_id, post_id=post_id, message="Чистовик")
    deleted = vk(client, "wall.delete", world.user_token, owner_id=world.owner_id, post_id=post_id)
    gone = vk(client, "wall.getById", world.user_token, posts=f"-7001_{post_id}")

    assert edited == {"response": {"post_id": post_id}}
    assert deleted == {"response": 1}
    assert gone == {"response": {"items": []}}
    assert [e.payload["text"] for e in ledger("post", "edited")] == ["Чистовик"]
    assert len(ledger("post", "deleted")) == 1


def test_wall_get_by_id_returns_items_with_likes_reposts_comments_and_views(client, world):
    post(client, world, message="Первый")
    post(client, world, message="Второй")
    VkPost.objects.filter(post_id=1).update(likes=5, reposts=2, views=140)
    vk(client, "wall.createComment", world.community_token, owner_id=world.owner_id, post_id=1, message="Спасибо!")

    answer = vk(client, "wall.getById", world.user_token, posts="-7001_1,-7001_2,-7001_99")

    first, second = answer["response"]["items"]
    assert (first["id"], first["owner_id"], first["text"]) == (1, -7001, "Первый")
    assert first["likes"]["count"] == 5
    assert first["reposts"]["count"] == 2
    assert first["views"]["count"] == 140
    assert first["comments"]["count"] == 1
    assert second["id"] == 2


def test_a_postponed_post_is_shown_by_id_only_to_its_administrators(client, world):
    later = int((timezone.now() + timedelta(days=1)).timestamp())
    post(client, world, message="Отложенный", publish_date=later)
    stranger = VkToken.objects.create(token="vk1.a.stranger", kind=VkTokenKind.USER, user_id=500300)

    admin_view = vk(client, "wall.getById", world.user_token, posts="-7001_1")
    stranger_view = vk(client, "wall.getById", stranger, posts="-7001_1")

    assert [item["post_type"] for item in admin_view["response"]["items"]] == ["postpone"]
    assert stranger_view == {"response": {"items": []}}


def test_wall_get_pages_newest_first(client, world):
    for n in range(3):
        post(client, world, message=f"Пост {n}")

    answer = vk(client, "wall.get", world.user_token, owner_id=world.owner_id, count=2, offset=1)

    assert answer["response"]["count"] == 3
    assert [item["text"] for item in answer["response"]["items"]] == ["Пост 1", "Пост 0"]


def test_a_post_needs_a_message_or_attachments(client, world):
    answer = post(client, world)

    assert answer["error"]["error_code"] == 100


# --- Comments and moderation ------------------------------------------------------------------------


def test_the_community_answers_a_comment_and_a_repeated_guid_creates_nothing(client, world):
    post(client, world, message="Пост")
    reader_comment = vk_service.create_comment(
        post=VkPost.objects.get(), from_id=800001, text="Когда вы открыты?", actor="reader:800001"
    )

    params = dict(owner_id=world.owner_id, post_id=1, message="С 10 до 20", reply_to_comment=reader_comment.comment_id)
    first = vk(client, "wall.createComment", world.community_token, guid="answer-1", **params)
    again = vk(client, "wall.createComment", world.community_token, guid="answer-1", **params)
    comments = vk(client, "wall.getComments", world.user_token, owner_id=world.owner_id, post_id=1)

    assert first == again == {"response": {"comment_id": 2, "parents_stack": [1]}}
    assert comments["response"]["count"] == 2
    answer = comments["response"]["items"][1]
    assert (answer["from_id"], answer["text"], answer["reply_to_comment"]) == (-7001, "С 10 до 20", 1)
    assert [entry.key for entry in ledger("comment")] == ["", "answer-1"]


def test_a_user_token_comments_as_the_community_only_with_from_group(client, world):
    post(client, world, message="Пост")

    as_group = vk(
        client, "wall.createComment", world.user_token, owner_id=world.owner_id, post_id=1, message="a", from_group=7001
    )
    as_person = vk(client, "wall.createComment", world.user_token, owner_id=world.owner_id, post_id=1, message="b")
    items = vk(client, "wall.getComments", world.user_token, owner_id=world.owner_id, post_id=1)["response"]["items"]

    assert "response" in as_group and "response" in as_person
    assert [item["from_id"] for item in items] == [-7001, ADMIN_VK_ID]


def test_wall_delete_comment_needs_the_user_token_and_is_ledgered(client, world):
    post(client, world, message="Пост")
    comment = vk_service.create_comment(post=VkPost.objects.get(), from_id=800001, text="Спам", actor="reader")

    refused = vk(
        client, "wall.deleteComment", world.community_token, owner_id=world.owner_id, comment_id=comment.comment_id
    )
    deleted = vk(client, "wall.deleteComment", world.user_token, owner_id=world.owner_id, comment_id=comment.comment_id)
    left = vk(client, "wall.getComments", world.user_token, owner_id=world.owner_id, post_id=1)

    assert error_code(refused) == 27
    assert deleted == {"response": 1}
    assert left["response"]["count"] == 0
    assert len(ledger("comment", "deleted")) == 1
    assert VkEvent.objects.filter(type="wall_reply_delete").exists()


@pytest.mark.parametrize("reason", [0, 1, 2, 3, 4])
def test_groups_ban_takes_vks_five_reasons_and_an_end_date(client, world, reason):
    end = int((timezone.now() + timedelta(days=7)).timestamp())

    answer = vk(
        client,
        "groups.ban",
        world.user_token,
        group_id=7001,
        owner_id=800001,
        reason=reason,
        end_date=end,
        comment="Оскорбления",
    )

    assert answer == {"response": 1}
    ban = VkBan.objects.get()
    assert (ban.reason, int(ban.end_date.timestamp())) == (reason, end)
    assert ledger("ban")[0].object_id == "800001"
    assert VkEvent.objects.get(type="user_block").object["reason"] == reason


def test_groups_ban_refuses_an_unknown_reason(client, world):
    answer = vk(client, "groups.ban", world.user_token, group_id=7001, owner_id=800001, reason=5)

    assert error_code(answer) == 100
    assert not VkBan.objects.exists()


def test_groups_unban_lifts_the_ban(client, world):
    vk(client, "groups.ban", world.user_token, group_id=7001, owner_id=800001, reason=1)

    answer = vk(client, "groups.unban", world.user_token, group_id=7001, owner_id=800001)

    assert answer == {"response": 1}
    assert not VkBan.objects.exists()
    assert len(ledger("ban", "deleted")) == 1


def test_groups_ban_on_a_community_the_token_does_not_administer_is_error_15(client, world):
    answer = vk(client, "groups.ban", world.user_token, group_id=7002, owner_id=800001, reason=1)

    assert error_code(answer) == 15


def test_groups_get_by_id_and_get_members(client, world):
    by_id = vk(client, "groups.getById", world.user_token, group_id="gaidar_lib")
    own = vk(client, "groups.getById", world.community_token)
    members = vk(client, "groups.getMembers", world.community_token, group_id=7001)

    assert by_id["response"]["groups"][0]["id"] == 7001
    assert own["response"]["groups"][0]["name"] == "Библиотека имени Гайдара"
    assert members["response"] == {"count": 2, "items": [800001, 800002]}


def test_a_community_token_can_read_its_permissions(client, world):
    answer = vk(client, "groups.getTokenPermissions", world.community_token)

    assert {p["name"] for p in answer["response"]["permissions"]} >= {"messages", "manage"}
    assert error_code(vk(client, "groups.getTokenPermissions", world.user_token)) == 27


def test_stats_get_post_reach_follows_the_views_for_administrators(client, world):
    post(client, world, message="Пост")
    VkPost.objects.update(views=200)

    reach = vk(client, "stats.getPostReach", world.user_token, owner_id=world.owner_id, post_ids="1,99")
    foreign = vk(client, "stats.getPostReach", world.user_token, owner_id=world.other.owner_id, post_ids="1")

    [row] = reach["response"]
    assert (row["post_id"], row["reach_total"], row["reach_subscribers"]) == (1, 200, 160)
    assert error_code(foreign) == 15


# --- Messages -----------------------------------------------------------------------------------------


def test_messages_send_with_a_repeated_random_id_returns_the_first_message_and_sends_nothing(client, world):
    vk_service.receive_message(world.community, peer_id=800001, text="Здравствуйте!")

    first = vk(client, "messages.send", world.community_token, peer_id=800001, message="Добрый день", random_id=77)
    again = vk(client, "messages.send", world.community_token, peer_id=800001, message="Добрый день", random_id=77)
    other_dialog = vk(
        client, "messages.send", world.community_token, peer_id=800002, message="Добрый день", random_id=77
    )
    history = vk(client, "messages.getHistory", world.community_token, peer_id=800001)

    assert first == again == {"response": 2}
    assert other_dialog == {"response": 3}
    assert [m["text"] for m in history["response"]["items"]] == ["Добрый день", "Здравствуйте!"]
    assert [entry.key for entry in ledger("message") if entry.actor.startswith("vk1")] == ["77", "77"]


def test_messages_send_to_several_peers_answers_one_entry_per_peer(client, world):
    answer = vk(
        client, "messages.send", world.community_token, peer_ids="800001,800002,123", message="Анонс", random_id=3
    )

    assert [(item["peer_id"], item.get("message_id")) for item in answer["response"]] == [
        (800001, 1),
        (800002, 2),
        (123, None),
    ]
    assert answer["response"][2]["error"]["code"] == 901


def test_random_id_zero_means_no_check(client, world):
    for _ in range(2):
        vk(client, "messages.send", world.community_token, peer_id=800001, message="Ещё", random_id=0)

    assert vk(client, "messages.getHistory", world.community_token, peer_id=800001)["response"]["count"] == 2


def test_the_random_id_check_covers_one_hour(client, world):
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=UTC)):
        first = vk(client, "messages.send", world.community_token, peer_id=800001, message="a", random_id=5)
    with time_machine.travel(datetime(2026, 3, 2, 10, 1, tzinfo=UTC)):
        later = vk(client, "messages.send", world.community_token, peer_id=800001, message="a", random_id=5)

    assert later["response"] != first["response"]


def test_messages_send_errors(client, world):
    no_random_id = vk(client, "messages.send", world.community_token, peer_id=800001, message="x")
    too_long = vk(client, "messages.send", world.community_token, peer_id=800001, message="я" * 9001, random_id=1)
    stranger = vk(client, "messages.send", world.community_token, peer_id=123, message="x", random_id=2)

    assert error_code(no_random_id) == 100
    assert (error_code(too_long), too_long["error"]["error_msg"]) == (914, "Message is too long")
    assert error_code(stranger) == 901


def test_get_conversations_filters_unread_and_unanswered(client, world):
    vk_service.receive_message(world.community, peer_id=800001, text="Можно продлить книгу?")
    vk_service.receive_message(world.community, peer_id=800002, text="Спасибо за ответ")
    vk(client, "messages.send", world.community_token, peer_id=800002, message="Пожалуйста!", random_id=9)

    def peers(filter_: str) -> list[int]:
        answer = vk(client, "messages.getConversations", world.community_token, filter=filter_)["response"]
        return [item["conversation"]["peer"]["id"] for item in answer["items"]]

    assert peers("all") == [800002, 800001]
    assert peers("unread") == [800001]
    assert peers("unanswered") == [800001]
    assert vk(client, "messages.markAsAnsweredConversation", world.community_token, peer_id=800001) == {"response": 1}
    assert peers("unanswered") == []
    vk_service.receive_message(world.community, peer_id=800001, text="И ещё вопрос")
    assert peers("unanswered") == [800001]


def test_conversations_carry_the_last_message_and_extended_adds_profiles(client, world):
    vk_service.receive_message(world.community, peer_id=800001, text="Вопрос")

    answer = vk(client, "messages.getConversations", world.community_token, extended=1)["response"]

    assert answer["count"] == 1
    assert answer["items"][0]["last_message"]["text"] == "Вопрос"
    assert answer["items"][0]["last_message"]["from_id"] == 800001
    assert answer["profiles"] == [
        {"id": 800001, "first_name": "Анна", "last_name": "Читалкина", "can_access_closed": True, "is_closed": False}
    ]


# --- Photos -------------------------------------------------------------------------------------------


def test_the_wall_photo_upload_flow_ends_in_an_attachment(client, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    server = vk(client, "photos.getWallUploadServer", world.user_token, group_id=7001)["response"]
    assert server["upload_url"].startswith("http://testserver/sandbox/vk/upload/")

    uploaded = client.post(
        server["upload_url"].removeprefix("http://testserver"),
        {"photo": SimpleUploadedFile("cover.png", PNG, content_type="image/png")},
    ).json()
    saved = vk(client, "photos.saveWallPhoto", world.user_token, group_id=7001, **uploaded)["response"]
    attachment = f"photo{saved[0]['owner_id']}_{saved[0]['id']}"
    posted = post(client, world, message="С обложкой", attachments=attachment)
    item = vk(client, "wall.getById", world.user_token, posts=f"-7001_{posted['response']['post_id']}")["response"][
        "items"
    ][0]

    assert set(uploaded) == {"server", "photo", "hash"}
    assert (saved[0]["owner_id"], saved[0]["id"]) == (-7001, 1)
    assert saved[0]["sizes"][0]["width"] == 2 and saved[0]["sizes"][0]["height"] == 3
    assert item["attachments"][0]["type"] == "photo"
    assert item["attachments"][0]["photo"]["id"] == 1
    assert len(ledger("photo")) == 1


def test_save_wall_photo_refuses_a_wrong_hash(client, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    server = vk(client, "photos.getWallUploadServer", world.user_token, group_id=7001)["response"]
    uploaded = client.post(
        server["upload_url"].removeprefix("http://testserver"), {"photo": SimpleUploadedFile("a.png", PNG)}
    ).json()

    answer = vk(client, "photos.saveWallPhoto", world.user_token, group_id=7001, **{**uploaded, "hash": "0" * 32})

    assert error_code(answer) == 121


def test_a_post_cannot_attach_a_sandbox_photo_that_was_never_saved(client, world):
    answer = post(client, world, message="x", attachments="photo-7001_42")

    assert error_code(answer) == 100


# --- Videos -------------------------------------------------------------------------------------------


def save_video(client: Client, world: VkWorld, **params: Any) -> dict[str, Any]:
    params = {"group_id": 7001, "name": "Экскурсия", "description": "По читальному залу", "wallpost": 0, **params}
    return vk(client, "video.save", world.user_token, **params)


def upload_video(client: Client, upload_url: str, data: bytes = MP4) -> dict[str, Any]:
    return client.post(
        upload_url.removeprefix("http://testserver"),
        {"video_file": SimpleUploadedFile("clip.mp4", data, content_type="video/mp4")},
    ).json()


def test_the_community_video_upload_flow_ends_in_an_attachment_the_wall_post_carries(client, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    saved = save_video(client, world)["response"]
    uploaded = upload_video(client, saved["upload_url"])
    attachment = f"video{saved['owner_id']}_{saved['video_id']}"
    posted = post(client, world, message="Смотрите", attachments=attachment)
    item = vk(client, "wall.getById", world.user_token, posts=f"-7001_{posted['response']['post_id']}")["response"][
        "items"
    ][0]

    assert saved["upload_url"].startswith("http://testserver/sandbox/vk/upload/")
    assert (saved["owner_id"], saved["video_id"], saved["title"]) == (-7001, 1, "Экскурсия")
    assert saved["access_key"]
    assert set(uploaded) == {"size", "video_id", "owner_id", "video_hash"}
    assert (uploaded["size"], uploaded["video_id"], uploaded["owner_id"]) == (len(MP4), 1, -7001)
    assert attachment == "video-7001_1"
    assert item["attachments"][0]["type"] == "video"
    video = item["attachments"][0]["video"]
    assert (video["id"], video["owner_id"], video["title"], video["duration"]) == (1, -7001, "Экскурсия", 3)
    assert video["player"].startswith("http://testserver/")
    assert [(e.action, e.object_id) for e in ledger("video")] == [("created", "1")]
    assert [(e.action, e.object_id) for e in ledger("video", "edited")] == [("edited", "1")]


def test_a_post_cannot_attach_a_video_saved_but_never_uploaded(client, world):
    saved = save_video(client, world)["response"]

    answer = post(client, world, message="x", attachments=f"video-7001_{saved['video_id']}")

    assert error_code(answer) == 100
    assert "video" in answer["error"]["error_msg"]
    assert not VkPost.objects.exists()


def test_a_post_cannot_attach_a_video_under_an_owner_it_does_not_belong_to(client, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    # Video 1 is the other community's, uploaded; this community has no video 1.
    elsewhere = VkVideo.objects.create(
        community=world.other, video_id=1, title="Чужое", access_key="k", uploaded_at=timezone.now()
    )

    wrong_owner = post(client, world, message="x", attachments=f"video-7001_{elsewhere.video_id}")
    unknown = post(client, world, message="x", attachments="video-7001_42")

    assert error_code(wrong_owner) == error_code(unknown) == 100
    assert not VkPost.objects.exists()


def test_video_save_needs_a_community_the_token_administers(client, world):
    assert error_code(save_video(client, world, group_id=7002)) == 15
    assert error_code(vk(client, "video.save", world.user_token, name="Без сообщества")) == 100
    assert not VkVideo.objects.exists()


def test_the_upload_server_refuses_a_bad_address_and_an_upload_without_a_file(client, world):
    saved = save_video(client, world)["response"]

    without_file = client.post(saved["upload_url"].removeprefix("http://testserver"), {}).json()
    bad_address = upload_video(client, "/sandbox/vk/upload/not-a-key")

    assert "error" in without_file and "error" in bad_address
    assert VkVideo.objects.get().uploaded_at is None


def test_ten_media_at_most_count_videos_with_photos(client, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    videos = []
    for _ in range(11):
        saved = save_video(client, world)["response"]
        upload_video(client, saved["upload_url"])
        videos.append(f"video-7001_{saved['video_id']}")

    assert error_code(post(client, world, message="x", attachments=",".join(videos))) == 100
    assert "post_id" in post(client, world, message="x", attachments=",".join(videos[:10]))["response"]


# --- Bots Long Poll -------------------------------------------------------------------------------------


def long_poll_server(client: Client, world: VkWorld) -> dict[str, str]:
    return vk(client, "groups.getLongPollServer", world.community_token, group_id=7001)["response"]


def a_check(client: Client, server: dict[str, str], **params: Any) -> dict[str, Any]:
    query = {"act": "a_check", "key": server["key"], "ts": server["ts"], "wait": 0, **params}
    return client.get(server["server"].removeprefix("http://testserver"), query).json()


def test_get_long_poll_server_gives_an_absolute_server_a_key_and_the_current_ts(client, world):
    vk_service.receive_message(world.community, peer_id=800001, text="Раньше")

    server = long_poll_server(client, world)

    assert server["server"] == "http://testserver/sandbox/vk/longpoll/7001"
    assert server["ts"] == "1"
    assert len(server["key"]) >= 32


def test_long_poll_returns_the_events_after_ts(client, world):
    server = long_poll_server(client, world)
    vk_service.receive_message(world.community, peer_id=800001, text="Есть ли книга «Тимур и его команда»?")
    vk(client, "messages.send", world.community_token, peer_id=800001, message="Есть!", random_id=1)

    answer = a_check(client, server)
    after = a_check(client, server, ts=answer["ts"])

    assert answer["ts"] == "2"
    new, reply = answer["updates"]
    assert new["type"] == "message_new" and new["group_id"] == 7001 and new["v"] == "5.199"
    assert new["object"]["message"]["text"] == "Есть ли книга «Тимур и его команда»?"
    assert reply["type"] == "message_reply"
    assert reply["event_id"] != new["event_id"]
    assert after == {"ts": "2", "updates": []}


def test_long_poll_waits_up_to_wait_seconds_when_nothing_happens(client, world):
    server = long_poll_server(client, world)

    started = time.monotonic()
    answer = a_check(client, server, wait=1)

    assert answer == {"ts": "0", "updates": []}
    assert 0.9 <= time.monotonic() - started < 3


def test_long_poll_failed_1_gives_a_new_ts_when_ts_is_out_of_range(client, world):
    server = long_poll_server(client, world)

    answer = a_check(client, server, ts=50)

    assert answer == {"failed": 1, "ts": "0"}


def test_long_poll_failed_2_when_the_key_is_wrong_or_expired(client, world):
    server = long_poll_server(client, world)
    wrong = a_check(client, server, key="stale")
    vk_service.rotate_longpoll_key(world.community)
    expired = a_check(client, server)
    renewed = long_poll_server(client, world)

    assert wrong == expired == {"failed": 2}
    assert a_check(client, renewed) == {"ts": "0", "updates": []}


def test_long_poll_failed_3_when_events_were_lost(client, world):
    server = long_poll_server(client, world)
    for n in range(3):
        vk_service.receive_message(world.community, peer_id=800001, text=f"Сообщение {n}")
    VkEvent.objects.filter(ts__lte=2).delete()

    assert a_check(client, server) == {"failed": 3}


def test_events_older_than_a_week_are_pruned_and_a_client_that_far_behind_gets_failed_3(client, world):
    with time_machine.travel(datetime(2026, 3, 1, 9, 0, tzinfo=UTC)):
        server = long_poll_server(client, world)
        for n in range(3):
            vk_service.receive_message(world.community, peer_id=800001, text=f"Давно {n}")
    with time_machine.travel(datetime(2026, 3, 9, 9, 0, tzinfo=UTC)):
        pruned = vk_events.prune_old_events()
        renewed = long_poll_server(client, world)

    assert pruned == 2
    assert a_check(client, server) == {"failed": 3}
    assert renewed["ts"] == "3"
    assert a_check(client, renewed) == {"ts": "3", "updates": []}


def test_actions_of_readers_become_events(client, world):
    post(client, world, message="Пост")
    vk_service.create_comment(post=VkPost.objects.get(), from_id=800001, text="Класс!", actor="reader")
    vk_events.emit_like(world.community, liker_id=800001, object_type="post", object_id=1)

    types = list(VkEvent.objects.values_list("type", flat=True))
    reply = VkEvent.objects.get(type="wall_reply_new").object

    assert types == ["wall_post_new", "wall_reply_new", "like_add"]
    assert (reply["post_owner_id"], reply["post_id"], reply["text"]) == (-7001, 1, "Класс!")


# --- Callback API -------------------------------------------------------------------------------------


@pytest.fixture
def callback_server() -> Iterator[CallbackServer]:
    server = CallbackServer()
    yield server
    server.close()


def test_events_are_delivered_to_the_callback_api_with_event_id_and_secret(
    client, world, callback_server, django_capture_on_commit_callbacks
):
    world.community.callback_url = callback_server.url
    world.community.callback_secret = "s3cret"
    world.community.save()

    with django_capture_on_commit_callbacks(execute=True):
        vk_service.receive_message(world.community, peer_id=800001, text="Через Callback API")

    [body] = callback_server.received
    event = VkEvent.objects.get()
    assert body["type"] == "message_new"
    assert body["event_id"] == event.event_id
    assert (body["group_id"], body["secret"], body["v"]) == (7001, "s3cret", "5.199")
    assert body["object"]["message"]["text"] == "Через Callback API"
    assert event.delivered_at is not None


def test_an_event_not_answered_ok_stays_undelivered(client, world, callback_server, django_capture_on_commit_callbacks):
    callback_server.answer = "error"
    world.community.callback_url = callback_server.url
    world.community.save()

    with django_capture_on_commit_callbacks(execute=True):
        vk_service.receive_message(world.community, peer_id=800001, text="Не дошло")

    assert len(callback_server.received) == 1
    assert VkEvent.objects.get().delivered_at is None


def test_the_callback_server_is_confirmed_with_the_communitys_code(client, world, callback_server):
    world.community.callback_url = callback_server.url
    world.community.save()
    code = vk(client, "groups.getCallbackConfirmationCode", world.user_token, group_id=7001)["response"]["code"]

    callback_server.answer = code
    confirmed = vk_events.confirm_callback_server(world.community)
    callback_server.answer = "ok"
    not_confirmed = vk_events.confirm_callback_server(world.community)

    assert confirmed is True and not_confirmed is False
    assert callback_server.received[0] == {"type": "confirmation", "group_id": 7001}


# --- Faults ---------------------------------------------------------------------------------------------


def vk_fault(kind: str, **kwargs: Any) -> None:
    inject(network=Network.VK, kind=kind, **kwargs)


def test_an_injected_latency_delays_the_answer(client, world):
    vk_fault(FaultKind.LATENCY, latency_ms=300)

    started = time.monotonic()
    answer = post(client, world, message="Медленно")

    assert time.monotonic() - started >= 0.3
    assert "response" in answer


def test_an_injected_rate_limit_is_error_6_and_creates_nothing(client, world):
    vk_fault(FaultKind.RATE_LIMIT, remaining=1)

    refused = post(client, world, message="x")
    then = post(client, world, message="x")

    assert error_code(refused) == 6
    assert "response" in then
    assert VkPost.objects.count() == 1


def test_an_injected_server_error_is_an_http_5xx(client, world):
    vk_fault(FaultKind.SERVER_ERROR, remaining=1)

    first = client.post(
        "/sandbox/vk/method/wall.post", {"access_token": world.user_token.token, "owner_id": -7001, "message": "x"}
    )

    assert first.status_code == 500
    assert not VkPost.objects.exists()


def test_a_mistyped_fault_parameter_falls_back_to_its_default(client, world):
    vk_fault(FaultKind.SERVER_ERROR, remaining=1, status="five hundred")

    answer = client.post("/sandbox/vk/method/wall.post", {"access_token": world.user_token.token, "owner_id": -7001})

    assert answer.status_code == 500


def test_an_injected_server_error_may_choose_its_status(client, world):
    vk_fault(FaultKind.SERVER_ERROR, remaining=1, status=503)

    answer = client.post(
        "/sandbox/vk/method/wall.post", {"access_token": world.user_token.token, "owner_id": -7001, "message": "x"}
    )

    assert answer.status_code == 503


def test_an_injected_connection_reset_drops_the_call_without_doing_it(client, world):
    vk_fault(FaultKind.CONNECTION_RESET, remaining=1)

    with pytest.raises(ConnectionReset):
        post(client, world, message="x")

    assert not VkPost.objects.exists()


def test_accept_then_timeout_does_the_write_then_holds_the_answer(client, world):
    vk_fault(FaultKind.ACCEPT_THEN_TIMEOUT, remaining=1, timeout_s=0.4)

    started = time.monotonic()
    answer = post(client, world, message="Принят, но ответа нет", guid="late-1")

    assert time.monotonic() - started >= 0.4
    assert answer == {"response": {"post_id": 1}}
    assert ledger("post")[0].key == "late-1"


def test_an_injected_revocation_revokes_the_token_for_good(client, world):
    vk_fault(FaultKind.REVOKE_TOKEN, token=world.user_token.token, remaining=1)

    answers = [post(client, world, message="x") for _ in range(2)]

    assert [error_code(answer) for answer in answers] == [5, 5]
    assert answers[1]["error"]["error_msg"] == "User authorization failed: user revoke access for this token."
    world.user_token.refresh_from_db()
    assert world.user_token.revoked_at is not None


def test_injected_loss_of_administrator_rights_gives_error_15(client, world):
    vk_fault(FaultKind.LOSE_ADMIN, token=world.user_token.token, place=-7001, remaining=1)

    answer = post(client, world, message="x")

    assert error_code(answer) == 15
    assert not world.user_token.admin_of.exists()


def test_an_injected_captcha_is_error_14_with_sid_and_image(client, world):
    vk_fault(FaultKind.CAPTCHA, remaining=1)

    answer = post(client, world, message="x")

    assert answer["error"]["error_code"] == 14
    assert answer["error"]["error_msg"] == "Captcha needed"
    assert answer["error"]["captcha_sid"] and answer["error"]["captcha_img"].startswith("https://")


def test_faults_can_target_one_method_one_token_or_one_community(client, world):
    vk_fault(FaultKind.RATE_LIMIT, method="messages.send")
    vk_fault(FaultKind.CAPTCHA, place=-7002)
    vk_fault(FaultKind.SERVER_ERROR, token="vk1.a.someone-else")

    posted = post(client, world, message="Не задет")
    sent = vk(client, "messages.send", world.community_token, peer_id=800001, message="x", random_id=1)

    assert "response" in posted
    assert error_code(sent) == 6


def test_a_fault_injected_with_the_positive_group_id_hits_that_community(client, world):
    vk_fault(FaultKind.RATE_LIMIT, place=7001)

    assert error_code(post(client, world, message="x")) == 6
