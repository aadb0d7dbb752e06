"""The registry screens as a curator uses them: bad input gets a clear Russian message and changes
nothing; every change shows in the object's history (R-REV-5)."""

import html

from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from kurator.core.testing.cast import enable_totp
from kurator.registry.choices import SocialNetwork
from kurator.registry.models import Page


def russian(msgid: str, **values: object) -> str:
    """The message as a Russian librarian reads it (lazy values, such as choice labels, are rendered in
    Russian too); fails if the catalogue lacks it."""
    with translation.override("ru"):
        text = gettext(msgid) % values if values else gettext(msgid)
    with translation.override("en"):
        english = gettext(msgid) % values if values else gettext(msgid)
    assert text != english, f"no Russian translation for: {msgid}"
    return text


def login(client, person):
    enable_totp(person)
    client.force_login(person)


def page_form(**overrides):
    data = {
        "name": "Отдел обслуживания ВКонтакте",
        "social_network": "vk",
        "url": "https://vk.com/second_page",
        "library": "",
        "departments": [],
        "approval_weekday": "2",
        "publishing_mode": "automatic",
        "notes": "",
    }
    data.update(overrides)
    return data


def test_a_second_vk_page_for_one_department_is_refused_in_russian_and_nothing_is_saved(client, cast):
    north = cast["north"]
    login(client, north["curator"])
    before = Page.objects.count()
    response = client.post(
        reverse("registry:page_create"), page_form(library=north.central.pk, departments=[north.central_dept.pk])
    )
    assert response.status_code == 200
    expected = russian(
        "The department “%(department)s” already has a page on %(network)s: “%(page)s”. "
        "A department may have at most one page per social network; make that page joint instead.",
        department=north.central_dept.name,
        network=SocialNetwork.VK.label,
        page=north.central_page.name,
    )
    assert expected in html.unescape(response.content.decode())
    assert Page.objects.count() == before


def test_a_curator_adds_a_page_and_it_appears_in_the_registry_with_its_history(client, cast):
    north = cast["north"]
    login(client, north["curator"])
    response = client.post(
        reverse("registry:page_create"),
        page_form(
            social_network="telegram",
            url="https://t.me/central_news",
            library=north.central.pk,
            departments=[north.central_dept.pk],
        ),
    )
    assert response.status_code == 302
    page = Page.objects.get(url="https://t.me/central_news")
    assert client.get(reverse("registry:pages")).content.decode().count("https://t.me/central_news") >= 1
    client.post(
        reverse("registry:page_edit", args=[page.pk]),
        page_form(
            name="Новости центральной",
            social_network="telegram",
            url="https://t.me/central_news",
            library=north.central.pk,
            departments=[north.central_dept.pk],
        ),
    )
    detail = html.unescape(client.get(reverse("registry:page", args=[page.pk])).content.decode())
    assert "Новости центральной" in detail
    assert "Отдел обслуживания ВКонтакте" in detail  # the old name, in the history's "before" column
    assert north["curator"].full_name in detail


def test_a_coordinator_sees_no_edit_button_and_cannot_post_changes(client, cast):
    north = cast["north"]
    login(client, north["coordinator"])
    detail = client.get(reverse("registry:page", args=[north.central_page.pk]))
    assert reverse("registry:page_edit", args=[north.central_page.pk]) not in detail.content.decode()
    response = client.post(reverse("registry:page_edit", args=[north.central_page.pk]), page_form(name="Самовольно"))
    assert response.status_code == 403
    assert russian("This action is not part of your role") in response.content.decode()
    north.central_page.refresh_from_db()
    assert north.central_page.name != "Самовольно"


def test_a_library_head_changes_opening_hours_and_a_closing_time_before_opening_is_refused(client, cast):
    north = cast["north"]
    login(client, north["head"])
    url = reverse("registry:library_edit", args=[north.central.pk])
    data = {
        f"library-{k}": v
        for k, v in {
            "name": north.central.name,
            "address": "ул. Ленина, 1",
            "time_zone": "Europe/Moscow",
            "country": "RU",
            "is_central": "on",
        }.items()
    }
    data.update({"hours-opens_0": "10:00", "hours-closes_0": "09:00"})
    response = client.post(url, data)
    assert response.status_code == 200
    assert russian("The closing time must be after the opening time.") in response.content.decode()
    assert north.central.hours.get(weekday=0).opens.hour == 9  # unchanged
    data.update({"hours-opens_0": "11:00", "hours-closes_0": "20:00"})
    assert client.post(url, data).status_code == 302
    assert north.central.hours.get(weekday=0).opens.hour == 11
    assert not north.central.hours.filter(weekday=1).exists()  # the rows left empty are closed days
