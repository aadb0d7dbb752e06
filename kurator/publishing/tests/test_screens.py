"""The publishing screens: the network's "publishing today" board, a page's and a post's publication
log, one publication with its log and the one-click settling, and the banner when publishing stalls."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from kurator.core.health import HEARTBEAT_KEY
from kurator.core.testing.cast import enable_totp
from kurator.networks.http import use_transport
from kurator.publishing import services
from kurator.publishing.choices import PublicationState
from kurator.publishing.models import Publication
from kurator.sandbox import faults
from kurator.sandbox.choices import FaultKind, Network

from .conftest import AcceptThenTimeout, approved_post


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def login(person) -> Client:
    enable_totp(person)
    person.language = "en"
    person.save(update_fields=["language"])
    client = Client()
    client.force_login(person)
    return client


def published_and_failed(connected):
    """One post published on the VK page, one failed on the Telegram channel (the bot lost its rights)."""
    post = approved_post(connected)
    faults.inject(network=Network.TELEGRAM, kind=FaultKind.LOSE_ADMIN, token=connected.telegram.token, remaining=1)
    with time_machine.travel(post.planned_at, tick=True):
        for publication in Publication.objects.filter(post=post):
            services.publication_run(publication.pk, publication.version)
    return post


def test_the_board_shows_the_days_publications_by_what_they_need(connected):
    post = published_and_failed(connected)
    day = timezone.localdate(post.planned_at).isoformat()
    response = login(connected["curator"]).get(reverse("publishing:board"), {"day": day})
    page = response.content.decode()
    assert response.status_code == 200
    published = page[page.index('data-testid="column-published"') :]
    failed = page[page.index('data-testid="column-failed"') : page.index('data-testid="column-published"')]
    assert connected.vk_page.name in published and "open on the page" in published
    assert connected.tg_page.name in failed and "403" in failed


def test_a_pages_log_shows_only_that_page(connected):
    post = published_and_failed(connected)
    day = timezone.localdate(post.planned_at).isoformat()
    client = login(connected["coordinator"])
    response = client.get(reverse("publishing:board"), {"day": day, "page": connected.vk_page.pk})
    assert f"Publication log: {connected.vk_page}" in response.content.decode()
    assert connected.tg_page.name not in response.content.decode().split("</h1>", 1)[1]


def test_a_failed_publication_shows_the_networks_own_words_and_can_be_sent_again(connected):
    post = published_and_failed(connected)
    failed = Publication.objects.get(post=post, page=connected.tg_page)
    client = login(connected["branch_coordinator"])
    page = client.get(reverse("publishing:publication", args=[failed.pk])).content.decode()
    assert "Forbidden" in page and 'data-testid="network-error"' in page
    response = client.post(reverse("publishing:send_now", args=[failed.pk]))
    assert response.status_code == 302
    failed.refresh_from_db()
    assert failed.state == PublicationState.SCHEDULED and failed.late_allowed


def test_an_unconfirmed_post_is_settled_from_its_page_with_a_link(connected, in_process_sandbox):
    post = approved_post(connected, pages=[connected.tg_page])
    publication = Publication.objects.get(post=post)
    with (
        time_machine.travel(post.planned_at, tick=True),
        use_transport(AcceptThenTimeout(in_process_sandbox, methods=("sendMessage",))),
    ):
        services.publication_run(publication.pk, publication.version)
    client = login(connected["branch_coordinator"])
    page = client.get(reverse("publishing:publication", args=[publication.pk])).content.decode()
    assert "It is there" in page and "It is not there: send now" in page
    client.post(reverse("publishing:confirm", args=[publication.pk]), {"url": "https://t.me/branch_north/1"})
    publication.refresh_from_db()
    assert publication.state == PublicationState.PUBLISHED
    assert publication.external_url == "https://t.me/branch_north/1"
    assert publication.settled_by == connected["branch_coordinator"]


def test_a_hand_published_post_needs_its_link(connected):
    from kurator.registry.choices import PublishingMode

    connected.vk_page.publishing_mode = PublishingMode.ASSISTED
    connected.vk_page.save()
    post = approved_post(connected, pages=[connected.vk_page])
    publication = Publication.objects.get(post=post)
    with time_machine.travel(post.planned_at, tick=True):
        services.publication_run(publication.pk, publication.version)
    client = login(connected["coordinator"])
    page = client.get(reverse("publishing:publication", args=[publication.pk])).content.decode()
    assert "Publish this post by hand" in page and post.text in page
    response = client.post(reverse("publishing:confirm", args=[publication.pk]), {"url": ""}, follow=True)
    assert "Paste the link to the post on the page." in response.content.decode()
    publication.refresh_from_db()
    assert publication.state == PublicationState.HANDOFF


def test_every_page_warns_when_due_posts_are_not_going_out(connected):
    post = approved_post(connected, pages=[connected.vk_page])
    client = login(connected["coordinator"])
    with time_machine.travel(post.planned_at + timedelta(minutes=10), tick=True):
        cache.delete(HEARTBEAT_KEY)  # no worker has run
        assert 'data-testid="publishing-stalled"' in client.get(reverse("planning:posts")).content.decode()
        cache.set(HEARTBEAT_KEY, timezone.now().isoformat())
        assert 'data-testid="publishing-stalled"' not in client.get(reverse("planning:posts")).content.decode()
    with time_machine.travel(post.planned_at - timedelta(minutes=10), tick=True):
        cache.delete(HEARTBEAT_KEY)
        assert 'data-testid="publishing-stalled"' not in client.get(reverse("planning:posts")).content.decode()


def test_the_post_page_shows_where_the_post_went_and_links_to_its_log(connected):
    post = published_and_failed(connected)
    page = login(connected["curator"]).get(reverse("planning:post", args=[post.pk])).content.decode()
    section = page[page.index('data-testid="post-publications"') :]
    assert "Published" in section and "Failed" in section
    assert f"?post={post.pk}" in section
