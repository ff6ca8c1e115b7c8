"""Checkout with PAYMENT_PROVIDER=stripe: what our flow sends to Stripe (faked at the SDK's HTTP
boundary), on the organizer's connected account with the platform's application fee."""

from urllib.parse import parse_qs

import pytest

from boxoffice.payments.models import ConnectedAccount, PaymentRoute
from boxoffice.payments.providers.stripe_provider import StripeProvider
from tests.builders.payments import make_shop
from tests.builders.stripe import FakeStripeAPI, checkout_session

pytestmark = pytest.mark.django_db


def test_checkout_creates_a_stripe_session_with_our_amounts_metadata_and_keys(monkeypatch):
    shop = make_shop(fee_per_ticket=100)
    shop.organizer.stripe_account_id = "acct_1Organizer"
    shop.organizer.application_fee_bps = 250  # 2.5%
    shop.organizer.save()
    ConnectedAccount.objects.create(
        organizer=shop.organizer, account_id="acct_1Organizer", account_type="standard",
        charges_enabled=True,
    )  # fmt: skip
    fake = FakeStripeAPI((200, checkout_session(id="cs_test_flow", amount_total=10200)))
    provider = StripeProvider(api_key="sk_test_flow", http_client=fake, max_network_retries=0)
    monkeypatch.setattr(
        "boxoffice.payments.services.checkout.get_provider",
        lambda name=None, request=None: provider,
    )
    answer = shop.checkout(
        "stalls/B/1", "stalls/B/2", tickets=[{"seat": "stalls/B/2", "ticket_type": "adult"}]
    )
    assert answer["payment_url"].startswith("https://checkout.stripe.com/")
    (sent,) = fake.sent
    form = {key: values[0] for key, values in parse_qs(sent.body).items()}
    assert sent.url.endswith("/v1/checkout/sessions")
    assert sent.headers["Stripe-Account"] == "acct_1Organizer"
    assert sent.headers["Idempotency-Key"] == f"checkout-org_alpha-{answer['order_code']}"
    assert form["line_items[0][price_data][unit_amount]"] == "5000"
    assert form["line_items[2][price_data][product_data][name]"] == "Service fee"
    assert (form["line_items[2][price_data][unit_amount]"], form["line_items[2][quantity]"]) == (
        "100",
        "2",
    )
    assert form["payment_intent_data[application_fee_amount]"] == "255"  # 2.5% of 10,200
    assert form["metadata[order]"] == answer["order_code"]
    assert form["metadata[schema]"] == "org_alpha"
    assert form["payment_intent_data[metadata][order]"] == answer["order_code"]
    assert form["customer_email"] == "ana@example.com"
    assert form["success_url"].startswith(f"http://alpha.localhost/orders/{answer['order_code']}/")
    assert (
        int(form["expires_at"])
        >= int(shop.order(answer["order_code"]).created_at.timestamp()) + 30 * 60
    )
    assert PaymentRoute.objects.get(session_id="cs_test_flow").order_code == answer["order_code"]
