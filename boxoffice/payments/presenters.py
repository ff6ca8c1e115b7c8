"""How the payments app shows an order, a quote and a refund: the answers of the orders API, which
the console and the shop's order page render too, the customer's link to an order, and the
money lines (ticket, discount, fee, tax) every one of them and the provider's line items are
built from (`money_lines`)."""

from dataclasses import dataclass
from decimal import Decimal

from django.http import HttpRequest

from boxoffice.currencies import format_rate
from boxoffice.events.models import Event
from boxoffice.events.selectors import category_names, section_names
from boxoffice.sales.models import Order, OrderItem, Refund, item_line
from boxoffice.sales.order_access import order_secret
from boxoffice.sales.services import orders
from boxoffice.sales.services import refunds as sales_refunds
from tenants.models import Organizer
from tenants.selectors import organizer_url


def order_link(order: Order, organizer: Organizer, *, request: HttpRequest | None = None) -> str:
    """The customer's link to their order (code + secret)."""
    return organizer_url(
        organizer, f"/orders/{order.code}/?secret={order_secret(order)}", request=request
    )


# --- money lines ----------------------------------------------------------------------------


@dataclass(frozen=True)
class TicketAmount:
    """One ticket's part in the money lines: what people read about it, its price and its share
    of the discount."""

    description: str
    price: int
    discount: int


@dataclass(frozen=True)
class MoneyLine:
    """One line of what an order (or a quote) costs: a ticket, the discount, the fees or the tax.

    `amount` is the line as people read it (a discount is negative; tax included in the prices
    is shown though it adds nothing). `unit_charge` and `quantity` are what a card payment asks
    for on it; `unit_charge` is None for a line that is no charge of its own: the discount is
    taken off each ticket's charge (providers take no negative lines), and tax included in the
    prices is part of them."""

    kind: str  # "ticket", "discount", "fee" or "tax"
    description: str
    amount: int
    unit_charge: int | None = None
    quantity: int = 1

    def out(self) -> dict:
        """The line as the API answers it (LineOut)."""
        return {"kind": self.kind, "description": self.description, "amount": self.amount}


def money_lines(
    *,
    tickets: list[TicketAmount],
    discount: int,
    promo_code: str,
    fees: int,
    fee_per_ticket: int,
    tax: int,
    tax_rate: Decimal,
    tax_inclusive: bool,
) -> list[MoneyLine]:
    """The one definition of the money lines: a line per ticket at its price, then the discount,
    the fees and the tax, each only when there is some."""
    lines = [
        MoneyLine("ticket", ticket.description, ticket.price, ticket.price - ticket.discount)
        for ticket in tickets
    ]
    if discount:
        lines.append(MoneyLine("discount", f"Promo {promo_code}", -discount))
    if fees:
        lines.append(MoneyLine("fee", "Service fees", fees, fee_per_ticket, quantity=len(tickets)))
    if tax:
        how = "included" if tax_inclusive else "added"
        lines.append(
            MoneyLine("tax", f"Tax {format_rate(tax_rate)} ({how})", tax,
                      None if tax_inclusive else tax)
        )  # fmt: skip
    return lines


def order_lines(order: Order, items: list[OrderItem]) -> list[MoneyLine]:
    """The money lines of an order, from its items (`order.items.all()`)."""
    return money_lines(
        tickets=[TicketAmount(item.line, item.price, item.discount) for item in items],
        discount=order.discount,
        # Read only when there is a discount: the promo code is one more query.
        promo_code=(order.promo_code.code if order.promo_code else "") if order.discount else "",
        fees=order.fees,
        fee_per_ticket=order.event.fee_per_ticket,
        tax=order.tax,
        tax_rate=order.event.tax_rate,
        tax_inclusive=order.tax_inclusive,
    )


# --- answers --------------------------------------------------------------------------------


def refund_out(refund: Refund, *, customer: bool) -> dict:
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


def order_out(order: Order, *, customer: bool) -> dict:
    """An order as the API answers it (OrderOut): to its customer, or to the organizer's staff
    (who see the refunds' internal notes, and no cancellation offer)."""
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
        "lines": [line.out() for line in order_lines(order, items)],
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
            refund_out(refund, customer=customer)
            for refund in order.refunds.prefetch_related("items")
        ],
        "payment_url": order.payment_url if order.is_open else None,
        "expires_at": order.expires_at,
        "paid_at": order.paid_at,
        "disputed": order.disputed_at is not None,
        "cancellation": cancellation,
    }


def quote_out(quote: orders.Quote, event: Event, *, currency: str) -> dict:
    """What checkout would charge for a hold now, as the API answers it (QuoteOut)."""
    breakdown = quote.breakdown
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
    lines = money_lines(
        tickets=[
            TicketAmount(
                " · ".join([item["description"], *item["notes"]]), item["price"], item["discount"]
            )
            for item in items
        ],
        discount=breakdown.discount,
        promo_code=quote.promo.code if breakdown.discount else "",
        fees=breakdown.fees,
        fee_per_ticket=event.fee_per_ticket,
        tax=breakdown.tax,
        tax_rate=event.tax_rate,
        tax_inclusive=event.tax_inclusive,
    )
    return {
        "currency": currency,
        "items": items,
        "lines": [line.out() for line in lines],
        "subtotal": breakdown.subtotal,
        "discount": breakdown.discount,
        "fees": breakdown.fees,
        "tax": breakdown.tax,
        "tax_inclusive": event.tax_inclusive,
        "total": breakdown.total,
        "promo_code": quote.promo.code if quote.promo else None,
    }
