"""Showing amounts kept in minor units: 1250 EUR -> "12.50 EUR", 1250 JPY -> "1,250 JPY"."""

from decimal import Decimal

# ISO 4217 currencies whose minor unit is the unit itself (Stripe's zero-decimal list).
ZERO_DECIMAL = frozenset(
    {"BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF", "UGX", "VND", "VUV",
     "XAF", "XOF", "XPF"}
)  # fmt: skip


def minor_unit_digits(currency: str) -> int:
    return 0 if currency.upper() in ZERO_DECIMAL else 2


def format_money(amount: int, currency: str) -> str:
    digits = minor_unit_digits(currency)
    value = Decimal(amount).scaleb(-digits)
    return f"{value:,.{digits}f} {currency.upper()}"
