"""Currency data, from one source: CLDR through Babel.

Amounts are kept as integers in a currency's minor unit, and the minor unit is CLDR's: 2 digits
for EUR (2600 = 26.00 EUR), 3 for KWD and BHD (5250 = 5.250 KWD), 0 for JPY, ISK and HUF
(1200 = 1,200 JPY; CLDR 42 and later give the forint no minor unit, as ISO's cash practice).
Everything that turns minor units into something a person reads or types goes through here:
the server's formatting (Babel with the organizer's locale), the console's decimal inputs, the
shop's filters, and the digits the shop's JavaScript formats with (`browser_money_format`), so
server and browser agree.

What a card payment can take is currency data too, kept here because prices, fees and promo
values are refused at entry by it (events, sales) and the payments app converts by it: Stripe's
unit amount per currency (https://docs.stripe.com/currencies: zero-decimal, three-decimal, and
two-decimal for the rest) and, from it, `payable_increment`, the one step every charged amount
moves by (10 fils for KWD: Stripe takes 5.250 KWD, never 5.255). Conversion to Stripe's units
is `boxoffice.payments.stripe_units`.
"""

import math
import unicodedata
from decimal import ROUND_HALF_UP, Decimal

from babel import Locale, UnknownLocaleError
from babel.numbers import (
    format_currency,
    format_decimal,
    get_currency_precision,
    get_currency_symbol,
    is_currency,
)
from django.db import connection
from django_tenants.utils import get_tenant_model

from boxoffice.error_codes import ErrorCode
from boxoffice.errors import Invalid

DEFAULT_LOCALE = "en"
NBSP = "\u00a0"


def minor_digits(currency: str) -> int:
    """How many decimal digits the minor unit has (CLDR): EUR 2, KWD 3, JPY 0."""
    return get_currency_precision(currency.upper())


def from_minor(amount: int, currency: str) -> Decimal:
    """2600 EUR -> Decimal("26.00"); 5250 KWD -> Decimal("5.250"); 1200 JPY -> Decimal("1200")."""
    digits = minor_digits(currency)
    return Decimal(int(amount)).scaleb(-digits).quantize(Decimal(1).scaleb(-digits))


def to_minor(value: Decimal, currency: str) -> int:
    """A decimal amount a person typed, in minor units, rounded half-up to the minor unit:
    Decimal("26") EUR -> 2600, Decimal("5.25") KWD -> 5250, Decimal("1200") JPY -> 1200."""
    scaled = Decimal(value).scaleb(minor_digits(currency))
    return int(scaled.quantize(Decimal(1), rounding=ROUND_HALF_UP))


# Stripe's unit amounts (https://docs.stripe.com/currencies), which are not always CLDR's minor
# units: see boxoffice.payments.stripe_units for the conversion.
STRIPE_ZERO_DECIMAL = frozenset(
    {"BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF", "UGX", "VND", "VUV",
     "XAF", "XOF", "XPF"}
)  # fmt: skip
# Three decimals in Stripe's API, but the last one must be 0 (5.250 KWD, never 5.255).
STRIPE_THREE_DECIMAL = frozenset({"BHD", "JOD", "KWD", "OMR", "TND"})


def stripe_exponent(currency: str) -> int:
    """Decimal digits of Stripe's unit amount for `currency`."""
    currency = currency.upper()
    if currency in STRIPE_ZERO_DECIMAL:
        return 0
    if currency in STRIPE_THREE_DECIMAL:
        return 3
    return 2


def payable_increment(currency: str) -> int:
    """The step, in our minor units, of every amount a card payment in `currency` can take: 10
    for BHD, JOD, KWD, OMR and TND (5250 fils is payable, 5255 is not), 1 for the others (ISK's
    and HUF's whole units are a hundred of Stripe's). Prices, fees and promo values are refused
    at entry unless they are multiples of it, and what is worked out from a percentage is
    rounded to it (`round_payable`), so an order's every line is payable."""
    currency = currency.upper()
    shift = stripe_exponent(currency) - minor_digits(currency)
    stripe_step = 10 if currency in STRIPE_THREE_DECIMAL else 1  # in Stripe's units
    if shift >= 0:
        return stripe_step // math.gcd(stripe_step, 10**shift)
    return 10**-shift * stripe_step


def is_payable(amount: int, currency: str) -> bool:
    return amount % payable_increment(currency) == 0


def round_payable(value: Decimal | int, currency: str) -> int:
    """`value` in minor units (a fraction, when worked out from a percentage) rounded half up
    to the payable increment: the one rounding rule for discounts, tax, refund shares and price
    changes by a percentage. 1234.5 EUR cents -> 1235; 5255 fils -> 5260, 5254 -> 5250."""
    step = payable_increment(currency)
    return int((Decimal(value) / step).quantize(Decimal(1), rounding=ROUND_HALF_UP)) * step


def payable_rule(currency: str) -> str:
    """The rule `payable_increment` sets, for people: "Amounts in KWD must be multiples of
    0.010 KWD (the last decimal 0): card payments cannot take anything in between." """
    currency = currency.upper()
    step = payable_increment(currency)
    zeros = len(str(step)) - 1
    last = "the last decimal 0" if zeros == 1 else f"the last {zeros} decimals 0"
    return (
        f"Amounts in {currency} must be multiples of {from_minor(step, currency)} {currency} "
        f"({last}): card payments cannot take anything in between."
    )


def check_payable(amount: int, currency: str, *, what: str = "The amount") -> int:
    """`amount` when a card payment can take it, else `amount_not_payable` (422) naming the
    rule: "The fee per ticket 0.255 KWD cannot be paid by card. Amounts in KWD must be ..." """
    if is_payable(amount, currency):
        return amount
    raise Invalid(
        f"{what} {from_minor(amount, currency)} {currency.upper()} cannot be paid by card. "
        + payable_rule(currency),
        code=ErrorCode.AMOUNT_NOT_PAYABLE,
        amount=amount,
        currency=currency.upper(),
        increment=payable_increment(currency),
    )


def check_currency(code: str) -> str:
    """An ISO 4217 code CLDR knows, upper-cased; anything else is `invalid_currency`."""
    code = (code or "").strip().upper()
    if not (len(code) == 3 and code.isascii() and code.isalpha() and is_currency(code)):
        raise Invalid(
            "Currency must be a three-letter ISO 4217 code.", code=ErrorCode.INVALID_CURRENCY
        )
    return code


def check_locale(name: str) -> str:
    """A CLDR locale identifier such as `en`, `de_DE` or `pt-BR`, as Babel spells it (`pt_BR`)."""
    try:
        return str(Locale.parse((name or "").strip().replace("-", "_")))
    except (ValueError, TypeError, UnknownLocaleError) as exc:
        raise Invalid(
            "Locale must be a language tag such as en, de_DE or pt_BR.",
            code=ErrorCode.INVALID_LOCALE,
        ) from exc


def _current_organizer_setting(name: str, default: str) -> str:
    tenant = getattr(connection, "tenant", None)
    value = getattr(tenant, name, None)
    if value:
        return value
    # The tenant model by django-tenants' setting, not by import: this module imports no app.
    schema = getattr(connection, "schema_name", None)
    value = (
        get_tenant_model().objects.filter(schema_name=schema).values_list(name, flat=True).first()
        or default
    )
    if tenant is not None:
        # schema_context's stand-in tenant lives as long as that context: ask once per task.
        setattr(tenant, name, value)
    return value


def current_locale() -> str:
    """The locale of the organizer whose schema is active (request or task); `en` elsewhere."""
    return _current_organizer_setting("locale", DEFAULT_LOCALE)


def current_currency() -> str:
    """The currency of the organizer whose schema is active: its prices and fees are in it."""
    return _current_organizer_setting("currency", "EUR")


def _spaced(text: str, symbol: str) -> str:
    """CLDR's currencySpacing, which Babel does not apply: a currency sign that ends (or starts)
    in a letter gets a no-break space next to the digits, "KWD 5.250" rather than "KWD5.250"
    (browsers' Intl does the same, so server and shop print alike)."""

    def letter(char: str) -> bool:
        return unicodedata.category(char)[0] not in "SZ"

    if not symbol:
        return text
    index = text.find(symbol)
    if index < 0:
        return text
    end = index + len(symbol)
    if end < len(text) and text[end].isdigit() and letter(symbol[-1]):
        return text[:end] + NBSP + text[end:]
    if index > 0 and text[index - 1].isdigit() and letter(symbol[0]):
        return text[:index] + NBSP + text[index:]
    return text


def format_money(amount: int, currency: str, *, locale: str | None = None) -> str:
    """For people: 2600 EUR -> "€26.00" (en) or "26,00 €" (de); 5250 KWD -> "KWD 5.250";
    1200 JPY -> "¥1,200". The locale is the current organizer's unless given."""
    currency = currency.upper()
    locale = locale or current_locale()
    text = format_currency(from_minor(amount, currency), currency, locale=locale)
    return _spaced(text, get_currency_symbol(currency, locale=locale))


def format_rate(rate: Decimal, *, locale: str | None = None) -> str:
    """A percentage rate (tax) for people: 19.00 -> "19%", 7.50 -> "7.5%" (en) or "7,5%" (de).
    Stored rates carry two decimals; `Decimal.normalize()` would print 10.00 as "1E+1"."""
    return f"{format_decimal(rate, locale=locale or current_locale())}%"


def browser_money_format(currencies: list[str], *, locale: str | None = None) -> dict:
    """What the shop's JavaScript formats with (boxoffice/shop/static/shop/money.js): the
    locale as a BCP 47 tag and each currency's minor digits, from the same data as the server."""
    locale = locale or current_locale()
    return {
        "locale": locale.replace("_", "-"),
        "digits": {code.upper(): minor_digits(code) for code in currencies},
    }
