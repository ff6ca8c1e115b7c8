"""Rate-limit counters: one upsert per request instead of the database cache's read-modify-write
(boxoffice/throttles.py)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("boxoffice", "0001_sweep_schedules"),
    ]

    operations = [
        migrations.CreateModel(
            name="RateCounter",
            fields=[
                ("key", models.TextField(primary_key=True, serialize=False)),
                (
                    "window_index",
                    models.BigIntegerField(help_text="Current window: its start / its length."),
                ),
                ("hits", models.IntegerField(help_text="Allowed requests in the current window.")),
                (
                    "previous_hits",
                    models.IntegerField(help_text="Allowed requests in the window before."),
                ),
                ("allowed", models.BooleanField(help_text="Whether the last request was allowed.")),
                ("expires_at", models.DateTimeField(db_index=True)),
            ],
        ),
    ]
