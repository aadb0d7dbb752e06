"""List pages do not grow their query count with the number of rows (no N+1)."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kurator.accounts.choices import Role
from kurator.core.testing.cast import assign, enable_totp, person
from kurator.registry.models import Department, Page, PageDepartment


def add_pages(north, count: int, start: int) -> None:
    for i in range(start, start + count):
        department = Department.objects.create(library=north.central, name=f"Отдел {i}")
        page = Page.objects.create(
            network=north.network,
            library=north.central,
            name=f"Страница {i}",
            social_network="vk",
            url=f"https://vk.com/p{i}",
        )
        PageDepartment.objects.create(page=page, department=department, social_network="vk")
        someone = person(f"c{i}@north.test", north.network, north.central)
        assign(someone, Role.COORDINATOR, network=north.network, page=page)


def queries_for(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_registry_and_people_lists_cost_the_same_queries_for_5_or_25_pages(client, cast):
    north = cast["north"]
    enable_totp(north["curator"])
    client.force_login(north["curator"])
    add_pages(north, 5, 0)
    few = {
        name: queries_for(client, reverse(name))
        for name in ("registry:pages", "accounts:people", "registry:libraries", "accounts:responsibility")
    }
    add_pages(north, 20, 5)
    many = {name: queries_for(client, reverse(name)) for name in few}
    assert many == few
    assert max(many.values()) <= 20
