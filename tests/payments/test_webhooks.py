"""The webhook endpoint: signatures, store-once, routing, guarded transitions, pay-after-expiry."""

import json
from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.utils import timezone

from boxoffice.events.models import EventSeat
from boxoffice.payments.models import SandboxSession, WebhookEvent
from boxoffice.payments.providers.sandbox import event_envelope
from boxoffice.payments.signatures import sign
from boxoffice.sales.models import Hold, Order, Refund
from boxoffice.sales.services.holds import create_hold, hold_seats
from boxoffice.tickets.models import Ticket
from tests.builders.organizers import owner_of, signed_in_client
from tests.builders.payments import jobs_run_inline, make_shop, now

pytestmark = pytest.mark.django_db


def seat_statuses(shop, code):
    with shop.schema():
        order = Order.objects.get(code=code)
        return sorted(
            EventSeat.objects.filter(id__in=order.items.values("seat_id")).values_list(
                "status", flat=True
            )
        )


def paid_event(shop, code):
    return shop.session_event(
        code, "checkout.session.completed", status="complete", payment_status="paid"
    )


def test_a_completed_checkout_sells_the_seats_issues_tickets_and_emails_the_customer(
    django_capture_on_commit_callbacks,
):
    shop = make_shop()
    code = shop.checkout("stalls/B/1", "stalls/B/2")["order_code"]
    with jobs_run_inline(django_capture_on_commit_callbacks):
        answer = shop.deliver(paid_event(shop, code))
    assert answer.status_code == 200, answer.json()
    order = shop.order(code)
    assert order.status == "paid" and order.paid_at is not None
    assert order.provider_payment_id.startswith("pi_sbx_")
    assert seat_statuses(shop, code) == ["sold", "sold"]
    with shop.schema():
        assert Ticket.objects.filter(order=order, status="valid").count() == 2
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["ana@example.com"]
    assert code in mail.outbox[0].subject and f"/orders/{code}/?secret=" in mail.outbox[0].body
    attachments = mail.outbox[0].attachments
    assert [mimetype for _name, _content, mimetype in attachments] == ["image/png"] * 2
    assert all(content.startswith(b"\x89PNG") for _name, content, _mimetype in attachments)


def test_a_bad_signature_is_refused_and_stores_nothing():
    shop = make_shop()
    code = shop.checkout("stalls/B/1")["order_code"]
    answer = shop.deliver(paid_event(shop, code), secret="whsec_wrong")
    assert answer.status_code == 400 and answer.json()["code"] == "bad_signature"
    body = json.dumps(paid_event(shop, code)).encode()
    tampered = shop.platform.post(
        "/webhooks/stripe",
        body.replace(b'"paid"', b'"unpaid"'),
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=sign(body),
    )
    assert tampered.status_code == 400
    missing = shop.platform.post("/webhooks/stripe", body, content_type="application/json")
    assert missing.status_code == 400
    assert WebhookEvent.objects.count() == 0
    assert shop.order(code).status == "pending_payment"


def test_a_stale_timestamp_is_refused():
    shop = make_shop()
    code = shop.checkout("stalls/B/1")["order_code"]
    answer = shop.deliver(paid_event(shop, code), timestamp=now() - 301)
    assert answer.status_code == 400 and answer.json()["code"] == "bad_signature"
    assert WebhookEvent.objects.count() == 0
    assert shop.deliver(paid_event(shop, code), timestamp=now() - 200).status_code == 200


def test_a_duplicate_delivery_has_one_effect():
    shop = make_shop()
    code = shop.checkout("stalls/B/1")["order_code"]
    event = paid_event(shop, code)
    assert shop.deliver(event).json()["code"] == "ok"
    again = shop.deliver(event)
    assert again.status_code == 200 and again.json()["code"] == "duplicate"
    stored = WebhookEvent.objects.get()
    assert (stored.status, stored.attempts, stored.schema_name) == ("processed", 1, "org_alpha")
    with shop.schema():
        assert Ticket.objects.count() == 1


def test_expired_after_completed_changes_nothing():
    shop = make_shop()
    code = shop.checkout("stalls/B/1")["order_code"]
    shop.deliver(paid_event(shop, code))
    late = shop.session_event(code, "checkout.session.expired", status="expired")
    assert shop.deliver(late).status_code == 200
    assert shop.order(code).status == "paid"
    assert seat_statuses(shop, code) == ["sold"]


def test_expired_releases_the_seats_and_a_later_payment_still_gets_them_if_free():
    shop = make_shop()
    code = shop.checkout("stalls/B/1")["order_code"]
    shop.deliver(shop.session_event(code, "checkout.session.expired", status="expired"))
    assert shop.order(code).status == "expired"
    assert seat_statuses(shop, code) == ["available"]
    # a payment that completed at the last second arrives after the expiry: seats still free
    shop.deliver(paid_event(shop, code))
    assert shop.order(code).status == "paid"
    assert seat_statuses(shop, code) == ["sold"]


def test_paid_after_the_seats_went_to_someone_else_is_refunded_never_oversold():
    shop = make_shop()
    code = shop.checkout("stalls/B/1", "stalls/B/2")["order_code"]
    # the order lapses (window and grace gone) and another customer takes one of its seats
    with shop.schema():
        # (an hour ago: PostgreSQL's now() is when the test's transaction began)
        EventSeat.objects.filter(ref__in=["stalls/B/1", "stalls/B/2"]).update(
            held_until=timezone.now() - timedelta(hours=1)
        )
        other, _token = create_hold(event=shop.event)
        hold_seats(hold=other, refs=["stalls/B/2"])
    answer = shop.deliver(paid_event(shop, code))
    assert answer.status_code == 200
    order = shop.order(code)
    assert order.status == "refunded" and order.refunded == order.total
    with shop.schema():
        b1, b2 = (EventSeat.objects.get(ref=ref) for ref in ("stalls/B/1", "stalls/B/2"))
        assert b2.status == "held" and b2.hold_id == other.pk  # the other customer keeps it
        assert b1.status == "available" and b1.order_id is None
        refund = Refund.objects.get(order=order)
        assert (refund.reason, refund.amount) == ("seats_lost", order.total)
        assert not Ticket.objects.exists()


def test_a_delayed_payment_keeps_the_seats_until_it_settles_or_fails():
    shop = make_shop()
    code = shop.checkout("stalls/B/1")["order_code"]
    shop.deliver(
        shop.session_event(
            code, "checkout.session.completed", status="complete", payment_status="unpaid"
        )
    )
    assert shop.order(code).status == "processing"
    with shop.schema():
        assert EventSeat.objects.get(ref="stalls/B/1").held_until > timezone.now() + timedelta(
            days=5
        )
    shop.deliver(shop.session_event(code, "checkout.session.async_payment_failed"))
    assert shop.order(code).status == "payment_failed"
    assert seat_statuses(shop, code) == ["available"]
    # the other way: a second order whose delayed payment succeeds
    other = shop.checkout("stalls/C/1")["order_code"]
    shop.deliver(
        shop.session_event(
            other, "checkout.session.completed", status="complete", payment_status="unpaid"
        )
    )
    shop.deliver(
        shop.session_event(
            other, "checkout.session.async_payment_succeeded", status="complete",
            payment_status="paid",
        )
    )  # fmt: skip
    assert shop.order(other).status == "paid"


def test_a_dispute_flags_the_order_found_by_its_payment():
    shop = make_shop()
    code = shop.checkout("stalls/B/1")["order_code"]
    shop.deliver(paid_event(shop, code))
    order = shop.order(code)
    dispute = event_envelope(
        "charge.dispute.created",
        {"id": "dp_1", "object": "dispute", "amount": order.total, "currency": "eur",
         "charge": "ch_1", "payment_intent": order.provider_payment_id, "reason": "fraudulent",
         "metadata": {}, "status": "warning_needs_response"},
    )  # fmt: skip
    assert shop.deliver(dispute).status_code == 200
    order = shop.order(code)
    assert order.disputed_at is not None and order.dispute_reason == "fraudulent"


def test_a_refund_made_in_the_provider_dashboard_is_booked():
    shop = make_shop()
    code = shop.checkout("stalls/B/1")["order_code"]
    shop.deliver(paid_event(shop, code))
    order = shop.order(code)
    charge = {"id": "ch_1", "object": "charge", "amount": order.total, "currency": "eur",
              "amount_refunded": order.total, "payment_intent": order.provider_payment_id,
              "metadata": {}, "refunded": True, "status": "succeeded"}  # fmt: skip
    shop.deliver(event_envelope("charge.refunded", charge))
    shop.deliver(event_envelope("charge.refunded", charge | {}))  # a second event id, same state
    order = shop.order(code)
    assert (order.status, order.refunded) == ("refunded", order.total)
    assert seat_statuses(shop, code) == ["available"]
    with shop.schema():
        assert Refund.objects.filter(order=order).count() == 1
        assert Ticket.objects.get().status == "revoked"


def test_events_are_routed_to_their_organizer():
    alpha, beta = make_shop("alpha"), make_shop("beta")
    code_a = alpha.checkout("stalls/B/1")["order_code"]
    code_b = beta.checkout("stalls/B/1")["order_code"]
    beta.deliver(paid_event(beta, code_b))
    assert beta.order(code_b).status == "paid"
    assert alpha.order(code_a).status == "pending_payment"
    # an event whose metadata names an organizer that does not exist is acknowledged, rejected
    stray = paid_event(alpha, code_a)
    stray["data"]["object"]["metadata"]["schema"] = "org_nobody"
    assert alpha.deliver(stray).status_code == 200
    stored = WebhookEvent.objects.get(provider_event_id=stray["id"])
    assert (stored.status, stored.reason) == ("rejected", "metadata_mismatch")
    assert alpha.order(code_a).status == "pending_payment"


def test_a_processing_failure_answers_500_records_it_and_the_retry_applies_it():
    shop = make_shop()
    code = shop.checkout("stalls/B/1")["order_code"]
    event = paid_event(shop, code)
    with mock.patch(
        "boxoffice.payments.services.checkout.issue_tickets", side_effect=RuntimeError("disk full")
    ):
        failed = shop.deliver(event)
    assert failed.status_code == 500
    stored = WebhookEvent.objects.get()
    assert stored.status == "failed" and "disk full" in stored.last_error
    assert shop.order(code).status == "pending_payment"  # nothing half-done
    assert seat_statuses(shop, code) == ["held"]
    retried = shop.deliver(event)
    assert retried.status_code == 200
    stored.refresh_from_db()
    assert (stored.status, stored.attempts) == ("processed", 2)
    assert shop.order(code).status == "paid"


def test_unhandled_event_types_are_acknowledged():
    shop = make_shop()
    answer = shop.deliver(event_envelope("customer.created", {"id": "cus_1", "object": "customer"}))
    assert answer.status_code == 200
    assert WebhookEvent.objects.get().status == "ignored"
    assert Hold.objects.none().count() == 0


def test_a_refund_that_fails_at_the_provider_is_no_longer_counted_as_refunded():
    shop = make_shop()
    code = shop.checkout("stalls/B/1", "stalls/B/2")["order_code"]
    SandboxSession.objects.update(status="complete", payment_status="paid")  # paid at the provider
    shop.deliver(paid_event(shop, code))

    owner = signed_in_client(shop.organizer, owner_of(shop.organizer))
    refunded = owner.post(
        f"/api/v1/orders/{code}/refunds", {"seats": ["stalls/B/1"]}, content_type="application/json"
    ).json()["refund"]
    assert shop.order(code).refunded == 5000
    with shop.schema():
        provider_id = Refund.objects.get(uid=refunded["id"]).provider_refund_id
    failed = event_envelope(
        "refund.failed",
        {"id": provider_id, "object": "refund", "amount": 5000, "currency": "eur",
         "payment_intent": shop.order(code).provider_payment_id, "status": "failed",
         "failure_reason": "expired_or_canceled_card",
         "metadata": {"schema": "org_alpha", "order": code, "refund": refunded["id"]}},
    )  # fmt: skip
    assert shop.deliver(failed).status_code == 200
    assert shop.deliver(failed | {"id": failed["id"] + "x"}).status_code == 200  # twice: once
    order = shop.order(code)
    assert order.refunded == 0
    with shop.schema():
        refund = Refund.objects.get(uid=refunded["id"])
    assert (refund.status, refund.failure_reason) == ("failed", "expired_or_canceled_card")
