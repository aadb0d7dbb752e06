"""`/health` tells the operator's monitoring whether a background worker is alive."""

from kurator.core.health import record_heartbeat
from kurator.core.tasks import worker_heartbeat


def test_health_fails_while_no_worker_has_run(client):
    response = client.get("/health")
    assert response.status_code == 503
    assert response.json()["status"] == "worker-stalled"


def test_health_passes_once_the_workers_minute_job_has_run(client):
    worker_heartbeat.call_local()
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json()["worker_last_seen"]


def test_health_fails_again_when_the_heartbeat_is_old(client, time_machine):
    time_machine.move_to("2026-11-25 10:00:00+03:00")
    record_heartbeat()
    time_machine.move_to("2026-11-25 10:04:00+03:00")
    assert client.get("/health").status_code == 503
