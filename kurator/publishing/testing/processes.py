"""The sandbox under gunicorn on its own port and Huey workers on a given database and queue, each a real
child process with its output in a log file, so that a test can SIGKILL one and read what it said."""

from __future__ import annotations

import itertools
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Self

import httpx

from kurator.publishing.testing.databases import ROOT, Database, base_environment


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def token_keys() -> str:
    """The keys this process encrypts tokens with: the children must decrypt the connections it seeds."""
    from kurator.core.crypto import _keys_from_settings

    return ",".join(_keys_from_settings())


@dataclass(frozen=True)
class Queue:
    """The Huey queue the workers share: SqliteHuey in their data directory beside a SQLite database (as
    a single machine runs it), PostgresHuey inside a PostgreSQL database (as several machines do)."""

    database: Database
    data_dir: Path

    @property
    def backend(self) -> str:
        return "postgres" if self.database.vendor == "postgresql" else "sqlite"

    def environment(self) -> dict[str, str]:
        if self.backend == "postgres":
            return {"KURATOR_HUEY": "postgres", "KURATOR_HUEY_DSN": self.database.url}
        return {"KURATOR_HUEY": "sqlite"}

    def storage(self) -> Any:
        from huey.storage import PostgresStorage, SqliteStorage

        if self.backend == "postgres":
            return PostgresStorage(name="kurator", dsn=self.database.url)
        return SqliteStorage(name="kurator", filename=str(self.data_dir / "huey.sqlite3"))


@contextmanager
def feeding(queue: Queue) -> Iterator[None]:
    """Jobs this process queues (approvals, the sweeper's calls) go to the workers' queue instead of running
    at once, as the suite's Huey does."""
    from huey.contrib.djhuey import HUEY

    saved = HUEY.storage, HUEY._immediate
    HUEY._immediate = False
    HUEY.storage = queue.storage()
    try:
        yield
    finally:
        HUEY.storage.close()
        HUEY.storage, HUEY._immediate = saved


class Child:
    """One child process in a session of its own (so a signal to it reaches its children too)."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str], log_dir: Path) -> None:
        self.name, self.argv, self.env = name, argv, env
        self.log_path = log_dir / f"{name}.log"
        self.popen: subprocess.Popen[bytes] | None = None

    def start(self) -> Self:
        with self.log_path.open("ab") as log:
            self.popen = subprocess.Popen(
                self.argv, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        return self

    @property
    def pid(self) -> int:
        assert self.popen is not None
        return self.popen.pid

    @property
    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def send_signal(self, signum: int) -> None:
        if self.alive:
            os.killpg(self.pid, signum)

    def kill(self) -> None:
        """SIGKILL: no handler runs, nothing is cleaned up, as when a machine loses power."""
        if self.popen is None:
            return
        self.send_signal(signal.SIGKILL)
        self.popen.wait()

    def stop(self, signum: int = signal.SIGINT, grace: float = 5.0) -> None:
        if not self.alive:
            return
        assert self.popen is not None
        self.send_signal(signum)
        try:
            self.popen.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            self.kill()

    def output(self, last: int = 4000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-last:]
        except FileNotFoundError:
            return ""


def environment(database: Database, data_dir: Path, **extra: str) -> dict[str, str]:
    return {
        **base_environment(),
        "DJANGO_SETTINGS_MODULE": "kurator.settings",
        "DATABASE_URL": database.url,
        "KURATOR_DATA_DIR": str(data_dir),
        "KURATOR_DEBUG": "0",
        "KURATOR_SECRET_KEY": "harness-only-secret-key-not-for-production",
        "KURATOR_TOKEN_KEYS": token_keys(),
        "KURATOR_LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
        **extra,
    }


class SandboxServer(Child):
    """The sandbox networks served by gunicorn (threads: answers held back by accept-then-time-out must not
    keep the others waiting), on a port of their own, with the database given."""

    def __init__(self, database: Database, data_dir: Path, log_dir: Path, *, threads: int = 32, cache_url: str = ""):
        self.port = free_port()
        data_dir.mkdir(parents=True, exist_ok=True)
        # Its own data directory and queue: whatever the sandbox might queue must not reach the workers.
        extra = {"KURATOR_HUEY": "sqlite"}
        if cache_url:
            extra["KURATOR_REDIS_URL"] = cache_url
        argv = [
            sys.executable,
            "-m",
            "gunicorn",
            "kurator.wsgi:application",
            f"--bind=127.0.0.1:{self.port}",
            "--workers=1",
            "--worker-class=gthread",
            f"--threads={threads}",
            "--timeout=600",
            "--graceful-timeout=1",
            "--log-level=warning",
        ]
        super().__init__("sandbox", argv, environment(database, data_dir, **extra), log_dir)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/sandbox"

    def wait_ready(self, timeout: float = 60.0) -> SandboxServer:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.alive:
                raise RuntimeError(f"The sandbox server stopped:\n{self.output()}")
            try:
                httpx.post(f"{self.url}/vk/method/harness.ping", timeout=2.0)
                return self
            except httpx.TransportError:
                time.sleep(0.1)
        raise RuntimeError(f"The sandbox server did not answer within {timeout} s:\n{self.output()}")


@dataclass(frozen=True)
class TimeScale:
    """Production's minutes as a test's seconds (see kurator/publishing/testing/worker.py)."""

    lease_s: float = 0.0
    read_timeout_s: float = 0.0
    retry_base_s: float = 0.0

    def environment(self) -> dict[str, str]:
        pairs = (
            ("KURATOR_HARNESS_LEASE_S", self.lease_s),
            ("KURATOR_HARNESS_READ_TIMEOUT_S", self.read_timeout_s),
            ("KURATOR_HARNESS_RETRY_BASE_S", self.retry_base_s),
        )
        return {name: str(value) for name, value in pairs if value}


class Worker(Child):
    """`manage.py run_huey` with thread workers, through kurator.publishing.testing.worker."""

    def __init__(
        self,
        name: str,
        *,
        database: Database,
        queue: Queue,
        sandbox_url: str,
        log_dir: Path,
        threads: int = 2,
        periodic: bool = False,
        time_scale: TimeScale | None = None,
        kill_at: str = "",
        standby: bool = False,
        consumer_options: tuple[str, ...] = (),
    ) -> None:
        argv = [sys.executable, "-m", "kurator.publishing.testing.worker", f"--workers={threads}", *consumer_options]
        if not periodic:
            argv.append("--no-periodic")
        extra = {**queue.environment(), "KURATOR_SANDBOX_URL": sandbox_url}
        extra.update((time_scale or TimeScale()).environment())
        if kill_at:
            extra["KURATOR_HARNESS_KILL"] = kill_at
        self.go_file = log_dir / f"{name}.go"
        if standby:
            extra["KURATOR_HARNESS_GO_FILE"] = str(self.go_file)
        super().__init__(name, argv, environment(database, queue.data_dir, **extra), log_dir)

    def go(self) -> Worker:
        """A standby worker starts taking jobs (it has loaded everything already)."""
        self.go_file.touch()
        return self

    def started(self) -> bool:
        """The consumer is up and taking jobs (it says so in its log)."""
        return "Huey consumer started" in self.output(last=1_000_000)


class Stack:
    """The sandbox server and the workers of one test or benchmark, stopped together."""

    def __init__(
        self,
        database: Database,
        directory: Path,
        *,
        sandbox_database: Database | None = None,
        sandbox_threads: int = 32,
        cache_url: str = "",
    ) -> None:
        self.database = database
        self.directory = directory
        self.logs = directory / "logs"
        self.logs.mkdir(parents=True, exist_ok=True)
        self.queue = Queue(database, directory / "workers")
        self.queue.data_dir.mkdir(parents=True, exist_ok=True)
        self.sandbox = SandboxServer(
            sandbox_database or database,
            directory / "sandbox",
            self.logs,
            threads=sandbox_threads,
            cache_url=cache_url,
        )
        self.workers: list[Worker] = []
        self._numbers = itertools.count(1)  # names are never reused: each worker has a log of its own

    def start(self) -> Stack:
        self.sandbox.start().wait_ready()
        return self

    def worker(self, **options: Any) -> Worker:
        """Start one more worker process; options as for Worker."""
        name = f"worker-{next(self._numbers)}"
        worker = Worker(
            name, database=self.database, queue=self.queue, sandbox_url=self.sandbox.url, log_dir=self.logs, **options
        )
        self.workers.append(worker)
        return worker.start()

    def live_workers(self) -> list[Worker]:
        return [worker for worker in self.workers if worker.alive]

    def stop_workers(self) -> None:
        for worker in self.workers:
            worker.send_signal(signal.SIGINT)  # Huey's graceful stop: running tasks finish
        for worker in self.workers:
            worker.stop()

    def close(self) -> None:
        self.stop_workers()
        self.sandbox.stop()

    def outputs(self) -> str:
        """The last lines of every child's log, for a failing test's message."""
        parts = [f"--- {child.name} ---\n{child.output(1500)}" for child in (self.sandbox, *self.workers)]
        return "\n".join(parts)

    def __enter__(self) -> Stack:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()
