"""Order arithmetic and refund policy arithmetic (pure functions)."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from boxoffice.errors import Invalid
from boxoffice.events.refund_policy import check_policy, refund_percent
from boxoffice.sales.money import Discount, break_down, refund_share, share_out, tax_on


def test_share_out_adds_up_exactly_and_favours_larger_remainders():
    assert sorted(share_out(100, [1, 1, 1])) == [33, 33, 34]
    assert sum(share_out(1001, [5000, 5000, 2500])) == 1001
    assert share_out(10, [0, 0]) == [0, 0]


def test_percent_discount_fee_and_exclusive_tax_per_ticket():
    result = break_down(
        [5000, 2500], discount=Discount("percent", 10), fee_per_ticket=200,
        tax_rate=Decimal("19"), tax_inclusive=False, currency="EUR",
    )  # fmt: skip
    first, second = result.items
    assert (first.discount, first.fee, first.tax, first.total) == (500, 200, 893, 5593)
    assert (second.discount, second.tax, second.total) == (250, 466, 2916)  # 465.5 half up
    assert result.total == first.total + second.total
    assert result.subtotal - result.discount + result.fees + result.tax == result.total


def test_inclusive_tax_is_inside_the_price():
    assert tax_on(11900, rate=Decimal("19"), inclusive=True, currency="EUR") == 1900
    assert tax_on(10000, rate=Decimal("19"), inclusive=False, currency="EUR") == 1900
    result = break_down([11900], discount=None, fee_per_ticket=0, tax_rate=Decimal("19"),
                        tax_inclusive=True, currency="EUR")  # fmt: skip
    assert (result.total, result.tax) == (11900, 1900)


def test_a_fixed_discount_never_exceeds_the_prices():
    result = break_down([1000, 500], discount=Discount("fixed", 5000), fee_per_ticket=100,
                        tax_rate=Decimal(0), tax_inclusive=True, currency="EUR")  # fmt: skip
    assert result.discount == 1500 and result.total == 200  # only the fees are left


def test_refund_policy_tiers():
    policy = check_policy([{"days_before": 3, "percent": 50}, {"days_before": 14, "percent": 100}])
    assert policy[0] == {"days_before": 14, "percent": 100}
    start = datetime(2027, 6, 30, 20, tzinfo=UTC)
    assert refund_percent(policy, starts_at=start, at=start - timedelta(days=20)) == 100
    assert refund_percent(policy, starts_at=start, at=start - timedelta(days=14)) == 100
    assert refund_percent(policy, starts_at=start, at=start - timedelta(days=13, hours=23)) == 50
    assert refund_percent(policy, starts_at=start, at=start - timedelta(days=2)) == 0
    assert refund_percent([], starts_at=start, at=start - timedelta(days=300)) == 0
    assert refund_share(10001, 50, currency="EUR") == 5001  # half-up


@pytest.mark.parametrize(
    "policy",
    [
        "all",
        [{"days_before": -1, "percent": 50}],
        [{"days_before": 3, "percent": 101}],
        [{"days_before": 3, "percent": 50}, {"days_before": 3, "percent": 20}],
    ],
)
def test_bad_refund_policies_are_refused(policy):
    with pytest.raises(Invalid) as refused:
        check_policy(policy)
    assert refused.value.code == "invalid_refund_policy"
