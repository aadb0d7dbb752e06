"""People screens: the staff list, a person's roles, absences and internships. Thin views."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kurator.accounts import services, telegram
from kurator.accounts.access import access_of
from kurator.accounts.choices import Role
from kurator.accounts.forms import AbsenceForm, InternshipCompleteForm, InternshipForm, PersonForm, RoleForm
from kurator.accounts.responsibility import page_teams
from kurator.accounts.selectors import absences_visible_to, internships_visible_to, people_visible_to, roles_visible_to
from kurator.core.formtools import run_service
from kurator.core.history import audit_events_of, history_of
from kurator.registry.models import Department, Library, Network
from kurator.registry.selectors import get_visible_or_404, libraries_visible_to, pages_visible_to


def _network(request: HttpRequest) -> Network:
    network = getattr(request, "network", None)
    if network is None:
        raise Http404(_("You have no library network."))
    return network


@login_required
def people_list(request: HttpRequest) -> HttpResponse:
    network = _network(request)
    today = timezone.localdate()
    people = people_visible_to(request.user, network).filter(is_active=True)
    role = request.GET.get("role", "")
    query = request.GET.get("q", "").strip()
    if role in Role.values:
        people = (
            people.filter(roles__role=role, roles__starts_on__lte=today).exclude(roles__ends_on__lt=today).distinct()
        )
    if query:
        people = people.filter(full_name__icontains=query)
    roles_by_person: dict[int, list[object]] = {}
    for assignment in (
        roles_visible_to(request.user, network)
        .filter(person__in=people, starts_on__lte=today)
        .exclude(ends_on__lt=today)
    ):
        roles_by_person.setdefault(assignment.person_id, []).append(assignment)
    absent = set(
        absences_visible_to(request.user, network)
        .filter(starts_on__lte=today, ends_on__gte=today)
        .values_list("person_id", flat=True)
    )
    headships: dict[int, list[str]] = {}
    for unit in [
        *Library.objects.filter(network=network, head__isnull=False),
        *Department.objects.filter(library__network=network, head__isnull=False).select_related("library"),
    ]:
        headships.setdefault(unit.head_id, []).append(str(unit))  # type: ignore[arg-type]
    rows = [(p, roles_by_person.get(p.pk, []), p.pk in absent, headships.get(p.pk, [])) for p in people]
    return render(
        request,
        "accounts/people.html",
        {
            "rows": rows,
            "roles": Role.choices,
            "filters": {"role": role, "q": query},
            "can_add": request.user.has_perm("accounts.add_person", network),
        },
    )


@login_required
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_visible_or_404(people_visible_to(request.user), pk=pk)
    today = timezone.localdate()
    network = person.network
    roles = roles_visible_to(request.user).filter(person=person).order_by("-starts_on")
    can_manage_internships = network is not None and request.user.has_perm("accounts.manage_internships", network)
    return render(
        request,
        "accounts/person_detail.html",
        {
            "person": person,
            "active_roles": [r for r in roles if r.is_active_on(today)],
            "past_roles": [r for r in roles if not r.is_active_on(today)],
            "absences": absences_visible_to(request.user).filter(person=person),
            "substitutions": absences_visible_to(request.user).filter(substitute=person, ends_on__gte=today),
            "internships": internships_visible_to(request.user).filter(person=person),
            "months_of_service": person.months_of_service(today),
            "can_change": request.user.has_perm("accounts.change_person", person),
            "can_assign": network is not None and request.user.has_perm("accounts.assign_roles", network),
            "can_record_absence": request.user.has_perm("accounts.record_absence", person),
            "can_manage_internships": can_manage_internships,
            "coordinator_problems": services.coordinator_appointment_problems(person, network, today)
            if network
            else [],
            "history": history_of(person),
            "audit_events": audit_events_of(person),
            # Whether and how Telegram reaches a person is theirs alone to see and change.
            "is_self": person.pk == request.user.pk,
            "telegram_enabled": telegram.enabled(),
        },
    )


@login_required
def person_create(request: HttpRequest) -> HttpResponse:
    network = _network(request)
    if not request.user.has_perm("accounts.add_person", network):
        raise PermissionDenied
    access = access_of(request.user)
    libraries = libraries_visible_to(request.user, network)
    if not access.administers(network.pk):
        libraries = libraries.filter(pk__in=access.headed_library_ids)
    form = PersonForm(request.POST or None, network=network, libraries=libraries)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        person = run_service(
            form,
            services.person_create,
            by=request.user,
            network=network,
            email=data.pop("email"),
            full_name=data.pop("full_name"),
            **data,
        )
        if person is not None:
            messages.success(
                request,
                _("%(name)s is added. They can set a password with “Forgot password?” on the login page.")
                % {"name": person.full_name},
            )
            return redirect("accounts:person", pk=person.pk)
    return render(request, "core/form.html", {"form": form, "title": _("New person")})


@login_required
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_visible_or_404(people_visible_to(request.user), pk=pk)
    if not request.user.has_perm("accounts.change_person", person):
        raise PermissionDenied
    network = person.network or _network(request)
    form = PersonForm(request.POST or None, instance=person, network=network)
    if request.method == "POST" and form.is_valid():
        saved = run_service(form, services.person_update, by=request.user, person=person, **form.cleaned_data)
        if saved is not None:
            messages.success(request, _("Changes saved."))
            return redirect("accounts:person", pk=person.pk)
    return render(request, "core/form.html", {"form": form, "title": person.full_name})


@login_required
def role_assign(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_visible_or_404(people_visible_to(request.user), pk=pk)
    network = person.network
    if network is None or not request.user.has_perm("accounts.assign_roles", network):
        raise PermissionDenied
    form = RoleForm(request.POST or None, network=network)
    form.fields["page"].queryset = pages_visible_to(request.user, network).filter(archived=False)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            assignment = run_service(
                form,
                services.role_assign,
                by=request.user,
                person=person,
                role=data["role"],
                network=network,
                library=data["library"] if not (data["department"] or data["page"]) else None,
                department=data["department"],
                page=data["page"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                replace_current=data["replace_current"],
            )
        except PermissionDenied:
            form.add_error(None, _("You may not assign this role here."))
            assignment = None
        if assignment is not None:
            messages.success(request, _("The role is assigned."))
            return redirect("accounts:person", pk=person.pk)
    return render(
        request, "core/form.html", {"form": form, "title": _("Assign a role to %(name)s") % {"name": person.full_name}}
    )


@login_required
@require_POST
def role_end(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = get_visible_or_404(roles_visible_to(request.user), pk=pk)
    try:
        services.role_end(by=request.user, assignment=assignment)
    except services.ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The role has ended."))
    return redirect("accounts:person", pk=assignment.person_id)


@login_required
def absence_create(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_visible_or_404(people_visible_to(request.user), pk=pk)
    if person.network is None or not request.user.has_perm("accounts.record_absence", person):
        raise PermissionDenied
    form = AbsenceForm(request.POST or None, network=person.network, person=person)
    if request.method == "POST" and form.is_valid():
        absence = run_service(form, services.absence_record, by=request.user, person=person, **form.cleaned_data)
        if absence is not None:
            messages.success(request, _("The absence is recorded and everyone concerned is notified."))
            return redirect("accounts:person", pk=person.pk)
    return render(
        request, "core/form.html", {"form": form, "title": _("Absence of %(name)s") % {"name": person.full_name}}
    )


@login_required
@require_POST
def absence_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    absence = get_visible_or_404(absences_visible_to(request.user), pk=pk)
    person_id = absence.person_id
    services.absence_cancel(by=request.user, absence=absence)
    messages.success(request, _("The absence is cancelled and everyone concerned is notified."))
    return redirect("accounts:person", pk=person_id)


@login_required
def absences_list(request: HttpRequest) -> HttpResponse:
    network = _network(request)
    today = timezone.localdate()
    absences = (
        absences_visible_to(request.user, network).filter(ends_on__gte=today - timedelta(days=30)).order_by("starts_on")
    )
    return render(request, "accounts/absences.html", {"absences": absences, "today": today})


@login_required
def internship_create(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_visible_or_404(people_visible_to(request.user), pk=pk)
    if person.network is None or not request.user.has_perm("accounts.manage_internships", person.network):
        raise PermissionDenied
    form = InternshipForm(request.POST or None, initial={"started_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        internship = run_service(form, services.internship_start, by=request.user, person=person, **form.cleaned_data)
        if internship is not None:
            messages.success(request, _("The internship is recorded."))
            return redirect("accounts:person", pk=person.pk)
    return render(
        request, "core/form.html", {"form": form, "title": _("Internship of %(name)s") % {"name": person.full_name}}
    )


@login_required
def internship_complete(request: HttpRequest, pk: int) -> HttpResponse:
    internship = get_visible_or_404(internships_visible_to(request.user), pk=pk)
    if not request.user.has_perm("accounts.manage_internships", internship.network):
        raise PermissionDenied
    form = InternshipCompleteForm(request.POST or None, initial={"completed_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        done = run_service(
            form, services.internship_complete, by=request.user, internship=internship, **form.cleaned_data
        )
        if done is not None:
            messages.success(request, _("The internship is completed."))
            return redirect("accounts:person", pk=internship.person_id)
    return render(
        request,
        "core/form.html",
        {"form": form, "title": _("Complete the internship of %(name)s") % {"name": internship.person.full_name}},
    )


@login_required
def responsibility(request: HttpRequest) -> HttpResponse:
    """Who is responsible for each visible page today, substitutes included."""
    network = _network(request)
    teams = page_teams(pages_visible_to(request.user, network).filter(archived=False))
    return render(request, "accounts/responsibility.html", {"teams": teams})
