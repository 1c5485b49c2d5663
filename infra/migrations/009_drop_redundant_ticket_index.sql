-- ticket_first_seen_idx (002, first_seen_at) is the leading column of ticket_sold_number_idx (006,
-- first_seen_at, number), which serves every query the narrower one did. Every relayed webhook
-- writes a ticket row, and an update moves webhook_id, so no update is HOT: each index of ticket
-- takes a new entry per relayed webhook. One index fewer to maintain on the relay's hot path.
DROP INDEX IF EXISTS ticket_first_seen_idx;
