"""One rule for order codes as people type them: any case, hyphens or spaces, on every surface
that looks an order up (customer API and pages, organizer API, console page and search)."""

import pytest

from boxoffice.sales.order_access import normalize_order_code, order_secret
from tests.builders.organizers import owner_of, signed_in_client
from tests.builders.payments import buy, make_shop

pytestmark = pytest.mark.django_db


def spoken(code: str) -> str:
    """How a customer reads a code out over the phone: lower case, with a hyphen."""
    return f"{code[:4]}-{code[4:]}".lower()


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("abcd-2345", "ABCD2345"), (" ABCD 2345 ", "ABCD2345"), ("abcd\u20142345", "ABCD2345"),
     ("ab\x00cd", "ABCD"), ("ÄBCD", "BCD")],
)  # fmt: skip
def test_codes_are_normalised_one_way(typed, stored):
    assert normalize_order_code(typed) == stored


def test_every_surface_finds_an_order_by_its_code_as_read_out():
    shop = make_shop()
    code = buy(shop, "stalls/B/1", "stalls/B/2")["order_code"]
    typed = spoken(code)
    with shop.schema():
        secret = order_secret(shop.order(code))
    # the customer: API, order page and tickets page
    assert shop.client.get(f"/api/v1/orders/{typed}?secret={secret}").json()["code"] == code
    assert shop.client.get(f"/orders/{typed}/?secret={secret}").status_code == 200
    assert shop.client.get(f"/orders/{typed}/tickets?secret={secret}").status_code == 200
    # the organizer: API lookup, console page and console search
    owner = signed_in_client(shop.organizer, owner_of(shop.organizer))
    assert owner.get(f"/api/v1/orders/{typed}").json()["code"] == code
    assert owner.get(f"/console/orders/{typed}/").status_code == 200
    listing = owner.get("/console/orders/", {"q": typed})
    assert code in listing.content.decode()
    # the refunds API took only the exact code before; now the same code as read out
    answer = owner.post(
        f"/api/v1/orders/{typed}/refunds", {"seats": ["stalls/B/2"]},
        content_type="application/json",
    )  # fmt: skip
    assert answer.status_code == 201, answer.json()
    assert answer.json()["order"]["status"] == "partially_refunded"


def test_a_code_that_normalises_to_another_order_is_still_404_without_its_secret():
    shop = make_shop()
    code = buy(shop, "stalls/B/1")["order_code"]
    answer = shop.client.get(f"/api/v1/orders/{spoken(code)}?secret=wrong")
    assert answer.status_code == 404 and answer.json()["code"] == "order_not_found"
