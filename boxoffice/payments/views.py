"""The payments app's views on the platform site: the webhook endpoint and the sandbox's hosted
checkout page (the customer's order pages are the shop's: boxoffice.shop.views)."""

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from boxoffice.payments.models import SandboxSession
from boxoffice.payments.providers.sandbox import SandboxProvider
from boxoffice.payments.services import webhooks
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
