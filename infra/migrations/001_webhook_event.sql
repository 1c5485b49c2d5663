-- Every accepted PETZI webhook, stored before the sender gets its 200.
CREATE TABLE webhook_event (
    id                  bigserial PRIMARY KEY,
    received_at         timestamptz NOT NULL DEFAULT now(),
    event_type          text        NOT NULL,
    -- PETZI sends no delivery id: the same bytes delivered twice are the same event.
    body_sha256         char(64)    NOT NULL UNIQUE,
    signature_timestamp timestamptz NOT NULL,
    payload             jsonb       NOT NULL,
    ticket_number       text GENERATED ALWAYS AS (payload #>> '{details,ticket,number}') STORED,
    published_at        timestamptz
);

-- The outbox only ever looks at unpublished rows, which are few: a partial index keeps that cheap.
CREATE INDEX webhook_event_unpublished_idx ON webhook_event (id) WHERE published_at IS NULL;
CREATE INDEX webhook_event_ticket_number_idx ON webhook_event (ticket_number, id);
