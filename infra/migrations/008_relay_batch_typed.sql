-- relay_batch and ticket_apply (004, 005) over typed rows instead of nested jsonb, unchanged in what
-- they do. Measured on PostgreSQL 18 (npm run bench:relay-sql), backend CPU per relayed webhook in
-- batches of 20: the jsonb version spent it taking the batch apart and putting it back together
-- (three passes of jsonb_array_elements, fifteen path lookups and three jsonb concatenations per
-- webhook, a jsonb_agg of the fresh part and a jsonb_object_agg of the states), on top of the writes.
-- Here the batch is parsed once, straight into relay_input rows (json_populate_recordset over json
-- text, no jsonb built), each live event body is built once, and the sequence is named, not looked
-- up per row (pg_get_serial_sequence scanned the catalog for every webhook).

-- One relayed webhook: its id, when it was received and its kind (the live event's receivedAt and
-- event, as the relay has them), and its ticket under the ticket table's column names
-- (protocol/ticket.ts, LIVE_TICKET_COLUMNS), plus the buyer's role.
CREATE TYPE relay_input AS (
    id bigint, received_at text, kind text,
    number text, title text, event text, event_id integer, category text, type text, price_amount numeric,
    price_currency text, session_date date, city text, venue text, cancellation_reason text, status text,
    buyer_role text
);

-- ticket_candidates (004) over relay_input rows; the event type and signature time are read from
-- webhook_event, the record of what was signed.
CREATE FUNCTION ticket_candidates(batch relay_input[])
RETURNS TABLE (number text, webhook_id bigint, first_seen_at timestamptz, updated_at timestamptz, title text,
               event text, event_id integer, category text, type text, price_amount numeric, price_currency text,
               session_date date, city text, venue text, cancellation_reason text, status text, buyer_role text,
               state_webhook_id bigint, state_event text, state_signed_at timestamptz)
LANGUAGE sql STABLE AS $$
    SELECT DISTINCT ON (i.number)
           i.number, max(i.id) OVER w, min(i.received_at::timestamptz) OVER w, i.received_at::timestamptz,
           i.title, i.event, i.event_id, i.category, i.type, i.price_amount, i.price_currency, i.session_date,
           i.city, i.venue, i.cancellation_reason, i.status, i.buyer_role,
           i.id, x.event_type, x.signature_timestamp
      FROM unnest(batch) AS i
      -- LATERAL with a LIMIT: an index probe per webhook, whatever the table's size was when the plan was made (see relay_batch).
      CROSS JOIN LATERAL (SELECT w.event_type, w.signature_timestamp FROM webhook_event w WHERE w.id = i.id LIMIT 1) AS x
    WINDOW w AS (PARTITION BY i.number)
     ORDER BY i.number, ticket_state_rank(x.event_type, x.signature_timestamp, i.id) DESC
$$;

-- ticket_apply (005) over relay_input rows: the only writer of ticket rows, by the same rule.
-- force_generic_plan: given the array itself, the planner estimates a custom plan as cheaper than
-- the generic one and so plans this INSERT again on every call (1.3 ms of a one-webhook batch's
-- 2.2 ms, measured); the generic plan is the one wanted for every batch size.
CREATE FUNCTION ticket_apply(batch relay_input[]) RETURNS SETOF ticket LANGUAGE plpgsql
SET plan_cache_mode = force_generic_plan AS $$
BEGIN
    RETURN QUERY
    INSERT INTO ticket AS t (number, webhook_id, first_seen_at, updated_at, title, event, event_id, category, type,
                             price_amount, price_currency, session_date, city, venue, cancellation_reason, status,
                             buyer_role, state_webhook_id, state_event, state_signed_at)
    SELECT * FROM ticket_candidates(batch)
    ON CONFLICT (number) DO UPDATE SET
        webhook_id = GREATEST(t.webhook_id, EXCLUDED.webhook_id),
        first_seen_at = LEAST(t.first_seen_at, EXCLUDED.first_seen_at),
        (updated_at, title, event, event_id, category, type, price_amount, price_currency, session_date, city, venue,
         cancellation_reason, status, buyer_role, state_webhook_id, state_event, state_signed_at) = (
            SELECT (CASE
                WHEN EXCLUDED.state_event = 'ticket_updated'
                 AND ticket_state_rank(EXCLUDED.state_event, EXCLUDED.state_signed_at, EXCLUDED.state_webhook_id)
                   > ticket_state_rank(t.state_event, t.state_signed_at, t.state_webhook_id)
                THEN ROW(EXCLUDED.updated_at, EXCLUDED.title, EXCLUDED.event, EXCLUDED.event_id, EXCLUDED.category,
                         EXCLUDED.type, EXCLUDED.price_amount, EXCLUDED.price_currency, EXCLUDED.session_date,
                         EXCLUDED.city, EXCLUDED.venue, EXCLUDED.cancellation_reason, EXCLUDED.status,
                         EXCLUDED.buyer_role, EXCLUDED.state_webhook_id, EXCLUDED.state_event, EXCLUDED.state_signed_at)::ticket_state
                ELSE ROW(t.updated_at, t.title, t.event, t.event_id, t.category, t.type, t.price_amount, t.price_currency,
                         t.session_date, t.city, t.venue, t.cancellation_reason, t.status, t.buyer_role,
                         t.state_webhook_id, t.state_event, t.state_signed_at)::ticket_state
            END).*
        )
    RETURNING t.*;
END
$$;

-- The jsonb versions have no caller left.
DROP FUNCTION relay_batch(jsonb, text);
DROP FUNCTION ticket_apply(jsonb);
DROP FUNCTION ticket_candidates(jsonb);

-- batch: a JSON array of relay_input objects (json text: parsed once, into the rows).
-- relayed: the relay's clock as an ISO 8601 string, stored as is in the event body.
-- Returns one row per distinct webhook of the batch: its seq and live event body, and fresh = false
-- when it had been relayed before (nothing written; the stored event comes back).
CREATE FUNCTION relay_batch(batch json, relayed text)
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
        -- nextval in the outer query, over rows already in webhook id order: seq follows id.
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
