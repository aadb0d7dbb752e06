"""Memorable dates (R-PLAN-5): import from CSV, XLSX and iCalendar with a preview and nothing
half-imported, round anniversaries, the starter set with its sources, and a date becoming a draft."""

from __future__ import annotations

import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook

from kurator.core.testing.cast import enable_totp
from kurator.planning.calendar import draft_from_date
from kurator.planning.choices import PostState
from kurator.planning.dates import (
    Occurrence,
    dates_import_apply,
    dates_import_preview,
    is_round,
    load_starter_dates,
    next_occurrence,
    parse_day,
    read_ics,
    round_anniversaries,
    starter_rows,
)
from kurator.planning.models import MemorableDate, Post

TODAY = date(2026, 11, 25)
MSK = ZoneInfo("Europe/Moscow")


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def csv_bytes(*rows: str, header: str = "Дата;Событие;Описание;Источник") -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode("utf-8")


def xlsx_bytes(rows: list[list[object]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


ICS_GOOD = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//RU\r\n"
    "BEGIN:VEVENT\r\nUID:1@test\r\nDTSTART;VALUE=DATE:18260127\r\nRRULE:FREQ=YEARLY\r\n"
    "SUMMARY:Родился М. Е. Салтыков-Щедрин\r\nDESCRIPTION:Автор «Истории одного города»\\, сатирик\r\n"
    "URL:https://bigenc.ru/\r\nEND:VEVENT\r\n"
    "BEGIN:VEVENT\r\nUID:2@test\r\nDTSTART;VALUE=DATE:20270527\r\n"
    "SUMMARY:Общероссийский день биб\r\n лиотек\r\nEND:VEVENT\r\n"
    "END:VCALENDAR\r\n"
).encode()


def import_file(cast, data: bytes, by: str = "curator"):
    north = cast["north"]
    preview = dates_import_preview(user=north[by], network=north.network, data=data, today=TODAY)
    result = dates_import_apply(
        user=north[by], network=north.network, data=data, fingerprint=preview.fingerprint, today=TODAY
    )
    return preview, result


# Reading the files ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("27.05", (27, 5, None)),
        ("27.05.1995", (27, 5, 1995)),
        ("1995-05-27", (27, 5, 1995)),
        ("27 мая 1995 г.", (27, 5, 1995)),
        ("6 июня", (6, 6, None)),
        (datetime(1826, 1, 27), (27, 1, 1826)),
    ],
)
def test_dates_are_read_as_librarians_write_them(text, expected):
    assert parse_day(text) == expected


def test_an_icalendar_file_is_read_with_folded_lines_and_escapes():
    rows = read_ics(ICS_GOOD)
    assert [(r.date, r.title) for r in rows] == [
        ("27.01.1826", "Родился М. Е. Салтыков-Щедрин"),
        ("27.05", "Общероссийский день библиотек"),  # a one-off event's year is this year's, not the event's
    ]
    assert rows[0].description == "Автор «Истории одного города», сатирик"
    assert rows[0].source == "https://bigenc.ru/"


def test_a_file_that_is_none_of_the_three_is_refused_with_a_message(cast):
    north = cast["north"]
    with pytest.raises(ValidationError):
        dates_import_preview(user=north["curator"], network=north.network, data=b"", today=TODAY)
    with pytest.raises(ValidationError, match="header"):
        dates_import_preview(user=north["curator"], network=north.network, data=b"foo;bar\n1;2\n", today=TODAY)
    with pytest.raises(ValidationError, match="END:VEVENT"):
        dates_import_preview(
            user=north["curator"],
            network=north.network,
            data=b"BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:20270101\n",
            today=TODAY,
        )


# All or nothing -------------------------------------------------------------------------------


def test_a_good_csv_file_imports_every_row_with_its_source(cast):
    data = csv_bytes(
        "27.01.1826;Родился М. Е. Салтыков-Щедрин;Писатель;БРЭ",
        "21.02;Международный день родного языка;;ЮНЕСКО",
    )
    preview, result = import_file(cast, data)
    assert preview.can_apply and result.ok and result.created == 2
    saved = MemorableDate.objects.get(network=cast["north"].network, title__startswith="Родился")
    assert (saved.day, saved.month, saved.year, saved.source) == (27, 1, 1826, "БРЭ")


def test_a_csv_file_with_a_broken_row_imports_nothing_and_names_the_row(cast):
    data = csv_bytes(
        "27.01.1826;Родился М. Е. Салтыков-Щедрин;;БРЭ",
        "31.02;Несуществующий день;;",
        "01.03;;;",
    )
    preview, result = import_file(cast, data)
    assert [r.number for r in preview.bad] == [3, 4]
    assert "31.02" in preview.bad[0].errors[0]
    assert not result.ok and any("Row 3" in e for e in result.errors)
    assert not MemorableDate.objects.filter(network=cast["north"].network).exists()


def test_an_xlsx_file_with_a_broken_row_imports_nothing(cast):
    data = xlsx_bytes(
        [
            ["Дата", "Название", "Источник"],
            [datetime(1828, 9, 9), "Родился Л. Н. Толстой", "БРЭ"],
            ["в мае", "Без даты", ""],
        ]
    )
    preview, result = import_file(cast, data)
    assert [r.number for r in preview.bad] == [3]
    assert not result.ok
    assert not MemorableDate.objects.filter(network=cast["north"].network).exists()


def test_a_spreadsheet_date_of_this_year_is_a_date_without_a_year(cast):
    data = xlsx_bytes([["Дата", "Название"], [datetime(TODAY.year, 5, 27), "День библиотек"]])
    _preview, result = import_file(cast, data)
    assert result.ok
    assert MemorableDate.objects.get(network=cast["north"].network).year is None


def test_a_good_xlsx_file_imports_its_dates(cast):
    data = xlsx_bytes(
        [["Дата", "Название"], [datetime(1828, 9, 9), "Родился Л. Н. Толстой"], ["06.06", "Пушкинский день"]]
    )
    _preview, result = import_file(cast, data)
    assert result.ok and result.created == 2


def test_an_icalendar_file_with_a_broken_event_imports_nothing(cast):
    broken = ICS_GOOD.replace(
        b"END:VCALENDAR", "BEGIN:VEVENT\r\nSUMMARY:Без даты\r\nEND:VEVENT\r\nEND:VCALENDAR".encode()
    )
    preview, result = import_file(cast, broken)
    assert len(preview.bad) == 1 and "missing" in preview.bad[0].errors[0]
    assert not result.ok
    assert not MemorableDate.objects.filter(network=cast["north"].network).exists()
    _preview, result = import_file(cast, ICS_GOOD)
    assert result.ok and result.created == 2


def test_a_row_repeated_in_the_file_is_an_error_and_a_known_date_is_skipped(cast):
    MemorableDate.objects.create(
        network=cast["north"].network, month=2, day=21, title="Международный день родного языка"
    )
    data = csv_bytes(
        "21.02;Международный день родного языка;;",
        "06.06;Пушкинский день;;",
        "06.06;Пушкинский  день;;",
    )
    preview, _result = import_file(cast, data)
    assert preview.rows[0].exists and not preview.rows[0].errors
    assert [r.number for r in preview.bad] == [4]
    data = csv_bytes("21.02;Международный день родного языка;;", "06.06;Пушкинский день;;")
    _preview, result = import_file(cast, data)
    assert result.ok and result.created == 1


def test_a_file_changed_after_the_preview_is_not_applied(cast):
    north = cast["north"]
    data = csv_bytes("06.06;Пушкинский день;;")
    preview = dates_import_preview(user=north["curator"], network=north.network, data=data, today=TODAY)
    MemorableDate.objects.create(network=north.network, month=6, day=6, title="Пушкинский день")
    result = dates_import_apply(
        user=north["curator"], network=north.network, data=data, fingerprint=preview.fingerprint, today=TODAY
    )
    assert not result.ok and MemorableDate.objects.filter(network=north.network).count() == 1


def test_only_those_who_oversee_the_plan_import_dates(cast):
    north = cast["north"]
    with pytest.raises(PermissionDenied):
        dates_import_preview(
            user=north["coordinator"], network=north.network, data=csv_bytes("06.06;Пушкинский день;;"), today=TODAY
        )


def test_the_import_screen_previews_then_imports_on_confirmation(cast):
    curator = cast["north"]["curator"]
    enable_totp(curator)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(curator)
    upload = SimpleUploadedFile("dates.csv", csv_bytes("06.06;Пушкинский день;;Указ"), content_type="text/csv")
    response = client.post(reverse("planning:dates_import"), {"file": upload})
    assert response.status_code == 200 and "Пушкинский день" in response.content.decode()
    assert not MemorableDate.objects.filter(network=cast["north"].network).exists()  # a preview writes nothing
    fingerprint = response.context["preview"].fingerprint
    response = client.post(reverse("planning:dates_import"), {"confirm": "1", "fingerprint": fingerprint})
    assert response.status_code == 302
    assert MemorableDate.objects.filter(network=cast["north"].network, title="Пушкинский день").exists()


def test_the_import_screen_shows_bad_rows_and_keeps_nothing(cast):
    curator = cast["north"]["curator"]
    enable_totp(curator)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(curator)
    upload = SimpleUploadedFile("dates.csv", csv_bytes("06.06;Пушкинский день;;", "32.13;Плохо;;"))
    response = client.post(reverse("planning:dates_import"), {"file": upload})
    assert response.status_code == 400
    assert 'data-testid="bad-rows"' in response.content.decode()
    response = client.post(reverse("planning:dates_import"), {"confirm": "1", "fingerprint": "x" * 64})
    assert response.status_code == 302
    assert not MemorableDate.objects.filter(network=cast["north"].network).exists()


# Anniversaries --------------------------------------------------------------------------------


def test_a_writer_born_in_1826_has_a_200th_anniversary_in_2026():
    shchedrin = MemorableDate(month=1, day=27, year=1826, title="Родился М. Е. Салтыков-Щедрин")
    found = round_anniversaries([shchedrin], date(2026, 1, 1), date(2026, 12, 31))
    assert [(o.day, o.years) for o in found] == [(date(2026, 1, 27), 200)]
    assert found[0].label == "Родился М. Е. Салтыков-Щедрин — 200 years"


def test_round_anniversaries_are_10_and_every_quarter_century():
    assert [y for y in range(1, 260) if is_round(y)] == [10, 25, 50, 75, 100, 125, 150, 175, 200, 225, 250]


def test_a_date_without_a_year_has_no_anniversary_and_one_across_new_year_is_found():
    holiday = MemorableDate(month=5, day=27, title="День библиотек")
    tolkien = MemorableDate(month=1, day=3, year=1892, title="Родился Дж. Р. Р. Толкин")
    assert round_anniversaries([holiday, tolkien], date(2026, 12, 1), date(2027, 1, 31)) == []
    assert Occurrence(tolkien, date(2042, 1, 3)).years == 150
    assert round_anniversaries([tolkien], date(2041, 12, 1), date(2042, 1, 31))[0].years == 150


def test_29_february_falls_on_the_28th_in_a_common_year():
    leap = MemorableDate(month=2, day=29, title="Високосный")
    assert next_occurrence(leap, date(2027, 1, 1)) == date(2027, 2, 28)
    assert next_occurrence(leap, date(2028, 1, 1)) == date(2028, 2, 29)


# The starter set ------------------------------------------------------------------------------


def test_every_date_of_the_starter_set_has_its_source_and_there_are_40_to_90(db):
    rows = starter_rows()
    assert 40 <= len(rows) <= 90
    assert all(row.source for row in rows)
    assert any("Салтыков-Щедрин" in row.title and row.year == 1826 for row in rows)
    assert any("Купала" in row.title for row in rows)  # Belarusian dates too


def test_the_starter_set_loaded_twice_keeps_one_copy(db):
    created, updated = load_starter_dates()
    assert created == len(starter_rows()) and updated == 0
    call_command("load_memorable_dates", stdout=io.StringIO())
    assert MemorableDate.objects.filter(network__isnull=True).count() == created


def test_the_starter_set_is_brought_up_to_date_without_copies(db):
    load_starter_dates()
    MemorableDate.objects.filter(title="Родился А. С. Пушкин, поэт").update(source="")
    created, updated = load_starter_dates()
    assert (created, updated) == (0, 1)
    assert MemorableDate.objects.get(title="Родился А. С. Пушкин, поэт").source


def test_everyone_sees_the_starter_set_on_the_dates_screen(cast):
    load_starter_dates()
    for person in (cast["north"]["staff"], cast["west"]["coordinator"]):
        enable_totp(person)
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        client.force_login(person)
        response = client.get(reverse("planning:dates"))
        assert response.status_code == 200
        assert "Общероссийский день библиотек" in response.content.decode()
        assert "Указ Президента РФ от 27.05.1995 № 539" in response.content.decode()


# A date becomes a draft -----------------------------------------------------------------------


def test_a_date_becomes_a_draft_at_10_on_its_next_day_on_the_person_s_page(cast):
    north = cast["north"]
    library_day = MemorableDate.objects.create(network=None, month=5, day=27, title="Общероссийский день библиотек")
    post = draft_from_date(
        by=north["coordinator"],
        memorable=library_day,
        network=north.network,
        now=datetime(2026, 11, 25, 12, tzinfo=MSK),
    )
    assert post.title == "Общероссийский день библиотек" and post.state == PostState.DRAFT
    assert post.planned_at == datetime(2027, 5, 27, 10, tzinfo=MSK)
    assert [v.page for v in post.variants.all()] == [north.central_page]


def test_a_date_of_today_after_10_becomes_next_year_s_draft(cast):
    north = cast["north"]
    today = MemorableDate.objects.create(network=None, month=11, day=25, title="Сегодня")
    post = draft_from_date(
        by=north["coordinator"], memorable=today, network=north.network, now=datetime(2026, 11, 25, 12, tzinfo=MSK)
    )
    assert post.planned_at == datetime(2027, 11, 25, 10, tzinfo=MSK)


def test_the_draft_button_makes_the_post_and_opens_it(cast):
    north = cast["north"]
    person = north["branch_coordinator"]
    enable_totp(person)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(person)
    memorable = MemorableDate.objects.create(network=None, month=6, day=6, title="Пушкинский день России")
    response = client.post(reverse("planning:date_draft", args=[memorable.pk]))
    post = Post.objects.get(title="Пушкинский день России")
    assert response.status_code == 302 and response.url == reverse("planning:post", args=[post.pk])
    assert [v.page for v in post.variants.all()] == [north.branch_page]


def test_someone_without_a_page_to_plan_cannot_make_a_draft(cast):
    person = cast["north"]["member"]
    enable_totp(person)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(person)
    memorable = MemorableDate.objects.create(network=None, month=6, day=6, title="Пушкинский день России")
    assert client.post(reverse("planning:date_draft", args=[memorable.pk])).status_code == 403
    assert not Post.objects.exists()


def test_another_network_s_date_is_not_found(cast):
    person = cast["north"]["coordinator"]
    enable_totp(person)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(person)
    theirs = MemorableDate.objects.create(network=cast["west"].network, month=6, day=6, title="Их дата")
    assert client.post(reverse("planning:date_draft", args=[theirs.pk])).status_code == 404


def test_the_dates_screen_lists_the_round_anniversaries_of_the_chosen_period(cast):
    MemorableDate.objects.create(network=None, month=1, day=27, year=1826, title="Родился М. Е. Салтыков-Щедрин")
    person = cast["north"]["staff"]
    enable_totp(person)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(person)
    response = client.get(reverse("planning:dates"), {"from": "2026-01-01", "to": "2026-12-31"})
    assert [(o.day, o.years) for o in response.context["anniversaries"]] == [(date(2026, 1, 27), 200)]
    response = client.get(reverse("planning:dates"), {"from": "2027-01-01", "to": "2027-12-31"})
    assert response.context["anniversaries"] == []
    response = client.get(reverse("planning:dates"), {"from": "вчера"})
    assert response.status_code == 200
