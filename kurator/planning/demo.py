"""Demo content for the demo network (`manage.py load_demo`): the working group's authored rubrics of
seed 000 and a week of posts on the central library's pages, one of them already with the curator, so
that the content plan, the review queue and the warnings show life on the first start.

Everything goes through the planning and review services, so it obeys the same rules as people do.
Idempotent: rubrics are looked up by name, posts by title."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from kurator.accounts.models import User
from kurator.planning.choices import Cadence, Direction, RubricFormat, Topic
from kurator.planning.models import Post, Rubric
from kurator.planning.services import post_create, rubric_create
from kurator.registry.models import Network, Page

DEMO_SLUG = "zarechny"
DOMAIN = "demo.kurator.local"

RUBRICS = [
    (
        "Древняя дичь",
        "#древняядичь",
        "workgroup.ershova",
        RubricFormat.PHOTO,
        Cadence.FORTNIGHTLY,
        2,
        "Старинные издания и курьёзы из фонда редких книг.",
    ),
    (
        "Бюро изобретений",
        "#бюроизобретений",
        "workgroup.tarasov",
        RubricFormat.TEXT,
        Cadence.WEEKLY,
        3,
        "Истории изобретений по книгам нашего фонда.",
    ),
    (
        "Что-то знакомое",
        "#чтотознакомое",
        "workgroup.shirokova",
        RubricFormat.PHOTO,
        Cadence.WEEKLY,
        4,
        "Угадайте книгу по фрагменту обложки.",
    ),
    (
        "Ты не похожа на библиотекаря",
        "#тынепохожанабиблиотекаря",
        "pageadmin.media",
        RubricFormat.VIDEO,
        Cadence.MONTHLY,
        4,
        "Видеобеседы о профессии с сотрудниками ЦБС.",
    ),
]

# (days after next Monday, hour, title, text, direction, topics, page URLs)
POSTS = [
    (
        0,
        10,
        "Режим работы в праздничные дни",
        "Дорогие читатели! Рассказываем, как работают библиотеки ЦБС в праздничные дни.",
        Direction.SCHEDULE,
        [Topic.HOURS_CHANGES],
        ["https://vk.com/chekhov_library_zr"],
    ),
    (
        1,
        12,
        "Как продлить книги через личный кабинет",
        "Продлить книги можно, не выходя из дома: личный кабинет на портале — пошаговая инструкция.",
        Direction.READER_SERVICE,
        [Topic.PERSONAL_ACCOUNT],
        ["https://vk.com/chekhov_library_zr", "https://t.me/spravka_chekhov_zr"],
    ),
    (
        3,
        11,
        "Новинки абонемента: зимнее чтение",
        "Подборка новых книг абонемента для долгих зимних вечеров.",
        Direction.COLLECTION,
        [Topic.BOOK_SELECTIONS],
        ["https://vk.com/chekhov_library_zr"],
    ),
]


def _person(login: str) -> User | None:
    return User.objects.filter(email=f"{login}@{DOMAIN}").first()


def _next_monday_at(hour: int, days: int, tz: str) -> datetime:
    today = timezone.localdate()
    monday = today + timedelta(days=7 - today.weekday())
    return datetime.combine(monday + timedelta(days=days), time(hour), tzinfo=ZoneInfo(tz))


@transaction.atomic
def load_planning_demo() -> int:
    """Create what is missing; returns how many rubrics and posts were created."""
    network = Network.objects.filter(slug=DEMO_SLUG).first()
    curator = _person("curator")
    if network is None or curator is None:
        return 0
    created = 0
    pages_by_url = {p.url: p for p in Page.objects.filter(network=network)}
    for name, hashtag, owner_login, fmt, cadence, weekday, description in RUBRICS:
        owner = _person(owner_login)
        if owner is None or Rubric.objects.filter(network=network, name=name).exists():
            continue
        main_pages = [p for p in pages_by_url.values() if p.is_main]
        rubric_create(
            by=curator,
            network=network,
            name=name,
            owner=owner,
            pages=main_pages,
            hashtag=hashtag,
            description=description,
            format=fmt,
            cadence=cadence,
            weekday=weekday,
        )
        created += 1
    for days, hour, title, text, direction, topics, urls in POSTS:
        if Post.objects.filter(network=network, title=title).exists():
            continue
        pages = [pages_by_url[url] for url in urls if url in pages_by_url]
        if not pages:
            continue
        tz = pages[0].library.time_zone if pages[0].library else network.time_zone
        post_create(
            by=curator,
            network=network,
            pages=pages,
            title=title,
            text=text,
            planned_at=_next_monday_at(hour, days, tz),
            direction=direction,
            topics=[str(t) for t in topics],
        )
        created += 1
    return created
