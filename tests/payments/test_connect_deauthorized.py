"""`account.application.deauthorized` (issue 21): an organizer who disconnects their Standard
account from the platform in Stripe's Dashboard stops card payments here at once: the event is
bound to the connected account we stored (any other changes nothing), the account is marked
disconnected, checkout answers 409 payments_not_enabled, and the console's payments settings say
so and offer to connect again, which makes a new account in its place. Stripe is faked at its
HTTP boundary; events are signed for real."""

import time
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from boxoffice.audit.models import AuditEntry
from boxoffice.payments.models import ConnectedAccount, WebhookEvent
from boxoffice.payments.providers.sandbox import event_envelope
from boxoffice.sales.models import Order
from tests.builders.organizers import make_organizer, owner_of, signed_in_client
from tests.builders.payments import make_shop
from tests.builders.stripe import (
    ACCOUNT_ID,
    FakeStripeAPI,
    account_link,
    account_object,
    account_updated,
    enabled_account,
    stripe_checkout,
)

pytestmark = pytest.mark.django_db

APPLICATION = {"id": "ca_1BoxofficePlatform", "object": "application", "name": "Boxoffice"}


def deauthorized(account: str, *, created: int | None = None, obj: Any = None) -> dict:
    """The event as Stripe sends it to the platform: about our application, from the account."""
    event = event_envelope(
        "account.application.deauthorized", dict(obj or APPLICATION), account=account
    )
    if created is not None:
        event["created"] = created
    return event


def enable(organizer, account_id: str = ACCOUNT_ID) -> ConnectedAccount:
    organizer.stripe_account_id, organizer.country = account_id, "NL"
    organizer.save()
    return ConnectedAccount.objects.create(
        organizer=organizer, account_id=account_id, account_type="standard",
        charges_enabled=True, payouts_enabled=True, details_submitted=True,
        state_at=timezone.now() - timedelta(minutes=5),
    )  # fmt: skip


def test_a_disconnected_account_stops_checkout_and_the_console_offers_to_connect_again(
    stripe_api,
    monkeypatch,
):
    shop = make_shop()
    stored = enable(shop.organizer)
    answer = shop.deliver(deauthorized(ACCOUNT_ID))
    assert (answer.status_code, answer.json()["code"]) == (200, "ok"), answer.json()
    event = WebhookEvent.objects.get(type="account.application.deauthorized")
    assert (event.status, event.schema_name) == ("processed", "org_alpha")
    stored.refresh_from_db()
    assert stored.disconnected_at is not None and stored.state == "disconnected"
    assert not stored.charges_enabled
    with schema_context(shop.organizer.schema_name):
        assert AuditEntry.objects.filter(action="stripe.account_disconnected").count() == 1

    # Again (Stripe retries), or an older account.updated arriving late: nothing changes.
    assert shop.deliver(deauthorized(ACCOUNT_ID)).json()["message"].endswith("disconnected")
    late = account_updated(enabled_account(), created=int(time.time()) - 60)
    shop.deliver(late)
    stored.refresh_from_db()
    assert (stored.state, stored.charges_enabled) == ("disconnected", False)

    # Checkout is refused before any order or Stripe request; the hold stays the customer's.
    fake = FakeStripeAPI()
    token, answer = stripe_checkout(shop, monkeypatch, fake)
    assert answer.status_code == 409, answer.content
    assert answer.json()["code"] == "payments_not_enabled"
    assert not fake.sent
    with shop.schema():
        assert not Order.objects.exists()
    assert shop.client.get(f"/api/v1/holds/{token}").status_code == 200

    # The console says so and offers to connect again; "Check again" does not ask Stripe
    # about an account that is no longer ours to read.
    owner = signed_in_client(shop.organizer, owner_of(shop.organizer))
    page = owner.get("/console/settings/").content.decode()
    assert 'data-stripe-state="disconnected"' in page
    assert f"{ACCOUNT_ID}</code> was disconnected from Boxoffice" in page
    assert "Connect with Stripe again" in page
    checked = owner.get("/console/settings/stripe/return/", follow=True).content.decode()
    assert "was disconnected" in checked and not stripe_api.sent
    assert owner.get("/console/settings/stripe/refresh/")["Location"] == "/console/settings/"

    # Connecting again makes a new account (a new idempotency key) in the old one's place.
    new_id = "acct_1QxYzAlphaAgain"
    stripe_api.answers += [(200, account_object(id=new_id)), (200, account_link())]
    assert owner.post("/console/settings/stripe/connect/").status_code == 302
    create = stripe_api.sent[0]
    assert (create.method, create.path) == ("post", "/v1/accounts")
    assert create.headers["Idempotency-Key"] == f"connect-account-org_alpha-after-{ACCOUNT_ID}"
    stored.refresh_from_db()
    assert (stored.account_id, stored.disconnected_at, stored.state) == (new_id, None, "pending")
    shop.organizer.refresh_from_db()
    assert shop.organizer.stripe_account_id == new_id
    with schema_context(shop.organizer.schema_name):
        entry = AuditEntry.objects.get(action="stripe.account_created")
    assert entry.data["replaced"] == ACCOUNT_ID
    # Events about the old account no longer find anything of ours.
    assert shop.deliver(deauthorized(ACCOUNT_ID)).json()["message"] == (
        "not one of our connected accounts"
    )


def test_a_deauthorization_for_another_account_changes_nothing():
    shop = make_shop()
    alpha = enable(shop.organizer)
    beta = enable(make_organizer("beta"), "acct_1BetaHall")

    # An account that is not ours: recorded as ignored, nothing changes.
    stranger = deauthorized("acct_1SomeoneElse")
    assert shop.deliver(stranger).status_code == 200
    event = WebhookEvent.objects.get(provider_event_id=stranger["id"])
    assert (event.status, event.outcome, event.schema_name) == (
        "ignored", "not one of our connected accounts", "",
    )  # fmt: skip
    # Sent from the platform itself (no account), or about something that is not an
    # application, or with no time: never a 500, never a disconnection.
    platform = deauthorized("")
    assert shop.deliver(platform).json()["code"] == "ok"
    assert WebhookEvent.objects.get(provider_event_id=platform["id"]).status == "ignored"
    odd = deauthorized(ACCOUNT_ID, obj=account_object())
    assert shop.deliver(odd).json()["code"] == "rejected"
    assert WebhookEvent.objects.get(provider_event_id=odd["id"]).reason == "invalid_object"
    timeless = deauthorized(ACCOUNT_ID, created=10**30)
    assert shop.deliver(timeless).json()["code"] == "rejected"
    for account in (alpha, beta):
        account.refresh_from_db()
        assert account.disconnected_at is None and account.charges_enabled

    # Beta's own disconnection touches beta only.
    assert shop.deliver(deauthorized("acct_1BetaHall")).json()["code"] == "ok"
    alpha.refresh_from_db()
    beta.refresh_from_db()
    assert (alpha.state, beta.state) == ("enabled", "disconnected")
    assert WebhookEvent.objects.filter(schema_name="org_beta").count() == 1
