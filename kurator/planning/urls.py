from django.urls import path

from kurator.planning import calendar_views, dates_views, views
from kurator.review import views as review_views

app_name = "planning"
urlpatterns = [
    path("", views.posts_list, name="posts"),
    path("new/", views.post_create, name="post_create"),
    path("new/preview/", views.post_preview, name="post_preview_new"),
    path("<int:pk>/", views.post_detail, name="post"),
    path("<int:pk>/edit/", views.post_edit, name="post_edit"),
    path("<int:pk>/preview/", views.post_preview, name="post_preview"),
    path("<int:pk>/direction/", views.post_direction_approve, name="post_direction_approve"),
    path("<int:pk>/media/", views.media_upload, name="media_upload"),
    path("media/<int:pk>/", views.media_file, name="media_file"),
    path("media/<int:pk>/remove/", views.media_delete, name="media_delete"),
    path("<int:pk>/submit/", review_views.post_submit, name="post_submit"),
    path("<int:pk>/delete/", review_views.post_delete_published, name="post_delete_published"),
    path("review/", review_views.review_queue, name="review_queue"),
    path("submissions/<int:pk>/approve/", review_views.submission_approve, name="submission_approve"),
    path("submissions/<int:pk>/return/", review_views.submission_return, name="submission_return"),
    path("submissions/<int:pk>/comment/", review_views.comment_add, name="comment_add"),
    path("rubrics/", views.rubrics_list, name="rubrics"),
    path("rubrics/new/", views.rubric_create, name="rubric_create"),
    path("rubrics/<int:pk>/pause/", views.rubric_pause, name="rubric_pause"),
    path("rubrics/<int:pk>/resume/", views.rubric_resume, name="rubric_resume"),
    path("rubrics/<int:pk>/reformat/", views.rubric_reformat, name="rubric_reformat"),
    # The calendar and the memorable dates (R-PLAN-2..5)
    path("calendar/", calendar_views.calendar_page, name="calendar"),
    path("calendar/feed/", calendar_views.calendar_feed, name="calendar_feed"),
    path("calendar/posts/<int:pk>/move/", calendar_views.calendar_move, name="calendar_move"),
    path("dates/", dates_views.dates_list, name="dates"),
    path("dates/import/", dates_views.dates_import, name="dates_import"),
    path("dates/<int:pk>/draft/", dates_views.date_draft, name="date_draft"),
]
