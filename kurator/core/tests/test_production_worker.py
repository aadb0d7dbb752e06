"""The production path (README "Production"): PostgreSQL, the queue in PostgreSQL (PostgresHuey) and a
separate worker process. Runs only when the suite runs on PostgreSQL."""

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from huey import PostgresHuey

from kurator.core.models import Notification
from kurator.core.tasks import send_notification_email

ROOT = Path(__file__).resolve().parents[3]


def postgres_url_of_the_test_database() -> str:
    db = settings.DATABASES["default"]
    host = db.get("HOST") or "127.0.0.1"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{host}:{db.get('PORT') or 5432}/{db['NAME']}"


@pytest.mark.skipif(not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"), reason="needs PostgreSQL")
def test_a_separate_postgreshuey_worker_takes_a_job_queued_in_postgresql(transactional_db, tmp_path):
    # Given a notification and a worker process on the PostgreSQL queue, as in production
    from kurator.accounts.models import User

    person = User.objects.create_user(email="worker@north.test", password="x", full_name="Проверка Очереди")
    note = Notification.objects.create(recipient=person, message="Проверка рабочего процесса")
    url = postgres_url_of_the_test_database()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "KURATOR_HUEY": "postgres",
        "KURATOR_HUEY_DSN": url,
        "KURATOR_DATA_DIR": str(tmp_path),
        "KURATOR_DEBUG": "0",
        "PYTHONUNBUFFERED": "1",
    }
    queue = PostgresHuey("kurator", dsn=url)
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "run_huey", "--workers", "2", "--no-periodic"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        # When the web side queues the e-mail job in PostgreSQL
        # (The suite's own Huey runs tasks at once; this one only writes the job where the worker reads.)
        from huey.contrib.djhuey import HUEY

        task = send_notification_email.s([note.pk], "Проверка")
        queue.storage.enqueue(HUEY.serialize_task(task), task.priority)
        # Then the worker sends it (the console mail backend prints it) within seconds
        lines: list[str] = []
        reader = threading.Thread(target=lambda: lines.extend(iter(worker.stdout.readline, "")), daemon=True)
        reader.start()
        deadline = time.monotonic() + 30
        while (
            time.monotonic() < deadline and "Проверка рабочего процесса" not in "".join(lines) and worker.poll() is None
        ):
            time.sleep(0.2)
        worker.terminate()
        worker.wait(timeout=15)
        reader.join(timeout=5)
        output = "".join(lines)
        assert "Проверка рабочего процесса" in output, output[-3000:]
        assert "worker@north.test" in output
    finally:
        if worker.poll() is None:
            worker.kill()
        queue.storage.close()  # its connection would keep the test database from being dropped
        with connection.cursor() as cursor:
            for table in ("huey_kv", "huey_schedule", "huey_task", "huey_counter"):
                cursor.execute(f"DROP TABLE IF EXISTS {table}")
