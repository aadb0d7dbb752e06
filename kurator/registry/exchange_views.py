"""Export and import of the page registry as XLSX (003 Appendix 1): thin views over registry.exchange.

The import is two steps: upload → preview → confirm. Between them the file waits under
DATA_DIR/uploads with a random name known only to the person's session; confirming re-reads it."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from kurator.core.errors import require
from kurator.core.uploads import PendingUpload
from kurator.registry.exchange import (
    COLUMNS,
    MAX_ROWS,
    XLSX_CONTENT_TYPE,
    ImportPreview,
    registry_import_apply,
    registry_import_preview,
    registry_workbook,
)
from kurator.registry.forms_exchange import RegistryConfirmForm, RegistryUploadForm
from kurator.registry.models import Network

PENDING = PendingUpload(prefix="registry", suffix=".xlsx", session_key="registry_import_upload")


def _network(request: HttpRequest) -> Network:
    network = getattr(request, "network", None)
    if network is None:
        raise Http404
    return network


@login_required
@require_safe
def registry_export(request: HttpRequest) -> HttpResponse:
    network = _network(request)
    data = registry_workbook(user=request.user, network=network)
    today = timezone.localdate(timezone=ZoneInfo(network.time_zone))
    response = HttpResponse(data, content_type=XLSX_CONTENT_TYPE)
    filename = f"registry-{network.slug}-{today:%Y-%m-%d}.xlsx"
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename) or ""
    return response


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def registry_import(request: HttpRequest) -> HttpResponse:
    network = _network(request)
    require(request.user, "registry.import_pages", network)
    if request.method != "POST":
        return _render(request, network)
    if "confirm" in request.POST:
        return _confirm(request, network)
    if "cancel" in request.POST:
        _discard_upload(request)
        return redirect("registry:import")
    return _upload(request, network)


def _upload(request: HttpRequest, network: Network) -> HttpResponse:
    form = RegistryUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render(request, network, form=form)
    data: bytes = form.cleaned_data["file"]
    try:
        preview = registry_import_preview(user=request.user, network=network, data=data)
    except ValidationError as exc:
        form.add_error("file", exc)
        return _render(request, network, form=form)
    _discard_upload(request)
    if preview.can_apply:
        _keep_upload(request, network, data)
    return _render(request, network, preview=preview, filename=str(getattr(request.FILES.get("file"), "name", "")))


def _confirm(request: HttpRequest, network: Network) -> HttpResponse:
    form = RegistryConfirmForm(request.POST)
    data = _kept_upload(request, network)
    if data is None or not form.is_valid():
        messages.error(request, _("The uploaded file is no longer available: upload it again."))
        return redirect("registry:import")
    try:
        preview = registry_import_preview(user=request.user, network=network, data=data)
    except ValidationError as exc:
        _discard_upload(request)
        for message in exc.messages:
            messages.error(request, message)
        return redirect("registry:import")
    if preview.fingerprint != form.cleaned_data["fingerprint"]:
        messages.warning(
            request,
            _("The registry or the file changed since the preview was shown. Check the preview again and confirm."),
        )
        return _render(request, network, preview=preview)
    result = registry_import_apply(user=request.user, network=network, preview=preview)
    if not result.ok:
        if result.preview is None or not result.preview.can_apply:
            _discard_upload(request)
        return _render(request, network, preview=result.preview or preview, apply_errors=result.errors)
    _discard_upload(request)
    messages.success(request, _("The registry is imported: %(summary)s.") % {"summary": result.summary})
    return redirect("registry:pages")


def _render(
    request: HttpRequest,
    network: Network,
    *,
    form: RegistryUploadForm | None = None,
    preview: ImportPreview | None = None,
    filename: str = "",
    apply_errors: list[str] | None = None,
) -> HttpResponse:
    context = {
        "network": network,
        "form": form or RegistryUploadForm(),
        "preview": preview,
        "filename": filename,
        "apply_errors": apply_errors or [],
        "confirm_form": RegistryConfirmForm(initial={"fingerprint": preview.fingerprint}) if preview else None,
        "columns": [str(c.label) for c in COLUMNS],
        "max_rows": MAX_ROWS,
    }
    return render(request, "registry/import.html", context, status=400 if form is not None and form.errors else 200)


# The uploaded file between the steps ----------------------------------------------------------


def _keep_upload(request: HttpRequest, network: Network, data: bytes) -> None:
    PENDING.keep(request, network.pk, data)


def _kept_upload(request: HttpRequest, network: Network) -> bytes | None:
    return PENDING.kept(request, network.pk)


def _discard_upload(request: HttpRequest) -> None:
    PENDING.discard(request)
