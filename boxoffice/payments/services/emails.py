"""Emails to customers about their orders: queued on commit by the flows that decide them, sent
by a django-q2 job (`tasks.send_order_email`).

Development prints them (console backend); production sends through EMAIL_URL. The confirmation
carries each ticket's signed QR code as a PNG attachment (boxoffice.tickets.qr).
"""

import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string

from boxoffice.actors import Actor
from boxoffice.audit.services import record_audit
from boxoffice.errors import Conflict
from boxoffice.jobs import enqueue
from boxoffice.payments.error_codes import ErrorCode
from boxoffice.payments.presenters import order_link
from boxoffice.sales.models import Order, Refund
from boxoffice.sales.services import refunds as sales_refunds
from boxoffice.tickets.qr import ticket_qr_png
from tenants.models import Organizer

logger = logging.getLogger(__name__)

# The job, by dotted path: tasks.py imports this module, so naming it keeps the import one way.
SEND_ORDER_EMAIL_JOB = "boxoffice.payments.tasks.send_order_email"

SUBJECTS = {
    "confirmation": "Your tickets for {event} (order {code})",
    "refund": "Refund for order {code}",
    "cancellation": "Order {code} is cancelled",
    "event_cancelled": "{event} is cancelled: your refund (order {code})",
    "seats_lost": "We could not complete order {code}: full refund",
    "payment_failed": "Payment for order {code} did not go through",
}


def queue_order_email(kind: str, order: Order, refund: Refund | None = None) -> None:
    """Send the `kind` email about `order` in a job, once the current transaction commits."""
    enqueue(SEND_ORDER_EMAIL_JOB, order.pk, kind, refund.pk if refund else None)


def resend_tickets(*, order: Order, actor: Actor) -> None:
    """Send the confirmation with the valid tickets again (same job and template as after the
    payment), audited: the console lists resends among the order's emails."""
    if order.status not in sales_refunds.REFUNDABLE:
        raise Conflict("Only a paid order has tickets to send.", code=ErrorCode.ORDER_NOT_PAID)
    with transaction.atomic():
        queue_order_email("confirmation", order)
        record_audit(
            actor=actor, action="order.tickets_resent", target_type="order",
            target_id=order.code, data={"email": order.email},
        )  # fmt: skip


def _ticket_attachments(order: Order) -> list[tuple[str, bytes, str]]:
    """One PNG QR code (the signed payload) per valid ticket."""
    return [
        (f"ticket-{ticket.uid}.png", ticket_qr_png(ticket), "image/png")
        for ticket in order.tickets.filter(status="valid").select_related("seat")
    ]


def deliver_order_email(
    *, order: Order, organizer: Organizer, kind: str, refund: Refund | None = None
) -> str:
    """Render and send one email about one order (the job's body)."""
    context = {
        "order": order,
        "event": order.event,
        "organizer": organizer,
        "items": list(order.items.all()),
        "refund": refund,
        "link": order_link(order, organizer),
        "kind": kind,
    }
    subject = SUBJECTS[kind].format(event=order.event.title, code=order.code)
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"payments/email/{kind}.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[order.email],
        headers={"X-Boxoffice-Order": order.code},
    )
    if kind == "confirmation":
        for name, content, mimetype in _ticket_attachments(order):
            message.attach(name, content, mimetype)
    message.send()
    return f"{kind} sent to {order.email}"
