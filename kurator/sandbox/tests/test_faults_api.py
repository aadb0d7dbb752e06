"""Injecting and clearing faults through Kurator's JSON API, and the fault switchboard itself."""

from __future__ import annotations

import pytest

from kurator.core.testing.api import API, api_as
from kurator.core.testing.cast import enable_totp
from kurator.sandbox import faults
from kurator.sandbox.demo import ensure_bot, ensure_tg_channel
from kurator.sandbox.models import Fault, VkToken


@pytest.fixture
def curator_api(cast):
    enable_totp(cast["north"]["curator"])
    return api_as(cast["north"]["curator"])


@pytest.fixture
def coordinator_api(cast):
    enable_totp(cast["north"]["coordinator"])
    return api_as(cast["north"]["coordinator"])


@pytest.fixture
def north_id(cast):
    return cast["north"].network.pk


def test_a_curator_injects_a_rate_limit_for_one_chat_and_sees_it_listed(curator_api, north_id):
    bot = ensure_bot("north_library", "Север", north_id)
    place = str(ensure_tg_channel("north_channel", "Канал", bot, north_id)[0].chat_id)

    response = curator_api.post(
        "/sandbox/faults",
        {"network": "telegram", "kind": "rate_limit", "place": place, "retry_after": 7, "count": 2},
    )

    assert response.status_code == 201
    body = response.json()
    assert (body["kind"], body["place"], body["remaining"], body["active"]) == ("rate_limit", place, 2, True)
    assert body["network_id"] == north_id
    assert body["params"] == {"retry_after": 7}
    listed = curator_api.get("/sandbox/faults").json()
    assert [f["id"] for f in listed] == [body["id"]]


def test_the_api_shows_only_a_hint_of_the_token_a_fault_is_limited_to(curator_api, north_id):
    secret = "vk1.a.0123456789abcdef0123456789abcdef"
    VkToken.objects.create(token=secret, kind="user", user_id=1, network_id=north_id)
    curator_api.post("/sandbox/faults", {"network": "vk", "kind": "revoke_token", "token": secret})

    listed = curator_api.get("/sandbox/faults").json()

    assert listed[0]["token_hint"] == "vk1.a.…"
    assert secret not in str(listed)


def test_a_fault_cleared_through_the_api_stops_hitting_requests(curator_api, north_id):
    token = VkToken.objects.create(token="vk1.a.north", kind="user", user_id=1, network_id=north_id).token
    fault_id = curator_api.post("/sandbox/faults", {"network": "vk", "kind": "server_error", "status": 503}).json()[
        "id"
    ]
    assert faults.faults_for(network="vk", token=token, method="wall.post")

    response = curator_api.client.delete(f"{API}/sandbox/faults/{fault_id}")

    assert response.status_code == 200 and response.json()["active"] is False
    assert faults.faults_for(network="vk", token=token, method="wall.post") == []
    assert curator_api.client.delete(f"{API}/sandbox/faults/{fault_id}").status_code == 404
    assert [f["id"] for f in curator_api.get("/sandbox/faults", include_cleared="true").json()] == [fault_id]


def test_clearing_all_faults_of_a_social_network_leaves_the_other_social_network(curator_api, north_id):
    faults.inject(network="vk", kind="latency", latency_ms=100, network_id=north_id)
    faults.inject(network="vk", kind="captcha", network_id=north_id)
    faults.inject(network="telegram", kind="rate_limit", retry_after=3, network_id=north_id)

    response = curator_api.client.delete(f"{API}/sandbox/faults?network=vk")

    assert response.json() == {"cleared": 2}
    assert list(Fault.objects.filter(active=True).values_list("network", flat=True)) == ["telegram"]


def test_a_coordinator_may_read_the_faults_but_not_inject_or_clear_them(coordinator_api):
    fault = faults.inject(network="vk", kind="server_error")

    assert coordinator_api.get("/sandbox/faults").status_code == 200
    assert coordinator_api.post("/sandbox/faults", {"network": "vk", "kind": "captcha"}).status_code == 403
    assert coordinator_api.client.delete(f"{API}/sandbox/faults/{fault.pk}").status_code == 403
    assert Fault.objects.filter(active=True).count() == 1


def test_an_unknown_fault_kind_is_refused_with_the_field_named(curator_api):
    response = curator_api.post("/sandbox/faults", {"network": "vk", "kind": "meteor"})
    assert response.status_code == 422
    assert "kind" in str(response.json())


# --- the switchboard, called directly as tests and benchmarks do -------------------------------


def test_a_fault_with_a_count_hits_that_many_requests_then_switches_itself_off(db):
    faults.inject(network="vk", kind="rate_limit", remaining=2)

    hits = [faults.faults_for(network="vk", token="t", method="wall.post") for _ in range(3)]

    assert [len(h) for h in hits] == [1, 1, 0]
    assert not Fault.objects.get().active


def test_a_fault_for_one_token_place_or_method_leaves_the_others_alone(db):
    faults.inject(network="vk", kind="revoke_token", token="one")
    faults.inject(network="telegram", kind="lose_admin", place="-100500")
    faults.inject(network="vk", kind="accept_then_timeout", method="wall.post")

    assert [f.kind for f in faults.faults_for(network="vk", token="one", method="groups.getById")] == ["revoke_token"]
    assert faults.faults_for(network="vk", token="two", method="groups.getById") == []
    assert [f.kind for f in faults.faults_for(network="vk", token="two", method="wall.post")] == ["accept_then_timeout"]
    assert [f.kind for f in faults.faults_for(network="telegram", place="-100500")] == ["lose_admin"]
    assert faults.faults_for(network="telegram", place="-100501") == []


def test_a_fault_carries_its_parameters_to_the_api_layer(db):
    faults.inject(network="telegram", kind="rate_limit", retry_after=11)
    faults.inject(network="telegram", kind="latency", latency_ms=250)

    found = faults.faults_for(network="telegram")

    assert [(f.kind, f.params) for f in found] == [
        ("rate_limit", {"retry_after": 11}),
        ("latency", {"latency_ms": 250}),
    ]
