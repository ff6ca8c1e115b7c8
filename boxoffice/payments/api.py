"""Checkout, orders, refunds, cancellations and promo codes on an organizer's API.

Customers prove who they are with the hold token (checkout) or the order code plus its secret;
organizers with their session or API token, as everywhere in /api/v1/.
"""

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status

from boxoffice.events.models import Event
from boxoffice.events.selectors import event_by_id
from boxoffice.payments.presenters import order_link, order_out, quote_out, refund_out
from boxoffice.payments.schemas import (
    CheckoutIn,
    CheckoutOut,
    EventCancelledOut,
    OrderOut,
    PromoCodeIn,
    PromoCodeOut,
    PromoCodePatch,
    QuoteIn,
    QuoteOut,
    RefundIn,
    RefundResultOut,
)
from boxoffice.payments.services import refunds
from boxoffice.payments.services.checkout import start_checkout
from boxoffice.sales import selectors as sales_selectors
from boxoffice.sales.models import Order, PromoCode
from boxoffice.sales.order_access import find_order, order_secret
from boxoffice.sales.services import orders, promotions
from boxoffice.throttles import ClientRateThrottle
from tenants.auth import optional_actor
from tenants.permissions import check_role, require_role
from tenants.roles import Role

router = Router(tags=["orders"])
checkout_throttle = ClientRateThrottle("holds")


class SecretQuery(Schema):
    secret: str | None = None


@router.post(
    "/holds/{token}/quote",
    response=QuoteOut,
    auth=None,
    summary="What checkout would charge for this hold now (writes nothing)",
)
def quote(request: HttpRequest, token: str, payload: QuoteIn) -> dict:
    hold = sales_selectors.find_hold(token)
    quote = orders.quote_order(
        hold=hold,
        tickets=[orders.TicketChoice(t.seat, t.ticket_type) for t in payload.tickets],
        promo_code=payload.promo_code,
    )
    return quote_out(quote, hold.event, currency=request.tenant.currency)


@router.post(
    "/holds/{token}/checkout",
    response={201: CheckoutOut},
    auth=None,
    throttle=[checkout_throttle],
    summary="Turn a hold into an order and get the payment page (none when nothing is owed)",
)
def checkout(request: HttpRequest, token: str, payload: CheckoutIn) -> Status:
    hold = sales_selectors.find_hold(token)
    order = start_checkout(
        hold=hold,
        organizer=request.tenant,
        email=payload.email,
        name=payload.name,
        tickets=[orders.TicketChoice(t.seat, t.ticket_type) for t in payload.tickets],
        promo_code=payload.promo_code,
        request=request,
    )
    return Status(
        201,
        {
            "order_code": order.code,
            "order_secret": order_secret(order),
            "status": order.status,
            "total": order.total,
            "currency": order.currency,
            "payment_url": order.payment_url or None,
            "next_url": order.payment_url or order_link(order, request.tenant, request=request),
            "expires_at": order.expires_at,
        },
    )


def _order_for(request: HttpRequest, code: str, secret: str | None) -> tuple[Order, bool]:
    """(order, is the customer): the secret opens it to anyone; without one, staff only."""
    if secret:
        return find_order(code, secret), True
    check_role(optional_actor(request), Role.STAFF)
    return sales_selectors.order_by_code(code), False


@router.get(
    "/orders/{code}",
    response=OrderOut,
    auth=None,
    summary="An order: with ?secret= for its customer, else for staff",
)
def get_order(request: HttpRequest, code: str, query: Query[SecretQuery]) -> dict:
    order, customer = _order_for(request, code, query.secret)
    return order_out(order, customer=customer)


@router.post(
    "/orders/{code}/cancel",
    response=RefundResultOut,
    auth=None,
    summary="The customer cancels under the refund policy (?secret= required)",
)
def cancel_order(request: HttpRequest, code: str, query: Query[SecretQuery]) -> dict:
    order = find_order(code, query.secret or "")
    refund = refunds.cancel_order(order=order)
    order.refresh_from_db()
    return {
        "order": order_out(order, customer=True),
        "refund": refund_out(refund, customer=True) if refund else None,
    }


@router.post(
    "/orders/{code}/refunds",
    response={201: RefundResultOut},
    summary="Refund the whole order or some tickets (admin)",
)
def refund_order(request: HttpRequest, code: str, payload: RefundIn) -> Status:
    actor = require_role(request, Role.ADMIN)
    order = sales_selectors.order_by_code(code)
    refund = refunds.refund_order(
        order=order, actor=actor, seat_refs=payload.seats, note=payload.note,
        message=payload.message,
    )  # fmt: skip
    order.refresh_from_db()
    return Status(
        201,
        {
            "order": order_out(order, customer=False),
            "refund": refund_out(refund, customer=False) if refund else None,
        },
    )


@router.post(
    "/events/{event_id}/cancel",
    response=EventCancelledOut,
    summary="Cancel the event and refund every paid order (admin)",
)
def cancel_event(request: HttpRequest, event_id: str) -> dict:
    actor = require_role(request, Role.ADMIN)
    event = event_by_id(event_id, include_unpublished=True)
    event, count = refunds.cancel_event(event=event, actor=actor)
    return {"event": event.uid, "status": event.status, "orders_to_refund": count}


def _event(event_id: str) -> Event:
    return event_by_id(event_id, include_unpublished=True)


@router.get("/events/{event_id}/promo-codes", response=list[PromoCodeOut], summary="Promo codes")
def list_promo_codes(request: HttpRequest, event_id: str) -> list[PromoCode]:
    require_role(request, Role.ADMIN)
    return list(PromoCode.objects.filter(event=_event(event_id)).order_by("code"))


@router.post(
    "/events/{event_id}/promo-codes",
    response={201: PromoCodeOut},
    summary="Create a promo code (admin)",
)
def create_promo_code(request: HttpRequest, event_id: str, payload: PromoCodeIn) -> Status:
    actor = require_role(request, Role.ADMIN)
    promo = promotions.create_promo_code(actor=actor, event=_event(event_id), **payload.dict())
    return Status(201, promo)


@router.patch(
    "/events/{event_id}/promo-codes/{code}",
    response=PromoCodeOut,
    summary="Change or deactivate a promo code (admin)",
)
def update_promo_code(
    request: HttpRequest, event_id: str, code: str, payload: PromoCodePatch
) -> PromoCode:
    actor = require_role(request, Role.ADMIN)
    return promotions.update_promo_code(
        actor=actor, event=_event(event_id), code=code, changes=payload.dict(exclude_unset=True)
    )
