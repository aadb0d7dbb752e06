from django.urls import path

from kurator.publishing import views

app_name = "publishing"
urlpatterns = [
    path("", views.board, name="board"),
    path("<int:pk>/", views.publication_detail, name="publication"),
    path("<int:pk>/confirm/", views.publication_confirm, name="confirm"),
    path("<int:pk>/send-now/", views.publication_send_now, name="send_now"),
    path("pages/<int:pk>/check-token/", views.connection_check, name="connection_check"),
]
