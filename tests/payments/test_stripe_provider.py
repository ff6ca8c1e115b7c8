"""The Stripe provider against a fake of Stripe's HTTP API, plugged in at the SDK's `http_client`
hook: the SDK builds every request for real, the fake records it and answers the way Stripe does."""

from datetime import datetime

import pytest
import stripe
from django.core.exceptions import ImproperlyConfigured

from boxoffice.payments.providers.base import LineItem, ProviderError
from boxoffice.payments.providers.stripe_provider import StripeProvider
from tests.builders.stripe import (
    ACCOUNT,
    API_KEY,
    EXPIRES_AT_UNIX,
    PAYMENT_INTENT_ID,
    SESSION_ID,
    FakeStripeAPI,
    checkout_request,
    checkout_session,
    completed_session,
    make_provider,
    refund_object,
    stripe_error,
)


def test_create_checkout_on_a_connected_account_sends_items_fee_metadata_and_keys():
    fake = FakeStripeAPI((200, checkout_session()))
    provider = make_provider(fake)

    session = provider.create_checkout(
        checkout_request(connected_account=ACCOUNT, application_fee_amount=330)
    )

    assert session.id == SESSION_ID
    assert session.url.startswith(f"https://checkout.stripe.com/c/pay/{SESSION_ID}")
    [sent] = fake.sent
    assert (sent.method, sent.url) == ("post", "https://api.stripe.com/v1/checkout/sessions")
    assert sent.headers["Authorization"] == f"Bearer {API_KEY}"
    assert sent.headers["Idempotency-Key"] == "checkout-alpha-BX7K2-1"
    assert sent.headers["Stripe-Account"] == ACCOUNT
    assert sent.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert sent.form == {
        "mode": "payment",
        "line_items[0][price_data][currency]": "eur",
        "line_items[0][price_data][unit_amount]": "4500",
        "line_items[0][price_data][product_data][name]": "Stalls, row C — adult",
        "line_items[0][quantity]": "2",
        "line_items[1][price_data][currency]": "eur",
        "line_items[1][price_data][unit_amount]": "1000",
        "line_items[1][price_data][product_data][name]": "Booking fee",
        "line_items[1][quantity]": "2",
        "customer_email": "ada@example.com",
        "client_reference_id": "BX7K2",
        "metadata[organizer]": "alpha",
        "metadata[order]": "BX7K2",
        "payment_intent_data[metadata][organizer]": "alpha",
        "payment_intent_data[metadata][order]": "BX7K2",
        "payment_intent_data[application_fee_amount]": "330",
        "expires_at": EXPIRES_AT_UNIX,
        "success_url": "https://alpha.tickets.test/orders/BX7K2?session={CHECKOUT_SESSION_ID}",
        "cancel_url": "https://alpha.tickets.test/orders/BX7K2/cancelled",
    }


def test_create_checkout_sends_stripes_units_for_isk_and_kwd():
    # ISK has no minor unit in CLDR (our amounts are whole krónur) but is two-decimal in
    # Stripe's API; KWD is three-decimal in both.
    fake = FakeStripeAPI((200, checkout_session()), (200, checkout_session()))
    provider = make_provider(fake)
    isk = [LineItem(name="Adult", unit_amount=4500, quantity=2)]
    provider.create_checkout(
        checkout_request(
            currency="ISK", line_items=isk, connected_account=ACCOUNT, application_fee_amount=33
        )
    )
    kwd = [LineItem(name="Adult", unit_amount=5250)]
    provider.create_checkout(
        checkout_request(
            currency="KWD", line_items=kwd, connected_account=ACCOUNT, application_fee_amount=53
        )
    )

    isk_sent, kwd_sent = fake.sent
    assert isk_sent.form["line_items[0][price_data][unit_amount]"] == "450000"
    assert isk_sent.form["payment_intent_data[application_fee_amount]"] == "3300"
    assert kwd_sent.form["line_items[0][price_data][unit_amount]"] == "5250"
    # Stripe wants three-decimal amounts to end in 0; the platform's fee rounds down.
    assert kwd_sent.form["payment_intent_data[application_fee_amount]"] == "50"


def test_create_checkout_refuses_an_amount_stripe_cannot_charge_without_asking_stripe():
    fake = FakeStripeAPI()
    with pytest.raises(ProviderError) as refused:
        make_provider(fake).create_checkout(
            checkout_request(currency="KWD", line_items=[LineItem(name="Adult", unit_amount=5255)])
        )
    assert refused.value.retryable is False and fake.sent == []


def test_refund_sends_stripes_units():
    fake = FakeStripeAPI((200, refund_object(amount=250000, currency="isk")))
    make_provider(fake).refund(
        payment_id=PAYMENT_INTENT_ID, amount=2500, currency="ISK",
        idempotency_key="refund-alpha-R3", metadata={},
    )  # fmt: skip
    assert fake.sent[0].form["amount"] == "250000"


def test_create_checkout_on_the_platform_account_sends_no_account_header_and_no_fee():
    fake = FakeStripeAPI((200, checkout_session()))

    make_provider(fake).create_checkout(checkout_request(customer_email=""))

    [sent] = fake.sent
    assert "Stripe-Account" not in sent.headers
    assert sent.headers["Idempotency-Key"] == "checkout-alpha-BX7K2-1"
    assert "payment_intent_data[application_fee_amount]" not in sent.form
    assert sent.form["payment_intent_data[metadata][order]"] == "BX7K2"
    # An empty string would tell Stripe to unset the field, which it refuses on creation.
    assert "customer_email" not in sent.form


def test_an_application_fee_without_a_connected_account_is_refused_before_calling_stripe():
    fake = FakeStripeAPI()

    with pytest.raises(ProviderError) as refused:
        make_provider(fake).create_checkout(checkout_request(application_fee_amount=330))

    assert refused.value.retryable is False
    assert fake.sent == []


def test_a_naive_expiry_time_is_a_programming_error():
    with pytest.raises(ValueError, match="timezone-aware"):
        make_provider(FakeStripeAPI()).create_checkout(
            checkout_request(expires_at=datetime(2030, 1, 1, 12, 0))
        )


def test_a_server_error_is_retried_by_the_sdk_under_the_same_idempotency_key():
    fake = FakeStripeAPI(
        (500, stripe_error("api_error", "An unknown error occurred")),
        (200, checkout_session()),
    )

    session = make_provider(fake, max_network_retries=2).create_checkout(checkout_request())

    assert session.id == SESSION_ID
    assert len(fake.sent) == 2
    assert {sent.headers["Idempotency-Key"] for sent in fake.sent} == {"checkout-alpha-BX7K2-1"}
    assert fake.sent[0].body == fake.sent[1].body


@pytest.mark.parametrize(
    ("payment_intent", "connected_account"),
    [
        (PAYMENT_INTENT_ID, ""),
        ({"id": PAYMENT_INTENT_ID, "object": "payment_intent", "status": "succeeded"}, ACCOUNT),
    ],
    ids=["id", "expanded-on-connected-account"],
)
def test_get_checkout_reports_status_payment_and_metadata(payment_intent, connected_account):
    fake = FakeStripeAPI((200, completed_session(payment_intent=payment_intent)))

    state = make_provider(fake).get_checkout(SESSION_ID, connected_account=connected_account)

    assert state.id == SESSION_ID
    assert (state.status, state.payment_status) == ("complete", "paid")
    assert state.payment_id == PAYMENT_INTENT_ID
    assert state.metadata == {"organizer": "alpha", "order": "BX7K2"}
    [sent] = fake.sent
    assert sent.method == "get"
    assert sent.path == f"/v1/checkout/sessions/{SESSION_ID}"
    assert sent.body == ""
    assert sent.headers.get("Stripe-Account", "") == connected_account
    assert "Idempotency-Key" not in sent.headers


def test_an_open_session_has_no_payment_yet():
    fake = FakeStripeAPI((200, checkout_session()))

    state = make_provider(fake).get_checkout(SESSION_ID)

    assert (state.status, state.payment_status, state.payment_id) == ("open", "unpaid", "")


def test_expire_an_open_session():
    fake = FakeStripeAPI((200, checkout_session(status="expired", url=None)))

    state = make_provider(fake).expire_checkout(SESSION_ID, connected_account=ACCOUNT)

    assert (state.status, state.payment_status) == ("expired", "unpaid")
    [sent] = fake.sent
    assert sent.method == "post"
    assert sent.path == f"/v1/checkout/sessions/{SESSION_ID}/expire"
    assert sent.headers["Stripe-Account"] == ACCOUNT


@pytest.mark.parametrize(
    ("current", "expected"),
    [
        (completed_session(), ("complete", "paid", PAYMENT_INTENT_ID)),
        (checkout_session(status="expired", url=None), ("expired", "unpaid", "")),
    ],
    ids=["completed", "already-expired"],
)
def test_expire_a_session_that_is_no_longer_open_returns_its_current_state(current, expected):
    refusal = stripe_error(
        "invalid_request_error",
        'Only Checkout Sessions with a status in ["open"] can be expired. '
        f"This Checkout Session has a status of `{current['status']}`.",
    )
    fake = FakeStripeAPI((400, refusal), (200, current))

    state = make_provider(fake).expire_checkout(SESSION_ID, connected_account=ACCOUNT)

    assert (state.status, state.payment_status, state.payment_id) == expected
    assert [(sent.method, sent.path) for sent in fake.sent] == [
        ("post", f"/v1/checkout/sessions/{SESSION_ID}/expire"),
        ("get", f"/v1/checkout/sessions/{SESSION_ID}"),
    ]
    assert all(sent.headers["Stripe-Account"] == ACCOUNT for sent in fake.sent)


def test_expire_refused_while_the_session_is_still_open_is_an_error():
    refusal = stripe_error(
        "invalid_request_error",
        "This endpoint does not allow impersonation as a Connected Account.",
    )
    fake = FakeStripeAPI((400, refusal), (200, checkout_session()))

    with pytest.raises(ProviderError, match="impersonation") as refused:
        make_provider(fake).expire_checkout(SESSION_ID, connected_account=ACCOUNT)

    assert refused.value.retryable is False


def test_expire_an_unknown_session_is_an_error_without_a_second_request():
    missing = stripe_error(
        "invalid_request_error", f"No such checkout.session: '{SESSION_ID}'", "resource_missing"
    )
    fake = FakeStripeAPI((404, missing))

    with pytest.raises(ProviderError, match="resource_missing") as refused:
        make_provider(fake).expire_checkout(SESSION_ID)

    assert refused.value.retryable is False
    assert len(fake.sent) == 1


def test_refund_on_a_connected_account_returns_the_application_fee_proportionally():
    fake = FakeStripeAPI((200, refund_object()))

    result = make_provider(fake).refund(
        payment_id=PAYMENT_INTENT_ID,
        amount=4500,
        currency="EUR",
        idempotency_key="refund-alpha-R1",
        metadata={"organizer": "alpha", "order": "BX7K2", "refund": "R1"},
        connected_account=ACCOUNT,
    )

    assert (result.id, result.status, result.failure_reason) == (
        "re_3PqRsTuVwXyZ0123",
        "succeeded",
        "",
    )
    [sent] = fake.sent
    assert (sent.method, sent.url) == ("post", "https://api.stripe.com/v1/refunds")
    assert sent.headers["Idempotency-Key"] == "refund-alpha-R1"
    assert sent.headers["Stripe-Account"] == ACCOUNT
    assert sent.headers["Authorization"] == f"Bearer {API_KEY}"
    assert sent.form == {
        "payment_intent": PAYMENT_INTENT_ID,
        "amount": "4500",
        "metadata[organizer]": "alpha",
        "metadata[order]": "BX7K2",
        "metadata[refund]": "R1",
        "refund_application_fee": "true",
    }


def test_refund_on_the_platform_account_has_no_fee_to_return():
    failed = refund_object(status="failed", failure_reason="expired_or_canceled_card")
    fake = FakeStripeAPI((200, failed))

    result = make_provider(fake).refund(
        payment_id=PAYMENT_INTENT_ID,
        amount=4500,
        currency="EUR",
        idempotency_key="refund-alpha-R2",
        metadata={"order": "BX7K2"},
    )

    assert (result.status, result.failure_reason) == ("failed", "expired_or_canceled_card")
    [sent] = fake.sent
    assert "Stripe-Account" not in sent.headers
    assert "refund_application_fee" not in sent.form
    assert sent.headers["Idempotency-Key"] == "refund-alpha-R2"


RATE_LIMITED = stripe_error(
    "invalid_request_error",
    "Request rate limit exceeded. Learn more about rate limits here https://stripe.com/docs/rate-limits.",
    "rate_limit",
)
KEY_IN_USE = stripe_error(
    "invalid_request_error",
    "There is currently another in-progress request using this Idempotent Key (that probably "
    "means you submitted twice, and the other request is still going through): "
    "refund-alpha-R1. Please try again later.",
    "idempotency_key_in_use",
)
KEY_REUSED = stripe_error(
    "idempotency_error",
    "Keys for idempotent requests can only be used with the same parameters they were first used "
    "with. Try using a key other than 'refund-alpha-R1' if you meant to execute a different "
    "request.",
)
BAD_AMOUNT = stripe_error(
    "invalid_request_error",
    "Refund amount ($90.00) is greater than unrefunded amount on charge ($45.00)",
    "amount_too_large",
)
BAD_KEY = stripe_error(
    "invalid_request_error", "Invalid API Key provided: sk_test_*********************ests"
)
NO_PERMISSION = stripe_error(
    "invalid_request_error",
    "The provided key does not have access to account 'acct_1OrganizerAlpha' (or that account "
    "does not exist). Application access may have been revoked.",
    "account_invalid",
)
DECLINED = stripe_error("card_error", "Your card was declined.", "card_declined")
SERVER_ERROR = stripe_error("api_error", "An unknown error occurred")


@pytest.mark.parametrize(
    ("answer", "retryable", "kind"),
    [
        (stripe.APIConnectionError("Connection refused", should_retry=True), True, "Connection"),
        ((429, RATE_LIMITED), True, "RateLimitError"),
        ((500, SERVER_ERROR), True, "APIError"),
        ((503, SERVER_ERROR), True, "APIError"),
        ((409, KEY_IN_USE), True, "APIError"),
        ((400, KEY_REUSED), False, "IdempotencyError"),
        ((400, BAD_AMOUNT), False, "InvalidRequestError"),
        ((401, BAD_KEY), False, "AuthenticationError"),
        ((403, NO_PERMISSION), False, "PermissionError"),
        ((402, DECLINED), False, "CardError"),
    ],
    ids=[
        "connection",
        "rate-limit",
        "500",
        "503",
        "key-in-use-409",
        "key-reused-with-other-params",
        "invalid-request",
        "authentication",
        "permission",
        "card",
    ],
)
def test_sdk_errors_become_provider_errors(answer, retryable, kind):
    fake = FakeStripeAPI(answer)

    with pytest.raises(ProviderError) as failed:
        make_provider(fake).refund(
            payment_id=PAYMENT_INTENT_ID,
            amount=9000,
            currency="EUR",
            idempotency_key="refund-alpha-R1",
            metadata={},
            connected_account=ACCOUNT,
        )

    assert failed.value.retryable is retryable
    message = str(failed.value)
    assert message.startswith("Stripe could not refund")
    assert kind in message
    assert API_KEY not in message
    assert "sk_test_" not in message


def test_the_same_mapping_applies_to_checkout_creation():
    fake = FakeStripeAPI((503, SERVER_ERROR))

    with pytest.raises(ProviderError, match="HTTP 503") as failed:
        make_provider(fake).create_checkout(checkout_request())

    assert failed.value.retryable is True


def test_the_key_defaults_to_the_setting(settings):
    settings.STRIPE_SECRET_KEY = "sk_test_fromSettings"
    fake = FakeStripeAPI((200, checkout_session()))

    StripeProvider(http_client=fake, max_network_retries=0).get_checkout(SESSION_ID)

    assert fake.sent[0].headers["Authorization"] == "Bearer sk_test_fromSettings"


def test_no_key_is_a_configuration_error(settings):
    settings.STRIPE_SECRET_KEY = ""

    with pytest.raises(ImproperlyConfigured):
        StripeProvider(http_client=FakeStripeAPI())
