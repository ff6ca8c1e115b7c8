"""Orders with nothing to pay (free tickets, a 100%-off code): checkout completes them at once,
through the same fulfilment as a payment, and no provider is ever asked for a zero total."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from boxoffice.actors import Actor
from boxoffice.audit.models import AuditEntry
from boxoffice.events.models import EventSeat
from boxoffice.events.services import pricing
from boxoffice.payments.models import PaymentRoute, SandboxRefund, SandboxSession
from boxoffice.payments.providers.stripe_provider import StripeProvider
from boxoffice.sales.models import Order, PromoCode, Refund
from boxoffice.sales.services import promotions
from boxoffice.tickets.models import Ticket
from tests.builders.money import plain
from tests.builders.organizers import owner_of, signed_in_client
from tests.builders.payments import jobs_run_inline, make_shop
from tests.builders.stripe import FakeStripeAPI

pytestmark = pytest.mark.django_db
ADMIN = Actor.system("test")


def add_free_ticket_type(shop) -> None:
    """The event's price table plus a free "guest" ticket for every category."""
    with shop.schema():
        categories = sorted(set(shop.event.seats.values_list("category", flat=True)))
        pricing.set_price_table(
            actor=ADMIN,
            event=shop.event,
            ticket_types=[{"code": "adult", "name": "Adult"}, {"code": "guest", "name": "Guest"}],
            phases=[{"code": "regular", "name": "Regular", "until": None}],
            prices=[
                {"category": category, "ticket_type": code, "phase": "regular", "amount": amount}
                for category in categories
                for code, amount in (("adult", 5000), ("guest", 0))
            ],
        )


def check_out(shop, capture, *refs, **fields) -> dict:
    mail.outbox.clear()
    with jobs_run_inline(capture):
        return shop.checkout(*refs, **fields)


def assert_completed_without_a_provider(shop, answer, *refs):
    code = answer["order_code"]
    assert answer["status"] == "paid" and answer["total"] == 0
    assert answer["payment_url"] is None
    # the customer goes straight to the order page, which opens with the answer's secret
    assert answer["next_url"] == (
        f"http://alpha.localhost/orders/{code}/?secret={answer['order_secret']}"
    )
    page = shop.client.get(f"/orders/{code}/?secret={answer['order_secret']}")
    assert page.status_code == 200 and b"Paid" in page.content
    order = shop.order(code)
    assert order.status == "paid" and order.paid_at is not None
    assert order.provider == "free" and order.provider_session_id == ""
    with shop.schema():
        seats = EventSeat.objects.filter(ref__in=refs)
        assert {(seat.status, seat.order_id) for seat in seats} == {("sold", order.pk)}
        assert Ticket.objects.filter(order=order, status="valid").count() == len(refs)
        entry = AuditEntry.objects.get(action="order.completed_free")
        assert entry.target_id == code and "ana@example.com" in entry.actor_label
    assert not SandboxSession.objects.exists() and not PaymentRoute.objects.exists()
    (message,) = mail.outbox
    assert message.to == ["ana@example.com"] and code in message.subject
    assert "is confirmed" in message.body and len(message.attachments) == len(refs)


def test_a_free_ticket_is_paid_at_once_with_tickets_and_email(django_capture_on_commit_callbacks):
    shop = make_shop()
    add_free_ticket_type(shop)
    answer = check_out(
        shop, django_capture_on_commit_callbacks, "stalls/B/1", "stalls/B/2",
        tickets=[{"seat": "stalls/B/1", "ticket_type": "guest"},
                 {"seat": "stalls/B/2", "ticket_type": "guest"}],
    )  # fmt: skip
    assert_completed_without_a_provider(shop, answer, "stalls/B/1", "stalls/B/2")


def test_a_100_percent_code_is_paid_at_once_and_uses_the_code(django_capture_on_commit_callbacks):
    shop = make_shop()
    with shop.schema():
        promotions.create_promo_code(
            actor=ADMIN, event=shop.event, code="GUEST", kind="percent", value=100, max_uses=1
        )
    answer = check_out(shop, django_capture_on_commit_callbacks, "stalls/C/1", promo_code="guest")
    assert_completed_without_a_provider(shop, answer, "stalls/C/1")
    with shop.schema():
        assert PromoCode.objects.get().used == 1
        assert shop.order(answer["order_code"]).discount == 5000


def test_checkout_again_on_a_completed_free_order_returns_it(django_capture_on_commit_callbacks):
    shop = make_shop()
    add_free_ticket_type(shop)
    token = shop.hold("stalls/B/3")
    body = {"email": "ana@example.com", "name": "Ana", "tickets": [
        {"seat": "stalls/B/3", "ticket_type": "guest"}]}  # fmt: skip
    with jobs_run_inline(django_capture_on_commit_callbacks):
        first = shop.post(f"/api/v1/holds/{token}/checkout", body)
        second = shop.post(f"/api/v1/holds/{token}/checkout", body)
    assert first.status_code == second.status_code == 201
    assert plain(first.json())["order_code"] == plain(second.json())["order_code"]
    assert plain(second.json())["next_url"] == plain(first.json())["next_url"]
    with shop.schema():
        assert Ticket.objects.count() == 1 and Order.objects.count() == 1


def test_with_stripe_configured_a_free_order_sends_nothing_to_stripe(monkeypatch):
    shop = make_shop()
    add_free_ticket_type(shop)
    fake = FakeStripeAPI()
    provider = StripeProvider(api_key="sk_test_free", http_client=fake, max_network_retries=0)
    monkeypatch.setattr(
        "boxoffice.payments.services.checkout.get_provider",
        lambda name=None, request=None: provider,
    )
    answer = shop.checkout("stalls/B/4", tickets=[{"seat": "stalls/B/4", "ticket_type": "guest"}])
    assert answer["status"] == "paid" and answer["payment_url"] is None
    assert fake.sent == []


def test_a_paid_and_a_free_ticket_together_still_go_to_the_provider():
    shop = make_shop()
    add_free_ticket_type(shop)
    answer = shop.checkout(
        "stalls/B/5", "stalls/B/6", tickets=[{"seat": "stalls/B/6", "ticket_type": "guest"}]
    )
    assert answer["status"] == "pending_payment" and answer["total"] == 5000
    assert answer["next_url"] == answer["payment_url"]
    assert shop.session(answer["order_code"]).amount_total == 5000


def test_refunding_or_cancelling_a_free_order_asks_no_provider_for_zero(
    django_capture_on_commit_callbacks,
):
    starts = timezone.now() + timedelta(days=30)
    shop = make_shop(
        starts_at=starts, ends_at=starts + timedelta(hours=2),
        refund_policy=[{"days_before": 0, "percent": 100}],
    )  # fmt: skip
    add_free_ticket_type(shop)
    guest = [{"seat": ref, "ticket_type": "guest"} for ref in ("stalls/D/1", "stalls/D/2")]
    first = check_out(shop, django_capture_on_commit_callbacks, "stalls/D/1", "stalls/D/2",
                      tickets=guest)  # fmt: skip
    client = signed_in_client(shop.organizer, owner_of(shop.organizer))
    refunded = client.post(
        f"/api/v1/orders/{first['order_code']}/refunds", {"seats": ["stalls/D/1"]},
        content_type="application/json",
    )  # fmt: skip
    assert refunded.status_code == 201, plain(refunded.json())
    assert plain(refunded.json())["refund"] is None
    assert plain(refunded.json())["order"]["status"] == "partially_refunded"

    second = check_out(shop, django_capture_on_commit_callbacks, "stalls/E/1",
                       tickets=[{"seat": "stalls/E/1", "ticket_type": "guest"}])  # fmt: skip
    path = f"/api/v1/orders/{second['order_code']}/cancel?secret={second['order_secret']}"
    with jobs_run_inline(django_capture_on_commit_callbacks):
        cancelled = shop.post(path)
    assert cancelled.status_code == 200, plain(cancelled.json())
    assert shop.order(second["order_code"]).status == "cancelled"
    with shop.schema():
        assert not Refund.objects.exists()
        statuses = dict(EventSeat.objects.filter(ref__in=["stalls/D/1", "stalls/E/1"])
                        .values_list("ref", "status"))  # fmt: skip
    assert statuses == {"stalls/D/1": "available", "stalls/E/1": "available"}
    assert not SandboxRefund.objects.exists() and not SandboxSession.objects.exists()
