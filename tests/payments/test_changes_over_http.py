"""Changes over HTTP that had no test: PATCH on events, promo codes, seat maps, check-in lists
and devices (admin only, audited, partial); a promo code's validity window and deactivation at
checkout; a customer cancelling once the event has started."""

from datetime import timedelta

import pytest
from django.utils import timezone

from boxoffice.audit.models import AuditEntry
from boxoffice.events.models import Event
from boxoffice.sales.models import Order, Refund
from tenants.roles import Role
from tests.builders.organizers import make_member, owner_of, signed_in_client
from tests.builders.payments import buy, make_shop

pytestmark = pytest.mark.django_db


def patch(client, path, payload):
    return client.patch(path, payload, content_type="application/json")


def admin(shop):
    return signed_in_client(shop.organizer, owner_of(shop.organizer))


def test_patching_an_event_changes_only_the_fields_sent_and_is_audited():
    shop = make_shop()
    with shop.schema():
        before = Event.objects.get()
    answer = patch(admin(shop), f"/api/v1/events/{shop.event.uid}", {"title": "Closing night"})
    assert answer.status_code == 200, answer.json()
    assert answer.json()["title"] == "Closing night"
    with shop.schema():
        after = Event.objects.get()
        assert after.title == "Closing night"
        assert (after.starts_at, after.max_seats_per_order) == (
            before.starts_at, before.max_seats_per_order,
        )  # fmt: skip
        assert AuditEntry.objects.filter(target_id=shop.event.uid).exists()


def test_staff_and_strangers_cannot_patch_an_event():
    shop = make_shop()
    staff = signed_in_client(shop.organizer, make_member(shop.organizer, Role.STAFF))
    path = f"/api/v1/events/{shop.event.uid}"
    assert patch(staff, path, {"title": "Mine"}).status_code == 403
    assert patch(shop.client, path, {"title": "Mine"}).status_code in (401, 403)
    with shop.schema():
        assert Event.objects.get().title == "Opening night"


def test_a_bad_patch_is_refused_and_changes_nothing():
    shop = make_shop()
    answer = patch(admin(shop), f"/api/v1/events/{shop.event.uid}", {"timezone": "Mars/Olympus"})
    assert answer.status_code == 422 and answer.json()["code"] == "invalid_timezone"
    with shop.schema():
        assert Event.objects.get().timezone == shop.event.timezone


def test_patching_a_seat_map_a_checkin_list_and_a_device():
    shop = make_shop()
    client = admin(shop)
    seat_map = client.get("/api/v1/seatmaps").json()["items"][0]
    renamed = patch(client, f"/api/v1/seatmaps/{seat_map['id']}", {"name": "Main house"})
    assert renamed.status_code == 200 and renamed.json()["name"] == "Main house"

    made = client.post(
        "/api/v1/checkin/lists", {"event": shop.event.uid, "name": "Doors"},
        content_type="application/json",
    )  # fmt: skip
    assert made.status_code == 201, made.json()
    list_id = made.json()["id"]
    changed = patch(client, f"/api/v1/checkin/lists/{list_id}", {"allow_reentry": True})
    assert changed.status_code == 200
    assert changed.json()["allow_reentry"] is True and changed.json()["name"] == "Doors"

    device = client.post(
        "/api/v1/checkin/devices", {"name": "Gate phone", "lists": [list_id]},
        content_type="application/json",
    )  # fmt: skip
    assert device.status_code == 201, device.json()
    device_id = device.json()["id"]
    moved = patch(client, f"/api/v1/checkin/devices/{device_id}", {"gate": "North"})
    assert moved.status_code == 200 and moved.json()["gate"] == "North"
    assert moved.json()["name"] == "Gate phone" and moved.json()["lists"] == [list_id]


# --- promo codes --------------------------------------------------------------------------


def promo(shop, **fields):
    answer = admin(shop).post(
        f"/api/v1/events/{shop.event.uid}/promo-codes",
        {"code": "spring", "kind": "percent", "value": 10} | fields,
        content_type="application/json",
    )
    assert answer.status_code == 201, answer.json()
    return answer.json()


def checkout_with(shop, code: str, seat: str):
    token = shop.hold(seat)
    return shop.post(
        f"/api/v1/holds/{token}/checkout",
        {"email": "ana@example.com", "name": "Ana Lima", "promo_code": code},
    )


@pytest.mark.parametrize(
    "window",
    [{"valid_from": timedelta(hours=1)}, {"valid_until": timedelta(hours=-1)}],
    ids=["not yet valid", "expired"],
)
def test_a_promo_code_outside_its_window_is_refused_at_checkout(window):
    shop = make_shop()
    now = timezone.now()
    fields = {name: (now + delta).isoformat() for name, delta in window.items()}
    if "valid_until" in fields:
        fields["valid_from"] = (now - timedelta(days=1)).isoformat()
    promo(shop, **fields)
    refused = checkout_with(shop, "SPRING", "stalls/B/1")
    assert refused.status_code == 422 and refused.json()["code"] == "promo_expired"
    with shop.schema():
        assert not Order.objects.exists()


def test_a_deactivated_promo_code_is_refused_and_works_again_once_reactivated():
    shop = make_shop()
    promo(shop)
    path = f"/api/v1/events/{shop.event.uid}/promo-codes/spring"
    off = patch(admin(shop), path, {"active": False})
    assert off.status_code == 200 and off.json()["active"] is False
    refused = checkout_with(shop, "spring", "stalls/B/1")
    assert refused.status_code == 422 and refused.json()["code"] == "promo_invalid"
    on = patch(admin(shop), path, {"active": True, "value": 20})
    assert on.status_code == 200 and on.json()["value"] == 20
    accepted = checkout_with(shop, "spring", "stalls/B/2")
    assert accepted.status_code == 201, accepted.json()
    with shop.schema():
        order = Order.objects.get(code=accepted.json()["order_code"])
        assert order.discount == order.subtotal * 20 // 100


def test_a_promo_window_that_ends_before_it_starts_is_refused():
    shop = make_shop()
    promo(shop)
    now = timezone.now()
    answer = patch(
        admin(shop), f"/api/v1/events/{shop.event.uid}/promo-codes/SPRING",
        {"valid_from": now.isoformat(), "valid_until": (now - timedelta(hours=1)).isoformat()},
    )  # fmt: skip
    assert answer.status_code == 422, answer.json()


# --- cancelling after the start -----------------------------------------------------------


def test_a_customer_cannot_cancel_once_the_event_has_started():
    shop = make_shop(refund_policy=[{"days_before": 0, "percent": 100}])
    answer = buy(shop, "stalls/B/1")
    code, secret = answer["order_code"], answer["order_secret"]
    with shop.schema():
        started = timezone.now() - timedelta(minutes=5)
        Event.objects.update(starts_at=started, ends_at=started + timedelta(hours=3))
    terms = shop.client.get(f"/api/v1/orders/{code}?secret={secret}").json()["cancellation"]
    assert terms["allowed"] is False and terms["reason_code"] == "event_started"
    refused = shop.post(f"/api/v1/orders/{code}/cancel?secret={secret}")
    assert refused.status_code == 410 and refused.json()["code"] == "event_started"
    # the order page says why (not "the refund policy"), has no button, and a forged form
    # post is refused the same way
    page = shop.client.get(f"/orders/{code}/?secret={secret}").content.decode()
    assert "The event has started" in page and "Cancel my order" not in page
    forged = shop.client.post(f"/orders/{code}/cancel?secret={secret}")
    assert forged.status_code == 302 and "refused=event_started" in forged["Location"]
    with shop.schema():
        assert Order.objects.get().status == "paid"
        assert not Refund.objects.exists()
