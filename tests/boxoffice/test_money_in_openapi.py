"""Every amount the APIs answer with is a Money object (amount in minor units, its currency,
unit "minor"): no bare integer named like money in any response schema."""

import re

import pytest
from django.test import Client

from tests.builders.organizers import host_of, make_organizer

pytestmark = pytest.mark.django_db
MONEY_NAME = re.compile(r"(^|_)(price|amount|total|fee|fees|tax|subtotal|discount|refunded|"
                        r"refunds|gross|net|revenue)(_|$)")  # fmt: skip
# Named like money, but counts.
COUNTS = {"OrdersByStatusOut.total"}


def response_schemas(spec: dict) -> set[str]:
    """Names of the component schemas reachable from any operation's responses."""
    components = spec["components"]["schemas"]
    found: set[str] = set()

    def walk(node):
        if isinstance(node, dict):
            ref = node.get("$ref", "")
            if ref.startswith("#/components/schemas/"):
                name = ref.rsplit("/", 1)[1]
                if name not in found:
                    found.add(name)
                    walk(components[name])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for path in spec["paths"].values():
        for operation in path.values():
            if isinstance(operation, dict):
                walk(operation.get("responses", {}))
    return found


def is_integer(prop: dict) -> bool:
    kinds = [prop, *prop.get("anyOf", [])]
    return any(kind.get("type") == "integer" for kind in kinds)


def test_no_bare_integer_money_in_any_response():
    organizer = make_organizer("spec")
    spec = Client(HTTP_HOST=host_of(organizer)).get("/api/v1/openapi.json").json()
    components = spec["components"]["schemas"]
    names = response_schemas(spec)
    assert {"OrderOut", "QuoteOut", "EventOut", "EventReportOut"} <= names
    bare = [
        f"{name}.{field}"
        for name in sorted(names - {"Money"})
        for field, prop in components[name].get("properties", {}).items()
        if MONEY_NAME.search(field) and is_integer(prop)
        and f"{name}.{field}" not in COUNTS
    ]  # fmt: skip
    assert bare == []
    money = components["Money"]["properties"]
    assert set(money) == {"amount", "currency", "unit"}
    assert money["unit"].get("const") == "minor" or money["unit"].get("enum") == ["minor"]


def test_order_amounts_carry_the_orders_currency():
    from tests.builders.events import on_sale_event
    from tests.builders.payments import Shop

    organizer = make_organizer("kwdapi", currency="KWD")
    event = on_sale_event(organizer, rows=1, seats=2)
    shop = Shop(organizer=organizer, event=event, client=Client(HTTP_HOST=host_of(organizer)),
                platform=Client(HTTP_HOST="localhost"))  # fmt: skip
    token = shop.hold("stalls/A/1")
    quote = shop.post(f"/api/v1/holds/{token}/quote").json()
    assert quote["total"] == {"amount": 5000, "currency": "KWD", "unit": "minor"}
    assert quote["items"][0]["price"] == {"amount": 5000, "currency": "KWD", "unit": "minor"}
    assert quote["lines"][0]["amount"]["currency"] == "KWD"
    listed = shop.client.get(f"/api/v1/events/{event.uid}").json()
    assert listed["min_price"] == {"amount": 2500, "currency": "KWD", "unit": "minor"}
