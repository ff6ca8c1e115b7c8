"""Stripe's unit amounts from our (CLDR) minor units: one function, both ways."""

import pytest

from boxoffice.errors import Invalid
from boxoffice.payments.stripe_units import from_stripe_units, stripe_units


@pytest.mark.parametrize(
    ("amount", "currency", "units"),
    [
        (1200, "JPY", 1200),  # zero-decimal in both
        (5250, "KWD", 5250),  # three-decimal in both
        (1200, "ISK", 120000),  # CLDR: whole krónur; Stripe: two-decimal, multiples of 100
        (1200, "HUF", 120000),  # the same for the forint
        (2600, "EUR", 2600),
        (2600, "TWD", 2600),
    ],
)
def test_stripe_units_and_back(amount, currency, units):
    assert stripe_units(amount, currency) == units
    assert stripe_units(amount, currency.lower()) == units
    assert from_stripe_units(units, currency) == amount


def test_three_decimal_amounts_stripe_cannot_take_are_refused_or_rounded_down():
    with pytest.raises(Invalid) as refused:
        stripe_units(5255, "KWD")
    assert refused.value.code == "amount_not_chargeable"
    assert stripe_units(5255, "KWD", round_down=True) == 5250


def test_fractions_of_our_minor_unit_are_not_amounts_of_ours():
    with pytest.raises(Invalid):
        from_stripe_units(120050, "ISK")
