"""Live seat changes: one LISTEN connection per server process, fanned out to every open stream.

The database announces changes itself: a statement-level trigger on `events_eventseat`
(migration 0001) sends one NOTIFY per event and statement on the channel `boxoffice_seats`, with
the payload `<schema> <event pk> <position><letter>,...` (letters as in the availability
snapshot) or `<schema> <event pk> *` when the change is too big to list. NOTIFY is transactional:
nothing is announced for a claim that is rolled back, and it is sent at commit.

`SeatChanges` keeps one psycopg async connection that LISTENs on that channel while at least one
stream is open (and a little longer), and hands each notification to the queues of the streams
watching that schema and event. `connected` is set exactly while LISTEN is in place: a stream
says `ready` only then (stream.py), so nothing committed after `ready` goes unannounced. Streams
cost no database connection of their own. When the connection drops, every stream is told to
`reset` (fetch the snapshot again) and it reconnects.
"""

import asyncio
import contextlib
import logging
import weakref
from collections.abc import AsyncIterator
from typing import Any

import psycopg
from django.db import connections

logger = logging.getLogger(__name__)

CHANNEL = "boxoffice_seats"  # spelled the same in migrations/0001
RESET = "reset"  # what a stream gets instead of changes it may have missed
QUEUE_LIMIT = 200  # changes waiting for one slow client; past that it gets a reset
LINGER_SECONDS = 30.0  # keep listening this long after the last stream closes
RECONNECT_SECONDS = (0.5, 1.0, 2.0, 5.0)

Key = tuple[str, int]  # (organizer schema, event pk)


def listen_params() -> dict[str, Any]:
    """Django's database settings as psycopg connection arguments (tests: the test database)."""
    settings = connections["default"].settings_dict
    params: dict[str, Any] = {
        "dbname": settings["NAME"],
        "user": settings["USER"] or None,
        "password": settings["PASSWORD"] or None,
        "host": settings["HOST"] or None,
        "port": str(settings["PORT"]) if settings["PORT"] else None,
    }
    options = {
        key: value
        for key, value in settings.get("OPTIONS", {}).items()
        if key in {"sslmode", "sslrootcert", "sslcert", "sslkey", "connect_timeout", "options"}
    }
    params.update(options)
    params["application_name"] = "boxoffice-live"
    return {key: value for key, value in params.items() if value is not None}


def parse(payload: str) -> tuple[Key, str] | None:
    """`org_demo 12 4h,5h` -> (("org_demo", 12), "4h,5h"); None for anything malformed."""
    parts = payload.split(" ", 2)
    if len(parts) != 3 or not parts[1].isdigit():
        return None
    return (parts[0], int(parts[1])), parts[2]


class SeatChanges:
    """The fan-out of one process (one event loop)."""

    def __init__(self) -> None:
        self._streams: dict[Key, set[asyncio.Queue[str]]] = {}
        self._task: asyncio.Task[None] | None = None
        self._idle_since: float | None = None
        self.connected = asyncio.Event()

    @property
    def stream_count(self) -> int:
        return sum(len(queues) for queues in self._streams.values())

    @contextlib.asynccontextmanager
    async def subscribe(self, key: Key) -> AsyncIterator[asyncio.Queue[str]]:
        queue: asyncio.Queue[str] = asyncio.Queue(QUEUE_LIMIT)
        self._streams.setdefault(key, set()).add(queue)
        self._idle_since = None
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._listen(), name="seat-changes-listener")
        try:
            yield queue
        finally:
            queues = self._streams.get(key)
            if queues is not None:
                queues.discard(queue)
                if not queues:
                    del self._streams[key]
            if not self._streams:
                self._idle_since = asyncio.get_running_loop().time()

    async def close(self) -> None:
        """Stop listening now (server shutdown): the LISTEN connection closes."""
        task, self._task = self._task, None
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def _deliver(self, key: Key, message: str) -> None:
        for queue in self._streams.get(key, ()):
            try:
                queue.put_nowait(message)
            except asyncio.QueueFull:
                # A client this far behind gets a clean slate rather than a partial picture.
                while not queue.empty():
                    queue.get_nowait()
                queue.put_nowait(RESET)

    def _reset_all(self) -> None:
        for key in list(self._streams):
            self._deliver(key, RESET)

    def _lingered(self) -> bool:
        if self._streams or self._idle_since is None:
            return False
        return asyncio.get_running_loop().time() - self._idle_since >= LINGER_SECONDS

    async def _listen(self) -> None:
        failures = 0
        while not self._lingered():
            try:
                conn = await psycopg.AsyncConnection.connect(**listen_params(), autocommit=True)
            except psycopg.Error as error:
                delay = RECONNECT_SECONDS[min(failures, len(RECONNECT_SECONDS) - 1)]
                failures += 1
                logger.warning("seat changes: cannot connect (%s); retry in %ss", error, delay)
                await asyncio.sleep(delay)
                continue
            try:
                async with conn:
                    await conn.execute(f"LISTEN {CHANNEL}")
                    failures = 0
                    self.connected.set()
                    # Whatever happened while nobody listened is unknown: everyone resyncs.
                    self._reset_all()
                    while not self._lingered():
                        async for notify in conn.notifies(timeout=LINGER_SECONDS / 3):
                            parsed = parse(notify.payload)
                            if parsed is not None:
                                self._deliver(*parsed)
                    # Before closing (which awaits): a stream opening meanwhile must not take
                    # this connection for one that listens.
                    self.connected.clear()
            except psycopg.Error as error:
                logger.warning("seat changes: connection lost (%s); reconnecting", error)
                self._reset_all()
            finally:
                self.connected.clear()
        self._task = None


_by_loop: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, SeatChanges]" = (
    weakref.WeakKeyDictionary()
)


async def close_seat_changes() -> None:
    """Server shutdown: close this event loop's LISTEN connection, if any."""
    hub = _by_loop.pop(asyncio.get_running_loop(), None)
    if hub is not None:
        await hub.close()


def seat_changes() -> SeatChanges:
    """This event loop's fan-out (one per server process; tests may run several loops)."""
    loop = asyncio.get_running_loop()
    hub = _by_loop.get(loop)
    if hub is None:
        hub = _by_loop[loop] = SeatChanges()
    return hub
