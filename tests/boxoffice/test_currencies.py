"""Currency data from CLDR (Babel): digits, conversions and formatting for people."""

from decimal import Decimal

import pytest

from boxoffice.currencies import (
    NBSP,
    browser_money_format,
    check_currency,
    check_locale,
    format_money,
    format_rate,
    from_minor,
    minor_digits,
    to_minor,
)
from boxoffice.errors import Invalid


@pytest.mark.parametrize(
    ("currency", "digits"),
    [("EUR", 2), ("KWD", 3), ("BHD", 3), ("ISK", 0), ("JPY", 0), ("HUF", 0), ("TWD", 2)],
)
def test_minor_digits_are_cldrs(currency, digits):
    assert minor_digits(currency) == digits
    assert minor_digits(currency.lower()) == digits


@pytest.mark.parametrize(
    ("amount", "currency", "locale", "text"),
    [
        (2600, "EUR", "en", "€26.00"),
        (2600, "EUR", "de_DE", f"26,00{NBSP}€"),
        (5250, "KWD", "en", f"KWD{NBSP}5.250"),
        (1234567, "BHD", "en", f"BHD{NBSP}1,234.567"),
        (1200, "ISK", "en", f"ISK{NBSP}1,200"),
        (1200, "HUF", "en", f"HUF{NBSP}1,200"),
        (12000, "HUF", "hu", f"12{NBSP}000{NBSP}Ft"),
        (1200, "JPY", "en", "¥1,200"),
        (1200, "JPY", "ja", "￥1,200"),
    ],
)
def test_format_money_for_people(amount, currency, locale, text):
    assert format_money(amount, currency, locale=locale) == text


def test_decimal_conversions_round_trip_per_currency():
    assert from_minor(2600, "EUR") == Decimal("26.00")
    assert from_minor(5250, "KWD") == Decimal("5.250")
    assert from_minor(1200, "JPY") == Decimal("1200")
    assert to_minor(Decimal("26"), "EUR") == 2600
    assert to_minor(Decimal("5.25"), "KWD") == 5250
    assert to_minor(Decimal("1200"), "ISK") == 1200
    assert to_minor(Decimal("0.005"), "EUR") == 1  # half-up to the minor unit


def test_browser_gets_the_same_digits_as_the_server():
    assert browser_money_format(["kwd", "JPY", "EUR"], locale="pt_BR") == {
        "locale": "pt-BR",
        "digits": {"KWD": 3, "JPY": 0, "EUR": 2},
    }


def test_currency_and_locale_are_checked_against_cldr():
    assert check_currency(" kwd ") == "KWD"
    assert check_locale("pt-BR") == "pt_BR"
    for bad in ("EU", "ZZZ", "€€€", ""):
        with pytest.raises(Invalid) as refused:
            check_currency(bad)
        assert refused.value.code == "invalid_currency"
    for bad in ("xx_YY", "", "not a locale", "\x00"):
        with pytest.raises(Invalid) as refused:
            check_locale(bad)
        assert refused.value.code == "invalid_locale"


@pytest.mark.parametrize(
    ("rate", "locale", "text"),
    [
        ("10.00", "en", "10%"),
        ("19.00", "de", "19%"),
        ("7.50", "en", "7.5%"),
        ("7.50", "de", "7,5%"),
    ],
)
def test_a_tax_rate_is_written_as_people_write_it(rate, locale, text):
    assert format_rate(Decimal(rate), locale=locale) == text
