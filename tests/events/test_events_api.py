"""Events over the API: creation with inventory, publishing rules, listing, snapshot, blocking."""

import gzip
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from boxoffice.events.models import Event, EventSeat
from tenants.roles import Role
from tests.builders.events import on_sale_event, price_everything, published_version
from tests.builders.organizers import host_of, make_member, make_organizer, signed_in_client


@pytest.fixture
def org(db):
    organizer = make_organizer("alpha")
    organizer.admin = signed_in_client(organizer, make_member(organizer, Role.ADMIN))
    organizer.staff = signed_in_client(organizer, make_member(organizer, Role.STAFF))
    organizer.public = Client(HTTP_HOST=host_of(organizer))
    return organizer


def post(client, path, payload=None):
    return client.post(path, payload or {}, content_type="application/json")


def new_event(org, **overrides):
    with schema_context(org.schema_name):
        version = published_version(3, 4, with_floor=True)
        map_id = version.seat_map.uid
    starts = datetime(2031, 5, 1, 19, 30, tzinfo=UTC)
    payload = {
        "title": "Hamlet", "category": "theater", "seat_map": map_id,
        "starts_at": starts.isoformat(), "ends_at": (starts + timedelta(hours=3)).isoformat(),
        **overrides,
    }  # fmt: skip
    return post(org.admin, "/api/v1/events", payload)


def test_admin_creates_an_event_with_its_inventory(org):
    response = new_event(org)
    assert response.status_code == 201, response.content
    event = response.json()
    assert (event["slug"], event["status"], event["timezone"]) == (
        "hamlet", "draft", "Europe/Amsterdam",
    )  # fmt: skip
    assert (event["max_seats_per_order"], event["hold_minutes"]) == (6, 10)
    with schema_context(org.schema_name):
        seats = EventSeat.objects.filter(event__uid=event["id"])
        assert seats.filter(kind="seat").count() == 12
        assert seats.filter(kind="spot").count() == 500  # the GA floor's capacity
        assert set(seats.values_list("status", flat=True)) == {"available"}


def test_bad_event_input_is_refused(org):
    for overrides, code in [
        ({"category": "opera"}, "invalid_category"),
        ({"ends_at": "2031-05-01T18:00:00+00:00"}, "invalid_dates"),
        ({"max_seats_per_order": 0}, "invalid_max_seats"),
        ({"hold_minutes": 90}, "invalid_hold_minutes"),
        ({"timezone": "Nowhere/Here"}, "invalid_timezone"),
        ({"slug": "Not A Slug"}, "invalid_slug"),
    ]:
        response = new_event(org, **overrides)
        assert response.status_code == 422, overrides
        assert response.json()["code"] == code
    with schema_context(org.schema_name):
        assert not Event.objects.exists()


def test_publishing_needs_a_price_for_every_category(org):
    event_id = new_event(org).json()["id"]
    refused = post(org.admin, f"/api/v1/events/{event_id}/publish")
    assert refused.status_code == 422
    assert refused.json()["code"] == "prices_missing"
    assert set(refused.json()["details"]["categories"]) == {"premium", "standard"}
    with schema_context(org.schema_name):
        price_everything(Event.objects.get(uid=event_id))
    published = post(org.admin, f"/api/v1/events/{event_id}/publish")
    assert published.json()["status"] == "on_sale"
    assert post(org.admin, f"/api/v1/events/{event_id}/pause").json()["status"] == "paused"
    assert post(org.admin, f"/api/v1/events/{event_id}/publish").json()["status"] == "on_sale"
    assert post(org.admin, f"/api/v1/events/{event_id}/complete").json()["status"] == "completed"
    closed = post(org.admin, f"/api/v1/events/{event_id}/publish")
    assert (closed.status_code, closed.json()["code"]) == (409, "invalid_transition")


def test_staff_cannot_create_or_change_events(org):
    event_id = new_event(org).json()["id"]
    assert post(org.staff, f"/api/v1/events/{event_id}/publish").status_code == 403
    assert post(org.staff, f"/api/v1/events/{event_id}/seats/block",
                {"seats": ["stalls/A/1"]}).status_code == 403  # fmt: skip
    assert org.staff.get(f"/api/v1/events/{event_id}").status_code == 200  # staff see drafts


def test_customers_see_published_events_only(org):
    draft_id = new_event(org).json()["id"]
    assert org.public.get(f"/api/v1/events/{draft_id}").status_code == 404
    on_sale = on_sale_event(org, title="Concert")
    assert org.public.get(f"/api/v1/events/{on_sale.slug}").json()["id"] == on_sale.uid
    listed = org.public.get("/api/v1/events").json()
    assert [e["title"] for e in listed["items"]] == ["Concert"]


def test_listing_filters(org):
    soon = datetime.now(UTC) + timedelta(days=3)
    later = datetime.now(UTC) + timedelta(days=60)
    on_sale_event(org, title="Jazz night", category="concert", starts_at=soon,
                  ends_at=soon + timedelta(hours=2), description="Trio from Lisbon")  # fmt: skip
    on_sale_event(org, title="Derby", category="sports", starts_at=later,
                  ends_at=later + timedelta(hours=2))  # fmt: skip
    with schema_context(org.schema_name):
        derby = Event.objects.get(title="Derby")
        price_everything(derby, amount=9000)

    def titles(query: str) -> list[str]:
        response = org.public.get(f"/api/v1/events?{query}")
        assert response.status_code == 200, response.content
        return [e["title"] for e in response.json()["items"]]

    assert titles("") == ["Jazz night", "Derby"]
    assert titles("category=sports") == ["Derby"]
    assert titles("city=utrecht") == ["Jazz night", "Derby"]
    assert titles("city=Paris") == []
    assert titles(f"starts_after={(soon + timedelta(days=1)).date()}") == ["Derby"]
    assert titles(f"starts_before={(soon + timedelta(days=1)).date()}") == ["Jazz night"]
    assert titles("q=lisbon") == ["Jazz night"]
    assert titles("price_min=6000") == ["Derby"]  # Derby's adult tickets cost 9000
    assert titles("price_max=3000") == ["Jazz night"]  # its children pay 2500, Derby's 4500
    assert titles("price_max=2000") == []
    assert titles("limit=1&offset=1") == ["Derby"]


def test_availability_snapshot_is_compact_and_has_an_etag(org):
    event = on_sale_event(org, rows=100, seats=200)  # 20,000 seats
    url = f"/api/v1/events/{event.uid}/availability"
    first = org.public.get(url, HTTP_ACCEPT_ENCODING="gzip")
    assert first.status_code == 200
    assert first["Content-Encoding"] == "gzip"
    assert len(first.content) <= 30_000
    body = __import__("json").loads(gzip.decompress(first.content))
    assert len(body["statuses"]) == 20_000
    assert body["counts"]["available"] == 20_000
    etag = first["ETag"]
    assert org.public.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304

    post(org.public, f"/api/v1/events/{event.uid}/holds", {"seats": ["stalls/A/3"]})
    changed = org.public.get(url, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    seats = org.public.get(f"/api/v1/events/{event.uid}/seats").json()
    index = [seat[0] for seat in seats["seats"]].index("stalls/A/3")
    assert changed.json()["statuses"][index] == "h"


def test_block_and_unblock_seats(org):
    event = on_sale_event(org)
    blocked = post(org.admin, f"/api/v1/events/{event.uid}/seats/block",
                   {"seats": ["stalls/A/1", "stalls/A/2"]})  # fmt: skip
    assert blocked.status_code == 200
    taken = post(org.public, f"/api/v1/events/{event.uid}/holds", {"seats": ["stalls/A/1"]})
    assert taken.status_code == 409
    held = post(org.public, f"/api/v1/events/{event.uid}/holds", {"seats": ["stalls/B/1"]})
    assert held.status_code == 201
    refused = post(org.admin, f"/api/v1/events/{event.uid}/seats/block", {"seats": ["stalls/B/1"]})
    assert (refused.status_code, refused.json()["details"]["seats"]) == (409, ["stalls/B/1"])
    assert post(org.admin, f"/api/v1/events/{event.uid}/seats/unblock",
                {"seats": ["stalls/A/1"]}).status_code == 200  # fmt: skip
    assert post(org.public, f"/api/v1/events/{event.uid}/holds",
                {"seats": ["stalls/A/1"]}).status_code == 201  # fmt: skip


def test_another_organizers_event_is_404(org):
    event = on_sale_event(org)
    other = make_organizer("beta")
    client = signed_in_client(other, make_member(other, Role.ADMIN))
    for path in (f"/api/v1/events/{event.uid}", f"/api/v1/events/{event.uid}/availability"):
        response = client.get(path)
        assert (response.status_code, response.json()["code"]) == (404, "event_not_found")
    assert post(client, f"/api/v1/events/{event.uid}/publish").status_code == 404
    assert client.get("/api/v1/events").json()["count"] == 0
