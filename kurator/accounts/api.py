"""People over the JSON API: people, their roles, absences with substitutes, and who is responsible
for a page right now (R-ORG-4, R-ORG-5).

Reads go through accounts.selectors (someone outside the person's scope is "not found"); writes go
through accounts.services (PermissionDenied → 403, ValidationError → 422, see kurator/api.py)."""

from datetime import date
from typing import Annotated, Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from kurator.accounts import services
from kurator.accounts.access import active_assignments_q
from kurator.accounts.choices import AbsenceKind, Role
from kurator.accounts.models import Absence, RoleAssignment, User
from kurator.accounts.responsibility import Responsible, page_team
from kurator.accounts.selectors import absences_visible_to, people_visible_to, roles_visible_to
from kurator.core.api_helpers import MAX_ID, Day, Id, Pagination, PathId, PersonRef, Text, query_id, responses
from kurator.core.errors import ValidationError
from kurator.registry.models import Department, Library, Page
from kurator.registry.selectors import (
    departments_visible_to,
    get_visible_or_404,
    libraries_visible_to,
    pages_visible_to,
)

router = Router(tags=["people"])


# Schemas ---------------------------------------------------------------------------------------


class PersonOut(Schema):
    id: int
    full_name: str
    email: str
    position: str
    phone: str
    network_id: int | None
    library_id: int | None
    department_id: int | None
    is_active: bool


class RoleOut(Schema):
    id: int
    person: PersonRef
    role: str
    role_label: str
    scope: str
    network_id: int
    library_id: int | None
    department_id: int | None
    page_id: int | None
    place: str = Field(description="The library, department or page the role is held in, as people name it.")
    starts_on: date
    ends_on: date | None
    active: bool

    @staticmethod
    def resolve_role_label(obj: RoleAssignment) -> str:
        return str(obj.get_role_display())

    @staticmethod
    def resolve_place(obj: RoleAssignment) -> str:
        return obj.scope_label

    @staticmethod
    def resolve_active(obj: RoleAssignment) -> bool:
        return obj.is_active_on(timezone.localdate())


class PersonDetail(PersonOut):
    employed_since: date | None
    language: str
    roles: list[RoleOut] = Field(description="The roles the person holds today.")

    @staticmethod
    def resolve_roles(obj: User, context: Any) -> list[Any]:
        return list(
            roles_visible_to(context["request"].user).filter(active_assignments_q(timezone.localdate()), person=obj)
        )


class RoleIn(Schema):
    person_id: Id
    role: Role
    library_id: Id | None = Field(None, description="For a role held in a library.")
    department_id: Id | None = Field(None, description="For a role held in a department.")
    page_id: Id | None = Field(None, description="For a page role: coordinator, administrator, owner.")
    starts_on: Day | None = Field(None, description="Defaults to today.")
    ends_on: Day | None = None
    replace_current: bool = Field(
        False, description="End the current coordinator's or curator's appointment the day before."
    )


class RoleEndIn(Schema):
    on: Day | None = Field(None, description="The last day of the role; defaults to today.")


class AbsenceOut(Schema):
    id: int
    person: PersonRef
    kind: str
    kind_label: str
    starts_on: date
    ends_on: date
    substitute: PersonRef | None
    note: str

    @staticmethod
    def resolve_kind_label(obj: Absence) -> str:
        return str(obj.get_kind_display())


class AbsenceIn(Schema):
    person_id: Id | None = Field(None, description="Defaults to the person calling.")
    kind: AbsenceKind = AbsenceKind.VACATION
    starts_on: Day
    ends_on: Day
    substitute_id: Id | None = None
    note: Text = Field("", max_length=300)


class ResponsibleOut(Schema):
    holder: PersonRef
    acting: PersonRef | None = Field(description="Who does the work today: the holder, their substitute, or nobody.")
    substituted: bool
    absent_until: date | None

    @staticmethod
    def resolve_substituted(obj: Responsible) -> bool:
        return obj.is_substituted

    @staticmethod
    def resolve_absent_until(obj: Responsible) -> date | None:
        return obj.absence.ends_on if obj.absence is not None else None


class PageTeamOut(Schema):
    page_id: int
    day: date = Field(description="The page's local day the answer is for.")
    coordinator: PersonRef | None = Field(description="The acting coordinator: the one to ask about this page today.")
    curator: PersonRef | None = Field(description="The acting curator of the network.")
    coordinators: list[ResponsibleOut]
    administrators: list[ResponsibleOut]
    owners: list[ResponsibleOut]
    curators: list[ResponsibleOut]

    @staticmethod
    def resolve_page_id(obj: Any) -> int:
        return obj.page.pk


# People ----------------------------------------------------------------------------------------


@router.get("", response=responses(list[PersonOut]), summary="People")
@paginate(Pagination)
def people_list(
    request: HttpRequest,
    network: Annotated[int | None, query_id("Only this network's people")] = None,
    library: Annotated[int | None, query_id("Only this library's people")] = None,
    role: Annotated[Role | None, Query(description="Only people holding this role today")] = None,
) -> Any:
    qs = people_visible_to(request.user)
    if network is not None:
        qs = qs.filter(network_id=network)
    if library is not None:
        qs = qs.filter(library_id=library)
    if role is not None:
        holders = RoleAssignment.objects.filter(active_assignments_q(timezone.localdate()), role=role)
        qs = qs.filter(pk__in=holders.values("person_id"))
    return qs


@router.get("/me", response=responses(PersonDetail), summary="The person calling")
def me(request: HttpRequest) -> Any:
    return get_visible_or_404(people_visible_to(request.user), pk=request.user.pk)


@router.get("/{int:person_id}", response=responses(PersonDetail), summary="A person, with the roles they hold today")
def person_detail(request: HttpRequest, person_id: PathId) -> Any:
    return get_visible_or_404(people_visible_to(request.user), pk=person_id)


# Roles -----------------------------------------------------------------------------------------


@router.get("/roles", response=responses(list[RoleOut]), summary="Roles")
@paginate(Pagination)
def roles_list(
    request: HttpRequest,
    person: Annotated[int | None, query_id("Only this person's roles")] = None,
    page: Annotated[int | None, query_id("Only roles on this page")] = None,
    library: Annotated[int | None, query_id("Only roles in this library")] = None,
    role: Role | None = None,
    active: Annotated[bool | None, Query(description="true: held today; false: ended or not yet begun")] = None,
) -> Any:
    qs = roles_visible_to(request.user).order_by("-starts_on", "pk")
    if person is not None:
        qs = qs.filter(person_id=person)
    if page is not None:
        qs = qs.filter(page_id=page)
    if library is not None:
        qs = qs.filter(library_id=library)
    if role is not None:
        qs = qs.filter(role=role)
    if active is not None:
        today = active_assignments_q(timezone.localdate())
        qs = qs.filter(today) if active else qs.exclude(today)
    return qs


def _visible_or_invalid(queryset: QuerySet, pk: int | None, field: str, message: str) -> Any:
    if pk is None:
        return None
    obj = queryset.filter(pk=pk).first()
    if obj is None:
        raise ValidationError({field: message})
    return obj


@router.post("/roles", response=responses(RoleOut, 201), summary="Appoint a person to a role")
def role_assign(request: HttpRequest, payload: RoleIn) -> Any:
    user = request.user
    person: User = _visible_or_invalid(people_visible_to(user), payload.person_id, "person_id", _("No such person."))
    if person.network is None:
        raise ValidationError({"person_id": _("This person belongs to no library network.")})
    network = person.network
    places = [payload.library_id, payload.department_id, payload.page_id]
    if sum(place is not None for place in places) > 1:
        raise ValidationError(_("Give one place for the role: a library, a department or a page, not several."))
    library: Library | None = _visible_or_invalid(
        libraries_visible_to(user, network), payload.library_id, "library_id", _("No such library in this network.")
    )
    department: Department | None = _visible_or_invalid(
        departments_visible_to(user, network),
        payload.department_id,
        "department_id",
        _("No such department in this network."),
    )
    page: Page | None = _visible_or_invalid(
        pages_visible_to(user, network), payload.page_id, "page_id", _("No such page in this network.")
    )
    assignment = services.role_assign(
        by=user,
        person=person,
        role=payload.role,
        network=network,
        library=library,
        department=department,
        page=page,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        replace_current=payload.replace_current,
    )
    return Status(201, get_visible_or_404(roles_visible_to(user), pk=assignment.pk))


@router.post("/roles/{role_id}/end", response=responses(RoleOut), summary="End a role")
def role_end(request: HttpRequest, role_id: PathId, payload: RoleEndIn) -> Any:
    user = request.user
    assignment = get_visible_or_404(roles_visible_to(user), pk=role_id)
    services.role_end(by=user, assignment=assignment, on=payload.on)
    return get_visible_or_404(roles_visible_to(user), pk=role_id)


# Absences --------------------------------------------------------------------------------------


@router.get("/absences", response=responses(list[AbsenceOut]), summary="Absences and substitutes")
@paginate(Pagination)
def absences_list(
    request: HttpRequest,
    person: Annotated[int | None, query_id("Only this person's absences")] = None,
    on: Annotated[Day | None, Query(description="Only absences covering this day")] = None,
) -> Any:
    qs = absences_visible_to(request.user).order_by("-starts_on", "pk")
    if person is not None:
        qs = qs.filter(person_id=person)
    if on is not None:
        qs = qs.filter(starts_on__lte=on, ends_on__gte=on)
    return qs


@router.post("/absences", response=responses(AbsenceOut, 201), summary="Record an absence and its substitute")
def absence_create(request: HttpRequest, payload: AbsenceIn) -> Any:
    user = request.user
    visible = people_visible_to(user)
    person = (
        _visible_or_invalid(visible, payload.person_id, "person_id", _("No such person."))
        if payload.person_id is not None
        else user
    )
    substitute = _visible_or_invalid(visible, payload.substitute_id, "substitute_id", _("No such person."))
    if person.network_id is None:
        raise ValidationError({"person_id": _("This person belongs to no library network.")})
    absence = services.absence_record(
        by=user,
        person=person,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        substitute=substitute,
        kind=payload.kind,
        note=payload.note,
    )
    return Status(201, get_visible_or_404(absences_visible_to(user), pk=absence.pk))


# Responsibility --------------------------------------------------------------------------------


@router.get("/responsible", response=responses(PageTeamOut), summary="Who is responsible for a page today")
def responsible(request: HttpRequest, page: Annotated[int, Query(ge=1, le=MAX_ID, description="The page")]) -> Any:
    return page_team(get_visible_or_404(pages_visible_to(request.user), pk=page))
