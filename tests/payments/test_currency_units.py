"""Orders in currencies whose CLDR minor unit is not Stripe's: the sandbox speaks Stripe's units
(as Stripe would) and the webhook reads them back, so a whole ISK or KWD purchase goes through
and a wrong amount is still refused."""

import pytest
from django.test import Client

from boxoffice.payments.models import WebhookEvent
from boxoffice.payments.providers.sandbox import event_envelope
from tests.builders.events import on_sale_event
from tests.builders.organizers import host_of, make_organizer
from tests.builders.payments import Shop

pytestmark = pytest.mark.django_db


def shop_in(currency: str) -> Shop:
    organizer = make_organizer(f"cur{currency.lower()}", currency=currency)
    event = on_sale_event(organizer, rows=2, seats=4)
    return Shop(
        organizer=organizer,
        event=event,
        client=Client(HTTP_HOST=host_of(organizer)),
        platform=Client(HTTP_HOST="localhost"),
    )


def paid(shop: Shop, code: str) -> dict:
    return shop.session_event(
        code, "checkout.session.completed", status="complete", payment_status="paid"
    )


@pytest.mark.parametrize(("currency", "units"), [("ISK", 500000), ("KWD", 5000), ("JPY", 5000)])
def test_a_purchase_in_stripes_units_pays_the_order(currency, units):
    shop = shop_in(currency)
    code = shop.checkout("stalls/A/1")["order_code"]
    event = paid(shop, code)
    assert event["data"]["object"]["amount_total"] == units  # 5000 minor units of ours
    assert shop.deliver(event).status_code == 200
    assert shop.order(code).status == "paid"


def test_an_isk_event_for_the_minor_amount_is_refused_as_too_little():
    shop = shop_in("ISK")
    code = shop.checkout("stalls/A/1")["order_code"]
    event = paid(shop, code)
    event["data"]["object"]["amount_total"] = 5000  # 50 krónur in Stripe's units
    shop.deliver(event)
    assert shop.order(code).status == "pending_payment"
    assert WebhookEvent.objects.get(provider_event_id=event["id"]).reason == "amount_mismatch"


def test_a_dashboard_refund_in_isk_is_booked_in_our_units():
    shop = shop_in("ISK")
    code = shop.checkout("stalls/A/1")["order_code"]
    shop.deliver(paid(shop, code))
    order = shop.order(code)
    charge = {"id": "ch_1", "object": "charge", "amount": 500000, "currency": "isk",
              "amount_refunded": 500000, "payment_intent": order.provider_payment_id,
              "metadata": {}, "refunded": True, "status": "succeeded"}  # fmt: skip
    assert shop.deliver(event_envelope("charge.refunded", charge)).status_code == 200
    order = shop.order(code)
    assert (order.status, order.refunded) == ("refunded", 5000)
