"""The shop in a real browser around the sales window: a customer waits on the page for sales to
open, the map appears by itself, and the hold's buttons and the tooltip follow what is held."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from boxoffice.events.models import Event, EventSeat
from tests.e2e.conftest import in_database, screenshot

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume synchronous iterators"),
]


def test_a_customer_waits_for_the_opening_then_holds_and_releases(shop, new_page):
    opens = timezone.now() + timedelta(seconds=5)
    in_database(shop.organizer, lambda: Event.objects.update(sales_start=opens))
    page = new_page()
    page.goto(shop.event_url())
    expect(page.locator("[data-sales-state]")).to_have_attribute("data-sales-state", "not_started")
    expect(page.get_by_role("heading", name=re.compile("Tickets go on sale"))).to_be_visible()
    expect(page.locator("[data-sales-countdown]")).to_have_text(
        re.compile(r"Opens in 0 minutes [1-5] seconds?")
    )
    expect(page.locator("[data-seat-map]")).to_have_count(0)  # nothing to click and fail
    screenshot(page, "sales-not-open")

    # At zero the page loads again, now with the map.
    expect(page.locator("body[data-map-ready]")).to_have_count(1, timeout=15_000)
    actions = page.locator("[data-hold-actions]")
    expect(actions).to_be_hidden()
    expect(page.get_by_role("button", name="More time")).to_be_hidden()
    expect(page.get_by_role("button", name="Release all")).to_be_hidden()

    target = page.locator('circle[data-seat="stalls/C/4"]')
    target.hover()
    tooltip = page.locator("[data-tooltip]")
    expect(tooltip).to_contain_text("Stalls, row C, seat 4")
    expect(tooltip).to_contain_text("available")
    target.click()
    expect(page.locator("[data-selected] li")).to_have_count(1)
    # The pointer has not moved: the open tooltip now says whose seat it is.
    expect(tooltip).to_contain_text("held by you")
    expect(tooltip).not_to_contain_text("available")
    expect(target).to_have_attribute("aria-label", re.compile("held by you$"))
    expect(page.get_by_role("button", name="More time")).to_be_visible()
    assert in_database(shop.organizer, lambda: EventSeat.objects.get(ref="stalls/C/4").status) == (
        "held"
    )

    page.get_by_role("button", name="Release all").click()
    expect(page.locator("[data-selected] li")).to_have_text("No seats yet: pick them on the map.")
    expect(actions).to_be_hidden()
    expect(page.locator("[data-countdown]")).to_be_hidden()
    # The page forgets the hold first, then deletes it: wait for the server's side.
    for _attempt in range(50):
        status = in_database(shop.organizer, lambda: EventSeat.objects.get(ref="stalls/C/4").status)
        if status == "available":
            break
        page.wait_for_timeout(100)
    assert status == "available"
