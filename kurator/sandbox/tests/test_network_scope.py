"""Each library network sees and breaks only its own part of the sandbox (R-ORG-1): its communities,
channels, tokens, ledger entries and faults; the operator sees all of them."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.urls import reverse

from kurator.accounts.models import User
from kurator.core.testing.api import API
from kurator.core.testing.api import api_as as api_of
from kurator.core.testing.cast import enable_totp
from kurator.sandbox import faults, reader_actions
from kurator.sandbox.demo import (
    ensure_bot,
    ensure_readers,
    ensure_tg_channel,
    ensure_vk_admin_token,
    ensure_vk_community,
    load_sandbox_demo,
)
from kurator.sandbox.models import Fault, LedgerEntry, TgBot, TgChat, VkCommunity, VkToken

OPERATOR = "operator@kurator.test"  # the cast's


@dataclass
class NetworkSandbox:
    network_id: int
    community: VkCommunity
    channel: TgChat
    bot: TgBot
    admin_token: VkToken
    fault: Fault


def _sandbox_of(net, slug: str, readers) -> NetworkSandbox:
    network_id = net.network.pk
    community = ensure_vk_community(f"wall_{slug}", f"Стена {slug}", network_id)[0]
    admin_token = ensure_vk_admin_token(100 + network_id, f"Куратор {slug}", [community], network_id)
    bot = ensure_bot(f"{slug}_library", f"Бот {slug}", network_id)
    channel = ensure_tg_channel(f"channel_{slug}", f"Канал {slug}", bot, network_id)[0]
    reader_actions.reader_writes_vk(community, readers[0], f"Письмо на стену {slug}")
    reader_actions.reader_writes_tg(bot, readers[0] if slug == "north" else readers[1], f"Письмо боту {slug}")
    fault = faults.inject(network="vk", kind="server_error", network_id=network_id)
    return NetworkSandbox(network_id, community, channel, bot, admin_token, fault)


@pytest.fixture
def sandboxes(cast):
    readers = ensure_readers(2)
    return {"north": _sandbox_of(cast["north"], "north", readers), "west": _sandbox_of(cast["west"], "west", readers)}


def _with_totp(person):
    from allauth.mfa.models import Authenticator

    if not Authenticator.objects.filter(user=person).exists():
        enable_totp(person)  # overseers must have two-factor login set up (R-ORG-6)
    return person


def api_as(person):
    return api_of(_with_totp(person))


def login(client, person):
    client.force_login(_with_totp(person))


@pytest.fixture
def north_curator(cast, client):
    login(client, cast["north"]["curator"])
    return cast["north"]["curator"]


@pytest.fixture
def operator(cast, client):
    person = User.objects.get(email=OPERATOR)
    login(client, person)
    return person


# --- what a network's people see -----------------------------------------------------------------


def test_a_curator_sees_only_their_networks_communities_and_channels(north_curator, client, sandboxes):
    context = client.get(reverse("sandbox:index")).context

    assert list(context["communities"]) == [sandboxes["north"].community]
    assert list(context["channels"]) == [sandboxes["north"].channel]


def test_another_networks_wall_and_channel_are_not_found(north_curator, client, sandboxes):
    west = sandboxes["west"]
    wall = reverse("sandbox:vk_wall", args=[west.community.screen_name])
    channel = reverse("sandbox:tg_channel", args=[west.channel.username])

    assert client.get(wall).status_code == 404
    assert client.get(channel).status_code == 404
    written = LedgerEntry.objects.count()
    assert client.post(wall, {"reader": 1, "action": "message", "text": "Чужое"}).status_code == 404
    assert LedgerEntry.objects.count() == written


def test_a_person_without_a_role_in_another_network_does_not_see_its_sandbox_either(cast, client, sandboxes):
    login(client, cast["north"]["staff"])
    west = sandboxes["west"]

    assert client.get(reverse("sandbox:vk_wall", args=[west.community.screen_name])).status_code == 404
    north = sandboxes["north"]
    assert client.get(reverse("sandbox:vk_wall", args=[north.community.screen_name])).status_code == 200


def test_the_tokens_page_shows_only_the_curators_own_networks_tokens(north_curator, client, sandboxes):
    page = client.get(reverse("sandbox:tokens")).content.decode()

    north, west = sandboxes["north"], sandboxes["west"]
    assert north.admin_token.token in page and north.bot.token in page
    assert VkToken.objects.get(community=north.community).token in page
    assert west.admin_token.token not in page and west.bot.token not in page
    assert VkToken.objects.get(community=west.community).token not in page


def test_the_ledger_shows_only_the_own_networks_entries(north_curator, client, sandboxes):
    rows = client.get(reverse("sandbox:ledger")).context["entries"]

    north, west = sandboxes["north"], sandboxes["west"]
    places = {row.place for row in rows}
    assert str(north.community.owner_id) in places
    assert str(west.community.owner_id) not in places
    assert {row.payload.get("text") for row in rows if row.network == "telegram"} == {"Письмо боту north"}
    filtered = client.get(reverse("sandbox:ledger"), {"place": str(west.community.owner_id)}).context["entries"]
    assert list(filtered) == []


def test_a_readers_dialog_with_another_networks_bot_stays_out_of_the_ledger_under_the_same_chat_id(
    north_curator, client, cast, sandboxes
):
    reader = ensure_readers(1)[0]  # wrote to north's bot in the fixture
    reader_actions.reader_writes_tg(sandboxes["west"].bot, reader, "Письмо западному боту")

    rows = client.get(reverse("sandbox:ledger"), {"place": str(reader.tg_id)}).context["entries"]

    assert [row.payload["text"] for row in rows] == ["Письмо боту north"]


def test_the_faults_page_shows_the_own_networks_faults_and_the_operators_faults_on_the_whole_sandbox(
    north_curator, client, sandboxes
):
    everywhere = faults.inject(network="telegram", kind="rate_limit", retry_after=3)
    on_a_token = faults.inject(network="vk", kind="captcha", token="vk1.a.somebodys")

    response = client.get(reverse("sandbox:faults"))

    active = list(response.context["active"])
    assert set(active) == {sandboxes["north"].fault, everywhere}
    assert on_a_token not in active and sandboxes["west"].fault not in active
    # The operator's fault on the whole sandbox is shown, but only the operator clears it.
    assert {f.pk for f in active if f.may_clear} == {sandboxes["north"].fault.pk}
    assert 'data-testid="whole-sandbox"' in response.content.decode()


# --- what a network's people may break -----------------------------------------------------------


def test_a_curator_cannot_inject_a_fault_on_another_networks_token_from_the_page(north_curator, client, sandboxes):
    west = sandboxes["west"]
    before = Fault.objects.count()

    on_token = client.post(
        reverse("sandbox:fault_inject"), {"network": "vk", "kind": "revoke_token", "token": west.admin_token.token}
    )
    on_place = client.post(
        reverse("sandbox:fault_inject"),
        {"network": "telegram", "kind": "lose_admin", "place": str(west.channel.chat_id)},
    )

    assert on_token.status_code == 200 and on_token.context["form"].errors["token"]
    assert on_place.status_code == 200 and on_place.context["form"].errors["place"]
    assert Fault.objects.count() == before


def test_another_networks_token_reads_exactly_like_a_token_that_does_not_exist(cast, sandboxes):
    curator_api = api_as(cast["north"]["curator"])

    foreign = curator_api.post(
        "/sandbox/faults", {"network": "vk", "kind": "revoke_token", "token": sandboxes["west"].admin_token.token}
    )
    unknown = curator_api.post("/sandbox/faults", {"network": "vk", "kind": "revoke_token", "token": "vk1.a.nobody"})

    assert foreign.status_code == unknown.status_code == 422
    assert foreign.json() == unknown.json()
    assert not Fault.objects.filter(kind="revoke_token").exists()


def test_a_curator_cannot_name_another_network_in_the_api(cast, sandboxes):
    curator_api = api_as(cast["north"]["curator"])

    response = curator_api.post(
        "/sandbox/faults", {"network": "vk", "kind": "captcha", "network_id": sandboxes["west"].network_id}
    )

    assert response.status_code == 422
    assert not Fault.objects.filter(kind="captcha").exists()


def test_a_curators_fault_with_nothing_named_hits_only_their_own_networks_requests(cast, client, sandboxes):
    login(client, cast["north"]["curator"])
    Fault.objects.update(active=False)
    client.post(reverse("sandbox:fault_inject"), {"network": "vk", "kind": "rate_limit"})
    north, west = sandboxes["north"], sandboxes["west"]

    def get_by_id(token: VkToken, community: VkCommunity) -> dict:
        url = reverse("sandbox:vk_method", args=["groups.getById"])
        return client.get(url, {"access_token": token.token, "group_id": community.group_id, "v": "5.199"}).json()

    assert get_by_id(north.admin_token, north.community)["error"]["error_code"] == 6
    assert "response" in get_by_id(west.admin_token, west.community)


def test_a_curator_cannot_clear_another_networks_fault(cast, client, sandboxes):
    west_fault = sandboxes["west"].fault
    login(client, cast["north"]["curator"])

    response = client.post(reverse("sandbox:fault_clear"), {"fault": west_fault.pk}, follow=True)

    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    api_response = api_as(cast["north"]["curator"]).client.delete(f"{API}/sandbox/faults/{west_fault.pk}")
    assert api_response.status_code == 404
    west_fault.refresh_from_db()
    assert west_fault.active


def test_only_the_operator_clears_a_fault_on_the_whole_sandbox(cast, sandboxes):
    everywhere = faults.inject(network="vk", kind="captcha")

    refused = api_as(cast["north"]["curator"]).client.delete(f"{API}/sandbox/faults/{everywhere.pk}")
    cleared = api_as(User.objects.get(email=OPERATOR)).client.delete(f"{API}/sandbox/faults/{everywhere.pk}")

    assert refused.status_code == 403
    assert cleared.status_code == 200 and cleared.json()["active"] is False


def test_clearing_all_faults_leaves_other_networks_and_the_whole_sandbox(cast, sandboxes):
    everywhere = faults.inject(network="vk", kind="captcha")

    response = api_as(cast["north"]["curator"]).client.delete(f"{API}/sandbox/faults")

    assert response.json() == {"cleared": 1}
    assert set(Fault.objects.filter(active=True)) == {sandboxes["west"].fault, everywhere}


def test_the_api_lists_only_the_own_networks_faults(cast, sandboxes):
    listed = api_as(cast["north"]["coordinator"]).get("/sandbox/faults").json()

    assert [f["id"] for f in listed] == [sandboxes["north"].fault.pk]


# --- the operator, and what belongs to no network --------------------------------------------------


def test_the_operator_sees_both_networks_sandboxes(operator, client, sandboxes):
    north, west = sandboxes["north"], sandboxes["west"]

    index = client.get(reverse("sandbox:index")).context
    assert set(index["communities"]) == {north.community, west.community}
    assert set(index["channels"]) == {north.channel, west.channel}
    tokens = client.get(reverse("sandbox:tokens")).content.decode()
    assert north.admin_token.token in tokens and west.admin_token.token in tokens
    places = {row.place for row in client.get(reverse("sandbox:ledger")).context["entries"]}
    assert {str(north.community.owner_id), str(west.community.owner_id)} <= places
    assert set(client.get(reverse("sandbox:faults")).context["active"]) == {north.fault, west.fault}
    assert client.get(reverse("sandbox:vk_wall", args=[west.community.screen_name])).status_code == 200


def test_a_community_that_belongs_to_no_network_is_the_operators_only(cast, client):
    community = ensure_vk_community("made_by_hand", "Сделано вручную")[0]
    url = reverse("sandbox:vk_wall", args=[community.screen_name])

    login(client, cast["north"]["curator"])
    assert client.get(url).status_code == 404
    login(client, User.objects.get(email=OPERATOR))
    assert client.get(url).status_code == 200


def test_the_operators_fault_on_a_networks_token_belongs_to_that_network(cast, sandboxes):
    operator_api = api_as(User.objects.get(email=OPERATOR))
    west = sandboxes["west"]

    response = operator_api.post(
        "/sandbox/faults", {"network": "vk", "kind": "captcha", "token": west.admin_token.token}
    )

    assert response.status_code == 201 and response.json()["network_id"] == west.network_id
    west_listed = api_as(cast["west"]["curator"]).get("/sandbox/faults").json()
    assert response.json()["id"] in [f["id"] for f in west_listed]


# --- the demo ------------------------------------------------------------------------------------


def test_the_demo_gives_each_sandbox_community_channel_token_and_bot_its_pages_network(cast):
    north, west = cast["north"], cast["west"]
    made_before = VkCommunity.objects.create(group_id=1, name="Старая", screen_name="central_north")
    VkToken.objects.create(token="vk1.a.old", kind="community", community=made_before)

    load_sandbox_demo()

    made_before.refresh_from_db()
    assert made_before.network_id == north.network.pk  # given its network when the demo runs again
    for net in (north, west):
        slug = net.network.slug
        network_id = net.network.pk
        for screen_name in (f"cbs_{slug}", f"central_{slug}"):
            community = VkCommunity.objects.get(screen_name=screen_name)
            assert community.network_id == network_id
            assert {t.network_id for t in VkToken.objects.filter(community=community)} == {network_id}
            assert {t.network_id for t in VkToken.objects.filter(admin_of=community)} == {network_id}
        channel = TgChat.objects.get(username=f"branch_{slug}")
        assert channel.network_id == channel.linked_chat.network_id == network_id
        assert {m.bot.network_id for m in channel.memberships.select_related("bot")} == {network_id}
