-- The relay's whole write as one call (one round trip, one transaction): under the live_event
-- lock, take the webhooks of the batch that were not relayed yet, number them (seq), apply them to
-- the ticket projection (ticket_apply) and store their live events. Webhooks relayed before come
-- back with their stored event and fresh = false, so a redelivery changes nothing.
--
-- batch: a JSON array of relay_input objects (json text: parsed once, straight into the rows, with
-- no jsonb built). relayed: the relay's clock as an ISO 8601 string, stored as is in the event body.
-- Returns one row per distinct webhook of the batch: its seq and live event body, and fresh = false
-- when it had been relayed before (nothing written; the stored event comes back).
CREATE OR REPLACE FUNCTION relay_batch(batch json, relayed text)
RETURNS TABLE (webhook_id bigint, seq bigint, body text, fresh boolean)
LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $$
DECLARE
    batch_rows relay_input[];
    fresh_input relay_input[];
BEGIN
    -- seq order must be commit order: writers of live_event take turns.
    PERFORM pg_advisory_xact_lock(29182);
    SELECT array_agg(i ORDER BY i.id) INTO batch_rows
      FROM (SELECT DISTINCT ON (r.id) r.* FROM json_populate_recordset(NULL::relay_input, batch) AS r ORDER BY r.id) AS i;
    -- The lookups of live_event below are LATERAL with a LIMIT, so that they can only be index
    -- probes, one per webhook of the batch. As a (NOT) EXISTS or an IN, the planner is free to hash
    -- the batch and scan live_event whole, and it does: the plan cached by a connection that started
    -- on a small table (a new install, a fresh test database) kept scanning it as it grew, every call,
    -- until the next ANALYZE (measured: 2.4 ms per scan at 13,000 rows).
    SELECT coalesce(array_agg(i ORDER BY i.id), '{}') INTO fresh_input
      FROM unnest(batch_rows) AS i
      LEFT JOIN LATERAL (SELECT 1 AS found FROM live_event l WHERE l.webhook_id = i.id LIMIT 1) AS known ON true
     WHERE known.found IS NULL;
    RETURN QUERY
    WITH applied AS (
        SELECT a.number, ticket_live(a) AS ticket FROM ticket_apply(fresh_input) AS a
    ), numbered AS (
        -- nextval in the outer query, over rows already in webhook id order: seq follows id. The
        -- sequence is named, not looked up per row (pg_get_serial_sequence reads the catalog).
        SELECT f.id, nextval('live_event_seq_seq'::regclass) AS seq, f.received_at, f.kind, f.number
          FROM (SELECT * FROM unnest(fresh_input) ORDER BY id) AS f
    ), stored AS (
        INSERT INTO live_event (seq, webhook_id, relayed_at, body)
        SELECT n.seq, n.id, relayed::timestamptz,
               -- Each live event carries its ticket's state after the batch.
               jsonb_build_object('id', n.id, 'seq', n.seq, 'receivedAt', n.received_at, 'relayedAt', relayed,
                                  'event', n.kind, 'ticket', a.ticket)
          FROM numbered n JOIN applied a ON a.number = n.number
        RETURNING live_event.webhook_id, live_event.seq, live_event.body
    )
    SELECT s.webhook_id, s.seq, s.body::text, true FROM stored s
    UNION ALL
    -- The statement's snapshot does not see the rows stored above: these are the earlier ones.
    SELECT l.webhook_id, l.seq, l.body::text, false
      FROM unnest(batch_rows) AS i
      CROSS JOIN LATERAL (SELECT * FROM live_event e WHERE e.webhook_id = i.id LIMIT 1) AS l;
END
$$;
