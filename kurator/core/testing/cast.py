"""The test cast: two small networks with a person in every role, shared by every app's tests.

Network "north" (Russia, Moscow time) has a central library and a branch; network "west" (Belarus,
Minsk time) shows isolation. Each person's e-mail says who they are: curator@north.test, …
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time

from kurator.accounts.choices import Role, Scope
from kurator.accounts.models import RoleAssignment, User
from kurator.registry.choices import PublishingMode, SocialNetwork
from kurator.registry.models import Department, Library, Network, Page, PageDepartment, WorkingHours

PASSWORD = "correct-horse-battery-42"


@dataclass
class NetworkCast:
    network: Network
    central: Library
    branch: Library
    central_dept: Department
    branch_dept: Department
    main_page: Page
    central_page: Page
    branch_page: Page
    people: dict[str, User] = field(default_factory=dict)

    def __getitem__(self, key: str) -> User:
        return self.people[key]


def person(email: str, network: Network | None, library: Library | None = None, **extra: object) -> User:
    return User.objects.create_user(
        email=email,
        password=PASSWORD,
        full_name=extra.pop("full_name", email.split("@")[0].title()),
        network=network,
        library=library,
        employed_since=extra.pop("employed_since", date(2020, 1, 1)),
        **extra,
    )


def assign(
    who: User,
    role: str,
    *,
    network: Network,
    library: Library | None = None,
    department: Department | None = None,
    page: Page | None = None,
) -> RoleAssignment:
    scope = Scope.PAGE if page else Scope.DEPARTMENT if department else Scope.LIBRARY if library else Scope.NETWORK
    return RoleAssignment.objects.create(
        person=who,
        role=role,
        scope=scope,
        network=network,
        library=library,
        department=department,
        page=page,
        starts_on=date(2020, 1, 1),
    )


def weekday_hours(unit: Library | Department, opens: time = time(9), closes: time = time(18)) -> None:
    key = "library" if isinstance(unit, Library) else "department"
    WorkingHours.objects.bulk_create(
        [WorkingHours(**{key: unit}, weekday=d, opens=opens, closes=closes) for d in range(5)]
    )


def build_network(slug: str, country: str, tz: str) -> NetworkCast:
    network = Network.objects.create(name=f"ЦБС {slug}", slug=slug, country=country, time_zone=tz)
    central = Library.objects.create(
        network=network,
        name=f"Центральная библиотека {slug}",
        is_central=True,
        country=country,
        time_zone=tz,
        address="ул. Ленина, 1",
    )
    branch = Library.objects.create(network=network, name=f"Библиотека-филиал {slug}", country=country, time_zone=tz)
    central_dept = Department.objects.create(library=central, name="Отдел обслуживания")
    branch_dept = Department.objects.create(library=branch, name="Абонемент")
    for unit in (central, branch):
        weekday_hours(unit)
    main_page = Page.objects.create(
        network=network,
        name=f"ЦБС {slug}",
        social_network=SocialNetwork.VK,
        url=f"https://vk.com/cbs_{slug}",
        is_main=True,
        publishing_mode=PublishingMode.AUTOMATIC,
    )
    central_page = Page.objects.create(
        network=network,
        library=central,
        name=f"Центральная {slug}",
        social_network=SocialNetwork.VK,
        url=f"https://vk.com/central_{slug}",
        publishing_mode=PublishingMode.AUTOMATIC,
    )
    branch_page = Page.objects.create(
        network=network,
        library=branch,
        name=f"Филиал {slug}",
        social_network=SocialNetwork.TELEGRAM,
        url=f"https://t.me/branch_{slug}",
        publishing_mode=PublishingMode.AUTOMATIC,
    )
    PageDepartment.objects.create(
        page=central_page, department=central_dept, social_network=central_page.social_network
    )
    PageDepartment.objects.create(page=branch_page, department=branch_dept, social_network=branch_page.social_network)
    cast = NetworkCast(network, central, branch, central_dept, branch_dept, main_page, central_page, branch_page)

    def add(key: str, library: Library | None = None) -> User:
        cast.people[key] = person(f"{key}@{slug}.test", network, library)
        return cast.people[key]

    assign(add("administration", central), Role.ADMINISTRATION, network=network)
    curator = add("curator", central)
    assign(curator, Role.CURATOR, network=network)
    assign(curator, Role.PAGE_OWNER, network=network, page=main_page)
    assign(add("coordinator", central), Role.COORDINATOR, network=network, page=central_page)
    assign(add("page_admin", central), Role.PAGE_ADMIN, network=network, page=central_page)
    assign(add("branch_coordinator", branch), Role.COORDINATOR, network=network, page=branch_page)
    assign(add("designer", central), Role.DESIGNER, network=network)
    assign(add("member", branch), Role.WORKGROUP_MEMBER, network=network, library=branch)
    central.head = add("head", central)
    central.save()
    add("staff", branch)  # a librarian with no role yet
    return cast


def build_cast() -> dict[str, NetworkCast]:
    north = build_network("north", "RU", "Europe/Moscow")
    west = build_network("west", "BY", "Europe/Minsk")
    User.objects.create_superuser(email="operator@kurator.test", password=PASSWORD, full_name="Оператор")
    return {"north": north, "west": west}


def enable_totp(user: User, secret: str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP") -> str:
    """Give a person an authenticator app, as if they had scanned the QR code; returns the secret."""
    from allauth.mfa.totp.internal.auth import TOTP

    TOTP.activate(user, secret)
    return secret


def current_totp_code(secret: str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP") -> str:
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value, yield_hotp_counters_from_time

    return format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))
