from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from kurator.api import api

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("people/", include("kurator.accounts.urls")),
    path("plan/", include("kurator.planning.urls")),
    path("publishing/", include("kurator.publishing.urls")),
    path("registry/", include("kurator.registry.urls")),
    path("sandbox/", include("kurator.sandbox.urls")),
    path("", include("kurator.core.urls")),
]
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
