"""The JSON API under /api/v1 (django-ninja); each app adds its router in its own api.py."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from ninja.renderers import JSONRenderer

from kurator.accounts.api import router as people_router
from kurator.accounts.api_auth import api_auth
from kurator.core.api_helpers import validation_error_detail
from kurator.planning.api import router as planning_router
from kurator.registry.api import router as registry_router
from kurator.sandbox.api import router as sandbox_router


class ReadableJSONRenderer(JSONRenderer):
    """UTF-8 JSON with Cyrillic as it is, not as \\u escapes: the names are Russian."""

    json_dumps_params = {"ensure_ascii": False}


api = NinjaAPI(
    title="Kurator API",
    version="1",
    description=str(gettext_lazy("Registry and people of a library network. Authenticate with a personal API token.")),
    urls_namespace="api",
    docs_url="/docs",
    auth=api_auth,
    renderer=ReadableJSONRenderer(),
)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = api.create_response(
        request,
        {"detail": _("Authentication required: send a personal API token as “Authorization: Bearer <token>”.")},
        status=401,
    )
    response["WWW-Authenticate"] = 'Bearer realm="kurator"'
    return response


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    # The same answer for "does not exist" and "not yours to see", so other networks' objects do not show.
    return api.create_response(request, {"detail": _("Not found.")}, status=404)


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    message = str(exc) or _("You may not do this.")
    return api.create_response(request, {"detail": message}, status=403)


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return api.create_response(request, {"detail": validation_error_detail(exc)}, status=422)


api.add_router("/registry", registry_router)
api.add_router("/people", people_router)
api.add_router("/planning", planning_router)
api.add_router("/sandbox", sandbox_router)
