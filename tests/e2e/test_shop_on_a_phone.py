"""The same purchase on a phone (390x844, touch): a big house whose seats are drawn too small
for a finger, so a tap on a block zooms to it first; then seats are tapped, the countdown stays
in sight while filling in the checkout, the page never scrolls sideways, and the order is paid."""

import pytest
from django.core import mail
from django.db import connection
from playwright.sync_api import expect

from boxoffice.events.models import EventSeat
from boxoffice.sales.models import Order
from tests.builders.events import on_sale_event
from tests.builders.organizers import make_organizer
from tests.e2e.conftest import LiveShop, in_database, screenshot

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume synchronous iterators"),
]

PHONE = {"width": 390, "height": 844}
MIN_TAP = 24  # CSS px: WCAG 2.2's minimum target size


@pytest.fixture
def big_house(asgi_server):
    organizer = make_organizer("e2ephone", name="Grand Theatre")
    event = on_sale_event(
        organizer, rows=20, seats=40, title="Big Night", slug="big-night", max_seats_per_order=6
    )
    connection.set_schema_to_public()
    yield LiveShop(asgi_server, organizer, event)
    connection.set_schema_to_public()
    with connection.cursor() as cursor:
        cursor.execute("DROP SCHEMA IF EXISTS org_e2ephone CASCADE")


@pytest.fixture
def phone(browser):
    context = browser.new_context(
        viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2
    )
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def page_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def seat(page, ref: str):
    return page.locator(f'circle[data-seat="{ref}"]')


def width_of(locator) -> float:
    return locator.bounding_box()["width"]


def test_a_customer_buys_two_seats_on_a_phone(big_house, phone):
    page = phone
    page.goto(big_house.event_url())
    expect(page.locator("body[data-map-ready]")).to_have_count(1)
    assert page_width(page) <= PHONE["width"]

    first, second = seat(page, "stalls/J/20"), seat(page, "stalls/J/21")
    assert width_of(first) < MIN_TAP, "the whole house fits the phone: seats are tiny"
    # The first tap zooms to the block instead of picking a seat nobody could aim at.
    first.tap()
    expect(page.locator("[data-selected] li.muted")).to_have_count(1)
    page.wait_for_function(
        f"document.querySelector('circle[data-seat=\"stalls/J/20\"]')"
        f".getBoundingClientRect().width >= {MIN_TAP}"
    )
    first.tap()
    expect(page.locator("[data-selected] li button")).to_have_count(1)
    second.tap()
    expect(page.locator("[data-selected] li button")).to_have_count(2)
    expect(second).to_have_class("seat c-standard mine")
    assert page_width(page) <= PHONE["width"], "a tooltip or the zoomed map widened the page"
    screenshot(page, "phone-seats")

    # Filling in the checkout scrolls the page; the countdown stays in sight.
    page.get_by_label("Email").fill("kai@example.com")
    page.get_by_label("Name on the tickets").fill("Kai Tane")
    pay = page.get_by_role("button", name="Continue to payment")
    pay.scroll_into_view_if_needed()
    countdown = page.locator("[data-countdown]")
    expect(countdown).to_contain_text("Seats held for")
    expect(countdown).to_be_in_viewport()
    expect(page.locator("[data-quote] tr.total")).to_contain_text("100.00")
    assert page_width(page) <= PHONE["width"]
    screenshot(page, "phone-checkout")
    pay.tap()

    page.wait_for_url("**/sandbox/checkout/**")
    assert page_width(page) <= PHONE["width"]
    page.get_by_role("button", name="Pay").tap()
    page.wait_for_url("**/orders/**")
    expect(page.locator("[data-order-status]")).to_have_attribute("data-order-status", "paid")
    expect(page.locator(".ticket .qr svg")).to_have_count(2)
    assert page_width(page) <= PHONE["width"]
    screenshot(page, "phone-order")

    def outcome():
        order = Order.objects.get()
        sold = sorted(EventSeat.objects.filter(status="sold").values_list("ref", flat=True))
        return order.status, order.total, order.email, sold

    assert in_database(big_house.organizer, outcome) == (
        "paid", 10000, "kai@example.com", ["stalls/J/20", "stalls/J/21"],
    )  # fmt: skip
    assert [m.to for m in mail.outbox] == [["kai@example.com"]]
