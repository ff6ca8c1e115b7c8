"""The customer shop on an organizer's site: the event list, event pages with the live seat map,
and every page under /orders/<code>/ (reached with the order's secret, the link in every email):
the order, its printable tickets, its calendar file and its cancellation."""

from decimal import Decimal, InvalidOperation

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from boxoffice.currencies import from_minor, to_minor
from boxoffice.errors import DomainError
from boxoffice.events.models import Event
from boxoffice.events.selectors import event_by_id
from boxoffice.payments.presenters import order_out
from boxoffice.payments.services import refunds
from boxoffice.sales.models import Order
from boxoffice.sales.order_access import SECRET_PAGE_REFERRER_POLICY, find_order
from boxoffice.shop import selectors
from boxoffice.shop.calendar import order_calendar
from boxoffice.shop.error_codes import ErrorCode
from boxoffice.tickets.models import Ticket
from boxoffice.tickets.qr import ticket_qr_svg
from boxoffice.tickets.selectors import order_tickets
from tenants.selectors import organizer_url

WHEN_CHOICES = [
    ("", "Any date"),
    ("today", "Today"),
    ("week", "Next 7 days"),
    ("month", "Next 30 days"),
]


def _amount(value: str | None, currency: str) -> int | None:
    """A price typed in the currency's own unit ("12.50", "1200", "5.250"), in minor units;
    what is not a number (or absurdly large) filters nothing."""
    try:
        amount = Decimal((value or "").strip().replace(",", "."))
    except InvalidOperation:
        return None
    if not amount.is_finite() or not 0 <= amount < 10**12:
        return None
    return to_minor(amount, currency)


# How many days from today (each event's own today, in its zone) a date filter spans.
WHEN_DAYS = {"today": 1, "week": 7, "month": 30}


@require_GET
def event_list(request: HttpRequest) -> HttpResponse:
    """The organizer's events on sale, filtered by category, date, price and text. An htmx
    request (the filter form) gets only the results."""
    organizer = request.tenant
    filters = {
        "category": request.GET.get("category", ""),
        "when": request.GET.get("when", ""),
        "price_max": request.GET.get("price_max", ""),
        "q": request.GET.get("q", "").strip()[:100],
    }
    now = timezone.now()
    days = WHEN_DAYS.get(filters["when"])
    price_max = _amount(filters["price_max"], organizer.currency)
    events = list(
        selectors.event_listing(
            category=filters["category"] or None,
            # A date filter starts at midnight where each event is (tonight's show, begun or
            # not, is today's); without one, what has not begun.
            starts_after=None if days else now,
            local_days=(now, days) if days else None,
            price_max=price_max,
            text=filters["q"] or None,
        )[:100]
    )
    for event in events:
        event.sales = event.sales_state(now)
    context = {
        "events": events,
        "filters": filters,
        "categories": Event.Category.choices,
        "when_choices": WHEN_CHOICES,
        "filtered": any(filters.values()),
        # The step of the max-price box: one minor unit (0.01 EUR, 0.001 KWD, 1 JPY).
        "price_step": str(from_minor(1, organizer.currency)),
    }
    template = "shop/_event_results.html" if request.htmx else "shop/event_list.html"
    return render(request, template, context)


@require_GET
def event_page(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        event = event_by_id(slug)
    except DomainError as error:
        raise Http404(error.message) from error
    page = selectors.event_page(event)
    now = timezone.now()
    sales = event.sales_state(now)
    # Nothing left to click: the page says so instead of drawing a grey map.
    sold_out = sales == Event.Sales.OPEN and not selectors.places_left(event)
    on_sale = sales == Event.Sales.OPEN and not sold_out
    config = {
        "event": event.uid,
        "title": event.title,
        "currency": request.tenant.currency,
        "onSale": on_sale,
        "maxSeats": event.max_seats_per_order,
        "holdMinutes": event.hold_minutes,
        "categories": page["categories"],
        "ticketTypes": page["ticket_types"],
        "areas": page["areas"],
        "sections": page["sections"],
        "api": "/api/v1",
        # Named by the released access seats it draws, so a browser's cached copy cannot keep
        # showing a released wheelchair space as one.
        "map": f"/api/v1/events/{event.uid}/map.svg"
        + (f"?released={page['map_digest']}" if page["map_digest"] else ""),
    }
    return render(
        request,
        "shop/event.html",
        {
            "event": event,
            "page": page,
            "config": config,
            "on_sale": on_sale,
            "sales": sales,
            "sold_out": sold_out,
            # Counted from the server's clock, so a wrong clock on the phone cannot open early.
            "opens_in": (event.sales_start - now).total_seconds()
            if sales == Event.Sales.NOT_STARTED
            else None,
        },
    )


def _order(request: HttpRequest, code: str) -> Order:
    try:
        return find_order(code, request.GET.get("secret", ""))
    except DomainError as error:
        raise Http404(error.message) from error


def _ticket_entries(order: Order) -> list[dict]:
    """The order's tickets as its pages show them: a QR code for each valid one."""
    return [
        {
            "ticket": ticket,
            "valid": ticket.status == Ticket.Status.VALID,
            "qr_svg": ticket_qr_svg(ticket) if ticket.status == Ticket.Status.VALID else "",
        }
        for ticket in order_tickets(order)
    ]


@never_cache
def order_page(request: HttpRequest, code: str) -> HttpResponse:
    """The customer's order (the link in every email, and where payment returns to): status,
    seats, money lines, tickets with their QR codes, the calendar file and self-service
    cancellation when the refund policy allows it."""
    order = _order(request, code)
    response = render(
        request,
        "shop/order.html",
        {
            "order": order,
            "data": order_out(order, customer=True),
            "secret": request.GET.get("secret", ""),
            "tickets": _ticket_entries(order),
            "just_paid": "paid" in request.GET,
            "cancelled_checkout": "cancelled" in request.GET,
            "cancelled_order": "cancelled_order" in request.GET,
            "refused": request.GET.get("refused", ""),
        },
    )
    response["Referrer-Policy"] = SECRET_PAGE_REFERRER_POLICY
    return response


@require_GET
@never_cache
def order_tickets_page(request: HttpRequest, code: str) -> HttpResponse:
    """Every ticket of the order with its QR code, to print (linked from the order page)."""
    order = _order(request, code)
    response = render(
        request, "shop/order_tickets.html", {"order": order, "tickets": _ticket_entries(order)}
    )
    response["Referrer-Policy"] = SECRET_PAGE_REFERRER_POLICY
    return response


@require_GET
@never_cache
def order_calendar_file(request: HttpRequest, code: str) -> HttpResponse:
    order = _order(request, code)
    link = organizer_url(
        request.tenant, f"/orders/{order.code}/?secret={request.GET['secret']}", request=request
    )
    response = HttpResponse(
        order_calendar(order, host=request.get_host().split(":")[0], url=link),
        content_type="text/calendar; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{order.event.slug}.ics"'
    response["Referrer-Policy"] = SECRET_PAGE_REFERRER_POLICY
    return response


@require_POST
def cancel_order(request: HttpRequest, code: str) -> HttpResponse:
    """The order page's cancel button (a form with CSRF): the refund policy decides."""
    order = _order(request, code)
    secret = request.GET["secret"]
    try:
        refunds.cancel_order(order=order)
    except DomainError as error:
        return redirect(f"/orders/{order.code}/?secret={secret}&refused={error.code}")
    return redirect(f"/orders/{order.code}/?secret={secret}&cancelled_order=1")


def stream_needs_asgi(request: HttpRequest, event_id: str) -> JsonResponse:
    """Reached only when the site is served over WSGI, where the ASGI application's stream
    handler (boxoffice/shop/stream.py) is not in front: browsers then poll the snapshot."""
    return JsonResponse(
        {
            "code": ErrorCode.STREAM_UNAVAILABLE,
            "message": "Live updates are served by the ASGI server; poll the availability "
            "snapshot instead.",
            "details": {"snapshot": f"/api/v1/events/{event_id}/availability"},
        },
        status=503,
    )
