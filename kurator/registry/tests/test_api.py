"""The registry over the JSON API: scoped reads (another network's objects are 404), and pages
created and changed through the registry's services (403 for what the person may not do, 422 with the
message for what the registry does not allow)."""

from __future__ import annotations

from datetime import time

import pytest

from kurator.accounts.choices import Role
from kurator.core.models import AuditEvent
from kurator.core.testing.api import api_as
from kurator.core.testing.cast import assign, enable_totp
from kurator.registry.models import Page, WorkingHours


@pytest.fixture
def administration(cast):
    return api_as(cast["north"]["administration"], language="en")


@pytest.fixture
def curator(cast):
    enable_totp(cast["north"]["curator"])
    return api_as(cast["north"]["curator"], language="en")


@pytest.fixture
def coordinator(cast):
    enable_totp(cast["north"]["coordinator"])
    return api_as(cast["north"]["coordinator"], language="en")


def ids(response):
    return {item["id"] for item in response.json()["items"]}


# Reads -----------------------------------------------------------------------------------------


def test_a_person_sees_only_their_own_network(cast, administration):
    response = administration.get("/registry/networks")

    assert response.status_code == 200
    assert ids(response) == {cast["north"].network.pk}
    assert response.json()["count"] == 1


def test_another_networks_library_department_and_network_are_not_found(cast, administration):
    west = cast["west"]

    for path in (
        f"/registry/networks/{west.network.pk}",
        f"/registry/libraries/{west.central.pk}",
        f"/registry/departments/{west.central_dept.pk}",
    ):
        response = administration.get(path)
        assert response.status_code == 404, path
        assert response.json() == {"detail": "Not found."}


def test_another_networks_page_is_404_to_read_and_to_change(cast, administration):
    page = cast["west"].central_page

    assert administration.get(f"/registry/pages/{page.pk}").status_code == 404
    response = administration.patch(f"/registry/pages/{page.pk}", {"name": "Taken over"})

    assert response.status_code == 404
    page.refresh_from_db()
    assert page.name != "Taken over"


def test_an_object_that_does_not_exist_is_404_just_like_another_networks(cast, administration):
    assert (
        administration.get("/registry/pages/999999").json()
        == administration.get(f"/registry/pages/{cast['west'].main_page.pk}").json()
    )


def test_a_coordinator_of_one_library_sees_only_their_part_of_the_registry(cast, coordinator):
    north = cast["north"]

    assert ids(coordinator.get("/registry/libraries")) == {north.central.pk}
    assert ids(coordinator.get("/registry/departments")) == {north.central_dept.pk}
    assert ids(coordinator.get("/registry/pages")) == {north.central_page.pk}
    assert coordinator.get(f"/registry/pages/{north.branch_page.pk}").status_code == 404
    assert coordinator.get(f"/registry/libraries/{north.branch.pk}").status_code == 404


def test_the_curator_sees_the_whole_registry_of_their_network(cast, curator):
    north = cast["north"]

    assert ids(curator.get("/registry/pages")) == {north.main_page.pk, north.central_page.pk, north.branch_page.pk}
    assert ids(curator.get("/registry/libraries")) == {north.central.pk, north.branch.pk}


def test_a_library_comes_with_its_working_hours_and_departments(cast, administration):
    north = cast["north"]

    body = administration.get(f"/registry/libraries/{north.central.pk}").json()

    assert body["name"] == north.central.name
    assert body["head"] == {"id": north["head"].pk, "full_name": north["head"].full_name}
    assert [h["weekday"] for h in body["hours"]] == [0, 1, 2, 3, 4]
    assert body["hours"][0] == {"weekday": 0, "weekday_name": "Monday", "opens": "09:00", "closes": "18:00"}
    assert body["departments"] == [{"id": north.central_dept.pk, "name": north.central_dept.name}]


def test_a_department_without_its_own_hours_keeps_the_librarys(cast, administration):
    north = cast["north"]

    body = administration.get(f"/registry/departments/{north.central_dept.pk}").json()

    assert body["own_hours"] is False
    assert len(body["hours"]) == 5
    assert body["address"] == north.central.address
    assert body["pages"] == [
        {
            "id": north.central_page.pk,
            "name": north.central_page.name,
            "social_network": "vk",
            "url": north.central_page.url,
        }
    ]


def test_a_department_with_its_own_hours_shows_them(cast, administration):
    north = cast["north"]
    WorkingHours.objects.create(department=north.central_dept, weekday=5, opens=time(11), closes=time(16))

    body = administration.get(f"/registry/departments/{north.central_dept.pk}").json()

    assert body["own_hours"] is True
    assert body["hours"] == [{"weekday": 5, "weekday_name": "Saturday", "opens": "11:00", "closes": "16:00"}]


def test_departments_and_libraries_can_be_filtered(cast, administration):
    north = cast["north"]

    assert ids(administration.get("/registry/departments", library=north.branch.pk)) == {north.branch_dept.pk}
    assert ids(administration.get("/registry/libraries", network=north.network.pk)) == {
        north.central.pk,
        north.branch.pk,
    }
    assert ids(administration.get("/registry/libraries", network=cast["west"].network.pk)) == set()


def test_pages_can_be_filtered_by_network_social_network_library_and_publishing_mode(cast, administration):
    north = cast["north"]
    north.main_page.publishing_mode = "assisted"
    north.main_page.save()

    assert ids(administration.get("/registry/pages", social_network="telegram")) == {north.branch_page.pk}
    assert ids(administration.get("/registry/pages", library=north.central.pk)) == {north.central_page.pk}
    assert ids(administration.get("/registry/pages", publishing_mode="assisted")) == {north.main_page.pk}
    assert ids(administration.get("/registry/pages", network=north.network.pk)) == {
        north.main_page.pk,
        north.central_page.pk,
        north.branch_page.pk,
    }
    assert administration.get("/registry/pages", social_network="myspace").status_code == 422


def test_a_page_comes_with_its_departments_and_current_coordinator(cast, administration):
    north = cast["north"]

    body = administration.get(f"/registry/pages/{north.central_page.pk}").json()

    assert body["departments"] == [{"id": north.central_dept.pk, "name": north.central_dept.name}]
    assert body["department_ids"] == [north.central_dept.pk]
    assert body["coordinator"] == {"id": north["coordinator"].pk, "full_name": north["coordinator"].full_name}
    assert body["social_network_label"] == "VK"


def test_lists_are_paginated_with_limit_and_offset(cast, administration):
    first = administration.get("/registry/pages", limit=2).json()
    rest = administration.get("/registry/pages", limit=2, offset=2).json()

    assert first["count"] == rest["count"] == 3
    assert len(first["items"]) == 2
    assert len(rest["items"]) == 1
    assert administration.get("/registry/pages", limit=10_000).status_code == 422


# Writes ----------------------------------------------------------------------------------------


def new_page(cast, **extra):
    north = cast["north"]
    return {
        "library_id": north.branch.pk,
        "department_ids": [north.branch_dept.pk],
        "name": "Абонемент во ВКонтакте",
        "social_network": "vk",
        "url": "https://vk.com/abonement_north",
        "publishing_mode": "automatic",
        **extra,
    }


def test_the_curator_adds_a_page_to_the_registry(cast, curator):
    north = cast["north"]

    response = curator.post("/registry/pages", new_page(cast, approval_weekday=2))

    assert response.status_code == 201, response.content
    body = response.json()
    page = Page.objects.get(pk=body["id"])
    assert page.network == north.network
    assert page.library == north.branch
    assert list(page.departments.all()) == [north.branch_dept]
    assert body["approval_weekday"] == 2
    assert body["coordinator"] is None
    assert AuditEvent.objects.filter(verb="page.created", actor=north["curator"]).exists()


def test_creating_a_second_page_for_one_department_on_one_network_is_422_with_the_message(cast, curator):
    north = cast["north"]

    response = curator.post(
        "/registry/pages", new_page(cast, social_network="telegram", url="https://t.me/another_branch_channel")
    )

    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == ["body", "departments"]
    assert f"already has a page on Telegram: “{north.branch_page.name}”" in error["msg"]
    assert "make that page joint instead" in error["msg"]
    assert not Page.objects.filter(url="https://t.me/another_branch_channel").exists()


def test_automatic_publishing_on_a_network_without_an_api_is_422(cast, curator):
    response = curator.post(
        "/registry/pages",
        new_page(cast, social_network="youtube", url="https://youtube.com/@north", department_ids=[]),
    )

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "publishing_mode"]


def test_a_library_or_department_of_another_network_in_the_body_is_422(cast, curator):
    west = cast["west"]

    by_library = curator.post("/registry/pages", new_page(cast, library_id=west.central.pk, department_ids=[]))
    by_department = curator.post("/registry/pages", new_page(cast, department_ids=[west.central_dept.pk]))
    by_network = curator.post("/registry/pages", new_page(cast, network_id=west.network.pk))

    assert by_library.status_code == 422
    assert by_library.json()["detail"][0]["loc"] == ["body", "library_id"]
    assert by_department.status_code == 422
    assert by_department.json()["detail"][0]["loc"] == ["body", "department_ids"]
    assert by_network.status_code == 422
    assert by_network.json()["detail"][0]["loc"] == ["body", "network_id"]


def test_a_coordinator_may_not_add_pages_to_the_registry(cast, coordinator):
    response = coordinator.post("/registry/pages", new_page(cast, library_id=None, department_ids=[]))

    assert response.status_code == 403
    assert response.json() == {"detail": "You may not do this."}


def test_a_coordinator_sees_their_page_but_may_not_change_it(cast, coordinator):
    page = cast["north"].central_page

    response = coordinator.patch(f"/registry/pages/{page.pk}", {"verified": True})

    assert response.status_code == 403
    page.refresh_from_db()
    assert page.verified is False


def test_the_curator_changes_a_page_and_only_the_fields_sent_change(cast, curator):
    north = cast["north"]
    page = north.central_page

    response = curator.patch(f"/registry/pages/{page.pk}", {"verified": True, "approval_weekday": 4})

    assert response.status_code == 200, response.content
    page.refresh_from_db()
    assert page.verified is True
    assert page.approval_weekday == 4
    assert page.name == f"Центральная {north.network.slug}"
    assert list(page.departments.all()) == [north.central_dept]


def test_a_page_becomes_joint_when_another_department_is_added(cast, curator):
    north = cast["north"]
    page = north.main_page

    response = curator.patch(f"/registry/pages/{page.pk}", {"department_ids": [north.branch_dept.pk]})

    assert response.status_code == 200, response.content
    assert response.json()["department_ids"] == [north.branch_dept.pk]


def test_an_invalid_link_is_422_in_the_persons_language(cast):
    north = cast["north"]
    english = api_as(north["administration"], language="en")
    page = north.central_page

    in_english = english.patch(f"/registry/pages/{page.pk}", {"url": "not a link"})
    north["administration"].language = "ru"
    north["administration"].save()
    in_russian = english.patch(f"/registry/pages/{page.pk}", {"url": "not a link"})

    assert in_english.status_code == in_russian.status_code == 422
    assert in_english.json()["detail"] == [{"loc": ["body", "url"], "msg": "Enter a valid URL."}]
    assert in_russian.json()["detail"] == [{"loc": ["body", "url"], "msg": "Введите правильный URL."}]


def test_administering_the_networks_own_page_does_not_open_the_library_pages(cast):
    north = cast["north"]
    assign(north["staff"], Role.PAGE_ADMIN, network=north.network, page=north.main_page)
    enable_totp(north["staff"])
    staff = api_as(north["staff"], language="en")

    visible = ids(staff.get("/registry/pages"))

    assert north.main_page.pk in visible
    assert north.central_page.pk not in visible
