"""The JSON API under /api/v1 (django-ninja); each app adds its router in its own api.py."""

from django.utils.translation import gettext_lazy as _
from ninja import NinjaAPI

api = NinjaAPI(
    title="Kurator API",
    version="1",
    description=str(_("Registry and people of a library network. Authenticate with a personal API token.")),
    urls_namespace="api",
    docs_url="/docs",
)
