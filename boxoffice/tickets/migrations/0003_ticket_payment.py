"""Tickets carry what the door needs of their order (`Ticket.payment`, `disputed_at`), so
check-in reads tickets only. Existing tickets take it from their order here, once; from now on
the payment flows keep it in step (`tickets.services.track_order_payment`)."""

from django.db import migrations, models

from boxoffice.sales.models import DISPUTE_SETTLED, PAID_STATUSES

# A copy of tickets.services.payment_standing in SQL, for the rows that exist now:
# tests/tickets/test_ticket_payment.py checks it against the function.
FILL_SQL = """
UPDATE tickets_ticket t
SET payment = CASE
        WHEN NOT (o.status = ANY(%(paid)s)) THEN 'not_paid'
        WHEN o.disputed_at IS NOT NULL AND NOT (o.dispute_status = ANY(%(settled)s))
            THEN 'disputed'
        ELSE 'paid' END,
    disputed_at = CASE
        WHEN o.status = ANY(%(paid)s) AND o.disputed_at IS NOT NULL
             AND NOT (o.dispute_status = ANY(%(settled)s)) THEN o.disputed_at END
FROM sales_order o
WHERE o.id = t.order_id
"""


def fill_payment(apps, schema_editor) -> None:
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            FILL_SQL,
            {"paid": [str(status) for status in PAID_STATUSES], "settled": list(DISPUTE_SETTLED)},
        )


class Migration(migrations.Migration):
    dependencies = [
        ("sales", "0006_order_application_fee"),
        ("tickets", "0002_signing_keys_and_payloads"),
    ]

    operations = [
        migrations.AddField(
            model_name="ticket",
            name="disputed_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="ticket",
            name="payment",
            field=models.CharField(
                choices=[
                    ("paid", "Paid"),
                    ("not_paid", "Not paid"),
                    ("disputed", "Payment disputed"),
                ],
                default="paid",
                max_length=16,
            ),
        ),
        migrations.AddConstraint(
            model_name="ticket",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("payment", "disputed"), _negated=True),
                    ("disputed_at__isnull", False),
                    _connector="OR",
                ),
                name="ticket_disputed_has_time",
            ),
        ),
        migrations.RunPython(fill_payment, migrations.RunPython.noop, elidable=True),
    ]
