"""People screens as a head, a curator or a librarian uses them."""

import html
from datetime import date

from django.core import mail
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext

from kurator.accounts.models import Absence
from kurator.core.testing.cast import PASSWORD, enable_totp


def russian(msgid: str) -> str:
    with translation.override("ru"):
        text = gettext(msgid)
    assert text != msgid, f"no Russian translation for: {msgid}"
    return text


def login(client, person):
    enable_totp(person)
    client.force_login(person)


def test_overlapping_absences_get_a_russian_message_and_nothing_changes(client, cast):
    north = cast["north"]
    login(client, north["head"])
    url = reverse("accounts:absence_create", args=[north["page_admin"].pk])
    first = {"kind": "vacation", "starts_on": "2026-12-01", "ends_on": "2026-12-10", "note": ""}
    assert client.post(url, first).status_code == 302
    response = client.post(url, {**first, "starts_on": "2026-12-05", "ends_on": "2026-12-20"})
    assert response.status_code == 200
    with translation.override("ru"):
        start, end = (date_format(day, "SHORT_DATE_FORMAT") for day in (date(2026, 12, 1), date(2026, 12, 10)))
    expected = russian("%(name)s is already recorded as absent from %(start)s to %(end)s; the dates overlap.") % {
        "name": north["page_admin"].full_name,
        "start": start,
        "end": end,
    }
    assert expected in html.unescape(response.content.decode())
    assert Absence.objects.filter(person=north["page_admin"]).count() == 1


def test_the_person_page_shows_roles_and_the_history_of_appointments(client, cast):
    north = cast["north"]
    login(client, north["administration"])
    response = client.get(reverse("accounts:person", args=[north["coordinator"].pk]))
    content = html.unescape(response.content.decode())
    assert north.central_page.name in content
    assert response.context["history"]


def test_a_forgotten_password_is_reset_by_email(client, cast):
    response = client.post(reverse("account_reset_password"), {"email": "staff@north.test"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = next(word for word in mail.outbox[0].body.split() if "/accounts/password/reset/key/" in word)
    form_page = client.get(link, follow=True)
    action = form_page.redirect_chain[-1][0] if form_page.redirect_chain else link
    response = client.post(action, {"password1": "a-new-long-password-7", "password2": "a-new-long-password-7"})
    assert response.status_code == 302
    assert client.login(email="staff@north.test", password="a-new-long-password-7")
    assert not client.login(email="staff@north.test", password=PASSWORD)


def test_a_head_adds_a_librarian_to_their_own_library(client, cast):
    north = cast["north"]
    login(client, north["head"])
    response = client.post(
        reverse("accounts:person_create"),
        {
            "full_name": "Смирнова Анна Петровна",
            "email": "smirnova@north.test",
            "position": "библиотекарь",
            "library": north.central.pk,
            "employed_since": "2026-03-01",
            "language": "ru",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    response = client.post(
        reverse("accounts:person_create"),
        {
            "full_name": "Чужой Сотрудник",
            "email": "alien@north.test",
            "library": north.branch.pk,
            "language": "ru",
            "is_active": "on",
        },
    )
    assert response.status_code == 200  # the branch is not theirs: the form refuses the choice
