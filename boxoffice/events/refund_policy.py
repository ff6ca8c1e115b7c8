"""An event's refund policy: what a customer gets back for cancelling, by how far ahead they are.

A policy is a list of tiers `{"days_before": N, "percent": P}`: cancelling at least N days before
the start gives back P percent. The tier with the largest N that is still ahead applies; when
none is, self-service cancellation is closed. `[]` means no self-service cancellation at all.
"""

from datetime import datetime, timedelta
from typing import Any

from boxoffice.errors import Invalid
from boxoffice.events.error_codes import ErrorCode

MAX_TIERS = 10


def check_policy(policy: Any) -> list[dict[str, int]]:
    """The policy in canonical form (tiers by days_before, largest first), or 422."""
    if not isinstance(policy, list) or len(policy) > MAX_TIERS:
        raise Invalid(
            f"A refund policy is a list of at most {MAX_TIERS} tiers.",
            code=ErrorCode.INVALID_REFUND_POLICY,
        )
    tiers = []
    for tier in policy:
        days, percent = (tier or {}).get("days_before"), (tier or {}).get("percent")
        if not (isinstance(days, int) and 0 <= days <= 3650):
            raise Invalid(
                "days_before must be 0-3650.", code=ErrorCode.INVALID_REFUND_POLICY, tier=tier
            )
        if not (isinstance(percent, int) and 0 <= percent <= 100):
            raise Invalid("percent must be 0-100.", code=ErrorCode.INVALID_REFUND_POLICY, tier=tier)
        tiers.append({"days_before": days, "percent": percent})
    tiers.sort(key=lambda tier: -tier["days_before"])
    if len({tier["days_before"] for tier in tiers}) != len(tiers):
        raise Invalid("Two tiers have the same days_before.", code=ErrorCode.INVALID_REFUND_POLICY)
    return tiers


def refund_percent(policy: list[dict[str, int]], *, starts_at: datetime, at: datetime) -> int:
    """The percent a cancellation at `at` gives back (0: closed)."""
    for tier in sorted(policy, key=lambda tier: -tier["days_before"]):
        if at <= starts_at - timedelta(days=tier["days_before"]):
            return tier["percent"]
    return 0
