-- The relay's whole write as one call (one round trip, one transaction): under the live_event
-- lock, take the webhooks of the batch that were not relayed yet, number them (seq), store their
-- live events and apply them to the ticket projection. Webhooks already relayed come back with
-- their stored event and fresh = false, so a redelivery changes nothing.
--
-- batch: [{"id": webhook id, "buyerRole": text|null, "live": live event without seq/relayedAt}]
-- relayed: the relay's clock as an ISO 8601 string, stored as is in the event body.
CREATE FUNCTION relay_batch(batch jsonb, relayed text)
RETURNS TABLE (webhook_id bigint, body jsonb, fresh boolean)
LANGUAGE plpgsql AS $$
BEGIN
    -- seq order must be commit order: writers of live_event take turns.
    PERFORM pg_advisory_xact_lock(29182);
    RETURN QUERY
    WITH input AS (
        SELECT DISTINCT ON ((e->>'id')::bigint) (e->>'id')::bigint AS wid, e->'live' AS live, e->>'buyerRole' AS buyer_role
          FROM jsonb_array_elements(batch) AS e
         ORDER BY (e->>'id')::bigint
    ), existing AS (
        SELECT l.webhook_id AS wid, l.body FROM live_event l JOIN input i ON l.webhook_id = i.wid
    ), fresh AS (
        SELECT i.* FROM input i WHERE NOT EXISTS (SELECT 1 FROM existing x WHERE x.wid = i.wid)
    ), numbered AS (
        SELECT f.wid, f.live || jsonb_build_object('seq', nextval(pg_get_serial_sequence('live_event', 'seq')), 'relayedAt', relayed) AS live
          FROM (SELECT * FROM fresh ORDER BY wid) AS f
    ), stored AS (
        INSERT INTO live_event (seq, webhook_id, relayed_at, body)
        SELECT (n.live->>'seq')::bigint, n.wid, relayed::timestamptz, n.live FROM numbered n
        RETURNING live_event.webhook_id, live_event.body
    ), newest AS (
        -- One statement cannot touch a ticket twice: the newest webhook of the batch per ticket.
        SELECT DISTINCT ON (f.live #>> '{ticket,number}') f.* FROM fresh f ORDER BY f.live #>> '{ticket,number}', f.wid DESC
    ), projected AS (
        INSERT INTO ticket AS t (number, webhook_id, first_seen_at, updated_at, title, event, event_id, category, type,
                                 price_amount, price_currency, session_date, city, venue, cancellation_reason, status, buyer_role)
        SELECT n.live #>> '{ticket,number}', n.wid, (n.live->>'receivedAt')::timestamptz, (n.live->>'receivedAt')::timestamptz,
               n.live #>> '{ticket,title}', n.live #>> '{ticket,event}', (n.live #>> '{ticket,eventId}')::integer,
               n.live #>> '{ticket,category}', n.live #>> '{ticket,type}', (n.live #>> '{ticket,price,amount}')::numeric,
               n.live #>> '{ticket,price,currency}', (n.live #>> '{ticket,sessionDate}')::date, n.live #>> '{ticket,city}',
               n.live #>> '{ticket,venue}', n.live #>> '{ticket,cancellationReason}', n.live #>> '{ticket,status}', n.buyer_role
          FROM newest n
        ON CONFLICT (number) DO UPDATE SET
            -- An older webhook never overwrites a newer one; first_seen_at keeps the oldest.
            webhook_id = GREATEST(t.webhook_id, EXCLUDED.webhook_id),
            first_seen_at = LEAST(t.first_seen_at, EXCLUDED.first_seen_at),
            updated_at = CASE WHEN EXCLUDED.webhook_id > t.webhook_id THEN EXCLUDED.updated_at ELSE t.updated_at END,
            title = CASE WHEN EXCLUDED.webhook_id > t.webhook_id THEN EXCLUDED.title ELSE t.title END,
            event = CASE WHEN EXCLUDED.webhook_id > t.webhook_id THEN EXCLUDED.event ELSE t.event END,
            event_id = CASE WHEN EXCLUDED.webhook_id > t.webhook_id THEN EXCLUDED.event_id ELSE t.event_id END,
            category = CASE WHEN EXCLUDED.webhook_id > t.webhook_id THEN EXCLUDED.category ELSE t.category END,
            type = CASE WHEN EXCLUDED.webhook_id > t.webhook_id THEN EXCLUDED.type ELSE t.type END,
            price_amount = CASE WHEN EXCLUDED.webhook_id > t.webhook_id THEN EXCLUDED.price_amount ELSE t.price_amount END,
            price_currency = CASE WHEN EXCLUDED.webhook_id > t.webhook_id THEN EXCLUDED.price_currency ELSE t.price_currency END,
            session_date = CASE WHEN EXCLUDED.webhook_id > t.webhook_id THEN EXCLUDED.session_date ELSE t.session_date END,
            city = CASE WHEN EXCLUDED.webhook_id > t.webhook_id THEN EXCLUDED.city ELSE t.city END,
            venue = CASE WHEN EXCLUDED.webhook_id > t.webhook_id THEN EXCLUDED.venue ELSE t.venue END,
            cancellation_reason = CASE WHEN EXCLUDED.webhook_id > t.webhook_id THEN EXCLUDED.cancellation_reason ELSE t.cancellation_reason END,
            status = CASE WHEN EXCLUDED.webhook_id > t.webhook_id THEN EXCLUDED.status ELSE t.status END,
            buyer_role = CASE WHEN EXCLUDED.webhook_id > t.webhook_id THEN EXCLUDED.buyer_role ELSE t.buyer_role END
        RETURNING 1
    )
    SELECT s.webhook_id, s.body, true FROM stored s
    UNION ALL
    SELECT x.wid, x.body, false FROM existing x;
END
$$;
