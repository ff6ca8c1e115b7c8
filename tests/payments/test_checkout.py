"""Checkout from a hold: prices, promo codes, fees and tax, the payment window, the sandbox."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from boxoffice.actors import Actor
from boxoffice.events.models import EventSeat
from boxoffice.payments.models import PaymentRoute
from boxoffice.sales.models import Hold, Order, PromoCode
from boxoffice.sales.services import promotions
from boxoffice.sales.services.orders import SEAT_GRACE
from tests.builders.money import plain
from tests.builders.payments import make_shop

pytestmark = pytest.mark.django_db
ADMIN = Actor.system("test")


def test_checkout_makes_a_pending_order_with_its_seats_kept_for_the_payment_window():
    shop = make_shop()
    answer = shop.checkout(
        "stalls/B/1",
        "stalls/B/2",
        tickets=[{"seat": "stalls/B/2", "ticket_type": "child"}],
    )
    assert answer["status"] == "pending_payment"
    assert answer["total"] == 5000 + 2500
    assert answer["payment_url"].startswith("http://localhost/sandbox/checkout/cs_test_sbx_")
    order = shop.order(answer["order_code"])
    assert order.expires_at - order.created_at >= timedelta(minutes=30)  # Stripe's minimum
    with shop.schema():
        seats = EventSeat.objects.filter(event=shop.event, ref__in=["stalls/B/1", "stalls/B/2"])
        assert {seat.status for seat in seats} == {"held"}
        assert all(seat.held_until == order.expires_at + SEAT_GRACE for seat in seats)
        assert Hold.objects.get(pk=order.hold_id).status == "converted"
        items = {item.ref: item.ticket_type for item in order.items.all()}
    assert items == {"stalls/B/1": "adult", "stalls/B/2": "child"}
    route = PaymentRoute.objects.get(session_id=order.provider_session_id)
    assert (route.schema_name, route.order_code) == ("org_alpha", order.code)


def test_checkout_twice_on_one_hold_returns_the_same_order():
    shop = make_shop()
    token = shop.hold("stalls/C/1")
    body = {"email": "ana@example.com", "name": "Ana"}
    first = plain(shop.post(f"/api/v1/holds/{token}/checkout", body).json())
    second = plain(shop.post(f"/api/v1/holds/{token}/checkout", body).json())
    assert first["order_code"] == second["order_code"]
    assert first["payment_url"] == second["payment_url"]
    with shop.schema():
        assert Order.objects.count() == 1


def test_the_customer_sees_the_order_with_its_secret_and_nobody_without_it():
    shop = make_shop()
    answer = shop.checkout("stalls/C/3")
    code, secret = answer["order_code"], answer["order_secret"]
    mine = shop.client.get(f"/api/v1/orders/{code}?secret={secret}")
    assert mine.status_code == 200
    assert plain(mine.json())["items"][0]["label"] == "Stalls, row C, seat 3"
    wrong = shop.client.get(f"/api/v1/orders/{code}?secret=nope")
    assert wrong.status_code == 404 and plain(wrong.json())["code"] == "order_not_found"
    anonymous = shop.client.get(f"/api/v1/orders/{code}")
    assert anonymous.status_code == 404  # neither a secret nor a member
    page = shop.client.get(f"/orders/{code}/?secret={secret}")
    assert page.status_code == 200 and b"Awaiting payment" in page.content


def test_fees_and_exclusive_tax_become_lines_and_the_total_adds_up():
    shop = make_shop(fee_per_ticket=150, tax_rate=Decimal("10"), tax_inclusive=False)
    answer = shop.checkout("stalls/B/4", "stalls/B/5")
    # each: 5000 + 150 fee = 5150, tax 10% = 515 -> 5665
    assert answer["total"] == 2 * 5665
    order = plain(
        shop.client.get(
            f"/api/v1/orders/{answer['order_code']}?secret={answer['order_secret']}"
        ).json()
    )
    lines = {line["kind"]: line["amount"] for line in order["lines"] if line["kind"] != "ticket"}
    assert lines == {"fee": 300, "tax": 1030}
    assert (order["subtotal"], order["fees"], order["tax"]) == (10000, 300, 1030)
    session = shop.session(answer["order_code"])
    assert sum(line["unit_amount"] * line["quantity"] for line in session.line_items) == 11330
    assert session.amount_total == 11330


def test_inclusive_tax_is_shown_but_not_added():
    shop = make_shop(tax_rate=Decimal("21"), tax_inclusive=True)
    answer = shop.checkout("stalls/B/6")
    assert answer["total"] == 5000
    assert shop.order(answer["order_code"]).tax == 5000 - round(5000 / 1.21)  # 868


def test_a_promo_code_discounts_and_its_last_use_goes_to_one_order():
    shop = make_shop()
    with shop.schema():
        promotions.create_promo_code(
            actor=ADMIN, event=shop.event, code="spring", kind="percent", value=20, max_uses=1
        )
    first = shop.checkout("stalls/D/1", "stalls/D/2", promo_code="SPRING")
    assert first["total"] == 2 * 4000
    token = shop.hold("stalls/D/5")
    refused = shop.post(
        f"/api/v1/holds/{token}/checkout",
        {"email": "b@example.com", "name": "B", "promo_code": "spring"},
    )
    assert refused.status_code == 409 and plain(refused.json())["code"] == "promo_exhausted"
    with shop.schema():
        assert PromoCode.objects.get(code="SPRING").used == 1
        # the refused checkout changed nothing: the hold is still live and not converted
        assert Hold.objects.filter(status="active").count() == 1
        assert Order.objects.count() == 1


def test_a_fixed_promo_is_shared_out_exactly_across_tickets():
    shop = make_shop()
    with shop.schema():
        promotions.create_promo_code(
            actor=ADMIN, event=shop.event, code="TENOFF", kind="fixed", value=1001
        )
    answer = shop.checkout("stalls/E/1", "stalls/E/2", "stalls/E/3", promo_code="tenoff")
    order = shop.order(answer["order_code"])
    with shop.schema():
        discounts = sorted(item.discount for item in order.items.all())
    assert sum(discounts) == 1001 and discounts == [333, 334, 334]
    assert answer["total"] == 15000 - 1001


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"promo_code": "NOPE"}, "promo_invalid"),
        ({"tickets": [{"seat": "stalls/B/1", "ticket_type": "senior"}]}, "unknown_ticket_type"),
        ({"tickets": [{"seat": "stalls/E/9", "ticket_type": "adult"}]}, "seat_not_held"),
        ({"name": "   "}, "invalid_name"),
        ({"email": "not-an-email"}, "validation_error"),
    ],
)
def test_bad_checkout_input_is_refused_and_changes_nothing(fields, code):
    shop = make_shop()
    token = shop.hold("stalls/B/1")
    answer = shop.post(
        f"/api/v1/holds/{token}/checkout", {"email": "ana@example.com", "name": "Ana"} | fields
    )
    assert answer.status_code == 422, plain(answer.json())
    assert plain(answer.json())["code"] == code
    with shop.schema():
        assert Order.objects.count() == 0
        assert Hold.objects.get().status == "active"


def test_an_expired_hold_cannot_check_out():
    shop = make_shop()
    token = shop.hold("stalls/B/1")
    with shop.schema():
        Hold.objects.update(expires_at=timezone.now() - timedelta(minutes=5))
    answer = shop.post(f"/api/v1/holds/{token}/checkout", {"email": "a@b.co", "name": "A"})
    assert answer.status_code == 410 and plain(answer.json())["code"] == "hold_expired"


def test_the_sandbox_page_pays_or_declines():
    shop = make_shop()
    answer = shop.checkout("stalls/B/1")
    path = answer["payment_url"].removeprefix("http://localhost")
    page = shop.platform.get(path)
    assert page.status_code == 200 and "Pay €50.00" in page.content.decode()
    declined = shop.platform.post(path, {"outcome": "decline"})
    assert b"declined" in declined.content
    assert shop.session(answer["order_code"]).status == "open"
    paid = shop.platform.post(path, {"outcome": "pay"})
    assert paid.status_code == 302
    assert paid["Location"].startswith(f"http://alpha.localhost/orders/{answer['order_code']}/")
    session = shop.session(answer["order_code"])
    assert (session.status, session.payment_status) == ("complete", "paid")
    again = shop.platform.get(path)
    assert again.status_code == 410


def test_a_nul_character_anywhere_is_a_clear_422_not_a_500():
    shop = make_shop()
    assert shop.client.get("/api/v1/events/evt_%00").status_code == 404  # no address has NUL
    token = shop.hold("stalls/B/1")
    answer = shop.post(f"/api/v1/holds/{token}/checkout", {"email": "a@b.co", "name": "A\x00"})
    assert answer.status_code == 422 and plain(answer.json())["code"] == "invalid_characters"
    with shop.schema():
        assert Order.objects.count() == 0
