"""The shop in a real browser: buying through the sandbox, racing for a seat, a hold running out,
and choosing seats with the keyboard alone."""

import json
import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from boxoffice.events.models import EventSeat
from boxoffice.events.selectors import availability
from boxoffice.events.services.events import set_access_released
from boxoffice.sales.models import Hold, Order, Refund
from boxoffice.sales.services import holds
from boxoffice.tickets.models import Ticket
from tests.builders.events import ACTOR
from tests.e2e.conftest import in_database, screenshot

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    # WhiteNoise hands Django's ASGI handler file iterators, which Django warns it reads in a
    # thread; harmless here.
    pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume synchronous iterators"),
]


def seat(page, ref: str):
    return page.locator(f'circle[data-seat="{ref}"]')


def open_event(page, shop):
    page.goto(shop.event_url())
    expect(page.locator("body[data-map-ready]")).to_have_count(1)
    expect(page.locator("[data-live-state]")).to_have_text("Live")


def email_to(address: str, subject_start: str):
    found = [m for m in mail.outbox if m.to == [address] and m.subject.startswith(subject_start)]
    assert len(found) == 1, [m.subject for m in mail.outbox]
    return found[0]


def link_in(message, shop) -> str:
    """The order link of an email, opened on the test server: the email names the organizer's
    host (https, no port, as in production); the path and secret are the email's own."""
    link = urlsplit(re.search(r"https?://\S+/orders/\S+", message.body).group(0))
    assert link.hostname == f"{shop.organizer.slug}.localhost"
    return f"{shop.url}{link.path}?{link.query}"


def test_a_customer_buys_reads_the_email_opens_the_tickets_and_cancels(shop, new_page):
    page = new_page()
    page.goto(shop.url + "/")
    expect(page.get_by_role("link", name="Harbour Lights")).to_be_visible()
    page.get_by_role("link", name="Harbour Lights").click()
    expect(page.locator("body[data-map-ready]")).to_have_count(1)
    screenshot(page, "event-page")

    seat(page, "stalls/B/3").click()
    expect(page.locator("[data-selected] li")).to_have_count(1)
    seat(page, "stalls/B/4").click()
    expect(page.locator("[data-selected] li")).to_have_count(2)
    expect(seat(page, "stalls/B/4")).to_have_class("seat c-standard mine")
    expect(page.locator("[data-countdown]")).to_contain_text("Seats held for")
    page.locator('select[name="type:stalls/B/4"]').select_option("child")
    page.get_by_label("Email").fill("ana@example.com")
    page.get_by_label("Name on the tickets").fill("Ana Lima")
    # 50.00 adult + 25.00 child + 2 x 1.50 fees
    expect(page.locator("[data-quote] tr.total")).to_contain_text("78.00")
    screenshot(page, "checkout")
    page.get_by_role("button", name="Continue to payment").click()

    page.wait_for_url("**/sandbox/checkout/**")
    page.get_by_role("button", name="Pay").click()
    page.wait_for_url("**/orders/**")
    expect(page.locator("[data-order-status]")).to_have_attribute("data-order-status", "paid")
    sold = in_database(
        shop.organizer,
        lambda: sorted(EventSeat.objects.filter(status="sold").values_list("ref", flat=True)),
    )
    assert sold == ["stalls/B/3", "stalls/B/4"]
    order = in_database(shop.organizer, lambda: Order.objects.get())
    assert (order.status, order.total, order.email) == ("paid", 7800, "ana@example.com")

    # The confirmation email, read as the customer would, and its link opened in a new tab.
    confirmation = email_to("ana@example.com", "Your tickets for Harbour Lights")
    assert order.code in confirmation.subject and "78.00" in confirmation.body
    assert len(confirmation.attachments) == 2  # one QR code per ticket
    tickets_page = new_page()
    tickets_page.goto(link_in(confirmation, shop))
    expect(tickets_page.locator("[data-order-status]")).to_have_attribute(
        "data-order-status", "paid"
    )
    expect(tickets_page.locator(".ticket")).to_have_count(2)
    expect(tickets_page.locator(".ticket .qr svg")).to_have_count(2)
    expect(tickets_page.get_by_role("link", name="Add to calendar")).to_be_visible()
    screenshot(tickets_page, "order-page")

    # Cancel from the page: the browser's own confirm, the form with its CSRF token, the refund.
    tickets_page.once("dialog", lambda dialog: dialog.accept())
    tickets_page.get_by_role("button", name="Cancel my order").click()
    tickets_page.wait_for_url("**cancelled_order=1**")
    expect(tickets_page.locator("[data-order-status]")).to_have_attribute(
        "data-order-status", "cancelled"
    )
    # 100% under the policy of everything still active: both tickets with their fees.
    expect(
        tickets_page.get_by_text(
            re.compile("Your order was cancelled and .*78.00.* is on its way back")
        )
    ).to_be_visible()
    expect(tickets_page.locator(".ticket.revoked")).to_have_count(2)
    expect(tickets_page.get_by_role("button", name="Cancel my order")).to_have_count(0)
    screenshot(tickets_page, "order-cancelled")

    def outcome():
        refund = Refund.objects.get()
        return {
            "order": Order.objects.values_list("status", "refunded").get(),
            "refund": (refund.amount, refund.reason, refund.status, refund.items.count()),
            "seats": sorted(
                EventSeat.objects.filter(ref__in=["stalls/B/3", "stalls/B/4"]).values_list(
                    "status", flat=True
                )
            ),
            "tickets": sorted(Ticket.objects.values_list("status", flat=True)),
        }

    assert in_database(shop.organizer, outcome) == {
        "order": ("cancelled", 7800),
        "refund": (7800, "customer_cancellation", "succeeded", 2),
        "seats": ["available", "available"],
        "tickets": ["revoked", "revoked"],
    }
    cancelled = email_to("ana@example.com", f"Order {order.code} is cancelled")
    assert re.search(r"you get .{0,4}78.00.{0,4} back", cancelled.body), cancelled.body
    # The seats are on sale again for the next customer, on a map that never reloaded.
    open_event(page, shop)
    expect(seat(page, "stalls/B/3")).to_have_class("seat c-standard")


def test_two_customers_race_for_one_seat_and_the_loser_sees_it_taken(shop, new_page):
    first, second = new_page(), new_page()
    open_event(first, shop)
    open_event(second, shop)

    # Live: what one customer takes turns grey on the other's map without a reload.
    seat(first, "stalls/C/1").click()
    expect(first.locator("[data-selected] li")).to_have_count(1)
    expect(seat(second, "stalls/C/1")).to_have_class("seat c-standard taken", timeout=3000)

    # The race: both click the same free seat at once; exactly one gets it.
    target = "stalls/C/5"
    for page in (first, second):
        page.evaluate(
            "ref => setTimeout(() => document.querySelector(`circle[data-seat='${ref}']`)"
            ".dispatchEvent(new MouseEvent('click', {bubbles: true})), 300)",
            target,
        )
    first.wait_for_timeout(1500)
    mine = [page.locator(f'circle[data-seat="{target}"].mine').count() for page in (first, second)]
    assert sorted(mine) == [0, 1]
    loser = second if mine[0] else first
    expect(loser.locator("[data-notice]")).to_contain_text("was just taken")
    expect(seat(loser, target)).to_have_class("seat c-standard taken")
    assert in_database(shop.organizer, lambda: EventSeat.objects.get(ref=target).status) == "held"


def test_the_countdown_running_out_frees_the_seats(shop, new_page):
    page, onlooker = new_page(), new_page()
    open_event(page, shop)
    open_event(onlooker, shop)
    seat(page, "stalls/D/1").click()
    expect(page.locator("[data-selected] li")).to_have_count(1)
    seat(page, "stalls/D/2").click()
    expect(page.locator("[data-selected] li")).to_have_count(2)
    expect(seat(onlooker, "stalls/D/2")).to_have_class("seat c-standard taken")

    # A short hold: the one on this event ends in 4 s (the page learns it on reload, as after
    # any visit away).
    soon = timezone.now() + timedelta(seconds=4)

    def shorten():
        Hold.objects.update(expires_at=soon)
        EventSeat.objects.filter(status="held").update(held_until=soon)

    in_database(shop.organizer, shorten)
    page.reload()
    expect(page.locator("body[data-map-ready]")).to_have_count(1)
    expect(page.locator("[data-selected] li")).to_have_count(2)
    expect(page.locator("[data-countdown]")).to_contain_text("Seats held for 0:0")
    expect(page.locator("[data-notice]")).to_contain_text("time ran out", timeout=10_000)
    expect(page.locator("[data-selected] li")).to_have_text("No seats yet: pick them on the map.")
    expect(seat(page, "stalls/D/1")).to_have_class("seat c-standard")
    # Released for everyone at once, not only when the sweeper comes by.
    expect(seat(onlooker, "stalls/D/1")).to_have_class("seat c-standard", timeout=3000)
    statuses = in_database(
        shop.organizer,
        lambda: set(
            EventSeat.objects.filter(ref__in=["stalls/D/1", "stalls/D/2"]).values_list(
                "status", flat=True
            )
        ),
    )
    assert statuses == {"available"}


def test_seats_can_be_chosen_with_the_keyboard_alone(shop, new_page):
    page = new_page()
    open_event(page, shop)
    for _press in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.matches('circle.seat')"):
            break
    else:
        pytest.fail("Tab never reached a seat")
    focused = page.locator("circle.seat:focus")
    expect(focused).to_have_attribute("role", "button")
    expect(focused).to_have_attribute(
        "aria-label", "Stalls, row A, seat 1, Premium · from €25.00 · Wheelchair space · available"
    )
    page.keyboard.press("ArrowRight")
    expect(page.locator("circle.seat:focus")).to_have_attribute("data-seat", "stalls/A/2")
    page.keyboard.press("Enter")
    expect(page.locator("[data-selected] li")).to_have_count(1)
    expect(page.locator("circle.seat:focus")).to_have_attribute("aria-pressed", "true")
    page.keyboard.press("ArrowDown")
    expect(page.locator("circle.seat:focus")).to_have_attribute("data-seat", "stalls/B/2")
    page.keyboard.press(" ")
    expect(page.locator("[data-selected] li")).to_have_count(2)
    held = in_database(
        shop.organizer,
        lambda: sorted(EventSeat.objects.filter(status="held").values_list("ref", flat=True)),
    )
    assert held == ["stalls/A/2", "stalls/B/2"]


def test_a_wheelchair_space_chosen_by_hand_says_what_it_is(shop, new_page):
    page = new_page()
    open_event(page, shop)
    expect(page.locator('[data-legend="wheelchair"]')).to_have_text("Wheelchair space")
    seat(page, "stalls/A/1").click()
    expect(page.locator("[data-notice]")).to_contain_text("is a wheelchair space")
    expect(page.locator("[data-selected] li")).to_contain_text("Wheelchair space")
    # Best available may be asked for one; the only wheelchair space is ours now.
    page.locator("[data-best-available] select").select_option("premium")
    page.locator('[data-best-available] [name="quantity"]').fill("1")
    page.locator('[data-best-available] [name="accessible"]').check()
    page.locator("[data-best-available] button").click()
    expect(page.locator("[data-notice]")).to_contain_text("No wheelchair space is left")


def test_a_released_wheelchair_space_shows_as_an_ordinary_seat(shop, new_page):
    """Released for general sale while a customer had the page open: after a reload the same
    browser (whose cache holds the map it drew first) shows and describes an ordinary seat."""
    page = new_page()
    open_event(page, shop)
    wheelchair = seat(page, "stalls/A/1")
    expect(wheelchair).to_have_class(re.compile(r"\baccessible\b"))
    in_database(
        shop.organizer,
        lambda: set_access_released(
            actor=ACTOR, event=shop.event, released=True, refs=["stalls/A/1"]
        ),
    )
    page.reload()
    expect(page.locator("body[data-map-ready]")).to_have_count(1)
    expect(wheelchair).not_to_have_class(re.compile(r"\baccessible\b"))
    expect(page.locator('[data-legend="wheelchair"]')).to_have_count(0)
    wheelchair.hover()
    expect(page.locator("[data-tooltip]")).to_contain_text("Premium")
    expect(page.locator("[data-tooltip]")).not_to_contain_text("Wheelchair")
    wheelchair.click()
    expect(page.locator("[data-selected] li")).to_have_count(1)
    expect(page.locator("[data-selected] li")).not_to_contain_text("Wheelchair")
    expect(page.locator("[data-notice]")).not_to_contain_text("wheelchair")


def test_a_change_streamed_while_a_snapshot_is_on_its_way_is_kept(shop, new_page):
    """A snapshot read before a seat was taken can reach the page after the stream announced
    the seat: the page used to paint that older snapshot over the change, showing the seat free
    until the next resync (30 s). Here the snapshot is held back until the change has arrived,
    with another seat (B/1) marked in it to show when it has been applied."""
    page = new_page()
    open_event(page, shop)
    positions = in_database(
        shop.organizer,
        lambda: dict(EventSeat.objects.filter(event=shop.event).values_list("ref", "position")),
    )
    held_back = []

    def hold_back(route):
        if held_back:
            route.continue_()
        else:
            held_back.append(route)

    page.route(re.compile(r"/availability$"), hold_back)
    page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")  # it resyncs
    for _wait in range(200):
        if held_back:
            break
        page.wait_for_timeout(50)
    # The snapshot as the server reads it now, before the seat is taken.
    statuses, etag = in_database(shop.organizer, lambda: availability(shop.event))
    in_database(
        shop.organizer,
        lambda: holds.start_hold_with_seats(event_id=shop.event.uid, refs=["stalls/A/2"]),
    )
    taken = re.compile(r"\btaken\b")
    expect(seat(page, "stalls/A/2")).to_have_class(taken)  # streamed

    letters = list(statuses)
    assert letters[positions["stalls/A/2"]] == "a"
    letters[positions["stalls/B/1"]] = "h"
    held_back[0].fulfill(
        status=200,
        headers={"Content-Type": "application/json", "ETag": f'"{etag}"'},
        body=json.dumps({"event": shop.event.uid, "statuses": "".join(letters), "counts": {}}),
    )
    expect(seat(page, "stalls/B/1")).to_have_class(taken)  # the older snapshot is in
    expect(seat(page, "stalls/A/2")).to_have_class(taken)
