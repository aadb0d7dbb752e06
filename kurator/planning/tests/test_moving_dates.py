"""Memorable dates that move from year to year (R-PLAN-5): «последнее воскресенье ноября» is a rule of
a month, a weekday and which one, read from the import files, shown in the plan and made into a draft."""

from __future__ import annotations

import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook

from kurator.core.choices import Weekday
from kurator.core.testing.cast import enable_totp
from kurator.planning.calendar import draft_from_date
from kurator.planning.choices import WeekdayOrdinal
from kurator.planning.dates import (
    WeekdayRule,
    dates_import_apply,
    dates_import_preview,
    load_starter_dates,
    next_occurrence,
    occurrences_between,
    parse_rule,
    read_ics,
    round_anniversaries,
    starter_rows,
    weekday_in,
)
from kurator.planning.models import MemorableDate

TODAY = date(2026, 11, 25)
MSK = ZoneInfo("Europe/Moscow")
SUNDAY, MONDAY = Weekday.SUNDAY, Weekday.MONDAY
LAST, THIRD = WeekdayOrdinal.LAST, WeekdayOrdinal.THIRD


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def mothers_day(**extra) -> MemorableDate:
    return MemorableDate(month=11, weekday=SUNDAY, ordinal=LAST, title="День матери", **extra)


def import_file(cast, data: bytes):
    north = cast["north"]
    preview = dates_import_preview(user=north["curator"], network=north.network, data=data, today=TODAY)
    result = dates_import_apply(
        user=north["curator"], network=north.network, data=data, fingerprint=preview.fingerprint, today=TODAY
    )
    return preview, result


def login(person) -> Client:
    enable_totp(person)
    person.language = "en"
    person.save(update_fields=["language"])
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(person)
    return client


def csv_bytes(*rows: str) -> bytes:
    return ("\n".join(["Дата;Событие;Описание;Источник", *rows]) + "\n").encode("utf-8")


# The rule -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("year", "month", "weekday", "ordinal", "expected"),
    [
        (2026, 11, SUNDAY, LAST, date(2026, 11, 29)),  # День матери in Russia
        (2026, 10, SUNDAY, THIRD, date(2026, 10, 18)),  # День отца in Russia
        (2026, 9, SUNDAY, WeekdayOrdinal.FIRST, date(2026, 9, 6)),  # День белорусской письменности
        (2026, 10, MONDAY, WeekdayOrdinal.FOURTH, date(2026, 10, 26)),  # the school libraries' day
        (2027, 6, MONDAY, WeekdayOrdinal.FIRST, date(2027, 6, 7)),  # June 2027 starts on a Tuesday
        (2026, 11, MONDAY, LAST, date(2026, 11, 30)),  # the month's very last day
        (2026, 11, SUNDAY, WeekdayOrdinal.FIRST, date(2026, 11, 1)),  # the month's very first day
    ],
)
def test_a_weekday_rule_gives_its_day_in_any_year(year, month, weekday, ordinal, expected):
    assert weekday_in(year, month, weekday, ordinal) == expected


def test_a_moving_date_falls_on_another_day_each_year_and_the_next_one_is_found():
    assert [o.day for o in occurrences_between([mothers_day()], date(2026, 1, 1), date(2027, 12, 31))] == [
        date(2026, 11, 29),
        date(2027, 11, 28),
    ]
    assert next_occurrence(mothers_day(), date(2026, 11, 30)) == date(2027, 11, 28)


def test_a_moving_date_with_a_year_has_its_round_anniversaries():
    found = round_anniversaries([mothers_day(year=1998)], date(2023, 1, 1), date(2023, 12, 31))
    assert [(o.day, o.years) for o in found] == [(date(2023, 11, 26), 25)]


def test_a_moving_date_is_said_in_words():
    assert mothers_day().when == "last Sunday of November"
    assert str(mothers_day()) == "last Sunday of November День матери"


def test_a_date_is_either_a_day_of_the_month_or_a_weekday_rule_never_both(db):
    with transaction.atomic(), pytest.raises(IntegrityError):
        MemorableDate.objects.create(month=11, day=29, weekday=SUNDAY, ordinal=LAST, title="Оба")
    with transaction.atomic(), pytest.raises(IntegrityError):
        MemorableDate.objects.create(month=11, weekday=SUNDAY, ordinal=5, title="Пятое воскресенье")
    MemorableDate.objects.create(month=11, weekday=SUNDAY, ordinal=LAST, title="День матери")


# Reading it from the files --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("последнее воскресенье ноября", WeekdayRule(11, SUNDAY, LAST)),
        ("В третье воскресенье октября", WeekdayRule(10, SUNDAY, THIRD)),
        ("3-е воскресенье июня", WeekdayRule(6, SUNDAY, THIRD)),
        ("четвёртый понедельник октября", WeekdayRule(10, MONDAY, 4)),
        ("первую субботу в марте", WeekdayRule(3, Weekday.SATURDAY, 1)),
        ("Last Sunday of November", WeekdayRule(11, SUNDAY, LAST)),
        ("third Sunday in June", WeekdayRule(6, SUNDAY, THIRD)),
    ],
)
def test_a_moving_date_is_read_as_librarians_write_it(text, rule):
    assert parse_rule(text) == rule


@pytest.mark.parametrize("text", ["в мае", "27.05", "пятое воскресенье мая", "последнее воскресенье", ""])
def test_what_is_not_a_weekday_rule_is_not_taken_for_one(text):
    assert parse_rule(text) is None


def test_a_csv_file_imports_moving_dates_and_knows_them_the_next_time(cast):
    data = csv_bytes(
        "последнее воскресенье ноября;День матери;;Указ Президента РФ от 30.01.1998 № 120",
        "27.05;Общероссийский день библиотек;;Указ Президента РФ от 27.05.1995 № 539",
    )
    preview, result = import_file(cast, data)
    assert preview.rows[0].when == "last Sunday of November"
    assert result.ok and result.created == 2
    saved = MemorableDate.objects.get(network=cast["north"].network, title="День матери")
    assert (saved.month, saved.day, saved.weekday, saved.ordinal) == (11, None, SUNDAY, LAST)
    preview, _result = import_file(cast, data)
    assert all(row.exists for row in preview.rows) and not preview.can_apply


def test_a_moving_date_the_import_does_not_know_imports_nothing_and_says_how_to_write_it(cast):
    data = csv_bytes("последнее воскресенье ноября;День матери;;", "пятое воскресенье мая;Такого нет;;")
    preview, result = import_file(cast, data)
    assert [r.number for r in preview.bad] == [3]
    assert "«третье воскресенье июня»" in preview.bad[0].errors[0]
    assert not result.ok and not MemorableDate.objects.filter(network=cast["north"].network).exists()


def test_an_xlsx_file_takes_a_moving_date_and_its_year(cast):
    wb = Workbook()
    wb.active.append(["Дата", "Название", "Год"])
    wb.active.append(["третье воскресенье октября", "День отца", 2021])
    out = io.BytesIO()
    wb.save(out)
    _preview, result = import_file(cast, out.getvalue())
    assert result.ok
    saved = MemorableDate.objects.get(network=cast["north"].network)
    assert (saved.month, saved.weekday, saved.ordinal, saved.year) == (10, SUNDAY, THIRD, 2021)


ICS = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
    "BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:19981129\r\nRRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=-1SU\r\n"
    "SUMMARY:День матери\r\nEND:VEVENT\r\n"
    "BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20211017\r\nRRULE:FREQ=YEARLY;BYDAY=SU;BYSETPOS=3\r\n"
    "SUMMARY:День отца\r\nEND:VEVENT\r\n"
    "END:VCALENDAR\r\n"
).encode()


def test_an_icalendar_yearly_event_on_a_weekday_of_a_month_is_a_moving_date():
    rows = read_ics(ICS)
    assert [(r.date, r.year) for r in rows] == [
        (WeekdayRule(11, SUNDAY, LAST), "1998"),
        (WeekdayRule(10, SUNDAY, THIRD), "2021"),  # the month of DTSTART when BYMONTH is not given
    ]


def test_an_icalendar_rule_of_another_shape_is_a_bad_row(cast):
    data = ICS.replace(b"BYDAY=-1SU", b"BYDAY=-2SU")
    preview, result = import_file(cast, data)
    assert [r.number for r in preview.bad] == [3] and "BYDAY=-2SU" in preview.bad[0].errors[0]
    assert not result.ok


# In the plan ----------------------------------------------------------------------------------


def test_the_calendar_shows_a_moving_date_on_this_year_s_day(cast):
    MemorableDate.objects.create(network=None, month=11, weekday=SUNDAY, ordinal=LAST, title="День матери")
    client = login(cast["north"]["coordinator"])
    data = client.get(reverse("planning:calendar_feed"), {"start": "2026-11-01", "end": "2026-12-01"}).json()
    assert [e["start"] for e in data["events"] if e["extendedProps"]["kind"] == "date"] == ["2026-11-29"]


def test_a_moving_date_becomes_a_draft_on_its_next_day(cast):
    north = cast["north"]
    memorable = MemorableDate.objects.create(network=None, month=11, weekday=SUNDAY, ordinal=LAST, title="День матери")
    post = draft_from_date(
        by=north["coordinator"], memorable=memorable, network=north.network, now=datetime(2026, 11, 25, 12, tzinfo=MSK)
    )
    assert post.planned_at == datetime(2026, 11, 29, 10, tzinfo=MSK)
    post = draft_from_date(
        by=north["coordinator"], memorable=memorable, network=north.network, now=datetime(2026, 11, 29, 11, tzinfo=MSK)
    )
    assert post.planned_at == datetime(2027, 11, 28, 10, tzinfo=MSK)


def test_the_dates_screen_lists_a_moving_date_in_words_where_it_falls_this_year(cast):
    MemorableDate.objects.create(network=None, month=11, day=30, title="Родился Марк Твен")
    MemorableDate.objects.create(network=None, month=11, weekday=SUNDAY, ordinal=LAST, title="День матери")
    MemorableDate.objects.create(network=None, month=11, day=3, title="Родился С. Я. Маршак")
    client = login(cast["north"]["staff"])
    response = client.get(reverse("planning:dates"))
    november = dict((month, dates) for _name, month, dates in response.context["months"])[11]
    assert [d.title for d in november] == ["Родился С. Я. Маршак", "День матери", "Родился Марк Твен"]
    assert 'data-testid="moving-date">last Sunday of November<' in response.content.decode()


def test_the_starter_set_has_moving_dates_each_with_its_source(db):
    moving = {row.title: row for row in starter_rows() if row.weekday is not None}
    assert moving["День матери в России"].key()[:4] == (11, None, SUNDAY, LAST)
    assert moving["День отца в России"].key()[:4] == (10, None, SUNDAY, THIRD)
    assert all(row.source for row in moving.values())
    created, _updated = load_starter_dates()
    assert load_starter_dates() == (0, 0)
    assert MemorableDate.objects.filter(network=None, day__isnull=True).count() == len(moving)
    assert created == len(starter_rows())


def test_the_import_screen_explains_how_to_write_a_moving_date(cast):
    client = login(cast["north"]["curator"])
    html = client.get(reverse("planning:dates_import")).content.decode()
    assert "«последнее воскресенье ноября»" in html and "BYDAY=-1SU" in html
