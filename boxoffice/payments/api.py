"""Checkout, orders, refunds, cancellations and promo codes on an organizer's API.

Customers prove who they are with the hold token (checkout) or the order code plus its secret;
organizers with their session or API token, as everywhere in /api/v1/.
"""

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status

from boxoffice.events.models import Event
from boxoffice.events.selectors import category_names, event_by_id, section_names
from boxoffice.payments.presenters import order_link
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
from boxoffice.sales.models import Order, PromoCode, Refund, item_line
from boxoffice.sales.order_access import find_order, order_secret
from boxoffice.sales.selectors import find_hold
from boxoffice.sales.services import orders, promotions
from boxoffice.sales.services import refunds as sales_refunds
from boxoffice.throttles import ClientRateThrottle
from tenants.auth import optional_actor
from tenants.permissions import check_role, require_role
from tenants.roles import Role

router = Router(tags=["orders"])
checkout_throttle = ClientRateThrottle("holds")


class SecretQuery(Schema):
    secret: str | None = None


def _refund_out(refund: Refund, *, customer: bool) -> dict:
    return {
        "id": refund.uid,
        "amount": refund.amount,
        "reason": refund.reason,
        "status": refund.status,
        # The organizer's internal note is theirs: a customer's view never carries it.
        "note": None if customer else refund.note,
        "message": refund.customer_message,
        "seats": [item.ref for item in refund.items.all()],
        "created_at": refund.created_at,
    }


def _lines(order: Order, items: list) -> list[dict]:
    lines = [
        {"kind": "ticket", "description": item.line, "amount": item.price}
        for item in items
    ]  # fmt: skip
    if order.discount:
        code = order.promo_code.code if order.promo_code else ""
        lines.append(
            {"kind": "discount", "description": f"Promo {code}", "amount": -order.discount}
        )
    if order.fees:
        lines.append({"kind": "fee", "description": "Service fees", "amount": order.fees})
    if order.tax:
        how = "included" if order.tax_inclusive else "added"
        rate = order.event.tax_rate.normalize()
        lines.append({"kind": "tax", "description": f"Tax {rate}% ({how})", "amount": order.tax})
    return lines


def order_out(order: Order, *, customer: bool) -> dict:
    items = list(order.items.all())
    cancellation = None
    if customer and order.status in sales_refunds.REFUNDABLE and order.event.refund_policy:
        terms = sales_refunds.cancellation_terms(order)
        cancellation = {
            "allowed": terms.allowed,
            "percent": terms.percent,
            "amount": terms.amount,
            "reason": terms.refusal.message if terms.refusal else None,
            "reason_code": terms.refusal.code if terms.refusal else None,
        }
    return {
        "code": order.code,
        "status": order.status,
        "event": order.event.uid,
        "event_title": order.event.title,
        "email": order.email,
        "name": order.name,
        "currency": order.currency,
        "subtotal": order.subtotal,
        "discount": order.discount,
        "fees": order.fees,
        "tax": order.tax,
        "tax_inclusive": order.tax_inclusive,
        "total": order.total,
        "refunded": order.refunded,
        "lines": _lines(order, items),
        "items": [
            {
                "seat": item.ref,
                "label": item.label,
                "category": item.category,
                "category_name": item.category_name,
                "ticket_type": item.ticket_type,
                "ticket_type_name": item.ticket_type_name,
                "description": item.line,
                "price": item.price,
                "discount": item.discount,
                "fee": item.fee,
                "tax": item.tax,
                "total": item.total,
                "status": item.status,
            }
            for item in items
        ],
        "tickets": [
            {"id": ticket.uid, "seat": ticket.seat.ref, "status": ticket.status}
            for ticket in order.tickets.select_related("seat")
        ],
        "refunds": [
            _refund_out(refund, customer=customer)
            for refund in order.refunds.prefetch_related("items")
        ],
        "payment_url": order.payment_url if order.is_open else None,
        "expires_at": order.expires_at,
        "paid_at": order.paid_at,
        "disputed": order.disputed_at is not None,
        "cancellation": cancellation,
    }


@router.post(
    "/holds/{token}/quote",
    response=QuoteOut,
    auth=None,
    summary="What checkout would charge for this hold now (writes nothing)",
)
def quote(request: HttpRequest, token: str, payload: QuoteIn) -> dict:
    hold = find_hold(token)
    quote = orders.quote_order(
        hold=hold,
        tickets=[orders.TicketChoice(t.seat, t.ticket_type) for t in payload.tickets],
        promo_code=payload.promo_code,
    )
    event, breakdown = hold.event, quote.breakdown
    names, categories = section_names(event), category_names(event)
    items = [
        {
            "seat": seat.ref, "label": orders.seat_label(seat, names), "notes": seat.notes(),
            "category": seat.category,
            "category_name": categories.get(seat.category, seat.category),
            "ticket_type": quote.ticket_types[seat.ref].code,
            "ticket_type_name": quote.ticket_types[seat.ref].name, "price": amounts.price,
            "discount": amounts.discount, "fee": amounts.fee, "tax": amounts.tax,
            "total": amounts.total,
        }
        for seat, amounts in zip(quote.seats, breakdown.items, strict=True)
    ]  # fmt: skip
    for item in items:
        item["description"] = item_line(
            place=item["label"], category=item["category_name"],
            ticket_type=item["ticket_type_name"],
        )  # fmt: skip
    lines = [
        {"kind": "ticket", "description": " · ".join([item["description"], *item["notes"]]),
         "amount": item["price"]}
        for item in items
    ]  # fmt: skip
    if breakdown.discount:
        lines.append(
            {"kind": "discount", "description": f"Promo {quote.promo.code}",
             "amount": -breakdown.discount}
        )  # fmt: skip
    if breakdown.fees:
        lines.append({"kind": "fee", "description": "Service fees", "amount": breakdown.fees})
    if breakdown.tax:
        how = "included" if event.tax_inclusive else "added"
        rate = event.tax_rate.normalize()
        lines.append(
            {"kind": "tax", "description": f"Tax {rate}% ({how})", "amount": breakdown.tax}
        )
    return {
        "currency": request.tenant.currency,
        "items": items,
        "lines": lines,
        "subtotal": breakdown.subtotal,
        "discount": breakdown.discount,
        "fees": breakdown.fees,
        "tax": breakdown.tax,
        "tax_inclusive": event.tax_inclusive,
        "total": breakdown.total,
        "promo_code": quote.promo.code if quote.promo else None,
    }


@router.post(
    "/holds/{token}/checkout",
    response={201: CheckoutOut},
    auth=None,
    throttle=[checkout_throttle],
    summary="Turn a hold into an order and get the payment page (none when nothing is owed)",
)
def checkout(request: HttpRequest, token: str, payload: CheckoutIn) -> Status:
    hold = find_hold(token)
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
        "refund": _refund_out(refund, customer=True) if refund else None,
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
            "refund": _refund_out(refund, customer=False) if refund else None,
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
