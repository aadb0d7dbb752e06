"""Posts with videos go out through the networks' own flows: on VK the community video upload
(video.save, then the file) and an attachment on the wall post, on Telegram sendVideo for one video and
an album for photos and videos together, in the post's order."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from kurator.core.testing.cast import enable_totp
from kurator.networks.http import use_transport
from kurator.planning.media import media_add
from kurator.planning.services import post_create
from kurator.publishing import sending, services
from kurator.publishing.models import Publication
from kurator.registry.models import PageConnection
from kurator.review.services import post_submit, submission_approve
from kurator.sandbox import vk_core
from kurator.sandbox.models import LedgerEntry, TgMessage, VkPhoto, VkPost, VkVideo
from kurator.sandbox.tests.vk_setup import MP4, PNG

from .conftest import AcceptThenTimeout, at_noon_in

VIDEO = ("visit.mp4", MP4, "video/mp4")
PHOTO = ("hall.png", PNG, "image/png")


@pytest.fixture(autouse=True)
def _english(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    with translation.override("en"):
        yield


def approved_with(connected, page, *files: tuple[str, bytes, str]):
    curator = connected["curator"]
    post = post_create(
        by=curator,
        network=connected.cast["north"].network,
        pages=[page],
        title="Экскурсия по библиотеке",
        planned_at=at_noon_in(12),
        text="Покажем, где что лежит.",
    )
    for name, data, content_type in files:
        media_add(by=curator, post=post, upload=SimpleUploadedFile(name, data, content_type=content_type))
    submission_approve(by=curator, submission=post_submit(by=curator, post=post))
    post.refresh_from_db()
    return post


def publish(post) -> Publication:
    publication = Publication.objects.get(post=post)
    with time_machine.travel(post.planned_at, tick=True):
        assert services.publication_run(publication.pk, publication.version) == "published"
    publication.refresh_from_db()
    return publication


def test_a_post_with_one_video_goes_to_vk_as_an_uploaded_video_attached_to_the_wall_post(connected, client):
    post = approved_with(connected, connected.vk_page, VIDEO)

    publication = publish(post)

    video = VkVideo.objects.get()
    assert (video.title, video.size, video.duration) == ("Экскурсия по библиотеке", len(MP4), 3)
    wall_post = VkPost.objects.get()
    assert wall_post.attachments == "video-7101_1" and wall_post.text == post.text
    assert publication.prepared_media == ["video-7101_1"]
    # A reader of the sandbox wall sees it play.
    connected.community.network_id = connected.cast["north"].network.pk
    connected.community.save()
    reader = connected["page_admin"]
    enable_totp(reader)
    client.force_login(reader)
    with time_machine.travel(post.planned_at + timedelta(minutes=1), tick=True):
        wall = client.get(reverse("sandbox:vk_wall", args=[connected.community.screen_name])).content.decode()
    assert "Покажем, где что лежит." in wall and "<video" in wall and video.file.url in wall


def test_a_post_with_one_video_goes_to_telegram_as_a_video_message_with_its_caption(connected, client):
    post = approved_with(connected, connected.tg_page, VIDEO)

    publication = publish(post)

    [message] = TgMessage.objects.filter(chat=connected.channel)
    assert message.video is not None and message.photo is None
    assert (message.video.width, message.video.height, message.video.duration) == (320, 240, 3)
    assert message.caption == post.text
    assert publication.external_id == str(message.message_id)
    assert LedgerEntry.objects.get(kind="message").payload["method"] == "sendVideo"
    connected.channel.network_id = connected.cast["north"].network.pk
    connected.channel.save()
    reader = connected["page_admin"]
    enable_totp(reader)
    client.force_login(reader)
    feed = client.get(reverse("sandbox:tg_channel", args=[connected.channel.username])).content.decode()
    assert "<video" in feed and message.video.file.url in feed


def test_a_photo_and_a_video_go_to_vk_as_two_attachments_in_the_posts_order(connected):
    post = approved_with(connected, connected.vk_page, VIDEO, PHOTO)

    publish(post)

    assert VkPost.objects.get().attachments == "video-7101_1,photo-7101_1"
    assert VkVideo.objects.count() == VkPhoto.objects.count() == 1


def test_a_photo_and_a_video_go_to_telegram_as_one_album(connected):
    post = approved_with(connected, connected.tg_page, PHOTO, VIDEO)

    publication = publish(post)

    first, second = TgMessage.objects.filter(chat=connected.channel).order_by("message_id")
    assert first.photo is not None and second.video is not None
    assert first.media_group_id and first.media_group_id == second.media_group_id
    assert first.caption == post.text and second.caption == ""
    assert publication.external_id == str(first.message_id)


def test_each_upload_waits_for_room_for_the_api_calls_it_makes_a_video_one_a_photo_two(connected, monkeypatch):
    # The pace recorded here does not wait; the sandbox must not count what it would have spread out.
    monkeypatch.setitem(vk_core.REQUESTS_PER_SECOND, "user", 1000)
    post = approved_with(connected, connected.vk_page, PHOTO, VIDEO, PHOTO)
    publication = Publication.objects.get(post=post)
    paced: list[int] = []

    attachments = sending.upload_vk_media(
        publication, PageConnection.objects.get(page=connected.vk_page), pace=paced.append
    )

    assert paced == [2, 1, 2]
    assert attachments == ["photo-7101_1", "video-7101_1", "photo-7101_2"]


def test_a_retried_vk_post_does_not_upload_its_video_again(connected, in_process_sandbox):
    post = approved_with(connected, connected.vk_page, VIDEO)
    publication = Publication.objects.get(post=post)
    with time_machine.travel(post.planned_at, tick=True):
        with use_transport(AcceptThenTimeout(in_process_sandbox, methods=("wall.post",))):
            assert services.publication_run(publication.pk, publication.version) == "retry"
        publication.refresh_from_db()
    with time_machine.travel(publication.next_attempt_at, tick=True):
        assert services.publication_run(publication.pk, publication.version) == "published"

    assert VkVideo.objects.count() == 1 and VkPost.objects.count() == 1
