"""`sales_start_hold` on the database's clock, and for every new hold.

The function of sales/0003 took the application's time (`p_now`) for the sales window and the
hold's expiry while its claim compared `held_until` with the database's `now()`: two clocks in one
rule. This version reads `now()` alone (see boxoffice/events/seat_rules.py) and also starts a hold
with no seats (`p_refs` empty: one row with the hold and NULL seat columns), so that every hold —
the on-sale rush's and the one best available or general admission fill next — is made by this one
function, and the hold's lifetime rule lives here once (tests/events/test_seat_rules.py checks
this text against boxoffice.sales.hold_rules and against `pg_proc`).

Otherwise as in 0003: one call finds the event by id or slug (an id wins over another event's
slug), answers no rows when the event is not on sale, outside its sales window or over its
per-order limit, inserts the hold, and claims the seats with the one claim condition; short of a
seat it raises SQLSTATE BX409 with the unknown and the unavailable refs as JSON in the detail,
which undoes the whole statement. The hold commits without waiting for its WAL (see 0003).

One statement per RunSQL (Citus refuses several in one prepared statement).
"""

from importlib import import_module

from django.db import migrations

# Undoing this migration puts 0003's function back.
START_HOLD_0003 = import_module("boxoffice.sales.migrations.0003_start_hold_function").CREATE

# Frozen here as migrations must be; a change is a new migration.
CREATE = """
CREATE FUNCTION sales_start_hold(
    p_event text, p_statuses text[], p_on_sale text, p_refs text[], p_token_hash text,
    p_lifetime_factor integer
) RETURNS TABLE (
    hold_id bigint, event_id bigint, event_uid text, expires_at timestamptz,
    max_expires_at timestamptz, created_at timestamptz, ref text, kind text, section text,
    "row" text, label text, category text, "position" integer
) LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
    found_event record;
    new_hold record;
    claimed integer;
BEGIN
    SELECT e.id, e.uid, e.status, e.sales_start, e.sales_end, e.max_seats_per_order,
           e.hold_minutes
      INTO found_event
      FROM events_event e
     WHERE e.status = ANY(p_statuses) AND (e.uid = p_event OR e.slug = p_event)
     ORDER BY e.uid = p_event DESC
     LIMIT 1;
    IF NOT FOUND OR found_event.status <> p_on_sale
       OR found_event.max_seats_per_order < cardinality(p_refs)
       OR (found_event.sales_start IS NOT NULL AND now() < found_event.sales_start)
       OR (found_event.sales_end IS NOT NULL AND now() >= found_event.sales_end) THEN
        RETURN;  -- the caller explains the refusal
    END IF;
    -- For this transaction only; see sales/0003's docstring.
    PERFORM set_config('synchronous_commit', 'off', true);

    INSERT INTO sales_hold AS h (event_id, token_hash, status, expires_at, max_expires_at,
                                 extensions, created_at, updated_at)
    VALUES (found_event.id, p_token_hash, 'active',
            now() + make_interval(mins => found_event.hold_minutes),
            now() + make_interval(mins => p_lifetime_factor * found_event.hold_minutes),
            0, now(), now())
    RETURNING h.id, h.expires_at, h.max_expires_at, h.created_at INTO new_hold;

    IF cardinality(p_refs) = 0 THEN
        RETURN QUERY SELECT new_hold.id, found_event.id, found_event.uid::text,
                            new_hold.expires_at, new_hold.max_expires_at, new_hold.created_at,
                            NULL::text, NULL::text, NULL::text, NULL::text, NULL::text,
                            NULL::text, NULL::integer;
        RETURN;
    END IF;

    RETURN QUERY
    UPDATE events_eventseat s
       SET status = 'held', hold_id = new_hold.id, held_until = new_hold.expires_at
     WHERE s.event_id = found_event.id AND s.ref = ANY(p_refs) AND s.kind = 'seat'
       AND (s.status = 'available' OR (s.status = 'held' AND s.held_until < now()))
    RETURNING new_hold.id, found_event.id, found_event.uid::text, new_hold.expires_at,
              new_hold.max_expires_at, new_hold.created_at, s.ref::text, s.kind::text,
              s.section::text, s."row"::text, s.label::text, s.category::text, s.position;
    GET DIAGNOSTICS claimed = ROW_COUNT;
    IF claimed < cardinality(p_refs) THEN
        RAISE EXCEPTION 'seats_unavailable' USING ERRCODE = 'BX409', DETAIL = (
            SELECT json_build_object(
                'unknown', coalesce(json_agg(wanted.ref ORDER BY wanted.ref)
                                    FILTER (WHERE s.id IS NULL), '[]'),
                'unavailable', coalesce(json_agg(wanted.ref ORDER BY wanted.ref)
                                        FILTER (WHERE s.hold_id IS DISTINCT FROM new_hold.id
                                                AND s.id IS NOT NULL), '[]'))
              FROM unnest(p_refs) AS wanted(ref)
              LEFT JOIN events_eventseat s
                ON s.event_id = found_event.id AND s.ref = wanted.ref
        );
    END IF;
END
$$;
"""

DROP = """
DROP FUNCTION IF EXISTS sales_start_hold(text, text[], text, text[], text, integer);
"""

DROP_0003 = """
DROP FUNCTION IF EXISTS sales_start_hold(text, text[], text, timestamptz, text[], text, integer);
"""


class Migration(migrations.Migration):
    dependencies = [("sales", "0007_orderitem_category_name")]

    operations = [
        migrations.RunSQL(DROP_0003, START_HOLD_0003),
        migrations.RunSQL(CREATE, DROP),
    ]
