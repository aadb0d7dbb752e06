"""The workspace around every screen: the current network, its time zone, the network switcher."""

from django.urls import reverse
from django.utils import timezone

from kurator.accounts.models import User
from kurator.core.testing.cast import enable_totp


def test_screens_follow_the_time_zone_of_the_persons_network(client, cast):
    west = cast["west"]
    west.network.time_zone = "Asia/Yekaterinburg"
    west.network.save()
    client.force_login(west["staff"])
    response = client.get(reverse("core:home"))
    assert response.status_code == 200
    assert response.wsgi_request.network == west.network
    assert str(timezone.get_current_timezone()) == "Asia/Yekaterinburg"


def test_the_operator_switches_between_networks_and_sees_only_the_chosen_ones_registry(client, cast):
    operator = User.objects.get(email="operator@kurator.test")
    client.force_login(operator)
    client.post(reverse("core:switch_network"), {"network": cast["west"].network.pk})
    content = client.get(reverse("registry:pages")).content.decode()
    assert cast["west"].central_page.url in content
    assert cast["north"].central_page.url not in content


def test_a_librarian_cannot_switch_into_another_network(client, cast):
    north, west = cast["north"], cast["west"]
    enable_totp(north["curator"])
    client.force_login(north["curator"])
    assert client.post(reverse("core:switch_network"), {"network": west.network.pk}).status_code == 400
    content = client.get(reverse("registry:pages")).content.decode()
    assert west.central_page.url not in content and north.central_page.url in content


def test_the_curators_home_lists_people_who_have_not_set_up_login_confirmation(client, cast):
    north = cast["north"]
    enable_totp(north["curator"])
    enable_totp(north["coordinator"])
    client.force_login(north["curator"])
    response = client.get(reverse("core:home"))
    missing = {p.email for p in response.context["attention"]["without_second_factor"]}
    assert "page_admin@north.test" in missing and "branch_coordinator@north.test" in missing
    assert "coordinator@north.test" not in missing and "staff@north.test" not in missing
    assert not any(email.endswith("west.test") for email in missing)


def test_a_coordinators_home_has_no_attention_panel(client, cast):
    north = cast["north"]
    enable_totp(north["coordinator"])
    client.force_login(north["coordinator"])
    response = client.get(reverse("core:home"))
    assert response.context["attention"] == {}
    assert [team.page for team in response.context["teams"]] == [north.central_page]
