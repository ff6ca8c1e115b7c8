"""The customer's ticket page: every ticket of an order with its QR code, reached by the order's
code and secret (the link in the confirmation email)."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from boxoffice.errors import NotFound
from boxoffice.sales.order_access import SECRET_PAGE_REFERRER_POLICY, find_order
from boxoffice.tickets.models import Ticket
from boxoffice.tickets.qr import ticket_qr_svg
from boxoffice.tickets.selectors import order_tickets


@require_GET
@never_cache
def order_tickets_page(request: HttpRequest, code: str) -> HttpResponse:
    try:
        order = find_order(code, request.GET.get("secret", ""))
    except NotFound as exc:
        raise Http404(exc.message) from exc
    tickets = [
        {
            "ticket": ticket,
            "valid": ticket.status == Ticket.Status.VALID,
            "qr_svg": ticket_qr_svg(ticket) if ticket.status == Ticket.Status.VALID else "",
        }
        for ticket in order_tickets(order)
    ]
    response = render(request, "tickets/order_tickets.html", {"order": order, "tickets": tickets})
    response["Referrer-Policy"] = SECRET_PAGE_REFERRER_POLICY
    return response
