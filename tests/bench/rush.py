"""Benchmark: an on-sale rush on the server `make run` starts. Goal: not one 500.

    make bench        # runs: .venv/bin/python -m tests.bench.rush
    .venv/bin/python -m tests.bench.rush --customers 200 --mixes own --no-reference --no-write

On a throwaway embedded PostgreSQL (tests.bench.common.start_throwaway_database) it builds an
on-sale event through the real services and starts `manage.py serve --no-reload` with `make
run`'s environment (DEBUG=1; uvicorn with the ASGI app, and the django-q2 cluster beside it). Then
`--customers` customers arrive at once, each on a keep-alive connection of its own, and each, for
`--rounds` rounds, opens the event page, fetches the availability snapshot and asks for the two
best available seats (`POST /api/v1/events/{id}/holds {"best_available": ...}`), one request
after the other. Counted: answers by status, latency (p50/p99) per kind of request, and the most
connections PostgreSQL had open to clients during the rush (sampled every 50 ms: the web
process's, the job cluster's and `serve`'s own; this script closes its own first).

Client mixes (`--mixes`):
- `one`: `make run` exactly: no proxy is trusted (NUM_PROXIES=0), so every customer is
  127.0.0.1 and shares one holds limit (RATE_LIMIT_HOLDS, 30/min): most holds answer 429;
- `own`: the same server trusting one proxy (NUM_PROXIES=1, as in production behind the TLS
  proxy) and every customer sending its own X-Forwarded-For address: each stays within its limit,
  so every request reaches the database.
Each run gets a fresh server, a fresh event and empty rate counters. With `--reference` (the
default) the `own` mix also runs once without the pool (DB_POOL_MAX_SIZE=0), to show what it
prevents, and once with a longer wait for a connection (`--also-timeout`, DB_POOL_TIMEOUT=15).
A 500 with the pool on makes the script exit non-zero, after writing its block into
tests/bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import signal
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
from tests.bench.ticket_war import (
    CustomerConnection,
    client_address,
    client_backends,
    free_port,
    max_connections,
    percentile,
    postmaster,
)

SECTION = "## On-sale rush on `make run`'s server"
PRODUCER = "tests/bench/rush.py"
COMMAND = ".venv/bin/python -m tests.bench.rush"
REPO = Path(__file__).resolve().parents[2]
SLUG = "rush"
HOST = f"{SLUG}.localhost"
ROWS, SEATS_PER_ROW = 60, 50  # 3,000 seats: 400 customers x 2 rounds x 2 seats fit
KINDS = ("page", "availability", "hold")
MIXES = {
    "one": "one address (make run as it is: NUM_PROXIES=0)",
    "own": "own addresses (NUM_PROXIES=1, X-Forwarded-For per customer)",
}


@dataclass
class Rush:
    customers: int
    mix: str
    pool: bool
    pool_timeout: float | None = None  # None: the default DB_POOL_TIMEOUT
    answers: Counter[str] = field(default_factory=Counter)
    by_kind: Counter[tuple[str, str]] = field(default_factory=Counter)
    latencies: dict[str, list[float]] = field(default_factory=lambda: {k: [] for k in KINDS})
    seconds: float = 0.0
    peak_connections: int = 0
    server_errors_logged: int = 0

    def record(self, kind: str, status: str, started: float) -> None:
        self.answers[status] += 1
        self.by_kind[kind, status] += 1
        self.latencies[kind].append(time.perf_counter() - started)

    @property
    def requests(self) -> int:
        return sum(self.answers.values())


@dataclass
class Event:
    uid: str
    slug: str
    category: str


def build_event(organizer: Any, label: str) -> Event:
    from django.db import connection
    from django_tenants.utils import schema_context

    from tests.builders.events import on_sale_event

    event = on_sale_event(
        organizer, rows=ROWS, seats=SEATS_PER_ROW, title=f"Rush {label}", slug=f"rush-{label}"
    )
    with schema_context(organizer.schema_name):
        # The largest price category: best available looks within one.
        category = Counter(event.seats.values_list("category", flat=True)).most_common(1)[0][0]
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE events_eventseat")
    connection.set_schema_to_public()
    return Event(uid=event.uid, slug=event.slug, category=category)


def forget_rate_counters() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM boxoffice_ratecounter")


def server_environment(rush: Rush) -> dict[str, str]:
    from boxoffice import embedded_db

    environment = {
        **os.environ,
        **embedded_db.child_environment(),
        # `make run`'s settings (DEBUG defaults to 1 there), not the test settings of this process.
        "DJANGO_SETTINGS_MODULE": "boxoffice.settings",
        "DEBUG": "1",
        "NUM_PROXIES": "1" if rush.mix == "own" else "0",
    }
    for name in ("RATE_LIMIT_HOLDS", "DB_POOL_MAX_SIZE", "DB_POOL_TIMEOUT", "CONN_MAX_AGE"):
        environment.pop(name, None)  # the defaults, as `make run` has them
    if not rush.pool:
        environment["DB_POOL_MAX_SIZE"] = "0"
    if rush.pool_timeout is not None:
        environment["DB_POOL_TIMEOUT"] = f"{rush.pool_timeout:g}"
    return environment


@contextlib.contextmanager
def running_server(rush: Rush, log: Path) -> Iterator[int]:
    """`manage.py serve --no-reload` on a free port, in a process group of its own."""
    port = free_port()
    command = [sys.executable, "manage.py", "serve", "--no-reload", "--port", str(port)]
    with log.open("wb") as output:
        process = subprocess.Popen(
            command,
            cwd=REPO,
            env=server_environment(rush),
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            wait_until_ready(process, port, log)
            yield port
        finally:
            # serve stops its children on SIGTERM; whatever is left of the group goes after.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=30)
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def wait_until_ready(process: subprocess.Popen[bytes], port: int, log: Path) -> None:
    request = urllib.request.Request(f"http://127.0.0.1:{port}/healthz", headers={"Host": HOST})
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"manage.py serve exited early:\n{log.read_text()[-3000:]}")
        with (
            contextlib.suppress(urllib.error.URLError, ConnectionError, TimeoutError),
            urllib.request.urlopen(request, timeout=5) as response,  # noqa: S310
        ):
            if response.status == 200:
                return
        time.sleep(0.3)
    raise SystemExit(f"manage.py serve did not get ready:\n{log.read_text()[-3000:]}")


@contextlib.contextmanager
def sampling_connections(rush: Rush, postgres: Any) -> Iterator[None]:
    """The most client connections PostgreSQL had open, sampled while the block runs."""
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            rush.peak_connections = max(rush.peak_connections, client_backends(postgres))
            done.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        yield
    finally:
        done.set()
        sampler.join()


def answer_label(status: int, payload: bytes) -> str:
    """`201`, or `409 contention`: a refusal's status with its machine code (`page` for an
    HTML answer, which has none)."""
    if status < 400:
        return str(status)
    try:
        return f"{status} {json.loads(payload)['code']}"
    except (ValueError, KeyError, TypeError):
        return f"{status} page"


async def rush_once(rush: Rush, port: int, event: Event, *, rounds: int, first: int) -> None:
    """Every customer starts at the same moment; each runs its rounds one request at a time."""
    go = asyncio.Event()
    hold_body = json.dumps({"best_available": {"category": event.category, "quantity": 2}}).encode()
    steps = (
        ("page", "GET", f"/events/{event.slug}/", b""),
        ("availability", "GET", f"/api/v1/events/{event.uid}/availability", b""),
        ("hold", "POST", f"/api/v1/events/{event.uid}/holds", hold_body),
    )

    async def customer(index: int) -> None:
        headers = {"Host": HOST, "Content-Type": "application/json", "Accept": "*/*"}
        if rush.mix == "own":
            headers["X-Forwarded-For"] = client_address(first + index)
        connection = CustomerConnection(port, headers)
        await go.wait()
        for _ in range(rounds):
            for kind, method, path, body in steps:
                started = time.perf_counter()
                try:
                    async with asyncio.timeout(120):
                        status, payload = await connection.send(method, path, body)
                except (OSError, asyncio.IncompleteReadError, ValueError, TimeoutError) as error:
                    rush.record(kind, f"client {type(error).__name__}", started)
                    continue
                rush.record(kind, answer_label(status, payload), started)
        connection.close()

    tasks = [asyncio.create_task(customer(index)) for index in range(rush.customers)]
    await asyncio.sleep(0.2)  # every task waiting at the start line
    started = time.perf_counter()
    go.set()
    await asyncio.gather(*tasks)
    rush.seconds = time.perf_counter() - started


def run(
    organizer: Any, postgres: Any, args: argparse.Namespace, log_dir: Path, rush: Rush, first: int
) -> Rush:
    from django.db import connection

    label = re.sub(r"[^a-z0-9]+", "-", f"{rush.customers} {rush.mix} pool {pool_cell(rush)}")
    event = build_event(organizer, label)
    forget_rate_counters()
    connection.close()
    connection.close_pool()  # this process's idle connections would count as the server's
    log = log_dir / f"serve-{label}.log"
    with running_server(rush, log) as port, sampling_connections(rush, postgres):
        asyncio.run(rush_once(rush, port, event, rounds=args.rounds, first=first))
    text = log.read_text(errors="replace")
    rush.server_errors_logged = text.count("Internal Server Error") + text.count("Traceback")
    answers = ", ".join(
        f"{kind} {status}: {count}" for (kind, status), count in sorted(rush.by_kind.items())
    )
    print(f"  {label}: {answers}; {rush.seconds:.1f} s, "
          f"peak {rush.peak_connections} connections", flush=True)  # fmt: skip
    if rush.server_errors_logged:
        tail = text[text.find("Traceback") :][:3000] if "Traceback" in text else text[-3000:]
        print(tail, flush=True)
    return rush


def server_errors(rush: Rush) -> int:
    return sum(count for label, count in rush.answers.items() if label.startswith("500"))


def pool_cell(rush: Rush) -> str:
    if not rush.pool:
        return "off"
    return "on" if rush.pool_timeout is None else f"on, {rush.pool_timeout:g} s"


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f}"


def table(rushes: list[Rush]) -> str:
    statuses = sorted({status for rush in rushes for status in rush.answers})
    header = ["customers", "clients", "pool", "requests", *statuses, "seconds"]
    header += [f"{kind} p50 / p99 ms" for kind in KINDS]
    header += ["peak PG connections", "server errors logged"]
    rows = []
    for rush in rushes:
        row = [str(rush.customers), rush.mix, pool_cell(rush), f"{rush.requests:,}"]
        row += [f"{rush.answers.get(status, 0):,}" for status in statuses]
        row.append(f"{rush.seconds:.1f}")
        for kind in KINDS:
            values = rush.latencies[kind]
            row.append(
                f"{ms(percentile(values, 0.5))} / {ms(percentile(values, 0.99))}" if values else "-"
            )
        row += [str(rush.peak_connections), str(rush.server_errors_logged)]
        rows.append(row)
    return markdown_table(header, rows)


def render_block(
    args: argparse.Namespace, load_at_start: tuple[float, ...], rushes: list[Rush]
) -> str:
    from django.conf import settings

    failures = sum(server_errors(rush) for rush in rushes)
    lines = [
        f"Command: `{' '.join([COMMAND, *args.argv])}`",
        "",
        *machine_lines(load_at_start),
        f"- PostgreSQL max_connections {max_connections()}; the server: `manage.py serve "
        "--no-reload` (uvicorn, ASGI app, DEBUG=1, one web process, django-q2 beside it), "
        f"pool DB_POOL_MAX_SIZE={settings.DB_POOL_MAX_SIZE}, "
        f"DB_POOL_TIMEOUT={settings.DB_POOL_TIMEOUT:g} s (the defaults) unless `off` or another "
        "timeout is named",
        f"- Each customer: {args.rounds} rounds of event page, availability snapshot, best "
        "available hold of 2 seats, on its own keep-alive connection; all start at once; "
        f"the house has {ROWS * SEATS_PER_ROW:,} seats",
        "- Clients: " + "; ".join(f"`{name}` = {text}" for name, text in MIXES.items()),
        "",
        table(rushes),
        "",
        f"500 answers in all runs: {failures}.",
    ]
    return "\n".join(lines)


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, nargs="+", default=[200, 400])
    parser.add_argument("--mixes", nargs="+", choices=sorted(MIXES), default=["one", "own"])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument(
        "--no-reference", action="store_true", help="skip the runs without the pool"
    )
    parser.add_argument(
        "--also-timeout",
        type=float,
        default=15.0,
        help="also run the `own` mix with this DB_POOL_TIMEOUT (0: don't)",
    )
    parser.add_argument("--no-write", action="store_true", help="print, don't touch RESULTS.md")
    args = parser.parse_args(argv)
    args.argv = argv
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    load_at_start = os.getloadavg()
    start_throwaway_database()
    from django.db import connection

    from tests.builders.organizers import make_organizer

    organizer = make_organizer(SLUG)
    connection.set_schema_to_public()
    postgres = postmaster()

    plan = [Rush(customers, mix, pool=True) for customers in args.customers for mix in args.mixes]
    if not args.no_reference:
        plan += [Rush(customers, "own", pool=False) for customers in args.customers]
    if args.also_timeout:
        plan += [
            Rush(customers, "own", pool=True, pool_timeout=args.also_timeout)
            for customers in args.customers
        ]
    rushes: list[Rush] = []
    first = 0
    with tempfile.TemporaryDirectory(prefix="rush-") as logs:
        for rush in plan:
            rushes.append(run(organizer, postgres, args, Path(logs), rush, first))
            first += rush.customers  # every run's customers have addresses of their own

    block = render_block(args, load_at_start, rushes)
    print(block)
    if not args.no_write:
        write_results(SECTION, PRODUCER, block)
    failures = [rush for rush in rushes if server_errors(rush) and rush.pool]
    if failures:
        raise SystemExit(f"rush: 500 answers with the pool on in {len(failures)} run(s)")


if __name__ == "__main__":
    main()
