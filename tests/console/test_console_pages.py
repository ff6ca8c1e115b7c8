"""The console's HTML pages: who reaches what, and that each page's writes go through the same
services as the API (seats freed by a refund, prices that open sales, members and tokens)."""

import re

import pytest
from django.core import mail
from django.test import Client

from boxoffice.events.models import Event, EventSeat
from boxoffice.sales.models import Order, Refund
from tenants.models import ApiToken, Membership
from tenants.roles import Role
from tests.builders.organizers import (
    PASSWORD,
    host_of,
    make_member,
    make_organizer,
    make_user,
    owner_of,
    signed_in_client,
)
from tests.builders.payments import buy, jobs_run_inline, make_shop

pytestmark = pytest.mark.django_db

ADMIN_PAGES = (
    "/console/team/",
    "/console/tokens/",
    "/console/settings/",
    "/console/events/new/",
)
STAFF_PAGES = ("/console/", "/console/events/", "/console/orders/", "/console/seatmaps/")


def test_staff_see_their_pages_but_not_admin_pages():
    alpha = make_organizer("alpha")
    staff = signed_in_client(alpha, make_member(alpha, Role.STAFF, is_supervisor=True))
    for path in STAFF_PAGES:
        assert staff.get(path).status_code == 200, path
    for path in ADMIN_PAGES:
        assert staff.get(path).status_code == 403, path
    dashboard = staff.get("/console/").content.decode()
    assert "supervisor" in dashboard
    assert 'href="/console/team/"' not in dashboard


def test_admins_reach_every_page_and_non_members_get_404():
    alpha = make_organizer("alpha")
    admin = signed_in_client(alpha, make_member(alpha, Role.ADMIN))
    for path in STAFF_PAGES + ADMIN_PAGES:
        assert admin.get(path).status_code == 200, path
    stranger = signed_in_client(alpha, make_user())
    for path in STAFF_PAGES + ADMIN_PAGES:
        assert stranger.get(path).status_code == 404, path
    anonymous = Client(HTTP_HOST=host_of(alpha)).get("/console/orders/")
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/login/")


def test_the_switcher_lists_the_users_other_organizers():
    person = make_user("both@example.com")
    alpha = make_organizer("alpha", owner=person, name="Alpha Hall")
    make_organizer("beta", owner=person, name="Beta Club")
    page = signed_in_client(alpha, person).get("/console/").content.decode()
    assert "Switch organizer" in page
    assert "http://beta.localhost/console/" in page and "Beta Club" in page


def test_password_reset_mails_members_a_link_to_this_host_and_strangers_nothing():
    alpha = make_organizer("alpha")
    member = make_member(alpha, Role.STAFF, email="sam@example.com")
    make_user("stranger@example.com")
    client = Client(HTTP_HOST=host_of(alpha))
    assert client.get("/login/").content.decode().count("/console/password-reset/") == 1
    sent = client.post("/console/password-reset/", {"email": "stranger@example.com"})
    assert sent.status_code == 302 and len(mail.outbox) == 0
    client.post("/console/password-reset/", {"email": "Sam@example.com"})
    assert len(mail.outbox) == 1
    link = re.search(r"http://alpha\.localhost(/console/reset/\S+)", mail.outbox[0].body)
    assert link, mail.outbox[0].body
    form = client.get(link.group(1), follow=True)
    assert b"Choose a new password" in form.content
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "a brand new pass 42", "new_password2": "a brand new pass 42"},
    )
    assert done.status_code == 302
    member.refresh_from_db()
    assert member.check_password("a brand new pass 42")


def test_an_admin_invites_changes_and_removes_a_member(django_capture_on_commit_callbacks):
    alpha = make_organizer("alpha")
    admin = signed_in_client(alpha, make_member(alpha, Role.ADMIN))
    with django_capture_on_commit_callbacks(execute=True):
        answer = admin.post("/console/team/", {"email": "new@example.com", "role": "staff"})
    assert answer.status_code == 302
    membership = Membership.objects.get(organizer=alpha, user__email="new@example.com")
    assert membership.role == "staff" and not membership.user.has_usable_password()
    assert len(mail.outbox) == 1 and "/console/reset/" in mail.outbox[0].body
    admin.post(f"/console/team/{membership.pk}/", {"role": "staff", "is_supervisor": "on"})
    membership.refresh_from_db()
    assert membership.is_supervisor
    # An admin may not make an owner, nor touch the owner.
    admin.post(f"/console/team/{membership.pk}/", {"role": "owner"})
    membership.refresh_from_db()
    assert membership.role == "staff"
    owner = Membership.objects.get(organizer=alpha, role="owner")
    admin.post(f"/console/team/{owner.pk}/", {"action": "remove"})
    assert Membership.objects.filter(pk=owner.pk).exists()
    admin.post(f"/console/team/{membership.pk}/", {"action": "remove"})
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_tokens_are_shown_once_and_revoked():
    alpha = make_organizer("alpha")
    owner = signed_in_client(alpha, owner_of(alpha))
    page = owner.post("/console/tokens/", {"name": "ticket scanner", "role": "staff"})
    secret = re.search(r"data-new-token>(bxo_[^<]+)<", page.content.decode()).group(1)
    token = ApiToken.objects.get(organizer=alpha)
    assert (
        Client(HTTP_HOST=host_of(alpha))
        .get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}")
        .status_code
        == 200
    )
    assert secret not in owner.get("/console/tokens/").content.decode()
    owner.post(f"/console/tokens/{token.pk}/revoke/")
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_settings_change_the_organizer_but_never_the_platform_fee_nor_the_stripe_account():
    alpha = make_organizer("alpha")
    alpha.application_fee_bps = 250
    alpha.save()
    owner = signed_in_client(alpha, owner_of(alpha))
    answer = owner.post(
        "/console/settings/",
        {"name": "Alpha Arena", "currency": "usd", "timezone": "Europe/Lisbon",
         "brand_color": "#112233", "logo_url": "", "stripe_account_id": "acct_123abc",
         "application_fee_bps": "0"},
    )  # fmt: skip
    assert answer.status_code == 302
    alpha.refresh_from_db()
    assert (alpha.name, alpha.currency, alpha.timezone) == ("Alpha Arena", "USD", "Europe/Lisbon")
    # The account comes from Stripe Connect onboarding (tests/payments/test_connect.py).
    assert alpha.stripe_account_id == "" and alpha.application_fee_bps == 250
    bad = owner.post(
        "/console/settings/",
        {"name": "Alpha", "currency": "EUR", "timezone": "Mars/Olympus", "brand_color": "#112233"},
    )
    assert bad.status_code == 200 and b"time zone" in bad.content.lower()
    assert alpha.locale == "en"  # not posted: unchanged
    german = {"name": "Alpha Arena", "currency": "EUR", "timezone": "Europe/Lisbon",
              "brand_color": "#112233", "locale": "de-DE"}  # fmt: skip
    assert owner.post("/console/settings/", german).status_code == 302
    alpha.refresh_from_db()
    assert alpha.locale == "de_DE"
    refused = owner.post("/console/settings/", german | {"locale": "xx-QQ"})
    assert refused.status_code == 200 and b"Locale must be" in refused.content


def test_dashboard_shows_sales_charts_next_events_and_recent_orders(
    django_capture_on_commit_callbacks,
):
    shop = make_shop()
    with jobs_run_inline(django_capture_on_commit_callbacks):
        code = buy(shop, "stalls/A/1", "stalls/A/2")["order_code"]
    page = signed_in_client(shop.organizer, owner_of(shop.organizer)).get("/console/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "€100.00" in html  # two adult tickets at 50.00, today and in all
    assert html.count('class="bar"') == 30  # a column per day
    assert 'class="share"' in html  # occupancy per category
    assert "Opening night" in html and code in html


def test_orders_search_detail_and_a_partial_then_full_refund_free_the_seats(
    django_capture_on_commit_callbacks,
):
    shop = make_shop()
    with jobs_run_inline(django_capture_on_commit_callbacks):
        code = buy(shop, "stalls/B/1", "stalls/B/2")["order_code"]
    owner = signed_in_client(shop.organizer, owner_of(shop.organizer))
    found = owner.get("/console/orders/", {"q": "ana lima"}).content.decode()
    assert code in found
    assert code not in owner.get("/console/orders/", {"q": "nobody"}).content.decode()
    assert code in owner.get("/console/orders/", {"q": code.lower()}).content.decode()
    detail = owner.get(f"/console/orders/{code}/").content.decode()
    assert "Refund chosen seats" in detail and "Confirmation with tickets" in detail
    mail.outbox.clear()
    with jobs_run_inline(django_capture_on_commit_callbacks):
        owner.post(f"/console/orders/{code}/resend/")
    assert [message.to for message in mail.outbox] == [["ana@example.com"]]
    assert len(mail.outbox[0].attachments) == 2  # the two tickets' QR codes
    assert "Tickets sent again by" in owner.get(f"/console/orders/{code}/").content.decode()
    staff = signed_in_client(shop.organizer, make_member(shop.organizer, Role.STAFF))
    assert "Refund chosen seats" not in staff.get(f"/console/orders/{code}/").content.decode()
    assert staff.post(f"/console/orders/{code}/refund/", {"scope": "all"}).status_code == 403

    # First the confirmation step: what would happen, and nothing changed yet.
    note, message = "Internal: goodwill, approved by Kim", "We are sorry about the view."
    asked = owner.post(
        f"/console/orders/{code}/refund/",
        {"scope": "seats", "seats": ["stalls/B/2"], "note": note, "message": message},
    )
    assert asked.status_code == 200
    confirm = asked.content.decode()
    assert "Internal note (not sent)" in confirm and "Message to the customer" in confirm
    assert "Refund 1 seat of order" in confirm and "Confirm refund of" in confirm
    assert 'name="confirmed" value="1"' in confirm and 'value="stalls/B/2"' in confirm
    assert 'value="stalls/B/1"' not in confirm
    with shop.schema():
        assert EventSeat.objects.get(ref="stalls/B/2").status == "sold"
        assert Order.objects.get(code=code).status == "paid"
        assert not Refund.objects.exists()
    mail.outbox.clear()
    with jobs_run_inline(django_capture_on_commit_callbacks):
        owner.post(
            f"/console/orders/{code}/refund/",
            {"scope": "seats", "seats": ["stalls/B/2"], "confirmed": "1", "note": note,
             "message": message},
        )  # fmt: skip
    [refund_email] = mail.outbox
    assert message in refund_email.body and note not in refund_email.body
    seen = owner.get(f"/console/orders/{code}/").content.decode()
    assert note in seen and message in seen  # the organizer sees both, told apart
    with shop.schema():
        assert EventSeat.objects.get(ref="stalls/B/2").status == "available"
        assert EventSeat.objects.get(ref="stalls/B/1").status == "sold"
        assert Order.objects.get(code=code).status == "partially_refunded"
    assert (
        "the whole order"
        in owner.post(f"/console/orders/{code}/refund/", {"scope": "all"}).content.decode()
    )
    with jobs_run_inline(django_capture_on_commit_callbacks):
        owner.post(f"/console/orders/{code}/refund/", {"scope": "all", "confirmed": "1"})
    with shop.schema():
        assert EventSeat.objects.get(ref="stalls/B/1").status == "available"
        assert Order.objects.get(code=code).status == "refunded"


def test_an_admin_creates_prices_and_opens_an_event_and_blocks_seats():
    shop = make_shop()
    owner = signed_in_client(shop.organizer, owner_of(shop.organizer))
    with shop.schema():
        seat_map = shop.event.seat_map_version.seat_map
    answer = owner.post(
        "/console/events/new/",
        {"title": "Second night", "category": "concert", "seat_map": seat_map.uid,
         "starts_at": "2030-05-01T20:00", "ends_at": "2030-05-01T23:00",
         "max_seats_per_order": "4", "hold_minutes": "8", "fee_per_ticket": "1.50",
         "tax_rate": "21", "tax_inclusive": "on", "refund_policy": "30 100\n7 50"},
    )  # fmt: skip
    assert answer.status_code == 302, answer.content.decode()
    with shop.schema():
        event = Event.objects.get(title="Second night")
        assert (event.fee_per_ticket, event.hold_minutes) == (150, 8)
        assert event.refund_policy == [
            {"days_before": 30, "percent": 100},
            {"days_before": 7, "percent": 50},
        ]
        categories = sorted(set(event.seats.values_list("category", flat=True)))
    refused = owner.post(f"/console/events/{event.uid}/publish/", follow=True)
    assert b"needs a price" in refused.content
    prices = {
        "ticket_types": "adult: Adult\nchild: Child",
        "phases": "regular: Regular",
    }
    for category in categories:
        prices[f"price|{category}|adult|regular"] = "40"
        prices[f"price|{category}|child|regular"] = "20.50"
    assert owner.post(f"/console/events/{event.uid}/prices/", prices).status_code == 302
    owner.post(f"/console/events/{event.uid}/publish/")
    page = owner.get(f"/console/events/{event.uid}/").content.decode()
    assert 'data-event-status="on_sale"' in page and "€20.50" in page
    owner.post(f"/console/events/{event.uid}/seats/", {"seats": "stalls/A/1 stalls/A/2"})
    with shop.schema():
        blocked = set(event.seats.filter(status="blocked").values_list("ref", flat=True))
    assert blocked == {"stalls/A/1", "stalls/A/2"}


def test_cancelling_spells_out_the_refunds_and_needs_the_slug(django_capture_on_commit_callbacks):
    shop = make_shop()
    with jobs_run_inline(django_capture_on_commit_callbacks):
        buy(shop, "stalls/C/1")
    owner = signed_in_client(shop.organizer, owner_of(shop.organizer))
    page = owner.get(f"/console/events/{shop.event.uid}/").content.decode()
    assert "all 1 paid order (€50.00) will be refunded in full" in page
    owner.post(f"/console/events/{shop.event.uid}/cancel/", {"confirm": "wrong"})
    with shop.schema():
        assert Event.objects.get(pk=shop.event.pk).status == "on_sale"
    with jobs_run_inline(django_capture_on_commit_callbacks):
        owner.post(f"/console/events/{shop.event.uid}/cancel/", {"confirm": shop.event.slug})
    with shop.schema():
        assert Event.objects.get(pk=shop.event.pk).status == "cancelled"
        assert Order.objects.get().status == "refunded"


def test_signing_in_on_the_console_uses_the_member_password():
    alpha = make_organizer("alpha")
    make_member(alpha, Role.STAFF, email="door@example.com")
    client = Client(HTTP_HOST=host_of(alpha))
    answer = client.post("/login/", {"username": "door@example.com", "password": PASSWORD})
    assert answer["Location"] == "/console/"
    assert client.get("/console/").status_code == 200
