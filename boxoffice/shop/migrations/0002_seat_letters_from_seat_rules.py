"""The NOTIFY trigger's status letters, rewritten as boxoffice/events/seat_rules.py's
`letter_sql("new_rows")` (same meaning as 0001's; now one text that
tests/events/test_seat_rules.py checks against the module and against `pg_proc`)."""

from django.db import migrations

# Frozen here as migrations must be. The channel `boxoffice_seats` is the one
# boxoffice/shop/live.py listens on; see 0001 for the payload.
CREATE = """
CREATE OR REPLACE FUNCTION shop_announce_seat_changes() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    changed record;
BEGIN
    FOR changed IN
        SELECT new_rows.event_id,
               string_agg(new_rows.position || CASE WHEN (new_rows.status = 'available' OR (new_rows.status = 'held' AND new_rows.held_until < now())) THEN 'a' WHEN new_rows.status = 'held' THEN 'h' WHEN new_rows.status = 'sold' THEN 's' ELSE 'b' END, ',' ORDER BY new_rows.position) AS places
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
"""  # noqa: E501 (the letters stay on one line, as seat_rules writes them)


def _previous() -> str:
    from importlib import import_module

    create = import_module("boxoffice.shop.migrations.0001_seat_changes_notify").CREATE
    return create.split("CREATE TRIGGER")[0].replace(
        "CREATE FUNCTION", "CREATE OR REPLACE FUNCTION"
    )


class Migration(migrations.Migration):
    dependencies = [("shop", "0001_seat_changes_notify")]

    operations = [migrations.RunSQL(CREATE, _previous())]
