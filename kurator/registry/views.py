"""Registry screens: pages, libraries, departments. Thin: selectors read, services write."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kurator.accounts.responsibility import current_coordinators, department_head, page_team
from kurator.accounts.selectors import people_visible_to
from kurator.core.formtools import run_service
from kurator.core.history import audit_events_of, history_of
from kurator.registry import services
from kurator.registry.choices import SocialNetwork
from kurator.registry.forms import ConnectionForm, DepartmentForm, HoursForm, LibraryForm, PageForm, token_hint
from kurator.registry.models import Department, Library, Network, Page, PageConnection, PageDepartment
from kurator.registry.selectors import (
    departments_visible_to,
    get_visible_or_404,
    hours_of,
    libraries_visible_to,
    pages_visible_to,
)


def _network(request: HttpRequest) -> Network:
    network = getattr(request, "network", None)
    if network is None:
        raise Http404(_("You have no library network."))
    return network


def _history(obj: object) -> dict[str, object]:
    return {"history": history_of(obj), "audit_events": audit_events_of(obj)}  # type: ignore[arg-type]


@login_required
def pages_list(request: HttpRequest) -> HttpResponse:
    network = _network(request)
    pages = (
        pages_visible_to(request.user, network)
        .filter(archived=False)
        .prefetch_related(Prefetch("page_departments", queryset=PageDepartment.objects.select_related("department")))
    )
    social = request.GET.get("social_network", "")
    library = request.GET.get("library", "")
    query = request.GET.get("q", "").strip()
    if social in SocialNetwork.values:
        pages = pages.filter(social_network=social)
    if library.isdigit():
        pages = pages.filter(library_id=int(library))
    if query:
        pages = pages.filter(name__icontains=query) | pages.filter(url__icontains=query)
    page_list = list(pages)
    coordinators = current_coordinators(page_list)
    rows = [(page, coordinators.get(page.pk)) for page in page_list]
    context = {
        "rows": rows,
        "libraries": libraries_visible_to(request.user, network),
        "social_networks": SocialNetwork.choices,
        "filters": {"social_network": social, "library": library, "q": query},
        "can_add": request.user.has_perm("registry.add_page", network),
        "can_import": request.user.has_perm("registry.import_pages", network),
    }
    template = "registry/pages.html#page-rows" if request.htmx else "registry/pages.html"  # type: ignore[attr-defined]
    return render(request, template, context)


@login_required
def page_detail(request: HttpRequest, pk: int) -> HttpResponse:
    page = get_visible_or_404(pages_visible_to(request.user), pk=pk)
    connection = PageConnection.objects.filter(page=page).first()
    return render(
        request,
        "registry/page_detail.html",
        {
            "page": page,
            "team": page_team(page),
            "departments": page.departments.select_related("library"),
            "can_change": request.user.has_perm("registry.change_page", page),
            "connection": connection,
            "connectable": page.social_network in services.CONNECTABLE_NETWORKS,
            "community_token_hint": token_hint(connection.community_token) if connection else "",
            "can_connect": request.user.has_perm("registry.connect_page", page),
            **_history(page),
        },
    )


def _connectable_page(request: HttpRequest, pk: int) -> Page:
    page = get_visible_or_404(pages_visible_to(request.user), pk=pk)
    if not request.user.has_perm("registry.connect_page", page):
        raise PermissionDenied
    return page


@login_required
def page_connection(request: HttpRequest, pk: int) -> HttpResponse:
    page = _connectable_page(request, pk)
    connection = PageConnection.objects.filter(page=page).first()
    form = ConnectionForm(request.POST or None, instance=connection, page=page)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        saved = run_service(
            form,
            services.connection_save,
            by=request.user,
            page=page,
            endpoint=data["endpoint"],
            target=data["target"],
            token=data["token"],
            community_token=data.get("community_token", ""),
            vk_postponed=data.get("vk_postponed", False),
        )
        if saved is not None:
            messages.success(request, _("The connection is saved. Check the token now to be sure it works."))
            return redirect("registry:page", pk=page.pk)
    return render(
        request, "core/form.html", {"form": form, "title": _("Connection of “%(name)s”") % {"name": page.name}}
    )


@login_required
@require_POST
def page_connection_remove(request: HttpRequest, pk: int) -> HttpResponse:
    page = _connectable_page(request, pk)
    services.connection_remove(by=request.user, page=page)
    messages.success(request, _("The page is disconnected: its posts will wait for a person."))
    return redirect("registry:page", pk=page.pk)


@login_required
def page_create(request: HttpRequest) -> HttpResponse:
    network = _network(request)
    if not request.user.has_perm("registry.add_page", network):
        raise PermissionDenied
    form = PageForm(request.POST or None, network=network)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        departments = data.pop("departments")
        page = run_service(
            form, services.page_create, by=request.user, network=network, departments=departments, **data
        )
        if page is not None:
            messages.success(request, _("The page is added to the registry."))
            return redirect("registry:page", pk=page.pk)
    return render(request, "core/form.html", {"form": form, "title": _("New page")})


@login_required
def page_edit(request: HttpRequest, pk: int) -> HttpResponse:
    page = get_visible_or_404(pages_visible_to(request.user), pk=pk)
    if not request.user.has_perm("registry.change_page", page):
        raise PermissionDenied
    form = PageForm(request.POST or None, instance=page, network=page.network)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        departments = data.pop("departments")
        saved = run_service(form, services.page_update, by=request.user, page=page, departments=departments, **data)
        if saved is not None:
            messages.success(request, _("Changes saved."))
            return redirect("registry:page", pk=page.pk)
    return render(request, "core/form.html", {"form": form, "title": _("Edit page “%(name)s”") % {"name": page.name}})


@login_required
def libraries_list(request: HttpRequest) -> HttpResponse:
    network = _network(request)
    libraries = libraries_visible_to(request.user, network).prefetch_related("departments", "hours")
    return render(
        request,
        "registry/libraries.html",
        {
            "libraries": libraries,
            "can_add": request.user.has_perm("registry.add_library", network),
        },
    )


@login_required
def library_detail(request: HttpRequest, pk: int) -> HttpResponse:
    library = get_visible_or_404(libraries_visible_to(request.user), pk=pk)
    return render(
        request,
        "registry/library_detail.html",
        {
            "library": library,
            "hours": hours_of(library),
            "departments": library.departments.select_related("head").prefetch_related("hours"),
            "pages": pages_visible_to(request.user).filter(library=library),
            "people": people_visible_to(request.user).filter(library=library, is_active=True),
            "closures": library.closures.select_related("department"),
            "can_change": request.user.has_perm("registry.change_library", library),
            **_history(library),
        },
    )


def _save_hours(request: HttpRequest, form: HoursForm, unit: Library | Department) -> bool:
    if not form.is_valid():
        return False
    return (
        run_service(
            form, lambda **kw: services.working_hours_set(**kw) or True, by=request.user, unit=unit, hours=form.hours()
        )
        is not None
    )


def _initial_hours(unit: Library | Department) -> dict[int, tuple[object, object]]:
    return {h.weekday: (h.opens, h.closes) for h in hours_of(unit)}


@login_required
def library_create(request: HttpRequest) -> HttpResponse:
    network = _network(request)
    if not request.user.has_perm("registry.add_library", network):
        raise PermissionDenied
    form = LibraryForm(
        request.POST or None, network=network, initial={"time_zone": network.time_zone, "country": network.country}
    )
    if request.method == "POST" and form.is_valid():
        library = run_service(form, services.library_create, by=request.user, network=network, **form.cleaned_data)
        if library is not None:
            messages.success(request, _("The library is added. Now give its working hours."))
            return redirect("registry:library_edit", pk=library.pk)
    return render(request, "core/form.html", {"form": form, "title": _("New library")})


@login_required
def library_edit(request: HttpRequest, pk: int) -> HttpResponse:
    library = get_visible_or_404(libraries_visible_to(request.user), pk=pk)
    if not request.user.has_perm("registry.change_library", library):
        raise PermissionDenied
    form = LibraryForm(request.POST or None, instance=library, network=library.network, prefix="library")
    hours = HoursForm(request.POST or None, initial_hours=_initial_hours(library), prefix="hours")
    if request.method == "POST" and form.is_valid() and hours.is_valid():
        saved = run_service(form, services.library_update, by=request.user, library=library, **form.cleaned_data)
        if saved is not None and _save_hours(request, hours, library):
            messages.success(request, _("Changes saved."))
            return redirect("registry:library", pk=library.pk)
    return render(request, "core/form.html", {"form": form, "hours": hours, "title": str(library)})


@login_required
def department_detail(request: HttpRequest, pk: int) -> HttpResponse:
    department = get_visible_or_404(departments_visible_to(request.user), pk=pk)
    own_hours = list(hours_of(department))
    return render(
        request,
        "registry/department_detail.html",
        {
            "department": department,
            "hours": own_hours or list(hours_of(department.library)),
            "hours_inherited": not own_hours,
            "pages": department.pages.all(),
            "head": department_head(department),
            "can_change": request.user.has_perm("registry.change_library", department.library),
            **_history(department),
        },
    )


@login_required
def department_create(request: HttpRequest, pk: int) -> HttpResponse:
    library = get_visible_or_404(libraries_visible_to(request.user), pk=pk)
    if not request.user.has_perm("registry.change_library", library):
        raise PermissionDenied
    form = DepartmentForm(request.POST or None, network=library.network)
    if request.method == "POST" and form.is_valid():
        department = run_service(
            form, services.department_create, by=request.user, library=library, **form.cleaned_data
        )
        if department is not None:
            messages.success(request, _("The department is added."))
            return redirect("registry:department", pk=department.pk)
    return render(
        request, "core/form.html", {"form": form, "title": _("New department of %(library)s") % {"library": library}}
    )


@login_required
def department_edit(request: HttpRequest, pk: int) -> HttpResponse:
    department = get_visible_or_404(departments_visible_to(request.user), pk=pk)
    if not request.user.has_perm("registry.change_library", department.library):
        raise PermissionDenied
    form = DepartmentForm(
        request.POST or None, instance=department, network=department.library.network, prefix="department"
    )
    hours = HoursForm(request.POST or None, initial_hours=_initial_hours(department), prefix="hours")
    if request.method == "POST" and form.is_valid() and hours.is_valid():
        saved = run_service(
            form, services.department_update, by=request.user, department=department, **form.cleaned_data
        )
        if saved is not None and _save_hours(request, hours, department):
            messages.success(request, _("Changes saved."))
            return redirect("registry:department", pk=department.pk)
    return render(
        request,
        "core/form.html",
        {
            "form": form,
            "hours": hours,
            "title": str(department),
            "hours_help": _("Leave every day empty to keep the library's hours."),
        },
    )
