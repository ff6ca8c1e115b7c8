"""A payment confirmation racing the expiry sweeper and other customers, on the real database
with threads: a seat is never sold and held (or sold twice); the late payer is refunded."""

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from boxoffice.events.models import EventSeat
from boxoffice.payments.models import SandboxSession
from boxoffice.payments.providers.sandbox import event_envelope, session_object
from boxoffice.payments.services.webhooks import process
from boxoffice.sales.models import Order
from boxoffice.sales.services import holds
from tests.builders.events import on_sale_event
from tests.builders.organizers import host_of
from tests.builders.races import race

ORDERS = 8


@pytest.fixture
def lapsed_orders(committed_organizer):
    """ORDERS orders of two seats each, awaiting payment, whose seats have just lapsed."""
    organizer = committed_organizer("payrace")
    event = on_sale_event(organizer, rows=4, seats=10, max_seats_per_order=6)
    client = Client(HTTP_HOST=host_of(organizer))
    codes = []
    for number in range(ORDERS):
        refs = [f"stalls/B/{2 * number + 1}", f"stalls/B/{2 * number + 2}"][:2]
        if number >= 5:
            refs = [f"stalls/C/{2 * number - 9}", f"stalls/C/{2 * number - 8}"]
        token = client.post(
            f"/api/v1/events/{event.uid}/holds", {"seats": refs}, content_type="application/json"
        ).json()["token"]
        answer = client.post(
            f"/api/v1/holds/{token}/checkout",
            {"email": f"p{number}@example.com", "name": f"Payer {number}"},
            content_type="application/json",
        )
        codes.append((answer.json()["order_code"], refs))
    with schema_context(organizer.schema_name):
        EventSeat.objects.filter(status="held").update(
            held_until=timezone.now() - timedelta(seconds=5)
        )
    connection.set_schema_to_public()
    return organizer, event, codes


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_webhooks_racing_the_sweeper_and_other_customers_never_oversell(lapsed_orders):
    organizer, event, codes = lapsed_orders
    with schema_context(organizer.schema_name):
        sessions = {
            order.code: order.provider_session_id for order in Order.objects.all()
        }  # fmt: skip
    events = []
    for code, _refs in codes:
        session = SandboxSession.objects.get(session_id=sessions[code])
        session.status, session.payment_status = "complete", "paid"
        events.append(event_envelope("checkout.session.completed", session_object(session)))
    # Per order: its webhook, the sweeper, and another customer wanting the same two seats.
    jobs = []
    for index, (_code, refs) in enumerate(codes):
        jobs += [("webhook", index, refs), ("sweep", index, refs), ("rival", index, refs)]

    def work(slot: int):
        kind, index, refs = jobs[slot]
        if kind == "webhook":
            return kind, index, process(json.loads(json.dumps(events[index]))).status
        with schema_context(organizer.schema_name):
            if kind == "sweep":
                return kind, index, holds.sweep_expired_holds()
            hold, _token = holds.create_hold(event=event)
            return kind, index, [seat.ref for seat in holds.hold_seats(hold=hold, refs=refs)]

    results = race(work, contenders=len(jobs))
    assert len(results) == len(jobs)
    webhook_answers = [outcome for outcome in results if outcome[0] == "webhook"]
    assert all(status == 200 for _kind, _index, status in webhook_answers)
    rivals = {index: refs for kind, index, refs in (r for r in results if isinstance(r, tuple))
              if kind == "rival" and isinstance(refs, list)}  # fmt: skip
    with schema_context(organizer.schema_name):
        paid = refunded = 0
        for index, (code, refs) in enumerate(codes):
            order = Order.objects.get(code=code)
            seats = {seat.ref: seat for seat in EventSeat.objects.filter(ref__in=refs)}
            if order.status == "paid":
                paid += 1
                assert all(seats[ref].status == "sold" and seats[ref].order_id == order.pk
                           for ref in refs)  # fmt: skip
                assert index not in rivals  # the rival was refused
            else:
                refunded += 1
                assert order.status == "refunded" and order.refunded == order.total
                assert rivals.get(index) == refs  # the rival has both seats
                assert all(seats[ref].status == "held" for ref in refs)
        assert EventSeat.objects.filter(status="sold").count() == 2 * paid
    assert paid + refunded == ORDERS
