"""Tenant-aware background jobs, run through django-q2's real broker and worker code."""

import queue
from multiprocessing import Value

import pytest
from django.db import connection
from django_q.brokers import get_broker
from django_q.signing import SignedPackage
from django_q.worker import worker
from django_tenants.utils import schema_context

from boxoffice.audit.models import AuditEntry
from boxoffice.jobs import enqueue
from tests.builders.organizers import make_organizer


def note_schema(label: str) -> str:
    """A job: writes an audit entry wherever it runs and reports the schema it saw."""
    AuditEntry.objects.create(actor_kind="system", actor_label="job", action=label)
    return connection.schema_name


def fail_in_schema() -> None:
    AuditEntry.objects.create(actor_kind="system", actor_label="job", action="doomed")
    raise RuntimeError("the job failed")


def run_queued_jobs() -> list[dict]:
    """What one django-q2 worker process does with the queue: dequeue, unpack, execute."""
    broker = get_broker()
    tasks: queue.Queue = queue.Queue()
    while batch := broker.dequeue():
        for _ack_id, package in batch:
            # sync: skip the worker's close_old_connections(), which would end the test
            # transaction
            tasks.put({**SignedPackage.loads(package), "sync": True})
    tasks.put("STOP")
    results: queue.Queue = queue.Queue()
    worker(tasks, results, Value("f", -1), timeout=0)
    done = []
    while not results.empty():
        done.append(results.get())
    return done


def actions_in(organizer) -> list[str]:
    with schema_context(organizer.schema_name):
        return sorted(AuditEntry.objects.filter(actor_label="job").values_list("action", flat=True))


def test_job_runs_in_the_schema_it_was_enqueued_from_and_leaves_it(
    db, django_capture_on_commit_callbacks
):
    alpha, beta = make_organizer("alpha"), make_organizer("beta")
    with django_capture_on_commit_callbacks(execute=True):
        with schema_context(alpha.schema_name):
            enqueue(note_schema, "from-alpha")
        with schema_context(beta.schema_name):
            enqueue(note_schema, label="from-beta")

    connection.set_schema_to_public()
    done = run_queued_jobs()

    assert [job["result"] for job in done] == [alpha.schema_name, beta.schema_name]
    assert all(job["success"] for job in done)
    assert actions_in(alpha) == ["from-alpha"]
    assert actions_in(beta) == ["from-beta"]
    # The worker is back where it started: the next job does not inherit beta's schema.
    assert connection.schema_name == "public"


def test_failing_job_does_not_leak_its_schema_into_the_next(db, django_capture_on_commit_callbacks):
    alpha, beta = make_organizer("alpha"), make_organizer("beta")
    with django_capture_on_commit_callbacks(execute=True):
        enqueue(fail_in_schema, schema_name=alpha.schema_name)
    connection.set_schema_to_public()
    with pytest.raises(RuntimeError, match="the job failed"):
        run_queued_jobs()
    assert connection.schema_name == "public"

    with django_capture_on_commit_callbacks(execute=True):
        enqueue(note_schema, "after-failure", schema_name=beta.schema_name)
    assert run_queued_jobs()[0]["result"] == beta.schema_name
    assert actions_in(beta) == ["after-failure"]


def test_jobs_wait_for_the_transaction_to_commit(db, django_capture_on_commit_callbacks):
    alpha = make_organizer("alpha")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        enqueue(note_schema, "never", schema_name=alpha.schema_name)
    assert len(callbacks) == 1
    assert run_queued_jobs() == []
