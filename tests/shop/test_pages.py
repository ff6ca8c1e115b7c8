"""The shop's pages on an organizer's site: listing with filters, event page, public map, quote,
order page with tickets, calendar file, self-service cancellation, branding."""

import zoneinfo
from unittest import mock

import pytest
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from boxoffice.events.models import EventSeat
from boxoffice.payments.services.checkout import fulfil_order
from boxoffice.sales.models import PromoCode
from tests.builders.events import on_sale_event
from tests.builders.organizers import host_of, make_organizer

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(db):
    organizer = make_organizer("shopa", name="Alpha Hall")
    organizer.brand_color = "#aa3300"
    organizer.logo_url = "https://cdn.example.com/alpha.png"
    organizer.save()
    event = on_sale_event(
        organizer, rows=3, seats=6, title="Night Concert", category="concert",
        fee_per_ticket=150, refund_policy=[{"days_before": 7, "percent": 100}],
    )  # fmt: skip
    connection.set_schema_to_public()
    return organizer, event, Client(HTTP_HOST=host_of(organizer))


def test_the_site_root_lists_events_with_branding(shop):
    _organizer, event, client = shop
    page = client.get("/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Night Concert" in html and f"/events/{event.slug}/" in html
    assert "--brand: #aa3300" in html and "https://cdn.example.com/alpha.png" in html
    assert "Alpha Hall" in html
    assert "htmx" in html  # the filter form swaps results in place


def test_filters_narrow_the_list_and_htmx_gets_only_results(shop):
    _organizer, _event, client = shop
    assert "Night Concert" not in client.get("/", {"category": "sports"}).content.decode()
    assert "No events match" in client.get("/", {"q": "opera"}).content.decode()
    assert "Night Concert" in client.get("/", {"q": "night"}).content.decode()
    assert "Night Concert" not in client.get("/", {"when": "week"}).content.decode()
    assert "Night Concert" not in client.get("/", {"price_max": "10"}).content.decode()
    assert "Night Concert" in client.get("/", {"price_max": "50", "when": "x"}).content.decode()
    partial = client.get("/", {"q": "night"}, HTTP_HX_REQUEST="true").content.decode()
    assert "Night Concert" in partial and "<html" not in partial
    assert client.get("/", {"price_max": "abc"}).status_code == 200


def test_event_page_shows_date_in_the_event_zone_and_prices(shop):
    _organizer, event, client = shop
    page = client.get(f"/events/{event.slug}/")
    assert page.status_code == 200
    html = page.content.decode()
    local = timezone.localtime(event.starts_at, timezone=zoneinfo.ZoneInfo(event.timezone))
    assert local.strftime("%H:%M") in html and event.timezone in html
    assert "€50.00" in html or "50.00" in html  # adult price of the test table
    assert 'id="shop-config"' in html and "shop/event.js" in html
    assert "1.50" in html  # the service fee is stated


def test_unknown_and_draft_events_are_404(shop):
    _organizer, _event, client = shop
    assert client.get("/events/nope/").status_code == 404


def test_public_map_svg_has_seat_refs_but_no_staff_details(shop):
    _organizer, event, client = shop
    answer = client.get(f"/api/v1/events/{event.uid}/map.svg")
    assert answer.status_code == 200 and answer["Content-Type"].startswith("image/svg+xml")
    svg = answer.content.decode()
    assert 'data-seat="' in svg and "Night Concert" in svg
    assert "Main" not in svg  # the seat map's internal name
    assert "<title>Stalls" not in svg  # no per-seat tooltips: the shop draws its own
    again = client.get(f"/api/v1/events/{event.uid}/map.svg", HTTP_IF_NONE_MATCH=answer["ETag"])
    assert again.status_code == 304
    assert "public" in answer["Cache-Control"]


def test_the_stream_path_says_use_polling_under_wsgi(shop):
    _organizer, event, client = shop
    answer = client.get(f"/api/v1/events/{event.uid}/availability/stream")
    assert answer.status_code == 503 and answer.json()["code"] == "stream_unavailable"


def hold(client, event, *refs):
    answer = client.post(
        f"/api/v1/events/{event.uid}/holds", {"seats": list(refs)}, content_type="application/json"
    )
    assert answer.status_code == 201, answer.json()
    return answer.json()["token"]


def test_quote_matches_what_checkout_charges(shop):
    organizer, event, client = shop
    with schema_context(organizer.schema_name):
        PromoCode.objects.create(event=event, code="TEN", kind="percent", value=10)
    token = hold(client, event, "stalls/A/1", "stalls/A/2")
    body = {"tickets": [{"seat": "stalls/A/2", "ticket_type": "child"}], "promo_code": "ten"}
    quote = client.post(f"/api/v1/holds/{token}/quote", body, content_type="application/json")
    assert quote.status_code == 200, quote.json()
    quote = quote.json()
    assert [item["ticket_type"] for item in quote["items"]] == ["adult", "child"]
    assert [line["kind"] for line in quote["lines"]] == ["ticket", "ticket", "discount", "fee"]
    bad = client.post(
        f"/api/v1/holds/{token}/quote", {"promo_code": "NOPE"}, content_type="application/json"
    )
    assert bad.status_code == 422 and bad.json()["code"] == "promo_invalid"
    with mock.patch("boxoffice.jobs.async_task"):
        order = client.post(
            f"/api/v1/holds/{token}/checkout",
            {**body, "email": "ana@example.com", "name": "Ana"},
            content_type="application/json",
        )
    assert order.status_code == 201
    assert order.json()["total"] == quote["total"]


def pay(organizer, code):
    with schema_context(organizer.schema_name):
        from boxoffice.sales.models import Order

        order = Order.objects.get(code=code)
        with mock.patch("boxoffice.jobs.async_task"), transaction.atomic():
            fulfil_order(order=order, payment_id="pi_test")
        return order


def checkout(client, event, *refs):
    token = hold(client, event, *refs)
    with mock.patch("boxoffice.jobs.async_task"):
        answer = client.post(
            f"/api/v1/holds/{token}/checkout",
            {"email": "ana@example.com", "name": "Ana Lima"},
            content_type="application/json",
        )
    assert answer.status_code == 201, answer.json()
    return answer.json()


def test_order_page_shows_tickets_with_qr_calendar_and_cancels(shop):
    organizer, event, client = shop
    placed = checkout(client, event, "stalls/B/1", "stalls/B/2")
    code, secret = placed["order_code"], placed["order_secret"]
    pending = client.get(f"/orders/{code}/", {"secret": secret})
    assert pending.status_code == 200 and "Pay now" in pending.content.decode()
    pay(organizer, code)
    page = client.get(f"/orders/{code}/", {"secret": secret}).content.decode()
    assert "Paid" in page and page.count('class="ticket"') == 2 and "<svg" in page
    assert "Cancel my order" in page and "--brand: #aa3300" in page
    calendar = client.get(f"/orders/{code}/event.ics", {"secret": secret})
    assert calendar["Content-Type"].startswith("text/calendar")
    text = calendar.content.decode()
    assert text.startswith("BEGIN:VCALENDAR\r\n") and "SUMMARY:Night Concert" in text
    assert "DTSTART:" + event.starts_at.strftime("%Y%m%dT%H%M") in text
    assert client.get(f"/orders/{code}/event.ics", {"secret": "wrong"}).status_code == 404

    with mock.patch("boxoffice.jobs.async_task"):
        cancelled = client.post(f"/orders/{code}/cancel?secret={secret}")
    assert cancelled.status_code == 302 and "cancelled_order=1" in cancelled["Location"]
    with schema_context(organizer.schema_name):
        assert set(EventSeat.objects.filter(ref__in=["stalls/B/1", "stalls/B/2"])
                   .values_list("status", flat=True)) == {"available"}  # fmt: skip
    after = client.get(cancelled["Location"]).content.decode()
    assert "Your order was cancelled" in after


def test_cancelling_outside_the_policy_is_refused_on_the_page(shop):
    organizer, event, client = shop
    with schema_context(organizer.schema_name):
        event.refund_policy = [{"days_before": 60, "percent": 100}]
        event.save(update_fields=["refund_policy"])
    placed = checkout(client, event, "stalls/C/1")
    pay(organizer, placed["order_code"])
    page = client.get(f"/orders/{placed['order_code']}/", {"secret": placed["order_secret"]})
    assert "no longer allows" in page.content.decode()
    with mock.patch("boxoffice.jobs.async_task"):
        refused = client.post(
            f"/orders/{placed['order_code']}/cancel?secret={placed['order_secret']}"
        )
    assert "refused=" in refused["Location"]


def test_brand_colour_must_be_hex(db):
    from django.db import IntegrityError, transaction

    organizer = make_organizer("shopb")
    organizer.brand_color = "red; x"
    with pytest.raises(IntegrityError), transaction.atomic():
        organizer.save()


def test_calendar_lines_are_folded():
    from boxoffice.shop.calendar import _fold

    folded = _fold("DESCRIPTION:" + "é" * 100)
    assert all(len(line.encode()) <= 75 for line in folded.split("\r\n"))
    assert folded.replace("\r\n ", "") == "DESCRIPTION:" + "é" * 100
