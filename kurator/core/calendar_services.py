"""Writes of the working calendar: the administration's overrides of the production calendar (R-REV-1).

Core knows no domain, so it cannot tell who administers a network: callers check
`registry.manage_calendar` on the network before calling. Installation-wide rows (no network) are
the operator's alone, and that much is checked here.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kurator.core.choices import Country, OverrideKind
from kurator.core.models import CalendarOverride
from kurator.core.services import audit_record


def _check_scope(by: Any, network_id: int | None) -> None:
    if network_id is None and not getattr(by, "is_superuser", False):
        raise PermissionDenied(_("Only the operator decides for the whole installation."))


def _describe(override: CalendarOverride) -> dict[str, object]:
    return {
        "date": date_format(override.date, "SHORT_DATE_FORMAT"),
        "country": override.get_country_display(),
        "kind": override.get_kind_display(),
    }


@transaction.atomic
def calendar_override_add(
    *,
    by: Any,
    network_id: int | None,
    country: str,
    date: date,
    kind: str,
    shortened_by_minutes: int = 60,
    note: str = "",
) -> CalendarOverride:
    _check_scope(by, network_id)
    if country not in Country.values:
        raise ValidationError(_("Kurator knows the production calendars of Russia and Belarus only."))
    if kind not in OverrideKind.values:
        raise ValidationError(_("Unknown kind of day."))
    if kind == OverrideKind.SHORTENED and not shortened_by_minutes:
        raise ValidationError(_("Say by how many minutes the day is shortened."))
    if CalendarOverride.objects.filter(network_id=network_id, country=country, date=date).exists():
        raise ValidationError(_("This day already has an override for this country; delete it first."))
    override = CalendarOverride(
        network_id=network_id,
        country=country,
        date=date,
        kind=kind,
        shortened_by_minutes=shortened_by_minutes,
        note=note,
    )
    try:
        # A second administrator saving the same day at the same moment meets the unique constraint.
        with transaction.atomic():
            override.save()
    except IntegrityError as error:
        raise ValidationError(_("This day already has an override for this country; delete it first.")) from error
    audit_record(
        actor=by,
        verb="calendar_override.added",
        target=override,
        network_id=network_id,
        summary=_("Working calendar: %(date)s (%(country)s) set as “%(kind)s”") % _describe(override),
        data={
            "country": country,
            "date": date.isoformat(),
            "kind": kind,
            "shortened_by_minutes": shortened_by_minutes,
            "note": note,
        },
    )
    return override


@transaction.atomic
def calendar_override_delete(*, by: Any, override: CalendarOverride) -> None:
    _check_scope(by, override.network_id)
    described = _describe(override)
    data: dict[str, object] = {
        "country": override.country,
        "date": override.date.isoformat(),
        "kind": override.kind,
        "note": override.note,
    }
    audit_record(
        actor=by,
        verb="calendar_override.deleted",
        target=override,
        network_id=override.network_id,
        summary=_("Working calendar: the override of %(date)s (%(country)s, “%(kind)s”) deleted") % described,
        data=data,
    )
    override.delete()
