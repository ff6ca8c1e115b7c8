"""Order arithmetic in integer minor units: discounts, per-ticket fees and tax, per item.

Every amount is worked out per ticket, so that refunding one ticket gives back exactly what that
ticket cost, and the order's lines are the sums of its items' lines.

The rounding rule: everything worked out from a percentage that is charged or refunded (percent
discounts, tax added on top, refund-policy shares) is rounded half up, per ticket, to the
currency's payable increment (`boxoffice.currencies.round_payable`: the minor unit, or 10 fils
for KWD and the other three-decimal currencies, whose last digit a card payment needs to be 0).
Prices, fees and fixed discounts are multiples of it already (refused at entry otherwise), so
every line of an order is payable. A fixed discount is shared out in proportion to the prices,
in whole increments, largest remainder first, so the shares add up to the discount exactly.
Tax included in the price is charged as part of the price, so it is kept to the minor unit.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from boxoffice.currencies import payable_increment, round_payable


@dataclass(frozen=True)
class Discount:
    kind: str  # "percent" or "fixed", as PromoCode.Kind
    value: int


@dataclass(frozen=True)
class ItemAmounts:
    price: int
    discount: int
    fee: int
    tax: int
    total: int


@dataclass(frozen=True)
class Breakdown:
    items: list[ItemAmounts]
    subtotal: int
    discount: int
    fees: int
    tax: int
    total: int


def _round(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def share_out(amount: int, weights: list[int]) -> list[int]:
    """Split `amount` in proportion to `weights`; the parts add up to `amount` exactly."""
    whole = sum(weights)
    if whole == 0:
        return [0] * len(weights)
    exact = [Decimal(amount) * weight / whole for weight in weights]
    parts = [int(value) for value in exact]
    by_remainder = sorted(range(len(weights)), key=lambda i: (parts[i] - exact[i], i))
    for index in by_remainder[: amount - sum(parts)]:
        parts[index] += 1
    return parts


def discounts(prices: list[int], discount: Discount | None, *, currency: str) -> list[int]:
    if discount is None:
        return [0] * len(prices)
    if discount.kind == "percent":
        return [round_payable(Decimal(price) * discount.value / 100, currency) for price in prices]
    step = payable_increment(currency)
    whole = min(discount.value, sum(prices)) // step
    return [part * step for part in share_out(whole, prices)]


def tax_on(base: int, *, rate: Decimal, inclusive: bool, currency: str) -> int:
    """The tax in `base`, or on top of it: 119 at 19% inclusive holds 19; 100 exclusive adds 19
    (rounded to the payable increment, since it is charged as a line of its own)."""
    if rate == 0:
        return 0
    if inclusive:
        return base - _round(Decimal(base) * 100 / (100 + rate))
    return round_payable(Decimal(base) * rate / 100, currency)


def break_down(
    prices: list[int],
    *,
    discount: Discount | None,
    fee_per_ticket: int,
    tax_rate: Decimal,
    tax_inclusive: bool,
    currency: str,
) -> Breakdown:
    """What each ticket costs: price - discount + fee, taxed (tax is part of that when inclusive,
    added to it when exclusive)."""
    items = []
    for price, off in zip(prices, discounts(prices, discount, currency=currency), strict=True):
        base = price - off + fee_per_ticket
        tax = tax_on(base, rate=tax_rate, inclusive=tax_inclusive, currency=currency)
        total = base if tax_inclusive else base + tax
        items.append(
            ItemAmounts(price=price, discount=off, fee=fee_per_ticket, tax=tax, total=total)
        )
    return Breakdown(
        items=items,
        subtotal=sum(item.price for item in items),
        discount=sum(item.discount for item in items),
        fees=sum(item.fee for item in items),
        tax=sum(item.tax for item in items),
        total=sum(item.total for item in items),
    )


def refund_share(amount: int, percent: int, *, currency: str) -> int:
    """`percent` of `amount`, rounded half up to the payable increment (what a refund policy
    tier gives back; never more than `amount`, itself a multiple of the increment)."""
    return round_payable(Decimal(amount) * percent / 100, currency)
