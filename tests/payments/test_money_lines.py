"""One definition of an order's money lines (presenters.money_lines): the quote, the order's
API answer (which the console and the order page render) and the provider's line items are
built from it, so they agree line for line."""

from decimal import Decimal

import pytest

from boxoffice.actors import Actor
from boxoffice.payments.presenters import order_out
from boxoffice.payments.services.checkout import checkout_request
from boxoffice.sales.services import promotions
from tests.builders.money import plain
from tests.builders.payments import make_shop

pytestmark = pytest.mark.django_db


def test_quote_order_and_provider_lines_are_the_same_lines():
    shop = make_shop(fee_per_ticket=150, tax_rate=Decimal("19"), tax_inclusive=False)
    with shop.schema():
        promotions.create_promo_code(
            actor=Actor.system("test"), event=shop.event, code="SPRING", kind="percent", value=20
        )
    token = shop.hold("stalls/B/1", "stalls/B/2")
    quote = plain(shop.post(f"/api/v1/holds/{token}/quote", {"promo_code": "spring"}).json())
    answer = plain(
        shop.post(
            f"/api/v1/holds/{token}/checkout",
            {"email": "ana@example.com", "name": "Ana Lima", "promo_code": "spring"},
        ).json()
    )
    order = shop.order(answer["order_code"])
    with shop.schema():
        lines = order_out(order, customer=True)["lines"]
        sent = checkout_request(order, shop.organizer).line_items

    assert [line["kind"] for line in lines] == ["ticket", "ticket", "discount", "fee", "tax"]
    assert lines == quote["lines"]  # these seats carry no notes
    assert [(line["description"], line["amount"]) for line in lines[2:]] == [
        ("Promo SPRING", -2000), ("Service fees", 300), ("Tax 19% (added)", 1578),
    ]  # fmt: skip
    # The provider takes no negative line: each ticket is charged net of its discount.
    assert [(item.name, item.unit_amount, item.quantity) for item in sent] == [
        (f"{shop.event.title}: {lines[0]['description']}", 4000, 1),
        (f"{shop.event.title}: {lines[1]['description']}", 4000, 1),
        ("Service fee", 150, 2),
        ("Tax (19%)", 1578, 1),
    ]
    assert sum(item.unit_amount * item.quantity for item in sent) == order.total


def test_a_round_tax_rate_reads_as_people_write_it():
    """10.00 is "10%" on the event page, the quote, the order and the provider's line, never
    "1E+1%" (what Decimal.normalize() prints)."""
    shop = make_shop(tax_rate=Decimal("10"), tax_inclusive=False)
    token = shop.hold("stalls/B/1")
    quote = plain(shop.post(f"/api/v1/holds/{token}/quote", {}).json())
    answer = shop.post(
        f"/api/v1/holds/{token}/checkout", {"email": "ana@example.com", "name": "Ana Lima"}
    ).json()
    order = shop.order(answer["order_code"])
    with shop.schema():
        sent = checkout_request(order, shop.organizer).line_items
    assert quote["lines"][-1]["description"] == "Tax 10% (added)"
    assert sent[-1].name == "Tax (10%)"
    page = shop.client.get(f"/events/{shop.event.slug}/").content.decode()
    assert "10% tax is added." in page and "E+" not in page
