"""The availability stream as the ASGI app serves it: refusals, `ready`, seat changes from the
database, the end of the stream on disconnect, and Django for every other path."""

import asyncio

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from boxoffice.sales import services
from boxoffice.shop import stream
from boxoffice.shop.live import close_seat_changes
from tests.factories import make_organizer
from tests.reservations import on_sale_event

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


async def request(path: str, host: str = "streama.localhost", *, until: str = "", act=None):
    """Run one request; collect what is sent until `until` appears in the body, then
    disconnect (after running `act` once the stream is ready)."""
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
            if act is not None and "event: ready" in text and not getattr(act, "done", False):
                act.done = True
                await asyncio.to_thread(act)
            if until and until in text:
                disconnect.set()

    await asyncio.wait_for(app(scope(path, host), receive, send), 10)
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
            services.start_hold_with_seats(event_id=event.uid, refs=["stalls/A/2"])
        connection.close()

    path = f"/api/v1/events/{event.slug}/availability/stream"
    status, body, headers = asyncio.run(request(path, until="event: seats", act=take))
    assert status == 200 and headers[b"content-type"].startswith(b"text/event-stream")
    assert body.startswith("retry: 2000\nevent: ready\n")
    assert "event: seats\ndata: 1h\n\n" in body  # stalls/A/2 is position 1
