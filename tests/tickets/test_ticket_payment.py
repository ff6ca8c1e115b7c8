"""A ticket carries what the door needs of its order (`Ticket.payment`, `disputed_at`): the one
rule is `tickets.services.payment_standing`; migration tickets/0003 filled existing tickets with
a copy of it in SQL, checked here against the function for every kind of order."""

import importlib
from datetime import timedelta
from types import SimpleNamespace

from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context

from boxoffice.sales.models import Order
from boxoffice.tickets.models import Ticket
from boxoffice.tickets.services import payment_standing, track_order_payment
from tests.builders.events import on_sale_event
from tests.builders.orders import paid_order
from tests.builders.organizers import make_organizer

migration = importlib.import_module("boxoffice.tickets.migrations.0003_ticket_payment")

OPENED = timezone.now() - timedelta(days=1)
ORDERS = [  # (order status, dispute opened at, dispute status)
    ("paid", None, ""),
    ("paid", OPENED, "warning_needs_response"),
    ("paid", OPENED, "needs_response"),
    ("paid", OPENED, "won"),
    ("paid", OPENED, "lost"),
    ("paid", OPENED, "warning_closed"),
    ("partially_refunded", OPENED, "under_review"),
    ("partially_refunded", None, ""),
    ("refunded", None, ""),
    ("cancelled", OPENED, "lost"),
    ("pending_payment", None, ""),
]


def orders_of_every_kind(organizer) -> None:
    event = on_sale_event(organizer, rows=1, seats=len(ORDERS))
    for number, (status, disputed_at, dispute_status) in enumerate(ORDERS, start=1):
        order, _tickets = paid_order(organizer, event, [f"stalls/A/{number}"])
        with schema_context(organizer.schema_name):
            Order.objects.filter(pk=order.pk).update(
                status=status, disputed_at=disputed_at, dispute_status=dispute_status
            )


def standings(organizer) -> dict[str, tuple]:
    with schema_context(organizer.schema_name):
        return {
            ticket.order.code: (ticket.payment, ticket.disputed_at)
            for ticket in Ticket.objects.select_related("order")
        }


def expected(organizer) -> dict[str, tuple]:
    with schema_context(organizer.schema_name):
        return {order.code: payment_standing(order) for order in Order.objects.all()}


def test_the_migrations_fill_agrees_with_payment_standing(db):
    organizer = make_organizer("alpha")
    orders_of_every_kind(organizer)
    want = expected(organizer)
    assert {payment for payment, _at in want.values()} == {"paid", "not_paid", "disputed"}
    with schema_context(organizer.schema_name):
        Ticket.objects.update(payment=Ticket.Payment.PAID, disputed_at=None)
        migration.fill_payment(None, SimpleNamespace(connection=connection))
    assert standings(organizer) == want


def test_tracking_an_order_brings_its_tickets_in_step_and_touches_only_those_that_change(db):
    organizer = make_organizer("alpha")
    orders_of_every_kind(organizer)
    with schema_context(organizer.schema_name):
        orders = list(Order.objects.all())
        changed = sum(track_order_payment(order=order) for order in orders)
        # The first order is paid and undisputed, as its ticket was issued: nothing to write.
        assert changed == len([o for o in orders if payment_standing(o)[0] != "paid"])
        assert sum(track_order_payment(order=order) for order in orders) == 0
    assert standings(organizer) == expected(organizer)
