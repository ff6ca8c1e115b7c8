"""The customer's ticket page: seats, categories, QR codes; revoked tickets shown as revoked."""

from django.test import Client
from django_tenants.utils import schema_context

from boxoffice.sales.order_access import order_secret
from boxoffice.tickets.services import revoke_tickets
from tests.builders.events import on_sale_event
from tests.builders.orders import paid_order
from tests.builders.organizers import host_of, make_organizer


def test_ticket_page_shows_each_seat_with_its_qr_and_revoked_ones_as_revoked(db):
    organizer = make_organizer("alpha")
    event = on_sale_event(organizer, rows=2, seats=4, title="Hamlet")
    order, tickets = paid_order(organizer, event, ["stalls/A/1", "stalls/B/2"], name="Ada L")
    with schema_context(organizer.schema_name):
        secret = order_secret(order)
        revoke_tickets(items=[tickets[1].item], reason="refund")
    client = Client(HTTP_HOST=host_of(organizer))

    page = client.get(f"/orders/{order.code}/tickets", {"secret": secret})
    assert page.status_code == 200
    html = page.content.decode()
    assert "Hamlet" in html and order.code in html and "Ada L" in html
    assert "Stalls, row A, seat 1" in html and "Premium" in html
    assert "Stalls, row B, seat 2" in html and "Standard" in html
    assert html.count("<svg") == 1  # the valid ticket only
    assert "Revoked" in html and tickets[1].uid in html
    assert page["Referrer-Policy"] == "same-origin"  # no Referer to other sites
    assert "no-cache" in page["Cache-Control"] or "max-age=0" in page["Cache-Control"]


def test_ticket_page_needs_the_secret_and_stays_on_its_organizer(db):
    organizer = make_organizer("alpha")
    other = make_organizer("beta")
    event = on_sale_event(organizer, rows=1, seats=2)
    order, _tickets = paid_order(organizer, event, ["stalls/A/1"])
    with schema_context(organizer.schema_name):
        secret = order_secret(order)
    alpha = Client(HTTP_HOST=host_of(organizer))
    assert alpha.get(f"/orders/{order.code}/tickets").status_code == 404
    assert alpha.get(f"/orders/{order.code}/tickets", {"secret": "nope"}).status_code == 404
    beta = Client(HTTP_HOST=host_of(other))
    assert beta.get(f"/orders/{order.code}/tickets", {"secret": secret}).status_code == 404
