"""`GET /api/v1/events/{id}/availability/stream`: Server-Sent Events of an event's seat changes.

Served by the ASGI application only (boxoffice/asgi.py puts `with_availability_streams` in front
of Django), because a stream is a long-lived request: here it costs an asyncio task and a queue,
no thread and no database connection (the changes come from the process's one LISTEN connection,
`live.SeatChanges`). The organizer and the event are looked up once, in a worker thread, with the
same rules as the rest of the site: unknown host or event 404, suspended organizer 423, drafts are
not streamed.

Messages:
- `ready` once the process's LISTEN is in place for this stream, so that every change committed
  after it arrives here: fetch the snapshot (`/events/{id}/availability`, ETag) then. Sent any
  earlier (on subscribing, while the listener still connects), a change committed in between
  would be neither in that snapshot nor announced. When LISTEN cannot be had within
  `READY_WAIT_SECONDS` the stream ends without `ready`: the page polls and EventSource retries;
- `reset` when changes may have been missed (the LISTEN connection dropped, a slow client):
  fetch the snapshot again;
- `seats` with `<position><letter>,...` (letters as in the snapshot), or `*` for "too many to
  list, fetch the snapshot";
- a comment every 15 s keeps proxies from closing an idle stream; after `STREAM_SECONDS` the
  server ends the stream and the browser's EventSource reconnects (and resyncs).
"""

import asyncio
import json
import re
import time
from collections.abc import Awaitable, Callable
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import OperationalError, close_old_connections, connection
from django_tenants.utils import get_public_schema_name, schema_context

from boxoffice.busy import BUSY_MESSAGE, RETRY_AFTER_SECONDS
from boxoffice.error_codes import ErrorCatalogue
from boxoffice.error_codes import ErrorCode as KernelCode
from boxoffice.events.error_codes import ErrorCode as EventCode
from boxoffice.shop.error_codes import ErrorCode
from boxoffice.shop.live import RESET, SeatChanges, close_seat_changes, seat_changes

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

STREAM_PATH = re.compile(r"^/api/v1/events/(?P<event>[A-Za-z0-9_-]{1,80})/availability/stream$")
KEEPALIVE_SECONDS = 15.0
READY_WAIT_SECONDS = 10.0  # how long a stream waits for the LISTEN connection before `ready`
STREAM_SECONDS = 600.0
RETRY_MS = 2000
LOOKUP_CACHE_SECONDS = 30.0
_lookups: dict[tuple[str, str], tuple[float, tuple[int, Any]]] = {}


class Refusal(Exception):
    def __init__(
        self, status: int, code: ErrorCatalogue, message: str, retry_after: int | None = None
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.retry_after = retry_after


def _host(scope: Scope) -> str:
    from tenants.selectors import hostname_of

    for name, value in scope.get("headers", []):
        if name == b"host":
            return hostname_of(value.decode("latin-1"))
    return ""


def _find(hostname: str, identifier: str) -> tuple[str, int]:
    """(schema, event pk) of a public event on this organizer's site, or a Refusal."""
    from boxoffice.events.models import Event
    from boxoffice.events.selectors import PUBLIC_STATUSES, find_event
    from tenants.models import Domain
    from tenants.selectors import organizer_for_host

    close_old_connections()
    try:
        try:
            # The same wait for a pooled connection, and the same 503, as any other request.
            connection.ensure_connection()
        except OperationalError as error:
            raise Refusal(
                503,
                KernelCode.SERVICE_BUSY,
                BUSY_MESSAGE,
                RETRY_AFTER_SECONDS,
            ) from error
        try:
            organizer = organizer_for_host(hostname)
        except Domain.DoesNotExist:
            organizer = None
        if organizer is None or organizer.schema_name == get_public_schema_name():
            raise Refusal(
                404,
                KernelCode.UNKNOWN_SITE,
                f"No organizer uses the address {hostname}.",
            )
        if organizer.is_suspended:
            raise Refusal(
                423,
                KernelCode.ORGANIZER_SUSPENDED,
                "This organizer's site is suspended.",
            )
        with schema_context(organizer.schema_name):
            event = find_event(Event.objects.filter(status__in=PUBLIC_STATUSES).only("uid"),
                               identifier)  # fmt: skip
        if event is None:
            raise Refusal(404, EventCode.EVENT_NOT_FOUND, "No such event.")
        return organizer.schema_name, event.pk
    finally:
        # A stream lives for minutes: it must not keep this thread's connection open.
        connection.close()


async def _lookup(hostname: str, identifier: str) -> tuple[str, int]:
    """Cached briefly, so that a crowd reconnecting at once costs one query per event."""
    now = time.monotonic()
    cached = _lookups.get((hostname, identifier))
    if cached is not None and cached[0] > now:
        outcome = cached[1]
    else:
        try:
            outcome = (0, await sync_to_async(_find, thread_sensitive=False)(hostname, identifier))
        except Refusal as refusal:
            if refusal.retry_after:
                raise  # busy now, not an answer to remember
            outcome = (1, refusal)
        if len(_lookups) > 10_000:
            _lookups.clear()
        _lookups[(hostname, identifier)] = (now + LOOKUP_CACHE_SECONDS, outcome)
    if outcome[0]:
        raise outcome[1]
    return outcome[1]


async def _refuse(send: Send, refusal: Refusal) -> None:
    details = {"retry_after": refusal.retry_after} if refusal.retry_after else {}
    body = json.dumps({"code": refusal.code, "message": refusal.message, "details": details})
    headers = [(b"content-type", b"application/json"), (b"cache-control", b"no-store")]
    if refusal.retry_after:
        headers.append((b"retry-after", str(refusal.retry_after).encode()))
    await send({"type": "http.response.start", "status": refusal.status, "headers": headers})
    await send({"type": "http.response.body", "body": body.encode()})


async def availability_stream(scope: Scope, receive: Receive, send: Send, identifier: str) -> None:
    hostname = _host(scope)
    allowed = settings.BASE_DOMAIN
    if not (hostname == allowed or hostname.endswith("." + allowed)):
        await _refuse(send, Refusal(400, ErrorCode.BAD_HOST, "Unknown host."))
        return
    try:
        key = await _lookup(hostname, identifier)
    except Refusal as refusal:
        await _refuse(send, refusal)
        return

    disconnected = asyncio.Event()

    async def watch_disconnect() -> None:
        while (await receive())["type"] != "http.disconnect":
            pass
        disconnected.set()

    watcher = asyncio.create_task(watch_disconnect())
    hub = seat_changes()
    try:
        async with hub.subscribe(key) as queue:
            await send(
                {
                    "type": "http.response.start",
                    "status": 200,
                    "headers": [
                        (b"content-type", b"text/event-stream; charset=utf-8"),
                        (b"cache-control", b"no-cache, no-store"),
                        (b"x-accel-buffering", b"no"),  # nginx: do not buffer the stream
                    ],
                }
            )
            await _body(send, f"retry: {RETRY_MS}\n\n")
            if not await _listening(hub, disconnected):
                if not disconnected.is_set():
                    await send({"type": "http.response.body", "body": b"", "more_body": False})
                return
            # What the queue holds (at least the listener's reset on connecting) predates `ready`,
            # and the snapshot the client fetches on `ready` covers it.
            while not queue.empty():
                queue.get_nowait()
            await _body(send, "event: ready\ndata: \n\n")
            deadline = time.monotonic() + STREAM_SECONDS
            while not disconnected.is_set() and time.monotonic() < deadline:
                getter = asyncio.ensure_future(queue.get())
                stop = asyncio.ensure_future(disconnected.wait())
                done, _ = await asyncio.wait(
                    {getter, stop}, timeout=KEEPALIVE_SECONDS, return_when=asyncio.FIRST_COMPLETED
                )
                stop.cancel()
                if getter not in done:
                    getter.cancel()
                    if not disconnected.is_set():
                        await _body(send, ": keep-alive\n\n")
                    continue
                message = getter.result()
                if message == RESET:
                    await _body(send, "event: reset\ndata: \n\n")
                else:
                    await _body(send, f"event: seats\ndata: {message}\n\n")
            if not disconnected.is_set():
                await send({"type": "http.response.body", "body": b"", "more_body": False})
    finally:
        watcher.cancel()


async def _listening(hub: SeatChanges, disconnected: asyncio.Event) -> bool:
    """Wait until the hub LISTENs (True), the client leaves or READY_WAIT_SECONDS pass."""
    if hub.connected.is_set():
        return True
    waiters = {
        asyncio.ensure_future(hub.connected.wait()),
        asyncio.ensure_future(disconnected.wait()),
    }
    await asyncio.wait(waiters, timeout=READY_WAIT_SECONDS, return_when=asyncio.FIRST_COMPLETED)
    for waiter in waiters:
        waiter.cancel()
    return hub.connected.is_set() and not disconnected.is_set()


async def _body(send: Send, text: str) -> None:
    await send({"type": "http.response.body", "body": text.encode(), "more_body": True})


async def lifespan(receive: Receive, send: Send) -> None:
    """Django has no lifespan events; the one thing to do at shutdown is closing the LISTEN
    connection, so that the database sees this process leave at once."""
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await close_seat_changes()
            await send({"type": "lifespan.shutdown.complete"})
            return


def with_availability_streams(django_app: ASGIApp) -> ASGIApp:
    """The ASGI application: availability streams here, everything else to Django."""

    async def application(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await lifespan(receive, send)
            return
        if scope["type"] == "http" and scope.get("method") == "GET":
            match = STREAM_PATH.match(scope.get("path", ""))
            if match:
                await availability_stream(scope, receive, send, match["event"])
                return
        await django_app(scope, receive, send)

    return application
