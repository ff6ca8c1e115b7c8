"""Stripe Connect onboarding: the organizer's account is created by us, its id comes from Stripe,
its state is read back from Stripe and kept current by `account.updated` events bound to it.
Stripe is faked at the SDK's HTTP boundary (tests/builders/stripe.py, as for the provider tests)."""

import time
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from boxoffice.audit.models import AuditEntry
from boxoffice.errors import Conflict, Unavailable
from boxoffice.payments.models import ConnectedAccount, WebhookEvent
from boxoffice.payments.services import connect, reconciliation
from boxoffice.sales.models import Order
from tenants.roles import Role
from tests.builders.organizers import (
    host_of,
    make_member,
    make_organizer,
    make_user,
    owner_of,
    signed_in_client,
)
from tests.builders.payments import make_shop
from tests.builders.stripe import (
    ACCOUNT_ID,
    LINK_URL,
    FakeStripeAPI,
    account_link,
    account_object,
    account_updated,
    checkout_session,
    completed_session,
    enabled_account,
    start,
    stripe_checkout,
    stripe_error,
)

pytestmark = pytest.mark.django_db


# --- the service ----------------------------------------------------------------------------


def test_onboarding_creates_a_standard_account_stores_its_id_and_links_to_stripe(stripe_api):
    alpha = make_organizer("alpha", country="NL")
    stripe_api.answers += [(200, account_object()), (200, account_link())]

    assert start(alpha) == LINK_URL

    create, link = stripe_api.sent
    assert (create.method, create.path) == ("post", "/v1/accounts")
    assert create.form == {
        "type": "standard", "country": "NL", "metadata[organizer]": "alpha",
        "metadata[schema]": "org_alpha",
    }  # fmt: skip
    assert create.headers["Idempotency-Key"] == "connect-account-org_alpha"
    assert "Stripe-Account" not in create.headers  # made by the platform, for the organizer
    assert (link.method, link.path) == ("post", "/v1/account_links")
    assert link.form == {
        "account": ACCOUNT_ID,
        "type": "account_onboarding",
        "refresh_url": "http://alpha.localhost/console/settings/stripe/refresh/",
        "return_url": "http://alpha.localhost/console/settings/stripe/return/",
    }
    alpha.refresh_from_db()
    assert alpha.stripe_account_id == ACCOUNT_ID
    stored = ConnectedAccount.objects.get(organizer=alpha)
    assert (stored.account_id, stored.account_type, stored.charges_enabled) == (
        ACCOUNT_ID, "standard", False,
    )  # fmt: skip
    assert stored.requirements["past_due"] == ["external_account"]
    assert stored.requirements["disabled_reason"] == "requirements.past_due"
    assert stored.state == "pending"
    with schema_context(alpha.schema_name):
        entry = AuditEntry.objects.get(action="stripe.account_created")
    assert entry.target_id == ACCOUNT_ID and entry.data == {"type": "standard", "replaced": ""}

    # Again (a second click, an expired link): the same account, only a new link.
    stripe_api.answers.append((200, account_link()))
    assert start(alpha) == LINK_URL
    assert [request.path for request in stripe_api.sent[2:]] == ["/v1/account_links"]
    assert ConnectedAccount.objects.count() == 1


def test_stripe_failing_to_create_the_account_stores_nothing_and_says_try_again(stripe_api):
    alpha = make_organizer("alpha", country="NL")
    stripe_api.answers.append((500, stripe_error("api_error", "Something went wrong.")))
    with pytest.raises(Unavailable):
        start(alpha)
    alpha.refresh_from_db()
    assert alpha.stripe_account_id == "" and not ConnectedAccount.objects.exists()


def test_the_sandbox_has_nothing_to_connect(settings):
    settings.PAYMENT_PROVIDER = "sandbox"
    with pytest.raises(Conflict) as refused:
        start(make_organizer("alpha", country="NL"))
    assert refused.value.code == "stripe_not_configured"


def test_reading_the_account_back_keeps_what_stripe_says(stripe_api):
    alpha = make_organizer("alpha", country="NL")
    stripe_api.answers += [(200, account_object()), (200, account_link())]
    start(alpha)
    assert not connect.can_take_payments(alpha)
    stripe_api.answers.append((200, enabled_account()))

    account = connect.refresh_account(organizer=alpha)

    read = stripe_api.sent[-1]
    assert (read.method, read.path) == ("get", f"/v1/accounts/{ACCOUNT_ID}")
    assert (account.charges_enabled, account.payouts_enabled, account.details_submitted) == (
        True, True, True,
    )  # fmt: skip
    assert account.requirements["currently_due"] == [] and account.state == "enabled"
    alpha.refresh_from_db()
    assert connect.can_take_payments(alpha)
    with schema_context(alpha.schema_name):
        assert AuditEntry.objects.filter(action="stripe.account_updated").count() == 1


# --- the console ----------------------------------------------------------------------------


def test_owner_connects_from_settings_and_sees_the_state_stripe_reports(stripe_api):
    alpha = make_organizer("alpha", country="NL")
    owner = signed_in_client(alpha, owner_of(alpha))
    page = owner.get("/console/settings/").content.decode()
    assert "Connect with Stripe" in page
    assert 'name="stripe_account_id"' not in page  # nobody types an account id any more

    stripe_api.answers += [(200, account_object()), (200, account_link())]
    answer = owner.post("/console/settings/stripe/connect/")
    assert answer.status_code == 302 and answer["Location"] == LINK_URL
    link = stripe_api.sent[1].form
    assert link["return_url"] == "http://alpha.localhost/console/settings/stripe/return/"
    assert link["refresh_url"] == "http://alpha.localhost/console/settings/stripe/refresh/"

    # Back from Stripe with onboarding unfinished: the page says what Stripe still needs.
    stripe_api.answers.append((200, account_object(details_submitted=False)))
    back = owner.get("/console/settings/stripe/return/", follow=True)
    page = back.content.decode()
    assert "onboarding is not finished" in page
    assert ACCOUNT_ID in page and 'data-stripe-state="pending"' in page
    assert "external_account" in page and "Continue with Stripe" in page

    # The link expired: Stripe sends them to refresh_url, which makes a new link (no new account).
    stripe_api.answers.append((200, account_link()))
    again = owner.get("/console/settings/stripe/refresh/")
    assert again.status_code == 302 and again["Location"] == LINK_URL
    assert stripe_api.sent[-1].path == "/v1/account_links"

    stripe_api.answers.append((200, enabled_account()))
    page = owner.get("/console/settings/stripe/return/", follow=True).content.decode()
    assert "can take payments" in page and 'data-stripe-state="enabled"' in page
    assert "Continue with Stripe" not in page
    assert ConnectedAccount.objects.get(organizer=alpha).charges_enabled


def test_only_owners_and_admins_connect_and_strangers_see_nothing(stripe_api):
    alpha = make_organizer("alpha", country="NL")
    admin = signed_in_client(alpha, make_member(alpha, Role.ADMIN))
    staff = signed_in_client(alpha, make_member(alpha, Role.STAFF, is_supervisor=True))
    stranger = signed_in_client(alpha, make_user())
    for client, status in ((staff, 403), (stranger, 404)):
        for path in ("connect/", "refresh/", "return/"):
            answer = client.post(f"/console/settings/stripe/{path}")
            assert answer.status_code == status, (path, answer.status_code)
    anonymous = Client(HTTP_HOST=host_of(alpha)).post("/console/settings/stripe/connect/")
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/login/")
    assert not stripe_api.sent and not ConnectedAccount.objects.exists()
    # A GET never creates an account (refresh without one goes back to settings).
    assert admin.get("/console/settings/stripe/refresh/")["Location"] == "/console/settings/"
    assert admin.get("/console/settings/stripe/connect/").status_code == 405
    stripe_api.answers += [(200, account_object()), (200, account_link())]
    assert admin.post("/console/settings/stripe/connect/")["Location"] == LINK_URL


def test_a_stripe_failure_in_the_console_is_a_message_not_a_500(stripe_api):
    alpha = make_organizer("alpha", country="NL")
    owner = signed_in_client(alpha, owner_of(alpha))
    stripe_api.answers.append((503, stripe_error("api_error", "Unavailable.")))
    answer = owner.post("/console/settings/stripe/connect/", follow=True)
    assert answer.status_code == 200 and "Stripe did not answer" in answer.content.decode()


def test_an_account_id_typed_before_onboarding_is_kept_shown_unverified_and_never_charged_on(
    stripe_api,
):
    alpha = make_organizer("alpha", country="NL")
    alpha.stripe_account_id = "acct_1TypedByHand"
    alpha.save()
    owner = signed_in_client(alpha, owner_of(alpha))
    answer = owner.post(
        "/console/settings/",
        {"name": "Alpha", "currency": "EUR", "timezone": "UTC", "brand_color": "#112233",
         "logo_url": "", "stripe_account_id": "acct_1Rival"},
    )  # fmt: skip
    assert answer.status_code == 302
    alpha.refresh_from_db()
    assert alpha.stripe_account_id == "acct_1TypedByHand"  # kept, and not changeable by form
    page = owner.get("/console/settings/").content.decode()
    assert "acct_1TypedByHand" in page and "not verified" in page
    assert not connect.can_take_payments(alpha)

    # Connecting replaces it with the account Stripe made for us (audited with the old id).
    stripe_api.answers += [(200, account_object()), (200, account_link())]
    owner.post("/console/settings/stripe/connect/")
    alpha.refresh_from_db()
    assert alpha.stripe_account_id == ACCOUNT_ID
    with schema_context(alpha.schema_name):
        entry = AuditEntry.objects.get(action="stripe.account_created")
    assert entry.data["replaced"] == "acct_1TypedByHand"


def test_settings_in_the_sandbox_say_there_is_nothing_to_connect():
    alpha = make_organizer("alpha", country="NL")
    page = signed_in_client(alpha, owner_of(alpha)).get("/console/settings/").content.decode()
    assert "run in the sandbox" in page and "Connect with Stripe" not in page


# --- account.updated ------------------------------------------------------------------------


def connected(slug: str = "alpha", account_id: str = ACCOUNT_ID, **state) -> ConnectedAccount:
    organizer = make_organizer(slug)
    organizer.stripe_account_id = account_id
    organizer.save()
    return ConnectedAccount.objects.create(
        organizer=organizer, account_id=account_id, account_type="standard", **state
    )


def test_account_updated_keeps_our_accounts_state_current():
    shop = make_shop()
    stored = connected("beta")
    answer = shop.deliver(account_updated(enabled_account()))
    assert answer.status_code == 200 and answer.json()["code"] == "ok", answer.json()
    stored.refresh_from_db()
    assert (stored.charges_enabled, stored.payouts_enabled, stored.state) == (True, True, "enabled")
    event = WebhookEvent.objects.get(type="account.updated")
    assert (event.status, event.schema_name) == ("processed", "org_beta")

    # Stripe then restricts it (newer event), and an older event arriving late changes nothing.
    restricted = account_object(details_submitted=True, charges_enabled=False)
    shop.deliver(account_updated(restricted, created=int(time.time()) + 5))
    stale = account_updated(enabled_account(), created=int(time.time()) - 60)
    assert shop.deliver(stale).json()["message"].endswith("no change")
    stored.refresh_from_db()
    assert (stored.charges_enabled, stored.state) == (False, "restricted")
    assert stored.requirements["disabled_reason"] == "requirements.past_due"


def test_account_updated_for_an_account_that_is_not_ours_changes_nothing():
    shop = make_shop()
    stored = connected("beta")
    stranger = enabled_account(id="acct_1SomeoneElse")
    answer = shop.deliver(account_updated(stranger))
    assert answer.status_code == 200
    event = WebhookEvent.objects.get(type="account.updated")
    assert (event.status, event.schema_name) == ("ignored", "")
    # Ours by id, but sent from another account (or the platform): rejected.
    for sender in ("acct_1SomeoneElse", ""):
        forged = account_updated(enabled_account(), account=sender)
        assert shop.deliver(forged).json()["code"] == "rejected"
        assert WebhookEvent.objects.get(provider_event_id=forged["id"]).reason == "account_mismatch"
    # Odd shapes of our own account's event never answer 500 and never enable it.
    for odd in (
        enabled_account(charges_enabled="true", payouts_enabled=1, requirements=["x"]),
        enabled_account(object="charge"),
    ):
        assert shop.deliver(account_updated(odd)).status_code == 200
    bad_time = account_updated(enabled_account())
    bad_time["created"] = 10**30
    assert shop.deliver(bad_time).json()["code"] == "rejected"
    stored.refresh_from_db()
    assert not (stored.charges_enabled or stored.payouts_enabled)


# --- checkout needs a charges-enabled account -----------------------------------------------


@pytest.mark.parametrize("account", ["none", "typed", "not_enabled"])
def test_checkout_with_stripe_without_a_charges_enabled_account_is_refused_clearly(
    monkeypatch, account
):
    shop = make_shop()
    if account == "typed":
        shop.organizer.stripe_account_id = "acct_1TypedByHand"
        shop.organizer.save()
    elif account == "not_enabled":
        ConnectedAccount.objects.create(
            organizer=shop.organizer, account_id=ACCOUNT_ID, account_type="standard"
        )
        shop.organizer.stripe_account_id = ACCOUNT_ID
        shop.organizer.save()
    fake = FakeStripeAPI()
    token, answer = stripe_checkout(shop, monkeypatch, fake)
    assert answer.status_code == 409, answer.content
    assert answer.json()["code"] == "payments_not_enabled"
    assert "cannot take card payments yet" in answer.json()["message"]
    assert not fake.sent  # Stripe is never asked
    with shop.schema():
        assert not Order.objects.exists()
    assert shop.client.get(f"/api/v1/holds/{token}").status_code == 200  # still the customer's


def test_the_sandbox_checkout_needs_no_stripe_account():
    shop = make_shop()
    answer = shop.checkout("stalls/B/1")
    assert urlsplit(answer["payment_url"]).path.startswith("/sandbox/checkout/")


def test_an_order_is_reconciled_on_the_account_its_session_was_made_on_after_a_new_connection(
    monkeypatch,
):
    shop = make_shop()
    ConnectedAccount.objects.create(
        organizer=shop.organizer, account_id=ACCOUNT_ID, account_type="standard",
        charges_enabled=True,
    )  # fmt: skip
    shop.organizer.stripe_account_id = ACCOUNT_ID
    shop.organizer.save()
    fake = FakeStripeAPI((200, checkout_session(id="cs_test_old_account", amount_total=5000)))
    _token, answer = stripe_checkout(shop, monkeypatch, fake)
    assert answer.status_code == 201, answer.content
    # The organizer's account changes (say, support moved them to a new one).
    shop.organizer.stripe_account_id = "acct_1NewAccount"
    shop.organizer.save()
    fake.answers.append((200, completed_session(id="cs_test_old_account", amount_total=5000)))
    with shop.schema():
        reconciliation.reconcile_order(shop.order(answer.json()["order_code"]))
    assert fake.sent[-1].path == "/v1/checkout/sessions/cs_test_old_account"
    assert fake.sent[-1].headers["Stripe-Account"] == ACCOUNT_ID
