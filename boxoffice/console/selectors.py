"""Reads for the console's pages that no API answers yet: the dashboard's organizer-wide sums.
Per-event numbers come from boxoffice.sales.reports, as the reports API serves them."""

from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from boxoffice.events.models import Event
from boxoffice.sales.models import PAID_STATUSES, Order, OrderItem
from boxoffice.times import zone_of

UPCOMING_STATUSES = (Event.Status.DRAFT, Event.Status.ON_SALE, Event.Status.PAUSED)


def _sales(orders: QuerySet[Order]) -> dict[str, int]:
    totals = orders.aggregate(
        orders=Count("id"),
        gross=Sum("total", default=0),
        refunded=Sum("refunded", default=0),
    )
    tickets = OrderItem.objects.filter(
        order__in=orders.filter(status__in=PAID_STATUSES), status=OrderItem.Status.ACTIVE
    ).count()
    return {**totals, "net": totals["gross"] - totals["refunded"], "tickets": tickets}


def sales_summary(*, zone_name: str, now: datetime | None = None) -> dict[str, Any]:
    """Today's (the organizer's local day) and all-time sales of every ever-paid order."""
    zone = zone_of(zone_name)
    now = now or timezone.now()
    start_of_day = datetime.combine(now.astimezone(zone).date(), time.min, tzinfo=zone)
    ever_paid = Order.objects.filter(paid_at__isnull=False)
    return {
        "today": _sales(ever_paid.filter(paid_at__gte=start_of_day)),
        "total": _sales(ever_paid),
    }


def daily_revenue(
    *, zone_name: str, days: int = 30, now: datetime | None = None
) -> list[dict[str, Any]]:
    """Net revenue of orders paid on each of the last `days` local days, zeros included."""
    zone = zone_of(zone_name)
    today = (now or timezone.now()).astimezone(zone).date()
    first = today - timedelta(days=days - 1)
    rows = (
        Order.objects.filter(
            paid_at__gte=datetime.combine(first, time.min, tzinfo=zone),
        )
        .annotate(day=TruncDate("paid_at", tzinfo=zone))
        .values("day")
        .annotate(gross=Sum("total"), refunded=Sum("refunded"), orders=Count("id"))
        .order_by()
    )
    by_day: dict[date, dict[str, int]] = {
        row["day"]: {"net": row["gross"] - row["refunded"], "orders": row["orders"]} for row in rows
    }
    return [
        {"date": day, **by_day.get(day, {"net": 0, "orders": 0})}
        for day in (first + timedelta(days=offset) for offset in range(days))
    ]


def next_events(*, limit: int = 5, now: datetime | None = None) -> QuerySet[Event]:
    return (
        Event.objects.filter(Q(ends_at__gte=now or timezone.now()), status__in=UPCOMING_STATUSES)
        .select_related("venue")
        .order_by("starts_at", "id")[:limit]
    )
