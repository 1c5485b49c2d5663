-- What the relay reads from a stored webhook: its relay_input row (the type of
-- infra/migrations/008_relay_batch_typed.sql and 010), the one place where the payload's fields meet
-- the ticket table's columns, with the webhook's kind and signature time (the `t=` the sender signed). The relay takes the payload from webhook_event, never from the message
-- that named it: a message counts only as "relay webhook N, whose body hash is H".
--
-- Ticket events are checked against the schema at the door (protocol/schema.ts, protocol/storable.ts),
-- so every path below holds a value of the column's type: a string for the text columns, a decimal
-- string for the price, an integer for eventId (as numeric first: jsonb keeps 54694.0 as written),
-- a calendar date for the first session's date. The first session gives the date, the city and the
-- venue; no session, no location or a null gives null. No cancellation reason is "", and "" is the
-- only reason of a valid ticket. received_at is written as JavaScript's toISOString writes it
-- (milliseconds, UTC, "Z"), as live events carry it.
-- One expression, no FROM: the planner inlines it into the caller's query, where a function call
-- per webhook would cost an executor start each.
CREATE OR REPLACE FUNCTION relay_input_of(id bigint, received_at timestamptz, event_type text, signed_at timestamptz, payload jsonb)
RETURNS relay_input LANGUAGE sql STABLE AS $$
    SELECT ROW(id, to_char(received_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), event_type,
               payload #>> '{details,ticket,number}', payload #>> '{details,ticket,title}',
               payload #>> '{details,ticket,event}', (payload #>> '{details,ticket,eventId}')::numeric::integer,
               payload #>> '{details,ticket,category}', payload #>> '{details,ticket,type}',
               (payload #>> '{details,ticket,price,amount}')::numeric, payload #>> '{details,ticket,price,currency}',
               (payload #>> '{details,ticket,sessions,0,date}')::date,
               payload #>> '{details,ticket,sessions,0,location,city}',
               payload #>> '{details,ticket,sessions,0,location,name}',
               coalesce(payload #>> '{details,ticket,cancellationReason}', ''),
               CASE WHEN coalesce(payload #>> '{details,ticket,cancellationReason}', '') = '' THEN 'valid' ELSE 'cancelled' END,
               payload #>> '{details,buyer,role}', signed_at)::relay_input
$$;
