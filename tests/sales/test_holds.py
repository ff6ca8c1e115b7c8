"""Holds over HTTP: all-or-nothing claims, limits, expiry, extension, release, best available."""

from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import schema_context

from boxoffice.events.models import EventSeat
from boxoffice.sales.models import Hold
from boxoffice.throttles import CULL_SQL
from tests.builders.events import on_sale_event
from tests.builders.organizers import host_of, make_organizer


@pytest.fixture
def shop(db):
    organizer = make_organizer("alpha")
    event = on_sale_event(organizer, rows=5, seats=10, with_floor=True, max_seats_per_order=4)
    client = Client(HTTP_HOST=host_of(organizer))

    def post(path: str, payload: dict | None = None):
        return client.post(path, payload or {}, content_type="application/json")

    class Shop:
        pass

    shop = Shop()
    shop.organizer, shop.event, shop.client, shop.post = organizer, event, client, post
    shop.schema = lambda: schema_context(organizer.schema_name)
    return shop


def statuses(shop, *refs: str) -> dict[str, str]:
    with shop.schema():
        return dict(
            EventSeat.objects.filter(event=shop.event, ref__in=refs).values_list("ref", "status")
        )


def test_hold_seats_and_read_them_back(shop):
    created = shop.post(f"/api/v1/events/{shop.event.uid}/holds",
                        {"seats": ["stalls/A/1", "stalls/A/2"]})  # fmt: skip
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["token"].startswith("hold_")
    assert [s["ref"] for s in body["seats"]] == ["stalls/A/1", "stalls/A/2"]
    assert statuses(shop, "stalls/A/1", "stalls/A/2") == {"stalls/A/1": "held",
                                                          "stalls/A/2": "held"}  # fmt: skip
    again = shop.client.get(f"/api/v1/holds/{body['token']}")
    assert again.status_code == 200
    assert len(again.json()["seats"]) == 2
    with shop.schema():
        assert body["token"] not in Hold.objects.get().token_hash  # stored hashed


def test_claims_are_all_or_nothing_and_name_the_taken_seats(shop):
    first = shop.post(f"/api/v1/events/{shop.event.uid}/holds", {"seats": ["stalls/B/5"]})
    assert first.status_code == 201
    second = shop.post(f"/api/v1/events/{shop.event.uid}/holds",
                       {"seats": ["stalls/B/4", "stalls/B/5", "stalls/B/6"]})  # fmt: skip
    assert second.status_code == 409
    assert second.json()["code"] == "seats_unavailable"
    assert second.json()["details"]["seats"] == ["stalls/B/5"]
    # B4 and B6 were not kept by the failed attempt, and no empty hold was left behind.
    assert statuses(shop, "stalls/B/4", "stalls/B/6") == {"stalls/B/4": "available",
                                                          "stalls/B/6": "available"}  # fmt: skip
    with shop.schema():
        assert Hold.objects.count() == 1

    token = first.json()["token"]
    added = shop.post(f"/api/v1/holds/{token}/seats", {"seats": ["stalls/B/6", "stalls/B/5"]})
    assert added.status_code == 200  # its own seat again is fine
    unknown = shop.post(f"/api/v1/holds/{token}/seats", {"seats": ["stalls/Z/99"]})
    assert (unknown.status_code, unknown.json()["code"]) == (422, "unknown_seats")


def test_max_seats_per_order(shop):
    wanted = {"seats": ["stalls/C/1", "stalls/C/2", "stalls/C/3"]}
    token = shop.post(f"/api/v1/events/{shop.event.uid}/holds", wanted).json()["token"]
    over = shop.post(f"/api/v1/holds/{token}/seats", {"seats": ["stalls/C/4", "stalls/C/5"]})
    assert over.status_code == 422
    assert over.json()["code"] == "too_many_seats"
    assert over.json()["details"] == {"limit": 4, "held": 3}
    assert statuses(shop, "stalls/C/4")["stalls/C/4"] == "available"
    assert shop.post(f"/api/v1/holds/{token}/seats", {"seats": ["stalls/C/4"]}).status_code == 200


def test_an_expired_hold_is_410_and_its_seats_go_to_the_next_customer(shop):
    token = shop.post(f"/api/v1/events/{shop.event.uid}/holds",
                      {"seats": ["stalls/D/1", "stalls/D/2"]}).json()["token"]  # fmt: skip
    # Well before the test's transaction began: the claim compares with PostgreSQL's now(), the
    # start of that transaction, which the fixture's set-up may have opened seconds ago.
    past = timezone.now() - timedelta(minutes=5)
    with shop.schema():  # let the clock run out
        Hold.objects.update(expires_at=past)
        EventSeat.objects.filter(status="held").update(held_until=past)

    taker = shop.post(f"/api/v1/events/{shop.event.uid}/holds", {"seats": ["stalls/D/2"]})
    assert taker.status_code == 201, taker.content
    gone = shop.client.get(f"/api/v1/holds/{token}")
    assert (gone.status_code, gone.json()["code"]) == (410, "hold_expired")
    assert shop.post(f"/api/v1/holds/{token}/seats", {"seats": ["stalls/D/3"]}).status_code == 410
    snapshot = shop.client.get(f"/api/v1/events/{shop.event.uid}/availability").json()
    assert snapshot["counts"]["held"] == 1  # D1 lapsed and reads as available at once


def test_extend_is_bounded_by_the_hold_lifetime(shop):
    token = shop.post(f"/api/v1/events/{shop.event.uid}/holds", {"seats": ["stalls/E/1"]}).json()[
        "token"
    ]
    with shop.schema():  # most of the lifetime has gone: 2 minutes left, 5 at most
        now = timezone.now()
        Hold.objects.update(
            expires_at=now + timedelta(minutes=2), max_expires_at=now + timedelta(minutes=5)
        )
    extended = shop.post(f"/api/v1/holds/{token}/extend")
    assert extended.status_code == 200
    assert extended.json()["expires_at"] == extended.json()["max_expires_at"]
    refused = shop.post(f"/api/v1/holds/{token}/extend")
    assert (refused.status_code, refused.json()["code"]) == (422, "hold_lifetime_exceeded")
    with shop.schema():
        seat = EventSeat.objects.get(ref="stalls/E/1")
        assert seat.held_until == Hold.objects.get().max_expires_at


def test_remove_a_seat_and_release_the_hold(shop):
    token = shop.post(f"/api/v1/events/{shop.event.uid}/holds",
                      {"seats": ["stalls/A/5", "stalls/A/6"]}).json()["token"]  # fmt: skip
    after = shop.client.delete(f"/api/v1/holds/{token}/seats/stalls/A/5")
    assert after.status_code == 200
    assert [s["ref"] for s in after.json()["seats"]] == ["stalls/A/6"]
    assert shop.client.delete(f"/api/v1/holds/{token}").status_code == 204
    assert statuses(shop, "stalls/A/5", "stalls/A/6") == {"stalls/A/5": "available",
                                                          "stalls/A/6": "available"}  # fmt: skip
    assert shop.client.get(f"/api/v1/holds/{token}").json()["code"] == "hold_released"
    assert shop.client.delete(f"/api/v1/holds/{token}").status_code == 204  # idempotent


def test_best_available_sits_together_near_the_stage(shop):
    created = shop.post(f"/api/v1/events/{shop.event.uid}/holds",
                        {"best_available": {"category": "standard", "quantity": 3}})  # fmt: skip
    assert created.status_code == 201, created.content
    seats = created.json()["seats"]
    assert created.json()["together"] is True
    assert {s["row"] for s in seats} == {"B"}  # row A is premium; B is the nearest standard row
    numbers = sorted(int(s["label"]) for s in seats)
    assert numbers == list(range(numbers[0], numbers[0] + 3))


def test_general_admission_quantity(shop):
    created = shop.post(f"/api/v1/events/{shop.event.uid}/holds",
                        {"general_admission": {"section": "floor", "quantity": 4}})  # fmt: skip
    assert created.status_code == 201
    assert [s["kind"] for s in created.json()["seats"]] == ["spot"] * 4
    too_many = shop.post(f"/api/v1/events/{shop.event.uid}/holds",
                         {"general_admission": {"section": "floor", "quantity": 5}})  # fmt: skip
    assert too_many.status_code == 422  # over the per-order limit of 4


def test_holds_need_an_event_on_sale(shop):
    from boxoffice.events.services.events import change_event_status
    from tests.builders.events import ACTOR

    with shop.schema():
        change_event_status(actor=ACTOR, event=shop.event, action="pause")
    response = shop.post(f"/api/v1/events/{shop.event.uid}/holds", {"seats": ["stalls/A/1"]})
    assert (response.status_code, response.json()["code"]) == (409, "not_on_sale")


@override_settings(RATE_LIMITS={"login": "10/min", "signup": "10/hour", "holds": "3/min"})
def test_starting_holds_is_rate_limited(shop):
    for n in range(1, 4):
        assert shop.post(f"/api/v1/events/{shop.event.uid}/holds",
                         {"seats": [f"stalls/E/{n}"]}).status_code == 201  # fmt: skip
    blocked = shop.post(f"/api/v1/events/{shop.event.uid}/holds", {"seats": ["stalls/E/9"]})
    assert (blocked.status_code, blocked.json()["code"]) == (429, "rate_limited")
    assert 0 < int(blocked["Retry-After"]) <= 2 * 60


def test_a_hold_token_is_useless_on_another_organizers_site(shop):
    token = shop.post(f"/api/v1/events/{shop.event.uid}/holds",
                      {"seats": ["stalls/A/1"]}).json()["token"]  # fmt: skip
    other = make_organizer("beta")
    response = Client(HTTP_HOST=host_of(other)).get(f"/api/v1/holds/{token}")
    assert (response.status_code, response.json()["code"]) == (404, "hold_not_found")
    response = Client(HTTP_HOST=host_of(other)).get(f"/api/v1/events/{shop.event.uid}")
    assert response.status_code == 404


def test_a_new_hold_with_seats_is_three_statements(shop):
    """The on-sale rush's request: search_path (django-tenants, once per request), the rate-limit
    counter, and one statement that finds the event, inserts the hold and claims its seats, with
    no transaction around it (BEGIN and COMMIT would be two round trips more; inside this test's
    own transaction it gets a savepoint instead)."""
    url = f"/api/v1/events/{shop.event.uid}/holds"
    assert shop.post(url, {"seats": ["stalls/A/9"]}).status_code == 201  # organizer lookup cached
    with CaptureQueriesContext(connection) as queries:
        created = shop.post(url, {"seats": ["stalls/A/2", "stalls/A/1", "stalls/A/2"]})
    # The test runs inside a transaction, so the service wraps its statement in a savepoint.
    # The rate limiter's expired-counter cull runs on a random one request in CULL_EVERY.
    sent = [query["sql"][:120] for query in queries.captured_queries
            if "SAVEPOINT" not in query["sql"] and query["sql"] != CULL_SQL]  # fmt: skip
    assert len(sent) == 3, "\n".join(sent)
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["event"] == shop.event.uid
    assert body["status"] == "active"
    assert body["together"] is None
    assert body["seats"] == [
        {"ref": f"stalls/A/{n}", "kind": "seat", "section": "stalls", "row": "A", "label": str(n),
         "category": "premium"}
        for n in (1, 2)
    ]  # fmt: skip
    # The same answer as reading the hold back.
    again = shop.client.get(f"/api/v1/holds/{body['token']}").json()
    assert {key: again[key] for key in ("event", "expires_at", "max_expires_at", "seats")} == {
        key: body[key] for key in ("event", "expires_at", "max_expires_at", "seats")
    }


def test_a_refused_new_hold_leaves_nothing_behind(shop):
    url = f"/api/v1/events/{shop.event.uid}/holds"
    too_many = shop.post(url, {"seats": [f"stalls/D/{n}" for n in range(1, 6)]})
    assert (too_many.status_code, too_many.json()["code"]) == (422, "too_many_seats")
    unknown = shop.post(url, {"seats": ["stalls/D/1", "stalls/Z/1"]})
    assert (unknown.status_code, unknown.json()["code"]) == (422, "unknown_seats")
    assert unknown.json()["details"]["seats"] == ["stalls/Z/1"]
    empty = shop.post(url, {"seats": []})
    assert empty.status_code == 201  # no seats asked for: an empty hold, as before
    missing = shop.post("/api/v1/events/evt_nope/holds", {"seats": ["stalls/D/1"]})
    assert (missing.status_code, missing.json()["code"]) == (404, "event_not_found")
    assert statuses(shop, "stalls/D/1")["stalls/D/1"] == "available"
    with shop.schema():
        assert Hold.objects.count() == 1


def test_a_new_hold_by_slug_within_the_sales_window(shop):
    from boxoffice.events.models import Event

    url = f"/api/v1/events/{shop.event.slug}/holds"
    # Holds run on the database's clock; in this test's one transaction, now() stands still.
    with connection.cursor() as cursor:
        cursor.execute("SELECT now()")
        started = cursor.fetchone()[0]
    created = shop.post(url, {"seats": ["stalls/E/2"]})
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["event"] == shop.event.uid
    length = timedelta(minutes=shop.event.hold_minutes)
    expires_at = timezone.datetime.fromisoformat(body["expires_at"])
    max_expires_at = timezone.datetime.fromisoformat(body["max_expires_at"])
    assert abs(expires_at - (started + length)) < timedelta(milliseconds=1)  # JSON keeps ms
    assert max_expires_at - expires_at == 2 * length  # three hold lengths in all

    with shop.schema():
        Event.objects.filter(pk=shop.event.pk).update(sales_start=started + timedelta(hours=1))
    early = shop.post(url, {"seats": ["stalls/E/3"]})
    assert (early.status_code, early.json()["code"]) == (409, "sales_not_started")
    with shop.schema():
        Event.objects.filter(pk=shop.event.pk).update(
            sales_start=None, sales_end=started - timedelta(minutes=1)
        )
    late = shop.post(url, {"seats": ["stalls/E/3"]})
    assert (late.status_code, late.json()["code"]) == (409, "sales_ended")
    assert statuses(shop, "stalls/E/3")["stalls/E/3"] == "available"
    with shop.schema():
        assert Hold.objects.count() == 1


def test_a_standing_spot_cannot_be_chosen_as_a_seat(shop):
    with shop.schema():
        spot = EventSeat.objects.filter(event=shop.event, kind="spot").values_list(
            "ref", flat=True
        )[0]
    refused = shop.post(f"/api/v1/events/{shop.event.uid}/holds", {"seats": ["stalls/E/4", spot]})
    assert (refused.status_code, refused.json()["code"]) == (409, "seats_unavailable")
    assert refused.json()["details"]["seats"] == [spot]
    assert statuses(shop, "stalls/E/4")["stalls/E/4"] == "available"


def test_the_same_slug_at_two_organizers_holds_in_each_ones_own_house(shop):
    """The hold function and the tables it reads resolve through each request's search_path:
    one process (one connection) serving two organizers never mixes them up."""
    other = make_organizer("beta")
    theirs = on_sale_event(other, rows=5, seats=10, max_seats_per_order=4)
    assert theirs.slug == shop.event.slug
    ours = shop.post(f"/api/v1/events/{shop.event.slug}/holds", {"seats": ["stalls/A/3"]})
    beta = Client(HTTP_HOST=host_of(other))

    def hold_at_beta(ref: str):
        url = f"/api/v1/events/{theirs.slug}/holds"
        return beta.post(url, {"seats": [ref]}, content_type="application/json")

    # Plans cached for one organizer's tables are not reused for the other's.
    assert hold_at_beta("stalls/A/3").json()["event"] == theirs.uid
    taken = hold_at_beta("stalls/A/3")
    assert (taken.status_code, taken.json()["details"]["seats"]) == (409, ["stalls/A/3"])
    again = shop.post(f"/api/v1/events/{shop.event.slug}/holds", {"seats": ["stalls/A/4"]})
    assert again.json()["event"] == shop.event.uid
    assert ours.status_code == 201
    assert ours.json()["event"] == shop.event.uid
    assert statuses(shop, "stalls/A/3")["stalls/A/3"] == "held"
    with shop.schema():
        assert Hold.objects.count() == 2
    with schema_context(other.schema_name):
        assert Hold.objects.count() == 1
        assert EventSeat.objects.get(event=theirs, ref="stalls/A/3").status == "held"


@pytest.mark.django_db(transaction=True)
def test_a_new_hold_commits_without_waiting_for_the_disk_but_nothing_else_does():
    """Holds trade the last fraction of a second of durability for a WAL flush per hold
    (boxoffice/sales/README.md); the setting is the hold's own transaction's alone."""
    from boxoffice.sales.services import holds

    organizer = make_organizer("gamma")
    event = on_sale_event(organizer, rows=2, seats=5)

    def synchronous_commit() -> str:
        with connection.cursor() as cursor:
            cursor.execute("SHOW synchronous_commit")
            return cursor.fetchone()[0]

    with schema_context(organizer.schema_name):
        assert synchronous_commit() == "on"
        with transaction.atomic():  # stands for the statement's own transaction
            holds.start_hold_with_seats(event_id=event.uid, refs=["stalls/A/1"])
            assert synchronous_commit() == "off"
        assert synchronous_commit() == "on"  # committed: back to the default
        holds.start_hold_with_seats(event_id=event.uid, refs=["stalls/A/2"])  # autocommit
        assert synchronous_commit() == "on"
        assert Hold.objects.count() == 2
    with connection.cursor() as cursor:  # rate-limit counters are not written to the WAL at all
        table = "public.boxoffice_ratecounter"
        cursor.execute("SELECT relpersistence FROM pg_class WHERE oid = %s::regclass", [table])
        assert cursor.fetchone()[0] == "u"
