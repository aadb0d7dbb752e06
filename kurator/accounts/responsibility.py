"""Who is responsible for a page or a department right now, substitutes included (R-ORG-5).
Every later module asks here: review deadlines, publishing alerts, inbox duty, audits."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.utils import timezone

from kurator.accounts.access import active_assignments_q
from kurator.accounts.choices import Role
from kurator.accounts.models import Absence, RoleAssignment, User
from kurator.registry.models import Department, Network, Page

MAX_SUBSTITUTION_CHAIN = 5  # a substitute may be absent too; stop at a loop or an absurd chain


def local_day(at: datetime | None, time_zone: str) -> date:
    return (at or timezone.now()).astimezone(ZoneInfo(time_zone)).date()


@dataclass(frozen=True)
class Responsible:
    """A role holder and the person who acts for them on the day asked (themselves unless absent)."""

    holder: User
    acting: User | None
    absence: Absence | None = None

    @property
    def is_substituted(self) -> bool:
        return self.absence is not None


@dataclass(frozen=True)
class PageTeam:
    page: Page
    day: date
    coordinators: list[Responsible] = field(default_factory=list)
    administrators: list[Responsible] = field(default_factory=list)
    owners: list[Responsible] = field(default_factory=list)
    curators: list[Responsible] = field(default_factory=list)

    @property
    def coordinator(self) -> User | None:
        """The person to ask about this page today: the coordinator, or whoever substitutes."""
        for r in self.coordinators:
            if r.acting is not None:
                return r.acting
        return None

    @property
    def curator(self) -> User | None:
        for r in self.curators:
            if r.acting is not None:
                return r.acting
        return None


class AbsenceBook:
    """The absences covering some days, read in one query, so that teams of many pages cost the same
    as one."""

    def __init__(self, days: Iterable[date]) -> None:
        days = set(days)
        self._by_person_day: dict[tuple[int, date], Absence] = {}
        if not days:
            return
        rows = Absence.objects.select_related("substitute").filter(starts_on__lte=max(days), ends_on__gte=min(days))
        for absence in rows:
            for day in days:
                if absence.starts_on <= day <= absence.ends_on:
                    self._by_person_day[(absence.person_id, day)] = absence

    def on(self, person: User, day: date) -> Absence | None:
        return self._by_person_day.get((person.pk, day))


def acting_for(person: User, day: date, book: AbsenceBook | None = None) -> Responsible:
    """Follow substitutions: if the person is absent, their substitute acts (and so on, if the
    substitute is absent too). Nobody acts when an absence names no substitute."""
    book = book or AbsenceBook([day])
    current, first_absence, seen = person, None, {person.pk}
    for _step in range(MAX_SUBSTITUTION_CHAIN):
        absence = book.on(current, day)
        if absence is None:
            return Responsible(holder=person, acting=current, absence=first_absence)
        first_absence = first_absence or absence
        if absence.substitute is None or absence.substitute.pk in seen:
            return Responsible(holder=person, acting=None, absence=first_absence)
        current = absence.substitute
        seen.add(current.pk)
    return Responsible(holder=person, acting=None, absence=first_absence)


def people_holding(network: Network, roles: Iterable[str], day: date) -> list[User]:
    return list(
        User.objects.filter(
            pk__in=RoleAssignment.objects.filter(
                active_assignments_q(day), network=network, role__in=list(roles)
            ).values("person_id"),
            is_active=True,
        )
    )


def page_time_zone(page: Page) -> str:
    return page.library.time_zone if page.library else page.network.time_zone


def page_teams(pages: Iterable[Page], at: datetime | None = None) -> list[PageTeam]:
    """The teams of many pages on each page's local day, in a fixed number of queries."""
    pages = list(pages)
    days = {page.pk: local_day(at, page_time_zone(page)) for page in pages}
    book = AbsenceBook(days.values())
    rows = (
        RoleAssignment.objects.filter(page__in=pages, role__in=(Role.COORDINATOR, Role.PAGE_ADMIN, Role.PAGE_OWNER))
        .select_related("person")
        .order_by("starts_on", "pk")
    )
    rows_by_page: dict[int, list[RoleAssignment]] = {}
    for row in rows:
        rows_by_page.setdefault(row.page_id, []).append(row)  # type: ignore[arg-type]
    curators_by_network: dict[tuple[int, date], list[User]] = {}
    teams = []
    for page in pages:
        day = days[page.pk]
        by_role: dict[str, list[Responsible]] = {Role.COORDINATOR: [], Role.PAGE_ADMIN: [], Role.PAGE_OWNER: []}
        for row in rows_by_page.get(page.pk, []):
            if row.person.is_active and row.is_active_on(day):
                by_role[row.role].append(acting_for(row.person, day, book))
        key = (page.network_id, day)
        if key not in curators_by_network:
            curators_by_network[key] = people_holding(page.network, (Role.CURATOR,), day)
        teams.append(
            PageTeam(
                page=page,
                day=day,
                coordinators=by_role[Role.COORDINATOR],
                administrators=by_role[Role.PAGE_ADMIN],
                owners=by_role[Role.PAGE_OWNER],
                curators=[acting_for(p, day, book) for p in curators_by_network[key]],
            )
        )
    return teams


def page_team(page: Page, at: datetime | None = None) -> PageTeam:
    """The page's coordinator(s), administrators, owners and the network's curator on the page's local day."""
    return page_teams([page], at)[0]


def responsible_for_page(page: Page, at: datetime | None = None) -> User | None:
    """The one person to route a page's work to right now: its acting coordinator, else the acting curator."""
    team = page_team(page, at)
    return team.coordinator or team.curator


def department_head(department: Department, at: datetime | None = None) -> Responsible | None:
    """The acting head of a department (its own head, else the library's)."""
    head = department.head or department.library.head
    if head is None:
        return None
    return acting_for(head, local_day(at, department.library.time_zone))


def current_coordinator(page: Page, day: date | None = None) -> User | None:
    """The appointed coordinator (not the substitute): the registry's "Координатор" column."""
    day = day or timezone.localdate()
    row = (
        RoleAssignment.objects.filter(active_assignments_q(day), page=page, role=Role.COORDINATOR)
        .select_related("person")
        .first()
    )
    return row.person if row else None


def current_coordinators(pages: Iterable[Page], day: date | None = None) -> dict[int, User]:
    """The appointed coordinator of each page, in one query (for registry lists and exports)."""
    day = day or timezone.localdate()
    rows = RoleAssignment.objects.filter(active_assignments_q(day), page__in=list(pages), role=Role.COORDINATOR)
    return {row.page_id: row.person for row in rows.select_related("person")}  # type: ignore[misc]
