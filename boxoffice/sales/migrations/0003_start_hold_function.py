"""`sales_start_hold`: the on-sale rush's request (a new hold with chosen seats) in one round trip
without a transaction around it (see boxoffice/sales/services/holds.py, start_hold_with_seats).

One call finds the event by id or slug (an id wins over another event's slug), answers no rows
when the event is not on sale, outside its sales window or over its per-order limit, inserts the
hold, and claims the seats with the same conditional UPDATE as CLAIM_BY_REF. Short of every seat,
it raises SQLSTATE BX409 with the unknown and the unavailable refs as JSON in the detail, which
undoes the whole statement: the hold and whatever was claimed. A function rather than a CTE:
plpgsql plans its statements once per connection (a five-part CTE cost twice the server CPU in
planning and row locks; tests/bench/RESULTS.md, "Ticket war"). Tables resolve through the
search_path, and each organizer schema has its own copy of the function.

A hold commits without waiting for its WAL to reach the disk (synchronous_commit off for this
transaction only): a crash can lose the holds of the last fraction of a second, never sell a
seat twice — a hold is not a sale, and checkout, payment and sale commit synchronously, which
also makes every hold they read durable (the WAL is flushed in order). It saves a flush per hold
(boxoffice/sales/README.md, "Durability of holds").
"""

from django.db import migrations

# Frozen here as migrations must be; a change is a new migration with CREATE OR REPLACE.
CREATE = """
CREATE FUNCTION sales_start_hold(
    p_event text, p_statuses text[], p_on_sale text, p_now timestamptz, p_refs text[],
    p_token_hash text, p_lifetime_factor integer
) RETURNS TABLE (
    hold_id bigint, event_id bigint, event_uid text, expires_at timestamptz,
    max_expires_at timestamptz, ref text, kind text, section text, "row" text, label text,
    category text, "position" integer
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
       OR (found_event.sales_start IS NOT NULL AND p_now < found_event.sales_start)
       OR (found_event.sales_end IS NOT NULL AND p_now >= found_event.sales_end) THEN
        RETURN;  -- the caller explains the refusal
    END IF;
    -- For this transaction only; see the module's docstring.
    PERFORM set_config('synchronous_commit', 'off', true);

    INSERT INTO sales_hold AS h (event_id, token_hash, status, expires_at, max_expires_at,
                                 extensions, created_at, updated_at)
    VALUES (found_event.id, p_token_hash, 'active',
            p_now + make_interval(mins => found_event.hold_minutes),
            p_now + make_interval(mins => p_lifetime_factor * found_event.hold_minutes),
            0, p_now, p_now)
    RETURNING h.id, h.expires_at, h.max_expires_at INTO new_hold;

    RETURN QUERY
    UPDATE events_eventseat s
       SET status = 'held', hold_id = new_hold.id, held_until = new_hold.expires_at
     WHERE s.event_id = found_event.id AND s.ref = ANY(p_refs) AND s.kind = 'seat'
       AND (s.status = 'available' OR (s.status = 'held' AND s.held_until < now()))
    RETURNING new_hold.id, found_event.id, found_event.uid::text, new_hold.expires_at,
              new_hold.max_expires_at, s.ref::text, s.kind::text, s.section::text,
              s."row"::text, s.label::text, s.category::text, s.position;
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
DROP FUNCTION IF EXISTS sales_start_hold(text, text[], text, timestamptz, text[], text, integer);
"""


class Migration(migrations.Migration):
    dependencies = [("sales", "0002_orders")]

    operations = [migrations.RunSQL(CREATE, DROP)]
