"""Who may call the JSON API, and people over it: scoped reads, roles and absences through the
services, and who is responsible for a page today."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from kurator.accounts.choices import Role
from kurator.accounts.models import Absence, Internship, RoleAssignment
from kurator.accounts.tokens import api_token_create, api_token_revoke
from kurator.core.testing.api import ApiClient, api_as
from kurator.core.testing.cast import PASSWORD, enable_totp


def ids(response):
    return {item["id"] for item in response.json()["items"]}


@pytest.fixture
def administration(cast):
    return api_as(cast["north"]["administration"], language="en")


# Authentication --------------------------------------------------------------------------------


def test_a_token_authenticates_its_person(cast):
    person = cast["north"]["administration"]

    response = api_as(person).get("/people/me")

    assert response.status_code == 200
    assert response.json()["id"] == person.pk
    assert [r["role"] for r in response.json()["roles"]] == ["administration"]


def test_without_a_token_the_api_answers_401(cast):
    response = ApiClient(None).get("/registry/pages")

    assert response.status_code == 401
    assert "Authorization: Bearer" in response.json()["detail"]
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("header", ["Bearer kur_00000000_unknown", "Bearer ", "Token whatever", "Basic dXNlcjpwYXNz"])
def test_an_unknown_or_malformed_token_gets_401(cast, header):
    response = Client(headers={"Authorization": header}).get("/api/v1/registry/pages")

    assert response.status_code == 401


def test_a_revoked_token_gets_401(cast):
    person = cast["north"]["administration"]
    token, raw = api_token_create(person=person, name="script")
    client = ApiClient(raw)
    assert client.get("/people/me").status_code == 200

    api_token_revoke(by=person, token=token)

    assert client.get("/people/me").status_code == 401


def test_the_token_of_a_person_whose_account_is_closed_gets_401(cast):
    person = cast["north"]["staff"]
    client = api_as(person)
    person.is_active = False
    person.save()

    assert client.get("/people/me").status_code == 401


def test_a_person_whose_role_requires_login_confirmation_needs_it_set_up_before_using_the_api(cast):
    coordinator = cast["north"]["coordinator"]
    client = api_as(coordinator, language="en")

    refused = client.get("/people/me")
    enable_totp(coordinator)
    allowed = client.get("/people/me")

    assert refused.status_code == 403
    assert "login confirmation" in refused.json()["detail"]
    assert allowed.status_code == 200


def test_a_logged_in_browser_may_read_the_api_but_must_send_the_csrf_token_to_write(cast):
    browser = Client(enforce_csrf_checks=True)
    browser.login(email="administration@north.test", password=PASSWORD)

    read = browser.get("/api/v1/people/me")
    write = browser.post(
        "/api/v1/people/absences",
        json.dumps({"starts_on": "2030-01-01", "ends_on": "2030-01-05"}),
        content_type="application/json",
    )

    assert read.status_code == 200
    assert write.status_code == 403
    assert not Absence.objects.exists()


# People ----------------------------------------------------------------------------------------


def test_a_coordinator_of_one_library_sees_only_the_people_of_that_library(cast):
    north = cast["north"]
    enable_totp(north["coordinator"])

    seen = ids(api_as(north["coordinator"]).get("/people"))

    central = {north[k].pk for k in ("administration", "curator", "coordinator", "page_admin", "designer", "head")}
    assert seen == central
    assert north["staff"].pk not in seen  # works in the branch


def test_another_networks_person_is_not_found(cast, administration):
    response = administration.get(f"/people/{cast['west']['administration'].pk}")

    assert response.status_code == 404
    assert cast["west"]["administration"].pk not in ids(administration.get("/people"))


def test_people_can_be_filtered_by_library_and_by_role(cast, administration):
    north = cast["north"]

    in_branch = ids(administration.get("/people", library=north.branch.pk))
    coordinators = ids(administration.get("/people", role="coordinator"))

    assert in_branch == {north["branch_coordinator"].pk, north["member"].pk, north["staff"].pk}
    assert coordinators == {north["coordinator"].pk, north["branch_coordinator"].pk}


def test_a_person_comes_with_the_roles_they_hold_today(cast, administration):
    north = cast["north"]
    RoleAssignment.objects.create(
        person=north["curator"],
        role=Role.DESIGNER,
        scope="network",
        network=north.network,
        starts_on=date(2019, 1, 1),
        ends_on=date(2019, 12, 31),
    )

    body = administration.get(f"/people/{north['curator'].pk}").json()

    assert sorted(r["role"] for r in body["roles"]) == ["curator", "page_owner"]
    assert all(r["active"] for r in body["roles"])


# Roles -----------------------------------------------------------------------------------------


def ready_to_coordinate(person, network):
    Internship.objects.create(
        person=person, network=network, started_on=date(2021, 1, 1), completed_on=date(2021, 3, 1)
    )


def test_the_administration_appoints_a_page_administrator(cast, administration):
    north = cast["north"]

    response = administration.post(
        "/people/roles", {"person_id": north["staff"].pk, "role": "page_admin", "page_id": north.branch_page.pk}
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["person"]["id"] == north["staff"].pk
    assert body["scope"] == "page"
    assert body["page_id"] == north.branch_page.pk
    assert body["active"] is True


def test_appointing_a_second_coordinator_is_422_with_the_message(cast, administration):
    north = cast["north"]
    ready_to_coordinate(north["staff"], north.network)

    response = administration.post(
        "/people/roles", {"person_id": north["staff"].pk, "role": "coordinator", "page_id": north.central_page.pk}
    )

    assert response.status_code == 422
    assert "already has a page coordinator: Coordinator" in response.json()["detail"][0]["msg"]


def test_a_coordinator_without_the_internship_cannot_be_appointed(cast, administration):
    north = cast["north"]
    page = north.main_page

    response = administration.post(
        "/people/roles", {"person_id": north["staff"].pk, "role": "coordinator", "page_id": page.pk}
    )

    assert response.status_code == 422
    assert any("internship" in error["msg"] for error in response.json()["detail"])


def test_a_role_needs_one_place_not_several(cast, administration):
    north = cast["north"]

    response = administration.post(
        "/people/roles",
        {
            "person_id": north["staff"].pk,
            "role": "page_admin",
            "page_id": north.branch_page.pk,
            "department_id": north.branch_dept.pk,
        },
    )

    assert response.status_code == 422


def test_a_coordinator_may_not_appoint_anyone(cast):
    north = cast["north"]
    enable_totp(north["coordinator"])

    response = api_as(north["coordinator"]).post(
        "/people/roles", {"person_id": north["designer"].pk, "role": "page_admin", "page_id": north.central_page.pk}
    )

    assert response.status_code == 403
    assert not RoleAssignment.objects.filter(person=north["designer"], role="page_admin").exists()


def test_a_person_of_another_network_cannot_be_appointed(cast, administration):
    response = administration.post("/people/roles", {"person_id": cast["west"]["staff"].pk, "role": "designer"})

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "person_id"]


def test_the_administration_ends_a_role(cast, administration):
    north = cast["north"]
    role = RoleAssignment.objects.get(person=north["designer"], role=Role.DESIGNER)
    yesterday = timezone.localdate() - timedelta(days=1)

    response = administration.post(f"/people/roles/{role.pk}/end", {"on": yesterday.isoformat()})

    assert response.status_code == 200, response.content
    assert response.json()["ends_on"] == yesterday.isoformat()
    assert response.json()["active"] is False
    assert administration.post(f"/people/roles/{role.pk}/end", {}).status_code == 422


def test_another_networks_role_cannot_even_be_found_to_end(cast, administration):
    role = RoleAssignment.objects.get(person=cast["west"]["designer"])

    response = administration.post(f"/people/roles/{role.pk}/end", {})

    assert response.status_code == 404
    role.refresh_from_db()
    assert role.ends_on is None


def test_roles_can_be_filtered_by_page_and_activity(cast, administration):
    north = cast["north"]

    on_page = administration.get("/people/roles", page=north.central_page.pk).json()["items"]

    assert {r["role"] for r in on_page} == {"coordinator", "page_admin"}
    assert administration.get("/people/roles", active="false").json()["count"] == 0


# Absences and responsibility -------------------------------------------------------------------


def test_a_person_records_their_own_absence(cast):
    staff = cast["north"]["staff"]
    client = api_as(staff, language="en")

    response = client.post("/people/absences", {"starts_on": "2030-07-01", "ends_on": "2030-07-14", "kind": "vacation"})

    assert response.status_code == 201, response.content
    assert response.json()["person"]["id"] == staff.pk
    assert response.json()["kind_label"] == "Vacation"
    assert Absence.objects.get().person == staff


def test_a_coordinator_cannot_be_absent_without_a_substitute(cast, administration):
    north = cast["north"]

    response = administration.post(
        "/people/absences", {"person_id": north["coordinator"].pk, "starts_on": "2030-07-01", "ends_on": "2030-07-14"}
    )

    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == ["body", "substitute"]
    assert "must be substituted" in error["msg"]


def test_an_absence_that_ends_before_it_starts_is_422(cast, administration):
    response = administration.post("/people/absences", {"starts_on": "2030-07-14", "ends_on": "2030-07-01"})

    assert response.status_code == 422


def test_absences_can_be_listed_by_the_day_they_cover(cast, administration):
    north = cast["north"]
    administration.post(
        "/people/absences",
        {
            "person_id": north["coordinator"].pk,
            "starts_on": "2030-07-01",
            "ends_on": "2030-07-14",
            "substitute_id": north["page_admin"].pk,
        },
    )

    assert administration.get("/people/absences", on="2030-07-05").json()["count"] == 1
    assert administration.get("/people/absences", on="2030-08-05").json()["count"] == 0


def test_the_responsible_people_of_a_page_are_its_coordinator_administrators_and_curator(cast, administration):
    north = cast["north"]

    body = administration.get("/people/responsible", page=north.central_page.pk).json()

    assert body["page_id"] == north.central_page.pk
    assert body["coordinator"]["id"] == north["coordinator"].pk
    assert body["curator"]["id"] == north["curator"].pk
    assert [a["holder"]["id"] for a in body["administrators"]] == [north["page_admin"].pk]
    assert body["coordinators"][0]["substituted"] is False


def test_while_the_coordinator_is_away_the_substitute_is_responsible(cast, administration):
    north = cast["north"]
    today = timezone.localdate()
    Absence.objects.create(
        person=north["coordinator"],
        network=north.network,
        starts_on=today - timedelta(days=1),
        ends_on=today + timedelta(days=6),
        substitute=north["page_admin"],
    )

    body = administration.get("/people/responsible", page=north.central_page.pk).json()

    assert body["coordinator"]["id"] == north["page_admin"].pk
    [coordinator] = body["coordinators"]
    assert coordinator["holder"]["id"] == north["coordinator"].pk
    assert coordinator["substituted"] is True
    assert coordinator["absent_until"] == (today + timedelta(days=6)).isoformat()


def test_the_responsible_people_of_another_networks_page_are_not_found(cast, administration):
    response = administration.get("/people/responsible", page=cast["west"].central_page.pk)

    assert response.status_code == 404
