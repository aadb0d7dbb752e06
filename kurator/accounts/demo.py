"""The demo data (`manage.py load_demo`, run by `make run`): a fictional library network in Russian.

* "ЦБС Заречного района" — an invented district of a Russian city (Europe/Moscow, RU): the central
  library and five branches (children's, youth, one with a local-history department, family reading,
  a neighbourhood branch), 15 departments with their hours, ~20 pages and ~35 people in every role of
  003 § 2 and seeds 000/004: the administration, the curator, coordinators (each with ≥ 6 months of
  service and a completed internship with the curator, R-ORG-7), page administrators and owners,
  designers, outreach officers and a working group of volunteers. One coordinator is on vacation
  today with a substitute; one newcomer is still doing the internship.
* "Приозёрная ЦБС" — a small invented Belarusian network (Europe/Minsk, BY) that shows isolation.
* The installation operator, a superuser of no network, for the Django admin.

Every name, address, phone and link here is invented. Everyone signs in with DEMO_PASSWORD; nobody
has a second factor yet, so the people whose roles need one set it up at their first login (R-ORG-6).

Loading is idempotent: things are looked up by their natural keys (network slug, library and
department name, page URL, e-mail, the role and its scope…) and only what is missing is created.
Existing rows are never changed, except the demo vacation, which is moved to cover today again.
"""

from __future__ import annotations

import calendar
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from decimal import Decimal
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from kurator.accounts.choices import AbsenceKind, Role, Scope
from kurator.accounts.models import Absence, Internship, RoleAssignment, User
from kurator.core.choices import Country
from kurator.registry.choices import PublishingMode, SocialNetwork
from kurator.registry.models import Closure, Department, Library, Network, Page, PageDepartment, WorkingHours

DEMO_PASSWORD = "kurator-demo"
DEMO_DOMAIN = "demo.kurator.local"
OPERATOR_EMAIL = f"admin@{DEMO_DOMAIN}"
MAIN_SLUG = "zarechny"
SECOND_SLUG = "priozerny"

# The day the networks adopted the regulation: roles held since before it start on this day.
REGULATION_ADOPTED = date(2023, 9, 1)
WORKGROUP_FORMED = date(2024, 1, 15)
VACATION_NOTE = "Ежегодный оплачиваемый отпуск"

MON, TUE, WED, THU, FRI, SAT, SUN = range(7)
WORKDAYS = (MON, TUE, WED, THU, FRI)
TUE_SAT = (TUE, WED, THU, FRI, SAT)

Hours = tuple[tuple[tuple[int, ...], str, str], ...]


# --- specifications -------------------------------------------------------------------------------


@dataclass(frozen=True)
class DepartmentSpec:
    name: str
    head: str | None = None
    hours: Hours = ()  # empty: the library's hours
    phone: str = ""


@dataclass(frozen=True)
class LibrarySpec:
    key: str
    name: str
    short_name: str
    address: str
    latitude: str
    longitude: str
    phone: str
    email: str
    hours: Hours
    departments: tuple[DepartmentSpec, ...]
    head: str | None = None
    is_central: bool = False


@dataclass(frozen=True)
class PageSpec:
    name: str
    social_network: str
    url: str
    library: str | None  # a LibrarySpec key; None for the network's own pages
    departments: tuple[str, ...]  # department names in that library (for network pages: in the central one)
    approval_weekday: int
    coordinator: str | None
    admins: tuple[str, ...]
    owner: str
    verified: bool = True
    publishing_mode: str = PublishingMode.AUTOMATIC
    is_main: bool = False
    notes: str = ""


@dataclass(frozen=True)
class PersonSpec:
    login: str  # the part of the e-mail before @
    full_name: str
    position: str
    library: str
    department: str | None
    employed_since: date | None  # None: a newcomer, hired NEWCOMER_DAYS ago
    phone: str = ""


@dataclass(frozen=True)
class NetworkSpec:
    slug: str
    name: str
    short_name: str
    time_zone: str
    country: str
    libraries: tuple[LibrarySpec, ...]
    pages: tuple[PageSpec, ...]
    people: tuple[PersonSpec, ...]
    # (login, role, scope target): None — the network; "lib" — a library; "lib/Department" — a department
    roles: tuple[tuple[str, str, str | None], ...]
    appointer: str  # who appoints network-wide roles (the director)
    newcomer: str | None = None
    on_vacation: tuple[str, str, str] | None = None  # (absent, substitute, recorded by)
    sanitary_days: tuple[tuple[str, int], ...] = ()  # (library, weekday of the month's last such day)
    closures: tuple[tuple[str, str | None, int, int, str], ...] = ()  # (library, department, in days, days, reason)


def _h(days: Iterable[int], opens: str, closes: str) -> tuple[tuple[int, ...], str, str]:
    return (tuple(days), opens, closes)


ABONEMENT = "Абонемент"
READING_ROOM = "Читальный зал"
REFERENCE = "Справочно-библиографический отдел"
METHODICAL = "Отдел методической работы"
MEDIA = "Медиацентр"
LOCAL_HISTORY = "Отдел краеведения"
CHILDREN = "Детский отдел"
SERVICE_BY = "Отдел обслуживания и информации"

ZARECHNY = NetworkSpec(
    slug=MAIN_SLUG,
    name="Централизованная библиотечная система Заречного района",
    short_name="ЦБС Заречного района",
    time_zone="Europe/Moscow",
    country=Country.RUSSIA,
    libraries=(
        LibrarySpec(
            key="crb",
            name="Центральная районная библиотека им. А. П. Чехова",
            short_name="ЦРБ им. Чехова",
            address="ул. Набережная, д. 12",
            latitude="57.671482",
            longitude="39.861237",
            phone="+7 (4852) 44-10-21",
            email="crb@lib.demo.kurator.local",
            is_central=True,
            head="deputy",
            hours=(_h(WORKDAYS, "10:00", "20:00"), _h((SAT,), "11:00", "19:00")),
            departments=(
                DepartmentSpec(ABONEMENT, head="coordinator.central", phone="+7 (4852) 44-10-22"),
                DepartmentSpec(READING_ROOM, phone="+7 (4852) 44-10-23"),
                DepartmentSpec(
                    REFERENCE,
                    head="coordinator.spravka",
                    phone="+7 (4852) 44-10-25",
                    hours=(_h(WORKDAYS, "10:00", "19:00"),),
                ),
                DepartmentSpec(
                    METHODICAL,
                    head="coordinator.cbs",
                    phone="+7 (4852) 44-10-27",
                    hours=(_h(WORKDAYS, "09:00", "18:00"),),
                ),
                DepartmentSpec(
                    MEDIA,
                    head="coordinator.media",
                    phone="+7 (4852) 44-10-29",
                    hours=(_h(WORKDAYS, "12:00", "20:00"), _h((SAT,), "12:00", "18:00")),
                ),
            ),
        ),
        LibrarySpec(
            key="raduga",
            name="Детская библиотека «Радуга» (филиал № 2)",
            short_name="Детская «Радуга»",
            address="ул. Школьная, д. 7",
            latitude="57.674905",
            longitude="39.853418",
            phone="+7 (4852) 44-21-05",
            email="raduga@lib.demo.kurator.local",
            head="head.detskaya",
            hours=(_h(TUE_SAT, "10:00", "19:00"), _h((SUN,), "11:00", "18:00")),
            departments=(DepartmentSpec(ABONEMENT), DepartmentSpec(READING_ROOM)),
        ),
        LibrarySpec(
            key="tochka",
            name="Молодёжная библиотека «Точка» (филиал № 3)",
            short_name="Молодёжная «Точка»",
            address="пр-т Строителей, д. 41",
            latitude="57.668213",
            longitude="39.872964",
            phone="+7 (4852) 44-33-17",
            email="tochka@lib.demo.kurator.local",
            head="head.tochka",
            hours=(_h(TUE_SAT, "12:00", "21:00"), _h((SUN,), "12:00", "19:00")),
            departments=(
                DepartmentSpec(ABONEMENT),
                DepartmentSpec(MEDIA, hours=(_h(TUE_SAT, "14:00", "21:00"), _h((SUN,), "12:00", "19:00"))),
            ),
        ),
        LibrarySpec(
            key="nekrasov",
            name="Библиотека-филиал № 4 им. Н. А. Некрасова",
            short_name="Библиотека им. Некрасова",
            address="ул. Заречная, д. 25",
            latitude="57.677631",
            longitude="39.866052",
            phone="+7 (4852) 44-40-62",
            email="nekrasov@lib.demo.kurator.local",
            head="head.nekrasova",
            hours=(_h(TUE_SAT, "11:00", "20:00"), _h((SUN,), "11:00", "19:00")),
            departments=(
                DepartmentSpec(ABONEMENT),
                DepartmentSpec(
                    LOCAL_HISTORY,
                    head="coordinator.kraeved",
                    phone="+7 (4852) 44-40-64",
                    hours=(_h((TUE, WED, THU, FRI), "11:00", "19:00"), _h((SAT,), "11:00", "17:00")),
                ),
            ),
        ),
        LibrarySpec(
            key="semya",
            name="Библиотека семейного чтения (филиал № 5)",
            short_name="Семейного чтения",
            address="ул. Мира, д. 3, корп. 1",
            latitude="57.665347",
            longitude="39.857719",
            phone="+7 (4852) 44-52-38",
            email="semya@lib.demo.kurator.local",
            head="head.semya",
            hours=(_h((MON, WED, THU, FRI), "11:00", "20:00"), _h((SAT, SUN), "11:00", "18:00")),
            departments=(
                DepartmentSpec(ABONEMENT),
                DepartmentSpec(
                    CHILDREN,
                    head="coordinator.semya",
                    hours=(_h((MON, WED, THU, FRI), "12:00", "19:00"), _h((SAT, SUN), "11:00", "18:00")),
                ),
            ),
        ),
        LibrarySpec(
            key="lesnaya",
            name="Библиотека-филиал № 6 «Лесная»",
            short_name="Библиотека «Лесная»",
            address="ул. Лесная, д. 18",
            latitude="57.681094",
            longitude="39.878541",
            phone="+7 (4852) 44-67-90",
            email="lesnaya@lib.demo.kurator.local",
            head="head.lesnaya",
            hours=(_h(TUE_SAT, "11:00", "20:00"), _h((SUN,), "11:00", "19:00")),
            departments=(DepartmentSpec(ABONEMENT), DepartmentSpec(READING_ROOM)),
        ),
    ),
    pages=(
        PageSpec(
            "Библиотеки Заречного района",
            SocialNetwork.VK,
            "https://vk.com/zarechny_libraries",
            None,
            (),
            MON,
            None,
            ("coordinator.cbs",),
            owner="curator",
            is_main=True,
            notes="Главная страница ЦБС: владелец — куратор социальных сетей.",
        ),
        PageSpec(
            "Библиотеки Заречного района",
            SocialNetwork.TELEGRAM,
            "https://t.me/zarechny_libraries",
            None,
            (METHODICAL,),
            MON,
            "coordinator.cbs",
            ("workgroup.ershova",),
            owner="curator",
        ),
        PageSpec(
            "ЦРБ им. А. П. Чехова",
            SocialNetwork.VK,
            "https://vk.com/chekhov_library_zr",
            "crb",
            (ABONEMENT, READING_ROOM),
            TUE,
            "coordinator.central",
            ("pageadmin.central", "pageadmin.spravka"),
            owner="coordinator.central",
            notes="Совместная страница абонемента и читального зала.",
        ),
        PageSpec(
            "ЦРБ им. А. П. Чехова",
            SocialNetwork.OK,
            "https://ok.ru/chekhovlibrary.zr",
            "crb",
            (ABONEMENT,),
            TUE,
            "coordinator.central",
            ("pageadmin.central",),
            owner="coordinator.central",
            publishing_mode=PublishingMode.ASSISTED,
        ),
        PageSpec(
            "Виртуальная справка ЦРБ",
            SocialNetwork.TELEGRAM,
            "https://t.me/spravka_chekhov_zr",
            "crb",
            (REFERENCE,),
            WED,
            "coordinator.spravka",
            ("pageadmin.spravka", "workgroup.ershova"),
            owner="coordinator.spravka",
        ),
        PageSpec(
            "Медиацентр ЦРБ",
            SocialNetwork.VK,
            "https://vk.com/mediacenter_zr",
            "crb",
            (MEDIA,),
            WED,
            "coordinator.media",
            ("pageadmin.media",),
            owner="coordinator.media",
        ),
        PageSpec(
            "Медиацентр ЦРБ",
            SocialNetwork.YOUTUBE,
            "https://www.youtube.com/@mediacenter_zr",
            "crb",
            (MEDIA,),
            WED,
            "coordinator.media",
            ("pageadmin.media",),
            owner="coordinator.media",
            publishing_mode=PublishingMode.ASSISTED,
        ),
        PageSpec(
            "Детская библиотека «Радуга»",
            SocialNetwork.VK,
            "https://vk.com/raduga_detlib",
            "raduga",
            (ABONEMENT, READING_ROOM),
            THU,
            "coordinator.detskaya",
            ("pageadmin.detskaya",),
            owner="coordinator.detskaya",
        ),
        PageSpec(
            "«Радуга» — для родителей",
            SocialNetwork.TELEGRAM,
            "https://t.me/raduga_roditelyam",
            "raduga",
            (ABONEMENT,),
            THU,
            "coordinator.detskaya",
            ("pageadmin.detskaya",),
            owner="coordinator.detskaya",
        ),
        PageSpec(
            "Молодёжная библиотека «Точка»",
            SocialNetwork.VK,
            "https://vk.com/tochka_youthlib",
            "tochka",
            (ABONEMENT, MEDIA),
            TUE,
            "coordinator.tochka",
            ("pageadmin.tochka",),
            owner="coordinator.tochka",
        ),
        PageSpec(
            "Точка | молодёжная библиотека",
            SocialNetwork.TELEGRAM,
            "https://t.me/tochka_youthlib",
            "tochka",
            (MEDIA,),
            TUE,
            "coordinator.tochka",
            ("pageadmin.tochka", "newcomer"),
            owner="coordinator.tochka",
        ),
        PageSpec(
            "Точка: о книгах без спешки",
            SocialNetwork.DZEN,
            "https://dzen.ru/tochka_youthlib",
            "tochka",
            (ABONEMENT,),
            TUE,
            "coordinator.tochka",
            ("pageadmin.tochka",),
            owner="coordinator.tochka",
            verified=False,
            publishing_mode=PublishingMode.ASSISTED,
        ),
        PageSpec(
            "Библиотека им. Н. А. Некрасова",
            SocialNetwork.VK,
            "https://vk.com/nekrasov_library_zr",
            "nekrasov",
            (ABONEMENT,),
            FRI,
            "coordinator.nekrasova",
            ("pageadmin.kraeved",),
            owner="coordinator.nekrasova",
        ),
        PageSpec(
            "Заречье: краеведение",
            SocialNetwork.VK,
            "https://vk.com/zarechye_kraeved",
            "nekrasov",
            (LOCAL_HISTORY,),
            FRI,
            "coordinator.kraeved",
            ("pageadmin.kraeved", "outreach.kraeved"),
            owner="coordinator.kraeved",
        ),
        PageSpec(
            "Заречье: краеведение",
            SocialNetwork.TELEGRAM,
            "https://t.me/zarechye_kraeved",
            "nekrasov",
            (LOCAL_HISTORY,),
            FRI,
            "coordinator.kraeved",
            ("pageadmin.kraeved",),
            owner="coordinator.kraeved",
        ),
        PageSpec(
            "Заречье: краеведение",
            SocialNetwork.YOUTUBE,
            "https://www.youtube.com/@zarechye_kraeved",
            "nekrasov",
            (LOCAL_HISTORY,),
            FRI,
            "coordinator.kraeved",
            ("outreach.kraeved",),
            owner="coordinator.kraeved",
            verified=False,
            publishing_mode=PublishingMode.ASSISTED,
        ),
        PageSpec(
            "Библиотека семейного чтения",
            SocialNetwork.VK,
            "https://vk.com/semeynoe_chtenie_zr",
            "semya",
            (ABONEMENT, CHILDREN),
            THU,
            "coordinator.semya",
            ("pageadmin.semya", "workgroup.tarasov"),
            owner="coordinator.semya",
            notes="Совместная страница абонемента и детского отдела.",
        ),
        PageSpec(
            "Библиотека семейного чтения",
            SocialNetwork.OK,
            "https://ok.ru/semeynoechtenie.zr",
            "semya",
            (ABONEMENT,),
            THU,
            "coordinator.semya",
            ("pageadmin.semya",),
            owner="coordinator.semya",
            publishing_mode=PublishingMode.ASSISTED,
        ),
        PageSpec(
            "Библиотека «Лесная»",
            SocialNetwork.VK,
            "https://vk.com/lesnaya_library_zr",
            "lesnaya",
            (ABONEMENT, READING_ROOM),
            WED,
            "coordinator.lesnaya",
            ("pageadmin.lesnaya",),
            owner="coordinator.lesnaya",
        ),
        PageSpec(
            "Лесная: новости библиотеки",
            SocialNetwork.TELEGRAM,
            "https://t.me/lesnaya_library_zr",
            "lesnaya",
            (ABONEMENT,),
            WED,
            "coordinator.lesnaya",
            ("pageadmin.lesnaya", "workgroup.shirokova"),
            owner="coordinator.lesnaya",
            verified=False,
        ),
    ),
    people=(
        PersonSpec(
            "director", "Соколова Ирина Викторовна", "Директор", "crb", None, date(2009, 3, 2), "+7 (4852) 44-10-20"
        ),
        PersonSpec(
            "deputy",
            "Морозов Андрей Павлович",
            "Заместитель директора по библиотечной работе",
            "crb",
            None,
            date(2014, 9, 1),
            "+7 (4852) 44-10-20",
        ),
        PersonSpec(
            "curator",
            "Белова Наталья Сергеевна",
            "Ведущий методист, куратор социальных сетей",
            "crb",
            METHODICAL,
            date(2016, 2, 15),
            "+7 (4852) 44-10-28",
        ),
        PersonSpec(
            "coordinator.cbs",
            "Орлова Татьяна Геннадьевна",
            "Заведующая отделом методической работы",
            "crb",
            METHODICAL,
            date(2011, 10, 3),
        ),
        PersonSpec(
            "coordinator.central",
            "Ковалёва Елена Андреевна",
            "Заведующая абонементом",
            "crb",
            ABONEMENT,
            date(2017, 5, 10),
        ),
        PersonSpec(
            "coordinator.spravka",
            "Зайцева Анна Михайловна",
            "Заведующая справочно-библиографическим отделом",
            "crb",
            REFERENCE,
            date(2012, 1, 16),
        ),
        PersonSpec(
            "coordinator.media",
            "Никитин Артём Владимирович",
            "Заведующий медиацентром",
            "crb",
            MEDIA,
            date(2019, 8, 19),
        ),
        PersonSpec(
            "coordinator.detskaya",
            "Кузнецова Светлана Игоревна",
            "Ведущий библиотекарь",
            "raduga",
            ABONEMENT,
            date(2018, 3, 12),
        ),
        PersonSpec(
            "coordinator.tochka",
            "Панова Дарья Алексеевна",
            "Библиотекарь I категории",
            "tochka",
            MEDIA,
            date(2020, 10, 5),
        ),
        PersonSpec(
            "coordinator.kraeved",
            "Воронцова Галина Фёдоровна",
            "Заведующая отделом краеведения",
            "nekrasov",
            LOCAL_HISTORY,
            date(2008, 4, 1),
        ),
        PersonSpec(
            "coordinator.nekrasova", "Егорова Юлия Сергеевна", "Библиотекарь", "nekrasov", ABONEMENT, date(2021, 3, 22)
        ),
        PersonSpec(
            "coordinator.semya",
            "Смирнова Ксения Олеговна",
            "Заведующая детским отделом",
            "semya",
            CHILDREN,
            date(2018, 11, 12),
        ),
        PersonSpec(
            "coordinator.lesnaya",
            "Полякова Вера Александровна",
            "Ведущий библиотекарь",
            "lesnaya",
            ABONEMENT,
            date(2019, 2, 4),
        ),
        PersonSpec(
            "pageadmin.central",
            "Степанова Алина Игоревна",
            "Библиотекарь читального зала",
            "crb",
            READING_ROOM,
            date(2021, 9, 6),
        ),
        PersonSpec(
            "pageadmin.spravka",
            "Киселёв Максим Андреевич",
            "Библиограф II категории",
            "crb",
            REFERENCE,
            date(2022, 2, 1),
        ),
        PersonSpec(
            "pageadmin.media", "Романова Полина Дмитриевна", "Библиотекарь медиацентра", "crb", MEDIA, date(2022, 8, 15)
        ),
        PersonSpec(
            "pageadmin.detskaya",
            "Васильева Марина Петровна",
            "Главный библиотекарь",
            "raduga",
            READING_ROOM,
            date(2015, 6, 1),
        ),
        PersonSpec(
            "pageadmin.tochka", "Фёдоров Кирилл Романович", "Библиотекарь", "tochka", ABONEMENT, date(2023, 1, 16)
        ),
        PersonSpec(
            "pageadmin.kraeved",
            "Алексеева Ирина Борисовна",
            "Главный библиотекарь",
            "nekrasov",
            LOCAL_HISTORY,
            date(2013, 9, 2),
        ),
        PersonSpec(
            "pageadmin.semya",
            "Николаева Татьяна Викторовна",
            "Библиотекарь I категории",
            "semya",
            ABONEMENT,
            date(2020, 1, 20),
        ),
        PersonSpec(
            "pageadmin.lesnaya", "Гусева Любовь Николаевна", "Библиотекарь", "lesnaya", READING_ROOM, date(2022, 4, 11)
        ),
        PersonSpec("newcomer", "Медведева София Андреевна", "Библиотекарь", "tochka", MEDIA, None),
        PersonSpec("designer", "Лазарева Евгения Олеговна", "Дизайнер", "crb", METHODICAL, date(2021, 11, 8)),
        PersonSpec(
            "designer.detskaya",
            "Котова Анастасия Владимировна",
            "Художник-оформитель",
            "raduga",
            None,
            date(2016, 10, 3),
        ),
        PersonSpec(
            "outreach.lesnaya",
            "Комарова Наталья Ильинична",
            "Библиотекарь по работе с местным сообществом",
            "lesnaya",
            ABONEMENT,
            date(2019, 5, 13),
        ),
        PersonSpec(
            "outreach.kraeved",
            "Сорокин Павел Евгеньевич",
            "Библиотекарь I категории",
            "nekrasov",
            LOCAL_HISTORY,
            date(2020, 9, 1),
        ),
        PersonSpec(
            "head.detskaya",
            "Лебедева Ольга Николаевна",
            "Заведующая детской библиотекой",
            "raduga",
            None,
            date(2006, 8, 21),
            "+7 (4852) 44-21-05",
        ),
        PersonSpec(
            "head.tochka",
            "Григорьев Денис Олегович",
            "Заведующий молодёжной библиотекой",
            "tochka",
            None,
            date(2015, 3, 16),
            "+7 (4852) 44-33-17",
        ),
        PersonSpec(
            "head.nekrasova",
            "Тихонова Людмила Петровна",
            "Заведующая библиотекой",
            "nekrasov",
            None,
            date(2004, 11, 1),
            "+7 (4852) 44-40-62",
        ),
        PersonSpec(
            "head.semya",
            "Савельева Марина Юрьевна",
            "Заведующая библиотекой",
            "semya",
            None,
            date(2010, 2, 8),
            "+7 (4852) 44-52-38",
        ),
        PersonSpec(
            "head.lesnaya",
            "Фролова Валентина Ивановна",
            "Заведующая библиотекой",
            "lesnaya",
            None,
            date(2007, 6, 18),
            "+7 (4852) 44-67-90",
        ),
        PersonSpec(
            "workgroup.ershova",
            "Ершова Маргарита Львовна",
            "Библиотекарь абонемента",
            "crb",
            ABONEMENT,
            date(2022, 10, 3),
        ),
        PersonSpec(
            "workgroup.tarasov",
            "Тарасов Глеб Николаевич",
            "Библиотекарь детского отдела",
            "semya",
            CHILDREN,
            date(2023, 4, 17),
        ),
        PersonSpec(
            "workgroup.shirokova",
            "Широкова Дарья Константиновна",
            "Библиотекарь",
            "lesnaya",
            READING_ROOM,
            date(2021, 12, 6),
        ),
    ),
    roles=(
        ("director", Role.ADMINISTRATION, None),
        ("deputy", Role.ADMINISTRATION, None),
        ("curator", Role.CURATOR, None),
        ("designer", Role.DESIGNER, None),
        ("designer.detskaya", Role.DESIGNER, "raduga"),
        ("outreach.lesnaya", Role.OUTREACH, "lesnaya"),
        ("outreach.kraeved", Role.OUTREACH, f"nekrasov/{LOCAL_HISTORY}"),
        # The working group of seed 000: volunteers from several departments and libraries.
        *(
            (login, Role.WORKGROUP_MEMBER, None)
            for login in (
                "pageadmin.central",
                "pageadmin.spravka",
                "pageadmin.media",
                "designer",
                "coordinator.tochka",
                "pageadmin.tochka",
                "outreach.kraeved",
                "workgroup.ershova",
                "workgroup.tarasov",
                "workgroup.shirokova",
            )
        ),
    ),
    appointer="director",
    newcomer="newcomer",
    on_vacation=("coordinator.detskaya", "pageadmin.detskaya", "head.detskaya"),
    sanitary_days=(("crb", THU), ("raduga", FRI), ("nekrasov", FRI)),
    closures=(("nekrasov", LOCAL_HISTORY, 17, 3, "Инвентаризация краеведческого фонда"),),
)

PRIOZERNY = NetworkSpec(
    slug=SECOND_SLUG,
    name="Централизованная библиотечная система Приозёрного района",
    short_name="Приозёрная ЦБС",
    time_zone="Europe/Minsk",
    country=Country.BELARUS,
    libraries=(
        LibrarySpec(
            key="crb",
            name="Приозёрная центральная районная библиотека",
            short_name="Приозёрная ЦРБ",
            address="ул. Советская, д. 15",
            latitude="54.318412",
            longitude="26.853907",
            phone="+375 (176) 55-21-40",
            email="crb@lib.priozerny.demo.kurator.local",
            is_central=True,
            head="director.by",
            hours=(_h(WORKDAYS, "09:00", "19:00"), _h((SAT,), "10:00", "17:00")),
            departments=(DepartmentSpec(SERVICE_BY, head="coordinator.by", phone="+375 (176) 55-21-43"),),
        ),
    ),
    pages=(
        PageSpec(
            "Приозёрная ЦБС",
            SocialNetwork.VK,
            "https://vk.com/priozernaya_cbs",
            None,
            (),
            TUE,
            None,
            ("pageadmin.by",),
            owner="curator.by",
            is_main=True,
        ),
        PageSpec(
            "Приозёрная библиотека",
            SocialNetwork.TELEGRAM,
            "https://t.me/priozernaya_biblioteka",
            "crb",
            (SERVICE_BY,),
            THU,
            "coordinator.by",
            ("pageadmin.by",),
            owner="coordinator.by",
        ),
    ),
    people=(
        PersonSpec("director.by", "Ковальчук Тамара Ивановна", "Директор", "crb", None, date(2012, 5, 14)),
        PersonSpec(
            "curator.by",
            "Лукашевич Ольга Петровна",
            "Главный библиотекарь, куратор социальных сетей",
            "crb",
            SERVICE_BY,
            date(2017, 9, 1),
        ),
        PersonSpec(
            "coordinator.by",
            "Жук Виктория Сергеевна",
            "Заведующая отделом обслуживания и информации",
            "crb",
            SERVICE_BY,
            date(2019, 3, 4),
        ),
        PersonSpec(
            "pageadmin.by",
            "Мельник Андрей Владимирович",
            "Библиотекарь II категории",
            "crb",
            SERVICE_BY,
            date(2022, 6, 20),
        ),
    ),
    roles=(("director.by", Role.ADMINISTRATION, None), ("curator.by", Role.CURATOR, None)),
    appointer="director.by",
)

NETWORKS = (ZARECHNY, PRIOZERNY)
NEWCOMER_DAYS = 95  # hired about three months ago: fewer than the 6 months a coordinator needs
INTERNSHIP_DAYS_AGO = 30


def email_of(login: str) -> str:
    return f"{login}@{DEMO_DOMAIN}"


# --- who to try -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoLogin:
    email: str
    role: str
    sees: str


def demo_login_table() -> list[DemoLogin]:
    """The logins worth trying, with the role and what the person sees (translated at call time)."""

    def row(login: str, role: str, sees: str) -> DemoLogin:
        return DemoLogin(email_of(login), role, sees)

    main, by = ZARECHNY.short_name, PRIOZERNY.short_name
    short = {lib.key: lib.short_name for lib in ZARECHNY.libraries}
    return [
        row(
            "admin", _("Installation operator"), _("The Django admin of the whole installation; belongs to no network.")
        ),
        row(
            "director",
            str(Role.ADMINISTRATION.label),
            _("All of %(network)s: the registry, people, reports and audits.") % {"network": main},
        ),
        row(
            "curator",
            str(Role.CURATOR.label),
            _("Every page of %(network)s: approves plans and posts, audits; owns the main page.") % {"network": main},
        ),
        row(
            "coordinator.central",
            str(Role.COORDINATOR.label),
            _("The pages of %(library)s in VK and Odnoklassniki; also their owner.") % {"library": short["crb"]},
        ),
        row(
            "coordinator.detskaya",
            str(Role.COORDINATOR.label),
            _("On vacation now: the pages of %(library)s are with the substitute.") % {"library": short["raduga"]},
        ),
        row(
            "pageadmin.detskaya",
            str(Role.PAGE_ADMIN.label),
            _("The pages of %(library)s; substitutes for the coordinator on vacation.") % {"library": short["raduga"]},
        ),
        row(
            "newcomer",
            str(Role.PAGE_ADMIN.label),
            _("One Telegram channel; a newcomer whose internship with the curator is in progress."),
        ),
        row(
            "head.nekrasova",
            _("Library head"),
            _("%(library)s and its pages; appoints their coordinators and administrators.")
            % {"library": short["nekrasov"]},
        ),
        row("designer", str(Role.DESIGNER.label), _("Requests for visuals from every page of the network.")),
        row(
            "outreach.lesnaya",
            str(Role.OUTREACH.label),
            _("The neighbourhood communities around %(library)s.") % {"library": short["lesnaya"]},
        ),
        row(
            "workgroup.ershova",
            str(Role.WORKGROUP_MEMBER.label),
            _("The working group of %(network)s: rubrics across its pages.") % {"network": main},
        ),
        row(
            "curator.by",
            str(Role.CURATOR.label),
            _("Only %(network)s (Belarus): nothing of the other network is visible.") % {"network": by},
        ),
    ]


def demo_logins() -> list[tuple[str, str]]:
    """(e-mail, "role: what they see") for every demo login worth trying; all share DEMO_PASSWORD."""
    return [(row.email, f"{row.role}: {row.sees}") for row in demo_login_table()]


# --- the builder ----------------------------------------------------------------------------------


def _clock(value: str) -> time:
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def next_last_weekday_of_month(weekday: int, today: date) -> date:
    """The coming "last <weekday> of the month" (a library's sanitary day), today included."""
    year, month = today.year, today.month
    while True:
        last = date(year, month, calendar.monthrange(year, month)[1])
        last -= timedelta(days=(last.weekday() - weekday) % 7)
        if last >= today:
            return last
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def coordinator_appointments(spec: NetworkSpec) -> dict[str, date]:
    """When each demo coordinator was appointed: after ≥ 6 months of service (R-ORG-7) and no earlier
    than the regulation; the curator took them on for internships a few at a time, three weeks apart."""
    employed = {p.login: p.employed_since for p in spec.people}
    appointed: dict[str, date] = {}
    for login in dict.fromkeys(p.coordinator for p in spec.pages if p.coordinator):
        since = employed[login] or REGULATION_ADOPTED
        turn = REGULATION_ADOPTED + timedelta(weeks=3 * len(appointed))
        appointed[login] = max(_add_months(since, 8).replace(day=1), turn)
    return appointed


@dataclass
class DemoResult:
    created: Counter[str] = field(default_factory=Counter)
    networks: list[Network] = field(default_factory=list)

    @property
    def total_created(self) -> int:
        return sum(self.created.values())


class _Builder:
    def __init__(self, today: date, result: DemoResult) -> None:
        self.today = today
        self._password_hash = ""
        self.result = result
        self.reason = _("Demo data")

    @property
    def password_hash(self) -> str:
        """DEMO_PASSWORD hashed once for everyone (hashing is slow on purpose), and only when needed."""
        if not self._password_hash:
            self._password_hash = make_password(DEMO_PASSWORD)
        return self._password_hash

    def ensure(
        self, model: type[models.Model], wanted: list[Any], key: Callable[[Any], Any], existing: Iterable[Any]
    ) -> dict[Any, Any]:
        """Every wanted object by its natural key: the stored one if there is one, else a new one
        (created in one bulk insert, with its history record)."""
        found: dict[Any, Any] = {key(obj): obj for obj in existing}
        missing: dict[Any, Any] = {}
        for obj in wanted:
            k = key(obj)
            if k not in found and k not in missing:
                missing[k] = obj
        if missing:
            created = bulk_create_with_history(list(missing.values()), model, default_change_reason=self.reason)
            for obj in created:
                found[key(obj)] = obj
            self.result.created[model._meta.model_name or model.__name__] += len(created)
        return {key(obj): found[key(obj)] for obj in wanted}

    # --- one network ---

    def network(self, spec: NetworkSpec) -> Network:
        network = Network.objects.filter(slug=spec.slug).first()
        if network is None:
            network = Network.objects.create(
                name=spec.name,
                short_name=spec.short_name,
                slug=spec.slug,
                time_zone=spec.time_zone,
                country=spec.country,
            )
            self.result.created["network"] += 1
        self.result.networks.append(network)

        libraries = self.ensure(
            Library,
            [
                Library(
                    network=network,
                    name=lib.name,
                    short_name=lib.short_name,
                    is_central=lib.is_central,
                    address=lib.address,
                    latitude=Decimal(lib.latitude),
                    longitude=Decimal(lib.longitude),
                    phone=lib.phone,
                    email=lib.email,
                    time_zone=spec.time_zone,
                    country=spec.country,
                )
                for lib in spec.libraries
            ],
            key=lambda o: o.name,
            existing=Library.objects.filter(network=network),
        )
        library = {lib.key: libraries[lib.name] for lib in spec.libraries}

        departments = self.ensure(
            Department,
            [
                Department(library=library[lib.key], name=dept.name, phone=dept.phone)
                for lib in spec.libraries
                for dept in lib.departments
            ],
            key=lambda o: (o.library_id, o.name),
            existing=Department.objects.filter(library__network=network),
        )

        def department(lib_key: str, name: str) -> Department:
            return departments[(library[lib_key].pk, name)]

        self.hours(spec, library, department, network)
        pages = self.pages(spec, network, library, department)
        people = self.people(spec, network, library, department)
        self.heads(spec, library, department, people)
        self.roles(spec, network, library, department, pages, people)
        self.internships(spec, network, people)
        self.absence(spec, network, people)
        self.closures(spec, network, library, department)
        return network

    def hours(
        self,
        spec: NetworkSpec,
        library: dict[str, Library],
        department: Callable[[str, str], Department],
        network: Network,
    ) -> None:
        wanted = []
        for lib in spec.libraries:
            units: list[tuple[dict[str, Any], Hours]] = [({"library": library[lib.key]}, lib.hours)]
            units += [({"department": department(lib.key, d.name)}, d.hours) for d in lib.departments if d.hours]
            for unit, hours in units:
                for days, opens, closes in hours:
                    wanted += [
                        WorkingHours(**unit, weekday=day, opens=_clock(opens), closes=_clock(closes)) for day in days
                    ]
        self.ensure(
            WorkingHours,
            wanted,
            key=lambda o: (o.library_id, o.department_id, o.weekday),
            existing=WorkingHours.objects.filter(Q(library__network=network) | Q(department__library__network=network)),
        )

    def pages(
        self,
        spec: NetworkSpec,
        network: Network,
        library: dict[str, Library],
        department: Callable[[str, str], Department],
    ) -> dict[str, Page]:
        pages = self.ensure(
            Page,
            [
                Page(
                    network=network,
                    library=library[p.library] if p.library else None,
                    name=p.name,
                    social_network=p.social_network,
                    url=p.url,
                    approval_weekday=p.approval_weekday,
                    verified=p.verified,
                    publishing_mode=p.publishing_mode,
                    is_main=p.is_main,
                    notes=p.notes,
                )
                for p in spec.pages
            ],
            key=lambda o: o.url,
            existing=Page.objects.filter(network=network),
        )
        central = next(lib.key for lib in spec.libraries if lib.is_central)
        self.ensure(
            PageDepartment,
            [
                PageDepartment(
                    page=pages[p.url],
                    department=department(p.library or central, name),
                    social_network=pages[p.url].social_network,
                )
                for p in spec.pages
                for name in p.departments
            ],
            key=lambda o: (o.page_id, o.department_id),
            existing=PageDepartment.objects.filter(page__network=network),
        )
        return pages

    def people(
        self,
        spec: NetworkSpec,
        network: Network,
        library: dict[str, Library],
        department: Callable[[str, str], Department],
    ) -> dict[str, User]:
        newcomer_hired = self.today - timedelta(days=NEWCOMER_DAYS)
        emails = [email_of(p.login) for p in spec.people]
        existing = list(User.objects.filter(email__in=emails))
        password = self.password_hash if len(existing) < len(emails) else ""  # "": nobody is created
        by_email = self.ensure(
            User,
            [
                User(
                    email=email_of(p.login),
                    password=password,
                    full_name=p.full_name,
                    position=p.position,
                    phone=p.phone,
                    network=network,
                    library=library[p.library],
                    department=department(p.library, p.department) if p.department else None,
                    employed_since=p.employed_since or newcomer_hired,
                )
                for p in spec.people
            ],
            key=lambda o: o.email,
            existing=existing,
        )
        return {p.login: by_email[email_of(p.login)] for p in spec.people}

    def heads(
        self,
        spec: NetworkSpec,
        library: dict[str, Library],
        department: Callable[[str, str], Department],
        people: dict[str, User],
    ) -> None:
        """Heads are set only where none is recorded yet: a head chosen in the product stays."""
        for lib in spec.libraries:
            units: list[tuple[Library | Department, str | None]] = [(library[lib.key], lib.head)]
            units += [(department(lib.key, d.name), d.head) for d in lib.departments]
            for unit, head in units:
                if head and unit.head_id is None:
                    unit.head = people[head]
                    unit._change_reason = self.reason  # type: ignore[union-attr]
                    unit.save(update_fields=["head"])

    def roles(
        self,
        spec: NetworkSpec,
        network: Network,
        library: dict[str, Library],
        department: Callable[[str, str], Department],
        pages: dict[str, Page],
        people: dict[str, User],
    ) -> None:
        appointer = people[spec.appointer]
        appointed = coordinator_appointments(spec)
        heads = {library[lib.key].pk: people[lib.head] for lib in spec.libraries if lib.head}

        def head_of(library_id: int | None) -> User:
            """Who appoints in a library (003 § 5.5): its head; the director for the network's own pages."""
            return heads.get(library_id, appointer) if library_id else appointer

        def since(login: str, earliest: date = REGULATION_ADOPTED) -> date:
            return max(people[login].employed_since or earliest, earliest)

        wanted: list[RoleAssignment] = []
        for login, role, target in spec.roles:
            lib = dept = None
            if target and "/" in target:
                lib_key, dept_name = target.split("/", 1)
                dept = department(lib_key, dept_name)
            elif target:
                lib = library[target]
            scope = Scope.DEPARTMENT if dept else Scope.LIBRARY if lib else Scope.NETWORK
            earliest = WORKGROUP_FORMED if role == Role.WORKGROUP_MEMBER else REGULATION_ADOPTED
            unit_library = dept.library_id if dept else lib.pk if lib else None
            wanted.append(
                RoleAssignment(
                    person=people[login],
                    role=role,
                    scope=scope,
                    network=network,
                    library=lib,
                    department=dept,
                    starts_on=since(login, earliest),
                    appointed_by=head_of(unit_library),
                )
            )
        for p in spec.pages:
            page = pages[p.url]
            on_page: list[tuple[str, str, date]] = []
            if p.coordinator:
                on_page.append((p.coordinator, Role.COORDINATOR, appointed[p.coordinator]))
            on_page.append((p.owner, Role.PAGE_OWNER, appointed.get(p.owner) or since(p.owner)))
            for admin in p.admins:
                hired = people[admin].employed_since
                start = hired + timedelta(days=14) if hired and hired > REGULATION_ADOPTED else since(admin)
                on_page.append((admin, Role.PAGE_ADMIN, start))
            for login, role, start in on_page:
                # Ownership is the administration's decision (003 § 2); the rest, the library head's (§ 5.5).
                by = appointer if role == Role.PAGE_OWNER else head_of(page.library_id)
                wanted.append(
                    RoleAssignment(
                        person=people[login],
                        role=role,
                        scope=Scope.PAGE,
                        network=network,
                        page=page,
                        starts_on=start,
                        appointed_by=by,
                    )
                )
        self.ensure(
            RoleAssignment,
            wanted,
            key=lambda o: (o.person_id, o.role, o.scope, o.library_id, o.department_id, o.page_id),
            existing=RoleAssignment.objects.filter(network=network),
        )

    def internships(self, spec: NetworkSpec, network: Network, people: dict[str, User]) -> None:
        curator = people[next(login for login, role, _t in spec.roles if role == Role.CURATOR)]
        wanted = []
        for login, appointed in coordinator_appointments(spec).items():
            wanted.append(
                Internship(
                    person=people[login],
                    network=network,
                    mentor=curator,
                    started_on=appointed - timedelta(days=42),
                    completed_on=appointed - timedelta(days=7),
                    notes="Стажировка в песочнице: контент-план на месяц, три поста, ответы на "
                    "комментарии по шаблонам.",
                )
            )
        if spec.newcomer:
            wanted.append(
                Internship(
                    person=people[spec.newcomer],
                    network=network,
                    mentor=curator,
                    started_on=self.today - timedelta(days=INTERNSHIP_DAYS_AGO),
                    notes="Стажировка идёт: первый контент-план на согласовании у куратора.",
                )
            )
        self.ensure(Internship, wanted, key=lambda o: o.person_id, existing=Internship.objects.filter(network=network))

    def absence(self, spec: NetworkSpec, network: Network, people: dict[str, User]) -> None:
        """The demo vacation always covers today: found by its note, moved if it no longer does."""
        if not spec.on_vacation:
            return
        absent, substitute, recorded_by = (people[login] for login in spec.on_vacation)
        starts_on, ends_on = self.today - timedelta(days=5), self.today + timedelta(days=9)
        absence = (
            Absence.objects.filter(person=absent, network=network, kind=AbsenceKind.VACATION, note=VACATION_NOTE)
            .order_by("-starts_on")
            .first()
        )
        if absence is None:
            absence = Absence(
                person=absent,
                network=network,
                kind=AbsenceKind.VACATION,
                note=VACATION_NOTE,
                substitute=substitute,
                created_by=recorded_by,
                starts_on=starts_on,
                ends_on=ends_on,
            )
            self.result.created["absence"] += 1
        elif absence.starts_on <= self.today <= absence.ends_on:
            return
        else:
            absence.starts_on, absence.ends_on = starts_on, ends_on
        absence._change_reason = self.reason  # type: ignore[attr-defined]
        absence.save()

    def closures(
        self,
        spec: NetworkSpec,
        network: Network,
        library: dict[str, Library],
        department: Callable[[str, str], Department],
    ) -> None:
        wanted = []
        for lib_key, weekday in spec.sanitary_days:
            day = next_last_weekday_of_month(weekday, self.today)
            wanted.append(Closure(library=library[lib_key], starts_on=day, ends_on=day, reason="Санитарный день"))
        for lib_key, dept_name, in_days, days, reason in spec.closures:
            starts = self.today + timedelta(days=in_days)
            wanted.append(
                Closure(
                    library=library[lib_key],
                    department=department(lib_key, dept_name) if dept_name else None,
                    starts_on=starts,
                    ends_on=starts + timedelta(days=days - 1),
                    reason=reason,
                )
            )
        self.ensure(
            Closure,
            wanted,
            key=lambda o: (o.library_id, o.department_id, o.starts_on, o.reason),
            existing=Closure.objects.filter(library__network=network),
        )

    def operator(self) -> User:
        user = User.objects.filter(email=OPERATOR_EMAIL).first()
        if user is None:
            user = User(
                email=OPERATOR_EMAIL,
                password=self.password_hash,
                full_name="Оператор установки",
                position="Системный администратор",
                is_staff=True,
                is_superuser=True,
            )
            user._change_reason = self.reason  # type: ignore[attr-defined]
            user.save()
            self.result.created["user"] += 1
        return user


def load_demo(today: date | None = None) -> DemoResult:
    """Create whatever of the demo data is missing, in one transaction; returns what was created."""
    result = DemoResult()
    with transaction.atomic():
        builder = _Builder(today or timezone.localdate(), result)
        for spec in NETWORKS:
            builder.network(spec)
        builder.operator()
    return result
