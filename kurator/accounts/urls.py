from django.urls import path

from kurator.accounts import telegram_views, token_views, views

app_name = "accounts"
urlpatterns = [
    path("", views.people_list, name="people"),
    path("new/", views.person_create, name="person_create"),
    path("<int:pk>/", views.person_detail, name="person"),
    path("<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("<int:pk>/roles/new/", views.role_assign, name="role_assign"),
    path("roles/<int:pk>/end/", views.role_end, name="role_end"),
    path("<int:pk>/absences/new/", views.absence_create, name="absence_create"),
    path("absences/", views.absences_list, name="absences"),
    path("absences/<int:pk>/cancel/", views.absence_cancel, name="absence_cancel"),
    path("<int:pk>/internships/new/", views.internship_create, name="internship_create"),
    path("internships/<int:pk>/complete/", views.internship_complete, name="internship_complete"),
    path("me/tokens/", token_views.api_tokens, name="api_tokens"),
    path("me/tokens/<int:pk>/revoke/", token_views.api_token_revoke, name="api_token_revoke"),
    path("me/telegram/", telegram_views.telegram_settings, name="telegram"),
    path("me/telegram/unlink/", telegram_views.telegram_unlink, name="telegram_unlink"),
    path("responsible/", views.responsibility, name="responsibility"),
]
