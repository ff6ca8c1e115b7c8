"""Emails to customers about their orders, sent by django-q2 jobs (queued on commit).

Development prints them (console backend); production sends through EMAIL_URL. The confirmation
carries each ticket's signed QR code as a PNG attachment (boxoffice.tickets.qr).
"""

import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import connection
from django.template.loader import render_to_string

from boxoffice.sales.models import Order, Refund
from boxoffice.tickets.qr import ticket_qr_png
from tenants.models import Organizer

logger = logging.getLogger(__name__)

SUBJECTS = {
    "confirmation": "Your tickets for {event} (order {code})",
    "refund": "Refund for order {code}",
    "cancellation": "Order {code} is cancelled",
    "event_cancelled": "{event} is cancelled: your refund (order {code})",
    "seats_lost": "We could not complete order {code}: full refund",
    "payment_failed": "Payment for order {code} did not go through",
}


def _ticket_attachments(order: Order) -> list[tuple[str, bytes, str]]:
    """One PNG QR code (the signed payload) per valid ticket."""
    return [
        (f"ticket-{ticket.uid}.png", ticket_qr_png(ticket), "image/png")
        for ticket in order.tickets.filter(status="valid").select_related("seat")
    ]


def send_order_email(order_id: int, kind: str, refund_id: int | None = None) -> str:
    """The job body: render and send one email about one order."""
    from boxoffice.payments.flows import order_link

    order = Order.objects.select_related("event", "event__venue").get(pk=order_id)
    organizer = Organizer.objects.get(schema_name=connection.schema_name)
    refund = Refund.objects.get(pk=refund_id) if refund_id else None
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
