"""The availability stream as the ASGI app serves it: refusals, `ready`, seat changes from the
database, the end of the stream on disconnect, and Django for every other path."""

import asyncio
import threading

import psycopg
import pytest
from django.db import connection
from django_tenants.utils import schema_context

from boxoffice.sales.services import holds
from boxoffice.shop import stream
from boxoffice.shop.live import close_seat_changes, seat_changes
from tests.builders.events import on_sale_event
from tests.builders.organizers import make_organizer

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def shop():
    organizer = make_organizer("streama")
    event = on_sale_event(organizer, rows=2, seats=4)
    connection.set_schema_to_public()
    stream._lookups.clear()
    yield organizer, event
    connection.set_schema_to_public()
    with connection.cursor() as cursor:
        cursor.execute("DROP SCHEMA IF EXISTS org_streama CASCADE")


async def django_stand_in(scope, receive, send):
    await send({"type": "http.response.start", "status": 299, "headers": []})
    await send({"type": "http.response.body", "body": b"django"})


def scope(path: str, host: str = "streama.localhost") -> dict:
    return {"type": "http", "method": "GET", "path": path, "headers": [(b"host", host.encode())]}


async def request(
    path: str, host: str = "streama.localhost", *, until: str = "", act=None, at_ready=None
):
    """Run one request; collect what is sent until `until` appears in the body, then
    disconnect (after running `act` once the stream is ready). `at_ready` (a list) gets
    whether this loop's listener was LISTENing when `ready` was sent."""
    app = stream.with_availability_streams(django_stand_in)
    disconnect = asyncio.Event()
    sent: list[dict] = []
    body = []

    async def receive():
        await disconnect.wait()
        return {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)
        if message["type"] == "http.response.body":
            body.append(message.get("body", b"").decode())
            text = "".join(body)
            if at_ready is not None and "event: ready" in text and not at_ready:
                at_ready.append(seat_changes().connected.is_set())
            if act is not None and "event: ready" in text and not getattr(act, "done", False):
                act.done = True
                await asyncio.to_thread(act)
            if until and until in text:
                disconnect.set()

    # A bound against a hang, generous for a loaded machine.
    await asyncio.wait_for(app(scope(path, host), receive, send), 30)
    await close_seat_changes()
    return sent[0]["status"], "".join(body), dict(sent[0]["headers"])


def test_refusals_and_other_paths(shop):
    _organizer, event = shop
    status, body, _ = asyncio.run(request("/api/v1/events/nope/availability/stream"))
    assert status == 404 and '"event_not_found"' in body
    path = f"/api/v1/events/{event.uid}/availability/stream"
    status, body, _ = asyncio.run(request(path, host="nobody.localhost"))
    assert status == 404 and '"unknown_site"' in body
    status, body, _ = asyncio.run(request(path, host="evil.example.com"))
    assert status == 400
    status, body, _ = asyncio.run(request("/api/v1/events/x/availability"))
    assert (status, body) == (299, "django")


def test_a_stream_gets_ready_then_the_seats_others_take(shop):
    organizer, event = shop

    def take():
        with schema_context(organizer.schema_name):
            holds.start_hold_with_seats(event_id=event.uid, refs=["stalls/A/2"])
        connection.close()

    path = f"/api/v1/events/{event.slug}/availability/stream"
    status, body, headers = asyncio.run(request(path, until="event: seats", act=take))
    assert status == 200 and headers[b"content-type"].startswith(b"text/event-stream")
    assert body.startswith("retry: 2000\n\nevent: ready\n")
    assert "event: seats\ndata: 1h\n\n" in body  # stalls/A/2 is position 1


def test_ready_waits_for_the_listener_so_no_change_falls_between(shop, monkeypatch):
    """A stream used to say `ready` on subscribing, while the process's LISTEN connection was
    still being made: a seat taken in between was in neither the snapshot the page fetched on
    `ready` nor the stream (the cause of this file's flaky failure under xdist, where a loaded
    machine connects slowly). Here the listener's connection gets through only after such a
    seat is taken (or after 3 s, when nothing takes one before `ready`)."""
    organizer, event = shop
    taken = threading.Event()
    connect = psycopg.AsyncConnection.connect

    async def slow_connect(*args, **kwargs):
        await asyncio.to_thread(taken.wait, 3)
        return await connect(*args, **kwargs)

    monkeypatch.setattr(psycopg.AsyncConnection, "connect", slow_connect)

    def take():
        with schema_context(organizer.schema_name):
            holds.start_hold_with_seats(event_id=event.uid, refs=["stalls/A/3"])
        connection.close()
        taken.set()

    path = f"/api/v1/events/{event.uid}/availability/stream"
    at_ready: list[bool] = []
    _status, body, _ = asyncio.run(request(path, until="event: seats", act=take, at_ready=at_ready))
    assert at_ready == [True]
    assert "event: seats\ndata: 2h\n\n" in body
    assert "event: reset" not in body  # the listener's reset on connecting predates `ready`


def test_without_a_listener_the_stream_ends_before_ready(shop, monkeypatch):
    """No LISTEN connection to be had (the database refuses): no `ready` (the page would stop
    polling and say "Live"); the stream ends, the page polls and EventSource comes back."""
    _organizer, event = shop

    async def refused(*args, **kwargs):
        raise psycopg.OperationalError("too many clients")

    monkeypatch.setattr(psycopg.AsyncConnection, "connect", refused)
    monkeypatch.setattr(stream, "READY_WAIT_SECONDS", 0.5)
    path = f"/api/v1/events/{event.uid}/availability/stream"
    status, body, _ = asyncio.run(request(path))
    assert status == 200 and body == "retry: 2000\n\n"
