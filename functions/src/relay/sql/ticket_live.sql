-- The live ticket of a ticket row (protocol/ticket.ts, LiveTicket): what the dashboard shows. Every
-- live event carries its ticket's state after it was applied, built here, so a late creation shows
-- the cancelled ticket it did not change.
CREATE OR REPLACE FUNCTION ticket_live(t ticket) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'number', t.number, 'title', t.title, 'event', t.event, 'eventId', t.event_id, 'category', t.category,
        'type', t.type, 'price', jsonb_build_object('amount', t.price_amount::text, 'currency', t.price_currency),
        'sessionDate', to_char(t.session_date, 'YYYY-MM-DD'), 'city', t.city, 'venue', t.venue,
        'cancellationReason', t.cancellation_reason, 'status', t.status)
$$;
