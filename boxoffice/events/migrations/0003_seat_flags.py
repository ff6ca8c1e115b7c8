"""Wheelchair, companion and restricted-view flags on the event's inventory, copied from the
published seat map; events made before this get them from their version's seats."""

from django.db import migrations, models

# Seat refs are section/row/label (events/services/events.py, _copy_inventory).
BACKFILL = """
UPDATE events_eventseat s
   SET accessible = v.accessible, companion = v.companion, restricted_view = v.restricted_view
  FROM events_event e, seatmaps_versionseat v
 WHERE s.event_id = e.id AND s.kind = 'seat' AND v.version_id = e.seat_map_version_id
   AND s.ref = v.section || '/' || v."row" || '/' || v.label
   AND (v.accessible OR v.companion OR v.restricted_view)
"""


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0002_event_money_and_refund_policy"),
        ("seatmaps", "0002_versions_are_immutable"),
    ]

    operations = [
        migrations.AddField(
            model_name="eventseat",
            name="accessible",
            field=models.BooleanField(default=False, help_text="A wheelchair space."),
        ),
        migrations.AddField(
            model_name="eventseat",
            name="companion",
            field=models.BooleanField(
                default=False, help_text="A companion seat, beside a wheelchair space."
            ),
        ),
        migrations.AddField(
            model_name="eventseat",
            name="restricted_view",
            field=models.BooleanField(default=False),
        ),
        migrations.RunSQL(BACKFILL, migrations.RunSQL.noop),
    ]
