-- What the relay reads from a stored webhook: its relay_input row (the type of
-- infra/migrations/008_relay_batch_typed.sql), the one place where the payload's fields meet the
-- ticket table's columns. The relay takes the payload from webhook_event, never from the message
-- that named it: a message counts only as "relay webhook N, whose body hash is H".
--
-- Ticket events are checked against the schema at the door (protocol/schema.ts, protocol/storable.ts),
-- so every path below holds a value of the column's type: a string for the text columns, a decimal
-- string for the price, an integer for eventId (as numeric first: jsonb keeps 54694.0 as written),
-- a calendar date for the first session's date. The first session gives the date, the city and the
-- venue; no session, no location or a null gives null. No cancellation reason is "", and "" is the
-- only reason of a valid ticket. received_at is written as JavaScript's toISOString writes it
-- (milliseconds, UTC, "Z"), as live events carry it.
CREATE OR REPLACE FUNCTION relay_input_of(w webhook_event) RETURNS relay_input LANGUAGE sql STABLE AS $$
    SELECT ROW(w.id, to_char(w.received_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), w.event_type,
               t ->> 'number', t ->> 'title', t ->> 'event', (t ->> 'eventId')::numeric::integer, t ->> 'category',
               t ->> 'type', (t #>> '{price,amount}')::numeric, t #>> '{price,currency}',
               (t #>> '{sessions,0,date}')::date, t #>> '{sessions,0,location,city}', t #>> '{sessions,0,location,name}',
               coalesce(t ->> 'cancellationReason', ''),
               CASE WHEN coalesce(t ->> 'cancellationReason', '') = '' THEN 'valid' ELSE 'cancelled' END,
               w.payload #>> '{details,buyer,role}')::relay_input
      FROM (SELECT w.payload #> '{details,ticket}' AS t) AS p
$$;
