-- Ticket state follows the ticket's history, not arrival order. The rule:
--  * ticket_created only creates: it never changes a ticket that exists, whatever arrived first.
--    A ticket_updated that arrives before its ticket_created creates the ticket; the creation,
--    when it comes, changes nothing.
--  * ticket_updated webhooks apply in the order of their signature timestamps (the `t=` the
--    sender signed), ties by webhook id: an older update never overwrites a newer one.
-- ticket_state_rank orders the webhooks of one ticket by that rule. ticket_apply (ticket_apply.sql)
-- is its user and the only writer of ticket rows.
--
-- Any update outranks any creation; updates rank by signature time, then webhook id. Among
-- creations the first (lowest id) ranks highest, so a batch picks the one a row-by-row relay in
-- id order would have kept. Returns the composite type ticket_state_rank (is_update boolean,
-- signed_at timestamptz, tiebreak bigint), compared field by field.
CREATE OR REPLACE FUNCTION ticket_state_rank(event_type text, signed_at timestamptz, webhook_id bigint)
RETURNS ticket_state_rank LANGUAGE sql IMMUTABLE AS $$
    SELECT ROW(event_type = 'ticket_updated',
               CASE WHEN event_type = 'ticket_updated' THEN signed_at ELSE '-infinity'::timestamptz END,
               CASE WHEN event_type = 'ticket_updated' THEN webhook_id ELSE -webhook_id END)::ticket_state_rank
$$;
