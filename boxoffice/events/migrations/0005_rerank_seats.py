"""Seat rank is no longer the plain distance to the focal point but the rule in
boxoffice/events/ranking.py; the seats of existing events are ranked again from their event's
published seat-map version, as a new event's are (events/services/events.py, _copy_inventory)."""

from django.db import migrations, models

# A migration normally copies what it needs rather than importing app code, which may change
# after it. Here it must not: the point is that existing events rank exactly as new events do,
# and ranking.py is pure functions over plain values (no models), so importing it carries no
# model state into the migration. Should the rule change again, that change ships its own
# re-ranking migration.
from boxoffice.events.ranking import Place, rank_seats

# Seat refs are section/row/label (events/services/events.py, _copy_inventory); GA spots keep rank 0.
SET_RANKS = """
UPDATE events_eventseat s
   SET rank = v.rank
  FROM unnest(%s::text[], %s::double precision[]) AS v(ref, rank)
 WHERE s.event_id = %s AND s.kind = 'seat' AND s.ref = v.ref AND s.rank IS DISTINCT FROM v.rank
"""


def rerank(apps, schema_editor) -> None:
    """Rank every event's seats again from its seat-map version: two statements per event."""
    Event = apps.get_model("events", "Event")
    VersionSeat = apps.get_model("seatmaps", "VersionSeat")
    connection = schema_editor.connection
    events = Event.objects.values_list("id", "seat_map_version_id",
                                       "seat_map_version__focal_x", "seat_map_version__focal_y")  # fmt: skip
    for event_id, version_id, focal_x, focal_y in events.order_by("id"):
        seats = list(
            VersionSeat.objects.filter(version_id=version_id)
            .order_by("position")
            .values_list("section", "row", "label", "x", "y")
        )
        if not seats:
            continue
        ranks = rank_seats([Place(s, r, x, y) for s, r, _label, x, y in seats], (focal_x, focal_y))
        refs = [f"{section}/{row}/{label}" for section, row, label, _x, _y in seats]
        with connection.cursor() as cursor:
            cursor.execute(SET_RANKS, [refs, ranks, event_id])


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0004_seat_access_released"),
        ("seatmaps", "0002_versions_are_immutable"),
    ]

    operations = [
        migrations.AlterField(
            model_name="eventseat",
            name="rank",
            field=models.FloatField(
                help_text="How good the seat is, lower is better (events/ranking.py)."
            ),
        ),
        # Reversing keeps the new ranks: the old distance-only rule is not kept anywhere.
        migrations.RunPython(rerank, migrations.RunPython.noop),
    ]
