"""Events are bound to what we created: the account a session was made on, its charge, and a
`rejected` status for events whose claims disagree with it."""

from django.db import migrations, models


def backfill_accounts(apps, schema_editor):
    # Sessions made so far were created on the organizer's account as it is now.
    Organizer = apps.get_model("tenants", "Organizer")
    PaymentRoute = apps.get_model("payments", "PaymentRoute")
    accounts = dict(
        Organizer.objects.exclude(stripe_account_id="").values_list(
            "schema_name", "stripe_account_id"
        )
    )
    for schema_name, account in accounts.items():
        PaymentRoute.objects.filter(schema_name=schema_name).update(account=account)


class Migration(migrations.Migration):
    dependencies = [
        ("payments", "0002_reconcile_schedule"),
        ("tenants", "0004_organizer_branding"),
    ]

    operations = [
        migrations.AddField(
            model_name="paymentroute",
            name="account",
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.AddField(
            model_name="paymentroute",
            name="charge_id",
            field=models.CharField(blank=True, db_index=True, max_length=255),
        ),
        migrations.AddField(
            model_name="webhookevent",
            name="reason",
            field=models.CharField(
                blank=True,
                help_text="Why it was rejected (a machine-readable code).",
                max_length=40,
            ),
        ),
        migrations.AlterField(
            model_name="webhookevent",
            name="status",
            field=models.CharField(
                choices=[
                    ("received", "Received"),
                    ("processed", "Processed"),
                    ("ignored", "Nothing to do"),
                    ("failed", "Failed; waiting for the provider's retry"),
                    ("rejected", "Rejected: does not match what we stored"),
                ],
                default="received",
                max_length=16,
            ),
        ),
        migrations.AddIndex(
            model_name="webhookevent",
            index=models.Index(
                fields=["schema_name", "received_at"], name="payments_we_schema__13e4a1_idx"
            ),
        ),
        migrations.RunPython(backfill_accounts, migrations.RunPython.noop),
    ]
