from django.urls import path

from kurator.core import calendar_views, views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("health", views.health, name="health"),
    path("network/switch/", views.switch_network, name="switch_network"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read/", views.notifications_read, name="notifications_read"),
    path("language/", views.set_language, name="set_language"),
    path("calendar/", calendar_views.calendar_overrides, name="calendar"),
    path("calendar/<int:pk>/delete/", calendar_views.calendar_override_delete, name="calendar_delete"),
]
