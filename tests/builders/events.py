"""Events on sale (a published seat map, priced, published), through the real services."""

from datetime import timedelta

from django.utils import timezone
from django_tenants.utils import schema_context

from boxoffice.actors import Actor
from boxoffice.events.models import Event
from boxoffice.events.services import pricing
from boxoffice.events.services.events import change_event_status, create_event
from seatmaps import services as seatmap_services
from seatmaps.document import SeatMapDocument
from tests.builders.seatmaps import grid_document

ACTOR = Actor.system("test")


def published_version(
    rows: int = 5,
    seats: int = 10,
    *,
    with_floor: bool = False,
    zone: str = "Europe/Amsterdam",
    document: SeatMapDocument | None = None,
):
    """A published version of the grid of `rows` x `seats`, or of `document` when given."""
    venue = seatmap_services.create_venue(
        actor=ACTOR, name="Hall", city="Utrecht", country="NL", timezone_name=zone
    )
    seat_map = seatmap_services.create_seat_map(
        actor=ACTOR, venue=venue, name="Main",
        document=document or grid_document(rows, seats, with_floor=with_floor)
    )  # fmt: skip
    return seatmap_services.publish_seat_map(actor=ACTOR, seat_map=seat_map)


def price_everything(event: Event, amount: int = 5000) -> None:
    categories = sorted(set(event.seats.values_list("category", flat=True)))
    pricing.set_price_table(
        actor=ACTOR,
        event=event,
        ticket_types=[{"code": "adult", "name": "Adult"}, {"code": "child", "name": "Child"}],
        phases=[{"code": "regular", "name": "Regular", "until": None}],
        prices=[
            {"category": category, "ticket_type": code, "phase": "regular",
             "amount": amount if code == "adult" else amount // 2}
            for category in categories
            for code in ("adult", "child")
        ],
    )  # fmt: skip


def on_sale_event(
    organizer,
    *,
    rows: int = 5,
    seats: int = 10,
    with_floor: bool = False,
    title: str = "Opening night",
    venue_zone: str = "Europe/Amsterdam",
    document: SeatMapDocument | None = None,
    **fields,
) -> Event:
    """An event on sale at `organizer`, priced, in its own schema (left set afterwards), at a
    venue in `venue_zone`."""
    with schema_context(organizer.schema_name):
        version = published_version(
            rows, seats, with_floor=with_floor, zone=venue_zone, document=document
        )
        starts = timezone.now() + timedelta(days=30)
        event = create_event(
            actor=ACTOR,
            seat_map_version=version,
            title=title,
            starts_at=fields.pop("starts_at", starts),
            ends_at=fields.pop("ends_at", starts + timedelta(hours=3)),
            **fields,
        )
        price_everything(event)
        return change_event_status(actor=ACTOR, event=event, action="publish")
