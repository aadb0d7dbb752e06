"""The sandbox's own addresses: the two network APIs (what adapters and client libraries call) and the
reader's pages (what a trainee sees). The API routes are listed for the access matrix as "network
protocol" routes: they authenticate by the networks' own tokens, not by Kurator logins."""

from django.urls import path

from kurator.sandbox import tg_api, views, vk_api

app_name = "sandbox"
urlpatterns = [
    path("vk/method/<str:method>", vk_api.method, name="vk_method"),
    path("vk/upload/<str:key>", vk_api.upload, name="vk_upload"),
    path("vk/longpoll/<int:group_id>", vk_api.longpoll, name="vk_longpoll"),
    path("telegram/bot<str:token>/<str:method>", tg_api.method, name="tg_method"),
    path("telegram/file/bot<str:token>/<path:file_path>", tg_api.file, name="tg_file"),
    # The reader's view and the trainer's controls (Kurator logins).
    path("", views.index, name="index"),
    path("vk/<str:screen_name>/", views.vk_wall, name="vk_wall"),
    path("telegram/<str:username>/", views.tg_channel, name="tg_channel"),
    path("ledger/", views.ledger, name="ledger"),
    path("faults/", views.faults_page, name="faults"),
    path("faults/inject/", views.fault_inject, name="fault_inject"),
    path("faults/clear/", views.fault_clear, name="fault_clear"),
    path("tokens/", views.tokens, name="tokens"),
]
