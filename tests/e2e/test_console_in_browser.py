"""The console in a real browser: an owner builds a seat map in the visual editor, publishes it,
sells it as an event, a customer buys a seat in the shop, and a refund from the order page frees
it; a staff member cannot reach admin pages."""

import re

import pytest
from playwright.sync_api import expect

from boxoffice.actors import Actor
from boxoffice.events.models import EventSeat
from boxoffice.sales.models import Order
from seatmaps import selectors as seatmap_selectors
from seatmaps import services as seatmap_services
from tests.e2e.conftest import in_database, screenshot

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume synchronous iterators"),
]


ADMIN_PAGES = ("/console/settings/", "/console/team/", "/console/tokens/", "/console/events/new/")


def seat(page, ref: str):
    return page.locator(f'[data-canvas] circle[data-ref="{ref}"]')


def cy(page, ref: str) -> str:
    return seat(page, ref).get_attribute("cy")


def seat_status(site, ref: str) -> str:
    return in_database(site.organizer, lambda: EventSeat.objects.get(ref=ref).status)


def wait_saved(page, version: int) -> int:
    expect(page.locator("[data-status]")).to_have_attribute("data-version", str(version))
    expect(page.locator("[data-status]")).to_contain_text("saved")
    return version


def build_map_in_the_editor(page, site) -> None:
    page.goto(f"{site.url}/console/seatmaps/")
    page.locator("#id_venue-name").fill("Riverside")
    page.get_by_role("button", name="Add venue").click()
    page.locator("#id_map-name").fill("Main floor")
    page.get_by_role("button", name="Create and edit").click()
    expect(page.locator("body[data-editor-ready]")).to_have_count(1)
    version = int(page.locator("[data-status]").get_attribute("data-version"))

    page.get_by_text("Add or change a category").click()
    page.locator('[data-param="cat_key"]').fill("standard")
    page.locator('[data-param="cat_name"]').fill("Standard")
    page.get_by_role("button", name="Save category").click()
    version = wait_saved(page, version + 1)
    page.locator('[data-param="cat_key"]').fill("premium")
    page.locator('[data-param="cat_name"]').fill("Premium")
    page.locator('[data-param="cat_color"]').fill("#d97706")
    page.get_by_role("button", name="Save category").click()
    version = wait_saved(page, version + 1)
    expect(page.locator("[data-legend] [data-paint]")).to_have_count(2)

    # A section grid of 3 rows x 6 seats, placed with a click.
    page.locator('[data-param="category"]').select_option("standard")
    page.locator('[data-param="rows"]').fill("3")
    page.locator('[data-param="seats"]').fill("6")
    page.get_by_role("button", name="Section grid").click()
    page.locator("[data-canvas]").click(position={"x": 200, "y": 150})
    version = wait_saved(page, version + 1)
    expect(page.locator("[data-canvas] circle.seat")).to_have_count(18)
    page.get_by_role("button", name="Select", exact=True).click()
    page.get_by_role("button", name="Fit").click()

    # Curve row A only.
    assert cy(page, "stalls/A/1") == cy(page, "stalls/A/3")
    seat(page, "stalls/A/1").click()
    page.locator('[data-param="radius"]').fill("200")
    page.get_by_role("button", name="Curve").click()
    version = wait_saved(page, version + 1)
    assert cy(page, "stalls/A/1") != cy(page, "stalls/A/3")
    assert cy(page, "stalls/B/1") == cy(page, "stalls/B/3")

    # Paint two seats of row C premium (click, shift-click), undo it, redo it.
    seat(page, "stalls/C/1").click()
    seat(page, "stalls/C/2").click(modifiers=["Shift"])
    expect(page.locator("[data-selection-info]")).to_have_attribute("data-count", "2")
    page.locator('[data-legend] [data-paint="premium"]').click()
    version = wait_saved(page, version + 1)
    expect(seat(page, "stalls/C/1")).to_have_class("seat c-premium selected")
    page.get_by_role("button", name="Undo").click()
    version = wait_saved(page, version + 1)
    expect(seat(page, "stalls/C/2")).to_have_class("seat c-standard selected")
    page.get_by_role("button", name="Redo").click()
    version = wait_saved(page, version + 1)
    expect(seat(page, "stalls/C/2")).to_have_class("seat c-premium selected")

    # Drag the two premium seats down; the move snaps to the grid.
    before = float(seat(page, "stalls/C/1").get_attribute("cy"))
    box = seat(page, "stalls/C/1").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2 + 40, steps=5)
    page.mouse.up()
    version = wait_saved(page, version + 1)
    moved = float(seat(page, "stalls/C/1").get_attribute("cy")) - before
    assert moved > 0 and moved % 10 == 0

    # The whole section turns about its centre.
    seat(page, "stalls/A/1").click()
    page.get_by_role("button", name="Whole section").click()
    expect(page.locator("[data-selection-info]")).to_have_attribute("data-count", "18")
    page.locator('[data-param="degrees"]').fill("-8")
    page.get_by_role("button", name="Rotate", exact=True).click()
    version = wait_saved(page, version + 1)
    assert cy(page, "stalls/B/1") != cy(page, "stalls/B/3")

    # Someone else saves meanwhile: the next change is refused and the conflict shown.
    def someone_else_edits():
        seat_map = seatmap_selectors.seat_maps().get(name="Main floor")
        seatmap_services.apply_operation(
            actor=Actor.system("other editor"), seat_map=seat_map,
            expected_version=seat_map.draft_version, operation="set_focal_point",
            params={"x": 0, "y": -100},
        )  # fmt: skip

    in_database(site.organizer, someone_else_edits)
    page.locator('[data-legend] [data-paint="standard"]').click()
    expect(page.locator("[data-conflict]")).to_be_visible()
    expect(seat(page, "stalls/C/2")).to_have_class("seat c-premium selected")
    page.get_by_role("button", name="Load their version").click()
    version = wait_saved(page, version + 1)
    expect(page.locator("[data-conflict]")).to_be_hidden()

    screenshot(page, "editor")
    page.get_by_role("button", name="Publish").click()
    expect(page.locator("[data-status]")).to_contain_text("Published version 1 (18 seats)")


def create_event_and_open_sales(page, site) -> None:
    page.goto(f"{site.url}/console/events/new/")
    page.get_by_label("Title").fill("Spring Gala")
    page.get_by_label("Starts").fill("2031-04-10T19:30")
    page.get_by_label("Ends").fill("2031-04-10T22:30")
    page.get_by_role("button", name="Create draft").click()
    expect(page.get_by_role("heading", name="Prices · Spring Gala")).to_be_visible()
    page.get_by_label("Ticket types").fill("adult: Adult\nconcession: Concession")
    page.get_by_role("button", name="Save prices").click()
    for category, amounts in (("Standard", ("40", "25")), ("Premium", ("60", "45"))):
        page.get_by_label(f"{category}, Adult, Regular").fill(amounts[0])
        page.get_by_label(f"{category}, Concession, Regular").fill(amounts[1])
    page.get_by_role("button", name="Save prices").click()
    expect(page.locator(".flash")).to_contain_text("Prices saved")
    page.get_by_role("link", name="Spring Gala").click()
    page.get_by_role("button", name="Put on sale").click()
    expect(page.locator("[data-event-status]")).to_have_attribute("data-event-status", "on_sale")

    # Keep two seats off sale: chosen on the event's map.
    page.get_by_role("link", name="Block seats").click()
    expect(page.locator("body[data-map-ready]")).to_have_count(1)
    page.locator('circle[data-seat="stalls/A/1"]').click()
    page.locator('circle[data-seat="stalls/A/2"]').click(modifiers=["Shift"])
    expect(page.locator("[data-count]")).to_have_text("2")
    page.get_by_role("button", name="Block", exact=True).click()
    expect(page.locator(".flash")).to_contain_text("Blocked 2 seat(s).")
    expect(page.locator('circle[data-seat="stalls/A/1"].st-blocked')).to_have_count(1)


def buy_a_seat_in_the_shop(page, site, ref: str) -> None:
    page.goto(f"{site.url}/")
    page.get_by_role("link", name="Spring Gala").click()
    expect(page.locator("body[data-map-ready]")).to_have_count(1)
    page.locator(f'circle[data-seat="{ref}"]').click()
    expect(page.locator("[data-selected] li")).to_have_count(1)
    page.get_by_label("Email").fill("rui@example.com")
    page.get_by_label("Name on the tickets").fill("Rui Costa")
    page.get_by_role("button", name="Continue to payment").click()
    page.wait_for_url("**/sandbox/checkout/**")
    page.get_by_role("button", name="Pay").click()
    page.wait_for_url("**/orders/**")
    expect(page.locator("[data-order-status]")).to_have_attribute("data-order-status", "paid")


def test_owner_builds_a_map_sells_it_and_a_refund_frees_the_seat(console_site, new_page):
    site = console_site
    page = new_page()
    site.sign_in(page, site.owner)
    build_map_in_the_editor(page, site)
    create_event_and_open_sales(page, site)

    buy_a_seat_in_the_shop(new_page(), site, "stalls/B/2")
    assert seat_status(site, "stalls/B/2") == "sold"
    assert seat_status(site, "stalls/A/2") == "blocked"

    page.goto(f"{site.url}/console/")
    expect(page.locator("[data-today-net]")).to_contain_text("40.00")
    expect(page.locator("svg.chart rect.share")).to_have_count(2)
    screenshot(page, "dashboard")

    page.get_by_role("link", name="Orders").click()
    page.get_by_role("searchbox", name="Search orders").fill("rui")
    page.get_by_role("button", name="Search").click()
    page.locator("#order-rows a").first.click()
    expect(page.locator("[data-order-status]")).to_have_attribute("data-order-status", "paid")
    page.get_by_role("button", name="Refund whole order").click()
    # The confirmation step changes nothing until it is confirmed.
    assert in_database(site.organizer, lambda: Order.objects.get().status) == "paid"
    page.get_by_role("button", name=re.compile("^Confirm refund")).click()
    expect(page.locator("[data-order-status]")).to_have_attribute("data-order-status", "refunded")
    expect(page.locator(".flash")).to_contain_text("1 seat(s) are back on sale")
    assert seat_status(site, "stalls/B/2") == "available"
    assert in_database(site.organizer, lambda: Order.objects.get().status) == "refunded"


def test_staff_cannot_reach_admin_pages(console_site, new_page):
    site = console_site
    page = new_page()
    site.sign_in(page, site.staff)
    nav = page.get_by_role("navigation", name="Console")
    expect(nav.get_by_role("link", name="Orders")).to_be_visible()
    expect(nav.get_by_role("link", name="Team")).to_have_count(0)
    expect(nav.get_by_role("link", name="Settings")).to_have_count(0)
    for path in ADMIN_PAGES:
        response = page.goto(f"{site.url}{path}")
        assert response.status == 403, path
