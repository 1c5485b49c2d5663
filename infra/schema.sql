-- The schema of a freshly migrated database: infra/migrations, then the relay's SQL functions
-- (functions/src/relay/sql). Made by `npm run db:dump` (pg_dump --schema-only); do not edit.
-- tools/test/dbSchema.int.test.ts fails when it no longer matches what the migrations make.

--
-- PostgreSQL database dump
--

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

--
-- Name: pg_trgm; Type: EXTENSION; Schema: -; Owner: -
--

CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;

--
-- Name: EXTENSION pg_trgm; Type: COMMENT; Schema: -; Owner: -
--

COMMENT ON EXTENSION pg_trgm IS 'text similarity measurement and index searching based on trigrams';

--
-- Name: relay_input; Type: TYPE; Schema: public; Owner: -
--

CREATE TYPE public.relay_input AS (
	id bigint,
	received_at text,
	kind text,
	number text,
	title text,
	event text,
	event_id integer,
	category text,
	type text,
	price_amount numeric,
	price_currency text,
	session_date date,
	city text,
	venue text,
	cancellation_reason text,
	status text,
	buyer_role text,
	signed_at timestamp with time zone
);

--
-- Name: ticket_state; Type: TYPE; Schema: public; Owner: -
--

CREATE TYPE public.ticket_state AS (
	updated_at timestamp with time zone,
	title text,
	event text,
	event_id integer,
	category text,
	type text,
	price_amount numeric,
	price_currency text,
	session_date date,
	city text,
	venue text,
	cancellation_reason text,
	status text,
	buyer_role text,
	state_webhook_id bigint,
	state_event text,
	state_signed_at timestamp with time zone
);

--
-- Name: ticket_state_rank; Type: TYPE; Schema: public; Owner: -
--

CREATE TYPE public.ticket_state_rank AS (
	is_update boolean,
	signed_at timestamp with time zone,
	tiebreak bigint
);

--
-- Name: relay_batch(bigint[], text[], text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.relay_batch(ids bigint[], hashes text[], relayed text) RETURNS TABLE(webhook_id bigint, body_sha256 text, seq bigint, body text, fresh boolean, refused text)
    LANGUAGE plpgsql
    SET plan_cache_mode TO 'force_generic_plan'
    AS $_$
-- The result columns are variables too; a name that is also a column (webhook_id in ON CONFLICT) is the column.
#variable_conflict use_column
DECLARE
    batch_rows relay_input[];
    fresh_input relay_input[];
    refused_ids bigint[];
    refused_hashes text[];
    refused_why text[];
BEGIN
    -- seq order must be commit order: writers of live_event take turns.
    PERFORM pg_advisory_xact_lock(29182);
    -- Each distinct (id, hash) against its stored webhook, by an index probe (LATERAL ... LIMIT 1,
    -- see below). A genuine message and a forged copy of it are two pairs: each gets its own verdict.
    SELECT array_agg(relay_input_of(v.id, v.received_at, v.event_type, v.signature_timestamp, v.payload) ORDER BY v.id)
               FILTER (WHERE v.verdict IS NULL),
           array_agg(v.id ORDER BY v.id) FILTER (WHERE v.verdict IS NOT NULL),
           array_agg(v.sha ORDER BY v.id) FILTER (WHERE v.verdict IS NOT NULL),
           array_agg(v.verdict ORDER BY v.id) FILTER (WHERE v.verdict IS NOT NULL)
      INTO batch_rows, refused_ids, refused_hashes, refused_why
      FROM (SELECT c.id, c.sha, w.received_at, w.event_type, w.signature_timestamp, w.payload,
                   CASE WHEN w.id IS NULL THEN 'unknown_webhook'
                        WHEN w.body_sha256::text IS DISTINCT FROM c.sha THEN 'body_mismatch'
                        WHEN w.event_type NOT IN ('ticket_created', 'ticket_updated') THEN 'not_a_ticket'
                   END AS verdict
              FROM (SELECT DISTINCT m.id, m.sha FROM unnest(ids, hashes) AS m (id, sha)) AS c
              LEFT JOIN LATERAL (SELECT e.id, e.received_at, e.event_type, e.signature_timestamp, e.body_sha256, e.payload
                                   FROM webhook_event e WHERE e.id = c.id LIMIT 1) AS w ON true) AS v;
    IF refused_ids IS NOT NULL THEN
        INSERT INTO dead_letter AS d (webhook_id, kind, reason, tries)
        SELECT r.id, 'unverified',
               CASE r.why
                   WHEN 'unknown_webhook' THEN format('not relayed: no stored webhook has id %s', r.id)
                   ELSE format('not relayed: the message''s body (sha256 %s) is not the one stored for webhook %s',
                               CASE WHEN r.sha ~ '^[0-9a-f]{64}$' THEN r.sha WHEN coalesce(r.sha, '') = '' THEN 'not given'
                                    ELSE 'malformed' END, r.id)
               END, 1
          FROM unnest(refused_ids, refused_hashes, refused_why) AS r (id, sha, why)
         WHERE r.why IN ('unknown_webhook', 'body_mismatch')
        -- The same message again (a redelivery, a resend): its waiting dead letter counts it.
        ON CONFLICT (webhook_id, reason) WHERE redriven_at IS NULL AND kind = 'unverified'
        DO UPDATE SET tries = d.tries + 1, dead_lettered_at = now();
    END IF;
    -- The lookups of live_event below are LATERAL with a LIMIT, so that they can only be index
    -- probes, one per webhook of the batch. As a (NOT) EXISTS or an IN, the planner is free to hash
    -- the batch and scan live_event whole, and it does: the plan cached by a connection that started
    -- on a small table (a new install, a fresh test database) kept scanning it as it grew, every call,
    -- until the next ANALYZE (measured: 2.4 ms per scan at 13,000 rows).
    SELECT coalesce(array_agg(i ORDER BY i.id), '{}') INTO fresh_input
      FROM unnest(batch_rows) AS i
      LEFT JOIN LATERAL (SELECT 1 AS found FROM live_event l WHERE l.webhook_id = i.id LIMIT 1) AS known ON true
     WHERE known.found IS NULL;
    RETURN QUERY
    WITH applied AS (
        SELECT a.number, ticket_live(a) AS ticket FROM ticket_apply(fresh_input) AS a
    ), numbered AS (
        -- nextval in the outer query, over rows already in webhook id order: seq follows id. The
        -- sequence is named, not looked up per row (pg_get_serial_sequence reads the catalog).
        SELECT f.id, nextval('live_event_seq_seq'::regclass) AS seq, f.received_at, f.kind, f.number
          FROM (SELECT * FROM unnest(fresh_input) ORDER BY id) AS f
    ), stored AS (
        INSERT INTO live_event (seq, webhook_id, relayed_at, body)
        SELECT n.seq, n.id, relayed::timestamptz,
               -- Each live event carries its ticket's state after the batch.
               jsonb_build_object('id', n.id, 'seq', n.seq, 'receivedAt', n.received_at, 'relayedAt', relayed,
                                  'event', n.kind, 'ticket', a.ticket)
          FROM numbered n JOIN applied a ON a.number = n.number
        RETURNING live_event.webhook_id, live_event.seq, live_event.body
    )
    SELECT s.webhook_id, NULL::text, s.seq, s.body::text, true, NULL::text FROM stored s
    UNION ALL
    -- The statement's snapshot does not see the rows stored above: these are the earlier ones.
    SELECT l.webhook_id, NULL::text, l.seq, l.body::text, false, NULL::text
      FROM unnest(batch_rows) AS i
      CROSS JOIN LATERAL (SELECT * FROM live_event e WHERE e.webhook_id = i.id LIMIT 1) AS l
    UNION ALL
    SELECT r.id, r.sha, NULL::bigint, NULL::text, false, r.why
      FROM unnest(refused_ids, refused_hashes, refused_why) AS r (id, sha, why);
END
$_$;

--
-- Name: relay_input_of(bigint, timestamp with time zone, text, timestamp with time zone, jsonb); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.relay_input_of(id bigint, received_at timestamp with time zone, event_type text, signed_at timestamp with time zone, payload jsonb) RETURNS public.relay_input
    LANGUAGE sql STABLE
    AS $$
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

SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: ticket; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.ticket (
    number text NOT NULL,
    webhook_id bigint NOT NULL,
    first_seen_at timestamp with time zone NOT NULL,
    updated_at timestamp with time zone NOT NULL,
    title text NOT NULL,
    event text NOT NULL,
    event_id integer NOT NULL,
    category text NOT NULL,
    type text NOT NULL,
    price_amount numeric(12,2) NOT NULL,
    price_currency character(3) NOT NULL,
    session_date date,
    city text,
    venue text,
    cancellation_reason text DEFAULT ''::text NOT NULL,
    status text NOT NULL,
    buyer_role text,
    state_webhook_id bigint NOT NULL,
    state_event text NOT NULL,
    state_signed_at timestamp with time zone NOT NULL,
    CONSTRAINT ticket_status_check CHECK ((status = ANY (ARRAY['valid'::text, 'cancelled'::text])))
);

--
-- Name: ticket_apply(public.relay_input[]); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.ticket_apply(batch public.relay_input[]) RETURNS SETOF public.ticket
    LANGUAGE plpgsql
    SET plan_cache_mode TO 'force_generic_plan'
    AS $$
BEGIN
    RETURN QUERY
    INSERT INTO ticket AS t (number, webhook_id, first_seen_at, updated_at, title, event, event_id, category, type,
                             price_amount, price_currency, session_date, city, venue, cancellation_reason, status,
                             buyer_role, state_webhook_id, state_event, state_signed_at)
    SELECT * FROM ticket_candidates(batch)
    ON CONFLICT (number) DO UPDATE SET
        webhook_id = GREATEST(t.webhook_id, EXCLUDED.webhook_id),
        first_seen_at = LEAST(t.first_seen_at, EXCLUDED.first_seen_at),
        (updated_at, title, event, event_id, category, type, price_amount, price_currency, session_date, city, venue,
         cancellation_reason, status, buyer_role, state_webhook_id, state_event, state_signed_at) = (
            SELECT (CASE
                WHEN EXCLUDED.state_event = 'ticket_updated'
                 AND ticket_state_rank(EXCLUDED.state_event, EXCLUDED.state_signed_at, EXCLUDED.state_webhook_id)
                   > ticket_state_rank(t.state_event, t.state_signed_at, t.state_webhook_id)
                THEN ROW(EXCLUDED.updated_at, EXCLUDED.title, EXCLUDED.event, EXCLUDED.event_id, EXCLUDED.category,
                         EXCLUDED.type, EXCLUDED.price_amount, EXCLUDED.price_currency, EXCLUDED.session_date,
                         EXCLUDED.city, EXCLUDED.venue, EXCLUDED.cancellation_reason, EXCLUDED.status,
                         EXCLUDED.buyer_role, EXCLUDED.state_webhook_id, EXCLUDED.state_event, EXCLUDED.state_signed_at)::ticket_state
                ELSE ROW(t.updated_at, t.title, t.event, t.event_id, t.category, t.type, t.price_amount, t.price_currency,
                         t.session_date, t.city, t.venue, t.cancellation_reason, t.status, t.buyer_role,
                         t.state_webhook_id, t.state_event, t.state_signed_at)::ticket_state
            END).*
        )
    RETURNING t.*;
END
$$;

--
-- Name: ticket_candidates(public.relay_input[]); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.ticket_candidates(batch public.relay_input[]) RETURNS TABLE(number text, webhook_id bigint, first_seen_at timestamp with time zone, updated_at timestamp with time zone, title text, event text, event_id integer, category text, type text, price_amount numeric, price_currency text, session_date date, city text, venue text, cancellation_reason text, status text, buyer_role text, state_webhook_id bigint, state_event text, state_signed_at timestamp with time zone)
    LANGUAGE sql STABLE
    AS $$
    SELECT DISTINCT ON (i.number)
           i.number, max(i.id) OVER w, min(i.received_at::timestamptz) OVER w, i.received_at::timestamptz,
           i.title, i.event, i.event_id, i.category, i.type, i.price_amount, i.price_currency, i.session_date,
           i.city, i.venue, i.cancellation_reason, i.status, i.buyer_role,
           i.id, i.kind, i.signed_at
      FROM unnest(batch) AS i
    WINDOW w AS (PARTITION BY i.number)
     ORDER BY i.number, ticket_state_rank(i.kind, i.signed_at, i.id) DESC
$$;

--
-- Name: ticket_live(public.ticket); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.ticket_live(t public.ticket) RETURNS jsonb
    LANGUAGE sql STABLE
    AS $$
    SELECT jsonb_build_object(
        'number', t.number, 'title', t.title, 'event', t.event, 'eventId', t.event_id, 'category', t.category,
        'type', t.type, 'price', jsonb_build_object('amount', t.price_amount::text, 'currency', t.price_currency),
        'sessionDate', to_char(t.session_date, 'YYYY-MM-DD'), 'city', t.city, 'venue', t.venue,
        'cancellationReason', t.cancellation_reason, 'status', t.status)
$$;

--
-- Name: ticket_state_rank(text, timestamp with time zone, bigint); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.ticket_state_rank(event_type text, signed_at timestamp with time zone, webhook_id bigint) RETURNS public.ticket_state_rank
    LANGUAGE sql IMMUTABLE
    AS $$
    SELECT ROW(event_type = 'ticket_updated',
               CASE WHEN event_type = 'ticket_updated' THEN signed_at ELSE '-infinity'::timestamptz END,
               CASE WHEN event_type = 'ticket_updated' THEN webhook_id ELSE -webhook_id END)::ticket_state_rank
$$;

--
-- Name: dead_letter; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.dead_letter (
    id bigint NOT NULL,
    webhook_id bigint NOT NULL,
    kind text NOT NULL,
    reason text NOT NULL,
    tries integer NOT NULL,
    dead_lettered_at timestamp with time zone DEFAULT now() NOT NULL,
    redriven_at timestamp with time zone
);

--
-- Name: dead_letter_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.dead_letter_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: dead_letter_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.dead_letter_id_seq OWNED BY public.dead_letter.id;

--
-- Name: delivery_attempt; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.delivery_attempt (
    id bigint NOT NULL,
    received_at timestamp with time zone NOT NULL,
    outcome text NOT NULL,
    status smallint NOT NULL,
    body_bytes integer NOT NULL,
    body_sha256 character(64),
    signature_timestamp timestamp with time zone,
    webhook_id bigint,
    source_address text
);

--
-- Name: delivery_attempt_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.delivery_attempt_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: delivery_attempt_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.delivery_attempt_id_seq OWNED BY public.delivery_attempt.id;

--
-- Name: live_event; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.live_event (
    seq bigint NOT NULL,
    webhook_id bigint NOT NULL,
    relayed_at timestamp with time zone DEFAULT now() NOT NULL,
    body jsonb NOT NULL
);

--
-- Name: live_event_seq_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.live_event_seq_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: live_event_seq_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.live_event_seq_seq OWNED BY public.live_event.seq;

--
-- Name: relay_failure; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.relay_failure (
    webhook_id bigint NOT NULL,
    kind text NOT NULL,
    reason text NOT NULL,
    tries integer NOT NULL,
    failed_at timestamp with time zone DEFAULT now() NOT NULL
);

--
-- Name: schema_functions; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.schema_functions (
    name text NOT NULL,
    sha256 text NOT NULL,
    applied_at timestamp with time zone DEFAULT now() NOT NULL
);

--
-- Name: schema_migrations; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.schema_migrations (
    version integer NOT NULL,
    name text NOT NULL,
    applied_at timestamp with time zone DEFAULT now() NOT NULL
);

--
-- Name: webhook_event; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.webhook_event (
    id bigint NOT NULL,
    received_at timestamp with time zone DEFAULT now() NOT NULL,
    event_type text NOT NULL,
    body_sha256 character(64) NOT NULL,
    signature_timestamp timestamp with time zone NOT NULL,
    payload jsonb NOT NULL,
    ticket_number text GENERATED ALWAYS AS ((payload #>> '{details,ticket,number}'::text[])) STORED,
    published_at timestamp with time zone
);

--
-- Name: webhook_event_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.webhook_event_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: webhook_event_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.webhook_event_id_seq OWNED BY public.webhook_event.id;

--
-- Name: dead_letter id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.dead_letter ALTER COLUMN id SET DEFAULT nextval('public.dead_letter_id_seq'::regclass);

--
-- Name: delivery_attempt id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.delivery_attempt ALTER COLUMN id SET DEFAULT nextval('public.delivery_attempt_id_seq'::regclass);

--
-- Name: live_event seq; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.live_event ALTER COLUMN seq SET DEFAULT nextval('public.live_event_seq_seq'::regclass);

--
-- Name: webhook_event id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.webhook_event ALTER COLUMN id SET DEFAULT nextval('public.webhook_event_id_seq'::regclass);

--
-- Name: dead_letter dead_letter_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.dead_letter
    ADD CONSTRAINT dead_letter_pkey PRIMARY KEY (id);

--
-- Name: delivery_attempt delivery_attempt_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.delivery_attempt
    ADD CONSTRAINT delivery_attempt_pkey PRIMARY KEY (id);

--
-- Name: live_event live_event_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.live_event
    ADD CONSTRAINT live_event_pkey PRIMARY KEY (webhook_id);

--
-- Name: live_event live_event_seq_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.live_event
    ADD CONSTRAINT live_event_seq_key UNIQUE (seq);

--
-- Name: relay_failure relay_failure_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.relay_failure
    ADD CONSTRAINT relay_failure_pkey PRIMARY KEY (webhook_id);

--
-- Name: schema_functions schema_functions_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.schema_functions
    ADD CONSTRAINT schema_functions_pkey PRIMARY KEY (name);

--
-- Name: schema_migrations schema_migrations_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.schema_migrations
    ADD CONSTRAINT schema_migrations_pkey PRIMARY KEY (version);

--
-- Name: ticket ticket_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.ticket
    ADD CONSTRAINT ticket_pkey PRIMARY KEY (number);

--
-- Name: webhook_event webhook_event_body_sha256_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.webhook_event
    ADD CONSTRAINT webhook_event_body_sha256_key UNIQUE (body_sha256);

--
-- Name: webhook_event webhook_event_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.webhook_event
    ADD CONSTRAINT webhook_event_pkey PRIMARY KEY (id);

--
-- Name: dead_letter_unverified_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX dead_letter_unverified_idx ON public.dead_letter USING btree (webhook_id, reason) WHERE ((redriven_at IS NULL) AND (kind = 'unverified'::text));

--
-- Name: dead_letter_waiting_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX dead_letter_waiting_idx ON public.dead_letter USING btree (webhook_id) WHERE ((redriven_at IS NULL) AND (kind <> 'unverified'::text));

--
-- Name: dead_letter_webhook_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX dead_letter_webhook_idx ON public.dead_letter USING btree (webhook_id, id);

--
-- Name: delivery_attempt_outcome_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX delivery_attempt_outcome_idx ON public.delivery_attempt USING btree (outcome, id);

--
-- Name: delivery_attempt_received_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX delivery_attempt_received_idx ON public.delivery_attempt USING btree (received_at);

--
-- Name: delivery_attempt_status_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX delivery_attempt_status_idx ON public.delivery_attempt USING btree (status, id);

--
-- Name: ticket_category_webhook_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ticket_category_webhook_idx ON public.ticket USING btree (category, webhook_id DESC);

--
-- Name: ticket_event_webhook_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ticket_event_webhook_idx ON public.ticket USING btree (event_id, webhook_id DESC);

--
-- Name: ticket_number_trgm_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ticket_number_trgm_idx ON public.ticket USING gin (number public.gin_trgm_ops);

--
-- Name: ticket_price_number_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ticket_price_number_idx ON public.ticket USING btree (price_amount, number);

--
-- Name: ticket_sold_number_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ticket_sold_number_idx ON public.ticket USING btree (first_seen_at, number);

--
-- Name: ticket_status_webhook_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ticket_status_webhook_idx ON public.ticket USING btree (status, webhook_id DESC);

--
-- Name: ticket_title_trgm_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ticket_title_trgm_idx ON public.ticket USING gin (title public.gin_trgm_ops);

--
-- Name: ticket_valid_event_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ticket_valid_event_idx ON public.ticket USING btree (event_id) WHERE (status = 'valid'::text);

--
-- Name: ticket_webhook_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ticket_webhook_id_idx ON public.ticket USING btree (webhook_id DESC);

--
-- Name: webhook_event_ticket_number_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX webhook_event_ticket_number_idx ON public.webhook_event USING hash (ticket_number);

--
-- Name: webhook_event_unpublished_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX webhook_event_unpublished_idx ON public.webhook_event USING btree (id) WHERE (published_at IS NULL);

--
-- Name: live_event live_event_webhook_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.live_event
    ADD CONSTRAINT live_event_webhook_id_fkey FOREIGN KEY (webhook_id) REFERENCES public.webhook_event(id);

--
-- Name: ticket ticket_state_webhook_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.ticket
    ADD CONSTRAINT ticket_state_webhook_id_fkey FOREIGN KEY (state_webhook_id) REFERENCES public.webhook_event(id);

--
-- Name: ticket ticket_webhook_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.ticket
    ADD CONSTRAINT ticket_webhook_id_fkey FOREIGN KEY (webhook_id) REFERENCES public.webhook_event(id);

--
-- PostgreSQL database dump complete
--
