-- ticket_apply (004) as PL/pgSQL, unchanged in what it does. A LANGUAGE sql function that is not
-- inlined is planned again on every call before PostgreSQL 18; its INSERT ... ON CONFLICT over ten
-- indexes took most of relay_batch's time: measured on PostgreSQL 15, backend CPU per relay_batch
-- call 1.85 ms for one webhook, 3.0 ms for ten. PL/pgSQL keeps the plan for the session: 0.70 ms
-- and 1.9 ms. PostgreSQL 18 caches SQL functions' plans itself (no change there).
CREATE OR REPLACE FUNCTION ticket_apply(batch jsonb) RETURNS SETOF ticket LANGUAGE plpgsql AS $$
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
