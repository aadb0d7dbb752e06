"""Appointments (R-ORG-4, R-ORG-7) and absences with substitutes (R-ORG-5)."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from kurator.accounts.choices import Role
from kurator.accounts.models import Internship, RoleAssignment
from kurator.accounts.responsibility import page_team, responsible_for_page
from kurator.accounts.services import absence_record, role_assign
from kurator.core.models import Notification

TODAY = date(2026, 11, 25)


@pytest.fixture(autouse=True)
def _english():
    """These tests read the rules' messages in English; the Russian wording is checked on the screens."""
    with translation.override("en"):
        yield


def test_a_newcomer_cannot_become_coordinator_before_six_months_of_service(cast):
    north = cast["north"]
    newcomer = north["staff"]
    newcomer.employed_since = date(2026, 8, 1)
    newcomer.save()
    Internship.objects.create(
        person=newcomer, network=north.network, started_on=date(2026, 9, 1), completed_on=date(2026, 10, 1)
    )
    with pytest.raises(ValidationError) as error:
        role_assign(
            by=north["administration"],
            person=newcomer,
            role=Role.COORDINATOR,
            network=north.network,
            page=north.branch_page,
            starts_on=TODAY,
            replace_current=True,
        )
    assert "6 months" in " ".join(error.value.messages)
    assert not RoleAssignment.objects.filter(person=newcomer).exists()


def test_a_coordinator_needs_a_completed_internship_with_the_curator(cast):
    north = cast["north"]
    with pytest.raises(ValidationError) as error:
        role_assign(
            by=north["administration"],
            person=north["staff"],
            role=Role.COORDINATOR,
            network=north.network,
            page=north.branch_page,
            starts_on=TODAY,
            replace_current=True,
        )
    assert "internship" in " ".join(error.value.messages)


def test_the_library_head_appoints_a_coordinator_who_meets_the_rules_and_the_old_one_steps_down(cast):
    north = cast["north"]
    north.branch.head = north["member"]
    north.branch.save()
    staff = north["staff"]
    Internship.objects.create(
        person=staff, network=north.network, started_on=date(2026, 1, 10), completed_on=date(2026, 2, 10)
    )
    assignment = role_assign(
        by=north["member"],
        person=staff,
        role=Role.COORDINATOR,
        network=north.network,
        page=north.branch_page,
        starts_on=TODAY,
        replace_current=True,
    )
    assert assignment.page == north.branch_page
    old = RoleAssignment.objects.get(person=north["branch_coordinator"], role=Role.COORDINATOR)
    assert old.ends_on == date(2026, 11, 24)
    assert Notification.objects.filter(recipient=staff).exists()


def test_a_page_cannot_get_a_second_coordinator_silently(cast):
    north = cast["north"]
    staff = north["staff"]
    Internship.objects.create(
        person=staff, network=north.network, started_on=date(2026, 1, 10), completed_on=date(2026, 2, 10)
    )
    with pytest.raises(ValidationError) as error:
        role_assign(
            by=north["administration"],
            person=staff,
            role=Role.COORDINATOR,
            network=north.network,
            page=north.branch_page,
            starts_on=TODAY,
        )
    assert "Branch_Coordinator" in " ".join(error.value.messages)


def test_a_head_cannot_appoint_on_another_librarys_page(cast):
    north = cast["north"]
    with pytest.raises(PermissionDenied):
        role_assign(
            by=north["head"],
            person=north["staff"],
            role=Role.PAGE_ADMIN,
            network=north.network,
            page=north.branch_page,
            starts_on=TODAY,
        )


def test_page_ownership_changes_only_through_the_administration(cast):
    north = cast["north"]
    with pytest.raises(PermissionDenied):
        role_assign(
            by=north["curator"],
            person=north["coordinator"],
            role=Role.PAGE_OWNER,
            network=north.network,
            page=north.central_page,
            starts_on=TODAY,
        )
    role_assign(
        by=north["administration"],
        person=north["coordinator"],
        role=Role.PAGE_OWNER,
        network=north.network,
        page=north.central_page,
        starts_on=TODAY,
    )


def test_nobody_gets_a_role_in_another_network(cast):
    north, west = cast["north"], cast["west"]
    with pytest.raises(ValidationError):
        role_assign(
            by=north["administration"], person=west["staff"], role=Role.DESIGNER, network=north.network, starts_on=TODAY
        )


def test_overlapping_absences_are_refused_and_nothing_changes(cast):
    north = cast["north"]
    absence_record(
        by=north["head"], person=north["page_admin"], starts_on=date(2026, 12, 1), ends_on=date(2026, 12, 10)
    )
    with pytest.raises(ValidationError) as error:
        absence_record(
            by=north["head"], person=north["page_admin"], starts_on=date(2026, 12, 8), ends_on=date(2026, 12, 20)
        )
    assert "overlap" in " ".join(error.value.messages)
    assert north["page_admin"].absences.count() == 1


def test_an_absent_coordinator_must_have_a_substitute(cast):
    north = cast["north"]
    with pytest.raises(ValidationError) as error:
        absence_record(
            by=north["head"], person=north["coordinator"], starts_on=date(2026, 12, 1), ends_on=date(2026, 12, 10)
        )
    assert "substitute" in " ".join(error.value.messages)


def test_a_substitute_who_is_away_too_is_refused(cast):
    north = cast["north"]
    absence_record(by=north["head"], person=north["page_admin"], starts_on=date(2026, 12, 5), ends_on=date(2026, 12, 6))
    with pytest.raises(ValidationError):
        absence_record(
            by=north["head"],
            person=north["coordinator"],
            starts_on=date(2026, 12, 1),
            ends_on=date(2026, 12, 10),
            substitute=north["page_admin"],
        )


def test_work_on_a_page_goes_to_the_substitute_while_the_coordinator_is_away_and_everyone_is_told(cast):
    north = cast["north"]
    today = timezone.localdate()
    absence_record(
        by=north["head"],
        person=north["coordinator"],
        starts_on=today,
        ends_on=today,
        substitute=north["page_admin"],
        kind="sick_leave",
    )
    assert responsible_for_page(north.central_page) == north["page_admin"]
    team = page_team(north.central_page)
    assert team.coordinators[0].holder == north["coordinator"] and team.coordinators[0].is_substituted
    told = set(Notification.objects.values_list("recipient__email", flat=True))
    assert {
        "coordinator@north.test",
        "page_admin@north.test",
        "curator@north.test",
        "administration@north.test",
        "head@north.test",
    } <= told
    assert not any(email.endswith("@west.test") for email in told)


def test_a_substitute_gains_the_absent_persons_pages_only_for_the_dates(cast, client):
    from kurator.core.testing.cast import enable_totp

    north = cast["north"]
    today = timezone.localdate()
    staff = north["staff"]  # a branch librarian with no role of their own
    enable_totp(north["branch_coordinator"])
    absence_record(
        by=north["administration"],
        person=north["branch_coordinator"],
        starts_on=today,
        ends_on=today,
        substitute=north["member"],
    )
    from kurator.accounts.access import compute_access

    assert north.branch_page.pk in compute_access(north["member"]).page_ids
    assert north.branch_page.pk not in compute_access(staff).page_ids
    assert north.branch_page.pk not in compute_access(north["member"], day=date(2030, 1, 1)).page_ids


def test_a_role_is_held_in_one_place_only(cast):
    north = cast["north"]
    with pytest.raises(ValidationError):
        role_assign(
            by=north["administration"],
            person=north["staff"],
            role=Role.PAGE_ADMIN,
            network=north.network,
            page=north.branch_page,
            department=north.branch_dept,
            starts_on=TODAY,
        )


def test_a_cancelled_absence_gives_the_pages_back_and_everyone_is_told(cast):
    from kurator.accounts.services import absence_cancel

    north = cast["north"]
    today = timezone.localdate()
    absence = absence_record(
        by=north["head"], person=north["coordinator"], starts_on=today, ends_on=today, substitute=north["page_admin"]
    )
    Notification.objects.all().delete()
    absence_cancel(by=north["head"], absence=absence)
    assert responsible_for_page(north.central_page) == north["coordinator"]
    told = set(Notification.objects.values_list("recipient__email", flat=True))
    assert {"coordinator@north.test", "page_admin@north.test", "curator@north.test"} <= told
    assert north["coordinator"].absences.count() == 0
    assert north["coordinator"].absences.model.history.filter(history_type="-").exists()
