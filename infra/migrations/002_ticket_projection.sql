-- One row per ticket: the state of its newest webhook (by arrival order, webhook_event.id).
CREATE TABLE ticket (
    number              text PRIMARY KEY,
    webhook_id          bigint      NOT NULL REFERENCES webhook_event (id),
    first_seen_at       timestamptz NOT NULL,
    updated_at          timestamptz NOT NULL,
    title               text        NOT NULL,
    event               text        NOT NULL,
    event_id            integer     NOT NULL,
    category            text        NOT NULL,
    type                text        NOT NULL,
    price_amount        numeric(12, 2) NOT NULL,
    price_currency      char(3)     NOT NULL,
    session_date        date,
    city                text,
    venue               text,
    cancellation_reason text        NOT NULL DEFAULT '',
    status              text        NOT NULL CHECK (status IN ('valid', 'cancelled')),
    buyer_role          text
);
CREATE INDEX ticket_webhook_id_idx ON ticket (webhook_id DESC);
CREATE INDEX ticket_first_seen_idx ON ticket (first_seen_at);

-- What the relay sent to petzi.live, in relay order. seq is taken under a transaction-level
-- advisory lock, so seq order is commit order: a reader that has seen seq N has seen every
-- seq below N, which lets the SSE bridge resume and fill gaps without missing or repeating.
CREATE TABLE live_event (
    seq        bigserial   NOT NULL UNIQUE,
    webhook_id bigint      PRIMARY KEY REFERENCES webhook_event (id),
    relayed_at timestamptz NOT NULL DEFAULT now(),
    body       jsonb       NOT NULL
);
