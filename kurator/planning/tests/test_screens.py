"""The planning screens through the views: plan, preview, upload, history (R-PLAN-*, R-PUB-1, R-REV-5)."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation

from kurator.core.testing.cast import enable_totp
from kurator.planning.choices import PostState
from kurator.planning.media import PHOTO_MAX_BYTES
from kurator.planning.models import Post, PostMedia
from kurator.planning.services import post_create

MSK = ZoneInfo("Europe/Moscow")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def login(person) -> Client:
    """Logged in with English as their language: the Russian catalogue is checked by the translation tests."""
    enable_totp(person)
    person.language = "en"
    person.save(update_fields=["language"])
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(person)
    return client


def planned(cast, *, page="central_page", by="coordinator", when=None, text="Новые книги на абонементе.", **extra):
    north = cast["north"]
    return post_create(
        by=north[by],
        network=north.network,
        pages=[getattr(north, page)],
        title="Новинки марта",
        planned_at=when or datetime(2030, 3, 20, 12, tzinfo=MSK),
        text=text,
        **extra,
    )


def form_data(cast, **over):
    north = cast["north"]
    data = {
        "title": "Неделя детской книги",
        "text": "Приходите на встречу с писателем!",
        "planned_at": "2030-03-25T12:00",
        "direction": "reader_events",
        "topics": ["reader_events"],
        "pages": [north.central_page.pk],
        "mentions-TOTAL_FORMS": "2",
        "mentions-INITIAL_FORMS": "0",
        "mentions-0-kind": "partner",
        "mentions-0-name": "Детский театр",
        "mentions-0-url": "https://vk.com/theatre",
        "mentions-1-kind": "person",
        "mentions-1-name": "",
        "mentions-1-url": "",
        "design-designer_description": "Обложка для поста",
    }
    data.update(over)
    return data


def test_a_coordinator_plans_a_post_with_mentions_and_a_designer_request_due_before_the_review(cast):
    client = login(cast["north"]["coordinator"])
    response = client.post(reverse("planning:post_create"), form_data(cast))
    assert response.status_code == 302, response.content.decode()[:2000]
    post = Post.objects.get(title="Неделя детской книги")
    assert post.author == cast["north"]["coordinator"]
    assert post.planned_at == datetime(2030, 3, 25, 12, tzinfo=MSK)
    assert [m.name for m in post.mentions.all()] == ["Детский театр"]
    request = post.designer_requests.get()
    # 5 working days before Monday 25 March 2030 is Monday 18 March; one working day before it, Friday 15.
    assert request.due_on.isoformat() == "2030-03-15"
    page = client.get(response["Location"])
    assert "Review deadline" in page.content.decode()
    assert "18 March 2030" in page.content.decode()


def test_a_coordinator_cannot_plan_for_a_page_that_is_not_theirs(cast):
    client = login(cast["north"]["coordinator"])
    response = client.post(reverse("planning:post_create"), form_data(cast, pages=[cast["north"].branch_page.pk]))
    assert response.status_code == 200
    assert not Post.objects.exists()


def test_the_preview_shows_each_page_as_it_will_look_and_the_limits_it_breaks(cast):
    north = cast["north"]
    client = login(north["curator"])
    data = {"text": "<b>Жирный</b> " + "я" * 5000, "pages": [north.central_page.pk, north.branch_page.pk]}
    html = client.post(reverse("planning:post_preview_new"), data).content.decode()
    assert f'data-testid="preview-{north.central_page.pk}"' in html
    assert "Telegram accepts at most 4096" in html  # the Telegram page
    assert "&lt;b&gt;Жирный&lt;/b&gt;" in html  # VK shows the markup as typed, never as our HTML


def test_telegram_html_is_shown_formatted_but_nothing_else_of_it_runs(cast):
    north = cast["north"]
    post = planned(cast, page="branch_page", by="branch_coordinator")
    variant = post.variants.get()
    client = login(north["branch_coordinator"])
    data = {
        "text": "x",
        "pages": [north.branch_page.pk],
        f"v{variant.pk}-text": '<b>Важно</b> <a href="javascript:alert(1)">ссылка</a>',
        f"v{variant.pk}-parse_mode": "HTML",
    }
    html = client.post(reverse("planning:post_preview", args=[post.pk]), data).content.decode()
    assert "<b>Важно</b>" in html
    assert "javascript:" not in html


def test_a_variant_over_its_limits_shows_the_problem_and_cannot_be_submitted(cast):
    north = cast["north"]
    post = planned(cast, page="branch_page", by="branch_coordinator", text="я" * 5000)
    client = login(north["branch_coordinator"])
    page = client.get(reverse("planning:post", args=[post.pk])).content.decode()
    assert "Telegram accepts at most 4096" in page
    response = client.post(reverse("planning:post_submit", args=[post.pk]), follow=True)
    assert "Telegram accepts at most 4096" in response.content.decode()
    post.refresh_from_db()
    assert post.state == PostState.DRAFT
    assert not post.submissions.exists()


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("photo.jpg", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64, "image/jpeg"),
        ("a.png", b"<html><script>alert(1)</script></html>", "image/png"),
        ("photo.jpg", PNG, "image/jpeg"),  # a real PNG that says it is a JPEG
        ("clip.mp4", JPEG, "video/mp4"),
        ("notes.txt", b"hello", "text/plain"),
    ],
)
def test_a_disguised_upload_is_refused_with_a_clear_message_and_nothing_is_stored(
    cast, media_root, name, content, content_type
):
    north = cast["north"]
    post = planned(cast)
    client = login(north["coordinator"])
    upload = SimpleUploadedFile(name, content, content_type=content_type)
    response = client.post(reverse("planning:media_upload", args=[post.pk]), {"file": upload}, follow=True)
    text = response.content.decode()
    assert name in text and ("is not what its name or type says" in text or "is not an image or a video" in text)
    assert not PostMedia.objects.exists()
    assert not media_root.exists() or not any(p.is_file() for p in media_root.rglob("*"))


def test_an_oversized_photo_is_refused_and_nothing_is_stored(cast, media_root):
    post = planned(cast)
    client = login(cast["north"]["coordinator"])
    upload = SimpleUploadedFile("big.jpg", JPEG + b"\x00" * PHOTO_MAX_BYTES, content_type="image/jpeg")
    response = client.post(reverse("planning:media_upload", args=[post.pk]), {"file": upload}, follow=True)
    assert "a photo may be at most 10 MB" in response.content.decode()
    assert not PostMedia.objects.exists()
    assert not media_root.exists() or not any(p.is_file() for p in media_root.rglob("*"))


def test_a_real_image_is_stored_under_a_generated_name_and_served_only_as_an_image(cast):
    post = planned(cast)
    client = login(cast["north"]["coordinator"])
    upload = SimpleUploadedFile("Обложка.JPEG", JPEG, content_type="image/jpeg")
    client.post(reverse("planning:media_upload", args=[post.pk]), {"file": upload})
    media = PostMedia.objects.get()
    assert media.original_name == "Обложка.JPEG"
    assert media.file.name.startswith(f"posts/{post.network_id}/") and media.file.name.endswith(".jpg")
    assert "Обложка" not in media.file.name
    response = client.get(reverse("planning:media_file", args=[media.pk]))
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("inline; filename=")
    assert b"".join(response.streaming_content) == JPEG
    other = login(cast["north"]["branch_coordinator"])
    assert other.get(reverse("planning:media_file", args=[media.pk])).status_code == 404


def test_the_history_shows_what_changed_in_the_post_and_in_a_variant(cast):
    north = cast["north"]
    post = planned(cast)
    client = login(north["coordinator"])
    variant = post.variants.get()
    data = form_data(
        cast,
        title="Новинки апреля",
        text="Другой текст",
        **{
            f"v{variant.pk}-text": "Свой текст для страницы",
            f"v{variant.pk}-parse_mode": "",
            "design-designer_description": "",
        },
    )
    response = client.post(reverse("planning:post_edit", args=[post.pk]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    html = client.get(reverse("planning:post", args=[post.pk])).content.decode()
    assert "Новинки марта</del>" in html and "Новинки апреля</ins>" in html
    assert "Свой текст для страницы</ins>" in html


def test_the_post_list_filters_by_page_and_state(cast):
    north = cast["north"]
    now = datetime.now(MSK)
    central = planned(cast, when=now + timedelta(days=10))
    branch = planned(cast, page="branch_page", by="branch_coordinator", when=now + timedelta(days=11))
    client = login(north["curator"])
    html = client.get(reverse("planning:posts")).content.decode()
    assert reverse("planning:post", args=[central.pk]) in html and reverse("planning:post", args=[branch.pk]) in html
    html = client.get(reverse("planning:posts"), {"page": north.branch_page.pk}).content.decode()
    assert reverse("planning:post", args=[central.pk]) not in html
    html = client.get(reverse("planning:posts"), {"state": "approved"}).content.decode()
    assert reverse("planning:post", args=[branch.pk]) not in html


def test_rubrics_show_their_owner_and_next_due_slot_and_pause_with_a_reason(cast):
    north = cast["north"]
    client = login(north["curator"])
    response = client.post(
        reverse("planning:rubric_create"),
        {
            "name": "Бюро изобретений",
            "hashtag": "бюроизобретений",
            "owner": north["member"].pk,
            "format": "text",
            "cadence": "weekly",
            "weekday": "2",
            "pages": [north.central_page.pk],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    html = client.get(reverse("planning:rubrics")).content.decode()
    assert "#бюроизобретений" in html and str(north["member"]) in html
    rubric = north.network.rubrics.get()
    assert "Wed" in html.split(f'data-testid="due-{rubric.pk}">')[1][:20]
    client.post(reverse("planning:rubric_pause", args=[rubric.pk]), {"reason": "Автор в отпуске"})
    rubric.refresh_from_db()
    assert rubric.paused and rubric.pause_reason == "Автор в отпуске"
    client.post(reverse("planning:rubric_reformat", args=[rubric.pk]), {"format": "video", "note": "Снимаем ролики"})
    rubric.refresh_from_db()
    assert rubric.format == "video"
    client.post(reverse("planning:rubric_resume", args=[rubric.pk]))
    rubric.refresh_from_db()
    assert not rubric.paused


def test_the_designer_sees_the_requests_addressed_to_them_on_the_post_list(cast):
    north = cast["north"]
    client = login(north["coordinator"])
    data = form_data(cast, **{"design-designer": north["designer"].pk})
    assert client.post(reverse("planning:post_create"), data).status_code == 302
    html = login(north["designer"]).get(reverse("planning:posts")).content.decode()
    assert 'data-testid="design-tasks"' in html and "Обложка для поста" in html
    assert "Обложка для поста" not in login(north["branch_coordinator"]).get(reverse("planning:posts")).content.decode()


def test_a_post_outside_the_directions_waits_for_the_administration_and_then_can_be_submitted(cast):
    north = cast["north"]
    when = datetime.now(MSK).replace(hour=12, minute=0, second=0, microsecond=0) + timedelta(days=30)
    post = planned(cast, direction="other", when=when)
    coordinator = login(north["coordinator"])
    refused = coordinator.post(reverse("planning:post_submit", args=[post.pk]), follow=True).content.decode()
    assert "the administration approves it first" in refused
    assert coordinator.post(reverse("planning:post_direction_approve", args=[post.pk])).status_code == 403
    administration = login(north["administration"])
    assert (
        'data-testid="approve-direction"'
        in administration.get(reverse("planning:post", args=[post.pk])).content.decode()
    )
    administration.post(reverse("planning:post_direction_approve", args=[post.pk]))
    post.refresh_from_db()
    assert post.direction_approved_by == north["administration"]
    coordinator.post(reverse("planning:post_submit", args=[post.pk]))
    post.refresh_from_db()
    assert post.state == PostState.SUBMITTED


def test_a_click_on_an_empty_calendar_slot_opens_a_new_post_for_that_time_and_page(cast):
    north = cast["north"]
    client = login(north["coordinator"])
    response = client.get(
        reverse("planning:post_create"), {"planned_at": "2030-03-04T10:00", "page": north.central_page.pk}
    )
    form = response.context["form"]
    assert form.initial["planned_at"] == "2030-03-04T10:00"
    assert form.initial["pages"] == [north.central_page.pk]
    # a page the person may not plan for is not chosen for them
    other = client.get(reverse("planning:post_create"), {"page": cast["west"].central_page.pk})
    assert "pages" not in other.context["form"].initial
