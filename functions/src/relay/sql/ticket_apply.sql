-- The projection's writer: a batch of relayed webhooks applied to the ticket table by the rule of
-- ticket_state_rank.sql. Both functions take relay_input rows (relay_input.sql reads them from the
-- stored webhooks): one relayed webhook each, its id, when it was received and its kind (the live
-- event's receivedAt and event), its ticket under the ticket table's column names, the buyer's role
-- and when the sender signed it.

-- The batch's highest-ranked webhook per ticket (one statement cannot touch a ticket twice), as
-- the ticket row it would make, with the batch's latest webhook and first sighting of the ticket.
-- The event type and signature time are the stored webhook's (relay_input_of reads them there).
CREATE OR REPLACE FUNCTION ticket_candidates(batch relay_input[])
RETURNS TABLE (number text, webhook_id bigint, first_seen_at timestamptz, updated_at timestamptz, title text,
               event text, event_id integer, category text, type text, price_amount numeric, price_currency text,
               session_date date, city text, venue text, cancellation_reason text, status text, buyer_role text,
               state_webhook_id bigint, state_event text, state_signed_at timestamptz)
LANGUAGE sql STABLE AS $$
    SELECT DISTINCT ON (i.number)
           i.number, max(i.id) OVER w, min(i.received_at::timestamptz) OVER w, i.received_at::timestamptz,
           i.title, i.event, i.event_id, i.category, i.type, i.price_amount, i.price_currency, i.session_date,
           i.city, i.venue, i.cancellation_reason, i.status, i.buyer_role,
           i.id, i.kind, i.signed_at
      FROM unnest(batch) AS i
    WINDOW w AS (PARTITION BY i.number)
     ORDER BY i.number, ticket_state_rank(i.kind, i.signed_at, i.id) DESC
$$;

-- Applies a batch to the projection; returns the ticket rows as they are afterwards. The state
-- changes only for a webhook that outranks the ticket's state (a creation never does); the latest
-- webhook and the first sighting follow every webhook. The state columns are chosen as a whole,
-- as one ticket_state value (the composite of every column after first_seen_at).
--
-- PL/pgSQL, not LANGUAGE sql: a SQL function that is not inlined is planned again on every call
-- before PostgreSQL 18, and this INSERT ... ON CONFLICT over the ticket table's indexes is most of
-- the relay's write (PostgreSQL 15, backend CPU per relay_batch call: 1.85 ms for one webhook as
-- SQL, 0.70 ms as PL/pgSQL, which keeps the plan for the session). force_generic_plan: given the
-- array itself, the planner estimates a custom plan as cheaper than the generic one and would plan
-- this INSERT again on every call; the generic plan is the one wanted for every batch size.
CREATE OR REPLACE FUNCTION ticket_apply(batch relay_input[]) RETURNS SETOF ticket LANGUAGE plpgsql
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
