"""Publishing exactly once with real processes (issue 6 item 9, R-PUB-2): the sandbox served by gunicorn on its
own port, Huey workers started as `manage.py run_huey` and killed with SIGKILL at chosen and random points.
Whatever happens, the sandbox's ledger shows each approved variant at most once, and each publication ends
published (with the ledger's id), failed or unconfirmed: never twice, never silently missing.

The processes share a copy of the test database (kurator/publishing/testing/databases.py); the test process
plays the minutely sweeper by calling services.sweep() itself. Time is scaled down in the workers (a lease
of three seconds instead of three minutes, an answer awaited two seconds instead of twenty, the first retry
after about a second) by kurator/publishing/testing/worker.py, which also kills a worker where a test asks."""

from __future__ import annotations

import random
import threading
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from kurator.publishing import services
from kurator.publishing.choices import PublicationState
from kurator.publishing.models import Publication
from kurator.publishing.tasks import publish
from kurator.publishing.testing import seeding
from kurator.publishing.testing.databases import attached, copy_of_current, drop
from kurator.publishing.testing.processes import Stack, TimeScale, Worker, feeding
from kurator.publishing.testing.witness import network_posts, settle, unsettled, verdict
from kurator.registry.choices import TokenStatus
from kurator.registry.models import PageConnection
from kurator.sandbox import faults
from kurator.sandbox.choices import FaultKind, Network

# transaction=True: nothing is wrapped in a transaction the workers could not see, and the processes'
# database (attached below) is emptied after each test.
pytestmark = [pytest.mark.processes, pytest.mark.django_db(transaction=True)]

SCALED = TimeScale(lease_s=3, read_timeout_s=2, retry_base_s=1)
# SqliteHuey polls its file; a worker idle for a while would otherwise look only every ten seconds.
POLLING = ("--delay=0.05", "--max-delay=0.5")
PUBLISHED, FAILED, UNCONFIRMED = PublicationState.PUBLISHED, PublicationState.FAILED, PublicationState.UNCONFIRMED


@pytest.fixture(scope="module")
def stack(django_db_setup, django_db_blocker, tmp_path_factory):
    directory = tmp_path_factory.mktemp("publishing-processes")
    with django_db_blocker.unblock():
        database = copy_of_current(directory)
        try:
            with attached(database), Stack(database, directory) as running, feeding(running.queue):
                yield running
        finally:
            drop(database)


@pytest.fixture
def processes(stack):
    """The module's sandbox server; the test's own workers, stopped after it, and no fault left behind."""
    yield stack
    for worker in stack.workers:
        worker.kill()  # a worker held up by a fault would keep a graceful stop waiting
    stack.workers.clear()
    faults.clear()


def start_worker(stack: Stack, **options) -> Worker:
    options.setdefault("time_scale", SCALED)
    options.setdefault("consumer_options", POLLING)
    return stack.worker(**options)


def soon(seconds: float = 0.5):
    return timezone.now() + timedelta(seconds=seconds)


def wait_for(condition, stack: Stack, *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"{what}: not within {timeout} s\n{stack.outputs()}"
        time.sleep(0.05)


def settled(publications, stack: Stack, *, timeout: float = 40.0, **options) -> list[tuple[str, str]]:
    """Wait until every publication is published, failed or unconfirmed and the ledger agrees; then
    (network, state) of each, sorted."""
    assert settle(publications, timeout=timeout, **options), (
        f"not settled: {verdict(publications).summary()}\n{unsettled(publications)}\n{stack.outputs()}"
    )
    found = verdict(publications)
    assert not found.problems, f"{found.summary()}\n" + "\n".join(found.problems) + "\n" + stack.outputs()
    return sorted((p.page.social_network, p.state) for p in publications.select_related("page"))


def on_the_network(publication: Publication) -> int:
    return len(network_posts([publication.post_id]).get((publication.post_id, publication.page_id), []))


def vk_and_telegram(*, due=None):
    """A post on one VK community and one Telegram channel, each with a token of its own."""
    room = seeding.newsroom()
    pages = seeding.vk_pages(room, [seeding.vk_token()], 1) + seeding.telegram_channels(room, seeding.telegram_bot(), 1)
    post = seeding.approve(room, pages, at=due or soon())
    vk, telegram = (Publication.objects.get(post=post, page=page) for page in pages)
    return Publication.objects.filter(post=post), vk, telegram


# --- A worker killed at a chosen point -----------------------------------------------------------


@pytest.mark.parametrize("point", ["before-send", "after-send"], ids=["before the call", "after the answer"])
def test_a_worker_killed_before_the_call_or_before_saving_the_answer_is_recovered_without_a_second_post(
    processes, point
):
    publications, vk, telegram = vk_and_telegram()
    # One thread each: each killer takes one of the two publications and dies on it.
    killers = [start_worker(processes, threads=1, kill_at=point) for _ in range(2)]
    fresh = start_worker(processes, standby=True)
    wait_for(lambda: not any(k.alive for k in killers), processes, timeout=60, what="both workers killed")
    assert set(publications.values_list("state", flat=True)) == {PublicationState.SENDING}

    fresh.go()  # the test's sweeps recover the expired leases
    states = settled(publications, processes)

    assert states == [("telegram", UNCONFIRMED), ("vk", PUBLISHED)]
    assert on_the_network(vk) == 1  # asked again with the same guid: VK returned the first post
    assert on_the_network(telegram) == (0 if point == "before-send" else 1)  # a person says which


def test_a_worker_killed_after_the_network_accepted_but_before_it_answered_leaves_one_post_each(processes):
    publications, vk, telegram = vk_and_telegram(due=soon(3))
    for network, connection_ in ((Network.VK, vk.page.connection), (Network.TELEGRAM, telegram.page.connection)):
        # The network does the work and then holds its answer back for longer than the test lasts.
        faults.inject(
            network=network, kind=FaultKind.ACCEPT_THEN_TIMEOUT, token=connection_.token, remaining=1, timeout_s=60
        )
    worker = start_worker(processes, time_scale=TimeScale(lease_s=3, read_timeout_s=90, retry_base_s=1))
    fresh = start_worker(processes, standby=True)
    wait_for(lambda: on_the_network(vk) and on_the_network(telegram), processes, timeout=60, what="both accepted")
    worker.kill()

    fresh.go()
    states = settled(publications, processes)

    assert states == [("telegram", UNCONFIRMED), ("vk", PUBLISHED)]
    assert on_the_network(vk) == on_the_network(telegram) == 1


# --- The network misbehaves ----------------------------------------------------------------------


def test_timeouts_after_accepting_429_storms_5xx_and_revoked_tokens_end_each_variant_once_or_failed(processes):
    room = seeding.newsroom()
    cases = {}
    for case in ("accept_then_timeout", "rate_limit", "server_error", "revoke_token"):
        vk_token, bot = seeding.vk_token(case), seeding.telegram_bot(case)
        cases[case] = (
            vk_token,
            bot,
            seeding.vk_pages(room, [vk_token], 2) + seeding.telegram_channels(room, bot, 2),
        )
    for case, (vk_token, bot, _pages) in cases.items():
        for network, token in ((Network.VK, vk_token), (Network.TELEGRAM, bot)):
            if case == "accept_then_timeout":  # the answer comes after the worker stopped waiting (2 s)
                faults.inject(network=network, kind=case, token=token, remaining=1, timeout_s=4)
            elif case == "rate_limit":  # VK's error 6 and Telegram's 429 for the first four requests
                faults.inject(network=network, kind=case, token=token, remaining=4, retry_after=1)
            elif case == "server_error":
                faults.inject(network=network, kind=case, token=token, remaining=3, status=502)
            else:
                faults.inject(network=network, kind=case, token=token, remaining=1)
    post = seeding.approve(room, [page for _v, _b, pages in cases.values() for page in pages], at=soon())
    publications = Publication.objects.filter(post=post).select_related("page")
    start_worker(processes)

    settled(publications, processes)

    def states(case):
        pages = cases[case][2]
        return sorted((p.page.social_network, p.state) for p in publications.filter(page__in=pages))

    assert (
        states("rate_limit")
        == states("server_error")
        == sorted([("telegram", PUBLISHED)] * 2 + [("vk", PUBLISHED)] * 2)
    )
    timed_out = states("accept_then_timeout")  # VK asks again with the guid; Telegram's is for a person
    assert timed_out == sorted([("telegram", PUBLISHED), ("telegram", UNCONFIRMED)] + [("vk", PUBLISHED)] * 2)
    assert states("revoke_token") == sorted([("telegram", FAILED)] * 2 + [("vk", FAILED)] * 2)
    revoked = publications.filter(page__in=cases["revoke_token"][2])
    assert {p.error_code for p in revoked} == {5, 401}
    assert set(PageConnection.objects.filter(page__in=cases["revoke_token"][2]).values_list("status", flat=True)) == {
        TokenStatus.FAILING
    }


# --- Restarts, random deaths, two schedulers -----------------------------------------------------


def test_workers_killed_at_random_moments_of_a_campaign_and_restarted_publish_nothing_twice(processes, monkeypatch):
    # A job a worker had taken off the queue dies with it; the sweeper queues such a row again when it is
    # still waiting a minute after its time. Scaled down here, as the workers' lease is.
    monkeypatch.setattr(services, "LOST_AFTER", timedelta(seconds=3))
    seed = random.randrange(1_000_000)
    chance = random.Random(seed)
    room = seeding.newsroom()
    # One administrator's token on twelve communities drains at three a second: a campaign of seconds.
    pages = seeding.vk_pages(room, [seeding.vk_token()], 12) + seeding.telegram_channels(
        room, seeding.telegram_bot(), 12
    )
    post = seeding.approve(room, pages, at=soon(2))
    publications = Publication.objects.filter(post=post).select_related("page")
    workers = [start_worker(processes) for _ in range(2)]
    restarts = [start_worker(processes, standby=True) for _ in range(3)]

    for restart in restarts:
        victim = chance.choice([w for w in workers if w.alive])
        wait_for(victim.started, processes, timeout=60, what="a worker started")
        time.sleep(chance.uniform(0.2, 1.5))
        victim.kill()
        workers.append(restart.go())

    states = settled(publications, processes)
    assert {state for network, state in states if network == "vk"} == {PUBLISHED}, f"random seed {seed}"
    assert {state for network, state in states if network == "telegram"} <= {PUBLISHED, UNCONFIRMED}


def test_two_schedulers_queueing_the_same_publications_at_once_publish_each_once(processes):
    room = seeding.newsroom()
    pages = seeding.vk_pages(room, [seeding.vk_token(), seeding.vk_token()], 6) + seeding.telegram_channels(
        room, seeding.telegram_bot(), 6
    )
    post = seeding.approve(room, pages, at=soon(3))
    publications = Publication.objects.filter(post=post)
    # Two consumers with their schedulers and periodic sweeps on, and two schedulers in this process
    # queueing every publication again, all for the same moment.
    for _ in range(2):
        start_worker(processes, periodic=True)

    def scheduler():
        try:
            for publication in publications:
                publish.schedule(args=(publication.pk, publication.version), eta=publication.next_attempt_at)
        finally:
            connection.close()

    threads = [threading.Thread(target=scheduler) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert {state for _network, state in settled(publications, processes)} == {PUBLISHED}
