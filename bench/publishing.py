"""Publishing benchmarks (issue 6 item 10, R-PUB-2, R-PUB-3), against the sandbox served on its own port:

(a) campaign drain: 1,000 variants due at the same moment on 500 VK communities and 500 Telegram channels;
    the time from the due moment to the last publication, against the time the networks' limits impose;
    the networks' "too many requests" answers; duplicates and losses from the sandbox's ledger.
(b) lateness of 200 posts that no limit holds back (each page with a token of its own), due at spread-out
    moments: p50 and p99 of (published − due).
(c) 10,000 publications while faults are injected at random (5xx, 429 / error 6, connection resets,
    accept-then-time-out, latency) and workers are killed with SIGKILL and restarted: duplicates, losses.

    .venv/bin/python -m bench.publishing --database sqlite --workers 1
    .venv/bin/python -m bench.publishing --database postgres --workers 4 [--only drain,lateness,faults]

Kurator and the sandbox each get a new database (a SQLite file, or a PostgreSQL database created and dropped
here): the sandbox is "another VK", and on SQLite its writes must not take the one write lock from the
worker being measured. The workers run as in production (`manage.py run_huey`, periodic tasks on, the
production lease and timeouts), except in (c), where time is scaled down (see TIME_SCALE_FAULTS)."""

from __future__ import annotations

import argparse
import math
import os
import random
import re
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

TARGET_DRAIN_RATIO = 1.1
TARGET_P99_LATENESS = 2.0
# (c) measures what happens, not how fast: a held answer waited for two seconds instead of twenty, a lease of
# fifteen seconds instead of three minutes, a first retry after a second or two instead of ten.
TIME_SCALE_FAULTS = {"lease_s": 15.0, "read_timeout_s": 2.0, "retry_base_s": 2.0}
LIMIT_ANSWER = re.compile(r"\((6|9|429): ")  # the network's own words, kept in the publication log


# --- Setting up ----------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.publishing", description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument(
        "--postgres", default="postgres://postgres@127.0.0.1:5432/", help="server for --database postgres"
    )
    parser.add_argument("--workers", type=int, default=1, help="worker processes (manage.py run_huey)")
    parser.add_argument(
        "--threads", type=int, default=0, help="worker threads in each process (default: as in production)"
    )
    parser.add_argument("--only", default="drain,lateness,faults", help="which benchmarks, comma-separated")
    parser.add_argument("--faults-total", type=int, default=10_000, help="publications in (c)")
    parser.add_argument(
        "--lateness-spread", type=float, default=60.0, help="(b): the posts are due at random over this many seconds"
    )
    parser.add_argument("--keep", action="store_true", help="keep the databases and logs (printed at the end)")
    parser.add_argument(
        "--profile", action="store_true", help="record the workers and the sandbox with py-spy (flame graphs, kept)"
    )
    return parser.parse_args(argv)


def redis_url() -> str:
    """The sandbox counts its limits in a cache shared by its threads: Redis when there is one (atomic
    increments), else the database cache, whose read-then-write can let a few requests through uncounted."""
    try:
        import redis

        redis.Redis.from_url("redis://127.0.0.1:6379/13", socket_connect_timeout=0.5).ping()
        return "redis://127.0.0.1:6379/13"
    except Exception:
        return ""


@dataclass
class Bench:
    args: argparse.Namespace
    directory: Path
    stack: Any = None
    cache_url: str = ""
    started: list[Any] = field(default_factory=list)

    def machine(self) -> str:
        model = ""
        with suppress(OSError, StopIteration):
            model = next(
                line.split(":", 1)[1].strip()
                for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")
            )
        load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
        return f"{os.cpu_count()} CPUs ({model or 'unknown'}), load average {load}"

    def start_workers(self, **options: Any) -> list[Any]:
        workers = [
            self.stack.worker(threads=self.args.threads, periodic=True, **options) for _ in range(self.args.workers)
        ]
        deadline = time.monotonic() + 120
        while not all(w.started() for w in workers):
            if time.monotonic() > deadline or not all(w.alive for w in workers):
                raise RuntimeError(f"workers did not start:\n{self.stack.outputs()}")
            time.sleep(0.1)
        if self.args.profile:
            for child in [*workers, self.stack.sandbox]:
                self.profile(child)
        return workers

    def profile(self, child: Any) -> None:
        """py-spy samples the child (and, for gunicorn, its worker process) until it is stopped; the
        collapsed stacks land beside the logs (render them with flamegraph.pl or speedscope.app)."""
        import subprocess

        spy = Path(sys.executable).with_name("py-spy")
        output = self.stack.logs / f"{child.name}-{len(self.started)}.stacks.txt"
        argv = [str(spy), "record", "--subprocesses", "--gil", "--rate", "50", "--format", "raw", "--output"]
        with output.with_suffix(".log").open("wb") as log:
            self.started.append(
                subprocess.Popen([*argv, str(output), "--pid", str(child.pid)], stdout=log, stderr=subprocess.STDOUT)
            )

    def stop_workers(self) -> None:
        self.stack.stop_workers()
        self.stack.workers.clear()
        for spy in self.started:
            spy.send_signal(2)  # SIGINT: py-spy writes its graph and stops
        for spy in self.started:
            spy.wait(timeout=60)
        self.started.clear()


@contextmanager
def bench_environment(args: argparse.Namespace) -> Iterator[Bench]:
    """Databases, Django in this process, the sandbox server; dropped afterwards unless --keep."""
    directory = Path(tempfile.mkdtemp(prefix="kurator-bench-"))
    control = directory / "control"
    control.mkdir()
    vendor = "postgresql" if args.database == "postgres" else "sqlite"
    server = ("", "", "", "")
    name = f"kurator_bench_{os.getpid()}"
    if vendor == "postgresql":
        url = urlparse(args.postgres)
        server = (url.hostname or "127.0.0.1", str(url.port or 5432), url.username or "postgres", url.password or "")
    # Django in this process must use the benchmark's database from the start, never the developer's.
    from kurator.publishing.testing.databases import Database

    kurator_db = Database(vendor, str(directory / f"{name}.sqlite3") if vendor == "sqlite" else name, server)
    os.environ.update(
        DJANGO_SETTINGS_MODULE="kurator.settings",
        DATABASE_URL=kurator_db.url,
        KURATOR_DATA_DIR=str(control),
        KURATOR_HUEY="immediate",  # this process only queues through processes.feeding
        KURATOR_LOG_LEVEL="WARNING",
    )
    import django

    django.setup()
    from kurator.publishing.testing.databases import attached, copy_of, drop, migrated
    from kurator.publishing.testing.processes import Stack, feeding

    print(f"Preparing the databases in {directory} …", flush=True)
    kurator_db = migrated(vendor, directory=directory, name=name, server=server)
    sandbox_db = copy_of(kurator_db, directory, "sandbox")
    bench = Bench(args, directory, cache_url=redis_url())
    try:
        with ExitStack() as stack:
            stack.enter_context(attached(None, sandbox=sandbox_db))
            bench.stack = stack.enter_context(
                Stack(kurator_db, directory, sandbox_database=sandbox_db, cache_url=bench.cache_url)
            )
            stack.enter_context(feeding(bench.stack.queue))
            yield bench
    finally:
        if not args.keep:
            from django.db import connections

            connections.close_all()
            for database in (kurator_db, sandbox_db):
                drop(database)


# --- Reading the outcome -------------------------------------------------------------------------


def wait_settled(publications: Any, *, timeout: float, label: str) -> bool:
    from kurator.publishing.testing.witness import SETTLED

    deadline = time.monotonic() + timeout
    last_report = time.monotonic()
    while time.monotonic() < deadline:
        left = publications.exclude(state__in=SETTLED).count()
        if not left:
            return True
        if time.monotonic() - last_report > 30:
            print(f"    … {label}: {left} still on the way", flush=True)
            last_report = time.monotonic()
        time.sleep(0.5)
    return False


def limit_answers(publications: Any) -> dict[str, int]:
    """The networks' "too many requests" answers (VK 6 and 9, Telegram 429), from the publication log."""
    from kurator.publishing.models import PublicationEvent

    found = {"vk": 0, "telegram": 0}
    events = PublicationEvent.objects.filter(publication__in=publications).select_related("publication__page")
    for message, network in events.values_list("message", "publication__page__social_network"):
        if LIMIT_ANSWER.search(message):
            found[network] += 1
    return found


def elapsed(later: datetime | None, earlier: datetime | None) -> float:
    assert later is not None and earlier is not None, "asked only of publications that went out"
    return (later - earlier).total_seconds()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(share * len(ordered)) - 1))]


def verdict_lines(publications: Any) -> tuple[list[str], Any]:
    from kurator.publishing.testing.witness import verdict

    found = verdict(publications)
    lines = [
        f"    duplicates {len(found.duplicates)} (target 0), losses {len(found.losses)} (target 0), "
        f"wrong {len(found.wrong)}; " + ", ".join(f"{state} {n}" for state, n in sorted(found.states.items())),
        *[f"      {problem}" for problem in found.problems[:10]],
    ]
    if found.states.get("unconfirmed"):
        lines.append(f"    unconfirmed and in fact on the network once: {found.unconfirmed_out}")
    return lines, found


def ok(condition: bool) -> str:
    return "OK" if condition else "MISSED"


# --- (a) campaign drain ---------------------------------------------------------------------------

VK_ADMINS, VK_PAGES, TG_CHANNELS = 10, 500, 500


def drain(bench: Bench) -> list[str]:
    from django.utils import timezone

    from kurator.networks.telegram.limits import TELEGRAM_RATES
    from kurator.networks.vk.limits import VK_RATES
    from kurator.publishing.models import Publication
    from kurator.publishing.testing import seeding

    print("(a) seeding 500 VK communities and 500 Telegram channels …", flush=True)
    room = seeding.newsroom()
    tokens = [seeding.vk_token("admin") for _ in range(VK_ADMINS)]
    vk_pages = seeding.vk_pages(room, tokens, VK_PAGES, checked=True)
    bot = seeding.telegram_bot("network")
    tg_pages = seeding.telegram_channels(room, bot, TG_CHANNELS, checked=True)
    workers = bench.start_workers()
    del workers
    due = timezone.now() + timedelta(seconds=45)
    started = time.monotonic()
    post = seeding.approve(room, vk_pages + tg_pages, at=due, title="Городская акция")
    armed = time.monotonic() - started
    publications = Publication.objects.filter(post=post)
    assert due > timezone.now(), f"arming took {armed:.0f} s, past the due moment"
    settled = wait_settled(publications, timeout=600 + (due - timezone.now()).total_seconds(), label="drain")

    per_token = VK_PAGES // VK_ADMINS
    vk_bound = (math.ceil(per_token / VK_RATES["user_token_per_second"]) - 1) * 1.0
    tg_bound = (math.ceil(TG_CHANNELS / TELEGRAM_RATES["bot_per_second"]) - 1) * 1.0
    bound = max(vk_bound, tg_bound)  # one post per community and channel: the per-wall and per-chat limits do not bind
    times = {
        network: [
            elapsed(p.published_at, due)
            for p in publications.filter(page__social_network=network, published_at__isnull=False)
        ]
        for network in ("vk", "telegram")
    }
    last = max(times["vk"] + times["telegram"] or [float("nan")])
    answers = limit_answers(publications)
    lines = [
        f"(a) campaign drain: {VK_PAGES + TG_CHANNELS} variants due at one moment on {VK_PAGES} VK communities "
        f"({VK_ADMINS} administrators' user tokens, {per_token} communities each) and {TG_CHANNELS} Telegram "
        "channels (one network-wide bot)",
        f"    bound from the limits: VK {vk_bound:.1f} s ({per_token} posts on a token at "
        f"{VK_RATES['user_token_per_second']}/s), Telegram {tg_bound:.1f} s ({TG_CHANNELS} posts on the bot at "
        f"{TELEGRAM_RATES['bot_per_second']}/s; one post per channel and per wall) → {bound:.1f} s",
        f"    drained in {last:.1f} s (VK {max(times['vk'] or [float('nan')]):.1f} s, Telegram "
        f"{max(times['telegram'] or [float('nan')]):.1f} s): ratio {last / bound:.2f} (target ≤ {TARGET_DRAIN_RATIO}) "
        f"{ok(settled and last <= TARGET_DRAIN_RATIO * bound)}",
        f"    limit answers: {answers['vk'] + answers['telegram']} (VK error 6/9: {answers['vk']}, Telegram 429: "
        f"{answers['telegram']}) (target 0) {ok(not any(answers.values()))}",
    ]
    verdict, _found = verdict_lines(publications)
    lines.extend(verdict)
    lines.append(f"    (arming the 1,000 publications on approval took {armed:.1f} s)")
    if not settled:
        lines.append("    NOT SETTLED within the time allowed")
    bench.stop_workers()
    return lines


# --- (b) lateness ---------------------------------------------------------------------------------

LATENESS_PAGES = 200


def lateness(bench: Bench) -> list[str]:
    from django.utils import timezone

    from kurator.publishing.models import Publication
    from kurator.publishing.testing import seeding

    print("(b) seeding 200 pages, each with a token of its own …", flush=True)
    room = seeding.newsroom()
    pages = []
    for _ in range(LATENESS_PAGES // 2):
        pages += seeding.vk_pages(room, [seeding.vk_token("own")], 1, checked=True)
        pages += seeding.telegram_channels(room, seeding.telegram_bot("own"), 1, checked=True)
    bench.start_workers()
    start = timezone.now() + timedelta(seconds=30)
    chance = random.Random(2026)
    posts = []
    approving = time.monotonic()
    spread = bench.args.lateness_spread
    for page in pages:  # at random moments, not whole seconds
        due = start + timedelta(seconds=chance.uniform(0, spread))
        posts.append(seeding.approve(room, [page], at=due, title="Новость филиала").pk)
    approved_by = timezone.now()
    approving = time.monotonic() - approving
    publications = Publication.objects.filter(post_id__in=posts)
    settled = wait_settled(publications, timeout=300 + spread, label="lateness")
    done = list(publications.filter(published_at__isnull=False))
    late = [elapsed(p.published_at, p.due_at) for p in done]
    taken = [elapsed(p.first_sent_at, p.due_at) for p in done]  # due → a worker claims it
    answered = [elapsed(p.published_at, p.first_sent_at) for p in done]  # → the answer is saved
    p50, p99 = percentile(late, 0.5), percentile(late, 0.99)
    lines = [
        f"(b) lateness of {len(pages)} posts no limit holds back ({len(pages) // 2} VK communities and "
        f"{len(pages) // 2} channels, each with a token of its own), due at random moments over {spread:.0f} s:",
        f"    published − due: p50 {p50:.2f} s, p99 {p99:.2f} s, max {max(late):.2f} s: ratio "
        f"{p99 / TARGET_P99_LATENESS:.2f} (target p99 ≤ {TARGET_P99_LATENESS:.0f} s) "
        f"{ok(settled and p99 <= TARGET_P99_LATENESS)}",
        f"    of which due → claimed by a worker: p50 {percentile(taken, 0.5):.2f} s, p99 {percentile(taken, 0.99):.2f} s;"
        f" claimed → answer saved: p50 {percentile(answered, 0.5):.2f} s, p99 {percentile(answered, 0.99):.2f} s",
        f"    (approving the posts took {approving:.1f} s, done {(start - approved_by).total_seconds():.1f} s before "
        "the first possible due moment)",
    ]
    verdict, _found = verdict_lines(publications)
    lines.extend(verdict)
    bench.stop_workers()
    return lines


# --- (c) random faults ----------------------------------------------------------------------------

FAULT_KINDS = ("server_error", "rate_limit", "connection_reset", "accept_then_timeout", "latency")


def faults(bench: Bench) -> list[str]:
    from django.utils import timezone

    from kurator.publishing.models import Publication
    from kurator.publishing.testing import seeding
    from kurator.publishing.testing.processes import TimeScale
    from kurator.sandbox import faults as sandbox_faults

    total = bench.args.faults_total
    per_page = 20
    pages_wanted = max(2, total // per_page)
    vk_count = pages_wanted // 2
    tg_count = pages_wanted - vk_count
    print(f"(c) seeding {vk_count} VK communities and {tg_count} channels …", flush=True)
    room = seeding.newsroom()
    vk_tokens = [seeding.vk_token("admin") for _ in range(max(1, vk_count // 5))]
    bots = [seeding.telegram_bot("network") for _ in range(max(1, tg_count // 25))]
    vk_pages = seeding.vk_pages(room, vk_tokens, vk_count, checked=True)
    tg_pages = []
    for i, bot in enumerate(bots):
        share = tg_count // len(bots) + (1 if i < tg_count % len(bots) else 0)
        tg_pages += seeding.telegram_channels(room, bot, share, checked=True)
    pages = vk_pages + tg_pages
    # Posts every ten seconds, each on every page: 20 a day per community and channel, within every limit.
    posts_count = math.ceil(total / len(pages))
    first_due = timezone.now() + timedelta(seconds=60)
    started = time.monotonic()
    post_ids = []
    for k in range(posts_count):
        post = seeding.approve(room, pages, at=first_due + timedelta(seconds=10 * k), title=f"Выпуск {k + 1}")
        post_ids.append(post.pk)
    armed = time.monotonic() - started
    publications = Publication.objects.filter(post_id__in=post_ids)
    count = publications.count()
    print(f"    {count} publications armed in {armed:.0f} s; injecting faults and killing workers …", flush=True)

    scale = TimeScale(**TIME_SCALE_FAULTS)
    workers = bench.start_workers(time_scale=scale)
    stop = threading.Event()
    injected: dict[str, int] = dict.fromkeys(FAULT_KINDS, 0)
    kills = 0
    chance = random.Random(2026)
    tokens = [("vk", t) for t in vk_tokens] + [("telegram", b) for b in bots]

    def inject_at_random() -> None:
        from django.db import connection

        try:
            while not stop.wait(chance.uniform(0.5, 1.5)):  # about one fault a second, each for 1-3 requests
                network, token = chance.choice(tokens)
                kind = chance.choice(FAULT_KINDS)
                params: dict[str, Any] = {}
                if kind == "server_error":
                    params["status"] = chance.choice([500, 502, 503, 504])
                elif kind == "rate_limit":
                    params["retry_after"] = chance.randint(1, 3)
                elif kind == "accept_then_timeout":
                    params["timeout_s"] = 3
                elif kind == "latency":
                    params["latency_ms"] = chance.randint(200, 1500)
                sandbox_faults.inject(network=network, kind=kind, token=token, remaining=chance.randint(1, 3), **params)
                injected[kind] += 1
        finally:
            connection.close()

    injector = threading.Thread(target=inject_at_random, daemon=True)
    injector.start()
    deadline = time.monotonic() + 1800
    try:
        # Faults and deaths go on until every publication has been tried at least once.
        while time.monotonic() < deadline and publications.filter(attempts=0).exists():
            time.sleep(chance.uniform(10, 25))
            alive = [w for w in workers if w.alive]
            if alive and publications.filter(state__in=("scheduled", "retry_wait", "sending")).exists():
                victim = chance.choice(alive)
                victim.kill()
                kills += 1
                workers.remove(victim)
                workers.append(bench.stack.worker(threads=bench.args.threads, periodic=True, time_scale=scale))
    finally:
        stop.set()
        injector.join()
        sandbox_faults.clear()
    settled = wait_settled(publications, timeout=max(60.0, deadline - time.monotonic()), label="faults")
    took = (timezone.now() - first_due).total_seconds() / 60
    lines = [
        f"(c) {count} publications ({posts_count} posts on {len(vk_pages)} VK communities and {len(tg_pages)} channels, "
        f"{len(vk_tokens)} VK tokens, {len(bots)} bots), faults injected at random: "
        + ", ".join(f"{kind} {n}" for kind, n in injected.items())
        + f"; workers killed with SIGKILL and restarted: {kills}; all settled {took:.0f} min after the first was due",
    ]
    verdict, found = verdict_lines(publications)
    lines.extend(verdict)
    lines.append(
        f"    {ok(settled and not found.duplicates and not found.losses)} (unconfirmed are Telegram posts whose answer "
        "never came: a person settles them; time scaled: "
        + ", ".join(f"{k}={v}" for k, v in TIME_SCALE_FAULTS.items())
        + ")"
    )
    bench.stop_workers()
    return lines


BENCHMARKS = {"drain": drain, "lateness": lateness, "faults": faults}


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    wanted = [name.strip() for name in args.only.split(",") if name.strip()]
    unknown = set(wanted) - set(BENCHMARKS)
    if unknown:
        print(f"unknown benchmarks: {', '.join(sorted(unknown))}", file=sys.stderr)
        return 2
    report: list[str] = []
    with bench_environment(args) as bench:
        if not args.threads:  # read only now: the settings must be loaded with the benchmark's databases
            from kurator.settings import DEFAULT_WORKER_THREADS

            args.threads = DEFAULT_WORKER_THREADS
        heading = (
            f"Kurator publishing benchmarks — {'PostgreSQL (PostgresHuey)' if args.database == 'postgres' else 'SQLite (SqliteHuey)'}, "
            f"{args.workers} worker process{'es' if args.workers != 1 else ''} × {args.threads} threads; the sandbox under "
            f"gunicorn (1 process × 32 threads) on its own database, its limits counted in "
            f"{'Redis' if bench.cache_url else 'the database cache'}; {bench.machine()}"
        )
        print(heading, flush=True)
        report.append(heading)
        for name in wanted:
            lines = BENCHMARKS[name](bench)
            print("\n".join(lines), flush=True)
            report.extend(lines)
        print(f"logs{' and databases' if args.keep else ''} (and flame graphs with --profile) in {bench.directory}")
    print("\n" + "\n".join(report))
    return 0 if not any("MISSED" in line or "NOT SETTLED" in line for line in report) else 1


if __name__ == "__main__":
    sys.exit(main())
