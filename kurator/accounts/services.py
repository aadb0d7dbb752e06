"""Writes about people: appointments (R-ORG-4, R-ORG-7), internships, absences with substitutes
(R-ORG-5). Each checks permission, validates, changes state, records an audit event and notifies."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kurator.accounts.access import access_of, active_assignments_q, forget_access
from kurator.accounts.choices import ROLE_SCOPES, Role, Scope
from kurator.accounts.models import Absence, Internship, RoleAssignment, User
from kurator.core.errors import PermissionDenied, ValidationError, require
from kurator.core.services import audit_record, notify
from kurator.registry.models import Department, Library, Network, Page

MIN_MONTHS_OF_SERVICE_FOR_COORDINATOR = 6  # 003 § 5.5: "стаж работы не менее полугода"

PERSON_FIELDS = (
    "email",
    "full_name",
    "position",
    "phone",
    "library",
    "department",
    "employed_since",
    "language",
    "is_active",
)


def _d(day: date) -> str:
    return date_format(day, "SHORT_DATE_FORMAT")


# People ---------------------------------------------------------------------------------------


def _check_workplace(network: Network, library: Library | None, department: Department | None) -> None:
    if library is not None and library.network_id != network.pk:
        raise ValidationError({"library": _("The library belongs to another network.")})
    if department is not None and (library is None or department.library_id != library.pk):
        raise ValidationError({"department": _("The department must belong to the chosen library.")})


@transaction.atomic
def person_create(
    *, by: Any, network: Network, email: str, full_name: str, password: str | None = None, **fields: Any
) -> User:
    require(by, "accounts.add_person", network)
    access = access_of(by)
    library = fields.get("library")
    if not access.administers(network.pk) and (library is None or not access.heads_library(library.pk)):
        raise PermissionDenied  # a head adds people to their own library only
    _check_workplace(network, library, fields.get("department"))
    email = User.objects.normalize_email(email).lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": _("A person with this e-mail already exists.")})
    person = User(
        network=network, email=email, full_name=full_name, **{k: v for k, v in fields.items() if k in PERSON_FIELDS}
    )
    person.set_password(password) if password else person.set_unusable_password()
    person.full_clean(exclude=["password"])
    person.save()
    audit_record(
        actor=by,
        verb="person.created",
        summary=_("%(name)s added") % {"name": person.full_name},
        target=person,
        network_id=network.pk,
    )
    return person


@transaction.atomic
def person_update(*, by: Any, person: User, **fields: Any) -> User:
    require(by, "accounts.change_person", person)
    for key, value in fields.items():
        if key in PERSON_FIELDS:
            setattr(person, key, value)
    if person.network is not None:
        _check_workplace(person.network, person.library, person.department)
    person.full_clean(exclude=["password"])
    person.save()
    audit_record(
        actor=by,
        verb="person.changed",
        summary=_("%(name)s changed") % {"name": person.full_name},
        target=person,
        network_id=person.network_id,
    )
    return person


def person_set_language(*, person: User, language: str) -> None:
    """Anyone may choose their own interface language."""
    person.language = language
    person.save(update_fields=["language"])


# Roles ----------------------------------------------------------------------------------------


def _scope_of(library: Library | None, department: Department | None, page: Page | None) -> str:
    if page is not None:
        return Scope.PAGE
    if department is not None:
        return Scope.DEPARTMENT
    if library is not None:
        return Scope.LIBRARY
    return Scope.NETWORK


def _library_of(library: Library | None, department: Department | None, page: Page | None) -> Library | None:
    if page is not None:
        return page.library
    if department is not None:
        return department.library
    return library


def can_assign_role(
    by: Any,
    role: str,
    network: Network,
    library: Library | None = None,
    department: Department | None = None,
    page: Page | None = None,
) -> bool:
    """The administration appoints anyone; ownership is transferred only at its request (R-ORG-4);
    a library head appoints coordinators and administrators of their library's pages (003 § 5.5);
    the curator brings designers, working-group members and outreach officers in."""
    access = access_of(by)
    if access.administers(network.pk):
        return True
    if role in (Role.ADMINISTRATION, Role.CURATOR, Role.PAGE_OWNER):
        return False
    unit_library = _library_of(library, department, page)
    if unit_library is not None and access.heads_library(unit_library.pk) and role != Role.DESIGNER:
        return True
    return access.curates(network.pk) and role in (Role.DESIGNER, Role.WORKGROUP_MEMBER, Role.OUTREACH)


def coordinator_appointment_problems(person: User, network: Network, on: date) -> list[str]:
    """Why a person may not (yet) become a coordinator (R-ORG-7, 003 § 5.5); empty when they may."""
    problems = []
    months = person.months_of_service(on)
    if months is None:
        problems.append(_("The date the person started working at the library is not recorded."))
    elif months < MIN_MONTHS_OF_SERVICE_FOR_COORDINATOR:
        problems.append(
            _("A coordinator needs at least 6 months of service; %(name)s has %(months)s.")
            % {"name": person.full_name, "months": months}
        )
    if not Internship.objects.filter(
        person=person, network=network, completed_on__isnull=False, completed_on__lte=on
    ).exists():
        problems.append(_("A coordinator must first complete an internship with the curator (003 § 5.5)."))
    return problems


@transaction.atomic
def role_assign(
    *,
    by: Any,
    person: User,
    role: str,
    network: Network,
    library: Library | None = None,
    department: Department | None = None,
    page: Page | None = None,
    starts_on: date | None = None,
    ends_on: date | None = None,
    replace_current: bool = False,
) -> RoleAssignment:
    require(by, "accounts.assign_roles", network)
    if role not in Role.values:
        raise ValidationError({"role": _("Unknown role.")})
    if not can_assign_role(by, role, network, library, department, page):
        raise PermissionDenied
    if sum(place is not None for place in (page, department)) > 1 or (page is not None and library is not None):
        raise ValidationError(_("Choose one place for the role: a page, a department, a library or the whole network."))
    starts_on = starts_on or timezone.localdate()
    scope = _scope_of(library, department, page)
    if scope not in ROLE_SCOPES[role]:
        raise ValidationError(
            _("The role “%(role)s” is assigned on: %(scopes)s.")
            % {"role": Role(role).label, "scopes": ", ".join(str(Scope(s).label) for s in ROLE_SCOPES[role])}
        )
    for obj in (library, page):
        if obj is not None and obj.network_id != network.pk:
            raise ValidationError(_("The chosen place belongs to another network."))
    if department is not None and department.library.network_id != network.pk:
        raise ValidationError(_("The chosen place belongs to another network."))
    if person.network_id != network.pk:
        raise ValidationError(_("Only people of this network can hold its roles."))
    if ends_on is not None and ends_on < starts_on:
        raise ValidationError(_("The role cannot end before it starts."))
    if role == Role.COORDINATOR:
        problems = coordinator_appointment_problems(person, network, starts_on)
        if problems:
            raise ValidationError(problems)
    current = RoleAssignment.objects.filter(
        active_assignments_q(starts_on),
        role=role,
        network=network,
        library=library if scope == Scope.LIBRARY else None,
        department=department,
        page=page,
    )
    if current.filter(person=person).exists():
        raise ValidationError(_("%(name)s already holds this role here.") % {"name": person.full_name})
    if role in (Role.COORDINATOR, Role.CURATOR) and current.exists():
        holder = current.select_related("person").first()
        assert holder is not None
        if not replace_current:
            raise ValidationError(
                _("%(place)s already has a %(role)s: %(name)s. End that appointment first.")
                % {"place": holder.scope_label, "role": str(Role(role).label).lower(), "name": holder.person.full_name}
            )
        _end(holder, starts_on - timedelta(days=1), by)
    assignment = RoleAssignment.objects.create(
        person=person,
        role=role,
        scope=scope,
        network=network,
        library=library if scope == Scope.LIBRARY else None,
        department=department,
        page=page,
        starts_on=starts_on,
        ends_on=ends_on,
        appointed_by=by,
    )
    forget_access(person)
    summary = _("%(name)s appointed: %(role)s — %(place)s") % {
        "name": person.full_name,
        "role": Role(role).label,
        "place": assignment.scope_label,
    }
    audit_record(
        actor=by,
        verb="role.assigned",
        summary=summary,
        target=person,
        network_id=network.pk,
        data={"role": role, "assignment": assignment.pk},
    )
    notify(
        recipients=[person],
        message=summary,
        url=reverse("accounts:person", args=[person.pk]),
        email_subject=_("Your role in Kurator"),
    )
    return assignment


def _end(assignment: RoleAssignment, on: date, by: Any) -> None:
    assignment.ends_on = max(on, assignment.starts_on)
    assignment.save(update_fields=["ends_on"])
    audit_record(
        actor=by,
        verb="role.ended",
        summary=_("%(name)s: the role “%(role)s” — %(place)s ended on %(date)s")
        % {
            "name": assignment.person.full_name,
            "role": assignment.get_role_display(),
            "place": assignment.scope_label,
            "date": _d(assignment.ends_on),
        },
        target=assignment.person,
        network_id=assignment.network_id,
    )


@transaction.atomic
def role_end(*, by: Any, assignment: RoleAssignment, on: date | None = None) -> RoleAssignment:
    if not can_assign_role(
        by, assignment.role, assignment.network, assignment.library, assignment.department, assignment.page
    ):
        raise PermissionDenied
    on = on or timezone.localdate()
    if assignment.ends_on is not None and assignment.ends_on <= on:
        raise ValidationError(_("This role has already ended."))
    _end(assignment, on, by)
    return assignment


# Internships ----------------------------------------------------------------------------------


@transaction.atomic
def internship_start(
    *, by: Any, person: User, started_on: date, mentor: User | None = None, notes: str = ""
) -> Internship:
    network = person.network
    require(by, "accounts.manage_internships", network)
    assert network is not None
    if Internship.objects.filter(person=person, network=network, completed_on__isnull=True).exists():
        raise ValidationError(_("%(name)s already has an internship in progress.") % {"name": person.full_name})
    internship = Internship.objects.create(
        person=person, network=network, mentor=mentor or by, started_on=started_on, notes=notes
    )
    audit_record(
        actor=by,
        verb="internship.started",
        summary=_("Internship of %(name)s started") % {"name": person.full_name},
        target=person,
        network_id=network.pk,
    )
    return internship


@transaction.atomic
def internship_complete(*, by: Any, internship: Internship, completed_on: date, notes: str = "") -> Internship:
    require(by, "accounts.manage_internships", internship.network)
    if internship.completed_on is not None:
        raise ValidationError(_("This internship is already completed."))
    if completed_on < internship.started_on:
        raise ValidationError(_("An internship cannot end before it starts."))
    internship.completed_on = completed_on
    if notes:
        internship.notes = (internship.notes + "\n" + notes).strip()
    internship.save()
    audit_record(
        actor=by,
        verb="internship.completed",
        summary=_("Internship of %(name)s completed") % {"name": internship.person.full_name},
        target=internship.person,
        network_id=internship.network_id,
    )
    notify(
        recipients=[internship.person],
        message=_("Your internship with the curator is recorded as completed."),
        url=reverse("accounts:person", args=[internship.person_id]),
    )
    return internship


# Absences -------------------------------------------------------------------------------------


def _overlapping(person: User, starts_on: date, ends_on: date) -> Absence | None:
    return Absence.objects.filter(person=person, starts_on__lte=ends_on, ends_on__gte=starts_on).first()


def people_concerned_by_absence(person: User, starts_on: date, ends_on: date) -> set[User]:
    """Everyone 003 § 5.15 wants told: the pages' teams, the curator, the administration and the head."""
    from kurator.accounts.responsibility import people_holding

    roles = RoleAssignment.objects.filter(person=person, starts_on__lte=ends_on).exclude(ends_on__lt=starts_on)
    page_ids = list(roles.filter(page__isnull=False).values_list("page_id", flat=True))
    concerned: set[User] = set()
    if page_ids:
        concerned |= set(
            User.objects.filter(roles__page_id__in=page_ids, roles__ends_on__isnull=True)
            .exclude(pk=person.pk)
            .distinct()
        )
    if person.network is not None:
        concerned |= set(people_holding(person.network, (Role.CURATOR, Role.ADMINISTRATION), starts_on))
    for unit in (person.library, person.department):
        if unit is not None and unit.head is not None:
            concerned.add(unit.head)
    concerned.discard(person)
    return concerned


@transaction.atomic
def absence_record(
    *,
    by: Any,
    person: User,
    starts_on: date,
    ends_on: date,
    substitute: User | None = None,
    kind: str = "vacation",
    note: str = "",
) -> Absence:
    """R-ORG-5: record an absence, name who substitutes, and tell everyone concerned."""
    require(by, "accounts.record_absence", person)
    if ends_on < starts_on:
        raise ValidationError({"ends_on": _("The absence cannot end before it starts.")})
    clash = _overlapping(person, starts_on, ends_on)
    if clash is not None:
        raise ValidationError(
            _("%(name)s is already recorded as absent from %(start)s to %(end)s; the dates overlap.")
            % {"name": person.full_name, "start": _d(clash.starts_on), "end": _d(clash.ends_on)}
        )
    holds_key_role = (
        RoleAssignment.objects.filter(person=person, role__in=(Role.CURATOR, Role.COORDINATOR), starts_on__lte=ends_on)
        .exclude(ends_on__lt=starts_on)
        .exists()
    )
    if substitute is None and holds_key_role:
        raise ValidationError(
            {
                "substitute": _(
                    "A curator or coordinator must be substituted while absent (003 § 5.15): choose a substitute."
                )
            }
        )
    if substitute is not None:
        if substitute.pk == person.pk:
            raise ValidationError({"substitute": _("A person cannot substitute for themselves.")})
        if substitute.network_id != person.network_id:
            raise ValidationError({"substitute": _("The substitute must work in the same library network.")})
        busy = _overlapping(substitute, starts_on, ends_on)
        if busy is not None:
            raise ValidationError(
                {
                    "substitute": _("%(name)s is absent themselves from %(start)s to %(end)s.")
                    % {"name": substitute.full_name, "start": _d(busy.starts_on), "end": _d(busy.ends_on)}
                }
            )
    assert person.network is not None
    absence = Absence.objects.create(
        person=person,
        network=person.network,
        kind=kind,
        starts_on=starts_on,
        ends_on=ends_on,
        substitute=substitute,
        note=note,
        created_by=by,
    )
    if substitute is not None:
        message = _("%(name)s is absent (%(kind)s) from %(start)s to %(end)s; %(substitute)s substitutes.") % {
            "name": person.full_name,
            "kind": absence.get_kind_display().lower(),
            "start": _d(starts_on),
            "end": _d(ends_on),
            "substitute": substitute.full_name,
        }
    else:
        message = _("%(name)s is absent (%(kind)s) from %(start)s to %(end)s.") % {
            "name": person.full_name,
            "kind": absence.get_kind_display().lower(),
            "start": _d(starts_on),
            "end": _d(ends_on),
        }
    audit_record(actor=by, verb="absence.recorded", summary=message, target=person, network_id=person.network_id)
    recipients = people_concerned_by_absence(person, starts_on, ends_on) | {person}
    if substitute is not None:
        recipients.add(substitute)
    notify(
        recipients=recipients,
        message=message,
        url=reverse("accounts:absences"),
        email_subject=_("Change in page administration"),
    )
    return absence


@transaction.atomic
def absence_cancel(*, by: Any, absence: Absence) -> None:
    require(by, "accounts.record_absence", absence.person)
    message = _("The absence of %(name)s from %(start)s to %(end)s is cancelled.") % {
        "name": absence.person.full_name,
        "start": _d(absence.starts_on),
        "end": _d(absence.ends_on),
    }
    audit_record(
        actor=by, verb="absence.cancelled", summary=message, target=absence.person, network_id=absence.network_id
    )
    recipients = people_concerned_by_absence(absence.person, absence.starts_on, absence.ends_on) | {absence.person}
    if absence.substitute is not None:
        recipients.add(absence.substitute)
    notify(
        recipients=recipients,
        message=message,
        url=reverse("accounts:absences"),
        email_subject=_("Change in page administration"),
    )
    absence.delete()
