"""Media go through the networks' own upload flows (issue 6 item 7), and a VK post whose answer was
lost more than an hour ago is found by reading the wall back rather than posted again."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from kurator.networks.http import use_transport
from kurator.planning.media import media_add
from kurator.planning.services import post_create
from kurator.publishing import services
from kurator.publishing.choices import HoldReason, PublicationState
from kurator.publishing.models import Publication
from kurator.review.services import post_submit, submission_approve
from kurator.sandbox.choices import LedgerAction
from kurator.sandbox.models import LedgerEntry, TgMessage, VkPhoto, VkPost
from kurator.sandbox.tests.vk_setup import PNG

from .conftest import AcceptThenTimeout, approved_post, at_noon_in


@pytest.fixture(autouse=True)
def _english(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    with translation.override("en"):
        yield


def approved_with_photos(connected, page, count: int):
    curator = connected["curator"]
    post = post_create(
        by=curator,
        network=connected.cast["north"].network,
        pages=[page],
        title="Выставка",
        planned_at=at_noon_in(12),
        text="Новая выставка в читальном зале.",
    )
    for n in range(count):
        media_add(by=curator, post=post, upload=SimpleUploadedFile(f"photo{n}.png", PNG, content_type="image/png"))
    submission_approve(by=curator, submission=post_submit(by=curator, post=post))
    post.refresh_from_db()
    return post


def run(publication: Publication) -> str:
    publication.refresh_from_db()
    return services.publication_run(publication.pk, publication.version)


def test_a_vk_post_with_photos_uploads_them_and_attaches_them_to_the_wall_post(connected):
    post = approved_with_photos(connected, connected.vk_page, 2)
    publication = Publication.objects.get(post=post)
    with time_machine.travel(post.planned_at, tick=True):
        assert run(publication) == "published"
    wall = VkPost.objects.get()
    assert VkPhoto.objects.count() == 2
    attached = wall.attachments.split(",")
    assert len(attached) == 2 and all(a.startswith("photo") for a in attached)


def test_a_retried_vk_post_does_not_upload_its_photos_again(connected, in_process_sandbox):
    post = approved_with_photos(connected, connected.vk_page, 1)
    publication = Publication.objects.get(post=post)
    with time_machine.travel(post.planned_at, tick=True):
        with use_transport(AcceptThenTimeout(in_process_sandbox, methods=("wall.post",))):
            assert run(publication) == "retry"
        publication.refresh_from_db()
    with time_machine.travel(publication.next_attempt_at, tick=True):
        assert run(publication) == "published"
    assert VkPhoto.objects.count() == 1
    assert VkPost.objects.count() == 1


def test_one_photo_goes_to_telegram_as_a_photo_with_its_caption_and_several_as_an_album(connected):
    single = approved_with_photos(connected, connected.tg_page, 1)
    approved_with_photos(connected, connected.tg_page, 3)  # an album of three
    with time_machine.travel(single.planned_at, tick=True):
        for publication in Publication.objects.all():
            assert run(publication) == "published"
    messages = TgMessage.objects.filter(chat=connected.channel).order_by("message_id")
    assert len(messages) == 4  # one photo, then an album of three
    assert messages[0].caption == single.text
    assert len({m.media_group_id for m in messages[1:]}) == 1


def test_past_vks_guid_memory_the_wall_is_read_back_and_the_post_found_there_is_not_posted_again(
    connected, in_process_sandbox
):
    post = approved_post(connected, pages=[connected.vk_page])
    publication = Publication.objects.get(post=post)
    flaky = AcceptThenTimeout(in_process_sandbox, methods=("wall.post",))
    with time_machine.travel(post.planned_at, tick=True), use_transport(flaky):
        assert run(publication) == "retry"
    # the worker was gone for longer than VK remembers a guid
    with time_machine.travel(post.planned_at + timedelta(hours=2), tick=True):
        assert run(publication) == "published"
    publication.refresh_from_db()
    assert publication.state == PublicationState.PUBLISHED
    assert publication.external_id == str(VkPost.objects.get().post_id)
    assert LedgerEntry.objects.filter(action=LedgerAction.CREATED, kind="post").count() == 1


def test_past_vks_guid_memory_a_post_not_on_the_wall_waits_for_a_person(connected, in_process_sandbox):
    post = approved_post(connected, pages=[connected.vk_page])
    publication = Publication.objects.get(post=post)
    # The worker claimed the row and died before it reached VK; nobody ran it again for two hours.
    with time_machine.travel(post.planned_at, tick=True):
        services._claim(publication, post.planned_at)
    Publication.objects.filter(pk=publication.pk).update(state=PublicationState.RETRY_WAIT, maybe_out=True)
    with time_machine.travel(post.planned_at + timedelta(hours=2), tick=True):
        assert run(publication) == "held"
    publication.refresh_from_db()
    assert (publication.state, publication.reason) == (PublicationState.HELD, HoldReason.NOT_FOUND)
    assert LedgerEntry.objects.filter(action=LedgerAction.CREATED, kind="post").count() == 0


def test_the_sweeper_uploads_a_vk_posts_photos_before_its_time_so_that_only_the_post_is_sent_then(connected):
    post = approved_with_photos(connected, connected.vk_page, 2)
    publication = Publication.objects.get(post=post)
    with time_machine.travel(post.planned_at - timedelta(minutes=10), tick=True):
        counts = services.sweep()
    publication.refresh_from_db()
    assert counts["preparing"] == 1 and len(publication.prepared_media) == 2
    assert VkPost.objects.count() == 0
    with time_machine.travel(post.planned_at, tick=True):
        assert run(publication) == "published"
    assert VkPhoto.objects.count() == 2  # nothing uploaded twice
    assert VkPost.objects.get().attachments.split(",") == publication.prepared_media
