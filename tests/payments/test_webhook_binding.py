"""A payment event pays only its own order: the session we created decides which order it is,
and its account, amount, currency and payment must be that order's. Each attack is a correctly
signed event; each is rejected (2xx, stored with its reason), changes nothing, and shows up for
platform staff."""

import pytest
from django.test import Client

from boxoffice.payments.models import WebhookEvent
from boxoffice.payments.providers.sandbox import event_envelope, session_object
from boxoffice.sales.models import Refund
from boxoffice.tickets.models import Ticket
from tenants.models import User
from tests.builders.organizers import PASSWORD, make_user
from tests.builders.payments import make_shop

pytestmark = pytest.mark.django_db

ACCOUNT_A = "acct_1AlphaTheatre"
ACCOUNT_B = "acct_1BetaArena"


def connected_shop(slug: str, account: str):
    shop = make_shop(slug)
    shop.organizer.stripe_account_id = account
    shop.organizer.save(update_fields=["stripe_account_id"])
    return shop


def session_event(shop, code: str, event_type: str, *, account: str | None = None, **fields):
    """A Stripe-format event about the order's session, from `account` (the organizer's own by
    default); `fields` override the session object's fields after it is shaped as Stripe's."""
    session = shop.session(code)
    obj = session_object(session) | {
        "status": "complete", "payment_status": "paid", "payment_intent": session.payment_intent,
    }  # fmt: skip
    obj.update(fields)
    return event_envelope(event_type, obj, account=session.account if account is None else account)


def paid(shop, code: str, **fields):
    return session_event(shop, code, "checkout.session.completed", **fields)


def assert_rejected(shop, event: dict, reason: str) -> WebhookEvent:
    answer = shop.deliver(event)
    assert answer.status_code == 200, answer.content  # acknowledged: the provider stops retrying
    assert answer.json()["code"] == "rejected"
    stored = WebhookEvent.objects.get(provider_event_id=event["id"])
    assert (stored.status, stored.reason) == ("rejected", reason), stored.outcome
    return stored


def untouched(shop, code: str, status: str = "pending_payment") -> None:
    order = shop.order(code)
    assert (order.status, order.refunded, order.disputed_at) == (status, 0, None), order.code
    with shop.schema():
        assert Ticket.objects.filter(order=order).count() == (0 if status != "paid" else 1)
        assert not Refund.objects.filter(order=order).exists()


def test_a_checkout_event_pays_or_closes_only_the_order_whose_session_we_created():
    alpha, beta = connected_shop("alpha", ACCOUNT_A), connected_shop("beta", ACCOUNT_B)
    code_a = alpha.checkout("stalls/B/1")["order_code"]
    code_b = beta.checkout("stalls/B/1")["order_code"]
    total = beta.order(code_b).total
    assert total > 100
    b_metadata = {"organizer": "beta", "schema": "org_beta", "order": code_b}

    # A's own session (and account), with metadata naming B's order: pays nobody.
    stored = assert_rejected(alpha, paid(alpha, code_a, metadata=b_metadata), "metadata_mismatch")
    assert stored.schema_name == "org_alpha"
    # A session we never created, naming B's order.
    forged = paid(beta, code_b, id="cs_live_forged0001", metadata=b_metadata)
    assert_rejected(beta, forged, "unknown_payment")
    # B's session from an account that is not B's: unknown, or A's own.
    assert_rejected(beta, paid(beta, code_b, account="acct_1Mallory"), "account_mismatch")
    assert_rejected(beta, paid(beta, code_b, account=ACCOUNT_A), "account_mismatch")
    assert_rejected(beta, paid(beta, code_b, account=""), "account_mismatch")
    # The wrong amount: 50 cents, 1 cent, nothing "required", one cent too much.
    for amount in (50, 1, total - 1, total + 1):
        assert_rejected(beta, paid(beta, code_b, amount_total=amount), "amount_mismatch")
    nothing_due = paid(beta, code_b, amount_total=0, payment_status="no_payment_required")
    assert_rejected(beta, nothing_due, "amount_mismatch")
    assert_rejected(
        beta, paid(beta, code_b, payment_status="no_payment_required"), "payment_status_mismatch"
    )
    assert_rejected(beta, paid(beta, code_b, amount_total=True), "amount_mismatch")  # not 1
    # The right number in another currency.
    assert_rejected(beta, paid(beta, code_b, currency="jpy"), "currency_mismatch")
    assert_rejected(beta, paid(beta, code_b, currency=None), "currency_mismatch")
    # A completed event that is not complete.
    assert_rejected(beta, paid(beta, code_b, status="open"), "status_mismatch")
    untouched(alpha, code_a)
    untouched(beta, code_b)

    # Nobody closes another organizer's order either: expiry, async failure.
    expired = session_event(
        alpha, code_a, "checkout.session.expired", status="expired", payment_status="unpaid",
        payment_intent=None, metadata=b_metadata,
    )  # fmt: skip
    assert_rejected(alpha, expired, "metadata_mismatch")
    failed_elsewhere = session_event(
        beta, code_b, "checkout.session.async_payment_failed", account=ACCOUNT_A,
        payment_status="unpaid",
    )  # fmt: skip
    assert_rejected(beta, failed_elsewhere, "account_mismatch")
    expired_cheap = session_event(
        beta, code_b, "checkout.session.expired", status="expired", payment_status="unpaid",
        payment_intent=None, amount_total=1,
    )  # fmt: skip
    assert_rejected(beta, expired_cheap, "amount_mismatch")
    untouched(alpha, code_a)
    untouched(beta, code_b)

    # The genuine event still pays B (Stripe's lower-case currency or not).
    genuine = beta.deliver(paid(beta, code_b, currency="EUR"))
    assert (genuine.status_code, genuine.json()["code"]) == (200, "ok")
    assert beta.order(code_b).status == "paid"
    untouched(alpha, code_a)
    # The payment intent it carried is now B's: another session cannot claim it.
    stolen = paid(alpha, code_a, payment_intent=beta.order(code_b).provider_payment_id)
    assert_rejected(alpha, stolen, "payment_mismatch")
    untouched(alpha, code_a)


def payment_object(kind: str, shop, code: str, **fields) -> dict:
    """A refund, charge or dispute object as Stripe sends it, about the order's payment."""
    order = shop.order(code)
    payment_intent = order.provider_payment_id
    common = {"currency": "eur", "payment_intent": payment_intent, "metadata": {}}
    shapes = {
        "refund": {"id": "re_3Attack", "object": "refund", "amount": order.total,
                   "charge": "ch_3Beta", "status": "succeeded", "reason": None},
        "charge": {"id": "ch_3Beta", "object": "charge", "amount": order.total,
                   "amount_captured": order.total, "amount_refunded": order.total,
                   "captured": True, "paid": True, "refunded": True, "status": "succeeded"},
        "dispute": {"id": "dp_1Attack", "object": "dispute", "amount": order.total,
                    "charge": "ch_3Beta", "reason": "fraudulent",
                    "status": "warning_needs_response", "is_charge_refundable": False},
    }  # fmt: skip
    return shapes[kind] | common | fields


def test_nobody_refunds_or_disputes_another_organizers_payment():
    alpha, beta = connected_shop("alpha", ACCOUNT_A), connected_shop("beta", ACCOUNT_B)
    code_a = alpha.checkout("stalls/B/1")["order_code"]
    code_b = beta.checkout("stalls/B/1")["order_code"]
    assert alpha.deliver(paid(alpha, code_a)).json()["code"] == "ok"
    assert beta.deliver(paid(beta, code_b)).json()["code"] == "ok"
    a_metadata = {"organizer": "alpha", "schema": "org_alpha", "order": code_a}
    b_metadata = {"organizer": "beta", "schema": "org_beta", "order": code_b}

    def event(kind_type: str, kind: str, account: str, **fields) -> dict:
        return event_envelope(
            kind_type, payment_object(kind, beta, code_b, **fields), account=account
        )

    # A, from its own account, refunds B's payment intent under its own order's metadata.
    assert_rejected(
        alpha, event("refund.created", "refund", ACCOUNT_A, metadata=a_metadata),
        "account_mismatch",
    )  # fmt: skip
    # B's own account, but metadata naming A's order.
    assert_rejected(
        beta, event("refund.created", "refund", ACCOUNT_B, metadata=a_metadata),
        "metadata_mismatch",
    )  # fmt: skip
    # A payment intent we never created, naming B's order.
    assert_rejected(
        beta,
        event("refund.created", "refund", ACCOUNT_B, payment_intent="pi_3Forged",
              metadata=b_metadata),
        "unknown_payment",
    )  # fmt: skip
    # B's payment, but more than was paid, or in yen.
    total = beta.order(code_b).total
    assert_rejected(
        beta, event("refund.created", "refund", ACCOUNT_B, amount=total + 1), "amount_mismatch"
    )
    assert_rejected(
        beta, event("refund.created", "refund", ACCOUNT_B, currency="jpy"), "currency_mismatch"
    )
    assert_rejected(beta, event("charge.refunded", "charge", ACCOUNT_A), "account_mismatch")
    assert_rejected(
        beta,
        event("charge.refunded", "charge", ACCOUNT_B, amount_refunded=total * 10),
        "amount_mismatch",
    )
    assert_rejected(
        beta, event("charge.refunded", "charge", ACCOUNT_B, currency="jpy"), "currency_mismatch"
    )
    # Disputes: from A's account on B's payment; or on B's payment under A's metadata.
    assert_rejected(beta, event("charge.dispute.created", "dispute", ACCOUNT_A), "account_mismatch")
    assert_rejected(
        beta,
        event("charge.dispute.created", "dispute", ACCOUNT_B, metadata=a_metadata),
        "metadata_mismatch",
    )
    untouched(alpha, code_a, "paid")
    untouched(beta, code_b, "paid")

    # The genuine ones still work: B's dispute, then B's refund in Stripe's dashboard.
    assert beta.deliver(event("charge.dispute.created", "dispute", ACCOUNT_B)).json()["code"] == (
        "ok"
    )
    assert beta.order(code_b).dispute_reason == "fraudulent"
    # The charge id is now learnt: a refund naming another charge of the same payment is not B's.
    assert_rejected(
        beta, event("refund.created", "refund", ACCOUNT_B, charge="ch_3Other"), "charge_mismatch"
    )
    assert beta.deliver(event("charge.refunded", "charge", ACCOUNT_B)).json()["code"] == "ok"
    assert (beta.order(code_b).status, beta.order(code_b).refunded) == ("refunded", total)
    untouched(alpha, code_a, "paid")


def staff_client() -> Client:
    client = Client(HTTP_HOST="localhost")
    client.force_login(User.objects.create_superuser("ops@boxoffice.example", PASSWORD))
    return client


def test_platform_staff_list_rejected_and_failed_events_with_filters_and_pages():
    alpha = connected_shop("alpha", ACCOUNT_A)
    code = alpha.checkout("stalls/B/1")["order_code"]
    cheap = paid(alpha, code, amount_total=50)
    elsewhere = paid(alpha, code, account="acct_1Mallory")
    for event in (cheap, elsewhere):
        alpha.deliver(event)
    alpha.deliver(event_envelope("customer.created", {"id": "cus_1", "object": "customer"}))
    WebhookEvent.objects.create(
        provider="stripe", provider_event_id="evt_failed", type="charge.refunded",
        schema_name="org_alpha", payload={}, status="failed", last_error="RuntimeError: boom",
    )  # fmt: skip

    ops = staff_client()
    listed = ops.get("/api/platform/webhook-events")
    assert listed.status_code == 200
    body = listed.json()
    assert body["count"] == 3  # the ignored customer.created is not listed
    assert {item["status"] for item in body["items"]} == {"rejected", "failed"}
    by_id = {item["provider_event_id"]: item for item in body["items"]}
    assert by_id[cheap["id"]]["reason"] == "amount_mismatch"
    assert by_id[cheap["id"]]["organizer"] == "alpha"
    assert "50" in by_id[cheap["id"]]["outcome"]
    assert by_id[elsewhere["id"]]["reason"] == "account_mismatch"

    def count(query: str) -> int:
        answer = ops.get(f"/api/platform/webhook-events?{query}")
        assert answer.status_code == 200, answer.content
        return answer.json()["count"]

    assert count("status=rejected") == 2
    assert count("status=failed") == 1
    assert count("reason=account_mismatch") == 1
    assert count("type=charge.refunded") == 1
    assert count("organizer=alpha") == 3
    assert count("organizer=nobody") == 0
    page = ops.get("/api/platform/webhook-events?limit=1&offset=1").json()
    assert (page["count"], len(page["items"])) == (3, 1)
    assert ops.get("/api/platform/webhook-events?status=processed").status_code == 422

    one = ops.get(f"/api/platform/webhook-events/{by_id[cheap['id']]['id']}").json()
    assert one["payload"]["data"]["object"]["amount_total"] == 50
    assert ops.get("/api/platform/webhook-events/999999").status_code == 404

    assert Client(HTTP_HOST="localhost").get("/api/platform/webhook-events").status_code == 401
    member = Client(HTTP_HOST="localhost")
    member.force_login(make_user())
    assert member.get("/api/platform/webhook-events").status_code == 403
