"""Reports and the orders list for the organizer: staff may read, only admins export personal
data in bulk (the CSV)."""

import csv
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, StreamingHttpResponse
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from boxoffice.currencies import from_minor
from boxoffice.errors import Invalid
from boxoffice.events.models import Event
from boxoffice.events.selectors import event_by_id
from boxoffice.inputs import Pagination
from boxoffice.money_api import CurrencyScope, MinorAmount
from boxoffice.sales import reports
from boxoffice.sales.error_codes import ErrorCode
from boxoffice.sales.models import Order
from boxoffice.times import format_time, zone_of
from tenants.permissions import require_role
from tenants.roles import Role

router = Router(tags=["reports"])

# A spreadsheet runs a cell that starts like a formula; an apostrophe makes it plain text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
EXPORT_CHUNK = 2000


class EventBrief(Schema):
    id: str
    slug: str
    title: str
    status: str
    starts_at: datetime
    timezone: str


class RevenueOut(Schema):
    gross: MinorAmount = Field(..., description="Totals of every order ever paid (minor units)")
    refunds: MinorAmount = Field(..., description="Given back on those orders")
    net: MinorAmount


class TicketTypeCountOut(Schema):
    code: str
    name: str
    sold: int = Field(..., description="Active tickets of paid orders")
    revenue: MinorAmount


class CategoryReportOut(Schema):
    key: str
    name: str
    color: str
    capacity: int
    sold: int
    held: int
    blocked: int
    available: int = Field(..., description="Lapsed holds count as available")
    occupancy: float = Field(..., description="Sold places in percent of capacity")
    revenue: MinorAmount = Field(..., description="What the tickets still sold in it cost")
    ticket_types: list[TicketTypeCountOut]


class OrdersByStatusOut(Schema):
    total: int
    by_status: dict[str, int]


class DayOut(Schema):
    date: date
    orders: int = Field(..., description="Orders paid that day (event's local date)")
    tickets: int = Field(..., description="Tickets of those orders still active")
    net_revenue: MinorAmount = Field(..., description="Paid that day, less what was refunded of it")


class EventReportOut(CurrencyScope):
    event: EventBrief
    currency: str
    revenue: RevenueOut
    tickets_sold: int
    capacity: int
    seats_sold: int
    occupancy: float
    orders: OrdersByStatusOut
    categories: list[CategoryReportOut]
    ticket_types: list[TicketTypeCountOut]
    daily: list[DayOut]


class OrderFilters(Schema):
    q: str | None = Field(None, description="Order code, or part of an email or a name")
    event: str | None = Field(None, description="Event id or slug")
    status: str | None = None
    disputed: bool | None = Field(None, description="Only orders with a chargeback (or without)")


class OrderEventOut(Schema):
    id: str = Field(..., alias="uid")
    slug: str
    title: str


class OrderListOut(CurrencyScope):
    code: str
    status: str
    email: str
    name: str
    event: OrderEventOut
    currency: str
    subtotal: MinorAmount
    discount: MinorAmount
    fees: MinorAmount
    tax: MinorAmount
    total: MinorAmount
    refunded: MinorAmount
    tickets: int = Field(..., alias="active_tickets", description="Tickets still active")
    created_at: datetime
    paid_at: datetime | None
    disputed_at: datetime | None
    dispute_status: str = Field("", description="The provider's dispute status, when disputed")


def _event(identifier: str) -> Event:
    # PostgreSQL refuses NUL in text; an identifier holding one names no event.
    return event_by_id(identifier.replace("\x00", ""), include_unpublished=True)


@router.get(
    "/reports/events/{event_id}",
    response=EventReportOut,
    summary="Revenue, tickets and occupancy of an event by category (staff)",
)
def event_report(request: HttpRequest, event_id: str) -> dict[str, Any]:
    require_role(request, Role.STAFF)
    event = _event(event_id)
    return {**reports.event_report(event), "currency": request.tenant.currency}


def _filters(filters: OrderFilters) -> dict[str, Any]:
    if filters.status and filters.status not in Order.Status.values:
        raise Invalid(
            "No such order status.",
            code=ErrorCode.INVALID_STATUS,
            allowed=list(Order.Status.values),
        )
    event = _event(filters.event) if filters.event else None
    q = (filters.q or "").replace("\x00", "")  # PostgreSQL refuses NUL in text
    return {"q": q, "event": event, "status": filters.status, "disputed": filters.disputed}


@router.get(
    "/orders",
    response=list[OrderListOut],
    summary="Orders, newest first, by code, email or name (staff)",
)
@paginate(Pagination)
def list_orders(request: HttpRequest, filters: Query[OrderFilters]) -> QuerySet[Order]:
    require_role(request, Role.STAFF)
    return reports.orders_for_organizer(**_filters(filters))


class _Echo:
    """A file-like object that hands back what csv.writer writes, for streaming."""

    def write(self, value: str) -> str:
        return value


HEADERS = [header for header, _ in reports.EXPORT_COLUMNS]
ZONE_COLUMN = HEADERS.index("timezone")
CURRENCY_COLUMN = HEADERS.index("currency")
MONEY_INDEXES = frozenset(HEADERS.index(name) for name in reports.MONEY_COLUMNS)


def _cell(value: Any, zone: str) -> Any:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return format_time(value, zone, "iso")
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_lines(rows: Iterable[tuple]) -> Iterator[str]:
    """Times in each row's event zone (its `timezone` column), with the offset; amounts as
    decimals in the row's currency (its `currency` column)."""
    writer = csv.writer(_Echo())
    yield writer.writerow(HEADERS)
    for row in rows:
        zone, currency = row[ZONE_COLUMN], row[CURRENCY_COLUMN]
        yield writer.writerow(
            [
                from_minor(value, currency)
                if index in MONEY_INDEXES and value is not None
                else _cell(value, zone)
                for index, value in enumerate(row)
            ]
        )


@router.get(
    "/orders.csv",
    summary="Every order item as CSV, with the list's filters (admin: personal data)",
    openapi_extra={"responses": {200: {"content": {"text/csv": {}}}}},
)
def export_orders(request: HttpRequest, filters: Query[OrderFilters]) -> StreamingHttpResponse:
    require_role(request, Role.ADMIN)
    chosen = _filters(filters)
    organizer = request.tenant
    zone = zone_of(organizer)
    rows = reports.order_export_rows(**chosen).iterator(chunk_size=EXPORT_CHUNK)
    response = StreamingHttpResponse(csv_lines(rows), content_type="text/csv; charset=utf-8")
    parts = [organizer.slug, "orders"]
    if chosen["event"] is not None:
        parts.append(chosen["event"].slug)
    parts.append(timezone.now().astimezone(zone).date().isoformat())
    response["Content-Disposition"] = f'attachment; filename="{"-".join(parts)}.csv"'
    response["Cache-Control"] = "no-store"
    return response
