-- The relay relays a message only when a stored webhook backs it: same id, same body hash. It reads
-- the payload from webhook_event (relay_input_of), not from the message. relay_batch now takes the
-- messages' (id, body hash) pairs and returns a row for each refused one too: a new signature and
-- new result columns, which CREATE OR REPLACE cannot give the old function. The new one is
-- functions/src/relay/sql/relay_batch.sql, applied after the migrations.
DROP FUNCTION relay_batch(json, text);

-- relay_input rows are read from webhook_event now, signature time included: ticket_candidates
-- takes it from the row instead of looking the webhook up a second time.
ALTER TYPE relay_input ADD ATTRIBUTE signed_at timestamptz;

-- A refused message is dead-lettered by relay_batch itself, as kind 'unverified', with the id it
-- named, which may be no stored webhook's: the foreign key goes. Such a dead letter never stands
-- for its webhook (it is a copy someone else published), so it takes no part in the one waiting
-- row per webhook; the same message refused again updates its own row instead.
ALTER TABLE dead_letter DROP CONSTRAINT dead_letter_webhook_id_fkey;
DROP INDEX dead_letter_waiting_idx;
CREATE UNIQUE INDEX dead_letter_waiting_idx ON dead_letter (webhook_id) WHERE redriven_at IS NULL AND kind <> 'unverified';
CREATE UNIQUE INDEX dead_letter_unverified_idx ON dead_letter (webhook_id, reason) WHERE redriven_at IS NULL AND kind = 'unverified';
