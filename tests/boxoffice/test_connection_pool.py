"""The connection pool (settings: DB_POOL_MAX_SIZE, DB_POOL_TIMEOUT) on the real database: a pooled
connection lent to one organizer's request and then to another's reads each one's own schema; a
burst larger than the pool waits for a connection or gets 503 with Retry-After, never a 500; the
availability stream's lookup waits for the pool the same way, and its LISTEN connection is not
the pool's."""

import asyncio
import contextlib
import json
import threading
import time
from collections.abc import Iterator

import pytest
from django.db import connection
from django.test import Client

from boxoffice.events import selectors as event_selectors
from boxoffice.shop import stream
from tests.builders.events import on_sale_event
from tests.builders.organizers import host_of, make_organizer
from tests.shop.test_stream import request as stream_request

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@contextlib.contextmanager
def pool_of(size: int, timeout: float) -> Iterator[object]:
    """The default database's pool replaced by one of `size` connections for the block."""
    options = connection.settings_dict["OPTIONS"]
    saved = options.get("pool")
    connection.close()
    connection.close_pool()
    options["pool"] = {"min_size": size, "max_size": size, "timeout": timeout}
    pool = connection.pool
    pool.open(wait=True)  # Django would open it at the first request; the tests lend from it
    try:
        yield pool
    finally:
        connection.close()
        connection.close_pool()
        if saved is None:
            options.pop("pool")
        else:
            options["pool"] = saved


def in_thread(work, *args):
    """Run `work` in a thread of its own, as uvicorn runs each request; hand back its result."""
    outcome = {}

    def run():
        try:
            outcome["value"] = work(*args)
        finally:
            connection.close()  # back to the pool, as at the end of a request

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    return outcome["value"]


def titles(host: str) -> list[str]:
    answer = Client(HTTP_HOST=host).get("/api/v1/events")
    assert answer.status_code == 200, answer.content
    return [event["title"] for event in answer.json()["items"]]


def search_path_of_the_idle_connection(pool) -> str:
    with pool.connection() as raw:
        return raw.execute("SHOW search_path").fetchone()[0]


def test_a_pooled_connection_lent_to_two_organizers_reads_each_ones_schema():
    alpha, beta = make_organizer("pool-alpha"), make_organizer("pool-beta")
    on_sale_event(alpha, title="Alpha night")
    connection.set_schema_to_public()
    with pool_of(1, timeout=5) as pool:
        assert in_thread(titles, host_of(alpha)) == ["Alpha night"]
        # The one connection went back to the pool still pointed at alpha's schema...
        assert search_path_of_the_idle_connection(pool).startswith(alpha.schema_name)
        # ...and the next organizer's request on it reads its own, and back again.
        assert in_thread(titles, host_of(beta)) == []
        assert in_thread(titles, host_of(alpha)) == ["Alpha night"]
        assert pool.get_stats()["connections_num"] == 1  # the same connection every time


def test_a_burst_larger_than_the_pool_waits_or_gets_503_never_500(monkeypatch):
    organizer = make_organizer("pool-burst")
    connection.set_schema_to_public()
    host = host_of(organizer)
    entered = threading.Semaphore(0)
    release = threading.Event()
    listed_events = event_selectors.listed_events

    def slow_for_holders(*args, **kwargs):
        # The two holders keep their connections (inside a request) until told to finish.
        if threading.current_thread().name.startswith("holder"):
            entered.release()
            assert release.wait(timeout=30)
        return listed_events(*args, **kwargs)

    monkeypatch.setattr(event_selectors, "listed_events", slow_for_holders)
    answers: dict[str, object] = {}

    def request(name: str) -> None:
        try:
            answers[name] = Client(HTTP_HOST=host).get("/api/v1/events")
        finally:
            connection.close()

    def start(name: str) -> threading.Thread:
        thread = threading.Thread(target=request, args=(name,), name=name)
        thread.start()
        return thread

    with pool_of(2, timeout=1.0) as pool:
        holders = [start(f"holder-{n}") for n in range(2)]
        for _ in holders:
            assert entered.acquire(timeout=30)
        # Both connections lent: a burst of four waits its second and is told to come back.
        for thread in [start(f"refused-{n}") for n in range(4)]:
            thread.join()
        # Two more queue for a connection and get one as soon as the holders finish.
        waiters = [start(f"waiter-{n}") for n in range(2)]
        deadline = time.monotonic() + 30
        while pool.get_stats().get("requests_waiting", 0) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        release.set()
        for thread in holders + waiters:
            thread.join()

    statuses = {name: answer.status_code for name, answer in answers.items()}
    assert statuses == {
        **{f"holder-{n}": 200 for n in range(2)},
        **{f"refused-{n}": 503 for n in range(4)},
        **{f"waiter-{n}": 200 for n in range(2)},
    }
    refused = answers["refused-0"]
    assert refused["Retry-After"] == "2"
    assert refused.json()["code"] == "service_busy"
    assert refused.json()["details"] == {"retry_after": 2}


def test_the_availability_stream_waits_for_the_pool_but_listens_beside_it():
    organizer = make_organizer("pool-stream")
    event = on_sale_event(organizer, rows=1, seats=2)
    connection.set_schema_to_public()
    path = f"/api/v1/events/{event.uid}/availability/stream"
    stream._lookups.clear()

    def open_stream():
        return asyncio.run(stream_request(path, host_of(organizer), until="event: ready"))

    with pool_of(1, timeout=0.3) as pool:
        held = pool.getconn()
        status, body, headers = open_stream()  # the lookup finds the pool empty
        assert (status, headers[b"retry-after"]) == (503, b"2")
        assert json.loads(body)["code"] == "service_busy"
        pool.putconn(held)
        assert open_stream()[0] == 200  # the refusal was not remembered
        # Looked up now (cached), a stream needs no pooled connection: its LISTEN connection
        # is its own, so it is served while the pool has nothing to lend.
        held = pool.getconn()
        status, body, _ = open_stream()
        pool.putconn(held)
        assert status == 200 and "event: ready" in body
    stream._lookups.clear()
