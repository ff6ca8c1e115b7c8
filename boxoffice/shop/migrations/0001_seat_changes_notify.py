"""Every statement that changes seats' availability announces the changed places with one
NOTIFY per event (see boxoffice/shop/README.md): the single path from the hold, checkout, sale,
refund, block and sweep statements to the live map, whatever code runs them."""

from django.db import migrations

# Frozen here as migrations must be. The channel `boxoffice_seats` is the one
# boxoffice/shop/live.py listens on. NOTIFY payloads stop at 8000 bytes: a bigger change (a sweep,
# a cancelled event) says "*" instead of listing places, and listeners fetch the snapshot.

CREATE = """
CREATE FUNCTION shop_announce_seat_changes() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    changed record;
BEGIN
    FOR changed IN
        SELECT new_rows.event_id,
               string_agg(new_rows.position || CASE
                   WHEN new_rows.status = 'held' AND new_rows.held_until < now() THEN 'a'
                   WHEN new_rows.status = 'available' THEN 'a'
                   WHEN new_rows.status = 'held' THEN 'h'
                   WHEN new_rows.status = 'sold' THEN 's'
                   ELSE 'b' END, ',' ORDER BY new_rows.position) AS places
          FROM new_rows JOIN old_rows ON old_rows.id = new_rows.id
         WHERE new_rows.status IS DISTINCT FROM old_rows.status
            OR new_rows.hold_id IS DISTINCT FROM old_rows.hold_id
         GROUP BY new_rows.event_id
    LOOP
        PERFORM pg_notify('boxoffice_seats', TG_TABLE_SCHEMA || ' ' || changed.event_id || ' ' ||
            CASE WHEN length(changed.places) > 7000 THEN '*' ELSE changed.places END);
    END LOOP;
    RETURN NULL;
END
$$;
CREATE TRIGGER shop_announce_seat_changes
    AFTER UPDATE ON events_eventseat
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION shop_announce_seat_changes();
"""

DROP = """
DROP TRIGGER IF EXISTS shop_announce_seat_changes ON events_eventseat;
DROP FUNCTION IF EXISTS shop_announce_seat_changes();
"""


class Migration(migrations.Migration):
    dependencies = [("events", "0002_event_money_and_refund_policy")]

    operations = [migrations.RunSQL(CREATE, DROP)]
