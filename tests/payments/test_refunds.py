"""Refunds, customer cancellations under the refund policy, event cancellation, reconciliation."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from boxoffice.audit.models import AuditEntry
from boxoffice.events.models import Event, EventSeat
from boxoffice.payments.models import SandboxRefund, SandboxSession
from boxoffice.payments.services.reconciliation import reconcile_payments
from boxoffice.sales.models import Order, Refund
from boxoffice.sales.order_access import order_secret
from boxoffice.sales.services.orders import SEAT_GRACE
from boxoffice.tickets.models import Ticket
from tenants.roles import Role
from tests.builders.money import plain
from tests.builders.organizers import make_member, owner_of, signed_in_client
from tests.builders.payments import buy, jobs_run_inline, make_shop

pytestmark = pytest.mark.django_db


def owner_client(shop):
    return signed_in_client(shop.organizer, owner_of(shop.organizer))


def refund(shop, client, code, **payload):
    # (the test client skips CSRF checks; tests/tenants shows session writes need the token)
    return client.post(f"/api/v1/orders/{code}/refunds", payload, content_type="application/json")


def statuses(shop, *refs):
    with shop.schema():
        return dict(EventSeat.objects.filter(ref__in=refs).values_list("ref", "status"))


def test_a_partial_refund_releases_exactly_those_seats_and_revokes_their_tickets():
    shop = make_shop()
    code = buy(shop, "stalls/B/1", "stalls/B/2", "stalls/B/3")["order_code"]
    client = owner_client(shop)
    answer = refund(shop, client, code, seats=["stalls/B/2"], note="customer called")
    assert answer.status_code == 201, plain(answer.json())
    body = plain(answer.json())
    assert body["order"]["status"] == "partially_refunded"
    assert body["refund"]["amount"] == 5000 and body["refund"]["status"] == "succeeded"
    assert statuses(shop, "stalls/B/1", "stalls/B/2", "stalls/B/3") == {
        "stalls/B/1": "sold", "stalls/B/2": "available", "stalls/B/3": "sold",
    }  # fmt: skip
    with shop.schema():
        revoked = Ticket.objects.filter(status="revoked").values_list("seat__ref", "revoke_reason")
        assert list(revoked) == [("stalls/B/2", "refunded")]  # the item's reason, not the order's
    tickets = shop.client.get(
        f"/orders/{code}/tickets", {"secret": order_secret(shop.order(code))}
    ).content.decode()
    assert "was revoked (refunded)" in tickets and "(paid)" not in tickets
    sandbox = SandboxRefund.objects.get()
    assert sandbox.amount == 5000
    assert sandbox.idempotency_key.endswith(body["refund"]["id"])
    # the rest, then nothing is left to refund
    rest = refund(shop, client, code)
    assert plain(rest.json())["order"]["status"] == "refunded"
    assert plain(rest.json())["order"]["refunded"] == 15000
    again = refund(shop, client, code)
    assert again.status_code == 409 and plain(again.json())["code"] == "order_not_refundable"
    assert SandboxSession.objects.get().amount_refunded == 15000


def test_refunding_a_seat_that_is_not_in_the_order_changes_nothing():
    shop = make_shop()
    code = buy(shop, "stalls/B/1")["order_code"]
    answer = refund(shop, owner_client(shop), code, seats=["stalls/C/9"])
    assert answer.status_code == 422 and plain(answer.json())["code"] == "seat_not_in_order"
    assert shop.order(code).status == "paid"
    assert statuses(shop, "stalls/B/1") == {"stalls/B/1": "sold"}


def test_staff_cannot_refund():
    shop = make_shop()
    code = buy(shop, "stalls/B/1")["order_code"]
    staff = signed_in_client(shop.organizer, make_member(shop.organizer, Role.STAFF))
    assert refund(shop, staff, code).status_code == 403
    assert shop.order(code).status == "paid"
    # staff may look the order up, though
    assert staff.get(f"/api/v1/orders/{code}").status_code == 200


def test_a_refund_the_provider_cannot_reach_stays_pending_and_reconciliation_retries_it(
    monkeypatch,
):
    from boxoffice.payments.providers.base import ProviderError
    from boxoffice.payments.providers.sandbox import SandboxProvider

    shop = make_shop()
    code = buy(shop, "stalls/B/1")["order_code"]
    real_refund = SandboxProvider.refund

    def unreachable(self, **kwargs):
        raise ProviderError("connection reset")

    monkeypatch.setattr(SandboxProvider, "refund", unreachable)
    answer = refund(shop, owner_client(shop), code)
    assert plain(answer.json())["refund"]["status"] == "pending"
    monkeypatch.setattr(SandboxProvider, "refund", real_refund)
    with shop.schema():
        Refund.objects.update(updated_at=timezone.now() - timedelta(minutes=5))
        assert reconcile_payments()["refunds"] == 1
        assert Refund.objects.get().status == "succeeded"
        reconcile_payments()  # again: nothing is refunded twice
    assert SandboxRefund.objects.count() == 1


@pytest.mark.parametrize(
    ("days_ahead", "percent", "status", "code"),
    [(30, 100, 200, None), (10, 50, 200, None), (1, 0, 409, "refund_policy_closed")],
)
def test_customer_cancellation_follows_the_refund_policy(days_ahead, percent, status, code):
    starts = timezone.now() + timedelta(days=days_ahead)
    shop = make_shop(
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        refund_policy=[{"days_before": 14, "percent": 100}, {"days_before": 3, "percent": 50}],
    )
    answer = buy(shop, "stalls/B/1", "stalls/B/2")
    path = f"/api/v1/orders/{answer['order_code']}"
    terms = plain(shop.client.get(f"{path}?secret={answer['order_secret']}").json())["cancellation"]
    assert terms | {"reason": None} == {
        "allowed": percent > 0, "percent": percent, "amount": 10000 * percent // 100,
        "reason": None, "reason_code": code,
    }  # fmt: skip
    cancelled = shop.post(f"{path}/cancel?secret={answer['order_secret']}")
    assert cancelled.status_code == status, plain(cancelled.json())
    order = shop.order(answer["order_code"])
    if code:
        assert plain(cancelled.json())["code"] == code
        assert order.status == "paid"
        return
    assert order.status == "cancelled" and order.refunded == 10000 * percent // 100
    assert plain(cancelled.json())["refund"]["amount"] == 10000 * percent // 100
    assert set(statuses(shop, "stalls/B/1", "stalls/B/2").values()) == {"available"}
    with shop.schema():
        assert not Ticket.objects.filter(status="valid").exists()


def test_cancelling_needs_the_secret():
    shop = make_shop(refund_policy=[{"days_before": 0, "percent": 100}])
    answer = buy(shop, "stalls/B/1")
    refused = shop.post(f"/api/v1/orders/{answer['order_code']}/cancel?secret=guess")
    assert refused.status_code == 404
    assert shop.order(answer["order_code"]).status == "paid"


def test_cancelling_the_event_refunds_every_paid_order(django_capture_on_commit_callbacks):
    shop = make_shop()
    first = buy(shop, "stalls/B/1")["order_code"]
    second = buy(shop, "stalls/C/1", "stalls/C/2")["order_code"]
    pending = shop.checkout("stalls/D/1")["order_code"]
    client = owner_client(shop)
    mail.outbox.clear()
    with jobs_run_inline(django_capture_on_commit_callbacks):
        answer = client.post(f"/api/v1/events/{shop.event.uid}/cancel")
    assert answer.status_code == 200, plain(answer.json())
    assert plain(answer.json()) == {
        "event": shop.event.uid,
        "status": "cancelled",
        "orders_to_refund": 2,
    }
    assert shop.order(first).status == "refunded" and shop.order(second).status == "refunded"
    assert shop.order(pending).status == "pending_payment"  # never paid: nothing to refund
    with shop.schema():
        assert Event.objects.get().status == "cancelled"
        assert Refund.objects.filter(status="succeeded").count() == 2
    assert sorted(message.to[0] for message in mail.outbox) == ["ana@example.com"] * 2
    assert all("cancelled" in message.subject for message in mail.outbox)


def test_reconciliation_expires_an_open_session_before_releasing_its_seats():
    shop = make_shop()
    code = shop.checkout("stalls/B/1")["order_code"]
    with shop.schema():
        Order.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
        assert reconcile_payments()["orders"] == 1
    assert shop.session(code).status == "expired"  # it can no longer be paid
    assert shop.order(code).status == "expired"
    assert statuses(shop, "stalls/B/1") == {"stalls/B/1": "available"}


def test_reconciliation_finds_a_payment_whose_webhook_never_came():
    shop = make_shop()
    code = shop.checkout("stalls/B/1")["order_code"]
    SandboxSession.objects.update(status="complete", payment_status="paid")
    with shop.schema():
        Order.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
        reconcile_payments()
    assert shop.order(code).status == "paid"
    assert statuses(shop, "stalls/B/1") == {"stalls/B/1": "sold"}


def test_seats_of_an_order_being_paid_are_not_for_sale_until_the_window_and_grace_end():
    shop = make_shop()
    answer = shop.checkout("stalls/B/1")
    token = plain(shop.post(f"/api/v1/events/{shop.event.uid}/holds").json())["token"]
    taken = shop.post(f"/api/v1/holds/{token}/seats", {"seats": ["stalls/B/1"]})
    assert taken.status_code == 409
    order = shop.order(answer["order_code"])
    with shop.schema():
        assert EventSeat.objects.get(ref="stalls/B/1").held_until == order.expires_at + SEAT_GRACE


def test_the_internal_note_stays_with_the_organizer_and_the_message_reaches_the_customer(
    django_capture_on_commit_callbacks,
):
    shop = make_shop()
    code = buy(shop, "stalls/D/1", "stalls/D/2")["order_code"]
    mail.outbox.clear()
    note, message = "Chargeback risk, see ticket #4411", "Sorry, the seat had no view."
    with jobs_run_inline(django_capture_on_commit_callbacks):
        answer = refund(shop, owner_client(shop), code, seats=["stalls/D/1"], note=note,
                        message=message)  # fmt: skip
    assert answer.status_code == 201, plain(answer.json())
    assert (plain(answer.json())["refund"]["note"], plain(answer.json())["refund"]["message"]) == (
        note,
        message,
    )
    [email] = [m for m in mail.outbox if code in m.subject]
    assert message in email.body and note not in email.body
    assert "Chargeback" not in email.body
    with shop.schema():
        stored = Refund.objects.get(order__code=code)
        assert (stored.note, stored.customer_message) == (note, message)
        audited = AuditEntry.objects.get(action="order.organizer", target_id=code)
        assert audited.data["note"] == note
    # The customer's own view of the order carries the message, never the note.
    customer = shop.client.get(f"/api/v1/orders/{code}?secret={order_secret(shop.order(code))}")
    assert customer.status_code == 200
    [seen] = plain(customer.json())["refunds"]
    assert seen["note"] is None and seen["message"] == message
    assert note not in customer.content.decode()
    page = shop.client.get(f"/orders/{code}/?secret={order_secret(shop.order(code))}")
    assert note not in page.content.decode()
