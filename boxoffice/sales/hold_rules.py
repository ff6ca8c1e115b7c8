"""A hold's lifetime, written once and computed by the database (its clock decides whether
seats are still held: boxoffice/events/seat_rules.py).

A hold lasts the event's `hold_minutes` from when it starts or is last extended, and never more
than `LIFETIME_FACTOR` times that from its start. The frozen copy in `sales_start_hold`
(sales/migrations/0008) is checked against `expiry_sql` by tests/events/test_seat_rules.py.
"""

# A hold can be extended, but never to more than this many times its initial length.
LIFETIME_FACTOR = 3


def expiry_sql(minutes: str) -> str:
    """SQL for "`minutes` from now" on the database's clock; `minutes` is an SQL expression."""
    return f"now() + make_interval(mins => {minutes})"
