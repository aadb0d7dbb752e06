"""VK's own postponed posts (R-PUB-7, 003 § 5.6): on a page so connected, an approved post goes to VK
at once as a postponed post, VK publishes it at its time and Kurator records that; a change, a move or
a withdrawal before then is passed on to VK, so that VK never publishes what is no longer approved."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import translation

from kurator.planning.services import post_update
from kurator.publishing import services
from kurator.publishing.choices import PublicationMode, PublicationState
from kurator.publishing.models import Publication
from kurator.sandbox.choices import LedgerAction
from kurator.sandbox.models import LedgerEntry, VkPost

from .conftest import approved_post


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def postponed(connected):
    connected.vk.vk_postponed = True
    connected.vk.save()
    return connected


def hand_over(post) -> Publication:
    publication = Publication.objects.get(post=post)
    assert publication.mode == PublicationMode.POSTPONED
    assert services.publication_run(publication.pk, publication.version) == "handed-over"
    publication.refresh_from_db()
    return publication


def test_an_approved_post_waits_in_vk_as_a_postponed_post_for_its_time(postponed):
    post = approved_post(postponed, pages=[postponed.vk_page])
    publication = hand_over(post)
    waiting = VkPost.objects.get()
    assert waiting.postponed and waiting.date == post.planned_at
    assert publication.state == PublicationState.HANDED_OVER
    assert publication.external_id == str(waiting.post_id)


def test_after_its_time_kurator_finds_it_published_by_vk(postponed):
    post = approved_post(postponed, pages=[postponed.vk_page])
    publication = hand_over(post)
    with time_machine.travel(post.planned_at + timedelta(minutes=1), tick=True):
        assert services.sweep()["checking"] == 1
    publication.refresh_from_db()
    assert publication.state == PublicationState.PUBLISHED
    post.refresh_from_db()
    assert post.state == "published"
    assert LedgerEntry.objects.filter(action=LedgerAction.CREATED, kind="post").count() == 1


def test_a_change_after_approval_withdraws_the_postponed_post_from_vk(postponed, django_capture_on_commit_callbacks):
    post = approved_post(postponed, pages=[postponed.vk_page])
    publication = hand_over(post)
    with django_capture_on_commit_callbacks(execute=True):
        post_update(by=postponed["curator"], post=post, text="Другой текст приглашения.")
    publication.refresh_from_db()
    assert publication.state == PublicationState.CANCELLED
    assert VkPost.objects.get().deleted_at is not None
    with time_machine.travel(post.planned_at + timedelta(minutes=1), tick=True):
        services.sweep()
    assert not VkPost.objects.filter(deleted_at__isnull=True).exists()


def test_a_moved_post_replaces_its_postponed_post_with_one_for_the_new_time(
    postponed, django_capture_on_commit_callbacks
):
    post = approved_post(postponed, pages=[postponed.vk_page])
    first = hand_over(post)
    with django_capture_on_commit_callbacks(execute=True):
        post.planned_at += timedelta(days=1)
        post.save()
    publication = Publication.objects.get(post=post)
    if publication.state == PublicationState.SCHEDULED:  # the tests' queue may have run it at commit
        publication = hand_over(post)
    assert publication.state == PublicationState.HANDED_OVER
    assert publication.pk == first.pk and publication.external_id != first.external_id
    live = VkPost.objects.get(deleted_at__isnull=True)
    assert live.postponed and live.date == post.planned_at


def test_a_postponed_post_someone_deleted_in_vk_waits_for_a_person(postponed):
    post = approved_post(postponed, pages=[postponed.vk_page])
    publication = hand_over(post)
    VkPost.objects.update(deleted_at=post.planned_at - timedelta(hours=1))  # an administrator deleted it in VK
    with time_machine.travel(post.planned_at + timedelta(minutes=1), tick=True):
        services.sweep()
    publication.refresh_from_db()
    assert publication.state == PublicationState.HELD


def test_a_post_approved_minutes_before_its_time_is_simply_sent_then(postponed):
    from kurator.planning.models import Post

    post = approved_post(postponed, pages=[postponed.vk_page])
    Post.objects.filter(pk=post.pk).update(planned_at=post.planned_at)  # keep it
    publication = Publication.objects.get(post=post)
    with time_machine.travel(post.planned_at - timedelta(minutes=3), tick=True):
        assert services.publication_run(publication.pk, publication.version) == "early"
    publication.refresh_from_db()
    with time_machine.travel(post.planned_at, tick=True):
        assert services.publication_run(publication.pk, publication.version) == "published"
    assert not VkPost.objects.get().postponed
