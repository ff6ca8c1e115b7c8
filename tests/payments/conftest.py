"""Fixtures shared by the payment tests."""

import pytest

from boxoffice.payments.services import connect
from tests.builders.stripe import API_KEY, FakeStripeAPI


@pytest.fixture
def stripe_api(settings, monkeypatch):
    """PAYMENT_PROVIDER=stripe with Stripe's API faked; queue answers on the returned fake."""
    settings.PAYMENT_PROVIDER = "stripe"
    fake = FakeStripeAPI()
    provider = connect.StripeProvider(API_KEY, http_client=fake, max_network_retries=0)
    monkeypatch.setattr(connect, "stripe_provider", lambda: provider)
    return fake
