"""Benchmark: ticket signatures, the offline manifest, and online scans on a real server.

    make bench        # runs: .venv/bin/python -m tests.bench.tickets_checkin
    .venv/bin/python -m tests.bench.tickets_checkin --tickets 5000 --duration 5 --no-write

On a throwaway embedded PostgreSQL (tests.bench.common.start_throwaway_database):
1. Signature checks per second in this Python process: Ed25519 verify alone (the key object
   cached, as the server does), and the whole payload check a device or server does (base45
   decode + parse + verify).
2. The offline manifest of one list for an event with `--tickets` (default 50,000) sold seats:
   bulk-built orders (4 seats each, varied names) whose tickets are signed by the real signing
   code; time to build it (queries + JSON) and to gzip it, and its size raw and gzipped. Then
   500 changes (250 revocations, 250 admissions by online scans) and the delta since the full
   manifest's cursor: time and size.
3. Online scans through gunicorn with infra/gunicorn.conf.py (DEBUG off, production settings):
   `--clients` asyncio door devices, each paired through the real services and on a keep-alive
   connection of its own, POST /api/v1/checkin/lists/{id}/scans for distinct tickets (each an
   `ok` entry) in a closed loop; scans/s and latency percentiles over the window after a warm-up.
   Afterwards it checks from the database that no ticket was admitted twice and that every `ok`
   answer has its admission.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import json
import math
import os
import secrets
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from tests.bench.common import (
    machine_lines,
    markdown_table,
    start_throwaway_database,
    write_results,
)

SECTION = "## Tickets and check-in"
PRODUCER = "tests/bench/tickets_checkin.py"
COMMAND = ".venv/bin/python -m tests.bench.tickets_checkin"
SLUG = "doors"
HOST = f"{SLUG}.localhost"
SEATS_PER_ROW = 200
ORDER_SIZE = 4
CHANGES = 500
FIRST = ["Ada", "Alan", "Grace", "Edsger", "Barbara", "Donald", "Frances", "Ken",
         "Radia", "Tim", "Margaret", "John", "Sophie", "Linus", "Hedy", "Guido",
         "Anita", "Dennis"]  # fmt: skip
LAST = ["Lovelace", "Turing", "Hopper", "Dijkstra", "Liskov", "Knuth", "Allen", "Thompson",
        "Perlman", "Berners-Lee", "Hamilton", "McCarthy", "Wilson", "Torvalds", "Lamarr",
        "van Rossum", "Borg", "Ritchie", "de Vries", "Okafor", "Nakamura", "Silva"]  # fmt: skip


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def timed(action):
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


# --- 1. signatures ------------------------------------------------------------------------------


def signature_rates(payloads: list[str], public_key: bytes) -> dict[str, float]:
    from boxoffice.tickets import keys
    from boxoffice.tickets.payload import decode_payload

    decoded = [decode_payload(text) for text in payloads]
    rounds = max(1, 20_000 // len(decoded))
    work = decoded * rounds
    seconds, _ = timed(
        lambda: all(keys.verify(public_key, p.signature, p.signed_bytes) for p in work)
    )
    texts = payloads * rounds

    def full_check() -> bool:
        ok = True
        for text in texts:
            payload = decode_payload(text)
            ok &= keys.verify(public_key, payload.signature, payload.signed_bytes)
        return ok

    full_seconds, all_ok = timed(full_check)
    assert all_ok
    return {"verify": len(work) / seconds, "check": len(texts) / full_seconds}


# --- 2. the house and the manifest --------------------------------------------------------------


def sell_everything(organizer, tickets: int):
    """An event with `tickets` seats, every one sold in orders of ORDER_SIZE, tickets signed."""
    import random

    from django.db import transaction
    from django.utils import timezone
    from django_tenants.utils import schema_context

    from boxoffice.events.models import EventSeat
    from boxoffice.sales.models import Hold, Order, OrderItem
    from boxoffice.sales.order_access import new_order_code, new_secret_nonce
    from boxoffice.tickets.models import Ticket
    from boxoffice.tickets.services import _sign, _signer
    from tests.builders.events import on_sale_event

    rows = math.ceil(tickets / SEATS_PER_ROW)
    event = on_sale_event(organizer, rows=rows, seats=SEATS_PER_ROW, title="Manifest night")
    rng = random.Random(7)
    now = timezone.now()
    with schema_context(organizer.schema_name), transaction.atomic():
        seats = list(EventSeat.objects.filter(event=event).order_by("position")[:tickets])
        groups = [seats[i : i + ORDER_SIZE] for i in range(0, len(seats), ORDER_SIZE)]
        holds = Hold.objects.bulk_create(
            [Hold(event=event, token_hash=secrets.token_hex(32), status="converted",
                  expires_at=now, max_expires_at=now) for _ in groups],
            batch_size=2000,
        )  # fmt: skip
        orders = Order.objects.bulk_create(
            [Order(code=new_order_code(), secret_nonce=new_secret_nonce(), event=event,
                   hold=hold, email=f"guest{n}@example.com",
                   name=f"{rng.choice(FIRST)} {rng.choice(LAST)}", status="paid",
                   currency="EUR", subtotal=5000 * len(group), total=5000 * len(group),
                   provider="sandbox", expires_at=now, paid_at=now)
             for n, (hold, group) in enumerate(zip(holds, groups, strict=True))],
            batch_size=2000,
        )  # fmt: skip
        items = OrderItem.objects.bulk_create(
            [OrderItem(order=order, seat=seat, ref=seat.ref,
                       label=f"{seat.section.title()} row {seat.row} seat {seat.label}",
                       category=seat.category, category_name=seat.category.title(),
                       ticket_type="adult", ticket_type_name="Adult",
                       price=5000, total=5000)
             for order, group in zip(orders, groups, strict=True) for seat in group],
            batch_size=5000,
        )  # fmt: skip
        names = {order.pk: order.name for order in orders}
        made = Ticket.objects.bulk_create(
            [Ticket(order_id=item.order_id, item=item, event=event, seat_id=item.seat_id,
                    holder_name=names[item.order_id]) for item in items],
            batch_size=5000,
        )  # fmt: skip
        key, private = _signer()
        signing_seconds, _ = timed(lambda: [_sign(ticket, key, private) for ticket in made])
        Ticket.objects.bulk_update(made, ["payload", "signing_key", "updated_at"], batch_size=5000)
    return event, made, signing_seconds


def manifest_sizes(checkin_list, cursor: str | None = None) -> dict:
    from checkin.selectors import build_manifest

    build_seconds, built = timed(lambda: build_manifest(checkin_list, cursor=cursor))
    json_seconds, body = timed(lambda: json.dumps(built.body, separators=(",", ":")).encode())
    gzip_seconds, packed = timed(lambda: gzip.compress(body, compresslevel=6))
    return {
        "build_ms": build_seconds * 1000,
        "json_ms": json_seconds * 1000,
        "gzip_ms": gzip_seconds * 1000,
        "raw": len(body),
        "gzip": len(packed),
        "tickets": len(built.body["tickets"]),
        "revoked": len(built.body["revoked"]),
        "admitted": len(built.body["admitted"]),
        "cursor": built.body["cursor"],
    }


# --- 3. online scans ----------------------------------------------------------------------------


async def scan_war(port: int, list_uid: str, tokens: list[str], payloads: list[str],
                   warmup: float, duration: float) -> dict:  # fmt: skip
    import aiohttp

    url = f"http://127.0.0.1:{port}/api/v1/checkin/lists/{list_uid}/scans"
    queue = list(reversed(payloads))
    samples: list[tuple[float, float, str]] = []
    stop = asyncio.Event()

    async def door(token: str) -> None:
        headers = {"Authorization": f"Device {token}", "Content-Type": "application/json",
                   "Host": HOST}  # fmt: skip
        connector = aiohttp.TCPConnector(limit=1, keepalive_timeout=60)
        async with aiohttp.ClientSession(
            connector=connector, timeout=aiohttp.ClientTimeout(total=60)
        ) as session:
            while not stop.is_set() and queue:
                body = json.dumps({
                    "payload": queue.pop(), "nonce": secrets.token_hex(8),
                    "scanned_at": datetime.now(UTC).isoformat(), "direction": "entry",
                }).encode()  # fmt: skip
                started = time.perf_counter()
                try:
                    async with session.post(url, data=body, headers=headers) as response:
                        answer = await response.read()
                        outcome = f"http {response.status}"
                        if response.status == 200:
                            outcome = json.loads(answer).get("verdict", "?")
                except (aiohttp.ClientError, TimeoutError) as error:
                    outcome = f"client {type(error).__name__}"
                ended = time.perf_counter()
                samples.append((ended, ended - started, outcome))

    tasks = [asyncio.create_task(door(token)) for token in tokens]
    await asyncio.sleep(warmup)
    window_start = time.perf_counter()
    await asyncio.sleep(duration)
    window_end = time.perf_counter()
    stop.set()
    await asyncio.gather(*tasks)
    inside = [s for s in samples if window_start <= s[0] <= window_end]
    latencies = [s[1] * 1000 for s in inside]
    return {
        "scans": len(inside),
        "rate": len(inside) / (window_end - window_start),
        "p50": percentile(latencies, 0.5),
        "p95": percentile(latencies, 0.95),
        "p99": percentile(latencies, 0.99),
        "max": max(latencies, default=math.nan),
        "outcomes": Counter(s[2] for s in samples),
        "all": len(samples),
    }


def check_admissions(organizer, checkin_list, ok_answers: int) -> str:
    from django.db.models import Count
    from django_tenants.utils import schema_context

    from checkin.models import Admission, Scan

    with schema_context(organizer.schema_name):
        twice = (
            Scan.objects.filter(checkin_list=checkin_list, verdict="ok", direction="entry")
            .values("ticket_id")
            .annotate(n=Count("id"))
            .filter(n__gt=1)
            .count()
        )
        admissions = Admission.objects.filter(checkin_list=checkin_list).count()
        oks = Scan.objects.filter(checkin_list=checkin_list, verdict="ok").count()
    problems = []
    if twice:
        problems.append(f"{twice} tickets admitted twice")
    if oks != ok_answers + CHANGES // 2 or admissions != oks:
        problems.append(f"{oks} ok scans, {admissions} admissions, {ok_answers} ok answers")
    return "; ".join(problems)


# --- main ---------------------------------------------------------------------------------------


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tickets", type=int, default=50_000)
    parser.add_argument("--clients", type=int, default=16, help="door devices scanning at once")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--conn-max-age", type=int, default=60)
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--duration", type=float, default=15.0)
    parser.add_argument("--no-write", action="store_true", help="print, do not touch RESULTS.md")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    load_at_start = os.getloadavg()
    start_throwaway_database()
    from django.db import connection
    from django.utils import timezone
    from django_tenants.utils import schema_context

    from boxoffice.actors import Actor
    from boxoffice.tickets.models import SigningKey
    from boxoffice.tickets.services import revoke_tickets
    from checkin.models import CheckinList
    from checkin.services.devices import create_device, pair_device
    from checkin.services.lists import create_checkin_list
    from checkin.services.scans import scan_ticket
    from tests.bench.ticket_war import Setup, running_server
    from tests.builders.organizers import make_organizer

    actor = Actor.system("bench")
    organizer = make_organizer(SLUG)
    print(f"selling {args.tickets:,} tickets ...", flush=True)
    event, tickets, signing_seconds = sell_everything(organizer, args.tickets)
    with schema_context(organizer.schema_name):
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        public_key = bytes(SigningKey.objects.get().public_key)
        checkin_list = create_checkin_list(
            event=event, name="All doors", categories=[], allow_reentry=False, actor=actor
        )
        checkin_list = CheckinList.objects.select_related("event").get(pk=checkin_list.pk)
        rates = signature_rates([t.payload for t in tickets[:2000]], public_key)
        print(f"signatures: {rates}", flush=True)
        manifest_sizes(checkin_list)  # warm
        full = manifest_sizes(checkin_list)
        print(f"full manifest: {full}", flush=True)

        # 500 changes: 250 revocations, 250 admissions.
        half = CHANGES // 2
        revoke_tickets(items=[t.item for t in tickets[-half:]], reason="refund")
        device, code = create_device(name="Bench desk", list_uids=[checkin_list.uid], actor=actor)
        device, _token = pair_device(code=code)
        for ticket in tickets[-2 * half : -half]:
            scan_ticket(device=device, checkin_list=checkin_list, payload=ticket.payload,
                        nonce=secrets.token_hex(8), scanned_at=timezone.now())  # fmt: skip
        delta = manifest_sizes(checkin_list, cursor=full["cursor"])
        print(f"delta: {delta}", flush=True)

        tokens = []
        for number in range(args.clients):
            _device, code = create_device(
                name=f"Door {number + 1}", gate=f"Gate {number % 4 + 1}",
                list_uids=[checkin_list.uid], actor=actor,
            )  # fmt: skip
            tokens.append(pair_device(code=code)[1])
    connection.set_schema_to_public()
    connection.close()

    scannable = [t.payload for t in tickets[: -2 * half]]
    setup = Setup("production", args.workers, args.conn_max_age)
    with (
        tempfile.TemporaryDirectory(prefix="bench-doors-") as logs,
        running_server(setup, Path(logs)) as server,
    ):
        print(f"scanning on {setup.describe()} ...", flush=True)
        war = asyncio.run(scan_war(server.port, checkin_list.uid, tokens, scannable,
                                   args.warmup, args.duration))  # fmt: skip
    print(f"scans: {war}", flush=True)
    problem = check_admissions(organizer, checkin_list, war["outcomes"].get("ok", 0))
    errors = sum(n for outcome, n in war["outcomes"].items() if outcome != "ok")

    def kb(size: int) -> str:
        return f"{size / 1024:,.0f} KiB" if size >= 10_240 else f"{size:,} B"

    block = "\n".join(
        [
            f"Command: `{COMMAND}` (part of `make bench`); arguments of this run: "
            f"`--tickets {args.tickets} --clients {args.clients} --workers {args.workers} "
            f"--conn-max-age {args.conn_max_age} --duration {args.duration:g}`.",
            "",
            *machine_lines(load_at_start),
            "",
            "**Signatures** (one Python thread, Ed25519 from `cryptography`, public key object "
            "cached):",
            "",
            markdown_table(
                ["what", "per second"],
                [
                    ["Ed25519 verify", f"{rates['verify']:,.0f}"],
                    ["payload check: base45 decode + parse + verify", f"{rates['check']:,.0f}"],
                    ["signing at issue (sign + base45)", f"{len(tickets) / signing_seconds:,.0f}"],
                ],
            ),
            "",
            f"**Offline manifest** of one list, {args.tickets:,} sold tickets in orders of "
            f"{ORDER_SIZE} (JSON; build = the queries and rows, median of one warm run):",
            "",
            markdown_table(
                [
                    "manifest",
                    "tickets",
                    "revoked",
                    "admitted",
                    "build ms",
                    "JSON ms",
                    "gzip ms",
                    "raw",
                    "gzipped",
                ],
                [
                    [
                        name,
                        f"{m['tickets']:,}",
                        f"{m['revoked']:,}",
                        f"{m['admitted']:,}",
                        f"{m['build_ms']:,.0f}",
                        f"{m['json_ms']:,.0f}",
                        f"{m['gzip_ms']:,.0f}",
                        kb(m["raw"]),
                        kb(m["gzip"]),
                    ]
                    for name, m in (("full", full), (f"delta after {CHANGES} changes", delta))
                ],
            ),
            "",
            f"The delta covers {half} revocations and {half} admissions made after the full "
            "manifest's cursor.",
            "",
            f"**Online scans** through gunicorn (`infra/gunicorn.conf.py`, {setup.describe()}, "
            f"DEBUG off): {args.clients} door devices (asyncio + aiohttp, one keep-alive "
            "connection and one device token each) scan distinct valid tickets in a closed "
            f"loop; {args.warmup:g} s warm-up, {args.duration:g} s window. The load generator "
            "shares the CPUs with the server and PostgreSQL.",
            "",
            markdown_table(
                [
                    "scans in window",
                    "scans/s",
                    "p50 ms",
                    "p95 ms",
                    "p99 ms",
                    "max ms",
                    "answers other than ok",
                ],
                [
                    [
                        f"{war['scans']:,}",
                        f"**{war['rate']:,.0f}**",
                        f"{war['p50']:,.1f}",
                        f"{war['p95']:,.1f}",
                        f"**{war['p99']:,.1f}**",
                        f"{war['max']:,.1f}",
                        f"{errors}",
                    ]
                ],
            ),
            "",
            "Check afterwards (database): "
            + (problem or "every `ok` has its admission, no ticket admitted twice."),
        ]
    )
    print(block)
    if not args.no_write:
        write_results(SECTION, PRODUCER, block)
    if problem or errors:
        raise SystemExit(f"problems: {problem or war['outcomes']}")


if __name__ == "__main__":
    main()
