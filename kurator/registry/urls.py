from django.urls import path

from kurator.registry import exchange_views, views

app_name = "registry"
urlpatterns = [
    path("", views.pages_list, name="pages"),
    path("pages/new/", views.page_create, name="page_create"),
    path("pages/<int:pk>/", views.page_detail, name="page"),
    path("pages/<int:pk>/edit/", views.page_edit, name="page_edit"),
    path("pages/<int:pk>/connection/", views.page_connection, name="page_connection"),
    path("pages/<int:pk>/connection/remove/", views.page_connection_remove, name="page_connection_remove"),
    path("export.xlsx", exchange_views.registry_export, name="export"),
    path("import/", exchange_views.registry_import, name="import"),
    path("libraries/", views.libraries_list, name="libraries"),
    path("libraries/new/", views.library_create, name="library_create"),
    path("libraries/<int:pk>/", views.library_detail, name="library"),
    path("libraries/<int:pk>/edit/", views.library_edit, name="library_edit"),
    path("libraries/<int:pk>/departments/new/", views.department_create, name="department_create"),
    path("departments/<int:pk>/", views.department_detail, name="department"),
    path("departments/<int:pk>/edit/", views.department_edit, name="department_edit"),
]
