"""The shop's JavaScript writes amounts as the server does: the digits come from the server's
CLDR data (the page's #money-format), so they do not depend on the browser's own ICU tables
(older ones give the forint two decimals; CLDR 42 and later, and so the server, give none)."""

import pytest
from django.db import connection
from playwright.sync_api import expect

from boxoffice.currencies import format_money
from tests.builders.events import on_sale_event
from tests.builders.organizers import make_organizer
from tests.e2e.conftest import LiveShop

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume synchronous iterators"),
]


@pytest.fixture
def forint_shop(asgi_server):
    organizer = make_organizer("e2ehuf", name="Duna Hall", currency="HUF")
    event = on_sale_event(organizer, rows=1, seats=4, title="Duna Nights", slug="duna")
    connection.set_schema_to_public()
    yield LiveShop(asgi_server, organizer, event)
    connection.set_schema_to_public()
    with connection.cursor() as cursor:
        cursor.execute("DROP SCHEMA IF EXISTS org_e2ehuf CASCADE")


FORMAT_IN_PAGE = """async ([amount, currency]) => {
  const src = document.querySelector('script[type="module"][src*="shop/event"]').src;
  const money = await import(new URL("money.js", src));
  return money.formatMoney(amount, currency);
}"""


def test_the_shop_formats_money_with_the_servers_digits(forint_shop, new_page):
    page = new_page()
    page.goto(forint_shop.event_url())
    expect(page.locator("body[data-map-ready]")).to_have_count(1)
    # The seat's label names the price as the server would write it: HUF 2,500, not 25.00.
    label = page.locator('circle[data-seat="stalls/A/1"]').get_attribute("aria-label")
    assert f"from {format_money(2500, 'HUF', locale='en')}" in label
    for amount, currency in [(2500, "HUF"), (5250, "KWD"), (1200, "ISK"), (2600, "EUR")]:
        in_browser = page.evaluate(FORMAT_IN_PAGE, [amount, currency])
        assert in_browser == format_money(amount, currency, locale="en"), currency
