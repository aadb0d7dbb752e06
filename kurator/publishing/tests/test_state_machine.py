"""Publishing exactly once (R-PUB-2) against the built-in sandbox: each approved variant ends published,
failed or unconfirmed — never twice, never silently missing — whatever the network or the worker does."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone, translation

from kurator.core.models import Notification
from kurator.networks.http import use_transport
from kurator.planning.choices import PostState
from kurator.planning.services import post_update
from kurator.publishing import services
from kurator.publishing.choices import HoldReason, PublicationState
from kurator.publishing.models import Publication
from kurator.registry.choices import PublishingMode, TokenStatus
from kurator.sandbox import faults
from kurator.sandbox.choices import FaultKind, LedgerAction, Network
from kurator.sandbox.models import LedgerEntry, TgMessage, VkPost

from .conftest import AcceptThenTimeout, approved_post


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def run(publication: Publication) -> str:
    publication.refresh_from_db()
    return services.publication_run(publication.pk, publication.version)


def posts_created(network: str) -> int:
    return LedgerEntry.objects.filter(
        network=network, action=LedgerAction.CREATED, kind__in=("post", "message")
    ).count()


def test_approving_a_post_schedules_one_publication_per_page_at_its_time(connected):
    post = approved_post(connected)
    rows = Publication.objects.filter(post=post)
    assert {(p.page_id, p.state, p.due_at) for p in rows} == {
        (connected.vk_page.pk, PublicationState.SCHEDULED, post.planned_at),
        (connected.tg_page.pk, PublicationState.SCHEDULED, post.planned_at),
    }


def test_a_variant_armed_meanwhile_by_another_process_keeps_its_one_row(connected, monkeypatch):
    """The sweeper of another worker may arm a variant between this arming's look-up and its insert."""
    post = approved_post(connected)
    first = {p.page_id: p.pk for p in Publication.objects.filter(post=post)}
    Publication.objects.filter(post=post).delete()
    real_first_attempt = services._first_attempt
    raced, winner = [], []

    def another_process_arms_first(mode, due):
        if not raced:  # inside the first insert: the other process wins that variant
            raced.append(True)
            variant = next(iter(post.variants.all()))  # the one whose insert is under way
            winner.append(variant.page_id)
            Publication.objects.create(post=post, variant=variant, page=variant.page, due_at=due, next_attempt_at=due)
        return real_first_attempt(mode, due)

    monkeypatch.setattr(services, "_first_attempt", another_process_arms_first)
    armed = services.publications_arm(post)
    rows = Publication.objects.filter(post=post)
    assert sorted(p.page_id for p in rows) == sorted(first)
    assert [p.page_id for p in armed] == [page for page in first if page not in winner]


def test_at_its_time_the_post_appears_once_on_the_wall_and_in_the_channel(connected):
    post = approved_post(connected)
    with time_machine.travel(post.planned_at, tick=True):
        results = [run(p) for p in Publication.objects.filter(post=post)]
    assert results == ["published", "published"]
    wall = VkPost.objects.get(community=connected.community)
    assert wall.text == post.text
    assert TgMessage.objects.filter(chat=connected.channel).count() == 1
    post.refresh_from_db()
    assert post.state == PostState.PUBLISHED
    vk = Publication.objects.get(post=post, page=connected.vk_page)
    assert vk.external_id == str(wall.post_id)
    assert vk.external_url.endswith(f"/sandbox/vk/central_north/#post-{wall.post_id}")


def test_a_job_that_runs_twice_publishes_once(connected):
    post = approved_post(connected, pages=[connected.tg_page])
    publication = Publication.objects.get(post=post)
    version = publication.version
    with time_machine.travel(post.planned_at, tick=True):
        first = services.publication_run(publication.pk, version)
        second = services.publication_run(publication.pk, version)
    assert (first, second) == ("published", "stale")
    assert posts_created(Network.TELEGRAM) == 1


def test_a_post_is_not_sent_before_its_time(connected):
    post = approved_post(connected)
    with time_machine.travel(post.planned_at - timedelta(minutes=5), tick=True):
        assert {run(p) for p in Publication.objects.filter(post=post)} == {"early"}
    assert posts_created(Network.VK) + posts_created(Network.TELEGRAM) == 0


def test_vk_that_accepts_and_never_answers_gets_the_same_guid_again_and_shows_one_post(connected, in_process_sandbox):
    post = approved_post(connected, pages=[connected.vk_page])
    publication = Publication.objects.get(post=post)
    flaky = AcceptThenTimeout(in_process_sandbox, methods=("wall.post",))
    with time_machine.travel(post.planned_at, tick=True):
        with use_transport(flaky):
            assert run(publication) == "retry"
        publication.refresh_from_db()
        assert publication.state == PublicationState.RETRY_WAIT and publication.maybe_out
    with time_machine.travel(publication.next_attempt_at + timedelta(seconds=1), tick=True):
        assert run(publication) == "published"
    assert flaky.fired == 1
    assert posts_created(Network.VK) == 1
    publication.refresh_from_db()
    assert publication.external_id == str(VkPost.objects.get().post_id)


def test_telegram_that_accepts_and_never_answers_is_unconfirmed_and_the_coordinator_is_asked(
    connected, in_process_sandbox
):
    post = approved_post(connected, pages=[connected.tg_page])
    publication = Publication.objects.get(post=post)
    with time_machine.travel(post.planned_at, tick=True):
        with use_transport(AcceptThenTimeout(in_process_sandbox, methods=("sendMessage",))):
            assert run(publication) == "unconfirmed"
        # nothing sends it again by itself: the sweeper and a second job leave it alone
        services.sweep()
        assert services.publication_run(publication.pk, publication.version) == "stale"
    assert posts_created(Network.TELEGRAM) == 1
    asked = Notification.objects.filter(recipient=connected["branch_coordinator"], message__contains="did not confirm")
    assert asked.exists()


def test_a_person_settles_an_unconfirmed_post_in_one_click(connected, in_process_sandbox):
    post = approved_post(connected, pages=[connected.tg_page])
    publication = Publication.objects.get(post=post)
    with time_machine.travel(post.planned_at, tick=True):
        with use_transport(AcceptThenTimeout(in_process_sandbox, methods=("sendMessage",))):
            run(publication)
        publication.refresh_from_db()
        services.publication_confirm(by=connected["branch_coordinator"], publication=publication)
    publication.refresh_from_db()
    assert publication.state == PublicationState.PUBLISHED
    post.refresh_from_db()
    assert post.state == PostState.PUBLISHED


def test_not_there_send_now_sends_it_once_more_on_a_persons_word(connected, in_process_sandbox):
    post = approved_post(connected, pages=[connected.tg_page])
    publication = Publication.objects.get(post=post)
    faults.inject(network=Network.TELEGRAM, kind=FaultKind.SERVER_ERROR, remaining=1)
    with time_machine.travel(post.planned_at, tick=True):
        assert run(publication) == "retry"  # a 5xx first: nothing was created, so it is simply retried
        publication.refresh_from_db()
        with time_machine.travel(publication.next_attempt_at, tick=True):
            with use_transport(AcceptThenTimeout(in_process_sandbox, methods=("sendMessage",))):
                assert run(publication) == "unconfirmed"
            publication.refresh_from_db()
            services.publication_send_now(by=connected["branch_coordinator"], publication=publication)
            assert run(publication) == "published"
    # the person looked and said it was not there; the sandbox's witness shows both sends
    assert posts_created(Network.TELEGRAM) == 2


def test_a_revoked_vk_token_fails_the_post_with_vks_own_words_and_tells_the_coordinator(connected):
    post = approved_post(connected, pages=[connected.vk_page])
    publication = Publication.objects.get(post=post)
    faults.inject(network=Network.VK, kind=FaultKind.REVOKE_TOKEN, token=connected.vk.token, remaining=1)
    with time_machine.travel(post.planned_at, tick=True):
        assert run(publication) == "failed"
    publication.refresh_from_db()
    assert publication.error_code == 5
    assert "User authorization failed" in publication.error_message
    connected.vk.refresh_from_db()
    assert connected.vk.status == TokenStatus.FAILING
    told = Notification.objects.filter(recipient=connected["coordinator"], message__contains="was not published")
    assert told.exists() and "User authorization failed" in told.first().message
    assert posts_created(Network.VK) == 0


def test_telegram_429_waits_the_time_it_names_and_then_publishes(connected):
    post = approved_post(connected, pages=[connected.tg_page])
    publication = Publication.objects.get(post=post)
    faults.inject(network=Network.TELEGRAM, kind=FaultKind.RATE_LIMIT, remaining=1, retry_after=7)
    with time_machine.travel(post.planned_at, tick=True):
        assert run(publication) == "retry"
        publication.refresh_from_db()
        wait = publication.next_attempt_at - timezone.now()
        assert timedelta(seconds=6) < wait < timedelta(seconds=9)
    with time_machine.travel(publication.next_attempt_at + timedelta(milliseconds=10), tick=True):
        assert run(publication) == "published"
    assert posts_created(Network.TELEGRAM) == 1


def test_a_worker_killed_mid_request_leaves_a_lease_the_sweeper_turns_into_a_safe_state(connected):
    post = approved_post(connected)
    vk, tg = (Publication.objects.get(post=post, page=page) for page in (connected.vk_page, connected.tg_page))
    with time_machine.travel(post.planned_at, tick=True):
        for publication in (vk, tg):
            assert services._claim(publication, timezone.now()) is not None  # …and the worker dies here
    with time_machine.travel(post.planned_at + services.LEASE + timedelta(seconds=5), tick=True):
        services.recover_expired_leases(now=timezone.now())  # queues VK at once; the test queue runs it inline
        vk.refresh_from_db()
        tg.refresh_from_db()
    assert vk.state == PublicationState.PUBLISHED  # VK: asked again with the same guid, which is safe
    assert any("same key" in e.message for e in vk.events.all())
    assert tg.state == PublicationState.UNCONFIRMED  # Telegram: a person decides
    assert posts_created(Network.VK) == 1
    assert posts_created(Network.TELEGRAM) == 0


def test_a_post_found_more_than_an_hour_late_waits_for_a_persons_word(connected):
    post = approved_post(connected, pages=[connected.vk_page])
    publication = Publication.objects.get(post=post)
    with time_machine.travel(post.planned_at + timedelta(hours=2), tick=True):
        assert run(publication) == "held"
        publication.refresh_from_db()
        assert publication.reason == HoldReason.LATE
        assert posts_created(Network.VK) == 0
        services.publication_send_now(by=connected["coordinator"], publication=publication)
        assert run(publication) == "published"
    assert posts_created(Network.VK) == 1


def test_a_change_after_approval_stops_the_publication_until_it_is_approved_again(connected):
    post = approved_post(connected, pages=[connected.vk_page])
    post_update(by=connected["curator"], post=post, text="Новый текст приглашения.")
    publication = Publication.objects.get(post=post)
    assert publication.state == PublicationState.CANCELLED
    with time_machine.travel(post.planned_at, tick=True):
        assert run(publication) == "stale"
    assert posts_created(Network.VK) == 0


def test_a_moved_approved_post_moves_its_publication_and_an_old_job_does_nothing(connected):
    post = approved_post(connected, pages=[connected.vk_page])
    publication = Publication.objects.get(post=post)
    old_version = publication.version
    post.planned_at += timedelta(days=1)
    post.save()
    publication.refresh_from_db()
    assert publication.due_at == post.planned_at and publication.version > old_version
    with time_machine.travel(post.planned_at - timedelta(days=1), tick=True):
        assert services.publication_run(publication.pk, old_version) == "stale"


def test_an_assisted_page_gets_the_text_ready_and_the_link_makes_it_published(connected):
    page = connected.vk_page
    page.publishing_mode = PublishingMode.ASSISTED
    page.save()
    post = approved_post(connected, pages=[page])
    publication = Publication.objects.get(post=post)
    with time_machine.travel(post.planned_at, tick=True):
        assert run(publication) == "handoff"
    assert Notification.objects.filter(recipient=connected["coordinator"], message__contains="by hand").exists()
    publication.refresh_from_db()
    services.publication_confirm(by=connected["coordinator"], publication=publication, url="https://vk.com/wall-1_1")
    publication.refresh_from_db()
    assert publication.state == PublicationState.PUBLISHED and publication.external_url == "https://vk.com/wall-1_1"
    assert posts_created(Network.VK) == 0


def test_a_page_without_a_connection_holds_its_post_and_says_why(connected):
    connected.vk.delete()
    post = approved_post(connected, pages=[connected.vk_page])
    publication = Publication.objects.get(post=post)
    with time_machine.travel(post.planned_at, tick=True):
        assert run(publication) == "held"
    publication.refresh_from_db()
    assert publication.reason == HoldReason.NOT_CONNECTED


def test_a_person_of_another_network_cannot_settle_a_publication(connected):
    post = approved_post(connected, pages=[connected.tg_page])
    publication = Publication.objects.get(post=post)
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.publication_confirm(by=connected.cast["west"]["curator"], publication=publication)


def test_a_published_post_deleted_by_the_curator_is_taken_off_the_wall_and_the_channel(
    connected, django_capture_on_commit_callbacks
):
    from kurator.review.choices import DeletionReason
    from kurator.review.services import post_delete_published

    post = approved_post(connected)
    with time_machine.travel(post.planned_at, tick=True):
        for publication in Publication.objects.filter(post=post):
            run(publication)
        post.refresh_from_db()
        with django_capture_on_commit_callbacks(execute=True):
            post_delete_published(
                by=connected["curator"], post=post, reason=DeletionReason.values[0], coordinator_agreed=True
            )
    assert set(Publication.objects.filter(post=post).values_list("state", flat=True)) == {PublicationState.REMOVED}
    deleted = LedgerEntry.objects.filter(action=LedgerAction.DELETED, kind__in=("post", "message"))
    assert {entry.network for entry in deleted} == {Network.VK, Network.TELEGRAM}
