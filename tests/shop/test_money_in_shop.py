"""The shop's amounts follow the currency's CLDR digits: the max-price filter reads what the
customer types in the currency's own unit, and the page hands the same digits to the JavaScript."""

import json
import re

import pytest
from django.db import connection
from django.test import Client

from tests.builders.events import on_sale_event
from tests.builders.organizers import host_of, make_organizer

pytestmark = pytest.mark.django_db


def shop(currency: str, locale: str = "en") -> Client:
    organizer = make_organizer(f"shop{currency.lower()}", currency=currency)
    organizer.locale = locale
    organizer.save()
    # Adults 5000, children 2500 minor units: from 2,500 JPY, from 2.500 KWD.
    on_sale_event(organizer, rows=1, seats=2, title="Gala")
    connection.set_schema_to_public()
    return Client(HTTP_HOST=host_of(organizer))


def listed(client: Client, price_max: str) -> bool:
    return "Gala" in client.get("/", {"price_max": price_max}).content.decode()


def test_max_price_in_yen_is_whole_yen():
    client = shop("JPY")
    assert not listed(client, "2000")
    assert listed(client, "2500") and listed(client, "3000")
    assert 'step="1"' in client.get("/").content.decode()


def test_max_price_in_dinars_has_three_decimals():
    client = shop("KWD")
    assert not listed(client, "2")
    assert not listed(client, "2.499")
    assert listed(client, "2.5") and listed(client, "3")
    assert 'step="0.001"' in client.get("/").content.decode()


def test_max_price_that_is_not_an_amount_filters_nothing():
    client = shop("EUR")
    for junk in ("abc", "NaN", "-Infinity", "1e400", "9" * 40):
        answer = client.get("/", {"price_max": junk})
        assert answer.status_code == 200 and "Gala" in answer.content.decode()
    assert not listed(client, "24.99") and listed(client, "25,00")


def money_format(html: str) -> dict:
    found = re.search(r'<script id="money-format" type="application/json">(.*?)</script>', html)
    assert found, "the page carries the server's currency digits"
    return json.loads(found.group(1))


@pytest.mark.parametrize(
    ("currency", "locale", "digits"), [("KWD", "en", 3), ("ISK", "is", 0), ("HUF", "de_DE", 0)]
)
def test_shop_pages_carry_the_servers_digits_and_locale(currency, locale, digits):
    client = shop(currency, locale)
    html = client.get("/").content.decode()
    assert money_format(html) == {"locale": locale.replace("_", "-"), "digits": {currency: digits}}


def test_the_event_list_writes_prices_in_the_organizers_locale():
    client = shop("EUR", "de_DE")
    html = client.get("/").content.decode()
    assert "25,00\xa0€" in html
