"""Simulated readers: realistic Russian activity, reproducible from a seed, through the readers' own path."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from django.core.management import call_command
from django.utils import timezone

from kurator.sandbox import reader_actions, tg_service
from kurator.sandbox.demo import ensure_bot, ensure_readers, ensure_tg_channel, ensure_vk_community
from kurator.sandbox.models import LedgerEntry, TgMessage, VkComment, VkMessage, VkPost
from kurator.sandbox.readers import (
    TEMPLATES,
    WEIGHTS,
    ActivityKind,
    current_targets,
    plan_activity,
    play,
    play_one,
    reader_text,
    simulate,
)
from kurator.sandbox.tasks import simulate_one_minute


@pytest.fixture
def sandbox(db):
    ensure_readers()
    for n in range(2):
        community = ensure_vk_community(f"sim_wall_{n}", f"Стена {n}")[0]
        for post_id in (1, 2):
            VkPost.objects.create(
                community=community,
                post_id=post_id,
                from_id=community.owner_id,
                text=f"Пост {post_id}",
                date=timezone.now(),
            )
    bot = ensure_bot("sim", "Симуляция")
    channel = ensure_tg_channel("sim_channel", "Канал", bot)[0]
    for _ in range(2):
        post = TgMessage.objects.create(
            chat=channel, message_id=reader_actions.next_tg_message_id(channel), from_bot=bot, text="Пост"
        )
        tg_service.forward_to_discussion(post)


def test_the_same_seed_gives_the_same_texts_and_targets(sandbox):
    first = plan_activity(seed=42, count=200, targets=current_targets())
    second = plan_activity(seed=42, count=200, targets=current_targets())
    other = plan_activity(seed=43, count=200, targets=current_targets())

    assert first == second
    assert first != other


def test_playing_the_same_seed_twice_writes_the_same_texts_in_the_same_places(sandbox):
    simulate(seed=7, count=60)
    first = list(LedgerEntry.objects.order_by("id").values_list("kind", "place", "payload__text"))
    # The ledger is append-only: the second run's rows follow the first's.
    simulate(seed=7, count=60)
    second = list(LedgerEntry.objects.order_by("id").values_list("kind", "place", "payload__text"))[len(first) :]

    assert [(k, p, t) for k, p, t in first if k != "forward"] == [(k, p, t) for k, p, t in second if k != "forward"]


def test_every_kind_of_reader_activity_appears(sandbox):
    plan = plan_activity(seed=1, count=600, targets=current_targets())
    assert set(Counter(a.kind for a in plan)) == set(ActivityKind)
    assert {a.network for a in plan} == {"vk", "telegram"}


def test_the_actions_go_through_reader_actions_and_leave_ledger_rows(sandbox):
    plan, accepted = simulate(seed=5, count=120)

    assert accepted == len(plan) == 120
    kinds = set(LedgerEntry.objects.values_list("kind", flat=True))
    assert {"comment", "message", "like", "repost", "reaction"} <= kinds
    assert VkComment.objects.exists() and VkMessage.objects.exists()
    assert TgMessage.objects.filter(from_reader__isnull=False, reply_to__isnull=False).exists()  # channel comments
    assert TgMessage.objects.filter(chat__type="private").exists()  # messages to the bot
    assert sum(VkPost.objects.values_list("views", flat=True)) > 0  # views grow


def test_a_network_can_be_chosen(sandbox):
    plan = plan_activity(seed=3, count=100, targets=current_targets("telegram"))
    assert {a.network for a in plan} == {"telegram"}


def test_texts_are_russian_and_the_template_bank_is_varied():
    import random

    for kind, templates in TEMPLATES.items():
        assert len(templates) >= 15, kind
        assert len(set(templates)) == len(templates), kind
    rng = random.Random(0)
    for kind in TEMPLATES:
        text = reader_text(kind, rng)
        assert re.search(r"[А-Яа-яЁё]", text) and "{" not in text
    assert set(WEIGHTS) == set(ActivityKind)


def test_a_renewal_request_names_a_book_and_a_readers_card():
    import random

    rng = random.Random(12)
    texts = [reader_text(ActivityKind.RENEWAL, rng) for _ in range(30)]
    assert all(re.search(r"\d{5}", t) for t in texts)
    assert any("«" in t for t in texts)


def test_the_command_runs_n_actions_at_once_reproducibly(sandbox, capsys):
    call_command("simulate_readers", "--seed", "42", "--once", "25")
    rows = LedgerEntry.objects.count()
    assert rows > 0
    assert "25" in capsys.readouterr().out


def test_the_command_keeps_to_the_rate_for_the_minutes_given(sandbox, monkeypatch):
    # A clock that only moves when the command sleeps: the actions' start times are the schedule itself.
    clock = {"now": 1000.0}
    started_at = []
    monkeypatch.setattr("time.monotonic", lambda: clock["now"])
    monkeypatch.setattr("time.sleep", lambda s: clock.__setitem__("now", clock["now"] + s))
    real_play = play_one

    def timed_play(action):
        started_at.append(clock["now"])
        return real_play(action)

    monkeypatch.setattr("kurator.sandbox.management.commands.simulate_readers.play_one", timed_play)

    call_command("simulate_readers", "--seed", "1", "--rate", "30", "--minutes", "2")

    assert len(started_at) == 60  # 30 a minute for 2 minutes
    assert [round(t - started_at[0], 6) for t in started_at[:3]] == [0, 2, 4]  # one every 2 seconds
    assert started_at[-1] - started_at[0] == pytest.approx(118)


def test_the_background_job_stays_quiet_unless_the_simulation_is_switched_on(sandbox, settings):
    settings.KURATOR_SANDBOX_SIMULATION = False
    assert simulate_one_minute(minute=1) == 0
    assert not LedgerEntry.objects.filter(actor__startswith="reader").exists()

    settings.KURATOR_SANDBOX_SIMULATION = True
    settings.KURATOR_SANDBOX_SIMULATION_RATE = 10
    assert simulate_one_minute(minute=1) == 10


def test_without_pages_nothing_is_planned(db):
    ensure_readers()
    assert plan_activity(seed=1, count=10, targets=current_targets()) == []
    assert play([]) == 0
