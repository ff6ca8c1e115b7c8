"""Accessible seating over HTTP: wheelchair spaces and companion seats are kept for customers who
ask for them until the organizer releases them; restricted-view seats rank last."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from boxoffice.audit.models import AuditEntry
from boxoffice.events.models import EventSeat
from seatmaps.document import Category, Row, Seat, SeatMapDocument, Section, Shape
from tenants.roles import Role
from tests.builders.events import on_sale_event
from tests.builders.organizers import host_of, make_member, make_organizer, signed_in_client

WHEELCHAIR, COMPANION = "stalls/B/4", "stalls/B/5"


def house() -> SeatMapDocument:
    """Three rows of eight facing a stage, centre line x = 400: row A premium; rows B and C
    standard, with a wheelchair space (B/4) and its companion seat (B/5) in the middle of row B
    and two restricted-view seats (C/4, C/5) in the middle of row C."""

    def seat(index: int, row: str, number: int) -> Seat:
        return Seat(
            label=str(number), x=(number - 1) * 30, y=35 * index,
            category="premium" if row == "A" else "standard",
            accessible=(row, number) == ("B", 4), companion=(row, number) == ("B", 5),
            restricted_view=row == "C" and number in (4, 5),
        )  # fmt: skip

    rows = [
        Row(label=row, seats=[seat(index, row, number) for number in range(1, 9)])
        for index, row in enumerate("ABC")
    ]
    return SeatMapDocument(
        categories=[
            Category(key="premium", name="Premium", color="#7b2cbf"),
            Category(key="standard", name="Standard", color="#2a9d8f"),
        ],
        sections=[Section(key="stalls", name="Stalls", x=295, y=200, rows=rows)],
        shapes=[Shape(kind="stage", x=250, y=20, width=300, height=60, text="Stage")],
    )


@pytest.fixture
def shop(db):
    organizer = make_organizer("alpha")
    event = on_sale_event(organizer, document=house(), max_seats_per_order=10)
    client = Client(HTTP_HOST=host_of(organizer))

    class Shop:
        pass

    shop = Shop()
    shop.organizer, shop.event, shop.client = organizer, event, client
    shop.admin = signed_in_client(organizer, make_member(organizer, Role.ADMIN))
    shop.staff = signed_in_client(organizer, make_member(organizer, Role.STAFF))
    return shop


def post(client, path: str, payload: dict | None = None):
    return client.post(path, payload or {}, content_type="application/json")


def best(shop, quantity: int, category: str = "standard", **options):
    wanted = {"category": category, "quantity": quantity, **options}
    return post(shop.client, f"/api/v1/events/{shop.event.uid}/holds", {"best_available": wanted})


def refs(response) -> list[str]:
    assert response.status_code == 201, response.content
    return [seat["ref"] for seat in response.json()["seats"]]


def test_general_requests_never_get_wheelchair_spaces_or_companion_seats(shop):
    row_c = [f"stalls/C/{n}" for n in range(1, 9)]
    url = f"/api/v1/events/{shop.event.uid}/holds"
    assert post(shop.client, url, {"seats": row_c}).status_code == 201
    # Row B's six ordinary seats, in two runs of three either side of the kept pair.
    assert sorted(refs(best(shop, 6))) == [f"stalls/B/{n}" for n in (1, 2, 3, 6, 7, 8)]
    # Only the wheelchair space and its companion are free now: not for a general request.
    refused = best(shop, 1)
    assert refused.status_code == 409, refused.content
    assert refused.json()["code"] == "seats_unavailable"


def test_an_accessible_request_gets_the_wheelchair_space_and_its_companion(shop):
    assert refs(best(shop, 2, accessible=True)) == [WHEELCHAIR, COMPANION]
    again = best(shop, 1, accessible=True)
    assert again.status_code == 409  # the only wheelchair space is taken
    assert "wheelchair" in again.json()["message"]


def test_an_accessible_request_for_one_or_three(shop):
    assert refs(best(shop, 1, accessible=True)) == [WHEELCHAIR]
    with schema_context(shop.organizer.schema_name):
        EventSeat.objects.filter(event=shop.event).update(status="available", hold_id=None,
                                                          held_until=None)  # fmt: skip
    three = refs(best(shop, 3, accessible=True))
    # The companion seat comes first, then the next seat beside the pair.
    assert three in (["stalls/B/3", WHEELCHAIR, COMPANION], [WHEELCHAIR, COMPANION, "stalls/B/6"])


def test_accessible_in_a_category_without_wheelchair_spaces(shop):
    refused = best(shop, 2, category="premium", accessible=True)
    assert refused.status_code == 422
    assert refused.json()["code"] == "no_wheelchair_spaces"


def test_a_wheelchair_space_can_still_be_picked_by_hand(shop):
    url = f"/api/v1/events/{shop.event.uid}/holds"
    assert refs(post(shop.client, url, {"seats": [WHEELCHAIR]})) == [WHEELCHAIR]


def test_the_organizer_releases_them_for_general_sale_and_keeps_them_again(shop):
    base = f"/api/v1/events/{shop.event.uid}/seats"
    assert post(shop.staff, f"{base}/release-access").status_code == 403
    bad = post(shop.admin, f"{base}/release-access", {"seats": ["stalls/B/1", WHEELCHAIR]})
    assert bad.status_code == 422
    assert bad.json()["details"]["seats"] == ["stalls/B/1"]

    released = post(shop.admin, f"{base}/release-access")
    assert released.status_code == 200, released.content
    assert released.json() == {"seats": [WHEELCHAIR, COMPANION]}
    assert post(shop.admin, f"{base}/release-access").json() == {"seats": []}  # already so
    # Now they are ordinary seats: the whole of row B sits together, nearest the stage.
    assert refs(best(shop, 8, allow_split=False)) == [f"stalls/B/{n}" for n in range(1, 9)]

    kept = post(shop.admin, f"{base}/keep-access", {"seats": [COMPANION]})
    assert kept.json() == {"seats": [COMPANION]}
    with schema_context(shop.organizer.schema_name):
        actions = list(
            AuditEntry.objects.filter(target_id=shop.event.uid, action__startswith="seats.access")
            .order_by("id")
            .values_list("action", "data")
        )
    assert actions == [
        ("seats.access_released", {"seats": [WHEELCHAIR, COMPANION]}),
        ("seats.access_released", {"seats": []}),
        ("seats.access_kept", {"seats": [COMPANION]}),
    ]


def test_restricted_view_seats_rank_below_unrestricted_ones(shop):
    url = f"/api/v1/events/{shop.event.uid}/holds"
    row_b = [f"stalls/B/{n}" for n in range(1, 9)]
    assert post(shop.client, url, {"seats": row_b}).status_code == 201
    # The middle of row C would be best, but C/4 and C/5 have a restricted view.
    assert refs(best(shop, 2)) == ["stalls/C/1", "stalls/C/2"]


def test_best_available_statement_count_is_pinned(shop):
    """Best available reads the category once and claims once when nobody races it."""
    token = post(shop.client, f"/api/v1/events/{shop.event.uid}/holds").json()["token"]
    url = f"/api/v1/holds/{token}/best-available"
    with CaptureQueriesContext(connection) as queries:
        answer = post(shop.client, url, {"category": "standard", "quantity": 2, "accessible": True})
    assert answer.status_code == 200, answer.content
    sent = [query["sql"][:100] for query in queries.captured_queries
            if "SAVEPOINT" not in query["sql"]]  # fmt: skip
    assert len(sent) == 7, "\n".join(sent)


def test_the_console_releases_and_keeps_them(shop):
    url = f"/console/events/{shop.event.uid}/seats/"
    page = shop.admin.get(url).content.decode()
    assert "2 kept for customers who ask for accessible seating, 0 released" in page
    done = shop.admin.post(url, {"action": "release_access", "seats": ""}, follow=True)
    assert "2 wheelchair space(s) and companion seat(s) released for general sale" in (
        done.content.decode()
    )
    assert "0 kept for customers who ask for accessible seating, 2 released" in (
        shop.admin.get(url).content.decode()
    )
    shop.admin.post(url, {"action": "keep_access", "seats": WHEELCHAIR})
    with schema_context(shop.organizer.schema_name):
        released = EventSeat.objects.filter(event=shop.event, access_released=True)
        assert list(released.values_list("ref", flat=True)) == [COMPANION]


def test_the_quote_names_restricted_view_and_access_seats(shop):
    url = f"/api/v1/events/{shop.event.uid}/holds"
    token = post(shop.client, url, {"seats": ["stalls/C/4", WHEELCHAIR, "stalls/C/1"]})
    quote = post(shop.client, f"/api/v1/holds/{token.json()['token']}/quote")
    assert quote.status_code == 200, quote.content
    notes = {item["seat"]: item["notes"] for item in quote.json()["items"]}
    assert notes == {WHEELCHAIR: ["Wheelchair space"], "stalls/C/4": ["Restricted view"],
                     "stalls/C/1": []}  # fmt: skip
    tickets = [line["description"] for line in quote.json()["lines"] if line["kind"] == "ticket"]
    assert sum(line.endswith(" · Restricted view") for line in tickets) == 1


def test_the_event_page_explains_the_seat_flags(shop):
    page = shop.client.get(f"/events/{shop.event.slug}/").content.decode()
    for words in ("Wheelchair space", "Companion seat", "Restricted view"):
        assert f"</span>{words}</li>" in page  # in the map's legend
    assert 'name="accessible"' in page  # best available can ask for a wheelchair space


def seat_circle(svg: str, ref: str) -> str:
    found = re.search(rf'<circle class="([^"]*)" data-seat="{re.escape(ref)}"', svg)
    assert found, ref
    return found.group(1)


def test_the_shop_shows_released_ones_as_ordinary_seats(shop):
    """Released for general sale, a wheelchair space is sold as an ordinary seat (a box office
    fits a seat there): the shop's map, its tooltips (read from the seat's classes), legend and
    quote stop calling it one; best available still offers it to a wheelchair user who asks."""
    base = f"/api/v1/events/{shop.event.uid}"
    page = shop.client.get(f"/events/{shop.event.slug}/").content.decode()
    kept_map = shop.client.get(f"{base}/map.svg")
    assert f'"map": "{base}/map.svg"' in page
    assert "accessible" in seat_circle(kept_map.content.decode(), WHEELCHAIR).split()
    assert 'href="#wc"' in kept_map.content.decode()  # the wheelchair pictogram

    assert (
        post(shop.admin, f"{base}/seats/release-access", {"seats": [WHEELCHAIR]}).status_code == 200
    )
    page = shop.client.get(f"/events/{shop.event.slug}/").content.decode()
    address = re.search(rf'"map": "({re.escape(base)}/map.svg\?released=\w+)"', page)
    assert address, "a new address, so no browser keeps its cached copy of the map"
    released_map = shop.client.get(address.group(1))
    svg = released_map.content.decode()
    assert seat_circle(svg, WHEELCHAIR) == seat_circle(svg, "stalls/B/3")  # an ordinary seat
    assert 'href="#wc"' not in svg
    assert "companion" in seat_circle(svg, COMPANION).split()  # still kept
    assert released_map["ETag"] != kept_map["ETag"]
    stale = shop.client.get(f"{base}/map.svg", HTTP_IF_NONE_MATCH=kept_map["ETag"])
    assert stale.status_code == 200
    assert "</span>Wheelchair space</li>" not in page and "</span>Companion seat</li>" in page
    assert 'name="accessible"' in page  # a wheelchair user may still ask for one
    token = post(shop.client, f"{base}/holds", {"seats": [WHEELCHAIR]}).json()["token"]
    quote = post(shop.client, f"/api/v1/holds/{token}/quote").json()
    assert [item["notes"] for item in quote["items"]] == [[]]

    assert post(shop.admin, f"{base}/seats/keep-access", {"seats": [WHEELCHAIR]}).status_code == 200
    page = shop.client.get(f"/events/{shop.event.slug}/").content.decode()
    assert f'"map": "{base}/map.svg"' in page and "</span>Wheelchair space</li>" in page
    svg = shop.client.get(f"{base}/map.svg").content.decode()
    assert "accessible" in seat_circle(svg, WHEELCHAIR).split()
