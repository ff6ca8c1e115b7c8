"""Times typed in the console's event forms mean the event's zone (the venue's on create), the
edit form shows them in that zone, and saving it unchanged moves nothing."""

from datetime import UTC, datetime
from html.parser import HTMLParser

import pytest
from django_tenants.utils import schema_context

from boxoffice.events.models import Event
from tests.builders.events import published_version
from tests.builders.organizers import make_organizer, owner_of, signed_in_client

pytestmark = pytest.mark.django_db


class _FormValues(HTMLParser):
    """What a browser would submit for the page's main form, unchanged."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name and name != "csrfmiddlewaretoken":
            if attrs.get("type") == "checkbox":
                if "checked" in attrs:
                    self.values[name] = "on"
            else:
                self.values[name] = attrs.get("value") or ""
        elif tag == "textarea" and name:
            self._textarea = name
            self.values[name] = ""
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in attrs:
            self.values[self._select] = attrs.get("value") or ""

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.values[self._textarea] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None


def form_values(html: str) -> dict[str, str]:
    parser = _FormValues()
    parser.feed(html)
    # The textarea's first newline belongs to the markup, as browsers treat it.
    return {name: value.removeprefix("\n") for name, value in parser.values.items()}


def _console(organizer_zone: str, venue_zone: str):
    organizer = make_organizer("alpha", timezone_name=organizer_zone)
    with schema_context(organizer.schema_name):
        version = published_version(zone=venue_zone)
    return organizer, version.seat_map.uid, signed_in_client(organizer, owner_of(organizer))


def _create(client, seat_map: str, starts: str, ends: str, **extra) -> Event:
    answer = client.post(
        "/console/events/new/",
        {"title": "Late show", "category": "concert", "seat_map": seat_map,
         "starts_at": starts, "ends_at": ends, "max_seats_per_order": "4", "hold_minutes": "8",
         "fee_per_ticket": "0", "tax_rate": "0", "refund_policy": ""} | extra,
    )  # fmt: skip
    assert answer.status_code == 302, answer.content.decode()
    return Event.objects.get(title="Late show")


CASES = [
    # (organizer's zone, venue's zone, typed start, the UTC moment it means)
    ("Europe/Amsterdam", "Pacific/Auckland", "2026-12-04T20:00", datetime(2026, 12, 4, 7, 0)),
    ("Pacific/Auckland", "America/Los_Angeles", "2026-12-04T20:00", datetime(2026, 12, 5, 4, 0)),
    ("UTC", "Europe/Lisbon", "2026-07-10T20:00", datetime(2026, 7, 10, 19, 0)),
]


@pytest.mark.parametrize(("organizer_zone", "venue_zone", "typed", "utc"), CASES)
def test_a_typed_time_means_the_venues_zone_and_saving_unchanged_moves_nothing(
    organizer_zone, venue_zone, typed, utc
):
    organizer, seat_map, client = _console(organizer_zone, venue_zone)
    new_form = client.get("/console/events/new/").content.decode()
    assert f"In {venue_zone}, the venue&#x27;s time zone." in new_form
    ends = typed.replace("T20:00", "T23:00")
    with schema_context(organizer.schema_name):
        event = _create(client, seat_map, typed, ends, sales_start="2026-06-01T09:30")
        assert event.timezone == venue_zone
        assert event.starts_at == utc.replace(tzinfo=UTC)
        stored = (event.starts_at, event.ends_at, event.sales_start, event.sales_end)

    edit = client.get(f"/console/events/{event.uid}/edit/").content.decode()
    values = form_values(edit)
    assert values["starts_at"] == typed
    assert values["sales_start"] == "2026-06-01T09:30"
    assert f"In {venue_zone}, the event&#x27;s time zone." in edit
    for _ in range(3):
        saved = client.post(f"/console/events/{event.uid}/edit/", values)
        assert saved.status_code == 302, saved.content.decode()
    with schema_context(organizer.schema_name):
        event.refresh_from_db()
        assert (event.starts_at, event.ends_at, event.sales_start, event.sales_end) == stored


def test_an_edit_means_the_events_zone_not_the_organizers():
    organizer, seat_map, client = _console("Europe/Amsterdam", "Europe/Lisbon")
    with schema_context(organizer.schema_name):
        event = _create(client, seat_map, "2026-07-10T20:00", "2026-07-10T23:00")
    values = form_values(client.get(f"/console/events/{event.uid}/edit/").content.decode())
    values["starts_at"] = "2026-07-10T21:15"
    assert client.post(f"/console/events/{event.uid}/edit/", values).status_code == 302
    with schema_context(organizer.schema_name):
        event.refresh_from_db()
    # 21:15 in Lisbon (WEST, UTC+1), not in Amsterdam (UTC+2).
    assert event.starts_at == datetime(2026, 7, 10, 20, 15, tzinfo=UTC)
    page = client.get(f"/console/events/{event.uid}/").content.decode()
    assert "21:15" in page and "22:15" not in page


def test_dates_across_a_dst_change_keep_their_wall_clock_and_seconds_survive():
    # Los Angeles leaves daylight time on 1 November 2026: a sales start before, a show after.
    organizer, seat_map, client = _console("UTC", "America/Los_Angeles")
    with schema_context(organizer.schema_name):
        event = _create(
            client, seat_map, "2026-11-02T20:00", "2026-11-02T22:00",
            sales_start="2026-10-30T20:00",
        )  # fmt: skip
        assert event.starts_at == datetime(2026, 11, 3, 4, 0, tzinfo=UTC)  # PST, UTC-8
        assert event.sales_start == datetime(2026, 10, 31, 3, 0, tzinfo=UTC)  # PDT, UTC-7
        # Seconds set through the API do not show in the form; saving it keeps them.
        Event.objects.filter(pk=event.pk).update(
            starts_at=datetime(2026, 11, 3, 4, 0, 30, tzinfo=UTC)
        )
    values = form_values(client.get(f"/console/events/{event.uid}/edit/").content.decode())
    assert (values["starts_at"], values["sales_start"]) == ("2026-11-02T20:00", "2026-10-30T20:00")
    assert client.post(f"/console/events/{event.uid}/edit/", values).status_code == 302
    with schema_context(organizer.schema_name):
        event.refresh_from_db()
        assert event.starts_at == datetime(2026, 11, 3, 4, 0, 30, tzinfo=UTC)


def test_a_time_the_clocks_skip_or_repeat_is_refused_with_a_reason():
    organizer, seat_map, client = _console("UTC", "America/Los_Angeles")
    base = {"title": "Late show", "category": "concert", "seat_map": seat_map,
            "ends_at": "2026-11-05T23:00", "max_seats_per_order": "4", "hold_minutes": "8",
            "fee_per_ticket": "0", "tax_rate": "0"}  # fmt: skip
    skipped = client.post("/console/events/new/", base | {"starts_at": "2026-03-08T02:30"})
    assert skipped.status_code == 200
    assert "does not exist in America/Los_Angeles" in skipped.content.decode()
    twice = client.post("/console/events/new/", base | {"starts_at": "2026-11-01T01:30"})
    assert "happens twice in America/Los_Angeles" in twice.content.decode()
    with schema_context(organizer.schema_name):
        assert not Event.objects.exists()
