"""Benchmark: the shop's event page with a 20,000-seat map, in a real browser; and what the
seat-change trigger costs the claim statement.

    make bench        # runs: .venv/bin/python -m tests.bench.shop_render
    .venv/bin/python -m tests.bench.shop_render --runs 3 --no-trigger --no-write

Render: on a throwaway embedded PostgreSQL it publishes the sample arena (20,000 seats) and puts
an event on it on sale, serves the ASGI application (uvicorn, as `make run` does, in a thread of
this process, DEBUG on as in development) and opens the event page in Debian's chromium driven by
Playwright (`--runs` fresh browser contexts: an empty cache each; then as many reloads in one
context: a warm cache). Measured in the page: first contentful paint, and "map ready" — the SVG
drawn, every seat coloured from the availability snapshot, the live stream subscribed (a
`performance.mark` set by boxoffice/shop/static/shop/event.js) — and every response's bytes on
the wire (Resource Timing `transferSize`: headers + compressed body) and unpacked. The first
view after the server starts also draws the SVG on the server (then cached per process); it is
reported on its own.

Trigger: the ticket war's ceiling (tests/bench/ticket_war.py: the hold INSERT plus
`CLAIM_BY_REF` in one transaction per pick, from raw psycopg threads on fresh 20,000-seat events)
with the statement-level NOTIFY trigger of boxoffice/shop (migration 0001) enabled, with a
listener connected as a server process would be, and disabled, alternating.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import sys
import threading
import time
from pathlib import Path
from typing import Any

from tests.bench.common import (
    machine_lines,
    markdown_table,
    start_throwaway_database,
    write_results,
)

SECTION = "## Shop: a 20,000-seat map page"
PRODUCER = "tests/bench/shop_render.py"
COMMAND = ".venv/bin/python -m tests.bench.shop_render"
SLUG = "shopbench"
CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-quic", "--no-first-run",
]  # fmt: skip
MEASURE = """() => {
  const nav = performance.getEntriesByType("navigation")[0];
  const paint = performance.getEntriesByName("first-contentful-paint")[0];
  const ready = performance.getEntriesByName("map-ready")[0];
  const resources = performance.getEntriesByType("resource").map((r) => ({
    name: r.name, transfer: r.transferSize, body: r.decodedBodySize, type: r.initiatorType,
  }));
  resources.unshift({name: nav.name, transfer: nav.transferSize, body: nav.decodedBodySize,
                     type: "document"});
  return {fcp: paint ? paint.startTime : null, ready: ready.startTime,
          seats: document.querySelectorAll("circle.seat").length,
          coloured: document.querySelectorAll("circle.seat.taken").length, resources};
}"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def build_event(organizer: Any) -> Any:
    from django.db import connection
    from django_tenants.utils import schema_context

    from boxoffice.actors import Actor
    from boxoffice.events.models import EventSeat
    from boxoffice.events.services.events import change_event_status, create_event
    from seatmaps import services as seatmap_services
    from seatmaps.samples import load_sample
    from tests.builders.events import price_everything

    actor = Actor.system("bench")
    with schema_context(organizer.schema_name):
        venue = seatmap_services.create_venue(
            actor=actor, name="Arena", city="Rotterdam", country="NL",
            timezone_name="Europe/Amsterdam",
        )  # fmt: skip
        seat_map = seatmap_services.create_seat_map(
            actor=actor, venue=venue, name="Arena", document=load_sample("arena")
        )
        version = seatmap_services.publish_seat_map(actor=actor, seat_map=seat_map)
        from datetime import timedelta

        from django.utils import timezone

        starts = timezone.now() + timedelta(days=20)
        event = create_event(
            actor=actor, seat_map_version=version, title="Arena night", slug="arena-night",
            starts_at=starts, ends_at=starts + timedelta(hours=3),
        )  # fmt: skip
        price_everything(event)
        event = change_event_status(actor=actor, event=event, action="publish")
        # A house a third sold, as during an on-sale: the page colours those seats.
        ids = list(EventSeat.objects.filter(event=event).values_list("id", flat=True)[::3])
        EventSeat.objects.filter(id__in=ids).update(status="blocked")
        seats = EventSeat.objects.filter(event=event).count()
    connection.set_schema_to_public()
    return event, seats


class Server:
    def __init__(self) -> None:
        import uvicorn

        from boxoffice.asgi import application

        self.port = free_port()
        config = uvicorn.Config(
            application, host="127.0.0.1", port=self.port, log_level="warning",
            lifespan="on", timeout_graceful_shutdown=1,
        )  # fmt: skip
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> Server:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def short(url: str) -> str:
    path = url.split("://", 1)[-1].split("/", 1)[-1]
    return "/" + path.split("?")[0]


def measure_render(url: str, runs: int) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    cold: list[dict] = []
    warm: list[dict] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        for _run in range(runs + 1):  # the first one also draws the SVG on the server
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            page = context.new_page()
            page.goto(url)
            page.wait_for_selector("body[data-map-ready]", timeout=60_000)
            cold.append(page.evaluate(MEASURE))
            context.close()
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.goto(url)
        page.wait_for_selector("body[data-map-ready]", timeout=60_000)
        for _run in range(runs):
            page.reload()
            page.wait_for_selector("body[data-map-ready]", timeout=60_000)
            warm.append(page.evaluate(MEASURE))
        context.close()
        browser.close()
    return {"first": cold[0], "cold": cold[1:], "warm": warm}


def totals(sample: dict) -> tuple[int, int]:
    return (
        sum(r["transfer"] for r in sample["resources"]),
        sum(r["body"] for r in sample["resources"]),
    )


def render_tables(result: dict[str, Any]) -> str:
    def median(samples: list[dict], key: str) -> float:
        return statistics.median(s[key] for s in samples if s[key] is not None)

    rows = []
    for name, samples in (
        ("first view after server start (SVG drawn on the server)", [result["first"]]),
        (f"empty cache (median of {len(result['cold'])})", result["cold"]),
        (f"warm cache, reload (median of {len(result['warm'])})", result["warm"]),
    ):
        transfer = statistics.median(totals(s)[0] for s in samples)
        body = statistics.median(totals(s)[1] for s in samples)
        rows.append([
            name, f"{median(samples, 'fcp'):,.0f}", f"**{median(samples, 'ready'):,.0f}**",
            f"**{transfer / 1024:,.0f}**", f"{body / 1024:,.0f}",
        ])  # fmt: skip
    table = markdown_table(
        ["page load", "first contentful paint ms", "map ready ms", "kB on the wire",
         "kB unpacked"],
        rows,
    )  # fmt: skip
    sample = result["cold"][0]
    per_resource = markdown_table(
        ["response (empty cache)", "kB on the wire", "kB unpacked"],
        [
            [f"`{short(r['name'])}`", f"{r['transfer'] / 1024:,.1f}", f"{r['body'] / 1024:,.1f}"]
            for r in sample["resources"]
        ],
    )
    return (
        f"{table}\n\nSeats drawn on the map: {sample['seats']:,}, of which drawn taken: "
        f"{sample['coloured']:,}.\n\n{per_resource}"
    )


# --- the trigger's cost on the claim ----------------------------------------------------------


def set_trigger(schema: str, enabled: bool) -> None:
    from django.db import connection

    action = "ENABLE" if enabled else "DISABLE"
    with connection.cursor() as cursor:
        cursor.execute(
            f'ALTER TABLE "{schema}".events_eventseat {action} TRIGGER shop_announce_seat_changes'
        )


class Listener:
    """A connection LISTENing and draining, as a server process's SeatChanges would."""

    def __init__(self) -> None:
        self.stop = threading.Event()
        self.received = 0
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self) -> None:
        import psycopg

        from boxoffice.shop.live import CHANNEL, listen_params

        with psycopg.connect(**listen_params(), autocommit=True) as conn:
            conn.execute(f"LISTEN {CHANNEL}")
            while not self.stop.is_set():
                for _notify in conn.notifies(timeout=0.2):
                    self.received += 1

    def __enter__(self) -> Listener:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join()


def measure_trigger(organizer: Any, rounds: int, duration: float, threads: int) -> list[dict]:
    from tests.bench import ticket_war

    args = argparse.Namespace(duration=duration, ceiling_threads=threads, seed=1, blind=False)
    results = []
    for round_number in range(rounds):
        for enabled in (True, False) if round_number % 2 == 0 else (False, True):
            set_trigger(organizer.schema_name, enabled)
            if enabled:
                with Listener() as listener:
                    war = ticket_war.run_ceiling(organizer, args)
                received = listener.received
            else:
                war = ticket_war.run_ceiling(organizer, args)
                received = 0
            summary = war.summary()
            summary.update(trigger=enabled, notifications=received)
            results.append(summary)
            print(
                f"  trigger {'on ' if enabled else 'off'}: {summary['rps']:,.0f} tx/s, "
                f"p50 {summary['p50']:.2f} ms, p95 {summary['p95']:.2f} ms",
                flush=True,
            )
    set_trigger(organizer.schema_name, True)
    return results


def trigger_table(results: list[dict], threads: int) -> str:
    rows = []
    for enabled in (True, False):
        runs = [r for r in results if r["trigger"] == enabled]
        rows.append([
            "on (a listener connected)" if enabled else "off", str(len(runs)),
            f"**{statistics.median(r['rps'] for r in runs):,.0f}**",
            f"{statistics.median(r['seats_per_s'] for r in runs):,.0f}",
            f"{statistics.median(r['p50'] for r in runs):.2f}",
            f"{statistics.median(r['p95'] for r in runs):.2f}",
            f"{statistics.median(r['p99'] for r in runs):.2f}",
            f"{sum(r['notifications'] for r in runs):,}",
        ])  # fmt: skip
    on, off = (statistics.median(r["rps"] for r in results if r["trigger"] == e) for e in (1, 0))
    table = markdown_table(
        ["trigger", "runs", "claims/s (median)", "seats held/s", "p50 ms", "p95 ms", "p99 ms",
         "notifications received"],
        rows,
    )  # fmt: skip
    return (
        f"{table}\n\nWith the trigger the ceiling is {(on - off) / off:+.1%} against without "
        f"({threads} threads, raw psycopg, one transaction per pick)."
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="page loads per kind")
    parser.add_argument("--no-trigger", action="store_true", help="skip the trigger's cost")
    parser.add_argument("--trigger-rounds", type=int, default=3)
    parser.add_argument("--trigger-seconds", type=float, default=6.0)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--no-write", action="store_true", help="print, don't touch RESULTS.md")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    if not Path(CHROMIUM).exists():
        raise SystemExit(
            f"{CHROMIUM} is missing: `make bench` installs it (apt-get install chromium)"
        )
    load_at_start = os.getloadavg()
    start_throwaway_database()
    from django.db import connection

    from tests.builders.organizers import make_organizer

    organizer = make_organizer(SLUG)
    event, seats = build_event(organizer)
    print(f"event with {seats:,} places on sale", flush=True)
    with Server() as server:
        url = f"http://{SLUG}.localhost:{server.port}/events/{event.slug}/"
        result = measure_render(url, args.runs)
    connection.set_schema_to_public()
    trigger = None
    if not args.no_trigger:
        trigger = measure_trigger(
            organizer, args.trigger_rounds, args.trigger_seconds, args.threads
        )

    block = "\n".join(
        [
            f"Command: `{COMMAND}` (what `make bench` runs). Chromium "
            "(Debian) via Playwright on loopback, no network throttling; the server is uvicorn "
            "with the ASGI app in the benchmark's process, DEBUG on (static files unminified and "
            "uncompressed, as in development).",
            "",
            *machine_lines(load_at_start),
            "",
            f"**The event page of a {seats:,}-place arena** (seats and standing spots), a third "
            "of them taken "
            "(`/events/<slug>/`: HTML, CSS, 6 ES modules, then the map SVG, the seat list and the "
            "availability snapshot in parallel, and the availability stream):",
            "",
            render_tables(result),
        ]
    )
    if trigger is not None:
        block += "\n\n**The seat-change trigger on the claim statement** (ticket war ceiling):\n\n"
        block += trigger_table(trigger, args.threads)
    print(block)
    if not args.no_write:
        write_results(SECTION, PRODUCER, block)


if __name__ == "__main__":
    main()
