"""No event-wide lock: one customer's locked hold (or order) never makes another customer wait.

Each test keeps a transaction open with the lock in question while another connection, with a
short lock_timeout, starts a hold on the same event; waiting on the event row would time out."""

import pytest
from django.db import connection, transaction
from django_tenants.utils import schema_context

from boxoffice.sales.services import holds, orders
from tests.builders.events import on_sale_event
from tests.builders.races import on_another_connection


@pytest.fixture
def lock_event(committed_organizer):
    organizer = committed_organizer("locks")
    event = on_sale_event(organizer, rows=2, seats=6)
    connection.set_schema_to_public()
    return organizer, event


def start_hold_elsewhere(organizer, event) -> str:
    """Start a hold on another connection, giving up after 2 s of waiting for a lock."""

    def other_customer() -> str:
        try:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL lock_timeout = '2s'")
                hold, _token = holds.create_hold(event=event)
                holds.hold_seats(hold=hold, refs=["stalls/B/6"])
            return "held"
        except Exception as exc:  # the lock timeout, if any
            return type(exc).__name__

    return on_another_connection(other_customer, schema=organizer.schema_name, timeout=30)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_locked_hold_does_not_lock_the_event(lock_event):
    organizer, event = lock_event
    with schema_context(organizer.schema_name):
        hold, _token = holds.create_hold(event=event)
        with transaction.atomic():
            holds._lock_live(hold)  # what every change to a hold starts with
            assert start_hold_elsewhere(organizer, event) == "held"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_checkout_in_progress_does_not_lock_the_event(lock_event):
    organizer, event = lock_event
    with schema_context(organizer.schema_name):
        hold, _token = holds.create_hold(event=event)
        holds.hold_seats(hold=hold, refs=["stalls/A/1"])
        order = orders.place_order(
            hold=hold, email="a@example.com", name="A", currency="EUR", provider="sandbox"
        )
        with transaction.atomic():
            orders.lock_order(order)  # what every payment outcome starts with
            assert start_hold_elsewhere(organizer, event) == "held"
