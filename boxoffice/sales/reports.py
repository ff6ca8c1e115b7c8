"""Reports for the organizer: what an event sold and earned, and the orders behind it.

Money rules (all amounts in minor units):
- gross is what customers paid: the totals of every order that was ever paid (`paid_at` is set),
  whatever became of it later (partially refunded, refunded, cancelled);
- refunds are what went back (`Order.refunded` of those orders); net = gross - refunds;
- tickets sold are the active items of paid or partially refunded orders. A category's or a
  ticket type's revenue is what those tickets cost, so the categories add up to net minus what
  was kept from cancellations (a customer cancelling under a 50% policy leaves half its money).
"""

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce, TruncDate

from boxoffice.events.models import Event, EventSeat
from boxoffice.events.prices import map_categories
from boxoffice.events.seat_rules import held_now
from boxoffice.sales.models import PAID_STATUSES, Order, OrderItem
from boxoffice.sales.order_access import normalize_order_code
from boxoffice.times import zone_of

ORDER_LIST_FIELDS = (
    *("code", "status", "email", "name", "currency", "created_at", "paid_at", "disputed_at"),
    "dispute_status",
    *("subtotal", "discount", "fees", "tax", "total", "refunded"),
    *("event__uid", "event__slug", "event__title"),
)

# Order columns of the CSV export, then the item's: one row per order item.
EXPORT_COLUMNS = (
    ("order_code", "order__code"),
    ("created", "order__created_at"),
    ("status", "order__status"),
    ("email", "order__email"),
    ("name", "order__name"),
    ("event", "order__event__title"),
    ("event_starts", "order__event__starts_at"),
    # Every time in a row is in this zone (the event's), written with its offset.
    ("timezone", "order__event__timezone"),
    ("seat", "label"),
    ("category", "category"),  # the key, for filters and the API
    ("category_name", "category_name"),
    ("ticket_type", "ticket_type_name"),
    ("currency", "order__currency"),
    ("price", "price"),
    ("discount", "discount"),
    ("fee", "fee"),
    ("tax", "tax"),
    ("total", "total"),
    ("item_status", "status"),
    ("paid_at", "order__paid_at"),
    ("order_refunded", "order__refunded"),
)
# Written as decimal amounts in the row's currency (26.00 EUR, 5.250 KWD, 1200 JPY), not minor
# units: a spreadsheet reader sums them as they are.
MONEY_COLUMNS = frozenset({"price", "discount", "fee", "tax", "total", "order_refunded"})


def _percent(part: int, whole: int) -> float:
    return round(100 * part / whole, 1) if whole else 0.0


def _seat_counts(event: Event) -> dict[str, dict[str, int]]:
    """Per category: capacity and places by status; a lapsed hold counts as available."""
    rows = (
        EventSeat.objects.filter(event=event)
        .values("category")
        .annotate(
            capacity=Count("id"),
            sold=Count("id", filter=Q(status=EventSeat.Status.SOLD)),
            held=Count("id", filter=held_now()),
            blocked=Count("id", filter=Q(status=EventSeat.Status.BLOCKED)),
        )
        .order_by("category")
    )
    return {
        row["category"]: {
            "capacity": row["capacity"],
            "sold": row["sold"],
            "held": row["held"],
            "blocked": row["blocked"],
            "available": row["capacity"] - row["sold"] - row["held"] - row["blocked"],
        }
        for row in rows
    }


def _daily(
    tickets_by_day: dict[date, int], orders_by_day: dict[date, dict[str, int]]
) -> list[dict[str, Any]]:
    """Every day from the first sale to the last (days without sales as zeros, for charts)."""
    days = set(tickets_by_day) | set(orders_by_day)
    if not days:
        return []
    first, last = min(days), max(days)
    series = []
    for offset in range((last - first).days + 1):
        day = first + timedelta(days=offset)
        orders = orders_by_day.get(day, {"orders": 0, "net": 0})
        series.append(
            {
                "date": day,
                "orders": orders["orders"],
                "tickets": tickets_by_day.get(day, 0),
                "net_revenue": orders["net"],
            }
        )
    return series


def event_report(event: Event) -> dict[str, Any]:
    """Revenue, tickets, occupancy by category, ticket types, orders by status and daily sales
    of one event, in four queries. Days are the event's local dates of payment."""
    zone = zone_of(event)
    seats = _seat_counts(event)

    # Tickets still sold, by category, ticket type and day paid.
    sold_items = (
        OrderItem.objects.filter(
            order__event=event,
            order__status__in=PAID_STATUSES,
            status=OrderItem.Status.ACTIVE,
        )
        .annotate(day=TruncDate("order__paid_at", tzinfo=zone))
        .values("category", "ticket_type", "ticket_type_name", "day")
        .annotate(tickets=Count("id"), revenue=Sum("total"))
        .order_by()
    )
    by_category: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
    by_type: dict[str, dict[str, Any]] = {}
    tickets_by_day: dict[date, int] = defaultdict(int)
    for row in sold_items:
        for bucket in (by_category[row["category"]], by_type):
            entry = bucket.setdefault(
                row["ticket_type"],
                {"code": row["ticket_type"], "name": row["ticket_type_name"], "sold": 0,
                 "revenue": 0},
            )  # fmt: skip
            entry["sold"] += row["tickets"]
            entry["revenue"] += row["revenue"]
        if row["day"] is not None:
            tickets_by_day[row["day"]] += row["tickets"]

    # Every order by status, with money of the ever-paid ones by the day they were paid.
    ever_paid = Q(paid_at__isnull=False)
    order_rows = (
        Order.objects.filter(event=event)
        .annotate(day=TruncDate("paid_at", tzinfo=zone))
        .values("status", "day")
        .annotate(
            orders=Count("id"),
            paid_orders=Count("id", filter=ever_paid),
            gross=Sum("total", filter=ever_paid, default=0),
            refunded=Sum("refunded", filter=ever_paid, default=0),
        )
        .order_by()
    )
    by_status = {status: 0 for status in Order.Status.values}
    gross = refunds = 0
    orders_by_day: dict[date, dict[str, int]] = defaultdict(lambda: {"orders": 0, "net": 0})
    for row in order_rows:
        by_status[row["status"]] += row["orders"]
        gross += row["gross"]
        refunds += row["refunded"]
        if row["day"] is not None:
            orders_by_day[row["day"]]["orders"] += row["paid_orders"]
            orders_by_day[row["day"]]["net"] += row["gross"] - row["refunded"]

    known = map_categories(event)
    keys = [category["key"] for category in known if category["key"] in seats]
    keys += sorted(set(seats) - set(keys))  # a category missing from the map's legend
    names = {category["key"]: category for category in known}
    categories = []
    for key in keys:
        counts = seats[key]
        types = list(by_category.get(key, {}).values())
        categories.append(
            {
                "key": key,
                "name": names.get(key, {}).get("name", key),
                "color": names.get(key, {}).get("color", ""),
                **counts,
                "occupancy": _percent(counts["sold"], counts["capacity"]),
                "revenue": sum(entry["revenue"] for entry in types),
                "ticket_types": types,
            }
        )
    capacity = sum(counts["capacity"] for counts in seats.values())
    sold = sum(counts["sold"] for counts in seats.values())
    return {
        "event": {
            "id": event.uid,
            "slug": event.slug,
            "title": event.title,
            "status": event.status,
            "starts_at": event.starts_at,
            "timezone": event.timezone,
        },
        "revenue": {"gross": gross, "refunds": refunds, "net": gross - refunds},
        "tickets_sold": sum(entry["sold"] for entry in by_type.values()),
        "capacity": capacity,
        "seats_sold": sold,
        "occupancy": _percent(sold, capacity),
        "orders": {"total": sum(by_status.values()), "by_status": by_status},
        "categories": categories,
        "ticket_types": list(by_type.values()),
        "daily": _daily(tickets_by_day, orders_by_day),
    }


def _order_filter(
    *,
    q: str | None,
    event: Event | None,
    status: str | None,
    prefix: str = "",
    disputed: bool | None = None,
) -> Q:
    """The organizer's order filters, on Order (`prefix` "") or through a relation to it.
    `disputed`: only orders with a chargeback (True), or only those without (False)."""
    condition = Q()
    if event is not None:
        condition &= Q(**{f"{prefix}event": event})
    if status:
        condition &= Q(**{f"{prefix}status": status})
    if disputed is not None:
        condition &= Q(**{f"{prefix}disputed_at__isnull": not disputed})
    text = (q or "").strip()
    if text:
        code = normalize_order_code(text)
        condition &= (
            Q(**{f"{prefix}code": code})
            | Q(**{f"{prefix}email__icontains": text})
            | Q(**{f"{prefix}name__icontains": text})
        )
    return condition


def orders_for_organizer(
    *,
    q: str | None = None,
    event: Event | None = None,
    status: str | None = None,
    disputed: bool | None = None,
) -> QuerySet[Order]:
    """The organizer's orders, newest first, matching a code (exact, any case, hyphens ignored),
    part of an email or part of a name; with the number of tickets still active."""
    # A subquery rather than a join, so that the paginator's count reads the orders alone.
    active_tickets = (
        OrderItem.objects.filter(order=OuterRef("pk"), status=OrderItem.Status.ACTIVE)
        .values("order")
        .annotate(count=Count("id"))
        .values("count")
    )
    return (
        Order.objects.filter(_order_filter(q=q, event=event, status=status, disputed=disputed))
        .select_related("event")
        .only(*ORDER_LIST_FIELDS)
        .annotate(active_tickets=Coalesce(Subquery(active_tickets), 0))
        .order_by("-created_at", "-id")
    )


def order_export_rows(
    *,
    q: str | None = None,
    event: Event | None = None,
    status: str | None = None,
    disputed: bool | None = None,
) -> QuerySet:
    """Tuples in EXPORT_COLUMNS order, one per order item, newest order first. Iterate with
    `.iterator()`: an export of every order must not sit in memory at once."""
    return (
        OrderItem.objects.filter(
            _order_filter(q=q, event=event, status=status, prefix="order__", disputed=disputed)
        )
        .values_list(*(field for _, field in EXPORT_COLUMNS))
        .order_by("-order__created_at", "-order__id", "id")
    )
