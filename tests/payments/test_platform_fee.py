"""The platform fee: platform staff set `application_fee_bps` per organizer (PATCH
/api/platform/organizers/{slug}), validated and audited; the organizer reads it in the console
and cannot change it; it reaches Stripe's checkout session as application_fee_amount, worked out
once per order."""

from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import parse_qs

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from boxoffice.audit.models import AuditEntry
from boxoffice.payments.models import ConnectedAccount
from tenants.models import Organizer, User
from tests.builders.organizers import PASSWORD, make_organizer, owner_of, signed_in_client
from tests.builders.payments import make_shop
from tests.builders.stripe import FakeStripeAPI, checkout_session, stripe_checkout, stripe_error

pytestmark = pytest.mark.django_db

ACCOUNT = "acct_1QxYzFeeOrganizer"


def staff_client() -> Client:
    client = Client(HTTP_HOST="localhost")
    client.force_login(User.objects.create_superuser("ops@boxoffice.example", PASSWORD))
    return client


def set_fee(client: Client, slug: str, body) -> object:
    return client.patch(f"/api/platform/organizers/{slug}", body, content_type="application/json")


def test_staff_set_the_fee_and_it_is_audited_with_who_old_new_and_when():
    alpha = make_organizer("alpha")
    ops = staff_client()
    answer = set_fee(ops, "alpha", {"application_fee_bps": 250, "reason": "Contract of 1 Dec"})
    assert answer.status_code == 200, answer.content
    assert answer.json()["application_fee_bps"] == 250 and answer.json()["slug"] == "alpha"
    alpha.refresh_from_db()
    assert alpha.application_fee_bps == 250
    set_fee(ops, "alpha", {"application_fee_bps": 300})
    set_fee(ops, "alpha", {"application_fee_bps": 300})  # no change, no record
    with schema_context(alpha.schema_name):
        entries = list(
            AuditEntry.objects.filter(action="organizer.application_fee_changed").order_by("id")
        )
    assert [entry.data for entry in entries] == [
        {"from": 0, "to": 250, "reason": "Contract of 1 Dec"},
        {"from": 250, "to": 300, "reason": ""},
    ]
    assert {entry.actor_label for entry in entries} == {"ops@boxoffice.example"}
    assert all(entry.created_at is not None for entry in entries)
    listed = ops.get("/api/platform/organizers").json()["items"]
    assert listed[0]["application_fee_bps"] == 300


def test_nobody_but_platform_staff_sets_it():
    alpha = make_organizer("alpha")
    owner = owner_of(alpha)
    # The owner on the platform site: not staff.
    platform_owner = Client(HTTP_HOST="localhost")
    platform_owner.force_login(owner)
    assert set_fee(platform_owner, "alpha", {"application_fee_bps": 0}).status_code == 403
    # The owner on their own site: there is no platform API there.
    own_site = signed_in_client(alpha, owner)
    assert set_fee(own_site, "alpha", {"application_fee_bps": 0}).status_code == 404
    assert (
        set_fee(Client(HTTP_HOST="localhost"), "alpha", {"application_fee_bps": 0}).status_code
        == 401
    )
    # Nor through the console's settings form.
    alpha.application_fee_bps = 250
    alpha.save()
    own_site.post(
        "/console/settings/",
        {"name": "Alpha", "currency": "EUR", "timezone": "UTC", "brand_color": "#112233",
         "logo_url": "", "application_fee_bps": "0"},
    )  # fmt: skip
    assert Organizer.objects.get(slug="alpha").application_fee_bps == 250
    page = own_site.get("/console/settings/").content.decode()
    assert "<strong>2.5%</strong>" in page and 'name="application_fee_bps"' not in page
    with schema_context(alpha.schema_name):
        assert not AuditEntry.objects.filter(action="organizer.application_fee_changed").exists()


@pytest.mark.parametrize("body", [
    {"application_fee_bps": -1}, {"application_fee_bps": 2001}, {"application_fee_bps": 10**20},
    {"application_fee_bps": "2.5%"}, {"application_fee_bps": None}, {"application_fee_bps": 2.5},
    {}, {"application_fee_bps": 100, "reason": "x" * 501},
])  # fmt: skip
def test_bad_values_are_422_and_change_nothing(body):
    make_organizer("alpha")
    answer = set_fee(staff_client(), "alpha", body)
    assert answer.status_code == 422, answer.content
    assert set(answer.json()) == {"code", "message", "details"}
    assert Organizer.objects.get(slug="alpha").application_fee_bps == 0


def test_an_unknown_organizer_is_404():
    assert set_fee(staff_client(), "nope", {"application_fee_bps": 100}).status_code == 404


def test_the_fee_reaches_stripes_checkout_session_worked_out_once(monkeypatch):
    shop = make_shop()
    ConnectedAccount.objects.create(
        organizer=shop.organizer, account_id=ACCOUNT, account_type="standard",
        charges_enabled=True,
    )  # fmt: skip
    shop.organizer.stripe_account_id = ACCOUNT
    shop.organizer.save()
    ops = staff_client()
    assert set_fee(ops, "alpha", {"application_fee_bps": 250}).status_code == 200
    shop.organizer.refresh_from_db()

    # Stripe fails the first time; meanwhile the platform changes the fee.
    fake = FakeStripeAPI((500, stripe_error("api_error", "Something went wrong.")))
    token, first = stripe_checkout(shop, monkeypatch, fake)
    assert first.status_code == 503, first.content
    assert set_fee(ops, "alpha", {"application_fee_bps": 900}).status_code == 200
    fake.answers.append((200, checkout_session(id="cs_test_fee_once")))
    again = shop.post(
        f"/api/v1/holds/{token}/checkout", {"email": "ana@example.com", "name": "Ana Lima"}
    )
    assert again.status_code == 201, again.content

    order = shop.order(again.json()["order_code"])
    expected = int(
        (Decimal(order.total) * 250 / 10_000).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    )
    assert expected > 0 and order.application_fee == expected
    forms = [{k: v[0] for k, v in parse_qs(sent.body).items()} for sent in fake.sent]
    assert [form["payment_intent_data[application_fee_amount]"] for form in forms] == [
        str(expected), str(expected),
    ]  # fmt: skip
    assert len({sent.headers["Idempotency-Key"] for sent in fake.sent}) == 1
    assert {sent.headers["Stripe-Account"] for sent in fake.sent} == {ACCOUNT}


def test_no_fee_without_a_connected_account_in_the_sandbox():
    shop = make_shop()
    shop.organizer.application_fee_bps = 250
    shop.organizer.save()
    code = shop.checkout("stalls/B/1")["order_code"]
    assert shop.order(code).application_fee == 0
