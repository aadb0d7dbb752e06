"""The working calendar: the production calendar of the network's country and the administration's
overrides of it (R-REV-1). Anyone in the network may read it; only the administration changes it."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kurator.core import calendar_services
from kurator.core.choices import Country
from kurator.core.forms import CalendarOverrideForm
from kurator.core.models import CalendarOverride
from kurator.core.workdays import production_calendar

FIRST_YEAR, LAST_YEAR = 2000, 2100


def _may_manage(request: HttpRequest) -> bool:
    network = getattr(request, "network", None)
    return network is not None and request.user.has_perm("registry.manage_calendar", network)


def _chosen_year(request: HttpRequest) -> int:
    network = getattr(request, "network", None)
    # On New Year's Eve "this year" is the network's, not the server's.
    zone = ZoneInfo(network.time_zone) if network is not None else None
    this_year = timezone.localdate(timezone=zone).year
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return this_year
    return year if FIRST_YEAR <= year <= LAST_YEAR else this_year


def _chosen_country(request: HttpRequest) -> str:
    asked = request.GET.get("country", "")
    if asked in Country.values:
        return asked
    network = getattr(request, "network", None)
    return str(network.country) if network is not None else Country.RUSSIA.value


def _url(year: int, country: str) -> str:
    return f"{reverse('core:calendar')}?year={year}&country={country}"


@login_required
@require_http_methods(["GET", "POST"])
def calendar_overrides(request: HttpRequest) -> HttpResponse:
    network = getattr(request, "network", None)
    network_id = network.pk if network is not None else None
    may_manage = _may_manage(request)
    year, country = _chosen_year(request), _chosen_country(request)
    form = CalendarOverrideForm(network_id=network_id, initial={"country": country})
    if request.method == "POST":
        if not may_manage:
            raise PermissionDenied
        form = CalendarOverrideForm(request.POST, network_id=network_id)
        if form.is_valid():
            data = form.cleaned_data
            try:
                override = calendar_services.calendar_override_add(
                    by=request.user,
                    network_id=network_id,
                    country=data["country"],
                    date=data["date"],
                    kind=data["kind"],
                    shortened_by_minutes=data["shortened_by_minutes"],
                    note=data["note"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("The override of %(day)s is saved.") % {"day": override})
                return redirect(_url(override.date.year, override.country))
    overrides = _overrides_of(network_id).filter(date__year=year).order_by("date", "country", "network_id")
    days = production_calendar(country, year, language=get_language())
    return render(
        request,
        "core/calendar.html",
        {
            "form": form,
            "may_manage": may_manage,
            "is_operator": request.user.is_superuser,
            "overrides": overrides,
            "year": year,
            "country": country,
            "country_label": Country(country).label,
            "countries": Country.choices,
            "days_off": [d for d in days if not d.working],
            "working_weekends": [d for d in days if d.working],
            "previous_url": _url(year - 1, country),
            "next_url": _url(year + 1, country),
        },
        status=400 if request.method == "POST" else 200,
    )


def _overrides_of(network_id: int | None) -> QuerySet[CalendarOverride]:
    """What applies to a network: its own rows and the installation-wide ones."""
    whose = Q(network_id__isnull=True)
    if network_id is not None:
        whose |= Q(network_id=network_id)
    return CalendarOverride.objects.filter(whose)


def _visible_overrides(request: HttpRequest) -> QuerySet[CalendarOverride]:
    if request.user.is_superuser:
        return CalendarOverride.objects.all()
    network = getattr(request, "network", None)
    return _overrides_of(network.pk if network is not None else None)


def _may_delete(request: HttpRequest, override: CalendarOverride) -> bool:
    if request.user.is_superuser:
        return True
    network = getattr(request, "network", None)
    # An installation-wide row is shown to the network but is the operator's to remove.
    return network is not None and override.network_id == network.pk and _may_manage(request)


@login_required
@require_POST
def calendar_override_delete(request: HttpRequest, pk: int) -> HttpResponse:
    # Another network's row is "not found", never "forbidden": it must not even show that it exists.
    override = get_object_or_404(_visible_overrides(request), pk=pk)
    if not _may_delete(request, override):
        raise PermissionDenied
    year, country, described = override.date.year, override.country, str(override)
    calendar_services.calendar_override_delete(by=request.user, override=override)
    messages.success(request, _("The override of %(day)s is deleted.") % {"day": described})
    return redirect(_url(year, country))
