"""Reads only read: a ticket is signed when it is issued (or, for one issued before payloads
were signed, by migration tickets/0004 at upgrade), never when its page, QR or API answer is
rendered."""

import importlib

from django.apps import apps
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from boxoffice.audit.models import AuditEntry
from boxoffice.sales.order_access import order_secret
from boxoffice.tickets.keys import verify
from boxoffice.tickets.models import SigningKey, Ticket
from boxoffice.tickets.payload import decode_payload
from tests.builders.events import on_sale_event
from tests.builders.orders import paid_order
from tests.builders.organizers import host_of, make_organizer

signing_migration = importlib.import_module(
    "boxoffice.tickets.migrations.0004_sign_unsigned_tickets"
)
WRITES = ("INSERT", "UPDATE", "DELETE")


def _writes(queries: CaptureQueriesContext) -> list[str]:
    return [
        q["sql"] for q in queries.captured_queries if q["sql"].lstrip().upper().startswith(WRITES)
    ]


def test_the_ticket_and_order_pages_write_nothing(db):
    organizer = make_organizer("readonly")
    event = on_sale_event(organizer, rows=1, seats=4)
    order, _tickets = paid_order(organizer, event, ["stalls/A/1", "stalls/A/2"])
    with schema_context(organizer.schema_name):
        secret = order_secret(order)
    client = Client(HTTP_HOST=host_of(organizer))
    for path in (f"/orders/{order.code}/tickets", f"/orders/{order.code}/"):
        with CaptureQueriesContext(connection) as queries:
            page = client.get(path, {"secret": secret})
        assert page.status_code == 200, path
        assert _writes(queries) == [], path


class _Editor:
    """What RunPython hands the function: its `connection` (the schema being migrated)."""

    connection = connection


def test_the_migration_signs_tickets_issued_before_signing_and_makes_the_first_key(db):
    organizer = make_organizer("unsigned")
    event = on_sale_event(organizer, rows=1, seats=4)
    _order, tickets = paid_order(organizer, event, ["stalls/A/1", "stalls/A/2"])
    with schema_context(organizer.schema_name):
        # As an upgrade finds them: no payload, and (the organizer never signed) no key.
        Ticket.objects.update(payload="", signing_key=None)
        SigningKey.objects.all().delete()
        AuditEntry.objects.filter(action="signing_key.created").delete()

        signing_migration.sign_unsigned_tickets(apps, _Editor())

        key = SigningKey.objects.get(status=SigningKey.Status.SIGNING)
        assert AuditEntry.objects.filter(action="signing_key.created").count() == 1
        for ticket in Ticket.objects.filter(pk__in=[t.pk for t in tickets]):
            decoded = decode_payload(ticket.payload)
            assert (decoded.ticket_id, decoded.key_id) == (ticket.pk, key.key_id)
            assert ticket.signing_key_id == key.pk
            assert verify(bytes(key.public_key), decoded.signature, decoded.signed_bytes)
        # Run again: nothing left to sign, no second key.
        signing_migration.sign_unsigned_tickets(apps, _Editor())
        assert SigningKey.objects.count() == 1
