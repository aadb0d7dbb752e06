"""The working-calendar screen: the administration changes single days; everyone else reads."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from kurator.core.calendar_services import calendar_override_add
from kurator.core.models import AuditEvent, CalendarOverride
from kurator.core.testing.cast import enable_totp

URL = reverse("core:calendar")


def delete_url(override: CalendarOverride) -> str:
    return reverse("core:calendar_delete", args=[override.pk])


@pytest.fixture(autouse=True)
def _plain_static_files(settings):
    # The suite runs with KURATOR_DEBUG=0, i.e. the manifest storage, and no collectstatic manifest.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def as_person(client):
    def login(user):
        user.language = "en"  # English msgids, whatever the Russian catalogue holds today
        user.save(update_fields=["language"])
        client.force_login(user)
        return client

    return login


def add(client, **fields):
    data = {
        "country": "RU",
        "date": "2025-03-07",
        "kind": "shortened",
        "shortened_by_minutes": "60",
        "note": "Предпраздничный день",
    }
    return client.post(URL, {**data, **fields})


def test_an_anonymous_visitor_is_sent_to_log_in(client) -> None:
    response = client.get(URL)
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_an_anonymous_delete_is_sent_to_log_in_and_deletes_nothing(client, cast) -> None:
    override = CalendarOverride.objects.create(
        network_id=cast["north"].network.pk, country="RU", date=date(2025, 5, 5), kind="non_working"
    )
    response = client.post(delete_url(override))
    assert response.status_code == 302
    assert CalendarOverride.objects.filter(pk=override.pk).exists()


def test_the_administration_adds_a_shortened_day_and_the_audit_remembers_it(as_person, cast) -> None:
    north = cast["north"]
    client = as_person(north["administration"])
    response = add(client)
    assert response.status_code == 302
    assert response["Location"] == f"{URL}?year=2025&country=RU"
    override = CalendarOverride.objects.get()
    assert (override.network_id, override.date, override.kind, override.shortened_by_minutes) == (
        north.network.pk,
        date(2025, 3, 7),
        "shortened",
        60,
    )
    event = AuditEvent.objects.get(verb="calendar_override.added")
    assert (event.actor, event.network_id, event.target) == (north["administration"], north.network.pk, override)
    page = client.get(response["Location"])
    assert "Предпраздничный день" in page.content.decode()
    assert "60 minutes shorter" in page.content.decode()


def test_a_day_off_needs_no_minutes(as_person, cast) -> None:
    client = as_person(cast["north"]["administration"])
    assert add(client, kind="non_working", shortened_by_minutes="").status_code == 302
    assert CalendarOverride.objects.get().kind == "non_working"


def test_a_shortened_day_without_minutes_is_refused(as_person, cast) -> None:
    client = as_person(cast["north"]["administration"])
    response = add(client, shortened_by_minutes="")
    assert response.status_code == 400
    assert "Say by how many minutes the day is shortened." in response.content.decode()
    assert not CalendarOverride.objects.exists()


def test_a_day_already_overridden_for_that_country_and_network_is_refused_with_a_message(as_person, cast) -> None:
    north = cast["north"]
    CalendarOverride.objects.create(network_id=north.network.pk, country="RU", date=date(2025, 3, 7), kind="working")
    client = as_person(north["administration"])
    response = add(client)
    assert response.status_code == 400
    assert "This day already has an override for this country; delete it first." in response.content.decode()
    assert CalendarOverride.objects.get().kind == "working"
    assert not AuditEvent.objects.filter(verb="calendar_override.added").exists()


def test_the_same_day_may_be_overridden_by_the_network_over_an_installation_wide_decision(as_person, cast) -> None:
    north = cast["north"]
    CalendarOverride.objects.create(country="RU", date=date(2025, 3, 7), kind="working")
    client = as_person(north["administration"])
    assert add(client).status_code == 302
    assert CalendarOverride.objects.filter(network_id=north.network.pk).count() == 1


def test_the_same_day_in_the_other_country_is_a_different_decision(as_person, cast) -> None:
    north = cast["north"]
    CalendarOverride.objects.create(network_id=north.network.pk, country="RU", date=date(2025, 3, 7), kind="working")
    client = as_person(north["administration"])
    assert add(client, country="BY").status_code == 302
    assert CalendarOverride.objects.count() == 2


def test_an_unknown_country_is_refused_with_a_message(as_person, cast) -> None:
    client = as_person(cast["north"]["administration"])
    response = add(client, country="KZ")
    assert response.status_code == 400
    assert "Kurator knows the production calendars of Russia and Belarus only." in response.content.decode()
    assert not CalendarOverride.objects.exists()


def test_a_librarian_reads_the_calendar_but_sees_no_form(as_person, cast) -> None:
    north = cast["north"]
    CalendarOverride.objects.create(
        network_id=north.network.pk,
        country="RU",
        date=date(2025, 5, 5),
        kind="non_working",
        note="Решение администрации",
    )
    response = as_person(north["member"]).get(URL, {"year": 2025})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Решение администрации" in html
    assert 'name="kind"' not in html
    assert 'data-testid="read-only"' in html
    assert reverse("core:calendar_delete", args=[CalendarOverride.objects.get().pk]) not in html


def test_a_curator_may_not_add_a_day(as_person, cast) -> None:
    curator = cast["north"]["curator"]
    enable_totp(curator)
    response = add(as_person(curator))
    assert response.status_code == 403
    assert not CalendarOverride.objects.exists()


def test_a_librarian_may_not_delete_a_day_of_their_own_network(as_person, cast) -> None:
    north = cast["north"]
    override = CalendarOverride.objects.create(
        network_id=north.network.pk, country="RU", date=date(2025, 5, 5), kind="non_working"
    )
    response = as_person(north["member"]).post(delete_url(override))
    assert response.status_code == 403
    assert CalendarOverride.objects.filter(pk=override.pk).exists()


def test_the_administration_deletes_its_own_decision_and_the_audit_remembers_it(as_person, cast) -> None:
    north = cast["north"]
    override = CalendarOverride.objects.create(
        network_id=north.network.pk, country="RU", date=date(2025, 5, 5), kind="non_working"
    )
    client = as_person(north["administration"])
    response = client.post(delete_url(override))
    assert response.status_code == 302
    assert response["Location"] == f"{URL}?year=2025&country=RU"
    assert not CalendarOverride.objects.exists()
    event = AuditEvent.objects.get(verb="calendar_override.deleted")
    assert (event.actor, event.network_id, event.data["date"]) == (
        north["administration"],
        north.network.pk,
        "2025-05-05",
    )


def test_deleting_by_a_plain_link_is_not_allowed(as_person, cast) -> None:
    north = cast["north"]
    override = CalendarOverride.objects.create(
        network_id=north.network.pk, country="RU", date=date(2025, 5, 5), kind="non_working"
    )
    assert as_person(north["administration"]).get(delete_url(override)).status_code == 405
    assert CalendarOverride.objects.exists()


def test_another_networks_decisions_are_neither_shown_nor_deletable(as_person, cast) -> None:
    west = CalendarOverride.objects.create(
        network_id=cast["west"].network.pk,
        country="BY",
        date=date(2025, 5, 5),
        kind="non_working",
        note="Решение западной ЦБС",
    )
    client = as_person(cast["north"]["administration"])
    assert "Решение западной ЦБС" not in client.get(URL, {"year": 2025}).content.decode()
    assert client.post(delete_url(west)).status_code == 404
    assert CalendarOverride.objects.filter(pk=west.pk).exists()


def test_installation_wide_decisions_are_shown_but_not_deletable_by_a_network(as_person, cast) -> None:
    wide = CalendarOverride.objects.create(country="RU", date=date(2025, 5, 5), kind="non_working", note="Для всех")
    client = as_person(cast["north"]["administration"])
    html = client.get(URL, {"year": 2025}).content.decode()
    assert "Для всех" in html
    assert "Whole installation" in html
    assert delete_url(wide) not in html
    assert client.post(delete_url(wide)).status_code == 403
    assert CalendarOverride.objects.filter(pk=wide.pk).exists()


def test_the_operator_removes_an_installation_wide_decision(as_person, cast) -> None:
    from kurator.accounts.models import User

    wide = CalendarOverride.objects.create(country="RU", date=date(2025, 5, 5), kind="non_working")
    client = as_person(User.objects.get(email="operator@kurator.test"))
    assert delete_url(wide) in client.get(URL, {"year": 2025}).content.decode()
    assert client.post(delete_url(wide)).status_code == 302
    assert not CalendarOverride.objects.exists()
    assert AuditEvent.objects.get(verb="calendar_override.deleted").network_id is None


@time_machine.travel(date(2025, 2, 1))
def test_the_screen_shows_this_years_production_calendar_of_the_networks_country(as_person, cast) -> None:
    html = as_person(cast["west"]["administration"]).get(URL).content.decode()
    assert "Production calendar: Belarus, 2025" in html
    working = html.split('data-testid="working-weekends"')[1]
    for saturday in ("2025-01-11", "2025-04-26", "2025-07-12", "2025-12-20"):
        assert f'datetime="{saturday}"' in working
    days_off = html.split('data-testid="days-off"')[1].split('data-testid="working-weekends"')[0]
    assert 'datetime="2025-07-03"' in days_off  # Independence Day
    assert 'datetime="2025-04-29"' in days_off  # Radunitsa
    assert 'datetime="2025-03-10"' not in days_off  # 8 March on a Saturday is not moved in Belarus


def test_the_screen_can_show_another_year_and_country(as_person, cast) -> None:
    html = as_person(cast["west"]["member"]).get(URL, {"year": 2024, "country": "RU"}).content.decode()
    assert "Production calendar: Russia, 2024" in html
    for day in ("2024-04-27", "2024-04-29", "2024-04-30", "2024-05-10", "2024-12-28"):
        assert f'datetime="{day}"' in html


@time_machine.travel("2025-12-31T21:30:00+00:00")
def test_this_year_is_the_networks_own_on_new_years_eve(as_person, cast) -> None:
    north = cast["north"]
    assert as_person(north["member"]).get(URL).context["year"] == 2026  # 00:30 in Moscow
    north.network.time_zone = "Europe/Kaliningrad"
    north.network.save()
    assert as_person(north["member"]).get(URL).context["year"] == 2025  # 23:30 in Kaliningrad


def test_a_nonsense_year_falls_back_to_this_year(as_person, cast) -> None:
    response = as_person(cast["north"]["member"]).get(URL, {"year": "soon", "country": "XX"})
    assert response.status_code == 200
    assert "Production calendar: Russia" in response.content.decode()


def test_the_form_offers_the_networks_country_first(as_person, cast) -> None:
    form = as_person(cast["west"]["administration"]).get(URL).context["form"]
    assert form.initial["country"] == "BY"


# --- the write functions themselves ---------------------------------------------------------------


def test_only_the_operator_decides_for_the_whole_installation(cast) -> None:
    from kurator.accounts.models import User

    fields = {"country": "RU", "date": date(2025, 3, 7), "kind": "shortened", "network_id": None}
    with pytest.raises(PermissionDenied):
        calendar_override_add(by=cast["north"]["administration"], **fields)
    calendar_override_add(by=User.objects.get(email="operator@kurator.test"), **fields)
    assert CalendarOverride.objects.get().network_id is None


def test_the_write_refuses_a_second_installation_wide_decision_on_the_same_day(cast) -> None:
    # The database's unique constraint treats empty networks as distinct, so the service must check.
    from kurator.accounts.models import User

    operator = User.objects.get(email="operator@kurator.test")
    fields = {"country": "RU", "date": date(2025, 3, 7), "kind": "non_working", "network_id": None}
    calendar_override_add(by=operator, **fields)
    with pytest.raises(ValidationError):
        calendar_override_add(by=operator, **fields)
    assert CalendarOverride.objects.count() == 1


@pytest.mark.parametrize(("field", "value"), [("country", "KZ"), ("kind", "holiday"), ("shortened_by_minutes", 0)])
def test_the_write_refuses_bad_input_and_changes_nothing(cast, field, value) -> None:
    fields = {"country": "RU", "date": date(2025, 3, 7), "kind": "shortened", "shortened_by_minutes": 60}
    with pytest.raises(ValidationError):
        calendar_override_add(
            by=cast["north"]["administration"], network_id=cast["north"].network.pk, **{**fields, field: value}
        )
    assert not CalendarOverride.objects.exists()
    assert not AuditEvent.objects.exists()
