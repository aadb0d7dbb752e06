"""Memorable dates (R-PLAN-5): the list with the coming round anniversaries, the import (upload →
preview → confirm, nothing half-imported) and "make a draft" from a date. Thin over
kurator.planning.dates and kurator.planning.calendar.

Between the preview and the confirmation the file waits under DATA_DIR/uploads with a random name
known only to the person's session, as the registry import does."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from kurator.core.uploads import PendingUpload
from kurator.planning.calendar import draft_from_date, plannable_pages, post_url
from kurator.planning.dates import (
    MAX_FILE_BYTES,
    MAX_ROWS,
    DatesPreview,
    can_import_dates,
    dates_by_month,
    dates_import_apply,
    dates_import_preview,
    memorable_dates_visible_to,
    round_anniversaries,
    upcoming_window,
)
from kurator.registry.models import Network
from kurator.registry.selectors import get_visible_or_404

PENDING = PendingUpload(prefix="dates", suffix=".bin", session_key="dates_import_upload")


class DatesUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File of dates (CSV, XLSX or iCalendar)"),
        help_text=gettext_lazy(
            "A table with the columns “date” and “title”, and if you like “description”, “source” and “year” "
            "(dates as 27.05 or 27.05.1995), or an .ics calendar. At most 2 MB and 2000 rows."
        ),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".csv,.xlsx,.ics,text/csv,text/calendar", "class": "form-control"}
        ),
    )

    def clean_file(self) -> bytes:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(size)s MB."), params={"size": MAX_FILE_BYTES // 2**20}
            )
        return upload.read()


class DatesConfirmForm(forms.Form):
    fingerprint = forms.CharField(widget=forms.HiddenInput, max_length=64)


def _network(request: HttpRequest) -> Network:
    network = getattr(request, "network", None)
    if network is None:
        raise Http404(_("You have no library network."))
    return network


def _today(network: Network) -> date:
    return timezone.localdate(timezone=ZoneInfo(network.time_zone))


@login_required
@require_safe
def dates_list(request: HttpRequest) -> HttpResponse:
    network = _network(request)
    dates = list(memorable_dates_visible_to(request.user, network))
    today = _today(network)
    first, last = _anniversary_period(request, today)
    context = {
        "network": network,
        "months": [(MONTHS[month], month, in_month) for month, in_month in dates_by_month(dates, today.year)],
        "anniversaries": round_anniversaries(dates, first, last),
        "window_first": first,
        "window_last": last,
        "can_import": can_import_dates(request.user, network),
        "can_draft": bool(plannable_pages(request.user, network)),
    }
    return render(request, "planning/dates.html", context)


def _anniversary_period(request: HttpRequest, today: date) -> tuple[date, date]:
    """?from=…&to=… chooses the period of round anniversaries (the coming year when not given);
    a period longer than ten years is cut to ten."""
    first, last = upcoming_window(today)
    try:
        first = date.fromisoformat(request.GET.get("from", "")) if request.GET.get("from") else first
        last = date.fromisoformat(request.GET.get("to", "")) if request.GET.get("to") else last
    except ValueError:
        first, last = upcoming_window(today)
    if last < first:
        first, last = last, first
    return first, min(last, first + timedelta(days=3653))


@login_required
@require_POST
def date_draft(request: HttpRequest, pk: int) -> HttpResponse:
    """R-PLAN-5: a date becomes a draft post in one step, on the person's first page they plan for."""
    memorable = get_visible_or_404(memorable_dates_visible_to(request.user), pk=pk)
    network = memorable.network or _network(request)
    try:
        post = draft_from_date(by=request.user, memorable=memorable, network=network)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("planning:dates")
    messages.success(request, _("A draft “%(title)s” is planned.") % {"title": post.title})
    url = post_url(post.pk)
    if url:
        return redirect(url)
    day = timezone.localdate(post.planned_at, timezone=ZoneInfo(network.time_zone))
    return redirect(f"{reverse('planning:calendar')}?view=week&start={day.isoformat()}")


# Import -----------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def dates_import(request: HttpRequest) -> HttpResponse:
    network = _network(request)
    if not can_import_dates(request.user, network):
        raise PermissionDenied
    if request.method != "POST":
        return _render(request, network)
    if "confirm" in request.POST:
        return _confirm(request, network)
    if "cancel" in request.POST:
        _discard_upload(request)
        return redirect("planning:dates_import")
    return _upload(request, network)


def _upload(request: HttpRequest, network: Network) -> HttpResponse:
    form = DatesUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render(request, network, form=form)
    data: bytes = form.cleaned_data["file"]
    try:
        preview = dates_import_preview(user=request.user, network=network, data=data, today=_today(network))
    except ValidationError as exc:
        form.add_error("file", exc)
        return _render(request, network, form=form)
    _discard_upload(request)
    if preview.can_apply:
        _keep_upload(request, network, data)
    return _render(request, network, preview=preview, filename=str(getattr(request.FILES.get("file"), "name", "")))


def _confirm(request: HttpRequest, network: Network) -> HttpResponse:
    form = DatesConfirmForm(request.POST)
    data = _kept_upload(request, network)
    if data is None or not form.is_valid():
        messages.error(request, _("The uploaded file is no longer available: upload it again."))
        return redirect("planning:dates_import")
    try:
        result = dates_import_apply(
            user=request.user,
            network=network,
            data=data,
            fingerprint=form.cleaned_data["fingerprint"],
            today=_today(network),
        )
    except ValidationError as exc:
        _discard_upload(request)
        for message in exc.messages:
            messages.error(request, message)
        return redirect("planning:dates_import")
    if not result.ok:
        if result.preview is None or not result.preview.can_apply:
            _discard_upload(request)
        return _render(request, network, preview=result.preview, apply_errors=result.errors)
    _discard_upload(request)
    messages.success(request, _("Memorable dates imported: %(count)s.") % {"count": result.created})
    return redirect("planning:dates")


def _render(
    request: HttpRequest,
    network: Network,
    *,
    form: DatesUploadForm | None = None,
    preview: DatesPreview | None = None,
    filename: str = "",
    apply_errors: list[str] | None = None,
) -> HttpResponse:
    context = {
        "network": network,
        "form": form or DatesUploadForm(),
        "preview": preview,
        "filename": filename,
        "apply_errors": apply_errors or [],
        "confirm_form": DatesConfirmForm(initial={"fingerprint": preview.fingerprint}) if preview else None,
        "max_rows": MAX_ROWS,
    }
    status = 400 if (form is not None and form.errors) or (preview is not None and preview.bad) else 200
    return render(request, "planning/dates_import.html", context, status=status)


# The uploaded file between the steps ----------------------------------------------------------


def _keep_upload(request: HttpRequest, network: Network, data: bytes) -> None:
    PENDING.keep(request, network.pk, data)


def _kept_upload(request: HttpRequest, network: Network) -> bytes | None:
    return PENDING.kept(request, network.pk)


def _discard_upload(request: HttpRequest) -> None:
    PENDING.discard(request)
