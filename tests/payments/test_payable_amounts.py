"""Amounts a card payment can take (issue 21, "Trust in use"): in the three-decimal currencies
Stripe wants the last digit 0 (5.250 KWD, never 5.255). Prices, fees and fixed discounts typed
in such a currency are refused at entry; what a percentage works out is rounded to the payable
increment; and an amount stored before these rules never reaches Stripe, whose refusal used to
be shown as "try again" while the order kept the seats."""

from decimal import Decimal
from urllib.parse import parse_qs

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from boxoffice.actors import Actor
from boxoffice.currencies import payable_increment, payable_rule, round_payable
from boxoffice.events.models import Price
from boxoffice.payments.models import ConnectedAccount
from boxoffice.payments.providers.stripe_provider import StripeProvider
from boxoffice.sales.models import Hold, Order
from boxoffice.sales.money import refund_share
from boxoffice.sales.services import promotions
from tenants.roles import Role
from tests.builders.events import on_sale_event
from tests.builders.money import plain
from tests.builders.organizers import host_of, make_member, make_organizer, signed_in_client
from tests.builders.payments import Shop
from tests.builders.stripe import FakeStripeAPI, checkout_session

pytestmark = pytest.mark.django_db

ACCOUNT = "acct_1KuwaitTheatre"


def kwd_shop(**event_fields) -> Shop:
    organizer = make_organizer("kwd", currency="KWD")
    event = on_sale_event(organizer, rows=2, seats=4, **event_fields)  # adult 5.000, child 2.500
    return Shop(
        organizer=organizer,
        event=event,
        client=Client(HTTP_HOST=host_of(organizer)),
        platform=Client(HTTP_HOST="localhost"),
    )


def with_stripe(shop: Shop, monkeypatch, fake: FakeStripeAPI) -> None:
    shop.organizer.stripe_account_id = ACCOUNT
    shop.organizer.save()
    ConnectedAccount.objects.create(
        organizer=shop.organizer, account_id=ACCOUNT, account_type="standard",
        charges_enabled=True,
    )  # fmt: skip
    provider = StripeProvider(api_key="sk_test_kwd", http_client=fake, max_network_retries=0)
    monkeypatch.setattr(
        "boxoffice.payments.services.checkout.get_provider",
        lambda name=None, request=None: provider,
    )


def sent_form(fake: FakeStripeAPI) -> dict[str, str]:
    (sent,) = fake.sent
    return {key: values[0] for key, values in parse_qs(sent.body).items()}


def test_the_payable_increment_is_one_rule_for_every_currency():
    assert [payable_increment(code) for code in ("KWD", "bhd", "JOD", "OMR", "TND")] == [10] * 5
    assert [payable_increment(code) for code in ("EUR", "JPY", "ISK", "HUF", "USD")] == [1] * 5
    assert payable_rule("KWD") == (
        "Amounts in KWD must be multiples of 0.010 KWD (the last decimal 0): "
        "card payments cannot take anything in between."
    )
    assert (round_payable(Decimal("5254.9"), "KWD"), round_payable(5255, "KWD")) == (5250, 5260)
    assert round_payable(Decimal("1234.5"), "EUR") == 1235
    assert refund_share(5250, 33, currency="KWD") == 1730  # 1732.5 fils
    assert refund_share(5250, 33, currency="EUR") == 1733


def test_prices_fees_and_fixed_discounts_stripe_cannot_take_are_refused_at_entry():
    shop = kwd_shop()
    admin = signed_in_client(shop.organizer, make_member(shop.organizer, Role.ADMIN))
    url = f"/api/v1/events/{shop.event.uid}/prices"
    table = plain(admin.get(url).json())
    prices = [
        {"category": category, **price}
        for category, rows in table["prices"].items()
        for price in rows
    ]
    prices[0]["amount"] = 5255  # 5.255 KWD
    answer = admin.put(
        url,
        {"ticket_types": table["ticket_types"], "phases": table["phases"], "prices": prices},
        content_type="application/json",
    )
    body = plain(answer.json())
    assert answer.status_code == 422, body
    assert body["code"] == "amount_not_payable"
    assert "multiples of 0.010 KWD" in body["message"]
    assert body["details"]["prices"] == [prices[0]]
    with shop.schema():
        assert not Price.objects.filter(amount=5255).exists()  # the old table stands

    # A change by an amount must be a payable step; one by a percentage lands on one.
    adjust = f"{url}/adjust"
    refused = admin.post(adjust, {"category": "premium", "amount_delta": 5},
                         content_type="application/json")  # fmt: skip
    assert (refused.status_code, plain(refused.json())["code"]) == (422, "amount_not_payable")
    adjusted = admin.post(adjust, {"category": "premium", "percent": "3.3"},
                          content_type="application/json")  # fmt: skip
    assert adjusted.status_code == 200, adjusted.content
    amounts = [row["amount"] for row in plain(adjusted.json())["table"]["prices"]["premium"]]
    assert sorted(amounts) == [2580, 5170]  # 2582.5 and 5165 fils, to the next 10

    # The fee per ticket and a fixed discount are money typed in KWD too.
    fee = admin.patch(f"/api/v1/events/{shop.event.uid}", {"fee_per_ticket": 255},
                      content_type="application/json")  # fmt: skip
    assert (fee.status_code, plain(fee.json())["code"]) == (422, "amount_not_payable")
    assert "The fee per ticket 0.255 KWD cannot be paid by card" in plain(fee.json())["message"]
    promo = admin.post(
        f"/api/v1/events/{shop.event.uid}/promo-codes",
        {"code": "FIVE", "kind": "fixed", "value": 505}, content_type="application/json",
    )  # fmt: skip
    assert (promo.status_code, plain(promo.json())["code"]) == (422, "amount_not_payable")
    accepted = admin.post(
        f"/api/v1/events/{shop.event.uid}/promo-codes",
        {"code": "FIVE", "kind": "fixed", "value": 500}, content_type="application/json",
    )  # fmt: skip
    assert accepted.status_code == 201, accepted.content


def test_the_console_says_why_a_price_is_refused():
    shop = kwd_shop()
    owner = signed_in_client(shop.organizer, make_member(shop.organizer, Role.ADMIN))
    answer = owner.post(
        f"/console/events/{shop.event.uid}/prices/",
        {"ticket_types": "adult: Adult", "phases": "regular: Regular",
         "price|premium|adult|regular": "5.255"},
    )  # fmt: skip
    page = answer.content.decode()
    assert "cannot be paid by card" in page and "multiples of 0.010" in page
    with shop.schema():
        assert not Price.objects.filter(amount=5255).exists()


def test_a_percent_promo_and_tax_on_a_kwd_event_give_a_payable_total_sent_to_stripe(
    monkeypatch,
):
    shop = kwd_shop(fee_per_ticket=250, tax_rate=Decimal("5"), tax_inclusive=False)
    with shop.schema():
        promotions.create_promo_code(
            actor=Actor.system("test"), event=shop.event, code="SAVE15", kind="percent", value=15
        )
    fake = FakeStripeAPI((200, checkout_session(id="cs_test_kwd", currency="kwd")))
    with_stripe(shop, monkeypatch, fake)

    token = shop.hold("stalls/A/1", "stalls/A/2")
    tickets = [{"seat": "stalls/A/2", "ticket_type": "child"}]
    quote = plain(shop.post(f"/api/v1/holds/{token}/quote",
                            {"tickets": tickets, "promo_code": "SAVE15"}).json())  # fmt: skip
    answer = shop.post(
        f"/api/v1/holds/{token}/checkout",
        {"email": "ana@example.com", "name": "Ana Lima", "tickets": tickets,
         "promo_code": "SAVE15"},
    )  # fmt: skip
    assert answer.status_code == 201, answer.content
    order = shop.order(plain(answer.json())["order_code"])
    with shop.schema():
        items = sorted(order.items.all(), key=lambda item: -item.price)
    # 15% of 5.000 is 0.750; of 2.500 it is 0.375, which no card can pay: 0.380.
    assert [item.discount for item in items] == [750, 380]
    # 5% on (4.250 + 0.250) = 0.225 is payable; on (2.120 + 0.250) it is 0.1185: 0.120.
    assert [item.tax for item in items] == [230, 120]  # 0.225 rounds half up to 0.230
    assert order.total == sum(item.total for item in items) == 4730 + 2490
    assert quote["total"] == order.total
    form = sent_form(fake)
    units = [int(value) for key, value in form.items() if key.endswith("[unit_amount]")]
    assert sorted(units) == [250, 350, 2120, 4250]  # the fee (x2), the tax, two tickets
    assert all(unit % 10 == 0 for unit in units)


def test_an_unpayable_price_stored_before_the_rule_is_refused_clearly_and_keeps_nothing(
    monkeypatch,
):
    shop = kwd_shop()
    with shop.schema():
        Price.objects.filter(ticket_type__code="adult").update(amount=5255)
    fake = FakeStripeAPI()
    with_stripe(shop, monkeypatch, fake)
    token = shop.hold("stalls/A/1")
    answer = shop.post(
        f"/api/v1/holds/{token}/checkout", {"email": "ana@example.com", "name": "Ana Lima"}
    )
    body = plain(answer.json())
    assert answer.status_code == 409, body
    assert body["code"] == "order_not_payable"
    assert "multiples of 0.010 KWD" in body["message"]
    assert "trying again will not help" in body["message"] and "try again in" not in body["message"]
    assert not fake.sent  # Stripe is never asked
    with shop.schema():
        assert not Order.objects.exists()  # no order keeps the seats for the payment window
        hold = Hold.objects.get()
        assert hold.status == Hold.Status.ACTIVE
    assert shop.client.delete(f"/api/v1/holds/{token}").status_code in (200, 204)
    with schema_context(shop.organizer.schema_name):
        assert not shop.event.seats.filter(status="held").exists()
