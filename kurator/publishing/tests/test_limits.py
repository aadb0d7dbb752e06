"""Rate limits shared through the database (R-PUB-3): each request gets the earliest moment that keeps
every window of its token and chat within the network's limit, and the network's own "slow down" holds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from kurator.publishing.limits import Limit, earliest_fit, hold, limits_for, reserve, reserve_soon
from kurator.publishing.models import RateSlot
from kurator.registry.choices import SocialNetwork

START = datetime(2026, 12, 1, 7, 0, tzinfo=UTC)


def seconds(moment: datetime) -> float:
    return (moment - START).total_seconds()


def max_in_any_window(moments: list[float], window: float) -> int:
    return max(sum(1 for m in moments if start <= m < start + window) for start in moments)


def test_earliest_fit_waits_for_the_oldest_request_to_leave_the_window():
    assert earliest_fit([0.0, 0.1, 0.2], 0.3, count=3, window=1.0) == pytest.approx(1.0)
    assert earliest_fit([0.0, 0.1], 0.3, count=3, window=1.0) == pytest.approx(0.3)


def test_earliest_fit_does_not_squeeze_a_request_between_reserved_future_ones():
    # three requests reserved at 1.0–1.2: a request at 0.5 would make four in [0.5, 1.5)
    assert earliest_fit([1.0, 1.1, 1.2], 0.5, count=3, window=1.0) >= 2.0


@pytest.mark.django_db
def test_a_campaign_on_one_vk_token_is_spread_three_a_second_in_order_of_arrival():
    limits = [Limit("vk:token:t", 3, timedelta(seconds=1))]
    moments = [seconds(reserve(limits, earliest=START, publication_id=n)) for n in range(12)]
    assert moments == sorted(moments)
    assert max_in_any_window(moments, 1.0) == 3
    # twelve requests at three a second need a little over three seconds, not more
    assert 3.0 <= moments[-1] <= 3.0 * 1.02 * 1.05


@pytest.mark.django_db
def test_a_telegram_chat_takes_twenty_a_minute_while_the_bot_serves_other_chats_at_once():
    chat_a = limits_for(SocialNetwork.TELEGRAM, "bot-token", "@a")
    chat_b = limits_for(SocialNetwork.TELEGRAM, "bot-token", "@b")
    into_a = [seconds(reserve(chat_a, earliest=START, publication_id=n)) for n in range(21)]
    into_b = seconds(reserve(chat_b, earliest=START, publication_id=100))
    assert into_a[19] < 1.0 and into_a[20] >= 60.0
    assert into_b < 1.0


@pytest.mark.django_db
def test_pages_sharing_a_token_share_its_limit_and_the_key_does_not_show_the_token():
    first = limits_for(SocialNetwork.VK, "vk1.a.secret-token", "101")
    second = limits_for(SocialNetwork.VK, "vk1.a.secret-token", "102")
    assert first[0].key == second[0].key and "secret" not in first[0].key
    assert first[1].key != second[1].key  # the daily cap counts per community


@pytest.mark.django_db
def test_coming_back_for_its_slot_a_publication_does_not_count_twice():
    limits = [Limit("vk:token:t", 3, timedelta(seconds=1))]
    for n in range(3):
        reserve(limits, earliest=START, publication_id=n)
    later = reserve(limits, earliest=START, publication_id=99)
    again = reserve(limits, earliest=later, publication_id=99)
    assert again == later
    assert RateSlot.objects.filter(publication_id=99).count() == 1


@pytest.mark.django_db
def test_the_networks_own_slow_down_holds_every_worker_back():
    limits = limits_for(SocialNetwork.TELEGRAM, "bot-token", "@a")
    hold(limits, until=START + timedelta(seconds=12))
    assert seconds(reserve(limits, earliest=START, publication_id=1)) == pytest.approx(12.0)


@pytest.mark.django_db
def test_a_publication_back_a_little_late_for_its_slot_goes_at_once_instead_of_behind_the_later_ones():
    limits = [Limit("vk:token:t", 3, timedelta(seconds=1))]
    slots = [reserve(limits, earliest=START, publication_id=n) for n in range(9)]
    # Huey's scheduler wakes once a second, so a job comes back up to a second after its slot.
    back = slots[3] + timedelta(milliseconds=400)
    assert reserve(limits, earliest=back, publication_id=3) == back


def run_campaign(limits: list[Limit], jobs: int, *, wait_in_worker: bool) -> tuple[list[float], int]:
    """Jobs as Huey runs them: due ones leave the schedule once a second and run one after another, each
    asks for its slot, and one whose slot is ahead goes back to the schedule for it. Returns the moments
    at which requests were made and how many times jobs ran."""
    waiting = {n: START for n in range(jobs)}  # publication → the moment its job is due
    slots: dict[int, datetime | None] = dict.fromkeys(waiting)
    sent: list[float] = []
    runs = 0
    tick = START + timedelta(milliseconds=370)  # the scheduler's second does not start at the post's
    while waiting and tick < START + timedelta(seconds=60):
        for i, n in enumerate(sorted((n for n, due in waiting.items() if due <= tick), key=waiting.get)):
            runs += 1
            now = tick + timedelta(milliseconds=5 * (i + 1))
            if wait_in_worker:
                clock = [now]
                slot, now = reserve_soon(
                    limits,
                    earliest=now,
                    publication_id=n,
                    waiting_for=slots[n],
                    sleep=lambda seconds, clock=clock: clock.__setitem__(0, clock[0] + timedelta(seconds=seconds)),
                    clock=lambda clock=clock: clock[0],
                )
            else:
                slot = reserve(limits, earliest=now, publication_id=n, waiting_for=slots[n])
            if slot <= now + timedelta(milliseconds=50):
                sent.append(seconds(now))
                del waiting[n]
            else:
                waiting[n] = slots[n] = slot
        tick += timedelta(seconds=1)
    assert not waiting, f"still waiting after a minute: {sorted(waiting)}"
    return sent, runs


ON_ONE_TOKEN = [Limit("vk:token:t", 3, timedelta(seconds=1))]
LIMIT_ITSELF = (30 / 3 - 1) * 1.02  # thirty at three a second (with the margin): the last at 9.2 s


@pytest.mark.django_db
def test_a_campaign_whose_jobs_come_back_on_the_queues_ticks_drains_close_to_the_limit_and_never_beyond():
    sent, _runs = run_campaign(ON_ONE_TOKEN, 30, wait_in_worker=True)
    assert max_in_any_window(sent, 1.0) <= 3
    assert max(sent) <= LIMIT_ITSELF + 1.5  # the first tick's phase, and slots just after a tick


@pytest.mark.django_db
def test_short_waits_spent_in_the_worker_take_fewer_runs_and_less_time_than_going_through_the_queue():
    through_the_queue, runs_through_the_queue = run_campaign(ON_ONE_TOKEN, 30, wait_in_worker=False)
    RateSlot.objects.all().delete()
    in_the_worker, runs_in_the_worker = run_campaign(ON_ONE_TOKEN, 30, wait_in_worker=True)
    assert max(in_the_worker) < max(through_the_queue)
    assert runs_in_the_worker < runs_through_the_queue


@pytest.mark.django_db
def test_a_request_never_goes_before_its_slot_not_even_by_milliseconds():
    for n in range(3):
        reserve(ON_ONE_TOKEN, earliest=START, publication_id=n)
    slept: list[float] = []
    clock = [START + timedelta(seconds=1)]  # the next slot is at 1.02 s: 20 ms ahead
    slot, now = reserve_soon(
        ON_ONE_TOKEN,
        earliest=clock[0],
        publication_id=9,
        sleep=lambda seconds: (slept.append(seconds), clock.__setitem__(0, clock[0] + timedelta(seconds=seconds))),
        clock=lambda: clock[0],
    )
    assert slot <= now and seconds(now) >= 1.02 and slept


@pytest.mark.django_db
def test_a_publication_back_seconds_late_for_its_slot_still_keeps_its_place_and_leaves_no_second_reservation():
    limits = [Limit("vk:token:t", 3, timedelta(seconds=1))]
    slots = [reserve(limits, earliest=START, publication_id=n) for n in range(30)]
    # Busy workers: the job queued for slot 3 runs three seconds after it, when the next ones are due too.
    back = slots[3] + timedelta(seconds=3)
    again = reserve(limits, earliest=back, publication_id=3, waiting_for=slots[3])
    assert back <= again <= back + timedelta(seconds=1.02)  # not behind the 26 reserved after it (≈ 10 s)
    assert RateSlot.objects.filter(publication_id=3).count() == 1


@pytest.mark.django_db
def test_a_posts_retries_count_once_against_the_walls_fifty_posts_a_day():
    # VK counts the posts a wall got, not the requests that tried: 5xx, error 6, a repeat with the same
    # guid after a lost answer and the photo uploads make no second post.
    limits = limits_for(SocialNetwork.VK, "vk1.a.token", "101")
    for attempt in range(60):
        moment = START + timedelta(seconds=10 * attempt)
        assert reserve(limits, earliest=moment, publication_id=1) == moment
    assert RateSlot.objects.filter(key="vk:wall:101").count() == 1


@pytest.mark.django_db
def test_fifty_posts_fill_a_walls_day_and_the_fifty_first_waits_for_the_next():
    limits = limits_for(SocialNetwork.VK, "vk1.a.token", "101")
    for n in range(50):
        reserve(limits, earliest=START + timedelta(seconds=n), publication_id=n)
    assert reserve(limits, earliest=START + timedelta(seconds=60), publication_id=50) >= START + timedelta(days=1)
