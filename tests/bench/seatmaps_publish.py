"""Benchmark: publishing big seat maps (20,000 and 100,000 seats), and what the alternatives cost.

    make bench        # runs this after tests.bench.provisioning

Runs on a throwaway embedded PostgreSQL (see tests.bench.common.start_throwaway_database).
For each size it times `publish_seat_map` end to end (parse + validate the draft, create the
version, COPY the seats, audit) three times, and, for comparison, the same seats written with
Django's bulk_create instead of COPY. It also times parsing/validating the document and rendering
it as SVG, and reports the JSON and SVG sizes. Results go into this benchmark's block in
tests/bench/RESULTS.md.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from datetime import timedelta

from tests.bench.common import (
    machine_lines,
    markdown_table,
    start_throwaway_database,
    write_results,
)

SECTION = "## Seat-map publishing"
PRODUCER = "tests/bench/seatmaps_publish.py"
COMMAND = ".venv/bin/python -m tests.bench.seatmaps_publish"
RUNS = 3


def timed(action) -> tuple[float, object]:
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


def median_seconds(action, runs: int = RUNS) -> float:
    return statistics.median(timed(action)[0] for _ in range(runs))


def bulk_create_seats(version, document) -> None:
    from seatmaps.document import placed_seats
    from seatmaps.models import VersionSeat

    VersionSeat.objects.bulk_create(
        (
            VersionSeat(
                version=version, section=p.section.key, section_name=p.section.name,
                row=p.row.label, label=p.seat.label, category=p.seat.category,
                x=round(p.x, 2), y=round(p.y, 2), accessible=p.seat.accessible,
                restricted_view=p.seat.restricted_view, companion=p.seat.companion,
                position=index,
            )
            for index, p in enumerate(placed_seats(document))
        ),
        batch_size=2000,
    )  # fmt: skip


def measure(label: str, document, organizer) -> list[str]:
    from django.db import transaction
    from django.utils import timezone
    from django_tenants.utils import schema_context

    from boxoffice.actors import Actor
    from boxoffice.events.services.events import create_event
    from seatmaps import services
    from seatmaps.document import ensure_valid, parse_document, seat_count
    from seatmaps.models import SeatMapVersion
    from seatmaps.svg import render_svg

    actor = Actor.system("bench")
    data = document.model_dump(mode="json")
    json_bytes = len(document.model_dump_json())
    with schema_context(organizer.schema_name):
        venue = services.create_venue(actor=actor, name=f"Bench {label}")
        seat_map = services.create_seat_map(actor=actor, venue=venue, name=label, document=document)
        publish = median_seconds(lambda: services.publish_seat_map(actor=actor, seat_map=seat_map))

        class Rollback(Exception):
            pass

        def publish_with_bulk_create() -> None:
            # The same work with INSERT batches instead of COPY, rolled back afterwards.
            try:
                with transaction.atomic():
                    version = SeatMapVersion.objects.create(
                        seat_map=seat_map, number=10_000, document=data,
                        seat_count=seat_count(document), ga_capacity=0, focal_x=0, focal_y=0,
                        draft_version=1, published_by="bench",
                    )  # fmt: skip
                    bulk_create_seats(version, ensure_valid(parse_document(data)))
                    raise Rollback
            except Rollback:
                pass

        bulk = median_seconds(publish_with_bulk_create)
        version = seat_map.versions.order_by("-number").first()
        starts = timezone.now() + timedelta(days=30)
        inventory = median_seconds(
            lambda: create_event(
                actor=actor, seat_map_version=version, title=f"Bench {label}",
                starts_at=starts, ends_at=starts + timedelta(hours=3),
            )
        )  # fmt: skip
        validate = median_seconds(lambda: ensure_valid(parse_document(data)))
        render, svg = timed(lambda: render_svg(document))
    return [
        label,
        f"{seat_count(document):,}",
        f"{publish:.2f}",
        f"{bulk:.2f}",
        f"{inventory:.2f}",
        f"{validate:.2f}",
        f"{render:.2f}",
        f"{json_bytes / 1e6:.1f}",
        f"{len(svg) / 1e6:.1f}",
    ]


def grid(rows: int, seats_per_row: int):
    from tests.builders.seatmaps import grid_document

    return grid_document(rows, seats_per_row)


def main() -> None:
    load_at_start = os.getloadavg()
    start_throwaway_database()
    from seatmaps.samples import load_sample
    from tests.builders.organizers import make_organizer

    organizer = make_organizer("bench")

    rows = [
        measure("arena sample", load_sample("arena"), organizer),
        measure("grid 100 x 200", grid(100, 200), organizer),
        measure("grid 250 x 400", grid(250, 400), organizer),
    ]
    header = [
        "map", "seats", "publish s", "with bulk_create s", "event inventory s",
        "parse+validate s", "SVG render s",
        "JSON MB", "SVG MB",
    ]  # fmt: skip
    table = markdown_table(header, rows)
    block = (
        f"Command: `{COMMAND}` (part of `make bench`). Median of {RUNS} publishes per map; "
        "publish is `publish_seat_map` end to end (parse + validate the draft, version row, "
        "COPY of the seats, audit entry, one transaction); the bulk_create column does the same "
        "with INSERT batches of 2,000 instead of COPY; event inventory is `create_event` on the "
        "published version (one EventSeat per seat and GA spot, written with COPY).\n\n"
        + "\n".join(machine_lines(load_at_start))
        + "\n\n"
        + table
    )
    print(block)
    if "--no-write" not in sys.argv:
        write_results(SECTION, PRODUCER, block)


if __name__ == "__main__":
    main()
