-- The box office's questions to GET /api/tickets, kept fast at a million tickets: every sort
-- order pages by keyset on (sort key, number), and each filter has an index that a page with
-- that filter can walk in the default order (newest change first) and stop after `limit` rows.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE INDEX ticket_sold_number_idx ON ticket (first_seen_at, number);
CREATE INDEX ticket_price_number_idx ON ticket (price_amount, number);
CREATE INDEX ticket_event_webhook_idx ON ticket (event_id, webhook_id DESC);
CREATE INDEX ticket_category_webhook_idx ON ticket (category, webhook_id DESC);
CREATE INDEX ticket_status_webhook_idx ON ticket (status, webhook_id DESC);
-- q: a piece of a ticket number or a title, case-insensitive (ILIKE '%…%').
CREATE INDEX ticket_number_trgm_idx ON ticket USING gin (number gin_trgm_ops);
CREATE INDEX ticket_title_trgm_idx ON ticket USING gin (title gin_trgm_ops);
-- Stats: the event list groups by event over sold tickets.
CREATE INDEX ticket_valid_event_idx ON ticket (event_id) WHERE status = 'valid';
