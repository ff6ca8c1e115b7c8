"""HTML and webhook views: the webhook endpoint and the sandbox's hosted checkout page (platform
site), and the customer's order page (organizer site)."""

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from boxoffice.errors import DomainError
from boxoffice.payments.models import SandboxSession
from boxoffice.payments.presenters import order_out
from boxoffice.payments.providers.sandbox import SandboxProvider
from boxoffice.payments.services import webhooks
from boxoffice.sales.order_access import SECRET_PAGE_REFERRER_POLICY, find_order
from boxoffice.tickets.models import Ticket
from boxoffice.tickets.qr import ticket_qr_svg
from boxoffice.tickets.selectors import order_tickets
from tenants.selectors import platform_url


@csrf_exempt  # the provider signs its requests instead; see webhooks.parse
@require_POST
def stripe_webhook(request: HttpRequest) -> HttpResponse:
    try:
        event = webhooks.parse(request.body, request.headers.get("Stripe-Signature", ""))
    except webhooks.Rejected as rejected:
        answer = rejected.answer
    else:
        answer = webhooks.process(event)
    return JsonResponse({"code": answer.code, "message": answer.message}, status=answer.status)


@require_http_methods(["GET", "POST"])
def sandbox_checkout(request: HttpRequest, session_id: str) -> HttpResponse:
    """Stands in for checkout.stripe.com: pay (card 4242...) or decline (card 0002...)."""
    session = SandboxSession.objects.filter(session_id=session_id).first()
    if session is None:
        raise Http404("No such checkout session")
    declined = False
    if request.method == "POST":
        if request.POST.get("outcome") == "pay":
            provider = SandboxProvider(platform_url=platform_url("/", request=request))
            if provider.pay(session_id) is not None:
                return redirect(session.success_url.replace("{CHECKOUT_SESSION_ID}", session_id))
            session.refresh_from_db()
        else:
            declined = True
    return render(
        request,
        "payments/sandbox_checkout.html",
        {"session": session, "declined": declined, "total": session.amount_total},
        status=200 if session.status == "open" else 410,
    )


@never_cache
def order_page(request: HttpRequest, code: str) -> HttpResponse:
    """The customer's order (the link in every email, and where payment returns to): status,
    seats, money lines, tickets with their QR codes, the calendar file and self-service
    cancellation when the refund policy allows it."""
    secret = request.GET.get("secret", "")
    try:
        order = find_order(code, secret)
    except DomainError as error:
        raise Http404(error.message) from error
    tickets = [
        {
            "ticket": ticket,
            "valid": ticket.status == Ticket.Status.VALID,
            "qr_svg": ticket_qr_svg(ticket) if ticket.status == Ticket.Status.VALID else "",
        }
        for ticket in order_tickets(order)
    ]
    response = render(
        request,
        "payments/order.html",
        {
            "order": order,
            "data": order_out(order, customer=True),
            "secret": secret,
            "tickets": tickets,
            "just_paid": "paid" in request.GET,
            "cancelled_checkout": "cancelled" in request.GET,
            "cancelled_order": "cancelled_order" in request.GET,
            "refused": request.GET.get("refused", ""),
        },
    )
    response["Referrer-Policy"] = SECRET_PAGE_REFERRER_POLICY
    return response
