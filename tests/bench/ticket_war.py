"""Benchmark: a ticket war. 200 customers fight over a 20,000-seat event through a real server.

    make bench        # runs: .venv/bin/python -m tests.bench.ticket_war
    .venv/bin/python -m tests.bench.ticket_war --setups gthread:3:60 --duration 10 --no-write

On a throwaway embedded PostgreSQL (see tests.bench.common.start_throwaway_database) it builds an
on-sale event of 100 rows x 200 seats through the real services, starts gunicorn with
infra/gunicorn.conf.py (DEBUG off) on loopback and lets `--clients` asyncio customers, each on a
keep-alive HTTP connection of its own, call `POST /api/v1/events/{id}/holds {"seats": [...]}`:
create a hold and claim 2-4 seats next to each other in one row, all or nothing. Half of the
picks fall among the best 10% of the seats (lowest rank), half among the rest.

Customers pick from a live map: a seat the load generator has seen held (a 201, or the seats a 409
names) is not picked again, as on the shop's availability map, so conflicts are races between
requests in flight (`--blind` picks without the map). Every customer sends its own
X-Forwarded-For address, as customers behind a proxy would (`--one-address`: all on one).

Runs, each on a fresh event and a fresh server (`--setups`, kind:workers:CONN_MAX_AGE):
- closed loop, per setup: the next request goes as soon as the answer is in. This measures the
  most seats per second the server holds; with 200 customers the latency is then mostly queueing
  (Little's law: latency = customers / throughput). Kind `production` is infra/gunicorn.conf.py as
  it is (threaded WSGI workers, WEB_THREADS=2 each); `uvicorn` is that file with uvicorn's ASGI
  workers (what production used before this benchmark); `gthread` is the threaded WSGI worker with
  one thread (one request at a time per worker).
- the best setup again with `--conn-max-age-too`.
- paced (unless `--no-paced`): the best setup at an offered load of the 1,000 seats/s target, or
  of half its measured rate if that is lower (`--paced-seats`: at these loads instead), each
  customer sending on a Poisson schedule: the latency a customer sees below saturation.
- the ceiling: the same statement as the service (`START_HOLD` from
  boxoffice.sales.services.holds, in autocommit), from `--ceiling-threads` threads with a raw
  psycopg connection each, same demand and live map, in rounds on fresh events (it fills a
  house in seconds).

After each run it checks from the database that no seat was held or sold twice: every successful
answer's seats are held by that answer's hold (token -> sha256 -> sales_hold), no seat is in two
successful answers, the held seats are exactly those answers' seats, and refused requests left no
hold behind. A failure makes the script exit non-zero (after writing its block into
tests/bench/RESULTS.md). Answers other than 201/409 are counted and reported as errors.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import hashlib
import json
import math
import os
import random
import resource
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.bench.common import (
    machine_lines,
    markdown_table,
    start_throwaway_database,
    write_results,
)

SECTION = "## Ticket war"
PRODUCER = "tests/bench/ticket_war.py"
COMMAND = ".venv/bin/python -m tests.bench.ticket_war"
REPO = Path(__file__).resolve().parents[2]
SLUG = "war"
HOST = f"{SLUG}.localhost"

ROWS, SEATS_PER_ROW = 100, 200
MAX_SEATS_PER_ORDER = 6
HOT_SHARE = 0.10  # the best 10% of the seats by rank...
HOT_DEMAND = 0.5  # ...get half of the picks
RUN_LENGTHS = (2, 3, 4)
# Random draws of a run before a customer scans its block for a free one.
PICK_TRIES = 20
# A run ends when this share of the house is known to be taken: past it, the demand pattern
# (half on the best block) no longer holds and picks slow the load generator down.
FULL_SHARE = 0.8
# The ceiling fills the house in seconds, so it runs in rounds, each on a fresh event, until its
# windows add up to the run duration (or this many rounds).
CEILING_WARMUP, CEILING_ROUNDS = 0.5, 6
TARGET_SEATS_PER_SECOND = 1000
TARGET_P99_MS = 100
SERVER_KINDS = ("production", "uvicorn", "gthread")
CPU_GROUPS = ("client", "server", "postgres", "machine_busy")
# A worker that has used this much CPU has imported Django; one that then uses less than the
# second figure in 0.3 s is idle, i.e. ready.
WORKER_LOAD_CPU, WORKER_IDLE_CPU = 0.1, 0.02
Run = tuple[str, ...]


# --- the house and the demand -------------------------------------------------------------------


@dataclass
class House:
    """One event's seats as the customers see them: runs of 2-4 adjacent seats in a row, split
    into the best block and the rest, and the live map of seats known to be taken."""

    event_pk: int
    event_uid: str
    seats: int
    hot: frozenset[str]
    hot_runs: dict[int, list[Run]]
    cold_runs: dict[int, list[Run]]
    live_map: bool = True
    taken: set[str] = field(default_factory=set)
    # (best block?, run length) pairs known to have no free run left: skipped without a scan.
    exhausted: set[tuple[bool, int]] = field(default_factory=set)

    def pick(self, rng: random.Random) -> Run | None:
        """A run for one customer, or None when no free run is left anywhere."""
        size = rng.choice(RUN_LENGTHS)
        order = (True, False) if rng.random() < HOT_DEMAND else (False, True)
        for hot in order:
            runs = (self.hot_runs if hot else self.cold_runs)[size]
            if not self.live_map:
                return runs[rng.randrange(len(runs))]
            if (hot, size) in self.exhausted:
                continue
            for _ in range(PICK_TRIES):
                run = runs[rng.randrange(len(runs))]
                if self.taken.isdisjoint(run):
                    return run
            start = rng.randrange(len(runs))
            for run in runs[start:] + runs[:start]:
                if self.taken.isdisjoint(run):
                    return run
            # Seats are only ever taken during a run, so an exhausted block stays exhausted.
            self.exhausted.add((hot, size))
        return None

    def nearly_full(self) -> bool:
        return len(self.taken) >= FULL_SHARE * self.seats


def build_house(organizer: Any, label: str, *, live_map: bool) -> House:
    """A fresh 20,000-seat event on sale, built through the real services, and its runs."""
    from django.db import connection
    from django_tenants.utils import schema_context

    from boxoffice.events.models import EventSeat
    from tests.builders.events import on_sale_event

    event = on_sale_event(
        organizer,
        rows=ROWS,
        seats=SEATS_PER_ROW,
        max_seats_per_order=MAX_SEATS_PER_ORDER,
        title=f"Ticket war {label}",
    )
    with schema_context(organizer.schema_name):
        # Autovacuum would analyze the new rows within a minute; a war starting sooner meets
        # empty statistics, and then the generic plan of the prepared claim (the ceiling's)
        # scans every available seat of the event instead of the (event, ref) index.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE events_eventseat")
        seats = list(
            EventSeat.objects.filter(event=event, kind=EventSeat.Kind.SEAT)
            .order_by("section", "row", "seat_index")
            .values_list("ref", "section", "row", "seat_index", "rank", "position")
        )
    connection.set_schema_to_public()
    best = sorted(seats, key=lambda seat: (seat[4], seat[5]))[: round(HOT_SHARE * len(seats))]
    hot = frozenset(seat[0] for seat in best)
    rows: dict[tuple[str, str], list[tuple[str, int]]] = {}
    for ref, section, row, index, _rank, _position in seats:
        rows.setdefault((section, row), []).append((ref, index))
    hot_runs: dict[int, list[Run]] = {size: [] for size in RUN_LENGTHS}
    cold_runs: dict[int, list[Run]] = {size: [] for size in RUN_LENGTHS}
    for row_seats in rows.values():
        for size in RUN_LENGTHS:
            for start in range(len(row_seats) - size + 1):
                window = row_seats[start : start + size]
                if window[-1][1] - window[0][1] != size - 1:
                    continue  # a gap (aisle) in the row: not adjacent
                run = tuple(ref for ref, _index in window)
                hot_count = sum(ref in hot for ref in run)
                # Runs straddling the block's edge belong to neither, so each block's demand
                # stays inside it.
                if hot_count == size:
                    hot_runs[size].append(run)
                elif hot_count == 0:
                    cold_runs[size].append(run)
    return House(
        event_pk=event.pk,
        event_uid=event.uid,
        seats=len(seats),
        hot=hot,
        hot_runs=hot_runs,
        cold_runs=cold_runs,
        live_map=live_map,
    )


# --- measuring ----------------------------------------------------------------------------------


def process_tree_cpu(root: Any) -> float:
    """CPU seconds of a process, its live descendants and the children it has reaped (workers
    recycled by gunicorn, backends that ended with their connection)."""
    import psutil

    try:
        own = root.cpu_times()
    except psutil.Error:
        return 0.0
    total = own.user + own.system + own.children_user + own.children_system
    for child in root.children(recursive=True):
        with contextlib.suppress(psutil.Error):
            times = child.cpu_times()
            total += times.user + times.system
    return total


@dataclass(frozen=True)
class CpuSnapshot:
    at: float
    client: float
    server: float
    postgres: float
    machine_busy: float


def cpu_snapshot(server: Any | None, postmaster: Any) -> CpuSnapshot:
    import psutil

    usage = resource.getrusage(resource.RUSAGE_SELF)
    machine = psutil.cpu_times()
    return CpuSnapshot(
        at=time.perf_counter(),
        client=usage.ru_utime + usage.ru_stime,
        server=process_tree_cpu(server) if server is not None else 0.0,
        postgres=process_tree_cpu(postmaster),
        # Guest time is already in user time; steal is time the hypervisor gave to others.
        machine_busy=machine.user
        + machine.nice
        + machine.system
        + getattr(machine, "irq", 0.0)
        + getattr(machine, "softirq", 0.0),
    )


@dataclass(frozen=True)
class Setup:
    """A web server to fight against: `production` is infra/gunicorn.conf.py as it is (threaded
    WSGI, two threads per worker); `uvicorn` is that file with uvicorn's ASGI workers; `gthread`
    is the threaded WSGI worker with one thread, i.e. one request at a time per worker."""

    kind: str
    workers: int
    conn_max_age: int

    @classmethod
    def parse(cls, text: str) -> Setup:
        kind, workers, age = text.split(":")
        if kind not in SERVER_KINDS:
            raise argparse.ArgumentTypeError(f"server kind is one of {', '.join(SERVER_KINDS)}")
        return cls(kind, int(workers), int(age))

    def describe(self) -> str:
        return f"{self.kind}, {self.workers} workers, CONN_MAX_AGE={self.conn_max_age}"


@dataclass
class War:
    """What one run saw. Samples are (ended at, seconds, outcome, seats) with outcome 'held',
    'conflict' or an error label."""

    label: str
    setup: Setup | None = None
    offered_rps: float | None = None
    samples: list[tuple[float, float, str, int]] = field(default_factory=list)
    successes: list[tuple[str | int, Run]] = field(default_factory=list)
    error_examples: list[str] = field(default_factory=list)
    windows: list[tuple[float, float]] = field(default_factory=list)
    cpu_seconds: Counter[str] = field(default_factory=Counter)
    house_full: bool = False
    db_connections: int = 0
    problems: list[str] = field(default_factory=list)
    checked: str = ""
    error_log: str = ""

    def record(self, started: float, outcome: str, seats: int) -> None:
        ended = time.perf_counter()
        self.samples.append((ended, ended - started, outcome, seats))

    def in_window(self) -> list[tuple[float, float, str, int]]:
        return [
            sample
            for sample in self.samples
            if any(start <= sample[0] <= end for start, end in self.windows)
        ]

    @property
    def seconds(self) -> float:
        return sum(end - start for start, end in self.windows)

    @property
    def cpu(self) -> dict[str, float]:
        """Cores busy during the windows, per process group."""
        return {name: self.cpu_seconds[name] / (self.seconds or math.nan) for name in CPU_GROUPS}

    def absorb(self, other: War) -> None:
        """Add one round of the ceiling to the whole."""
        self.samples += other.samples
        self.successes += other.successes
        self.windows += other.windows
        self.cpu_seconds.update(other.cpu_seconds)
        self.problems += other.problems
        self.house_full = self.house_full or other.house_full

    def summary(self) -> dict[str, float]:
        samples = self.in_window()
        latencies = [sample[1] * 1000 for sample in samples]
        outcomes = Counter(sample[2] for sample in samples)
        held = sum(sample[3] for sample in samples if sample[2] == "held")
        seconds = self.seconds or math.nan  # no window: the house filled during the warm-up
        return {
            "requests": len(samples),
            "rps": len(samples) / seconds,
            "seats_per_s": held / seconds,
            "conflict_rate": outcomes["conflict"] / max(1, len(samples)),
            "errors": sum(
                n for outcome, n in outcomes.items() if outcome not in ("held", "conflict")
            ),
            "p50": percentile(latencies, 0.50),
            "p95": percentile(latencies, 0.95),
            "p99": percentile(latencies, 0.99),
        }

    @property
    def all_errors(self) -> Counter[str]:
        return Counter(s[2] for s in self.samples if s[2] not in ("held", "conflict"))


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile (NaN for no values)."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


# --- the server ---------------------------------------------------------------------------------


@dataclass
class Server:
    port: int
    process: subprocess.Popen[bytes]
    log: Path
    setup: Setup

    @property
    def psutil_process(self) -> Any:
        import psutil

        return psutil.Process(self.process.pid)

    def log_tail(self, lines: int = 30) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_environment(setup: Setup) -> dict[str, str]:
    from boxoffice import embedded_db

    return {
        **os.environ,
        **embedded_db.child_environment(),
        # The production settings, not the test settings this process runs on.
        "DJANGO_SETTINGS_MODULE": "boxoffice.settings",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "SIGNING_MASTER_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
        "BASE_DOMAIN": "localhost",
        "SECURE_SSL_REDIRECT": "0",
        # Per client address; this is a load test, not a test of the limit.
        "RATE_LIMIT_HOLDS": "100000000/min",
        # The customers' X-Forwarded-For is what a proxy in front would add: trust one proxy, so
        # each customer is counted as its own address (with 0, all were 127.0.0.1).
        "NUM_PROXIES": "1",
        "CONN_MAX_AGE": str(setup.conn_max_age),
        # Persistent connections per thread and the pool exclude each other (settings).
        **({"DB_POOL_MAX_SIZE": "0"} if setup.conn_max_age else {}),
        "WEB_CONCURRENCY": str(setup.workers),
    }


@contextlib.contextmanager
def running_server(setup: Setup, log_dir: Path) -> Iterator[Server]:
    """gunicorn -c infra/gunicorn.conf.py on a free loopback port, in a process group of its
    own so that the master and every worker go when the run ends, however it ends."""
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "-c", "infra/gunicorn.conf.py",
               "--bind", f"127.0.0.1:{port}"]  # fmt: skip
    if setup.kind == "gthread":
        command += ["--worker-class", "gthread", "--threads", "1", "boxoffice.wsgi:application"]
    elif setup.kind == "uvicorn":
        command += ["--worker-class", "uvicorn_worker.UvicornWorker", "boxoffice.asgi:application"]
    log = log_dir / f"gunicorn-{setup.kind}-{setup.workers}-{setup.conn_max_age}.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            command,
            cwd=REPO,
            env=server_environment(setup),
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        server = Server(port, process, log, setup)
        try:
            wait_until_ready(server)
            yield server
        finally:
            stop_server(process)


def wait_until_ready(server: Server, timeout: float = 90.0) -> None:
    """Until /healthz answers and every worker has loaded the application (it has used CPU and
    gone quiet): connections opened while a worker still imports Django would all land on the
    others, and keep-alive would keep them there."""
    import psutil

    deadline = time.monotonic() + timeout
    request = urllib.request.Request(
        f"http://127.0.0.1:{server.port}/healthz", headers={"Host": HOST}
    )
    healthy = False
    previous: dict[int, float] = {}
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise SystemExit(f"gunicorn exited early:\n{server.log_tail()}")
        if not healthy:
            with (
                contextlib.suppress(urllib.error.URLError, ConnectionError, TimeoutError),
                urllib.request.urlopen(request, timeout=5) as response,  # noqa: S310
            ):
                healthy = response.status == 200
        current: dict[int, float] = {}
        for worker in server.psutil_process.children():
            with contextlib.suppress(psutil.Error):
                times = worker.cpu_times()
                current[worker.pid] = times.user + times.system
        loaded = [
            pid
            for pid, used in current.items()
            if used > WORKER_LOAD_CPU and used - previous.get(pid, 0.0) < WORKER_IDLE_CPU
        ]
        if healthy and len(loaded) >= server.setup.workers:
            return
        previous = current
        time.sleep(0.3)
    raise SystemExit(f"gunicorn did not get ready in {timeout:.0f} s:\n{server.log_tail()}")


def stop_server(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=20)
    # Whatever is left of the group (a worker outliving its master) goes too.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def client_backends(postmaster: Any) -> int:
    """Connections open to PostgreSQL (its backends serving a client on the Unix socket)."""
    import psutil

    count = 0
    for child in postmaster.children():
        with contextlib.suppress(psutil.Error):
            count += "[local]" in " ".join(child.cmdline())
    return count


def postmaster() -> Any:
    import psutil
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (backend,) = cursor.fetchone()
    return psutil.Process(psutil.Process(backend).ppid())


# --- the HTTP war -------------------------------------------------------------------------------


def client_address(index: int) -> str:
    return f"10.{index // 250 % 250}.{index % 250}.{1 + index // 62_500}"


class CustomerConnection:
    """One customer's keep-alive HTTP/1.1 connection, as lean as a client gets: the request is
    one write, the answer is read by its Content-Length (or chunks). The load generator shares
    the server's 2 CPUs, and aiohttp spent ~0.7 ms of them per request (a quarter of a core at
    330 requests/s); this spends about a third of that."""

    def __init__(self, port: int, headers: dict[str, str]) -> None:
        self.port = port
        self.head = "".join(f"{name}: {value}\r\n" for name, value in headers.items()).encode()
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post(self, path: str, body: bytes) -> tuple[int, bytes]:
        return await self.send("POST", path, body)

    async def send(self, method: str, path: str, body: bytes = b"") -> tuple[int, bytes]:
        if self.writer is None or self.reader is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        reader, writer = self.reader, self.writer
        writer.write(b"%s %s HTTP/1.1\r\n%sContent-Length: %d\r\n\r\n%s"
                     % (method.encode(), path.encode(), self.head, len(body), body))  # fmt: skip
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head[9:12])
            fields = {}
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                fields[name.strip().lower()] = value.strip().lower()
            if b"content-length" in fields:
                payload = await reader.readexactly(int(fields[b"content-length"]))
            elif fields.get(b"transfer-encoding") == b"chunked":
                payload = await self._chunks(reader)
            else:  # delimited by the end of the connection
                payload = await reader.read()
                fields[b"connection"] = b"close"
        except BaseException:
            self.close()
            raise
        if fields.get(b"connection") == b"close":
            self.close()
        return status, payload

    @staticmethod
    async def _chunks(reader: asyncio.StreamReader) -> bytes:
        parts = []
        while size := int((await reader.readuntil(b"\r\n")).split(b";")[0], 16):
            parts.append(await reader.readexactly(size))
            await reader.readexactly(2)
        await reader.readuntil(b"\r\n")  # no trailers are sent
        return b"".join(parts)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


async def http_war(
    war: War,
    server: Server,
    house: House,
    postgres: Any,
    *,
    clients: int,
    warmup: float,
    duration: float,
    one_address: bool,
    seed: int,
) -> None:
    path = f"/api/v1/events/{house.event_uid}/holds"
    stop = asyncio.Event()
    full = asyncio.Event()
    loop = asyncio.get_running_loop()
    per_client_rps = war.offered_rps / clients if war.offered_rps else None

    async def customer(index: int) -> None:
        rng = random.Random(seed * 100_003 + index)
        headers = {"Host": HOST, "Content-Type": "application/json"}
        if not one_address:
            headers["X-Forwarded-For"] = client_address(index)
        connection = CustomerConnection(server.port, headers)
        next_at = loop.time()
        while not stop.is_set():
            if per_client_rps:
                # A Poisson schedule per customer; a customer that falls behind does not try to
                # catch up with a burst (it has one request in flight at most).
                next_at = max(next_at + rng.expovariate(per_client_rps), loop.time())
                # Gaps run to tens of seconds: wait for the schedule or the end, whichever first.
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), next_at - loop.time())
                if stop.is_set():
                    break
            run = house.pick(rng)
            if run is None or house.nearly_full():
                full.set()
                break
            body = json.dumps({"seats": run}).encode()
            started = time.perf_counter()
            try:
                async with asyncio.timeout(60):
                    status, payload = await connection.post(path, body)
            except (OSError, asyncio.IncompleteReadError, ValueError, TimeoutError) as error:
                war.record(started, f"client {type(error).__name__}", 0)
                continue
            war.record(started, *classify(war, house, run, status, payload))
        connection.close()

    tasks = [asyncio.create_task(customer(index)) for index in range(clients)]
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(full.wait(), warmup)
    start = cpu_snapshot(server.psutil_process, postgres)
    if not full.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(full.wait(), duration)
    end = cpu_snapshot(server.psutil_process, postgres)
    war.db_connections = client_backends(postgres)
    stop.set()
    await asyncio.gather(*tasks)
    finish(war, start, end, full.is_set())


def classify(war: War, house: House, run: Run, status: int, payload: bytes) -> tuple[str, int]:
    if status in (201, 409):
        with contextlib.suppress(ValueError):
            answer = json.loads(payload)
            if status == 201 and {seat["ref"] for seat in answer["seats"]} == set(run):
                war.successes.append((answer["token"], run))
                house.taken.update(run)
                return "held", len(run)
            if status == 409 and answer.get("code") == "seats_unavailable":
                # What the customer's map learns from the refusal.
                house.taken.update(answer.get("details", {}).get("seats", ()))
                return "conflict", 0
    if len(war.error_examples) < 5:
        war.error_examples.append(f"{status}: {payload[:200]!r}")
    return f"HTTP {status}", 0


def finish(war: War, start: CpuSnapshot, end: CpuSnapshot, house_full: bool) -> None:
    war.windows.append((start.at, end.at))
    for name in CPU_GROUPS:
        war.cpu_seconds[name] += getattr(end, name) - getattr(start, name)
    war.house_full = house_full


# --- the ceiling: the claim statement over raw psycopg ------------------------------------------


def ceiling_war(
    war: War, house: House, schema: str, *, threads: int, warmup: float, duration: float, seed: int
) -> None:
    import psycopg
    from django.db import connection
    from psycopg import sql

    from boxoffice.events.models import Event
    from boxoffice.events.selectors import PUBLIC_STATUSES
    from boxoffice.sales.hold_rules import LIFETIME_FACTOR
    from boxoffice.sales.services.holds import REFUSED_SEATS, START_HOLD

    # As Django connects: empty HOST/PORT mean libpq's PGHOST/PGPORT (the embedded server).
    database = connection.settings_dict
    params = {
        key: database[name]
        for key, name in (("host", "HOST"), ("port", "PORT"), ("dbname", "NAME"), ("user", "USER"))
        if database[name]
    }
    stop = threading.Event()
    full = threading.Event()
    lock = threading.Lock()
    crashed: list[BaseException] = []

    def claimer(index: int, conn: psycopg.Connection[Any]) -> None:
        rng = random.Random(seed * 100_003 + index)
        samples: list[tuple[float, float, str, int]] = []
        successes: list[tuple[str | int, Run]] = []
        try:
            while not stop.is_set():
                run = house.pick(rng)
                if run is None or house.nearly_full():
                    full.set()
                    break
                started = time.perf_counter()
                try:
                    # As the service: START_HOLD in autocommit; a refusal names the seats.
                    rows = conn.execute(START_HOLD, [
                        house.event_uid, list(PUBLIC_STATUSES), Event.Status.ON_SALE,
                        list(run), secrets.token_hex(32), LIFETIME_FACTOR,
                    ]).fetchall()  # fmt: skip
                except psycopg.Error as error:
                    if error.sqlstate == REFUSED_SEATS:
                        refused = json.loads(error.diag.message_detail)["unavailable"]
                        house.taken.update(refused)
                        outcome, seats = "conflict", 0
                    else:
                        outcome, seats = f"psycopg {type(error).__name__}", 0
                else:
                    if sorted(row[5] for row in rows) == sorted(run):
                        outcome, seats = "held", len(run)
                        successes.append((rows[0][0], run))
                        house.taken.update(run)
                    else:
                        outcome, seats = "event refused the hold", 0
                ended = time.perf_counter()
                samples.append((ended, ended - started, outcome, seats))
        except BaseException as error:  # surfaced by the main thread
            crashed.append(error)
            stop.set()
        with lock:
            war.samples.extend(samples)
            war.successes.extend(successes)

    postgres = postmaster()
    # Connected here, not in the threads, so a connection failure stops the run at once.
    connections = []
    try:
        for _ in range(threads):
            conn = psycopg.connect(**params, autocommit=True)
            connections.append(conn)
            conn.execute(sql.SQL("SET search_path = {}, public").format(sql.Identifier(schema)))
        pool = [
            threading.Thread(target=claimer, args=(index, conn))
            for index, conn in enumerate(connections)
        ]
        for thread in pool:
            thread.start()
        full.wait(warmup)
        start = cpu_snapshot(None, postgres)
        if not full.is_set():
            full.wait(duration)
        end = cpu_snapshot(None, postgres)
        stop.set()
        for thread in pool:
            thread.join()
    finally:
        stop.set()
        for conn in connections:
            conn.close()
    if crashed:
        raise crashed[0]
    finish(war, start, end, full.is_set())


# --- the invariant ------------------------------------------------------------------------------


def check_invariant(war: War, house: House, schema: str, *, by_token: bool) -> None:
    """From the database: no seat held or sold twice, and exactly what the answers said."""
    from django.db import connection
    from django_tenants.utils import schema_context

    with schema_context(schema), connection.cursor() as cursor:
        cursor.execute(
            "SELECT token_hash, id FROM sales_hold WHERE event_id = %s", [house.event_pk]
        )
        holds = dict(cursor.fetchall())
        cursor.execute(
            "SELECT ref, status, hold_id FROM events_eventseat "
            "WHERE event_id = %s AND status IN ('held', 'sold')",
            [house.event_pk],
        )
        taken_rows = cursor.fetchall()
    connection.set_schema_to_public()

    problems = war.problems
    expected: dict[int, set[str]] = {}
    for key, run in war.successes:
        hold_id = holds.get(hashlib.sha256(str(key).encode()).hexdigest()) if by_token else key
        if hold_id is None:
            problems.append(f"a 201's token matches no hold ({str(key)[:12]}...)")
            continue
        expected.setdefault(int(hold_id), set()).update(run)
    answered = Counter(ref for _key, run in war.successes for ref in run)
    twice = sorted(ref for ref, count in answered.items() if count > 1)
    if twice:
        problems.append(f"{len(twice)} seats in two successful answers, e.g. {twice[:3]}")
    sold = [ref for ref, status, _hold in taken_rows if status == "sold"]
    if sold:
        problems.append(f"{len(sold)} seats sold, none expected")
    held: dict[int, set[str]] = {}
    for ref, status, hold_id in taken_rows:
        if status == "held":
            held.setdefault(hold_id, set()).add(ref)
    wrong = [hold_id for hold_id, refs in expected.items() if held.get(hold_id) != refs]
    if wrong:
        problems.append(f"{len(wrong)} holds do not hold exactly the seats their 201 named")
    strays = sorted(set(held) - set(expected))
    if strays:
        problems.append(f"{len(strays)} holds hold seats no successful answer named")
    held_count = sum(len(refs) for refs in held.values())
    if held_count != sum(answered.values()):
        problems.append(
            f"{held_count} seats held, but successful answers name {sum(answered.values())}"
        )
    if len(holds) != len(war.successes):
        problems.append(
            f"{len(holds)} holds in the database for {len(war.successes)} successful answers "
            "(a refused claim must leave no hold)"
        )
    war.checked = (
        f"{len(war.successes):,} holds, {held_count:,} seats held "
        f"({held_count / house.seats:.0%} of the house)"
    )


# --- the runs -----------------------------------------------------------------------------------


def run_http(
    organizer: Any,
    args: argparse.Namespace,
    log_dir: Path,
    setup: Setup,
    *,
    offered_rps: float | None = None,
) -> War:
    import uvloop

    began = time.perf_counter()
    label = "paced" if offered_rps else "saturation"
    war = War(label, setup=setup, offered_rps=offered_rps)
    house = build_house(organizer, f"{label} {setup.describe()}", live_map=not args.blind)
    with running_server(setup, log_dir) as server:
        uvloop.run(
            http_war(
                war, server, house, postmaster(), clients=args.clients, warmup=args.warmup,
                duration=args.duration, one_address=args.one_address, seed=args.seed,
            )
        )  # fmt: skip
        if war.all_errors:
            war.error_log = first_traceback(server.log)
    check_invariant(war, house, organizer.schema_name, by_token=True)
    report_progress(war)
    print(f"  ({time.perf_counter() - began:.0f} s with the event and the server)", flush=True)
    return war


def first_traceback(log: Path) -> str:
    """The last line of the server log's first traceback: what the errors were."""
    lines = log.read_text(errors="replace").splitlines()
    for at, line in enumerate(lines):
        if line.startswith("Traceback"):
            for later in lines[at + 1 :]:
                if later and not later.startswith((" ", "Traceback", "The above", "During")):
                    # The socket path differs per run; the exception and PostgreSQL's words don't.
                    exception, _, message = later.strip().partition(":")
                    return f"{exception}: {message.rpartition('FATAL:')[2].strip()}"
    return ""


def run_ceiling(organizer: Any, args: argparse.Namespace) -> War:
    whole = War("ceiling")
    rounds = 0
    while rounds < CEILING_ROUNDS and whole.seconds < args.duration:
        rounds += 1
        war = War("ceiling")
        house = build_house(organizer, f"ceiling {rounds}", live_map=not args.blind)
        ceiling_war(
            war, house, organizer.schema_name, threads=args.ceiling_threads,
            warmup=CEILING_WARMUP, duration=args.duration - whole.seconds,
            seed=args.seed + rounds,
        )  # fmt: skip
        check_invariant(war, house, organizer.schema_name, by_token=False)
        whole.absorb(war)
    held = sum(len(run) for _hold, run in whole.successes)
    whole.checked = (
        f"{rounds} round(s) on fresh events, {len(whole.successes):,} holds, {held:,} seats held"
    )
    report_progress(whole)
    return whole


def report_progress(war: War) -> None:
    s = war.summary()
    where = war.setup.describe() if war.setup else "raw psycopg"
    print(
        f"{war.label} ({where}): {s['seats_per_s']:.0f} seats/s, {s['rps']:.0f} requests/s, "
        f"conflicts {s['conflict_rate']:.1%}, errors {s['errors']}, p50/p95/p99 "
        f"{s['p50']:.0f}/{s['p95']:.0f}/{s['p99']:.0f} ms, CPU cores: load gen "
        f"{war.cpu['client']:.2f}, web {war.cpu['server']:.2f}, PostgreSQL "
        f"{war.cpu['postgres']:.2f}, machine {war.cpu['machine_busy']:.2f}; {war.checked}; "
        + ("invariant OK" if not war.problems else "INVARIANT FAILED: " + "; ".join(war.problems)),
        flush=True,
    )
    for example in war.error_examples:
        print(f"  e.g. {example}", flush=True)
    if war.error_log:
        print(f"  server log: {war.error_log}", flush=True)


def best(wars: list[War]) -> War:
    """The most seats held per second, preferring runs without errors."""
    return max(wars, key=lambda war: (war.summary()["errors"] == 0, war.summary()["seats_per_s"]))


# --- the report ---------------------------------------------------------------------------------


def ms(value: float) -> str:
    return "-" if math.isnan(value) else f"{value:,.0f}"


def cpu_cell(war: War, *names: str) -> str:
    return " / ".join(f"{war.cpu[name]:.2f}" for name in names)


def http_table(wars: list[War]) -> str:
    header = [
        "run", "server", "workers", "CONN_MAX_AGE", "offered req/s", "requests/s", "seats held/s",
        "conflicts", "errors", "p50 ms", "p95 ms", "p99 ms",
        "CPU cores: load gen / web / PostgreSQL / machine", "PG connections",
    ]  # fmt: skip
    rows = []
    for war in wars:
        assert war.setup is not None
        s = war.summary()
        rows.append([
            war.label, war.setup.kind, str(war.setup.workers), str(war.setup.conn_max_age),
            f"{war.offered_rps:,.0f}" if war.offered_rps else "closed loop",
            f"{s['rps']:,.0f}", f"**{s['seats_per_s']:,.0f}**", f"{s['conflict_rate']:.1%}",
            f"{s['errors']:,} ({s['errors'] / max(1, s['requests']):.0%})" if s["errors"] else "0",
            ms(s["p50"]), ms(s["p95"]), ms(s["p99"]),
            cpu_cell(war, "client", "server", "postgres", "machine_busy"),
            str(war.db_connections),
        ])  # fmt: skip
    return markdown_table(header, rows)


def ceiling_table(war: War, threads: int) -> str:
    s = war.summary()
    header = [
        "threads", "window s", "transactions/s", "seats held/s", "conflicts", "errors", "p50 ms",
        "p95 ms", "p99 ms", "CPU cores: load gen / PostgreSQL / machine",
    ]  # fmt: skip
    row = [
        str(threads), f"{war.seconds:.1f}", f"{s['rps']:,.0f}", f"**{s['seats_per_s']:,.0f}**",
        f"{s['conflict_rate']:.1%}", str(s["errors"]), f"{s['p50']:.1f}", f"{s['p95']:.1f}",
        f"{s['p99']:.1f}", cpu_cell(war, "client", "postgres", "machine_busy"),
    ]  # fmt: skip
    return markdown_table(header, [row])


def error_lines(wars: list[War]) -> list[str]:
    lines = []
    for war in wars:
        if war.all_errors and war.setup is not None:
            kinds = ", ".join(f"{n:,} x {kind}" for kind, n in war.all_errors.most_common())
            cause = f"; server log: `{war.error_log}`" if war.error_log else ""
            lines.append(
                f"- {war.label} ({war.setup.describe()}): {kinds} over the whole run (warm-up "
                f"and drain included){cause}"
            )
    return lines


def verdict(wars: list[War], ceiling: War) -> str:
    target = (
        f"Target (>= {TARGET_SEATS_PER_SECOND:,} seats held/s at p99 <= {TARGET_P99_MS} ms, "
        "0 oversell, 0 errors)"
    )
    met = [
        war
        for war in wars
        if war.summary()["seats_per_s"] >= TARGET_SEATS_PER_SECOND
        and war.summary()["p99"] <= TARGET_P99_MS
        and war.summary()["errors"] == 0
        and not war.problems
    ]
    claim = (
        f" The claim itself (ceiling) held {ceiling.summary()['seats_per_s']:,.0f} seats/s at "
        f"p99 {ceiling.summary()['p99']:.1f} ms."
    )
    if met:
        return f"{target}: **met** by {len(met)} of {len(wars)} runs." + claim
    top = best(wars)
    s = top.summary()
    assert top.setup is not None
    if s["errors"]:
        return f"{target}: **not met**; every run had errors." + claim
    within = [
        war
        for war in wars
        if war.summary()["p99"] <= TARGET_P99_MS
        and war.summary()["errors"] == 0
        and not war.problems
    ]
    fastest = f" No run kept p99 <= {TARGET_P99_MS} ms."
    if within:
        quick = max(within, key=lambda war: war.summary()["seats_per_s"])
        assert quick.setup is not None
        fastest = (
            f" The most seats/s at p99 <= {TARGET_P99_MS} ms: "
            f"{quick.summary()['seats_per_s']:,.0f} ({quick.label}, {quick.setup.describe()}, "
            f"p99 {ms(quick.summary()['p99'])} ms)."
        )
    return (
        f"{target}: **not met**. The best run without errors held {s['seats_per_s']:,.0f} "
        f"seats/s ({s['seats_per_s'] / TARGET_SEATS_PER_SECOND:.0%} of the target) at "
        f"p99 {ms(s['p99'])} ms ({top.label}, {top.setup.describe()})." + fastest + claim
    )


def render_block(
    args: argparse.Namespace, load_at_start: tuple[float, ...], wars: list[War], ceiling: War
) -> str:
    addresses = (
        "all on one address"
        if args.one_address
        else "each with its own X-Forwarded-For address, as behind a proxy"
    )
    picking = (
        "blindly"
        if args.blind
        else "from a live map (a seat seen held, or named by a 409, is not picked again)"
    )
    invariant = [
        f"- {war.label}"
        + (f" ({war.setup.describe()})" if war.setup else " (raw psycopg)")
        + f": {war.checked}; "
        + (
            "no seat held or sold twice; the held seats are exactly those the successful answers "
            "named, each in its own hold; refused requests left no hold"
            if not war.problems
            else "**FAILED**: " + "; ".join(war.problems)
        )
        for war in [*wars, ceiling]
    ]
    errors = error_lines(wars)
    return "\n".join(
        [
            f"Command: `{COMMAND}` (part of `make bench`); arguments of this run: "
            f"`{' '.join(sys.argv[1:]) or '(defaults)'}`. Each run gets a fresh "
            f"{ROWS * SEATS_PER_ROW:,}-seat event ({ROWS} rows x {SEATS_PER_ROW}, built through "
            "the services, then `ANALYZE events_eventseat` as autovacuum would do within a "
            "minute) and a fresh `gunicorn -c infra/gunicorn.conf.py` on 127.0.0.1 (DEBUG off, "
            "no access log, as in production). Server `production` is that file as it is "
            "(threaded WSGI workers, 2 threads each); `uvicorn` adds `--worker-class "
            "uvicorn_worker.UvicornWorker boxoffice.asgi:application` (ASGI); `gthread` adds "
            "`--worker-class gthread --threads 1 boxoffice.wsgi:application` (one request at a "
            "time per worker). "
            f"{args.clients} customers (asyncio on uvloop, one keep-alive HTTP/1.1 connection "
            "each through a lean client of the script's own, "
            f"{addresses}) call `POST /api/v1/events/{{id}}/holds` with 2-4 adjacent seats in "
            "one row, half of the picks among the best 10% of the seats by rank, half among the "
            f"rest, picked {picking}. Closed loop: the next request goes as soon as the answer "
            "is in; paced: each customer sends on a Poisson schedule. "
            f"{args.warmup:g} s warm-up, then a {args.duration:g} s window, cut short when "
            f"{FULL_SHARE:.0%} of the house is taken. Latency runs from sending the request to "
            "reading the whole answer. The load generator shares the 2 CPUs with the server and "
            "PostgreSQL: CPU is in cores busy during the window (machine = every process on "
            "it). PG connections: client connections open at the end of the window "
            f"(PostgreSQL's max_connections is {max_connections()}).",
            "",
            *machine_lines(load_at_start),
            "",
            "**Over HTTP** (one new hold with its seats per request; 201 = held, 409 = conflict):",
            "",
            http_table(wars),
            "",
            *(["Errors (any answer but 201/409):", "", *errors, ""] if errors else []),
            "**Ceiling**: the same demand as raw psycopg statements, each the service's "
            "`START_HOLD` (boxoffice.sales.services.holds: the `sales_start_hold` function "
            "finds the event, inserts the hold and claims the seats, or raises naming the seats it "
            "could not have; autocommit), "
            f"from {args.ceiling_threads} threads with a connection each (psycopg's "
            "defaults: server-side binding, statements prepared after 5 uses), in rounds on "
            f"fresh events until the windows add up to {args.duration:g} s:",
            "",
            ceiling_table(ceiling, args.ceiling_threads),
            "",
            "**No oversell**, checked from the database after each run:",
            "",
            *invariant,
            "",
            verdict(wars, ceiling),
        ]
    )


def max_connections() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW max_connections")
        return cursor.fetchone()[0]


# --- main ---------------------------------------------------------------------------------------

DEFAULT_SETUPS = "uvicorn:2:60,production:2:60,production:3:60,gthread:3:60,gthread:4:60"


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--duration", type=float, default=12.0, help="seconds measured per run")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds before measuring")
    parser.add_argument(
        "--setups",
        default=DEFAULT_SETUPS,
        help="closed-loop runs, kind:workers:CONN_MAX_AGE, comma-separated (kind: uvicorn or "
        "gthread)",
    )
    parser.add_argument(
        "--conn-max-age-too",
        type=int,
        default=0,
        help="also run the best setup with this CONN_MAX_AGE (-1: don't)",
    )
    parser.add_argument("--no-paced", action="store_true", help="skip the paced runs")
    parser.add_argument(
        "--paced-seats",
        default="",
        help="offered loads of the paced runs in seats/s, comma-separated (default: the target, "
        "or half the best closed-loop rate if that is lower)",
    )
    parser.add_argument("--ceiling-threads", type=int, default=4)
    parser.add_argument("--blind", action="store_true", help="pick seats without the live map")
    parser.add_argument("--one-address", action="store_true", help="all customers on 127.0.0.1")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-write", action="store_true", help="print, don't touch RESULTS.md")
    args = parser.parse_args(argv)
    args.setup_list = [Setup.parse(text) for text in args.setups.split(",") if text]
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    load_at_start = os.getloadavg()
    start_throwaway_database()
    from django.db import connection

    from tests.builders.organizers import make_organizer

    organizer = make_organizer(SLUG)
    connection.set_schema_to_public()

    wars: list[War] = []
    with tempfile.TemporaryDirectory(prefix="ticket-war-") as logs:
        log_dir = Path(logs)
        for setup in args.setup_list:
            wars.append(run_http(organizer, args, log_dir, setup))
        top = best(wars).setup
        assert top is not None
        if args.conn_max_age_too >= 0 and args.conn_max_age_too != top.conn_max_age:
            other = Setup(top.kind, top.workers, args.conn_max_age_too)
            wars.append(run_http(organizer, args, log_dir, other))
        if not args.no_paced:
            top_war = best(wars)
            assert top_war.setup is not None
            rates = [float(rate) for rate in args.paced_seats.split(",") if rate] or [
                min(TARGET_SEATS_PER_SECOND, top_war.summary()["seats_per_s"] / 2)
            ]
            for rate in rates:
                offered = rate / statistics.mean(RUN_LENGTHS)
                wars.append(run_http(organizer, args, log_dir, top_war.setup, offered_rps=offered))
    ceiling = run_ceiling(organizer, args)

    block = render_block(args, load_at_start, wars, ceiling)
    print(block)
    if not args.no_write:
        write_results(SECTION, PRODUCER, block)
    failed = [war for war in [*wars, ceiling] if war.problems]
    if failed:
        raise SystemExit(f"ticket war: the no-oversell check failed in {len(failed)} run(s)")


if __name__ == "__main__":
    main()
