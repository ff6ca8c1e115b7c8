"""The category's name on each order item, beside its key, as people read it. Items sold before
this get it from their event's published seat map (the rule of events.selectors.category_names;
tests/sales/test_category_names.py runs this SQL against it), or the key when the map has none."""

from django.db import migrations, models

BACKFILL = """
UPDATE sales_orderitem i
   SET category_name = left(coalesce(
         (SELECT c->>'name'
            FROM sales_order o
            JOIN events_event e ON e.id = o.event_id
            JOIN seatmaps_seatmapversion v ON v.id = e.seat_map_version_id,
                 jsonb_array_elements(v.document->'categories') c
           WHERE o.id = i.order_id AND c->>'key' = i.category
           LIMIT 1),
         i.category), 64)
 WHERE i.category_name = ''
"""


class Migration(migrations.Migration):
    dependencies = [
        ("sales", "0006_order_application_fee"),
        ("events", "0004_seat_access_released"),
        ("seatmaps", "0002_versions_are_immutable"),
    ]

    operations = [
        migrations.AddField(
            model_name="orderitem",
            name="category_name",
            field=models.CharField(default="", max_length=64),
            preserve_default=False,
        ),
        migrations.RunSQL(BACKFILL, migrations.RunSQL.noop),
    ]
