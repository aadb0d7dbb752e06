"""The registry over the JSON API: networks, libraries, departments and the page registry (R-ORG-1..3).

Every read goes through the registry selectors, so an object outside the person's scope is "not found"
(404), never "forbidden"; writes go through registry.services, whose PermissionDenied is a 403 and
whose ValidationError is a 422 with the messages (see kurator/api.py)."""

from typing import Annotated, Any

from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from kurator.accounts.responsibility import current_coordinator
from kurator.core.api_helpers import Id, Pagination, PathId, PersonRef, Text, query_id, responses
from kurator.core.errors import ValidationError, require
from kurator.registry import services
from kurator.registry.choices import PublishingMode, SocialNetwork
from kurator.registry.models import Department, Library, Network, Page
from kurator.registry.selectors import (
    departments_visible_to,
    get_visible_or_404,
    hours_of,
    libraries_visible_to,
    networks_visible_to,
    pages_visible_to,
)

router = Router(tags=["registry"])


# Schemas ---------------------------------------------------------------------------------------


class NetworkOut(Schema):
    id: int
    name: str
    short_name: str
    slug: str
    time_zone: str
    country: str


class HoursOut(Schema):
    weekday: int = Field(description="0 is Monday, 6 is Sunday")
    weekday_name: str
    opens: str = Field(description="HH:MM, the unit's local time", pattern=r"^\d\d:\d\d$")
    closes: str = Field(description="HH:MM, the unit's local time", pattern=r"^\d\d:\d\d$")

    @staticmethod
    def resolve_weekday_name(obj: Any) -> str:
        return str(obj.get_weekday_display())

    @staticmethod
    def resolve_opens(obj: Any) -> str:
        return f"{obj.opens:%H:%M}"

    @staticmethod
    def resolve_closes(obj: Any) -> str:
        return f"{obj.closes:%H:%M}"


class Ref(Schema):
    id: int
    name: str


class LibraryOut(Schema):
    id: int
    network_id: int
    name: str
    short_name: str
    is_central: bool
    address: str
    latitude: float | None
    longitude: float | None
    phone: str
    email: str
    time_zone: str
    country: str
    head: PersonRef | None


class LibraryDetail(LibraryOut):
    hours: list[HoursOut] = Field(description="Opening hours; a weekday that is missing is closed.")
    departments: list[Ref]

    @staticmethod
    def resolve_hours(obj: Library) -> list[Any]:
        return list(hours_of(obj))

    @staticmethod
    def resolve_departments(obj: Library) -> list[Any]:
        return list(obj.departments.order_by("name"))


class DepartmentOut(Schema):
    id: int
    library_id: int
    library_name: str
    network_id: int
    name: str
    address: str = Field(description="The department's own address, or the library's when it has none.")
    phone: str
    email: str
    head: PersonRef | None

    @staticmethod
    def resolve_library_name(obj: Department) -> str:
        return str(obj.library)

    @staticmethod
    def resolve_network_id(obj: Department) -> int:
        return obj.library.network_id

    @staticmethod
    def resolve_address(obj: Department) -> str:
        return obj.effective_address


class PageRef(Schema):
    id: int
    name: str
    social_network: str
    url: str


class DepartmentDetail(DepartmentOut):
    hours: list[HoursOut] = Field(description="The department's own hours, or the library's when it keeps them.")
    own_hours: bool
    pages: list[PageRef] = Field(description="The pages the department runs (alone or jointly).")

    @staticmethod
    def resolve_hours(obj: Department) -> list[Any]:
        return list(hours_of(obj)) or list(hours_of(obj.library))

    @staticmethod
    def resolve_own_hours(obj: Department) -> bool:
        return obj.hours.exists()

    @staticmethod
    def resolve_pages(obj: Department, context: Any) -> list[Any]:
        return list(pages_visible_to(context["request"].user).filter(departments=obj).order_by("name"))


class PageOut(Schema):
    id: int
    network_id: int
    library_id: int | None
    name: str
    social_network: str
    social_network_label: str
    url: str
    approval_weekday: int | None = Field(description="0 is Monday, 6 is Sunday")
    verified: bool
    publishing_mode: str
    is_main: bool
    archived: bool
    department_ids: list[int]

    @staticmethod
    def resolve_social_network_label(obj: Page) -> str:
        return str(obj.get_social_network_display())

    @staticmethod
    def resolve_department_ids(obj: Page) -> list[int]:
        return sorted(d.pk for d in obj.departments.all())


class PageDetail(PageOut):
    notes: str
    departments: list[Ref]
    coordinator: PersonRef | None = Field(description="The appointed coordinator (not a substitute).")

    @staticmethod
    def resolve_departments(obj: Page) -> list[Any]:
        return list(obj.departments.all())

    @staticmethod
    def resolve_coordinator(obj: Page) -> Any:
        return current_coordinator(obj)


class PageIn(Schema):
    network_id: Id | None = Field(None, description="Defaults to the person's own network.")
    library_id: Id | None = Field(None, description="Empty for the network's own page.")
    department_ids: list[Id] = Field(default_factory=list, max_length=50)
    name: Text = Field(min_length=1, max_length=200)
    social_network: SocialNetwork
    url: Text = Field(min_length=1, max_length=300)
    approval_weekday: int | None = Field(None, ge=0, le=6)
    verified: bool = False
    publishing_mode: PublishingMode = PublishingMode.ASSISTED
    is_main: bool = False
    notes: Text = Field("", max_length=5000)


class PagePatch(Schema):
    """Only the fields sent are changed."""

    library_id: Id | None = None
    department_ids: list[Id] = Field(None, max_length=50)
    name: Text = Field(None, min_length=1, max_length=200)
    social_network: SocialNetwork = None
    url: Text = Field(None, min_length=1, max_length=300)
    approval_weekday: int | None = Field(None, ge=0, le=6)
    verified: bool = None
    publishing_mode: PublishingMode = None
    is_main: bool = None
    notes: Text = Field(None, max_length=5000)


# Networks --------------------------------------------------------------------------------------


@router.get("/networks", response=responses(list[NetworkOut]), summary="Library networks")
@paginate(Pagination)
def networks_list(request: HttpRequest) -> QuerySet[Network]:
    return networks_visible_to(request.user)


@router.get("/networks/{network_id}", response=responses(NetworkOut), summary="A library network")
def network_detail(request: HttpRequest, network_id: PathId) -> Network:
    return get_visible_or_404(networks_visible_to(request.user), pk=network_id)


# Libraries -------------------------------------------------------------------------------------


@router.get("/libraries", response=responses(list[LibraryOut]), summary="Libraries")
@paginate(Pagination)
def libraries_list(
    request: HttpRequest, network: Annotated[int | None, query_id("Only this network's libraries")] = None
) -> Any:
    qs = libraries_visible_to(request.user)
    if network is not None:
        qs = qs.filter(network_id=network)
    return qs


@router.get(
    "/libraries/{library_id}", response=responses(LibraryDetail), summary="A library, with hours and departments"
)
def library_detail(request: HttpRequest, library_id: PathId) -> Library:
    return get_visible_or_404(libraries_visible_to(request.user), pk=library_id)


# Departments -----------------------------------------------------------------------------------


@router.get("/departments", response=responses(list[DepartmentOut]), summary="Departments")
@paginate(Pagination)
def departments_list(
    request: HttpRequest,
    network: Annotated[int | None, query_id("Only this network's departments")] = None,
    library: Annotated[int | None, query_id("Only this library's departments")] = None,
) -> Any:
    qs = departments_visible_to(request.user)
    if network is not None:
        qs = qs.filter(library__network_id=network)
    if library is not None:
        qs = qs.filter(library_id=library)
    return qs


@router.get("/departments/{department_id}", response=responses(DepartmentDetail), summary="A department")
def department_detail(request: HttpRequest, department_id: PathId) -> Department:
    return get_visible_or_404(departments_visible_to(request.user), pk=department_id)


# Pages -----------------------------------------------------------------------------------------


def _pages(user: Any) -> QuerySet[Page]:
    return pages_visible_to(user).prefetch_related(
        Prefetch("departments", queryset=Department.objects.select_related("library").order_by("name"))
    )


@router.get("/pages", response=responses(list[PageOut]), summary="The page registry")
@paginate(Pagination)
def pages_list(
    request: HttpRequest,
    network: Annotated[int | None, query_id("Only this network's pages")] = None,
    library: Annotated[int | None, query_id("Only this library's pages")] = None,
    social_network: SocialNetwork | None = None,
    publishing_mode: PublishingMode | None = None,
    archived: bool | None = None,
) -> Any:
    qs = _pages(request.user)
    if network is not None:
        qs = qs.filter(network_id=network)
    if library is not None:
        qs = qs.filter(library_id=library)
    if social_network is not None:
        qs = qs.filter(social_network=social_network)
    if publishing_mode is not None:
        qs = qs.filter(publishing_mode=publishing_mode)
    if archived is not None:
        qs = qs.filter(archived=archived)
    return qs


@router.get("/pages/{page_id}", response=responses(PageDetail), summary="A page, with its departments and coordinator")
def page_detail(request: HttpRequest, page_id: PathId) -> Page:
    return get_visible_or_404(_pages(request.user), pk=page_id)


def _network_for_new_page(user: Any, network_id: int | None) -> Network:
    visible = networks_visible_to(user)
    if network_id is not None:
        network = visible.filter(pk=network_id).first()
        if network is None:
            raise ValidationError({"network_id": _("No such library network.")})
        return network
    own = visible.filter(pk=getattr(user, "network_id", None)).first()
    if own is not None:
        return own
    if visible.count() == 1:
        return visible.get()
    raise ValidationError({"network_id": _("Choose the library network.")})


def _library(user: Any, network: Network, library_id: int | None) -> Library | None:
    if library_id is None:
        return None
    library = libraries_visible_to(user, network).filter(pk=library_id).first()
    if library is None:
        raise ValidationError({"library_id": _("No such library in this network.")})
    return library


def _departments(user: Any, network: Network, ids: list[int]) -> list[Department]:
    wanted = set(ids)
    found = list(departments_visible_to(user, network).filter(pk__in=wanted))
    if len(found) != len(wanted):
        raise ValidationError({"department_ids": _("No such department in this network.")})
    return found


@router.post("/pages", response=responses(PageDetail, 201), summary="Add a page to the registry")
def page_create(request: HttpRequest, payload: PageIn) -> Any:
    user = request.user
    network = _network_for_new_page(user, payload.network_id)
    require(user, "registry.add_page", network)  # 403 before any complaint about the body; the service checks again
    fields = payload.dict(exclude={"network_id", "library_id", "department_ids"})
    page = services.page_create(
        by=user,
        network=network,
        library=_library(user, network, payload.library_id),
        departments=_departments(user, network, payload.department_ids),
        **fields,
    )
    return Status(201, get_visible_or_404(_pages(user), pk=page.pk))


@router.patch("/pages/{page_id}", response=responses(PageDetail), summary="Change a page of the registry")
def page_update(request: HttpRequest, page_id: PathId, payload: PagePatch) -> Any:
    user = request.user
    page = get_visible_or_404(_pages(user), pk=page_id)
    require(user, "registry.change_page", page)  # 403 before any complaint about the body; the service checks again
    changes = payload.dict(exclude_unset=True)
    kwargs: dict[str, Any] = {}
    if "library_id" in changes:
        kwargs["library"] = _library(user, page.network, changes.pop("library_id"))
    if "department_ids" in changes:
        kwargs["departments"] = _departments(user, page.network, changes.pop("department_ids") or [])
    page = services.page_update(by=user, page=page, **changes, **kwargs)
    return get_visible_or_404(_pages(user), pk=page.pk)
