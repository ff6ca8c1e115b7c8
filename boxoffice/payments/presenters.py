"""How the payments app shows an order to people: the customer's link to it."""

from django.http import HttpRequest

from boxoffice.sales.models import Order
from boxoffice.sales.order_access import order_secret
from tenants.models import Organizer
from tenants.selectors import organizer_url


def order_link(order: Order, organizer: Organizer, *, request: HttpRequest | None = None) -> str:
    """The customer's link to their order (code + secret)."""
    return organizer_url(
        organizer, f"/orders/{order.code}/?secret={order_secret(order)}", request=request
    )
