"""Benchmark: paid orders end to end, and the webhook endpoint under duplicate deliveries.

    make bench        # runs: .venv/bin/python -m tests.bench.payments
    .venv/bin/python -m tests.bench.payments --clients 20 --duration 10 --no-write

On a throwaway embedded PostgreSQL (tests.bench.common.start_throwaway_database) it builds an
organizer and an on-sale event of 100 rows x 200 seats through the real services, then starts
`gunicorn -c infra/gunicorn.conf.py` on 127.0.0.1 (DEBUG off, the sandbox payment provider) and
beside it the django-q2 job cluster `manage.py qcluster` (ORM broker), as `manage.py serve` runs
them, both with the same environment. Then:

1. End to end, per `--clients` count: that many customers (asyncio + aiohttp, each with its own
   X-Forwarded-For address, the server trusting one proxy) each repeat one purchase after
   another: hold 1-2 seats (`POST /api/v1/events/{id}/holds`), check out
   (`POST /api/v1/holds/{token}/checkout`), open the sandbox's hosted page
   (`GET /sandbox/checkout/<session>` on the platform host: the csrftoken cookie and the form's
   token), pay (`POST` outcome=pay with Origin and Referer, as a browser; answered with a redirect
   to the order page), then poll `GET /api/v1/orders/{code}?secret=` every `--poll` seconds until
   the order is paid and lists one ticket per seat. Paying queues a django-q2 job that POSTs the
   signed `checkout.session.completed` event to `/webhooks/stripe`, which sells the seats, issues
   the tickets and queues the confirmation email (another job).
2. Webhook endpoint: `--orders` real pending orders are made over HTTP (hold + checkout), then
   `--senders` concurrent senders deliver one signed `checkout.session.completed` event per order
   (built as boxoffice.payments.providers.sandbox builds them: event_envelope(session_object(...)),
   signed with boxoffice.payments.signatures.sign, at send time) plus resends of the same event
   ids up to `--deliveries` in all: a third of the resends go at the same moment as the first
   delivery (two connections), the rest once the first has been answered.

Afterwards it checks from the database: every paid order's seats are sold to it and to no other
order, one valid ticket per seat, no seat sold or ticketed twice, every purchase a customer saw
paid is paid with exactly its seats; for the webhooks, one stored event per distinct id, each
processed once, each order paid once with one ticket per seat, exactly one `ok` answer per event
id, every other answer `duplicate`, no 5xx. A failed check exits non-zero (after writing its block
into tests/bench/RESULTS.md).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import random
import re
import resource
import secrets
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
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tests.bench.common import (
    machine_lines,
    markdown_table,
    start_throwaway_database,
    write_results,
)
from tests.bench.ticket_war import (
    client_address,
    free_port,
    percentile,
    postmaster,
    process_tree_cpu,
    stop_server,
)

SECTION = "## Payments: paid orders end to end, and the webhook endpoint"
PRODUCER = "tests/bench/payments.py"
COMMAND = ".venv/bin/python -m tests.bench.payments"
REPO = Path(__file__).resolve().parents[2]
SLUG = "payshop"
ROWS, SEATS_PER_ROW = 100, 200
STEPS = ("hold", "checkout", "pay page", "pay", "until paid", "purchase")
CPU_GROUPS = ("client", "web", "jobs", "postgres", "machine_busy")
CSRF_FIELD = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
# A purchase not paid this long after paying counts as an error.
PAID_TIMEOUT = 60.0
PENDING = "pending_payment"


# --- the stack: gunicorn and the job cluster ----------------------------------------------------


@dataclass
class Stack:
    port: int
    web: subprocess.Popen[bytes]
    jobs: subprocess.Popen[bytes]
    web_log: Path
    jobs_log: Path
    webhook_secret: str
    env: dict[str, str]
    job_workers: int

    def start_jobs(self, workers: int) -> None:
        """(Re)start the job cluster with this many workers, and wait until it runs."""
        stop_jobs(self.jobs)
        self.job_workers = workers
        self.jobs_log = self.jobs_log.with_name(f"qcluster-{workers}-{time.time():.0f}.log")
        with self.jobs_log.open("wb") as output:
            self.jobs = spawn_jobs({**self.env, "JOB_WORKERS": str(workers)}, output)
        deadline = time.monotonic() + 60
        while "running" not in self.jobs_log.read_text(errors="replace"):
            if self.jobs.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"the job cluster did not start:\n{self.tail(self.jobs_log)}")
            time.sleep(0.2)

    @property
    def platform_host(self) -> str:
        return f"localhost:{self.port}"

    @property
    def shop_host(self) -> str:
        return f"{SLUG}.localhost:{self.port}"

    def tail(self, log: Path, lines: int = 30) -> str:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])

    def server_errors(self) -> list[str]:
        logs = [self.web_log, *sorted(self.web_log.parent.glob("qcluster*.log"))]
        text = "".join(log.read_text(errors="replace") for log in logs)
        return [line for line in text.splitlines() if " ERROR " in line or "Traceback" in line]


def stack_environment(args: argparse.Namespace, webhook_secret: str) -> dict[str, str]:
    from django.conf import settings

    from boxoffice import embedded_db

    return {
        **os.environ,
        **embedded_db.child_environment(),
        # The production settings, not the test settings this process runs on.
        "DJANGO_SETTINGS_MODULE": "boxoffice.settings",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        # The organizer's ticket-signing key was made (and encrypted) by this process.
        "SIGNING_MASTER_KEY": settings.SIGNING_MASTER_KEY,
        "STRIPE_WEBHOOK_SECRET": webhook_secret,
        "PAYMENT_PROVIDER": "sandbox",
        "BASE_DOMAIN": "localhost",
        "SECURE_SSL_REDIRECT": "0",
        # Customers arrive through one (pretend) proxy, each with its own address; the limit
        # itself is not what is measured.
        "NUM_PROXIES": "1",
        "RATE_LIMIT_HOLDS": "100000000/min",
        "CONN_MAX_AGE": str(args.conn_max_age),
        # Persistent connections per thread and the pool exclude each other (settings).
        **({"DB_POOL_MAX_SIZE": "0"} if args.conn_max_age else {}),
        "WEB_CONCURRENCY": str(args.web_workers),
        "JOB_WORKERS": str(args.job_workers),
        "EMAIL_URL": "consolemail://",
    }


@contextlib.contextmanager
def running_stack(args: argparse.Namespace, log_dir: Path) -> Iterator[Stack]:
    """gunicorn and `manage.py qcluster`, each in a process group of its own."""
    port = free_port()
    webhook_secret = "whsec_bench_" + secrets.token_hex(16)
    env = stack_environment(args, webhook_secret)
    web_log, jobs_log = log_dir / "gunicorn.log", log_dir / f"qcluster-{args.job_workers}.log"
    web_command = [sys.executable, "-m", "gunicorn", "-c", "infra/gunicorn.conf.py",
                   "--bind", f"127.0.0.1:{port}"]  # fmt: skip
    # DEBUG off serves static files from the manifest that a production build collects
    # (infra/Dockerfile); without it every HTML page answers 500.
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
                   cwd=REPO, env=env, check=True)  # fmt: skip
    with web_log.open("wb") as web_out, jobs_log.open("wb") as jobs_out:
        web = subprocess.Popen(web_command, cwd=REPO, env=env, stdout=web_out,
                               stderr=subprocess.STDOUT, start_new_session=True)  # fmt: skip
        jobs = spawn_jobs(env, jobs_out)
        stack = Stack(port, web, jobs, web_log, jobs_log, webhook_secret, env, args.job_workers)
        try:
            wait_until_ready(stack, args.web_workers)
            yield stack
        finally:
            stop_jobs(stack.jobs)
            stop_server(web)


def spawn_jobs(env: dict[str, str], output: Any) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "manage.py", "qcluster"], cwd=REPO, env=env, stdout=output,
        stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip


def wait_until_ready(stack: Stack, workers: int, timeout: float = 90.0) -> None:
    """/healthz answers, every web worker has loaded Django (used CPU, then gone quiet), and
    the job cluster says it is running."""
    import psutil

    deadline = time.monotonic() + timeout
    request = urllib.request.Request(
        f"http://127.0.0.1:{stack.port}/healthz", headers={"Host": stack.platform_host}
    )
    healthy = False
    previous: dict[int, float] = {}
    while time.monotonic() < deadline:
        for process, log in ((stack.web, stack.web_log), (stack.jobs, stack.jobs_log)):
            if process.poll() is not None:
                raise SystemExit(f"{process.args} exited early:\n{stack.tail(log)}")
        if not healthy:
            with (
                contextlib.suppress(urllib.error.URLError, ConnectionError, TimeoutError),
                urllib.request.urlopen(request, timeout=5) as response,  # noqa: S310
            ):
                healthy = response.status == 200
        current: dict[int, float] = {}
        for worker in psutil.Process(stack.web.pid).children():
            with contextlib.suppress(psutil.Error):
                times = worker.cpu_times()
                current[worker.pid] = times.user + times.system
        loaded = [pid for pid, used in current.items()
                  if used > 0.1 and used - previous.get(pid, 0.0) < 0.02]  # fmt: skip
        cluster = "running" in stack.jobs_log.read_text(errors="replace")
        if healthy and cluster and len(loaded) >= workers:
            return
        previous = current
        time.sleep(0.3)
    raise SystemExit(
        f"the stack did not get ready in {timeout:.0f} s:\n{stack.tail(stack.web_log)}\n"
        f"{stack.tail(stack.jobs_log)}"
    )


def stop_jobs(process: subprocess.Popen[bytes]) -> None:
    """One SIGTERM to the cluster's main process (django-q2 can hang when a second signal lands
    mid-shutdown, see `manage.py serve`), then whatever is left of its group goes."""
    if process.poll() is None:
        process.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=20)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def queued_jobs() -> int:
    from django.db import connection

    connection.set_schema_to_public()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM django_q_ormq")
        return cursor.fetchone()[0]


def wait_for_jobs(timeout: float = 60.0) -> int:
    """Until the job queue is empty (or the timeout); returns what is left."""
    deadline = time.monotonic() + timeout
    while (left := queued_jobs()) and time.monotonic() < deadline:
        time.sleep(0.25)
    return left


# --- measuring ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CpuSnapshot:
    at: float
    values: dict[str, float]


def cpu_snapshot(stack: Stack, postgres: Any) -> CpuSnapshot:
    import psutil

    usage = resource.getrusage(resource.RUSAGE_SELF)
    machine = psutil.cpu_times()
    return CpuSnapshot(
        at=time.perf_counter(),
        values={
            "client": usage.ru_utime + usage.ru_stime,
            "web": process_tree_cpu(psutil.Process(stack.web.pid)),
            "jobs": process_tree_cpu(psutil.Process(stack.jobs.pid)),
            "postgres": process_tree_cpu(postgres),
            "machine_busy": machine.user + machine.system + machine.nice
            + getattr(machine, "irq", 0.0) + getattr(machine, "softirq", 0.0),
        },
    )  # fmt: skip


def cores(start: CpuSnapshot, end: CpuSnapshot) -> dict[str, float]:
    seconds = end.at - start.at
    return {name: (end.values[name] - start.values[name]) / seconds for name in CPU_GROUPS}


def ms(value: float) -> str:
    return "-" if math.isnan(value) else f"{value:,.0f}" if value >= 100 else f"{value:.1f}"


def server_cpu(usage: dict[str, float]) -> float:
    """Cores of the web server, the job cluster and PostgreSQL together."""
    return usage["web"] + usage["jobs"] + usage["postgres"]


def cpu_cells(usage: dict[str, float]) -> list[str]:
    return [f"{usage[name]:.2f}" for name in CPU_GROUPS]


# --- HTTP ---------------------------------------------------------------------------------------


class Failure(Exception):
    def __init__(self, step: str, status: int, body: bytes | str) -> None:
        text = body if isinstance(body, str) else body[:160].decode(errors="replace")
        super().__init__(f"{step}: {status} {text}")
        self.step, self.status = step, status


@dataclass
class Customer:
    stack: Stack
    session: Any  # aiohttp.ClientSession
    address: str

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.stack.port}"

    def shop_headers(self) -> dict[str, str]:
        return {"Host": self.stack.shop_host, "X-Forwarded-For": self.address}

    async def json_call(
        self, step: str, method: str, path: str, body: dict | None, expect: int
    ) -> dict[str, Any]:
        headers = self.shop_headers()
        data = None
        if body is not None:
            headers["Content-Type"] = "application/json"
            data = json.dumps(body).encode()
        async with self.session.request(
            method, self.base + path, data=data, headers=headers
        ) as response:
            payload = await response.read()
            if response.status != expect:
                raise Failure(step, response.status, payload)
        return json.loads(payload)

    async def hold(self, event_uid: str, refs: list[str]) -> str:
        answer = await self.json_call(
            "hold", "POST", f"/api/v1/events/{event_uid}/holds", {"seats": refs}, 201
        )
        return answer["token"]

    async def checkout(self, token: str, index: int) -> dict[str, Any]:
        body = {"email": f"customer{index}@example.com", "name": f"Customer {index}"}
        return await self.json_call(
            "checkout", "POST", f"/api/v1/holds/{token}/checkout", body, 201
        )

    async def pay_page(self, payment_url: str) -> tuple[str, str, str]:
        """(path, csrftoken cookie, form token) of the hosted page."""
        path = urlsplit(payment_url).path
        headers = {"Host": self.stack.platform_host, "X-Forwarded-For": self.address}
        async with self.session.get(self.base + path, headers=headers) as response:
            page = await response.read()
            if response.status != 200:
                raise Failure("pay page", response.status, page)
            cookie = response.cookies.get("csrftoken")
        found = CSRF_FIELD.search(page)
        if cookie is None or found is None:
            raise Failure("pay page", 200, "no csrftoken cookie or form token")
        return path, cookie.value, found.group(1).decode()

    async def pay(self, path: str, cookie: str, form_token: str) -> None:
        page = f"http://{self.stack.platform_host}{path}"
        headers = {
            "Host": self.stack.platform_host,
            "X-Forwarded-For": self.address,
            "Cookie": f"csrftoken={cookie}",
            "Origin": f"http://{self.stack.platform_host}",
            "Referer": page,
        }
        form = {"csrfmiddlewaretoken": form_token, "outcome": "pay"}
        async with self.session.post(
            self.base + path, data=form, headers=headers, allow_redirects=False
        ) as response:
            body = await response.read()
            # Paid: a redirect to the order page (the success_url).
            if response.status != 302:
                raise Failure("pay", response.status, body)

    async def until_paid(self, code: str, secret: str, seats: int, poll: float) -> int:
        """Polls until paid with one ticket per seat; returns how many polls it took."""
        deadline = time.perf_counter() + PAID_TIMEOUT
        polls = 0
        while True:
            await asyncio.sleep(poll)
            polls += 1
            order = await self.json_call(
                "until paid", "GET", f"/api/v1/orders/{code}?secret={secret}", None, 200
            )
            if order["status"] == "paid" and len(order["tickets"]) == seats:
                return polls
            if order["status"] not in (PENDING, "paid"):
                raise Failure("until paid", 200, f"order {code} became {order['status']}")
            if time.perf_counter() > deadline:
                raise Failure("until paid", 200, f"not paid after {PAID_TIMEOUT:.0f} s")


def new_session(connections: int) -> Any:
    import aiohttp

    return aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=connections, keepalive_timeout=60),
        timeout=aiohttp.ClientTimeout(total=90),
        # Cookies are sent by hand: Django marks them Secure when DEBUG is off, and a cookie
        # jar would not send those over plain http.
        cookie_jar=aiohttp.DummyCookieJar(),
    )


class SeatPool:
    """Hands out seats no other customer has been given, in map order."""

    def __init__(self, refs: list[str]) -> None:
        self.refs = refs
        self.next = 0
        self.lock = threading.Lock()

    def take(self, count: int) -> list[str]:
        with self.lock:
            if self.next + count > len(self.refs):
                raise SystemExit("the event ran out of seats: lower --duration or --orders")
            taken = self.refs[self.next : self.next + count]
            self.next += count
        return taken


async def warm_up(stack: Stack, connections: int, rounds: int = 10) -> float:
    """Each worker loads the URL configurations, the API and the templates on its first
    requests (/healthz is answered before any of it): seconds of the last round."""
    base = f"http://127.0.0.1:{stack.port}"
    calls = [
        ("GET", "/api/v1/orders/NOSUCHORDER?secret=x", stack.shop_host, None, 404),
        ("GET", "/sandbox/checkout/cs_none", stack.platform_host, None, 404),
        ("POST", "/webhooks/stripe", stack.platform_host, b"{}", 400),
    ]
    took = math.inf
    async with new_session(connections) as session:

        async def call(method: str, path: str, host: str, body: bytes | None, expect: int) -> None:
            headers = {"Host": host, "Stripe-Signature": "t=1,v1=0"}
            async with session.request(method, base + path, data=body, headers=headers) as answer:
                await answer.read()
                if answer.status != expect:
                    raise SystemExit(f"warm-up: {method} {path} answered {answer.status}")

        for _ in range(rounds):
            started = time.perf_counter()
            await asyncio.gather(*(call(*c) for c in calls for _ in range(connections)))
            took = time.perf_counter() - started
            if took < 0.5:
                break
    return took


# --- 1. end to end ------------------------------------------------------------------------------


@dataclass
class Purchase:
    code: str
    seats: list[str]
    ended: float
    steps: dict[str, float]  # seconds
    polls: int
    paid_wall: float  # time.time() when the pay answer came
    seen_wall: float  # time.time() when the paid order was seen


@dataclass
class EndToEnd:
    clients: int
    job_workers: int
    purchases: list[Purchase] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    error_examples: list[str] = field(default_factory=list)
    window: tuple[float, float] = (0.0, 0.0)
    cpu: dict[str, float] = field(default_factory=dict)
    queued_at_end: int = 0
    breakdown: dict[str, list[float]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    checked: str = ""

    def in_window(self) -> list[Purchase]:
        start, end = self.window
        return [p for p in self.purchases if start <= p.ended <= end]

    @property
    def seconds(self) -> float:
        return self.window[1] - self.window[0]


async def end_to_end(
    run: EndToEnd, stack: Stack, event_uid: str, pool: SeatPool, postgres: Any,
    args: argparse.Namespace, first_customer: int,
) -> None:  # fmt: skip
    stop = asyncio.Event()

    async def customer(index: int, session: Any) -> None:
        rng = random.Random(args.seed * 100_003 + index)
        me = Customer(stack, session, client_address(index))
        while not stop.is_set():
            refs = pool.take(rng.choice((1, 2)))
            steps: dict[str, float] = {}
            began = mark = time.perf_counter()
            try:
                token = await me.hold(event_uid, refs)
                steps["hold"], mark = time.perf_counter() - mark, time.perf_counter()
                order = await me.checkout(token, index)
                steps["checkout"], mark = time.perf_counter() - mark, time.perf_counter()
                path, cookie, form_token = await me.pay_page(order["payment_url"])
                steps["pay page"], mark = time.perf_counter() - mark, time.perf_counter()
                await me.pay(path, cookie, form_token)
                paid_wall = time.time()
                steps["pay"], mark = time.perf_counter() - mark, time.perf_counter()
                polls = await me.until_paid(
                    order["order_code"], order["order_secret"], len(refs), args.poll
                )
            except Failure as failure:
                run.errors[f"{failure.step}: HTTP {failure.status}"] += 1
                if len(run.error_examples) < 5:
                    run.error_examples.append(str(failure))
                await asyncio.sleep(0.2)
                continue
            except Exception as error:  # aiohttp's and the like: counted, not fatal
                run.errors[f"client {type(error).__name__}"] += 1
                if len(run.error_examples) < 5:
                    run.error_examples.append(f"{type(error).__name__}: {error}")
                await asyncio.sleep(0.2)
                continue
            ended = time.perf_counter()
            steps["until paid"] = ended - mark
            steps["purchase"] = ended - began
            run.purchases.append(
                Purchase(order["order_code"], refs, ended, steps, polls, paid_wall, time.time())
            )

    async with new_session(run.clients + 4) as session:
        tasks = [
            asyncio.create_task(customer(first_customer + index, session))
            for index in range(run.clients)
        ]
        await asyncio.sleep(args.warmup)
        start = cpu_snapshot(stack, postgres)
        await asyncio.sleep(args.duration)
        end = cpu_snapshot(stack, postgres)
        run.queued_at_end = await asyncio.to_thread(queued_jobs)
        stop.set()
        # Purchases under way finish (and are checked), but count only if they ended in time.
        await asyncio.gather(*tasks)
    run.window = (start.at, end.at)
    run.cpu = cores(start, end)


def paid_breakdown(run: EndToEnd) -> None:
    """Where 'until paid' goes: the pay answer -> the webhook's arrival (the job queue: the
    cluster picks the job up and POSTs it) -> its commit -> the customer's next poll."""
    from django.db import connection

    codes = {p.code: p for p in run.in_window()}
    connection.set_schema_to_public()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT payload->'data'->'object'->'metadata'->>'order', "
            "extract(epoch FROM received_at), extract(epoch FROM processed_at) "
            "FROM payments_webhookevent WHERE type = 'checkout.session.completed' "
            "AND payload->'data'->'object'->'metadata'->>'order' = ANY(%s)",
            [list(codes)],
        )
        rows = cursor.fetchall()
    parts: dict[str, list[float]] = {"job queue": [], "webhook": [], "poll": []}
    for code, received, processed in rows:
        purchase = codes[code]
        parts["job queue"].append(float(received) - purchase.paid_wall)
        parts["webhook"].append(float(processed) - float(received))
        parts["poll"].append(purchase.seen_wall - float(processed))
    run.breakdown = parts


def check_sales(event_pk: int, schema: str, runs: list[EndToEnd]) -> str:
    """From the database, over the whole event: no seat sold or ticketed twice, each paid
    order's seats sold to it with one valid ticket each; then each run's purchases."""
    from django.db import connection
    from django_tenants.utils import schema_context

    with schema_context(schema), connection.cursor() as cursor:
        cursor.execute(
            "SELECT o.code, o.status, array_agg(i.ref ORDER BY i.ref), count(*), "
            "count(*) FILTER (WHERE s.status = 'sold' AND s.order_id = o.id), "
            "(SELECT count(*) FROM tickets_ticket t WHERE t.order_id = o.id "
            " AND t.status = 'valid') "
            "FROM sales_order o JOIN sales_orderitem i ON i.order_id = o.id "
            "JOIN events_eventseat s ON s.id = i.seat_id WHERE o.event_id = %s "
            "GROUP BY o.id",
            [event_pk],
        )
        orders = {row[0]: row[1:] for row in cursor.fetchall()}
        cursor.execute(
            "SELECT count(*) FROM (SELECT i.seat_id FROM sales_orderitem i JOIN sales_order o "
            "ON o.id = i.order_id WHERE o.event_id = %s AND o.status = 'paid' "
            "GROUP BY i.seat_id HAVING count(*) > 1) twice",
            [event_pk],
        )
        (sold_twice,) = cursor.fetchone()
        cursor.execute(
            "SELECT count(*) FROM (SELECT seat_id FROM tickets_ticket WHERE event_id = %s "
            "AND status = 'valid' GROUP BY seat_id HAVING count(*) > 1) twice",
            [event_pk],
        )
        (ticketed_twice,) = cursor.fetchone()
        cursor.execute(
            "SELECT count(*) FROM events_eventseat s WHERE s.event_id = %s AND s.status = 'sold' "
            "AND NOT EXISTS (SELECT 1 FROM sales_order o WHERE o.id = s.order_id "
            "AND o.status = 'paid')",
            [event_pk],
        )
        (sold_without_order,) = cursor.fetchone()
    connection.set_schema_to_public()

    problems = []
    paid = {code: row for code, row in orders.items() if row[0] == "paid"}
    bad = [code for code, (_s, _refs, items, sold, tickets) in paid.items()
           if not items == sold == tickets]  # fmt: skip
    if bad:
        problems.append(f"{len(bad)} paid orders whose items, sold seats and valid tickets "
                        f"differ, e.g. {bad[:3]}")  # fmt: skip
    if sold_twice:
        problems.append(f"{sold_twice} seats in two paid orders")
    if ticketed_twice:
        problems.append(f"{ticketed_twice} seats with two valid tickets")
    if sold_without_order:
        problems.append(f"{sold_without_order} sold seats belong to no paid order")
    seen = 0
    for run in runs:
        for purchase in run.purchases:
            seen += 1
            row = paid.get(purchase.code)
            if row is None or sorted(purchase.seats) != sorted(row[1]):
                problems.append(f"purchase {purchase.code} seen paid is not paid with its seats")
    statuses = Counter(row[0] for row in orders.values())
    by_status = ", ".join(f"{n:,} {status}" for status, n in statuses.items())
    summary = (
        f"{len(orders):,} orders on the event ({by_status}), "
        f"{sum(row[2] for row in paid.values()):,} seats sold; all {seen:,} purchases the "
        "customers saw paid are paid with their seats"
    )
    for run in runs:
        run.problems.extend(problems)
        run.checked = summary
    return summary


# --- 2. the webhook endpoint --------------------------------------------------------------------


@dataclass
class Delivery:
    event_id: str
    body: bytes
    kind: str  # first, concurrent resend, later resend


@dataclass
class WebhookRun:
    senders: int
    orders: dict[str, int] = field(default_factory=dict)  # code -> seats
    samples: list[tuple[str, float, int, str]] = field(default_factory=list)
    seconds: float = 0.0
    cpu: dict[str, float] = field(default_factory=dict)
    make_seconds: float = 0.0
    problems: list[str] = field(default_factory=list)
    checked: str = ""


def make_pending_orders(
    organizer: Any, event_pk: int, pool: SeatPool, count: int, seed: int, threads: int = 4
) -> dict[str, int]:
    """`count` pending orders with their sandbox sessions, made through the services a
    customer's hold and checkout call (in this process, from a few threads: faster than over
    HTTP, and not what is measured)."""
    from django.db import connection
    from django_tenants.utils import schema_context

    from boxoffice.events.models import Event
    from boxoffice.payments.services.checkout import start_checkout
    from boxoffice.sales.services import holds

    made: dict[str, int] = {}
    numbers = iter(range(count))
    lock = threading.Lock()

    def maker(index: int) -> None:
        rng = random.Random(seed * 1_000 + index)
        try:
            with schema_context(organizer.schema_name):
                event = Event.objects.get(pk=event_pk)
                while True:
                    with lock:
                        number = next(numbers, None)
                    if number is None:
                        return
                    refs = pool.take(rng.choice((1, 2)))
                    hold, _token = holds.create_hold(event=event)
                    holds.hold_seats(hold=hold, refs=refs)
                    order = start_checkout(
                        hold=hold, organizer=organizer, email=f"buyer{number}@example.com",
                        name=f"Buyer {number}",
                    )  # fmt: skip
                    made[order.code] = len(refs)
        finally:
            connection.close()

    with ThreadPoolExecutor(threads) as executor:
        list(executor.map(maker, range(threads)))
    return made


def build_deliveries(
    orders: dict[str, int], schema: str, total: int, rng: random.Random
) -> list[list[Delivery]]:
    """Jobs for the senders: one delivery, or a first delivery and a concurrent resend (a pair).
    Later resends are attached to their first delivery's job and queued once it is answered."""
    from django_tenants.utils import schema_context

    from boxoffice.payments.models import SandboxSession
    from boxoffice.payments.providers.sandbox import event_envelope, session_object
    from boxoffice.sales.models import Order

    with schema_context(schema):
        sessions = dict(
            Order.objects.filter(code__in=list(orders)).values_list("provider_session_id", "code")
        )
    events = []
    for session in SandboxSession.objects.filter(session_id__in=list(sessions)):
        # What the provider says once the customer paid.
        session.status, session.payment_status = "complete", "paid"
        event = event_envelope("checkout.session.completed", session_object(session))
        events.append((event["id"], json.dumps(event).encode()))
    resends = total - len(events)
    if not 0 <= resends <= len(events):
        raise SystemExit(f"--deliveries {total} does not fit {len(events)} orders")
    rng.shuffle(events)
    concurrent = resends // 3
    jobs: list[list[Delivery]] = []
    for number, (event_id, body) in enumerate(events):
        job = [Delivery(event_id, body, "first")]
        if number < concurrent:
            job.append(Delivery(event_id, body, "concurrent resend"))
        elif number < resends:
            job.append(Delivery(event_id, body, "later resend"))
        jobs.append(job)
    rng.shuffle(jobs)
    return jobs


async def deliver_webhooks(
    run: WebhookRun, stack: Stack, jobs: list[list[Delivery]], postgres: Any
) -> None:
    from boxoffice.payments.signatures import sign

    queue: asyncio.Queue[list[Delivery]] = asyncio.Queue()
    for job in jobs:
        queue.put_nowait(job)
    firsts_left = len(jobs)
    url = f"http://127.0.0.1:{stack.port}/webhooks/stripe"

    async def send(session: Any, delivery: Delivery) -> None:
        headers = {
            "Host": stack.platform_host,
            "Content-Type": "application/json",
            # Signed at send time, as Stripe signs each attempt.
            "Stripe-Signature": sign(delivery.body, secret=stack.webhook_secret),
        }
        started = time.perf_counter()
        try:
            async with session.post(url, data=delivery.body, headers=headers) as response:
                status, payload = response.status, await response.read()
            code = json.loads(payload).get("code", "?") if payload.startswith(b"{") else "?"
        except Exception as error:  # counted as an error answer
            status, code = 0, f"client {type(error).__name__}"
        run.samples.append((delivery.event_id, time.perf_counter() - started, status, code))

    async def sender(session: Any) -> None:
        nonlocal firsts_left
        while firsts_left or not queue.empty():
            try:
                job = queue.get_nowait()
            except asyncio.QueueEmpty:
                await asyncio.sleep(0.005)
                continue
            if job[0].kind == "later resend":
                await send(session, job[0])
                continue
            if len(job) == 2 and job[1].kind == "concurrent resend":
                await asyncio.gather(send(session, job[0]), send(session, job[1]))
            else:
                await send(session, job[0])
                if len(job) == 2:
                    queue.put_nowait([job[1]])
            firsts_left -= 1

    async with new_session(run.senders * 2 + 4) as session:
        start = cpu_snapshot(stack, postgres)
        await asyncio.gather(*(sender(session) for _ in range(run.senders)))
        end = cpu_snapshot(stack, postgres)
    run.seconds = end.at - start.at
    run.cpu = cores(start, end)


def check_webhooks(run: WebhookRun, schema: str, event_ids: set[str]) -> None:
    from django.db import connection
    from django_tenants.utils import schema_context

    problems = run.problems
    connection.set_schema_to_public()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT provider_event_id, status, attempts, outcome FROM payments_webhookevent "
            "WHERE provider_event_id = ANY(%s)",
            [list(event_ids)],
        )
        stored = cursor.fetchall()
    if len(stored) != len(event_ids):
        problems.append(f"{len(stored)} stored events for {len(event_ids)} distinct ids")
    not_once = [row[0] for row in stored if row[1] != "processed" or row[2] != 1]
    if not_once:
        problems.append(f"{len(not_once)} events not processed exactly once, e.g. {not_once[:3]}")
    not_paid = [row[3] for row in stored if not row[3].endswith(": paid")]
    if not_paid:
        problems.append(f"{len(not_paid)} events whose outcome is not 'paid', e.g. {not_paid[:3]}")
    answers: dict[str, Counter[str]] = {}
    for event_id, _latency, status, code in run.samples:
        answers.setdefault(event_id, Counter())[f"{status} {code}"] += 1
    odd = [
        event_id
        for event_id, counts in answers.items()
        if counts["200 ok"] != 1 or counts["200 ok"] + counts["200 duplicate"] != counts.total()
    ]
    if odd:
        problems.append(f"{len(odd)} event ids without exactly one 'ok' and only 'duplicate' "
                        f"besides, e.g. {[dict(answers[e]) for e in odd[:3]]}")  # fmt: skip
    with schema_context(schema), connection.cursor() as cursor:
        cursor.execute(
            "SELECT o.code, o.status, "
            "(SELECT count(*) FROM sales_orderitem i WHERE i.order_id = o.id), "
            "(SELECT count(*) FROM events_eventseat s WHERE s.order_id = o.id "
            " AND s.status = 'sold'), "
            "(SELECT count(*) FROM tickets_ticket t WHERE t.order_id = o.id) "
            "FROM sales_order o WHERE o.code = ANY(%s)",
            [list(run.orders)],
        )
        rows = cursor.fetchall()
    connection.set_schema_to_public()
    wrong = [code for code, status, items, sold, tickets in rows
             if status != "paid" or not run.orders[code] == items == sold == tickets]  # fmt: skip
    if wrong or len(rows) != len(run.orders):
        problems.append(f"{len(wrong)} of {len(run.orders)} orders not paid once with one "
                        f"ticket per seat, e.g. {wrong[:3]}")  # fmt: skip
    tickets = sum(row[4] for row in rows)
    run.checked = (
        f"{len(stored):,} stored events for {len(event_ids):,} distinct ids, "
        f"{sum(row[1] == 'processed' and row[2] == 1 for row in stored):,} processed in one "
        f"attempt; {sum(row[1] == 'paid' for row in rows):,} of {len(run.orders):,} orders paid, "
        f"{tickets:,} tickets for {sum(run.orders.values()):,} seats (every ticket row counted, "
        "valid or not)"
    )


# --- the report ---------------------------------------------------------------------------------


def end_to_end_table(runs: list[EndToEnd]) -> str:
    header = ["customers", "JOB_WORKERS", "paid orders/s", "seats/s", "purchases", "errors",
              "purchase p50 / p95 / p99 ms", "polls per purchase",
              "jobs queued at the end", "cores: client", "web", "jobs", "postgres",
              "machine", "server CPU ms per paid order"]  # fmt: skip
    rows = []
    for run in runs:
        done = run.in_window()
        totals = [p.steps["purchase"] * 1000 for p in done]
        rows.append([
            str(run.clients), str(run.job_workers), f"{len(done) / run.seconds:.1f}",
            f"{sum(len(p.seats) for p in done) / run.seconds:.1f}", f"{len(done):,}",
            str(sum(run.errors.values())),
            " / ".join(ms(percentile(totals, q)) for q in (0.5, 0.95, 0.99)),
            f"{sum(p.polls for p in done) / max(1, len(done)):.1f}", str(run.queued_at_end),
            *cpu_cells(run.cpu), ms(server_cpu(run.cpu) * run.seconds * 1000 / max(1, len(done))),
        ])  # fmt: skip
    return markdown_table(header, rows)


def steps_table(runs: list[EndToEnd]) -> str:
    header = ["customers", "JOB_WORKERS", *[f"{step} p50 / p95 / p99" for step in STEPS]]
    rows = []
    for run in runs:
        done = run.in_window()
        cells = [str(run.clients), str(run.job_workers)]
        for step in STEPS:
            values = [p.steps[step] * 1000 for p in done]
            cells.append(" / ".join(ms(percentile(values, q)) for q in (0.5, 0.95, 0.99)))
        rows.append(cells)
    return markdown_table(header, rows)


def breakdown_table(runs: list[EndToEnd]) -> str:
    header = ["customers", "JOB_WORKERS", "job queue p50 / p95 / p99", "webhook p50 / p95 / p99",
              "until the next poll p50 / p95 / p99"]  # fmt: skip
    rows = []
    for run in runs:
        cells = [str(run.clients), str(run.job_workers)]
        for part in ("job queue", "webhook", "poll"):
            values = [value * 1000 for value in run.breakdown.get(part, [])]
            cells.append(" / ".join(ms(percentile(values, q)) for q in (0.5, 0.95, 0.99)))
        rows.append(cells)
    return markdown_table(header, rows)


def webhook_table(run: WebhookRun) -> str:
    header = ["deliveries", "of them", "deliveries/s", "p50 ms", "p95 ms", "p99 ms", "max ms",
              "answers"]  # fmt: skip
    rows = []
    all_latencies = [sample[1] * 1000 for sample in run.samples]
    answers = Counter(f"{status} {code}" for _e, _l, status, code in run.samples)
    rows.append([
        f"{len(run.samples):,}", "all", f"{len(run.samples) / run.seconds:,.0f}",
        *[ms(percentile(all_latencies, q)) for q in (0.5, 0.95, 0.99, 1.0)],
        ", ".join(f"{n:,} x {answer}" for answer, n in answers.most_common()),
    ])  # fmt: skip
    return markdown_table(header, rows)


def webhook_by_answer_table(run: WebhookRun) -> str:
    header = ["answer", "count", "p50 ms", "p95 ms", "p99 ms"]
    by_answer: dict[str, list[float]] = {}
    for _event, latency, status, code in run.samples:
        by_answer.setdefault(f"{status} {code}", []).append(latency * 1000)
    rows = [
        [answer, f"{len(values):,}", *[ms(percentile(values, q)) for q in (0.5, 0.95, 0.99)]]
        for answer, values in sorted(by_answer.items(), key=lambda item: -len(item[1]))
    ]
    return markdown_table(header, rows)


def render_block(
    args: argparse.Namespace, load_at_start: tuple[float, ...], runs: list[EndToEnd],
    webhooks: WebhookRun, resends: Counter[str],
) -> str:  # fmt: skip
    problems = [*{p for run in runs for p in run.problems}]
    errors = [
        f"- {run.clients} customers: " + ", ".join(f"{n:,} x {kind}" for kind, n in
                                                   run.errors.most_common())
        + (f" (e.g. `{run.error_examples[0]}`)" if run.error_examples else "")
        for run in runs
        if run.errors
    ]  # fmt: skip
    return "\n".join(
        [
            f"Command: `{COMMAND}` (part of `make bench`); arguments of this run: "
            f"`{' '.join(sys.argv[1:]) or '(defaults)'}`. One organizer and one on-sale "
            f"{ROWS * SEATS_PER_ROW:,}-seat event built through the services; one "
            "`gunicorn -c infra/gunicorn.conf.py` on 127.0.0.1 (DEBUG off, threaded WSGI workers: "
            f"WEB_CONCURRENCY={args.web_workers} x 2 threads, CONN_MAX_AGE={args.conn_max_age}, "
            "no access log) and beside it `manage.py qcluster` (django-q2, ORM broker, "
            f"JOB_WORKERS={args.job_workers} unless a run says otherwise: the cluster is "
            "restarted for it), the sandbox payment provider. Client, server, job "
            "cluster and PostgreSQL share the machine; cores = CPU busy during the window.",
            "",
            *machine_lines(load_at_start),
            "",
            "**End to end** (hold -> checkout -> sandbox page -> pay -> the job POSTs the signed "
            "webhook -> paid with tickets). Each customer (asyncio + aiohttp, own "
            "X-Forwarded-For address) repeats: hold 1-2 seats, check out, GET the hosted page "
            "(csrftoken), POST pay (302), then poll its order every "
            f"{args.poll * 1000:.0f} ms until it is paid with one ticket per seat. "
            f"{args.warmup:g} s warm-up, then a {args.duration:g} s window; a purchase counts when "
            "it ends (paid seen) inside the window. Jobs queued: the ORM broker's queue at the "
            "window's end (sandbox deliveries and confirmation emails).",
            "",
            end_to_end_table(runs),
            "",
            "Each step in ms (p50 / p95 / p99; `until paid` runs from the pay answer to the poll "
            "that sees the order paid; `purchase` is the whole):",
            "",
            steps_table(runs),
            "",
            "Where `until paid` goes, from the timestamps the webhook endpoint stores: the pay "
            "answer -> the event's arrival at the endpoint (the job waits in the queue, a worker "
            "picks it up and POSTs it) -> its commit (verify, store once, sell, issue the "
            "signed tickets) -> the customer's next poll:",
            "",
            breakdown_table(runs),
            "",
            *(["Errors:", "", *errors, ""] if errors else []),
            f"**Webhook endpoint**: {len(webhooks.orders):,} real pending orders with their "
            "sandbox sessions, made through the services hold and checkout call "
            f"({webhooks.make_seconds:.1f} s, not measured), then {len(webhooks.samples):,} "
            "signed `checkout.session.completed` deliveries to `POST /webhooks/stripe` from "
            f"{webhooks.senders} concurrent senders (keep-alive): one per order plus "
            f"{resends['concurrent resend']:,} resends sent at the same moment as the first "
            f"delivery (on a second connection) and {resends['later resend']:,} resent after the "
            f"first was answered ({(resends.total()) / len(webhooks.samples):.0%} duplicates). "
            "Confirmation emails are queued and sent by the job cluster meanwhile.",
            "",
            webhook_table(webhooks),
            "",
            webhook_by_answer_table(webhooks),
            "",
            "Cores during the deliveries: "
            + ", ".join(f"{name} {value:.2f}" for name, value in webhooks.cpu.items())
            + f"; server CPU (web + jobs + PostgreSQL) per delivery "
            f"{server_cpu(webhooks.cpu) * webhooks.seconds * 1000 / len(webhooks.samples):.0f} "
            "ms (the jobs share is the confirmation emails).",
            "",
            "**Checked from the database**:",
            "",
            f"- End to end: {runs[0].checked}; "
            + ("each paid order's seats are sold to it alone with one valid ticket each; no seat "
               "sold or ticketed twice." if not problems
               else "**FAILED**: " + "; ".join(problems)),
            f"- Webhooks: {webhooks.checked}; "
            + ("each order fulfilled exactly once, exactly one `ok` answer per event id and "
               "`duplicate` for every resend, no 5xx." if not webhooks.problems
               else "**FAILED**: " + "; ".join(webhooks.problems)),
        ]
    )  # fmt: skip


# --- main ---------------------------------------------------------------------------------------


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--runs",
        default="20,50,50:8",
        help="end-to-end runs, customers[:JOB_WORKERS], comma-separated (default workers: "
        "--job-workers)",
    )
    parser.add_argument("--duration", type=float, default=12.0, help="seconds measured per run")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds before measuring")
    parser.add_argument("--poll", type=float, default=0.5, help="order poll interval (s)")
    parser.add_argument("--orders", type=int, default=700, help="pending orders for webhooks")
    parser.add_argument("--deliveries", type=int, default=1000, help="webhook deliveries")
    parser.add_argument("--senders", type=int, default=16, help="concurrent webhook senders")
    parser.add_argument("--web-workers", type=int, default=5, help="WEB_CONCURRENCY")
    parser.add_argument("--job-workers", type=int, default=2, help="JOB_WORKERS")
    parser.add_argument("--conn-max-age", type=int, default=60, help="CONN_MAX_AGE")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep-logs", help="write the server and job logs to this directory")
    parser.add_argument("--no-write", action="store_true", help="print, don't touch RESULTS.md")
    args = parser.parse_args(argv)
    args.run_list = [
        tuple(int(part) for part in text.split(":"))
        if ":" in text
        else (int(text), args.job_workers)
        for text in args.runs.split(",")
        if text
    ]
    return args


def build_event(organizer: Any) -> tuple[int, str, list[str]]:
    from django.db import connection
    from django_tenants.utils import schema_context

    from boxoffice.events.models import EventSeat
    from tests.builders.events import on_sale_event

    event = on_sale_event(
        organizer, rows=ROWS, seats=SEATS_PER_ROW, max_seats_per_order=6, title="Payments bench"
    )
    with schema_context(organizer.schema_name):
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE events_eventseat")
        refs = list(
            EventSeat.objects.filter(event=event, kind=EventSeat.Kind.SEAT)
            .order_by("section", "row", "seat_index")
            .values_list("ref", flat=True)
        )
    connection.set_schema_to_public()
    return event.pk, event.uid, refs


def main(argv: list[str] | None = None) -> None:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    load_at_start = os.getloadavg()
    started = time.monotonic()
    start_throwaway_database()
    from django.db import connection

    from tests.builders.organizers import make_organizer

    organizer = make_organizer(SLUG)
    connection.set_schema_to_public()
    event_pk, event_uid, refs = build_event(organizer)
    pool = SeatPool(refs)
    postgres = postmaster()
    print(f"setup done in {time.monotonic() - started:.0f} s", file=sys.stderr)

    runs: list[EndToEnd] = []
    webhooks = WebhookRun(senders=args.senders)
    with tempfile.TemporaryDirectory(prefix="bench-payments-") as logs:
        log_dir = Path(args.keep_logs or logs)
        log_dir.mkdir(parents=True, exist_ok=True)
        with running_stack(args, log_dir) as stack:
            warm = asyncio.run(warm_up(stack, 2 * args.web_workers))
            print(f"stack up and warm ({warm:.2f} s) at {time.monotonic() - started:.0f} s",
                  file=sys.stderr)  # fmt: skip
            for number, (clients, job_workers) in enumerate(args.run_list):
                if job_workers != stack.job_workers:
                    stack.start_jobs(job_workers)
                run = EndToEnd(clients, job_workers)
                asyncio.run(end_to_end(run, stack, event_uid, pool, postgres, args, number * 1000))
                left = wait_for_jobs()
                paid_breakdown(run)
                runs.append(run)
                print(
                    f"{clients} customers, {job_workers} job workers: "
                    f"{len(run.in_window()) / run.seconds:.1f} paid/s, "
                    f"errors {dict(run.errors)}, jobs left {left} "
                    f"({time.monotonic() - started:.0f} s)",
                    file=sys.stderr,
                )
            if stack.job_workers != args.job_workers:
                stack.start_jobs(args.job_workers)
            made = time.perf_counter()
            webhooks.orders = make_pending_orders(organizer, event_pk, pool, args.orders, args.seed)
            webhooks.make_seconds = time.perf_counter() - made
            jobs = build_deliveries(
                webhooks.orders, organizer.schema_name, args.deliveries, random.Random(args.seed)
            )
            asyncio.run(deliver_webhooks(webhooks, stack, jobs, postgres))
            print(
                f"webhooks: {len(webhooks.samples) / webhooks.seconds:.0f}/s "
                f"({time.monotonic() - started:.0f} s)",
                file=sys.stderr,
            )
            wait_for_jobs(timeout=30)
            server_errors = stack.server_errors()
        resends = Counter(d.kind for job in jobs for d in job if d.kind != "first")
        check_sales(event_pk, organizer.schema_name, runs)
        check_webhooks(webhooks, organizer.schema_name, {job[0].event_id for job in jobs})
        if server_errors:
            webhooks.problems.append(
                f"{len(server_errors)} ERROR lines in the server or job logs, e.g. "
                f"`{server_errors[0][:200]}`"
            )

    block = render_block(args, load_at_start, runs, webhooks, resends)
    print(block)
    print(f"finished in {time.monotonic() - started:.0f} s at {datetime.now():%H:%M:%S}",
          file=sys.stderr)  # fmt: skip
    if not args.no_write:
        write_results(SECTION, PRODUCER, block)
    if any(run.problems for run in runs) or webhooks.problems:
        raise SystemExit("payments bench: a database check failed")


if __name__ == "__main__":
    main()
