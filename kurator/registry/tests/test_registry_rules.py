"""The registry's own rules (R-ORG-1..3): one page per department per network, joint pages,
known countries, isolation between networks."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from kurator.registry.models import Page
from kurator.registry.services import library_create, page_create, page_update


@pytest.fixture(autouse=True)
def _english():
    """These tests read the rules' messages in English; the Russian wording is checked on the screens."""
    with translation.override("en"):
        yield


def test_a_second_page_for_one_department_on_one_network_is_refused_and_nothing_is_saved(cast):
    north = cast["north"]
    before = Page.objects.count()
    with pytest.raises(ValidationError) as error:
        page_create(
            by=north["curator"],
            network=north.network,
            name="Ещё одна",
            social_network="vk",
            url="https://vk.com/another",
            library=north.central,
            departments=[north.central_dept],
        )
    assert "at most one page per social network" in " ".join(error.value.messages)
    assert Page.objects.count() == before


def test_the_same_department_may_have_a_page_on_another_network(cast):
    north = cast["north"]
    page = page_create(
        by=north["curator"],
        network=north.network,
        name="Канал отдела",
        social_network="telegram",
        url="https://t.me/central_dept",
        library=north.central,
        departments=[north.central_dept],
    )
    assert list(page.departments.all()) == [north.central_dept]


def test_a_page_may_be_run_jointly_by_several_departments(cast):
    north = cast["north"]
    # In the cast the branch department already has a Telegram page; the joint page is on OK.
    page = page_create(
        by=north["curator"],
        network=north.network,
        name="Общая группа",
        social_network="ok",
        url="https://ok.ru/joint",
        publishing_mode="assisted",
        departments=[north.central_dept],
    )
    page_update(by=north["curator"], page=page, departments=[north.central_dept, north.branch_dept])
    assert set(page.departments.all()) == {north.central_dept, north.branch_dept}


def test_moving_a_page_to_another_network_cannot_sneak_past_the_rule(cast):
    north = cast["north"]
    tg = page_create(
        by=north["curator"],
        network=north.network,
        name="Канал",
        social_network="telegram",
        url="https://t.me/x1",
        departments=[north.central_dept],
    )
    with pytest.raises(ValidationError):
        page_update(by=north["curator"], page=tg, social_network="vk")  # the department has a VK page already
    tg.refresh_from_db()
    assert tg.social_network == "telegram"


def test_a_department_of_another_network_cannot_run_a_page(cast):
    north, west = cast["north"], cast["west"]
    with pytest.raises(ValidationError):
        page_create(
            by=north["curator"],
            network=north.network,
            name="Чужой",
            social_network="telegram",
            url="https://t.me/alien",
            departments=[west.central_dept],
        )


def test_automatic_publishing_is_refused_for_a_network_without_an_api(cast):
    north = cast["north"]
    with pytest.raises(ValidationError) as error:
        page_create(
            by=north["curator"],
            network=north.network,
            name="Дзен",
            social_network="dzen",
            url="https://dzen.ru/lib",
            publishing_mode="automatic",
        )
    assert "assisted" in " ".join(error.value.messages)


def test_an_unknown_country_is_refused(cast):
    north = cast["north"]
    with pytest.raises(ValidationError) as error:
        library_create(by=north["administration"], network=north.network, name="Новая", country="KZ")
    assert "Russia (RU) and Belarus (BY)" in " ".join(error.value.messages)


def test_only_the_curator_and_administration_keep_the_registry(cast):
    north = cast["north"]
    with pytest.raises(PermissionDenied):
        page_create(
            by=north["coordinator"],
            network=north.network,
            name="Самовольная",
            social_network="ok",
            url="https://ok.ru/x",
        )


def test_another_networks_curator_cannot_touch_this_registry(cast):
    north, west = cast["north"], cast["west"]
    with pytest.raises(PermissionDenied):
        page_update(by=west["curator"], page=north.central_page, name="Захват")


def test_the_database_keeps_one_page_per_department_per_network_whoever_saves(cast):
    """The Django admin saves models directly; the copy of the page's network still guards R-ORG-3."""
    from django.db import IntegrityError, transaction

    from kurator.registry.models import PageDepartment

    north = cast["north"]
    other = Page.objects.create(
        network=north.network, name="Из админки", social_network="vk", url="https://vk.com/admin_made"
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        PageDepartment.objects.create(page=other, department=north.central_dept)
    telegram = Page.objects.create(
        network=north.network, name="ТГ", social_network="telegram", url="https://t.me/admin_made"
    )
    PageDepartment.objects.create(page=telegram, department=north.central_dept)
    telegram.social_network = "vk"
    with pytest.raises(IntegrityError), transaction.atomic():
        telegram.save()
