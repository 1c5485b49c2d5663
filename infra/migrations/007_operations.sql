-- Issue 17: operating the pipeline. Three records, none on the webhook's own transaction.

-- One row per request to /webhook, whatever was answered. Refused bodies are not kept (they may
-- be hostile): their size and hash say enough to match them with the sender's log. Written by a
-- bounded asynchronous writer, pruned after ATTEMPT_RETENTION_DAYS. No foreign key to
-- webhook_event: the insert must not wait on, nor fail with, the webhook's own row.
CREATE TABLE delivery_attempt (
    id                  bigserial   PRIMARY KEY,
    received_at         timestamptz NOT NULL,
    -- "stored", "duplicate", or the refusal reason of webhook_requests_total{reason}.
    outcome             text        NOT NULL,
    status              smallint    NOT NULL,
    body_bytes          integer     NOT NULL,
    body_sha256         char(64),
    signature_timestamp timestamptz,
    webhook_id          bigint,
    -- The X-Forwarded-For chain as the host saw it, valid addresses only; the last one connected.
    source_address      text
);
CREATE INDEX delivery_attempt_received_idx ON delivery_attempt (received_at);
CREATE INDEX delivery_attempt_outcome_idx ON delivery_attempt (outcome, id);
CREATE INDEX delivery_attempt_status_idx ON delivery_attempt (status, id);

-- The relay's latest failure per webhook: what a dead letter's reason is taken from, as the
-- broker's dead-lettering keeps no error text.
CREATE TABLE relay_failure (
    webhook_id bigint      PRIMARY KEY,
    kind       text        NOT NULL,
    reason     text        NOT NULL,
    tries      integer     NOT NULL,
    failed_at  timestamptz NOT NULL DEFAULT now()
);

-- Messages that reached petzi.relay.dlq, recorded by the dead-letter recorder (which drains the
-- queue). A redrive sets redriven_at; failing again makes a new row. At most one waiting row
-- per webhook: a second copy dead-lettered meanwhile updates it.
CREATE TABLE dead_letter (
    id               bigserial   PRIMARY KEY,
    webhook_id       bigint      NOT NULL REFERENCES webhook_event (id),
    -- A short class of the reason (poison, unstorable, database, error, unknown): the metric's label.
    kind             text        NOT NULL,
    reason           text        NOT NULL,
    tries            integer     NOT NULL,
    dead_lettered_at timestamptz NOT NULL DEFAULT now(),
    redriven_at      timestamptz
);
CREATE UNIQUE INDEX dead_letter_waiting_idx ON dead_letter (webhook_id) WHERE redriven_at IS NULL;
CREATE INDEX dead_letter_webhook_idx ON dead_letter (webhook_id, id);
