"""Stripe's unit amounts, which are not always CLDR's minor units.

We keep amounts in CLDR's minor unit (boxoffice.currencies). Stripe's API takes "the smallest
currency unit" by its own table (https://docs.stripe.com/currencies), which differs in places:

- zero-decimal in Stripe (JPY, KRW, CLP, VND, UGX, XAF, ... below): 1200 JPY is `1200`, as CLDR.
- three-decimal (BHD, JOD, KWD, OMR, TND): 5.250 KWD is `5250`, as CLDR, and Stripe wants the
  last digit 0 (5.255 KWD cannot be charged).
- everything else is two-decimal in Stripe's API, including ISK and HUF, which CLDR gives no
  minor unit: 1,200 ISK is `120000` and must be a multiple of 100 (Stripe made ISK "effectively
  zero-decimal" in 2023 but kept its API two-decimal; HUF and TWD charge with two decimals and
  only pay out in whole units). So ISK and HUF are multiplied by 100 here, never sent as is.

Both providers speak these units: the Stripe provider on its requests, the sandbox in the
Stripe-format events it sends, and the webhook reads them back with `from_stripe_units`. The
table itself and the rule it sets for amounts (`payable_increment`) are currency data, kept in
boxoffice.currencies, where prices and fees are refused at entry by the same rule.
"""

from boxoffice.currencies import (
    STRIPE_THREE_DECIMAL,
    STRIPE_ZERO_DECIMAL,
    minor_digits,
    payable_increment,
    stripe_exponent,
)
from boxoffice.errors import Invalid
from boxoffice.payments.error_codes import ErrorCode

# Stripe's table lives with the currency data (boxoffice.currencies), where entry checks read it.
__all__ = ["STRIPE_THREE_DECIMAL", "STRIPE_ZERO_DECIMAL", "from_stripe_units", "stripe_units"]


def _not_chargeable(amount: int, currency: str) -> Invalid:
    return Invalid(
        f"{amount} minor units of {currency} cannot be charged through Stripe.",
        code=ErrorCode.AMOUNT_NOT_CHARGEABLE,
        amount=amount,
        currency=currency,
    )


def stripe_units(amount: int, currency: str, *, round_down: bool = False) -> int:
    """Our minor units -> Stripe's: 1200 JPY -> 1200, 5250 KWD -> 5250, 1200 ISK -> 120000,
    2600 EUR -> 2600. An amount Stripe cannot take (5255 KWD) is `amount_not_chargeable`,
    unless `round_down` (for what the platform keeps, where less is safe)."""
    currency = currency.upper()
    rest = amount % payable_increment(currency)
    if rest:
        if not round_down:
            raise _not_chargeable(amount, currency)
        amount -= rest
    shift = stripe_exponent(currency) - minor_digits(currency)
    return amount * 10**shift if shift >= 0 else amount // 10**-shift


def from_stripe_units(units: int, currency: str) -> int:
    """Stripe's unit amount -> our minor units (120000 ISK -> 1200); a fraction of our minor
    unit (120050 ISK) is `amount_not_chargeable`: no order of ours has such an amount."""
    currency = currency.upper()
    shift = stripe_exponent(currency) - minor_digits(currency)
    if shift <= 0:
        return units * 10**-shift
    amount, rest = divmod(units, 10**shift)
    if rest:
        raise _not_chargeable(units, currency)
    return amount
