-- Ticket state follows the ticket's history, not arrival order. The rule, in one place:
--  * ticket_created only creates: it never changes a ticket that exists, whatever arrived first.
--    A ticket_updated that arrives before its ticket_created creates the ticket; the creation,
--    when it comes, changes nothing.
--  * ticket_updated webhooks apply in the order of their signature timestamps (the `t=` the
--    sender signed), ties by webhook id: an older update never overwrites a newer one.
-- ticket_state_rank orders the webhooks of one ticket by that rule; ticket_apply, its only user,
-- is the only writer of ticket rows: relay_batch calls it for what it relays, and a rebuild of
-- the projection replays every relayed webhook through it.

-- The webhook whose state a ticket shows. webhook_id stays the ticket's latest webhook (the API
-- pages and the dashboard order by it); the state's own webhook may be older.
ALTER TABLE ticket
    ADD COLUMN state_webhook_id bigint REFERENCES webhook_event (id),
    ADD COLUMN state_event text,
    ADD COLUMN state_signed_at timestamptz;
UPDATE ticket t SET state_webhook_id = w.id, state_event = w.event_type, state_signed_at = w.signature_timestamp
  FROM webhook_event w WHERE w.id = t.webhook_id;
ALTER TABLE ticket
    ALTER COLUMN state_webhook_id SET NOT NULL,
    ALTER COLUMN state_event SET NOT NULL,
    ALTER COLUMN state_signed_at SET NOT NULL;

CREATE TYPE ticket_state_rank AS (is_update boolean, signed_at timestamptz, tiebreak bigint);

-- Any update outranks any creation; updates rank by signature time, then webhook id. Among
-- creations the first (lowest id) ranks highest, so a batch picks the one a row-by-row relay in
-- id order would have kept.
CREATE FUNCTION ticket_state_rank(event_type text, signed_at timestamptz, webhook_id bigint)
RETURNS ticket_state_rank LANGUAGE sql IMMUTABLE AS $$
    SELECT ROW(event_type = 'ticket_updated',
               CASE WHEN event_type = 'ticket_updated' THEN signed_at ELSE '-infinity'::timestamptz END,
               CASE WHEN event_type = 'ticket_updated' THEN webhook_id ELSE -webhook_id END)::ticket_state_rank
$$;

-- The batch's highest-ranked webhook per ticket (one statement cannot touch a ticket twice), as
-- the ticket row it would make, with the batch's latest webhook and first sighting of the ticket.
-- batch: [{"id": webhook id, "buyerRole": text|null, "live": the webhook's live event}], each a
-- webhook_event row (its event type and signature time are read from there).
CREATE FUNCTION ticket_candidates(batch jsonb)
RETURNS TABLE (number text, webhook_id bigint, first_seen_at timestamptz, updated_at timestamptz, title text,
               event text, event_id integer, category text, type text, price_amount numeric, price_currency text,
               session_date date, city text, venue text, cancellation_reason text, status text, buyer_role text,
               state_webhook_id bigint, state_event text, state_signed_at timestamptz)
LANGUAGE sql STABLE AS $$
    SELECT DISTINCT ON (i.number)
           i.number, max(i.wid) OVER w, min(i.received_at) OVER w, i.received_at,
           i.live #>> '{ticket,title}', i.live #>> '{ticket,event}', (i.live #>> '{ticket,eventId}')::integer,
           i.live #>> '{ticket,category}', i.live #>> '{ticket,type}', (i.live #>> '{ticket,price,amount}')::numeric,
           i.live #>> '{ticket,price,currency}', (i.live #>> '{ticket,sessionDate}')::date, i.live #>> '{ticket,city}',
           i.live #>> '{ticket,venue}', i.live #>> '{ticket,cancellationReason}', i.live #>> '{ticket,status}', i.buyer_role,
           i.wid, i.event_type, i.signature_timestamp
      FROM (SELECT e->'live' #>> '{ticket,number}' AS number, x.id AS wid, e->'live' AS live, e->>'buyerRole' AS buyer_role,
                   (e->'live'->>'receivedAt')::timestamptz AS received_at, x.event_type, x.signature_timestamp
              FROM jsonb_array_elements(batch) AS e
              JOIN webhook_event x ON x.id = (e->>'id')::bigint) AS i
    WINDOW w AS (PARTITION BY i.number)
     ORDER BY i.number, ticket_state_rank(i.event_type, i.signature_timestamp, i.wid) DESC
$$;

-- The state columns of a ticket, to choose them as a whole (the state of one webhook or another).
CREATE TYPE ticket_state AS (
    updated_at timestamptz, title text, event text, event_id integer, category text, type text,
    price_amount numeric, price_currency text, session_date date, city text, venue text,
    cancellation_reason text, status text, buyer_role text, state_webhook_id bigint, state_event text,
    state_signed_at timestamptz
);

-- Applies a batch (as ticket_candidates reads it) to the projection; returns the ticket rows as
-- they are afterwards. The state changes only for a webhook that outranks the ticket's state (a
-- creation never does); the latest webhook and the first sighting follow every webhook.
CREATE FUNCTION ticket_apply(batch jsonb) RETURNS SETOF ticket LANGUAGE sql AS $$
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
    RETURNING t.*
$$;

-- The live event of a ticket row: what the dashboard shows, so every live event carries the
-- ticket's state after it was applied (a late creation shows the cancelled ticket it did not change).
CREATE FUNCTION ticket_live(t ticket) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'number', t.number, 'title', t.title, 'event', t.event, 'eventId', t.event_id, 'category', t.category,
        'type', t.type, 'price', jsonb_build_object('amount', t.price_amount::text, 'currency', t.price_currency),
        'sessionDate', to_char(t.session_date, 'YYYY-MM-DD'), 'city', t.city, 'venue', t.venue,
        'cancellationReason', t.cancellation_reason, 'status', t.status)
$$;

-- relay_batch (003) with the projection written by ticket_apply, and each live event carrying
-- its ticket's state after the batch.
CREATE OR REPLACE FUNCTION relay_batch(batch jsonb, relayed text)
RETURNS TABLE (webhook_id bigint, body jsonb, fresh boolean)
LANGUAGE plpgsql AS $$
DECLARE
    fresh_batch jsonb;
    states jsonb;
BEGIN
    -- seq order must be commit order: writers of live_event take turns.
    PERFORM pg_advisory_xact_lock(29182);
    SELECT coalesce(jsonb_agg(d.e ORDER BY (d.e->>'id')::bigint), '[]'::jsonb) INTO fresh_batch
      FROM (SELECT DISTINCT ON ((e->>'id')::bigint) e FROM jsonb_array_elements(batch) AS e ORDER BY (e->>'id')::bigint) AS d (e)
     WHERE NOT EXISTS (SELECT 1 FROM live_event l WHERE l.webhook_id = (d.e->>'id')::bigint);
    SELECT coalesce(jsonb_object_agg(a.number, ticket_live(a)), '{}'::jsonb) INTO states FROM ticket_apply(fresh_batch) AS a;
    RETURN QUERY
    WITH numbered AS (
        -- nextval in the outer query, over rows already in webhook id order: seq follows id.
        SELECT f.wid, f.live || jsonb_build_object('seq', nextval(pg_get_serial_sequence('live_event', 'seq')), 'relayedAt', relayed) AS live
          FROM (SELECT (e->>'id')::bigint AS wid, (e->'live') || jsonb_build_object('ticket', states -> (e->'live' #>> '{ticket,number}')) AS live
                  FROM jsonb_array_elements(fresh_batch) AS e ORDER BY (e->>'id')::bigint) AS f
    ), stored AS (
        INSERT INTO live_event (seq, webhook_id, relayed_at, body)
        SELECT (n.live->>'seq')::bigint, n.wid, relayed::timestamptz, n.live FROM numbered n
        RETURNING live_event.webhook_id, live_event.body
    )
    SELECT s.webhook_id, s.body, true FROM stored s
    UNION ALL
    -- The statement's snapshot does not see the rows stored above: these are the earlier ones.
    SELECT l.webhook_id, l.body, false
      FROM live_event l
     WHERE l.webhook_id IN (SELECT (e->>'id')::bigint FROM jsonb_array_elements(batch) AS e);
END
$$;

-- A ticket number is the projection's key; in webhook_event it is whatever an unknown event put at
-- that path, of any length. A btree entry holds at most 2704 bytes, so a long one made the whole
-- insert fail; a hash index serves the equality lookups (a ticket's history) with no size limit.
DROP INDEX webhook_event_ticket_number_idx;
CREATE INDEX webhook_event_ticket_number_idx ON webhook_event USING hash (ticket_number);
