-- The relay's whole write as one call (one round trip, one transaction). Each message of the batch
-- names a stored webhook by id and body hash (ids[i], hashes[i]). Under the live_event lock:
--  * A message counts only if a stored webhook backs it, with that id and that body hash. One that
--    names no stored webhook (unknown_webhook) or another body (body_mismatch) is refused: it is
--    dead-lettered here, as kind 'unverified' with its reason, and creates no ticket and no live
--    event. One whose webhook is not a ticket event (not_a_ticket) is refused without a dead
--    letter: the relay fails it, and the trigger retries and dead-letters it as any other.
--    A refused message fails nothing else of the batch.
--  * The webhooks of the others are read from webhook_event (relay_input_of), and those not
--    relayed yet are numbered (seq), applied to the ticket projection (ticket_apply) and get their
--    live events. Webhooks relayed before come back with their stored event and fresh = false, so a
--    redelivery changes nothing.
-- relayed: the relay's clock as an ISO 8601 string, stored as is in the event body.
-- Returns one row per distinct relayed webhook (its seq and live event body; body_sha256 and
-- refused null) and one per distinct refused (id, hash) pair (seq and body null, refused the reason).
CREATE OR REPLACE FUNCTION relay_batch(ids bigint[], hashes text[], relayed text)
RETURNS TABLE (webhook_id bigint, body_sha256 text, seq bigint, body text, fresh boolean, refused text)
LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $$
-- The result columns are variables too; a name that is also a column (webhook_id in ON CONFLICT) is the column.
#variable_conflict use_column
DECLARE
    batch_rows relay_input[];
    fresh_input relay_input[];
    refused_ids bigint[];
    refused_hashes text[];
    refused_why text[];
BEGIN
    -- seq order must be commit order: writers of live_event take turns.
    PERFORM pg_advisory_xact_lock(29182);
    -- Each distinct (id, hash) against its stored webhook, by an index probe (LATERAL ... LIMIT 1,
    -- see below). A genuine message and a forged copy of it are two pairs: each gets its own verdict.
    SELECT array_agg(relay_input_of(v.id, v.received_at, v.event_type, v.signature_timestamp, v.payload) ORDER BY v.id)
               FILTER (WHERE v.verdict IS NULL),
           array_agg(v.id ORDER BY v.id) FILTER (WHERE v.verdict IS NOT NULL),
           array_agg(v.sha ORDER BY v.id) FILTER (WHERE v.verdict IS NOT NULL),
           array_agg(v.verdict ORDER BY v.id) FILTER (WHERE v.verdict IS NOT NULL)
      INTO batch_rows, refused_ids, refused_hashes, refused_why
      FROM (SELECT c.id, c.sha, w.received_at, w.event_type, w.signature_timestamp, w.payload,
                   CASE WHEN w.id IS NULL THEN 'unknown_webhook'
                        WHEN w.body_sha256::text IS DISTINCT FROM c.sha THEN 'body_mismatch'
                        WHEN w.event_type NOT IN ('ticket_created', 'ticket_updated') THEN 'not_a_ticket'
                   END AS verdict
              FROM (SELECT DISTINCT m.id, m.sha FROM unnest(ids, hashes) AS m (id, sha)) AS c
              LEFT JOIN LATERAL (SELECT e.id, e.received_at, e.event_type, e.signature_timestamp, e.body_sha256, e.payload
                                   FROM webhook_event e WHERE e.id = c.id LIMIT 1) AS w ON true) AS v;
    IF refused_ids IS NOT NULL THEN
        INSERT INTO dead_letter AS d (webhook_id, kind, reason, tries)
        SELECT r.id, 'unverified',
               CASE r.why
                   WHEN 'unknown_webhook' THEN format('not relayed: no stored webhook has id %s', r.id)
                   ELSE format('not relayed: the message''s body (sha256 %s) is not the one stored for webhook %s',
                               CASE WHEN r.sha ~ '^[0-9a-f]{64}$' THEN r.sha WHEN coalesce(r.sha, '') = '' THEN 'not given'
                                    ELSE 'malformed' END, r.id)
               END, 1
          FROM unnest(refused_ids, refused_hashes, refused_why) AS r (id, sha, why)
         WHERE r.why IN ('unknown_webhook', 'body_mismatch')
        -- The same message again (a redelivery, a resend): its waiting dead letter counts it.
        ON CONFLICT (webhook_id, reason) WHERE redriven_at IS NULL AND kind = 'unverified'
        DO UPDATE SET tries = d.tries + 1, dead_lettered_at = now();
    END IF;
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
    SELECT s.webhook_id, NULL::text, s.seq, s.body::text, true, NULL::text FROM stored s
    UNION ALL
    -- The statement's snapshot does not see the rows stored above: these are the earlier ones.
    SELECT l.webhook_id, NULL::text, l.seq, l.body::text, false, NULL::text
      FROM unnest(batch_rows) AS i
      CROSS JOIN LATERAL (SELECT * FROM live_event e WHERE e.webhook_id = i.id LIMIT 1) AS l
    UNION ALL
    SELECT r.id, r.sha, NULL::bigint, NULL::text, false, r.why
      FROM unnest(refused_ids, refused_hashes, refused_why) AS r (id, sha, why);
END
$$;
